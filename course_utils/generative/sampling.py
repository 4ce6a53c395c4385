"""Randomness of the generative models: GAN noise and the VAE's reparameterisation trick.

Both take their randomness explicitly (a seed, a ``torch.Generator``), so that a grader can
draw the same numbers as the reference.
"""

from __future__ import annotations

import torch

from course_utils.assignments import graded


@graded("12_gans")
def sample_noise(batch_size, dim, seed=None):
    """Uniform noise in [-1, 1), the input of a GAN's generator.

    Inputs:
    - batch_size: int N, the number of noise vectors.
    - dim: int Z, the dimension of each vector.
    - seed: int or None. With an int, the numbers come from
      ``torch.rand(N, Z, generator=torch.Generator().manual_seed(seed))`` mapped from
      [0, 1) to [-1, 1) by u -> 2u - 1, so the same seed gives the same noise; with None,
      from torch's global generator.

    Returns noise, a float32 CPU tensor of shape (N, Z).
    """
    generator = None if seed is None else torch.Generator().manual_seed(int(seed))
    noise = 2.0 * torch.rand(batch_size, dim, generator=generator) - 1.0  # (N, Z)
    return noise


@graded("11_autoencoders")
def reparameterize(mu, logvar, generator=None):
    """Draw z ~ N(mu, exp(logvar)) as a differentiable function of mu and logvar.

    z = mu + exp(logvar / 2) * eps with eps ~ N(0, I) drawn independently of mu and
    logvar, so gradients flow to both (the reparameterisation trick).

    Inputs:
    - mu: means, tensor of shape (N, Z).
    - logvar: log-variances, tensor of shape (N, Z).
    - generator: torch.Generator or None. eps is drawn as
      ``torch.randn(mu.shape, generator=generator, dtype=mu.dtype, device=mu.device)``
      (None: torch's global generator), so the same seeded generator gives the same z.

    Returns z, a tensor of shape (N, Z), dtype and device of mu.
    """
    eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype, device=mu.device)  # (N, Z)
    z = mu + torch.exp(0.5 * logvar) * eps
    return z
