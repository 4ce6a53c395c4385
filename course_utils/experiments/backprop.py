"""The experiments of 05_backprop: overfitting a tiny batch, XOR with and without a hidden
layer, PReLU and maxout, and parameter counts.

Networks here are plain parameter dicts ``{"W1", "b1", ..., "WL", "bL"}`` (W_i of shape
(H_{i-1}, H_i)) trained by a loss function with the signature of the notebook's
``fc_net_loss(params, X, y=None, reg=0.0)``: scores when y is None, else (loss, grads).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from course_utils.assignments import reveals
from course_utils.classifiers.init import he
from course_utils.data import xor

LossFn = Callable[..., object]


def init_fc_params(dims: Sequence[int], seed: int = 0) -> dict[str, np.ndarray]:
    """He-initialised weights and zero biases for the layer sizes ``dims`` = [D, H_1, ..., C].

    Returns {"W1": (D, H_1), "b1": (H_1,), ..., "WL": (H_{L-1}, C), "bL": (C,)}, float64.
    """
    if len(dims) < 2 or any(int(d) < 1 for d in dims):
        raise ValueError(f"dims needs at least two positive sizes, got {list(dims)}")
    rng = np.random.default_rng(seed)
    params = {}
    for i, (fan_in, fan_out) in enumerate(zip(dims[:-1], dims[1:]), start=1):
        params[f"W{i}"] = he(int(fan_in), int(fan_out), rng)
        params[f"b{i}"] = np.zeros(int(fan_out))
    return params


def accuracy(loss_fn: LossFn, params: dict, X: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows of X whose highest score (``loss_fn(params, X)``) is the label y."""
    return float(np.mean(np.argmax(loss_fn(params, X), axis=1) == y))


def train_full_batch(
    loss_fn: LossFn,
    params: dict,
    X: np.ndarray,
    y: np.ndarray,
    learning_rate: float,
    steps: int,
    reg: float = 0.0,
    stop_at_100: bool = False,
) -> dict:
    """Plain gradient descent on all of (X, y); ``params`` are updated in place.

    Returns {"losses": loss before each step, "steps": steps taken, "accuracy": final
    training accuracy}. With ``stop_at_100`` it stops at the first step where every
    training example is classified correctly (checked before each update).
    """
    losses = []
    taken = 0
    for _ in range(steps):
        if stop_at_100 and accuracy(loss_fn, params, X, y) == 1.0:
            break
        loss, grads = loss_fn(params, X, y, reg)
        losses.append(float(loss))
        for name, grad in grads.items():
            params[name] -= learning_rate * grad
        taken += 1
    return {"losses": losses, "steps": taken, "accuracy": accuracy(loss_fn, params, X, y)}


def overfit_tiny_batch(
    loss_fn: LossFn,
    X: np.ndarray,
    y: np.ndarray,
    hidden_dims: Sequence[int] = (50, 50),
    learning_rate: float = 0.1,
    max_steps: int = 500,
    seed: int = 0,
) -> dict:
    """The debugging habit: a correct network drives a tiny batch to 100 % training accuracy.

    Trains a net of ``hidden_dims`` (He init from ``seed``, no regularization) by full-batch
    gradient descent on (X, y) until every example is right or ``max_steps`` pass.
    Returns train_full_batch's dict plus "params".
    """
    X = np.asarray(X, dtype=np.float64).reshape(len(X), -1)
    num_classes = int(np.max(y)) + 1
    params = init_fc_params([X.shape[1], *hidden_dims, num_classes], seed)
    result = train_full_batch(
        loss_fn, params, X, y, learning_rate, max_steps, reg=0.0, stop_at_100=True
    )
    return {**result, "params": params}


def xor_experiment(
    linear_loss: LossFn,
    hidden_loss: LossFn,
    seed: int = 0,
    n: int = 200,
    hidden_dim: int = 8,
    learning_rate: float = 0.5,
    steps: int = 500,
) -> dict:
    """XOR: a linear softmax classifier against one hidden ReLU layer, same data and budget.

    Both are trained by full-batch gradient descent from He-initialised params (seeded by
    ``seed``): ``linear_loss`` on {"W1" (2, 2), "b1"}, ``hidden_loss`` on {"W1" (2, H), "b1",
    "W2" (H, 2), "b2"}; both have the signature of ``fc_net_loss``. Returns {"X", "y",
    "linear", "hidden"}, each model a dict of its "params" and "accuracy" (on the training
    points: the question is whether the model can represent XOR at all).
    """
    X, y = xor(n=n, noise=0.25, seed=seed)
    result = {"X": X, "y": y}
    for name, loss_fn, dims in (
        ("linear", linear_loss, [2, 2]),
        ("hidden", hidden_loss, [2, hidden_dim, 2]),
    ):
        params = init_fc_params(dims, seed)
        trained = train_full_batch(loss_fn, params, X, y, learning_rate, steps)
        result[name] = {"params": params, "accuracy": trained["accuracy"]}
    return result


@reveals("05_backprop")  # a leaky ReLU with a learned slope: the answer of a 05 task
def prelu_forward(x: np.ndarray, alpha) -> tuple[np.ndarray, tuple]:
    """PReLU: out = x where x > 0, else alpha * x, with alpha learned.

    alpha is a scalar (one slope shared) or an array of shape (x.shape[-1],) (one slope per
    unit, broadcast along the last axis). Returns (out, cache).
    """
    alpha = np.asarray(alpha, dtype=np.float64)
    if alpha.ndim > 1 or (alpha.ndim == 1 and alpha.shape[0] != x.shape[-1]):
        raise ValueError(
            f"alpha must be a scalar or of shape ({x.shape[-1]},), got shape {alpha.shape}"
        )
    return np.where(x > 0, x, alpha * x), (x, alpha)


@reveals("05_backprop")
def prelu_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Backward of PReLU: (dx, dalpha), dalpha of alpha's shape (summed where it is shared)."""
    x, alpha = cache
    dx = np.where(x > 0, dout, alpha * dout)
    contribution = np.where(x > 0, 0.0, x * dout)
    if alpha.ndim == 0:
        return dx, np.asarray(contribution.sum())
    return dx, contribution.reshape(-1, x.shape[-1]).sum(axis=0)


def maxout_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple]:
    """Maxout with K pieces: out[n, m] = max_k (x[n] @ W[:, m, k] + b[m, k]).

    Inputs: x (N, D), W (D, M, K), b (M, K). Returns (out (N, M), cache).
    """
    if W.ndim != 3 or W.shape[0] != x.shape[1] or b.shape != W.shape[1:]:
        raise ValueError(
            f"maxout needs x (N, D), W (D, M, K), b (M, K); got {x.shape}, {W.shape}, {b.shape}"
        )
    pieces = np.einsum("nd,dmk->nmk", x, W) + b  # (N, M, K)
    winner = pieces.argmax(axis=2)  # (N, M)
    out = np.take_along_axis(pieces, winner[..., None], axis=2)[..., 0]
    return out, (x, W, winner)


def maxout_backward(dout: np.ndarray, cache: tuple):
    """Backward of maxout: the max gate routes dout to the winning piece. Returns dx, dW, db."""
    x, W, winner = cache
    K = W.shape[2]
    dpieces = dout[..., None] * (winner[..., None] == np.arange(K))  # (N, M, K)
    dx = np.einsum("nmk,dmk->nd", dpieces, W)
    dW = np.einsum("nd,nmk->dmk", x, dpieces)
    return dx, dW, dpieces.sum(axis=0)


def count_parameters(dims: Sequence[int]) -> list[dict]:
    """Weights and biases of each affine layer of a fully connected net of sizes ``dims``.

    Returns one dict per layer: {"layer", "shape", "weights", "biases", "total"}.
    """
    rows = []
    for i, (fan_in, fan_out) in enumerate(zip(dims[:-1], dims[1:]), start=1):
        weights, biases = int(fan_in) * int(fan_out), int(fan_out)
        rows.append(
            {
                "layer": i,
                "shape": (int(fan_in), int(fan_out)),
                "weights": weights,
                "biases": biases,
                "total": weights + biases,
            }
        )
    return rows


def parameter_table(networks: dict[str, Sequence[int]]) -> str:
    """A plain-text table: one row per network (its sizes, weights, biases, total).

    ``networks`` maps a name to the layer sizes [D, H_1, ..., C]; a net of more than four
    layers shows its first sizes and its depth.
    """
    lines = [f"{'network':<28} {'sizes':<28} {'weights':>9} {'biases':>7} {'total':>9}"]
    for name, dims in networks.items():
        rows = count_parameters(dims)
        weights = sum(r["weights"] for r in rows)
        biases = sum(r["biases"] for r in rows)
        sizes = "-".join(str(int(d)) for d in dims)
        if len(dims) > 5:  # a deep net: first, second and last size, and the depth
            sizes = f"{int(dims[0])}-{int(dims[1])}-...-{int(dims[-1])} ({len(dims) - 1} layers)"
        lines.append(f"{name:<28} {sizes:<28} {weights:>9,} {biases:>7,} {weights + biases:>9,}")
    return "\n".join(lines)
