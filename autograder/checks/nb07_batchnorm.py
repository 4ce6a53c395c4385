"""What 07_batchnorm grades: batchnorm forward (train/test, running statistics), its two
backward passes, and layernorm forward and backward.

A backward pass receives the cache of the student's own forward (an opaque tuple), so each
backward case calls the forward first (bound as "fwd", not recorded) and then the backward
with ``Ref("fwd", 1)``, the cache.
"""

from __future__ import annotations

from autograder.spec import Check, Ref, call, case
from course_utils.layers import (
    batchnorm_backward,
    batchnorm_backward_alt,
    batchnorm_forward,
    layernorm_backward,
    layernorm_forward,
)


def _shape(rng, n_low=8, n_high=30, d_low=3, d_high=9):
    return int(rng.integers(n_low, n_high)), int(rng.integers(d_low, d_high))


def _affine_params(rng, D):
    """gamma around 1 (never 0) and beta of either sign, shape (D,)."""
    return 0.5 + rng.random(D), rng.normal(size=D)


def _data(rng, N, D, offset=0.0, scale=1.0):
    return offset + scale * rng.normal(size=(N, D))


def _nearly_constant(rng, N, D):
    """One feature (column) with a variance far below eps = 1e-5."""
    x = _data(rng, N, D)
    x[:, 1] = 0.3 + 1e-4 * rng.normal(size=N)
    return x


def _running(rng, D):
    return {"running_mean": rng.normal(size=D), "running_var": 0.5 + rng.random(D)}


def _bn_forward(rng, label, x, bn_param):
    """One forward call; bn_param (argument 3) is recorded after the call."""
    gamma, beta = _affine_params(rng, x.shape[1])
    return case(label, call("batchnorm_forward", x, gamma, beta, bn_param, record_args=(3,)))


def _bn_forward_cases(rng):
    N, D = _shape(rng)
    wide = _shape(rng, 40, 80, 10, 20)
    small_d = int(rng.integers(3, 9))
    return [
        _bn_forward(
            rng,
            "train mode, running statistics created by the forward",
            _data(rng, N, D, 2.0, 3.0),
            {"mode": "train"},
        ),
        _bn_forward(
            rng,
            "train mode, existing running statistics, momentum and eps given",
            _data(rng, N, D, -1.0, 0.5),
            {"mode": "train", "momentum": 0.6, "eps": 1e-3, **_running(rng, D)},
        ),
        _bn_forward(
            rng,
            "train mode, a nearly constant feature",
            _nearly_constant(rng, N, D),
            {"mode": "train", **_running(rng, D)},
        ),
        _bn_forward(rng, "train mode, a batch of two", _data(rng, 2, small_d), {"mode": "train"}),
        _bn_forward(
            rng,
            "train mode, features far from zero mean and unit variance",
            _data(rng, *wide, 50.0, 10.0),
            {"mode": "train", **_running(rng, wide[1])},
        ),
        _bn_forward(
            rng,
            "test mode uses the running statistics (and leaves them alone)",
            _data(rng, N, D, 1.0, 2.0),
            {"mode": "test", **_running(rng, D)},
        ),
        _bn_forward(
            rng,
            "test mode, a batch of one, eps given",
            _data(rng, 1, small_d),
            {"mode": "test", "eps": 1e-2, **_running(rng, small_d)},
        ),
    ]


def _forward_then(backward, forward, param):
    """Cases that run the student's forward, then their backward on its cache."""

    def cases(rng):
        made = []
        shapes = [
            ("a typical batch", _shape(rng), {}),
            ("a larger batch, eps given", _shape(rng, 50, 100, 10, 30), {"eps": 1e-3}),
            ("a batch of two", (2, int(rng.integers(3, 8))), {}),
            ("a nearly constant feature", _shape(rng), {}),
        ]
        for label, (N, D), extra in shapes:
            if "constant" in label:
                x = _nearly_constant(rng, N, D)
            else:
                x = _data(rng, N, D, rng.normal(), 1 + 2 * rng.random())
            gamma, beta = _affine_params(rng, D)
            dout = rng.normal(size=(N, D))
            made.append(
                case(
                    label,
                    call(forward, x, gamma, beta, {**param, **extra}, bind="fwd", record=False),
                    call(backward, dout, Ref("fwd", 1)),
                )
            )
        return made

    return cases


def _ln_forward(rng, label, x, ln_param):
    gamma, beta = _affine_params(rng, x.shape[1])
    return case(label, call("layernorm_forward", x, gamma, beta, ln_param))


def _ln_forward_cases(rng):
    N, D = _shape(rng)
    flat = _data(rng, N, D)
    flat[0] = 0.7 + 1e-4 * rng.normal(size=D)  # one example with almost no spread
    return [
        _ln_forward(rng, "a typical batch", _data(rng, N, D, 1.0, 2.0), {}),
        _ln_forward(rng, "a batch of one, eps given", _data(rng, 1, 12), {"eps": 1e-2}),
        _ln_forward(rng, "a nearly constant example", flat, {}),
        _ln_forward(
            rng,
            "few wide examples far from zero mean",
            _data(rng, *_shape(rng, 3, 6, 40, 80), 30.0, 5.0),
            {},
        ),
    ]


def _ln_backward_cases(rng):
    cases = _forward_then("layernorm_backward", "layernorm_forward", {})(rng)
    D = int(rng.integers(5, 20))
    x, dout = _data(rng, 1, D), rng.normal(size=(1, D))
    cases.append(
        case(
            "a batch of one",
            call("layernorm_forward", x, *_affine_params(rng, D), {}, bind="fwd", record=False),
            call("layernorm_backward", dout, Ref("fwd", 1)),
        )
    )
    return cases


BN_REFERENCE = {"batchnorm_forward": batchnorm_forward}
LN_REFERENCE = {"layernorm_forward": layernorm_forward}
GRAD_NAMES = {"s1.out.0": "dx", "s1.out.1": "dgamma", "s1.out.2": "dbeta"}

CHECKS = [
    Check(
        grade_id="test_batchnorm_forward",
        function="batchnorm_forward",
        reference=BN_REFERENCE,
        cases=_bn_forward_cases,
        tol=1e-7,
        names={
            "s0.out.0": "out",
            "s0.arg3.running_mean": "bn_param['running_mean'] after the call",
            "s0.arg3.running_var": "bn_param['running_var'] after the call",
        },
        # the cache is the student's own business: only out and the running statistics count
        compare=("s0.out.0", "s0.arg3.running_mean", "s0.arg3.running_var"),
    ),
    Check(
        grade_id="test_batchnorm_backward",
        function="batchnorm_backward",
        reference={**BN_REFERENCE, "batchnorm_backward": batchnorm_backward},
        cases=_forward_then("batchnorm_backward", "batchnorm_forward", {"mode": "train"}),
        tol=1e-6,
        names=GRAD_NAMES,
    ),
    Check(
        grade_id="test_batchnorm_backward_alt",
        function="batchnorm_backward_alt",
        reference={**BN_REFERENCE, "batchnorm_backward_alt": batchnorm_backward_alt},
        cases=_forward_then("batchnorm_backward_alt", "batchnorm_forward", {"mode": "train"}),
        tol=1e-6,
        names=GRAD_NAMES,
    ),
    Check(
        grade_id="test_layernorm_forward",
        function="layernorm_forward",
        reference=LN_REFERENCE,
        cases=_ln_forward_cases,
        tol=1e-7,
        names={"s0.out.0": "out"},
        compare=("s0.out.0",),
    ),
    Check(
        grade_id="test_layernorm_backward",
        function="layernorm_backward",
        reference={**LN_REFERENCE, "layernorm_backward": layernorm_backward},
        cases=_ln_backward_cases,
        tol=1e-6,
        names=GRAD_NAMES,
    ),
]
