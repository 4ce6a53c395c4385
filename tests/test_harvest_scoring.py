"""Both halves of the grading design: what the harvest keeps, what the grader uses."""

from __future__ import annotations

import json
import os
import time

import numpy as np
import pytest

from autograder.harvest import OutputError, flatten, harvest, run_case
from autograder.scoring import load_case_outputs, plan_cases, score_cases
from autograder.spec import Check, Ref, call, case, encode_cases


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
    assert "the result has shape (2,), expected (4,)" in text
    assert "raised ValueError: bad input" in text
    assert "was not run" in text


def test_grader_refuses_links_and_pickles(tmp_path):
    np.savez(tmp_path / "case_0.npz", out=np.array([object()], dtype=object))
    with pytest.raises(ValueError, match="unreadable"):
        load_case_outputs(str(tmp_path), 0)
    secret = tmp_path / "secret.npz"
    np.savez(secret, out=np.ones(2))
    os.symlink(secret, tmp_path / "case_1.npz")
    with pytest.raises(ValueError, match="no outputs"):
        load_case_outputs(str(tmp_path), 1)


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
    assert lines[0]["ok"] is False and "longer than" in lines[0]["error"]
    assert lines[1]["ok"] is True


def test_run_checks_leaves_no_value_for_nbgrader_to_read_as_partial_credit():
    """A number left as a test cell's last value is partial credit to plain nbgrader."""
    from autograder.notebook_checks import run_checks
    from course_utils.warmup import moving_average

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
