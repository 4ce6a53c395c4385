"""Grader side: read a sandbox's plain outputs, compare them with the references, award points.

No student code ever runs here. Everything the student's process wrote is untrusted data:

- a case's ``.npz`` is read by :func:`load_case_outputs`, never by ``np.load``: the file
  must be smaller than the case's expected outputs allow, each member must be stored
  uncompressed, and each ``.npy`` header (dtype, shape) is checked against the expected
  output *before* a byte of data is read; only members whose shape matches are read, so
  the bytes read are bounded by the grader's own references (no decompression, no
  allocation from a declared size);
- of an exception raised on hidden inputs only a built-in class name is shown
  (:func:`exception_name`); the harvest log is size-capped and parsed line by line.
"""

from __future__ import annotations

import builtins
import json
import math
import os
import stat
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from autograder.harvest import run_case
from autograder.prepare import InvalidSubmission, read_untrusted_text
from autograder.spec import Check, encode_cases
from course_utils.grading import describe_mismatch

#: a case's outputs file may hold this many bytes per expected element (complex128) ...
BYTES_PER_ELEMENT = 16
#: ... plus this much per member (zip and .npy headers) and this much in all
BYTES_PER_MEMBER = 4096
MIN_CASE_BYTES = 1024 * 1024
#: the longest .npy header the grader parses
MAX_HEADER_BYTES = 4096
#: exception class names shown as they are: Python's built-in ones and a few of numpy's
KNOWN_EXCEPTIONS = frozenset(
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
) | {"LinAlgError", "AxisError"}
#: the largest harvest log the grader will read
MAX_LOG_BYTES = 1024 * 1024


@dataclass
class PlannedCase:
    """One case as the grader planned it: which check, its encoding and the expected outputs."""

    check: Check
    label: str
    encoded: dict
    expected: dict[str, np.ndarray] | None
    reference_error: str | None = None


@dataclass
class CellScore:
    """Points of one graded test cell, with one line per failed case."""

    grade_id: str
    max_points: float
    passed: int = 0
    total: int = 0
    messages: list[str] = field(default_factory=list)

    @property
    def points(self) -> float:
        if self.total == 0:
            return 0.0
        return round(self.max_points * self.passed / self.total, 2)


def plan_cases(
    checks: list[Check], rng: np.random.Generator
) -> tuple[list[PlannedCase], dict[str, np.ndarray]]:
    """Draw every check's cases, encode them in one batch and compute the expected outputs."""
    drawn = [(check, c) for check in checks for c in check.cases(rng)]
    encoded, arrays = encode_cases([c for _, c in drawn])
    planned = []
    for (check, c), enc in zip(drawn, encoded):
        try:
            expected = run_case(check.reference, enc, arrays)
            planned.append(PlannedCase(check, c.label, enc, expected))
        except Exception as exc:  # a broken reference is the course's bug, never the student's
            planned.append(PlannedCase(check, c.label, enc, None, f"{type(exc).__name__}: {exc}"))
    return planned, arrays


def compare_outputs(
    got: Mapping[str, np.ndarray], expected: Mapping[str, np.ndarray], check: Check
) -> list[str]:
    """Problems with ``got`` against ``expected`` as short sentences (empty when it passes)."""
    keys = check.compare if check.compare is not None else tuple(expected)
    if check.judge is not None:
        return _judge_outcome(got, expected, keys, check)
    problems = []
    for key in keys:
        name = check.names.get(key, key)
        problem = describe_mismatch(got.get(key), expected[key], name, check.tol)
        if problem:
            problems.append(problem)
    return problems


def _judge_outcome(got, expected, keys, check: Check) -> list[str]:
    """An outcome task: each value read must be finite and shaped like the reference's choice,
    then the check's judge decides (in this process, on the grader's own data)."""
    values = {}
    for key in keys:
        name = check.names.get(key, key)
        value = got.get(key)
        want = np.asarray(expected[key])
        if value is None:
            return [f"{name} was not set"]
        value = np.asarray(value)
        if value.shape != want.shape or value.dtype.kind not in "biuf":
            return [f"{name} should be a real number (or array) of shape {want.shape}"]
        if not np.all(np.isfinite(value)):
            return [f"{name} is not finite"]
        values[key] = value
    verdict = check.judge(values)
    return [verdict] if verdict else []


def read_harvest_log(out_dir: str) -> dict[int, dict]:
    """Parse ``harvest.jsonl`` into {case index: record}; unreadable lines are skipped."""
    try:
        text = read_untrusted_text(os.path.join(out_dir, "harvest.jsonl"), MAX_LOG_BYTES)
    except InvalidSubmission:  # missing, a link, or too large: nothing trustworthy
        return {}
    records: dict[int, dict] = {}
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and isinstance(record.get("case"), int):
            records.setdefault(record["case"], record)
    return records


def case_byte_budget(expected: Mapping[str, np.ndarray]) -> int:
    """The largest outputs file accepted for a case whose expected outputs are ``expected``."""
    elements = sum(max(1, int(np.asarray(v).size)) for v in expected.values())
    return max(
        MIN_CASE_BYTES, BYTES_PER_ELEMENT * elements + BYTES_PER_MEMBER * (len(expected) + 1)
    )


def load_case_outputs(
    out_dir: str, index: int, expected: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Read the outputs of case ``index`` that ``expected`` names; ValueError with a reason.

    Bounded by construction: the file is refused unread when larger than
    :func:`case_byte_budget`; a compressed member is refused; a member whose header
    declares another shape or a non-numeric dtype is returned as a zero-byte stand-in of
    that shape and dtype (so the mismatch is worded as usual) without reading its data.
    """
    path = os.path.join(out_dir, f"case_{index}.npz")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        raise ValueError("no outputs were written") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("no outputs were written")
        budget = case_byte_budget(expected)
        if info.st_size > budget:
            size = info.st_size / 1e6
            raise ValueError(f"outputs are far larger than expected ({size:.1f} MB; refused)")
        try:
            with zipfile.ZipFile(handle) as archive:
                return _read_members(archive, expected)
        except (zipfile.BadZipFile, EOFError, OSError, KeyError, TypeError) as exc:
            raise ValueError(f"outputs are unreadable ({type(exc).__name__})") from None


def _read_members(archive: zipfile.ZipFile, expected: Mapping[str, np.ndarray]) -> dict:
    if len(archive.infolist()) > 4 * len(expected) + 16:
        raise ValueError("outputs hold far more arrays than expected (refused)")
    names = {info.filename: info for info in archive.infolist()}
    got = {}
    for key, want in expected.items():
        info = names.get(f"{key}.npy")
        if info is not None:
            got[key] = _read_member(archive, info, np.asarray(want))
    return got


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, want: np.ndarray):
    """One ``.npy`` member, its header checked against ``want`` before its data is read."""
    if info.compress_type != zipfile.ZIP_STORED or info.file_size != info.compress_size:
        raise ValueError("outputs are compressed (refused: the harvest writes plain arrays)")
    with archive.open(info) as member:
        shape, fortran, dtype = _read_npy_header(member)
        if dtype.hasobject or dtype.itemsize == 0:
            raise ValueError(f"outputs are unreadable (dtype {dtype})")
        if dtype.kind not in "biufc" or shape != want.shape:
            return _stand_in(shape, dtype)
        nbytes = math.prod(shape) * dtype.itemsize
        data = member.read(nbytes)
        if len(data) != nbytes or member.read(1):
            raise ValueError("outputs are unreadable (the data does not match its header)")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")


def _read_npy_header(member) -> tuple[tuple[int, ...], bool, np.dtype]:
    try:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            header = np.lib.format.read_array_header_1_0(member, MAX_HEADER_BYTES)
        elif version == (2, 0):
            header = np.lib.format.read_array_header_2_0(member, MAX_HEADER_BYTES)
        else:
            raise ValueError(f"format version {version}")
    except ValueError as exc:
        raise ValueError(f"outputs are unreadable (a .npy header: {str(exc)[:80]})") from None
    shape, fortran, dtype = header
    if not all(isinstance(n, int) and n >= 0 for n in shape) or len(shape) > 32:
        raise ValueError("outputs are unreadable (a .npy header with an invalid shape)")
    return tuple(shape), bool(fortran), np.dtype(dtype)


def _stand_in(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A read-only array of ``shape`` and ``dtype`` that uses one element of memory."""
    try:
        one = np.zeros(1, dtype=dtype)
        return np.lib.stride_tricks.as_strided(
            one, shape=shape, strides=(0,) * len(shape), writeable=False
        )
    except (ValueError, TypeError, OverflowError):
        raise ValueError(f"outputs declare an impossible shape {str(shape)[:80]}") from None


def exception_name(name) -> str:
    """How an exception raised on hidden inputs is shown: a built-in class name, or words.

    Never the message, and never a name the submission chose: either could carry the
    hidden inputs (``ValueError(repr(x))``, ``class E_0_4172(Exception)``).
    """
    if isinstance(name, str) and name in KNOWN_EXCEPTIONS:
        return name
    return "an exception of a class defined in the submission"


def score_cases(
    planned: list[PlannedCase], out_dir: str, max_points: Mapping[str, float]
) -> dict[str, CellScore]:
    """Award each graded cell max_points × (cases passed / cases) from a sandbox's outputs."""
    scores = {gid: CellScore(gid, pts) for gid, pts in max_points.items()}
    log = read_harvest_log(out_dir)
    for index, item in enumerate(planned):
        cell = scores.setdefault(item.check.grade_id, CellScore(item.check.grade_id, 0.0))
        cell.total += 1
        problem = _case_problem(item, log.get(index), out_dir, index)
        if problem is None:
            cell.passed += 1
        else:
            cell.messages.append(f"{item.check.function} ({item.label}): {problem}")
    return scores


def score_namespace(
    checks: list[Check], namespace: Mapping, max_points: Mapping[str, float], seed: int | None
) -> dict[str, CellScore]:
    """Score functions living in this process (mutants in tests, the solution's hidden cells).

    The same cases, comparison and points as a sandboxed run; only for trusted code.
    """
    planned, arrays = plan_cases(checks, np.random.default_rng(seed))
    scores = {gid: CellScore(gid, pts) for gid, pts in max_points.items()}
    for item in planned:
        cell = scores.setdefault(item.check.grade_id, CellScore(item.check.grade_id, 0.0))
        cell.total += 1
        problem = _namespace_problem(item, namespace, arrays)
        if problem is None:
            cell.passed += 1
        else:
            cell.messages.append(f"{item.check.function} ({item.label}): {problem}")
    return scores


def _namespace_problem(item: PlannedCase, namespace: Mapping, arrays) -> str | None:
    if item.expected is None:
        return f"the grader's reference failed ({item.reference_error})"
    try:
        got = run_case(namespace, item.encoded, arrays)
    except Exception as exc:
        return f"raised {type(exc).__name__}: {exc}"[:300]
    problems = compare_outputs(got, item.expected, item.check)
    return "; ".join(problems) if problems else None


def _case_problem(item: PlannedCase, record: dict | None, out_dir: str, index: int) -> str | None:
    if item.expected is None:
        return f"the grader's reference failed ({item.reference_error}); tell your instructor"
    if record is None:
        return "was not run (the notebook crashed or ran out of time before it)"
    if not record.get("ok"):
        if record.get("timed_out") is True:
            return "ran longer than the time allowed per case"
        return f"raised {exception_name(record.get('error_type'))}"
    try:
        got = load_case_outputs(out_dir, index, item.expected)
    except ValueError as exc:
        return str(exc)
    problems = compare_outputs(got, item.expected, item.check)
    return "; ".join(problems) if problems else None
