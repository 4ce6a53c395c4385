"""Submissions are read as untrusted files and merged with the release's locked cells."""

from __future__ import annotations

import copy

import nbformat
import pytest

from autograder.course import REPO_ROOT
from autograder.prepare import InvalidSubmission, merge_with_release, read_submission

RELEASE = REPO_ROOT / "notebooks" / "00_getting_started" / "00_getting_started.ipynb"


def _gid(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


@pytest.fixture
def release():
    return nbformat.read(RELEASE, as_version=4)


def test_locked_cells_come_back_and_answers_stay(release):
    submission = copy.deepcopy(release)
    for cell in submission.cells:
        if _gid(cell) == "test_moving_average":
            cell.source = "pass"
            cell.metadata["nbgrader"]["points"] = 100
            cell.metadata["tags"] = ["skip-execution"]
        if _gid(cell) == "moving_average":
            cell.source = "def moving_average(x, window):\n    return x"
    submission.cells = [c for c in submission.cells if _gid(c) != "setup"]
    submission.cells.append(nbformat.v4.new_code_cell("helper = 1"))
    merged = merge_with_release(submission, release)
    by_id = {_gid(c): c for c in merged.cells if _gid(c)}
    released = {_gid(c): c for c in release.cells if _gid(c)}
    assert by_id["test_moving_average"].source == released["test_moving_average"].source
    assert by_id["test_moving_average"].metadata["nbgrader"]["points"] == 2
    assert "tags" not in by_id["test_moving_average"].metadata
    assert by_id["moving_average"].source.endswith("return x")
    assert [_gid(c) for c in merged.cells].index("setup") == [_gid(c) for c in release.cells].index(
        "setup"
    )
    assert merged.cells[-1].source == "helper = 1" and not merged.cells[-1].metadata


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "empty file"),
        ("{not json", "not valid notebook JSON"),
        ("[1, 2]", "not a Jupyter notebook"),
        ('{"cells": [{"source": 3}]}', "not a readable notebook"),
    ],
)
def test_unusable_files_get_a_one_line_reason(tmp_path, content, reason):
    path = tmp_path / "nb.ipynb"
    path.write_text(content)
    with pytest.raises(InvalidSubmission, match=reason):
        read_submission(str(path))


def test_links_are_not_followed(tmp_path):
    (tmp_path / "nb.ipynb").symlink_to(RELEASE)
    with pytest.raises(InvalidSubmission, match="cannot be opened"):
        read_submission(str(tmp_path / "nb.ipynb"))
