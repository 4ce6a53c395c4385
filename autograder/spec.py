"""Declarative descriptions of what each assignment checks (grader side only).

One :class:`Check` per graded function says which nbgrader test cell it awards points
to, how the grader makes inputs (a function of a random generator seeded per student
and run), which reference computes the expected outputs, and the tolerance. The same
description drives the hidden test block of the solution notebook
(:func:`autograder.notebook_checks.run_checks`) and the sandboxed grading of a class.

Example::

    Check(
        grade_id="test_moving_average",
        function="moving_average",
        reference={"moving_average": reference_moving_average},
        cases=lambda rng: [
            case("window of 3", call("moving_average", rng.normal(size=20), 3)),
            case("window as long as x", call("moving_average", rng.normal(size=5), 5)),
        ],
        names={"s0.out": "the averages"},
    )
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Ref:
    """The result of an earlier call in the same case, bound with ``bind=name``.

    With ``index``, only that element of the bound result (e.g. ``Ref("fwd", 1)`` is the
    cache of a ``(out, cache)`` pair).
    """

    name: str
    index: int | None = None


@dataclass(frozen=True)
class Call:
    """One call: ``target(*args, **kwargs)``; target may be ``"name.method"`` of a bound result.

    With ``read=True`` nothing is called: the value of ``target`` itself is recorded (an
    outcome task's choice, such as ``best_k``; see :func:`read`).
    """

    target: str
    args: tuple = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    bind: str | None = None
    record: bool = True
    record_args: tuple[int, ...] = ()
    read: bool = False


@dataclass(frozen=True)
class Case:
    """Inputs for one comparison. ``label`` is shown to students: describe, never give values."""

    label: str
    calls: tuple[Call, ...]


@dataclass(frozen=True)
class Alternative:
    """A reference with one known mistake, and what to tell a student whose output matches it.

    ``reference`` replaces entries of the Check's reference (e.g. ``{"adam": adam_no_bias_
    correction}``); ``says`` speaks of the student's code ("the bias correction of m and v is
    missing"), never of the case's data.
    """

    says: str
    reference: Mapping[str, Callable[..., Any]]


@dataclass(frozen=True)
class Check:
    """What one graded function must compute, and which test cell it awards points to.

    An *outcome task* (a result, not code: "choose k and the metric by cross-validation")
    reads the student's choices with :func:`read` and sets ``judge``: instead of comparing
    with the reference's outputs, ``judge(got)`` decides each case in the grader's process,
    from the student's recorded values (``{"s0.out": array, ...}``, one per read, already
    checked to have the shape of the reference's own choice); it returns None when the case
    passes, else one sentence for the student. A judge scores *choices* by training the
    course's reference on a split the grader makes (GRADING.md), deterministically.

    ``alternatives`` are the known wrong versions of the function (:class:`Alternative`): the
    grader runs them on the same inputs, and an output that matches exactly one of them is
    told what that mistake is (docs/GRADING_DESIGN.md, "Diagnoses").
    """

    grade_id: str
    function: str
    reference: Mapping[str, Callable[..., Any]]
    cases: Callable[[np.random.Generator], list[Case]]
    tol: float = 1e-7
    names: Mapping[str, str] = field(default_factory=dict)
    compare: tuple[str, ...] | None = None
    judge: Callable[[Mapping[str, np.ndarray]], str | None] | None = None
    alternatives: tuple[Alternative, ...] = ()


def call(
    target: str,
    *args: Any,
    bind: str | None = None,
    record: bool = True,
    record_args: tuple[int, ...] = (),
    **kwargs: Any,
) -> Call:
    """Shorthand for :class:`Call` with positional arguments as written."""
    return Call(target, tuple(args), dict(kwargs), bind, record, tuple(record_args))


def alternatives(function: str, mistakes: Mapping[str, list]) -> tuple[Alternative, ...]:
    """The :class:`Alternative` of each ``(says, implementation)`` in ``mistakes[function]``.

    An implementation is a callable (it replaces ``function``) or a namespace of several
    (a function and its adapter, as in the PyTorch notebooks).
    """
    return tuple(
        Alternative(says, impl if isinstance(impl, Mapping) else {function: impl})
        for says, impl in mistakes.get(function, [])
    )


def read(name: str) -> Call:
    """Record the value of the student's variable ``name`` (a number or an array); call nothing."""
    return Call(name, read=True)


def case(label: str, *calls: Call) -> Case:
    """Shorthand for :class:`Case`."""
    return Case(label, tuple(calls))


def encode_cases(cases: list[Case]) -> tuple[list[dict], dict[str, np.ndarray]]:
    """Encode cases as JSON-able dicts, with every array moved to a separate dict.

    Returns (encoded cases, arrays) where arrays maps "a<k>" to a numpy array; the
    encoding is what :mod:`autograder.harvest` decodes on either side.
    """
    arrays: dict[str, np.ndarray] = {}
    encoded = []
    for item in cases:
        calls = [_encode_call(c, arrays) for c in item.calls]
        encoded.append({"label": item.label, "calls": calls})
    return encoded, arrays


def _encode_call(c: Call, arrays: dict[str, np.ndarray]) -> dict:
    return {
        "target": c.target,
        "args": [_encode_value(a, arrays) for a in c.args],
        "kwargs": {k: _encode_value(v, arrays) for k, v in c.kwargs.items()},
        "bind": c.bind,
        "record": c.record,
        "record_args": list(c.record_args),
        **({"read": True} if c.read else {}),
    }


def _encode_value(value: Any, arrays: dict[str, np.ndarray]) -> Any:
    if isinstance(value, Ref):
        if value.index is None:
            return {"__ref__": value.name}
        return {"__ref__": value.name, "index": int(value.index)}
    if isinstance(value, np.ndarray):
        key = f"a{len(arrays)}"
        arrays[key] = np.array(value, copy=True)
        return {"__array__": key}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return {"__tuple__": [_encode_value(v, arrays) for v in value]}
    if isinstance(value, list):
        return [_encode_value(v, arrays) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode_value(v, arrays) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot encode a {type(value).__name__} as a grading input")
