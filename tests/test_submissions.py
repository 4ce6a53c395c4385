"""Finding submissions without following links (issue 22): every path from a submission is
looked at with lstat, a link or a special file anywhere in it is reported, never followed."""

from __future__ import annotations

import os

import pytest

from autograder.prepare import InvalidSubmission, read_submission
from autograder.submissions import find_submissions

NOTEBOOK = "00_getting_started.ipynb"
EMPTY = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


@pytest.fixture
def layout(tmp_path):
    """A submissions folder beside an instructor's folder holding a solution."""
    solutions = tmp_path / "solutions" / "00_getting_started"
    solutions.mkdir(parents=True)
    (solutions / NOTEBOOK).write_text(EMPTY)
    root = tmp_path / "submissions"
    (root / "honest").mkdir(parents=True)
    (root / "honest" / NOTEBOOK).write_text(EMPTY)
    return root, solutions


def _by_student(root):
    return {s.student: s for s in find_submissions(root, "00_getting_started", [NOTEBOOK])}


def test_a_linked_assignment_folder_is_reported_and_not_followed(layout):
    root, solutions = layout
    (root / "mallory").mkdir()
    os.symlink(solutions, root / "mallory" / "00_getting_started")
    found = _by_student(root)
    mallory = found["mallory"]
    assert mallory.invalid and not mallory.notebooks
    assert mallory.problems[0].startswith("mallory/00_getting_started is a symbolic link")
    assert not found["honest"].invalid and found["honest"].notebooks


def test_a_linked_notebook_a_linked_student_folder_and_a_buried_link(layout):
    root, solutions = layout
    (root / "eve").mkdir()
    os.symlink(solutions / NOTEBOOK, root / "eve" / NOTEBOOK)
    os.symlink(solutions.parent, root / "trudy")
    (root / "oscar" / "data").mkdir(parents=True)
    (root / "oscar" / NOTEBOOK).write_text(EMPTY)
    os.symlink("/etc/passwd", root / "oscar" / "data" / "passwd")
    os.mkfifo(root / "oscar" / "pipe.ipynb")
    found = _by_student(root)
    assert found["eve"].invalid and not found["eve"].notebooks
    assert "eve/00_getting_started.ipynb is a symbolic link" in found["eve"].problems[0]
    assert found["trudy"].invalid and "trudy is a symbolic link" in found["trudy"].problems[0]
    oscar = found["oscar"]
    assert oscar.invalid and list(oscar.notebooks) == [NOTEBOOK]  # the real file is graded
    assert any("oscar/data/passwd is a symbolic link" in p for p in oscar.problems)
    assert any("oscar/pipe.ipynb is a special file" in p for p in oscar.problems)


def test_reading_beneath_the_root_refuses_a_link_swapped_in_after_the_scan(layout, tmp_path):
    root, solutions = layout
    honest = _by_student(root)["honest"]
    assert read_submission(str(honest.notebooks[NOTEBOOK]), str(honest.root)).cells == []
    # the folder is replaced by a link to the solutions between the scan and the read
    os.rename(root / "honest", tmp_path / "moved")
    os.symlink(solutions, root / "honest")
    with pytest.raises(InvalidSubmission, match="symbolic link, not followed"):
        read_submission(str(honest.notebooks[NOTEBOOK]), str(honest.root))
    with pytest.raises(InvalidSubmission, match="outside the submissions folder"):
        read_submission(str(solutions / NOTEBOOK), str(root))


def test_a_fifo_named_like_the_notebook_does_not_hang_the_grader(tmp_path):
    os.mkfifo(tmp_path / NOTEBOOK)
    with pytest.raises(InvalidSubmission, match="not a regular file"):
        read_submission(str(tmp_path / NOTEBOOK), str(tmp_path))


def test_submitted_keeps_only_what_was_read_this_time(layout, tmp_path):
    """A regrade after the student swapped the notebook for a link leaves no old copy."""
    from autograder.course import course_paths
    from autograder.grade import _keep_submitted

    root, solutions = layout
    paths = course_paths(tmp_path / "course")
    honest = _by_student(root)["honest"]
    _keep_submitted(paths, "00_getting_started", honest, [NOTEBOOK], {NOTEBOOK: b"{}"})
    kept = paths.submitted / "honest" / "00_getting_started" / NOTEBOOK
    assert kept.read_bytes() == b"{}"
    (root / "honest" / NOTEBOOK).unlink()
    os.symlink(solutions / NOTEBOOK, root / "honest" / NOTEBOOK)
    again = _by_student(root)["honest"]
    assert again.invalid and not again.notebooks
    _keep_submitted(paths, "00_getting_started", again, [NOTEBOOK], {})
    assert not kept.exists() and not kept.is_symlink()
