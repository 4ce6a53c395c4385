"""``watch ASSIGNMENT``: grade each submission as it arrives in nbgrader's exchange.

The instructor (or a hub service) runs it next to the exchange. Each pass it lists the
exchange's inbound folder, records every new submission in a small SQLite journal
(``<course>/on_submit.sqlite``) with the time the grader first saw it (never the student's
own timestamp, which the student wrote), grades the queued ones in the sandbox, writes the
result into the journal, puts the counting submission (``--policy last`` or ``best``) into
the gradebook and ``submitted/`` as ``grade`` does, and releases that submission's
feedback through the exchange.

Limits students cannot game: a student gets ``--limit`` graded submissions per
``--window`` hours, counted by the grader's clock; a submission over the limit is recorded
as ``over-limit`` and never graded (submitting more does not help, waiting does). A
submission in a student's name whose folder another Unix user wrote is ``refused``. One
submission of a student is graded at a time; ``--workers`` students' at once.

Nothing is lost and nothing is graded twice: a submission that arrived while the watcher
was down is found on the next pass (the inbound folder is the queue); one left ``grading``
by a crash is graded again on restart (grading is deterministic: same seed, same grade);
its result replaces the row's in one transaction, so each submission ends with exactly
one grade.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from autograder.course import COURSE_ID, CoursePaths
from autograder.submissions import STUDENT_ID

SCHEMA = """
create table if not exists submission (
    id text primary key,          -- the inbound folder's name: student+assignment+time+random
    assignment text not null,
    student text not null,
    seen_at real not null,        -- the grader's clock, when first listed
    state text not null,          -- queued | grading | graded | over-limit | refused
    attempts integer not null default 0,
    started_at real,              -- when its (last) grading began
    graded_at real,
    score real,
    result text                   -- the grader's result (JSON)
);
"""


@dataclass(frozen=True)
class Policy:
    """Per-assignment rules: graded submissions per window, and which one counts."""

    limit: int = 3
    window_hours: float = 24.0
    counts: str = "last"  # or "best"

    def __post_init__(self):
        if self.limit < 1 or self.window_hours <= 0:
            raise ValueError("--limit must be at least 1 and --window positive")
        if self.counts not in ("last", "best"):
            raise ValueError("--policy is last or best")


def journal(paths: CoursePaths) -> sqlite3.Connection:
    """The journal, created on first use; autocommit off, one writer (this process)."""
    db = sqlite3.connect(paths.course_dir / "on_submit.sqlite", timeout=30)
    db.executescript(SCHEMA)
    columns = {row[1] for row in db.execute("pragma table_info(submission)")}
    if "started_at" not in columns:  # a journal of an earlier version
        with db:
            db.execute("alter table submission add column started_at real")
    return db


def inbound(paths: CoursePaths) -> Path:
    return paths.exchange / COURSE_ID / "inbound"


def discover(paths: CoursePaths, db: sqlite3.Connection, assignment: str, policy: Policy):
    """Record new submissions of ``assignment``: queued, or over-limit; return the new ids."""
    new = []
    folders = sorted(inbound(paths).glob(f"*+{assignment}+*"), key=lambda p: p.name)
    known = {
        row[0]
        for row in db.execute("select id from submission where assignment = ?", (assignment,))
    }
    for folder in folders:
        student = folder.name.split("+", 1)[0]
        if folder.name in known or not STUDENT_ID.match(student) or not folder.is_dir():
            continue
        if not _complete(folder):
            continue  # nbgrader's submit is still copying: found on a later pass
        now = time.time()
        if not _owned_by(folder, student):
            with db:  # someone submitted in another student's name: never graded
                db.execute(
                    "insert or ignore into submission (id, assignment, student, seen_at, state) "
                    "values (?, ?, ?, ?, 'refused')",
                    (folder.name, assignment, student, now),
                )
            continue
        since = now - policy.window_hours * 3600
        used = db.execute(
            "select count(*) from submission where assignment = ? and student = ? "
            "and seen_at >= ? and state not in ('over-limit', 'refused')",
            (assignment, student, since),
        ).fetchone()[0]
        state = "queued" if used < policy.limit else "over-limit"
        with db:
            db.execute(
                "insert or ignore into submission (id, assignment, student, seen_at, state) "
                "values (?, ?, ?, ?, ?)",
                (folder.name, assignment, student, now, state),
            )
        new.append(folder.name)
    return new


def _complete(folder: Path) -> bool:
    """Whether nbgrader's ``submit`` has finished writing the folder: it writes the
    notebooks first, then ``timestamp.txt``, then ``submission_secret.txt`` (one write)."""
    secret = folder / "submission_secret.txt"
    try:
        return secret.is_file() and not secret.is_symlink() and secret.stat().st_size > 0
    except OSError:
        return False


def _owned_by(folder: Path, student: str) -> bool:
    """Whether the submission was written by the student it names. The inbound folder is
    writable by every student; nbgrader's submit runs as the student, so the folder is
    theirs. Where the student has no Unix account here (OAuth users sharing one uid in
    containers), this cannot be checked and the name is taken as it is."""
    import pwd

    try:
        uid = pwd.getpwnam(student).pw_uid
    except KeyError:
        return True
    return folder.lstat().st_uid == uid


def pending(db: sqlite3.Connection, assignment: str) -> list[tuple[str, str]]:
    """(id, student) of every submission still to grade, a crashed grading included."""
    return db.execute(
        "select id, student from submission where assignment = ? and state in "
        "('queued', 'grading') order by seen_at, id",
        (assignment,),
    ).fetchall()


def mark_grading(db: sqlite3.Connection, sub_id: str) -> None:
    with db:
        db.execute(
            "update submission set state = 'grading', attempts = attempts + 1, started_at = ? "
            "where id = ?",
            (time.time(), sub_id),
        )


def grade_in_sandbox(run, sub_id: str, student: str) -> dict:
    """The sandboxed part of grading one submission (safe to run for several students at
    once, never for two submissions of one student): its result, nothing recorded yet."""
    from autograder.grade import _grader_error, grade_submission
    from autograder.submissions import find_submissions

    source = inbound(run.paths) / sub_id
    with tempfile.TemporaryDirectory(prefix="on-submit-", dir=run.workdir) as tmp:
        copy_submission(source, Path(tmp) / student)
        [submission] = find_submissions(Path(tmp), run.assignment, list(run.release))
        try:
            return grade_submission(run, submission)
        except Exception as exc:  # the grader's own failure: a result that says so
            return _grader_error(run, submission, exc)


def copy_submission(source: Path, target: Path) -> None:
    """Copy a submission folder the student wrote: folders and regular files as they are,
    links as links (the grader refuses them), nothing else: on a FIFO named like a notebook
    a plain copy raises, and the watcher would stop for the whole class. What cannot be read
    is left out (graded as missing)."""

    def regular_only(src: str, dst: str) -> None:
        try:  # opened without blocking or following a link, then checked on what was opened
            fd = os.open(src, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
        except OSError:
            return
        with open(fd, "rb") as handle:
            if stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                with open(dst, "wb") as out:
                    shutil.copyfileobj(handle, out)

    target.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copytree(
            source, target, symlinks=True, copy_function=regular_only, dirs_exist_ok=True
        )
    except (shutil.Error, OSError):
        pass  # what could be read was copied


def finish_one(paths, db, assignment: str, sub_id: str, student: str, policy, result) -> dict:
    """After grading: keep the files, release the feedback, record the grade in one
    transaction, install the submission that counts. One at a time (the gradebook's)."""
    _keep(paths, assignment, sub_id, student, inbound(paths) / sub_id)
    _release_feedback(paths, assignment, student, result)
    with db:  # one transaction: the submission has its one grade, or none yet
        db.execute(
            "update submission set state = 'graded', graded_at = ?, score = ?, result = ? "
            "where id = ? and state = 'grading'",
            (time.time(), result["score"], json.dumps(result), sub_id),
        )
    install_counting(paths, db, assignment, student, policy)
    return result


def _keep(paths: CoursePaths, assignment: str, sub_id: str, student: str, source: Path) -> None:
    """Keep this submission's files and autograded notebooks, to put back if it counts."""
    store = paths.course_dir / "on_submit" / sub_id
    if store.exists():
        shutil.rmtree(store)
    copy_submission(source, store / "submitted")
    shutil.copytree(paths.autograded / student / assignment, store / "autograded")
    # nbgrader's exchange names the feedback after this file
    for name in ("timestamp.txt", "submission_secret.txt"):
        if (source / name).is_file():
            shutil.copyfile(source / name, paths.submitted / student / assignment / name)
            shutil.copyfile(source / name, paths.autograded / student / assignment / name)


def _release_feedback(paths: CoursePaths, assignment: str, student: str, result: dict) -> None:
    import warnings

    from nbgrader.apps import NbGraderAPI

    from autograder import gradebook_io
    from autograder.course import nbgrader_config

    gradebook_io.apply_result(paths, result)  # feedback shows this submission's grade
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        api = NbGraderAPI(config=nbgrader_config(paths))
        for step in (api.generate_feedback, api.release_feedback):
            outcome = step(assignment, student)
            if not outcome.get("success"):
                raise RuntimeError(f"feedback for {student}: {outcome.get('log', '')[-2000:]}")


def install_counting(paths, db, assignment: str, student: str, policy: Policy) -> None:
    """Put the submission that counts (last or best) in submitted/, autograded/, gradebook."""
    from autograder import gradebook_io
    from autograder.grade import write_result

    order = "graded_at desc" if policy.counts == "last" else "score desc, graded_at desc"
    sub_id, result = db.execute(
        f"select id, result from submission where assignment = ? and student = ? "
        f"and state = 'graded' order by {order} limit 1",
        (assignment, student),
    ).fetchone()
    store = paths.course_dir / "on_submit" / sub_id
    for kind, target in (("submitted", paths.submitted), ("autograded", paths.autograded)):
        folder = target / student / assignment
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(store / kind, folder, symlinks=True)
    counting = json.loads(result)
    write_result(paths, counting)
    gradebook_io.apply_result(paths, counting)


def watch(
    paths: CoursePaths,
    assignment: str,
    policy: Policy,
    limits,
    interval: float = 2.0,
    once: bool = False,
    log=print,
    workers: int = 1,
) -> None:
    """Grade submissions as they arrive, until interrupted (or, with ``once``, until none is
    left). ``workers`` submissions are graded at a time, never two of one student; the steps
    after the sandbox (feedback, gradebook, journal) run one at a time in this thread."""
    if workers < 1:
        raise ValueError("--workers must be at least 1")
    log = log or (lambda text: print(text, flush=True))
    db = journal(paths)
    graded = db.execute(
        "select distinct student from submission where assignment = ? and state = 'graded'",
        (assignment,),
    ).fetchall()
    for (student,) in graded:  # a crash may have come between a grade and its installation
        install_counting(paths, db, assignment, student, policy)
    with tempfile.TemporaryDirectory(prefix="on-submit-") as tmp:
        pool = _Pool(paths, assignment, limits, workers, Path(tmp))
        try:
            while True:
                discover(paths, db, assignment, policy)
                pool.start(db, pending(db, assignment))
                if not pool.running:
                    if once:
                        return
                    time.sleep(interval)
                    continue
                for sub_id, student, result in pool.finished(timeout=interval):
                    finish_one(paths, db, assignment, sub_id, student, policy, result)
                    _log_graded(db, sub_id, result, log)
        finally:
            pool.close()


class _Pool:
    """The sandboxed gradings in flight, at most ``workers``, one per student. The grading
    run (release, library) is prepared when work starts after an idle spell, so a changed
    release is picked up between bursts and a burst pays for it once."""

    def __init__(self, paths, assignment: str, limits, workers: int, tmp: Path):
        self.paths, self.assignment, self.limits, self.workers = paths, assignment, limits, workers
        self.tmp = tmp
        self.executor = ThreadPoolExecutor(max_workers=workers)
        self.running: dict[Future, tuple[str, str]] = {}
        self.run = None
        self.runs = 0

    def start(self, db, queue: list[tuple[str, str]]) -> None:
        if not queue and not self.running:
            self.run = None  # idle: the next burst prepares afresh
            return
        busy = {student for _, student in self.running.values()}
        taken = {sub_id for sub_id, _ in self.running.values()}
        for sub_id, student in queue:
            if len(self.running) >= self.workers:
                return
            if student in busy or sub_id in taken:
                continue  # a student's submissions are graded in the order they arrived
            if self.run is None:
                self.run = self._prepare()
            mark_grading(db, sub_id)
            future = self.executor.submit(grade_in_sandbox, self.run, sub_id, student)
            self.running[future] = (sub_id, student)
            busy.add(student)

    def finished(self, timeout: float):
        """(id, student, result) of each grading that ended within ``timeout`` seconds."""
        done, _ = wait(self.running, timeout=timeout, return_when=FIRST_COMPLETED)
        for future in done:
            sub_id, student = self.running.pop(future)
            yield sub_id, student, future.result()

    def _prepare(self):
        from autograder.grade import prepare_run

        self.runs += 1
        workdir = self.tmp / f"run-{self.runs}"
        shutil.rmtree(self.tmp / f"run-{self.runs - 1}", ignore_errors=True)
        workdir.mkdir()
        return prepare_run(self.paths, self.assignment, self.limits, workdir)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def _log_graded(db, sub_id: str, result: dict, log) -> None:
    seen, started, graded = db.execute(
        "select seen_at, started_at, graded_at from submission where id = ?", (sub_id,)
    ).fetchone()
    log(
        f"{sub_id}: {result['score']:g}/{result['max_score']:g} {result['status']}, "
        f"graded in {graded - started:.1f} s, {graded - seen:.1f} s after arrival"
    )
