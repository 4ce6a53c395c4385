"""The contractive autoencoder of 11_autoencoders (Rifai et al., 2011), as a short demo.

A sigmoid encoder h = sigmoid(x W + b) has the Jacobian dh_j/dx_i = h_j (1 - h_j) W_ij, so the
penalty ||J(x)||_F^2 has the closed form sum_j (h_j (1 - h_j))^2 sum_i W_ij^2, checked against
autograd in tests/test_contractive.py.
"""

from __future__ import annotations

import numpy as np
import torch

from course_utils.torch_track.device import single_threaded


def contractive_penalty(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of ||dh/dx||_F^2 for h = sigmoid(x W + b), in closed form.

    Inputs: x (N, D), W (D, K), b (K,). Returns a 0-d tensor (differentiable in W and b).
    """
    h = torch.sigmoid(x @ W + b)  # (N, K)
    slope = (h * (1 - h)) ** 2  # (N, K)
    return (slope * (W**2).sum(dim=0)).sum(dim=1).mean()


def jacobian_norms(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """||dh/dx||_F per example (N,), by the closed form above."""
    h = torch.sigmoid(x @ W + b)
    return torch.sqrt(((h * (1 - h)) ** 2 * (W**2).sum(dim=0)).sum(dim=1))


def train_contractive(
    X_train: np.ndarray,
    X_eval: np.ndarray,
    lam: float,
    *,
    code_size: int = 32,
    steps: int = 400,
    lr: float = 1e-2,
    seed: int = 0,
) -> dict:
    """Train a sigmoid autoencoder (encoder sigmoid(x W + b), linear decoder h V + c) on the mean
    squared error (summed over pixels) + lam * contractive_penalty, full batch, Adam.

    Returns {"lam", "reconstruction" (mean summed squared error on X_eval),
    "jacobian" (mean ||dh/dx||_F on X_eval), "codes" (M, code_size)}.
    """
    gen = torch.Generator().manual_seed(seed)
    D = X_train.shape[1]
    W = (0.1 * torch.randn(D, code_size, generator=gen)).requires_grad_()
    V = (0.1 * torch.randn(code_size, D, generator=gen)).requires_grad_()
    b, c = torch.zeros(code_size, requires_grad=True), torch.zeros(D, requires_grad=True)
    x = torch.as_tensor(X_train, dtype=torch.float32)
    optimizer = torch.optim.Adam([W, V, b, c], lr=lr)
    with single_threaded("cpu"):
        for _ in range(steps):
            h = torch.sigmoid(x @ W + b)
            loss = ((h @ V + c - x) ** 2).sum(dim=1).mean() + lam * contractive_penalty(x, W, b)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        xe = torch.as_tensor(X_eval, dtype=torch.float32)
        h = torch.sigmoid(xe @ W + b)
        reconstruction = ((h @ V + c - xe) ** 2).sum(dim=1).mean().item()
        jacobian = jacobian_norms(xe, W, b).mean().item()
    return {"lam": lam, "reconstruction": reconstruction, "jacobian": jacobian, "codes": h.numpy()}
