"""Small computational graphs drawn with their forward values and backward gradients.

As in the lecture figures: every node shows its value (green, upper right) and the gradient
of the output with respect to it (red, lower right); arrows go from inputs to outputs.

Example (f = (x + y) * z)::

    nodes = {
        "x": {"pos": (0, 2), "value": -2, "grad": -4},
        "y": {"pos": (0, 1), "value": 5, "grad": -4},
        "z": {"pos": (0, 0), "value": -4, "grad": 3},
        "q": {"pos": (1, 1.5), "label": "+", "value": 3, "grad": -4},
        "f": {"pos": (2, 0.75), "label": "*", "value": -12, "grad": 1},
    }
    draw_graph(nodes, [("x", "q"), ("y", "q"), ("q", "f"), ("z", "f")])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt

VALUE_COLOR = "tab:green"
GRAD_COLOR = "tab:red"


def _number(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def draw_graph(
    nodes: Mapping[str, Mapping],
    edges: Sequence[tuple[str, str]],
    ax=None,
    title: str | None = None,
):
    """Draw a computational graph.

    Inputs:
    - nodes: dict name -> {"pos": (x, y), "label": text in the node (the name when
      absent), "value": forward value (optional), "grad": gradient (optional)}; a node
      without an incoming edge is an input, drawn as a square, the others as circles
    - edges: list of (from, to) names
    - ax: matplotlib axes (current axes when None); title: axes title

    Returns the axes.
    """
    ax = ax if ax is not None else plt.gca()
    targets = {dst for _, dst in edges}
    for src, dst in edges:
        (x0, y0), (x1, y1) = nodes[src]["pos"], nodes[dst]["pos"]
        ax.annotate(
            "",
            xy=(x1, y1),
            xytext=(x0, y0),
            arrowprops={"arrowstyle": "-|>", "color": "0.35", "shrinkA": 14, "shrinkB": 14},
        )
    for name, node in nodes.items():
        x, y = node["pos"]
        box = "circle" if name in targets else "square"
        ax.text(
            x,
            y,
            node.get("label", name),
            ha="center",
            va="center",
            fontsize=12,
            bbox={"boxstyle": f"{box},pad=0.4", "fc": "white", "ec": "0.2"},
            zorder=3,
        )
        right = 10 + 4.5 * len(node.get("label", name))  # points from the centre to the box edge
        for key, color, dy, va in (
            ("value", VALUE_COLOR, 1, "bottom"),
            ("grad", GRAD_COLOR, -1, "top"),
        ):
            if node.get(key) is not None:  # value to the upper right, gradient to the lower right
                ax.annotate(
                    _number(node[key]),
                    (x, y),
                    xytext=(right, dy),
                    textcoords="offset points",
                    color=color,
                    ha="left",
                    va=va,
                    fontsize=10,
                    zorder=4,
                    bbox={"fc": "white", "ec": "none", "pad": 0.3, "alpha": 0.85},
                )
    xs = [n["pos"][0] for n in nodes.values()]
    ys = [n["pos"][1] for n in nodes.values()]
    ax.set_xlim(min(xs) - 0.5, max(xs) + 0.9)
    ax.set_ylim(min(ys) - 0.5, max(ys) + 0.5)
    ax.set_axis_off()
    ax.set_title(
        (title + "\n" if title else "") + "green: forward value, red: gradient of the output",
        fontsize=10,
    )
    return ax
