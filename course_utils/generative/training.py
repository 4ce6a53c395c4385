"""Training loops for the autoencoders, the VAE and the GANs of notebooks 11 and 12.

The loops take the functions that a notebook's students write (``reparameterize``,
``vae_loss``, the GAN losses, ``sample_noise``) as arguments, so they hold none of the
graded code. Inputs are numpy arrays; training runs on ``device`` (default
course_utils.torch_track.device.get_device()); every random choice (batches, noise,
corruption) comes from ``seed``, never from global state.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from course_utils.torch_track.device import get_device, single_threaded


def _batches(num: int, batch_size: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Index arrays of one shuffled epoch (the last batch may be smaller)."""
    order = rng.permutation(num)
    for start in range(0, num, batch_size):
        yield order[start : start + batch_size]


def _tensor(X: np.ndarray, device: torch.device) -> torch.Tensor:
    return torch.as_tensor(np.asarray(X), dtype=torch.float32, device=device)


def train_autoencoder(
    model: nn.Module,
    X: np.ndarray,
    *,
    epochs: int = 30,
    batch_size: int = 64,
    lr: float = 3e-3,
    noise_std: float = 0.0,
    l1: float = 0.0,
    seed: int = 0,
    device: torch.device | None = None,
) -> dict:
    """Train ``model`` (x -> (x_hat, code)) to reconstruct X with Adam.

    loss = mean_n ||x_hat_n - x_n||^2 + l1 * mean_n ||code_n||_1, where x_hat is computed
    from x + noise_std * eps (eps ~ N(0, I), clipped to [0, 1]): noise_std > 0 gives a
    denoising autoencoder, l1 > 0 a sparse one.

    Inputs:
    - model: e.g. course_utils.torch_track.models.autoencoder.Autoencoder.
    - X: training inputs in [0, 1], of shape (N, D).
    Returns {"loss": per-epoch mean training loss (epochs,), "seconds": float}.
    """
    device = device or get_device()
    model.to(device).train()
    data = _tensor(X, device)  # (N, D)
    rng = np.random.default_rng(seed)
    noise = torch.Generator(device=device).manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history, start = [], time.perf_counter()
    with single_threaded(device):
        for _ in range(epochs):
            total = 0.0
            for idx in _batches(len(data), batch_size, rng):
                x = data[torch.as_tensor(idx, device=device)]  # (B, D)
                corrupted = x
                if noise_std > 0:
                    eps = torch.randn(x.shape, generator=noise, device=device)
                    corrupted = (x + noise_std * eps).clamp(0.0, 1.0)
                x_hat, code = model(corrupted)
                loss = (x_hat - x).pow(2).sum(dim=1).mean() + l1 * code.abs().sum(dim=1).mean()
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                total += loss.item() * len(idx)
            history.append(total / len(data))
    model.eval()
    return {"loss": np.array(history), "seconds": time.perf_counter() - start}


@torch.no_grad()
def reconstruct(model: nn.Module, X: np.ndarray, device: torch.device | None = None):
    """Run an autoencoder in eval mode on X (N, D); returns (x_hat (N, D), code (N, K)) in numpy."""
    device = device or next(model.parameters()).device
    model.eval()
    x_hat, code = model(_tensor(X, device))
    return x_hat.cpu().double().numpy(), code.cpu().double().numpy()


def train_vae(
    model: nn.Module,
    X: np.ndarray,
    *,
    reparameterize: Callable,
    loss_fn: Callable,
    epochs: int = 60,
    batch_size: int = 64,
    lr: float = 2e-3,
    seed: int = 0,
    device: torch.device | None = None,
) -> dict:
    """Train a VAE (forward(x, reparameterize, generator) -> (x_hat, mu, logvar)) with Adam.

    Inputs:
    - model: e.g. course_utils.torch_track.models.vae.VAE.
    - X: training inputs in [0, 1], of shape (N, D).
    - reparameterize: (mu, logvar, generator=...) -> z, called with a generator seeded by seed.
    - loss_fn: (x_hat, x, mu, logvar) -> scalar loss (the negative ELBO, e.g. vae_loss).
    Returns {"loss": per-epoch mean loss (epochs,), "seconds": float}.
    """
    device = device or get_device()
    model.to(device).train()
    data = _tensor(X, device)  # (N, D)
    rng = np.random.default_rng(seed)
    generator = torch.Generator(device=device).manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history, start = [], time.perf_counter()
    with single_threaded(device):
        for _ in range(epochs):
            total = 0.0
            for idx in _batches(len(data), batch_size, rng):
                x = data[torch.as_tensor(idx, device=device)]  # (B, D)
                x_hat, mu, logvar = model(x, reparameterize, generator=generator)
                loss = loss_fn(x_hat, x, mu, logvar)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                total += loss.item() * len(idx)
            history.append(total / len(data))
    model.eval()
    return {"loss": np.array(history), "seconds": time.perf_counter() - start}


@dataclass
class GanHistory:
    """What :func:`train_gan` records.

    - d_loss, g_loss: the losses at every step, arrays of shape (steps,)
    - snapshots: step -> generated samples from the fixed noise, numpy (M, ...) (step 0 is
      before any update)
    - seconds: training time
    """

    d_loss: np.ndarray
    g_loss: np.ndarray
    snapshots: dict[int, np.ndarray] = field(default_factory=dict)
    seconds: float = 0.0


@torch.no_grad()
def generate(generator: nn.Module, z: torch.Tensor) -> np.ndarray:
    """Samples of ``generator`` (in eval mode) from noise z (M, Z), as a float64 numpy array."""
    device = next(generator.parameters()).device
    was_training = generator.training
    generator.eval()
    samples = generator(z.to(device=device, dtype=torch.float32)).cpu().double().numpy()
    generator.train(was_training)
    return samples


def train_gan(
    generator: nn.Module,
    discriminator: nn.Module,
    X: np.ndarray,
    *,
    discriminator_loss: Callable,
    generator_loss: Callable,
    sample_noise: Callable,
    steps: int = 500,
    batch_size: int = 64,
    lr: float = 2e-4,
    betas: tuple[float, float] = (0.5, 0.999),
    seed: int = 0,
    device: torch.device | None = None,
    fixed_noise: torch.Tensor | None = None,
    snapshot_every: int = 0,
    on_snapshot: Callable[[int, nn.Module, nn.Module], None] | None = None,
) -> GanHistory:
    """Alternate one discriminator step and one generator step, ``steps`` times (Adam).

    Each step draws a real batch of X and noise z = sample_noise(B, Z, seed=...) (a new
    seed per step, from ``seed``), then minimises discriminator_loss(D(x), D(G(z))) over D
    and generator_loss(D(G(z))) over G.

    Inputs:
    - generator: noise (B, Z) -> samples of X's shape; has attribute ``noise_dim`` Z.
    - discriminator: samples -> logits / scores (B,).
    - X: real data, numpy (N, ...) (images scaled to [-1, 1] for a tanh generator).
    - fixed_noise: (M, Z) noise whose samples are recorded every ``snapshot_every`` steps
      (and at step 0 and at the end) when snapshot_every > 0.
    - on_snapshot: called as on_snapshot(step, generator, discriminator) at each snapshot
      (e.g. to record the discriminator's output over a grid, course_utils.plots.gan).
    Returns a :class:`GanHistory`.
    """
    device = device or get_device()
    G, D = generator.to(device).train(), discriminator.to(device).train()
    data = _tensor(X, device)  # (N, ...)
    rng = np.random.default_rng(seed)
    opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=betas)
    d_losses, g_losses, snapshots = np.zeros(steps), np.zeros(steps), {}
    snap = snapshot_every > 0 and fixed_noise is not None
    start = time.perf_counter()
    with single_threaded(device):
        for step in range(steps):
            if snap and step % snapshot_every == 0:
                snapshots[step] = generate(G, fixed_noise)
                if on_snapshot is not None:
                    on_snapshot(step, G, D)
            real = data[torch.as_tensor(rng.integers(0, len(data), batch_size), device=device)]
            z = sample_noise(batch_size, G.noise_dim, seed=int(rng.integers(2**31))).to(device)
            fake = G(z)  # (B, ...)
            d_loss = discriminator_loss(D(real), D(fake.detach()))
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()
            g_loss = generator_loss(D(fake))
            opt_g.zero_grad(set_to_none=True)
            g_loss.backward()
            opt_g.step()
            d_losses[step], g_losses[step] = d_loss.item(), g_loss.item()
        if snap:
            snapshots[steps] = generate(G, fixed_noise)
            if on_snapshot is not None:
                on_snapshot(steps, G, D)
    G.eval()
    D.eval()
    return GanHistory(d_losses, g_losses, snapshots, time.perf_counter() - start)
