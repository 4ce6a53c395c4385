"""Find the submissions of a class in a folder, whichever layout it uses.

Accepted layouts (``ROOT`` is the folder given on the command line):

- ``ROOT/<student_id>/*.ipynb``, the plain one (an LMS download unpacked);
- ``ROOT/<student_id>/<assignment>/*.ipynb``, nbgrader's ``submitted/`` layout;
- ``ROOT/submitted/<student_id>/<assignment>/*.ipynb``, an nbgrader course folder.

A student whose folder holds no notebook, or not the expected file name, is still listed,
with the problem, so the batch goes on and the grade says what happened. A folder whose
name cannot be a student id (a space, a slash, a leading dot or dash) is not graded:
:func:`unusable_folders` names them so that the command line can say so.

Nothing in a student's folder is trusted: every path is looked at with ``lstat`` and never
through a link. A symbolic link anywhere in a submission (the student folder itself, the
``<assignment>`` folder, a notebook, any other file) and anything that is neither a file
nor a folder (a FIFO, a device) is reported as a problem that makes the submission
``invalid``, naming the student and the path; it is never followed. Notebooks are later
read with :func:`autograder.prepare.read_beneath`, which walks from the submissions
folder one component at a time with ``O_NOFOLLOW``, so a link swapped in after this scan
is refused as well.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,127}$")
#: the most entries looked at in one student's folder (a folder of a million files is refused)
MAX_ENTRIES = 10_000


@dataclass
class Submission:
    """One student's files for one assignment, as found on disk."""

    student: str
    folder: Path
    notebooks: dict[str, Path] = field(default_factory=dict)  # expected name -> file
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    root: Path | None = None  # the submissions folder every path must stay under
    invalid: bool = False  # a link or a special file: reported, never followed


def find_submissions(root: Path, assignment: str, expected: list[str]) -> list[Submission]:
    """List every student folder under ``root`` and match its notebooks to ``expected`` names.

    Raises FileNotFoundError when ``root`` does not exist, ValueError when it holds no
    student folder at all (a wrong path, or an archive not yet unpacked).
    """
    root = _students_root(root)
    found = []
    for entry in _entries(root):
        if not STUDENT_ID.match(entry.name):
            continue
        folder = root / entry.name
        if not entry.is_dir(follow_symlinks=False):
            found.append(_refused(entry.name, folder, root, _kind(folder)))
            continue
        found.append(_scan_student(entry.name, folder, root, assignment, expected))
    if not found:
        skipped = unusable_folders(root)
        raise ValueError(
            f"no student folder in {root}: expected {root}/<student_id>/<notebook>.ipynb "
            "(or nbgrader's submitted/<student_id>/<assignment>/)"
            + (f"; not usable as student ids: {', '.join(skipped)}" if skipped else "")
        )
    return found


def unusable_folders(root: Path) -> list[str]:
    """Names of the folders under ``root`` that are skipped: not a valid student id."""
    root = _students_root(root)
    return [e.name for e in _entries(root) if not STUDENT_ID.match(e.name)]


def _students_root(root: Path) -> Path:
    """The folder that holds the student folders (the instructor's path may be a link)."""
    root = Path(os.path.realpath(root))
    if not root.is_dir():
        raise FileNotFoundError(f"submissions folder {root} does not exist")
    submitted = root / "submitted"
    return submitted if _is_real_dir(submitted) else root


def _entries(root: Path) -> list[os.DirEntry]:
    """Student folders (and links or files in their place), hidden names left out."""
    with os.scandir(root) as scan:
        entries = [e for e in scan if not e.name.startswith(".")]
    kept = [e for e in entries if e.is_dir(follow_symlinks=False) or e.is_symlink()]
    return sorted(kept, key=lambda e: e.name)


def _is_real_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _printable(name: str) -> str:
    """A file name as it may appear in a one-line reason: no control characters, capped."""
    return "".join(c if c.isprintable() else "?" for c in name)[:120]


def _kind(path: Path) -> str:
    """What a path that is not a plain file or folder is, in words."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return "unreadable"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a special file (FIFO, socket or device)"


def _refused(student: str, folder: Path, root: Path, kind: str) -> Submission:
    submission = Submission(student, folder, root=root, invalid=True)
    submission.problems.append(
        f"{student} is {kind}, not a folder, refused: links are never followed"
    )
    return submission


def _scan_student(
    student: str, folder: Path, root: Path, assignment: str, expected: list[str]
) -> Submission:
    """Report every link or special file under ``folder``, then match the notebooks."""
    refused = _unsafe_entries(folder)
    inner = folder / assignment
    chosen = inner if _is_real_dir(inner) else folder
    submission = _match(student, chosen, expected)
    submission.root = root
    links = [
        f"{student}/{_printable(path)} is {kind}, refused: links are never followed"
        for path, kind in refused
    ]
    submission.problems[:0] = links
    submission.invalid = bool(links)
    return submission


def _unsafe_entries(folder: Path) -> list[tuple[str, str]]:
    """(path relative to the student's folder, kind) of each link or special file in it."""
    found, seen = [], 0
    for current, dirs, files in os.walk(folder, followlinks=False):
        for name in sorted(dirs + files):
            seen += 1
            path = Path(current) / name
            mode = os.lstat(path).st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                found.append((str(path.relative_to(folder)), _kind(path)))
            if seen > MAX_ENTRIES:
                return found + [(".", f"a folder of more than {MAX_ENTRIES} entries")]
    return found


def _match(student: str, folder: Path, expected: list[str]) -> Submission:
    submission = Submission(student, folder)
    present = sorted(p for p in folder.glob("*.ipynb") if stat.S_ISREG(os.lstat(p).st_mode))
    by_name = {p.name: p for p in present}
    unmatched = [p for p in present if p.name not in expected]
    for name in expected:
        if name in by_name:
            submission.notebooks[name] = by_name[name]
        elif len(expected) == 1 and len(unmatched) == 1:
            submission.notebooks[name] = unmatched[0]
            submission.notes.append(f"graded {unmatched[0].name} as {name} (wrong file name)")
        else:
            submission.problems.append(f"{name} is missing")
    return submission
