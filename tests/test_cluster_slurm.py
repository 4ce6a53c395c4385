"""Grading on a real Slurm cluster: the scripts of docs/CLUSTER.md, submitted to a one-node
cluster started here (tests/slurm_cluster.py), give the grades of a one-machine `grade`.

The class: six samples of autograder/samples.py for 00_getting_started, three shards of two
(sorted ids: shard 1 correct+missing, 2 empty_file+partial, 3 malformed_json+untouched), so
that each shard's first student is graded at once and its second runs in the sandbox.
"""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
import signal
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder.cli import main as cli
from autograder.cluster import SlurmRun, write_slurm_scripts
from autograder.course import COURSE_ID, REPO_ROOT, course_paths
from autograder.release import ensure_generated
from autograder.samples import build_class
from tests.slurm_cluster import SlurmCluster, missing_requirements, wait_until

ASSIGNMENT = "00_getting_started"
STUDENTS = ["correct", "empty_file", "malformed_json", "missing", "partial", "untouched"]
SHARDS = 3
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("slurm")]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    reason = missing_requirements()
    if reason:
        pytest.skip(f"no Slurm cluster here: {reason}")
    cluster = SlurmCluster(tmp_path_factory.mktemp("slurm"), cpus=min(2, os.cpu_count() or 1))
    try:
        cluster.start()
    except Exception:
        cluster.stop()
        raise
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The class, and its one-machine grading (`grade` without --shard) in its own course."""
    root = tmp_path_factory.mktemp("class")
    paths = course_paths(root / "reference")
    release = ensure_generated(paths, ASSIGNMENT)
    everyone = root / "all"
    build_class(paths, ASSIGNMENT, release, everyone)
    submissions = root / "submissions"
    for student in STUDENTS:
        shutil.copytree(everyone / student, submissions / student)
    args = ["--course-dir", str(paths.course_dir), "grade", ASSIGNMENT, str(submissions)]
    assert cli([*args, "--workers", "2"]) == 0
    return paths.course_dir, submissions


def _course(tmp_path: Path, reference_course: Path) -> Path:
    """A fresh course directory with the reference's secret: the same hidden inputs."""
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy2(reference_course / "grader_secret", course / "grader_secret")
    return course


def _scripts(course: Path, submissions: Path, folder: Path) -> tuple[Path, Path]:
    """The doc's two scripts for this class; the kit is this checkout, with its .venv."""
    venv = REPO_ROOT / ".venv" / "bin" / "python"
    run = SlurmRun(
        assignment=ASSIGNMENT,
        submissions=submissions,
        course=course,
        kit=REPO_ROOT,
        shards=SHARDS,
        cpus=1,
        mem="512M",
        time="00:20:00",
        python=".venv/bin/python" if venv.exists() else sys.executable,
    )
    return write_slurm_scripts(run, folder)


def _gradebook(course: Path) -> list[tuple]:
    """Every grade of the assignment: (student, notebook, cell, auto score, needs manual)."""
    rows = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        for submission in gb.assignment_submissions(ASSIGNMENT):
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    rows.append(
                        (
                            submission.student_id,
                            notebook.name,
                            grade.name,
                            grade.auto_score,
                            grade.needs_manual_grade,
                        )
                    )
    return sorted(rows)


def _csv_students(course: Path) -> list[str]:
    with open(course / "grades.csv", newline="") as handle:
        return [row["student_id"] for row in csv.DictReader(handle)]


def _assert_same_as_reference(course: Path, reference_course: Path) -> None:
    assert _csv_students(course) == STUDENTS  # each once, none missing
    assert (course / "grades.csv").read_text() == (reference_course / "grades.csv").read_text()
    assert _gradebook(course) == _gradebook(reference_course)
    assert {row[0] for row in _gradebook(course)} == set(STUDENTS)
    assert sorted(p.stem for p in (course / "results" / ASSIGNMENT).glob("*.json")) == STUDENTS


def _logs(folder: Path, cluster: SlurmCluster) -> str:
    parts = [f"--- {p.name}\n{p.read_text()[-1500:]}" for p in sorted(folder.glob("slurm-*.out"))]
    return "\n".join(parts) + "\n" + cluster.logs()


def test_array_then_merge_gives_the_one_machine_grades(cluster, reference, tmp_path):
    reference_course, submissions = reference
    course = _course(tmp_path, reference_course)
    grade_script, merge_script = _scripts(course, submissions, tmp_path)

    array = cluster.sbatch(str(grade_script), cwd=tmp_path)
    merge = cluster.sbatch(f"--dependency=afterok:{array}", str(merge_script), cwd=tmp_path)
    assert cluster.wait_ended(merge) == {merge: "COMPLETED"}, _logs(tmp_path, cluster)
    assert set(cluster.states(array).values()) == {"COMPLETED"}
    assert len(cluster.states(array)) == SHARDS
    _assert_same_as_reference(course, reference_course)


def _when_result(course: Path, student: str) -> bool:
    return (course / "results" / ASSIGNMENT / f"{student}.json").exists()


def test_cancelled_and_failed_shards_are_named_then_graded_again(cluster, reference, tmp_path):
    reference_course, submissions = reference
    course = _course(tmp_path, reference_course)
    grade_script, merge_script = _scripts(course, submissions, tmp_path)
    array = cluster.sbatch(str(grade_script), cwd=tmp_path)
    merge = cluster.sbatch(f"--dependency=afterok:{array}", str(merge_script), cwd=tmp_path)

    # shard 2 is cancelled between its two students, shard 3 is killed (as by the OOM killer)
    wait_until(lambda: _when_result(course, "empty_file"), 300, "shard 2's first result")
    cluster.run("scancel", f"{array}_2")
    wait_until(lambda: _when_result(course, "malformed_json"), 300, "shard 3's first result")
    for pid in cluster.pids(cluster.task_job_id(array, 3)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    states = cluster.wait_ended(array, count=SHARDS)
    assert states == {"1": "COMPLETED", "2": "CANCELLED", "3": "FAILED"}, _logs(tmp_path, cluster)
    # mid-run: each stopped shard left its first result whole and none for its second
    assert not _when_result(course, "partial") and not _when_result(course, "untouched")

    # the merge job waits for good (afterok), and merging by hand names what is missing
    wait_until(
        lambda: cluster.jobs(merge)[0].get("Reason") == "DependencyNeverSatisfied", 60, "merge"
    )
    assert cluster.states(merge) == {merge: "PENDING"}
    by_hand = cluster.run("sbatch", "--wait", str(merge_script), cwd=tmp_path, check=False)
    assert by_hand.returncode != 0
    log = _logs(tmp_path, cluster)
    assert "shard 2/3 did not finish; no result for partial" in log
    assert "shard 3/3 did not finish; no result for untouched" in log
    assert not (course / "grades.csv").exists() and _gradebook(course) == []
    cluster.run("scancel", merge)
    # unless told to merge what exists
    assert cli(["--course-dir", str(course), "merge", ASSIGNMENT, "--partial"]) == 0
    assert _csv_students(course) == ["correct", "empty_file", "malformed_json", "missing"]

    # grading the two shards again, then merging, gives the one-machine grades
    again = cluster.sbatch("--array=2,3", str(grade_script), cwd=tmp_path)
    merge = cluster.sbatch(f"--dependency=afterok:{again}", str(merge_script), cwd=tmp_path)
    assert cluster.wait_ended(merge) == {merge: "COMPLETED"}, _logs(tmp_path, cluster)
    _assert_same_as_reference(course, reference_course)
