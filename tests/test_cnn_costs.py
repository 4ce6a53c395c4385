"""Parameters and multiply-adds of convolutions, the architectures of the 09 notes as tables,
and saliency maps (course_utils.experiments.cnn_costs, cnn_tables, saliency; issue 18).

Oracles: PyTorch modules built from the same specs (parameter counts, output shapes), PyTorch's
FlopCounterMode (2 flops per multiply-add), published totals, and autograd for the saliency.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from course_utils.classifiers.cnn import ThreeLayerConvNet
from course_utils.experiments.cnn_costs import conv_macs, conv_params
from course_utils.experiments.cnn_tables import (
    ALEXNET,
    FC,
    GOOGLENET,
    RESNET18,
    RESNET34,
    VGG16,
    Branches,
    Conv,
    Pool,
    inception,
    layer_table,
    receptive_fields,
    residual_block,
    table_totals,
)
from course_utils.experiments.saliency import saliency_map
from course_utils.gradcheck import eval_numerical_gradient_array

pytestmark = pytest.mark.numerics  # run under forced BLAS kernels: tests/portability.py


@pytest.mark.parametrize(
    ("in_shape", "filters", "kernel", "stride", "pad"),
    [((3, 32, 32), 16, 3, 1, 1), ((2, 11, 9), 5, 5, 2, 0), ((7, 6, 6), 4, 1, 1, 0),
     ((1, 8, 8), 3, 8, 1, 0), ((4, 13, 13), 2, 3, 3, 2)],
)  # fmt: skip
def test_conv_params_and_macs_match_torch(in_shape, filters, kernel, stride, pad):
    conv = nn.Conv2d(in_shape[0], filters, kernel, stride, pad)
    assert conv_params(in_shape[0], filters, kernel) == sum(p.numel() for p in conv.parameters())
    with FlopCounterMode(display=False) as counter:
        conv(torch.zeros(1, *in_shape))
    assert 2 * conv_macs(in_shape, filters, kernel, stride, pad) == counter.get_total_flops()


class Block(nn.Module):
    """A Branches spec as PyTorch modules: parallel branches, concatenated or added."""

    def __init__(self, spec, in_channels):
        super().__init__()
        self.merge = spec.merge
        self.branches = nn.ModuleList(
            nn.Sequential(*torch_layers(b, in_channels)) for b in spec.branches
        )

    def forward(self, x):
        outs = [branch(x) for branch in self.branches]
        return torch.cat(outs, dim=1) if self.merge == "concat" else sum(outs)


def torch_layers(specs, in_channels):
    layers, channels = [], in_channels
    for spec in specs:
        if isinstance(spec, Conv):
            layers.append(nn.Conv2d(channels, spec.filters, spec.size, spec.stride, spec.pad))
            channels = spec.filters
        elif isinstance(spec, Pool):
            layers.append(nn.MaxPool2d(spec.size, spec.stride or spec.size, spec.pad))
        elif isinstance(spec, Branches):
            block = Block(spec, channels)
            layers.append(block)
            channels = block(torch.zeros(1, channels, 8, 8)).shape[1]
        else:
            layers += [nn.Flatten(), nn.LazyLinear(spec.units)]
    return layers


NETWORKS = {
    "alexnet": ((3, 227, 227), ALEXNET),
    "googlenet": ((3, 224, 224), GOOGLENET),
    "resnet18": ((3, 224, 224), RESNET18),
    "inception-naive": ((192, 28, 28), (inception("3a", 64, 96, 128, 16, 32, 32, False),)),
    "inception": ((192, 28, 28), (inception("3a", 64, 96, 128, 16, 32, 32),)),
}


@pytest.mark.parametrize("name", NETWORKS)
def test_tables_of_the_architectures_match_torch(name):
    input_shape, specs = NETWORKS[name]
    model = nn.Sequential(*torch_layers(specs, input_shape[0]))
    x = torch.zeros(1, *input_shape)
    with FlopCounterMode(display=False) as counter:
        out = model(x)
    totals = table_totals(layer_table(input_shape, specs))
    assert totals["params"] == sum(p.numel() for p in model.parameters())
    assert 2 * totals["macs"] == counter.get_total_flops()
    assert layer_table(input_shape, specs)[-1].shape == tuple(out.shape[1:])


def test_published_sizes_of_the_architectures():
    totals = {
        name: table_totals(layer_table(shape, specs))
        for name, (shape, specs) in {
            "alexnet": ((3, 227, 227), ALEXNET),
            "vgg16": ((3, 224, 224), VGG16),
            "googlenet": ((3, 224, 224), GOOGLENET),
            "resnet18": ((3, 224, 224), RESNET18),
            "resnet34": ((3, 224, 224), RESNET34),
        }.items()
    }
    # about 60 M (AlexNet, one tower), 138 M, 6.8 M, 11.7 M and 21.8 M parameters
    assert 60e6 < totals["alexnet"]["params"] < 63e6
    assert totals["vgg16"]["params"] == 138_357_544
    assert 6.5e6 < totals["googlenet"]["params"] < 7.1e6
    assert abs(totals["resnet18"]["params"] - 11.69e6) < 0.05e6
    assert abs(totals["resnet34"]["params"] - 21.80e6) < 0.05e6
    # about 1.1 G (AlexNet, one tower), 15.5 G, 1.5 G, 1.8 G, 3.6 G multiply-adds
    assert 1.0e9 < totals["alexnet"]["macs"] < 1.2e9
    assert 15.3e9 < totals["vgg16"]["macs"] < 15.6e9
    assert 1.4e9 < totals["googlenet"]["macs"] < 1.65e9
    assert 1.75e9 < totals["resnet18"]["macs"] < 1.85e9
    assert 3.55e9 < totals["resnet34"]["macs"] < 3.7e9


def test_the_bottleneck_cuts_the_cost_of_an_inception_block():
    naive, real = (
        layer_table((192, 28, 28), (inception("3a", 64, 96, 128, 16, 32, 32, b),))[1]
        for b in (False, True)
    )
    assert naive.shape == (64 + 128 + 32 + 192, 28, 28) and real.shape == (256, 28, 28)
    assert naive.macs > 2.3 * real.macs  # 304 M against 128 M multiply-adds
    assert naive.params > 2.3 * real.params


def test_branches_reject_mismatched_outputs_and_stop_receptive_fields():
    with pytest.raises(ValueError):
        layer_table((4, 8, 8), [residual_block("r", 8)])  # 8 channels + 4 channels of identity
    with pytest.raises(ValueError):
        layer_table((4, 8, 8), [Branches(((Conv(2, 3),), (Conv(2, 1),)), "concat")])
    assert [f.name for f in receptive_fields([Conv(2, 3), residual_block("r", 2)])] == [
        "input",
        "conv",
    ]


def test_student_functions_replace_the_counts():
    rows = layer_table((3, 8, 8), [Conv(4, 3), FC(5)], lambda c, f, k: 1, lambda *a: 2)
    assert [r.params for r in rows[1:]] == [1, 1] and [r.macs for r in rows[1:]] == [2, 2]


def _torch_saliency(model, X, y):
    p = {k: torch.tensor(v, dtype=torch.float64) for k, v in model.params.items()}
    x = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    h = F.max_pool2d(F.relu(F.conv2d(x, p["W1"], p["b1"], padding=model.conv_param["pad"])), 2)
    h = F.relu(h.flatten(1) @ p["W2"] + p["b2"])
    scores = h @ p["W3"] + p["b3"]
    scores[torch.arange(len(y)), torch.tensor(y)].sum().backward()
    return x.grad.abs().amax(dim=1).numpy()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_saliency_is_the_input_gradient_of_the_class_score(seed):
    rng = np.random.default_rng(seed)
    model = ThreeLayerConvNet(
        (3, 8, 6), 4, 3, 10, num_classes=5, weight_scale=0.3, dtype=np.float64, seed=seed
    )
    X, y = rng.normal(size=(3, 3, 8, 6)), rng.integers(0, 5, size=3)
    got = saliency_map(model, X, y)
    assert got.shape == (3, 8, 6)
    np.testing.assert_allclose(got, _torch_saliency(model, X, y), rtol=1e-10, atol=1e-12)
    dout = np.zeros((3, 5))
    dout[np.arange(3), y] = 1.0
    numerical = eval_numerical_gradient_array(lambda x: model.loss(x), X, dout)
    np.testing.assert_allclose(got, np.abs(numerical).max(axis=1), rtol=1e-5, atol=1e-8)
    assert saliency_map.__graded_in__ == conv_params.__graded_in__ == "09_cnn"


@pytest.mark.parametrize(
    ("input_shape", "specs"), [((3, 227, 227), ALEXNET), ((3, 224, 224), VGG16)]
)
def test_fc_layers_hold_the_parameters_convolutions_the_computation(input_shape, specs):
    """The notebook's summary: in AlexNet and VGG-16 the fully connected layers hold most
    parameters and the convolutions do most multiply-adds."""
    rows = layer_table(input_shape, specs)[1:]
    fc = [r for r, spec in zip(rows, specs) if isinstance(spec, FC)]
    totals = table_totals([None, *rows])
    assert sum(r.params for r in fc) > 0.85 * totals["params"]
    assert sum(r.macs for r in fc) < 0.1 * totals["macs"]
