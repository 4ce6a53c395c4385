"""A slider along the path between two noise vectors, decoded live, and its static strip.

The logic lives in :mod:`course_utils.generative.interpolation` (``lerp``, ``slerp``,
``interpolate``) and :mod:`course_utils.generative.latent` (``decode_latent``);
:class:`InterpolationWidget` wires a slider of t in [0, 1] and a choice of path (linear or
spherical) to them. :func:`plot_interpolation_strip` is the static twin: both paths as
rows of decoded images, and the norm of z along each.
"""

from __future__ import annotations

import io

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from course_utils.generative.interpolation import interpolate
from course_utils.generative.latent import decode_latent, tile

METHODS = ("linear", "spherical")


class InterpolationWidget:
    """Slide from z0 (t = 0) to z1 (t = 1) along a linear or spherical path.

    Inputs:
    - decoder: maps noise tensors (M, Z) to images (M, ...) (a GAN generator).
    - z0, z1: the two end points, arrays of shape (Z,).
    - image_shape: shape of one decoded image, e.g. (8, 8) or (32, 32, 3).
    - method: the initial path, "linear" or "spherical".
    - value_range: (low, high) of the decoded pixels, black to white: (-1, 1) for a tanh
      generator.

    Attributes:
    - slider: the ipywidgets.FloatSlider of t; path: the ToggleButtons of the method
    - widget: the ipywidgets.VBox to display
    - last_result: dict with "t", "method", "z" (Z,), "norm" (|z|) and "image"
      (image_shape), updated on every change
    - figure: the matplotlib Figure redrawn on every change (``image_artist`` the decoded
      image, ``norm_marker`` the current point on the |z| curve)
    """

    def __init__(
        self,
        decoder,
        z0,
        z1,
        *,
        image_shape: tuple[int, ...] = (8, 8),
        method: str = "spherical",
        value: float = 0.5,
        value_range: tuple[float, float] = (-1.0, 1.0),
        title: str = "",
    ):
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {method!r}")
        self.decoder, self.image_shape = decoder, tuple(image_shape)
        self.value_range = value_range
        self.z0 = np.asarray(z0, dtype=np.float64).reshape(-1)  # (Z,)
        self.z1 = np.asarray(z1, dtype=np.float64).reshape(-1)  # (Z,)
        if self.z0.shape != self.z1.shape:
            raise ValueError(f"z0 and z1 differ in shape: {self.z0.shape} and {self.z1.shape}")
        self.slider = widgets.FloatSlider(
            value=min(max(value, 0.0), 1.0), min=0.0, max=1.0, step=0.02, description="t",
            continuous_update=True, layout=widgets.Layout(width="420px"),
        )  # fmt: skip
        self.path = widgets.ToggleButtons(options=METHODS, value=method, description="path")
        self.status = widgets.HTML()
        self.image = widgets.Image(format="png")
        self.widget = widgets.VBox([self.slider, self.path, self.status, self.image])
        self.last_result: dict = {}
        self._build_figure(title)
        self.update(self.slider.value, self.path.value)
        self.slider.observe(self._on_change, names="value")
        self.path.observe(self._on_change, names="value")

    def _build_figure(self, title: str) -> None:
        self.figure = Figure(figsize=(8.0, 3.4), layout="constrained")
        norm_ax, self.image_ax = self.figure.subplots(1, 2)
        ts = np.linspace(0.0, 1.0, 101)
        for method in METHODS:
            norms = np.linalg.norm(interpolate(self.z0, self.z1, ts, method), axis=1)
            norm_ax.plot(ts, norms, label=method)
        (self.norm_marker,) = norm_ax.plot([0.0], [0.0], "k*", markersize=14, label="current")
        norm_ax.set_xlabel("t")
        norm_ax.set_ylabel("|z_t|")
        norm_ax.set_title("norm of the noise along the path")
        norm_ax.legend()
        blank = np.full(self.image_shape, float(self.value_range[0]))
        low, high = self.value_range
        self.image_artist = self.image_ax.imshow(blank, cmap="gray", vmin=low, vmax=high)
        self.image_ax.set_xticks([])
        self.image_ax.set_yticks([])
        if title:
            self.figure.suptitle(title)

    def _on_change(self, change) -> None:
        self.update(self.slider.value, self.path.value)

    def update(self, t: float, method: str) -> dict:
        """Decode the point at fraction t of the path, redraw, return ``last_result``."""
        z = interpolate(self.z0, self.z1, [t], method)[0]  # (Z,)
        image = decode_latent(self.decoder, z, self.image_shape)  # (H, W)
        norm = float(np.linalg.norm(z))
        self.image_artist.set_data(image)
        self.norm_marker.set_data([t], [norm])
        self.image_ax.set_title(f"{method} path, t = {t:.2f}")
        self.status.value = f"t = {t:.2f} · {method} · |z| = {norm:.3f}"
        self.image.value = _png(self.figure)
        self.last_result = {"t": float(t), "method": method, "z": z, "norm": norm, "image": image}
        return self.last_result


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


def interpolation_widget(decoder, z0, z1, **kwargs) -> InterpolationWidget:
    """Build an :class:`InterpolationWidget` (same arguments); display its ``.widget``."""
    return InterpolationWidget(decoder, z0, z1, **kwargs)


def plot_interpolation_strip(
    decoder,
    z0,
    z1,
    num: int = 9,
    image_shape: tuple[int, ...] = (8, 8),
    *,
    value_range: tuple[float, float] = (-1.0, 1.0),
    title: str = "interpolating between two noise vectors",
):
    """The static twin of the widget: decoded points along both paths, and their norms.

    value_range is (low, high) of the decoded pixels. Returns (fig, images): a pyplot
    Figure and the decoded images, array of shape (2, num, *image_shape) (row 0 linear,
    row 1 spherical, at t = linspace(0, 1, num)).
    """
    ts = np.linspace(0.0, 1.0, num)
    paths = [interpolate(z0, z1, ts, m) for m in METHODS]  # 2 x (num, Z)
    images = np.stack([decode_latent(decoder, p, image_shape) for p in paths])  # (2, num, H, W)
    fig, (strip_ax, norm_ax) = plt.subplots(
        1, 2, figsize=(13, 3.2), layout="constrained", width_ratios=(3, 1)
    )
    H, W = image_shape[:2]
    low, high = value_range
    strip_ax.imshow(tile(images, pad=1, pad_value=high), cmap="gray", vmin=low, vmax=high)
    strip_ax.set_xticks(np.arange(num) * (W + 1) + (W - 1) / 2, [f"{t:.2f}" for t in ts])
    strip_ax.set_yticks([(H - 1) / 2, H + 1 + (H - 1) / 2], list(METHODS))
    strip_ax.set_xlabel("t")
    strip_ax.set_ylabel("path")
    strip_ax.set_title(title)
    fine = np.linspace(0.0, 1.0, 101)
    for method in METHODS:
        norm_ax.plot(fine, np.linalg.norm(interpolate(z0, z1, fine, method), axis=1), label=method)
    norm_ax.set_xlabel("t")
    norm_ax.set_ylabel("|z_t|")
    norm_ax.set_title("norm along the path")
    norm_ax.legend()
    return fig, images
