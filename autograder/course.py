"""Where things are: the repository's folders, the course working directory, nbgrader's config.

The repository holds what is authored (``solutions/``, the generated ``notebooks/``); the
course working directory (``--course-dir``, default ``.course/`` in the repository,
git-ignored) holds the class data: the gradebook, submissions, autograded notebooks,
feedback, grader results and student bundles. nbgrader is pointed at both.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from traitlets.config import Config

REPO_ROOT = Path(__file__).resolve().parents[1]
COURSE_ID = "nn-course-kit"
#: templates of the pages the autograder renders (the offline feedback page)
TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class CoursePaths:
    """Every folder the autograder reads or writes, as absolute paths."""

    repo: Path
    course_dir: Path

    @property
    def solutions(self) -> Path:
        return self.repo / "solutions"

    @property
    def notebooks(self) -> Path:
        return self.repo / "notebooks"

    @property
    def gradebook(self) -> Path:
        return self.course_dir / "gradebook.db"

    @property
    def db_url(self) -> str:
        return os.environ.get("COURSE_GRADEBOOK_URL") or f"sqlite:///{self.gradebook}"

    @property
    def release(self) -> Path:
        """nbgrader's release folder for grading: a copy of the student versions."""
        return self.course_dir / "release"

    @property
    def submitted(self) -> Path:
        return self.course_dir / "submitted"

    @property
    def autograded(self) -> Path:
        return self.course_dir / "autograded"

    @property
    def feedback(self) -> Path:
        return self.course_dir / "feedback"

    @property
    def results(self) -> Path:
        """The grader's per-student result files (plain JSON), merged into the gradebook."""
        return self.course_dir / "results"

    @property
    def bundles(self) -> Path:
        return self.course_dir / "bundles"

    @property
    def exchange(self) -> Path:
        """nbgrader's exchange (release, submit, collect, feedback): $COURSE_EXCHANGE, or
        ``<course>/exchange`` for one machine; a JupyterHub sets a shared folder."""
        return Path(os.environ.get("COURSE_EXCHANGE") or self.course_dir / "exchange")

    @property
    def secret(self) -> Path:
        """Salt for the per-student hidden inputs; never leaves the course directory."""
        return self.course_dir / "grader_secret"


def course_paths(course_dir: str | os.PathLike | None = None, create: bool = True) -> CoursePaths:
    """Resolve the course directory (argument, then $COURSE_DIR, then ``<repo>/.course``).

    ``create=False``: only name it (a cluster script names the cluster's course directory).
    """
    ensure_tools_on_path()
    chosen = course_dir or os.environ.get("COURSE_DIR") or REPO_ROOT / ".course"
    path = Path(chosen).resolve()
    if create:
        path.mkdir(parents=True, exist_ok=True)
    paths = CoursePaths(REPO_ROOT, path)
    if create and not paths.exchange.exists() and "COURSE_EXCHANGE" not in os.environ:
        # the course's own exchange: formgrader warns and release/collect fail without one
        paths.exchange.mkdir()
    return paths


def ensure_tools_on_path() -> None:
    """Put this interpreter's ``bin/`` first on PATH: nbgrader runs ``alembic`` from there."""
    bin_dir = os.path.dirname(sys.executable)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if bin_dir not in parts:
        os.environ["PATH"] = os.pathsep.join([bin_dir, *parts])


def nbgrader_config(paths: CoursePaths, release_to: Path | None = None) -> Config:
    """nbgrader configuration for this course.

    ``release_to`` is where ``generate_assignment`` writes the student versions
    (default: the course directory's ``release``; ``autograder release`` passes
    the repository's ``notebooks``).
    """
    c = Config()
    c.CourseDirectory.course_id = COURSE_ID
    c.CourseDirectory.root = str(paths.course_dir)
    c.CourseDirectory.source_directory = str(paths.solutions)
    c.CourseDirectory.release_directory = str(release_to or paths.release)
    c.CourseDirectory.db_url = paths.db_url
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", ".DS_Store"]
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
    c.ExecutePreprocessor.timeout = 120
    c.Exchange.root = str(paths.exchange)
    _feedback_config(c)
    return c


def _feedback_config(c: Config) -> None:
    """Feedback HTML that works offline and names cells by task (autograder.feedback_render)."""
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades

    from autograder.feedback_render import FeedbackText

    c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, FeedbackText]
    # scoped to the feedback's exporter (created with the converter as parent)
    c.GenerateFeedback.HTMLExporter.template_name = "feedback_offline"
    c.GenerateFeedback.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]
