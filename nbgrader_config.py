"""nbgrader's configuration when Jupyter runs from this folder (`make lab`: formgrader, validate).

The course directory (gradebook, submissions, feedback) is $COURSE_DIR or .course/;
solutions/ is nbgrader's source folder and notebooks/ its release folder. The same
settings are built in autograder/course.py, which the autograder's commands use.
"""

from autograder.course import course_paths, nbgrader_config

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
_paths = course_paths()
c.merge(nbgrader_config(_paths, release_to=_paths.notebooks))
