"""What the first notebook reports about the student's environment."""

from __future__ import annotations

import platform
import sys
from importlib.metadata import PackageNotFoundError, version

PACKAGES = ("numpy", "matplotlib", "torch", "scikit-learn", "ipywidgets", "jupyterlab", "nbgrader")


def environment_report() -> dict[str, str]:
    """Versions of Python and the course's packages, and the device PyTorch will use."""
    report = {"python": sys.version.split()[0], "platform": platform.platform(terse=True)}
    for name in PACKAGES:
        try:
            report[name] = version(name)
        except PackageNotFoundError:
            report[name] = "not installed"
    try:
        from course_utils.torch_track.device import describe_device

        report["device"] = describe_device()
    except ImportError:
        report["device"] = "unknown (torch is not importable)"
    return report


def print_environment() -> dict[str, str]:
    """Print :func:`environment_report` as a small table and return it."""
    report = environment_report()
    width = max(len(key) for key in report)
    for key, value in report.items():
        print(f"{key:<{width}}  {value}")
    return report
