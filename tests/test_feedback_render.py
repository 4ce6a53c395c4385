"""The feedback page's math without a network and its cells named by task."""

from __future__ import annotations

import nbformat
import pytest

from autograder.feedback_render import FeedbackText, math_to_mathml, task_title


def test_math_becomes_mathml_and_code_is_left_alone():
    out = math_to_mathml("Loss $L = \\frac{1}{N}\\sum_i L_i$ and `x$1 $y` then\n$$W^\\top X$$")
    assert out.count("<math") == 2 and 'display="block"' in out and "\\frac" not in out
    assert "`x$1 $y`" in out  # inside a code span: untouched
    assert math_to_mathml("costs $5 and $6 today") == "costs $5 and $6 today"  # not math


def test_a_students_tex_cannot_carry_a_script():
    out = math_to_mathml("$\\text{<script>alert(1)</script>}$ and $$\\href{javascript:x}{y}$$")
    assert "<script" not in out and "javascript:" not in out


def test_tex_the_converter_cannot_parse_is_shown_as_code():
    assert math_to_mathml("$\\frac{1}{$") == "<code>\\frac{1}{</code>"  # unbalanced: as written
    unknown = math_to_mathml("$\\notamacro{x}$")  # an unknown macro keeps its name, as MathML
    assert unknown.startswith("<math") and "\\notamacro" in unknown


@pytest.mark.parametrize(
    ("source", "title"),
    [
        (
            "### Task 2: `compute_distances_one_loop` (1 point)\nWrite it.",
            "Task 2: compute_distances_one_loop (1 point)",
        ),
        ("**Question (1 point).** Why is the loss close to $\\log C$?", "Question (1 point)"),
        ("Plain text, no heading.", None),
    ],
)
def test_task_titles(source, title):
    assert task_title(source) == title


def test_graded_cells_get_their_tasks_title_and_never_a_students():
    cells = [
        nbformat.v4.new_markdown_cell("## 3. Task 1: the loss (3 points)"),
        nbformat.v4.new_code_cell(
            "def f(): ...",
            metadata={"nbgrader": {"solution": True, "grade": False, "grade_id": "f"}},
        ),
        nbformat.v4.new_code_cell(
            "check()", metadata={"nbgrader": {"grade": True, "grade_id": "test_f", "points": 3}}
        ),
        nbformat.v4.new_markdown_cell("### Question 1 (2 points)"),
        nbformat.v4.new_markdown_cell(
            "# <img src=x onerror=alert(1)> mine",
            metadata={
                "nbgrader": {"solution": True, "grade": True, "grade_id": "answer", "points": 2}
            },
        ),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    FeedbackText().preprocess(nb, {})
    assert nb.cells[2].metadata["feedback_title"] == "3. Task 1: the loss (3 points)"
    assert nb.cells[4].metadata["feedback_title"] == "Question 1 (2 points)"
