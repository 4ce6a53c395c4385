"""A residual block (He et al., 2016, the "basic" block) and a tiny ResNet built from it."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from course_utils.assignments import graded


class ResidualBlock(nn.Module):
    """out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)).

    Submodules, registered in this order:
    - conv1: Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
    - bn1: BatchNorm2d(out_channels)
    - conv2: Conv2d(out_channels, out_channels, 3, stride=1, padding=1, bias=False)
    - bn2: BatchNorm2d(out_channels)
    - shortcut: nn.Identity() when stride == 1 and in_channels == out_channels, otherwise
      nn.Sequential(Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
      BatchNorm2d(out_channels)), the "projection" that matches the shapes.

    Input (N, in_channels, H, W) -> output (N, out_channels, H', W') with
    H' = 1 + (H - 1) // stride, W' = 1 + (W - 1) // stride.
    """

    @graded("09_cnn")
    def __init__(self, in_channels: int, out_channels: int, stride: int = 1):
        """Create the five submodules above, in that order."""
        super().__init__()
        self.conv1 = nn.Conv2d(
            in_channels, out_channels, kernel_size=3, stride=stride, padding=1, bias=False
        )
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )
        else:
            self.shortcut = nn.Identity()

    @graded("09_cnn")
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (N, in_channels, H, W) -> (N, out_channels, H', W')."""
        residual = F.relu(self.bn1(self.conv1(x)))  # (N, out_channels, H', W')
        residual = self.bn2(self.conv2(residual))  # (N, out_channels, H', W')
        out = F.relu(residual + self.shortcut(x))
        return out


class TinyResNet(nn.Module):
    """stem (3x3 conv, BN, ReLU) -> one ResidualBlock per width -> global average pool -> linear.

    The first block keeps the stem's size; every later block halves H and W (stride 2)
    while changing the width. Input (N, in_channels, H, W) -> scores (N, num_classes).
    """

    def __init__(
        self, in_channels: int = 3, num_classes: int = 10, widths: tuple[int, ...] = (16, 32, 64)
    ):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, widths[0], kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(widths[0]),
            nn.ReLU(),
        )
        blocks = [ResidualBlock(widths[0], widths[0])]
        blocks += [ResidualBlock(a, b, stride=2) for a, b in zip(widths[:-1], widths[1:])]
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(widths[-1], num_classes)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.blocks(self.stem(x)))  # (N, num_classes)
