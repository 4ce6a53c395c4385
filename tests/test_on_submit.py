"""Grading on submit (autograder/on_submit.py): killed mid-batch, every submission still
ends with exactly one grade; limits per window and the last/best policy hold.

Submissions are written into the exchange's inbound folder as nbgrader's ``submit`` writes
them (``student+assignment+timestamp+random`` with ``timestamp.txt`` and
``submission_secret.txt``); the watcher runs as ``python -m autograder watch``.
"""

from __future__ import annotations

import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder import exchange
from autograder.course import COURSE_ID, REPO_ROOT, course_paths
from autograder.on_submit import Policy, discover, install_counting, journal, watch
from autograder.samples import with_answers
from autograder.sandbox import Limits

ASSIGNMENT = "00_getting_started"
LIMITS = Limits(total_seconds=120, cell_seconds=20, case_seconds=5)
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("on_submit")]


def _notebooks():
    release = nbformat.read(REPO_ROOT / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    solution = nbformat.read(REPO_ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    return {"right": with_answers(release, solution), "wrong": release}


def _submit(paths, student: str, nb) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f %Z")
    name = f"{student}+{ASSIGNMENT}+{stamp}+{secrets.token_urlsafe(9)}"
    folder = paths.exchange / COURSE_ID / "inbound" / name
    folder.mkdir()
    nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    (folder / "timestamp.txt").write_text(stamp)
    (folder / "submission_secret.txt").write_text(secrets.token_hex(64))
    time.sleep(0.01)  # distinct microsecond stamps, as real submissions have
    return name


def _rows(paths) -> dict[str, tuple]:
    with sqlite3.connect(paths.course_dir / "on_submit.sqlite", timeout=30) as db:
        query = "select id, student, state, attempts, score, seen_at, graded_at from submission"
        return {row[0]: row[1:] for row in db.execute(query)}


def _start(paths, env) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "autograder", "--course-dir", str(paths.course_dir), "watch",
        ASSIGNMENT, "--interval", "0.5", "--cell-timeout", "20", "--timeout", "120",
    ]  # fmt: skip
    log = open(paths.course_dir / "watch.log", "ab")
    return subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)


def _wait(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise TimeoutError(f"{what} after {seconds} s")


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def _gradebook_scores(paths) -> dict[str, float]:
    with Gradebook(paths.db_url, COURSE_ID) as gb:
        return {s.student.id: s.score for s in gb.find_assignment(ASSIGNMENT).submissions}


def test_killed_mid_batch_every_submission_gets_exactly_one_grade(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_EXCHANGE", str(tmp_path / "exchange"))
    (tmp_path / "exchange").mkdir()
    paths = course_paths(tmp_path / "course")
    exchange.release(paths, ASSIGNMENT)
    journal(paths).close()
    notebooks = _notebooks()
    expected = {"alice": 4.0, "bob": 0.0, "carol": 4.0, "dave": 0.0}
    for student, score in expected.items():
        _submit(paths, student, notebooks["right" if score else "wrong"])

    env = {**os.environ}
    watcher = _start(paths, env)
    try:
        # kill it while a submission is being graded and another is already done
        def mid_batch() -> bool:
            states = [row[1] for row in _rows(paths).values()]
            return states.count("graded") >= 1 and states.count("grading") == 1

        _wait(mid_batch, 600, "no submission graded while another was grading")
    finally:
        _kill(watcher)
    interrupted = [sid for sid, row in _rows(paths).items() if row[1] == "grading"]
    assert len(interrupted) == 1

    late = _submit(paths, "erin", notebooks["right"])  # arrives while the watcher is down
    expected["erin"] = 4.0
    watcher = _start(paths, env)
    try:
        _wait(
            lambda: [r[1] for r in _rows(paths).values()].count("graded") == len(expected),
            900,
            "not every submission graded",
        )
    finally:
        _kill(watcher)

    rows = _rows(paths)
    assert len(rows) == len(expected)  # one row, so one grade, per submission
    assert {row[0]: row[3] for row in rows.values()} == expected
    assert rows[interrupted[0]][2] == 2 and late in rows  # retried once; the late one found
    assert _gradebook_scores(paths) == pytest.approx(expected)
    feedback = list((paths.exchange / COURSE_ID / "feedback").glob("*.html"))
    assert len(feedback) == len(expected)  # each student's feedback is in the exchange
    latency = sorted(row[5] - row[4] for row in rows.values() if row[0] != "erin")
    print(f"seconds from arrival to graded, one at a time: {latency}")

    # limits and policy: alice, who already has 4 points, submits three wrong ones
    for _ in range(3):
        _submit(paths, "alice", notebooks["wrong"])
    best = Policy(limit=3, window_hours=1, counts="best")
    watch(paths, ASSIGNMENT, best, LIMITS, once=True, log=lambda text: None)
    alice = sorted((row for row in _rows(paths).values() if row[0] == "alice"), key=lambda r: r[4])
    assert [row[1] for row in alice] == ["graded", "graded", "graded", "over-limit"]
    assert [row[3] for row in alice[:3]] == [4.0, 0.0, 0.0]
    assert _gradebook_scores(paths)["alice"] == 4.0  # the best counts
    with journal(paths) as db:
        install_counting(paths, db, ASSIGNMENT, "alice", Policy(3, 1, "last"))
    assert _gradebook_scores(paths)["alice"] == 0.0  # the last counts


def test_a_submission_in_someone_elses_name_is_refused(tmp_path, monkeypatch):
    # "nobody" has a Unix account; a folder in its name written by this user is not its own
    if os.geteuid() == 65534:
        pytest.skip("running as nobody")
    monkeypatch.setenv("COURSE_EXCHANGE", str(tmp_path / "exchange"))
    paths = course_paths(tmp_path / "course")
    inbound = paths.exchange / COURSE_ID / "inbound"
    inbound.mkdir(parents=True)
    forged = _submit(paths, "nobody", _notebooks()["wrong"])
    plain = _submit(paths, "no_such_user_here", _notebooks()["wrong"])
    with journal(paths) as db:
        discover(paths, db, ASSIGNMENT, Policy())
    rows = _rows(paths)
    assert rows[forged][1] == "refused" and rows[plain][1] == "queued"


def test_a_submission_still_being_copied_waits_for_its_secret(tmp_path, monkeypatch):
    """nbgrader's submit copies the notebooks, then writes timestamp.txt and, last,
    submission_secret.txt: a folder without the secret is not recorded yet."""
    monkeypatch.setenv("COURSE_EXCHANGE", str(tmp_path / "exchange"))
    paths = course_paths(tmp_path / "course")
    (paths.exchange / COURSE_ID / "inbound").mkdir(parents=True)
    name = _submit(paths, "frank", _notebooks()["wrong"])
    secret = paths.exchange / COURSE_ID / "inbound" / name / "submission_secret.txt"
    text = secret.read_text()
    secret.unlink()
    with journal(paths) as db:
        assert discover(paths, db, ASSIGNMENT, Policy()) == []
        secret.write_text("")  # opened, not yet written
        assert discover(paths, db, ASSIGNMENT, Policy()) == []
        secret.write_text(text)
        assert discover(paths, db, ASSIGNMENT, Policy()) == [name]
    assert _rows(paths)[name][1] == "queued"


def test_two_workers_grade_two_students_at_once_and_one_student_in_order(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_EXCHANGE", str(tmp_path / "exchange"))
    (tmp_path / "exchange").mkdir()
    paths = course_paths(tmp_path / "course")
    exchange.release(paths, ASSIGNMENT)
    notebooks = _notebooks()
    first = _submit(paths, "gina", notebooks["right"])
    second = _submit(paths, "gina", notebooks["wrong"])
    other = _submit(paths, "hugo", notebooks["right"])
    lines = []
    watch(paths, ASSIGNMENT, Policy(limit=5), LIMITS, once=True, log=lines.append, workers=2)
    with sqlite3.connect(paths.course_dir / "on_submit.sqlite") as db:
        query = "select id, state, attempts, score, started_at, graded_at from submission"
        rows = {row[0]: row[1:] for row in db.execute(query)}
    assert {sid: row[:3] for sid, row in rows.items()} == {
        first: ("graded", 1, 4.0),
        second: ("graded", 1, 0.0),
        other: ("graded", 1, 4.0),
    }
    assert len(lines) == 3
    # gina's second began after her first was graded; hugo's ran beside gina's first
    assert rows[second][3] >= rows[first][4]
    assert rows[other][3] < rows[first][4] and rows[first][3] < rows[other][4]
    assert _gradebook_scores(paths) == {"gina": 0.0, "hugo": 4.0}  # the last counts


def test_a_fifo_or_a_link_in_a_submission_neither_stops_the_watcher_nor_leaks(
    tmp_path, monkeypatch
):
    """A student controls what is in their inbound folder: a FIFO named like the notebook
    (on which a plain copy raises, stopping the watcher for the whole class) and a link to a
    file outside are not copied as files (the grader then finds no notebook: graded as
    missing)."""
    from autograder.on_submit import copy_submission

    monkeypatch.setenv("COURSE_EXCHANGE", str(tmp_path / "exchange"))
    paths = course_paths(tmp_path / "course")
    (paths.exchange / COURSE_ID / "inbound").mkdir(parents=True)
    name = _submit(paths, "ivan", _notebooks()["right"])
    folder = paths.exchange / COURSE_ID / "inbound" / name
    (folder / f"{ASSIGNMENT}.ipynb").unlink()
    os.mkfifo(folder / f"{ASSIGNMENT}.ipynb")
    secret = tmp_path / "secret.txt"
    secret.write_text("the instructor's")
    (folder / "notes.txt").symlink_to(secret)
    copied = tmp_path / "copy"
    copy_submission(folder, copied)  # shutil.copytree raises on the FIFO (SpecialFileError)
    assert not (copied / f"{ASSIGNMENT}.ipynb").exists()
    assert (copied / "notes.txt").is_symlink() and (copied / "timestamp.txt").is_file()
