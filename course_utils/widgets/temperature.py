"""A temperature slider over the class probabilities of one example, and its static twin.

The logic lives in :mod:`course_utils.experiments.temperature` (``softmax_with_temperature``,
``entropy``); :class:`TemperatureWidget` only wires a log-scale slider of T to it and
redraws a bar chart whose title shows T and the entropy. :func:`plot_temperature_sweep`
is the static plot shown beside the widget: the probabilities at a few temperatures and
the entropy as a function of T.
"""

from __future__ import annotations

import io
import math

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from course_utils.experiments.temperature import (
    entropy,
    softmax_with_temperature,
    temperature_sweep,
)
from course_utils.widgets import log_slider


def _names(class_names, num_classes: int) -> list[str]:
    if class_names is None:
        return [str(c) for c in range(num_classes)]
    names = [str(c) for c in class_names]
    if len(names) != num_classes:
        raise ValueError(f"{len(names)} class names for {num_classes} scores")
    return names


def _title(temperature: float, H: float, num_classes: int) -> str:
    maximum = math.log(num_classes)
    return f"T = {temperature:.3g}: entropy {H:.3f} nats (max log {num_classes} = {maximum:.3f})"


class TemperatureWidget:
    """A log-scale slider of the temperature T over softmax(scores / T) of one example.

    Attributes:
    - slider: the ipywidgets.FloatLogSlider of T (description "T")
    - widget: the ipywidgets.VBox to display (slider, status line, plot)
    - last_result: dict with "temperature" (float), "probabilities" (shape (C,)),
      "entropy" (float, nats) and "max_entropy" (log C); updated on every slider change
    - figure: the matplotlib Figure that is redrawn (rendered into the plot as a PNG);
      its axes' title shows T and the entropy
    """

    def __init__(
        self,
        scores,
        *,
        class_names=None,
        T_min: float = 0.01,
        T_max: float = 100.0,
        value: float = 1.0,
        title: str = "",
    ):
        self.scores = np.asarray(scores, dtype=np.float64).reshape(-1)  # (C,)
        if self.scores.size < 2:
            raise ValueError("need the scores of at least two classes")
        if not 0 < T_min < T_max:
            raise ValueError(f"need 0 < T_min < T_max, got {T_min} and {T_max}")
        self.class_names = _names(class_names, self.scores.size)
        self.slider = log_slider(value, T_min, T_max, "T", steps=200)
        self.status = widgets.HTML()
        self.image = widgets.Image(format="png")
        self.widget = widgets.VBox([self.slider, self.status, self.image])
        self.last_result: dict = {}
        self._build_figure(title)
        self.update(self.slider.value)
        self.slider.observe(self._on_change, names="value")

    def _build_figure(self, title: str) -> None:
        C = self.scores.size
        self.figure = Figure(figsize=(max(5.0, 0.5 * C + 2.5), 3.6), layout="constrained")
        self.ax = self.figure.subplots()
        self.bars = self.ax.bar(np.arange(C), np.zeros(C), color="C0")
        self.ax.axhline(1.0 / C, color="0.5", ls="--", lw=1, label="uniform 1/C")
        self.ax.set_xticks(np.arange(C), self.class_names, rotation=45 if C > 10 else 0)
        self.ax.set_ylim(0.0, 1.05)
        self.ax.set_xlabel("class")
        self.ax.set_ylabel("probability")
        self.ax.legend(loc="upper right")
        if title:
            self.figure.suptitle(title)

    def _on_change(self, change) -> None:
        self.update(change["new"])

    def update(self, temperature: float) -> dict:
        """Recompute the probabilities at ``temperature``, redraw, return ``last_result``."""
        T = float(temperature)
        probs = softmax_with_temperature(self.scores, T)  # (C,)
        H = entropy(probs)
        for bar, p in zip(self.bars, probs):
            bar.set_height(p)
        self.ax.set_title(_title(T, H, self.scores.size))
        top = int(np.argmax(probs))
        self.status.value = (
            f"T = {T:.3g} · entropy H = {H:.3f} nats · most likely class "
            f"{self.class_names[top]} with p = {probs[top]:.3f}"
        )
        self.image.value = _png(self.figure)
        self.last_result = {
            "temperature": T,
            "probabilities": probs,
            "entropy": H,
            "max_entropy": math.log(self.scores.size),
        }
        return self.last_result


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


def temperature_widget(scores, **kwargs) -> TemperatureWidget:
    """Build a :class:`TemperatureWidget` (same arguments); display its ``.widget``."""
    return TemperatureWidget(scores, **kwargs)


def plot_temperature_sweep(
    scores, temperatures=(0.1, 0.5, 1.0, 2.0, 10.0), *, class_names=None, title: str = ""
):
    """The static counterpart of the widget: probabilities at a few T, entropy against T.

    Inputs:
    - scores: one example's scores, of shape (C,)
    - temperatures: a few temperatures (> 0) whose probabilities are drawn side by side
    - class_names: C labels for the x axis (default 0..C-1)
    - title: the figure's title
    Returns (fig, probs, entropies): a pyplot Figure with two axes, and the
    probabilities (K, C) and entropies (K,) at ``temperatures``.
    """
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)  # (C,)
    C, K = scores.size, len(temperatures)
    names = _names(class_names, C)
    probs, entropies = temperature_sweep(scores, temperatures)  # (K, C), (K,)
    fig, (bar_ax, h_ax) = plt.subplots(1, 2, figsize=(12, 3.8), layout="constrained")
    width = 0.8 / K
    for k, T in enumerate(temperatures):
        bar_ax.bar(np.arange(C) + (k - (K - 1) / 2) * width, probs[k], width, label=f"T = {T:g}")
    bar_ax.set_xticks(np.arange(C), names, rotation=45 if C > 10 else 0)
    bar_ax.set_xlabel("class")
    bar_ax.set_ylabel("probability")
    bar_ax.set_title("softmax(s / T) of one example")
    bar_ax.legend()
    grid = np.geomspace(1e-2, 1e2, 200)
    h_ax.semilogx(grid, temperature_sweep(scores, grid)[1], color="C0", label="H(T)")
    h_ax.scatter(temperatures, entropies, color="C3", zorder=3, label="the T on the left")
    h_ax.axhline(math.log(C), color="0.5", ls="--", label=f"log C = {math.log(C):.2f} (uniform)")
    h_ax.set_xlabel("temperature T (log scale)")
    h_ax.set_ylabel("entropy H (nats)")
    h_ax.set_title("entropy of softmax(s / T) against T")
    h_ax.legend()
    if title:
        fig.suptitle(title)
    return fig, probs, entropies
