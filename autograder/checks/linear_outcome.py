"""Outcome tasks of 03_softmax and 04_svm: "tune the classifier to a target".

The student sets ``best_learning_rate`` and ``best_reg`` from their validation search. The
grader never runs the student's code for this: it trains the course's reference classifier
(``course_utils.classifiers.linear``) with those two numbers, from a fixed seed for a fixed
number of steps, on its own split of the digits (1000 training and 500 validation images drawn
with a seed the notebooks do not use), and awards each case whose validation accuracy reaches
its threshold. Deterministic, about a second on a laptop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache

import numpy as np

from course_utils.classifiers.linear import LinearSVM, Softmax
from course_utils.data import get_dataset
from course_utils.experiments.linear_training import append_bias

#: the seed of the grader's train / validation split (the notebooks use 0)
GRADER_SPLIT_SEED = 16
#: training of the reference, as in the notebooks' searches
NUM_ITERS, BATCH_SIZE, TRAIN_SEED = 500, 200, 0
NUM_VAL = 500
MODELS = {"softmax": Softmax, "svm": LinearSVM}


@lru_cache(maxsize=1)
def grader_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The grader's digits split with the bias column: X_train (1000, 65), y_train, X_val
    (500, 65), y_val."""
    data = get_dataset("digits", num_val=NUM_VAL, seed=GRADER_SPLIT_SEED)
    return (
        append_bias(data["X_train"]),
        data["y_train"],
        append_bias(data["X_val"]),
        data["y_val"],
    )


@lru_cache(maxsize=64)
def validation_accuracy(model: str, learning_rate: float, reg: float) -> float:
    """Validation accuracy of the reference ``model`` ("softmax" or "svm") trained with the
    given hyperparameters on the grader's split (a diverged run simply scores low)."""
    X_train, y_train, X_val, y_val = grader_split()
    classifier = MODELS[model]()
    with np.errstate(all="ignore"):  # absurd choices overflow; they score what they score
        classifier.train(
            X_train,
            y_train,
            learning_rate=learning_rate,
            reg=reg,
            num_iters=NUM_ITERS,
            batch_size=BATCH_SIZE,
            seed=TRAIN_SEED,
        )
        return float(np.mean(classifier.predict(X_val) == y_val))


def choice_problem(learning_rate: float, reg: float) -> str | None:
    """A sentence when the two numbers cannot be hyperparameters at all, else None."""
    if not learning_rate > 0:
        return f"best_learning_rate must be positive, got {learning_rate:g}"
    if not reg >= 0:
        return f"best_reg must be zero or positive, got {reg:g}"
    if learning_rate > 1e6 or reg > 1e6:
        return "best_learning_rate and best_reg must be at most 1e6"
    return None


def tuning_judge(model: str, threshold: float) -> Callable[[Mapping[str, np.ndarray]], str | None]:
    """A Check's judge: pass when the reference ``model`` trained with the student's
    (best_learning_rate, best_reg), read as "s0.out" and "s1.out", reaches ``threshold``."""

    def judge(got: Mapping[str, np.ndarray]) -> str | None:
        learning_rate, reg = float(got["s0.out"]), float(got["s1.out"])
        problem = choice_problem(learning_rate, reg)
        if problem:
            return problem
        accuracy = validation_accuracy(model, learning_rate, reg)
        if accuracy >= threshold:
            return None
        return (
            f"with learning rate {learning_rate:g} and reg {reg:g} the grader's {model} reaches "
            f"{accuracy:.1%} validation accuracy on its own split; this case asks for "
            f"{threshold:.0%}"
        )

    judge.__doc__ = (
        f"Pass when the reference {model} reaches {threshold:.0%} on the grader's split."
    )
    return judge


def tuning_checks(model: str, reference_choice: tuple[float, float], thresholds) -> list:
    """The Checks of one "tune to a target" cell (``test_tuned``): one case per threshold, each
    worth an equal share of the cell's points (reaching the first, then the next...).

    Inputs:
    - model: "softmax" or "svm"
    - reference_choice: (learning rate, reg) of the solution's own search, which must pass
    - thresholds: increasing validation accuracies, e.g. (0.90, 0.94)
    """
    from autograder.spec import Check, case, read

    learning_rate, reg = reference_choice
    return [
        Check(
            grade_id="test_tuned",
            function="best_learning_rate and best_reg",
            reference={"best_learning_rate": learning_rate, "best_reg": reg},
            cases=lambda rng, t=threshold: [
                case(f"{t:.0%} validation accuracy", read("best_learning_rate"), read("best_reg"))
            ],
            names={"s0.out": "best_learning_rate", "s1.out": "best_reg"},
            judge=tuning_judge(model, threshold),
        )
        for threshold in thresholds
    ]
