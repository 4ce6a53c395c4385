"""A fully connected variational autoencoder for small images (digits: 8x8 = 64 inputs).

The encoder outputs the mean and log-variance of q(z | x) = N(mu, diag(exp(logvar)));
the decoder outputs Bernoulli pixel probabilities. The sampling step is passed in
(``forward(x, reparameterize)``): in 11_autoencoders it is the student's own
``reparameterize``, so the model holds none of the graded code.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn


class VAE(nn.Module):
    """x (N, D) -> (mu, logvar) (N, Z) each -> z (N, Z) -> x_hat (N, D) in (0, 1).

    encoder: D -> hidden_dim -> hidden_dim (ReLU), then two linear heads to Z;
    decoder: Z -> hidden_dim -> hidden_dim (ReLU) -> D with a sigmoid.
    ``seed`` (optional) seeds the initial weights without touching torch's global state.
    """

    def __init__(
        self,
        input_dim: int = 64,
        latent_dim: int = 2,
        hidden_dim: int = 128,
        seed: int | None = None,
    ):
        super().__init__()
        self.input_dim, self.latent_dim = input_dim, latent_dim
        with torch.random.fork_rng(devices=[], enabled=seed is not None):
            if seed is not None:
                torch.manual_seed(seed)
            self.body = nn.Sequential(
                nn.Linear(input_dim, hidden_dim), nn.ReLU(),
                nn.Linear(hidden_dim, hidden_dim), nn.ReLU(),
            )  # fmt: skip
            self.mu_head = nn.Linear(hidden_dim, latent_dim)
            self.logvar_head = nn.Linear(hidden_dim, latent_dim)
            self.decoder = nn.Sequential(
                nn.Linear(latent_dim, hidden_dim), nn.ReLU(),
                nn.Linear(hidden_dim, hidden_dim), nn.ReLU(),
                nn.Linear(hidden_dim, input_dim), nn.Sigmoid(),
            )  # fmt: skip

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (N, D) -> (mu (N, Z), logvar (N, Z))."""
        h = self.body(x)  # (N, hidden_dim)
        return self.mu_head(h), self.logvar_head(h)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """z (N, Z) -> x_hat (N, D), pixel probabilities in (0, 1)."""
        return self.decoder(z)

    def forward(
        self,
        x: torch.Tensor,
        reparameterize: Callable[..., torch.Tensor],
        generator: torch.Generator | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Encode, sample z = reparameterize(mu, logvar, generator=generator), decode.

        Returns (x_hat (N, D), mu (N, Z), logvar (N, Z)).
        """
        mu, logvar = self.encode(x)
        z = reparameterize(mu, logvar, generator=generator)  # (N, Z)
        return self.decode(z), mu, logvar
