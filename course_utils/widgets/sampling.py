"""A temperature slider that regenerates text from a character model, and its static twin.

The logic lives in :mod:`course_utils.experiments.char_sampling` (``sample_chars``,
``next_char_distribution``, ``distinct_ngram_ratio``), on top of
:mod:`course_utils.experiments.temperature`; :class:`SamplingWidget` only wires a log-scale
slider of the temperature T to it: every change draws a new text (with the same seed, so only T
differs) and redraws the distribution of the character after the prime.
:func:`compare_temperatures` is the static plot shown beside the widget: the same
distribution and a sample at a few temperatures.

The model is a step function ``step_fn(char_id, state) -> (scores (V,), next_state)``
(see course_utils.experiments.char_sampling).
"""

from __future__ import annotations

import html
import io
import math

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from course_utils.experiments.char_sampling import (
    distinct_ngram_ratio,
    next_char_distribution,
    sample_at_temperatures,
    sample_chars,
)
from course_utils.widgets import log_slider

#: how the bar chart labels characters that are invisible
_VISIBLE = {"\n": "\\n", " ": "' '", "\t": "\\t"}


def _label(char: str) -> str:
    return _VISIBLE.get(char, char)


def _top(probs: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest probabilities, largest first (ties: smaller id first)."""
    return np.argsort(-probs, kind="stable")[:k]


class SamplingWidget:
    """A log-scale temperature slider over text sampled from a character model.

    Attributes:
    - slider: the ipywidgets.FloatLogSlider of T (description "T")
    - widget: the ipywidgets.VBox to display (slider, status line, plot, text)
    - last_result: dict with "temperature" (float), "text" (the generated string),
      "probabilities" (shape (V,), the next character after the prime at T), "entropy"
      (nats) and "distinct_4grams" (course_utils.experiments.char_sampling.distinct_ngram_ratio of
      the text); updated on every slider change
    - figure: the matplotlib Figure that is redrawn (rendered into the plot as a PNG)
    """

    def __init__(
        self,
        step_fn,
        state,
        vocab,
        prime: str,
        *,
        length: int = 300,
        seed: int = 0,
        T_min: float = 0.05,
        T_max: float = 5.0,
        value: float = 1.0,
        top_k: int = 15,
    ):
        if not 0 < T_min < T_max:
            raise ValueError(f"need 0 < T_min < T_max, got {T_min} and {T_max}")
        self.step_fn, self.state, self.vocab, self.prime = step_fn, state, vocab, prime
        self.length, self.seed, self.top_k = int(length), int(seed), min(top_k, vocab.size)
        self.slider = log_slider(value, T_min, T_max, "T", steps=100)
        self.status = widgets.HTML()
        self.image = widgets.Image(format="png")
        self.text = widgets.HTML()
        self.widget = widgets.VBox([self.slider, self.status, self.image, self.text])
        self.last_result: dict = {}
        self._build_figure()
        self.update(self.slider.value)
        self.slider.observe(self._on_change, names="value")

    def _build_figure(self) -> None:
        k = self.top_k
        self.figure = Figure(figsize=(7.5, 3.0), layout="constrained")
        self.ax = self.figure.subplots()
        self.bars = self.ax.bar(np.arange(k), np.zeros(k), color="C0")
        self.ax.set_ylim(0.0, 1.05)
        self.ax.set_xlabel(f"the {k} likeliest next characters (at T = 1)")
        self.ax.set_ylabel("probability")
        probs1, _ = next_char_distribution(self.step_fn, self.state, self.vocab, self.prime, 1.0)
        self.order = _top(probs1, k)  # fixed x axis: the order at T = 1
        labels = [_label(self.vocab.chars[i]) for i in self.order]
        self.ax.set_xticks(np.arange(k), labels)

    def _on_change(self, change) -> None:
        self.update(change["new"])

    def update(self, temperature: float) -> dict:
        """Sample a new text at ``temperature``, redraw, and return ``last_result``."""
        T = float(temperature)
        probs, H = next_char_distribution(self.step_fn, self.state, self.vocab, self.prime, T)
        rng = np.random.default_rng(self.seed)
        text = sample_chars(self.step_fn, self.state, self.vocab, self.prime, self.length, T, rng)
        distinct = distinct_ngram_ratio(text, 4)
        for bar, p in zip(self.bars, probs[self.order]):
            bar.set_height(p)
        self.ax.set_title(
            f"next character after {self.prime[-12:]!r}: T = {T:.3g}, entropy {H:.2f} nats"
        )
        self.image.value = _png(self.figure)
        self.status.value = (
            f"T = {T:.3g} · entropy of the next character {H:.2f} nats "
            f"(max log V = {math.log(self.vocab.size):.2f}) · distinct 4-grams {distinct:.2f}"
        )
        self.text.value = (
            "<pre style='white-space: pre-wrap; font-size: 12px; line-height: 1.2'>"
            f"<b>{html.escape(self.prime)}</b>{html.escape(text)}</pre>"
        )
        self.last_result = {
            "temperature": T,
            "text": text,
            "probabilities": probs,
            "entropy": H,
            "distinct_4grams": distinct,
        }
        return self.last_result


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


def sampling_widget(step_fn, state, vocab, prime: str, **kwargs) -> SamplingWidget:
    """Build a :class:`SamplingWidget` (same arguments); display its ``.widget``."""
    return SamplingWidget(step_fn, state, vocab, prime, **kwargs)


def compare_temperatures(
    step_fn,
    state,
    vocab,
    prime: str,
    temperatures=(0.3, 1.0, 2.0),
    *,
    length: int = 240,
    seed: int = 0,
    top_k: int = 15,
    width: int = 60,
    max_lines: int = 28,
):
    """The static counterpart of the widget: the next-character distribution and a sample per T.

    Inputs:
    - step_fn, state, vocab, prime: the model and what it reads first (as for the widget)
    - temperatures: K temperatures (> 0), e.g. low, 1 and high
    - length: characters per sample; seed: the same seed for every sample
    - top_k: how many of the likeliest next characters the bar chart shows
    - width, max_lines: characters per line and lines in each text panel
    Returns (fig, samples): a pyplot Figure (the distributions on top, one text panel per
    temperature below) and the dict temperature -> sampled text.
    """
    samples = sample_at_temperatures(step_fn, state, vocab, prime, length, temperatures, seed)
    K = len(temperatures)
    fig = plt.figure(figsize=(4.4 * K, 6.5), layout="constrained")
    grid = fig.add_gridspec(2, K, height_ratios=(1, 1.1))
    bar_ax = fig.add_subplot(grid[0, :])
    probs1, _ = next_char_distribution(step_fn, state, vocab, prime, 1.0)
    order = _top(probs1, min(top_k, vocab.size))
    bar_width = 0.8 / K
    for k, T in enumerate(temperatures):
        probs, H = next_char_distribution(step_fn, state, vocab, prime, float(T))
        offset = (k - (K - 1) / 2) * bar_width
        bar_ax.bar(
            np.arange(order.size) + offset,
            probs[order],
            bar_width,
            label=f"T = {T:g} (H = {H:.2f})",
        )
    bar_ax.set_xticks(np.arange(order.size), [_label(vocab.chars[i]) for i in order])
    bar_ax.set_xlabel("the likeliest next characters (at T = 1)")
    bar_ax.set_ylabel("probability")
    bar_ax.set_title(f"the character after {prime[-12:]!r} at {K} temperatures")
    bar_ax.legend()
    for k, T in enumerate(temperatures):
        ax = fig.add_subplot(grid[1, k])
        text = samples[float(T)]
        ax.text(
            0.01,
            0.99,
            hard_wrap(prime + text, width, max_lines),
            va="top",
            ha="left",
            family="monospace",
            fontsize=7,
            transform=ax.transAxes,
            clip_on=True,
        )
        ax.set_title(f"T = {T:g}: distinct 4-grams {distinct_ngram_ratio(text, 4):.2f}")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("sampled text (the prime starts it)")
    return fig, samples


def hard_wrap(text: str, width: int, max_lines: int) -> str:
    """Cut every line of ``text`` into pieces of ``width`` characters, spaces kept; at most
    ``max_lines`` lines."""
    lines = []
    for line in text.split("\n"):
        lines += [line[i : i + width] for i in range(0, max(len(line), 1), width)]
    return "\n".join(lines[:max_lines])
