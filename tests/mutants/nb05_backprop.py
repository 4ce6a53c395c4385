"""Wrong answers a student might give in 05_backprop."""

from autograder.checks.nb05_backprop import (
    FC_BUGS,
    _fc_mutant,
    affine_backward_db_mean,
    affine_backward_dw_transposed,
    affine_backward_flat_dx,
    affine_forward_no_bias,
    affine_forward_no_flatten,
    elu_backward_no_alpha,
    elu_forward_no_minus_one,
    fc_net_two_layers_only,
    leaky_relu_backward_zero_slope,
    leaky_relu_forward_fixed_alpha,
    relu_backward_ge,
    relu_backward_identity,
    relu_forward_abs,
    sigmoid_backward_missing_factor,
    sigmoid_backward_recomputed_on_out,
    sigmoid_forward_sign,
    softplus_backward_wrong_sign,
    softplus_forward_naive,
    tanh_backward_no_square,
    tanh_forward_naive,
    two_layer_no_reg_gradient,
    two_layer_no_relu_mask,
    two_layer_reg_without_half,
    two_layer_regularizes_biases,
    two_layer_unstable_softmax,
)
from tests.mutants import Mutant

# --- affine -------------------------------------------------------------------------------


# --- ReLU ---------------------------------------------------------------------------------


# --- sigmoid and tanh ---------------------------------------------------------------------


# --- leaky ReLU, ELU, softplus ------------------------------------------------------------


# --- two-layer network --------------------------------------------------------------------


# --- N-layer network ----------------------------------------------------------------------


FC = "test_fc_net_loss"
AF, RL, ST, LE, TL = (
    "test_affine",
    "test_relu",
    "test_sigmoid_tanh",
    "test_leaky_elu_softplus",
    "test_two_layer_loss",
)
MUTANTS = [
    Mutant("affine: x not flattened", AF, {"affine_forward": affine_forward_no_flatten}),
    Mutant("affine: no bias", AF, {"affine_forward": affine_forward_no_bias}),
    Mutant("affine: dx not reshaped", AF, {"affine_backward": affine_backward_flat_dx}),
    Mutant("affine: db averaged", AF, {"affine_backward": affine_backward_db_mean}),
    Mutant("affine: dw transposed", AF, {"affine_backward": affine_backward_dw_transposed}),
    Mutant("relu: x >= 0 mask", RL, {"relu_backward": relu_backward_ge}),
    Mutant("relu: no mask", RL, {"relu_backward": relu_backward_identity}),
    Mutant("relu: abs", RL, {"relu_forward": relu_forward_abs}),
    Mutant("sigmoid: sign of the exponent", ST, {"sigmoid_forward": sigmoid_forward_sign}),
    Mutant("sigmoid: missing 1 - s", ST, {"sigmoid_backward": sigmoid_backward_missing_factor}),
    Mutant(
        "sigmoid: sigmoid of the output",
        ST,
        {"sigmoid_backward": sigmoid_backward_recomputed_on_out},
    ),
    Mutant("tanh: 1 - t", ST, {"tanh_backward": tanh_backward_no_square}),
    Mutant("tanh: naive exponentials", ST, {"tanh_forward": tanh_forward_naive}),
    Mutant("leaky: alpha ignored", LE, {"leaky_relu_forward": leaky_relu_forward_fixed_alpha}),
    Mutant("leaky: zero slope", LE, {"leaky_relu_backward": leaky_relu_backward_zero_slope}),
    Mutant("elu: no - 1", LE, {"elu_forward": elu_forward_no_minus_one}),
    Mutant("elu: backward without alpha", LE, {"elu_backward": elu_backward_no_alpha}),
    Mutant("softplus: naive log(1 + exp)", LE, {"softplus_forward": softplus_forward_naive}),
    Mutant("softplus: sigmoid(-x)", LE, {"softplus_backward": softplus_backward_wrong_sign}),
    Mutant("two-layer: reg without 0.5", TL, {"two_layer_loss": two_layer_reg_without_half}),
    Mutant("two-layer: no reg gradient", TL, {"two_layer_loss": two_layer_no_reg_gradient}),
    Mutant("two-layer: no ReLU mask", TL, {"two_layer_loss": two_layer_no_relu_mask}),
    Mutant("two-layer: biases regularized", TL, {"two_layer_loss": two_layer_regularizes_biases}),
    Mutant("two-layer: unstable softmax", TL, {"two_layer_loss": two_layer_unstable_softmax}),
    *(
        Mutant(f"N-layer: {bug}", "test_fc_net_loss", {"fc_net_loss": _fc_mutant(bug)})
        for bug in FC_BUGS
    ),
    Mutant("N-layer: two layers only", "test_fc_net_loss", {"fc_net_loss": fc_net_two_layers_only}),
    Mutant("tuning: two hidden units", "test_tuning", {"best_hidden_size": 2}),
    Mutant("tuning: learning rate 1e-5", "test_tuning", {"best_learning_rate": 1e-5}),
    Mutant("tuning: all weight decay", "test_tuning", {"best_reg": 5.0}),
    Mutant("tuning: section 5's guesses", "test_tuning", {"best_learning_rate": 0.5}),
]
