"""What the outcome tasks' judges share: reading the choices a student recorded.

An outcome task's Check records each choice as one output (``s0.out``, ``s1.out``, ... in the
order the task names them); the judge trains the reference with them on the grader's own
split. Before that, each choice must be one finite number within the task's range, and the
ones that count things (a hidden size, steps) whole numbers: otherwise the student gets the
sentence that says which choice is wrong, and the grader trains nothing.

Most outcome tasks give points in steps (1 point at a partial level, 2 at the target): one
Check per level, built by :func:`level_checks`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np

from autograder.spec import Check, case, read


def read_choices(
    got, limits: dict[str, tuple[float, float]], whole: tuple[str, ...] = ()
) -> tuple[tuple | None, str | None]:
    """The recorded choices in the order of ``limits`` (name -> (low, high)), those named in
    ``whole`` as ints; or (None, one sentence for the student)."""
    unknown = set(whole) - set(limits)
    if unknown:  # the task's author named a choice the task does not have
        raise ValueError(f"not among the choices {list(limits)}: {sorted(unknown)}")
    values = []
    for index, (name, (low, high)) in enumerate(limits.items()):
        value = got.get(f"s{index}.out")
        if value is None or np.size(value) != 1:
            return None, f"`{name}` must be set to a single number."
        value = float(np.asarray(value, dtype=np.float64).ravel()[0])
        if not math.isfinite(value) or not low <= value <= high:
            return (
                None,
                f"`{name}` = {value:g} is outside the range this task allows [{low:g}, {high:g}].",
            )
        if name in whole:
            if value != int(value):
                return None, f"`{name}` must be a whole number, got {value:g}."
            value = int(value)
        values.append(value)
    return tuple(values), None


def level_checks(
    grade_id: str,
    choices: Mapping[str, object],
    judge_at: Callable[[float], Callable],
    levels: tuple[tuple[str, float], ...],
    function: str | None = None,
    names: Mapping[str, str] | None = None,
) -> list[Check]:
    """One Check per (label, threshold) of ``levels``, each worth a point of ``grade_id``.

    ``choices`` maps the student's variable names to the reference's own choices; each Check
    reads them in that order and is decided by ``judge_at(threshold)``. ``function`` (default:
    the names joined) and ``names`` (default: ``s<i>.out`` -> the i-th name) are what the
    student is told.
    """
    return [
        Check(
            grade_id=grade_id,
            function=function or ", ".join(choices),
            reference=choices,
            cases=lambda rng, label=label: [case(label, *(read(n) for n in choices))],
            names=names or {f"s{i}.out": name for i, name in enumerate(choices)},
            judge=judge_at(threshold),
        )
        for label, threshold in levels
    ]
