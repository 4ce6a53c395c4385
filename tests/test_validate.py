"""`python -m autograder validate`: what a student runs before submitting (nbgrader's validator).

Run as the student runs it, in its own process.
"""

from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest

from autograder.course import REPO_ROOT
from autograder.samples import with_answers

NAME = "00_getting_started.ipynb"
pytestmark = pytest.mark.slow


def _validate(path, tmp_path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "autograder", "--course-dir", str(tmp_path / "course")]
    return subprocess.run(
        [*command, "validate", str(path)], capture_output=True, text=True, timeout=300
    )


def test_untouched_release_fails_validation(tmp_path):
    path = tmp_path / NAME
    path.write_bytes((REPO_ROOT / "notebooks" / "00_getting_started" / NAME).read_bytes())
    done = _validate(path, tmp_path)
    assert done.returncode == 1, done.stderr[-1500:]
    assert "VALIDATION FAILED" in done.stdout and "NotImplementedError" in done.stdout


def test_answered_notebook_passes_validation(tmp_path):
    release = nbformat.read(REPO_ROOT / "notebooks" / "00_getting_started" / NAME, as_version=4)
    solution = nbformat.read(REPO_ROOT / "solutions" / "00_getting_started" / NAME, as_version=4)
    answered = with_answers(release, solution)
    for cell in answered.cells:  # the written answer too: an empty one fails validation
        if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = "Compiled loops over contiguous memory; cancellation in long sums."
    path = tmp_path / NAME
    nbformat.write(answered, path)
    done = _validate(path, tmp_path)
    assert done.returncode == 0, done.stdout[-1500:] + done.stderr[-1500:]
    assert "VALIDATION FAILED" not in done.stdout
    # what the student reads is the verdict, not the kernel's transport warnings
    assert "Success!" in done.stdout and "WARNING" not in done.stdout + done.stderr


def test_a_planted_bug_is_named_by_validate(tmp_path):
    """The student's moving average returns twice the answer: validate says why it fails."""
    release = nbformat.read(REPO_ROOT / "notebooks" / "00_getting_started" / NAME, as_version=4)
    solution = nbformat.read(REPO_ROOT / "solutions" / "00_getting_started" / NAME, as_version=4)
    answered = with_answers(release, solution)
    for cell in answered.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "moving_average":
            cell.source = cell.source.replace("return ", "return 2 * ", 1)
    path = tmp_path / NAME
    nbformat.write(answered, path)
    done = _validate(path, tmp_path)
    assert done.returncode == 1, done.stdout[-1500:]
    assert "Likely cause" in done.stdout and "factor of 2 too many" in done.stdout, done.stdout
