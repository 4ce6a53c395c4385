"""What 08_dropout grades: inverted dropout forward and backward, the L2- and L1-regularized
losses, the label-smoothed softmax loss, and an outcome task: the student's keep probability
and L2 strength, judged by training the reference network with them on the grader's own split.

Dropout is made deterministic by a seed in dropout_param: the student's mask must be drawn
exactly like the reference's, ``np.random.default_rng(seed).random(x.shape) < p`` (the
notebook says so). The backward receives the cache of the student's own forward, so each
backward case calls the forward first (bound as "fwd") and passes ``Ref("fwd", 1)``.
"""

from __future__ import annotations

import functools

import numpy as np

from autograder.checks.outcome import level_checks, read_choices
from autograder.spec import Check, Ref, alternatives, call, case
from course_utils.data import load_digits
from course_utils.experiments.regularization import (
    l1_regularized_loss,
    l2_regularized_loss,
    smoothed_softmax_loss,
)
from course_utils.layers import dropout_backward, dropout_forward


def _seed(rng) -> int:
    return int(rng.integers(0, 2**31 - 1))


def _param(rng, p, mode="train"):
    return {"p": p, "mode": mode, "seed": _seed(rng)}


def _dropout_forward_cases(rng):
    return [
        case(
            "train mode, keep half",
            call("dropout_forward", rng.normal(size=(20, 30)), _param(rng, 0.5)),
        ),
        case(
            "train mode, keep most, a 4-d input",
            call("dropout_forward", rng.normal(size=(3, 2, 5, 6)), _param(rng, 0.8)),
        ),
        case(
            "train mode, keep few, a 1-d input",
            call("dropout_forward", rng.normal(size=500), _param(rng, 0.2)),
        ),
        case(
            "train mode, keep everything",
            call("dropout_forward", rng.normal(size=(7, 9)), _param(rng, 1.0)),
        ),
        case(
            "test mode", call("dropout_forward", rng.normal(size=(12, 8)), _param(rng, 0.4, "test"))
        ),
        case(
            "test mode, without a seed",
            call("dropout_forward", rng.normal(size=(2, 3, 4)), {"p": 0.7, "mode": "test"}),
        ),
    ]


def _dropout_backward_cases(rng):
    made = []
    for label, shape, p, mode in [
        ("train mode, keep half", (16, 10), 0.5, "train"),
        ("train mode, keep few, a 3-d input", (4, 6, 7), 0.25, "train"),
        ("train mode, keep everything", (5, 4), 1.0, "train"),
        ("test mode", (9, 11), 0.6, "test"),
    ]:
        made.append(
            case(
                label,
                call(
                    "dropout_forward",
                    rng.normal(size=shape),
                    _param(rng, p, mode),
                    bind="fwd",
                    record=False,
                ),
                call("dropout_backward", rng.normal(size=shape), Ref("fwd", 1)),
            )
        )
    return made


def _net_params(rng, dims, norm=False):
    params = {}
    for i in range(len(dims) - 1):
        params[f"W{i + 1}"] = rng.normal(size=(dims[i], dims[i + 1]))
        params[f"b{i + 1}"] = rng.normal(size=dims[i + 1])
        if norm and i < len(dims) - 2:
            params[f"gamma{i + 1}"] = 1 + rng.random(dims[i + 1])
            params[f"beta{i + 1}"] = rng.normal(size=dims[i + 1])
    return params


def _l2_case(rng, label, dims, reg, norm=False):
    params = _net_params(rng, dims, norm)
    data_grads = {k: rng.normal(size=v.shape) for k, v in params.items()}
    data_loss = float(2 + rng.random())
    return case(label, call("l2_regularized_loss", data_loss, data_grads, params, reg))


def _l2_cases(rng):
    return [
        _l2_case(rng, "a two-layer net", (6, 5, 3), float(0.1 + rng.random())),
        _l2_case(
            rng,
            "a deeper net with batchnorm parameters",
            (8, 7, 6, 5, 4),
            float(0.05 + rng.random()),
            norm=True,
        ),
        _l2_case(rng, "no regularization (reg = 0)", (4, 3, 2), 0.0),
        _l2_case(rng, "strong regularization", (5, 9, 3), float(10 + 10 * rng.random())),
    ]


def _l1_case(rng, label, dims, reg, norm=False, zeros=False):
    params = _net_params(rng, dims, norm)
    if zeros:  # some weights exactly 0: the subgradient there is 0
        for name in params:
            if name.startswith("W"):
                params[name][rng.random(params[name].shape) < 0.3] = 0.0
    data_grads = {k: rng.normal(size=v.shape) for k, v in params.items()}
    data_loss = float(2 + rng.random())
    return case(label, call("l1_regularized_loss", data_loss, data_grads, params, reg))


def _l1_cases(rng):
    return [
        _l1_case(rng, "a two-layer net", (6, 5, 3), float(0.1 + rng.random())),
        _l1_case(
            rng,
            "a deeper net with batchnorm parameters",
            (8, 7, 6, 5, 4),
            float(0.05 + rng.random()),
            norm=True,
        ),
        _l1_case(rng, "weights exactly zero", (5, 6, 3), float(0.2 + rng.random()), zeros=True),
        _l1_case(rng, "no regularization (reg = 0)", (4, 3, 2), 0.0),
        _l1_case(rng, "strong regularization", (5, 9, 3), float(10 + 10 * rng.random())),
    ]


def _smoothing_cases(rng):
    made = []
    for label, N, C, smoothing, scale in [
        ("a batch of 8, 5 classes", 8, 5, float(0.05 + 0.3 * rng.random()), 2.0),
        ("a batch of one, 10 classes", 1, 10, float(0.1 + 0.2 * rng.random()), 2.0),
        ("no smoothing", 6, 4, 0.0, 2.0),
        ("smoothing 1 (uniform target)", 5, 3, 1.0, 2.0),
        ("huge scores", 4, 6, float(0.1 + 0.2 * rng.random()), 800.0),
    ]:
        x = scale * rng.normal(size=(N, C))
        y = rng.integers(0, C, size=N)
        made.append(case(label, call("smoothed_softmax_loss", x, y, smoothing)))
    return made


# --- outcome: the student's keep probability and L2 strength ------------------------------

#: what the judge reads, in order, and the reference's own choices (same shapes)
TUNING_CHOICES = {"best_keep_prob": 0.9, "best_reg": 1e-3}
#: held-out accuracy of the grader's run that earns full points, and the partial step
#: (measured: keep 0.9 / reg 1e-3 reach 88.7 %, keep 1 / reg 0 87.7 %, keep 0.2 77.7 %,
#: reg 0.3 22.9 %, keep 0.05 14.8 %)
TUNING_TARGET = 0.86
TUNING_PARTIAL = 0.80
#: what is allowed, so that one judge run stays within a second or two
TUNING_LIMITS = {"best_keep_prob": (0.05, 1.0), "best_reg": (0.0, 1.0)}


@functools.lru_cache(maxsize=1)
def _tuning_split(seed: int = 2026):
    """The grader's own split of the 1797 digits: 150 train, 200 Solver-val, 1447 scored."""
    X, y = load_digits()
    order = np.random.default_rng(seed).permutation(len(y))
    X = X.reshape(len(y), -1)[order]
    y = y[order]
    data = {"X_train": X[:150], "y_train": y[:150], "X_val": X[150:350], "y_val": y[150:350]}
    return data, X[350:], y[350:]


@functools.lru_cache(maxsize=16)
def tuning_accuracy(keep: float, reg: float) -> float:
    """Accuracy on the grader's held-out digits of the notebook's network (train_net: two
    hidden layers of 64, Adam 3e-3, batches of 25, 60 epochs, seed 0) with the choices."""
    from course_utils.experiments.overfitting import train_net

    data, X_score, y_score = _tuning_split()
    solver = train_net(data, keep=keep, reg=reg, seed=0, num_epochs=60)
    with np.errstate(all="ignore"):
        scores = solver.model.loss(X_score)
    if not np.all(np.isfinite(scores)):
        return 0.0
    return float(np.mean(np.argmax(scores, axis=1) == y_score))


def tuning_judge(threshold: float):
    """A judge: None when the grader's run with the student's choices reaches ``threshold``."""

    def judge(got) -> str | None:
        choices, problem = read_choices(got, TUNING_LIMITS)
        if problem:
            return problem
        reached = tuning_accuracy(*choices)
        if reached >= threshold:
            return None
        return (
            f"With your choices the network reaches {reached:.1%} on the grader's held-out "
            f"digits, below {threshold:.0%}."
        )

    return judge


# The known mistakes: what a student's wrong output most likely comes from.


def _mask(x, dropout_param):
    rng = np.random.default_rng(dropout_param.get("seed"))
    return rng.random(x.shape) < dropout_param["p"]


def drop_not_inverted(x, dropout_param):
    """Classic dropout: no 1 / p in train mode."""
    if dropout_param["mode"] == "test":
        return x, None
    return x * _mask(x, dropout_param), None


def drop_p_is_drop_probability(x, dropout_param):
    """Reads p as the probability of DROPPING a unit."""
    if dropout_param["mode"] == "test":
        return x, None
    p = dropout_param["p"]
    rng = np.random.default_rng(dropout_param.get("seed"))
    mask = rng.random(x.shape) < 1 - p
    return x * mask / (1 - p) if p < 1 else x * 0.0, None


def drop_test_scaled(x, dropout_param):
    """Right in train mode, but scales by p in test mode (mixing the classic and the inverted)."""
    p = dropout_param["p"]
    if dropout_param["mode"] == "test":
        return x * p, None
    return x * _mask(x, dropout_param) / p, None


def drop_binomial_mask(x, dropout_param):
    """The right distribution from another draw (rng.binomial), not the one the task states."""
    if dropout_param["mode"] == "test":
        return x, None
    p = dropout_param["p"]
    rng = np.random.default_rng(dropout_param.get("seed"))
    return x * rng.binomial(1, p, size=x.shape) / p, None


def drop_global_random(x, dropout_param):
    """Ignores the seed: draws from a generator of its own."""
    if dropout_param["mode"] == "test":
        return x, None
    p = dropout_param["p"]
    mask = np.random.default_rng(12345).random(x.shape) < p
    return x * mask / p, None


def back_ignores_mask(dout, cache):
    """Passes dout straight through in train mode."""
    return dout


def back_forgets_scale(dout, cache):
    """Uses the 0/1 mask without the 1 / p."""
    _, mask = cache
    return dout if mask is None else dout * (mask != 0)


def back_divides_in_test(dout, cache):
    """Right in train mode, divides by p in test mode."""
    dropout_param, mask = cache
    return dout / dropout_param["p"] if mask is None else dout * mask


def l2_no_half(data_loss, data_grads, params, reg):
    """Loss reg * sum(W*W) (no 0.5) with the gradient reg * W."""
    loss, grads = float(data_loss), {k: v.copy() for k, v in data_grads.items()}
    for name in grads:
        if name.startswith("W"):
            loss += reg * np.sum(params[name] ** 2)
            grads[name] = grads[name] + reg * params[name]
    return loss, grads


def l2_factor_two_in_gradient(data_loss, data_grads, params, reg):
    """Right loss, gradient 2 * reg * W."""
    loss, grads = float(data_loss), {k: v.copy() for k, v in data_grads.items()}
    for name in grads:
        if name.startswith("W"):
            loss += 0.5 * reg * np.sum(params[name] ** 2)
            grads[name] = grads[name] + 2 * reg * params[name]
    return loss, grads


def l2_every_parameter(data_loss, data_grads, params, reg):
    """Regularizes the biases and gamma/beta too."""
    loss, grads = float(data_loss), {}
    for name, dparam in data_grads.items():
        loss += 0.5 * reg * np.sum(params[name] ** 2)
        grads[name] = dparam + reg * params[name]
    return loss, grads


def l2_loss_only(data_loss, data_grads, params, reg):
    """Adds the penalty to the loss but forgets its gradient."""
    loss = float(data_loss)
    for name in data_grads:
        if name.startswith("W"):
            loss += 0.5 * reg * np.sum(params[name] ** 2)
    return loss, {k: v.copy() for k, v in data_grads.items()}


def _l1(data_loss, data_grads, params, reg, penalty, gradient, which=lambda n: n[0] == "W"):
    loss, grads = float(data_loss), {}
    for name, dparam in data_grads.items():
        if which(name):
            loss += reg * float(np.sum(penalty(params[name])))
            grads[name] = dparam + reg * gradient(params[name])
        else:
            grads[name] = dparam.copy()
    return loss, grads


def l1_gradient_w(data_loss, data_grads, params, reg):
    """Right loss, L2's gradient reg * W instead of reg * sign(W)."""
    return _l1(data_loss, data_grads, params, reg, np.abs, lambda W: W)


def l1_sign_one_at_zero(data_loss, data_grads, params, reg):
    """Subgradient +1 at a zero weight (W >= 0 counted as positive)."""
    return _l1(data_loss, data_grads, params, reg, np.abs, lambda W: np.where(W >= 0, 1.0, -1.0))


def l1_every_parameter(data_loss, data_grads, params, reg):
    """Regularizes the biases and gamma/beta too."""
    return _l1(data_loss, data_grads, params, reg, np.abs, np.sign, which=lambda n: True)


def l1_loss_only(data_loss, data_grads, params, reg):
    """Adds the penalty to the loss but forgets its gradient."""
    return _l1(data_loss, data_grads, params, reg, np.abs, np.zeros_like)


def l1_squares(data_loss, data_grads, params, reg):
    """The L2 penalty 0.5 * reg * W**2 (with gradient reg * W) in place of L1."""
    return _l1(data_loss, data_grads, params, reg, lambda W: 0.5 * W * W, lambda W: W)


def _smoothed(x, y, target, mean=True):
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    N = x.shape[0] if mean else 1
    return float(-np.sum(target * log_probs) / N), (np.exp(log_probs) - target) / N


def _target(y, C, on, off):
    q = np.full((len(y), C), off)
    q[np.arange(len(y)), y] = on
    return q


def smooth_over_others(x, y, smoothing):
    """Spreads smoothing over the C - 1 wrong classes: 1 - smoothing on the true class."""
    C = x.shape[1]
    return _smoothed(x, y, _target(y, C, 1.0 - smoothing, smoothing / (C - 1)))


def smooth_not_spread(x, y, smoothing):
    """Target (1 - smoothing) on the true class and 0 elsewhere: the smoothing / C is missing."""
    return _smoothed(x, y, _target(y, x.shape[1], 1.0 - smoothing, 0.0))


def smooth_summed(x, y, smoothing):
    """Sums over the batch instead of averaging."""
    C = x.shape[1]
    return _smoothed(x, y, _target(y, C, 1 - smoothing + smoothing / C, smoothing / C), False)


def smooth_unshifted(x, y, smoothing):
    """log(softmax) without the max shift: overflows for huge scores."""
    C = x.shape[1]
    q = _target(y, C, 1 - smoothing + smoothing / C, smoothing / C)
    with np.errstate(all="ignore"):
        exp = np.exp(x)
        probs = exp / exp.sum(axis=1, keepdims=True)
        loss = float(-np.sum(q * np.log(probs)) / x.shape[0])
    return loss, (probs - q) / x.shape[0]


def smooth_gradient_one_hot(x, y, smoothing):
    """Right loss, the gradient of the unsmoothed loss (softmax - onehot) / N."""
    C = x.shape[1]
    loss, _ = _smoothed(x, y, _target(y, C, 1 - smoothing + smoothing / C, smoothing / C))
    return loss, _smoothed(x, y, _target(y, C, 1.0, 0.0))[1]


#: the known mistakes of each graded function (tests/mutants/nb08_dropout.py grades them too)
MISTAKES = {
    "dropout_forward": [
        ("dropout that is not inverted: kept units must be divided by p", drop_not_inverted),
        (
            "p read as the probability of dropping a unit; p is the probability of keeping it",
            drop_p_is_drop_probability,
        ),
        (
            "test mode scaled by p: inverted dropout leaves x unchanged in test mode",
            drop_test_scaled,
        ),
        (
            "a mask drawn another way: draw it as the notebook says, rng.random(x.shape) < p",
            drop_binomial_mask,
        ),
        (
            "the seed in dropout_param is ignored: draw from np.random.default_rng(seed)",
            drop_global_random,
        ),
    ],
    "dropout_backward": [
        ("the backward ignores the mask: dropped units get no gradient", back_ignores_mask),
        ("the backward forgets the 1/p of the kept units", back_forgets_scale),
        ("the backward divides by p in test mode, where the forward is x", back_divides_in_test),
    ],
    "l2_regularized_loss": [
        ("the penalty without its ½: it is ½ reg Σ W², with the gradient reg W", l2_no_half),
        ("the gradient 2 reg W belongs to reg Σ W², not to ½ reg Σ W²", l2_factor_two_in_gradient),
        ("biases, gamma and beta are regularized too: only the weights W are", l2_every_parameter),
        ("the penalty is added to the loss but its gradient is missing", l2_loss_only),
    ],
    "l1_regularized_loss": [
        ("the gradient reg W is L2's: the L1 penalty's is reg sign(W)", l1_gradient_w),
        ("a zero weight gets +reg: the subgradient at 0 is 0 (np.sign)", l1_sign_one_at_zero),
        ("biases, gamma and beta are penalized too: only the weights W are", l1_every_parameter),
        ("the L1 penalty is added to the loss but its gradient is missing", l1_loss_only),
        ("the squares of L2 in place of the absolute values of L1", l1_squares),
    ],
    "smoothed_softmax_loss": [
        ("smoothing spread over the C - 1 wrong classes: spread it over all C", smooth_over_others),
        ("the smoothing / C on every class is missing from the target", smooth_not_spread),
        ("the loss is summed over the batch: average it over N", smooth_summed),
        ("softmax without the max shift: huge scores overflow", smooth_unshifted),
        (
            "the gradient uses the one-hot label: it is softmax minus the smoothed q",
            smooth_gradient_one_hot,
        ),
    ],
}


L2_GRAD_NAMES = {
    f"s0.out.1.{kind}{i}": f"grads['{kind}{i}']"
    for kind in ("W", "b", "gamma", "beta")
    for i in range(1, 6)
}
DROPOUT_REFERENCE = {"dropout_forward": dropout_forward}

CHECKS = [
    Check(
        grade_id="test_dropout_forward",
        function="dropout_forward",
        reference=DROPOUT_REFERENCE,
        cases=_dropout_forward_cases,
        tol=1e-12,
        names={"s0.out.0": "out"},
        compare=("s0.out.0",),  # the cache is the student's own business
        alternatives=alternatives("dropout_forward", MISTAKES),
    ),
    Check(
        grade_id="test_dropout_backward",
        function="dropout_backward",
        reference={**DROPOUT_REFERENCE, "dropout_backward": dropout_backward},
        cases=_dropout_backward_cases,
        tol=1e-12,
        names={"s1.out": "dx"},
        alternatives=alternatives("dropout_backward", MISTAKES),
    ),
    Check(
        grade_id="test_l1_regularized_loss",
        function="l1_regularized_loss",
        reference={"l1_regularized_loss": l1_regularized_loss},
        cases=_l1_cases,
        tol=1e-10,
        names={"s0.out.0": "the loss", **L2_GRAD_NAMES},
        alternatives=alternatives("l1_regularized_loss", MISTAKES),
    ),
    Check(
        grade_id="test_smoothed_softmax_loss",
        function="smoothed_softmax_loss",
        reference={"smoothed_softmax_loss": smoothed_softmax_loss},
        cases=_smoothing_cases,
        tol=1e-7,
        names={"s0.out.0": "the loss", "s0.out.1": "dx"},
        alternatives=alternatives("smoothed_softmax_loss", MISTAKES),
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
    Check(
        grade_id="test_l2_regularized_loss",
        function="l2_regularized_loss",
        reference={"l2_regularized_loss": l2_regularized_loss},
        cases=_l2_cases,
        tol=1e-10,
        names={"s0.out.0": "the loss", **L2_GRAD_NAMES},
        alternatives=alternatives("l2_regularized_loss", MISTAKES),
    ),
]
