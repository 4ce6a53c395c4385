"""The optimizer race widget: learning-rate and momentum sliders over a 2-D loss surface.

The logic is :func:`course_utils.experiments.optimizer_race.race`; this class only wires the sliders
to it and redraws :func:`course_utils.plots.optim.plot_race`. ``last_result`` holds the
latest paths (dict name -> array of shape (K + 1, 2)), so tests can drive it headlessly::

    from course_utils.optim import sgd, adam
    race_widget = OptimizerRace({"SGD": sgd, "Adam": adam})
    race_widget.learning_rate.value = 0.1   # recomputes last_result and the figure
    display(race_widget.widget)             # in a notebook
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import ipywidgets as widgets
import numpy as np
from IPython import get_ipython
from IPython.display import clear_output, display
from matplotlib.figure import Figure

from course_utils.experiments.optimizer_race import SURFACES, get_surface, race
from course_utils.plots.optim import plot_race


class OptimizerRace:
    """Sliders over :func:`race`: every rule's path on one surface, redrawn on each change.

    Inputs of __init__:
    - rules: dict name -> rule(w, dw, config) -> (next_w, config)
    - surface: name of the first surface shown ("bowl", "rosenbrock" or "saddle")
    - steps: first number of steps
    - momentum: first momentum

    Attributes: ``widget`` (what to display), the controls ``surface`` (dropdown),
    ``learning_rate`` (log slider), ``momentum`` and ``steps`` (sliders), ``figure`` and
    ``lines`` (dict name -> Line2D of each path) and ``last_result`` (the paths).
    Choosing another surface resets the learning rate to that surface's default.
    """

    def __init__(
        self,
        rules: Mapping[str, Callable],
        surface: str = "bowl",
        steps: int = 150,
        momentum: float = 0.9,
    ):
        self.rules = dict(rules)
        first = get_surface(surface)
        self.surface = widgets.Dropdown(
            options=list(SURFACES), value=first.name, description="surface"
        )
        self.learning_rate = widgets.FloatLogSlider(
            value=first.default_lr,
            base=10,
            min=-4,
            max=0,
            step=0.05,
            description="learning rate",
            readout_format=".1e",
            continuous_update=False,
            style={"description_width": "initial"},
        )
        self.momentum = widgets.FloatSlider(
            value=momentum,
            min=0.0,
            max=0.99,
            step=0.01,
            description="momentum",
            continuous_update=False,
        )
        self.steps = widgets.IntSlider(
            value=steps, min=10, max=500, step=10, description="steps", continuous_update=False
        )
        self.output = widgets.Output()
        self.figure = Figure(figsize=(7.5, 5.5))
        self.ax = self.figure.subplots()
        self.lines: dict = {}
        self.last_result: dict[str, np.ndarray] | None = None
        self._resetting = False

        self.surface.observe(self._on_surface, names="value")
        for control in (self.learning_rate, self.momentum, self.steps):
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.surface, self.steps]),
                widgets.HBox([self.learning_rate, self.momentum]),
                self.output,
            ]
        )
        self.update()

    def _on_surface(self, change) -> None:
        self._resetting = True  # one redraw, not one for the learning rate and one here
        try:
            self.learning_rate.value = get_surface(change["new"]).default_lr
        finally:
            self._resetting = False
        self.update()

    def _on_change(self, change) -> None:
        if not self._resetting:
            self.update()

    def update(self) -> dict[str, np.ndarray]:
        """Run the race for the current controls, redraw, and return the paths."""
        surface = get_surface(self.surface.value)
        steps = int(self.steps.value)
        paths = race(
            surface, self.rules, float(self.learning_rate.value), float(self.momentum.value), steps
        )
        self.last_result = paths
        self.ax.clear()
        title = f"{surface.name}: learning rate {self.learning_rate.value:.1e}, {steps} steps"
        self.lines = plot_race(surface, paths, ax=self.ax, title=title, steps=steps)
        self.figure.tight_layout()
        if get_ipython() is not None:  # in a kernel: show the new figure in the output area
            with self.output:
                clear_output(wait=True)
                display(self.figure)
        return paths
