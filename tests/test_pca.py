"""experiments.pca: PCA, the linear autoencoder's loss and gradients, and subspace tools.

Oracles: scikit-learn's PCA (its span, compared through projection matrices), the
eigen-decomposition of the covariance, numerical gradients (float64) and torch autograd
for the linear autoencoder, and the Eckart-Young error for its trained solution.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA as SklearnPCA

from course_utils.experiments.pca import (
    STEP_PER_CURVATURE,
    fit_linear_autoencoder,
    linear_autoencoder_loss,
    orthonormal_basis,
    pca,
    pca_adapter,
    pca_reconstruction_error,
    pca_summary,
    principal_angles,
    projection_matrix,
    top_eigenvalue,
)
from course_utils.gradcheck import eval_numerical_gradient_array, rel_error

pytestmark = pytest.mark.numerics  # run under forced BLAS kernels: tests/portability.py


def test_graded_tags():
    assert pca.__graded_in__ == linear_autoencoder_loss.__graded_in__ == "11_autoencoders"
    assert not hasattr(fit_linear_autoencoder, "__graded_in__")


def anisotropic(rng, N, D, offset=0.0):
    """Data with well-separated variances along random orthogonal directions."""
    Q, _ = np.linalg.qr(rng.standard_normal((D, D)))
    scales = 3.0 * 0.7 ** np.arange(D)
    return offset + 2.0 + (rng.standard_normal((N, D)) * scales) @ Q.T


@pytest.mark.parametrize(("N", "D", "k"), [(50, 6, 2), (40, 5, 5), (8, 12, 3), (30, 4, 1)])
def test_pca_matches_sklearn_span_and_order(rng, N, D, k):
    X = anisotropic(rng, N, D)
    mean, components = pca(X, k)
    assert mean.shape == (D,) and components.shape == (k, D)
    np.testing.assert_allclose(mean, X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(components @ components.T, np.eye(k), atol=1e-12)
    oracle = SklearnPCA(n_components=k, svd_solver="full").fit(X)
    np.testing.assert_allclose(
        projection_matrix(components.T), projection_matrix(oracle.components_.T), atol=1e-9
    )
    variances = np.mean(((X - mean) @ components.T) ** 2, axis=0)
    np.testing.assert_allclose(variances, oracle.explained_variance_ * (N - 1) / N, rtol=1e-9)
    assert np.all(np.diff(variances) <= 0)


def test_pca_components_are_eigenvectors_of_the_covariance(rng):
    X = anisotropic(rng, 200, 5, offset=1e4)  # a large offset: centring must come first
    mean, components = pca(X, 3)
    cov = (X - X.mean(0)).T @ (X - X.mean(0)) / len(X)
    eigenvalues, eigenvectors = np.linalg.eigh(cov)
    top = eigenvectors[:, ::-1][:, :3]
    np.testing.assert_allclose(projection_matrix(components.T), top @ top.T, atol=1e-8)
    np.testing.assert_allclose(cov @ components.T, components.T * eigenvalues[::-1][:3], atol=1e-8)


def test_projection_matrix_is_basis_free(rng):
    A = rng.standard_normal((6, 3))
    P = projection_matrix(A)
    M = rng.standard_normal((3, 3))
    np.testing.assert_allclose(projection_matrix(A @ M), P, atol=1e-10)
    np.testing.assert_allclose(projection_matrix(-A), P, atol=1e-12)
    np.testing.assert_allclose(P @ P, P, atol=1e-12)
    np.testing.assert_allclose(P, P.T, atol=1e-12)
    assert np.trace(P) == pytest.approx(3)
    rank_two = np.column_stack([A[:, 0], A[:, 1], A[:, 0] + A[:, 1]])
    assert orthonormal_basis(rank_two).shape == (6, 2)


def test_principal_angles():
    e = np.eye(4)
    np.testing.assert_allclose(principal_angles(e[:, :2], e[:, [1, 0]] * [2, -3]), 0, atol=1e-7)
    np.testing.assert_allclose(principal_angles(e[:, :2], e[:, 2:]), np.pi / 2, atol=1e-12)
    tilted = np.column_stack([e[:, 0], np.cos(0.3) * e[:, 1] + np.sin(0.3) * e[:, 2]])
    np.testing.assert_allclose(principal_angles(e[:, :2], tilted), [0.0, 0.3], atol=1e-7)


@pytest.mark.parametrize(("N", "D", "K"), [(7, 5, 2), (1, 4, 3), (10, 3, 3)])
def test_linear_autoencoder_gradients_numerically(rng, N, D, K):
    X = rng.standard_normal((N, D))
    W_enc, W_dec = rng.standard_normal((D, K)), rng.standard_normal((K, D))
    loss, dW_enc, dW_dec = linear_autoencoder_loss(X, W_enc, W_dec)
    assert isinstance(loss, float) and dW_enc.shape == (D, K) and dW_dec.shape == (K, D)
    one = np.ones(1)

    def f_enc(W):
        return np.array([linear_autoencoder_loss(X, W, W_dec)[0]])

    def f_dec(W):
        return np.array([linear_autoencoder_loss(X, W_enc, W)[0]])

    assert rel_error(eval_numerical_gradient_array(f_enc, W_enc.copy(), one), dW_enc) < 1e-7
    assert rel_error(eval_numerical_gradient_array(f_dec, W_dec.copy(), one), dW_dec) < 1e-7


def test_linear_autoencoder_matches_torch(rng):
    X = rng.standard_normal((9, 6))
    W_enc, W_dec = rng.standard_normal((6, 2)), rng.standard_normal((2, 6))
    loss, dW_enc, dW_dec = linear_autoencoder_loss(X, W_enc, W_dec)
    Xt = torch.tensor(X)
    We, Wd = torch.tensor(W_enc, requires_grad=True), torch.tensor(W_dec, requires_grad=True)
    oracle = ((Xt @ We @ Wd - Xt) ** 2).sum(dim=1).mean()
    oracle.backward()
    assert loss == pytest.approx(oracle.item(), rel=1e-12)
    np.testing.assert_allclose(dW_enc, We.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(dW_dec, Wd.grad.numpy(), rtol=1e-10)


def test_pca_solution_reaches_the_eckart_young_error(rng):
    X = anisotropic(rng, 80, 6)
    mean, components = pca(X, 2)
    Xc = X - mean
    loss, dW_enc, dW_dec = linear_autoencoder_loss(Xc, components.T, components)
    assert loss == pytest.approx(pca_reconstruction_error(Xc, 2), rel=1e-10)
    assert max(np.abs(dW_enc).max(), np.abs(dW_dec).max()) < 1e-10  # a stationary point
    s = np.linalg.svd(Xc, compute_uv=False)
    assert pca_reconstruction_error(Xc, 6) == pytest.approx(0, abs=1e-20)
    assert pca_reconstruction_error(Xc, 0) == pytest.approx(np.sum(s**2) / 80)


def test_trained_linear_autoencoder_spans_the_principal_subspace(rng):
    X = anisotropic(rng, 100, 6)
    Xc = X - X.mean(0)
    result = fit_linear_autoencoder(Xc, 2, learning_rate=0.01, num_steps=1500, seed=0)
    losses = result["loss_history"]
    assert losses.shape == (1500,) and losses[-1] < 0.3 * losses[0]
    assert losses[-1] == pytest.approx(pca_reconstruction_error(Xc, 2), rel=1e-5)
    _, components = pca(X, 2)
    assert np.degrees(principal_angles(result["W_dec"].T, components.T)).max() < 0.1
    assert np.degrees(principal_angles(result["W_enc"], components.T)).max() < 0.1
    again = fit_linear_autoencoder(Xc, 2, learning_rate=0.01, num_steps=1500, seed=0)
    np.testing.assert_array_equal(again["W_enc"], result["W_enc"])


def test_top_eigenvalue_is_the_largest_eigenvalue_of_the_covariance(rng):
    X = anisotropic(rng, 300, 12)
    Xc = X - X.mean(0)
    expected = np.linalg.svd(Xc, compute_uv=False)[0] ** 2 / len(Xc)
    assert top_eigenvalue(Xc) == pytest.approx(expected, rel=1e-6)
    assert top_eigenvalue(100 * Xc) == pytest.approx(1e4 * expected, rel=1e-6)
    assert top_eigenvalue(np.zeros((5, 3))) == 0.0


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the fixed rate overflows on purpose
def test_default_learning_rate_follows_the_scale_of_the_data(rng):
    """A rate that suits small pixel values diverges on large ones; the default adapts."""
    X = anisotropic(rng, 100, 6)
    Xc = X - X.mean(0)
    small = fit_linear_autoencoder(Xc, 2, num_steps=600, seed=0)
    large = fit_linear_autoencoder(30 * Xc, 2, num_steps=600, seed=0)
    assert small["learning_rate"] == pytest.approx(
        STEP_PER_CURVATURE / top_eigenvalue(Xc), rel=1e-12
    )
    assert large["learning_rate"] == pytest.approx(small["learning_rate"] / 900, rel=1e-6)
    for scale, result in ((1, small), (30, large)):
        best = pca_reconstruction_error(scale * Xc, 2)
        assert result["loss_history"][-1] == pytest.approx(best, rel=1e-4)
    fixed = fit_linear_autoencoder(30 * Xc, 2, learning_rate=small["learning_rate"],
                                   num_steps=100, seed=0)  # fmt: skip
    assert not np.isfinite(fixed["loss_history"][-1])


def test_pca_summary_is_sign_free_and_checks_the_order(rng):
    X = anisotropic(rng, 40, 5)
    mean, components = pca(X, 3)
    flipped = components * np.array([[-1], [1], [-1]])
    for a, b in zip(pca_summary(X, mean, components), pca_summary(X, mean, flipped)):
        np.testing.assert_allclose(a, b, atol=1e-12)
    swapped = pca_summary(X, mean, components[[1, 0, 2]])
    np.testing.assert_allclose(swapped[1], pca_summary(X, mean, components)[1], atol=1e-12)
    assert not np.allclose(swapped[2], pca_summary(X, mean, components)[2])


def test_pca_adapter_binds_late(rng):
    X = anisotropic(rng, 30, 4)
    namespace: dict = {}
    adapted = pca_adapter("pca", namespace)
    with pytest.raises(NameError, match="pca"):
        adapted(X, 2)
    namespace["pca"] = pca
    mean, projection, variances = adapted(X, 2)
    assert projection.shape == (4, 4) and variances.shape == (2,)
    namespace["pca"] = lambda X, k: (X.mean(0), np.eye(X.shape[1])[:k])
    np.testing.assert_array_equal(adapted(X, 2)[1], np.diag([1.0, 1.0, 0.0, 0.0]))
