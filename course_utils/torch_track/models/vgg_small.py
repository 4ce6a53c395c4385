"""A small VGG-style network: stages of two 3x3 convolutions and a 2x2 max pool."""

from __future__ import annotations

from torch import nn

from course_utils.assignments import graded


@graded("09_cnn")
def build_vgg_small(
    in_channels: int = 3,
    num_classes: int = 10,
    widths: tuple[int, ...] = (32, 64, 128),
    image_size: int = 32,
    batch_norm: bool = True,
) -> nn.Sequential:
    """A VGG-style classifier as one ``nn.Sequential``, layers in exactly this order.

    For each width w of ``widths`` (one stage each; c is the number of channels coming in,
    ``in_channels`` for the first stage, the previous width afterwards):

        Conv2d(c, w, kernel_size=3, padding=1), [BatchNorm2d(w)], ReLU(),
        Conv2d(w, w, kernel_size=3, padding=1), [BatchNorm2d(w)], ReLU(),
        MaxPool2d(2)

    where the BatchNorm2d layers are there only if ``batch_norm``; then

        Flatten(), Linear(widths[-1] * s * s, num_classes),  s = image_size // 2 ** len(widths)

    Inputs:
    - in_channels: C of the images.
    - num_classes: number of scores per image.
    - widths: filters of the two convolutions of each stage.
    - image_size: H = W of the images; each stage halves it (rounding down).
    - batch_norm: put a BatchNorm2d after every convolution.
    Returns the network: input (N, C, image_size, image_size) -> scores (N, num_classes).
    """
    layers: list[nn.Module] = []
    channels = in_channels
    for width in widths:
        for _ in range(2):
            layers.append(nn.Conv2d(channels, width, kernel_size=3, padding=1))
            if batch_norm:
                layers.append(nn.BatchNorm2d(width))
            layers.append(nn.ReLU())
            channels = width
        layers.append(nn.MaxPool2d(2))
    side = image_size // 2 ** len(widths)  # H = W after the last pool
    layers += [nn.Flatten(), nn.Linear(widths[-1] * side * side, num_classes)]
    model = nn.Sequential(*layers)
    return model
