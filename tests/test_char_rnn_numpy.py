"""experiments.char_rnn_numpy: the numpy character model, checked numerically and against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils.experiments.char_rnn_numpy import (
    char_rnn_loss,
    held_out_loss,
    held_out_windows,
    init_char_rnn,
    make_step_fn,
    sample_char_rnn,
    split_blocks,
    train_char_rnn,
)
from course_utils.experiments.temperature import softmax_with_temperature
from course_utils.gradcheck import eval_numerical_gradient, rel_error
from course_utils.optim import sgd
from course_utils.rnn_layers import (
    lstm_backward,
    lstm_forward,
    lstm_step_forward,
    rnn_backward,
    rnn_forward,
    rnn_step_forward,
)

pytestmark = pytest.mark.numerics  # run under forced BLAS kernels: tests/portability.py

LAYERS = {
    "rnn": (rnn_forward, rnn_backward, rnn_step_forward),
    "lstm": (lstm_forward, lstm_backward, lstm_step_forward),
}


def _small_problem(cell, seed=0, V=7, H=4, N=2, T=3):
    params = init_char_rnn(V, H, embed_dim=3, cell=cell, seed=seed)
    rng = np.random.default_rng(seed + 1)
    x, y = rng.integers(0, V, size=(N, T)), rng.integers(0, V, size=(N, T))
    return params, x, y


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_init_shapes(cell):
    params = init_char_rnn(11, 5, embed_dim=3, cell=cell, seed=0)
    G = 1 if cell == "rnn" else 4
    shapes = {k: v.shape for k, v in params.items()}
    assert shapes == {
        "W_embed": (11, 3),
        "Wx": (3, G * 5),
        "Wh": (5, G * 5),
        "b": (G * 5,),
        "W_out": (5, 11),
        "b_out": (11,),
    }
    with pytest.raises(ValueError, match="cell"):
        init_char_rnn(11, 5, cell="gru")


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
@pytest.mark.parametrize("shape", [(7, 4, 2, 3), (5, 3, 1, 5)])
def test_gradients_numerically(cell, shape):
    V, H, N, T = shape
    params, x, y = _small_problem(cell, V=V, H=H, N=N, T=T)
    forward, backward, _ = LAYERS[cell]
    _, grads = char_rnn_loss(params, x, y, forward, backward)
    for name, value in params.items():

        def f(_, name=name):
            return char_rnn_loss(params, x, y, forward, backward)[0]

        numeric = eval_numerical_gradient(f, value, verbose=False)
        assert rel_error(numeric, grads[name]) < 2e-6, name  # centred differences, h = 1e-5


def _torch_loss(params, x, y, cell):
    """The same model as torch operations (float64), the oracle for loss and gradients."""
    p = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    N, T = x.shape
    H = params["Wh"].shape[0]
    emb = p["W_embed"][torch.as_tensor(x)]  # (N, T, D)
    h, c = torch.zeros(N, H, dtype=torch.float64), torch.zeros(N, H, dtype=torch.float64)
    hs = []
    for t in range(T):
        a = emb[:, t] @ p["Wx"] + h @ p["Wh"] + p["b"]
        if cell == "rnn":
            h = torch.tanh(a)
        else:
            i, f, o = (torch.sigmoid(a[:, k * H : (k + 1) * H]) for k in range(3))
            c = f * c + i * torch.tanh(a[:, 3 * H :])
            h = o * torch.tanh(c)
        hs.append(h)
    scores = torch.stack(hs, dim=1) @ p["W_out"] + p["b_out"]  # (N, T, V)
    loss = torch.nn.functional.cross_entropy(
        scores.reshape(N * T, -1), torch.as_tensor(y).reshape(-1)
    )
    loss.backward()
    return loss.item(), {k: v.grad.numpy() for k, v in p.items()}


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_loss_and_gradients_match_torch(cell):
    params, x, y = _small_problem(cell, seed=3, V=9, H=5, N=3, T=4)
    forward, backward, _ = LAYERS[cell]
    loss, grads = char_rnn_loss(params, x, y, forward, backward)
    expected_loss, expected = _torch_loss(params, x, y, cell)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    for name in params:
        assert rel_error(grads[name], expected[name]) < 1e-9, name


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_step_fn_matches_the_sequence_forward(cell):
    params, x, _ = _small_problem(cell, seed=5, V=6, H=4, N=1, T=5)
    forward, _, step_forward = LAYERS[cell]
    emb = params["W_embed"][x]  # (1, T, D)
    h, _ = forward(emb, np.zeros((1, 4)), params["Wx"], params["Wh"], params["b"])
    step_fn, state = make_step_fn(params, step_forward, cell)
    for t in range(x.shape[1]):
        scores, state = step_fn(int(x[0, t]), state)
        np.testing.assert_allclose(scores, h[0, t] @ params["W_out"] + params["b_out"], rtol=1e-12)


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_training_learns_a_repetitive_text(cell):
    ids = np.tile(np.arange(5), 40)  # "abcde" repeated: perfectly predictable
    params = init_char_rnn(5, 8, embed_dim=4, cell=cell, seed=0)
    forward, backward, _ = LAYERS[cell]
    history = train_char_rnn(
        params, ids, forward=forward, backward=backward, num_steps=80, batch_size=8,
        seq_len=6, learning_rate=2e-2, rng=np.random.default_rng(0),
    )  # fmt: skip
    assert history["loss"].shape == history["grad_norm"].shape == (80,)
    assert history["loss"][:5].mean() > 1.0 and history["loss"][-5:].mean() < 0.2


def test_clipping_bounds_the_update_but_records_the_norm_before():
    ids = np.tile(np.arange(5), 40)
    runs = {}
    for max_norm in (None, 1e-3):
        params = init_char_rnn(5, 8, embed_dim=4, seed=1)
        start = {k: v.copy() for k, v in params.items()}
        history = train_char_rnn(
            params, ids, forward=rnn_forward, backward=rnn_backward, num_steps=1,
            learning_rate=1.0, max_norm=max_norm, update_rule=sgd, rng=2,
        )  # fmt: skip
        step = np.sqrt(sum(np.sum((params[k] - start[k]) ** 2) for k in params))
        runs[max_norm] = (history["grad_norm"][0], step)
    (norm_raw, step_raw), (norm_clipped, step_clipped) = runs[None], runs[1e-3]
    assert norm_raw == pytest.approx(norm_clipped) and norm_raw > 0.01
    assert step_raw == pytest.approx(norm_raw)  # SGD with learning rate 1: the step is the gradient
    assert step_clipped == pytest.approx(1e-3, rel=1e-3)


def test_sample_char_rnn_follows_the_step_function_and_draws_by_inverse_cdf():
    """Each draw is the first index whose cumulative probability exceeds u, from the scores
    make_step_fn gives after the prime and the earlier draws."""
    V = 6
    params = init_char_rnn(V, 5, embed_dim=3, cell="rnn", seed=3)
    params["W_out"] *= 4.0  # far from uniform
    step_fn, state = make_step_fn(params, rnn_step_forward, "rnn")
    prime = np.array([1, 4, 2])
    uniforms = np.random.default_rng(0).random(20)
    for T in (0.0, 0.5, 1.0, 3.0):
        ids = sample_char_rnn(params, prime, T, uniforms)
        assert ids.shape == (20,) and ids.dtype == np.int64
        s = state
        for c in prime:
            scores, s = step_fn(int(c), s)
        for t, u in enumerate(uniforms):
            cdf = np.cumsum(softmax_with_temperature(scores, T))
            assert ids[t] == min(int(np.sum(cdf <= u)), V - 1)
            scores, s = step_fn(int(ids[t]), s)
    greedy = sample_char_rnn(params, prime, 0.0, uniforms)
    assert np.array_equal(greedy, sample_char_rnn(params, prime, 0.0, 1.0 - uniforms))


def test_sample_char_rnn_frequencies_match_the_distribution():
    params = init_char_rnn(5, 3, embed_dim=2, cell="rnn", seed=1)
    step_fn, state = make_step_fn(params, rnn_step_forward, "rnn")
    scores, _ = step_fn(2, state)
    p = softmax_with_temperature(scores, 0.7)
    uniforms = np.random.default_rng(1).random(4000)
    first = [sample_char_rnn(params, np.array([2]), 0.7, u[None])[0] for u in uniforms]
    freq = np.bincount(first, minlength=5) / len(first)
    assert np.max(np.abs(freq - p)) < 0.03


def test_split_blocks_holds_out_a_tenth_of_whole_blocks():
    ids = np.arange(10_050)
    train, val = split_blocks(ids, block=100, held_out=0.1, seed=0)
    assert len(train) + len(val) == len(ids)
    assert np.array_equal(np.sort(np.concatenate([train, val])), ids)
    assert len(val) in (1000, 950)  # ten blocks of 100, one of them maybe the short last one
    starts = val[np.flatnonzero(np.diff(val, prepend=-1) != 1)]
    assert np.all(starts % 100 == 0)
    again = split_blocks(ids, block=100, held_out=0.1, seed=0)
    assert np.array_equal(again[1], val)


def test_held_out_loss_is_the_loss_on_windows_spread_over_the_text():
    params = init_char_rnn(7, 4, embed_dim=3, cell="rnn", seed=0)
    ids = np.random.default_rng(0).integers(0, 7, size=230)
    x, y = held_out_windows(ids, seq_len=50, max_windows=64)
    assert x.shape == (4, 50) and np.array_equal(y[:, :-1], x[:, 1:])
    assert np.array_equal(x[0], ids[:50])  # the first window starts the text
    assert np.array_equal(y[-1], ids[-50:])  # the last window ends at the text's end
    windows = {tuple(row) for row in x}
    assert len(windows) == 4
    x2, _ = held_out_windows(ids, seq_len=50, max_windows=2)
    assert np.array_equal(x2[0], ids[:50]) and np.array_equal(x2[1], ids[179:229])
    expected = char_rnn_loss(params, x, y, rnn_forward, rnn_backward)[0]
    assert held_out_loss(params, ids, rnn_forward, rnn_backward) == pytest.approx(expected)
    with pytest.raises(ValueError, match="shorter"):
        held_out_windows(ids[:30], seq_len=50)


def test_train_char_rnn_records_the_held_out_loss_and_uses_the_given_loss():
    params = init_char_rnn(7, 4, embed_dim=3, cell="rnn", seed=0)
    ids = np.random.default_rng(0).integers(0, 7, size=600)
    calls = []

    def counting_loss(*args):
        calls.append(1)
        return char_rnn_loss(*args)

    history = train_char_rnn(
        params, ids[:400], forward=rnn_forward, backward=rnn_backward, num_steps=7,
        batch_size=2, seq_len=5, rng=0, loss_fn=counting_loss, val_ids=ids[400:],
        eval_every=3,
    )  # fmt: skip
    assert list(history["val_step"]) == [0, 3, 6, 7]
    assert history["val_loss"].shape == (4,) and np.all(np.isfinite(history["val_loss"]))
    assert len(calls) == 7 + 4
    assert history["val_loss"][-1] == pytest.approx(
        held_out_loss(params, ids[400:], rnn_forward, rnn_backward)
    )
