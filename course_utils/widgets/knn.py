"""A k slider (and a metric choice) over kNN decision regions of 2-D points.

The logic lives in :func:`course_utils.experiments.knn.knn_regions`; the picture in
:func:`course_utils.plots.knn.draw_knn_regions`, whose static twin is
:func:`course_utils.plots.knn.plot_knn_regions` (k = 1, 5, 25 side by side).
"""

from __future__ import annotations

import io

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from course_utils.plots.knn import draw_knn_regions


class KnnRegionsWidget:
    """An integer slider of k and a metric toggle redrawing the decision regions.

    Attributes:
    - slider: ipywidgets.IntSlider of k (description "k"), 1..k_max
    - metric: ipywidgets.ToggleButtons of p, options L2 (2) and L1 (1)
    - widget: the ipywidgets.VBox to display
    - last_result: dict with "k", "p" and "train_accuracy", updated on every change
    - figure: the matplotlib Figure that is redrawn (shown as a PNG)
    """

    def __init__(self, X, y, *, classifier=None, k=1, k_max=50, resolution=100):
        self.X = np.asarray(X, dtype=np.float64)
        self.y = np.asarray(y)
        if self.X.ndim != 2 or self.X.shape[1] != 2 or len(self.y) != len(self.X):
            raise ValueError(f"need points of shape (N, 2) and N labels, got {self.X.shape}")
        k_max = min(int(k_max), len(self.X))
        self.classifier, self.resolution = classifier, int(resolution)
        self.slider = widgets.IntSlider(
            value=min(max(int(k), 1), k_max),
            min=1,
            max=k_max,
            description="k",
            continuous_update=False,
            layout=widgets.Layout(width="480px"),
        )
        self.metric = widgets.ToggleButtons(options=[("L2", 2), ("L1", 1)], value=2)
        self.image = widgets.Image(format="png")
        self.widget = widgets.VBox([self.slider, self.metric, self.image])
        self.figure = Figure(figsize=(5, 4.5), layout="constrained")
        self.ax = self.figure.subplots()
        self.last_result: dict = {}
        self.update()
        self.slider.observe(self._on_change, names="value")
        self.metric.observe(self._on_change, names="value")

    def _on_change(self, change) -> None:
        self.update()

    def update(self) -> dict:
        """Redraw the regions for the current k and metric; return ``last_result``."""
        k, p = int(self.slider.value), int(self.metric.value)
        accuracy = draw_knn_regions(
            self.ax, self.X, self.y, k, p=p, classifier=self.classifier, resolution=self.resolution
        )
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=80)
        self.image.value = buffer.getvalue()
        self.last_result = {"k": k, "p": p, "train_accuracy": accuracy}
        return self.last_result


def knn_regions_widget(X, y, **kwargs) -> KnnRegionsWidget:
    """Build a :class:`KnnRegionsWidget` (same arguments); display its ``.widget``."""
    return KnnRegionsWidget(X, y, **kwargs)
