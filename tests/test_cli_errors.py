"""The instructor's command line on bad input: one clear line on stderr, status 2, no traceback.

None of these grade anything: each mistake is caught before a sandbox starts.
"""

from __future__ import annotations

import pytest

from autograder.cli import main as cli
from autograder.submissions import find_submissions, unusable_folders


@pytest.fixture
def course(tmp_path):
    return ["--course-dir", str(tmp_path / "course")]


def run(capsys, *argv) -> tuple[int, str]:
    code = cli(list(argv))
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["release", "99_nope", "--no-bundles"],
        ["grade", "99_nope", "."],
        ["merge", "99_nope"],
        ["feedback", "99_nope"],
        ["export", "--assignment", "03_softmax", "--assignment", "99_nope"],
        ["demo", "--assignment", "99_nope"],
        ["exchange", "release", "99_nope"],
        ["watch", "99_nope", "--once"],
    ],
)
def test_an_unknown_assignment_is_named_with_the_known_ones(capsys, course, argv):
    code, err = run(capsys, *course, *argv)
    assert code == 2 and "Traceback" not in err
    assert "unknown assignment '99_nope'" in err and "03_softmax" in err


def test_watch_refuses_a_limit_below_one(capsys, course):
    code, err = run(capsys, *course, "watch", "03_softmax", "--limit", "0", "--once")
    assert code == 2 and "--limit must be at least 1" in err


def test_exchange_commands_name_a_missing_exchange(capsys, course, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_EXCHANGE", str(tmp_path / "no-exchange"))
    code, err = run(capsys, *course, "exchange", "collect", "03_softmax")
    assert code == 2 and "no-exchange does not exist or is not writable" in err


def test_grading_a_missing_folder(capsys, course, tmp_path):
    code, err = run(capsys, *course, "grade", "03_softmax", str(tmp_path / "nowhere"))
    assert code == 2 and "nowhere does not exist" in err


def test_grading_an_empty_folder_says_what_layout_was_expected(capsys, course, tmp_path):
    (tmp_path / "subs").mkdir()
    code, err = run(capsys, *course, "grade", "03_softmax", str(tmp_path / "subs"))
    assert code == 2 and "no student folder" in err and "<student_id>/<notebook>.ipynb" in err


def test_folders_that_cannot_be_student_ids_are_named(capsys, course, tmp_path):
    subs = tmp_path / "subs"
    (subs / "John Smith").mkdir(parents=True)
    (subs / ".ipynb_checkpoints").mkdir()
    code, err = run(capsys, *course, "grade", "03_softmax", str(subs))
    assert code == 2 and "not usable as student ids: John Smith" in err


def test_find_submissions_keeps_valid_ids_and_reports_the_others(tmp_path):
    for name in ("ada", "bob.smith@uni", "John Smith", "-rf"):
        (tmp_path / name).mkdir()
    (tmp_path / "ada" / "03_softmax.ipynb").write_text("{}")
    found = find_submissions(tmp_path, "03_softmax", ["03_softmax.ipynb"])
    assert [s.student for s in found] == ["ada", "bob.smith@uni"]
    assert found[0].notebooks and found[1].problems == ["03_softmax.ipynb is missing"]
    assert unusable_folders(tmp_path) == ["-rf", "John Smith"]


@pytest.mark.parametrize("command", ["merge", "feedback"])
def test_merge_and_feedback_before_grading(capsys, course, command):
    code, err = run(capsys, *course, command, "03_softmax")
    assert code == 2 and "run `grade` first" in err
