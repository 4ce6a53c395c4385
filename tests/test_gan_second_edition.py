"""12_gans, second edition (issue 18): the claims its text makes (autograd at a kink, which
LSGAN labels give Pearson chi^2, what slerp keeps for uniform noise), the discriminator's map
of the plane, and the ring GAN behind the outcome task and its judge."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from autograder.checks import nb12_gans
from course_utils.experiments.ring_gan import ring_gan_modes
from course_utils.generative import discriminator_loss, generator_loss, sample_noise
from course_utils.generative.interpolation import slerp
from course_utils.generative.training import train_gan
from course_utils.plots.gan import (
    DiscriminatorRecorder,
    discriminator_map,
    plane_grid,
    plot_discriminator_maps,
)
from course_utils.torch_track.models.gan import Discriminator, Generator

# --- the text's claims ------------------------------------------------------------------------


def _grad_at_zero(function) -> float:
    x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    function(x).sum().backward()
    return float(x.grad)


def test_autograd_at_the_kink_of_a_hand_written_softplus():
    """Task 2's Hint 3: clamp passes 1 at its boundary, abs gives sign(0) = 0, so the hand-written
    softplus gets 1 at x = 0 where F.softplus gets sigmoid(0) = 1/2."""
    assert _grad_at_zero(lambda x: torch.clamp(x, min=0)) == 1.0
    assert _grad_at_zero(torch.abs) == 0.0
    hand = _grad_at_zero(lambda x: torch.clamp(x, min=0) + torch.log1p(torch.exp(-x.abs())))
    assert hand == 1.0
    assert _grad_at_zero(F.softplus) == 0.5


def _lsgan_generator_criterion(p_data, p_g, a, b, c):
    """Mao et al.'s C(G) at the optimal discriminator D* = (b p_d + a p_g) / (p_d + p_g):
    0.5 E_data[(D* - c)^2] + 0.5 E_g[(D* - c)^2] (the first term does not depend on G)."""
    d_star = (b * p_data + a * p_g) / (p_data + p_g)
    return 0.5 * np.sum((p_data + p_g) * (d_star - c) ** 2)


@pytest.mark.parametrize("seed", range(5))
def test_lsgan_is_pearson_chi2_only_for_maos_labels(seed):
    rng = np.random.default_rng(seed)
    p_data, p_g = rng.dirichlet(np.ones(6)), rng.dirichlet(np.ones(6))
    # Mao et al. (eq. 11): chi2_Pearson(p_d + p_g || 2 p_g)
    chi2 = np.sum((2 * p_g - (p_data + p_g)) ** 2 / (p_data + p_g))
    assert _lsgan_generator_criterion(p_data, p_g, -1.0, 1.0, 0.0) == pytest.approx(chi2 / 2)
    # the 0/1/1 labels of the notebook: the same fixed point p_g = p_d (nothing does better) ...
    ours = _lsgan_generator_criterion(p_data, p_data, 0.0, 1.0, 1.0)
    assert ours <= _lsgan_generator_criterion(p_data, p_g, 0.0, 1.0, 1.0)


def test_lsgan_with_zero_one_labels_is_not_pearson_chi2():
    """... but not chi2 up to a constant: the gap between the two changes with p_g."""
    p_data = np.array([0.5, 0.5])
    gaps = []
    for p_g in (np.array([0.5, 0.5]), np.array([0.9, 0.1])):
        chi2 = np.sum((2 * p_g - (p_data + p_g)) ** 2 / (p_data + p_g))
        gaps.append(_lsgan_generator_criterion(p_data, p_g, 0.0, 1.0, 1.0) - chi2 / 2)
    assert abs(gaps[0] - gaps[1]) > 0.1


def test_slerp_keeps_the_norm_but_can_leave_the_noise_cube():
    """Section 8: slerp keeps the norm of equal-norm end points; for uniform noise some points of
    the great circle leave [-1, 1]^Z (so the 'typical noise' argument is Gaussian noise's)."""
    left = 0
    for seed in range(50):
        z0, z1 = sample_noise(2, 16, seed=seed).double().numpy()
        z1 = z1 * np.linalg.norm(z0) / np.linalg.norm(z1)  # equal norms
        path = np.stack([slerp(z0, z1, t) for t in np.linspace(0, 1, 21)])
        np.testing.assert_allclose(np.linalg.norm(path, axis=1), np.linalg.norm(z0), rtol=1e-9)
        left += np.abs(path).max() > 1.0
    assert left > 0


# --- the discriminator's map -----------------------------------------------------------------


class _Linear(nn.Module):
    """logit = x_1 (a discriminator that calls the right half-plane real)."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x):
        return x @ self.w


def test_plane_grid_is_row_major_with_y_along_rows():
    grid = plane_grid((-1.0, 1.0), 3)
    assert grid.shape == (9, 2)
    np.testing.assert_allclose(grid[1], [0.0, -1.0])  # [i * num + j] = (x_j, y_i)
    np.testing.assert_allclose(grid[3], [-1.0, 0.0])


def test_discriminator_map_is_sigmoid_of_the_logit_over_the_plane():
    D = _Linear().train()
    probs = discriminator_map(D, (-2.0, 2.0), 5)
    assert probs.shape == (5, 5) and D.training
    xs = np.linspace(-2, 2, 5)
    np.testing.assert_allclose(probs, np.tile(1 / (1 + np.exp(-xs)), (5, 1)), rtol=1e-6)


def test_recorder_keeps_one_map_per_snapshot_and_does_not_change_training():
    ring = np.random.default_rng(0).normal(size=(200, 2))

    def run(recorder):
        G = Generator(4, 2, hidden_dim=8, output_activation=None, seed=0)
        D = Discriminator(2, hidden_dim=8, seed=1)
        history = train_gan(
            G,
            D,
            ring,
            discriminator_loss=discriminator_loss,
            generator_loss=generator_loss,
            sample_noise=sample_noise,
            steps=20,
            batch_size=16,
            lr=1e-3,
            device=torch.device("cpu"),
            fixed_noise=sample_noise(10, 4, seed=0),
            snapshot_every=10,
            on_snapshot=recorder,
        )
        return history

    recorder = DiscriminatorRecorder((-3.0, 3.0), 11)
    with_maps, without = run(recorder), run(None)
    assert sorted(recorder.maps) == [0, 10, 20] == sorted(with_maps.snapshots)
    assert all(m.shape == (11, 11) and np.all((m > 0) & (m < 1)) for m in recorder.maps.values())
    np.testing.assert_array_equal(with_maps.d_loss, without.d_loss)
    fig, axes = plot_discriminator_maps(
        recorder.maps, with_maps.snapshots, ring, steps=[0, 20], titles={0: "start"}
    )
    assert len(axes) == 2 and axes[0].get_title() == "start" and axes[1].get_title() == "step 20"
    matplotlib.pyplot.close(fig)


# --- the ring GAN and the outcome task -------------------------------------------------------


def _modes(settings, seed):
    return ring_gan_modes(
        *settings,
        discriminator_loss=discriminator_loss,
        generator_loss=generator_loss,
        sample_noise=sample_noise,
        seed=seed,
    )["modes"]


@pytest.mark.numerics
@pytest.mark.parametrize("seed", [0, 1, 3, nb12_gans.RING_SEED])
def test_reference_settings_cover_the_ring_with_margin(seed):
    settings = tuple(nb12_gans.RING_CHOICES.values())
    assert _modes(settings, seed) >= nb12_gans.RING_TARGET + 1


@pytest.mark.numerics
@pytest.mark.parametrize("seed", [0, 1, nb12_gans.RING_SEED])
def test_the_collapsing_settings_stay_below_the_partial_point(seed):
    assert _modes((32, 5e-4, 800), seed) <= nb12_gans.RING_PARTIAL - 2


def test_ring_judge_reads_and_bounds_the_settings():
    judge = nb12_gans.ring_judge(nb12_gans.RING_TARGET)
    assert "single number" in judge({"s0.out": np.array([1, 2]), "s1.out": 1e-3, "s2.out": 10})
    assert "outside" in judge({"s0.out": 256, "s1.out": 1e-3, "s2.out": 10**6})
    assert "whole" in judge({"s0.out": 25.5, "s1.out": 1e-3, "s2.out": 10})
    assert "of the 8 modes" in judge({"s0.out": 256, "s1.out": 1e-3, "s2.out": 1})
