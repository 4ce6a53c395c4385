"""Wrong answers a student might give in 09_cnn (numpy layers and PyTorch modules)."""

import numpy as np
import torch.nn.functional as F
from torch import nn

from course_utils.torch_track.models.resnet_block import ResidualBlock
from tests.mutants import Mutant

# ---------------------------------------------------------------- convolution forward


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


# ---------------------------------------------------------------- convolution backward


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


# ---------------------------------------------------------------- max pooling


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


# ---------------------------------------------------------------- build_vgg_small


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


# ---------------------------------------------------------------- ResidualBlock


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


CF, CB = "test_conv_forward_naive", "test_conv_backward_naive"
PF, PB = "test_max_pool_forward_naive", "test_max_pool_backward_naive"
VGG, RES = "test_build_vgg_small", "test_residual_block"
MUTANTS = [
    Mutant("true convolution (flipped kernel)", CF, {"conv_forward_naive": conv_true_convolution}),
    Mutant("no bias", CF, {"conv_forward_naive": conv_no_bias}),
    Mutant("padding never applied", CF, {"conv_forward_naive": conv_no_padding}),
    Mutant("stride ignored in windows", CF, {"conv_forward_naive": conv_ignores_stride_in_windows}),
    Mutant(
        "dx cropped from the corner", CB, {"conv_backward_naive": conv_backward_crop_from_corner}
    ),
    Mutant("dw windows without stride", CB, {"conv_backward_naive": conv_backward_dw_no_stride}),
    Mutant("db averaged over the batch", CB, {"conv_backward_naive": conv_backward_db_mean}),
    Mutant("dx through a flipped kernel", CB, {"conv_backward_naive": conv_backward_dx_flipped}),
    Mutant("average pooling", PF, {"max_pool_forward_naive": pool_average}),
    Mutant("stride = pool size", PF, {"max_pool_forward_naive": pool_stride_is_pool_size}),
    Mutant("max over channels too", PF, {"max_pool_forward_naive": pool_max_over_channels}),
    Mutant("gradient to every tie", PB, {"max_pool_backward_naive": pool_backward_all_ties}),
    Mutant("gradient spread evenly", PB, {"max_pool_backward_naive": pool_backward_average}),
    Mutant(
        "assignment, not accumulation", PB, {"max_pool_backward_naive": pool_backward_overwrite}
    ),
    Mutant("ReLU before BatchNorm", VGG, {"build_vgg_small": vgg_relu_before_bn}),
    Mutant("one convolution per stage", VGG, {"build_vgg_small": vgg_one_conv_per_stage}),
    Mutant("average pooling in the stages", VGG, {"build_vgg_small": vgg_average_pool}),
    Mutant("batch_norm flag ignored", VGG, {"build_vgg_small": vgg_ignores_batch_norm_flag}),
    Mutant("convolutions without bias", VGG, {"build_vgg_small": vgg_conv_without_bias}),
    Mutant("no final ReLU", RES, {"ResidualBlock": BlockNoFinalRelu}),
    Mutant("ReLU before the sum", RES, {"ResidualBlock": BlockReluBeforeSum}),
    Mutant("no shortcut", RES, {"ResidualBlock": BlockNoShortcut}),
    Mutant("projection without BatchNorm", RES, {"ResidualBlock": BlockShortcutWithoutBatchNorm}),
    Mutant("stride in the second convolution", RES, {"ResidualBlock": BlockStrideInSecondConv}),
]
