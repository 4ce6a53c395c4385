"""Record the PyTorch track's benchmark, measured on a CUDA machine, in docs/.

    python -m tests.bench.record_cuda PATH/benchmarks.json

PATH/benchmarks.json is what ``tests/gpu_check/run_on_cuda.sh`` writes on the CUDA machine
(``python -m tests.bench --only torch``). Its torch section and machine description are
kept as docs/benchmarks_cuda.json, and docs/benchmarks.md is rendered again from
docs/benchmarks.json with a "PyTorch track on CUDA" section, so the CPU figures of the last
``make bench`` and the last GPU figures stand side by side (a later ``make bench`` on a
machine without CUDA keeps the record).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tests.bench.machine import git_commit
from tests.bench.report import CUDA_RECORD, markdown

ROOT = Path(__file__).resolve().parents[2]


class NotACudaReport(ValueError):
    """The file is not a benchmark report of the torch group measured on CUDA."""


def cuda_record(report: dict) -> dict:
    """The part of a device's benchmark report that docs/ keeps.

    Raises NotACudaReport, naming what is missing, for a report measured without CUDA,
    without the torch group, or whose torch group failed.
    """
    machine = report.get("machine") or {}
    if not machine.get("cuda"):
        raise NotACudaReport("the report was measured without CUDA (machine.cuda is empty)")
    sections = {s.get("key"): s for s in report.get("sections", [])}
    torch_section = sections.get("torch")
    if torch_section is None:
        raise NotACudaReport("the report has no torch section (run `tests.bench --only torch`)")
    if torch_section.get("error"):
        last = torch_section["error"].strip().splitlines()[-1]
        raise NotACudaReport(f"the torch group failed on the device: {last}")
    if not (torch_section.get("data") or {}).get("cuda"):
        raise NotACudaReport("the torch group did not run on CUDA")
    machine = {**machine, "commit": machine.get("commit") or git_commit()}
    return {"machine": machine, "run": report.get("run", {}), "section": torch_section}


def record(report_path: Path, docs: Path = ROOT / "docs") -> tuple[Path, Path]:
    """Write docs/benchmarks_cuda.json from ``report_path``; render docs/benchmarks.md again."""
    kept = cuda_record(json.loads(Path(report_path).read_text()))
    record_path = docs / CUDA_RECORD
    record_path.write_text(json.dumps(kept, indent=1, default=str) + "\n")
    md_path = docs / "benchmarks.md"
    md_path.write_text(markdown(json.loads((docs / "benchmarks.json").read_text()), kept))
    return record_path, md_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.record_cuda", description=__doc__)
    parser.add_argument("report", type=Path, help="benchmarks.json written on the CUDA machine")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs", help="default: docs/")
    args = parser.parse_args(argv)
    try:
        record_path, md_path = record(args.report, args.docs)
    except (NotACudaReport, OSError, json.JSONDecodeError) as error:
        print(f"record_cuda: {args.report}: {error}", file=sys.stderr)
        return 2
    print(f"recorded {record_path} and rendered {md_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
