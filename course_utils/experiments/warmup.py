"""Warm-up exercises of 00_getting_started: turning loops into numpy expressions."""

from __future__ import annotations

import numpy as np

from course_utils.assignments import graded


def moving_average_loop(x: np.ndarray, window: int) -> np.ndarray:
    """Mean of every run of ``window`` consecutive entries, with a Python loop (the slow way).

    Inputs:
    - x: array of shape (N,)
    - window: int, 1 <= window <= N
    Returns an array of shape (N - window + 1,).
    """
    return np.array([np.mean(x[i : i + window]) for i in range(len(x) - window + 1)])


@graded("00_getting_started")
def moving_average(x: np.ndarray, window: int) -> np.ndarray:
    """Mean of every run of ``window`` consecutive entries, without a Python loop.

    Inputs:
    - x: array of shape (N,)
    - window: int, 1 <= window <= N
    Returns an array of shape (N - window + 1,): out[i] = mean(x[i : i + window]).
    """
    sums = np.cumsum(np.concatenate([[0.0], x]))
    return (sums[window:] - sums[:-window]) / window


@graded("00_getting_started")
def standardize(X: np.ndarray) -> np.ndarray:
    """Give every column of ``X`` zero mean and unit standard deviation.

    Inputs:
    - X: array of shape (N, D)
    Returns an array of shape (N, D): (X - column mean) / column std, where a column
    whose std is 0 becomes all zeros (instead of NaN).
    """
    centred = X - X.mean(axis=0)
    std = X.std(axis=0)
    return centred / np.where(std > 0, std, 1.0)
