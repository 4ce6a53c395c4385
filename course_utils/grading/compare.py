"""Word the difference between a computed array and the expected one."""

from __future__ import annotations

import numpy as np

from course_utils.gradcheck import rel_error


def describe_mismatch(got, expected, name: str, tol: float) -> str | None:
    """Say what is wrong with ``got`` as one short sentence, or None when it matches.

    Inputs:
    - got: the student's output (None when it was not returned), any array-like.
    - expected: the expected array.
    - name: how to call the output in the sentence ("dW", "the loss").
    - tol: largest accepted relative error (course_utils.gradcheck.rel_error).
    """
    if got is None:
        return f"{name} was not returned"
    expected = np.asarray(expected)
    try:
        got = np.asarray(got)
    except Exception:
        return f"{name} is a {type(got).__name__}, not an array"
    if got.dtype.kind not in "biuf":
        return f"{name} has dtype {got.dtype}, expected a real number dtype"
    if got.shape != expected.shape:
        return f"{name} has shape {got.shape}, expected {expected.shape}"
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        return f"{name} contains NaN or infinity"
    error = rel_error(got, expected)
    if not error <= tol:
        return f"{name}: relative error {error:.1e} (must be at most {tol:.0e})"
    return None
