"""Wrong answers a student might give in 04_svm."""

from autograder.checks.nb04_svm import (
    naive_grad_not_averaged,
    naive_includes_correct_class,
    naive_kink_active,
    naive_loss_not_averaged,
    naive_no_correct_class_gradient,
    vectorized_correct_class_not_zeroed,
    vectorized_no_delta,
    vectorized_no_reg_gradient,
    vectorized_reg_gradient_once,
    vectorized_wrong_sign,
)
from tests.mutants import ABSURD_CHOICES, Mutant

# ---- svm_loss_naive -------------------------------------------------------------------


# ---- svm_loss_vectorized --------------------------------------------------------------


NAIVE, VEC = "test_svm_loss_naive", "test_svm_loss_vectorized"
MUTANTS = [
    Mutant("naive: correct class summed", NAIVE, {"svm_loss_naive": naive_includes_correct_class}),
    Mutant("naive: kink counted as active", NAIVE, {"svm_loss_naive": naive_kink_active}),
    Mutant("naive: no dW[:, y_i] term", NAIVE, {"svm_loss_naive": naive_no_correct_class_gradient}),
    Mutant("naive: gradient not averaged", NAIVE, {"svm_loss_naive": naive_grad_not_averaged}),
    Mutant(
        "vec: correct class not zeroed",
        VEC,
        {"svm_loss_vectorized": vectorized_correct_class_not_zeroed},
    ),
    Mutant("vec: wrong sign at the label", VEC, {"svm_loss_vectorized": vectorized_wrong_sign}),
    Mutant("vec: reg gradient reg*W", VEC, {"svm_loss_vectorized": vectorized_reg_gradient_once}),
    Mutant("vec: no margin delta", VEC, {"svm_loss_vectorized": vectorized_no_delta}),
    Mutant("naive: loss not averaged", NAIVE, {"svm_loss_naive": naive_loss_not_averaged}),
    Mutant("vec: no reg gradient", VEC, {"svm_loss_vectorized": vectorized_no_reg_gradient}),
    *[
        Mutant(f"tuned: {name}", "test_tuned", {"best_learning_rate": lr, "best_reg": reg})
        for name, (lr, reg) in ABSURD_CHOICES.items()
    ],
]
