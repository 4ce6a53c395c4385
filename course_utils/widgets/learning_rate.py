"""A learning-rate slider that reruns gradient descent and redraws its loss curve and path.

The logic is plain and tested: :func:`gradient_descent_trace` runs full-batch descent on
any ``theta -> (loss, grad)`` function, :func:`descent_summary` says where a loss curve
stops being finite and whether it diverged. :class:`LearningRateWidget` only wires a
log-scale slider to a ``run(learning_rate) -> dict`` function and draws what it returns;
:func:`compare_learning_rates` draws the same panels for a few fixed rates (the static
plot shown beside the widget). With ``variants`` the widget also gets a toggle between a
few versions of the problem (e.g. a raw and a centred feature), each with its own ``run``
and contours.

A run's result is a dict with:
- "loss_history": 1-D array of losses, one per iterate (inf or nan once it diverged);
- "path" (optional): (T, 2) array of parameter iterates, drawn on the loss contours.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from course_utils.widgets import log_slider

#: a run whose last finite loss exceeds this many times its first loss has diverged
DIVERGENCE_FACTOR = 2.0
#: losses above this are not drawn (log-scale axes overflow near the float limit)
PLOT_CAP = 1e100


def gradient_descent_trace(loss_and_grad, theta0, learning_rate, num_steps) -> dict:
    """Full-batch gradient descent, keeping the loss and the parameters of every iterate.

    theta <- theta - learning_rate * grad, num_steps times, stopping after the first
    iterate whose loss is not finite (the run diverged).

    Inputs:
    - loss_and_grad: callable theta -> (loss, grad); grad has the shape of theta
    - theta0: start, array of shape (D,) (any shape; the path flattens it)
    - learning_rate: float step size; num_steps: int >= 0
    Returns a dict with:
    - "theta": the last iterate, of theta0's shape
    - "loss_history": losses, of shape (T,), T = num_steps + 1 unless it stopped early
    - "path": the iterates, start included, of shape (T, D); loss_history[t] is the
      loss at path[t]
    """
    theta = np.array(theta0, dtype=np.float64)
    losses, path = [], []
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(num_steps + 1):
            loss, grad = loss_and_grad(theta)
            losses.append(float(loss))
            path.append(theta.ravel().copy())
            if not math.isfinite(losses[-1]) or len(losses) == num_steps + 1:
                break
            theta = theta - learning_rate * grad
    return {"theta": theta, "loss_history": np.array(losses), "path": np.array(path)}


def descent_summary(loss_history) -> dict:
    """Where a loss curve is finite and whether it diverged.

    Inputs:
    - loss_history: 1-D array of losses, of shape (T,)
    Returns a dict with:
    - "finite_steps": n, the length of the longest finite prefix (plot loss_history[:n])
    - "diverged": True if a loss is inf or nan, or the last finite loss is more than
      DIVERGENCE_FACTOR times the first
    - "final_loss": the last finite loss (nan if there is none)
    """
    losses = np.asarray(loss_history, dtype=np.float64).reshape(-1)
    finite = np.isfinite(losses)
    n = int(np.argmin(finite)) if not finite.all() else losses.size
    final = float(losses[n - 1]) if n else math.nan
    grew = n >= 2 and final > DIVERGENCE_FACTOR * max(float(losses[0]), 0.0)
    return {"finite_steps": n, "diverged": bool(n < losses.size or grew), "final_loss": final}


def _loss_title(learning_rate: float, summary: dict) -> str:
    if summary["diverged"]:
        return f"lr = {learning_rate:.3g}: diverged"
    return f"lr = {learning_rate:.3g}: final loss {summary['final_loss']:.3g}"


def _style_loss_axis(ax, losses: np.ndarray) -> None:
    """Log scale when every plotted loss is positive (losses span decades), else linear."""
    ax.set_yscale("log" if losses.size and np.all(losses > 0) else "linear")
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss")


def _drawn_steps(losses: np.ndarray, summary: dict) -> int:
    """How many leading losses to draw: the finite ones, up to the first above PLOT_CAP."""
    n = summary["finite_steps"]
    too_big = np.abs(losses[:n]) > PLOT_CAP
    return int(np.argmax(too_big)) if too_big.any() else n


def _finite_path(result: dict, n: int) -> np.ndarray | None:
    """The first n iterates as an (n, 2) array (rows with inf/nan dropped), or None."""
    path = result.get("path")
    if path is None:
        return None
    path = np.asarray(path, dtype=np.float64).reshape(len(path), -1)[:n, :2]
    return path[np.all(np.isfinite(path), axis=1)]


def _draw_frame(path_ax, contour) -> None:
    """Contours (if any) on the path axis, then freeze its limits so a divergent path is clipped."""
    if contour is not None:
        contour(path_ax)
        path_ax.set_autoscale_on(False)
    path_ax.set_xlabel(r"$\theta_0$")
    path_ax.set_ylabel(r"$\theta_1$")


class LearningRateWidget:
    """A log-scale learning-rate slider over a loss curve and, optionally, a path on contours.

    Attributes:
    - slider: the ipywidgets.FloatLogSlider of the learning rate
    - toggle: the ipywidgets.ToggleButtons between the variants (None without variants)
    - widget: the ipywidgets.VBox to display ([toggle,] slider, status line, plot)
    - last_result: the latest run's result dict, with "learning_rate", "diverged",
      "finite_steps" and "variant" (its label, or None) added; updated on every change
    - figure: the matplotlib Figure that is redrawn (rendered into the plot as a PNG)
    """

    def __init__(
        self,
        run: Callable[[float], dict] | None,
        *,
        lr_min: float = 1e-4,
        lr_max: float = 10.0,
        value: float = 1e-2,
        title: str = "",
        contour: Callable | None = None,
        variants: dict[str, dict] | None = None,
    ):
        """``variants``: optional {label: {"run", "contour" (optional), "note" (optional)}};
        a toggle switches between them, the first is shown first (``run`` and ``contour``
        are then ignored and ``run`` may be None). "note" is HTML added to the status line."""
        if not 0 < lr_min < lr_max:
            raise ValueError(f"need 0 < lr_min < lr_max, got {lr_min} and {lr_max}")
        self.title, self.variants, self.toggle = title, dict(variants or {}), None
        self.run, self.contour, self.note, self.variant = run, contour, "", None
        if self.variants:
            self._select(next(iter(self.variants)))
        elif run is None:
            raise ValueError("need a run function or variants")
        self.slider = log_slider(value, lr_min, lr_max, "learning rate", readout_format=".2e")
        self.status = widgets.HTML()
        self.image = widgets.Image(format="png")
        controls = [self.slider, self.status, self.image]
        if self.variants:
            self.toggle = widgets.ToggleButtons(options=list(self.variants), value=self.variant)
            controls.insert(0, self.toggle)
        self.widget = widgets.VBox(controls)
        self.figure: Figure | None = None
        self.last_result: dict = {}
        self.update(self.slider.value)
        self.slider.observe(self._on_change, names="value")
        if self.toggle is not None:
            self.toggle.observe(self._on_toggle, names="value")

    def _select(self, label: str) -> None:
        """Make variant ``label`` the current problem (its run, contours and note)."""
        if label not in self.variants:
            raise ValueError(f"unknown variant {label!r}; known: {list(self.variants)}")
        chosen = self.variants[label]
        if "run" not in chosen:
            raise ValueError(f"variant {label!r} has no 'run'")
        self.variant, self.run = label, chosen["run"]
        self.contour, self.note = chosen.get("contour"), chosen.get("note", "")
        self.figure = None  # rebuilt on the next update: the contours differ

    def _on_change(self, change) -> None:
        self.update(change["new"])

    def _on_toggle(self, change) -> None:
        self.show_variant(change["new"])

    def show_variant(self, label: str) -> dict:
        """Switch to variant ``label`` (as the toggle does), rerun, and return last_result."""
        self._select(label)
        if self.toggle is not None and self.toggle.value != label:
            self.toggle.value = label  # its observer calls back here once, harmlessly
        return self.update(self.slider.value)

    def _build_figure(self, with_path: bool) -> None:
        self.figure = Figure(figsize=(10 if with_path else 5.5, 4), layout="constrained")
        axes = self.figure.subplots(1, 2 if with_path else 1, squeeze=False)[0]
        self.loss_ax = axes[0]
        (self.loss_line,) = self.loss_ax.plot([], [], color="C0")
        self.path_ax = self.path_line = None
        if with_path:
            self.path_ax = axes[1]
            _draw_frame(self.path_ax, self.contour)
            (self.path_line,) = self.path_ax.plot([], [], "o-", color="C3", ms=3, lw=1)
            self.path_ax.set_title("path on the loss contours")
        title = ", ".join(t for t in (self.title, self.variant) if t)
        if title:
            self.figure.suptitle(title)

    def update(self, lr: float) -> dict:
        """Run descent at learning rate ``lr``, redraw, and return the new ``last_result``."""
        result = dict(self.run(float(lr)))
        losses = np.asarray(result["loss_history"], dtype=np.float64).reshape(-1)
        summary = descent_summary(losses)
        n = _drawn_steps(losses, summary)
        if self.figure is None:
            self._build_figure(with_path=self.contour is not None or "path" in result)
        self.loss_line.set_data(np.arange(n), losses[:n])
        _style_loss_axis(self.loss_ax, losses[:n])
        self.loss_ax.relim()
        self.loss_ax.autoscale_view()
        self.loss_ax.set_title(_loss_title(lr, summary))
        path = _finite_path(result, n)
        if self.path_line is not None and path is not None:
            self.path_line.set_data(path[:, 0], path[:, 1])
            if self.contour is None:
                self.path_ax.relim()
                self.path_ax.autoscale_view()
        self.image.value = _png(self.figure)  # before the status: it never runs ahead
        self.status.value = _status_text(lr, summary, losses.size) + (
            f" &nbsp;·&nbsp; {self.note}" if self.note else ""
        )
        result.update(learning_rate=float(lr), variant=self.variant, **summary)
        self.last_result = result
        return result


def _status_text(lr: float, summary: dict, steps: int) -> str:
    if summary["diverged"]:
        return f"<b>lr = {lr:.3g}: diverged</b> (the loss grows instead of shrinking)"
    return f"lr = {lr:.3g}: loss {summary['final_loss']:.4g} after {steps - 1} steps"


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


def learning_rate_widget(run: Callable[[float], dict], **kwargs) -> LearningRateWidget:
    """Build a :class:`LearningRateWidget` (same arguments); display its ``.widget``."""
    return LearningRateWidget(run, **kwargs)


def compare_learning_rates(run, learning_rates, *, contour=None, title: str = ""):
    """The static counterpart of the widget: one column of panels per learning rate.

    Inputs:
    - run: callable lr -> result dict, as for the widget
    - learning_rates: a few floats, e.g. (too small, about right, too large)
    - contour: optional callable(ax) drawing loss contours under each path
    - title: the figure's title
    Returns (fig, results): a pyplot Figure with a loss row (and a path row when the
    results have paths or contour is given) and the list of result dicts, each with
    "learning_rate", "diverged" and "finite_steps" added.
    """
    results = [dict(run(float(lr))) for lr in learning_rates]
    with_path = contour is not None or all("path" in r for r in results)
    rows, cols = (2 if with_path else 1), len(results)
    fig, axes = plt.subplots(
        rows, cols, figsize=(3.6 * cols, 3.2 * rows), squeeze=False, layout="constrained"
    )
    for j, (lr, result) in enumerate(zip(learning_rates, results)):
        losses = np.asarray(result["loss_history"], dtype=np.float64).reshape(-1)
        summary = descent_summary(losses)
        n = _drawn_steps(losses, summary)
        axes[0, j].plot(np.arange(n), losses[:n], color="C0")
        _style_loss_axis(axes[0, j], losses[:n])
        axes[0, j].set_title(_loss_title(lr, summary))
        if with_path:
            _draw_frame(axes[1, j], contour)
            path = _finite_path(result, n)
            if path is not None:
                axes[1, j].plot(path[:, 0], path[:, 1], "o-", color="C3", ms=3, lw=1)
        result.update(learning_rate=float(lr), **summary)
    if title:
        fig.suptitle(title)
    return fig, results


def loss_contour(loss, xlim, ylim, *, num=80, levels=25, minimum=None) -> Callable:
    """A ``contour(ax)`` callable drawing the level sets of a two-parameter loss.

    Inputs:
    - loss: callable theta -> float, theta of shape (2,)
    - xlim, ylim: (low, high) ranges of theta[0] and theta[1]
    - num: grid points per axis; levels: number of contour levels (log-spaced)
    - minimum: optional (2,) point marked with a star (e.g. the closed-form solution)
    Returns a callable(ax) that draws the contours and sets the axis limits.
    """
    t0 = np.linspace(*xlim, num)
    t1 = np.linspace(*ylim, num)
    grid = np.array([[loss(np.array([a, b])) for a in t0] for b in t1])  # (num, num)
    low = max(grid.min(), 1e-12 * grid.max(), 1e-300)
    level_values = np.geomspace(low, grid.max(), levels)

    def draw(ax) -> None:
        ax.contour(t0, t1, grid, levels=level_values, cmap="viridis", linewidths=0.8)
        if minimum is not None:
            ax.plot(minimum[0], minimum[1], "*", color="k", ms=12, label="minimum")
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)

    return draw
