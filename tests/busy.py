"""Run a command while busy processes hold the CPUs: the tests must hold on a loaded machine.

    python -m tests.busy 2 -- python -m pytest tests/test_browser.py

starts two processes that spin at full speed (plain arithmetic, no I/O), runs the command,
then stops them; each spinner also stops by itself after ``--max-seconds`` (default 1800),
so nothing outlives a killed run. The exit status is the command's. `make test-busy` uses it.
"""

from __future__ import annotations

import argparse
import multiprocessing
import subprocess
import sys
import time


def spin(seconds: float) -> None:
    """Keep one CPU busy for ``seconds`` (or until terminated)."""
    deadline = time.monotonic() + seconds
    x = 0
    while time.monotonic() < deadline:
        for i in range(100_000):
            x = (x * 31 + i) % 1_000_003


def run_loaded(command: list[str], spinners: int, max_seconds: float) -> int:
    """Run ``command`` with ``spinners`` busy processes beside it; its exit status."""
    spawn = multiprocessing.get_context("spawn")  # no fork of a threaded process (pytest's)
    workers = [
        spawn.Process(target=spin, args=(max_seconds,), daemon=True) for _ in range(spinners)
    ]
    for worker in workers:
        worker.start()
    try:
        return subprocess.run(command).returncode
    finally:
        for worker in workers:
            worker.terminate()
            worker.join(timeout=5)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--" not in argv:
        raise SystemExit("usage: python -m tests.busy N [--max-seconds S] -- COMMAND ...")
    split = argv.index("--")
    parser = argparse.ArgumentParser(prog="python -m tests.busy")
    parser.add_argument("spinners", type=int, help="how many CPUs to keep busy")
    parser.add_argument("--max-seconds", type=float, default=1800.0)
    args = parser.parse_args(argv[:split])
    command = argv[split + 1 :]
    if not command:
        raise SystemExit("no command after --")
    print(f"running with {args.spinners} busy processes: {' '.join(command)}", flush=True)
    return run_loaded(command, args.spinners, args.max_seconds)


if __name__ == "__main__":
    sys.exit(main())
