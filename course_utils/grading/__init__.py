"""Helpers for the checks in notebooks, shared with the autograder's feedback.

``check_close`` is what a visible test cell calls; ``describe_mismatch`` words a
difference the same way for the student's notebook and for the grader's report.
"""

from course_utils.grading.compare import describe_mismatch
from course_utils.grading.visible import check_close, check_equal

__all__ = ["check_close", "check_equal", "describe_mismatch"]
