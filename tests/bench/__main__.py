"""``python -m tests.bench [--quick] [--only knn,conv,...] [--out DIR] [--strict]``.

Runs the groups in order, prints each one's results as it finishes, writes
benchmarks.json and benchmarks.md, and ends with one plain line per budget that was
exceeded ("OVER BUDGET: ...") and per group that failed ("ERROR: ...").

The committed report (docs/) is written only by a full run of every group; ``--quick``
and ``--only`` runs go to .bench/ unless ``--out`` says otherwise.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from pathlib import Path

from tests.bench import GROUPS
from tests.bench.common import Budget, Section
from tests.bench.machine import describe, load_now
from tests.bench.report import payload, section_lines, write

ROOT = Path(__file__).resolve().parents[2]
#: the whole suite's wall-clock budget, seconds, by mode
SUITE_BUDGET_S = {"full": 15 * 60.0, "quick": 2 * 60.0}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench",
        description="Measure the kit against its peers and its budgets.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, few repetitions (< 2 min)"
    )
    parser.add_argument(
        "--only",
        type=_groups,
        default=None,
        help=f"comma-separated groups to run, of: {','.join(GROUPS)}",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder for benchmarks.md/json (default: docs/ for a full run of every group, "
        "else .bench/)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 2 when a budget is exceeded"
    )
    return parser.parse_args(argv)


def _groups(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in GROUPS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown group(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(GROUPS)}"
        )
    return [n for n in GROUPS if n in names]


def chosen_groups(args: argparse.Namespace) -> list[str]:
    """The groups of --only, in the order they run; every group without it."""
    return args.only or list(GROUPS)


def default_out(args: argparse.Namespace, groups: list[str]) -> Path:
    """--out, else docs/ for a full run of every group, else .bench/ (git-ignored)."""
    if args.out:
        return args.out
    complete = not args.only and groups == list(GROUPS)
    return ROOT / "docs" if complete and not args.quick else ROOT / ".bench"


def run_group(name: str, quick: bool) -> Section:
    start = time.perf_counter()
    try:
        module = importlib.import_module(f"tests.bench.{GROUPS[name]}")
        section = module.run(quick=quick)
    except Exception:  # a failed group is reported, the others still run
        section = Section(name, name, error=traceback.format_exc())
    section.seconds = time.perf_counter() - start
    return section


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    mode = "quick" if args.quick else "full"
    groups = chosen_groups(args)
    out = default_out(args, groups)
    machine = describe()
    print(
        f"benchmarks ({mode} mode): {', '.join(groups)}; {machine['cpu']}, "
        f"{machine['usable_cores']} cores",
        flush=True,
    )
    start = time.perf_counter()
    sections = []
    for name in groups:
        print(f"\n== {name} ==", flush=True)
        section = run_group(name, args.quick)
        sections.append(section)
        print("\n".join(section_lines(section.to_dict())), flush=True)
    seconds = time.perf_counter() - start
    suite = []
    if set(groups) == set(GROUPS):
        suite.append(Budget(f"whole bench ({mode} mode)", seconds, SUITE_BUDGET_S[mode], unit="s"))
    command = "python -m tests.bench" + (" " + " ".join(argv) if argv else _argv_text())
    run = {
        "mode": mode,
        "groups": groups,
        "seconds": seconds,
        "command": command,
        "load_average_end": load_now(),
    }
    report = payload(sections, machine, run, suite)
    json_path, md_path = write(report, out)
    print(f"\nwrote {md_path} and {json_path.name} ({seconds:.0f} s)")
    prefix = "OVER BUDGET (quick mode, indicative)" if args.quick else "OVER BUDGET"
    for line in report["over_budget"]:
        print(f"{prefix}: {line}")
    for line in report["errors"]:
        print(f"ERROR: {line}")
    if report["errors"]:
        return 1
    return 2 if args.strict and report["over_budget"] else 0


def _argv_text() -> str:
    return (" " + " ".join(sys.argv[1:])) if sys.argv[1:] else ""


if __name__ == "__main__":
    sys.exit(main())
