"""The instructor's exchange commands with nbgrader's own student commands, on one machine.

release puts the student bundle (no references) in the exchange; a student fetches it with
``nbgrader fetch_assignment``, fills it in and submits with ``nbgrader submit``; the
instructor collects, grades the collected folder and releases feedback, which the student
fetches with ``nbgrader fetch_feedback``. (deploy/jupyterhub's test does the same with real
users through a hub.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.cli import main as cli
from autograder.course import COURSE_ID, REPO_ROOT, course_paths
from autograder.samples import with_answers

ASSIGNMENT = "00_getting_started"
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("exchange_local")]


def _student(home: Path, exchange: Path, *args: str) -> str:
    """Run an nbgrader student command in ``home`` as nbgrader's CLI does for a student."""
    env = {
        **os.environ,
        "HOME": str(home),
        "JUPYTER_DATA_DIR": str(home / ".local" / "share" / "jupyter"),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
    }
    command = [sys.executable, "-m", "nbgrader", *args, f"--course={COURSE_ID}"]
    command.append(f"--Exchange.root={exchange}")
    done = subprocess.run(command, cwd=home, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_release_fetch_submit_collect_grade_feedback(tmp_path, monkeypatch):
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    monkeypatch.setenv("COURSE_EXCHANGE", str(exchange))
    paths = course_paths(tmp_path / "course")
    course = ["--course-dir", str(paths.course_dir)]
    assert cli([*course, "exchange", "release", ASSIGNMENT]) == 0
    outbound = exchange / COURSE_ID / "outbound" / ASSIGNMENT
    # what students fetch: the notebook and the library without this assignment's references
    warmup = (outbound / "course_utils" / "experiments" / "warmup.py").read_text()
    assert "np.cumsum(np.concatenate" not in warmup and "def moving_average" in warmup
    assert (outbound / f"{ASSIGNMENT}.ipynb").is_file()
    assert "BEGIN SOLUTION" not in (outbound / f"{ASSIGNMENT}.ipynb").read_text()

    home = tmp_path / "home"
    home.mkdir()
    _student(home, exchange, "fetch_assignment", ASSIGNMENT)
    notebook = home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    released = nbformat.read(notebook, as_version=4)
    solution = nbformat.read(REPO_ROOT / "solutions" / ASSIGNMENT / notebook.name, as_version=4)
    nbformat.write(with_answers(released, solution), notebook)
    _student(home, exchange, "submit", ASSIGNMENT)

    assert cli([*course, "exchange", "collect", ASSIGNMENT]) == 0
    student = os.environ.get("USER") or __import__("getpass").getuser()
    collected = paths.submitted / student / ASSIGNMENT
    assert (collected / "timestamp.txt").is_file() and (collected / notebook.name).is_file()
    grade = [*course, "grade", ASSIGNMENT, str(paths.submitted), "--workers", "1"]
    assert cli([*grade, "--cell-timeout", "20"]) == 0
    assert cli([*course, "exchange", "feedback", ASSIGNMENT]) == 0
    _student(home, exchange, "fetch_feedback", ASSIGNMENT)
    feedback = list((home / ASSIGNMENT / "feedback").rglob("*.html"))
    assert len(feedback) == 1, feedback
    assert "Autograder: 2 / 2 points" in feedback[0].read_text()
