"""``validate NOTEBOOK``: what a student runs before submitting (nbgrader's own validator).

It runs the notebook from a fresh kernel, as the Validate button of nbgrader's extension
does, and lists the visible checks that still fail and any locked cell that was changed.
Passing it does not guarantee points: the grader calls the functions on new inputs.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from nbgrader.validator import Validator
from traitlets.config import Config

PROBLEMS = ("type_changed", "changed", "failed")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class _ValidateOnce(Validator):
    """Keeps the results of its one run (validate_and_print does not return them)."""

    results: dict = {}

    def validate(self, filename):
        self.results = super().validate(filename)
        return self.results


def validate_notebook(path: Path, cell_timeout: int = 120) -> bool:
    """Print nbgrader's validation report for ``path``; True when nothing fails."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist")
    config = Config()
    config.ExecutePreprocessor.timeout = cell_timeout
    if os.name == "posix":  # local sockets: no open TCP port, no "unencrypted TCP" warning
        config.KernelManager.transport = "ipc"
    os.environ.setdefault("NBGRADER_EXECUTION", "validate")
    validator = _ValidateOnce(config=config)
    validator.validate_and_print(str(path.resolve()))  # nbgrader's wording, as in the lab
    _print_reasons(validator.results.get("failed", []))
    return not any(validator.results.get(key) for key in PROBLEMS)


def _print_reasons(failed: list[dict]) -> None:
    """The whole last line of each failed check (nbgrader cuts lines at 80 characters, and the
    likely cause a visible check names comes at the end)."""
    reasons = [_last_error_line(item.get("raw_error", "")) for item in failed]
    reasons = [r for r in reasons if r]
    if reasons:
        print("\nWhy the checks failed:")
        for reason in reasons:
            print(f"  - {reason}")


def _last_error_line(error: str) -> str:
    lines = [ANSI.sub("", line).strip() for line in error.splitlines()]
    found = [line for line in lines if re.match(r"^[A-Za-z]*(Error|Exception)\b.*: ", line)]
    return found[-1] if found else ""
