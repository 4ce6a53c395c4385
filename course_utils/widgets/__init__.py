"""ipywidgets front ends for the notebooks' interactive experiments.

Each widget only wires sliders to a plain, tested function of ``course_utils`` (the
logic lives outside the widget), keeps its latest result in ``last_result`` so tests can
drive it headlessly, and is never shown while nbgrader executes a notebook.
"""

import math
import os


def widgets_enabled() -> bool:
    """False while nbgrader (or the kit's tests) execute a notebook: widget cells do nothing."""
    return not os.environ.get("NBGRADER_EXECUTION")


def log_slider(value, low, high, description, steps=200, readout_format=".3g"):
    """A FloatLogSlider over [low, high] (0 < low < high), value clipped into it.

    Changes are reported on release (``continuous_update=False``), so one drag triggers
    one redraw.
    """
    import ipywidgets as widgets

    if not 0 < low < high:
        raise ValueError(f"need 0 < low < high, got {low} and {high}")
    lo, hi = math.log10(low), math.log10(high)
    return widgets.FloatLogSlider(
        value=min(max(value, low), high),
        base=10,
        min=lo,
        max=hi,
        step=(hi - lo) / steps,
        description=description,
        readout_format=readout_format,
        continuous_update=False,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="480px"),
    )
