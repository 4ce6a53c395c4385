"""Batch scripts for grading a class on a cluster, rendered from ``cluster_templates/``.

``python -m autograder cluster-script slurm ...`` writes them; docs/CLUSTER.md shows them
as rendered for its example (a test compares the two), and the Slurm test submits them to
a real one-node cluster.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "cluster_templates"
SLURM_DURATION = re.compile(r"^(\d+-)?\d{1,2}(:\d{2}){0,2}$")
SLURM_MEMORY = re.compile(r"^\d+[KMGT]?$")


@dataclass(frozen=True)
class SlurmRun:
    """What a sharded grading run on Slurm needs; paths as the compute nodes see them."""

    assignment: str
    submissions: Path
    course: Path
    kit: Path
    shards: int
    cpus: int = 4
    mem: str = "16G"
    time: str = "01:00:00"
    python: str = ".venv/bin/python"

    @property
    def grade_script(self) -> str:
        return f"grade-{self.assignment}.sh"

    @property
    def merge_script(self) -> str:
        return f"merge-{self.assignment}.sh"

    def check(self) -> None:
        """Raise ValueError for a value Slurm would reject or misread."""
        if self.shards < 1 or self.cpus < 1:
            raise ValueError(f"--shards and --cpus must be at least 1 ({self.shards}, {self.cpus})")
        if not SLURM_MEMORY.match(self.mem):
            raise ValueError(f"--mem {self.mem!r}: use a number with K, M, G or T, e.g. 16G")
        if not SLURM_DURATION.match(self.time):
            raise ValueError(f"--time {self.time!r}: use [days-]hours:minutes:seconds")


def render(template: str, run: SlurmRun) -> str:
    """The text of one template with the run's values, paths quoted for the shell."""
    text = (TEMPLATES / template).read_text()
    values = {
        "assignment": run.assignment,
        "shards": run.shards,
        "cpus": run.cpus,
        "mem": run.mem,
        "time": run.time,
        "kit": shlex.quote(str(run.kit)),
        "course": shlex.quote(str(run.course)),
        "submissions": shlex.quote(str(run.submissions)),
        "python": shlex.quote(run.python),
        "grade_script": run.grade_script,
        "merge_script": run.merge_script,
    }
    return text.format(**values)


def slurm_scripts(run: SlurmRun) -> dict[str, str]:
    """{file name: text} of the array job that grades the shards and of the merge job."""
    run.check()
    return {
        run.grade_script: render("slurm-grade.sh", run),
        run.merge_script: render("slurm-merge.sh", run),
    }


def write_slurm_scripts(run: SlurmRun, folder: Path) -> tuple[Path, Path]:
    """Write both scripts (executable) into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in slurm_scripts(run).items():
        path = folder / name
        path.write_text(text)
        path.chmod(0o755)
        written.append(path)
    return written[0], written[1]
