"""The course's assignments, in teaching order, and the tag that marks graded functions.

A function that a notebook asks students to write is decorated with
``@graded("03_softmax")``. The decorator changes nothing at run time; the release
command reads the tags (from the source, with ``ast``) and leaves the bodies of the
functions graded in an assignment, or in a later one, out of that assignment's
student bundle.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

ASSIGNMENTS: tuple[str, ...] = (
    "00_getting_started",
    "01_least_squares",
    "02_knn",
    "03_softmax",
    "04_svm",
    "05_backprop",
    "06_optimizers",
    "07_batchnorm",
    "08_dropout",
    "09_cnn",
    "10_rnn",
    "11_autoencoders",
    "12_gans",
)

F = TypeVar("F", bound=Callable)

#: qualified name ("course_utils.layers.affine_forward") -> assignment that grades it
GRADED: dict[str, str] = {}


def assignment_index(assignment: str) -> int:
    """Position of ``assignment`` in :data:`ASSIGNMENTS` (ValueError with the list if unknown)."""
    try:
        return ASSIGNMENTS.index(assignment)
    except ValueError:
        known = ", ".join(ASSIGNMENTS)
        raise ValueError(f"unknown assignment {assignment!r}; known: {known}") from None


def graded(assignment: str) -> Callable[[F], F]:
    """Tag a function (or method) as written by students in ``assignment``.

    Returns the function unchanged, with ``__graded_in__`` set, and records it in
    :data:`GRADED`.
    """
    assignment_index(assignment)

    def tag(func: F) -> F:
        func.__graded_in__ = assignment
        GRADED[f"{func.__module__}.{func.__qualname__}"] = assignment
        return func

    return tag


def reveals(assignment: str) -> Callable[[F], F]:
    """Tag a function that is not graded but computes the answer of a task graded in ``assignment``.

    Like :func:`graded` for the release (its body is left out of the student bundles up to
    and including ``assignment``), but it is not recorded as a graded function.
    """
    assignment_index(assignment)

    def tag(func: F) -> F:
        func.__reveals__ = assignment
        return func

    return tag
