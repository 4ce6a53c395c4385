"""Name the likely bug behind a wrong array, as a teaching assistant would.

Most wrong answers in this course leave a signature in the numbers: the output is the
expected one transposed, or exactly twice it, or N times it (the mean forgotten), or off by
exactly the bias, or right only for the first sample. :func:`diagnose` tries each signature
on (got, expected) and returns one sentence when exactly one matches within tolerance;
when none or several match it says nothing (a wrong diagnosis misleads more than none).

It runs on plain arrays only: in the notebook's visible checks (where the inputs are shown
anyway) and in the grader's process on the outputs a sandbox wrote (never student code).
With ``reveal=False`` (the grader, on hidden inputs) no value, shape or size of the hidden
case appears in the sentence: a diagnosis speaks of the student's code, not of the data.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from course_utils.gradcheck import rel_error

#: the end of the diagnosis "off by some constant factor" (no named one): its evidence is c
UNNAMED_FACTOR = "off by a constant factor"
#: how every diagnosis starts, so feedback and tests can tell it from the plain verdict
PREFIX = "Likely cause: "
#: a factor matches a named one within this relative distance
FACTOR_TOL = 1e-6
#: float32 carries about 7 significant digits
FLOAT32_ERROR = 1e-5


@dataclass(frozen=True)
class Factor:
    """A named constant a wrong answer may be off by, e.g. Factor(32.0, "the batch size N")."""

    value: float
    says: str


@dataclass(frozen=True)
class Term:
    """A named array a wrong answer may be off by (added or missing), e.g. the bias ``b``."""

    array: np.ndarray
    says: str


#: factors every output may be off by, whatever the case
GENERIC_FACTORS = (
    Factor(2.0, "a factor of 2 too many (the derivative of a square gives 2x; ½x² gives x)"),
    Factor(0.5, "a factor of 2 missing, or ½ applied once too often"),
    Factor(-1.0, "the sign is flipped (a gradient of the loss is not the descent direction)"),
)


def batch_factors(n: int, first: str) -> list[Factor]:
    """Factors a batch of ``n`` samples explains: a mean forgotten, N - 1 where N belongs."""
    return [
        Factor(float(n), f"the batch size N (the first axis of {first}): a mean forgotten"),
        Factor(1.0 / n, "1/N once too often: divide by the batch size N only once"),
        Factor(n / (n - 1), "N - 1 where N belongs (the sample variance, ddof=1)"),
        Factor((n - 1) / n, "N where N - 1 belongs, or a sample missed"),
        Factor(np.sqrt((n - 1) / n), "N - 1 where N belongs in a standard deviation (ddof=1)"),
        Factor(np.sqrt(n / (n - 1)), "N where N - 1 belongs in a standard deviation"),
    ]


def diagnose(
    got,
    expected,
    name: str,
    tol: float,
    factors: Sequence[Factor] = (),
    terms: Sequence[Term] = (),
    inputs: Sequence[np.ndarray] = (),
    reveal: bool = True,
    coincidences: Sequence[float] = (),
    batch: tuple[int, ...] = (),
) -> str | None:
    """One sentence naming the likely bug, or None when no single signature matches.

    Inputs:
    - got, expected: the wrong output and the right one (array-likes).
    - name: what the output is called ("dW", "the loss").
    - tol: the relative error accepted by the check (course_utils.gradcheck.rel_error).
    - factors: named constants of this case (the batch size N, the keep probability p ...),
      tried besides 2, ½ and -1.
    - terms: named arrays (inputs or other outputs) the output may be off by.
    - inputs: the case's input arrays, for "right only where the input is positive".
    - reveal: False on hidden inputs: no value or shape of the case is named.
    - coincidences: values other formulas of this case also give (a ratio of two sizes):
      a factor equal to one of them is ambiguous and not named.
    - batch: the batch's leading sizes, (N,) or (N, T) for sequences, when known: an output
      that starts with them may be right "only for the first sample" or "first time step".
    """
    try:
        got = np.asarray(got)
        labels = np.asarray(expected).dtype.kind in "biu"  # labels, counts: no arithmetic
        expected = np.asarray(expected, dtype=np.float64)
    except Exception:
        return None
    if got.dtype.kind not in "biuf" or expected.size == 0:
        return None
    signatures = [_permuted(got, expected, name, tol)]
    if not labels:
        named = [f for f in (*factors, *GENERIC_FACTORS) if not _among(f.value, coincidences)]
        signatures += [
            _non_finite(got, expected, name),
            _single_precision(got, expected, name, tol),
            _factor(got, expected, name, tol, named, reveal, coincidences),
            _term(got, expected, name, tol, terms),
            _subset(got, expected, name, tol, inputs, tuple(batch)),
        ]
    found = [s for s in signatures if s]
    return PREFIX + found[0] if len(found) == 1 else None


def _among(value: float, values: Sequence[float]) -> bool:
    return any(abs(value - v) <= FACTOR_TOL * abs(v) for v in values)


def _close(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
    with np.errstate(all="ignore"):
        return a.shape == b.shape and bool(np.all(np.isfinite(a))) and rel_error(a, b) <= tol


def _permuted(got, expected, name, tol) -> str | None:
    """The right numbers with the axes in another order (a transposed matrix)."""
    if got.ndim != expected.ndim or got.ndim < 2 or got.ndim > 5:
        return None
    values = got.astype(np.float64)
    for perm in itertools.permutations(range(got.ndim)):
        if perm == tuple(range(got.ndim)):
            continue
        moved = np.transpose(values, perm)
        if _close(moved, expected, tol):
            return (
                f"{name} holds the right values with its axes in another order (transposed): "
                "check which axis is which in your indexing or your matrix product"
            )
    return None


def _non_finite(got, expected, name) -> str | None:
    if got.shape != expected.shape or not np.all(np.isfinite(expected)):
        return None
    if np.all(np.isfinite(got)):
        return None
    return (
        f"{name} has NaN or infinity where the expected values are finite: an overflow (exp "
        "of a large number: subtract the maximum first), a division by zero or a log of 0"
    )


def _single_precision(got, expected, name, tol) -> str | None:
    """Right to about 7 digits only: computed in float32 somewhere."""
    if got.shape != expected.shape or not np.all(np.isfinite(got)):
        return None
    error = rel_error(got.astype(np.float64), expected)
    if not tol < error <= FLOAT32_ERROR:
        return None
    as32 = got.astype(np.float32).astype(np.float64)
    if got.dtype == np.float32 or np.array_equal(as32, got.astype(np.float64)):
        return (
            f"{name} is right to single precision only: compute in float64 (an array made "
            "with dtype float32, or a float32 input left unconverted)"
        )
    return None


def _scale(got, expected) -> float | None:
    """The c that makes c * expected closest to got (least squares), if expected is not 0."""
    norm = float(np.sum(expected * expected))
    if norm == 0.0 or not np.isfinite(norm):
        return None
    return float(np.sum(got * expected)) / norm


def _factor(got, expected, name, tol, factors, reveal, coincidences) -> str | None:
    """got = c * expected for a constant c != 1 (a named one, or any c on 3+ values)."""
    if got.shape != expected.shape or not np.all(np.isfinite(got)):
        return None
    values = got.astype(np.float64)
    c = _scale(values, expected)
    if c is None or abs(c - 1.0) <= 10 * max(tol, 1e-12) or c == 0.0:
        return None
    if not _close(values, c * expected, max(tol, 1e-9)):
        return None
    named = [f for f in factors if abs(c - f.value) <= FACTOR_TOL * abs(f.value)]
    if named:
        return f"{name} is off by a constant factor: {named[0].says}"
    if np.count_nonzero(expected) < 3 or _among(c, coincidences):
        return None  # one number is always "some factor" times another
    amount = f" ({c:.4g} times the expected values)" if reveal else ""
    return f"{name} is proportional to the expected values but {UNNAMED_FACTOR}{amount}"


def factor_of(got, expected) -> float | None:
    """The constant c that makes c * expected closest to got (None if expected is all 0)."""
    try:
        return _scale(np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64))
    except (TypeError, ValueError):
        return None


def _term(got, expected, name, tol, terms) -> str | None:
    """got = expected ± a named array (broadcast): a term missing or added twice."""
    if got.shape != expected.shape or not np.all(np.isfinite(got)):
        return None
    values = got.astype(np.float64)
    matches = []
    for term in terms:
        try:
            array = np.broadcast_to(np.asarray(term.array, dtype=np.float64), expected.shape)
        except ValueError:
            continue
        if not np.any(array):
            continue
        for sign, verb in ((-1.0, "missing"), (1.0, "added once too often")):
            if _close(values, expected + sign * array, max(tol, 1e-9)):
                matches.append(f"{name} differs by exactly {term.says}: it is {verb}")
    return matches[0] if len(matches) == 1 else None


def _subset(got, expected, name, tol, inputs, batch) -> str | None:
    """Right on a structured part only: the first sample, the first step, positive inputs."""
    if got.shape != expected.shape or got.ndim == 0:
        return None
    values = got.astype(np.float64)
    with np.errstate(all="ignore"):
        scale = np.maximum(1e-8, np.abs(values) + np.abs(expected))
        right = np.abs(values - expected) / scale <= max(tol, 1e-9)
    if right.all() or not right.any():
        return None
    found = []
    parts = ((0, "the first sample"), (1, "the first time step"))
    for axis, what in parts[: len(batch)]:  # a batch of samples (N, ...); sequences (N, T, ...)
        if got.shape[: axis + 1] == batch[: axis + 1] and got.shape[axis] > 1:
            first = np.take(right, 0, axis=axis)
            rest = np.take(right, range(1, got.shape[axis]), axis=axis)
            if first.all() and not rest.any():
                found.append(
                    f"{name} is right only for {what}: a loop that stops after its first "
                    "iteration, or an index fixed at 0"
                )
    for array in inputs:
        array = np.asarray(array)
        if array.shape == got.shape and array.dtype.kind in "biuf":
            positive = array > 0
            moderate = (np.abs(array) <= 2.0) & (array != 0)  # not where functions saturate
            if (positive & moderate).any() and (~positive & moderate).any():
                if np.array_equal(right, positive):
                    found.append(
                        f"{name} is right only where the input is positive: "
                        "check the other branch (x <= 0) of your function"
                    )
                elif np.array_equal(right, ~positive):
                    found.append(
                        f"{name} is right only where the input is not positive: "
                        "check the branch x > 0 of your function"
                    )
    return found[0] if len(found) == 1 else None
