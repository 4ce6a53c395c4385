"""ipywidgets front ends for the notebooks' interactive experiments.

Each widget only wires sliders to a plain, tested function of ``course_utils`` (the
logic lives outside the widget), keeps its latest result in ``last_result`` so tests can
drive it headlessly, and is never shown while nbgrader executes a notebook.
"""

import os


def widgets_enabled() -> bool:
    """False while nbgrader (or the kit's tests) execute a notebook: widget cells do nothing."""
    return not os.environ.get("NBGRADER_EXECUTION")
