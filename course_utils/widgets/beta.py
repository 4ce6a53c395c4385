"""A slider over beta (the weight of the KL term of a beta-VAE) that shows the latent codes.

The logic is :func:`course_utils.experiments.beta_vae.train_beta_vae` (passed in as ``train``,
so the widget trains nothing itself); each beta is trained once and cached. The static twin is
:func:`course_utils.experiments.beta_vae.plot_beta_latents`.
"""

from __future__ import annotations

import io

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from course_utils.experiments.beta_vae import draw_beta_latent


class BetaWidget:
    """A SelectionSlider over ``betas``; each change shows the held-out codes for that beta.

    Inputs:
    - train: beta -> a result dict of ``train_beta_vae`` (keys "beta", "mu", "reconstruction",
      "kl").
    - betas: the values offered, e.g. (0, 0.3, 1, 3, 10).
    - labels: int classes (M,) of the held-out images, for the colours.

    Attributes: ``slider``, ``widget`` (to display), ``results`` (beta -> result, the cache),
    ``last_result`` (the result shown), ``figure`` (redrawn on every change).
    """

    def __init__(self, train, betas, labels, *, value=None, limit: float = 4.0):
        betas = [float(b) for b in betas]
        if not betas:
            raise ValueError("betas must not be empty")
        self.train, self.labels, self.limit = train, np.asarray(labels), limit
        self.results: dict[float, dict] = {}
        start = betas[len(betas) // 2] if value is None else float(value)
        self.slider = widgets.SelectionSlider(
            options=betas, value=start, description="β", continuous_update=False,
            layout=widgets.Layout(width="420px"),
        )  # fmt: skip
        self.status = widgets.HTML()
        self.image = widgets.Image(format="png")
        self.widget = widgets.VBox([self.slider, self.status, self.image])
        self.figure = Figure(figsize=(4.6, 4.4), layout="constrained")
        self.ax = self.figure.subplots()
        self.last_result: dict | None = None
        self.update(self.slider.value)
        self.slider.observe(lambda change: self.update(change["new"]), names="value")

    def update(self, beta: float) -> dict:
        """Train (once) for beta, redraw the codes, and return the result."""
        if beta not in self.results:
            self.results[beta] = self.train(beta)
        result = self.results[beta]
        self.ax.clear()
        draw_beta_latent(self.ax, result, self.labels, self.limit)
        spread = np.std(result["mu"], axis=0)
        self.status.value = (
            f"β = {beta:g}: reconstruction {result['reconstruction']:.1f} nats, KL "
            f"{result['kl']:.2f} nats per image; spread of the codes {spread.round(2).tolist()}"
        )
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=80)
        self.image.value = buffer.getvalue()
        self.last_result = result
        return result


def beta_widget(train, betas, labels, **kwargs) -> BetaWidget:
    """Build a :class:`BetaWidget` (same arguments); display its ``.widget``."""
    return BetaWidget(train, betas, labels, **kwargs)
