"""A fully connected GAN: a generator and a discriminator (multilayer perceptrons).

For flattened images (digits: 8x8 = 64 pixels in [-1, 1], tanh output) and for toy 2-D
data (output_activation=None), as in 12_gans.
"""

from __future__ import annotations

import torch
from torch import nn


class Generator(nn.Module):
    """Noise z (N, Z) -> samples (N, D): Z -> hidden -> hidden -> D.

    Each hidden layer is linear, then batch normalisation (with batchnorm=True; it keeps
    the samples of a batch apart early in training), then ReLU. output_activation "tanh"
    (images scaled to [-1, 1]) or None (unbounded, toy data). ``seed`` (optional) seeds
    the initial weights without touching torch's global state.
    """

    def __init__(
        self,
        noise_dim: int = 16,
        output_dim: int = 64,
        hidden_dim: int = 128,
        output_activation: str | None = "tanh",
        batchnorm: bool = False,
        seed: int | None = None,
    ):
        super().__init__()
        if output_activation not in (None, "tanh"):
            raise ValueError(f"output_activation must be None or 'tanh', got {output_activation!r}")
        self.noise_dim, self.output_dim = noise_dim, output_dim
        with torch.random.fork_rng(devices=[], enabled=seed is not None):
            if seed is not None:
                torch.manual_seed(seed)
            layers: list[nn.Module] = []
            for fan_in in (noise_dim, hidden_dim):
                layers.append(nn.Linear(fan_in, hidden_dim))
                if batchnorm:
                    layers.append(nn.BatchNorm1d(hidden_dim))
                layers.append(nn.ReLU())
            layers.append(nn.Linear(hidden_dim, output_dim))
            if output_activation == "tanh":
                layers.append(nn.Tanh())
            self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """z (N, Z) -> samples (N, D)."""
        return self.net(z)


class Discriminator(nn.Module):
    """Samples (N, D) -> logits (N,): D -> hidden -> hidden (LeakyReLU 0.2) -> 1.

    ``seed`` (optional) seeds the initial weights without touching torch's global state.
    """

    def __init__(self, input_dim: int = 64, hidden_dim: int = 128, seed: int | None = None):
        super().__init__()
        self.input_dim = input_dim
        with torch.random.fork_rng(devices=[], enabled=seed is not None):
            if seed is not None:
                torch.manual_seed(seed)
            self.net = nn.Sequential(
                nn.Linear(input_dim, hidden_dim), nn.LeakyReLU(0.2),
                nn.Linear(hidden_dim, hidden_dim), nn.LeakyReLU(0.2),
                nn.Linear(hidden_dim, 1),
            )  # fmt: skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (N, D) (or (N, C, H, W), flattened) -> logits (N,)."""
        return self.net(x.flatten(1)).squeeze(-1)
