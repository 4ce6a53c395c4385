"""Wrong answers a student might give in 11_autoencoders.

The checks call the notebook's views (``pca_subspace``, ``numpy_reparameterize``,
``numpy_vae_loss``; see autograder/checks/nb11_autoencoders.py), so each mutant is wrapped
in the same view the notebook builds around the student's function.
"""

import numpy as np
import torch
import torch.nn.functional as F

from course_utils.experiments.pca import pca_adapter
from course_utils.generative.adapters import numpy_adapter
from tests.mutants import Mutant


def as_pca(fn):
    return {"pca": fn, "pca_subspace": pca_adapter("pca", {"pca": fn})}


def as_torch(name, fn):
    return {name: fn, f"numpy_{name}": numpy_adapter(name, {name: fn})}


# ---------------------------------------------------------------- pca


def pca_not_centred(X, k):
    """Returns the mean but takes the SVD of the raw data."""
    _, _, Vt = np.linalg.svd(X, full_matrices=False)
    return X.mean(axis=0), Vt[:k]


def pca_columns_of_v(X, k):
    """Takes the first k columns of Vt instead of its first k rows."""
    mean = X.mean(axis=0)
    _, _, Vt = np.linalg.svd(X - mean, full_matrices=False)
    return mean, Vt[:, :k].T


def pca_smallest_eigenvectors(X, k):
    """eigh sorts eigenvalues in ascending order: the first k are the smallest."""
    mean = X.mean(axis=0)
    _, vectors = np.linalg.eigh(np.cov(X - mean, rowvar=False))
    return mean, vectors[:, :k].T


def pca_ascending_order(X, k):
    """The right subspace, but from the k-th largest variance to the largest."""
    mean = X.mean(axis=0)
    _, vectors = np.linalg.eigh(np.cov(X - mean, rowvar=False))
    return mean, vectors[:, -k:].T


def pca_scaled_by_singular_values(X, k):
    """Returns the components scaled by their singular values (not orthonormal)."""
    mean = X.mean(axis=0)
    _, s, Vt = np.linalg.svd(X - mean, full_matrices=False)
    return mean, s[:k, None] * Vt[:k] / np.sqrt(len(X))


# ---------------------------------------------------------------- linear autoencoder


def _residual(X, W_enc, W_dec):
    H = X @ W_enc
    return H, H @ W_dec - X


def ae_no_factor_two(X, W_enc, W_dec):
    """Drops the 2 of d(r^2)/dr."""
    N = X.shape[0]
    H, R = _residual(X, W_enc, W_dec)
    return float(np.sum(R * R) / N), X.T @ (R @ W_dec.T) / N, H.T @ R / N


def ae_sum_not_mean(X, W_enc, W_dec):
    """Forgets the 1/N in the loss and the gradients."""
    H, R = _residual(X, W_enc, W_dec)
    return float(np.sum(R * R)), 2 * X.T @ (R @ W_dec.T), 2 * H.T @ R


def ae_mean_over_features(X, W_enc, W_dec):
    """Averages over the N*D entries instead of summing over features."""
    N, D = X.shape
    H, R = _residual(X, W_enc, W_dec)
    return float(np.sum(R * R) / (N * D)), 2 * X.T @ (R @ W_dec.T) / (N * D), 2 * H.T @ R / (N * D)


def ae_encoder_gradient_transposed(X, W_enc, W_dec):
    """Chains the gradient in the wrong order: dW_enc comes out transposed, (K, D)."""
    N = X.shape[0]
    H, R = _residual(X, W_enc, W_dec)
    dX_hat = 2 * R / N
    return float(np.sum(R * R) / N), (dX_hat @ W_dec.T).T @ X, H.T @ dX_hat


# ---------------------------------------------------------------- reparameterize


def _eps(mu, generator):
    return torch.randn(mu.shape, generator=generator, dtype=mu.dtype, device=mu.device)


def reparam_variance_not_std(mu, logvar, generator=None):
    """Scales eps by the variance exp(logvar) instead of the std exp(logvar / 2)."""
    return mu + torch.exp(logvar) * _eps(mu, generator)


def reparam_logvar_as_std(mu, logvar, generator=None):
    """Uses logvar itself as the standard deviation."""
    return mu + logvar * _eps(mu, generator)


def reparam_uniform_noise(mu, logvar, generator=None):
    """Draws eps uniformly in [0, 1) (torch.rand) instead of from N(0, 1)."""
    eps = torch.rand(mu.shape, generator=generator, dtype=mu.dtype)
    return mu + torch.exp(0.5 * logvar) * eps


def reparam_ignores_generator(mu, logvar, generator=None):
    """Draws eps from torch's global generator: not the reference's draw."""
    return mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape, dtype=mu.dtype)


def reparam_detached(mu, logvar, generator=None):
    """Samples without the trick: no gradient reaches mu and logvar."""
    with torch.no_grad():
        return mu + torch.exp(0.5 * logvar) * _eps(mu, generator)


# ---------------------------------------------------------------- vae_loss


def _kl(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu**2 - logvar.exp())


def vae_mean_over_pixels(x_hat, x, mu, logvar):
    """BCE averaged over pixels and batch (reduction='mean'), KL averaged over the batch."""
    return F.binary_cross_entropy(x_hat, x) + _kl(mu, logvar) / x.shape[0]


def vae_not_batch_averaged(x_hat, x, mu, logvar):
    """Sums over the batch instead of averaging."""
    return F.binary_cross_entropy(x_hat, x, reduction="sum") + _kl(mu, logvar)


def vae_kl_sign(x_hat, x, mu, logvar):
    """Subtracts the KL term (the ELBO's sign mixed up)."""
    bce = F.binary_cross_entropy(x_hat, x, reduction="sum")
    return (bce - _kl(mu, logvar)) / x.shape[0]


def vae_kl_without_exp(x_hat, x, mu, logvar):
    """Writes logvar where the variance exp(logvar) belongs in the KL."""
    kl = -0.5 * torch.sum(1 + logvar - mu**2 - logvar)
    return (F.binary_cross_entropy(x_hat, x, reduction="sum") + kl) / x.shape[0]


def vae_no_kl(x_hat, x, mu, logvar):
    """Only the reconstruction term: a plain autoencoder."""
    return F.binary_cross_entropy(x_hat, x, reduction="sum") / x.shape[0]


PCA, AE = "test_pca", "test_linear_autoencoder_loss"
REP, VAE = "test_reparameterize", "test_vae_loss"
MUTANTS = [
    Mutant("pca without centring", PCA, as_pca(pca_not_centred)),
    Mutant("pca columns of Vt", PCA, as_pca(pca_columns_of_v)),
    Mutant("pca smallest eigenvectors", PCA, as_pca(pca_smallest_eigenvectors)),
    Mutant("pca ascending order", PCA, as_pca(pca_ascending_order)),
    Mutant("pca scaled components", PCA, as_pca(pca_scaled_by_singular_values)),
    Mutant("linear AE without the factor 2", AE, {"linear_autoencoder_loss": ae_no_factor_two}),
    Mutant("linear AE sum not mean", AE, {"linear_autoencoder_loss": ae_sum_not_mean}),
    Mutant("linear AE mean over features", AE, {"linear_autoencoder_loss": ae_mean_over_features}),
    Mutant(
        "linear AE dW_enc transposed",
        AE,
        {"linear_autoencoder_loss": ae_encoder_gradient_transposed},
    ),
    Mutant("variance not std", REP, as_torch("reparameterize", reparam_variance_not_std)),
    Mutant("logvar as std", REP, as_torch("reparameterize", reparam_logvar_as_std)),
    Mutant("uniform eps", REP, as_torch("reparameterize", reparam_uniform_noise)),
    Mutant("ignores the generator", REP, as_torch("reparameterize", reparam_ignores_generator)),
    Mutant("detached sample", REP, as_torch("reparameterize", reparam_detached)),
    Mutant("BCE mean over pixels", VAE, as_torch("vae_loss", vae_mean_over_pixels)),
    Mutant("summed over the batch", VAE, as_torch("vae_loss", vae_not_batch_averaged)),
    Mutant("KL with the wrong sign", VAE, as_torch("vae_loss", vae_kl_sign)),
    Mutant("KL without exp", VAE, as_torch("vae_loss", vae_kl_without_exp)),
    Mutant("no KL term", VAE, as_torch("vae_loss", vae_no_kl)),
]
