"""The beta-VAE of 11_autoencoders: the KL term weighted by beta, and what it does to the codes.

``train_beta_vae`` trains the course's 2-D VAE on BCE + beta * KL and returns the codes of
held-out images with the two terms of the loss measured on them; the widget
(course_utils.widgets.beta) and the static figure (``plot_beta_latents``) only show its results.
"""

from __future__ import annotations

import functools

import matplotlib.pyplot as plt
import numpy as np
import torch

from course_utils.generative import reparameterize as course_reparameterize
from course_utils.generative import vae_loss as course_vae_loss
from course_utils.generative.training import train_vae
from course_utils.torch_track.models.vae import VAE


def beta_vae_loss(x_hat, x, mu, logvar, beta: float = 1.0, vae_loss=None):
    """(BCE summed over pixels + beta * KL(q || N(0, I)) summed over units) / batch size.

    Built from a ``vae_loss`` (the notebook passes the student's; default the course's):
    at mu = logvar = 0 the KL vanishes, so vae_loss(x_hat, x, 0, 0) is the BCE term and
    vae_loss(x_hat, x, mu, logvar) - vae_loss(x_hat, x, 0, 0) the KL term.
    Inputs: x_hat, x of shape (N, D) (or (N, C, H, W)) in [0, 1]; mu, logvar (N, Z).
    Returns a 0-d tensor; beta = 1 is the VAE's negative ELBO, beta = 0 drops the KL term.
    """
    vae_loss = vae_loss or course_vae_loss
    zeros = torch.zeros_like(mu)
    reconstruction = vae_loss(x_hat, x, zeros, zeros)
    return (1.0 - beta) * reconstruction + beta * vae_loss(x_hat, x, mu, logvar)


@torch.no_grad()
def evaluate_vae(model, X: np.ndarray, vae_loss=None) -> dict:
    """The mean BCE (at z = mu) and KL per image of X (M, D) under ``model`` (on the CPU).

    Returns {"mu": (M, Z), "reconstruction": float, "kl": float}; reconstruction + kl is the
    negative ELBO with the expectation estimated at the mean code.
    """
    vae_loss = vae_loss or course_vae_loss
    x = torch.as_tensor(X, dtype=torch.float32)
    model = model.cpu().eval()
    mu, logvar = model.encode(x)
    x_hat = model.decode(mu).reshape(x.shape)
    zeros = torch.zeros_like(mu)
    reconstruction = vae_loss(x_hat, x, zeros, zeros).item()
    kl = vae_loss(x_hat, x, mu, logvar).item() - reconstruction
    return {"mu": mu.double().numpy(), "reconstruction": reconstruction, "kl": kl}


def train_beta_vae(
    X_train: np.ndarray,
    X_eval: np.ndarray,
    beta: float,
    *,
    latent_dim: int = 2,
    hidden_dim: int = 128,
    epochs: int = 30,
    batch_size: int = 128,
    lr: float = 3e-3,
    seed: int = 0,
    reparameterize=None,
    vae_loss=None,
) -> dict:
    """Train the course's VAE on BCE + beta * KL (Adam, on the CPU) and evaluate it on X_eval.

    Inputs: X_train (N, D) and X_eval (M, D) in [0, 1]; beta >= 0; reparameterize and
    vae_loss default to the course's (the notebook passes the student's).
    Returns {"beta", "model", "mu" (M, Z), "reconstruction", "kl", "loss" (epochs,)}.
    """
    if beta < 0:
        raise ValueError(f"beta must be >= 0, got {beta}")
    model = VAE(X_train.shape[1], latent_dim=latent_dim, hidden_dim=hidden_dim, seed=seed)
    history = train_vae(
        model,
        X_train,
        reparameterize=reparameterize or course_reparameterize,
        loss_fn=functools.partial(beta_vae_loss, beta=float(beta), vae_loss=vae_loss),
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        seed=seed,
        device=torch.device("cpu"),
    )
    result = evaluate_vae(model, X_eval, vae_loss)
    return {"beta": float(beta), "model": model, "loss": np.asarray(history["loss"]), **result}


def draw_beta_latent(ax, result: dict, labels: np.ndarray, limit: float = 4.0) -> None:
    """Scatter the held-out codes of one :func:`train_beta_vae` result, coloured by class,
    with the prior's 1- and 2-sigma circles and the two terms of the loss in the title."""
    mu = result["mu"]
    ax.scatter(mu[:, 0], mu[:, 1], c=labels, cmap="tab10", s=6, vmin=0, vmax=9)
    for radius in (1, 2):
        ax.add_patch(plt.Circle((0, 0), radius, fill=False, ls="--", color="0.5"))
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ax.set_aspect("equal")
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
    ax.set_title(
        f"β = {result['beta']:g}: BCE {result['reconstruction']:.1f}, KL {result['kl']:.1f}",
        fontsize=10,
    )


def plot_beta_latents(results: list[dict], labels: np.ndarray, limit: float = 4.0):
    """The static figure: one latent scatter per beta, side by side. Returns (fig, axes)."""
    fig, axes = plt.subplots(
        1, len(results), figsize=(4.2 * len(results), 4.2), layout="constrained"
    )
    axes = np.atleast_1d(axes)
    for ax, result in zip(axes, results):
        draw_beta_latent(ax, result, labels, limit)
    return fig, axes
