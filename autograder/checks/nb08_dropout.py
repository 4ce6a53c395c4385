"""What 08_dropout grades: inverted dropout forward and backward, and the L2-regularized loss.

Dropout is made deterministic by a seed in dropout_param: the student's mask must be drawn
exactly like the reference's, ``np.random.default_rng(seed).random(x.shape) < p`` (the
notebook says so). The backward receives the cache of the student's own forward, so each
backward case calls the forward first (bound as "fwd") and passes ``Ref("fwd", 1)``.
"""

from __future__ import annotations

import numpy as np

from autograder.spec import Check, Ref, alternatives, call, case
from course_utils.experiments.regularization import l2_regularized_loss
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
        grade_id="test_l2_regularized_loss",
        function="l2_regularized_loss",
        reference={"l2_regularized_loss": l2_regularized_loss},
        cases=_l2_cases,
        tol=1e-10,
        names={"s0.out.0": "the loss", **L2_GRAD_NAMES},
        alternatives=alternatives("l2_regularized_loss", MISTAKES),
    ),
]
