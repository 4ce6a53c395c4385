"""What 05_backprop grades: the affine layer, six activations (forward and backward) and
the two-layer network's loss and gradients, the N-layer network's loss and gradients, and
an outcome task: the student's hidden size, learning rate and reg for the digits network,
judged by training the reference with them on the grader's own split.

A backward pass receives the cache of the student's own forward (an opaque tuple), so each
backward case calls the forward first (bound as "fwd", not recorded) and then the backward
with ``Ref("fwd", 1)``. Forward checks compare ``out`` only: the cache is the student's
own business.
"""

from __future__ import annotations

import functools

import numpy as np

from autograder.checks.outcome import level_checks, read_choices
from autograder.spec import Check, Ref, alternatives, call, case
from course_utils.classifiers.fc_net import FullyConnectedNet, TwoLayerNet
from course_utils.data import load_digits
from course_utils.layers import (
    affine_backward,
    affine_forward,
    elu_backward,
    elu_forward,
    leaky_relu_backward,
    leaky_relu_forward,
    relu_backward,
    relu_forward,
    sigmoid_backward,
    sigmoid_forward,
    softmax_loss,
    softplus_backward,
    softplus_forward,
    tanh_backward,
    tanh_forward,
)


def _dims(rng, low=2, high=9):
    return int(rng.integers(low, high))


# --- affine -------------------------------------------------------------------------------


def _affine_inputs(rng):
    """(label, x, w, b) for every affine case; x of several ranks, a batch of one, M = 1."""
    N, D, M = _dims(rng, 3, 12), _dims(rng, 3, 10), _dims(rng, 2, 8)
    image = (_dims(rng, 2, 4), _dims(rng, 2, 5), _dims(rng, 2, 4))
    D_image = int(np.prod(image))
    return [
        (
            "a batch of vectors",
            rng.normal(size=(N, D)),
            rng.normal(size=(D, M)),
            rng.normal(size=M),
        ),
        (
            "image-shaped inputs (N, d1, d2, d3) to flatten",
            rng.normal(size=(N, *image)),
            rng.normal(size=(D_image, M)),
            rng.normal(size=M),
        ),
        ("a batch of one", rng.normal(size=(1, D)), rng.normal(size=(D, M)), rng.normal(size=M)),
        (
            "a single output unit",
            rng.normal(size=(N, D)),
            rng.normal(size=(D, 1)),
            rng.normal(size=1),
        ),
    ]


def _affine_forward_cases(rng):
    return [case(label, call("affine_forward", x, w, b)) for label, x, w, b in _affine_inputs(rng)]


def _affine_backward_cases(rng):
    cases = []
    for label, x, w, b in _affine_inputs(rng):
        dout = rng.normal(size=(x.shape[0], w.shape[1]))
        cases.append(
            case(
                label,
                call("affine_forward", x, w, b, bind="fwd", record=False),
                call("affine_backward", dout, Ref("fwd", 1)),
            )
        )
    return cases


# --- activations --------------------------------------------------------------------------


def _activation_inputs(rng, with_alpha: bool):
    """(label, x, kwargs): mixed signs, a 4-D input, exact zeros, huge values, alpha given."""
    N, D = _dims(rng, 3, 10), _dims(rng, 3, 10)
    with_zeros = rng.normal(size=(N, D))
    with_zeros[rng.random((N, D)) < 0.3] = 0.0
    with_zeros[0, 0] = 0.0
    huge = rng.uniform(50.0, 800.0, size=(N, D)) * rng.choice([-1.0, 1.0], size=(N, D))
    inputs = [
        ("a matrix of mixed signs", 3 * rng.normal(size=(N, D)), {}),
        ("a 4-D input", rng.normal(size=(2, _dims(rng), _dims(rng), 3)), {}),
        ("inputs with exact zeros", with_zeros, {}),
        ("huge inputs of both signs", huge, {}),
    ]
    if with_alpha:
        alpha = float(rng.uniform(0.05, 0.5))
        inputs.append(("alpha given", 3 * rng.normal(size=(N, D)), {"alpha": alpha}))
        inputs.append(("alpha given, a vector", rng.normal(size=3 * D), {"alpha": 1.0 + alpha}))
    return inputs


def _forward_cases(name: str, with_alpha: bool = False):
    def cases(rng):
        made = []
        for label, x, kwargs in _activation_inputs(rng, with_alpha):
            made.append(case(label, call(f"{name}_forward", x, **kwargs)))
        return made

    return cases


def _backward_cases(name: str, with_alpha: bool = False):
    def cases(rng):
        made = []
        for label, x, kwargs in _activation_inputs(rng, with_alpha):
            dout = rng.normal(size=x.shape)
            made.append(
                case(
                    label,
                    call(f"{name}_forward", x, bind="fwd", record=False, **kwargs),
                    call(f"{name}_backward", dout, Ref("fwd", 1)),
                )
            )
        return made

    return cases


ACTIVATIONS = {
    # name: (forward, backward, has alpha, graded cell)
    "relu": (relu_forward, relu_backward, False, "test_relu"),
    "sigmoid": (sigmoid_forward, sigmoid_backward, False, "test_sigmoid_tanh"),
    "tanh": (tanh_forward, tanh_backward, False, "test_sigmoid_tanh"),
    "leaky_relu": (leaky_relu_forward, leaky_relu_backward, True, "test_leaky_elu_softplus"),
    "elu": (elu_forward, elu_backward, True, "test_leaky_elu_softplus"),
    "softplus": (softplus_forward, softplus_backward, False, "test_leaky_elu_softplus"),
}


def _activation_checks() -> list[Check]:
    checks = []
    for name, (forward, backward, alpha, grade_id) in ACTIVATIONS.items():
        fname, bname = f"{name}_forward", f"{name}_backward"
        checks.append(
            Check(
                grade_id=grade_id,
                function=fname,
                reference={fname: forward},
                cases=_forward_cases(name, alpha),
                tol=1e-9,
                names={"s0.out.0": "out"},
                compare=("s0.out.0",),
                alternatives=alternatives(fname, MISTAKES),
            )
        )
        checks.append(
            Check(
                grade_id=grade_id,
                function=bname,
                reference={fname: forward, bname: backward},
                cases=_backward_cases(name, alpha),
                tol=1e-9,
                names={"s1.out": "dx"},
                alternatives=alternatives(bname, MISTAKES),
            )
        )
    return checks


# --- two-layer network --------------------------------------------------------------------


def reference_two_layer_loss(params, X, y=None, reg=0.0):
    """The reference, through course_utils' TwoLayerNet.loss on the given params."""
    net = TwoLayerNet(input_dim=1, hidden_dim=1, num_classes=1)
    net.params = dict(params)
    net.reg = reg
    return net.loss(X, y)


def _net(rng, D, H, C, scale=0.5):
    return {
        "W1": scale * rng.normal(size=(D, H)),
        "b1": 0.1 * rng.normal(size=H),
        "W2": scale * rng.normal(size=(H, C)),
        "b2": 0.1 * rng.normal(size=C),
    }


def _two_layer_cases(rng):
    N, D, H, C = _dims(rng, 5, 15), _dims(rng, 4, 10), _dims(rng, 6, 15), _dims(rng, 3, 7)
    reg = float(rng.uniform(0.1, 1.0))

    def labels(n):
        return rng.integers(0, C, size=n)

    image = (2, 3, _dims(rng, 2, 4))
    return [
        case(
            "scores only (y is None)",
            call("two_layer_loss", _net(rng, D, H, C), rng.normal(size=(N, D))),
        ),
        case(
            "loss and gradients, no regularization",
            call("two_layer_loss", _net(rng, D, H, C), rng.normal(size=(N, D)), labels(N), 0.0),
        ),
        case(
            "loss and gradients with regularization",
            call("two_layer_loss", _net(rng, D, H, C), rng.normal(size=(N, D)), labels(N), reg),
        ),
        case(
            "a batch of one, with regularization",
            call("two_layer_loss", _net(rng, D, H, C), rng.normal(size=(1, D)), labels(1), reg),
        ),
        case(
            "image-shaped inputs",
            call(
                "two_layer_loss",
                _net(rng, int(np.prod(image)), H, C),
                rng.normal(size=(N, *image)),
                labels(N),
                reg,
            ),
        ),
        case(
            "large weights (large scores)",
            call(
                "two_layer_loss", _net(rng, D, H, C, 20.0), rng.normal(size=(N, D)), labels(N), 0.0
            ),
        ),
    ]


TWO_LAYER_NAMES = {
    "s0.out": "the scores",
    "s0.out.0": "the loss",
    **{f"s0.out.1.{k}": f"grads['{k}']" for k in ("W1", "b1", "W2", "b2")},
}

# --- N-layer network ----------------------------------------------------------------------


def reference_fc_net_loss(params, X, y=None, reg=0.0):
    """The reference, through course_utils' FullyConnectedNet.loss (float64) on the params."""
    num_layers = sum(1 for name in params if name.startswith("W"))
    net = FullyConnectedNet([1] * (num_layers - 1), input_dim=1, num_classes=1, dtype=np.float64)
    net.params = {name: np.asarray(value, dtype=np.float64) for name, value in params.items()}
    net.reg = reg
    return net.loss(X, y)


def _deep_net(rng, dims, scale=0.5):
    """Params W1, b1, ..., WL, bL for sizes dims = [D, H_1, ..., C]."""
    params = {}
    for i, (fan_in, fan_out) in enumerate(zip(dims[:-1], dims[1:]), start=1):
        params[f"W{i}"] = scale * rng.normal(size=(fan_in, fan_out))
        params[f"b{i}"] = 0.1 * rng.normal(size=fan_out)
    return params


def _fc_net_cases(rng):
    """Depths 1 to 4, reg 0 and > 0, a batch of one, image-shaped inputs, scores only."""
    N, D, C = _dims(rng, 5, 12), _dims(rng, 4, 9), _dims(rng, 3, 6)
    reg = float(rng.uniform(0.1, 1.0))

    def dims(depth):
        return [D, *(_dims(rng, 4, 10) for _ in range(depth - 1)), C]

    def labels(n):
        return rng.integers(0, C, size=n)

    cases = [
        case(
            f"depth {depth}, {'with' if r else 'no'} regularization",
            call("fc_net_loss", _deep_net(rng, dims(depth)), rng.normal(size=(N, D)), labels(N), r),
        )
        for depth, r in ((1, 0.0), (1, reg), (2, reg), (3, 0.0), (3, reg), (4, reg))
    ]
    image = (2, _dims(rng, 2, 4), 3)
    return [
        *cases,
        case(
            "scores only (y is None), depth 3",
            call("fc_net_loss", _deep_net(rng, dims(3)), rng.normal(size=(N, D))),
        ),
        case(
            "a batch of one, depth 3, with regularization",
            call("fc_net_loss", _deep_net(rng, dims(3)), rng.normal(size=(1, D)), labels(1), reg),
        ),
        case(
            "image-shaped inputs, depth 2",
            call(
                "fc_net_loss",
                _deep_net(rng, [int(np.prod(image)), _dims(rng, 4, 10), C]),
                rng.normal(size=(N, *image)),
                labels(N),
                reg,
            ),
        ),
    ]


# --- outcome: the student's choice of hidden size, learning rate and reg --------------------

#: what the judge reads, in order, and the reference's own choices (same shapes)
TUNING_CHOICES = {"best_hidden_size": 100, "best_learning_rate": 2.0, "best_reg": 1e-3}
#: held-out accuracy of the grader's run that earns full points, and the partial step
#: (measured: 100 hidden units reach 93.6 % with lr 0.5, 94.5 % with 1.0, 95.3 % with 2.0)
TUNING_TARGET = 0.94
TUNING_PARTIAL = 0.90
#: what is allowed, so that one judge run stays within a few seconds
TUNING_LIMITS = {
    "best_hidden_size": (1, 200),
    "best_learning_rate": (1e-6, 10.0),
    "best_reg": (0.0, 10.0),
}


@functools.lru_cache(maxsize=1)
def _tuning_split(seed: int = 2026):
    """The grader's own split of the 1797 digits: 1000 train, 200 Solver-val, 597 scored."""
    X, y = load_digits()
    order = np.random.default_rng(seed).permutation(len(y))
    X = X.reshape(len(y), -1)[order]
    y = y[order]
    mean = X[:1000].mean(axis=0)
    X = X - mean
    data = {"X_train": X[:1000], "y_train": y[:1000], "X_val": X[1000:1200], "y_val": y[1000:1200]}
    return data, X[1200:], y[1200:]


@functools.lru_cache(maxsize=16)
def tuning_accuracy(hidden_size: int, learning_rate: float, reg: float) -> float:
    """Accuracy on the grader's held-out digits of the reference TwoLayerNet trained with the
    choices: weight scale 0.1, seed 0, plain SGD, lr decay 0.95, 8 epochs of batches of 100."""
    from course_utils.solver import Solver

    data, X_score, y_score = _tuning_split()
    net = TwoLayerNet(64, hidden_size, 10, weight_scale=0.1, reg=reg, seed=0)
    solver = Solver(
        net,
        data,
        update_rule="sgd",
        optim_config={"learning_rate": learning_rate},
        lr_decay=0.95,
        num_epochs=8,
        batch_size=100,
        verbose=False,
        progress=False,
        seed=0,
    )
    with np.errstate(all="ignore"):  # a diverging learning rate is the student's to find
        solver.train()
        scores = net.loss(X_score)
    if not np.all(np.isfinite(scores)):
        return 0.0
    return float(np.mean(np.argmax(scores, axis=1) == y_score))


def tuning_judge(threshold: float):
    """A judge: None when the grader's run with the student's choices reaches ``threshold``."""

    def judge(got) -> str | None:
        choices, problem = read_choices(got, TUNING_LIMITS, whole=("best_hidden_size",))
        if problem:
            return problem
        reached = tuning_accuracy(*choices)
        if reached >= threshold:
            return None
        return (
            f"With your choices the network reaches {reached:.1%} on the grader's validation "
            f"digits, below {threshold:.0%}."
        )

    return judge


FC_NET_NAMES = {
    "s0.out": "the scores",
    "s0.out.0": "the loss",
    **{f"s0.out.1.{p}{i}": f"grads['{p}{i}']" for p in ("W", "b") for i in range(1, 5)},
}


# The known mistakes: what a student's wrong output most likely comes from
# (tests/mutants grades each one as a mutant too).


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


def relu_backward_ge(dout, cache):
    """Passes the gradient where x >= 0: wrong at exact zeros."""
    return dout * (cache >= 0)


def relu_backward_identity(dout, cache):
    """Forgets the mask."""
    return dout.copy()


def relu_forward_abs(x):
    """|x| instead of max(0, x)."""
    return np.abs(x), x


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


#: the N-layer net's known mistakes, each made by _fc_mutant(bug)
FC_BUGS = {
    "no reg gradient": "the penalty is in the loss but not in the gradients",
    "biases regularized": "the biases are regularized too: only the weights are",
    "mask of the next layer": "the ReLU mask of the next layer used: each layer uses its own",
    "summed over the batch": "summed over the batch: average the loss over N",
    "relu on the scores": "a ReLU on the scores: the last layer is affine only",
    "only the last layer regularized": "only the last layer regularized: every W is",
}

#: per graded function, (what the mistake is, an implementation that makes it)
MISTAKES = {
    "affine_forward": [
        ("x is not flattened to (N, D) first: image-shaped inputs fail", affine_forward_no_flatten),
        ("the bias is missing", affine_forward_no_bias),
    ],
    "affine_backward": [
        ("dx left flat: reshape it to x's shape", affine_backward_flat_dx),
        ("db averaged over the batch: sum it", affine_backward_db_mean),
        ("dw transposed: dw = x^T dout, of w's shape", affine_backward_dw_transposed),
    ],
    "relu_backward": [
        (
            "the gradient passed where x >= 0: ReLU's derivative at 0 is taken as 0",
            relu_backward_ge,
        ),
        ("the mask is missing: no gradient where x <= 0", relu_backward_identity),
    ],
    "relu_forward": [
        ("|x| where max(0, x) belongs", relu_forward_abs),
    ],
    "sigmoid_forward": [
        ("the sign of the exponent: sigmoid(x) = 1 / (1 + exp(-x))", sigmoid_forward_sign),
    ],
    "sigmoid_backward": [
        ("the factor (1 - s) is missing: dx = dout s (1 - s)", sigmoid_backward_missing_factor),
        (
            "the sigmoid applied again to the cached output: use s itself",
            sigmoid_backward_recomputed_on_out,
        ),
    ],
    "tanh_backward": [
        ("1 - t where 1 - t² belongs", tanh_backward_no_square),
    ],
    "tanh_forward": [
        ("tanh from exponentials overflows: use np.tanh", tanh_forward_naive),
    ],
    "leaky_relu_forward": [
        ("the alpha argument is ignored", leaky_relu_forward_fixed_alpha),
    ],
    "leaky_relu_backward": [
        (
            "no gradient for negative inputs: the slope there is alpha",
            leaky_relu_backward_zero_slope,
        ),
    ],
    "elu_forward": [
        ("the - 1 is missing: alpha (exp(x) - 1) for x <= 0", elu_forward_no_minus_one),
    ],
    "elu_backward": [
        ("alpha is missing in the backward: dout alpha exp(x) for x <= 0", elu_backward_no_alpha),
    ],
    "softplus_forward": [
        ("log(1 + exp(x)) overflows: use np.logaddexp(0, x)", softplus_forward_naive),
    ],
    "softplus_backward": [
        ("sigmoid(-x) where sigmoid(x) belongs", softplus_backward_wrong_sign),
    ],
    "two_layer_loss": [
        (
            "the penalty without its 0.5: 0.5 reg Σ W², with the gradient reg W",
            two_layer_reg_without_half,
        ),
        ("the penalty is in the loss but not in the gradients", two_layer_no_reg_gradient),
        (
            "the ReLU mask is missing on the way back through the hidden layer",
            two_layer_no_relu_mask,
        ),
        ("the biases are regularized too: only the weights are", two_layer_regularizes_biases),
        (
            "no max shift: exp overflows on large scores (subtract each row's maximum)",
            two_layer_unstable_softmax,
        ),
    ],
    "fc_net_loss": [
        ("written for two layers only: loop over every layer", fc_net_two_layers_only),
        *((says, _fc_mutant(bug)) for bug, says in FC_BUGS.items()),
    ],
}


CHECKS = [
    Check(
        grade_id="test_affine",
        function="affine_forward",
        alternatives=alternatives("affine_forward", MISTAKES),
        reference={"affine_forward": affine_forward},
        cases=_affine_forward_cases,
        tol=1e-9,
        names={"s0.out.0": "out"},
        compare=("s0.out.0",),
    ),
    Check(
        grade_id="test_affine",
        function="affine_backward",
        alternatives=alternatives("affine_backward", MISTAKES),
        reference={"affine_forward": affine_forward, "affine_backward": affine_backward},
        cases=_affine_backward_cases,
        tol=1e-9,
        names={"s1.out.0": "dx", "s1.out.1": "dw", "s1.out.2": "db"},
    ),
    *_activation_checks(),
    Check(
        grade_id="test_two_layer_loss",
        function="two_layer_loss",
        alternatives=alternatives("two_layer_loss", MISTAKES),
        reference={"two_layer_loss": reference_two_layer_loss},
        cases=_two_layer_cases,
        tol=1e-7,
        names=TWO_LAYER_NAMES,
    ),
    Check(
        grade_id="test_fc_net_loss",
        function="fc_net_loss",
        alternatives=alternatives("fc_net_loss", MISTAKES),
        reference={"fc_net_loss": reference_fc_net_loss},
        cases=_fc_net_cases,
        tol=1e-7,
        names=FC_NET_NAMES,
    ),
    *level_checks(
        "test_tuning",
        TUNING_CHOICES,
        tuning_judge,
        (
            (f"your choices reach {TUNING_PARTIAL:.0%} on the grader's split", TUNING_PARTIAL),
            (f"your choices reach {TUNING_TARGET:.0%} on the grader's split", TUNING_TARGET),
        ),
    ),
]
