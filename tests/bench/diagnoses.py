"""The cost of diagnoses (issue 21): a class graded with them and without.

A class of the first assignment in which half the students planted a bug (the sample
class's ``doubled``: the first graded function returns twice its answer, so every case of
it fails and gets a diagnosis) is graded end to end by ``grade_class`` with 2 workers,
once as usual and once with ``COURSE_DIAGNOSES=0``; each run in a fresh course directory.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import nbformat

from autograder.course import course_paths
from autograder.grade import grade_class
from autograder.samples import doubled_cell, with_answers
from autograder.sandbox import Limits
from tests.bench.common import Budget, Section, Table, fmt_ratio, fmt_time

ASSIGNMENT = "00_getting_started"
TARGET_COST = 1.10  # grading time with diagnoses / without, at most


def run(quick: bool = False) -> Section:
    count = 4 if quick else 12
    section = Section("diagnoses", f"The cost of diagnoses ({ASSIGNMENT})")
    with tempfile.TemporaryDirectory(prefix="bench-diagnoses-") as tmp:
        root = Path(tmp)
        subs = _write_class(root, count)
        runs = {label: _grade(root, subs, label, flag) for label, flag in RUNS}
    said = runs["with diagnoses"]["diagnoses"]
    if runs["without"]["diagnoses"] or not said:
        section.warnings.append(
            f"diagnoses given: {said} with, {runs['without']['diagnoses']} without"
        )
    table = Table("Grading time", ["run", "time", "diagnoses given", "vs without"])
    for label, info in runs.items():
        ratio = info["seconds"] / runs["without"]["seconds"]
        table.rows.append(
            [label, fmt_time(info["seconds"]), str(info["diagnoses"]), fmt_ratio(ratio)]
        )
    section.tables.append(table)
    cost = runs["with diagnoses"]["seconds"] / runs["without"]["seconds"]
    section.budgets.append(Budget("grading with / without diagnoses", cost, TARGET_COST))
    section.notes.append(
        f"{count} submissions, half of them with a planted bug (the doubled sample); 2 workers; "
        "grade_class end to end, one run each."
    )
    section.data = {"submissions": count, "runs": runs}
    return section


RUNS = (("without", "0"), ("with diagnoses", "1"))


def _write_class(root: Path, count: int) -> Path:
    paths = course_paths(root / "setup")
    subs = root / "submissions"
    for path in sorted((paths.notebooks / ASSIGNMENT).glob("*.ipynb")):
        solution = nbformat.read(paths.solutions / ASSIGNMENT / path.name, as_version=4)
        correct = with_answers(nbformat.read(path, as_version=4), solution)
        doubled = nbformat.from_dict(correct)
        doubled.cells = [*correct.cells, nbformat.v4.new_code_cell(doubled_cell(ASSIGNMENT))]
        for i in range(count):
            folder = subs / f"student{i + 1:02d}"
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(doubled if i % 2 == 0 else correct, folder / path.name)
    return subs


def _grade(root: Path, subs: Path, label: str, flag: str) -> dict:
    paths = course_paths(root / label.replace(" ", "-"))
    previous = os.environ.get("COURSE_DIAGNOSES")
    os.environ["COURSE_DIAGNOSES"] = flag
    try:
        start = time.perf_counter()
        results = grade_class(paths, ASSIGNMENT, subs, 2, Limits())
        seconds = time.perf_counter() - start
    finally:
        if previous is None:
            os.environ.pop("COURSE_DIAGNOSES", None)
        else:
            os.environ["COURSE_DIAGNOSES"] = previous
    said = sum(
        "Likely cause" in m
        for r in results
        for nb in r["notebooks"].values()
        for c in nb.values()
        for m in c["messages"]
    )
    return {"seconds": seconds, "diagnoses": said}
