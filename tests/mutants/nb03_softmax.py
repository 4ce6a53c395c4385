"""Wrong answers a student might give in 03_softmax."""

from autograder.checks.nb03_softmax import (
    FullBatch,
    GradientAscent,
    LossAfterStep,
    NoRegularisation,
    PredictArgmin,
    PredictScores,
    PredictWrongAxis,
    WithoutReplacement,
    naive_forgets_correct_class,
    naive_grad_not_averaged,
    naive_no_shift,
    naive_reg_gradient_once,
    naive_shift_only_in_exp,
    vectorized_columns_normalised,
    vectorized_no_shift,
    vectorized_sum_not_mean,
    vectorized_transposed_gradient,
    vectorized_wrong_fancy_index,
)
from tests.mutants import ABSURD_CHOICES, Mutant

# ---- softmax_loss_naive ---------------------------------------------------------------


# ---- softmax_loss_vectorized ---------------------------------------------------------


# ---- LinearClassifier.train and predict ----------------------------------------------


NAIVE, VEC = "test_softmax_loss_naive", "test_softmax_loss_vectorized"
TRAIN, PREDICT = "test_train", "test_predict"
MUTANTS = [
    Mutant("naive: no max shift", NAIVE, {"softmax_loss_naive": naive_no_shift}),
    Mutant("naive: gradient not averaged", NAIVE, {"softmax_loss_naive": naive_grad_not_averaged}),
    Mutant("naive: reg gradient reg*W", NAIVE, {"softmax_loss_naive": naive_reg_gradient_once}),
    Mutant("naive: no -1 at the label", NAIVE, {"softmax_loss_naive": naive_forgets_correct_class}),
    Mutant("naive: half-shifted scores", NAIVE, {"softmax_loss_naive": naive_shift_only_in_exp}),
    Mutant(
        "vec: normalised over axis 0",
        VEC,
        {"softmax_loss_vectorized": vectorized_columns_normalised},
    ),
    Mutant("vec: no max shift", VEC, {"softmax_loss_vectorized": vectorized_no_shift}),
    Mutant("vec: sum instead of mean", VEC, {"softmax_loss_vectorized": vectorized_sum_not_mean}),
    Mutant("vec: probs[:, y] -= 1", VEC, {"softmax_loss_vectorized": vectorized_wrong_fancy_index}),
    Mutant("vec: transposed dW", VEC, {"softmax_loss_vectorized": vectorized_transposed_gradient}),
    Mutant("train: without replacement", TRAIN, {"SquaredErrorClassifier": WithoutReplacement}),
    Mutant("train: gradient ascent", TRAIN, {"SquaredErrorClassifier": GradientAscent}),
    Mutant("train: loss after the step", TRAIN, {"SquaredErrorClassifier": LossAfterStep}),
    Mutant("train: full batch", TRAIN, {"SquaredErrorClassifier": FullBatch}),
    Mutant("train: reg dropped", TRAIN, {"SquaredErrorClassifier": NoRegularisation}),
    Mutant("predict: wrong axis", PREDICT, {"LinearClassifier": PredictWrongAxis}),
    Mutant("predict: argmin", PREDICT, {"LinearClassifier": PredictArgmin}),
    Mutant("predict: scores", PREDICT, {"LinearClassifier": PredictScores}),
    *[
        Mutant(f"tuned: {name}", "test_tuned", {"best_learning_rate": lr, "best_reg": reg})
        for name, (lr, reg) in ABSURD_CHOICES.items()
    ],
]
