"""What 05_backprop grades: the affine layer, six activations (forward and backward) and
the two-layer network's loss and gradients.

A backward pass receives the cache of the student's own forward (an opaque tuple), so each
backward case calls the forward first (bound as "fwd", not recorded) and then the backward
with ``Ref("fwd", 1)``. Forward checks compare ``out`` only: the cache is the student's
own business.
"""

from __future__ import annotations

import numpy as np

from autograder.spec import Check, Ref, call, case
from course_utils.classifiers.fc_net import TwoLayerNet
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

CHECKS = [
    Check(
        grade_id="test_affine",
        function="affine_forward",
        reference={"affine_forward": affine_forward},
        cases=_affine_forward_cases,
        tol=1e-9,
        names={"s0.out.0": "out"},
        compare=("s0.out.0",),
    ),
    Check(
        grade_id="test_affine",
        function="affine_backward",
        reference={"affine_forward": affine_forward, "affine_backward": affine_backward},
        cases=_affine_backward_cases,
        tol=1e-9,
        names={"s1.out.0": "dx", "s1.out.1": "dw", "s1.out.2": "db"},
    ),
    *_activation_checks(),
    Check(
        grade_id="test_two_layer_loss",
        function="two_layer_loss",
        reference={"two_layer_loss": reference_two_layer_loss},
        cases=_two_layer_cases,
        tol=1e-7,
        names=TWO_LAYER_NAMES,
    ),
]
