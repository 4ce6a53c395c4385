"""The second edition's course-wide rules (shared/NOTEBOOKS.md, "Teaching"), checked on the
notebooks that follow them: a conventions box linking docs/NOTATION.md, no authoring notes in
what students read, and test cells that read on one screen."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from autograder.checks import load_checks
from autograder.course import course_paths
from autograder.release import authored_assignments
from tests.mutants import load_mutants
from tests.notebook_runner import errors, execute

PATHS = course_paths()
ASSIGNMENTS = authored_assignments(PATHS)
#: the notebooks of the second edition: every one (parts 1-3)
SECOND_EDITION = list(ASSIGNMENTS)
#: the link every conventions box carries, relative to a notebook's folder
NOTATION_LINK = "../../docs/NOTATION.md"
#: a visible check or graded cell longer than this does not fit one screen of JupyterLab
MAX_TEST_CELL_LINES = 60
#: known to be too long today, each to be shortened by the issue that rewrites its notebook
LONG_TEST_CELLS_PENDING: set[str] = set()
#: what an author leaves for other authors, never for students
AUTHORING_NOTE = re.compile(
    r"not measured here|\bTODO\b|\bFIXME\b|\bXXX\b|\bTBD\b|placeholder|to be written", re.I
)


def _released(assignment: str) -> list[Path]:
    return sorted((PATHS.notebooks / assignment).glob("*.ipynb"))


def _is_test_cell(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    if cell.cell_type != "code" or meta.get("solution"):
        return False
    return bool(meta.get("grade")) or "check_" in cell.source


@pytest.mark.parametrize("assignment", SECOND_EDITION)
def test_notebook_opens_with_a_conventions_box_linking_notation(assignment):
    for path in _released(assignment):
        head = nbformat.read(path, as_version=4).cells[:3]
        boxes = [c for c in head if c.cell_type == "markdown" and NOTATION_LINK in c.source]
        assert boxes, f"{path.name}: no conventions box linking {NOTATION_LINK} at the top"
        assert "Conventions" in boxes[0].source
        assert boxes[0].metadata["nbgrader"]["locked"], "the box is the course's text: locked"
        assert (path.parent / NOTATION_LINK).resolve() == PATHS.repo / "docs" / "NOTATION.md"
    assert (PATHS.repo / "docs" / "NOTATION.md").is_file()


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_text_carries_no_authoring_note(assignment):
    for path in _released(assignment):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            found = AUTHORING_NOTE.search(cell.source)
            assert not found, f"{path.name} cell {index}: authoring note {found.group(0)!r}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_test_cells_read_on_one_screen(assignment):
    for path in _released(assignment):
        long = [
            (index, len(cell.source.splitlines()))
            for index, cell in enumerate(nbformat.read(path, as_version=4).cells)
            if _is_test_cell(cell) and len(cell.source.splitlines()) > MAX_TEST_CELL_LINES
        ]
        if path.name in LONG_TEST_CELLS_PENDING:
            assert long, f"{path.name} is short enough now: remove it from the pending list"
            continue
        assert not long, f"{path.name}: (cell, lines) past one screen: {long}"


#: notebooks whose graded derivations are offered as hints (NOTEBOOKS.md "Derive, don't transcribe")
WITH_HINTS = [a for a in SECOND_EDITION if a[:2] != "00"]
#: from 02 on, at least one graded task asks for a result (NOTEBOOKS.md "Results, not only code")
WITH_OUTCOMES = [a for a in SECOND_EDITION if a[:2] >= "02"]
HINT = re.compile(r"<details>\s*<summary>\s*Hint 1", re.I)


@pytest.mark.parametrize("assignment", WITH_HINTS)
def test_derivations_are_hints_the_student_opens(assignment):
    for path in _released(assignment):
        cells = nbformat.read(path, as_version=4).cells
        hints = [
            i for i, c in enumerate(cells) if c.cell_type == "markdown" and HINT.search(c.source)
        ]
        assert hints, f"{path.name}: no progressive hint (<details><summary>Hint 1 ...)"
        for index in hints:
            text = cells[index].source
            assert text.count("<details>") == text.count("</details>") >= 2, (
                f"{path.name} cell {index}: hints come in steps, each closed"
            )


@pytest.mark.parametrize("assignment", WITH_OUTCOMES)
def test_a_graded_task_asks_for_a_result(assignment):
    judged = [c.grade_id for c in load_checks(assignment) if c.judge is not None]
    assert judged, f"{assignment}: no outcome task (a Check with a judge)"
    mutated = {m.grade_id for m in load_mutants(assignment)}
    assert set(judged) <= mutated, "every outcome task has absurd choices as mutants"


def test_rules_detect_what_they_forbid():
    """The checks above can fail: each pattern and limit catches a planted example."""
    assert AUTHORING_NOTE.search("expected, not measured here")
    assert AUTHORING_NOTE.search("TODO: rewrite") and not AUTHORING_NOTE.search("todos list")
    cell = nbformat.v4.new_code_cell("check_close(a, b)\n" * (MAX_TEST_CELL_LINES + 1))
    assert _is_test_cell(cell) and len(cell.source.splitlines()) > MAX_TEST_CELL_LINES
    assert HINT.search("<details><summary>Hint 1: the graph</summary>") and not HINT.search(
        "**Hint.** the derivative is"
    )


@pytest.mark.slow
@pytest.mark.parametrize("assignment", SECOND_EDITION)
def test_unfinished_release_with_widgets_on_fails_only_in_stubs(assignment):
    """As a student runs it (widgets on): a cell that builds on an unwritten task prints which
    task to finish (``course_utils.grading.after``) instead of failing with a NameError."""
    for path in _released(assignment):
        nb, _ = execute(path, env={"NBGRADER_EXECUTION": ""})
        names = {name for _, name, _ in errors(nb)}
        assert names <= {"NotImplementedError"}, f"{path.name}: {errors(nb)[:5]}"
