"""Autograding throughput: the kit's sandboxed parallel grader against plain nbgrader.

One class of identical, correct submissions of the first assignment (the release with
the solution's answers written in, as ``autograder.samples`` builds them) is graded:
- by ``autograder.grade.grade_class`` with 1 worker, 2 workers and N = cores workers, each
  in a fresh temporary course directory; the time is the whole call, which regenerates
  the release before grading;
- by plain ``nbgrader autograde`` (``NbGraderAPI.autograde``, one student after another)
  in an nbgrader course directory whose release was generated beforehand (not timed).
Every grader must give every submission full marks for the run to count.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import nbformat

from autograder import grade
from autograder.course import (
    COURSE_ID,
    CoursePaths,
    course_paths,
    ensure_tools_on_path,
    nbgrader_config,
)
from autograder.grade import grade_class
from autograder.release import generate
from autograder.samples import with_answers
from autograder.sandbox import Limits, detect_protections
from tests.bench.common import Budget, Section, Table, fmt_ratio, fmt_time

ASSIGNMENT = "00_getting_started"
TARGET_TWO_WORKERS = 1.6  # throughput of 2 workers / 1 worker, at least
TARGET_VS_NBGRADER = 1.0  # throughput of N workers / plain nbgrader, more than this


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def _label(workers: int) -> str:
    return f"{workers} worker{'s' * (workers > 1)}"


def run(quick: bool = False) -> Section:
    count = 4 if quick else 20
    n = cores() or 1
    workers = sorted({1, 2, n}) if n >= 2 else [1]
    section = Section("grading", f"Autograding throughput ({ASSIGNMENT})")
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        root = Path(tmp)
        subs = _write_class(root, count)
        runs = {_label(w): _grade_ours(root, subs, w) for w in workers}
        plain = _grade_nbgrader(root, subs, section)
    runs["plain nbgrader autograde"] = plain
    section.notes += [
        f"{count} copies of the solution's answers in the release of {ASSIGNMENT}; "
        f"one run per grader; {n} cores. Sandbox: {detect_protections().describe()}.",
        "Ours: grade_class end to end, including regenerating the release "
        f"({fmt_time(plain['generate_s'])} when nbgrader did it for the plain run); "
        "plain nbgrader: the autograde loop only. Per worker, steady: submissions per minute "
        "and worker without that one-off preparation, against plain nbgrader's one process.",
    ]
    table = Table(
        "Throughput",
        ["grader", "time", "submissions/min", "vs plain nbgrader", "per worker, steady", "marks"],
    )
    for name, info in runs.items():
        info["per_minute"] = 60.0 * count / info["seconds"]
        # steady state: without the one-off preparation (release, sandbox library) that
        # plain nbgrader's autograde loop does not include either
        grading_s = info["seconds"] - info.get("prepare_s", 0.0)
        info["steady_per_minute"] = 60.0 * count / grading_s / info["workers"]
        if not info["full_marks"]:
            section.warnings.append(f"{name}: not every submission got full marks")
    for name, info in runs.items():
        ratio = info["per_minute"] / plain["per_minute"]
        marks = "all full" if info["full_marks"] else "NOT all full"
        row = [
            name,
            fmt_time(info["seconds"]),
            f"{info['per_minute']:.1f}",
            fmt_ratio(ratio),
            fmt_ratio(info["steady_per_minute"] / plain["per_minute"]),
            marks,
        ]
        table.rows.append(row)
    section.tables.append(table)
    section.data = {"submissions": count, "cores": n, "runs": runs}
    if _label(2) in runs:
        two = runs[_label(2)]["per_minute"] / runs[_label(1)]["per_minute"]
        section.budgets.append(
            Budget("grading, 2 workers / 1 worker", two, TARGET_TWO_WORKERS, kind="min")
        )
    steady = runs[_label(1)]["steady_per_minute"] / plain["per_minute"]
    section.budgets.append(
        Budget("grading, 1 worker steady / plain nbgrader", steady, TARGET_VS_NBGRADER, kind="min")
    )
    best = runs[_label(n)]["per_minute"] / plain["per_minute"]
    section.budgets.append(
        Budget(f"grading, {n} workers / plain nbgrader", best, TARGET_VS_NBGRADER, kind="min")
    )
    return section


def _write_class(root: Path, count: int) -> Path:
    """``count`` student folders, each with the release plus the solution's answers.

    The release is the committed one (notebooks/, which the tests keep identical to what
    ``generate`` writes); where it is missing it is generated into a scratch course.
    """
    paths = course_paths(root / "setup")
    release = paths.notebooks / ASSIGNMENT
    if not any(release.glob("*.ipynb")):
        release = generate(paths, ASSIGNMENT, paths.release)
    subs = root / "submissions"
    for path in sorted(release.glob("*.ipynb")):
        solution = nbformat.read(paths.solutions / ASSIGNMENT / path.name, as_version=4)
        answered = with_answers(nbformat.read(path, as_version=4), solution)
        for i in range(count):
            (subs / f"student{i + 1:02d}").mkdir(parents=True, exist_ok=True)
            nbformat.write(answered, subs / f"student{i + 1:02d}" / path.name)
    return subs


def _grade_ours(root: Path, subs: Path, workers: int) -> dict:
    paths = course_paths(root / f"ours-{workers}")
    with _timed(grade, "prepare_run") as prepared:
        start = time.perf_counter()
        results = grade_class(paths, ASSIGNMENT, subs, workers, Limits())
        seconds = time.perf_counter() - start
    tests = [
        c
        for r in results
        for nb in r["notebooks"].values()
        for c in nb.values()
        if c["kind"] == "test"
    ]
    statuses = sorted({r["status"] for r in results})
    full = bool(tests) and statuses == ["ok"] and all(c["points"] == c["max_points"] for c in tests)
    return {
        "workers": workers,
        "seconds": seconds,
        "prepare_s": sum(prepared),
        "full_marks": full,
        "statuses": statuses,
    }


@contextmanager
def _timed(module, name: str):
    """Time every call of ``module.name`` while in the block; yields the list of seconds."""
    original = getattr(module, name)
    spent: list[float] = []

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    setattr(module, name, timed)
    try:
        yield spent
    finally:
        setattr(module, name, original)


def _grade_nbgrader(root: Path, subs: Path, section: Section) -> dict:
    """Plain ``nbgrader autograde`` of every student, one after another."""
    from nbgrader.api import Gradebook
    from nbgrader.apps import NbGraderAPI

    ensure_tools_on_path()
    repo = root / "nbgrader-source"
    shutil.copytree(course_paths().solutions / ASSIGNMENT, repo / "solutions" / ASSIGNMENT)
    paths = CoursePaths(repo, root / "nbgrader-course")
    paths.course_dir.mkdir(parents=True)
    api = NbGraderAPI(config=nbgrader_config(paths))
    start = time.perf_counter()
    made = api.generate_assignment(ASSIGNMENT, force=True, create=True)
    generate_s = time.perf_counter() - start
    if not made.get("success"):
        raise RuntimeError(f"nbgrader generate_assignment failed:\n{made.get('log', '')[-2000:]}")
    students = sorted(p.name for p in subs.iterdir())
    for student in students:
        shutil.copytree(subs / student, paths.submitted / student / ASSIGNMENT)
    failures = []
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy's autoflush warnings from nbgrader
        for student in students:
            result = api.autograde(ASSIGNMENT, student, force=True, create=True)
            if not result.get("success"):
                failures.append(f"{student}: {result.get('error', '')[-300:]}")
    seconds = time.perf_counter() - start
    with Gradebook(paths.db_url, COURSE_ID) as gb:
        graded = [gb.find_submission(ASSIGNMENT, s) for s in students]
        full = not failures and all(s.code_score == s.max_code_score for s in graded)
    if failures:
        section.warnings.append("plain nbgrader failed for " + "; ".join(failures[:3]))
    return {"workers": 1, "seconds": seconds, "full_marks": full, "generate_s": generate_s}
