"""`roster import`: the LMS's class list into nbgrader's gradebook, checked before writing."""

from __future__ import annotations

import pytest
from nbgrader.api import Gradebook

from autograder.cli import main as cli
from autograder.course import COURSE_ID, course_paths
from autograder.roster import RosterError, import_roster, read_roster


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    """One gradebook for the module (creating one takes seconds); tests use their own ids."""
    return course_paths(tmp_path_factory.mktemp("roster") / "course")


def _people(paths) -> dict:
    with Gradebook(paths.db_url, COURSE_ID) as gb:
        return {s.id: (s.first_name, s.last_name, s.email) for s in gb.students}


def _write(tmp_path, text: str, name: str = "roster.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_the_lms_columns_in_any_order_and_case(tmp_path):
    path = _write(
        tmp_path,
        "\ufeffEmail,Last Name,First Name,Student ID\nada@x.org,Lovelace,Ada,s001\n"
        "alan@x.org,Turing,Alan,s002\n",
    )
    entries = read_roster(path)
    assert [(e.id, e.first_name, e.last_name, e.email) for e in entries] == [
        ("s001", "Ada", "Lovelace", "ada@x.org"),
        ("s002", "Alan", "Turing", "alan@x.org"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,first,last\ns1,A,B\n", "no column email"),
        ("id,first,last,email\n", "no student rows"),
        ("id,first,last,email\ns1,A,B,a@x\ns1,C,D,c@x\n", "row 3: id 's1' already in row 2"),
        ("id,first,last,email\n../etc,A,B,a@x\n", "row 2: id '../etc' cannot be a student id"),
        ("id,first,last,email\ns1,A,B,not-an-email\n", "has no @"),
        ("id,first,last,email\ns1,A,B,a@x,extra\n", "more fields than the header"),
    ],
)
def test_bad_rosters_are_refused_with_the_row(tmp_path, text, message):
    with pytest.raises(RosterError, match=message.replace("(", r"\(").replace(".", r"\.")):
        read_roster(_write(tmp_path, text))


@pytest.mark.slow  # a new gradebook takes seconds (nbgrader's migrations)
def test_import_adds_then_updates_and_keeps_others(paths, tmp_path):
    with Gradebook(paths.db_url, COURSE_ID) as gb:
        gb.add_student("s003")  # graded before the roster came
    first = _write(tmp_path, "id,first,last,email\ns001,Ada,Lovelace,ada@x.org\n")
    assert import_roster(paths, first) == (1, 0)
    second = _write(
        tmp_path, "id,first,last,email\ns001,Ada,King,ada@x.org\ns003,Grace,Hopper,\n", "2.csv"
    )
    assert import_roster(paths, second) == (0, 2)
    people = _people(paths)
    assert people["s001"] == ("Ada", "King", "ada@x.org")
    assert people["s003"] == ("Grace", "Hopper", None)


@pytest.mark.slow  # a new gradebook takes seconds (nbgrader's migrations)
def test_a_bad_row_changes_nothing(paths, tmp_path):
    before = _people(paths)
    bad = _write(tmp_path, "id,first,last,email\nb001,Ada,Lovelace,ada@x.org\n.x,B,C,d@e\n")
    with pytest.raises(RosterError):
        import_roster(paths, bad)
    assert _people(paths) == before


@pytest.mark.slow  # a new gradebook takes seconds (nbgrader's migrations)
def test_cli_says_what_is_wrong(paths, tmp_path, capsys):
    course = str(paths.course_dir)
    assert cli(["--course-dir", course, "roster", "import", str(tmp_path / "none.csv")]) == 2
    assert "none.csv does not exist" in capsys.readouterr().err
    path = _write(tmp_path, "id,first,last,email\nc001,Ada,Lovelace,ada@x.org\n")
    assert cli(["--course-dir", course, "roster", "import", str(path)]) == 0
    assert "1 students added, 0 updated" in capsys.readouterr().out
