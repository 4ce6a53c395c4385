"""The beta-VAE of 11_autoencoders (issue 18): the loss, the trend the text states across
seeds, and the widget headlessly (a stand-in training function, so it runs in milliseconds)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from autograder.checks import nb11_autoencoders as nb11  # noqa: E402
from course_utils.data import get_dataset  # noqa: E402
from course_utils.experiments.beta_vae import (  # noqa: E402
    beta_vae_loss,
    plot_beta_latents,
    train_beta_vae,
)
from course_utils.generative import vae_loss  # noqa: E402
from course_utils.widgets.beta import BetaWidget, beta_widget  # noqa: E402


def test_beta_vae_loss_is_the_vae_loss_at_one_and_the_bce_at_zero():
    rng = np.random.default_rng(0)
    x_hat = torch.as_tensor(rng.uniform(0.05, 0.95, (5, 12)))
    x = torch.as_tensor(rng.random((5, 12)))
    mu, logvar = (torch.as_tensor(rng.normal(size=(5, 3))) for _ in range(2))
    zero_kl = (torch.zeros(5, 3, dtype=torch.float64),) * 2
    torch.testing.assert_close(
        beta_vae_loss(x_hat, x, mu, logvar, 1.0), vae_loss(x_hat, x, mu, logvar)
    )
    torch.testing.assert_close(
        beta_vae_loss(x_hat, x, mu, logvar, 0.0), vae_loss(x_hat, x, *zero_kl)
    )
    kl = vae_loss(x_hat, x, mu, logvar) - vae_loss(x_hat, x, *zero_kl)
    torch.testing.assert_close(
        beta_vae_loss(x_hat, x, mu, logvar, 4.0), vae_loss(x_hat, x, *zero_kl) + 4 * kl
    )


@pytest.mark.numerics
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_beta_moves_the_codes_as_the_text_says(seed):
    """Q3(b): without the KL the codes spread far beyond the prior; at beta = 10 they collapse
    onto the origin (KL ~ 0) and reconstructions get worse; beta = 1 fills the prior."""
    data = get_dataset("digits", subtract_mean=False, seed=0)
    X, X_eval = data["X_train"], data["X_test"]
    runs = {b: train_beta_vae(X, X_eval, b, epochs=30, seed=seed) for b in (0.0, 1.0, 10.0)}
    spread = {b: np.std(r["mu"], axis=0).mean() for b, r in runs.items()}
    assert spread[0.0] > 1.5 * spread[1.0] and 0.4 < spread[1.0] < 1.6
    assert spread[10.0] < 0.1 and runs[10.0]["kl"] < 0.05
    recon = {b: r["reconstruction"] for b, r in runs.items()}
    assert recon[0.0] < recon[1.0] < recon[10.0] - 1.0


def _fake_train(beta):
    rng = np.random.default_rng(int(10 * beta))
    return {
        "beta": beta,
        "mu": rng.normal(size=(20, 2)) / (1 + beta),
        "reconstruction": 20 + beta,
        "kl": 1 / (1 + beta),
    }


def test_widget_trains_each_beta_once_and_redraws():
    calls = []

    def train(beta):
        calls.append(beta)
        return _fake_train(beta)

    w = beta_widget(train, (0, 1, 10), np.arange(20) % 10)
    assert isinstance(w, BetaWidget) and w.widget.children[0] is w.slider
    assert w.slider.value == 1.0 and w.last_result["beta"] == 1.0 and calls == [1.0]
    png = w.image.value
    w.slider.value = 10.0
    assert w.last_result["beta"] == 10.0 and "β = 10" in w.status.value and w.image.value != png
    w.slider.value = 1.0
    assert calls == [1.0, 10.0]  # cached
    assert "β = 1" in w.ax.get_title()
    with pytest.raises(ValueError):
        BetaWidget(train, [], np.arange(3))


def test_static_figure_has_one_panel_per_beta():
    fig, axes = plot_beta_latents([_fake_train(b) for b in (0.0, 1.0, 10.0)], np.arange(20) % 10)
    assert [ax.get_title().split(":")[0] for ax in axes] == ["β = 0", "β = 1", "β = 10"]
    matplotlib.pyplot.close(fig)


@pytest.mark.numerics
@pytest.mark.parametrize("seed", [0, nb11.VAE_SEED])
def test_reference_vae_choices_reach_the_target_with_margin(seed):
    X_train, X_held = nb11._vae_split()
    run = train_beta_vae(X_train, X_held, 1.0, latent_dim=4, epochs=30, seed=seed)
    assert run["reconstruction"] + run["kl"] <= nb11.VAE_TARGET - 0.3


def test_vae_judge_reads_and_bounds_the_choices():
    judge = nb11.vae_judge(nb11.VAE_TARGET)
    assert "single number" in judge({"s0.out": np.array([1, 2]), "s1.out": 1.0})
    assert "outside" in judge({"s0.out": 4, "s1.out": 50.0})
    assert "whole" in judge({"s0.out": 2.5, "s1.out": 1.0})
    assert "above" in judge({"s0.out": 4, "s1.out": 20.0})


@pytest.mark.parametrize("p", [0.01, 0.3, 0.5, 0.9])
def test_the_bernoulli_formula_is_not_a_density_on_grey_levels(p):
    """Section 8: p^x (1 - p)^(1 - x) does not integrate to 1 over x in [0, 1] (at most 1/2),
    so the BCE on grey levels is not a log-likelihood (the continuous Bernoulli normalises it)."""
    x = np.linspace(0.0, 1.0, 20001)
    integral = np.trapezoid(p**x * (1 - p) ** (1 - x), x)
    assert integral <= 0.5 + 1e-9
