"""Elementwise activation layers: ReLU, sigmoid, tanh, leaky ReLU, ELU and softplus.

Every forward takes x of any shape and returns (out, cache) with out of x's shape;
every backward takes dout of x's shape and returns dx of x's shape.
"""

from __future__ import annotations

import numpy as np

from course_utils.assignments import graded


@graded("05_backprop")
def relu_forward(x):
    """ReLU: out = max(0, x).

    Inputs:
    - x: input of any shape.

    Returns a tuple of:
    - out: output, of the shape of x.
    - cache: x.
    """
    out = np.maximum(0, x)
    cache = x
    return out, cache


@graded("05_backprop")
def relu_backward(dout, cache):
    """Backward pass of ReLU: dx = dout where x > 0, else 0.

    Inputs:
    - dout: upstream gradient, of the shape of x.
    - cache: x, the input of relu_forward.

    Returns dx, of the shape of x.
    """
    x = cache
    dx = dout * (x > 0)
    return dx


@graded("05_backprop")
def sigmoid_forward(x):
    """Logistic sigmoid: out = 1 / (1 + exp(-x)), without overflow for large |x|.

    Inputs:
    - x: input of any shape.

    Returns a tuple of:
    - out: output in [0, 1], of the shape of x.
    - cache: out (the derivative is out * (1 - out)).
    """
    z = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    out = np.where(x >= 0, 1 / (1 + z), z / (1 + z))
    cache = out
    return out, cache


@graded("05_backprop")
def sigmoid_backward(dout, cache):
    """Backward pass of the sigmoid: dx = dout * s * (1 - s).

    Inputs:
    - dout: upstream gradient, of the shape of x.
    - cache: s, the output of sigmoid_forward.

    Returns dx, of the shape of x.
    """
    s = cache
    dx = dout * s * (1 - s)
    return dx


@graded("05_backprop")
def tanh_forward(x):
    """Hyperbolic tangent: out = tanh(x).

    Inputs:
    - x: input of any shape.

    Returns a tuple of:
    - out: output in [-1, 1], of the shape of x.
    - cache: out (the derivative is 1 - out**2).
    """
    out = np.tanh(x)
    cache = out
    return out, cache


@graded("05_backprop")
def tanh_backward(dout, cache):
    """Backward pass of tanh: dx = dout * (1 - t**2).

    Inputs:
    - dout: upstream gradient, of the shape of x.
    - cache: t, the output of tanh_forward.

    Returns dx, of the shape of x.
    """
    t = cache
    dx = dout * (1 - t**2)
    return dx


@graded("05_backprop")
def leaky_relu_forward(x, alpha=0.01):
    """Leaky ReLU: out = x where x > 0, else alpha * x.

    Inputs:
    - x: input of any shape.
    - alpha: slope for negative inputs.

    Returns a tuple of:
    - out: output, of the shape of x.
    - cache: (x, alpha).
    """
    out = np.where(x > 0, x, alpha * x)
    cache = (x, alpha)
    return out, cache


@graded("05_backprop")
def leaky_relu_backward(dout, cache):
    """Backward pass of the leaky ReLU: dx = dout where x > 0, else alpha * dout.

    Inputs:
    - dout: upstream gradient, of the shape of x.
    - cache: (x, alpha) from leaky_relu_forward.

    Returns dx, of the shape of x.
    """
    x, alpha = cache
    dx = np.where(x > 0, dout, alpha * dout)
    return dx


@graded("05_backprop")
def elu_forward(x, alpha=1.0):
    """ELU: out = x where x > 0, else alpha * (exp(x) - 1).

    Inputs:
    - x: input of any shape.
    - alpha: value that the output approaches as x -> -inf is -alpha.

    Returns a tuple of:
    - out: output, of the shape of x.
    - cache: (x, alpha).
    """
    neg = np.minimum(x, 0)  # exp only of non-positive numbers: no overflow
    out = np.where(x > 0, x, alpha * np.expm1(neg))
    cache = (x, alpha)
    return out, cache


@graded("05_backprop")
def elu_backward(dout, cache):
    """Backward pass of ELU: dx = dout where x > 0, else dout * alpha * exp(x).

    Inputs:
    - dout: upstream gradient, of the shape of x.
    - cache: (x, alpha) from elu_forward.

    Returns dx, of the shape of x.
    """
    x, alpha = cache
    neg = np.minimum(x, 0)
    dx = np.where(x > 0, dout, dout * alpha * np.exp(neg))
    return dx


@graded("05_backprop")
def softplus_forward(x):
    """Softplus: out = log(1 + exp(x)), computed as max(x, 0) + log1p(exp(-|x|)).

    Inputs:
    - x: input of any shape.

    Returns a tuple of:
    - out: output (positive), of the shape of x.
    - cache: x.
    """
    out = np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
    cache = x
    return out, cache


@graded("05_backprop")
def softplus_backward(dout, cache):
    """Backward pass of softplus: dx = dout * sigmoid(x).

    Inputs:
    - dout: upstream gradient, of the shape of x.
    - cache: x, the input of softplus_forward.

    Returns dx, of the shape of x.
    """
    x = cache
    z = np.exp(-np.abs(x))
    sig = np.where(x >= 0, 1 / (1 + z), z / (1 + z))
    dx = dout * sig
    return dx
