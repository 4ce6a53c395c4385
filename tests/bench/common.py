"""What every benchmark group shares: side-by-side timing, budgets, threads, report sections.

Timing is round-robin: each repetition runs every contender once, in turn, so that a
burst of load on a shared machine slows all of them alike; a comparison is the ratio of
the contenders' medians.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field


@dataclass
class Budget:
    """A stated target: ``value <= limit`` (kind "max") or ``value >= limit`` (kind "min")."""

    name: str
    value: float | None
    limit: float
    kind: str = "max"
    unit: str = "x"

    @property
    def ok(self) -> bool | None:
        """True when met, False when over budget, None when the value was not measured."""
        if self.value is None:
            return None
        return self.value <= self.limit if self.kind == "max" else self.value >= self.limit

    def target(self) -> str:
        sign = "<=" if self.kind == "max" else ">="
        return f"{sign} {_number(self.limit)}{self.unit_suffix}"

    @property
    def unit_suffix(self) -> str:
        return self.unit if self.unit == "x" else f" {self.unit}"

    def measured(self) -> str:
        return "not measured" if self.value is None else f"{_number(self.value)}{self.unit_suffix}"

    def describe(self) -> str:
        return f"{self.name}: {self.measured()} (target {self.target()})"

    def to_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok, "target": self.target(), "measured": self.measured()}


@dataclass
class Table:
    """A table of the report; cells are already formatted strings."""

    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Section:
    """One group's part of the report, and its raw measurements for the JSON file."""

    key: str
    title: str
    notes: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    budgets: list[Budget] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    seconds: float = 0.0
    error: str | None = None

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "seconds": round(self.seconds, 2),
            "error": self.error,
            "notes": self.notes,
            "warnings": self.warnings,
            "tables": [asdict(t) for t in self.tables],
            "budgets": [b.to_dict() for b in self.budgets],
            "data": self.data,
        }


def time_side_by_side(
    contenders: dict[str, Callable[[], object]], reps: int, warmup: int = 1
) -> dict[str, list[float]]:
    """Wall-clock seconds of each contender, ``reps`` times, interleaved after ``warmup`` runs.

    The garbage collector is off while timing (as in timeit); reference counting still
    frees each call's arrays as soon as they are dropped.
    """
    for fn in contenders.values():
        for _ in range(warmup):
            fn()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    was_enabled = gc.isenabled()
    gc.disable()  # as timeit does: no cycle collection inside a timed call
    try:
        for _ in range(reps):
            for name, fn in contenders.items():
                start = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - start)
    finally:
        if was_enabled:
            gc.enable()
    return times


def summary(times: list[float], scale: float = 1.0) -> dict:
    """Median, minimum and every repetition (seconds, multiplied by ``scale``)."""
    scaled = [t * scale for t in times]
    return {
        "median_s": statistics.median(scaled),
        "min_s": min(scaled),
        "reps": len(scaled),
        "times_s": [round(t, 6) for t in scaled],
    }


def median(times: list[float]) -> float:
    return statistics.median(times)


def numpy_blas() -> dict:
    """numpy's BLAS as threadpoolctl sees it (library, version, architecture, threads)."""
    import numpy  # noqa: F401  (loads the BLAS that threadpoolctl inspects)
    from threadpoolctl import threadpool_info

    blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    mine = [i for i in blas if "numpy" in i.get("filepath", "")] or blas
    return mine[0] if mine else {"internal_api": "unknown", "num_threads": 1}


@contextmanager
def torch_threads(count: int) -> Iterator[int]:
    """Run torch's CPU kernels on ``count`` threads, restoring the previous setting after."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield count
    finally:
        torch.set_num_threads(before)


def fmt_time(seconds: float | None) -> str:
    """12.3 us, 4.56 ms, 1.23 s, 95 s."""
    if seconds is None:
        return "n/a"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1.0:
        return f"{seconds * 1e3:.2f} ms"
    if seconds < 60.0:
        return f"{seconds:.2f} s"
    return f"{seconds:.0f} s"


def fmt_ratio(ratio: float | None) -> str:
    if ratio is None:
        return "n/a"
    return f"{ratio:.3g}x" if ratio < 1000 else f"{ratio:,.0f}x"


def _number(value: float) -> str:
    if float(value).is_integer() and abs(value) < 1e6:
        return str(int(value))
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
