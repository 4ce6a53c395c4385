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
"""

from __future__ import annotations

import numpy as np

from autograder.spec import Check, call, case
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


CHECKS = [
    Check(
        grade_id="test_pca",
        function="pca",
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
        reference={"linear_autoencoder_loss": linear_autoencoder_loss},
        cases=_linear_ae_cases,
        tol=1e-7,
        names={"s0.out.0": "the loss", "s0.out.1": "dW_enc", "s0.out.2": "dW_dec"},
    ),
    Check(
        grade_id="test_reparameterize",
        function="reparameterize",
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
]
