"""Every solution notebook's execution time against its 90-second budget.

The notebooks are found when the bench runs (``solutions/*/*.ipynb``), so new ones are
covered as soon as they exist. Each is executed as tests/notebook_runner.py does: a real
``python3`` kernel, ``NBGRADER_EXECUTION=autograde``, the Agg backend, the notebook's
folder as working directory, errors allowed; the time runs from kernel start to the last
cell. Unlike the tests, which run kernels side by side on one BLAS thread each, the bench
runs one notebook at a time with the libraries' default thread counts, as a student's
machine would. A notebook still running at twice its budget is stopped there.
"""

from __future__ import annotations

import asyncio
import os
import time
from datetime import datetime
from pathlib import Path
from subprocess import DEVNULL

import nbformat
from nbclient import NotebookClient

from tests.bench.common import Budget, Section, Table, fmt_time
from tests.notebook_runner import errors

ROOT = Path(__file__).resolve().parents[2]
BUDGET_S = 90.0
STOP_AFTER_S = 2 * BUDGET_S


def discover(root: Path = ROOT) -> list[Path]:
    """The solution notebooks present now, in course order (folder names sort that way)."""
    return sorted((root / "solutions").glob("*/*.ipynb"))


def run(quick: bool = False) -> Section:
    found = discover()
    chosen = found[:1] if quick else found
    section = Section("notebooks", "Solution notebooks against their 90 s budget")
    section.notes += [
        "Executed one at a time, once each, like tests/notebook_runner.py "
        "(NBGRADER_EXECUTION=autograde, MPLBACKEND=Agg) but with the default thread counts; "
        f"stopped at {STOP_AFTER_S:.0f} s.",
        f"Found {len(found)} solution notebooks at run time"
        + (f"; quick mode runs only {chosen[0].name}." if quick and chosen else "."),
    ]
    table = Table("Execution time", ["notebook", "time", "budget", "slowest cell", "status"])
    section.data["notebooks"] = {}
    for path in chosen:
        info = execute(path)
        name = str(path.relative_to(ROOT))
        section.data["notebooks"][name] = info
        status = _status(info)
        if status != "ok":
            section.warnings.append(f"{name}: {status}")
        slowest = info["slowest_cell"]
        slow = (
            f"cell {slowest[0] + 1} of {info['cells']} ({fmt_time(slowest[1])})"
            if slowest
            else "n/a"
        )
        table.rows.append([name, fmt_time(info["seconds"]), f"{BUDGET_S:.0f} s", slow, status])
        section.budgets.append(Budget(f"notebook {name}", info["seconds"], BUDGET_S, unit="s"))
    section.tables.append(table)
    return section


def execute(path: Path, stop_after: float = STOP_AFTER_S) -> dict:
    """Run every cell of the notebook; return its time, errors and slowest cell."""
    nb = nbformat.read(path, as_version=4)
    saved = dict(os.environ)
    os.environ.update({"NBGRADER_EXECUTION": "autograde", "MPLBACKEND": "Agg"})
    try:
        client = NotebookClient(
            nb,
            timeout=int(stop_after),
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(path.parent)}},
        )
        start = time.monotonic()
        stopped, failure = False, None
        try:  # the kernel's own stderr (a TCP warning per start) is dropped
            asyncio.run(asyncio.wait_for(client.async_execute(stderr=DEVNULL), stop_after))
        except asyncio.TimeoutError:
            stopped = True
        except Exception as exc:  # a dead kernel: reported, the other notebooks still run
            failure = f"{type(exc).__name__}: {str(exc)[:200]}"
        seconds = time.monotonic() - start
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return {
        "seconds": seconds,
        "stopped": stopped,
        "failure": failure,
        "cells": len(nb.cells),
        "errors": [list(e) for e in errors(nb)],
        "slowest_cell": _slowest_cell(nb),
    }


def _status(info: dict) -> str:
    if info["stopped"]:
        return f"stopped after {info['seconds']:.0f} s"
    if info["failure"]:
        return f"failed: {info['failure']}"
    if info["errors"]:
        index, name, message = info["errors"][0]
        count = len(info["errors"])
        return f"{count} cell error(s), first in cell {index + 1}: {name} {message[:80]}"
    return "ok"


def _slowest_cell(nb) -> list | None:
    """[index (0-based), seconds] of the slowest cell, from nbclient's timing metadata."""
    best = None
    for index, cell in enumerate(nb.cells):
        timing = cell.get("metadata", {}).get("execution", {})
        began, ended = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
        if not (began and ended):
            continue
        seconds = (_parse(ended) - _parse(began)).total_seconds()
        if best is None or seconds > best[1]:
            best = [index, seconds]
    return best


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
