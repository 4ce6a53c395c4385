"""Layer tables and receptive fields (course_utils.experiments.cnn_tables).

Oracles: PyTorch modules built from the same specs (parameter counts, output shapes),
published totals (LeNet-5: 61,706 parameters; VGG-16: 138,357,544), and receptive
fields measured as the support of an input gradient through convolutions of ones.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from course_utils.experiments.cnn_tables import (
    FC,
    LENET5,
    VGG16,
    Conv,
    LayerRow,
    Pool,
    conv_output_size,
    format_layer_table,
    layer_table,
    receptive_fields,
    table_totals,
)

pytestmark = pytest.mark.numerics  # run under forced BLAS kernels: tests/portability.py


def torch_layers(specs, in_channels):
    """nn.Modules for a list of specs (ReLU omitted: no parameters, no shape change)."""
    layers, channels, flat = [], in_channels, False
    for spec in specs:
        if isinstance(spec, Conv):
            layers.append(nn.Conv2d(channels, spec.filters, spec.size, spec.stride, spec.pad))
            channels = spec.filters
        elif isinstance(spec, Pool):
            layers.append(nn.MaxPool2d(spec.size, spec.stride or spec.size))
        else:
            if not flat:
                layers.append(nn.Flatten())
                flat = True
            layers.append(nn.LazyLinear(spec.units))
    return layers


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "pad", "expected"),
    [(32, 3, 1, 1, 32), (32, 5, 1, 0, 28), (32, 3, 2, 1, 16), (8, 3, 2, 0, 3), (227, 11, 4, 0, 55),
     (7, 7, 1, 0, 1), (4, 6, 1, 1, 1)],
)  # fmt: skip
def test_conv_output_size_formula(size, kernel, stride, pad, expected):
    assert conv_output_size(size, kernel, stride, pad) == expected
    conv = nn.Conv2d(1, 1, kernel, stride, pad)
    assert conv(torch.zeros(1, 1, size, size)).shape[-1] == expected


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "pad"), [(3, 5, 1, 0), (4, 7, 1, 1), (5, 3, 0, 0)]
)
def test_conv_output_size_rejects_impossible_layers(size, kernel, stride, pad):
    with pytest.raises(ValueError):
        conv_output_size(size, kernel, stride, pad)


SMALL_NET = (
    Conv(4, 3, pad=1, name="c1"),
    Conv(6, 3, stride=2, name="c2"),
    Pool(2, name="p1"),
    Conv(5, 2, name="c3"),
    Pool(2, stride=1, name="p2"),
    FC(7, name="f1"),
    FC(3, name="f2"),
)


@pytest.mark.parametrize(
    ("input_shape", "specs"),
    [((1, 32, 32), LENET5), ((3, 17, 15), SMALL_NET), ((2, 9, 9), (Conv(3, 3), FC(4)))],
    ids=["lenet5", "small", "conv-fc"],
)
def test_layer_table_matches_torch(input_shape, specs):
    rows = layer_table(input_shape, specs)
    assert len(rows) == len(specs) + 1
    assert rows[0] == LayerRow("input", input_shape, int(torch.tensor(input_shape).prod()), 0, 0)
    x = torch.zeros(1, *input_shape)
    modules = torch_layers(specs, input_shape[0])
    row_index = 1
    for module in modules:
        x = module(x)
        if isinstance(module, nn.Flatten):
            continue
        row = rows[row_index]
        assert row.shape == tuple(x.shape[1:]), row.name
        assert row.neurons == x[0].numel()
        assert row.params == sum(p.numel() for p in module.parameters())
        row_index += 1
    assert row_index == len(rows)


def test_multiply_adds_of_a_conv_and_an_fc_layer():
    conv, fc = layer_table((3, 8, 8), [Conv(4, 3, pad=1), FC(5)])[1:]
    assert conv.macs == 4 * 8 * 8 * (3 * 3 * 3)  # one dot product of C*HH*WW per output
    assert fc.macs == (4 * 8 * 8) * 5


def test_published_totals_of_lenet5_and_vgg16():
    assert table_totals(layer_table((1, 32, 32), LENET5))["params"] == 61_706
    vgg = layer_table((3, 224, 224), VGG16)
    assert table_totals(vgg)["params"] == 138_357_544
    assert vgg[-4].shape == (512, 7, 7)  # pool5 before the classifier
    assert sum(isinstance(layer, Conv) for layer in VGG16) == 13


def test_fc_versus_conv_first_layer():
    fc = layer_table((3, 32, 32), [FC(32 * 32 * 32)])[1]
    conv = layer_table((3, 32, 32), [Conv(32, 3, pad=1)])[1]
    assert fc.neurons == conv.neurons == 32_768
    assert fc.params == 3073 * 32_768 and conv.params == 896


def test_format_layer_table_lists_every_layer_and_the_totals():
    rows = layer_table((1, 32, 32), LENET5)
    text = format_layer_table(rows)
    lines = text.splitlines()
    assert len(lines) == len(rows) + 4  # header, rule, rows, rule, totals
    assert "61,706" in lines[-1] and lines[-1].startswith("total")
    assert all(row.name in text for row in rows)


def test_layer_table_rejects_a_conv_after_an_fc_layer():
    with pytest.raises(ValueError):
        layer_table((1, 8, 8), [FC(10), Conv(2, 3)])


def measured_receptive_field(specs, size=64):
    """Side of the input region that the central output unit depends on (ones everywhere)."""
    layers = []
    for spec in specs:
        if isinstance(spec, Conv):
            conv = nn.Conv2d(1, 1, spec.size, spec.stride, spec.pad, bias=False)
            nn.init.ones_(conv.weight)
            layers.append(conv)
        else:  # average pooling: every input of the window matters, as for the field of a max
            layers.append(nn.AvgPool2d(spec.size, spec.stride or spec.size))
    x = torch.ones(1, 1, size, size, dtype=torch.float64, requires_grad=True)
    out = nn.Sequential(*layers).double()(x)
    out[0, 0, out.shape[2] // 2, out.shape[3] // 2].backward()
    rows = torch.nonzero(x.grad[0, 0].abs().sum(dim=1))
    return int(rows.max() - rows.min() + 1)


@pytest.mark.parametrize(
    "specs",
    [
        [Conv(1, 3)] * 4,
        [Conv(1, 3), Pool(2), Conv(1, 3), Pool(2), Conv(1, 5)],
        [Conv(1, 5, stride=2), Conv(1, 3, stride=2), Pool(3, stride=1), Conv(1, 3)],
        [Conv(1, 7, stride=2, pad=3), Pool(3, stride=2), Conv(1, 3, pad=1)],
    ],
    ids=["four-3x3", "vgg-like", "strided", "resnet-stem"],
)
def test_receptive_fields_match_the_input_gradient(specs):
    fields = receptive_fields(specs)
    assert fields[0].size == 1 and fields[0].jump == 1
    assert fields[-1].size == measured_receptive_field(specs)


def test_receptive_fields_of_vgg16_stages_and_stop_at_fc():
    fields = {f.name: (f.size, f.jump) for f in receptive_fields(VGG16)}
    assert fields["conv1_2"] == (5, 1)
    assert fields["pool1"] == (6, 2)
    assert fields["pool5"] == (212, 32)
    assert "fc6" not in fields
    stacked = receptive_fields([Conv(8, 3)] * 2)
    assert stacked[-1].size == 5  # two 3x3 convolutions see as far as one 5x5
