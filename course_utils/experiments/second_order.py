"""Second-order methods against gradient descent on 06's surfaces: Newton's method, L-BFGS and
nonlinear conjugate gradient (scipy.optimize's implementations), iterations and wall time.

Example::

    rows = compare_methods("rosenbrock")
    print(format_table(rows))
"""

from __future__ import annotations

import time

import numpy as np
from scipy.optimize import minimize

from course_utils.experiments.optimizer_race import (
    Surface,
    distance_to_minimum,
    get_surface,
    gradient_at,
)

#: gradient descent's learning rate on each surface: near the largest stable one at the start
GD_LEARNING_RATES = {"bowl": 0.09, "rosenbrock": 1.5e-3}


def _gradient_descent(surface: Surface, lr: float, tol: float, max_iter: int):
    w = np.array(surface.start, dtype=np.float64)
    for k in range(max_iter):
        if distance_to_minimum(surface, w) < tol:
            return w, k
        w = w - lr * gradient_at(surface, w)
    return w, max_iter


def _newton(surface: Surface, tol: float, max_iter: int):
    w = np.array(surface.start, dtype=np.float64)
    for k in range(max_iter):
        if distance_to_minimum(surface, w) < tol:
            return w, k
        w = w - np.linalg.solve(surface.hessian(w[0], w[1]), gradient_at(surface, w))
    return w, max_iter


def _scipy(surface: Surface, method: str, tol: float, max_iter: int):
    def fun(w):
        return float(surface.value(w[0], w[1]))

    def jac(w):
        return gradient_at(surface, w)

    result = minimize(
        fun,
        np.array(surface.start, dtype=np.float64),
        jac=jac,
        method=method,
        options={"maxiter": max_iter, "gtol": tol * 1e-3},
    )
    return result.x, int(result.nit)


def compare_methods(
    surface: str | Surface, tol: float = 1e-6, max_iter: int = 100_000, repeats: int = 3
) -> list[dict]:
    """Gradient descent, Newton, L-BFGS and conjugate gradient from the surface's start.

    Inputs:
    - surface: "bowl" or "rosenbrock" (or a Surface with an entry in GD_LEARNING_RATES)
    - tol: a method has converged when its point is within ``tol`` of the minimum (gradient
      descent and Newton stop there; scipy's methods stop on a gradient norm of tol / 1000)
    - max_iter: the most iterations any method may take
    - repeats: the wall time is the best of this many runs

    Returns one dict per method: "method", "iterations" (int), "distance" (of the final point
    to the minimum), "seconds" (wall time of one run, the best of ``repeats``).
    """
    surface = get_surface(surface)
    lr = GD_LEARNING_RATES[surface.name]
    runs = {
        f"gradient descent (lr {lr:g})": lambda: _gradient_descent(surface, lr, tol, max_iter),
        "Newton": lambda: _newton(surface, tol, max_iter),
        "L-BFGS (scipy)": lambda: _scipy(surface, "L-BFGS-B", tol, max_iter),
        "conjugate gradient (scipy)": lambda: _scipy(surface, "CG", tol, max_iter),
    }
    rows = []
    for name, run in runs.items():
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter()
            w, iterations = run()
            seconds.append(time.perf_counter() - start)
        rows.append(
            {
                "method": name,
                "iterations": iterations,
                "distance": distance_to_minimum(surface, w),
                "seconds": min(seconds),
            }
        )
    return rows


def format_table(tables: dict[str, list[dict]]) -> str:
    """A plain-text table of :func:`compare_methods`'s rows, one block of columns per surface
    (``tables`` maps a surface name to its rows, the same methods in the same order)."""
    names = list(tables)
    methods = [row["method"] for row in tables[names[0]]]
    width = max(len(m) for m in methods) + 2
    header = "".join(f"{name + ': iterations, time':>32s}" for name in names)
    lines = [f"{'method':{width}s}{header}"]
    for i, method in enumerate(methods):
        cells = "".join(
            f"{tables[n][i]['iterations']:>14d}{tables[n][i]['seconds'] * 1e3:>15.2f} ms"
            for n in names
        )
        lines.append(f"{method:{width}s}{cells}")
    return "\n".join(lines)
