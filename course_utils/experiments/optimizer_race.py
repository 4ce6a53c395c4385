"""The optimizer race: update rules side by side on 2-D loss surfaces (notebook 06).

A surface is a function of a point (x, y) with its gradient and Hessian. :func:`race`
runs several update rules (``rule(w, dw, config) -> (next_w, config)``, the interface
of ``course_utils.optim``) from the same start and returns each rule's path. The widget
in ``course_utils.widgets.optimizer_race`` and the plots in ``course_utils.plots.optim``
only draw what these functions return.

Example::

    from course_utils.optim import sgd, adam
    paths = race("rosenbrock", {"SGD": sgd, "Adam": adam}, lr=1e-3, momentum=0.9, steps=200)
    paths["Adam"].shape  # (201, 2) unless Adam left the plot, then shorter
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from course_utils.rnn_layers import clip_gradients

#: a path stops when a coordinate grows beyond this (the rule diverged)
MAX_RADIUS = 1e3


@dataclass(frozen=True)
class Surface:
    """A 2-D loss surface f(x, y), vectorised over arrays of points.

    - value(x, y): f, of the broadcast shape of x and y
    - gradient(x, y): (df/dx, df/dy), each of that shape
    - hessian(x, y): the 2x2 Hessian at one point, an array of shape (2, 2)
    - start: where every rule starts, (x0, y0)
    - minima: the minimisers, a tuple of (x, y) points
    - xlim, ylim: the plotting window
    - default_lr: a learning rate at which plain SGD makes visible progress
    - log_levels: draw the contours on a log scale (for steep valleys)
    """

    name: str
    title: str
    value: Callable[[np.ndarray, np.ndarray], np.ndarray]
    gradient: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
    hessian: Callable[[float, float], np.ndarray]
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    default_lr: float
    log_levels: bool = False


#: curvature ratio of the ill-conditioned bowl
BOWL_CONDITION = 20.0


def _bowl() -> Surface:
    k = BOWL_CONDITION
    return Surface(
        name="bowl",
        title=f"ill-conditioned bowl  f = (x² + {k:g}y²) / 2",
        value=lambda x, y: 0.5 * (x**2 + k * y**2),
        gradient=lambda x, y: (1.0 * x, k * y),
        hessian=lambda x, y: np.diag([1.0, k]),
        start=(-4.5, 1.2),
        minima=((0.0, 0.0),),
        xlim=(-5.0, 5.0),
        ylim=(-1.6, 1.6),
        default_lr=0.02,
    )


def _rosenbrock() -> Surface:
    def hessian(x, y):
        return np.array([[2 - 400 * (y - 3 * x**2), -400 * x], [-400 * x, 200.0]])

    return Surface(
        name="rosenbrock",
        title="Rosenbrock  f = (1 - x)² + 100(y - x²)²",
        value=lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
        gradient=lambda x, y: (-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)),
        hessian=hessian,
        start=(-1.5, 2.0),
        minima=((1.0, 1.0),),
        xlim=(-2.0, 2.0),
        ylim=(-1.0, 3.0),
        default_lr=1e-3,
        log_levels=True,
    )


def _saddle() -> Surface:
    return Surface(
        name="saddle",
        title="saddle  f = x²/2 + y⁴/4 - y²/2",
        value=lambda x, y: 0.5 * x**2 + 0.25 * y**4 - 0.5 * y**2,
        gradient=lambda x, y: (1.0 * x, y**3 - y),
        hessian=lambda x, y: np.diag([1.0, 3 * y**2 - 1]),
        start=(-3.0, 1e-3),
        minima=((0.0, 1.0), (0.0, -1.0)),
        xlim=(-3.5, 3.5),
        ylim=(-1.6, 1.6),
        default_lr=0.02,
    )


#: the race tracks, by name
SURFACES: dict[str, Surface] = {s.name: s for s in (_bowl(), _rosenbrock(), _saddle())}


def get_surface(surface: str | Surface) -> Surface:
    """A :class:`Surface` given itself or its name (KeyError listing the names otherwise)."""
    if isinstance(surface, Surface):
        return surface
    try:
        return SURFACES[surface]
    except KeyError:
        raise KeyError(f"unknown surface {surface!r}; choose one of {sorted(SURFACES)}") from None


def gradient_at(surface: Surface, w: np.ndarray) -> np.ndarray:
    """The gradient of ``surface`` at the point w (shape (2,)), as an array of shape (2,)."""
    gx, gy = surface.gradient(w[0], w[1])
    return np.array([gx, gy], dtype=np.float64)


def run_rule(
    surface: str | Surface,
    rule: Callable,
    config: Mapping | None = None,
    steps: int = 100,
    start=None,
    clip: float | None = None,
    noise: float = 0.0,
    seed: int = 0,
) -> np.ndarray:
    """Follow one update rule on a surface.

    Inputs:
    - surface: a Surface or its name
    - rule: rule(w, dw, config) -> (next_w, config), w of shape (2,)
    - config: first config given to the rule (copied; None for the rule's defaults)
    - steps: number of updates
    - start: starting point (x0, y0); surface.start when None
    - clip: when given, every gradient is rescaled to a norm of at most ``clip``
      (course_utils.rnn_layers.clip_gradients) before the rule sees it
    - noise: standard deviation of Gaussian noise added to every gradient coordinate (what a
      minibatch does to the true gradient); 0 for the exact gradient
    - seed: seeds the noise, so two rules run with the same seed see the same noise

    Returns path, float64 of shape (K + 1, 2): the start and the K <= steps points the
    rule visited. The path stops early (K < steps) when a point is not finite or leaves
    the square |x|, |y| <= MAX_RADIUS, i.e. when the rule diverged.
    """
    surface = get_surface(surface)
    w = np.array(surface.start if start is None else start, dtype=np.float64)  # (2,)
    config = None if config is None else dict(config)
    points = [w.copy()]
    noise_rng = np.random.default_rng(seed)
    with np.errstate(all="ignore"):  # a diverging rule overflows: we stop, quietly
        for _ in range(steps):
            dw = gradient_at(surface, w)
            if noise:
                dw = dw + noise * noise_rng.normal(size=2)
            if clip is not None:
                dw = clip_gradients({"w": dw}, clip)[0]["w"]
            w, config = rule(w, dw, config)
            w = np.asarray(w, dtype=np.float64)
            if not (np.all(np.isfinite(w)) and np.max(np.abs(w)) <= MAX_RADIUS):
                break
            points.append(w.copy())
    return np.array(points)


def race(
    surface: str | Surface,
    rules: Mapping[str, Callable],
    lr: float,
    momentum: float = 0.9,
    steps: int = 100,
    start=None,
    clip: float | None = None,
    configs: Mapping[str, Mapping] | None = None,
    noise: float = 0.0,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Run every rule from the same start on one surface.

    Inputs:
    - surface: a Surface or its name ("bowl", "rosenbrock", "saddle")
    - rules: dict name -> rule(w, dw, config) -> (next_w, config)
    - lr: learning rate given to every rule (config "learning_rate")
    - momentum: config "momentum" (read by the momentum rules, ignored by the others)
    - steps: number of updates per rule
    - start: starting point; the surface's own start when None
    - clip: optional largest gradient norm (see :func:`run_rule`)
    - configs: optional dict name -> extra config entries for that rule (they override
      learning_rate and momentum, e.g. {"Adam": {"learning_rate": 0.1}})
    - noise, seed: gradient noise (see :func:`run_rule`); every rule sees the same noise

    Returns dict name -> path of shape (K + 1, 2), K <= steps (see :func:`run_rule`).
    """
    configs = configs or {}
    paths = {}
    for name, rule in rules.items():
        config = {"learning_rate": lr, "momentum": momentum, **configs.get(name, {})}
        paths[name] = run_rule(surface, rule, config, steps, start, clip, noise, seed)
    return paths


#: the learning rates :func:`tune_learning_rates` tries: 10^-4 ... 10^0, four per decade
LR_GRID = tuple(float(lr) for lr in np.logspace(-4, 0, 17))


def path_score(surface: str | Surface, path: np.ndarray, steps: int) -> float:
    """How well a path did: the mean of f over its last quarter of points (the end of a noisy
    path jitters), +inf for a path that diverged (fewer than ``steps`` + 1 points)."""
    if len(path) < steps + 1:
        return float("inf")
    tail = path[-max(1, (steps + 1) // 4) :]
    return float(np.mean(path_values(surface, tail)))


def tune_learning_rates(
    surface: str | Surface,
    rules: Mapping[str, Callable],
    momentum: float = 0.9,
    steps: int = 100,
    grid=LR_GRID,
    noise: float = 0.0,
    seed: int = 0,
) -> dict[str, float]:
    """Each rule's best learning rate on one surface: the fair way to compare rules.

    Every rule runs from the surface's start for ``steps`` steps at each learning rate of
    ``grid`` (with ``momentum`` and the gradient ``noise``, as :func:`race`); the one whose
    path ends lowest (:func:`path_score`) wins, the smaller rate on a tie.

    Returns dict name -> learning rate (an entry of ``grid``).
    """
    best = {}
    for name, rule in rules.items():
        scores = [
            path_score(
                surface,
                run_rule(
                    surface,
                    rule,
                    {"learning_rate": lr, "momentum": momentum},
                    steps,
                    noise=noise,
                    seed=seed,
                ),
                steps,
            )
            for lr in grid
        ]
        best[name] = float(grid[int(np.argmin(scores))])
    return best


def path_values(surface: str | Surface, path: np.ndarray) -> np.ndarray:
    """f at every point of a path of shape (K, 2); returns shape (K,)."""
    surface = get_surface(surface)
    return surface.value(path[:, 0], path[:, 1])


def distance_to_minimum(surface: str | Surface, point) -> float:
    """Euclidean distance from ``point`` (x, y) to the nearest minimiser of the surface."""
    surface = get_surface(surface)
    point = np.asarray(point, dtype=np.float64)
    return float(min(np.linalg.norm(point - np.array(m)) for m in surface.minima))


def newton_path(
    surface: str | Surface, steps: int = 10, start=None, damping: float = 1.0
) -> np.ndarray:
    """Newton's method: w <- w - damping * H(w)^-1 grad f(w).

    Inputs:
    - surface: a Surface or its name
    - steps: number of Newton steps
    - start: starting point; surface.start when None
    - damping: step fraction in (0, 1]; 1 is the pure Newton step

    Returns path of shape (K + 1, 2), K <= steps; stops early where the Hessian is
    singular or the path diverges (as :func:`run_rule`).
    """
    surface = get_surface(surface)
    w = np.array(surface.start if start is None else start, dtype=np.float64)
    points = [w.copy()]
    for _ in range(steps):
        try:
            step = np.linalg.solve(surface.hessian(w[0], w[1]), gradient_at(surface, w))
        except np.linalg.LinAlgError:
            break
        w = w - damping * step
        if not (np.all(np.isfinite(w)) and np.max(np.abs(w)) <= MAX_RADIUS):
            break
        points.append(w.copy())
    return np.array(points)
