"""Find the submissions of a class in a folder, whichever layout it uses.

Accepted layouts (``ROOT`` is the folder given on the command line):

- ``ROOT/<student_id>/*.ipynb``, the plain one (an LMS download unpacked);
- ``ROOT/<student_id>/<assignment>/*.ipynb``, nbgrader's ``submitted/`` layout;
- ``ROOT/submitted/<student_id>/<assignment>/*.ipynb``, an nbgrader course folder.

A student whose folder holds no notebook, or not the expected file name, is still listed,
with the problem, so the batch goes on and the grade says what happened. A folder whose
name cannot be a student id (a space, a slash, a leading dot or dash) is not graded:
:func:`unusable_folders` names them so that the command line can say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,127}$")


@dataclass
class Submission:
    """One student's files for one assignment, as found on disk."""

    student: str
    folder: Path
    notebooks: dict[str, Path] = field(default_factory=dict)  # expected name -> file
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def find_submissions(root: Path, assignment: str, expected: list[str]) -> list[Submission]:
    """List every student folder under ``root`` and match its notebooks to ``expected`` names.

    Raises FileNotFoundError when ``root`` does not exist, ValueError when it holds no
    student folder at all (a wrong path, or an archive not yet unpacked).
    """
    root = _students_root(root)
    found = []
    for folder in _folders(root):
        if not STUDENT_ID.match(folder.name):
            continue
        inner = folder / assignment
        found.append(_match(folder.name, inner if inner.is_dir() else folder, expected))
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
    return [f.name for f in _folders(root) if not STUDENT_ID.match(f.name)]


def _students_root(root: Path) -> Path:
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"submissions folder {root} does not exist")
    return root / "submitted" if (root / "submitted").is_dir() else root


def _folders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def _match(student: str, folder: Path, expected: list[str]) -> Submission:
    submission = Submission(student, folder)
    present = sorted(p for p in folder.glob("*.ipynb") if p.is_file() and not p.is_symlink())
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
