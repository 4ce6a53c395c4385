"""Both halves of the grading design: what the harvest keeps, what the grader uses."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest

from autograder.harvest import OutputError, flatten, harvest, run_case
from autograder.scoring import (
    case_byte_budget,
    compare_outputs,
    exception_name,
    load_case_outputs,
    plan_cases,
    score_cases,
    score_namespace,
)
from autograder.spec import Check, Ref, call, case, encode_cases, read


def test_flatten_keeps_numbers_and_arrays_only():
    flat = flatten((np.ones(2), {"velocity": np.zeros(3), "lr": 0.1}, None, "text"))
    assert set(flat) == {"out.0", "out.1.velocity", "out.1.lr"}
    assert flat["out.1.lr"].dtype.kind == "f"
    with pytest.raises(OutputError):
        flatten(object())
    with pytest.raises(OutputError):
        flatten(np.array([object()], dtype=object))


def test_encoding_round_trips_arrays_refs_and_tuples():
    class Counter:
        def __init__(self, start):
            self.value = start

        def add(self, x):
            self.value = self.value + x
            return self.value

    items = [
        case(
            "chained",
            call("Counter", np.array([1.0, 2.0]), bind="c", record=False),
            call("c.add", (3.0, 4.0)[0]),
            call("echo", Ref("c"), record=False),
        )
    ]
    encoded, arrays = encode_cases(items)
    json.dumps(encoded)  # plain JSON
    out = run_case({"Counter": Counter, "echo": lambda c: c}, encoded[0], arrays)
    np.testing.assert_array_equal(out["s1.out"], [4.0, 5.0])


def _check(function, reference, cases, tol=1e-9):
    return Check("test_f", "f", {"f": reference}, cases, tol=tol, names={"s0.out": "the result"})


def test_scoring_reads_only_plain_outputs_and_explains_failures(tmp_path):
    check = _check(
        "f",
        lambda x: 2 * x,
        lambda rng: [
            case("ok case", call("f", rng.normal(size=3))),
            case("wrong shape", call("f", rng.normal(size=4))),
            case("raises", call("f", rng.normal(size=5))),
            case("never ran", call("f", rng.normal(size=6))),
        ],
    )
    planned, arrays = plan_cases([check], np.random.default_rng(0))
    encoded = [p.encoded for p in planned]
    (tmp_path / "cases.json").write_text(json.dumps(encoded[:3]))
    np.savez(tmp_path / "inputs.npz", **arrays)

    def student(x):
        if x.size == 5:
            raise ValueError("bad input")
        return 2 * x if x.size == 3 else x[:2]

    harvest(
        {"f": student}, str(tmp_path / "cases.json"), str(tmp_path / "inputs.npz"), str(tmp_path)
    )
    scores = score_cases(planned, str(tmp_path), {"test_f": 4.0})
    cell = scores["test_f"]
    assert (cell.passed, cell.total, cell.points) == (1, 4, 1.0)
    text = "\n".join(cell.messages)
    assert "the result does not have the expected shape" in text and "(4,)" not in text
    assert "raised ValueError" in text and "bad input" not in text
    assert "was not run" in text


def test_grader_refuses_links_and_pickles(tmp_path):
    np.savez(tmp_path / "case_0.npz", out=np.array([object()], dtype=object))
    with pytest.raises(ValueError, match="unreadable"):
        load_case_outputs(str(tmp_path), 0, {"out": np.ones(1)})
    secret = tmp_path / "secret.npz"
    np.savez(secret, out=np.ones(2))
    os.symlink(secret, tmp_path / "case_1.npz")
    with pytest.raises(ValueError, match="no outputs"):
        load_case_outputs(str(tmp_path), 1, {"out": np.ones(2)})


def test_harvest_interrupts_a_slow_case_and_goes_on(tmp_path):
    def slow(x):
        while True:
            try:
                time.sleep(0.05)
            except Exception:  # a student's attempt to swallow the alarm
                pass

    items = [case("slow", call("f", np.ones(2))), case("fast", call("g", np.ones(2)))]
    encoded, arrays = encode_cases(items)
    (tmp_path / "cases.json").write_text(json.dumps(encoded))
    np.savez(tmp_path / "inputs.npz", **arrays)
    start = time.monotonic()
    harvest(
        {"f": slow, "g": lambda x: x},
        str(tmp_path / "cases.json"),
        str(tmp_path / "inputs.npz"),
        str(tmp_path),
        seconds_per_case=0.5,
    )
    assert time.monotonic() - start < 5
    lines = [json.loads(line) for line in (tmp_path / "harvest.jsonl").read_text().splitlines()]
    assert lines[0]["ok"] is False and lines[0]["timed_out"] is True
    assert lines[1]["ok"] is True


def test_run_checks_leaves_no_value_for_nbgrader_to_read_as_partial_credit():
    """A number left as a test cell's last value is partial credit to plain nbgrader."""
    from autograder.notebook_checks import run_checks
    from course_utils.experiments.warmup import moving_average

    result = run_checks(
        "00_getting_started", "test_moving_average", {"moving_average": moving_average}
    )
    assert result is None


def test_visible_checks_leave_no_value_for_nbgrader_to_read_as_partial_credit(capsys):
    import numpy as np

    from course_utils.grading import check_close, check_equal

    assert check_close("x", np.ones(3), np.ones(3)) is None
    assert check_equal("labels", np.arange(3), np.arange(3)) is None
    assert "OK" in capsys.readouterr().out


# --- outputs are read within bounds the grader sets (issue 22, the output bomb) ---------


def _npy_member(shape, dtype="<f8", data=b"") -> bytes:
    header = io.BytesIO()
    fields = {"descr": dtype, "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(header, fields)
    return header.getvalue() + data


def test_a_compressed_member_is_refused_unread(tmp_path):
    np.savez_compressed(tmp_path / "case_0.npz", **{"s0.out": np.ones(5)})
    with pytest.raises(ValueError, match="compressed"):
        load_case_outputs(str(tmp_path), 0, {"s0.out": np.ones(5)})


def test_headers_are_checked_against_the_expected_output_before_reading(tmp_path):
    expected = {"s0.out": np.ones(5), "s0.out.x": np.ones(5)}
    with zipfile.ZipFile(tmp_path / "case_0.npz", "w") as archive:  # stored, not compressed
        archive.writestr("s0.out.npy", _npy_member((10**12,)))  # declares 8 TB, holds none
        archive.writestr("s0.out.x.npy", _npy_member((5,), "<U4", b"\0" * 80))
        archive.writestr("extra.npy", _npy_member((10**12,)))
    got = load_case_outputs(str(tmp_path), 0, expected)
    assert set(got) == {"s0.out", "s0.out.x"}
    assert got["s0.out"].shape == (10**12,) and got["s0.out"].strides == (0,)
    check = _check("f", None, None)
    problems = compare_outputs(got, expected, check)
    assert problems[0] == "the result does not have the expected shape"  # no hidden shape
    assert any("dtype <U4" in p for p in problems)


def test_data_that_does_not_match_its_header_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "case_0.npz", "w") as archive:
        archive.writestr("s0.out.npy", _npy_member((5,), data=b"\0" * 16))
    with pytest.raises(ValueError, match="does not match its header"):
        load_case_outputs(str(tmp_path), 0, {"s0.out": np.ones(5)})


def test_a_file_larger_than_the_expected_outputs_allow_is_refused_unopened(tmp_path):
    (tmp_path / "case_0.npz").write_bytes(b"\0" * (case_byte_budget({"a": np.ones(3)}) + 1))
    with pytest.raises(ValueError, match="far larger than expected"):
        load_case_outputs(str(tmp_path), 0, {"a": np.ones(3)})


BOMB_SCRIPT = """
import resource, sys
import numpy as np
from autograder import scoring
from autograder.samples import write_output_bomb
out = sys.argv[1]
write_output_bomb(out + "/case_0.npz", ["s0.out"])
expected = {"s0.out": np.ones(40)}
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
reasons = []
for floor in (scoring.MIN_CASE_BYTES, 64 * 2**20):  # refused by size, then by compression
    scoring.MIN_CASE_BYTES = floor
    try:
        scoring.load_case_outputs(out, 0, expected)
    except ValueError as exc:
        reasons.append(str(exc))
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(grown // 1024, "|".join(reasons))
"""


@pytest.mark.slow  # a fresh interpreter, to measure its peak memory
def test_an_output_bomb_leaves_the_graders_memory_bounded(tmp_path):
    """A 4.7 MB file declaring 1 GiB of float64: np.load grew the process by 1 GB."""
    run = subprocess.run(
        [sys.executable, "-c", BOMB_SCRIPT, str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    grown_mb, reasons = run.stdout.split(" ", 1)
    assert int(grown_mb) < 100, run.stdout
    assert "far larger than expected" in reasons and "compressed" in reasons


# --- what a student's exception may say (issue 22, hidden inputs leaking) --------------


def test_exceptions_on_hidden_inputs_show_a_builtin_type_and_nothing_else(tmp_path):
    def leaky(x):
        if x.size == 3:
            raise ValueError(repr(x))
        raise type(f"Leak_{int(x[0] * 1e6)}", (ValueError,), {})("no")

    check = _check(
        "f",
        lambda x: x,
        lambda rng: [case(f"n={n}", call("f", rng.normal(size=n))) for n in (3, 4)],
    )
    planned, arrays = plan_cases([check], np.random.default_rng(1))
    (tmp_path / "cases.json").write_text(json.dumps([p.encoded for p in planned]))
    np.savez(tmp_path / "inputs.npz", **arrays)
    harvest({"f": leaky}, str(tmp_path / "cases.json"), str(tmp_path / "inputs.npz"), str(tmp_path))
    log = (tmp_path / "harvest.jsonl").read_text()
    messages = score_cases(planned, str(tmp_path), {"test_f": 1.0})["test_f"].messages
    assert messages[0].endswith("raised ValueError")
    assert messages[1].endswith("raised an exception of a class defined in the submission")
    for value in arrays.values():
        for digits in (f"{v:.4f}"[-4:] for v in value.ravel()):
            assert digits not in " ".join(messages) and digits not in log


def test_exception_names_come_from_a_fixed_list():
    assert exception_name("ZeroDivisionError") == "ZeroDivisionError"
    assert exception_name("LinAlgError") == "LinAlgError"
    for name in ("Leak_0_4172", "array([1.5])", None, 3):
        assert exception_name(name) == "an exception of a class defined in the submission"


def test_the_harvest_keeps_only_the_outputs_the_grader_compares(tmp_path):
    items = [case("two outputs", call("f", np.ones(3)))]
    encoded, arrays = encode_cases(items)
    encoded[0]["keep"] = ["s0.out.0"]
    (tmp_path / "cases.json").write_text(json.dumps(encoded))
    np.savez(tmp_path / "inputs.npz", **arrays)
    f = lambda x: (x, np.zeros(10_000))  # noqa: E731
    harvest({"f": f}, str(tmp_path / "cases.json"), str(tmp_path / "inputs.npz"), str(tmp_path))
    with zipfile.ZipFile(tmp_path / "case_0.npz") as archive:
        assert archive.namelist() == ["s0.out.0.npy"]


def test_hidden_inputs_change_with_every_resubmission_and_not_on_a_regrade(tmp_path):
    from autograder.course import course_paths
    from autograder.grade import student_seed, submission_salt

    paths = course_paths(tmp_path / "course")
    first = submission_salt(b'{"cells": []}')
    again = student_seed(paths, "00_getting_started", "ada", first)
    assert again == student_seed(paths, "00_getting_started", "ada", first)
    resubmitted = submission_salt(b'{"cells": [] }')
    assert student_seed(paths, "00_getting_started", "ada", resubmitted) != again
    assert student_seed(paths, "00_getting_started", "bob", first) != again


def _outcome_check():
    """An outcome task: pass when the chosen k is odd and at most 9 (a stand-in for training)."""
    seen = []

    def judge(got):
        seen.append(dict(got))
        k = int(got["s0.out"])
        return None if k % 2 == 1 and k <= 9 else f"k = {k} does not reach the target"

    check = Check(
        "test_choice",
        "best_k",
        {"best_k": 5},
        lambda rng: [case("chosen k", read("best_k"))],
        names={"s0.out": "best_k"},
        judge=judge,
    )
    return check, seen


@pytest.mark.parametrize(
    ("value", "passes", "says"),
    [
        (7, True, None),
        (np.int32(3), True, None),
        (7.0, True, None),  # a float that holds a whole number is a choice like any other
        (12, False, "k = 12 does not reach the target"),
        (np.array([5, 7]), False, "shape ()"),
        ("five", False, "was not set"),
        (float("nan"), False, "not finite"),
        (None, False, "raised NameError"),  # the variable was never set
    ],
)
def test_an_outcome_task_reads_the_choice_and_the_judge_decides(tmp_path, value, passes, says):
    check, seen = _outcome_check()
    planned, arrays = plan_cases([check], np.random.default_rng(0))
    np.testing.assert_array_equal(planned[0].expected["s0.out"], 5)  # the reference's choice
    (tmp_path / "cases.json").write_text(json.dumps([p.encoded for p in planned]))
    np.savez(tmp_path / "inputs.npz", **arrays)
    namespace = {} if value is None else {"best_k": value}
    harvest(namespace, str(tmp_path / "cases.json"), str(tmp_path / "inputs.npz"), str(tmp_path))
    cell = score_cases(planned, str(tmp_path), {"test_choice": 2.0})["test_choice"]
    assert cell.points == (2.0 if passes else 0.0), cell.messages
    if says:
        assert says in "\n".join(cell.messages)
    assert all(set(g) == {"s0.out"} for g in seen)  # the judge sees plain arrays only
    namespace_cell = score_namespace([check], namespace, {"test_choice": 2.0}, 0)["test_choice"]
    assert namespace_cell.points == cell.points  # the notebook's hidden cell agrees


def test_a_read_calls_nothing():
    calls = []
    encoded, arrays = encode_cases([case("read", read("choice"))])
    with pytest.raises(OutputError, match="function, not an array"):  # a function is no choice
        run_case({"choice": lambda: calls.append(1)}, encoded[0], arrays)
    assert calls == []
