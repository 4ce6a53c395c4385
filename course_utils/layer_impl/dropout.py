"""Inverted dropout."""

from __future__ import annotations

import numpy as np

from course_utils.assignments import graded


@graded("08_dropout")
def dropout_forward(x, dropout_param):
    """Inverted dropout: keep each unit with probability p and scale the kept ones by 1 / p.

    Since E[mask] = 1, the train output has the expectation x and test mode is the
    identity.

    Inputs:
    - x: input of any shape.
    - dropout_param: dict with
      - p: probability of KEEPING a unit, in (0, 1];
      - mode: 'train' or 'test';
      - seed (optional): int (or np.random.Generator) for np.random.default_rng;
        the same seed gives the same mask.

    Returns a tuple of:
    - out: output, of the shape of x (x itself in test mode).
    - cache: (dropout_param, mask), where mask, of the shape of x, holds 0 for dropped
      units and 1 / p for kept ones in train mode, and is None in test mode.
    """
    p = dropout_param["p"]
    mode = dropout_param["mode"]
    if not 0 < p <= 1:
        raise ValueError(f"dropout_param['p'] is the keep probability, in (0, 1]; got {p!r}")
    if mode == "train":
        rng = np.random.default_rng(dropout_param.get("seed"))
        # (x.shape), values 0 or 1/p, in x's dtype so float32 networks stay float32
        mask = ((rng.random(x.shape) < p) / p).astype(x.dtype, copy=False)
        out = x * mask
    elif mode == "test":
        mask = None
        out = x
    else:
        raise ValueError(f"dropout_param['mode'] must be 'train' or 'test', got {mode!r}")
    cache = (dropout_param, mask)
    return out, cache


@graded("08_dropout")
def dropout_backward(dout, cache):
    """Backward pass of inverted dropout.

    Inputs:
    - dout: upstream gradient, of the shape of x.
    - cache: (dropout_param, mask) from dropout_forward.

    Returns dx, of the shape of x: dout * mask in train mode, dout in test mode.
    """
    _, mask = cache
    if mask is not None:  # train mode
        dx = dout * mask
    else:  # test mode: the identity
        dx = dout
    return dx
