"""``validate NOTEBOOK``: what a student runs before submitting (nbgrader's own validator).

It runs the notebook from a fresh kernel, as the Validate button of nbgrader's extension
does, and lists the visible checks that still fail and any locked cell that was changed.
Passing it does not guarantee points: the grader calls the functions on new inputs.
"""

from __future__ import annotations

import os
from pathlib import Path

from traitlets.config import Config

PROBLEMS = ("type_changed", "changed", "failed")


def validate_notebook(path: Path, cell_timeout: int = 120) -> bool:
    """Print nbgrader's validation report for ``path``; True when nothing fails."""
    from nbgrader.validator import Validator

    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist")
    config = Config()
    config.ExecutePreprocessor.timeout = cell_timeout
    os.environ.setdefault("NBGRADER_EXECUTION", "validate")
    validator = Validator(config=config)
    results = validator.validate(str(path.resolve()))
    if not any(results.get(key) for key in PROBLEMS):
        print(f"{path.name}: every visible check passes. Submit it when you are ready.")
        return True
    validator.validate_and_print(str(path.resolve()))
    return False
