"""nbgrader for the instructor on the class hub (formgrader service, own server): the
course kit's settings, with the course directory in $COURSE_DIR and the class's exchange
in $COURSE_EXCHANGE (autograder/course.py)."""

from autograder.course import course_paths, nbgrader_config

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
c.merge(nbgrader_config(course_paths()))
