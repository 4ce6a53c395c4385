"""The cost of a convolutional layer: its parameters and its multiply-adds (graded in 09_cnn).

Both take one example's input shape; a fully connected layer from D to M inputs is the
same arithmetic as a 1 x 1 convolution with D input channels and M filters on a 1 x 1 image,
so ``conv_params(D, M, 1)`` and ``conv_macs((D, 1, 1), M, 1)`` count it too.
:mod:`course_utils.experiments.cnn_tables` builds its layer tables on these two functions.
"""

from __future__ import annotations

from course_utils.assignments import graded


@graded("09_cnn")
def conv_params(in_channels: int, filters: int, kernel_size: int) -> int:
    """Number of parameters of a convolutional layer: all filter weights plus one bias per filter.

    Inputs:
    - in_channels: C, the channels of the input (each filter spans all of them)
    - filters: F, the number of filters (output channels)
    - kernel_size: k, each filter is k x k per channel

    Returns an int: F * (C * k * k + 1).
    """
    return filters * (in_channels * kernel_size * kernel_size + 1)


@graded("09_cnn")
def conv_macs(
    in_shape: tuple[int, int, int], filters: int, kernel_size: int, stride: int = 1, pad: int = 0
) -> int:
    """Multiply-adds of a convolutional layer on one example (the bias additions not counted).

    Inputs:
    - in_shape: (C, H, W) of one input example
    - filters: F, the number of filters
    - kernel_size: k (square k x k filters)
    - stride, pad: as in conv_forward_naive

    Returns an int: F * H' * W' * C * k * k, with H' = 1 + (H + 2 * pad - k) // stride and
    W' likewise: every output value is one dot product of C * k * k terms.
    """
    C, H, W = in_shape
    rows, cols = ((size + 2 * pad - kernel_size) // stride + 1 for size in (H, W))
    return filters * rows * cols * C * kernel_size * kernel_size  # one dot product per output
