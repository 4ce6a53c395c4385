"""What 08_dropout grades: inverted dropout forward and backward, and the L2-regularized loss.

Dropout is made deterministic by a seed in dropout_param: the student's mask must be drawn
exactly like the reference's, ``np.random.default_rng(seed).random(x.shape) < p`` (the
notebook says so). The backward receives the cache of the student's own forward, so each
backward case calls the forward first (bound as "fwd") and passes ``Ref("fwd", 1)``.
"""

from __future__ import annotations

from autograder.spec import Check, Ref, call, case
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
    ),
    Check(
        grade_id="test_dropout_backward",
        function="dropout_backward",
        reference={**DROPOUT_REFERENCE, "dropout_backward": dropout_backward},
        cases=_dropout_backward_cases,
        tol=1e-12,
        names={"s1.out": "dx"},
    ),
    Check(
        grade_id="test_l2_regularized_loss",
        function="l2_regularized_loss",
        reference={"l2_regularized_loss": l2_regularized_loss},
        cases=_l2_cases,
        tol=1e-10,
        names={"s0.out.0": "the loss", **L2_GRAD_NAMES},
    ),
]
