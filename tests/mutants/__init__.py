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


def load_mutants(assignment: str) -> list[Mutant]:
    try:
        module = importlib.import_module(f"tests.mutants.nb{assignment}")
    except ModuleNotFoundError:
        return []
    return list(module.MUTANTS)
