"""Sliders over a 2-D latent space that decode live, and the static grid of decodings.

The logic lives in :mod:`course_utils.generative.latent` (``decode_latent``,
``latent_grid``); :class:`LatentWidget` wires two sliders (z1, z2) to it and redraws the
decoded image beside a map of the latent space with the current point marked.
:func:`plot_latent_grid` is the static twin shown beside the widget.
"""

from __future__ import annotations

import io

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from course_utils.generative.latent import decode_latent, latent_grid, tile


class LatentWidget:
    """Two sliders (z1, z2) whose point of a 2-D latent space is decoded on every change.

    Inputs:
    - decoder: maps latent tensors (M, 2) to images (M, ...) (a VAE's ``decode``).
    - limits: the slider range, on both axes.
    - image_shape: shape of one decoded image, e.g. (8, 8) or (32, 32, 3) (pixels in [0, 1]).
    - points, labels: optional latent codes (N, 2) of data and their int labels (N,), drawn
      as a coloured map behind the current point.

    Attributes:
    - z1, z2: the ipywidgets.FloatSliders
    - widget: the ipywidgets.VBox to display (sliders, status line, plot)
    - last_result: the decoded image at (z1, z2), numpy array of shape image_shape
    - figure: the matplotlib Figure redrawn on every change; ``image_artist`` shows the
      decoded image and ``marker`` the current point
    """

    def __init__(
        self,
        decoder,
        *,
        limits: tuple[float, float] = (-3.0, 3.0),
        image_shape: tuple[int, ...] = (8, 8),
        value: tuple[float, float] = (0.0, 0.0),
        points=None,
        labels=None,
        title: str = "",
    ):
        if not limits[0] < limits[1]:
            raise ValueError(f"limits must be increasing, got {limits}")
        self.decoder, self.image_shape, self.limits = decoder, tuple(image_shape), limits
        self.z1, self.z2 = (self._slider(name, v) for name, v in zip(("z1", "z2"), value))
        self.status = widgets.HTML()
        self.image = widgets.Image(format="png")
        self.widget = widgets.VBox([self.z1, self.z2, self.status, self.image])
        self.last_result: np.ndarray | None = None
        self._build_figure(points, labels, title)
        self.update(self.z1.value, self.z2.value)
        for slider in (self.z1, self.z2):
            slider.observe(self._on_change, names="value")

    def _slider(self, name: str, value: float) -> widgets.FloatSlider:
        lo, hi = self.limits
        return widgets.FloatSlider(
            value=min(max(value, lo), hi), min=lo, max=hi, step=(hi - lo) / 100,
            description=name, continuous_update=True, layout=widgets.Layout(width="420px"),
        )  # fmt: skip

    def _build_figure(self, points, labels, title: str) -> None:
        self.figure = Figure(figsize=(8.0, 3.8), layout="constrained")
        map_ax, self.image_ax = self.figure.subplots(1, 2)
        if points is not None:
            points = np.asarray(points, dtype=np.float64)
            colours = None if labels is None else np.asarray(labels)
            cloud = map_ax.scatter(*points[:, :2].T, c=colours, cmap="tab10", s=6, alpha=0.6)
            if labels is not None:
                self.figure.colorbar(cloud, ax=map_ax, label="class")
        (self.marker,) = map_ax.plot([0.0], [0.0], "k*", markersize=16, label="(z1, z2)")
        map_ax.set_xlim(*self.limits)
        map_ax.set_ylim(*self.limits)
        map_ax.set_xlabel("z1")
        map_ax.set_ylabel("z2")
        map_ax.set_title("latent space")
        map_ax.legend(loc="upper right")
        blank = np.zeros(self.image_shape)
        self.image_artist = self.image_ax.imshow(blank, cmap="gray", vmin=0.0, vmax=1.0)
        self.image_ax.set_xticks([])
        self.image_ax.set_yticks([])
        if title:
            self.figure.suptitle(title)

    def _on_change(self, change) -> None:
        self.update(self.z1.value, self.z2.value)

    def update(self, z1: float, z2: float) -> np.ndarray:
        """Decode (z1, z2), redraw, and return the image (also kept in ``last_result``)."""
        image = decode_latent(self.decoder, np.array([z1, z2]), self.image_shape)  # (H, W)
        self.image_artist.set_data(image)
        self.marker.set_data([z1], [z2])
        self.image_ax.set_title(f"decoded at z = ({z1:.2f}, {z2:.2f})")
        self.status.value = f"z = ({z1:.2f}, {z2:.2f}) · mean pixel {image.mean():.3f}"
        self.image.value = _png(self.figure)
        self.last_result = image
        return image


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


def latent_widget(decoder, **kwargs) -> LatentWidget:
    """Build a :class:`LatentWidget` (same arguments); display its ``.widget``."""
    return LatentWidget(decoder, **kwargs)


def plot_latent_grid(
    decoder,
    limits: tuple[float, float] = (-2.5, 2.5),
    num: int = 11,
    image_shape: tuple[int, ...] = (8, 8),
    *,
    title: str = "decodings of a grid of the latent space",
):
    """The static twin of the widget: a num x num mosaic of decoded latent points.

    Returns (fig, values, images): a pyplot Figure, the grid coordinates (num,) and the
    images (num, num, *image_shape) from course_utils.generative.latent.latent_grid.
    """
    values, images = latent_grid(decoder, limits, num, image_shape)
    H, W = image_shape[:2]
    fig, ax = plt.subplots(figsize=(6.5, 6.5), layout="constrained")
    ax.imshow(tile(images, pad=1), cmap="gray", vmin=0.0, vmax=1.0)
    ticks = np.arange(num) * (W + 1) + (W - 1) / 2
    labels = [f"{v:.1f}" for v in values]
    ax.set_xticks(ticks, labels)
    ax.set_yticks(np.arange(num) * (H + 1) + (H - 1) / 2, labels[::-1])
    ax.set_xlabel("z1")
    ax.set_ylabel("z2")
    ax.set_title(title)
    return fig, values, images
