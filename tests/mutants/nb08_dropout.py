"""Wrong answers a student might give in 08_dropout.

Backward mutants receive the cache of the reference forward: (dropout_param, mask) with
mask holding 0 or 1 / p in train mode and None in test mode.
"""

from autograder.checks.nb08_dropout import (
    back_divides_in_test,
    back_forgets_scale,
    back_ignores_mask,
    drop_binomial_mask,
    drop_global_random,
    drop_not_inverted,
    drop_p_is_drop_probability,
    drop_test_scaled,
    l1_every_parameter,
    l1_gradient_w,
    l1_loss_only,
    l1_sign_one_at_zero,
    l1_squares,
    l2_every_parameter,
    l2_factor_two_in_gradient,
    l2_loss_only,
    l2_no_half,
    smooth_gradient_one_hot,
    smooth_not_spread,
    smooth_over_others,
    smooth_summed,
    smooth_unshifted,
)
from tests.mutants import Mutant

DF, DB, L2 = "test_dropout_forward", "test_dropout_backward", "test_l2_regularized_loss"
L1, LS, TU = "test_l1_regularized_loss", "test_smoothed_softmax_loss", "test_tuning"
MUTANTS = [
    Mutant("not inverted", DF, {"dropout_forward": drop_not_inverted}),
    Mutant("p read as drop probability", DF, {"dropout_forward": drop_p_is_drop_probability}),
    Mutant("test mode scaled by p", DF, {"dropout_forward": drop_test_scaled}),
    Mutant("binomial draw", DF, {"dropout_forward": drop_binomial_mask}),
    Mutant("seed ignored", DF, {"dropout_forward": drop_global_random}),
    Mutant("mask ignored", DB, {"dropout_backward": back_ignores_mask}),
    Mutant("1/p forgotten", DB, {"dropout_backward": back_forgets_scale}),
    Mutant("divides by p in test mode", DB, {"dropout_backward": back_divides_in_test}),
    Mutant("no 0.5 in the loss", L2, {"l2_regularized_loss": l2_no_half}),
    Mutant("2 * reg * W gradient", L2, {"l2_regularized_loss": l2_factor_two_in_gradient}),
    Mutant("biases regularized", L2, {"l2_regularized_loss": l2_every_parameter}),
    Mutant("gradient forgotten", L2, {"l2_regularized_loss": l2_loss_only}),
    Mutant("L1 with gradient reg * W", L1, {"l1_regularized_loss": l1_gradient_w}),
    Mutant("L1 sign +1 at zero", L1, {"l1_regularized_loss": l1_sign_one_at_zero}),
    Mutant("L1 on biases", L1, {"l1_regularized_loss": l1_every_parameter}),
    Mutant("L1 gradient forgotten", L1, {"l1_regularized_loss": l1_loss_only}),
    Mutant("L1 as squares", L1, {"l1_regularized_loss": l1_squares}),
    Mutant("smoothing over C - 1", LS, {"smoothed_softmax_loss": smooth_over_others}),
    Mutant("smoothing not spread", LS, {"smoothed_softmax_loss": smooth_not_spread}),
    Mutant("smoothed loss summed", LS, {"smoothed_softmax_loss": smooth_summed}),
    Mutant("smoothed loss unshifted", LS, {"smoothed_softmax_loss": smooth_unshifted}),
    Mutant("smoothed gradient one-hot", LS, {"smoothed_softmax_loss": smooth_gradient_one_hot}),
    Mutant("tuning: keep almost nothing", TU, {"best_keep_prob": 0.05}),
    Mutant("tuning: all weight decay", TU, {"best_reg": 1.0}),
    Mutant("tuning: strong L2", TU, {"best_reg": 0.3}),
]
