"""The suite's shared fixtures rely on pytest-xdist's `--dist loadgroup`: every test of an
`xdist_group` runs in one worker, so a module's class (tests/test_grading_samples.py, the hub,
Slurm) is built once. pytest 9.2 renamed the attribute xdist 3.8 rewrites, and the groups were
silently ignored: the sample class was graded twice and `make test` took minutes longer. This
test runs a small grouped module the way the Makefile runs the suite and fails if the group is
split across workers.
"""

from __future__ import annotations

import re
import subprocess
import sys

GROUPED = """
import pytest
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("one")]

@pytest.mark.parametrize("i", range(8))
def test_grouped(i):
    pass
"""
LOOSE = """
import pytest

@pytest.mark.parametrize("i", range(8))
def test_loose(i):
    pass
"""


def test_an_xdist_group_runs_in_one_worker(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers = slow\n")
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    (tmp_path / "test_loose.py").write_text(LOOSE)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-n",
            "2",
            "--dist",
            "loadgroup",
            "-v",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    workers = re.findall(r"\[(gw\d+)\].*PASSED test_grouped\.py", run.stdout)
    assert len(workers) == 8, run.stdout
    assert len(set(workers)) == 1, f"group split across {sorted(set(workers))}:\n{run.stdout}"
