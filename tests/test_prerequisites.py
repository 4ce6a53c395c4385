"""``after``: a cell that builds on an unfinished task prints which one, instead of a traceback."""

from __future__ import annotations

import nbformat
import pytest

from autograder.course import course_paths
from course_utils.grading import after


def test_unfinished_task_becomes_one_line(capsys):
    def fit():
        raise NotImplementedError("write fit in Task 3")

    with after("Task 3 (fit)"):
        fit()
    out = capsys.readouterr().out
    assert out.startswith("This cell builds on Task 3 (fit): finish it first")
    assert "NotImplementedError: write fit in Task 3" in out


def test_a_name_an_earlier_failed_cell_never_defined_gets_the_hint(capsys):
    with after("Task 2 (loss_and_gradient)"):
        print(name_that_was_never_defined)  # noqa: F821
    assert "builds on Task 2 (loss_and_gradient)" in capsys.readouterr().out


def test_the_cells_own_errors_propagate():
    with pytest.raises(ZeroDivisionError), after("Task 1"):
        _ = 1 / 0


def test_released_01_widget_cell_names_the_tasks_not_a_name_error():
    """The released 01 built its learning-rate widget on `contour`, which a cell calling the
    student's `fit` defines: with fit unwritten, the widget cell failed with NameError."""
    path = course_paths().notebooks / "01_least_squares" / "01_least_squares.ipynb"
    cells = nbformat.read(path, as_version=4).cells
    for marker in ("contour = loss_contour(", "learning_rate_widget("):
        cell = next(c for c in cells if c.cell_type == "code" and marker in c.source)
        assert cell.source.startswith('with after("Task 2 (loss_and_gradient)')
