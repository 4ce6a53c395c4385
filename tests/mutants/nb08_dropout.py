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
    l2_every_parameter,
    l2_factor_two_in_gradient,
    l2_loss_only,
    l2_no_half,
)
from tests.mutants import Mutant

DF, DB, L2 = "test_dropout_forward", "test_dropout_backward", "test_l2_regularized_loss"
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
]
