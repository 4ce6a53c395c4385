"""`--course-dir` is accepted on either side of the subcommand, for every subcommand.

`python -m autograder grade 03_softmax subs --course-dir C` once failed with "unrecognized
arguments"; the option had to come before `grade`.
"""

from __future__ import annotations

import pytest

from autograder.cli import build_parser, course_dir_given
from autograder.cli import main as cli

# Every subcommand with the arguments it needs to parse.
SUBCOMMANDS = {
    "release": ["release", "--no-bundles"],
    "grade": ["grade", "03_softmax", "subs"],
    "merge": ["merge", "03_softmax"],
    "feedback": ["feedback", "03_softmax"],
    "export": ["export"],
    "validate": ["validate", "x.ipynb"],
    "demo": ["demo"],
    "roster": ["roster", "import", "class.csv"],
    "exchange": ["exchange", "release", "03_softmax"],
    "watch": ["watch", "03_softmax"],
    "cluster-script": ["cluster-script", "slurm", "03_softmax", "subs", "--shards", "4"],
}


def test_the_table_covers_every_subcommand():
    parser = build_parser()
    choices = next(a.choices for a in parser._actions if a.dest == "command")
    assert set(choices) == set(SUBCOMMANDS)


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
@pytest.mark.parametrize("side", ["before", "after"])
def test_course_dir_parses_on_either_side(name, side, tmp_path):
    where = ["--course-dir", str(tmp_path / "c")]
    argv = where + SUBCOMMANDS[name] if side == "before" else SUBCOMMANDS[name] + where
    parser = build_parser()
    args = parser.parse_args(argv)
    assert args.command == name
    assert course_dir_given(parser, args) == str(tmp_path / "c")


def test_roster_takes_the_option_between_its_words_too(tmp_path):
    parser = build_parser()
    args = parser.parse_args(["roster", "--course-dir", str(tmp_path), "import", "class.csv"])
    assert course_dir_given(parser, args) == str(tmp_path)


def test_without_the_option_the_default_applies():
    parser = build_parser()
    assert course_dir_given(parser, parser.parse_args(SUBCOMMANDS["merge"])) is None


def test_the_same_folder_on_both_sides_is_fine(tmp_path):
    parser = build_parser()
    argv = ["--course-dir", str(tmp_path), *SUBCOMMANDS["merge"], "--course-dir", f"{tmp_path}/."]
    assert course_dir_given(parser, parser.parse_args(argv)) == f"{tmp_path}/."


def test_two_different_folders_are_refused_by_name(capsys, tmp_path):
    argv = ["--course-dir", str(tmp_path / "a"), *SUBCOMMANDS["merge"]]
    with pytest.raises(SystemExit) as stop:
        cli([*argv, "--course-dir", str(tmp_path / "b")])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "--course-dir given twice" in err
    assert str(tmp_path / "a") in err and str(tmp_path / "b") in err


def test_grade_with_the_option_last_uses_that_folder(capsys, tmp_path):
    course = tmp_path / "course"
    code = cli(["grade", "99_nope", str(tmp_path), "--course-dir", str(course)])
    err = capsys.readouterr().err
    assert code == 2 and "unrecognized arguments" not in err and "unknown assignment" in err
    assert course.is_dir()


def test_merge_with_the_option_last_reads_that_folder(capsys, tmp_path):
    course = tmp_path / "course"
    code = cli(["merge", "03_softmax", "--course-dir", str(course)])
    err = capsys.readouterr().err
    assert code == 2 and f"no results of 03_softmax in {course / 'results'}" in err
