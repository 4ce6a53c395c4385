"""How a gradient travels back through a tanh RNN: the spectral radius of W_h decides.

10_rnn (section 2) runs these with the student's ``rnn_step_forward`` and
``rnn_step_backward``; tests/test_rnn_gradients.py asserts, across seeds, what the
notebook's text says about them.

Shapes: N sequences, T time steps, D input features, H hidden units.
"""

from __future__ import annotations

import numpy as np


def with_spectral_radius(W, rho):
    """W (H, H) rescaled so that its spectral radius max |eigenvalue| equals ``rho``."""
    return W * (rho / np.max(np.abs(np.linalg.eigvals(W))))


def gradient_norms_through_time(x, Wx, Wh, b, step_forward, step_backward):
    """||dL/dh_{T-k}|| for k = 0..T, where L = sum(h_T * v) for a fixed unit vector v.

    Inputs:
    - x: inputs of shape (N, T, D); Wx (D, H), Wh (H, H), b (H,): a tanh RNN
    - step_forward: (x_t, prev_h, Wx, Wh, b) -> (next_h, cache), e.g. rnn_step_forward
    - step_backward: (dnext_h, cache) -> (dx, dprev_h, dWx, dWh, db)
    Runs the steps over x from h = 0, then the backward steps from the last one to the first.
    Returns:
    - norms: array of shape (T + 1,), norms[0] = 1 (the gradient of h_T itself)
    """
    steps, state = [], np.zeros((x.shape[0], Wh.shape[0]))  # (N, H)
    for t in range(x.shape[1]):
        state, step_cache = step_forward(x[:, t], state, Wx, Wh, b)
        steps.append(step_cache)
    grad = np.ones_like(state) / np.sqrt(state.size)  # dL/dh_T, norm 1
    norms = [1.0]
    for step_cache in reversed(steps):
        grad = step_backward(grad, step_cache)[1]
        norms.append(np.linalg.norm(grad))
    return np.array(norms)


def spectral_experiment(
    seed,
    radii=(0.5, 0.9, 1.0, 1.5, 2.0),
    scales=(0.1, 1.0),
    *,
    step_forward,
    step_backward,
    H=64,
    D=16,
    T=60,
    N=8,
):
    """The figure of 10_rnn section 2 for one seed: one random W_h rescaled to each radius.

    Returns:
    - norms: dict (input scale, rho) -> array (T + 1,) of gradient norms back through time
    """
    rng = np.random.default_rng(seed)
    W0 = rng.normal(size=(H, H))
    Wx = rng.normal(size=(D, H)) / np.sqrt(D)
    x = rng.normal(size=(N, T, D))
    return {
        (scale, rho): gradient_norms_through_time(
            scale * x, Wx, with_spectral_radius(W0, rho), np.zeros(H), step_forward, step_backward
        )
        for scale in scales
        for rho in radii
    }
