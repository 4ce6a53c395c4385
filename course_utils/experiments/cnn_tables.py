"""Layer tables of convolutional networks: output shapes, neurons, parameters, receptive fields.

A network is described as a list of small layer specs (:class:`Conv`, :class:`Pool`,
:class:`FC`, and :class:`Branches` for an inception or residual block); :func:`layer_table`
walks it from an input shape (C, H, W) and returns one :class:`LayerRow` per layer.
Everything here is pure arithmetic on shapes. The parameters and multiply-adds of each layer
come from two functions, by default those of :mod:`course_utils.experiments.cnn_costs`; the
09 notebook passes the student's own (``params_fn``, ``macs_fn``).

Example (LeNet-5)::

    rows = layer_table((1, 32, 32), LENET5)
    print(format_layer_table(rows))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import prod

from course_utils.experiments import cnn_costs


@dataclass(frozen=True)
class Conv:
    """A convolutional layer: ``filters`` filters of size ``size`` x ``size``, then a ReLU."""

    filters: int
    size: int
    stride: int = 1
    pad: int = 0
    name: str = "conv"


@dataclass(frozen=True)
class Pool:
    """A max (or average) pooling layer over ``size`` x ``size`` windows; no parameters."""

    size: int
    stride: int | None = None  # None: the window size (non-overlapping windows)
    name: str = "pool"
    pad: int = 0  # GoogLeNet and ResNet pad their 3 x 3 poolings by 1


@dataclass(frozen=True)
class Branches:
    """Parallel branches on one input: an inception block (``merge="concat"``: the outputs are
    stacked along the channels) or a residual block (``merge="add"``: the outputs are summed,
    an empty branch being the identity shortcut). Each branch is a tuple of Conv and Pool specs.
    The row counts the parameters and multiply-adds of every branch (the sum itself is free)
    and, as neurons, only the block's output."""

    branches: tuple[tuple, ...]
    merge: str = "concat"
    name: str = "block"


@dataclass(frozen=True)
class FC:
    """A fully connected (affine) layer with ``units`` outputs; flattens its input."""

    units: int
    name: str = "fc"


@dataclass(frozen=True)
class LayerRow:
    """One line of a layer table.

    - shape: output shape, (C, H, W) after a Conv or Pool, (units,) after an FC layer
    - neurons: number of output values per example (the product of shape)
    - params: weights plus biases of the layer
    - macs: multiply-adds per example for the layer's weights
    """

    name: str
    shape: tuple[int, ...]
    neurons: int
    params: int
    macs: int


def conv_output_size(size: int, kernel: int, stride: int = 1, pad: int = 0) -> int:
    """Output length of a convolution or pooling along one axis.

    size' = 1 + (size + 2 * pad - kernel) // stride. Raises ValueError when the kernel
    does not fit in the padded input (size' < 1) or stride < 1.
    """
    if stride < 1:
        raise ValueError(f"stride must be at least 1, got {stride}")
    if size + 2 * pad < kernel:
        raise ValueError(f"a kernel of {kernel} does not fit in {size} + 2 * {pad}")
    return 1 + (size + 2 * pad - kernel) // stride


ParamsFn = Callable[[int, int, int], int]
MacsFn = Callable[..., int]


def layer_row(
    layer, shape: tuple[int, ...], params_fn: ParamsFn | None = None, macs_fn: MacsFn | None = None
) -> LayerRow:
    """The row of one layer applied to an input of ``shape`` ((C, H, W) or (D,)).

    ``params_fn(in_channels, filters, kernel_size)`` and ``macs_fn(in_shape, filters,
    kernel_size, stride, pad)`` count a convolution (default: cnn_costs.conv_params and
    conv_macs); a fully connected layer from D to M is counted as a 1 x 1 convolution with D
    input channels and M filters on a 1 x 1 image.
    """
    params_fn = params_fn or cnn_costs.conv_params
    macs_fn = macs_fn or cnn_costs.conv_macs
    if isinstance(layer, FC):
        fan_in = prod(shape)
        params = int(params_fn(fan_in, layer.units, 1))
        macs = int(macs_fn((fan_in, 1, 1), layer.units, 1, 1, 0))
        return LayerRow(layer.name, (layer.units,), layer.units, params, macs)
    if len(shape) != 3:
        raise ValueError(f"{layer.name} needs a (C, H, W) input, got {shape}")
    C, H, W = shape
    if isinstance(layer, Conv):
        H_out = conv_output_size(H, layer.size, layer.stride, layer.pad)
        W_out = conv_output_size(W, layer.size, layer.stride, layer.pad)
        out = (layer.filters, H_out, W_out)
        params = int(params_fn(C, layer.filters, layer.size))
        macs = int(macs_fn(shape, layer.filters, layer.size, layer.stride, layer.pad))
        return LayerRow(layer.name, out, prod(out), params, macs)
    if isinstance(layer, Pool):
        stride = layer.stride or layer.size
        H_out = conv_output_size(H, layer.size, stride, layer.pad)
        out = (C, H_out, conv_output_size(W, layer.size, stride, layer.pad))
        return LayerRow(layer.name, out, prod(out), 0, 0)
    if isinstance(layer, Branches):
        return _branches_row(layer, shape, params_fn, macs_fn)
    raise TypeError(f"unknown layer {layer!r}")


def _branches_row(block: Branches, shape, params_fn, macs_fn) -> LayerRow:
    outs, params, macs = [], 0, 0
    for branch in block.branches:
        rows = layer_table(shape, branch, params_fn, macs_fn)
        outs.append(rows[-1].shape)
        params += sum(r.params for r in rows[1:])
        macs += sum(r.macs for r in rows[1:])
    if any(out[1:] != outs[0][1:] for out in outs):
        raise ValueError(f"{block.name}: branches end in different sizes {outs}")
    if block.merge == "concat":
        out = (sum(o[0] for o in outs), *outs[0][1:])
    elif block.merge == "add":
        if len(set(outs)) != 1:
            raise ValueError(f"{block.name}: cannot add outputs of shapes {outs}")
        out = outs[0]
    else:
        raise ValueError(f"{block.name}: merge must be 'concat' or 'add', got {block.merge!r}")
    return LayerRow(block.name, out, prod(out), params, macs)


def layer_table(
    input_shape: tuple[int, ...],
    layers,
    params_fn: ParamsFn | None = None,
    macs_fn: MacsFn | None = None,
) -> list[LayerRow]:
    """One :class:`LayerRow` per layer, the first row being the input itself.

    Inputs:
    - input_shape: (C, H, W) of one example.
    - layers: sequence of Conv, Pool, FC and Branches specs, applied in order.
    - params_fn, macs_fn: how to count a convolution (see :func:`layer_row`).
    Returns a list of len(layers) + 1 rows; row 0 is "input" with 0 params.
    """
    shape = tuple(input_shape)
    rows = [LayerRow("input", shape, prod(shape), 0, 0)]
    for layer in layers:
        row = layer_row(layer, shape, params_fn, macs_fn)
        rows.append(row)
        shape = row.shape
    return rows


def table_totals(rows: list[LayerRow]) -> dict[str, int]:
    """Sums over the layers (the input row excluded): params, neurons, macs."""
    layers = rows[1:]
    return {
        "params": sum(r.params for r in layers),
        "neurons": sum(r.neurons for r in layers),
        "macs": sum(r.macs for r in layers),
    }


def format_layer_table(rows: list[LayerRow]) -> str:
    """The table as aligned text, with a line of totals."""
    header = f"{'layer':<10}{'output shape':>16}{'neurons':>12}{'params':>14}{'mult-adds':>16}"
    lines = [header, "-" * len(header)]
    for r in rows:
        shape = " x ".join(str(s) for s in r.shape)
        lines.append(f"{r.name:<10}{shape:>16}{r.neurons:>12,}{r.params:>14,}{r.macs:>16,}")
    totals = table_totals(rows)
    lines.append("-" * len(header))
    total = f"{totals['neurons']:>12,}{totals['params']:>14,}{totals['macs']:>16,}"
    lines.append(f"{'total':<10}{'':>16}" + total)
    return "\n".join(lines)


@dataclass(frozen=True)
class FieldRow:
    """Receptive field after a layer: ``size`` input pixels per side, ``jump`` between outputs."""

    name: str
    size: int
    jump: int


def receptive_fields(layers) -> list[FieldRow]:
    """Receptive field of one output unit after each Conv or Pool layer.

    With r_0 = 1 and j_0 = 1 (one input pixel, neighbours one pixel apart), a layer with
    kernel k and stride s gives r = r_prev + (k - 1) * j_prev and j = j_prev * s.
    FC layers and Branches end the walk (an FC layer sees the whole input).
    Returns one FieldRow per layer before the first FC, after a row "input" (1, 1).
    """
    size, jump = 1, 1
    rows = [FieldRow("input", size, jump)]
    for layer in layers:
        if isinstance(layer, (FC, Branches)):
            break
        stride = layer.stride if isinstance(layer, Conv) else (layer.stride or layer.size)
        size += (layer.size - 1) * jump
        jump *= stride
        rows.append(FieldRow(layer.name, size, jump))
    return rows


#: LeNet-5 (LeCun et al., 1998) on a 1 x 32 x 32 input, with full connections in C3.
LENET5 = (
    Conv(6, 5, name="conv1"),
    Pool(2, name="pool1"),
    Conv(16, 5, name="conv2"),
    Pool(2, name="pool2"),
    FC(120, name="fc1"),
    FC(84, name="fc2"),
    FC(10, name="fc3"),
)


def _vgg16() -> tuple:
    layers = []
    for stage, (filters, count) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]):
        for k in range(count):
            layers.append(Conv(filters, 3, pad=1, name=f"conv{stage + 1}_{k + 1}"))
        layers.append(Pool(2, name=f"pool{stage + 1}"))
    layers += [FC(4096, name="fc6"), FC(4096, name="fc7"), FC(1000, name="fc8")]
    return tuple(layers)


#: VGG-16 (Simonyan and Zisserman, 2015, configuration D) on a 3 x 224 x 224 input.
VGG16 = _vgg16()


#: AlexNet (Krizhevsky et al., 2012) on a 3 x 227 x 227 input, as one tower: the original
#: split conv2, conv4 and conv5 over two GPUs (each filter saw half the channels).
ALEXNET = (
    Conv(96, 11, stride=4, name="conv1"),
    Pool(3, 2, name="pool1"),
    Conv(256, 5, pad=2, name="conv2"),
    Pool(3, 2, name="pool2"),
    Conv(384, 3, pad=1, name="conv3"),
    Conv(384, 3, pad=1, name="conv4"),
    Conv(256, 3, pad=1, name="conv5"),
    Pool(3, 2, name="pool5"),
    FC(4096, name="fc6"),
    FC(4096, name="fc7"),
    FC(1000, name="fc8"),
)


def inception(name, c1, c3_reduce, c3, c5_reduce, c5, pool_proj, bottleneck=True) -> Branches:
    """GoogLeNet's inception block: 1x1, 3x3 and 5x5 convolutions and a 3x3 max pooling side by
    side. With ``bottleneck`` (the real block) 1x1 convolutions first reduce the channels to
    ``c3_reduce`` and ``c5_reduce`` and project the pooling to ``pool_proj`` channels; without
    it (the "naive" block) the 3x3 and 5x5 filters see every input channel and the pooled input
    is passed on as it is."""
    if bottleneck:
        branches = (
            (Conv(c1, 1, name="1x1"),),
            (Conv(c3_reduce, 1, name="3x3 reduce"), Conv(c3, 3, pad=1, name="3x3")),
            (Conv(c5_reduce, 1, name="5x5 reduce"), Conv(c5, 5, pad=2, name="5x5")),
            (Pool(3, 1, pad=1, name="pool"), Conv(pool_proj, 1, name="pool proj")),
        )
    else:
        branches = (
            (Conv(c1, 1, name="1x1"),),
            (Conv(c3, 3, pad=1, name="3x3"),),
            (Conv(c5, 5, pad=2, name="5x5"),),
            (Pool(3, 1, pad=1, name="pool"),),
        )
    return Branches(branches, "concat", name)


#: GoogLeNet (Szegedy et al., 2015) on a 3 x 224 x 224 input, without its two auxiliary
#: classifiers (used only in training) and without local response normalisation.
GOOGLENET = (
    Conv(64, 7, stride=2, pad=3, name="conv1"),
    Pool(3, 2, pad=1, name="pool1"),
    Conv(64, 1, name="conv2r"),
    Conv(192, 3, pad=1, name="conv2"),
    Pool(3, 2, pad=1, name="pool2"),
    inception("incep3a", 64, 96, 128, 16, 32, 32),
    inception("incep3b", 128, 128, 192, 32, 96, 64),
    Pool(3, 2, pad=1, name="pool3"),
    inception("incep4a", 192, 96, 208, 16, 48, 64),
    inception("incep4b", 160, 112, 224, 24, 64, 64),
    inception("incep4c", 128, 128, 256, 24, 64, 64),
    inception("incep4d", 112, 144, 288, 32, 64, 64),
    inception("incep4e", 256, 160, 320, 32, 128, 128),
    Pool(3, 2, pad=1, name="pool4"),
    inception("incep5a", 256, 160, 320, 32, 128, 128),
    inception("incep5b", 384, 192, 384, 48, 128, 128),
    Pool(7, 1, name="avgpool"),
    FC(1000, name="fc"),
)


def residual_block(name, filters, stride=1, project=False) -> Branches:
    """ResNet's basic block: two 3x3 convolutions beside a shortcut, outputs added. The
    shortcut is the identity, or (``project``, when the shape changes) a 1x1 convolution."""
    body = (
        Conv(filters, 3, stride=stride, pad=1, name="3x3 a"),
        Conv(filters, 3, pad=1, name="3x3 b"),
    )
    shortcut = (Conv(filters, 1, stride=stride, name="projection"),) if project else ()
    return Branches((body, shortcut), "add", name)


def resnet(blocks_per_stage=(2, 2, 2, 2), widths=(64, 128, 256, 512)) -> tuple:
    """ResNet-18 (default) or ResNet-34 (``(3, 4, 6, 3)``) with basic blocks, on 3 x 224 x 224."""
    layers = [Conv(64, 7, stride=2, pad=3, name="conv1"), Pool(3, 2, pad=1, name="pool1")]
    channels = 64
    for stage, (count, width) in enumerate(zip(blocks_per_stage, widths)):
        for k in range(count):
            stride = 2 if (k == 0 and stage > 0) else 1
            project = stride != 1 or channels != width
            layers.append(residual_block(f"res{stage + 2}_{k + 1}", width, stride, project))
            channels = width
    layers += [Pool(7, 1, name="avgpool"), FC(1000, name="fc")]
    return tuple(layers)


#: ResNet-18 and ResNet-34 (He et al., 2016). Counted with a bias per filter; the real
#: convolutions have none (BatchNorm follows them) and BatchNorm's parameters are left out.
RESNET18 = resnet()
RESNET34 = resnet((3, 4, 6, 3))
