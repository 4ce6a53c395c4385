"""Tests of course_utils.experiments.optimizer_race (the logic of the optimizer race widget) and of
course_utils.plots.optim: surfaces against torch autograd, paths against hand-written
loops of the update rules, divergence, clipping and Newton's method."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from course_utils.experiments.optimizer_race import (
    LR_GRID,
    MAX_RADIUS,
    SURFACES,
    distance_to_minimum,
    get_surface,
    newton_path,
    path_score,
    path_values,
    race,
    run_rule,
    tune_learning_rates,
)
from course_utils.gradcheck import eval_numerical_gradient, rel_error
from course_utils.optim import adagrad, adam, nesterov, rmsprop, sgd, sgd_momentum
from course_utils.plots.optim import plot_path_values, plot_race

pytestmark = pytest.mark.numerics  # run under forced BLAS kernels: tests/portability.py

NAMES = sorted(SURFACES)


def _torch_value(surface, point):
    p = torch.tensor(point, dtype=torch.float64, requires_grad=True)
    return p, surface.value(p[0], p[1])


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_torch_and_numerical(name, rng):
    surface = SURFACES[name]
    for _ in range(5):
        point = rng.uniform(-1.5, 1.5, size=2)
        p, value = _torch_value(surface, point)
        value.backward()
        gx, gy = surface.gradient(point[0], point[1])
        ours = np.array([gx, gy], dtype=np.float64)
        assert rel_error(ours, p.grad.numpy()) < 1e-12
        numerical = eval_numerical_gradient(
            lambda w: float(surface.value(w[0], w[1])), point.copy(), verbose=False
        )
        assert rel_error(ours, numerical) < 1e-7


@pytest.mark.parametrize("name", NAMES)
def test_hessian_matches_torch(name, rng):
    surface = SURFACES[name]
    for _ in range(3):
        point = torch.tensor(rng.uniform(-1.5, 1.5, size=2), dtype=torch.float64)
        expected = torch.autograd.functional.hessian(lambda p: surface.value(p[0], p[1]), point)
        ours = surface.hessian(float(point[0]), float(point[1]))
        assert ours.shape == (2, 2)
        np.testing.assert_allclose(ours, expected.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_value_is_vectorised_and_minima_are_stationary(name):
    surface = SURFACES[name]
    X, Y = np.meshgrid(np.linspace(*surface.xlim, 7), np.linspace(*surface.ylim, 5))
    assert surface.value(X, Y).shape == (5, 7)
    for mx, my in surface.minima:
        gx, gy = surface.gradient(mx, my)
        assert abs(gx) < 1e-12 and abs(gy) < 1e-12
        assert np.all(np.linalg.eigvalsh(surface.hessian(mx, my)) > 0)


def test_get_surface():
    assert get_surface("bowl") is SURFACES["bowl"]
    assert get_surface(SURFACES["saddle"]) is SURFACES["saddle"]
    with pytest.raises(KeyError, match="rosenbrock"):
        get_surface("no such surface")


def _manual(rule, config, start, surface, steps):
    w, points = np.array(start, dtype=np.float64), []
    points.append(w.copy())
    for _ in range(steps):
        gx, gy = surface.gradient(w[0], w[1])
        w, config = rule(w, np.array([gx, gy]), config)
        points.append(w.copy())
    return np.array(points)


@pytest.mark.parametrize("name", NAMES)
def test_race_follows_each_rule_with_its_state(name):
    surface = SURFACES[name]
    lr, steps = surface.default_lr, 30
    paths = race(name, {"sgd": sgd, "momentum": sgd_momentum, "adam": adam}, lr, 0.8, steps)
    assert list(paths) == ["sgd", "momentum", "adam"]
    for path in paths.values():
        assert path.shape == (steps + 1, 2) and path.dtype == np.float64
        np.testing.assert_array_equal(path[0], surface.start)
    base = {"learning_rate": lr, "momentum": 0.8}
    for rule, key in ((sgd, "sgd"), (sgd_momentum, "momentum"), (adam, "adam")):
        expected = _manual(rule, dict(base), surface.start, surface, steps)
        np.testing.assert_allclose(paths[key], expected, rtol=1e-13, atol=1e-15)


def test_momentum_reaches_only_the_momentum_rules():
    a = race("bowl", {"sgd": sgd, "momentum": sgd_momentum}, 0.05, 0.5, 20)
    b = race("bowl", {"sgd": sgd, "momentum": sgd_momentum}, 0.05, 0.9, 20)
    np.testing.assert_array_equal(a["sgd"], b["sgd"])
    assert not np.allclose(a["momentum"], b["momentum"])


def test_configs_override_per_rule():
    paths = race(
        "bowl", {"a": adam, "b": adam}, 0.01, steps=10, configs={"b": {"learning_rate": 0.1}}
    )
    expected = _manual(adam, {"learning_rate": 0.1}, SURFACES["bowl"].start, SURFACES["bowl"], 10)
    np.testing.assert_allclose(paths["b"], expected, rtol=1e-13)
    assert not np.allclose(paths["a"], paths["b"])


def test_start_is_respected_and_inputs_not_modified():
    config = {"learning_rate": 0.05, "momentum": 0.9}
    path = run_rule("saddle", sgd_momentum, config, steps=5, start=(1.0, 0.5))
    np.testing.assert_array_equal(path[0], [1.0, 0.5])
    assert config == {"learning_rate": 0.05, "momentum": 0.9}  # copied, state not added


def test_diverging_rule_stops_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = race("rosenbrock", {"sgd": sgd}, lr=0.05, steps=100)
    path = paths["sgd"]
    assert 1 < len(path) < 101
    assert np.all(np.isfinite(path)) and np.max(np.abs(path)) <= MAX_RADIUS


def test_clipping_bounds_every_step_and_rescues_sgd():
    steps, lr, clip = 300, 0.05, 1.0
    clipped = run_rule("rosenbrock", sgd, {"learning_rate": lr}, steps, clip=clip)
    assert clipped.shape == (steps + 1, 2)
    step_norms = np.linalg.norm(np.diff(clipped, axis=0), axis=1)
    assert np.all(step_norms <= lr * clip * (1 + 1e-9))
    unclipped = run_rule("rosenbrock", sgd, {"learning_rate": lr}, steps)
    assert len(unclipped) < steps + 1


@pytest.mark.parametrize(
    ("name", "rule", "momentum"), [("bowl", sgd_momentum, 0.9), ("bowl", adam, 0.0)]
)
def test_rules_reach_the_bowl_minimum(name, rule, momentum):
    surface = SURFACES[name]
    path = race(name, {"r": rule}, 0.1, momentum, steps=300)["r"]
    assert distance_to_minimum(surface, path[-1]) < 1e-3
    values = path_values(surface, path)
    assert values.shape == (301,) and values[-1] < values[0] * 1e-6


def test_sgd_is_slow_near_the_saddle():
    path = race("saddle", {"sgd": sgd}, 0.05, steps=60)["sgd"]
    assert abs(path[-1, 0]) < 0.3 and abs(path[-1, 1]) < 0.05  # stuck near (0, 0)
    assert distance_to_minimum("saddle", path[-1]) > 0.9


def test_newton_solves_a_quadratic_in_one_step_and_stops_at_the_saddle():
    bowl = newton_path("bowl", steps=3)
    np.testing.assert_allclose(bowl[1], [0.0, 0.0], atol=1e-14)
    saddle = newton_path("saddle", steps=20)
    np.testing.assert_allclose(saddle[-1], [0.0, 0.0], atol=1e-8)  # attracted by the saddle
    rosen = newton_path("rosenbrock", steps=10)
    assert distance_to_minimum("rosenbrock", rosen[-1]) < 1e-8
    damped = newton_path("bowl", steps=2, damping=0.5)
    np.testing.assert_allclose(damped[1], 0.5 * np.array(SURFACES["bowl"].start))


def test_newton_stops_at_a_singular_hessian():
    path = newton_path("saddle", steps=5, start=(1.0, 1 / np.sqrt(3)))
    assert path.shape == (1, 2)


def test_plot_race_draws_each_path_and_marks_divergence():
    fig, (ax, ax2) = plt.subplots(1, 2)
    paths = race("rosenbrock", {"sgd": sgd, "momentum": sgd_momentum}, 1e-3, 0.9, 50)
    paths["too fast"] = race("rosenbrock", {"x": sgd}, 0.05, steps=50)["x"]
    lines = plot_race("rosenbrock", paths, ax=ax, steps=50)
    assert set(lines) == set(paths)
    for name, path in paths.items():
        np.testing.assert_array_equal(lines[name].get_xydata(), path)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "too fast: diverged" in labels and not any("momentum: diverged" in t for t in labels)
    assert ax.get_title() == SURFACES["rosenbrock"].title and ax.get_xlabel() == "x"
    plot_path_values("rosenbrock", paths, ax=ax2)
    assert len(ax2.get_lines()) == 3 and ax2.get_yscale() == "log"
    plt.close(fig)


ALL_RULES = {
    "SGD": sgd,
    "Momentum": sgd_momentum,
    "Nesterov": nesterov,
    "AdaGrad": adagrad,
    "RMSProp": rmsprop,
    "Adam": adam,
}


def test_noise_is_added_to_the_gradient_and_shared_by_every_rule():
    steps, noise, seed = 20, 2.0, 3
    path = run_rule("bowl", sgd, {"learning_rate": 0.05}, steps, noise=noise, seed=seed)
    noise_rng, w = np.random.default_rng(seed), np.array(SURFACES["bowl"].start)
    expected = [w.copy()]
    for _ in range(steps):
        gx, gy = SURFACES["bowl"].gradient(w[0], w[1])
        w = w - 0.05 * (np.array([gx, gy]) + noise * noise_rng.normal(size=2))
        expected.append(w.copy())
    np.testing.assert_allclose(path, np.array(expected), rtol=1e-13, atol=1e-15)
    paths = race("bowl", {"a": sgd, "b": sgd}, 0.05, steps=steps, noise=noise, seed=seed)
    np.testing.assert_array_equal(paths["a"], paths["b"])
    np.testing.assert_array_equal(paths["a"], path)
    assert not np.allclose(race("bowl", {"a": sgd}, 0.05, steps=steps)["a"], path)


def test_path_score_is_the_tail_mean_and_inf_when_diverged():
    path = run_rule("bowl", sgd, {"learning_rate": 0.05}, 40)
    tail = path_values("bowl", path[-10:])
    assert path_score("bowl", path, 40) == pytest.approx(np.mean(tail))
    assert path_score("bowl", path[:20], 40) == float("inf")


def test_tuned_rate_is_the_best_of_the_grid():
    rates = tune_learning_rates("rosenbrock", {"sgd": sgd, "adam": adam}, steps=60)
    for name, rule in (("sgd", sgd), ("adam", adam)):
        assert rates[name] in LR_GRID
        scores = [
            path_score("rosenbrock", run_rule("rosenbrock", rule, {"learning_rate": lr}, 60), 60)
            for lr in LR_GRID
        ]
        assert path_score(
            "rosenbrock", run_rule("rosenbrock", rule, {"learning_rate": rates[name]}, 60), 60
        ) == min(scores)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_what_the_fair_race_shows(seed):
    """The claims of 06's section 7 and Question 1 (c), on several noise seeds: tuned, momentum
    and Adam end far closer to Rosenbrock's minimum than SGD; with noisy gradients every rule's
    best learning rate drops and no rule gets near the bowl's minimum any more."""
    steps = 200
    tuned = tune_learning_rates("rosenbrock", ALL_RULES, steps=steps)
    paths = race(
        "rosenbrock",
        ALL_RULES,
        0.0,
        steps=steps,
        configs={n: {"learning_rate": r} for n, r in tuned.items()},
    )
    score = {name: path_score("rosenbrock", path, steps) for name, path in paths.items()}
    for name in ("Momentum", "Nesterov", "Adam"):
        assert score[name] < score["SGD"] / 10
    assert tuned["Adam"] > 100 * tuned["SGD"]  # one shared rate cannot suit both
    clean = tune_learning_rates("bowl", ALL_RULES, steps=steps)
    noisy = tune_learning_rates("bowl", ALL_RULES, steps=steps, noise=3.0, seed=seed)
    for name, rule in ALL_RULES.items():
        assert noisy[name] < clean[name]
        clean_path = run_rule("bowl", rule, {"learning_rate": clean[name]}, steps)
        noisy_path = run_rule(
            "bowl", rule, {"learning_rate": noisy[name]}, steps, noise=3.0, seed=seed
        )
        assert path_score("bowl", clean_path, steps) < 1e-5
        assert path_score("bowl", noisy_path, steps) > 1e-3
