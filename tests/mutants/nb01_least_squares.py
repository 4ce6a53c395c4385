"""Wrong answers a student might give in 01_least_squares."""

from autograder.checks.nb01_least_squares import (
    features_no_reshape,
    features_one_short,
    features_without_constant,
    fit_half_reg,
    fit_ignores_reg,
    fit_intercept_not_regularized,
    fit_reg_times_n,
    gradient_sign_flipped,
    gradient_without_mean,
    kfold_halved_error,
    kfold_no_shuffle,
    kfold_pooled_error,
    kfold_training_error,
    loss_mean_over_features,
    loss_without_half,
    vander_decreasing,
)
from tests.mutants import Mutant

PF, LG, FIT, KF = (
    "test_polynomial_features",
    "test_loss_and_gradient",
    "test_fit",
    "test_kfold_cross_validation",
)
MUTANTS = [
    Mutant("decreasing powers (np.vander)", PF, {"polynomial_features": vander_decreasing}),
    Mutant("no constant column", PF, {"polynomial_features": features_without_constant}),
    Mutant("one power short", PF, {"polynomial_features": features_one_short}),
    Mutant("(N, 1) input not flattened", PF, {"polynomial_features": features_no_reshape}),
    Mutant("loss without the 1/2", LG, {"loss_and_gradient": loss_without_half}),
    Mutant("gradient sign flipped", LG, {"loss_and_gradient": gradient_sign_flipped}),
    Mutant("gradient without 1/N", LG, {"loss_and_gradient": gradient_without_mean}),
    Mutant("divides by D, not N", LG, {"loss_and_gradient": loss_mean_over_features}),
    Mutant("reg ignored", FIT, {"fit": fit_ignores_reg}),
    Mutant("intercept not regularized", FIT, {"fit": fit_intercept_not_regularized}),
    Mutant("reg scaled by N", FIT, {"fit": fit_reg_times_n}),
    Mutant("reg halved", FIT, {"fit": fit_half_reg}),
    Mutant("folds not shuffled", KF, {"kfold_cross_validation": kfold_no_shuffle}),
    Mutant("training error", KF, {"kfold_cross_validation": kfold_training_error}),
    Mutant("halved squared error", KF, {"kfold_cross_validation": kfold_halved_error}),
    Mutant("pooled, not per-fold, mean", KF, {"kfold_cross_validation": kfold_pooled_error}),
]
