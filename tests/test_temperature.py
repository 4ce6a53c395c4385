"""experiments.temperature: softmax with a temperature, entropy, sampling (torch as the oracle)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

from course_utils.experiments.temperature import (
    entropy,
    sample_with_temperature,
    softmax_with_temperature,
    temperature_sweep,
)

pytestmark = pytest.mark.numerics  # run under forced BLAS kernels: tests/portability.py


@pytest.mark.parametrize("shape", [(5,), (4, 3), (2, 3, 7), (1, 2)])
@pytest.mark.parametrize("temperature", [0.05, 0.5, 1.0, 3.0, 50.0])
def test_softmax_with_temperature_matches_torch(rng, shape, temperature):
    scores = rng.normal(scale=3.0, size=shape)
    expected = torch.softmax(torch.tensor(scores, dtype=torch.float64) / temperature, dim=-1)
    got = softmax_with_temperature(scores, temperature)
    assert got.dtype == np.float64 and got.shape == shape
    np.testing.assert_allclose(got, expected.numpy(), rtol=1e-12, atol=1e-15)


def test_default_temperature_is_plain_softmax(rng):
    scores = rng.normal(size=(6, 4))
    expected = torch.softmax(torch.tensor(scores), dim=-1).numpy()
    np.testing.assert_allclose(softmax_with_temperature(scores), expected, rtol=1e-12)


@pytest.mark.parametrize("temperature", [1e-8, 1e-3, 1.0, 1e6])
def test_stable_for_huge_scores_and_tiny_temperatures(temperature):
    scores = np.array([[1e300, -1e300, 5e299], [-3.0, 1000.0, 999.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        probs = softmax_with_temperature(scores, temperature)
    assert np.all(np.isfinite(probs)) and np.all(probs >= 0)
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0, rtol=1e-12)
    assert np.argmax(probs[0]) == 0


def test_small_temperature_approaches_argmax(rng):
    scores = rng.normal(size=(5, 6))
    probs = softmax_with_temperature(scores, 1e-4)
    one_hot = np.eye(6)[np.argmax(scores, axis=1)]
    np.testing.assert_allclose(probs, one_hot, atol=1e-10)
    assert np.all(entropy(probs) < 1e-6)


def test_zero_temperature_is_uniform_over_ties():
    probs = softmax_with_temperature(np.array([[2.0, 5.0, 5.0, 1.0], [0.0, -1.0, 3.0, 2.0]]), 0.0)
    np.testing.assert_array_equal(probs, [[0.0, 0.5, 0.5, 0.0], [0.0, 0.0, 1.0, 0.0]])


def test_large_temperature_approaches_uniform(rng):
    scores = rng.normal(size=(3, 8))
    probs = softmax_with_temperature(scores, 1e7)
    np.testing.assert_allclose(probs, 1.0 / 8, rtol=1e-6)
    np.testing.assert_allclose(entropy(probs), math.log(8), rtol=1e-9)


@pytest.mark.parametrize("bad", [-1.0, float("nan")])
def test_negative_or_nan_temperature_is_refused(bad):
    with pytest.raises(ValueError, match="temperature"):
        softmax_with_temperature(np.zeros(3), bad)


@pytest.mark.parametrize("shape", [(4,), (3, 5), (2, 2, 6)])
def test_entropy_matches_torch(rng, shape):
    probs = softmax_with_temperature(rng.normal(scale=2.0, size=shape))
    expected = torch.distributions.Categorical(probs=torch.tensor(probs)).entropy().numpy()
    got = entropy(probs)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert np.shape(got) == shape[:-1]


def test_entropy_of_extremes_and_zero_probabilities():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert entropy(np.array([0.0, 1.0, 0.0])) == 0.0
        assert entropy(np.full(5, 0.2)) == pytest.approx(math.log(5), rel=1e-12)
        half = entropy(np.array([[0.5, 0.5, 0.0], [1.0, 0.0, 0.0]]))
    np.testing.assert_allclose(half, [math.log(2), 0.0], rtol=1e-12)
    assert isinstance(entropy(np.array([0.3, 0.7])), float)


def test_entropy_along_another_axis(rng):
    probs = softmax_with_temperature(rng.normal(size=(4, 3)))  # rows sum to 1
    np.testing.assert_allclose(entropy(probs.T, axis=0), entropy(probs), rtol=1e-12)


def test_entropy_grows_with_temperature(rng):
    scores = rng.normal(scale=2.0, size=7)
    temperatures = np.geomspace(1e-3, 1e3, 60)
    probs, entropies = temperature_sweep(scores, temperatures)
    assert probs.shape == (60, 7) and entropies.shape == (60,)
    assert np.all(np.diff(entropies) >= -1e-12)
    assert entropies[0] < 1e-6 and entropies[-1] == pytest.approx(math.log(7), rel=1e-4)
    np.testing.assert_allclose(probs[10], softmax_with_temperature(scores, temperatures[10]))


def test_sampling_at_zero_temperature_is_argmax(rng):
    scores = rng.normal(size=(10, 4))
    got = sample_with_temperature(scores, 0.0, rng)
    np.testing.assert_array_equal(got, np.argmax(scores, axis=1))
    assert got.dtype == np.int64
    single = sample_with_temperature(np.array([0.1, 3.0, -1.0]), 0.0, rng)
    assert single == 1 and isinstance(single, int)


def test_sampling_frequencies_follow_the_probabilities():
    scores = np.array([2.0, 0.5, 0.0, -1.0, -np.inf])
    temperature = 1.5
    draws = sample_with_temperature(
        np.tile(scores, (40_000, 1)), temperature, np.random.default_rng(3)
    )
    frequencies = np.bincount(draws, minlength=5) / draws.size
    expected = softmax_with_temperature(scores, temperature)
    np.testing.assert_allclose(frequencies, expected, atol=0.01)
    assert frequencies[4] == 0.0  # probability 0 is never drawn


def test_sampling_is_reproducible_with_a_seed(rng):
    scores = rng.normal(size=(50, 6))
    first = sample_with_temperature(scores, 0.7, np.random.default_rng(11))
    second = sample_with_temperature(scores, 0.7, np.random.default_rng(11))
    np.testing.assert_array_equal(first, second)
    assert first.shape == (50,) and first.min() >= 0 and first.max() < 6
