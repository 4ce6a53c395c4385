"""Helpers for the checks in notebooks, shared with the autograder's feedback.

``check_close`` is what a visible test cell calls; ``describe_mismatch`` words a
difference the same way for the student's notebook and for the grader's report; ``after``
wraps a cell that builds on an earlier task, so an unfinished task gets a hint, not a traceback.
"""

from course_utils.grading.compare import describe_mismatch
from course_utils.grading.prerequisites import after
from course_utils.grading.visible import check_close, check_equal

__all__ = ["after", "check_close", "check_equal", "describe_mismatch"]
