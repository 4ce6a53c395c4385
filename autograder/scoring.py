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
import inspect
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
from course_utils.grading.diagnose import (
    PREFIX,
    UNNAMED_FACTOR,
    Factor,
    Term,
    batch_factors,
    diagnose,
    factor_of,
)

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
#: an array a wrong output may be off by has at least this many non-zero values (fewer: chance)
MIN_TERM_VALUES = 3
#: the parameter names of a batch in the API (shared/API.md): their first axis is N
BATCH_INPUTS = ("x", "X", "scores", "dout")
#: a cause named for an output of fewer values than this must recur in two cases (chance)
MIN_VALUES_ALONE = 3
#: the largest harvest log the grader will read
MAX_LOG_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Clues:
    """What a diagnosis may name for one case: its sizes, input arrays and outputs."""

    factors: tuple[Factor, ...] = ()
    terms: tuple[Term, ...] = ()
    inputs: tuple[np.ndarray, ...] = ()
    coincidences: tuple[float, ...] = ()
    batch: tuple[int, ...] = ()


@dataclass
class PlannedCase:
    """One case as the grader planned it: which check, its encoding and the expected outputs."""

    check: Check
    label: str
    encoded: dict
    expected: dict[str, np.ndarray] | None
    reference_error: str | None = None
    clues: Clues | None = None
    #: (what the mistake is, the outputs of the reference that makes it) per Alternative
    alternatives: tuple[tuple[str, dict[str, np.ndarray]], ...] = ()


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


def diagnoses_on() -> bool:
    """Diagnoses are on unless ``COURSE_DIAGNOSES=0`` (``make bench`` measures their cost)."""
    return os.environ.get("COURSE_DIAGNOSES", "1") != "0"


def case_clues(check: Check, encoded: dict, arrays: Mapping[str, np.ndarray]) -> Clues:
    """The named sizes and arrays of a case's inputs (the grader's own data, never shown)."""
    named: list[tuple[str, np.ndarray]] = []
    for step in encoded["calls"]:
        params = _parameter_names(check.reference.get(step["target"]))
        for index, arg in enumerate(step.get("args", [])):
            if isinstance(arg, dict) and set(arg) == {"__array__"}:
                label = params[index] if index < len(params) else f"argument {index + 1}"
                named.append((label, np.asarray(arrays[arg["__array__"]])))
    factors: list[Factor] = []
    # the batch: an input named as in the API, or the first input of an adapter's *args
    batch = [(label, a) for label, a in named if label in BATCH_INPUTS]
    batch = batch or [(label, a) for label, a in named[:1] if label == "args"]
    sizes: tuple[int, ...] = ()
    if batch and batch[0][1].ndim >= 1 and batch[0][1].shape[0] > 1:
        first, x = batch[0][0], batch[0][1]
        if first == "args":  # an adapter taking *args: no parameter name to show
            first = "the first input"
        n = x.shape[0]
        sizes = x.shape[:2] if x.ndim == 3 else (n,)  # (N, T, D): a batch of sequences
        factors += batch_factors(n, first)
    # a vector added to every sample, such as the bias, may be missing or added twice
    terms = tuple(
        Term(a, f"the input {label}")
        for label, a in named
        if a.dtype.kind == "f" and a.ndim == 1 and np.count_nonzero(a) >= MIN_TERM_VALUES
    )
    inputs = tuple(a for _, a in named)
    batch_inputs = tuple(a for _, a in batch[:1])
    return Clues(tuple(factors), terms, batch_inputs, _size_ratios(inputs), sizes)


def _size_ratios(inputs) -> tuple[float, ...]:
    """Ratios of two different axis sizes of the inputs (and their inverses): a factor equal
    to one of them could come from another formula, so it is not named."""
    sizes = [n for a in inputs for n in a.shape]
    ratios = {
        sizes[i] / sizes[j]
        for i in range(len(sizes))
        for j in range(len(sizes))
        if i != j and sizes[j] > 0 and sizes[i] != sizes[j]
    }
    return tuple(sorted(ratios))


def _parameter_names(function) -> list[str]:
    try:
        return list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return []


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
            clues = case_clues(check, enc, arrays)
            alternatives = _alternative_outputs(check, enc, arrays) if diagnoses_on() else ()
            planned.append(PlannedCase(check, c.label, enc, expected, None, clues, alternatives))
        except Exception as exc:  # a broken reference is the course's bug, never the student's
            planned.append(PlannedCase(check, c.label, enc, None, f"{type(exc).__name__}: {exc}"))
    return planned, arrays


@dataclass(frozen=True)
class Finding:
    """What is wrong with one output of one case, and its likely cause (or None)."""

    name: str
    problem: str
    cause: str | None = None
    size: int = 0
    evidence: str = ""
    #: the cause is a named mistake of the check (an Alternative), not a generic signature
    named: bool = False

    def __str__(self) -> str:
        return f"{self.problem}. {self.cause}" if self.cause else self.problem


def _alternative_outputs(check: Check, encoded: dict, arrays) -> tuple:
    """Each known mistake's outputs on this case (a failing alternative is left out)."""
    outputs = []
    for alternative in check.alternatives:
        try:
            namespace = {**check.reference, **alternative.reference}
            outputs.append((alternative.says, run_case(namespace, encoded, arrays)))
        except Exception:
            continue
    return tuple(outputs)


def compare_outputs(
    got: Mapping[str, np.ndarray],
    expected: Mapping[str, np.ndarray],
    check: Check,
    clues: Clues | None = None,
) -> list[str]:
    """Problems with ``got`` against ``expected`` as short sentences (empty when it passes)."""
    return [str(f) for f in find_problems(got, expected, check, clues)]


def find_problems(
    got: Mapping[str, np.ndarray],
    expected: Mapping[str, np.ndarray],
    check: Check,
    clues: Clues | None = None,
    alternatives: tuple = (),
) -> list[Finding]:
    """One :class:`Finding` per wrong output, with the likely cause where one signature fits.

    The inputs are hidden: no expected shape or value is named; a cause names the case's
    sizes and arrays only by what they are (``clues``), never by their values.
    """
    keys = check.compare if check.compare is not None else tuple(expected)
    if check.judge is not None:
        return [Finding("", p) for p in _judge_outcome(got, expected, keys, check)]
    clues = clues or Clues()
    findings = []
    for key in keys:
        name = check.names.get(key, key)
        problem = describe_mismatch(
            got.get(key), expected[key], name, check.tol, reveal=False, explain=False
        )
        if problem is None:
            continue
        cause, evidence = _generic_cause(got.get(key), expected, key, name, check, clues)
        findings.append(Finding(name, problem, cause, int(np.size(expected[key])), evidence))
    mistake = _matching_alternative(got, keys, check, alternatives) if findings else None
    if mistake:
        cause = PREFIX + mistake
        findings = [Finding(f.name, f.problem, cause, f.size, named=True) for f in findings]
    return findings


def _generic_cause(got, expected, key, name, check: Check, clues: Clues):
    """The likely cause of one wrong output from the generic signatures, and its evidence
    (the factor c of an unnamed constant factor, which must recur in another case)."""
    if not diagnoses_on():
        return None, ""
    others = tuple(
        Term(v, check.names.get(k, k))
        for k, v in expected.items()
        if k != key and np.count_nonzero(v) >= MIN_TERM_VALUES
    )
    cause = diagnose(
        got,
        expected[key],
        name,
        check.tol,
        factors=clues.factors,
        terms=clues.terms + others,
        inputs=clues.inputs,
        reveal=False,
        coincidences=clues.coincidences,
        batch=clues.batch,
    )
    if cause and cause.endswith(UNNAMED_FACTOR):
        return cause, f"{factor_of(got, expected[key]):.6g}"
    return cause, ""


def _matching_alternative(got, keys, check: Check, alternatives) -> str | None:
    """The one known mistake whose outputs ``got`` matches on every compared key, if one."""
    with np.errstate(all="ignore"):  # a mistake's outputs may overflow: no warning in a cell
        matching = _matches(got, keys, check, alternatives)
    return matching[0] if len(set(matching)) == 1 else None


def _matches(got, keys, check: Check, alternatives) -> list[str]:
    matching = []
    for says, outputs in alternatives:
        if all(k in outputs for k in keys) and not any(
            describe_mismatch(got.get(k), outputs[k], "", check.tol, explain=False) for k in keys
        ):
            matching.append(says)
    return matching


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
    log = read_harvest_log(out_dir)
    results = [
        _case_problem(item, log.get(index), out_dir, index) for index, item in enumerate(planned)
    ]
    return _tally(planned, results, max_points)


def score_namespace(
    checks: list[Check], namespace: Mapping, max_points: Mapping[str, float], seed: int | None
) -> dict[str, CellScore]:
    """Score functions living in this process (mutants in tests, the solution's hidden cells).

    The same cases, comparison and points as a sandboxed run; only for trusted code.
    """
    planned, arrays = plan_cases(checks, np.random.default_rng(seed))
    results = [_namespace_problem(item, namespace, arrays) for item in planned]
    return _tally(planned, results, max_points)


def _tally(planned, results, max_points) -> dict[str, CellScore]:
    """Cells' points and one message per failed case, causes kept only where they agree."""
    kept = _agreed_causes(planned, results)
    scores = {gid: CellScore(gid, pts) for gid, pts in max_points.items()}
    for item, result in zip(planned, results):
        cell = scores.setdefault(item.check.grade_id, CellScore(item.check.grade_id, 0.0))
        cell.total += 1
        if not result:
            cell.passed += 1
            continue
        if not isinstance(result, str):
            key = item.check.grade_id
            result = _case_message(result, kept, key)
        cell.messages.append(f"{item.check.function} ({item.label}): {result}")
    return scores


def _case_message(findings: list[Finding], kept, grade_id: str) -> str:
    """The findings of one case, each kept cause said once (a named mistake explains all)."""
    said: set[str] = set()
    parts = []
    for f in findings:
        if f.cause in kept.get((grade_id, f.name), ()) and f.cause not in said:
            said.add(f.cause)
            parts.append(str(f))
        else:
            parts.append(f.problem)
    return "; ".join(parts)


def _agreed_causes(planned, results) -> dict[tuple[str, str], set[str]]:
    """The cause of an output is told only when every case that names one names the same,
    and, for an output of one or two numbers, when two cases name it (chance otherwise)."""
    seen: dict[tuple[str, str], list[str]] = {}
    small: set[tuple[str, str]] = set()
    for item, result in zip(planned, results):
        if not result or isinstance(result, str):
            continue
        for f in result:
            if f.cause:
                key = (item.check.grade_id, f.name)
                tag = "named" if f.named else f.evidence
                seen.setdefault(key, []).append(f"{f.cause}|{tag}")
                if f.size < MIN_VALUES_ALONE or f.evidence:  # a number, or some factor c
                    small.add(key)
    kept = {}
    for key in list(seen):
        named = [c for c in seen[key] if c.endswith("|named")]
        if named:  # a known mistake matched: the generic signatures of other cases step back
            seen[key] = named
            small.discard(key)
    for key, causes in seen.items():
        if len(set(causes)) == 1 and (key not in small or len(causes) >= 2):
            kept[key] = {c.rsplit("|", 1)[0] for c in causes}
    return kept


def _namespace_problem(item: PlannedCase, namespace: Mapping, arrays) -> str | list | None:
    if item.expected is None:
        return f"the grader's reference failed ({item.reference_error})"
    try:
        got = run_case(namespace, item.encoded, arrays)
    except Exception as exc:
        return f"raised {type(exc).__name__}: {exc}"[:300]
    return find_problems(got, item.expected, item.check, item.clues, item.alternatives) or None


def _case_problem(
    item: PlannedCase, record: dict | None, out_dir: str, index: int
) -> str | list | None:
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
    return find_problems(got, item.expected, item.check, item.clues, item.alternatives) or None
