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


@pytest.fixture
def torch_state():
    """One torch thread (the tests' models are tiny), torch's global seed 0, and its thread
    count and random state restored afterwards: no test sees another's torch state."""
    import torch  # here, not at the top: most test files never need torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        yield
    torch.set_num_threads(threads)
