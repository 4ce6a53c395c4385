"""Word the difference between a computed array and the expected one."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from course_utils.gradcheck import rel_error
from course_utils.grading.diagnose import Factor, Term, diagnose


def describe_mismatch(
    got,
    expected,
    name: str,
    tol: float,
    reveal: bool = True,
    factors: Sequence[Factor] = (),
    terms: Sequence[Term] = (),
    inputs: Sequence[np.ndarray] = (),
    coincidences: Sequence[float] = (),
    explain: bool = True,
) -> str | None:
    """Say what is wrong with ``got`` as one short sentence, or None when it matches.

    Inputs:
    - got: the student's output (None when it was not returned), any array-like.
    - expected: the expected array.
    - name: how to call the output in the sentence ("dW", "the loss").
    - tol: largest accepted relative error (course_utils.gradcheck.rel_error).
    - reveal: False when the inputs are hidden (the grader): the expected shape is not named.
    - factors, terms, inputs, coincidences: what
      :func:`~course_utils.grading.diagnose.diagnose` may name.
    - explain: False to leave out the likely cause (the grader adds its own).

    A wrong value is followed by the likely cause when exactly one bug signature matches.
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
        problem = (
            f"{name} has shape {got.shape}, expected {expected.shape}"
            if reveal
            else f"{name} does not have the expected shape"
        )
    elif not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        problem = f"{name} contains NaN or infinity"
    else:
        error = rel_error(got, expected)
        if error <= tol:
            return None
        problem = f"{name}: relative error {error:.1e} (must be at most {tol:.0e})"
    if not explain:
        return problem
    cause = diagnose(got, expected, name, tol, factors, terms, inputs, reveal, coincidences)
    return f"{problem}. {cause}" if cause else problem
