"""A fully connected autoencoder for small images (digits: 8x8 = 64 inputs).

The same model serves the plain, denoising and sparse autoencoders of 11_autoencoders:
the difference lies in the training (course_utils.generative.training.train_autoencoder:
noisy inputs, an L1 penalty on the code), not in the architecture.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


def _mlp(sizes: Sequence[int]) -> list[nn.Module]:
    """Linear layers between consecutive sizes with a ReLU after each (the last one too)."""
    layers: list[nn.Module] = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
    return layers


class Autoencoder(nn.Module):
    """x (N, D) -> code (N, K) -> x_hat (N, D) in (0, 1).

    encoder: D -> hidden_dims... -> K (ReLU between layers; the code is linear, or ReLU
    with code_activation="relu", which makes it non-negative for a sparse code);
    decoder: K -> reversed(hidden_dims)... -> D, with a sigmoid on the output.
    ``seed`` (optional) seeds the initial weights without touching torch's global state.
    """

    def __init__(
        self,
        input_dim: int = 64,
        code_dim: int = 2,
        hidden_dims: Sequence[int] = (128,),
        code_activation: str | None = None,
        seed: int | None = None,
    ):
        super().__init__()
        if code_activation not in (None, "relu"):
            raise ValueError(f"code_activation must be None or 'relu', got {code_activation!r}")
        self.input_dim, self.code_dim = input_dim, code_dim
        hidden = list(hidden_dims)
        with torch.random.fork_rng(devices=[], enabled=seed is not None):
            if seed is not None:
                torch.manual_seed(seed)
            code = [nn.Linear(([input_dim] + hidden)[-1], code_dim)]
            if code_activation == "relu":
                code.append(nn.ReLU())
            self.encoder = nn.Sequential(*_mlp([input_dim] + hidden), *code)
            out = nn.Linear(([code_dim] + hidden[::-1])[-1], input_dim)
            self.decoder = nn.Sequential(*_mlp([code_dim] + hidden[::-1]), out, nn.Sigmoid())

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """x (N, D) -> code (N, K)."""
        return self.encoder(x)

    def decode(self, code: torch.Tensor) -> torch.Tensor:
        """code (N, K) -> x_hat (N, D) in (0, 1)."""
        return self.decoder(code)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Returns (x_hat (N, D), code (N, K))."""
        code = self.encode(x)  # (N, K)
        return self.decode(code), code
