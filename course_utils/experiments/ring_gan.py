"""The ring of 8 Gaussians of 12_gans: train the toy GAN with given settings, count the modes.

The same run serves the student's exploration in the notebook and the grader's judge of the
outcome task (autograder/checks/nb12_gans.py), which calls it with the reference losses and
its own seed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from course_utils.generative.mixture import modes_covered, ring_centers, ring_of_gaussians
from course_utils.generative.training import generate, train_gan
from course_utils.torch_track.models.gan import Discriminator, Generator

#: the toy problem: 8 modes on a circle of radius 2, std 0.02; a mode is covered when a
#: quarter of its fair share of 2000 samples lies within 0.3 of its centre
RING = {"num_modes": 8, "radius": 2.0, "std": 0.02}
MAX_DISTANCE = 0.3
NOISE_DIM = 16
HIDDEN = 64


def ring_gan_modes(
    batch_size: int,
    learning_rate: float,
    steps: int,
    *,
    discriminator_loss: Callable,
    generator_loss: Callable,
    sample_noise: Callable,
    seed: int = 0,
    num_samples: int = 2000,
    on_snapshot: Callable | None = None,
    snapshot_every: int = 0,
) -> dict:
    """Train the toy GAN (noise 16, two hidden layers of 64 units) on the ring with Adam.

    Inputs: the three settings (batch size, Adam's learning rate, number of steps), the
    losses and the noise sampler to train with, and a seed (data, weights, batches, noise).
    Returns a dict: "modes" (int, modes covered by num_samples samples at the end),
    "samples" (num_samples, 2), "data" (5000, 2), "history" (train_gan's GanHistory).
    """
    data, _ = ring_of_gaussians(5000, seed=seed, **RING)
    G = Generator(NOISE_DIM, 2, hidden_dim=HIDDEN, output_activation=None, seed=seed)
    D = Discriminator(2, hidden_dim=HIDDEN, seed=seed + 1)
    history = train_gan(
        G,
        D,
        data,
        discriminator_loss=discriminator_loss,
        generator_loss=generator_loss,
        sample_noise=sample_noise,
        steps=int(steps),
        batch_size=int(batch_size),
        lr=float(learning_rate),
        seed=seed,
        device=torch.device("cpu"),
        fixed_noise=sample_noise(500, NOISE_DIM, seed=seed + 7),
        snapshot_every=snapshot_every,
        on_snapshot=on_snapshot,
    )
    samples = generate(G, sample_noise(num_samples, NOISE_DIM, seed=seed + 99))
    with np.errstate(all="ignore"):
        finite = np.all(np.isfinite(samples))
        centres = ring_centers(RING["num_modes"], RING["radius"])
        modes = modes_covered(samples, centres, MAX_DISTANCE) if finite else 0
    return {"modes": int(modes), "samples": samples, "data": data, "history": history}
