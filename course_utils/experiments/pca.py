"""PCA, and the linear autoencoder that learns the same subspace (11_autoencoders).

``pca`` and ``linear_autoencoder_loss`` are graded. Components are only defined up to
sign (and, for equal variances, up to rotation), so subspaces are compared through their
projection matrices (:func:`projection_matrix`) or principal angles
(:func:`principal_angles`), never vector by vector.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits  # installed with scikit-learn

from course_utils.assignments import graded


@graded("11_autoencoders")
def pca(X, k):
    """Principal component analysis of the rows of X.

    Inputs:
    - X: data, array of shape (N, D), one example per row.
    - k: number of components, 1 <= k <= min(N, D).

    Returns a tuple of:
    - mean: the mean of the rows, of shape (D,).
    - components: array of shape (k, D) whose orthonormal rows span the k directions of
      largest variance of X - mean, in order of decreasing variance (the top right
      singular vectors of the centred data; each row's sign is arbitrary).
    """
    mean = X.mean(axis=0)  # (D,)
    _, _, Vt = np.linalg.svd(X - mean, full_matrices=False)  # Vt (min(N, D), D)
    components = Vt[:k]  # (k, D)
    return mean, components


@graded("11_autoencoders")
def linear_autoencoder_loss(X, W_enc, W_dec):
    """Reconstruction loss of a linear autoencoder and its gradients.

    The code is h = x W_enc, the reconstruction x_hat = h W_dec, and
    loss = (1/N) sum_n ||x_hat_n - x_n||^2 (squared error summed over the D features,
    averaged over the N examples).

    Inputs:
    - X: centred data, array of shape (N, D).
    - W_enc: encoder weights, of shape (D, K).
    - W_dec: decoder weights, of shape (K, D).

    Returns a tuple of:
    - loss: float.
    - dW_enc: gradient of the loss with respect to W_enc, of shape (D, K).
    - dW_dec: gradient of the loss with respect to W_dec, of shape (K, D).
    """
    N = X.shape[0]
    H = X @ W_enc  # (N, K)
    R = H @ W_dec - X  # (N, D) residuals
    loss = float(np.sum(R * R) / N)
    dX_hat = 2.0 * R / N  # (N, D)
    dW_dec = H.T @ dX_hat  # (K, D)
    dW_enc = X.T @ (dX_hat @ W_dec.T)  # (D, K)
    return loss, dW_enc, dW_dec


#: learning rate times lambda_1 for fit_linear_autoencoder: stable with momentum 0.9 on the
#: digits and on CIFAR-10-like data (on the digits, divergence starts between 0.4 and 0.5)
STEP_PER_CURVATURE = 0.15


def fit_linear_autoencoder(
    X: np.ndarray,
    k: int,
    loss_fn: Callable = linear_autoencoder_loss,
    *,
    learning_rate: float | None = None,
    momentum: float = 0.9,
    num_steps: int = 2000,
    init_scale: float = 0.01,
    seed: int | np.random.Generator | None = 0,
) -> dict:
    """Train a linear autoencoder on centred X by gradient descent with momentum.

    Inputs:
    - X: centred data, array of shape (N, D).
    - k: code size K.
    - loss_fn: (X, W_enc, W_dec) -> (loss, dW_enc, dW_dec), e.g. linear_autoencoder_loss.
    - learning_rate, momentum: the update v = momentum v - lr dW; W += v (sgd_momentum).
      learning_rate None (the default) means STEP_PER_CURVATURE / lambda_1, lambda_1 the
      largest eigenvalue of X^T X / N (:func:`top_eigenvalue`): the loss's curvature grows
      with it, so a fixed rate that suits 8x8 digits (lambda_1 ~ 0.7) diverges on CIFAR-10
      (lambda_1 in the tens).
    - init_scale: std of the Gaussian initial weights; seed: their generator.

    Returns a dict with W_enc (D, K), W_dec (K, D), loss_history (num_steps,) and the
    learning_rate used. BLAS runs on one thread meanwhile: the matrices are small, and
    extra threads only slow thousands of small products down on a busy machine.
    """
    rng = np.random.default_rng(seed)
    D = X.shape[1]
    if learning_rate is None:
        learning_rate = STEP_PER_CURVATURE / top_eigenvalue(X)
    W_enc = init_scale * rng.standard_normal((D, k))  # (D, K)
    W_dec = init_scale * rng.standard_normal((k, D))  # (K, D)
    v_enc, v_dec = np.zeros_like(W_enc), np.zeros_like(W_dec)
    losses = np.zeros(num_steps)
    with threadpool_limits(limits=1, user_api="blas"):
        for step in range(num_steps):
            losses[step], dW_enc, dW_dec = loss_fn(X, W_enc, W_dec)
            v_enc = momentum * v_enc - learning_rate * dW_enc
            v_dec = momentum * v_dec - learning_rate * dW_dec
            W_enc, W_dec = W_enc + v_enc, W_dec + v_dec
    return {"W_enc": W_enc, "W_dec": W_dec, "loss_history": losses, "learning_rate": learning_rate}


def top_eigenvalue(X: np.ndarray, num_iters: int = 30, seed=0) -> float:
    """The largest eigenvalue of X^T X / N for X of shape (N, D), by power iteration.

    Cheap where an SVD of X is not (N x D = 5000 x 3072: 60 matrix-vector products, 0.5 s,
    instead of an SVD's seconds); within 1e-4 relative of the SVD's value on the course's
    data (digits, CIFAR-10-like images).
    """
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(X.shape[1])  # (D,)
    value = 0.0
    for _ in range(num_iters):
        w = X.T @ (X @ v) / X.shape[0]  # (D,)
        value = float(np.linalg.norm(w))
        if value == 0.0:
            return 0.0
        v = w / value
    return value


def orthonormal_basis(A: np.ndarray) -> np.ndarray:
    """An orthonormal basis (D, r) of the column span of A (D, K), r = rank(A)."""
    U, s, _ = np.linalg.svd(A, full_matrices=False)
    rank = int(np.sum(s > s.max(initial=0.0) * max(A.shape) * np.finfo(float).eps))
    return U[:, :rank]


def projection_matrix(A: np.ndarray) -> np.ndarray:
    """The orthogonal projector (D, D) onto the column span of A (D, K).

    Basis-free: A and A @ M for any invertible M (a sign flip, a rotation) give the same
    matrix, so two subspaces are equal exactly when their projectors are.
    """
    Q = orthonormal_basis(A)  # (D, r)
    return Q @ Q.T


def principal_angles(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Principal angles (radians, ascending) between the column spans of A (D, K) and B (D, L).

    cos(theta_i) are the singular values of Qa^T Qb for orthonormal bases Qa, Qb; all
    angles are 0 when one span contains the other. Returns min(rank A, rank B) angles.
    """
    Qa, Qb = orthonormal_basis(A), orthonormal_basis(B)
    cosines = np.linalg.svd(Qa.T @ Qb, compute_uv=False)  # descending
    return np.arccos(np.clip(cosines, -1.0, 1.0))


def pca_reconstruction_error(X: np.ndarray, k: int) -> float:
    """The smallest loss of any rank-k linear reconstruction of centred X (N, D).

    By Eckart-Young it is (1/N) * (sum of the squared singular values of X beyond the
    k-th), i.e. the sum of the discarded eigenvalues of the covariance X^T X / N.
    """
    s = np.linalg.svd(X, compute_uv=False)
    return float(np.sum(s[k:] ** 2) / X.shape[0])


def pca_summary(X: np.ndarray, mean: np.ndarray, components: np.ndarray) -> tuple:
    """What the grader compares of a PCA: sign-free quantities only.

    Inputs: X (N, D), mean (D,) and components (k, D) as returned by ``pca``.
    Returns (mean (D,), projection (D, D), variances (k,)) where projection =
    components^T components (the projector onto their span when the rows are orthonormal)
    and variances[i] is the mean of ((X - mean) @ components[i])^2, the variance along the
    i-th component (so the order of the components is checked too).
    """
    mean, components = np.asarray(mean, dtype=np.float64), np.asarray(components, np.float64)
    projection = components.T @ components  # (D, D)
    variances = np.mean(((X - mean) @ components.T) ** 2, axis=0)  # (k,)
    return mean, projection, variances


def pca_adapter(name: str, namespace: Mapping[str, Any]) -> Callable:
    """(X, k) -> pca_summary(X, *namespace[name](X, k)), looking ``name`` up at call time.

    A notebook's locked cell defines ``pca_graded = pca_adapter("pca", globals())`` and
    the grader calls it, so that it compares subspaces and variances, not the signs of
    vectors.
    """

    def summary(X, k):
        if name not in namespace:
            raise NameError(f"{name} is not defined")
        mean, components = namespace[name](X, k)
        return pca_summary(X, mean, components)

    return summary
