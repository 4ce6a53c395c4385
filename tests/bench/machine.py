"""What the numbers were measured on: machine, libraries, BLAS, environment, date."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

LIBRARIES = ("numpy", "torch", "scikit-learn", "scipy", "nbgrader", "threadpoolctl", "nbclient")
#: environment variables that change BLAS or OpenMP behaviour; recorded, never changed
ENV_VARS = (
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
)
ROOT = Path(__file__).resolve().parents[2]


def describe() -> dict:
    """Everything the report says about where and when it ran."""
    import psutil
    import scipy.linalg  # noqa: F401  (loads scipy's own BLAS, for threadpoolctl to see)
    import torch
    from threadpoolctl import threadpool_info

    cuda = torch.cuda.is_available()
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "platform": platform.platform(terse=True),
        "python": sys.version.split()[0],
        "libraries": {name: _version(name) for name in LIBRARIES},
        "threadpools": [_pool(info) for info in threadpool_info()],
        "environment": {name: os.environ.get(name) for name in ENV_VARS},
        "torch_threads": torch.get_num_threads(),
        "cuda": torch.cuda.get_device_name(0) if cuda else None,
        "commit": git_commit(),
        "load_average": _load(),
    }


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _pool(info: dict) -> dict:
    keep = ("user_api", "internal_api", "version", "architecture", "threading_layer", "num_threads")
    found = {key: info.get(key) for key in keep}
    path = Path(info.get("filepath", ""))
    found["library"] = path.name
    found["package"] = path.parent.name.removesuffix(".libs").replace("_", "-")
    if found["package"] == "lib":  # e.g. torch/lib/libgomp.so
        found["package"] = path.parent.parent.name
    return found


def git_commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def load_now() -> list[float] | None:
    """The 1, 5 and 15 minute load averages (None where the OS does not say)."""
    return _load()
