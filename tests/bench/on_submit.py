"""Grading on submit (issue 19): submit-to-feedback latency of ``watch`` with 2 workers.

For each assignment, a fresh course directory and exchange; ``python -m autograder watch
ASSIGNMENT --workers 2 --interval 0.5`` runs as the instructor would start it;
``COUNT[assignment]`` submissions (the release with the solution's answers written in, one per
student) are written into the exchange's inbound folder as nbgrader's ``submit`` writes them,
one every ``GAP_S[assignment]`` seconds. A submission's latency is from the moment its folder was
written to the moment the watcher recorded it graded, which it does only after its feedback
is in the exchange (the journal's ``graded_at``, on the same clock).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import nbformat

from autograder import exchange
from autograder.course import COURSE_ID, REPO_ROOT, course_paths
from autograder.samples import with_answers
from tests.bench.common import Budget, Section, Table, fmt_time

ASSIGNMENTS = ("00_getting_started", "05_backprop")
WORKERS = 2
#: seconds between two submissions: a class handing in near a deadline, below the
#: watcher's capacity with 2 workers on 2 cores (a queue that only grows has no p95)
GAP_S = {"00_getting_started": 3.0, "05_backprop": 15.0}
#: submissions per assignment in a full run: 05's 12 arrive over 165 s (20 took 285 s of the
#: whole bench's 900 s budget, which the bench then overran by 78 s); p95 of 12 is near the max
COUNT = {"00_getting_started": 20, "05_backprop": 12}
TARGET_P95_S = 20.0
#: a watcher that has not graded everything by then is stuck, not slow
GIVE_UP_S = 1800.0


def run(quick: bool = False) -> Section:
    chosen = ASSIGNMENTS[:1] if quick else ASSIGNMENTS
    section = Section("on_submit", f"Grading on submit ({WORKERS} workers)")
    table = Table(
        "Submit-to-feedback latency",
        [
            "assignment",
            "submissions",
            "one every",
            "median",
            "p95",
            "max",
            "grading alone (median)",
        ],
    )
    data = {}
    for assignment in chosen:
        count = 4 if quick else COUNT[assignment]
        info = _measure(assignment, count)
        data[assignment] = info
        table.rows.append(
            [
                assignment,
                str(count),
                fmt_time(GAP_S[assignment]),
                fmt_time(info["median_s"]),
                fmt_time(info["p95_s"]),
                fmt_time(max(info["latencies_s"])),
                fmt_time(info["grading_median_s"]),
            ]
        )
        if not info["full_marks"]:
            section.warnings.append(f"{assignment}: not every submission got full marks")
        section.budgets.append(
            Budget(f"on submit, {assignment}, p95 latency", info["p95_s"], TARGET_P95_S, unit="s")
        )
    section.tables.append(table)
    section.notes.append(
        f"`python -m autograder watch A --workers {WORKERS} --interval 0.5`; each submission "
        "the solution's answers in the release, from its own student; latency: folder written "
        "in the exchange's inbound -> graded and its feedback released (the journal's time). "
        "Grading alone: the journal's started -> graded (sandbox, scoring, gradebook, feedback)."
    )
    section.data = {"workers": WORKERS, "gap_s": GAP_S, "runs": data}
    return section


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) by linear interpolation between order statistics."""
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _measure(assignment: str, count: int) -> dict:
    # the course's own exchange (<course>/exchange), whatever this shell's COURSE_EXCHANGE
    outer = os.environ.pop("COURSE_EXCHANGE", None)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-on-submit-") as tmp:
            paths = course_paths(Path(tmp) / "course")
            exchange.release(paths, assignment)
            rows, submitted = _submit_and_wait(paths, assignment, count)
    finally:
        if outer is not None:
            os.environ["COURSE_EXCHANGE"] = outer
    latencies = [rows[name][2] - at for name, at in submitted.items()]
    alone = [rows[name][2] - rows[name][1] for name in submitted]
    return {
        "latencies_s": latencies,
        "median_s": statistics.median(latencies),
        "p95_s": percentile(latencies, 0.95),
        "grading_median_s": statistics.median(alone),
        "scores": [rows[name][0] for name in submitted],
        "full_marks": all(_full_marks(rows[name][3]) for name in submitted),
    }


def _submit_and_wait(paths, assignment: str, count: int) -> tuple[dict, dict]:
    """Start the watcher, submit ``count`` times, one every GAP_S; the journal's rows of
    the graded submissions and the time each was submitted."""
    answered = _answered(assignment)
    watcher = _start(paths, assignment, dict(os.environ))
    submitted: dict[str, float] = {}
    try:
        for i in range(count):
            name, at = _submit(paths, assignment, f"student{i + 1:02d}", answered)
            submitted[name] = at
            if i + 1 < count:
                time.sleep(GAP_S[assignment])
        return _wait_graded(paths, count), submitted
    finally:
        _stop(watcher)


def _answered(assignment: str) -> dict[str, nbformat.NotebookNode]:
    """Each notebook of the release with the solution's answers written in."""
    notebooks = {}
    for path in sorted((REPO_ROOT / "notebooks" / assignment).glob("*.ipynb")):
        solution = nbformat.read(REPO_ROOT / "solutions" / assignment / path.name, as_version=4)
        notebooks[path.name] = with_answers(nbformat.read(path, as_version=4), solution)
    return notebooks


def _submit(paths, assignment: str, student: str, notebooks: dict) -> tuple[str, float]:
    """Write a submission as nbgrader's ``submit`` does: the files, then its timestamp and
    secret last, straight into the inbound folder."""
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f %Z")
    name = f"{student}+{assignment}+{stamp}+{secrets.token_urlsafe(9)}"
    folder = paths.exchange / COURSE_ID / "inbound" / name
    folder.mkdir()
    for file_name, nb in notebooks.items():
        nbformat.write(nb, folder / file_name)
    (folder / "timestamp.txt").write_text(stamp)
    (folder / "submission_secret.txt").write_text(secrets.token_hex(64))
    return name, time.time()


def _start(paths, assignment: str, env: dict) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "autograder", "--course-dir", str(paths.course_dir), "watch",
        assignment, "--workers", str(WORKERS), "--interval", "0.5", "--limit", "100",
    ]  # fmt: skip
    log = open(paths.course_dir / "watch.log", "ab")
    return subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)


def _rows(paths) -> dict[str, tuple]:
    with sqlite3.connect(paths.course_dir / "on_submit.sqlite", timeout=30) as db:
        query = "select id, score, started_at, graded_at, result from submission"
        return {row[0]: row[1:] for row in db.execute(query) if row[3] is not None}


def _wait_graded(paths, count: int) -> dict[str, tuple]:
    deadline = time.monotonic() + GIVE_UP_S
    while time.monotonic() < deadline:
        rows = _rows(paths) if (paths.course_dir / "on_submit.sqlite").exists() else {}
        if len(rows) == count:
            return rows
        time.sleep(0.2)
    log = (paths.course_dir / "watch.log").read_text()[-2000:]
    raise RuntimeError(f"the watcher graded {len(rows)} of {count} in {GIVE_UP_S:g} s:\n{log}")


def _full_marks(result_json: str) -> bool:
    """Whether every autograded test cell of the result got all its points."""
    result = json.loads(result_json)
    tests = [c for nb in result["notebooks"].values() for c in nb.values() if c["kind"] == "test"]
    return bool(tests) and all(c["points"] == c["max_points"] for c in tests)


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
