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

The character model (numpy): ``char_rnn_loss`` receives the recurrent layer as two functions;
a case reads the student's own ``rnn_forward`` and ``rnn_backward`` from the namespace (bound,
not recorded) and passes them, so the loss is graded on the student's layer as the notebook
uses it (the reference side passes the reference layer). ``sample_char_rnn`` draws with given
uniform numbers, so its ids are deterministic. The outcome task ``test_char_tuning`` reads
``best_hidden_size`` and ``best_learning_rate`` and judges them by training the reference
model on the grader's own split of the corpus (a few seconds per run).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from autograder.checks.outcome import level_checks, read_choices
from autograder.spec import Call, Check, Ref, alternatives, call, case
from course_utils.data import CharVocab
from course_utils.experiments.char_rnn_numpy import char_rnn_loss, sample_char_rnn
from course_utils.experiments.temperature import softmax_with_temperature
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
    "char_rnn_loss": char_rnn_loss,
    "sample_char_rnn": sample_char_rnn,
}


def _names(prefix, names):
    return {f"{prefix}.{i}": name for i, name in enumerate(names)}


def _forward_check(name, cases, outputs):
    """A forward: only its states (the first ``len(outputs)`` results) count, not the cache."""
    keys = tuple(f"s0.out.{i}" for i in range(len(outputs)))
    return Check(
        grade_id=f"test_{name}",
        function=name,
        alternatives=alternatives(name, MISTAKES),
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
        alternatives=alternatives(name, MISTAKES),
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


# ------------------------------------------------------------------------------ character model


def _char_params(rng, V, D, H, scale=1.0):
    """A tanh-RNN character model: W_embed (V, D), Wx (D, H), Wh (H, H), b, W_out (H, V), b_out."""
    Wx, Wh, b = _weights(rng, "rnn", D, H, scale)
    return {
        "W_embed": rng.normal(size=(V, D)),
        "Wx": Wx,
        "Wh": Wh,
        "b": b,
        "W_out": scale * rng.normal(size=(H, V)) / np.sqrt(H),
        "b_out": 0.5 * rng.normal(size=V),
    }


def _layer():
    """The student's recurrent layer, read from the namespace and bound (not recorded)."""
    return (
        Call("rnn_forward", bind="forward", record=False, read=True),
        Call("rnn_backward", bind="backward", record=False, read=True),
    )


def _char_loss_cases(rng):
    shapes = [
        ("a typical batch of windows", _size(rng, 3, 5), _size(rng, 4, 7), 6, 3, 4, 1.0),
        ("a batch of one window", 1, _size(rng, 5, 9), 5, 2, 3, 1.0),
        ("windows of one character", _size(rng, 2, 4), 1, 4, 3, 3, 1.0),
        ("large scores", 3, 4, 5, 3, 4, 5.0),
    ]
    made = []
    for label, N, T, V, D, H, scale in shapes:
        x, y = rng.integers(0, V, size=(N, T)), rng.integers(0, V, size=(N, T))
        params = _char_params(rng, V, D, H, scale)
        made.append(
            case(
                label,
                *_layer(),
                call("char_rnn_loss", params, x, y, Ref("forward"), Ref("backward")),
            )
        )
    return made


CHAR_PARAMS = ("W_embed", "Wx", "Wh", "b", "W_out", "b_out")
CHAR_LOSS_NAMES = {
    "s2.out.0": "the loss",
    **{f"s2.out.1.{name}": f"grads['{name}']" for name in CHAR_PARAMS},
}


def _sample_cases(rng):
    shapes = [
        ("temperature 1", 6, 3, 4, 1.0, 3, 12),
        ("a low temperature", 5, 2, 4, 0.3, 2, 10),
        ("a high temperature", 7, 3, 3, 3.0, 1, 10),
        ("temperature 0: the likeliest character", 6, 2, 3, 0.0, 2, 8),
        ("a prime of one character and one draw", 4, 2, 2, 0.8, 1, 1),
    ]
    made = []
    for label, V, D, H, T, P, L in shapes:
        params = _char_params(rng, V, D, H, 1.5)
        prime = rng.integers(0, V, size=P)
        made.append(
            case(label, call("sample_char_rnn", params, prime, T, rng.uniform(0.0, 1.0, size=L)))
        )
    return made


# --- outcome: the hidden size and learning rate of the character model ----------------------

#: what the judge reads, in order, and the reference's own choices (same shapes)
CHAR_CHOICES = {"best_hidden_size": 128, "best_learning_rate": 1e-2}
#: the grader's run: the reference model trained with the choices (Adam, clipping at 5,
#: 400 steps of 32 windows of 25 characters, seed 0); its held-out perplexity is judged.
#: Measured: H = 64 reaches 7.16 at lr 3e-3 (section 5.2's guesses), 6.35 at 1e-2; H = 128
#: 6.14 at 3e-3 and 5.72 at 1e-2; H = 160 at 1e-2 5.69; H = 32 at 1e-2 7.31; H = 2 15.7;
#: lr 1e-5 98; lr 1 diverges.
CHAR_TARGET = 6.0
CHAR_PARTIAL = 7.5
CHAR_LIMITS = {"best_hidden_size": (1, 160), "best_learning_rate": (1e-6, 10.0)}
CHAR_STEPS = 400


@functools.lru_cache(maxsize=1)
def _char_split(seed: int = 2026):
    """The grader's split of the corpus: one block of 4000 characters in ten held out."""
    from course_utils.data import CharVocab, load_text
    from course_utils.experiments.char_rnn_numpy import split_blocks

    text = load_text("python_stdlib")
    vocab = CharVocab.from_text(text)
    train, val = split_blocks(vocab.encode(text), block=4000, held_out=0.1, seed=seed)
    return vocab.size, train, val


@functools.lru_cache(maxsize=16)
def char_perplexity(hidden_size: int, learning_rate: float) -> float:
    """Held-out perplexity of the reference character model trained with the choices."""
    from course_utils.experiments.char_rnn_numpy import (
        held_out_loss,
        init_char_rnn,
        train_char_rnn,
    )

    V, train, val = _char_split()
    params = init_char_rnn(V, hidden_size, embed_dim=32, cell="rnn", seed=0)
    with np.errstate(all="ignore"):  # a diverging learning rate is the student's to find
        train_char_rnn(
            params,
            train,
            forward=rnn_forward,
            backward=rnn_backward,
            num_steps=CHAR_STEPS,
            batch_size=32,
            seq_len=25,
            learning_rate=learning_rate,
            max_norm=5.0,
            rng=np.random.default_rng(0),
        )
        loss = held_out_loss(params, val, rnn_forward, rnn_backward, max_windows=128)
    return float(np.exp(loss)) if math.isfinite(loss) and loss < 50 else math.inf


def char_judge(threshold: float):
    """A judge: None when the grader's run with the student's choices reaches ``threshold``."""

    def judge(got):
        choices, problem = read_choices(got, CHAR_LIMITS, whole=("best_hidden_size",))
        if problem:
            return problem
        reached = char_perplexity(*choices)
        if reached <= threshold:
            return None
        return (
            f"With your choices the model reaches a perplexity of {reached:.3g} on the grader's "
            f"held-out text, above {threshold:g}."
        )

    return judge


# ------------------------------------------------------------------------------ CharRNN (PyTorch)


class _TorchProxy:
    """``torch`` for the reference namespace, imported on first use: the numpy notebook's
    hidden checks load this module too and need no torch."""

    def __getattr__(self, name):
        import torch

        return getattr(torch, name)


def _reference_char_rnn(*args, **kwargs):
    from course_utils.torch_track.models.char_rnn import CharRNN

    return CharRNN(*args, **kwargs)


def _reference_sample(*args, **kwargs):
    from course_utils.torch_track.models.char_rnn import sample

    return sample(*args, **kwargs)


def _char_module_cases(rng):
    shapes = [
        ("one LSTM layer", 7, 3, 5, 1, "lstm", 0.0, 2, 4),
        ("two LSTM layers with dropout between them", 9, 4, 6, 2, "lstm", 0.3, 3, 5),
        ("three GRU layers with dropout", 6, 2, 4, 3, "gru", 0.5, 2, 3),
        ("a batch of one sequence of one character", 5, 3, 3, 2, "lstm", 0.2, 1, 1),
    ]
    return [
        case(
            label,
            call("torch.manual_seed", int(rng.integers(0, 2**31)), record=False),
            call("CharRNN", V, E, H, L, cell, dropout, bind="model", record=False),
            call("model.parameters", bind="params", record=False),
            call("torch.nn.utils.parameters_to_vector", Ref("params"), bind="vec", record=False),
            call("torch.Tensor.detach", Ref("vec"), bind="flat", record=False),
            call("flat.numpy"),
            Call("model.rnn.dropout", read=True),
            call("model.eval", record=False),
            call("torch.as_tensor", rng.integers(0, V, size=(N, T)), bind="x", record=False),
            call("model", Ref("x"), bind="out", record=False),
            call("torch.Tensor.detach", Ref("out", 0), bind="logits", record=False),
            call("logits.numpy"),
        )
        for label, V, E, H, L, cell, dropout, N, T in shapes
    ]


def _sample_torch_cases(rng):
    text = "def f(x):\n    return x + 1\n"  # 15 distinct characters
    settings = [
        ("temperature 1", 1.0, "def", 12),
        ("a low temperature", 0.5, "re", 10),
        ("a high temperature", 2.0, "x", 10),
        ("temperature 0: the likeliest character", 0.0, "f(", 8),
    ]
    return [
        case(
            label,
            call("torch.manual_seed", int(rng.integers(0, 2**31)), record=False),
            call("CharVocab.from_text", text, bind="vocab", record=False),
            call("CharRNN", 15, 4, 6, 2, "lstm", 0.0, bind="model", record=False),
            Call("model.head.weight", bind="w", record=False, read=True),
            call("torch.nn.init.normal_", Ref("w"), 0.0, 2.0, record=False),
            Call("model.rnn.weight_hh_l0", bind="w_hh", record=False, read=True),
            call("torch.nn.init.normal_", Ref("w_hh"), 0.0, 1.5, record=False),
            call("torch.Generator", bind="gen", record=False),
            call("gen.manual_seed", int(rng.integers(0, 2**31)), record=False),
            call("sample", Ref("model"), Ref("vocab"), prime, length, T, Ref("gen"),
                 bind="text", record=False),
            call("vocab.encode", Ref("text")),
        )
        for label, T, prime, length in settings
    ]  # fmt: skip


def _char_rnn_variant(*, use_dropout=True, batch_first=True, order=("embed", "rnn", "head")):
    """A CharRNN with one known mistake (torch imported when it is built)."""

    def build(vocab_size, embed_dim=32, hidden_size=128, num_layers=1, cell="lstm", dropout=0.0):
        from torch import nn

        class Variant(nn.Module):
            def __init__(self):
                super().__init__()
                self.vocab_size, self.cell = vocab_size, cell
                rnn_class = {"lstm": nn.LSTM, "gru": nn.GRU}[cell]
                makers = {
                    "embed": lambda: nn.Embedding(vocab_size, embed_dim),
                    "rnn": lambda: rnn_class(
                        embed_dim, hidden_size, num_layers=num_layers, batch_first=batch_first,
                        dropout=dropout if use_dropout and num_layers > 1 else 0.0,
                    ),
                    "head": lambda: nn.Linear(hidden_size, vocab_size),
                }  # fmt: skip
                for name in order:
                    setattr(self, name, makers[name]())

            def forward(self, x, state=None):
                out, state = self.rnn(self.embed(x), state)
                return self.head(out), state

        return Variant()

    return build


def _sample_variant(*, times=False, carry_state=True, read_prime=True):
    """sample with one known mistake."""

    def sample(model, vocab, prime, length, temperature=1.0, generator=None):
        import torch

        model.eval()
        ids = vocab.encode(prime) if read_prime else vocab.encode(prime[-1])
        with torch.no_grad():
            logits, state = model(torch.as_tensor(ids)[None])
            out = []
            for _ in range(length):
                scores = logits[0, -1].double()
                if temperature == 0:
                    out.append(int(torch.argmax(scores)))
                else:
                    scaled = scores * temperature if times else scores / temperature
                    probs = torch.softmax(scaled, dim=-1)
                    out.append(int(torch.multinomial(probs, 1, generator=generator)))
                logits, state = model(torch.tensor([[out[-1]]]), state if carry_state else None)
        return vocab.decode(out)

    return sample


CHAR_MODULE_NAMES = {
    "s5.out": "the initial parameters, in order",
    "s6.out": "model.rnn.dropout",
    "s11.out": "the logits",
}


# The known mistakes: what a student's wrong output most likely comes from
# (tests/mutants grades each one as a mutant too).


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def rnn_step_no_bias(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x @ Wx + prev_h @ Wh)
    return next_h, (x, prev_h, Wx, Wh, next_h)


def rnn_step_sigmoid(x, prev_h, Wx, Wh, b):
    next_h = sigmoid(x @ Wx + prev_h @ Wh + b)
    return next_h, (x, prev_h, Wx, Wh, next_h)


def rnn_step_transposed_wh(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x @ Wx + prev_h @ Wh.T + b)
    return next_h, (x, prev_h, Wx, Wh, next_h)


def rnn_back_no_tanh_derivative(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def rnn_back_transposed_dwh(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * (1 - next_h**2)
    return da @ Wx.T, da @ Wh.T, x.T @ da, da.T @ prev_h, da.sum(axis=0)


def rnn_back_untransposed_wh(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * (1 - next_h**2)
    return da @ Wx.T, da @ Wh, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def rnn_back_derivative_of_prev_h(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * (1 - prev_h**2)
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def rnn_forward_no_recurrence(x, h0, Wx, Wh, b):
    """Feeds h0 to every step instead of the previous hidden state."""
    caches, hs = [], []
    for t in range(x.shape[1]):
        h, c = rnn_step_forward(x[:, t], h0, Wx, Wh, b)
        hs.append(h)
        caches.append(c)
    return np.stack(hs, axis=1), caches


def rnn_forward_off_by_one(x, h0, Wx, Wh, b):
    """Stores the state before each step: h[:, 0] is h0 and the last state is lost."""
    caches, hs, h = [], [], h0
    for t in range(x.shape[1]):
        hs.append(h)
        h, c = rnn_step_forward(x[:, t], h, Wx, Wh, b)
        caches.append(c)
    return np.stack(hs, axis=1), caches


def rnn_forward_time_major(x, h0, Wx, Wh, b):
    """Reads the sequence backwards in time."""
    caches, hs, h = [], [], h0
    for t in reversed(range(x.shape[1])):
        h, c = rnn_step_forward(x[:, t], h, Wx, Wh, b)
        hs.append(h)
        caches.append(c)
    return np.stack(hs, axis=1), caches


def _bptt(step_backward, dh, cache, *, carry_h=True, accumulate=True, carry_c=True, lstm=False):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    G = 4 if lstm else 1
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, G * H)), np.zeros((H, G * H)), np.zeros(G * H)
    dprev_h, dprev_c = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        upstream = dh[:, t] + (dprev_h if carry_h else 0.0)
        if lstm:
            grads = step_backward(upstream, dprev_c if carry_c else np.zeros((N, H)), cache[t])
            dx_t, dprev_h, dprev_c, dWx_t, dWh_t, db_t = grads
        else:
            dx_t, dprev_h, dWx_t, dWh_t, db_t = step_backward(upstream, cache[t])
        dx[:, t] = dx_t
        if accumulate:
            dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
        else:
            dWx, dWh, db = dWx_t, dWh_t, db_t
    return dx, dprev_h, dWx, dWh, db


def rnn_backward_no_carry(dh, cache):
    """Forgets the gradient that flows back from step t+1."""
    return _bptt(rnn_step_backward, dh, cache, carry_h=False)


def rnn_backward_overwrites(dh, cache):
    """Overwrites the weight gradients at each step instead of summing them."""
    return _bptt(rnn_step_backward, dh, cache, accumulate=False)


def rnn_backward_zero_dh0(dh, cache):
    dx, _, dWx, dWh, db = _bptt(rnn_step_backward, dh, cache)
    return dx, np.zeros_like(dh[:, 0]), dWx, dWh, db


def _lstm_gates(a, H, order):
    blocks = {name: a[:, k * H : (k + 1) * H] for k, name in enumerate(order)}
    return sigmoid(blocks["i"]), sigmoid(blocks["f"]), sigmoid(blocks["o"]), np.tanh(blocks["g"])


def lstm_step_torch_order(x, prev_h, prev_c, Wx, Wh, b):
    """Reads the blocks in PyTorch's order i, f, g, o."""
    H = prev_h.shape[1]
    i, f, o, g = _lstm_gates(x @ Wx + prev_h @ Wh + b, H, "ifgo")
    next_c = f * prev_c + i * g
    return o * np.tanh(next_c), next_c, None


def lstm_step_no_tanh_of_c(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    i, f, o, g = _lstm_gates(x @ Wx + prev_h @ Wh + b, H, "ifog")
    next_c = f * prev_c + i * g
    return o * next_c, next_c, None


def lstm_step_no_forget_gate(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    i, f, o, g = _lstm_gates(x @ Wx + prev_h @ Wh + b, H, "ifog")
    next_c = prev_c + i * g
    return o * np.tanh(next_c), next_c, None


def _lstm_back(dnext_h, dnext_c, cache, *, through_h=True, keep_f=True, order="ifog"):
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c = cache
    dc = dnext_c + (dnext_h * o * (1 - tanh_c**2) if through_h else 0.0)
    parts = {
        "i": dc * g * i * (1 - i),
        "f": dc * prev_c * f * (1 - f),
        "o": dnext_h * tanh_c * o * (1 - o),
        "g": dc * i * (1 - g**2),
    }
    da = np.concatenate([parts[name] for name in order], axis=1)
    dprev_c = dc * f if keep_f else dc
    return da @ Wx.T, da @ Wh.T, dprev_c, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def lstm_back_cell_only(dnext_h, dnext_c, cache):
    """The gradient of next_h does not reach the cell state."""
    return _lstm_back(dnext_h, dnext_c, cache, through_h=False)


def lstm_back_no_forget_factor(dnext_h, dnext_c, cache):
    """dprev_c = dc, forgetting the factor f."""
    return _lstm_back(dnext_h, dnext_c, cache, keep_f=False)


def lstm_back_torch_order(dnext_h, dnext_c, cache):
    """Concatenates the gate gradients in PyTorch's order i, f, g, o."""
    return _lstm_back(dnext_h, dnext_c, cache, order="ifgo")


def _lstm_run(x, h0, Wx, Wh, b, *, c0_from_h0=False, carry_c=True, return_c=False):
    N, T, _ = x.shape
    h, c = h0, (h0.copy() if c0_from_h0 else np.zeros_like(h0))
    hs, cs, caches = [], [], []
    for t in range(T):
        h, c_next, step_cache = lstm_step_forward(x[:, t], h, c, Wx, Wh, b)
        c = c_next if carry_c else np.zeros_like(h0)
        hs.append(h)
        cs.append(c_next)
        caches.append(step_cache)
    return np.stack(cs if return_c else hs, axis=1), caches


def lstm_forward_c0_is_h0(x, h0, Wx, Wh, b):
    return _lstm_run(x, h0, Wx, Wh, b, c0_from_h0=True)


def lstm_forward_resets_cell(x, h0, Wx, Wh, b):
    return _lstm_run(x, h0, Wx, Wh, b, carry_c=False)


def lstm_forward_returns_cells(x, h0, Wx, Wh, b):
    return _lstm_run(x, h0, Wx, Wh, b, return_c=True)


def lstm_backward_no_cell_carry(dh, cache):
    """Drops the gradient of the cell state between steps."""
    return _bptt(lstm_step_backward, dh, cache, carry_c=False, lstm=True)


def lstm_backward_no_hidden_carry(dh, cache):
    return _bptt(lstm_step_backward, dh, cache, carry_h=False, lstm=True)


def lstm_backward_overwrites(dh, cache):
    return _bptt(lstm_step_backward, dh, cache, accumulate=False, lstm=True)


def _gru_gates(x, prev_h, Wx, Wh, b):
    H = prev_h.shape[1]
    ax = x @ Wx + b
    r = sigmoid(ax[:, :H] + prev_h @ Wh[:, :H])
    u = sigmoid(ax[:, H : 2 * H] + prev_h @ Wh[:, H : 2 * H])
    return H, ax, r, u


def gru_step_torch_reset(x, prev_h, Wx, Wh, b):
    """PyTorch's candidate: the reset gate after the product, r * (prev_h Wh_c)."""
    H, ax, r, u = _gru_gates(x, prev_h, Wx, Wh, b)
    cand = np.tanh(ax[:, 2 * H :] + r * (prev_h @ Wh[:, 2 * H :]))
    return u * prev_h + (1 - u) * cand, None


def gru_step_swapped_update(x, prev_h, Wx, Wh, b):
    H, ax, r, u = _gru_gates(x, prev_h, Wx, Wh, b)
    cand = np.tanh(ax[:, 2 * H :] + (r * prev_h) @ Wh[:, 2 * H :])
    return (1 - u) * prev_h + u * cand, None


def gru_step_no_reset(x, prev_h, Wx, Wh, b):
    H, ax, r, u = _gru_gates(x, prev_h, Wx, Wh, b)
    cand = np.tanh(ax[:, 2 * H :] + prev_h @ Wh[:, 2 * H :])
    return u * prev_h + (1 - u) * cand, None


def _gru_back(dnext_h, cache, *, direct=True, through_r=True, sign=1.0):
    x, prev_h, Wx, Wh, r, u, cand = cache
    H = prev_h.shape[1]
    dac = dnext_h * (1 - u) * (1 - cand**2)
    drh = dac @ Wh[:, 2 * H :].T
    dar = drh * prev_h * r * (1 - r)
    dau = sign * dnext_h * (prev_h - cand) * u * (1 - u)
    dgates = np.concatenate((dar, dau), axis=1)
    da = np.concatenate((dgates, dac), axis=1)
    dprev_h = dgates @ Wh[:, : 2 * H].T
    dprev_h = dprev_h + (dnext_h * u if direct else 0.0) + (drh * r if through_r else drh)
    dWh = np.concatenate((prev_h.T @ dgates, (r * prev_h).T @ dac), axis=1)
    return da @ Wx.T, dprev_h, x.T @ da, dWh, da.sum(axis=0)


def gru_back_no_direct_path(dnext_h, cache):
    """Forgets the direct path u * prev_h into dprev_h."""
    return _gru_back(dnext_h, cache, direct=False)


def gru_back_forgets_r_in_candidate(dnext_h, cache):
    """Passes the candidate's gradient to prev_h without the factor r."""
    return _gru_back(dnext_h, cache, through_r=False)


def gru_back_update_sign(dnext_h, cache):
    """Differentiates u with (cand - prev_h): the sign of the update gate's gradient flips."""
    return _gru_back(dnext_h, cache, sign=-1.0)


def _torch_arrays(lstm):
    W_ih = lstm.weight_ih_l0.detach().double().numpy()
    W_hh = lstm.weight_hh_l0.detach().double().numpy()
    H = lstm.hidden_size
    if lstm.bias:
        b_ih = lstm.bias_ih_l0.detach().double().numpy()
        b_hh = lstm.bias_hh_l0.detach().double().numpy()
    else:
        b_ih = b_hh = np.zeros(4 * H)
    return W_ih, W_hh, b_ih, b_hh, H


def _reorder(H, blocks):
    return np.concatenate([np.arange(k * H, (k + 1) * H) for k in blocks])


def weights_torch_order(lstm):
    """Transposes but keeps PyTorch's gate order i, f, g, o."""
    W_ih, W_hh, b_ih, b_hh, H = _torch_arrays(lstm)
    return W_ih.T.copy(), W_hh.T.copy(), b_ih + b_hh


def weights_one_bias(lstm):
    """Keeps only b_ih (PyTorch has two biases that add up)."""
    W_ih, W_hh, b_ih, b_hh, H = _torch_arrays(lstm)
    order = _reorder(H, (0, 1, 3, 2))
    return W_ih[order].T.copy(), W_hh[order].T.copy(), b_ih[order]


def weights_swapped_i_f(lstm):
    """Orders the blocks f, i, o, g."""
    W_ih, W_hh, b_ih, b_hh, H = _torch_arrays(lstm)
    order = _reorder(H, (1, 0, 3, 2))
    return W_ih[order].T.copy(), W_hh[order].T.copy(), (b_ih + b_hh)[order]


def weights_reshaped_not_transposed(lstm):
    """Reshapes (4H, D) to (D, 4H) instead of transposing: the right shape, scrambled."""
    W_ih, W_hh, b_ih, b_hh, H = _torch_arrays(lstm)
    order = _reorder(H, (0, 1, 3, 2))
    D = W_ih.shape[1]
    return W_ih[order].reshape(D, 4 * H), W_hh[order].reshape(H, 4 * H), (b_ih + b_hh)[order]


def char_loss_summed_over_time(params, x, y, forward, backward):
    """The loss and gradients summed over the T steps (temporal_softmax_loss's convention)."""
    loss, grads = char_rnn_loss(params, x, y, forward, backward)
    T = x.shape[1]
    return loss * T, {name: g * T for name, g in grads.items()}


def char_loss_gradient_of_the_sum(params, x, y, forward, backward):
    """The loss averaged over N T characters, its gradients not divided by T."""
    loss, grads = char_rnn_loss(params, x, y, forward, backward)
    return loss, {name: g * x.shape[1] for name, g in grads.items()}


def char_loss_targets_are_inputs(params, x, y, forward, backward):
    """Scores each input character instead of the next one (y ignored)."""
    return char_rnn_loss(params, x, x, forward, backward)


def char_loss_no_embedding_gradient(params, x, y, forward, backward):
    """dx of the recurrent layer never reaches W_embed."""
    loss, grads = char_rnn_loss(params, x, y, forward, backward)
    return loss, {**grads, "W_embed": np.zeros_like(params["W_embed"])}


def _draw(p, u):
    return min(int(np.searchsorted(np.cumsum(p), u, side="right")), p.size - 1)


def _sampler(
    params,
    prime_ids,
    temperature,
    uniforms,
    *,
    times=False,
    feed_prime=False,
    skip_last_prime=False,
):
    Wx, Wh, b, W_embed = params["Wx"], params["Wh"], params["b"], params["W_embed"]
    h = np.zeros((1, Wh.shape[0]))
    prime = list(prime_ids[:-1] if skip_last_prime and len(prime_ids) > 1 else prime_ids)
    for char_id in prime:
        h, _ = rnn_step_forward(W_embed[[int(char_id)]], h, Wx, Wh, b)
    ids = np.zeros(len(uniforms), dtype=np.int64)
    for t, u in enumerate(uniforms):
        scores = h[0] @ params["W_out"] + params["b_out"]
        if times:
            p = softmax_with_temperature(scores * temperature, 1.0)
        else:
            p = softmax_with_temperature(scores, temperature)
        ids[t] = _draw(p, u)
        fed = int(prime_ids[-1]) if feed_prime else ids[t]
        h, _ = rnn_step_forward(W_embed[[fed]], h, Wx, Wh, b)
    return ids


def sample_times_temperature(params, prime_ids, temperature, uniforms):
    """softmax(scores * T): the temperature multiplies where it divides."""
    return _sampler(params, prime_ids, temperature, uniforms, times=True)


def sample_feeds_the_prime(params, prime_ids, temperature, uniforms):
    """Feeds the prime's last character back at every step instead of the drawn one."""
    return _sampler(params, prime_ids, temperature, uniforms, feed_prime=True)


def sample_skips_last_prime_char(params, prime_ids, temperature, uniforms):
    """Starts drawing before reading the prime's last character."""
    return _sampler(params, prime_ids, temperature, uniforms, skip_last_prime=True)


#: per graded function, (what the mistake is, an implementation that makes it)
MISTAKES = {
    "rnn_step_forward": [
        ("the bias b is missing in the step", rnn_step_no_bias),
        ("a sigmoid where the RNN step uses tanh", rnn_step_sigmoid),
        ("Wh transposed in the step: prev_h @ Wh", rnn_step_transposed_wh),
    ],
    "rnn_step_backward": [
        ("the tanh derivative (1 - next_h²) is missing", rnn_back_no_tanh_derivative),
        ("dWh transposed: dWh = prev_h.T @ da", rnn_back_transposed_dwh),
        ("dprev_h needs Wh transposed: da @ Wh.T", rnn_back_untransposed_wh),
        ("the tanh derivative taken at prev_h: it is 1 - next_h²", rnn_back_derivative_of_prev_h),
    ],
    "rnn_forward": [
        (
            "h0 fed to every step: each step takes the previous hidden state",
            rnn_forward_no_recurrence,
        ),
        (
            "the states stored one step late: h[:, t] is the state after step t",
            rnn_forward_off_by_one,
        ),
        ("the sequence read backwards in time", rnn_forward_time_major),
    ],
    "rnn_backward": [
        ("the gradient from step t+1 is not carried back into step t", rnn_backward_no_carry),
        ("the weight gradients are overwritten at each step: sum them", rnn_backward_overwrites),
        ("dh0 is left at zero: it is the dprev_h of the first step", rnn_backward_zero_dh0),
    ],
    "lstm_step_forward": [
        (
            "the gates read in PyTorch's order i, f, g, o: the course's is i, f, o, g",
            lstm_step_torch_order,
        ),
        ("next_h = o * next_c: the tanh of the cell is missing", lstm_step_no_tanh_of_c),
        ("the forget gate is missing: next_c = f * prev_c + i * g", lstm_step_no_forget_gate),
    ],
    "lstm_step_backward": [
        ("the gradient of next_h does not reach the cell state", lstm_back_cell_only),
        ("dprev_c without the factor f", lstm_back_no_forget_factor),
        ("the gate gradients concatenated in PyTorch's order i, f, g, o", lstm_back_torch_order),
    ],
    "lstm_forward": [
        ("c0 taken as h0: the cell state starts at zero", lstm_forward_c0_is_h0),
        ("the cell state reset at every step: carry it", lstm_forward_resets_cell),
        ("the cell states returned where the hidden states belong", lstm_forward_returns_cells),
    ],
    "lstm_backward": [
        ("the cell state's gradient is not carried between steps", lstm_backward_no_cell_carry),
        ("the hidden state's gradient is not carried between steps", lstm_backward_no_hidden_carry),
        ("the weight gradients are overwritten at each step: sum them", lstm_backward_overwrites),
    ],
    "gru_step_forward": [
        (
            "the reset gate after the product (PyTorch's form): use (r * prev_h) Wh",
            gru_step_torch_reset,
        ),
        ("u and 1 - u swapped: next_h = u * prev_h + (1 - u) * candidate", gru_step_swapped_update),
        ("the reset gate is missing in the candidate", gru_step_no_reset),
    ],
    "gru_step_backward": [
        ("the direct path u * prev_h is missing from dprev_h", gru_back_no_direct_path),
        (
            "the candidate's gradient reaches prev_h without the factor r",
            gru_back_forgets_r_in_candidate,
        ),
        ("the sign of the update gate's gradient is flipped", gru_back_update_sign),
    ],
    "char_rnn_loss": [
        (
            "the loss summed over the T steps: average it over all N T characters",
            char_loss_summed_over_time,
        ),
        (
            "the gradients are those of the sum over T: divide them by N T as the loss",
            char_loss_gradient_of_the_sum,
        ),
        (
            "each character scored against itself: the targets are y, the next characters",
            char_loss_targets_are_inputs,
        ),
        (
            "grads['W_embed'] is zero: the recurrent layer's dx flows into the embedding",
            char_loss_no_embedding_gradient,
        ),
    ],
    "sample_char_rnn": [
        ("softmax(scores * T): the temperature divides the scores", sample_times_temperature),
        (
            "the prime's last character fed back at every step: feed the character just drawn",
            sample_feeds_the_prime,
        ),
        (
            "drawing starts before the prime's last character was read",
            sample_skips_last_prime_char,
        ),
    ],
    "CharRNN": [
        (
            "the recurrent layer without dropout: pass dropout to nn.LSTM when L > 1",
            _char_rnn_variant(use_dropout=False),
        ),
        (
            "batch_first forgotten: the layer reads (N, T) as (T, N)",
            _char_rnn_variant(batch_first=False),
        ),
        (
            "the layers created in another order than embed, rnn, head: other initial weights",
            _char_rnn_variant(order=("rnn", "embed", "head")),
        ),
    ],
    "sample": [
        ("softmax(logits * T): the temperature divides the logits", _sample_variant(times=True)),
        (
            "the state is not carried from one character to the next",
            _sample_variant(carry_state=False),
        ),
        ("only the prime's last character is read", _sample_variant(read_prime=False)),
    ],
    "numpy_lstm_weights_from_torch": [
        (
            "PyTorch's gate order kept: reorder the blocks i, f, g, o to i, f, o, g",
            weights_torch_order,
        ),
        ("b_hh forgotten: PyTorch's two biases add up", weights_one_bias),
        ("the input and forget blocks swapped", weights_swapped_i_f),
        (
            "reshaped instead of transposed: the right shape, scrambled values",
            weights_reshaped_not_transposed,
        ),
    ],
}


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
        grade_id="test_char_rnn_loss",
        function="char_rnn_loss",
        alternatives=alternatives("char_rnn_loss", MISTAKES),
        reference={
            "rnn_forward": rnn_forward,
            "rnn_backward": rnn_backward,
            "char_rnn_loss": char_rnn_loss,
        },
        cases=_char_loss_cases,
        tol=1e-7,
        names=CHAR_LOSS_NAMES,
    ),
    Check(
        grade_id="test_sample_char_rnn",
        function="sample_char_rnn",
        alternatives=alternatives("sample_char_rnn", MISTAKES),
        reference={"sample_char_rnn": sample_char_rnn},
        cases=_sample_cases,
        tol=0.0,
        names={"s0.out": "the drawn ids"},
    ),
    *level_checks(
        "test_char_tuning",
        CHAR_CHOICES,
        char_judge,
        (
            (
                f"your choices reach a perplexity of {CHAR_PARTIAL:g} on the grader's text",
                CHAR_PARTIAL,
            ),
            (
                f"your choices reach a perplexity of {CHAR_TARGET:g} on the grader's text",
                CHAR_TARGET,
            ),
        ),
    ),
    Check(
        grade_id="test_CharRNN",
        function="CharRNN",
        alternatives=alternatives("CharRNN", MISTAKES),
        reference={"torch": _TorchProxy(), "CharRNN": _reference_char_rnn},
        cases=_char_module_cases,
        tol=1e-5,
        names=CHAR_MODULE_NAMES,
    ),
    Check(
        grade_id="test_sample",
        function="sample",
        alternatives=alternatives("sample", MISTAKES),
        reference={
            "torch": _TorchProxy(),
            "CharVocab": CharVocab,
            "CharRNN": _reference_char_rnn,
            "sample": _reference_sample,
        },
        cases=_sample_torch_cases,
        tol=0.0,
        names={"s10.out": "the ids of the sampled text"},
    ),
    Check(
        grade_id="test_numpy_lstm_weights_from_torch",
        function="numpy_lstm_weights_from_torch",
        alternatives=alternatives("numpy_lstm_weights_from_torch", MISTAKES),
        reference={
            "seeded_lstm": _seeded_lstm,
            "numpy_lstm_weights_from_torch": _numpy_lstm_weights_from_torch,
        },
        cases=_conversion_cases,
        tol=1e-12,
        names=_names("s1.out", ("Wx", "Wh", "b")),
    ),
]
