"""Plausible wrong implementations of every graded function, one module per assignment.

``nb<assignment>.py`` defines ``MUTANTS``: a list of :class:`Mutant`, each a short name,
the graded cell it must lose points in, and the namespace it replaces (function name ->
callable). tests/test_mutants.py grades each one with the assignment's real checks.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Mutant:
    name: str
    grade_id: str
    namespace: dict[str, Any]


#: the tuning tasks of 03 and 04 (autograder/checks/linear_outcome.py): absurd choices of
#: hyperparameters a student might pick without looking at the search (each must lose points)
ABSURD_CHOICES = {
    "learning rate far too small": (1e-6, 1e-4),
    "learning rate too small for 500 steps": (1e-3, 1e-4),
    "regularisation that wipes W out": (1.0, 10.0),
    "learning rate and reg swapped": (1e-4, 5.0),
    "divergent step with strong reg": (1e4, 0.1),
    "negative learning rate": (-5.0, 1e-4),
}


def load_mutants(assignment: str) -> list[Mutant]:
    try:
        module = importlib.import_module(f"tests.mutants.nb{assignment}")
    except ModuleNotFoundError:
        return []
    return list(module.MUTANTS)
