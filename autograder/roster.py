"""``roster import FILE``: the class list from the LMS into nbgrader's gradebook.

The CSV has a header row and one student a row: ``id``, ``first``, ``last``, ``email``
(also accepted: ``first_name``, ``last_name``, ``student_id``, and an optional
``lms_user_id`` that Canvas exports need). Formgrader then shows names instead of
"None, None". Importing again updates the names; grades are never touched, and a student
missing from a later roster is kept (their grades stay). The whole file is checked before
anything is written, so a bad row changes nothing.
"""

from __future__ import annotations

import csv
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning

from autograder.course import COURSE_ID, CoursePaths
from autograder.submissions import STUDENT_ID

ALIASES = {
    "id": ("id", "student_id", "student id", "username"),
    "first_name": ("first", "first_name", "first name", "given name"),
    "last_name": ("last", "last_name", "last name", "family name", "surname"),
    "email": ("email", "e-mail", "email address"),
    "lms_user_id": ("lms_user_id", "lms user id"),
}
REQUIRED = ("id", "first_name", "last_name", "email")
MAX_BYTES = 10 * 1024 * 1024


class RosterError(ValueError):
    """The roster file cannot be imported; the message names the file, row and field."""


@dataclass(frozen=True)
class Entry:
    """One student of the roster."""

    id: str
    first_name: str
    last_name: str
    email: str
    lms_user_id: str | None = None


def read_roster(path: Path) -> list[Entry]:
    """Parse and check a roster CSV; raise RosterError naming the first problem."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist")
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise RosterError(f"{path}: larger than {MAX_BYTES // 2**20} MB, not a roster")
    try:
        text = data.decode("utf-8-sig")  # Excel's UTF-8 starts with a byte-order mark
    except UnicodeDecodeError:
        raise RosterError(f"{path}: not UTF-8 text (save the CSV as UTF-8)") from None
    reader = csv.DictReader(io.StringIO(text))
    columns = _columns(path, reader.fieldnames or [])
    entries, seen = [], {}
    for number, row in enumerate(reader, start=2):
        entry = _entry(path, number, row, columns)
        if entry.id in seen:
            raise RosterError(
                f"{path}, row {number}: id {entry.id!r} already in row {seen[entry.id]}"
            )
        seen[entry.id] = number
        entries.append(entry)
    if not entries:
        raise RosterError(f"{path}: no student rows under the header")
    return entries


def _columns(path: Path, header: list[str]) -> dict[str, str]:
    """{field: the header's column name} for each field the file has."""
    normalized = {name.strip().lower(): name for name in header if name}
    columns = {}
    for field, names in ALIASES.items():
        found = next((normalized[n] for n in names if n in normalized), None)
        if found is not None:
            columns[field] = found
    missing = [ALIASES[f][0] for f in REQUIRED if f not in columns]
    if missing:
        raise RosterError(
            f"{path}: no column {', '.join(missing)} in the header "
            f"({', '.join(header) or 'empty'}); expected id,first,last,email"
        )
    return columns


def _entry(path: Path, number: int, row: dict, columns: dict[str, str]) -> Entry:
    values = {f: (row.get(c) or "").strip() for f, c in columns.items()}
    if None in row:
        raise RosterError(f"{path}, row {number}: more fields than the header has")
    student = values["id"]
    if not STUDENT_ID.match(student):
        raise RosterError(
            f"{path}, row {number}: id {student!r} cannot be a student id "
            "(letters, digits and _.@+- only, starting with a letter or digit)"
        )
    if values["email"] and "@" not in values["email"]:
        raise RosterError(f"{path}, row {number}: email {values['email']!r} has no @")
    for field in ("first_name", "last_name", "email"):
        if len(values[field]) > 128:
            raise RosterError(f"{path}, row {number}: {field} longer than 128 characters")
    return Entry(
        student,
        values["first_name"],
        values["last_name"],
        values["email"],
        values.get("lms_user_id") or None,
    )


def import_roster(paths: CoursePaths, path: Path) -> tuple[int, int]:
    """Add or update every student of the roster; return (added, updated)."""
    entries = read_roster(path)
    added = updated = 0
    with warnings.catch_warnings(), Gradebook(paths.db_url, COURSE_ID) as gb:
        warnings.simplefilter("ignore", SAWarning)
        for entry in entries:
            try:
                gb.find_student(entry.id)
                updated += 1
            except MissingEntry:
                added += 1
            fields = {
                "first_name": entry.first_name or None,
                "last_name": entry.last_name or None,
                "email": entry.email or None,
            }
            if entry.lms_user_id:
                fields["lms_user_id"] = entry.lms_user_id
            gb.update_or_create_student(entry.id, **fields)
    return added, updated
