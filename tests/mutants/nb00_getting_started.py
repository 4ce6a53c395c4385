"""Wrong answers a student might give in 00_getting_started."""

import numpy as np

from tests.mutants import Mutant


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


MA, ST = "test_moving_average", "test_standardize"
MUTANTS = [
    Mutant("same-length convolution", MA, {"moving_average": same_length_average}),
    Mutant("off-by-one range", MA, {"moving_average": off_by_one_average}),
    Mutant("sum instead of mean", MA, {"moving_average": sum_not_mean}),
    Mutant("wrong axis", ST, {"standardize": standardize_rows}),
    Mutant("NaN for a constant column", ST, {"standardize": standardize_nan_for_constant}),
    Mutant("sample std (ddof=1)", ST, {"standardize": standardize_sample_std}),
]
