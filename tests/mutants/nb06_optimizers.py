"""Wrong answers a student might give in 06_optimizers."""

from autograder.checks.nb06_optimizers import (
    adagrad_eps_inside_sqrt,
    adagrad_no_accumulation,
    adagrad_no_sqrt,
    adam_no_bias_correction,
    adam_same_beta,
    adam_state_not_stored,
    adam_t_after_correction,
    momentum_default_half,
    momentum_forgets_velocity,
    momentum_plus_lr,
    nesterov_is_momentum,
    nesterov_sign_of_lookback,
    nesterov_without_one_plus,
    rmsprop_cache_not_stored,
    rmsprop_default_decay,
    rmsprop_swapped_decay,
)
from tests.mutants import Mutant

# --- SGD with momentum --------------------------------------------------------------------


# --- Nesterov -----------------------------------------------------------------------------


# --- AdaGrad ------------------------------------------------------------------------------


# --- RMSProp ------------------------------------------------------------------------------


# --- Adam ---------------------------------------------------------------------------------


MUTANTS = [
    Mutant("momentum: velocity sign", "test_sgd_momentum", {"sgd_momentum": momentum_plus_lr}),
    Mutant(
        "momentum: velocity forgotten",
        "test_sgd_momentum",
        {"sgd_momentum": momentum_forgets_velocity},
    ),
    Mutant("momentum: default 0.5", "test_sgd_momentum", {"sgd_momentum": momentum_default_half}),
    Mutant("nesterov: plain momentum", "test_nesterov", {"nesterov": nesterov_is_momentum}),
    Mutant("nesterov: no 1 + mu", "test_nesterov", {"nesterov": nesterov_without_one_plus}),
    Mutant("nesterov: sign of mu v_prev", "test_nesterov", {"nesterov": nesterov_sign_of_lookback}),
    Mutant("adagrad: no accumulation", "test_adagrad", {"adagrad": adagrad_no_accumulation}),
    Mutant("adagrad: eps inside sqrt", "test_adagrad", {"adagrad": adagrad_eps_inside_sqrt}),
    Mutant("adagrad: no sqrt", "test_adagrad", {"adagrad": adagrad_no_sqrt}),
    Mutant("rmsprop: decay swapped", "test_rmsprop", {"rmsprop": rmsprop_swapped_decay}),
    Mutant("rmsprop: default decay 0.9", "test_rmsprop", {"rmsprop": rmsprop_default_decay}),
    Mutant("rmsprop: cache not stored", "test_rmsprop", {"rmsprop": rmsprop_cache_not_stored}),
    Mutant("adam: no bias correction", "test_adam", {"adam": adam_no_bias_correction}),
    Mutant("adam: t after the correction", "test_adam", {"adam": adam_t_after_correction}),
    Mutant("adam: state not stored", "test_adam", {"adam": adam_state_not_stored}),
    Mutant("adam: beta1 for both", "test_adam", {"adam": adam_same_beta}),
    # the outcome task: absurd (or untuned) learning rates, each judged on the grader's split
    Mutant("budget: the defaults", "test_budget", {"best_momentum_lr": 1e-2, "best_adam_lr": 1e-3}),
    Mutant("budget: rates swapped", "test_budget", {"best_momentum_lr": 1e-2, "best_adam_lr": 0.3}),
    Mutant(
        "budget: far too large", "test_budget", {"best_momentum_lr": 10.0, "best_adam_lr": 10.0}
    ),
    Mutant(
        "budget: far too small", "test_budget", {"best_momentum_lr": 1e-6, "best_adam_lr": 1e-6}
    ),
]
