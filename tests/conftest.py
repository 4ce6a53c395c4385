"""Shared fixtures: explicit random generators and the repository's paths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh, seeded generator per test (tests never share global random state)."""
    return np.random.default_rng(231)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT
