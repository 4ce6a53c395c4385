"""What 00_getting_started grades: the two vectorisation warm-ups."""

from __future__ import annotations

import numpy as np

from autograder.spec import Check, alternatives, call, case
from course_utils.experiments.warmup import moving_average, standardize


def _moving_average_cases(rng: np.random.Generator):
    n = int(rng.integers(20, 40))
    return [
        case("a long series, window 3", call("moving_average", rng.normal(size=n), 3)),
        case("window of 1", call("moving_average", rng.normal(size=7), 1)),
        case("window as long as x", call("moving_average", rng.normal(size=9), 9)),
        case("large values", call("moving_average", 1e6 + rng.normal(size=n), 5)),
    ]


def _standardize_cases(rng: np.random.Generator):
    constant = rng.normal(size=(6, 3))
    constant[:, 1] = 4.0
    return [
        case("a tall matrix", call("standardize", rng.normal(2.0, 3.0, size=(50, 4)))),
        case("a wide matrix", call("standardize", rng.normal(size=(5, 12)))),
        case("a constant column", call("standardize", constant)),
    ]


# The known mistakes: what a student's wrong output most likely comes from
# (tests/mutants grades each one as a mutant too).


def same_length_average(x, window):
    """np.convolve in 'same' mode: the right idea, the wrong output length."""
    return np.convolve(x, np.ones(window) / window, mode="same")


def off_by_one_average(x, window):
    """Loses the last window (range one too short)."""
    sums = np.cumsum(np.concatenate([[0.0], x]))
    return (sums[window:-1] - sums[: -window - 1]) / window


def sum_not_mean(x, window):
    """Forgets to divide by the window."""
    sums = np.cumsum(np.concatenate([[0.0], x]))
    return sums[window:] - sums[:-window]


def first_window_missing(x, window):
    """Cumulative sums without the leading 0: the first window is lost."""
    sums = np.cumsum(x)
    return (sums[window:] - sums[:-window]) / window


def standardize_centred_only(X):
    """Subtracts the mean but never divides by the std."""
    return X - X.mean(axis=0)


def standardize_by_variance(X):
    """Divides by the variance instead of the standard deviation."""
    var = X.var(axis=0)
    return (X - X.mean(axis=0)) / np.where(var > 0, var, 1.0)


def standardize_whole_matrix(X):
    """One mean and one std for the whole matrix instead of one per column."""
    std = X.std()
    return (X - X.mean()) / (std if std > 0 else 1.0)


def standardize_rows(X):
    """Standardizes along the wrong axis."""
    return (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)


def standardize_nan_for_constant(X):
    """Divides by a zero std: NaN columns."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return (X - X.mean(axis=0)) / X.std(axis=0)


def standardize_sample_std(X):
    """Uses the unbiased (ddof=1) standard deviation instead of the population one."""
    std = X.std(axis=0, ddof=1)
    return (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)


#: per graded function, (what the mistake is, an implementation that makes it)
MISTAKES = {
    "moving_average": [
        ("np.convolve in 'same' mode: the output has N - window + 1 entries", same_length_average),
        ("the last window is missing: there are N - window + 1 of them", off_by_one_average),
        ("the window sums, not their means: divide by the window", sum_not_mean),
        ("the first window is missing: prepend a 0 to the cumulative sums", first_window_missing),
    ],
    "standardize": [
        ("standardized along the wrong axis: each column gets mean 0 and std 1", standardize_rows),
        (
            "a constant column divided by its zero std: it must become zeros",
            standardize_nan_for_constant,
        ),
        ("the sample std (ddof=1): use the population std (ddof=0)", standardize_sample_std),
        ("centred but never divided by the standard deviation", standardize_centred_only),
        ("divided by the variance: divide by the standard deviation", standardize_by_variance),
        (
            "one mean and std for the whole matrix: compute them per column (axis=0)",
            standardize_whole_matrix,
        ),
    ],
}


CHECKS = [
    Check(
        grade_id="test_moving_average",
        function="moving_average",
        alternatives=alternatives("moving_average", MISTAKES),
        reference={"moving_average": moving_average},
        cases=_moving_average_cases,
        tol=1e-6,
        names={"s0.out": "the moving average"},
    ),
    Check(
        grade_id="test_standardize",
        function="standardize",
        alternatives=alternatives("standardize", MISTAKES),
        reference={"standardize": standardize},
        cases=_standardize_cases,
        tol=1e-8,
        names={"s0.out": "the standardized matrix"},
    ),
]
