"""Every authored assignment graded for real: the solution earns every automatic point, the
untouched release none (nbgrader's gradebook, the sandbox, a temporary course directory)."""

from __future__ import annotations

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder.course import COURSE_ID, course_paths
from autograder.grade import grade_class
from autograder.gradebook_io import apply_result
from autograder.release import authored_assignments, ensure_generated
from autograder.samples import with_answers
from autograder.sandbox import Limits

ASSIGNMENTS = authored_assignments(course_paths())


@pytest.mark.slow
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
