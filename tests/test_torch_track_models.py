"""The 09_cnn models (VGG-small, residual block, tiny ResNet) and module_signature.

Oracles: parameter counts from the layer formulas, output sizes from the convolution
formula, and for the residual block a torch.nn.functional expression of its definition
with the module's own weights (float64).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils.torch_track.device import single_threaded
from course_utils.torch_track.models.resnet_block import ResidualBlock, TinyResNet
from course_utils.torch_track.models.vgg_small import build_vgg_small
from course_utils.torch_track.signature import (
    count_parameters,
    fill_deterministic,
    module_signature,
)

#: one torch thread (tiny models), seed 0, torch's random state restored (tests/conftest.py)
pytestmark = [pytest.mark.usefixtures("torch_state"), pytest.mark.numerics]


def vgg_params(in_channels, num_classes, widths, image_size, batch_norm=True):
    """Parameter count of build_vgg_small from the layer formulas."""
    total, channels = 0, in_channels
    for width in widths:
        for _ in range(2):
            total += width * (9 * channels + 1) + (2 * width if batch_norm else 0)
            channels = width
    side = image_size // 2 ** len(widths)
    return total + (widths[-1] * side * side + 1) * num_classes


@pytest.mark.parametrize(
    ("in_channels", "num_classes", "widths", "image_size", "batch_norm"),
    [(3, 10, (32, 64, 128), 32, True), (1, 10, (16, 32), 8, True), (2, 4, (3, 5), 10, False),
     (1, 5, (4,), 7, True)],
)  # fmt: skip
def test_vgg_small_parameters_and_output_shape(
    in_channels, num_classes, widths, image_size, batch_norm
):
    model = build_vgg_small(in_channels, num_classes, widths, image_size, batch_norm)
    assert count_parameters(model) == vgg_params(
        in_channels, num_classes, widths, image_size, batch_norm
    )
    out = model(torch.zeros(3, in_channels, image_size, image_size))
    assert out.shape == (3, num_classes)


def test_vgg_small_layer_order():
    names = [type(layer).__name__ for layer in build_vgg_small(1, 10, (4, 8), 8)]
    stage = ["Conv2d", "BatchNorm2d", "ReLU", "Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d"]
    assert names == stage * 2 + ["Flatten", "Linear"]
    plain = [type(layer).__name__ for layer in build_vgg_small(1, 10, (4,), 8, batch_norm=False)]
    assert plain == ["Conv2d", "ReLU", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear"]
    assert build_vgg_small()[0].bias is not None  # PyTorch's default: convolutions with bias


def block_by_formula(block, x):
    """relu(bn2(conv2(relu(bn1(conv1 x)))) + shortcut(x)), eval-mode BN, with F only."""

    def bn(module, t):
        return F.batch_norm(
            t, module.running_mean, module.running_var, module.weight, module.bias, False, 0.0,
            module.eps,
        )  # fmt: skip

    stride = block.conv1.stride
    h = F.relu(bn(block.bn1, F.conv2d(x, block.conv1.weight, stride=stride, padding=1)))
    h = bn(block.bn2, F.conv2d(h, block.conv2.weight, padding=1))
    if isinstance(block.shortcut, nn.Identity):
        shortcut = x
    else:
        conv, norm = block.shortcut
        shortcut = bn(norm, F.conv2d(x, conv.weight, stride=stride))
    return F.relu(h + shortcut)


@pytest.mark.parametrize(
    ("c_in", "c_out", "stride", "size", "projection"),
    [(3, 3, 1, 6, False), (3, 5, 1, 6, True), (4, 8, 2, 8, True), (4, 4, 2, 7, True)],
)
def test_residual_block_matches_its_formula(c_in, c_out, stride, size, projection):
    block = ResidualBlock(c_in, c_out, stride).double()
    fill_deterministic(block, seed=3)
    block.eval()
    assert isinstance(block.shortcut, nn.Sequential) == projection
    x = torch.randn(2, c_in, size, size, dtype=torch.float64)
    with torch.no_grad():
        out = block(x)
        expected = block_by_formula(block, x)
    side = 1 + (size - 1) // stride
    assert out.shape == (2, c_out, side, side)
    torch.testing.assert_close(out, expected, rtol=1e-12, atol=1e-12)
    convs = 9 * c_in * c_out + 9 * c_out * c_out + (c_in * c_out if projection else 0)
    norms = 2 * c_out * (3 if projection else 2)
    assert count_parameters(block) == convs + norms


def test_residual_block_registers_its_submodules_in_order():
    names = [name for name, _ in ResidualBlock(2, 4, 2).named_children()]
    assert names == ["conv1", "bn1", "conv2", "bn2", "shortcut"]
    assert all(conv.bias is None for conv in (ResidualBlock(2, 4).conv1, ResidualBlock(2, 4).conv2))


def test_residual_block_with_a_zero_branch_is_relu_of_its_input():
    block = ResidualBlock(3, 3)
    nn.init.zeros_(block.bn2.weight)
    nn.init.zeros_(block.bn2.bias)
    x = torch.randn(2, 3, 5, 5)
    with torch.no_grad():
        torch.testing.assert_close(block.eval()(x), F.relu(x))


def test_residual_block_gradient_reaches_the_input_through_the_shortcut():
    block = ResidualBlock(3, 3).double()
    for conv in (block.conv1, block.conv2):
        nn.init.zeros_(conv.weight)  # the residual branch is constant: only the shortcut is left
    block.eval()
    x = (torch.rand(1, 3, 4, 4, dtype=torch.float64) + 1.0).requires_grad_()  # relu is active
    block(x).sum().backward()
    torch.testing.assert_close(x.grad, torch.ones_like(x))


@pytest.mark.parametrize(("size", "widths"), [(8, (16, 32)), (32, (16, 32, 64)), (9, (4, 6, 8))])
def test_tiny_resnet_output_shape(size, widths):
    model = TinyResNet(3, 7, widths)
    assert model(torch.zeros(2, 3, size, size)).shape == (2, 7)
    assert len(model.blocks) == len(widths)


def test_module_signature_is_deterministic_and_plain_numpy(rng):
    x = rng.normal(size=(2, 3, 8, 8))
    first = module_signature(build_vgg_small(3, 5, (4, 6), 8), x, seed=11)
    again = module_signature(build_vgg_small(3, 5, (4, 6), 8), x, seed=11)
    other = module_signature(build_vgg_small(3, 5, (4, 6), 8), x, seed=12)
    assert set(first) == {"num_params", "out_shape", "out_eval", "out_train"}
    for key, value in first.items():
        assert isinstance(value, (np.ndarray, np.generic)), key
        np.testing.assert_array_equal(value, again[key])
    assert first["out_eval"].dtype == np.float64 and first["out_eval"].shape == (2, 5)
    assert int(first["num_params"]) == vgg_params(3, 5, (4, 6), 8)
    np.testing.assert_array_equal(first["out_shape"], [2, 5])
    assert not np.allclose(first["out_eval"], other["out_eval"])
    assert not np.allclose(first["out_eval"], first["out_train"])  # running vs batch statistics


def test_fill_deterministic_follows_registration_order_not_names():
    class Renamed(nn.Module):
        def __init__(self):
            super().__init__()
            self.first = nn.Conv2d(2, 3, 3, bias=False)
            self.norm = nn.BatchNorm2d(3)

    a = nn.Sequential(nn.Conv2d(2, 3, 3, bias=False), nn.BatchNorm2d(3))
    b = Renamed()
    fill_deterministic(a, 5)
    fill_deterministic(b, 5)
    for (_, ta), (_, tb) in zip(a.state_dict().items(), b.state_dict().items()):
        torch.testing.assert_close(ta, tb)
    assert torch.all(a[1].running_var >= 0.5) and torch.all(a[1].running_var < 1.5)
    assert int(a[1].num_batches_tracked) == 0  # integer buffers are left alone


def test_single_threaded_restores_the_thread_count():
    torch.set_num_threads(2)
    with single_threaded("cpu"):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == 2
