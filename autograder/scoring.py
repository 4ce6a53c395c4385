"""Grader side: read a sandbox's plain outputs, compare them with the references, award points.

No student code ever runs here. Outputs are ``.npz`` files loaded with
``allow_pickle=False`` and a JSON-lines log, each size-capped and type-checked before
use; everything the student's process wrote is treated as untrusted data.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from autograder.harvest import run_case
from autograder.prepare import InvalidSubmission, read_untrusted_text
from autograder.spec import Check, encode_cases
from course_utils.grading import describe_mismatch

#: the largest file of outputs for one case the grader will open
MAX_CASE_BYTES = 256 * 1024 * 1024
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
    problems = []
    for key in keys:
        name = check.names.get(key, key)
        problem = describe_mismatch(got.get(key), expected[key], name, check.tol)
        if problem:
            problems.append(problem)
    return problems


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


def load_case_outputs(out_dir: str, index: int) -> dict[str, np.ndarray]:
    """Load ``case_<index>.npz`` as plain arrays; raise ValueError with a reason otherwise."""
    path = os.path.join(out_dir, f"case_{index}.npz")
    if not os.path.isfile(path) or os.path.islink(path):
        raise ValueError("no outputs were written")
    if os.path.getsize(path) > MAX_CASE_BYTES:
        raise ValueError("outputs are too large")
    try:
        with np.load(path, allow_pickle=False) as data:
            return {key: np.asarray(data[key]) for key in data.files}
    except Exception as exc:
        raise ValueError(f"outputs are unreadable ({type(exc).__name__})") from None


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
        error = str(record.get("error") or "failed")[:300]
        return f"raised {error}" if ":" in error else error
    try:
        got = load_case_outputs(out_dir, index)
    except ValueError as exc:
        return str(exc)
    problems = compare_outputs(got, item.expected, item.check)
    return "; ".join(problems) if problems else None
