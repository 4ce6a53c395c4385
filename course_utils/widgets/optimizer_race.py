"""The optimizer race widget: learning-rate, momentum and gradient-noise sliders over a 2-D loss
surface, and a "tune each" switch that gives every rule its own best learning rate.

The logic is :func:`course_utils.experiments.optimizer_race.race`; this class only wires the sliders
to it and redraws :func:`course_utils.plots.optim.plot_race`. ``last_result`` holds the
latest paths (dict name -> array of shape (K + 1, 2)), so tests can drive it headlessly::

    from course_utils.optim import sgd, adam
    race_widget = OptimizerRace({"SGD": sgd, "Adam": adam})
    race_widget.learning_rate.value = 0.1   # recomputes last_result and the figure
    race_widget.noise.value = 3.0           # noisy gradients, the same noise for every rule
    race_widget.tune.value = True           # each rule at its best rate (last_rates)
    display(race_widget.widget)             # in a notebook
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import ipywidgets as widgets
import numpy as np
from IPython import get_ipython
from IPython.display import clear_output, display
from matplotlib.figure import Figure

from course_utils.experiments.optimizer_race import (
    SURFACES,
    get_surface,
    race,
    tune_learning_rates,
)
from course_utils.plots.optim import plot_race


class OptimizerRace:
    """Sliders over :func:`race`: every rule's path on one surface, redrawn on each change.

    Inputs of __init__:
    - rules: dict name -> rule(w, dw, config) -> (next_w, config)
    - surface: name of the first surface shown ("bowl", "rosenbrock" or "saddle")
    - steps: first number of steps
    - momentum: first momentum

    Attributes: ``widget`` (what to display), the controls ``surface`` (dropdown),
    ``learning_rate`` (log slider), ``momentum``, ``noise`` (standard deviation of the
    Gaussian noise added to each gradient coordinate) and ``steps`` (sliders), ``tune`` (a
    toggle: every rule at its own best learning rate on the surface, from
    :func:`tune_learning_rates`, instead of the shared slider's), ``figure`` and ``lines``
    (dict name -> Line2D of each path), ``last_result`` (the paths) and ``last_rates`` (dict
    name -> the learning rate each rule ran with). Choosing another surface resets the
    learning rate to that surface's default.
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
        self.noise = widgets.FloatSlider(
            value=0.0,
            min=0.0,
            max=10.0,
            step=0.5,
            description="gradient noise",
            continuous_update=False,
            style={"description_width": "initial"},
        )
        self.tune = widgets.ToggleButton(
            value=False, description="tune each", tooltip="each rule at its best learning rate"
        )
        self.output = widgets.Output()
        self.figure = Figure(figsize=(7.5, 5.5))
        self.ax = self.figure.subplots()
        self.lines: dict = {}
        self.last_result: dict[str, np.ndarray] | None = None
        self.last_rates: dict[str, float] = {}
        self._resetting = False

        self.surface.observe(self._on_surface, names="value")
        for control in (self.learning_rate, self.momentum, self.steps, self.noise, self.tune):
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.surface, self.steps, self.tune]),
                widgets.HBox([self.learning_rate, self.momentum, self.noise]),
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
        steps, momentum = int(self.steps.value), float(self.momentum.value)
        noise, lr = float(self.noise.value), float(self.learning_rate.value)
        if self.tune.value:
            rates = tune_learning_rates(surface, self.rules, momentum, steps, noise=noise)
            rate_text = "each rule at its best learning rate"
        else:
            rates = {name: lr for name in self.rules}
            rate_text = f"learning rate {lr:.1e}"
        self.learning_rate.disabled = bool(self.tune.value)
        configs = {name: {"learning_rate": rate} for name, rate in rates.items()}
        paths = race(surface, self.rules, lr, momentum, steps, configs=configs, noise=noise)
        self.last_result, self.last_rates = paths, rates
        self.ax.clear()
        title = f"{surface.name}: {rate_text}, {steps} steps"
        if noise:
            title += f", noise {noise:g}"
        self.lines = plot_race(surface, paths, ax=self.ax, title=title, steps=steps)
        self.figure.tight_layout()
        if get_ipython() is not None:  # in a kernel: show the new figure in the output area
            with self.output:
                clear_output(wait=True)
                display(self.figure)
        return paths
