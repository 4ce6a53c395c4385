"""``validate NOTEBOOK``: what a student runs before submitting (nbgrader's own validator).

It runs the notebook from a fresh kernel, as the Validate button of nbgrader's extension
does, and lists the visible checks that still fail and any locked cell that was changed.
Passing it does not guarantee points: the grader calls the functions on new inputs.
"""

from __future__ import annotations

import os
from pathlib import Path

from nbgrader.validator import Validator
from traitlets.config import Config

PROBLEMS = ("type_changed", "changed", "failed")


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
    return not any(validator.results.get(key) for key in PROBLEMS)
