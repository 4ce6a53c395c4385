"""Layers over whole sequences for word-level models: embedding, affine, masked softmax loss."""

from __future__ import annotations

import numpy as np


def word_embedding_forward(x, W):
    """Look up the embedding vector of every word index.

    Inputs:
    - x: Integer word indices, of shape (N, T), each in [0, V)
    - W: Embedding matrix, of shape (V, D), one row per word

    Returns a tuple of:
    - out: Embedded words, of shape (N, T, D), out[n, t] = W[x[n, t]]
    - cache: (x, V), the indices and the vocabulary size
    """
    out = W[x]  # (N, T, D)
    cache = (x, W.shape[0])
    return out, cache


def word_embedding_backward(dout, cache):
    """Backward pass of word_embedding_forward (the indices themselves get no gradient).

    Inputs:
    - dout: Upstream gradient, of shape (N, T, D)
    - cache: (x, V) from word_embedding_forward

    Returns:
    - dW: Gradient of the embedding matrix, of shape (V, D); the rows of a word that
      occurs several times add up
    """
    x, V = cache
    dW = np.zeros((V, dout.shape[-1]), dtype=dout.dtype)
    np.add.at(dW, x, dout)  # unbuffered: repeated indices accumulate
    return dW


def temporal_affine_forward(x, w, b):
    """The same affine layer applied at every time step.

    Inputs:
    - x: Input data, of shape (N, T, D)
    - w: Weights, of shape (D, M)
    - b: Biases, of shape (M,)

    Returns a tuple of:
    - out: Output data, of shape (N, T, M), out[:, t] = x[:, t] w + b
    - cache: (x, w, b, out)
    """
    out = x @ w + b  # (N, T, M)
    cache = (x, w, b, out)
    return out, cache


def temporal_affine_backward(dout, cache):
    """Backward pass of temporal_affine_forward.

    Inputs:
    - dout: Upstream gradient, of shape (N, T, M)
    - cache: (x, w, b, out) from temporal_affine_forward

    Returns a tuple of:
    - dx: Gradient of the input, of shape (N, T, D)
    - dw: Gradient of the weights, of shape (D, M)
    - db: Gradient of the biases, of shape (M,)
    """
    x, w, _, _ = cache
    D, M = w.shape
    dx = dout @ w.T  # (N, T, D)
    dw = x.reshape(-1, D).T @ dout.reshape(-1, M)  # (D, M)
    db = dout.sum(axis=(0, 1))  # (M,)
    return dx, dw, db


def temporal_softmax_loss(x, y, mask):
    """Masked softmax cross-entropy over a sequence of predictions.

    At every time step the scores over a vocabulary of V words are compared with the
    true word; steps where mask is False (padding after the end of a caption) do not
    count. The loss is summed over time steps and averaged over the N sequences, and
    is numerically stable for any finite scores.

    Inputs:
    - x: Scores, of shape (N, T, V)
    - y: Integer true words, of shape (N, T), each in [0, V)
    - mask: Boolean, of shape (N, T); mask[n, t] says whether step t of sequence n counts

    Returns a tuple of:
    - loss: Scalar float
    - dx: Gradient of the loss with respect to x, of shape (N, T, V)
    """
    N, T, V = x.shape
    x_flat = x.reshape(N * T, V)
    y_flat = y.reshape(N * T)
    mask_flat = np.asarray(mask, dtype=bool).reshape(N * T)

    shifted = x_flat - x_flat.max(axis=1, keepdims=True)  # (N*T, V), max entry 0
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # (N*T, V)
    rows = np.arange(N * T)
    loss = -np.sum(mask_flat * log_probs[rows, y_flat]) / N

    dx_flat = np.exp(log_probs)  # softmax, (N*T, V)
    dx_flat[rows, y_flat] -= 1.0
    dx_flat *= mask_flat[:, None] / N
    return float(loss), dx_flat.reshape(N, T, V)
