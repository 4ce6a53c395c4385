"""Wrong answers a student might give in 05_backprop."""

import numpy as np

from autograder.checks.nb05_backprop import reference_two_layer_loss
from course_utils.layers import (
    affine_backward,
    affine_forward,
    relu_backward,
    relu_forward,
    softmax_loss,
)
from tests.mutants import Mutant

# --- affine -------------------------------------------------------------------------------


def affine_forward_no_flatten(x, w, b):
    """Forgets to flatten x: fails for image-shaped inputs."""
    return x @ w + b, (x, w, b)


def affine_forward_no_bias(x, w, b):
    """Forgets the bias."""
    return x.reshape(x.shape[0], -1) @ w, (x, w, b)


def affine_backward_flat_dx(dout, cache):
    """dx left flat, of shape (N, D) instead of x's shape."""
    x, w, _ = cache
    x_flat = x.reshape(x.shape[0], -1)
    return dout @ w.T, x_flat.T @ dout, dout.sum(axis=0)


def affine_backward_db_mean(dout, cache):
    """db averaged over the batch instead of summed."""
    x, w, _ = cache
    x_flat = x.reshape(x.shape[0], -1)
    return (dout @ w.T).reshape(x.shape), x_flat.T @ dout, dout.mean(axis=0)


def affine_backward_dw_transposed(dout, cache):
    """dw of shape (M, D): dout^T x instead of x^T dout."""
    x, w, _ = cache
    x_flat = x.reshape(x.shape[0], -1)
    return (dout @ w.T).reshape(x.shape), dout.T @ x_flat, dout.sum(axis=0)


# --- ReLU ---------------------------------------------------------------------------------


def relu_backward_ge(dout, cache):
    """Passes the gradient where x >= 0: wrong at exact zeros."""
    return dout * (cache >= 0)


def relu_backward_identity(dout, cache):
    """Forgets the mask."""
    return dout.copy()


def relu_forward_abs(x):
    """|x| instead of max(0, x)."""
    return np.abs(x), x


# --- sigmoid and tanh ---------------------------------------------------------------------


def sigmoid_forward_sign(x):
    """exp(x) instead of exp(-x): 1 - sigmoid(x)."""
    with np.errstate(over="ignore"):
        out = 1 / (1 + np.exp(x))
    return out, out


def sigmoid_backward_missing_factor(dout, cache):
    """dout * s, the (1 - s) factor forgotten."""
    return dout * cache


def sigmoid_backward_recomputed_on_out(dout, cache):
    """Applies the sigmoid again to the cached output: s(s) (1 - s(s))."""
    s = 1 / (1 + np.exp(-cache))
    return dout * s * (1 - s)


def tanh_backward_no_square(dout, cache):
    """1 - t instead of 1 - t**2."""
    return dout * (1 - cache)


def tanh_forward_naive(x):
    """(e^x - e^-x) / (e^x + e^-x): NaN for huge inputs."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
    return out, out


# --- leaky ReLU, ELU, softplus ------------------------------------------------------------


def leaky_relu_forward_fixed_alpha(x, alpha=0.01):
    """Ignores the alpha argument."""
    return np.where(x > 0, x, 0.01 * x), (x, alpha)


def leaky_relu_backward_zero_slope(dout, cache):
    """Backward of a plain ReLU: no gradient for negative inputs."""
    x, _ = cache
    return dout * (x > 0)


def elu_forward_no_minus_one(x, alpha=1.0):
    """alpha * exp(x) for x <= 0: forgets the - 1."""
    with np.errstate(over="ignore"):
        return np.where(x > 0, x, alpha * np.exp(np.minimum(x, 0))), (x, alpha)


def elu_backward_no_alpha(dout, cache):
    """dout * exp(x) for x <= 0: forgets alpha."""
    x, _ = cache
    return np.where(x > 0, dout, dout * np.exp(np.minimum(x, 0)))


def softplus_forward_naive(x):
    """log(1 + exp(x)): infinite for huge inputs."""
    with np.errstate(over="ignore"):
        return np.log(1 + np.exp(x)), x


def softplus_backward_wrong_sign(dout, cache):
    """sigmoid(-x) instead of sigmoid(x)."""
    with np.errstate(over="ignore"):
        return dout / (1 + np.exp(cache))


# --- two-layer network --------------------------------------------------------------------


def _forward(params, X):
    hidden, _ = relu_forward(affine_forward(X, params["W1"], params["b1"])[0])
    scores, _ = affine_forward(hidden, params["W2"], params["b2"])
    return hidden, scores


def two_layer_reg_without_half(params, X, y=None, reg=0.0):
    """reg * sum(W**2) in the loss (and 2 * reg * W in the gradients): the 0.5 forgotten."""
    out = reference_two_layer_loss(params, X, y, reg)
    if y is None:
        return out
    loss, grads = out
    loss += 0.5 * reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    grads["W1"] = grads["W1"] + reg * params["W1"]
    grads["W2"] = grads["W2"] + reg * params["W2"]
    return loss, grads


def two_layer_no_reg_gradient(params, X, y=None, reg=0.0):
    """Regularization added to the loss but not to the gradients."""
    out = reference_two_layer_loss(params, X, y, reg)
    if y is None:
        return out
    loss, grads = out
    grads["W1"] = grads["W1"] - reg * params["W1"]
    grads["W2"] = grads["W2"] - reg * params["W2"]
    return loss, grads


def two_layer_no_relu_mask(params, X, y=None, reg=0.0):
    """Backward through the hidden layer without the ReLU mask."""
    hidden, scores = _forward(params, X)
    if y is None:
        return scores
    loss, dscores = softmax_loss(scores, y)
    W1, W2 = params["W1"], params["W2"]
    loss += 0.5 * reg * (np.sum(W1**2) + np.sum(W2**2))
    X_flat = X.reshape(X.shape[0], -1)
    dhidden = dscores @ W2.T
    grads = {
        "W2": hidden.T @ dscores + reg * W2,
        "b2": dscores.sum(axis=0),
        "W1": X_flat.T @ dhidden + reg * W1,
        "b1": dhidden.sum(axis=0),
    }
    return loss, grads


def two_layer_regularizes_biases(params, X, y=None, reg=0.0):
    """Biases regularized too."""
    out = reference_two_layer_loss(params, X, y, reg)
    if y is None:
        return out
    loss, grads = out
    loss += 0.5 * reg * (np.sum(params["b1"] ** 2) + np.sum(params["b2"] ** 2))
    grads["b1"] = grads["b1"] + reg * params["b1"]
    grads["b2"] = grads["b2"] + reg * params["b2"]
    return loss, grads


def two_layer_unstable_softmax(params, X, y=None, reg=0.0):
    """Softmax without subtracting the row maximum: overflows for large scores."""
    hidden, scores = _forward(params, X)
    if y is None:
        return scores
    _, grads = reference_two_layer_loss(params, X, y, reg)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        exp = np.exp(scores)
        probs = exp / exp.sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(probs[np.arange(len(y)), y]))
    loss += 0.5 * reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    return loss, grads


# --- N-layer network ----------------------------------------------------------------------


def _fc_net(params, X, y, reg, *, bug=None):
    """The N-layer loss, correct unless ``bug`` names one mistake."""
    L = sum(1 for name in params if name.startswith("W"))
    out, caches = X, []
    for i in range(1, L + 1):
        out, fc_cache = affine_forward(out, params[f"W{i}"], params[f"b{i}"])
        relu_cache = None
        if i < L or bug == "relu on the scores":
            out, relu_cache = relu_forward(out)
        caches.append((fc_cache, relu_cache))
    if y is None:
        return out
    loss, dout = softmax_loss(out, y)
    if bug == "summed over the batch":
        loss, dout = loss * len(y), dout * len(y)
    grads = {}
    for i in range(L, 0, -1):
        fc_cache, relu_cache = caches[i - 1]
        if relu_cache is not None and bug == "mask of the next layer":
            relu_cache = caches[min(i, L - 2)][1]  # caches[i] where caches[i - 1] is meant
        if relu_cache is not None:
            dout = relu_backward(dout, relu_cache)
        dout, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(dout, fc_cache)
    for i in range(1, L + 1):
        if bug == "only the last layer regularized" and i < L:
            continue
        loss += 0.5 * reg * np.sum(params[f"W{i}"] ** 2)
        if bug != "no reg gradient":
            grads[f"W{i}"] = grads[f"W{i}"] + reg * params[f"W{i}"]
        if bug == "biases regularized":
            loss += 0.5 * reg * np.sum(params[f"b{i}"] ** 2)
            grads[f"b{i}"] = grads[f"b{i}"] + reg * params[f"b{i}"]
    return loss, grads


def _fc_mutant(bug):
    def fc_net_loss(params, X, y=None, reg=0.0):
        return _fc_net(params, X, y, reg, bug=bug)

    fc_net_loss.__doc__ = f"The N-layer loss with one mistake: {bug}."
    return fc_net_loss


def fc_net_two_layers_only(params, X, y=None, reg=0.0):
    """Written for exactly two layers (W1, W2): wrong for every other depth."""
    two = {k: params[k] for k in ("W1", "b1", "W2", "b2") if k in params}
    if "W2" not in two:
        raise KeyError("W2")
    return reference_two_layer_loss(two, X, y, reg)


FC_BUGS = (
    "no reg gradient",
    "biases regularized",
    "mask of the next layer",
    "summed over the batch",
    "relu on the scores",
    "only the last layer regularized",
)

FC = "test_fc_net_loss"
AF, RL, ST, LE, TL = (
    "test_affine",
    "test_relu",
    "test_sigmoid_tanh",
    "test_leaky_elu_softplus",
    "test_two_layer_loss",
)
MUTANTS = [
    Mutant("affine: x not flattened", AF, {"affine_forward": affine_forward_no_flatten}),
    Mutant("affine: no bias", AF, {"affine_forward": affine_forward_no_bias}),
    Mutant("affine: dx not reshaped", AF, {"affine_backward": affine_backward_flat_dx}),
    Mutant("affine: db averaged", AF, {"affine_backward": affine_backward_db_mean}),
    Mutant("affine: dw transposed", AF, {"affine_backward": affine_backward_dw_transposed}),
    Mutant("relu: x >= 0 mask", RL, {"relu_backward": relu_backward_ge}),
    Mutant("relu: no mask", RL, {"relu_backward": relu_backward_identity}),
    Mutant("relu: abs", RL, {"relu_forward": relu_forward_abs}),
    Mutant("sigmoid: sign of the exponent", ST, {"sigmoid_forward": sigmoid_forward_sign}),
    Mutant("sigmoid: missing 1 - s", ST, {"sigmoid_backward": sigmoid_backward_missing_factor}),
    Mutant(
        "sigmoid: sigmoid of the output",
        ST,
        {"sigmoid_backward": sigmoid_backward_recomputed_on_out},
    ),
    Mutant("tanh: 1 - t", ST, {"tanh_backward": tanh_backward_no_square}),
    Mutant("tanh: naive exponentials", ST, {"tanh_forward": tanh_forward_naive}),
    Mutant("leaky: alpha ignored", LE, {"leaky_relu_forward": leaky_relu_forward_fixed_alpha}),
    Mutant("leaky: zero slope", LE, {"leaky_relu_backward": leaky_relu_backward_zero_slope}),
    Mutant("elu: no - 1", LE, {"elu_forward": elu_forward_no_minus_one}),
    Mutant("elu: backward without alpha", LE, {"elu_backward": elu_backward_no_alpha}),
    Mutant("softplus: naive log(1 + exp)", LE, {"softplus_forward": softplus_forward_naive}),
    Mutant("softplus: sigmoid(-x)", LE, {"softplus_backward": softplus_backward_wrong_sign}),
    Mutant("two-layer: reg without 0.5", TL, {"two_layer_loss": two_layer_reg_without_half}),
    Mutant("two-layer: no reg gradient", TL, {"two_layer_loss": two_layer_no_reg_gradient}),
    Mutant("two-layer: no ReLU mask", TL, {"two_layer_loss": two_layer_no_relu_mask}),
    Mutant("two-layer: biases regularized", TL, {"two_layer_loss": two_layer_regularizes_biases}),
    Mutant("two-layer: unstable softmax", TL, {"two_layer_loss": two_layer_unstable_softmax}),
    *(
        Mutant(f"N-layer: {bug}", "test_fc_net_loss", {"fc_net_loss": _fc_mutant(bug)})
        for bug in FC_BUGS
    ),
    Mutant("N-layer: two layers only", "test_fc_net_loss", {"fc_net_loss": fc_net_two_layers_only}),
    Mutant("tuning: two hidden units", "test_tuning", {"best_hidden_size": 2}),
    Mutant("tuning: learning rate 1e-5", "test_tuning", {"best_learning_rate": 1e-5}),
    Mutant("tuning: all weight decay", "test_tuning", {"best_reg": 5.0}),
    Mutant("tuning: section 5's guesses", "test_tuning", {"best_learning_rate": 0.5}),
]
