"""Formgrader tells the truth after `grade`: the gradebook holds what nbgrader's own
``autograde`` would have left.

A small class of 00_getting_started (correct, partial, untouched, missing) is graded with
the command line, as an instructor does. The same submitted files are then autograded by
nbgrader itself in a second course directory, and formgrader's view of both (nbgrader's
``NbGraderAPI``, which formgrader's REST handlers return as they are) is compared: status
("autograded"), "needs manual grading", timestamps, per-cell flags and comments.
"""

from __future__ import annotations

import shutil
import warnings

import pytest
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI

from autograder.cli import main as cli
from autograder.course import COURSE_ID, course_paths, nbgrader_config
from autograder.demo import add_written_answers
from autograder.release import ensure_generated
from autograder.samples import build_class

ASSIGNMENT = "00_getting_started"
STUDENTS = ("correct", "partial", "untouched", "written")
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("formgrader_state")]


def _api(paths) -> NbGraderAPI:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return NbGraderAPI(config=nbgrader_config(paths))


@pytest.fixture(scope="module")
def courses(tmp_path_factory):
    """(ours, nbgrader's): the same class graded by `grade` and by nbgrader's autograde."""
    root = tmp_path_factory.mktemp("formgrader")
    ours = course_paths(root / "ours")
    release = ensure_generated(ours, ASSIGNMENT)
    every = root / "every"
    build_class(ours, ASSIGNMENT, release, every)
    lms = root / "lms"  # an LMS download: one folder per student, no timestamps
    for student in ("correct", "partial", "untouched", "missing"):
        shutil.copytree(every / student, lms / student)
    add_written_answers(lms / "correct", lms / "written")  # as `make grade-demo` does
    args = ["--course-dir", str(ours.course_dir), "grade", ASSIGNMENT, str(lms)]
    assert cli([*args, "--workers", "2", "--cell-timeout", "20"]) == 0

    theirs = course_paths(root / "theirs")
    ensure_generated(theirs, ASSIGNMENT)
    api = _api(theirs)
    for student in STUDENTS:  # nbgrader's autograde refuses a folder without a notebook
        shutil.copytree(ours.submitted / student, theirs.submitted / student)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outcome = api.autograde(ASSIGNMENT, student)
        assert outcome["success"], outcome.get("log")
    return ours, theirs


def _by_student(paths) -> dict[str, dict]:
    return {s["student"]: s for s in _api(paths).get_submissions(ASSIGNMENT)}


def test_every_graded_student_is_autograded_with_a_score(courses):
    ours, _ = courses
    submissions = _by_student(ours)
    assert set(submissions) == {*STUDENTS, "missing"}
    for student, submission in submissions.items():
        assert submission["autograded"], student  # not "needs autograding"
        assert submission["max_score"] == 5.0, student
        assert submission["timestamp"] is not None, student
    assert submissions["correct"]["score"] == 4.0  # no written answer: 0 of its 1 point
    assert submissions["written"]["score"] == 4.0  # the written answer waits for a person
    assert submissions["untouched"]["score"] == 0.0


def test_states_match_nbgraders_own_autograde(courses):
    ours, theirs = courses
    mine, nbgraders = _by_student(ours), _by_student(theirs)
    keys = ("autograded", "needs_manual_grade", "timestamp", "first_name", "last_name")
    assert set(nbgraders) == set(STUDENTS)
    for student in nbgraders:
        assert {k: mine[student][k] for k in keys} == {k: nbgraders[student][k] for k in keys}, (
            student
        )
    # a written answer was given: it waits for a grade, as nbgrader flags it
    assert mine["written"]["needs_manual_grade"] is True
    assert mine["correct"]["needs_manual_grade"] is False
    # a folder without a notebook (nbgrader's autograde refuses it): graded 0, nothing to grade
    assert mine["missing"]["autograded"] and not mine["missing"]["needs_manual_grade"]


def _cells(paths, student) -> tuple[dict, dict]:
    """({grade cell: (needs manual grade, auto score)}, {solution cell: auto comment})."""
    with Gradebook(paths.db_url, COURSE_ID) as gb:
        notebook = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
        grades = {g.name: (g.needs_manual_grade, g.auto_score) for g in notebook.grades}
        comments = {c.name: c.auto_comment for c in notebook.comments}
    return grades, comments


@pytest.mark.parametrize("student", STUDENTS)
def test_cells_and_comments_match_nbgraders_own_autograde(courses, student):
    ours, theirs = courses
    (grades, comments), (their_grades, their_comments) = (
        _cells(ours, student),
        _cells(theirs, student),
    )
    assert grades == their_grades
    assert comments["answer_cumsum"] == their_comments["answer_cumsum"]
    # nbgrader compares code cells with the checksum of the stub before the release named
    # it (autograder/release.py), so it never says "No response." for one; we compare with
    # what the student was handed
    untouched = {"untouched": {"moving_average", "standardize"}, "partial": {"standardize"}}
    for cell in ("moving_average", "standardize"):
        expected = "No response." if cell in untouched.get(student, ()) else None
        assert comments[cell] == expected, cell


def test_roster_gives_names_and_keeps_grades(courses, tmp_path):
    ours, _ = courses
    before = {s: v["score"] for s, v in _by_student(ours).items()}
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "id,first,last,email\n"
        "correct,Ada,Lovelace,ada@example.org\n"
        "partial,Alan,Turing,alan@example.org\n"
        "newcomer,Grace,Hopper,grace@example.org\n"
    )
    assert cli(["--course-dir", str(ours.course_dir), "roster", "import", str(roster)]) == 0
    submissions = _by_student(ours)
    assert (submissions["correct"]["last_name"], submissions["correct"]["first_name"]) == (
        "Lovelace",
        "Ada",
    )
    assert {s: v["score"] for s, v in submissions.items()} == before
    students = {s["id"]: s for s in _api(ours).get_students()}
    assert students["newcomer"]["email"] == "grace@example.org"
    # grading again keeps the names
    again = tmp_path / "again"
    shutil.copytree(ours.submitted / "partial" / ASSIGNMENT, again / "partial")
    args = ["--course-dir", str(ours.course_dir), "grade", ASSIGNMENT, str(again)]
    assert cli([*args, "--workers", "1", "--cell-timeout", "20"]) == 0
    assert _by_student(ours)["partial"]["first_name"] == "Alan"
    assert _by_student(ours)["partial"]["autograded"]


def test_the_exchange_is_configured(courses):
    ours, _ = courses
    api = _api(ours)
    assert not api.exchange_missing and api.exchange_root == str(ours.exchange)
