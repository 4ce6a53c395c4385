"""The PyTorch track's own benchmark: images/s and tokens/s, fp32 and mixed precision.

``python -m course_utils.torch_track.bench [--quick] --json PATH`` runs in a child process
(its own CUDA context and thread settings). On CUDA the full benchmark runs (``--quick``
under the bench's quick mode); on the CPU its ``--quick`` figures (its own thread setting)
are reported as context.
Where the module does not exist yet, the section says "not available".
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

from tests.bench.common import Section, Table

MODULE = "course_utils.torch_track.bench"
TIMEOUT_S = 600


def available() -> bool:
    try:
        return importlib.util.find_spec(MODULE) is not None
    except ModuleNotFoundError:
        return False


def run(quick: bool = False) -> Section:
    cuda = torch.cuda.is_available()
    device = torch.cuda.get_device_name(0) if cuda else "CPU"
    section = Section("torch", "PyTorch track (course_utils.torch_track.bench)")
    section.data = {"cuda": cuda, "device": device, "available": available()}
    if not available():
        section.notes.append(f"not available: {MODULE} does not exist in this checkout.")
        return section
    args = ["--quick"] if quick or not cuda else []
    with tempfile.TemporaryDirectory(prefix="bench-torch-") as tmp:
        out = Path(tmp) / "torch_bench.json"
        command = [sys.executable, "-m", MODULE, *args, "--json", str(out)]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
        )
        result = json.loads(out.read_text()) if out.exists() else None
    section.data.update({"command": " ".join(["python", "-m", MODULE, *args]), "result": result})
    section.data["stdout_tail"] = done.stdout[-4000:]
    if done.returncode != 0 or result is None:
        section.error = f"{MODULE} exited with {done.returncode}: {done.stderr[-1500:]}"
        return section
    where = f"CUDA: {device}" if cuda else "no CUDA: the track's --quick CPU figures, as context"
    section.notes.append(f"{where}; command: `{section.data['command']}`.")
    notes, tables = render(result)
    for table in tables:
        table.title = "Throughput" if table.title == "rows" else table.title
    section.notes += notes
    section.tables += tables
    return section


def render(result, title: str = "results") -> tuple[list[str], list[Table]]:
    """Notes and tables for the track's JSON: scalars and flat dicts become note lines
    ("config: batch_size=8, ..."), a "notes" list becomes notes, lists of records and
    dicts of records become tables; anything nested deeper is rendered the same way."""
    if isinstance(result, list):
        return _render_list(result, title)
    if not isinstance(result, dict):
        return ([f"{title}: {_cell(result)}"] if result is not None else []), []
    notes, tables = [], []
    inline = [k for k, v in result.items() if _flat(v) and not (k == "notes" and _nested(v))]
    if inline:
        notes.append("; ".join(f"{k}: {_cell(result[k])}" for k in inline))
    for key, value in result.items():
        if key in inline:
            continue
        if isinstance(value, dict) and all(_flat(v) for v in value.values()):
            notes.append(f"{key}: " + ", ".join(f"{k}={_cell(v)}" for k, v in value.items()))
        elif isinstance(value, dict) and all(_is_record(v) for v in value.values()):
            headers = ["name", *dict.fromkeys(k for v in value.values() for k in v)]
            rows = [[name, *(_cell(v.get(h)) for h in headers[1:])] for name, v in value.items()]
            tables.append(Table(key, headers, rows))
        else:
            more_notes, more_tables = render(value, key)
            notes += more_notes
            tables += more_tables
    return notes, tables


def _render_list(items: list, title: str) -> tuple[list[str], list[Table]]:
    if items and all(_is_record(r) for r in items):
        headers = list(dict.fromkeys(k for r in items for k in r))
        return [], [Table(title, headers, [[_cell(r.get(h)) for h in headers] for r in items])]
    if all(not _nested(v) for v in items):
        if title == "notes":
            return [_cell(v) for v in items], []
        return [f"{title}: {_cell(items)}"], []
    notes, tables = [], []
    for index, item in enumerate(items):
        more_notes, more_tables = render(item, f"{title} [{index}]")
        notes += more_notes
        tables += more_tables
    return notes, tables


def _nested(value) -> bool:
    return isinstance(value, (dict, list))


def _flat(value) -> bool:
    """A scalar, or a list of scalars (shown inline)."""
    return not _nested(value) or (isinstance(value, list) and not any(map(_nested, value)))


def _is_record(value) -> bool:
    return isinstance(value, dict) and all(_flat(v) for v in value.values())


def _cell(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_cell(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    return "" if value is None else str(value)
