"""The sample class (autograder/samples.py) graded for real: each submission gets its expected
grade and status, none changes another's, and the run is reproducible, shardable and exportable.

One module-scoped run grades the whole class of 00_getting_started in the sandbox with two
workers; the tests below read what it produced.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbgrader.api import Gradebook

from autograder import grade as grading
from autograder.cli import main as cli
from autograder.course import COURSE_ID, REPO_ROOT, course_paths
from autograder.gradebook_io import apply_result
from autograder.release import ensure_generated
from autograder.samples import DAEMON_MARKER, EXPECTED, XSS_MARKER, build_class
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
    said = [result["reason"]] + [
        m for nb in result["notebooks"].values() for c in nb.values() for m in c["messages"]
    ]
    assert want.says in " ".join(said), said


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


@pytest.fixture(scope="session")
def feedback(graded):
    paths, _, _, _ = graded
    assert cli(["--course-dir", str(paths.course_dir), "feedback", ASSIGNMENT]) == 0
    return paths.feedback


def test_feedback_html_has_verdicts_and_no_hidden_tests(graded, feedback):
    paths, _, _, _ = graded
    html = (paths.feedback / "partial" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "Autograder: 0 / 2 points" in html and "standardize" in html
    assert "run_checks" not in html and "HIDDEN TESTS" not in html
    # offline: math is MathML, no script from a CDN; graded cells named by their task
    assert "<math" in html and "$$" not in html
    assert "mathjax" not in html.lower() and "cdnjs" not in html and "<script src" not in html
    assert "Test cell" not in html and re.search(r"Checks of [^<]*Task 1: a moving average", html)
    # a planted bug (the answer doubled) is named in the verdict the student reads
    doubled = (paths.feedback / "doubled" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "Likely cause: the moving average is off by a constant factor: a factor of 2" in doubled
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


# --- issue 22: the four attacks that got through, and the daemon ------------------------


def _autograded_text(paths, student) -> str:
    return (paths.autograded / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()


def test_a_linked_folder_names_the_student_and_path_and_copies_no_solution(graded):
    paths, _, _, results = graded
    for student, path in [
        ("linked_assignment", "linked_assignment/00_getting_started"),
        ("linked_notebook", f"linked_notebook/{ASSIGNMENT}.ipynb"),
    ]:
        assert f"{path} is a symbolic link" in results[student]["reason"]
        kept = paths.submitted / student / ASSIGNMENT
        assert not list(kept.glob("*.ipynb")), "the solution was copied as the student's work"
        # the folder exists for formgrader (timestamp.txt), with no notebook in it
        assert not list((paths.autograded / student).rglob("*.ipynb"))


def _hidden_inputs(paths, student: str, salt: str) -> list[float]:
    """The hidden inputs the grader drew for ``student``, drawn again the same way."""
    from autograder.checks import checks_by_cell
    from autograder.gradebook_io import max_points
    from autograder.scoring import plan_cases

    by_cell = checks_by_cell(ASSIGNMENT)
    checks = [c for gid in max_points(paths, ASSIGNMENT)[ASSIGNMENT] for c in by_cell.get(gid, [])]
    seed = grading.student_seed(paths, ASSIGNMENT, student, salt)
    _, arrays = plan_cases(checks, np.random.default_rng(seed))
    return [float(v) for a in arrays.values() for v in np.ravel(a)]


def _verdicts(paths, student: str) -> str:
    """The grader's verdicts in the autograded notebook (what the feedback shows of them)."""
    nb = nbformat.read(paths.autograded / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    texts = [o.get("text", "") for c in nb.cells for o in c.get("outputs", [])]
    return "\n".join(t for t in texts if t.startswith("Autograder:"))


def test_leaked_inputs_never_reach_the_verdicts_and_a_resubmission_gets_new_ones(graded):
    paths, submissions, _, results = graded
    result = results["leak_inputs"]
    messages = [
        m for nb in result["notebooks"].values() for c in nb.values() for m in c["messages"]
    ]
    assert messages and all(m.endswith("defined in the submission") for m in messages)
    salt = result["input_salts"][ASSIGNMENT]
    submitted = (submissions / "leak_inputs" / f"{ASSIGNMENT}.ipynb").read_bytes()
    assert salt == hashlib.sha256(submitted).hexdigest()
    assert results["correct"]["input_salts"][ASSIGNMENT] != salt
    hidden = [v for v in _hidden_inputs(paths, "leak_inputs", salt) if v != round(v, 2)]
    assert len(hidden) > 100
    shown = json.dumps(result) + _verdicts(paths, "leak_inputs")
    assert "Autograder: 0 / 2 points" in shown
    leaked = [v for v in hidden if f"{v:.5f}"[:-1] in shown]
    assert leaked == [], leaked[:5]


def test_student_html_and_javascript_are_sanitised_in_the_autograded_notebook(graded):
    paths, _, _, results = graded
    text = _autograded_text(paths, "html_injection")
    assert "My answer: cumsum is faster." in text  # the answer is there ...
    for bad in ("<script", "onerror", "javascript:", "<iframe", "onmouseover"):
        assert bad not in text, bad  # ... without anything that runs
    assert results["html_injection"]["needs_manual"]


def test_no_daemon_of_a_submission_outlives_grading(graded):
    import psutil

    for process in psutil.process_iter(["cmdline", "status"]):
        if process.info["status"] != psutil.STATUS_ZOMBIE:
            assert DAEMON_MARKER not in (process.info["cmdline"] or [])


BOMB_GRADING = """
import json, resource, sys
from pathlib import Path
from autograder import grade
from autograder.course import course_paths
from autograder.release import ensure_generated
from autograder.sandbox import Limits
paths = course_paths(sys.argv[1])
ensure_generated(paths, sys.argv[2])  # the release and its gradebook, before measuring
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
limits = Limits(total_seconds=120, cell_seconds=8, case_seconds=4)
(result,) = grade.grade_class(paths, sys.argv[2], Path(sys.argv[3]), 1, limits)
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print("RESULT" + json.dumps({"grown_mb": grown / 1024, "result": result}))
"""


def test_the_output_bomb_leaves_the_graders_own_memory_bounded(graded, tmp_path):
    """The grading command grew by 1.2 GB with the bomb before issue 22 (4.7 MB on disk)."""
    paths, submissions, _, _ = graded
    only = tmp_path / "class"
    (only / "output_bomb").mkdir(parents=True)
    for path in (submissions / "output_bomb").iterdir():
        (only / "output_bomb" / path.name).write_bytes(path.read_bytes())
    run = subprocess.run(
        [sys.executable, "-c", BOMB_GRADING, str(paths.course_dir), ASSIGNMENT, str(only)],
        capture_output=True, text=True, timeout=400, cwd=REPO_ROOT,
    )  # fmt: skip
    assert "RESULT" in run.stdout, run.stdout[-2000:] + run.stderr[-2000:]
    measured = json.loads(run.stdout.split("RESULT", 1)[1])
    assert measured["grown_mb"] < 300, measured["grown_mb"]
    messages = [
        m
        for nb in measured["result"]["notebooks"].values()
        for c in nb.values()
        for m in c["messages"]
    ]
    assert messages and all("refused" in m for m in messages), messages


CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium not installed (apt install chromium)")
def test_no_student_script_runs_in_the_feedback_a_browser_opens(graded, feedback, tmp_path):
    """Chromium opens the html_injection student's feedback; the same notebook rendered by
    plain nbconvert (the control) shows that the payloads do run when nothing removes them."""
    from nbconvert import HTMLExporter
    from playwright.sync_api import sync_playwright

    _, submissions, _, _ = graded
    page_path = feedback / "html_injection" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    control = tmp_path / "control.html"
    body, _ = HTMLExporter().from_filename(
        str(submissions / "html_injection" / f"{ASSIGNMENT}.ipynb")
    )
    control.write_text(body)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            context = browser.new_context()
            # offline: every request that is not a local file fails at once
            context.route(
                "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
            )
            page = context.new_page()
            page.goto(control.as_uri(), wait_until="load", timeout=60_000)
            page.wait_for_function(f"document.title === {XSS_MARKER!r}", timeout=30_000)
            page = context.new_page()
            page.goto(page_path.as_uri(), wait_until="load", timeout=60_000)
            page.hover("text=hover me")
            assert "My answer: cumsum is faster." in page.content()
            assert page.title() != XSS_MARKER
            assert page.evaluate("typeof window.xss") == "undefined"
        finally:
            browser.close()
