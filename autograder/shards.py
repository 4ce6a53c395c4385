"""Shards of a class graded on several machines, and what ``merge`` checks before it merges.

``grade --shard i/n`` grades the students at positions i, i+n, i+2n, ... of the class sorted
by student id. Every shard writes the class roster (all students found, and n) when it
starts, and a completion record for itself when it has written the last of its results;
it removes its own record first, so a shard that is cancelled or dies leaves none behind.
``merge`` compares the results with the roster and the records: a student without a result,
or a shard that did not finish, is named rather than silently left out.

Shards may run at the same time on machines that share the course directory: the steps
that write shared files (the course secret, the release, the gradebook) run under
``course_lock``; each student's result is written whole (a temporary file, then a rename).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
from datetime import datetime, timezone
from pathlib import Path

from autograder.course import CoursePaths


def shard_members(items: list, shard: tuple[int, int]) -> list:
    """The items of shard ``i/n`` (1-based): positions i-1, i-1+n, ... of the sorted class."""
    index, count = shard
    if not 1 <= index <= count:
        raise ValueError(f"shard {index}/{count}: i/n needs 1 <= i <= n")
    return items[index - 1 :: count]


def shard_of(position: int, count: int) -> int:
    """The 1-based shard that grades the student at ``position`` (0-based) of the class."""
    return position % count + 1


@contextlib.contextmanager
def course_lock(paths: CoursePaths):
    """Hold an exclusive lock on the course directory (POSIX record lock: NFS honours it)."""
    lock_path = paths.course_dir / ".grading.lock"
    with open(lock_path, "a+") as handle:
        fcntl.lockf(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.lockf(handle, fcntl.LOCK_UN)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{unique_suffix()}.partial")
    partial.write_text(text)
    os.replace(partial, path)


def unique_suffix() -> str:
    """A name part no other process, on this machine or another, uses at the same time."""
    return f"{socket.gethostname()}.{os.getpid()}"


def _folder(paths: CoursePaths, assignment: str) -> Path:
    return paths.course_dir / "shards" / assignment


def _record(paths: CoursePaths, assignment: str, shard: tuple[int, int]) -> Path:
    index, count = shard
    return _folder(paths, assignment) / f"{index}-of-{count}.json"


def start_shard(
    paths: CoursePaths, assignment: str, students: list[str], shard: tuple[int, int]
) -> None:
    """Record the class roster (in grading order) and forget this shard's earlier completion."""
    roster = {"students": list(students), "shards": shard[1]}
    write_atomic(_folder(paths, assignment) / "roster.json", json.dumps(roster, indent=1))
    _record(paths, assignment, shard).unlink(missing_ok=True)


def finish_shard(
    paths: CoursePaths, assignment: str, students: list[str], shard: tuple[int, int]
) -> None:
    """Record that shard ``i/n`` wrote a result for each of ``students``."""
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    record = {"students": sorted(students), "finished": stamp}
    write_atomic(_record(paths, assignment, shard), json.dumps(record, indent=1))


def incomplete(paths: CoursePaths, assignment: str, graded: set[str]) -> list[str]:
    """One line per shard of the last run that did not finish or lacks results, else [].

    ``graded``: the students that have a result. Without a roster (results written by an
    older version, or copied in by hand) there is nothing to compare with: [].
    """
    roster_path = _folder(paths, assignment) / "roster.json"
    if not roster_path.exists():
        return []
    roster = json.loads(roster_path.read_text())
    students, count = roster["students"], roster["shards"]
    problems = []
    for index in range(1, count + 1):
        mine = shard_members(students, (index, count))
        missing = [s for s in mine if s not in graded]
        finished = _record(paths, assignment, (index, count)).exists()
        if missing or not finished:
            state = "did not finish" if not finished else "finished"
            names = f"; no result for {', '.join(missing)}" if missing else ""
            problems.append(f"shard {index}/{count} {state}{names}")
    return problems
