"""What 11_autoencoders grades: PCA, the linear autoencoder's gradients, reparameterize, vae_loss.

The grader's inputs are numpy arrays and plain numbers, and it calls names of the
student's notebook. Two kinds of answers cannot be compared directly, so the notebook's
locked setup cell defines a small *view* of each, which the checks call instead:

- ``pca_subspace = pca_adapter("pca", globals())`` (course_utils.experiments.pca): principal
  components are only defined up to sign, so the check compares sign-free quantities
  of the student's ``pca(X, k)``: the mean, the matrix components^T components (the
  projector onto their span when the rows are orthonormal) and the variance along each
  component (which also checks their order).
- ``numpy_reparameterize`` and ``numpy_vae_loss`` = ``numpy_adapter(name, globals())``
  (course_utils.generative.adapters): ``reparameterize`` and ``vae_loss`` are PyTorch
  functions; the adapter turns the arrays into float64 tensors (and ``generator=<int>``
  into a seeded ``torch.Generator``, so the student draws the same eps as the
  reference), calls the student's function and returns its output with the gradients
  of sum(output) with respect to the differentiable inputs, as numpy arrays.

Both views look the student's function up by name *when they are called* (late
binding), so they always run what the student's cell defined last. The references here
are the same views around the course_utils references; mutants (tests/mutants/) wrap
their wrong versions the same way.

The outcome task (``test_vae_choices``): the student's latent size and beta are read as
numbers; the grader trains the reference VAE with them on its own split of the digits and
scores the held-out loss (BCE at the mean code + KL, nats per image).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import torch
import torch.nn.functional as F

from autograder.checks.outcome import level_checks, read_choices
from autograder.spec import Check, alternatives, call, case
from course_utils.data import load_digits
from course_utils.experiments.beta_vae import train_beta_vae
from course_utils.experiments.pca import linear_autoencoder_loss, pca, pca_adapter
from course_utils.generative import reparameterize, vae_loss
from course_utils.generative.adapters import numpy_adapter


def _anisotropic(rng: np.random.Generator, N: int, D: int, offset: float = 0.0) -> np.ndarray:
    """Data whose variances along random orthogonal directions are well separated."""
    Q, _ = np.linalg.qr(rng.standard_normal((D, D)))
    scales = rng.uniform(2.0, 4.0) * 0.65 ** np.arange(D)  # (D,)
    return offset + rng.normal(size=D) + (rng.standard_normal((N, D)) * scales) @ Q.T


def _pca_cases(rng: np.random.Generator):
    D = int(rng.integers(6, 10))
    return [
        case("tall data, two components", call("pca_subspace", _anisotropic(rng, 80, D), 2)),
        case("one component", call("pca_subspace", _anisotropic(rng, 40, 5), 1)),
        case("as many components as features", call("pca_subspace", _anisotropic(rng, 30, 4), 4)),
        case("fewer examples than features", call("pca_subspace", _anisotropic(rng, 9, 12), 3)),
        case("data far from the origin", call("pca_subspace", _anisotropic(rng, 50, 5, 1e4), 3)),
    ]


def _linear_ae_cases(rng: np.random.Generator):
    def inputs(N, D, K, scale=1.0):
        # not centred: the formulas hold for any X, and a centred batch of one would be 0
        X = rng.standard_normal((N, D)) + rng.normal(size=D)
        return X, scale * rng.standard_normal((D, K)), rng.standard_normal((K, D))

    return [
        case("a code smaller than the input", call("linear_autoencoder_loss", *inputs(20, 6, 2))),
        case("a batch of one", call("linear_autoencoder_loss", *inputs(1, 5, 3))),
        case("a code as large as the input", call("linear_autoencoder_loss", *inputs(12, 4, 4))),
        case("large encoder weights", call("linear_autoencoder_loss", *inputs(15, 7, 3, 30.0))),
    ]


def _reparameterize_cases(rng: np.random.Generator):
    def inputs(N, Z, logvar_scale=1.0, logvar_shift=0.0):
        mu = rng.normal(size=(N, Z))
        return mu, logvar_shift + logvar_scale * rng.normal(size=(N, Z))

    def draw(label, mu, logvar):
        seed = int(rng.integers(2**31))
        return case(label, call("numpy_reparameterize", mu, logvar, generator=seed))

    return [
        draw("a batch of latent codes", *inputs(int(rng.integers(5, 10)), 3)),
        draw("a batch of one", *inputs(1, 2)),
        draw("a wide latent space", *inputs(4, 16)),
        draw("tiny variances", *inputs(6, 2, 0.5, -12.0)),
        draw("large variances", *inputs(6, 2, 0.5, 4.0)),
    ]


def _vae_loss_cases(rng: np.random.Generator):
    def inputs(shape, Z=2, binary=False, mu_scale=1.0):
        x_hat = 1.0 / (1.0 + np.exp(-1.5 * rng.normal(size=shape)))
        x = (rng.random(shape) < 0.5).astype(float) if binary else rng.random(shape)
        N = shape[0]
        return x_hat, x, mu_scale * rng.normal(size=(N, Z)), rng.normal(size=(N, Z))

    def loss(label, *args):
        return case(label, call("numpy_vae_loss", *args))

    return [
        loss("flattened images", *inputs((int(rng.integers(6, 12)), 64))),
        loss("a batch of one", *inputs((1, 20), Z=3)),
        loss("image-shaped inputs (N, 1, 8, 8)", *inputs((5, 1, 8, 8))),
        loss("binary pixels", *inputs((7, 30), binary=True)),
        loss("codes far from the prior", *inputs((6, 16), Z=4, mu_scale=5.0)),
    ]


# The known mistakes: what a student's wrong output most likely comes from
# (tests/mutants grades each one as a mutant too).


def as_pca(fn):
    return {"pca": fn, "pca_subspace": pca_adapter("pca", {"pca": fn})}


def as_torch(name, fn):
    return {name: fn, f"numpy_{name}": numpy_adapter(name, {name: fn})}


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


#: per graded function, (what the mistake is, an implementation that makes it)
MISTAKES = {
    "pca": [
        ("the data is not centred before the SVD", as_pca(pca_not_centred)),
        (
            "the first k columns of Vt: the components are its first k rows",
            as_pca(pca_columns_of_v),
        ),
        (
            "the k smallest eigenvectors: eigh sorts ascending, take the largest",
            as_pca(pca_smallest_eigenvectors),
        ),
        (
            "the components in ascending order of variance: largest first",
            as_pca(pca_ascending_order),
        ),
        (
            "components scaled by their singular values: they must be orthonormal",
            as_pca(pca_scaled_by_singular_values),
        ),
    ],
    "linear_autoencoder_loss": [
        ("the 2 of d(r²)/dr is missing", ae_no_factor_two),
        ("the 1/N is missing in the loss and the gradients", ae_sum_not_mean),
        (
            "averaged over the N*D entries: sum over the features, average over N",
            ae_mean_over_features,
        ),
        (
            "dW_enc comes out transposed: chain the gradient in the other order",
            ae_encoder_gradient_transposed,
        ),
    ],
    "reparameterize": [
        (
            "eps scaled by the variance exp(logvar): the std is exp(logvar / 2)",
            as_torch("reparameterize", reparam_variance_not_std),
        ),
        (
            "logvar used as the standard deviation: the std is exp(logvar / 2)",
            as_torch("reparameterize", reparam_logvar_as_std),
        ),
        (
            "eps drawn uniformly (torch.rand): it comes from N(0, 1) (torch.randn)",
            as_torch("reparameterize", reparam_uniform_noise),
        ),
        (
            "eps drawn from torch's global generator: pass the generator given",
            as_torch("reparameterize", reparam_ignores_generator),
        ),
        (
            "no gradient reaches mu and logvar: sample with the reparameterization",
            as_torch("reparameterize", reparam_detached),
        ),
    ],
    "vae_loss": [
        (
            "the BCE averaged over pixels: sum it over pixels, average over the batch",
            as_torch("vae_loss", vae_mean_over_pixels),
        ),
        (
            "summed over the batch: average the loss over the batch",
            as_torch("vae_loss", vae_not_batch_averaged),
        ),
        ("the KL term subtracted: the loss adds it", as_torch("vae_loss", vae_kl_sign)),
        (
            "logvar where the variance exp(logvar) belongs in the KL",
            as_torch("vae_loss", vae_kl_without_exp),
        ),
        ("the KL term is missing", as_torch("vae_loss", vae_no_kl)),
    ],
}


# --- outcome: the student's latent size and beta -------------------------------------------

#: what the judge reads, in order, and the reference's own choices
VAE_CHOICES = {"vae_latent_dim": 4, "vae_beta": 1.0}
VAE_LIMITS = {"vae_latent_dim": (1, 16), "vae_beta": (0.0, 20.0)}
#: held-out loss (nats per image) for 2 and 1 points (measured on the grader's split: latent 4
#: or 8 with beta 1 about 25.0 (25.8 on another seed), latent 2 about 26.1, a collapsed beta >= 3
#: about 27.2, no KL term over 100)
VAE_TARGET, VAE_PARTIAL = 26.8, 28.0
VAE_SEED = 2026


@functools.lru_cache(maxsize=1)
def _vae_split(seed: int = VAE_SEED):
    """The grader's split of the 1797 digits (pixels in [0, 1]): 1297 to train, 500 held out."""
    X, _ = load_digits()
    X = X.reshape(len(X), -1)
    order = np.random.default_rng(seed).permutation(len(X))
    return X[order[:1297]], X[order[1297:]]


@functools.lru_cache(maxsize=16)
def vae_heldout_loss(latent_dim: int, beta: float) -> float:
    """BCE at the mean code + KL per held-out image of the reference VAE trained with the
    choices (hidden 128, 30 epochs, batches of 128, Adam 3e-3, the grader's seed)."""
    X_train, X_held = _vae_split()
    run = train_beta_vae(X_train, X_held, beta, latent_dim=latent_dim, epochs=30, seed=VAE_SEED)
    loss = run["reconstruction"] + run["kl"]
    return loss if math.isfinite(loss) else math.inf


def vae_judge(threshold: float):
    """A judge: None when the grader's held-out loss with the choices is at most ``threshold``."""

    def judge(got) -> str | None:
        choices, problem = read_choices(got, VAE_LIMITS, whole=("vae_latent_dim",))
        if problem:
            return problem
        loss = vae_heldout_loss(*choices)
        if loss <= threshold:
            return None
        return (
            f"With your choices the grader's VAE reaches a held-out loss of {loss:.1f} nats per "
            f"image, above {threshold:g}."
        )

    return judge


CHECKS = [
    Check(
        grade_id="test_pca",
        function="pca",
        alternatives=alternatives("pca", MISTAKES),
        reference={"pca_subspace": pca_adapter("pca", {"pca": pca})},
        cases=_pca_cases,
        tol=1e-6,
        names={
            "s0.out.0": "the mean",
            "s0.out.1": "components.T @ components (the projector onto their span)",
            "s0.out.2": "the variance along each component (in your order)",
        },
    ),
    Check(
        grade_id="test_linear_autoencoder_loss",
        function="linear_autoencoder_loss",
        alternatives=alternatives("linear_autoencoder_loss", MISTAKES),
        reference={"linear_autoencoder_loss": linear_autoencoder_loss},
        cases=_linear_ae_cases,
        tol=1e-7,
        names={"s0.out.0": "the loss", "s0.out.1": "dW_enc", "s0.out.2": "dW_dec"},
    ),
    Check(
        grade_id="test_reparameterize",
        function="reparameterize",
        alternatives=alternatives("reparameterize", MISTAKES),
        reference={
            "numpy_reparameterize": numpy_adapter(
                "reparameterize", {"reparameterize": reparameterize}
            )
        },
        cases=_reparameterize_cases,
        tol=1e-6,
        names={
            "s0.out.0": "z",
            "s0.out.1": "the gradient of sum(z) with respect to mu",
            "s0.out.2": "the gradient of sum(z) with respect to logvar",
        },
    ),
    Check(
        grade_id="test_vae_loss",
        function="vae_loss",
        alternatives=alternatives("vae_loss", MISTAKES),
        reference={"numpy_vae_loss": numpy_adapter("vae_loss", {"vae_loss": vae_loss})},
        cases=_vae_loss_cases,
        tol=1e-6,
        names={
            "s0.out.0": "the loss",
            "s0.out.1": "the gradient of the loss with respect to x_hat",
            "s0.out.2": "the gradient of the loss with respect to mu",
            "s0.out.3": "the gradient of the loss with respect to logvar",
        },
    ),
    *level_checks(
        "test_vae_choices",
        VAE_CHOICES,
        vae_judge,
        (
            (f"held-out loss at most {VAE_PARTIAL:g} nats in the grader's run", VAE_PARTIAL),
            (f"held-out loss at most {VAE_TARGET:g} nats in the grader's run", VAE_TARGET),
        ),
    ),
]
