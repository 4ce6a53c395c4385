"""Every authored assignment graded for real: the solution earns every automatic point and
runs clean, the untouched release earns none and fails only in its stubs (nbgrader's
gradebook, the sandbox, a temporary course directory).

This is also the check that each solution notebook runs top to bottom: the grader's sandbox
executes the release with the solution's answers, which is the solution notebook without its
hidden-test blocks (those call ``run_checks``, the in-process view of the checks the sandbox
scores; tests/test_notebooks.py checks that each names its own cell). Executing the solution a
second time outside the sandbox cost every `make test` about five minutes of one worker.
"""

from __future__ import annotations

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder.course import COURSE_ID, CoursePaths, course_paths
from autograder.grade import grade_class
from autograder.gradebook_io import apply_result
from autograder.release import authored_assignments, ensure_generated
from autograder.samples import with_answers
from autograder.sandbox import Limits
from tests.notebook_runner import errors, stderr_of

ASSIGNMENTS = authored_assignments(course_paths())


def _autograded(paths: CoursePaths, student: str, assignment: str) -> dict:
    """{notebook name: the autograded notebook the student's feedback is made from}."""
    folder = paths.autograded / student / assignment
    return {p.name: nbformat.read(p, as_version=4) for p in sorted(folder.glob("*.ipynb"))}


def _graded(cell) -> bool:
    return cell.cell_type == "code" and bool(cell.metadata.get("nbgrader", {}).get("grade"))


@pytest.mark.slow
@pytest.mark.numerics
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_full_marks_untouched_zero(assignment, tmp_path):
    paths = course_paths(tmp_path / "course")
    release = ensure_generated(paths, assignment)
    for student, complete in (("solution", True), ("untouched", False)):
        (tmp_path / "subs" / student).mkdir(parents=True)
        for path in sorted(release.glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            if complete:
                nb = with_answers(nb, nbformat.read(paths.solutions / assignment / path.name, 4))
            nbformat.write(nb, tmp_path / "subs" / student / path.name)
    results = grade_class(paths, assignment, tmp_path / "subs", 2, Limits(total_seconds=400))
    by_student = {r["student"]: r for r in results}
    for result in results:
        apply_result(paths, result)
    tests = [
        c
        for nb in by_student["solution"]["notebooks"].values()
        for c in nb.values()
        if c["kind"] == "test"
    ]
    assert tests and all(c["points"] == c["max_points"] for c in tests), by_student["solution"]
    assert by_student["untouched"]["score"] == 0
    with Gradebook(paths.db_url, COURSE_ID) as gb:
        auto_max = sum(c["max_points"] for c in tests)
        assert gb.find_submission(assignment, "solution").code_score == pytest.approx(auto_max)
        assert gb.find_submission(assignment, "untouched").code_score == 0

    solved, untouched = (_autograded(paths, s, assignment) for s in ("solution", "untouched"))
    assert solved.keys() == untouched.keys() == {p.name for p in release.glob("*.ipynb")}
    for name, nb in solved.items():
        ran = [
            o
            for c in nb.cells
            for o in c.get("outputs", [])
            if "Autograder:" not in o.get("text", "")
        ]
        assert ran, f"solution {name}: no output but the grader's verdicts"
        assert not errors(nb), f"solution {name}: {errors(nb)[:3]}"
        noisy = [c.metadata.nbgrader.grade_id for c in nb.cells if _graded(c) and stderr_of(c)]
        assert not noisy, f"solution {name}: graded cells wrote to stderr: {noisy}"
    for name, nb in untouched.items():
        names = {ename for _, ename, _ in errors(nb)}
        assert names == {"NotImplementedError"}, f"release {name}: {errors(nb)[:5]}"
