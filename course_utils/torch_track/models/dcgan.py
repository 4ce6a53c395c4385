"""A small DCGAN (Radford et al., 2016) for square images of side 8, 16, 32, ...

Transposed convolutions double the side from 2x2 up to the image size in the generator;
strided convolutions halve it down to 2x2 in the discriminator. Batch normalisation in
the generator, LeakyReLU(0.2) in the discriminator, no pooling, tanh output in [-1, 1].
For digits (8x8, one channel) there are two stages each way.
"""

from __future__ import annotations

import math

import torch
from torch import nn


def _stages(image_size: int) -> int:
    """Number of doublings from 2x2 to image_size x image_size (8 -> 2, 32 -> 4)."""
    stages = int(round(math.log2(image_size))) - 1
    if image_size < 4 or 2 ** (stages + 1) != image_size:
        raise ValueError(f"image_size must be a power of two >= 4, got {image_size}")
    return stages


def _up(c_in: int, c_out: int) -> nn.ConvTranspose2d:
    return nn.ConvTranspose2d(c_in, c_out, 4, stride=2, padding=1)  # (H, W) -> (2H, 2W)


def _down(c_in: int, c_out: int) -> nn.Conv2d:
    return nn.Conv2d(c_in, c_out, 4, stride=2, padding=1)  # (H, W) -> (H/2, W/2)


class DCGenerator(nn.Module):
    """Noise z (N, Z) -> images (N, C_out, S, S) in [-1, 1], S = image_size.

    z -> linear to (F * 2^(L-1), 2, 2) -> BN, ReLU -> L transposed convolutions (kernel 4,
    stride 2, pad 1) that double the side and halve the channels, BN and ReLU between them,
    the last one to C_out channels -> tanh; F = base_channels, L = log2(S) - 1
    (for S = 8: (2F, 2, 2) -> (F, 4, 4) -> (C_out, 8, 8)). ``seed`` seeds the weights.
    """

    def __init__(
        self,
        noise_dim: int = 16,
        base_channels: int = 32,
        out_channels: int = 1,
        image_size: int = 8,
        seed: int | None = None,
    ):
        super().__init__()
        self.noise_dim, L = noise_dim, _stages(image_size)
        widths = [base_channels * 2 ** (L - 1 - i) for i in range(L)]  # 2x2 ... S/2 x S/2
        with torch.random.fork_rng(devices=[], enabled=seed is not None):
            if seed is not None:
                torch.manual_seed(seed)
            size = widths[0] * 2 * 2
            self.project = nn.Sequential(
                nn.Linear(noise_dim, size), nn.BatchNorm1d(size), nn.ReLU()
            )
            layers: list[nn.Module] = []
            for c_in, c_out in zip(widths[:-1], widths[1:]):
                layers += [_up(c_in, c_out), nn.BatchNorm2d(c_out), nn.ReLU()]
            self.upsample = nn.Sequential(*layers, _up(widths[-1], out_channels), nn.Tanh())

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """z (N, Z) -> images (N, C_out, S, S)."""
        h = self.project(z).view(z.shape[0], -1, 2, 2)  # (N, F * 2^(L-1), 2, 2)
        return self.upsample(h)


class DCDiscriminator(nn.Module):
    """Images (N, C_in, S, S) -> logits (N,).

    L strided convolutions (kernel 4, stride 2, pad 1) with LeakyReLU(0.2) halve the side
    down to 2x2 while the channels go F, 2F, ..., F * 2^(L-1); then flatten and a linear
    layer to one logit (for S = 8: (F, 4, 4) -> (2F, 2, 2) -> 8F -> 1). ``seed`` seeds the
    weights.
    """

    def __init__(
        self,
        base_channels: int = 32,
        in_channels: int = 1,
        image_size: int = 8,
        seed: int | None = None,
    ):
        super().__init__()
        L = _stages(image_size)
        widths = [in_channels] + [base_channels * 2**i for i in range(L)]
        with torch.random.fork_rng(devices=[], enabled=seed is not None):
            if seed is not None:
                torch.manual_seed(seed)
            layers: list[nn.Module] = []
            for c_in, c_out in zip(widths[:-1], widths[1:]):
                layers += [_down(c_in, c_out), nn.LeakyReLU(0.2)]
            self.net = nn.Sequential(*layers, nn.Flatten(), nn.Linear(widths[-1] * 2 * 2, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (N, C_in, S, S) -> logits (N,)."""
        return self.net(x).squeeze(-1)
