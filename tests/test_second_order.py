"""Tests of course_utils.experiments.second_order: the iteration counts 06's table shows."""

from __future__ import annotations

import pytest

from course_utils.experiments.second_order import compare_methods, format_table

pytestmark = pytest.mark.numerics  # run under forced BLAS kernels: tests/portability.py


@pytest.fixture(scope="module")
def tables():
    return {name: compare_methods(name, repeats=1) for name in ("bowl", "rosenbrock")}


def test_every_method_reaches_the_minimum(tables):
    for rows in tables.values():
        assert [r["method"].split(" ")[0] for r in rows] == [
            "gradient",
            "Newton",
            "L-BFGS",
            "conjugate",
        ]
        for row in rows:
            assert row["distance"] < 1e-6 and row["seconds"] >= 0


def test_second_order_methods_need_far_fewer_iterations(tables):
    bowl = {r["method"].split(" ")[0]: r["iterations"] for r in tables["bowl"]}
    rosen = {r["method"].split(" ")[0]: r["iterations"] for r in tables["rosenbrock"]}
    assert bowl["Newton"] == 1  # a quadratic: one Newton step
    assert bowl["conjugate"] <= 3  # CG on a 2-D quadratic: two directions (and a check)
    assert rosen["Newton"] <= 10 and rosen["L-BFGS"] <= 100 and rosen["conjugate"] <= 100
    for counts in (bowl, rosen):
        for method in ("Newton", "L-BFGS", "conjugate"):
            assert counts["gradient"] > 10 * counts[method]
    assert rosen["gradient"] > 5000


def test_format_table(tables):
    text = format_table(tables)
    assert len(text.splitlines()) == 5 and "bowl" in text and "rosenbrock" in text
