"""What the outcome tasks' judges share: reading the choices a student recorded.

An outcome task's Check records each choice as one output (``s0.out``, ``s1.out``, ... in the
order the task names them); the judge trains the reference with them on the grader's own
split. Before that, each choice must be one finite number within the task's range, and the
ones that count things (a hidden size, steps) whole numbers: otherwise the student gets the
sentence that says which choice is wrong, and the grader trains nothing.
"""

from __future__ import annotations

import math

import numpy as np


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
