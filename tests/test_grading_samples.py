"""The sample class (autograder/samples.py) graded for real: each submission gets its expected
grade and status, none changes another's, and the run is reproducible, shardable and exportable.

One module-scoped run grades the whole class of 00_getting_started in the sandbox with two
workers; the tests below read what it produced.
"""

from __future__ import annotations

import csv
import json
import sqlite3

import pytest
from nbgrader.api import Gradebook

from autograder import grade as grading
from autograder.cli import main as cli
from autograder.course import COURSE_ID, course_paths
from autograder.gradebook_io import apply_result
from autograder.release import ensure_generated
from autograder.samples import EXPECTED, build_class
from autograder.sandbox import Limits

ASSIGNMENT = "00_getting_started"
LIMITS = Limits(total_seconds=120, cell_seconds=8, case_seconds=4)
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("sample_class")]


@pytest.fixture(scope="session")  # session: xdist may interleave other modules' tests
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("samples")
    paths = course_paths(root / "course")
    release = ensure_generated(paths, ASSIGNMENT)
    submissions = root / "submissions"
    expected = build_class(paths, ASSIGNMENT, release, submissions)
    results = grading.grade_class(paths, ASSIGNMENT, submissions, 2, LIMITS)
    for result in results:
        apply_result(paths, result)
    return paths, submissions, expected, {r["student"]: r for r in results}


def _auto_max(result) -> float:
    return sum(
        c["max_points"]
        for nb in result["notebooks"].values()
        for c in nb.values()
        if c["kind"] == "test"
    )


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_sample_gets_expected_grade_and_status(graded, student):
    _, _, expected, results = graded
    result, want = results[student], expected[student]
    full = _auto_max(result)
    assert result["status"] == want.status, result["reason"]
    if want.score == "full":
        assert result["score"] == full, result
    elif want.score == "zero":
        assert result["score"] == 0, result
    else:
        assert 0 < result["score"] < full, result
    assert result["reason"] and "\n" not in result["reason"]


def test_every_student_of_the_class_is_graded(graded):
    _, _, expected, results = graded
    assert set(results) == set(expected)


def test_gradebook_matches_results_and_attacks_changed_nothing(graded):
    paths, _, _, results = graded
    with Gradebook(paths.db_url, COURSE_ID) as gb:
        for student, result in results.items():
            submission = gb.find_submission(ASSIGNMENT, student)
            assert submission.code_score == pytest.approx(result["score"]), student
    assert not (paths.results / "x.json").exists()


def test_sandbox_could_not_see_instructor_files(graded):
    paths, _, _, _ = graded
    executed = paths.autograded / "read_secrets" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    text = executed.read_text()
    assert "FileNotFoundError" in text or "No such file" in text
    assert "run_checks" not in text and "BEGIN SOLUTION" not in text
    # the autograder is not importable inside (wording depends on how the kit was installed)
    assert "No module named 'autograder" in text


def test_feedback_html_has_verdicts_and_no_hidden_tests(graded):
    paths, _, _, _ = graded
    assert cli(["--course-dir", str(paths.course_dir), "feedback", ASSIGNMENT]) == 0
    html = (paths.feedback / "partial" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "Autograder: 0 / 2 points" in html and "standardize" in html
    assert "run_checks" not in html and "HIDDEN TESTS" not in html
    assert (
        "<script>"
        not in (paths.autograded / "huge_output" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    )


def test_export_says_what_happened(graded):
    paths, _, _, _ = graded
    assert cli(["--course-dir", str(paths.course_dir), "export", "--format", "csv"]) == 0
    with open(paths.course_dir / "grades-csv.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert rows["kernel_exit"]["status"] == "crashed"
    assert "kernel died" in rows["kernel_exit"]["reason"]
    assert rows["malformed_json"]["status"] == "invalid"
    assert rows["missing"]["status"] == "missing"
    assert float(rows["correct"]["score"]) == 4.0
    assert cli(["--course-dir", str(paths.course_dir), "export", "--format", "canvas"]) == 0
    canvas = (paths.course_dir / "grades-canvas.csv").read_text().splitlines()
    assert canvas[0].startswith("Student,ID,SIS User ID,SIS Login ID,Section,")
    assert canvas[1].startswith("Points Possible")


def _grades_table(paths) -> list[tuple]:
    with sqlite3.connect(paths.gradebook) as db:
        return sorted(db.execute("select notebook_id, cell_id, auto_score from grade").fetchall())


def test_regrading_gives_the_same_gradebook(graded, tmp_path):
    paths, submissions, _, _ = graded
    subset = tmp_path / "subset"
    for student in ("correct", "partial", "monkeypatch"):
        (subset / student).mkdir(parents=True)
        for path in (submissions / student).iterdir():
            (subset / student / path.name).write_bytes(path.read_bytes())
    before = _grades_table(paths)
    for result in grading.grade_class(paths, ASSIGNMENT, subset, 2, LIMITS):
        apply_result(paths, result)
    assert _grades_table(paths) == before


def test_shards_merge_into_the_same_grades(graded, tmp_path):
    paths, submissions, _, results = graded
    subset = tmp_path / "subset"
    for student in ("correct", "partial", "untouched"):
        (subset / student).mkdir(parents=True)
        for path in (submissions / student).iterdir():
            (subset / student / path.name).write_bytes(path.read_bytes())
    course = tmp_path / "course"
    for shard in ("1/2", "2/2"):
        args = ["--course-dir", str(course), "grade", ASSIGNMENT, str(subset), "--shard", shard]
        assert cli([*args, "--workers", "1", "--cell-timeout", "8"]) == 0
    assert cli(["--course-dir", str(course), "merge", ASSIGNMENT]) == 0
    merged = course_paths(course)
    with Gradebook(merged.db_url, COURSE_ID) as gb:
        for student in ("correct", "partial", "untouched"):
            score = gb.find_submission(ASSIGNMENT, student).code_score
            assert score == pytest.approx(results[student]["score"]), student
    stored = json.loads((merged.results / ASSIGNMENT / "partial.json").read_text())
    assert stored["status"] == "ok"


def test_a_grader_failure_marks_one_student_and_spares_the_rest(graded, tmp_path, monkeypatch):
    paths, submissions, _, _ = graded
    subset = tmp_path / "subset"
    for student in ("correct", "partial"):
        (subset / student).mkdir(parents=True)
        for path in (submissions / student).iterdir():
            (subset / student / path.name).write_bytes(path.read_bytes())
    real = grading.grade_submission

    def failing(run, submission):
        if submission.student == "partial":
            raise OSError("disk full")
        return real(run, submission)

    monkeypatch.setattr(grading, "grade_submission", failing)
    course = course_paths(tmp_path / "course")
    results = {r["student"]: r for r in grading.grade_class(course, ASSIGNMENT, subset, 2, LIMITS)}
    assert results["partial"]["status"] == "grader-error"
    assert "disk full" in results["partial"]["reason"]
    assert results["correct"]["score"] == 4.0
