"""What 10_rnn grades, in both of its notebooks.

10_rnn_numpy: the tanh RNN (one step, a sequence), the LSTM (one step, a sequence) and one
GRU step, forward and backward. A backward pass receives the cache of the student's own
forward, so each backward case calls the forward first (bound as "fwd", not recorded) and
then the backward with ``Ref("fwd", k)``, k the position of the cache in the forward's
result. Only the states a forward returns count, never its cache.

10_rnn_pytorch: ``numpy_lstm_weights_from_torch``. A case builds an nn.LSTM with
``seeded_lstm(D, H, seed)`` (course_utils.torch_track.lstm_weights, imported by the
notebook's setup cell; its weights depend on the seed alone), bound as "lstm", then
converts it; the three arrays are compared with the reference conversion.
"""

from __future__ import annotations

import numpy as np

from autograder.spec import Check, Ref, call, case
from course_utils.rnn_layers import (
    gru_step_backward,
    gru_step_forward,
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
)

#: gate blocks of each cell: Wx has G * H columns
BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}


def _size(rng, low, high):
    return int(rng.integers(low, high + 1))


def _weights(rng, cell, D, H, scale=1.0):
    """Wx (D, G*H), Wh (H, G*H), b (G*H,): normal / sqrt(fan_in), times ``scale``."""
    G = BLOCKS[cell]
    Wx = scale * rng.normal(size=(D, G * H)) / np.sqrt(D)
    Wh = scale * rng.normal(size=(H, G * H)) / np.sqrt(H)
    b = scale * 0.5 * rng.normal(size=G * H)
    return Wx, Wh, b


def _shapes(rng):
    """(label, N, D, H, weight scale) of the step cases: typical, one example, one unit, large."""
    return [
        ("a typical batch", _size(rng, 3, 6), _size(rng, 3, 7), _size(rng, 3, 6), 1.0),
        ("a batch of one", 1, _size(rng, 2, 5), _size(rng, 2, 5), 1.0),
        ("one input feature and one hidden unit", _size(rng, 2, 4), 1, 1, 1.0),
        ("more hidden units than inputs", _size(rng, 2, 4), 2, _size(rng, 7, 10), 1.0),
        ("large weights: saturated units", _size(rng, 3, 5), _size(rng, 3, 5), 4, 6.0),
    ]


def _sequence_shapes(rng):
    """(label, N, T, D, H, weight scale) of the sequence cases."""
    return [
        ("a typical batch of sequences", _size(rng, 2, 4), _size(rng, 4, 7), 4, 5, 1.0),
        ("a single time step", _size(rng, 2, 4), 1, 3, 4, 1.0),
        ("a batch of one long sequence", 1, _size(rng, 12, 16), 3, _size(rng, 3, 5), 1.0),
        ("one hidden unit", 3, _size(rng, 3, 5), 2, 1, 1.0),
        ("large weights: saturated units", 2, _size(rng, 4, 6), 3, 4, 4.0),
    ]


# ------------------------------------------------------------------------------ one step


def _step_args(rng, cell, N, D, H, scale):
    x, prev_h = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    weights = _weights(rng, cell, D, H, scale)
    if cell == "lstm":
        return (x, prev_h, rng.normal(size=(N, H)), *weights)
    return (x, prev_h, *weights)


def _step_forward_cases(cell):
    def cases(rng):
        return [
            case(label, call(f"{cell}_step_forward", *_step_args(rng, cell, N, D, H, scale)))
            for label, N, D, H, scale in _shapes(rng)
        ]

    return cases


def _step_backward_cases(cell):
    cache_at = 2 if cell == "lstm" else 1

    def cases(rng):
        made = []
        for label, N, D, H, scale in _shapes(rng):
            args = _step_args(rng, cell, N, D, H, scale)
            upstream = [rng.normal(size=(N, H)) for _ in range(2 if cell == "lstm" else 1)]
            made.append(
                case(
                    label,
                    call(f"{cell}_step_forward", *args, bind="fwd", record=False),
                    call(f"{cell}_step_backward", *upstream, Ref("fwd", cache_at)),
                )
            )
        return made

    return cases


# ------------------------------------------------------------------------------ sequences


def _sequence_args(rng, cell, N, T, D, H, scale):
    return (rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), *_weights(rng, cell, D, H, scale))


def _forward_cases(cell):
    def cases(rng):
        return [
            case(label, call(f"{cell}_forward", *_sequence_args(rng, cell, N, T, D, H, scale)))
            for label, N, T, D, H, scale in _sequence_shapes(rng)
        ]

    return cases


def _backward_cases(cell):
    def cases(rng):
        made = []
        for label, N, T, D, H, scale in _sequence_shapes(rng):
            args = _sequence_args(rng, cell, N, T, D, H, scale)
            made.append(
                case(
                    label,
                    call(f"{cell}_forward", *args, bind="fwd", record=False),
                    call(f"{cell}_backward", rng.normal(size=(N, T, H)), Ref("fwd", 1)),
                )
            )
        # only the last hidden state gets a gradient: everything else flows back in time
        N, T, D, H = 2, _size(rng, 5, 8), 3, 4
        dh = np.zeros((N, T, H))
        dh[:, -1] = rng.normal(size=(N, H))
        made.append(
            case(
                "a gradient on the last hidden state only",
                call(f"{cell}_forward", *_sequence_args(rng, cell, N, T, D, H, 1.0), bind="fwd",
                     record=False),
                call(f"{cell}_backward", dh, Ref("fwd", 1)),
            )
        )  # fmt: skip
        return made

    return cases


# ------------------------------------------------------------------------------ the checks

STEP_GRADS = ("dx", "dprev_h", "dWx", "dWh", "db")
LSTM_STEP_GRADS = ("dx", "dprev_h", "dprev_c", "dWx", "dWh", "db")
SEQUENCE_GRADS = ("dx", "dh0", "dWx", "dWh", "db")
REFERENCES = {
    "rnn_step_forward": rnn_step_forward,
    "rnn_step_backward": rnn_step_backward,
    "rnn_forward": rnn_forward,
    "rnn_backward": rnn_backward,
    "lstm_step_forward": lstm_step_forward,
    "lstm_step_backward": lstm_step_backward,
    "lstm_forward": lstm_forward,
    "lstm_backward": lstm_backward,
    "gru_step_forward": gru_step_forward,
    "gru_step_backward": gru_step_backward,
}


def _names(prefix, names):
    return {f"{prefix}.{i}": name for i, name in enumerate(names)}


def _forward_check(name, cases, outputs):
    """A forward: only its states (the first ``len(outputs)`` results) count, not the cache."""
    keys = tuple(f"s0.out.{i}" for i in range(len(outputs)))
    return Check(
        grade_id=f"test_{name}",
        function=name,
        reference={name: REFERENCES[name]},
        cases=cases,
        tol=1e-8,
        names=dict(zip(keys, outputs)),
        compare=keys,
    )


def _backward_check(name, forward, cases, grads):
    return Check(
        grade_id=f"test_{name}",
        function=name,
        reference={forward: REFERENCES[forward], name: REFERENCES[name]},
        cases=cases,
        tol=1e-7,
        names=_names("s1.out", grads),
    )


def _seeded_lstm(*args, **kwargs):
    """course_utils.torch_track.lstm_weights.seeded_lstm, imported (with torch) when first used.

    The numpy notebook's hidden checks load this module too and need no torch.
    """
    from course_utils.torch_track.lstm_weights import seeded_lstm

    return seeded_lstm(*args, **kwargs)


def _numpy_lstm_weights_from_torch(lstm):
    """The reference conversion, imported when first used (see _seeded_lstm)."""
    from course_utils.torch_track.lstm_weights import numpy_lstm_weights_from_torch

    return numpy_lstm_weights_from_torch(lstm)


def _conversion_cases(rng):
    shapes = [
        ("a typical LSTM", _size(rng, 3, 6), _size(rng, 3, 6), True),
        ("more inputs than hidden units", _size(rng, 7, 10), 2, True),
        ("one input and one hidden unit", 1, 1, True),
        ("as many inputs as hidden units", 4, 4, True),
        ("an LSTM without biases", _size(rng, 2, 5), _size(rng, 2, 5), False),
    ]
    return [
        case(
            label,
            call(
                "seeded_lstm",
                D,
                H,
                int(rng.integers(0, 2**31)),
                bias=bias,
                bind="lstm",
                record=False,
            ),
            call("numpy_lstm_weights_from_torch", Ref("lstm")),
        )  # fmt: skip
        for label, D, H, bias in shapes
    ]


CHECKS = [
    _forward_check("rnn_step_forward", _step_forward_cases("rnn"), ("next_h",)),
    _backward_check(
        "rnn_step_backward", "rnn_step_forward", _step_backward_cases("rnn"), STEP_GRADS
    ),
    _forward_check("rnn_forward", _forward_cases("rnn"), ("h",)),
    _backward_check("rnn_backward", "rnn_forward", _backward_cases("rnn"), SEQUENCE_GRADS),
    _forward_check("lstm_step_forward", _step_forward_cases("lstm"), ("next_h", "next_c")),
    _backward_check(
        "lstm_step_backward", "lstm_step_forward", _step_backward_cases("lstm"), LSTM_STEP_GRADS
    ),
    _forward_check("lstm_forward", _forward_cases("lstm"), ("h",)),
    _backward_check("lstm_backward", "lstm_forward", _backward_cases("lstm"), SEQUENCE_GRADS),
    _forward_check("gru_step_forward", _step_forward_cases("gru"), ("next_h",)),
    _backward_check(
        "gru_step_backward", "gru_step_forward", _step_backward_cases("gru"), STEP_GRADS
    ),
    Check(
        grade_id="test_numpy_lstm_weights_from_torch",
        function="numpy_lstm_weights_from_torch",
        reference={
            "seeded_lstm": _seeded_lstm,
            "numpy_lstm_weights_from_torch": _numpy_lstm_weights_from_torch,
        },
        cases=_conversion_cases,
        tol=1e-12,
        names=_names("s1.out", ("Wx", "Wh", "b")),
    ),
]
