"""Decode points of a latent space into images: the logic behind the latent widgets."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch


@torch.no_grad()
def decode_latent(
    decoder: Callable[[torch.Tensor], torch.Tensor], z, image_shape: tuple[int, ...] = (8, 8)
) -> np.ndarray:
    """Decode latent vectors into images.

    Inputs:
    - decoder: a torch module or function mapping (M, Z) float32 tensors to (M, ...) outputs
      (a VAE's ``decode``, a GAN's generator); it runs on its own device, in eval mode if
      it is a module.
    - z: one latent vector of shape (Z,) or a batch of shape (M, Z) (array-like).
    - image_shape: the shape of one image, e.g. (8, 8).
    Returns float64 images of shape image_shape for one vector, (M, *image_shape) for a batch.
    """
    z = np.asarray(z, dtype=np.float32)
    single = z.ndim == 1
    batch = torch.from_numpy(np.atleast_2d(z))  # (M, Z)
    module = decoder if isinstance(decoder, torch.nn.Module) else getattr(decoder, "__self__", None)
    if isinstance(module, torch.nn.Module):
        module.eval()
        params = list(module.parameters())
        if params:
            batch = batch.to(params[0].device)
    images = decoder(batch).detach().cpu().double().numpy().reshape(len(batch), *image_shape)
    return images[0] if single else images


def latent_grid(
    decoder: Callable[[torch.Tensor], torch.Tensor],
    limits: tuple[float, float] = (-2.5, 2.5),
    num: int = 9,
    image_shape: tuple[int, ...] = (8, 8),
) -> tuple[np.ndarray, np.ndarray]:
    """Decode a num x num grid of a 2-D latent space.

    Returns (values, images): values (num,) the coordinates used on both axes; images of
    shape (num, num, *image_shape) where images[i, j] decodes z = (values[j], values[::-1][i]), so
    that the mosaic reads like a plot (z1 grows to the right, z2 upwards).
    """
    values = np.linspace(limits[0], limits[1], num)  # (num,)
    z1, z2 = np.meshgrid(values, values[::-1])  # (num, num) each
    z = np.stack([z1.ravel(), z2.ravel()], axis=1)  # (num * num, 2)
    images = decode_latent(decoder, z, image_shape).reshape(num, num, *image_shape)
    return values, images


def tile(images: np.ndarray, pad: int = 1, pad_value: float = 1.0) -> np.ndarray:
    """Arrange a grid of images into one mosaic, separated by ``pad`` pixels of pad_value.

    Inputs:
    - images: (R, C, H, W) grey or (R, C, H, W, 3) colour images; (M, H, W) or
      (M, H, W, 3) is one row.
    Returns the mosaic, of shape (R*(H+pad)-pad, C*(W+pad)-pad) (+ (3,) for colour).
    """
    images = np.asarray(images, dtype=np.float64)
    colour = images.shape[-1] == 3 and images.ndim in (4, 5)
    if images.ndim == (4 if colour else 3):
        images = images[None]
    R, C, H, W = images.shape[:4]
    shape = (R * (H + pad) - pad, C * (W + pad) - pad, *images.shape[4:])
    mosaic = np.full(shape, float(pad_value))
    for r in range(R):
        for c in range(C):
            top, left = r * (H + pad), c * (W + pad)
            mosaic[top : top + H, left : left + W] = images[r, c]
    return mosaic
