"""Every authored assignment: release up to date and answer-free, hidden blocks wired to their
checks; on a GPU, solution and release run in this process (on a CPU the grader's sandbox runs
them, in tests/test_grading_notebooks.py).

These tests pick up each folder of solutions/ by themselves, so a new notebook is covered
as soon as it exists.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch

from autograder.checks import load_checks
from autograder.course import course_paths
from autograder.notebook_checks import run_checks
from autograder.release import authored_assignments, generate
from course_utils.experiments.warmup import moving_average
from tests.notebook_runner import errors, execute, stderr_of

PATHS = course_paths()
ASSIGNMENTS = authored_assignments(PATHS)
SOLUTION_BLOCK = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.DOTALL)
HIDDEN_BLOCK = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.DOTALL)


def _notebooks(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.ipynb"))


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


@pytest.fixture(scope="module")
def fresh_release(tmp_path_factory):
    """Each assignment released again into a temporary folder, with a throwaway gradebook."""
    course = course_paths(tmp_path_factory.mktemp("course"))
    out = tmp_path_factory.mktemp("release")
    return {a: generate(course, a, out) for a in ASSIGNMENTS}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_committed_release_is_what_release_produces(assignment, fresh_release):
    fresh = {p.name: p.read_bytes() for p in _notebooks(fresh_release[assignment])}
    committed = {p.name: p.read_bytes() for p in _notebooks(PATHS.notebooks / assignment)}
    assert committed.keys() == fresh.keys(), "notebooks/ is stale: run `make release`"
    for name, data in fresh.items():
        assert committed[name] == data, (
            f"notebooks/{assignment}/{name} is stale: run `make release`"
        )


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_holds_no_solution_and_no_hidden_test(assignment):
    for source_path in _notebooks(PATHS.solutions / assignment):
        source = nbformat.read(source_path, as_version=4)
        released = (PATHS.notebooks / assignment / source_path.name).read_text()
        assert "BEGIN SOLUTION" not in released and "BEGIN HIDDEN TESTS" not in released
        assert "run_checks" not in released and "from autograder" not in released
        secret_lines = set()
        for cell in source.cells:
            for block in SOLUTION_BLOCK.findall(cell.source) + HIDDEN_BLOCK.findall(cell.source):
                secret_lines |= {ln.strip() for ln in block.splitlines() if len(ln.strip()) > 12}
        leaked = [line for line in secret_lines if line in released]
        assert not leaked, f"solution lines in the release: {leaked[:3]}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_committed_notebooks_carry_no_outputs(assignment):
    for folder in (PATHS.solutions / assignment, PATHS.notebooks / assignment):
        for path in _notebooks(folder):
            nb = nbformat.read(path, as_version=4)
            with_outputs = [i for i, c in enumerate(nb.cells) if c.get("outputs")]
            assert not with_outputs, f"{path.name}: outputs in cells {with_outputs}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_stubs_name_their_task(assignment):
    for path in _notebooks(PATHS.notebooks / assignment):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if _meta(cell).get("solution") and cell.cell_type == "code":
                assert "raise NotImplementedError(" in cell.source
                assert "NotImplementedError()" not in cell.source


def test_hidden_blocks_run_the_checks_of_their_own_cell():
    """Each hidden-test block of a solution calls ``run_checks`` for its own assignment and
    cell, and that cell has checks: the in-process view (a self-learner running a solution,
    or plain nbgrader) of what the sandbox scores, which tests/test_grading_notebooks.py runs."""
    call = re.compile(r'run_checks\(\s*"([^"]+)",\s*"([^"]+)",\s*globals\(\)\s*\)')
    for assignment in ASSIGNMENTS:
        checked = {c.grade_id for c in load_checks(assignment)}
        for path in _notebooks(PATHS.solutions / assignment):
            for cell in nbformat.read(path, as_version=4).cells:
                for block in HIDDEN_BLOCK.findall(cell.source):
                    gid = _meta(cell).get("grade_id")
                    assert call.findall(block) == [(assignment, gid)], f"{path.name} {gid}"
                    assert gid in checked, f"{path.name}: no checks for {gid}"
    assert call.findall('run_checks("00_x", "test_a", globals())') == [("00_x", "test_a")]


def test_run_checks_catches_a_wrong_answer_in_process():
    """``run_checks`` fails on a wrong function and passes the reference (assignment 00)."""
    run_checks("00_getting_started", "test_moving_average", {"moving_average": moving_average})
    with pytest.raises(AssertionError):
        run_checks(
            "00_getting_started",
            "test_moving_average",
            {"moving_average": lambda x, w: np.convolve(x, np.ones(w), "valid")},  # sums
        )


# On a CPU, tests/test_grading_notebooks.py executes every solution and every untouched release
# in the grader's sandbox and asserts what the two tests below assert; they run the notebooks in
# this process, on the GPU the sandbox does not expose (tests/gpu_check/run_on_cuda.sh).
ON_CUDA_ONLY = pytest.mark.skipif(
    not torch.cuda.is_available(), reason="on a CPU, test_grading_notebooks runs these notebooks"
)


@ON_CUDA_ONLY
@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_runs_clean(assignment):
    """Top to bottom without an error; graded cells (hidden checks included) quiet on stderr."""
    for path in _notebooks(PATHS.solutions / assignment):
        nb, seconds = execute(path)
        assert not errors(nb), f"{path.name} failed after {seconds:.0f} s: {errors(nb)[:3]}"
        for cell in nb.cells:
            if _meta(cell).get("grade") and cell.cell_type == "code":
                assert not stderr_of(cell), f"{_meta(cell)['grade_id']} wrote to stderr"


@ON_CUDA_ONLY
@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_release_fails_only_in_stubs(assignment):
    for path in _notebooks(PATHS.notebooks / assignment):
        nb, _ = execute(path)
        names = {name for _, name, _ in errors(nb)}
        assert names == {"NotImplementedError"}, f"{path.name}: {errors(nb)[:5]}"
