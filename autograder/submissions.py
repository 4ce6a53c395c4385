"""Find the submissions of a class in a folder, whichever layout it uses.

Accepted layouts (``ROOT`` is the folder given on the command line):

- ``ROOT/<student_id>/*.ipynb``, the plain one (an LMS download unpacked);
- ``ROOT/<student_id>/<assignment>/*.ipynb``, nbgrader's ``submitted/`` layout;
- ``ROOT/submitted/<student_id>/<assignment>/*.ipynb``, an nbgrader course folder.

A student whose folder holds no notebook, or not the expected file name, is still listed,
with the problem, so the batch goes on and the grade says what happened.
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
    """List every student folder under ``root`` and match its notebooks to ``expected`` names."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"submissions folder {root} does not exist")
    if (root / "submitted").is_dir():
        root = root / "submitted"
    found = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if not STUDENT_ID.match(folder.name):
            continue
        inner = folder / assignment
        found.append(_match(folder.name, inner if inner.is_dir() else folder, expected))
    return found


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
