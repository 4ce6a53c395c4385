"""What 09_cnn grades, in both of its notebooks.

09_cnn_numpy: naive convolution and max pooling, forward and backward. A backward pass
receives the cache of the student's own forward, so each backward case calls the forward
first (bound as "fwd", not recorded) and then the backward with ``Ref("fwd", 1)``. Only
``out`` of a forward counts, never the cache. Every naive call stays on small shapes.

09_cnn_pytorch: ``build_vgg_small`` and ``ResidualBlock``. A case builds the student's
module (bound as "m"), then ``module_signature(m, x, seed)`` (course_utils.torch_track,
imported by the notebook's setup cell) fills its weights deterministically in
registration order and returns the parameter count, the output shape and the outputs in
eval and train mode as float64 arrays. One check compares only the count and the shape
(the architecture), a second the outputs too (the forward pass).
"""

from __future__ import annotations

import numpy as np

from autograder.spec import Check, Ref, call, case
from course_utils.layers import (
    conv_backward_naive,
    conv_forward_naive,
    max_pool_backward_naive,
    max_pool_forward_naive,
)
from course_utils.torch_track.models.resnet_block import ResidualBlock
from course_utils.torch_track.models.vgg_small import build_vgg_small
from course_utils.torch_track.signature import module_signature


def _size(rng, low, high):
    return int(rng.integers(low, high + 1))


def _out_size(size, kernel, stride, pad=0):
    return 1 + (size + 2 * pad - kernel) // stride


# ---------------------------------------------------------------- convolution


def _conv_configs(rng):
    """(label, x shape, w shape, stride, pad), small enough for four nested loops."""
    side = _size(rng, 5, 7)
    return [
        ("3x3 filters, stride 1, pad 1 (same size)", (2, 3, side, side + 1), (4, 3, 3, 3), 1, 1),
        ("stride 2, pad 1, odd size", (2, 2, 7, 9), (3, 2, 3, 3), 2, 1),
        ("rectangular filters, no padding", (_size(rng, 1, 2), 2, 5, 8), (3, 2, 2, 3), 1, 0),
        ("1x1 filters", (3, _size(rng, 3, 5), 4, 4), (2, None, 1, 1), 1, 0),
        ("a batch of one, one filter, stride 3, pad 2", (1, 1, 7, 7), (1, 1, 3, 3), 3, 2),
        ("stride 2 leaves the last row and column unread", (2, 2, 8, 8), (2, 2, 3, 3), 2, 0),
        ("filters as large as the padded input (1x1 output)", (2, 2, 4, 4), (3, 2, 6, 6), 1, 1),
    ]


def _conv_inputs(rng, x_shape, w_shape, stride, pad):
    F, _, HH, WW = w_shape
    x_shape = tuple(int(s) for s in x_shape)
    w_shape = (F, x_shape[1], HH, WW)
    x = rng.normal(size=x_shape)
    w = rng.normal(size=w_shape)
    b = rng.normal(size=F)
    conv_param = {"stride": stride, "pad": pad}
    out_shape = (
        x_shape[0],
        F,
        _out_size(x_shape[2], HH, stride, pad),
        _out_size(x_shape[3], WW, stride, pad),
    )
    return x, w, b, conv_param, out_shape


def _conv_forward_cases(rng):
    cases = []
    for label, x_shape, w_shape, stride, pad in _conv_configs(rng):
        x, w, b, conv_param, _ = _conv_inputs(rng, x_shape, w_shape, stride, pad)
        cases.append(case(label, call("conv_forward_naive", x, w, b, conv_param)))
    return cases


def _conv_backward_cases(rng):
    cases = []
    for label, x_shape, w_shape, stride, pad in _conv_configs(rng)[:6]:
        x, w, b, conv_param, out_shape = _conv_inputs(rng, x_shape, w_shape, stride, pad)
        dout = rng.normal(size=out_shape)
        forward = call("conv_forward_naive", x, w, b, conv_param, bind="fwd", record=False)
        cases.append(case(label, forward, call("conv_backward_naive", dout, Ref("fwd", 1))))
    return cases


# ---------------------------------------------------------------- max pooling


def _pool_configs(rng):
    """(label, x shape, pool_height, pool_width, stride)."""
    channels = _size(rng, 2, 3)
    return [
        ("2x2 pool, stride 2", (2, channels, 6, 8), 2, 2, 2),
        ("sizes not divisible by the pool", (2, channels, 7, 5), 2, 2, 2),
        ("overlapping windows: 3x3 pool, stride 2", (1, 2, 7, 7), 3, 3, 2),
        ("non-square 2x3 pool, stride 3", (2, 2, 6, 9), 2, 3, 3),
        ("a batch of one, one channel, stride 1", (1, 1, 5, _size(rng, 4, 6)), 2, 2, 1),
    ]


def _pool_inputs(rng, x_shape, ph, pw, stride, ties=False):
    x = rng.integers(0, 3, size=x_shape).astype(np.float64) if ties else rng.normal(size=x_shape)
    pool_param = {"pool_height": ph, "pool_width": pw, "stride": stride}
    N, C, H, W = x_shape
    out_shape = (N, C, _out_size(H, ph, stride), _out_size(W, pw, stride))
    return x, pool_param, out_shape


def _pool_forward_cases(rng):
    cases = []
    for label, x_shape, ph, pw, stride in _pool_configs(rng):
        x, pool_param, _ = _pool_inputs(rng, x_shape, ph, pw, stride)
        cases.append(case(label, call("max_pool_forward_naive", x, pool_param)))
    return cases


def _pool_backward_cases(rng):
    configs = _pool_configs(rng)
    configs.append(("ties in a window: the first maximum gets the gradient", (2, 2, 4, 6), 2, 2, 2))
    cases = []
    for label, x_shape, ph, pw, stride in configs:
        x, pool_param, out_shape = _pool_inputs(rng, x_shape, ph, pw, stride, "ties" in label)
        dout = rng.normal(size=out_shape)
        forward = call("max_pool_forward_naive", x, pool_param, bind="fwd", record=False)
        cases.append(case(label, forward, call("max_pool_backward_naive", dout, Ref("fwd", 1))))
    return cases


# ---------------------------------------------------------------- PyTorch modules


def _signature_case(label, build, x, rng):
    seed = int(rng.integers(0, 2**31 - 1))
    return case(label, build, call("module_signature", Ref("m"), x, seed))


def _vgg_configs(rng):
    """(label, in_channels, num_classes, widths, image_size, batch_norm, batch)."""
    w = _size(rng, 3, 6)
    return [
        ("two stages on 3-channel images, batch norm", 3, 10, (w, 2 * w), 16, True, 2),
        ("three stages, batch norm", 3, _size(rng, 4, 7), (4, 6, 8), 16, True, 3),
        ("two stages without batch norm", 1, 10, (w, w + 2), 8, False, 2),
        ("one stage, one input channel", 1, 5, (w,), _size(rng, 6, 8), True, 2),
        ("an image size the pooling does not divide", 2, 4, (3, 5), 10, True, 2),
    ]


def _vgg_cases(rng):
    cases = []
    for label, c_in, classes, widths, size, bn, batch in _vgg_configs(rng):
        build = call(
            "build_vgg_small", c_in, classes, widths, size, batch_norm=bn, bind="m", record=False
        )
        x = rng.normal(size=(batch, c_in, size, size))
        cases.append(_signature_case(label, build, x, rng))
    return cases


def _block_configs(rng):
    """(label, in_channels, out_channels, stride, x shape)."""
    c = _size(rng, 3, 5)
    side = _size(rng, 5, 8)
    return [
        ("same channels, stride 1: identity shortcut", c, c, 1, (2, c, side, side)),
        ("more channels, stride 1: projection shortcut", c, 2 * c, 1, (2, c, side, side)),
        ("more channels, stride 2: projection, half the size", c, 2 * c, 2, (2, c, 8, 8)),
        ("same channels, stride 2: projection", c, c, 2, (3, c, 6, 6)),
        ("odd input size, stride 2", 2, 3, 2, (2, 2, 7, 7)),
        ("a batch of one", c, c, 1, (1, c, side, side)),
    ]


def _block_cases(rng):
    cases = []
    for label, c_in, c_out, stride, x_shape in _block_configs(rng):
        build = call("ResidualBlock", c_in, c_out, stride, bind="m", record=False)
        cases.append(_signature_case(label, build, rng.normal(size=x_shape), rng))
    return cases


SIGNATURE_NAMES = {
    "s1.out.num_params": "the number of parameters",
    "s1.out.out_shape": "the output shape",
    "s1.out.out_eval": "the output in eval mode",
    "s1.out.out_train": "the output in train mode",
}
ARCHITECTURE = ("s1.out.num_params", "s1.out.out_shape")
CONV_FORWARD = {"conv_forward_naive": conv_forward_naive}
POOL_FORWARD = {"max_pool_forward_naive": max_pool_forward_naive}

CHECKS = [
    Check(
        grade_id="test_conv_forward_naive",
        function="conv_forward_naive",
        reference=CONV_FORWARD,
        cases=_conv_forward_cases,
        tol=1e-8,
        names={"s0.out.0": "out"},
        compare=("s0.out.0",),  # the cache is the student's own business
    ),
    Check(
        grade_id="test_conv_backward_naive",
        function="conv_backward_naive",
        reference={**CONV_FORWARD, "conv_backward_naive": conv_backward_naive},
        cases=_conv_backward_cases,
        tol=1e-8,
        names={"s1.out.0": "dx", "s1.out.1": "dw", "s1.out.2": "db"},
    ),
    Check(
        grade_id="test_max_pool_forward_naive",
        function="max_pool_forward_naive",
        reference=POOL_FORWARD,
        cases=_pool_forward_cases,
        tol=1e-12,
        names={"s0.out.0": "out"},
        compare=("s0.out.0",),
    ),
    Check(
        grade_id="test_max_pool_backward_naive",
        function="max_pool_backward_naive",
        reference={**POOL_FORWARD, "max_pool_backward_naive": max_pool_backward_naive},
        cases=_pool_backward_cases,
        tol=1e-12,
        names={"s1.out": "dx"},
    ),
    Check(
        grade_id="test_build_vgg_small",
        function="build_vgg_small",
        reference={"build_vgg_small": build_vgg_small, "module_signature": module_signature},
        cases=_vgg_cases,
        tol=1e-7,
        names=SIGNATURE_NAMES,
        compare=ARCHITECTURE,
    ),
    Check(
        grade_id="test_build_vgg_small",
        function="build_vgg_small",
        reference={"build_vgg_small": build_vgg_small, "module_signature": module_signature},
        cases=_vgg_cases,
        tol=1e-7,
        names=SIGNATURE_NAMES,
    ),
    Check(
        grade_id="test_residual_block",
        function="ResidualBlock",
        reference={"ResidualBlock": ResidualBlock, "module_signature": module_signature},
        cases=_block_cases,
        tol=1e-7,
        names=SIGNATURE_NAMES,
        compare=ARCHITECTURE,
    ),
    Check(
        grade_id="test_residual_block",
        function="ResidualBlock",
        reference={"ResidualBlock": ResidualBlock, "module_signature": module_signature},
        cases=_block_cases,
        tol=1e-7,
        names=SIGNATURE_NAMES,
    ),
]
