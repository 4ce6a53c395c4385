"""Execute a notebook in a real kernel for the tests, with the kit's environment."""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

#: one BLAS / OpenMP thread per kernel: the tests run kernels side by side (pytest -n), and
#: two kernels with two threads each on two cores wait on each other up to 5x longer
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def execute(path: Path, timeout: int = 180, env: dict | None = None) -> tuple:
    """Run every cell (errors allowed) and return (executed notebook, seconds)."""
    nb = nbformat.read(path, as_version=4)
    saved = dict(os.environ)
    os.environ.update({"NBGRADER_EXECUTION": "autograde", "MPLBACKEND": "Agg", **ONE_THREAD})
    os.environ.update(env or {})
    try:
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(path.parent)}},
        )
        start = time.monotonic()
        client.execute()
        return nb, time.monotonic() - start
    finally:
        os.environ.clear()
        os.environ.update(saved)


def errors(nb) -> list[tuple[int, str, str]]:
    """(cell index, exception name, message) of every error output."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                found.append((index, output.ename, output.evalue[:200]))
    return found


def stderr_of(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stderr")
