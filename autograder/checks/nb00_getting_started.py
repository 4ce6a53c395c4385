"""What 00_getting_started grades: the two vectorisation warm-ups."""

from __future__ import annotations

import numpy as np

from autograder.spec import Check, call, case
from course_utils.experiments.warmup import moving_average, standardize


def _moving_average_cases(rng: np.random.Generator):
    n = int(rng.integers(20, 40))
    return [
        case("a long series, window 3", call("moving_average", rng.normal(size=n), 3)),
        case("window of 1", call("moving_average", rng.normal(size=7), 1)),
        case("window as long as x", call("moving_average", rng.normal(size=9), 9)),
        case("large values", call("moving_average", 1e6 + rng.normal(size=n), 5)),
    ]


def _standardize_cases(rng: np.random.Generator):
    constant = rng.normal(size=(6, 3))
    constant[:, 1] = 4.0
    return [
        case("a tall matrix", call("standardize", rng.normal(2.0, 3.0, size=(50, 4)))),
        case("a wide matrix", call("standardize", rng.normal(size=(5, 12)))),
        case("a constant column", call("standardize", constant)),
    ]


CHECKS = [
    Check(
        grade_id="test_moving_average",
        function="moving_average",
        reference={"moving_average": moving_average},
        cases=_moving_average_cases,
        tol=1e-6,
        names={"s0.out": "the moving average"},
    ),
    Check(
        grade_id="test_standardize",
        function="standardize",
        reference={"standardize": standardize},
        cases=_standardize_cases,
        tol=1e-8,
        names={"s0.out": "the standardized matrix"},
    ),
]
