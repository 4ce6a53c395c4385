"""Per-student HTML feedback, rendered by nbgrader from the autograded notebooks.

The autograded notebooks hold the release's cells (never the hidden tests), the
student's sanitized outputs and the grader's verdict under each graded test cell, so the
HTML shows which output was wrong and by how much without revealing hidden inputs.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from autograder.course import CoursePaths, nbgrader_config
from autograder.grade import load_results


def generate_feedback(paths: CoursePaths, assignment: str) -> list[Path]:
    """Run nbgrader's generate_feedback for every graded student; return the HTML files."""
    from nbgrader.apps import NbGraderAPI

    api = NbGraderAPI(config=nbgrader_config(paths))
    written = []
    for result in load_results(paths, assignment):
        student = result["student"]
        if not any((paths.autograded / student / assignment).glob("*.ipynb")):
            continue  # nothing could be graded (formgrader still lists the student, at 0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outcome = api.generate_feedback(assignment, student)
        if not outcome.get("success"):
            raise RuntimeError(f"feedback for {student} failed:\n{outcome.get('log', '')}")
        written += sorted((paths.feedback / student / assignment).glob("*.html"))
    return written
