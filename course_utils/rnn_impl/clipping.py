"""Gradient clipping, the usual guard against exploding gradients in RNNs."""

from __future__ import annotations

import numpy as np


def clip_gradients(grads, max_norm, eps=1e-6):
    """Scale all gradients together so that their global L2 norm is at most max_norm.

    The global norm is sqrt(sum over every array g of sum(g**2)). When it exceeds
    max_norm, every array is multiplied by max_norm / (total_norm + eps), which keeps
    the direction of the whole update (as torch.nn.utils.clip_grad_norm_ does, with
    the same eps); otherwise the arrays are copied unchanged.

    Inputs:
    - grads: dict mapping names to gradient arrays of any shapes
    - max_norm: positive float, the largest allowed global norm
    - eps: small float added to the norm in the scale factor

    Returns a tuple of:
    - clipped: dict with the same keys, new arrays of the same shapes (grads is not
      modified)
    - total_norm: float, the global norm of grads before clipping
    """
    if not max_norm > 0:
        raise ValueError(f"clip_gradients: max_norm must be positive, got {max_norm!r}")
    total_norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads.values())))
    scale = min(1.0, max_norm / (total_norm + eps))
    clipped = {name: np.asarray(g) * scale for name, g in grads.items()}
    return clipped, total_norm


def clip_gradient_elementwise(g, clip):
    """Clip every entry of a gradient to [-clip, clip].

    Inputs:
    - g: gradient array of any shape
    - clip: positive float

    Returns:
    - clipped: new array of the shape of g (g is not modified)
    """
    if not clip > 0:
        raise ValueError(f"clip_gradient_elementwise: clip must be positive, got {clip!r}")
    return np.clip(g, -clip, clip)
