"""Layer tables of convolutional networks: output shapes, neurons, parameters, receptive fields.

A network is described as a list of small layer specs (:class:`Conv`, :class:`Pool`,
:class:`FC`); :func:`layer_table` walks it from an input shape (C, H, W) and returns one
:class:`LayerRow` per layer. Everything here is pure arithmetic on shapes.

Example (LeNet-5)::

    rows = layer_table((1, 32, 32), LENET5)
    print(format_layer_table(rows))
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod


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


def layer_row(layer, shape: tuple[int, ...]) -> LayerRow:
    """The row of one layer applied to an input of ``shape`` ((C, H, W) or (D,))."""
    if isinstance(layer, FC):
        fan_in = prod(shape)
        params = (fan_in + 1) * layer.units
        return LayerRow(layer.name, (layer.units,), layer.units, params, fan_in * layer.units)
    if len(shape) != 3:
        raise ValueError(f"{layer.name} needs a (C, H, W) input, got {shape}")
    C, H, W = shape
    if isinstance(layer, Conv):
        H_out = conv_output_size(H, layer.size, layer.stride, layer.pad)
        W_out = conv_output_size(W, layer.size, layer.stride, layer.pad)
        out = (layer.filters, H_out, W_out)
        per_filter = C * layer.size * layer.size  # weights of one filter
        params = layer.filters * (per_filter + 1)
        return LayerRow(layer.name, out, prod(out), params, prod(out) * per_filter)
    if isinstance(layer, Pool):
        stride = layer.stride or layer.size
        out = (C, conv_output_size(H, layer.size, stride), conv_output_size(W, layer.size, stride))
        return LayerRow(layer.name, out, prod(out), 0, 0)
    raise TypeError(f"unknown layer {layer!r}")


def layer_table(input_shape: tuple[int, ...], layers) -> list[LayerRow]:
    """One :class:`LayerRow` per layer, the first row being the input itself.

    Inputs:
    - input_shape: (C, H, W) of one example.
    - layers: sequence of Conv, Pool and FC specs, applied in order.
    Returns a list of len(layers) + 1 rows; row 0 is "input" with 0 params.
    """
    shape = tuple(input_shape)
    rows = [LayerRow("input", shape, prod(shape), 0, 0)]
    for layer in layers:
        row = layer_row(layer, shape)
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
    FC layers end the walk (their receptive field is the whole input).
    Returns one FieldRow per layer before the first FC, after a row "input" (1, 1).
    """
    size, jump = 1, 1
    rows = [FieldRow("input", size, jump)]
    for layer in layers:
        if isinstance(layer, FC):
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
