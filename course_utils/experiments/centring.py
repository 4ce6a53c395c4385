"""Centring a feature before gradient descent (01_least_squares, section 5).

A straight line ``rent ~ theta_0 + theta_1 u`` fitted by descent on the mean squared loss.
With a raw, all-positive feature ``u`` the two columns of the design matrix are strongly
correlated: the Hessian ``X^T X / N`` is ill-conditioned and the loss contours are long
tilted ellipses. Centring ``u`` (subtracting its mean) makes the columns orthogonal, the
Hessian diagonal and the contours axis-aligned; dividing by the standard deviation as well
(standardising) makes them circles. The functions here build the three problems so a widget
can toggle between them and a figure can show them side by side:

- :func:`line_design`: the (N, 2) design matrix, raw, centred or standardised;
- :func:`hessian_spectrum`: eigenvalues, condition number and the learning-rate limits;
- :func:`same_line_start`: the same starting line in the new parameters;
- :func:`centring_variants`: the problems, each with its ``run(lr)`` and contour window.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_utils.widgets.learning_rate import gradient_descent_trace, loss_contour

#: labels of the two variants, in the order of the widget's toggle
RAW, CENTRED, STANDARDISED = "raw area", "centred area", "standardised area"
#: (centre, scale) of each variant
TRANSFORMS = {RAW: (False, False), CENTRED: (True, False), STANDARDISED: (True, True)}


def feature_shift_scale(u, *, centre: bool = False, scale: bool = False) -> tuple[float, float]:
    """The (shift, scale) with which the feature becomes (u - shift) / scale.

    shift is mean(u) when centring, else 0; scale is std(u) when scaling, else 1.
    """
    u = np.asarray(u, dtype=np.float64)
    if u.ndim != 1 or u.size < 2:
        raise ValueError(f"u must have shape (N,) with N >= 2, got {u.shape}")
    return (float(u.mean()) if centre else 0.0), (float(u.std()) if scale else 1.0)


def line_design(u, *, centre: bool = False, scale: bool = False) -> np.ndarray:
    """Design matrix of a straight line: columns 1 and (u - shift) / scale.

    Inputs:
    - u: the feature, of shape (N,), N >= 2
    - centre: subtract the mean of u; scale: divide by its standard deviation
    Returns:
    - X: float64, of shape (N, 2)
    """
    shift, spread = feature_shift_scale(u, centre=centre, scale=scale)
    u = np.asarray(u, dtype=np.float64)
    return np.stack([np.ones_like(u), (u - shift) / spread], axis=1)


def hessian_spectrum(X) -> dict:
    """The Hessian X^T X / N of the mean loss 1/(2N)||y - X theta||^2, and what it implies.

    Inputs:
    - X: design matrix, of shape (N, D)
    Returns a dict with:
    - "eigenvalues": ascending, of shape (D,)
    - "condition": mu_max / mu_min (inf when X^T X is singular)
    - "lr_diverge": 2 / mu_max, the learning rate above which descent diverges
    - "lr_best": 2 / (mu_min + mu_max), the rate that makes the slowest direction fastest
    """
    X = np.asarray(X, dtype=np.float64)
    mu = np.linalg.eigvalsh(X.T @ X / X.shape[0])
    condition = mu[-1] / mu[0] if mu[0] > 0 else np.inf
    return {
        "eigenvalues": mu,
        "condition": float(condition),
        "lr_diverge": float(2 / mu[-1]),
        "lr_best": float(2 / (mu[0] + mu[-1])),
    }


def same_line_start(theta, shift: float, scale: float = 1.0) -> np.ndarray:
    """The parameters of the same line once its feature is (u - shift) / scale.

    theta_0 + theta_1 u = (theta_0 + theta_1 shift) + (theta_1 scale) (u - shift) / scale.

    Inputs:
    - theta: (theta_0, theta_1) of the raw feature, of shape (2,)
    - shift, scale: as returned by :func:`feature_shift_scale`
    Returns:
    - the new parameters, of shape (2,)
    """
    theta = np.asarray(theta, dtype=np.float64)
    return np.array([theta[0] + theta[1] * shift, theta[1] * scale])


def _window(center, half_widths) -> tuple[tuple[float, float], tuple[float, float]]:
    """Contour limits: a box of the given half widths around a point."""
    (a, b), (ha, hb) = center, half_widths
    return (a - ha, a + ha), (b - hb, b + hb)


def centring_variants(
    loss_and_gradient: Callable,
    u,
    y,
    theta_start,
    num_steps: int,
    *,
    half_widths=(3.0, 3.0),
    contour_points: int = 60,
) -> dict:
    """The three descent problems (raw, centred, standardised) for the widget and the figure.

    Inputs:
    - loss_and_gradient: callable (theta, X, y) -> (loss, grad), e.g. the student's
    - u: the feature, of shape (N,); y: targets, of shape (N,)
    - theta_start: start of descent on the raw feature, of shape (2,); the other
      problems start from the same line (see :func:`same_line_start`)
    - num_steps: steps of descent per run
    - half_widths: half sizes of the contour window around each minimum (the same for
      all, so the pictures share a scale)
    - contour_points: grid points per axis of the contours
    Returns a dict {RAW: variant, CENTRED: variant, STANDARDISED: variant}; each variant is
    a dict with "X" (N, 2), "start" (2,), "minimum" (2,) (least squares), "spectrum"
    (:func:`hessian_spectrum`), "run" (callable lr -> gradient_descent_trace result) and
    "contour" (callable(ax), :func:`loss_contour` around the minimum).
    """
    u = np.asarray(u, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    variants = {}
    for label, (centre, scale) in TRANSFORMS.items():
        X = line_design(u, centre=centre, scale=scale)
        start = same_line_start(theta_start, *feature_shift_scale(u, centre=centre, scale=scale))
        minimum = np.linalg.lstsq(X, y, rcond=None)[0]
        xlim, ylim = _window(minimum, half_widths)
        variants[label] = {
            "X": X,
            "start": start,
            "minimum": minimum,
            "spectrum": hessian_spectrum(X),
            "run": _descent(loss_and_gradient, X, y, start, num_steps),
            "contour": loss_contour(
                lambda t, X=X: loss_and_gradient(t, X, y)[0],
                xlim,
                ylim,
                num=contour_points,
                minimum=minimum,
            ),
        }
    return variants


def _descent(loss_and_gradient, X, y, start, num_steps) -> Callable[[float], dict]:
    """run(lr): num_steps of descent on (X, y) from start."""

    def run(learning_rate: float) -> dict:
        return gradient_descent_trace(
            lambda theta: loss_and_gradient(theta, X, y), start, learning_rate, num_steps
        )

    return run
