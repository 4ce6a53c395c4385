"""The instructor's side of nbgrader's exchange: release, collect, return feedback.

On a JupyterHub (deploy/jupyterhub/) students fetch and submit in the Assignments tab;
these commands are the instructor's half, with nbgrader's own exchange code:

- ``exchange release A``: the student bundle of A (the notebook and ``course_utils``
  without the references of A and later, autograder/bundle.py) goes to the exchange's
  outbound folder, which is what students fetch;
- ``exchange collect A``: every student's latest submission into ``<course>/submitted``,
  with nbgrader's timestamp, ready for ``grade A <course>/submitted``;
- ``exchange feedback A``: the feedback HTML (generated if needed) into the exchange, where
  each student fetches only their own (nbgrader names it by a secret of their submission).
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from pathlib import Path

from autograder.course import COURSE_ID, CoursePaths, nbgrader_config


class ExchangeError(RuntimeError):
    """nbgrader's exchange refused a step; the message carries its log."""


def _api(paths: CoursePaths, release_dir: Path | None = None):
    from nbgrader.apps import NbGraderAPI

    config = nbgrader_config(paths)
    if release_dir is not None:
        config.CourseDirectory.release_directory = str(release_dir)
    # a second release replaces the first (students who fetched keep their copy)
    config.ExchangeReleaseAssignment.force = True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        api = NbGraderAPI(config=config)
    if api.exchange_missing:
        raise ExchangeError(
            f"the exchange {paths.exchange} does not exist or is not writable "
            "(set $COURSE_EXCHANGE to the class's shared exchange folder)"
        )
    return api


def _check(outcome: dict, what: str) -> None:
    if not outcome.get("success"):
        log = (outcome.get("log") or "") + (outcome.get("error") or "")
        raise ExchangeError(f"{what} failed:\n{log.strip()[-3000:]}")


def release(paths: CoursePaths, assignment: str) -> Path:
    """Put the student bundle of ``assignment`` in the exchange; return the outbound folder."""
    from autograder.bundle import build_bundle
    from autograder.release import ensure_generated

    ensure_generated(paths, assignment)  # the gradebook knows the assignment's cells
    folder, _ = build_bundle(paths, assignment)
    with tempfile.TemporaryDirectory(prefix="release-") as tmp:
        staged = Path(tmp) / assignment
        shutil.copytree(folder / assignment, staged)  # the notebook(s) and their files
        shutil.copytree(folder / "course_utils", staged / "course_utils")
        shutil.copy2(folder / "README.txt", staged / "README.txt")
        api = _api(paths, release_dir=Path(tmp))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outcome = api.release_assignment(assignment)
        _check(outcome, f"releasing {assignment}")
    return paths.exchange / COURSE_ID / "outbound" / assignment


def collect(paths: CoursePaths, assignment: str) -> list[str]:
    """Copy every student's latest submission into ``<course>/submitted``; return the ids."""
    api = _api(paths)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _check(api.collect(assignment, update=True), f"collecting {assignment}")
    folders = paths.submitted.glob(f"*/{assignment}")
    return sorted(f.parent.name for f in folders if (f / "timestamp.txt").is_file())


def release_feedback(paths: CoursePaths, assignment: str) -> list[str]:
    """Generate (if needed) and release every graded student's feedback; return the ids."""
    from autograder.feedback import generate_feedback

    written = generate_feedback(paths, assignment)
    students = sorted({p.parent.parent.name for p in written})
    missing = [
        s
        for s in students
        if not (paths.feedback / s / assignment / "submission_secret.txt").exists()
    ]
    if missing:
        raise ExchangeError(
            f"no exchange submission of {assignment} for {', '.join(missing)} (graded from an "
            "LMS download?): their feedback can only be handed out as files"
        )
    api = _api(paths)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _check(api.release_feedback(assignment), f"releasing feedback of {assignment}")
    return students
