"""Student side of grading: run one submission's notebook in a real kernel, then harvest.

This script runs inside the sandbox (autograder/sandbox.py) with only the venv, the
student's bundle of course_utils and its job folder visible. It imports nothing of the
autograder except the sibling ``harvest.py`` that was copied beside it, and writes:

- ``out/executed.ipynb``: the notebook with its outputs (capped in size);
- ``out/case_<i>.npz`` and ``out/harvest.jsonl``: the harvested outputs;
- ``out/run.json``: which cells failed, timed out or crashed the kernel.

A cell that kills the kernel (``os._exit``, a segfault) is skipped and the notebook is run
again from the top in a fresh kernel, up to ``--max-crashes`` times.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

# jsonschema (imported by nbformat) imports rfc3987_syntax where it is installed (jupyter-events
# wants it), which builds a grammar at import time: about 1.2 s of CPU in every sandboxed run,
# for a format check (IRIs) that no notebook schema uses. Marked absent, jsonschema skips it.
sys.modules.setdefault("rfc3987_syntax", None)

import nbformat  # noqa: E402
from jupyter_client.manager import AsyncKernelManager  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import DeadKernelError  # noqa: E402

MAX_CELL_OUTPUT_CHARS = 200_000
MAX_TOTAL_OUTPUT_CHARS = 4_000_000
TRUNCATED = "\n[output truncated by the grader]\n"


class CappedClient(NotebookClient):
    """A NotebookClient that keeps at most a fixed amount of output per cell and in total."""

    def __init__(self, nb, **kwargs):
        super().__init__(nb, **kwargs)
        self.used_by_cell: dict[int, int] = {}
        self.used_total = 0
        self.truncated: set[int] = set()

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get("content", {}), default=str))
        used = self.used_by_cell.get(cell_index, 0)
        if used + size > MAX_CELL_OUTPUT_CHARS or self.used_total + size > MAX_TOTAL_OUTPUT_CHARS:
            if cell_index not in self.truncated:
                self.truncated.add(cell_index)
                outs.append(nbformat.v4.new_output("stream", name="stdout", text=TRUNCATED))
            return None
        self.used_by_cell[cell_index] = used + size
        self.used_total += size
        return super().output(outs, msg, display_id, cell_index)


def _client(nb, workdir: str, cell_timeout: int) -> CappedClient:
    # IPC sockets: the kernel talks to this process without any network, even loopback
    km = AsyncKernelManager(kernel_name="python3", transport="ipc")
    return CappedClient(
        nb,
        km=km,
        timeout=cell_timeout,
        interrupt_on_timeout=True,
        error_on_timeout={
            "ename": "CellTimeoutError",
            "evalue": f"the cell ran longer than {cell_timeout} s; the grader interrupted it",
            "traceback": [],
        },
        allow_errors=True,
        kernel_name="python3",
        skip_cells_with_tag="\0never-skip",
        record_timing=False,
        resources={"metadata": {"path": workdir}},
    )


def _harvest_source(grader_dir: str, out_dir: str, case_seconds: float) -> str:
    harvest = os.path.join(grader_dir, "harvest.py")
    cases = os.path.join(grader_dir, "cases.json")
    inputs = os.path.join(grader_dir, "inputs.npz")
    return (
        "import runpy as _grader_runpy\n"
        f"_grader_runpy.run_path({harvest!r})['harvest']("
        f"globals(), {cases!r}, {inputs!r}, {out_dir!r}, {case_seconds!r})\n"
    )


def run_notebook(nb, workdir: str, cell_timeout: int, harvest_source: str, max_crashes: int):
    """Execute ``nb`` (in place) then the harvest; return the run report (a dict)."""
    skipped: list[int] = []
    report = {"crashed_cells": skipped, "error_cells": [], "timeout_cells": [], "harvested": False}
    while True:
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        client = _client(nb, workdir, cell_timeout)
        current = None
        try:
            with client.setup_kernel():
                for index, cell in enumerate(nb.cells):
                    if cell.cell_type != "code" or index in skipped:
                        continue
                    current = index
                    client.execute_cell(cell, index)
                current = None
                client.timeout = None
                nb.cells.append(nbformat.v4.new_code_cell(harvest_source))
                try:
                    client.execute_cell(nb.cells[-1], len(nb.cells) - 1)
                finally:
                    harvest_cell = nb.cells.pop()
                report["harvested"] = True
                report["harvest_errors"] = _errors(harvest_cell.outputs)
            break
        except DeadKernelError:
            if current is None or len(skipped) >= max_crashes:
                report["harvest_crashed"] = current is None
                break
            skipped.append(current)
    report["error_cells"], report["timeout_cells"] = _failed_cells(nb)
    report["error_names"] = _error_names(nb)
    report["truncated_cells"] = sorted(client.truncated)
    return report


def _errors(outputs) -> list[str]:
    return [
        f"{o.get('ename')}: {o.get('evalue')}"[:300] for o in outputs if o.output_type == "error"
    ]


def _error_names(nb) -> list[str]:
    names = {
        str(output.get("ename"))[:60]
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    }
    return sorted(names)


def _failed_cells(nb) -> tuple[list[int], list[int]]:
    errors, timeouts = [], []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                timed_out = output.get("ename") in ("CellTimeoutError", "KeyboardInterrupt")
                (timeouts if timed_out else errors).append(index)
                break
    return errors, timeouts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook")
    parser.add_argument("--grader-dir", required=True)
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--cell-timeout", type=int, default=60)
    parser.add_argument("--case-seconds", type=float, default=20.0)
    parser.add_argument("--max-crashes", type=int, default=2)
    args = parser.parse_args(argv)

    start = time.monotonic()
    nb = nbformat.read(args.notebook, as_version=4)
    harvest_source = _harvest_source(args.grader_dir, args.out_dir, args.case_seconds)
    workdir = os.path.dirname(os.path.abspath(args.notebook))
    report = run_notebook(nb, workdir, args.cell_timeout, harvest_source, args.max_crashes)
    report["seconds"] = round(time.monotonic() - start, 2)
    nbformat.write(nb, os.path.join(args.out_dir, "executed.ipynb"))
    with open(os.path.join(args.out_dir, "run.json"), "w", encoding="utf-8") as handle:
        json.dump(report, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
