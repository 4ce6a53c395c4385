"""What a GAN's discriminator believes about the plane (12_gans): its output D(x) = sigmoid(s)
on a grid, recorded during training, drawn as heatmaps under the data and the samples."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn


def plane_grid(limits: tuple[float, float] = (-3.0, 3.0), num: int = 61) -> np.ndarray:
    """The points of a num x num grid over [lo, hi]^2, array of shape (num * num, 2), row-major:
    point [i * num + j] = (x_j, y_i)."""
    ticks = np.linspace(limits[0], limits[1], num)
    xs, ys = np.meshgrid(ticks, ticks)  # (num, num) each, ys constant along a row
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


@torch.no_grad()
def discriminator_map(
    discriminator: nn.Module, limits: tuple[float, float] = (-3.0, 3.0), num: int = 61
) -> np.ndarray:
    """D(x) = sigmoid(logit) of ``discriminator`` over the grid of :func:`plane_grid`.

    Inputs:
    - discriminator: 2-D points (M, 2) -> logits (M,) or (M, 1).
    Returns probabilities, array of shape (num, num): entry [i, j] at (x_j, y_i).
    The discriminator's train/eval mode is left as it was.
    """
    device = next(discriminator.parameters()).device
    was_training = discriminator.training
    discriminator.eval()
    points = torch.as_tensor(plane_grid(limits, num), dtype=torch.float32, device=device)
    logits = discriminator(points).reshape(-1)
    discriminator.train(was_training)
    return torch.sigmoid(logits).double().cpu().numpy().reshape(num, num)


class DiscriminatorRecorder:
    """An ``on_snapshot`` callback for ``train_gan``: keeps :func:`discriminator_map` per step.

    ``recorder.maps[step]`` is the (num, num) map of D(x) at that snapshot.
    """

    def __init__(self, limits: tuple[float, float] = (-3.0, 3.0), num: int = 61):
        self.limits, self.num = limits, num
        self.maps: dict[int, np.ndarray] = {}

    def __call__(self, step: int, generator: nn.Module, discriminator: nn.Module) -> None:
        self.maps[step] = discriminator_map(discriminator, self.limits, self.num)


def plot_discriminator_maps(
    maps: dict[int, np.ndarray],
    samples: dict[int, np.ndarray],
    data: np.ndarray,
    steps: list[int],
    limits: tuple[float, float] = (-3.0, 3.0),
    titles: dict[int, str] | None = None,
):
    """One panel per step: the heatmap of D(x) (0 fake, 1 real), the data (white) and the
    generator's samples (red) at that step.

    Inputs:
    - maps: step -> (num, num) array of D(x) over the plane (:class:`DiscriminatorRecorder`).
    - samples: step -> (M, 2) generated points.
    - data: (N, 2) real points (a few hundred are drawn).
    Returns (fig, axes).
    """
    fig, axes = plt.subplots(1, len(steps), figsize=(3.1 * len(steps), 3.4), layout="constrained")
    axes = np.atleast_1d(axes)
    image = None
    for ax, step in zip(axes, steps):
        image = ax.imshow(
            maps[step],
            origin="lower",
            extent=(*limits, *limits),
            cmap="RdBu_r",
            vmin=0.0,
            vmax=1.0,
        )
        ax.scatter(*data[:500].T, s=3, color="white", label="data")
        ax.scatter(*samples[step][:300].T, s=3, color="C3", label="samples")
        ax.set_xlim(*limits)
        ax.set_ylim(*limits)
        ax.set_aspect("equal")
        ax.set_title((titles or {}).get(step, f"step {step}"))
        ax.set_xlabel("$x_1$")
    axes[0].set_ylabel("$x_2$")
    axes[0].legend(loc="lower left", fontsize=7, facecolor="0.85")
    fig.colorbar(image, ax=axes, label="D(x): probability that x is real", shrink=0.85)
    return fig, axes
