"""What 09_cnn grades, in both of its notebooks.

09_cnn_numpy: naive convolution and max pooling, forward and backward. A backward pass
receives the cache of the student's own forward, so each backward case calls the forward
first (bound as "fwd", not recorded) and then the backward with ``Ref("fwd", 1)``. Only
``out`` of a forward counts, never the cache. Every naive call stays on small shapes.

09_cnn_numpy also grades ``conv_params`` and ``conv_macs`` (the cost of a layer, on layer
sizes of the notes' architectures and odd ones) and ``saliency_map`` (a ThreeLayerConvNet the
case builds with a seed, bound as "m"); see the section at the end of this file.

09_cnn_pytorch: ``build_vgg_small`` and ``ResidualBlock``. A case builds the student's
module (bound as "m"), then ``module_signature(m, x, seed)`` (course_utils.torch_track,
imported by the notebook's setup cell) fills its weights deterministically in
registration order and returns the parameter count, the output shape and the outputs in
eval and train mode as float64 arrays. One check compares only the count and the shape
(the architecture), a second the outputs too (the forward pass).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from autograder.checks.outcome import level_checks
from autograder.spec import Check, Ref, alternatives, call, case
from course_utils.classifiers.cnn import ThreeLayerConvNet
from course_utils.experiments.cnn_challenge import challenge_accuracy, challenge_problem
from course_utils.experiments.cnn_costs import conv_macs, conv_params
from course_utils.experiments.saliency import saliency_map
from course_utils.fast_layers import (
    conv_backward_fast,
    conv_forward_fast,
    max_pool_backward_fast,
    max_pool_forward_fast,
)
from course_utils.layers import (
    conv_backward_naive,
    conv_forward_naive,
    max_pool_backward_naive,
    max_pool_forward_naive,
)
from course_utils.torch_track.loop_probe import make_loop_probe, probe_signature
from course_utils.torch_track.loops import evaluate_model, train_one_epoch
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
        # sizes where image_size // 2**stages differs from image_size // (2 * stages) and
        # from image_size // 2**(stages - 1): a wrong flatten formula loses these
        ("three stages, a side that 8 divides", 3, 10, (4, 6, 8), 32, True, 2),
        ("four stages without batch norm", 1, 3, (3, 4, 5, 6), 48, False, 2),
        ("four stages, an odd side", 2, 5, (w, 4, 4, 5), 37, True, 2),
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


# The known mistakes: what a student's wrong output most likely comes from
# (tests/mutants grades each one as a mutant too).


def _conv_loop(x, w, b, conv_param, flip=False, use_bias=True, use_pad=True, use_stride=True):
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F_, _, HH, WW = w.shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
    p = pad if use_pad else 0
    x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    kernel = w[:, :, ::-1, ::-1] if flip else w
    out = np.zeros((N, F_, H_out, W_out))
    step = stride if use_stride else 1
    for n in range(N):
        for f in range(F_):
            for i in range(H_out):
                for j in range(W_out):
                    window = x_pad[n, :, i * step : i * step + HH, j * step : j * step + WW]
                    out[n, f, i, j] = np.sum(window * kernel[f]) + (b[f] if use_bias else 0.0)
    return out, (x, w, b, conv_param)


def conv_true_convolution(x, w, b, conv_param):
    """Flips the kernel: a true convolution, not the cross-correlation of deep learning."""
    return _conv_loop(x, w, b, conv_param, flip=True)


def conv_no_bias(x, w, b, conv_param):
    """Forgets the bias."""
    return _conv_loop(x, w, b, conv_param, use_bias=False)


def conv_no_padding(x, w, b, conv_param):
    """Computes the output size with padding but never pads x (windows run off the edge)."""
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F_, _, HH, WW = w.shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
    out = np.zeros((N, F_, H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            window = x[:, :, i * stride : i * stride + HH, j * stride : j * stride + WW]
            kh, kw = window.shape[2], window.shape[3]
            out[:, :, i, j] = np.einsum("nchw,fchw->nf", window, w[:, :, :kh, :kw]) + b
    return out, (x, w, b, conv_param)


def conv_ignores_stride_in_windows(x, w, b, conv_param):
    """Right output size, but windows start at i instead of i * stride."""
    return _conv_loop(x, w, b, conv_param, use_stride=False)


def _conv_backward_loop(dout, cache, dw_from_w=False, no_stride=False, uncropped_offset=False):
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F_, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    s = 1 if no_stride else stride
    for n in range(N):
        for f in range(F_):
            for i in range(H_out):
                for j in range(W_out):
                    hs, ws = i * stride, j * stride
                    window = x_pad[n, :, i * s : i * s + HH, j * s : j * s + WW]
                    dw[f] += dout[n, f, i, j] * (w[f] if dw_from_w else window)
                    dx_pad[n, :, hs : hs + HH, ws : ws + WW] += dout[n, f, i, j] * w[f]
    dx = dx_pad[:, :, :H, :W] if uncropped_offset else dx_pad[:, :, pad : pad + H, pad : pad + W]
    db = dout.sum(axis=(0, 2, 3))
    return dx, dw, db


def conv_backward_crop_from_corner(dout, cache):
    """Crops dx_pad from the corner instead of removing the padding on every side."""
    return _conv_backward_loop(dout, cache, uncropped_offset=True)


def conv_backward_dw_no_stride(dout, cache):
    """Reads the windows for dw without the stride."""
    return _conv_backward_loop(dout, cache, no_stride=True)


def conv_backward_db_mean(dout, cache):
    """Averages db over the batch instead of summing."""
    dx, dw, db = _conv_backward_loop(dout, cache)
    return dx, dw, db / dout.shape[0]


def conv_backward_dx_flipped(dout, cache):
    """dx through a flipped kernel (mixing up convolution and correlation)."""
    x, w, b, conv_param = cache
    dx, dw, db = _conv_backward_loop(dout, (x, w[:, :, ::-1, ::-1], b, conv_param))
    _, dw, _ = _conv_backward_loop(dout, cache)
    return dx, dw, db


def _pool_windows(x, pool_param):
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    H_out, W_out = 1 + (H - ph) // stride, 1 + (W - pw) // stride
    for i in range(H_out):
        for j in range(W_out):
            rows, cols = slice(i * stride, i * stride + ph), slice(j * stride, j * stride + pw)
            yield i, j, (slice(None), slice(None), rows, cols)


def _pool_out_shape(x, pool_param):
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    return N, C, 1 + (H - ph) // stride, 1 + (W - pw) // stride


def pool_average(x, pool_param):
    """Average pooling instead of max pooling."""
    out = np.zeros(_pool_out_shape(x, pool_param))
    for i, j, idx in _pool_windows(x, pool_param):
        out[:, :, i, j] = x[idx].mean(axis=(2, 3))
    return out, (x, pool_param)


def pool_stride_is_pool_size(x, pool_param):
    """Uses the pool height as the stride (right only for tiling pools)."""
    param = dict(pool_param, stride=pool_param["pool_height"])
    out = np.zeros(_pool_out_shape(x, param))
    for i, j, idx in _pool_windows(x, param):
        out[:, :, i, j] = x[idx].max(axis=(2, 3))
    return out, (x, pool_param)


def pool_max_over_channels(x, pool_param):
    """Takes the maximum over the channels too."""
    out = np.zeros(_pool_out_shape(x, pool_param))
    for i, j, idx in _pool_windows(x, pool_param):
        out[:, :, i, j] = x[idx].max(axis=(1, 2, 3))[:, None]
    return out, (x, pool_param)


def _pool_backward(dout, cache, rule):
    x, pool_param = cache
    dx = np.zeros_like(x)
    ph, pw = pool_param["pool_height"], pool_param["pool_width"]
    for i, j, idx in _pool_windows(x, pool_param):
        window = x[idx]  # (N, C, ph, pw)
        g = dout[:, :, i, j][:, :, None, None]
        if rule == "all_ties":
            dx[idx] += g * (window == window.max(axis=(2, 3), keepdims=True))
        elif rule == "average":
            dx[idx] += g / (ph * pw)
        else:  # "overwrite": dx[max] = dout instead of dx[max] += dout
            for n in range(x.shape[0]):
                for c in range(x.shape[1]):
                    k, l = np.unravel_index(np.argmax(window[n, c]), (ph, pw))
                    dx[n, c, idx[2].start + k, idx[3].start + l] = dout[n, c, i, j]
    return dx


def pool_backward_all_ties(dout, cache):
    """Sends the gradient to every entry equal to the maximum (ties get it twice)."""
    return _pool_backward(dout, cache, "all_ties")


def pool_backward_average(dout, cache):
    """Spreads the gradient evenly over the window (the average pool's backward)."""
    return _pool_backward(dout, cache, "average")


def pool_backward_overwrite(dout, cache):
    """Assigns instead of accumulating: overlapping windows lose gradient."""
    return _pool_backward(dout, cache, "overwrite")


def _vgg(in_channels, num_classes, widths, image_size, batch_norm, **wrong):
    """build_vgg_small with one deviation: order, convs, pool or conv_bias in ``wrong``."""
    order, convs = wrong.get("order", "bn_relu"), wrong.get("convs", 2)
    pool, conv_bias = wrong.get("pool", nn.MaxPool2d), wrong.get("conv_bias", True)
    layers, channels = [], in_channels
    for width in widths:
        for _ in range(convs):
            layers.append(nn.Conv2d(channels, width, 3, padding=1, bias=conv_bias))
            pair = [nn.BatchNorm2d(width)] if batch_norm else []
            pair = [*pair, nn.ReLU()] if order == "bn_relu" else [nn.ReLU(), *pair]
            layers += pair
            channels = width
        layers.append(pool(2))
    side = image_size // 2 ** len(widths)
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(widths[-1] * side * side, num_classes))


def vgg_flatten_over_2_times_stages(in_channels, num_classes, widths, image_size, batch_norm=True):
    """Flattened side image_size // (2 * stages): equal to // 2**stages only for 1 or 2 stages."""
    model = _vgg(in_channels, num_classes, widths, image_size, batch_norm)
    side = image_size // (2 * len(widths))
    model[-1] = nn.Linear(widths[-1] * side * side, num_classes)
    return model


def vgg_relu_before_bn(in_channels, num_classes, widths, image_size, batch_norm=True):
    """ReLU before BatchNorm (the order the task does not ask for)."""
    return _vgg(in_channels, num_classes, widths, image_size, batch_norm, order="relu_bn")


def vgg_one_conv_per_stage(in_channels, num_classes, widths, image_size, batch_norm=True):
    """One convolution per stage instead of two."""
    return _vgg(in_channels, num_classes, widths, image_size, batch_norm, convs=1)


def vgg_average_pool(in_channels, num_classes, widths, image_size, batch_norm=True):
    """Average pooling instead of max pooling."""
    return _vgg(in_channels, num_classes, widths, image_size, batch_norm, pool=nn.AvgPool2d)


def vgg_ignores_batch_norm_flag(in_channels, num_classes, widths, image_size, batch_norm=True):
    """Always adds BatchNorm, even with batch_norm=False."""
    return _vgg(in_channels, num_classes, widths, image_size, True)


def vgg_conv_without_bias(in_channels, num_classes, widths, image_size, batch_norm=True):
    """bias=False in the convolutions (not the stated construction: other parameter count)."""
    return _vgg(in_channels, num_classes, widths, image_size, batch_norm, conv_bias=False)


class BlockNoFinalRelu(ResidualBlock):
    """Returns residual + shortcut without the last ReLU."""

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return out + self.shortcut(x)


class BlockReluBeforeSum(ResidualBlock):
    """Applies the ReLU to the residual branch before adding the shortcut."""

    def forward(self, x):
        out = F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))))
        return out + self.shortcut(x)


class BlockNoShortcut(ResidualBlock):
    """Forgets to add the shortcut (a plain two-convolution block)."""

    def forward(self, x):
        return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))))


class BlockShortcutWithoutBatchNorm(nn.Module):
    """Projection shortcut without its BatchNorm."""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Conv2d(in_channels, out_channels, 1, stride, bias=False)

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(out + self.shortcut(x))


class BlockStrideInSecondConv(BlockShortcutWithoutBatchNorm):
    """Puts the stride on the second convolution instead of the first."""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, 1)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, 1, 1, bias=False)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, stride, 1, bias=False)
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )


#: per graded function, (what the mistake is, an implementation that makes it)
MISTAKES = {
    "conv_forward_naive": [
        (
            "the kernel is flipped: a true convolution, not deep learning's cross-correlation",
            conv_true_convolution,
        ),
        ("the bias is missing", conv_no_bias),
        ("x is never padded: pad it with np.pad before sliding the windows", conv_no_padding),
        (
            "the windows ignore the stride: window (i, j) starts at (i*stride, j*stride)",
            conv_ignores_stride_in_windows,
        ),
    ],
    "conv_backward_naive": [
        (
            "dx is cropped from the corner: remove the padding on every side",
            conv_backward_crop_from_corner,
        ),
        ("the windows for dw ignore the stride", conv_backward_dw_no_stride),
        ("db averaged over the batch: sum it", conv_backward_db_mean),
        (
            "dx through a flipped kernel (convolution and correlation mixed up)",
            conv_backward_dx_flipped,
        ),
    ],
    "max_pool_forward_naive": [
        ("average pooling: this layer takes the maximum", pool_average),
        ("the pool height used as the stride: use pool_param['stride']", pool_stride_is_pool_size),
        (
            "the maximum is taken over the channels too: pool each channel alone",
            pool_max_over_channels,
        ),
    ],
    "max_pool_backward_naive": [
        (
            "the gradient goes to every tied maximum: only the first maximum gets it",
            pool_backward_all_ties,
        ),
        (
            "the gradient spread evenly over the window (average pooling's backward)",
            pool_backward_average,
        ),
        (
            "the gradient is assigned, not accumulated: overlapping windows lose some",
            pool_backward_overwrite,
        ),
    ],
    "build_vgg_small": [
        ("ReLU before BatchNorm: the task asks for conv, BatchNorm, ReLU", vgg_relu_before_bn),
        ("one convolution per stage: each stage has two", vgg_one_conv_per_stage),
        ("average pooling in the stages: they end with max pooling", vgg_average_pool),
        ("BatchNorm added even with batch_norm=False", vgg_ignores_batch_norm_flag),
        (
            "convolutions without bias: the stated construction keeps bias=True",
            vgg_conv_without_bias,
        ),
        (
            "the flattened side is image_size // (2 * stages): each pool halves the side, so "
            "it is image_size // 2**stages",
            vgg_flatten_over_2_times_stages,
        ),
    ],
    "ResidualBlock": [
        ("the last ReLU is missing: relu(residual + shortcut)", BlockNoFinalRelu),
        ("the ReLU is applied before the sum: add the shortcut first", BlockReluBeforeSum),
        ("the shortcut is missing: add x (or its projection) to the residual", BlockNoShortcut),
        ("the projection shortcut without its BatchNorm", BlockShortcutWithoutBatchNorm),
        (
            "the stride is on the second convolution: it belongs on the first",
            BlockStrideInSecondConv,
        ),
    ],
}


CHECKS = [
    Check(
        grade_id="test_conv_forward_naive",
        function="conv_forward_naive",
        alternatives=alternatives("conv_forward_naive", MISTAKES),
        reference=CONV_FORWARD,
        cases=_conv_forward_cases,
        tol=1e-8,
        names={"s0.out.0": "out"},
        compare=("s0.out.0",),  # the cache is the student's own business
    ),
    Check(
        grade_id="test_conv_backward_naive",
        function="conv_backward_naive",
        alternatives=alternatives("conv_backward_naive", MISTAKES),
        reference={**CONV_FORWARD, "conv_backward_naive": conv_backward_naive},
        cases=_conv_backward_cases,
        tol=1e-8,
        names={"s1.out.0": "dx", "s1.out.1": "dw", "s1.out.2": "db"},
    ),
    Check(
        grade_id="test_max_pool_forward_naive",
        function="max_pool_forward_naive",
        alternatives=alternatives("max_pool_forward_naive", MISTAKES),
        reference=POOL_FORWARD,
        cases=_pool_forward_cases,
        tol=1e-12,
        names={"s0.out.0": "out"},
        compare=("s0.out.0",),
    ),
    Check(
        grade_id="test_max_pool_backward_naive",
        function="max_pool_backward_naive",
        alternatives=alternatives("max_pool_backward_naive", MISTAKES),
        reference={**POOL_FORWARD, "max_pool_backward_naive": max_pool_backward_naive},
        cases=_pool_backward_cases,
        tol=1e-12,
        names={"s1.out": "dx"},
    ),
    Check(
        grade_id="test_build_vgg_small",
        function="build_vgg_small",
        alternatives=alternatives("build_vgg_small", MISTAKES),
        reference={"build_vgg_small": build_vgg_small, "module_signature": module_signature},
        cases=_vgg_cases,
        tol=1e-7,
        names=SIGNATURE_NAMES,
        compare=ARCHITECTURE,
    ),
    Check(
        grade_id="test_build_vgg_small",
        function="build_vgg_small",
        alternatives=alternatives("build_vgg_small", MISTAKES),
        reference={"build_vgg_small": build_vgg_small, "module_signature": module_signature},
        cases=_vgg_cases,
        tol=1e-7,
        names=SIGNATURE_NAMES,
    ),
    Check(
        grade_id="test_residual_block",
        function="ResidualBlock",
        alternatives=alternatives("ResidualBlock", MISTAKES),
        reference={"ResidualBlock": ResidualBlock, "module_signature": module_signature},
        cases=_block_cases,
        tol=1e-7,
        names=SIGNATURE_NAMES,
        compare=ARCHITECTURE,
    ),
    Check(
        grade_id="test_residual_block",
        function="ResidualBlock",
        alternatives=alternatives("ResidualBlock", MISTAKES),
        reference={"ResidualBlock": ResidualBlock, "module_signature": module_signature},
        cases=_block_cases,
        tol=1e-7,
        names=SIGNATURE_NAMES,
    ),
]


# ================================================================ 09_cnn_numpy: costs, saliency
# (issue 18: parameter and multiply-add tables of the notes' architectures, saliency maps)


def _cost_configs(rng):
    """(label, (C, H, W), filters, kernel, stride, pad): layers of the notes and odd ones."""
    c, side = _size(rng, 2, 9), _size(rng, 9, 20)
    return [
        ("a 3x3 layer with same padding", (c, side, side + 3), _size(rng, 4, 40), 3, 1, 1),
        ("an AlexNet-like first layer: 11x11, stride 4", (3, 227, 227), 96, 11, 4, 0),
        ("a 1x1 convolution (a bottleneck)", (_size(rng, 64, 256), 28, 28), 16, 1, 1, 0),
        ("a 5x5 layer, stride 2, no padding", (c, side + 2, side), 6, 5, 2, 0),
        ("a 7x7 stride-2 stem with padding 3", (3, 2 * side, 2 * side), 64, 7, 2, 3),
        ("a fully connected layer as a 1x1 convolution", (_size(rng, 50, 900), 1, 1), 10, 1, 1, 0),
        ("stride 3 leaves the last rows unread", (c, side, side), 5, 3, 3, 1),
    ]


def _conv_params_cases(rng):
    return [
        case(label, call("conv_params", shape[0], f, k))
        for label, shape, f, k, _, _ in _cost_configs(rng)
    ]


def _conv_macs_cases(rng):
    return [
        case(label, call("conv_macs", shape, f, k, stride, pad))
        for label, shape, f, k, stride, pad in _cost_configs(rng)
    ]


def _saliency_configs(rng):
    """(label, (C, H, W), filters, filter size, hidden, classes, batch)."""
    return [
        ("one channel, a batch of three", (1, 8, 8), 4, 3, 10, 5, 3),
        ("three channels: the maximum over the channels", (3, 6, 8), 3, 3, 8, 4, 2),
        ("a batch of one, 5x5 filters", (2, 8, 6), 2, 5, 6, 3, 1),
        ("ten classes, every class asked once", (3, 6, 6), 4, 3, 12, 10, 10),
    ]


def _saliency_cases(rng):
    cases = []
    for label, shape, filters, size, hidden, classes, batch in _saliency_configs(rng):
        seed = int(rng.integers(0, 2**31 - 1))
        build = call(
            "ThreeLayerConvNet",
            shape,
            filters,
            size,
            hidden,
            num_classes=classes,
            weight_scale=0.3,
            dtype="float64",  # a string: grading inputs carry no numpy types
            seed=seed,
            bind="m",
            record=False,
        )
        X = rng.normal(size=(batch, *shape))
        y = np.arange(batch) % classes if classes == batch else rng.integers(0, classes, batch)
        cases.append(case(label, build, call("saliency_map", Ref("m"), X, y)))
    return cases


def params_without_bias(in_channels, filters, kernel_size):
    """Forgets the bias of each filter."""
    return filters * in_channels * kernel_size * kernel_size


def params_bias_per_channel(in_channels, filters, kernel_size):
    """One bias per filter and input channel."""
    return filters * in_channels * (kernel_size * kernel_size + 1)


def params_without_channels(in_channels, filters, kernel_size):
    """A filter of k x k weights, as if it saw one channel."""
    return filters * (kernel_size * kernel_size + 1)


def params_kernel_not_squared(in_channels, filters, kernel_size):
    """k weights per channel instead of k x k."""
    return filters * (in_channels * kernel_size + 1)


def _out_hw(in_shape, kernel_size, stride, pad):
    _, H, W = in_shape
    return 1 + (H + 2 * pad - kernel_size) // stride, 1 + (W + 2 * pad - kernel_size) // stride


def macs_input_positions(in_shape, filters, kernel_size, stride=1, pad=0):
    """One dot product per input pixel instead of per output position."""
    C, H, W = in_shape
    return filters * H * W * C * kernel_size * kernel_size


def macs_with_bias(in_shape, filters, kernel_size, stride=1, pad=0):
    """Counts the bias addition as one more multiply-add per output."""
    H_out, W_out = _out_hw(in_shape, kernel_size, stride, pad)
    return filters * H_out * W_out * (in_shape[0] * kernel_size * kernel_size + 1)


def macs_without_channels(in_shape, filters, kernel_size, stride=1, pad=0):
    """Dot products of k x k terms, as if each filter saw one channel."""
    H_out, W_out = _out_hw(in_shape, kernel_size, stride, pad)
    return filters * H_out * W_out * kernel_size * kernel_size


def macs_without_padding(in_shape, filters, kernel_size, stride=1, pad=0):
    """The output size without the padding."""
    H_out, W_out = _out_hw(in_shape, kernel_size, stride, 0)
    return filters * H_out * W_out * in_shape[0] * kernel_size * kernel_size


def _saliency(model, X, y, signed=False, loss=False, reduce="max", relu_mask=True, target=None):
    p = model.params
    X = X.astype(p["W1"].dtype)
    conv, conv_cache = conv_forward_fast(X, p["W1"], p["b1"], model.conv_param)
    act = np.maximum(conv, 0)
    pooled, pool_cache = max_pool_forward_fast(act, model.pool_param)
    flat = pooled.reshape(len(X), -1)
    hidden = np.maximum(flat @ p["W2"] + p["b2"], 0)
    scores = hidden @ p["W3"] + p["b3"]
    y = scores.argmax(axis=1) if target == "predicted" else y
    dscores = np.zeros_like(scores)
    dscores[np.arange(len(y)), y] = 1.0
    if loss:  # the gradient of the softmax loss of each example, not of the score
        probs = np.exp(scores - scores.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        dscores = probs - dscores
    dhidden = (dscores @ p["W3"].T) * (hidden > 0)
    dpooled = (dhidden @ p["W2"].T).reshape(pooled.shape)
    dact = max_pool_backward_fast(dpooled, pool_cache)
    dconv = dact * (conv > 0) if relu_mask else dact
    dX, _, _ = conv_backward_fast(dconv, conv_cache)
    values = dX if signed else np.abs(dX)
    return values.sum(axis=1) if reduce == "sum" else values.max(axis=1)


def saliency_signed(model, X, y):
    """Takes the maximum of the signed gradient, without the absolute value."""
    return _saliency(model, X, y, signed=True)


def saliency_of_the_loss(model, X, y):
    """The gradient of the softmax loss, not of the class score."""
    return _saliency(model, X, y, loss=True)


def saliency_sum_over_channels(model, X, y):
    """Sums |gradient| over the channels instead of taking the maximum."""
    return _saliency(model, X, y, reduce="sum")


def saliency_no_relu_mask(model, X, y):
    """Skips the ReLU after the convolution in the backward pass."""
    return _saliency(model, X, y, relu_mask=False)


def saliency_predicted_class(model, X, y):
    """The score of the predicted class, not of y."""
    return _saliency(model, X, y, target="predicted")


NUMPY_MISTAKES = {
    "conv_params": [
        ("the bias of each filter is missing: F (C k k + 1)", params_without_bias),
        ("one bias per filter and channel: each filter has one bias", params_bias_per_channel),
        (
            "the input channels are missing: each filter spans all C of them",
            params_without_channels,
        ),
        ("k weights per channel: a filter has k x k of them", params_kernel_not_squared),
    ],
    "conv_macs": [
        (
            "one dot product per input pixel: count the output positions H' x W'",
            macs_input_positions,
        ),
        ("the bias addition is counted: only the C k k multiply-adds count", macs_with_bias),
        ("the input channels are missing: a dot product has C k k terms", macs_without_channels),
        ("the output size without the padding", macs_without_padding),
    ],
    "saliency_map": [
        ("the absolute value is missing: max over channels of |gradient|", saliency_signed),
        ("the gradient of the loss, not of the class score", saliency_of_the_loss),
        ("the channels are summed: take their maximum", saliency_sum_over_channels),
        ("the ReLU after the convolution is skipped in the backward pass", saliency_no_relu_mask),
        ("the score of the predicted class, not of the class y", saliency_predicted_class),
    ],
}
SALIENCY = {"ThreeLayerConvNet": ThreeLayerConvNet, "saliency_map": saliency_map}

CHECKS += [
    Check(
        grade_id="test_conv_params",
        function="conv_params",
        alternatives=alternatives("conv_params", NUMPY_MISTAKES),
        reference={"conv_params": conv_params},
        cases=_conv_params_cases,
        tol=1e-12,
        names={"s0.out": "the number of parameters"},
    ),
    Check(
        grade_id="test_conv_macs",
        function="conv_macs",
        alternatives=alternatives("conv_macs", NUMPY_MISTAKES),
        reference={"conv_macs": conv_macs},
        cases=_conv_macs_cases,
        tol=1e-12,
        names={"s0.out": "the number of multiply-adds"},
    ),
    Check(
        grade_id="test_saliency_map",
        function="saliency_map",
        alternatives=alternatives("saliency_map", NUMPY_MISTAKES),
        reference=SALIENCY,
        cases=_saliency_cases,
        tol=1e-7,
        names={"s1.out": "the saliency maps"},
    ),
]
# ==================================================================== 09_cnn_pytorch: the loop
# train_one_epoch and evaluate_model (issue 18). A case builds a probe (a tiny float64 network
# that records its forward calls; course_utils.torch_track.loop_probe), runs the student's
# loop on it, and compares what the loop returned and what it did (probe_signature: the
# parameters after it, the batch-norm running mean, the share of examples seen in train mode
# and with autograd on).

LOOP_REFERENCE = {"make_loop_probe": make_loop_probe, "probe_signature": probe_signature}


def _probe(rng, num_examples, batch_size, start_mode):
    seed = int(rng.integers(0, 2**31 - 1))
    return call(
        "make_loop_probe",
        seed,
        num_examples,
        batch_size,
        start_mode=start_mode,
        bind="p",
        record=False,
    )


def _loop_args(*names):
    return [Ref("p", index) for index in names]


def _train_cases(rng):
    one = call("train_one_epoch", *_loop_args(0, 1, 2, 3))
    sign = call("probe_signature", Ref("p", 0))
    return [
        case(
            "batches of 4, the last one smaller; model left in eval mode",
            _probe(rng, 10, 4, "eval"),
            one,
            sign,
        ),
        case("model left in train mode", _probe(rng, 9, 3, "train"), one, sign),
        case(
            "two epochs in a row (the loss goes down)", _probe(rng, 12, 5, "eval"), one, one, sign
        ),
        case("one batch of the whole set", _probe(rng, 7, 7, "eval"), one, sign),
    ]


def _evaluate_cases(rng):
    evaluate = call("evaluate_model", *_loop_args(0, 1, 3))
    sign = call("probe_signature", Ref("p", 0))
    return [
        case(
            "model left in train mode, batches of 4 and a smaller last one",
            _probe(rng, 10, 4, "train"),
            evaluate,
            sign,
        ),
        case("model left in eval mode, batches of 3", _probe(rng, 9, 3, "eval"), evaluate, sign),
        case("a larger set, a last batch of one", _probe(rng, 25, 8, "train"), evaluate, sign),
    ]


LOOP_NAMES = {
    "s1.out": "the returned loss",
    "s2.out": "the loss of the second epoch",
    "s1.out.0": "the returned loss",
    "s1.out.1": "the returned accuracy",
    **{
        f"s{i}.out.{key}": text
        for i in (2, 3)
        for key, text in (
            ("params", "the parameters after the loop"),
            ("running_mean", "batch norm's running mean after the loop"),
            ("train_mode", "the share of examples the model saw in train mode"),
            ("autograd", "the share of examples seen with autograd recording"),
            ("examples_seen", "the number of examples the model saw"),
        )
    },
}


def _train_wrong(
    model,
    loader,
    optimizer,
    device,
    *,
    zero=True,
    mode=True,
    loss="weighted",
    zero_after_backward=False,
):
    if mode:
        model.train()
    losses, sizes = [], []
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        if zero and not zero_after_backward:
            optimizer.zero_grad()
        batch_loss = F.cross_entropy(model(x), y)
        batch_loss.backward()
        if zero_after_backward:
            optimizer.zero_grad()
        optimizer.step()
        losses.append(batch_loss.item())
        sizes.append(y.shape[0])
    if loss == "batches":
        return float(np.mean(losses))
    if loss == "last":
        return losses[-1]
    return float(np.dot(losses, sizes) / np.sum(sizes))


def train_no_zero_grad(model, loader, optimizer, device):
    """Never zeroes the gradients: each step uses the sum of all the batches so far."""
    return _train_wrong(model, loader, optimizer, device, zero=False)


def train_zero_grad_after_backward(model, loader, optimizer, device):
    """Zeroes the gradients between backward and step: the model never changes."""
    return _train_wrong(model, loader, optimizer, device, zero_after_backward=True)


def train_no_train_mode(model, loader, optimizer, device):
    """Never calls model.train(): after an evaluation, batch norm stays in eval mode."""
    return _train_wrong(model, loader, optimizer, device, mode=False)


def train_mean_of_batch_losses(model, loader, optimizer, device):
    """Averages the batch losses, so a smaller last batch weighs as much as a full one."""
    return _train_wrong(model, loader, optimizer, device, loss="batches")


def train_last_batch_loss(model, loader, optimizer, device):
    """Returns the loss of the last batch only."""
    return _train_wrong(model, loader, optimizer, device, loss="last")


def _evaluate_wrong(model, loader, device, *, mode=True, no_grad=True, per_batch=False):
    if mode:
        model.eval()
    losses, accs, sizes = [], [], []
    with torch.set_grad_enabled(not no_grad):
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            scores = model(x)
            losses.append(F.cross_entropy(scores, y).item())
            accs.append(float((scores.argmax(dim=1) == y).double().mean()))
            sizes.append(y.shape[0])
    if per_batch:
        return float(np.mean(losses)), float(np.mean(accs))
    return float(np.dot(losses, sizes) / np.sum(sizes)), float(np.dot(accs, sizes) / np.sum(sizes))


def evaluate_no_eval_mode(model, loader, device):
    """Never calls model.eval(): batch norm uses batch statistics and updates its running ones."""
    return _evaluate_wrong(model, loader, device, mode=False)


def evaluate_without_no_grad(model, loader, device):
    """Evaluates without torch.no_grad(): autograd records a graph that is never used."""
    return _evaluate_wrong(model, loader, device, no_grad=False)


def evaluate_mean_of_batches(model, loader, device):
    """Averages per-batch loss and accuracy, so a smaller last batch weighs as a full one."""
    return _evaluate_wrong(model, loader, device, per_batch=True)


MISTAKES.update(
    {
        "train_one_epoch": [
            (
                "optimizer.zero_grad() is missing: the gradients of every batch add up",
                train_no_zero_grad,
            ),
            (
                "zero_grad() between backward() and step(): each step sees zero gradients",
                train_zero_grad_after_backward,
            ),
            (
                "model.train() is missing: after an evaluation the model stays in eval mode",
                train_no_train_mode,
            ),
            (
                "the mean of the batch losses: weigh each batch by its size",
                train_mean_of_batch_losses,
            ),
            (
                "the loss of the last batch only: return the mean over the epoch",
                train_last_batch_loss,
            ),
        ],
        "evaluate_model": [
            (
                "model.eval() is missing: batch norm uses the batch's statistics",
                evaluate_no_eval_mode,
            ),
            (
                "torch.no_grad() is missing: autograd records every evaluation",
                evaluate_without_no_grad,
            ),
            ("per-batch means averaged: weigh each batch by its size", evaluate_mean_of_batches),
        ],
    }
)

CHECKS += [
    Check(
        grade_id="test_train_one_epoch",
        function="train_one_epoch",
        alternatives=alternatives("train_one_epoch", MISTAKES),
        reference={"train_one_epoch": train_one_epoch, **LOOP_REFERENCE},
        cases=_train_cases,
        tol=1e-9,
        names=LOOP_NAMES,
    ),
    Check(
        grade_id="test_evaluate_model",
        function="evaluate_model",
        alternatives=alternatives("evaluate_model", MISTAKES),
        reference={"evaluate_model": evaluate_model, **LOOP_REFERENCE},
        cases=_evaluate_cases,
        tol=1e-9,
        names=LOOP_NAMES,
    ),
]


# ==================================================================== 09_cnn_pytorch: challenge
# The open challenge (issue 18): the student's VGG-small choices for the digits within a CPU
# budget, read as numbers and judged by training the course's build_vgg_small with them on
# the grader's own split (course_utils.experiments.cnn_challenge), as 05's tuning task.

#: what the judge reads, in order, and the reference's own choices (same shapes)
CHALLENGE_CHOICES = {
    "challenge_widths": (16, 32, 0),
    "challenge_batch_norm": True,
    "challenge_epochs": 6,
    "challenge_learning_rate": 2e-3,
    "challenge_batch_size": 64,
}
#: held-out accuracy that earns full points, and the partial step (measured on the grader's
#: split: the reference's choices 97.9 % at 5 epochs, 98.2 % at 8; (8, 16) 96.4 %; without
#: batch norm 91.8 %; learning rate 1e-5 or 1.0: 26 % and 36 %)
CHALLENGE_TARGET = 0.96
CHALLENGE_PARTIAL = 0.90


def _read_challenge(got):
    """(widths, batch_norm, epochs, lr, batch size) from the recorded values, or (None, why).

    The widths are a tuple of three, recorded as s0.out.0, s0.out.1, s0.out.2."""
    widths = [got.get(f"s0.out.{i}") for i in range(3)]
    scalars = [got.get(f"s{i}.out") for i in range(1, len(CHALLENGE_CHOICES))]
    if any(value is None for value in widths + scalars):
        return None, "set all five choices, the widths as a tuple of three numbers."
    widths = np.array([float(np.asarray(w).ravel()[0]) for w in widths])
    scalars = [float(np.asarray(v, dtype=np.float64).ravel()[0]) for v in scalars]
    problem = challenge_problem(widths, *scalars)
    if problem:
        return None, f"Your choices break the challenge's rules: {problem}."
    batch_norm, epochs, learning_rate, batch_size = scalars
    choices = (tuple(int(w) for w in widths), int(batch_norm), int(epochs), learning_rate)
    return (*choices, int(batch_size)), None


def challenge_judge(threshold: float):
    """A judge: None when the grader's run with the student's choices reaches ``threshold``."""

    def judge(got) -> str | None:
        choices, problem = _read_challenge(got)
        if problem:
            return problem
        reached = challenge_accuracy(*choices)
        if reached >= threshold:
            return None
        return (
            f"With your choices the network reaches {reached:.1%} on the grader's held-out "
            f"digits, below {threshold:.0%}."
        )

    return judge


CHECKS += level_checks(
    "test_challenge",
    CHALLENGE_CHOICES,
    challenge_judge,
    (
        (f"your choices reach {CHALLENGE_PARTIAL:.0%} on the grader's split", CHALLENGE_PARTIAL),
        (f"your choices reach {CHALLENGE_TARGET:.0%} on the grader's split", CHALLENGE_TARGET),
    ),
    function="challenge",
    names={
        **{f"s0.out.{i}": f"challenge_widths[{i}]" for i in range(3)},
        **{f"s{i}.out": name for i, name in enumerate(CHALLENGE_CHOICES)},
    },
)
