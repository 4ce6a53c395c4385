"""Visible checks: fixed inputs, stored expected values, a printed error and a clear failure."""

from __future__ import annotations

import numpy as np

from course_utils.gradcheck import rel_error
from course_utils.grading.compare import describe_mismatch


def check_close(name: str, got, expected, tol: float = 1e-7) -> None:
    """Print the relative error of ``got`` against ``expected`` and the error to expect.

    Raises AssertionError with a one-line reason (shape, NaN, error too large) on failure.
    Returns None on purpose: a number left as a test cell's last value is read by
    nbgrader (autograde and the Validate button) as partial credit.
    """
    problem = describe_mismatch(got, expected, name, tol)
    if problem is not None:
        raise AssertionError(problem)
    error = rel_error(np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64))
    print(f"{name}: relative error {error:.1e} (expect at most {tol:.0e})  OK")


def check_equal(name: str, got, expected) -> None:
    """Exact comparison for integer outputs (labels, counts, shapes)."""
    problem = describe_mismatch(got, expected, name, 0.0)
    if problem is not None:
        raise AssertionError(problem)
    print(f"{name}: equal  OK")
