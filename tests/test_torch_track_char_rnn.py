"""The PyTorch character model (models/char_rnn.py) and the nn.LSTM -> numpy weight bridge."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils.data import CharVocab
from course_utils.rnn_layers import lstm_forward
from course_utils.torch_track.lstm_weights import numpy_lstm_weights_from_torch, seeded_lstm
from course_utils.torch_track.models.char_rnn import (
    CharRNN,
    char_batch,
    held_out_loss,
    numpy_step_fn,
    sample,
    train_char_rnn,
)

pytestmark = pytest.mark.numerics  # run under forced BLAS kernels: tests/portability.py

VOCAB = CharVocab("abcdefgh")


def _model(cell="lstm", seed=0, **kwargs):
    torch.manual_seed(seed)  # nn.Module init draws from the global generator
    return CharRNN(VOCAB.size, embed_dim=4, hidden_size=6, cell=cell, **kwargs)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_forward_shapes_and_state(cell, num_layers):
    model = _model(cell, num_layers=num_layers)
    x = torch.randint(0, VOCAB.size, (3, 5), generator=torch.Generator().manual_seed(0))
    logits, state = model(x)
    assert logits.shape == (3, 5, VOCAB.size)
    h = state[0] if cell == "lstm" else state
    assert h.shape == (num_layers, 3, 6)
    # the state carries over: two halves equal the whole
    first, mid = model(x[:, :2])
    second, _ = model(x[:, 2:], mid)
    torch.testing.assert_close(torch.cat([first, second], dim=1), logits)


def test_unknown_cell():
    with pytest.raises(ValueError, match="cell"):
        CharRNN(5, cell="rnn")


def test_char_batch_windows():
    ids = torch.arange(100)
    x, y = char_batch(ids, 4, 7, torch.Generator().manual_seed(1))
    assert x.shape == y.shape == (4, 7)
    torch.testing.assert_close(y, x + 1)
    torch.testing.assert_close(x[:, 1:], x[:, :-1] + 1)


def test_sample_is_seeded_and_greedy_at_zero():
    model = _model()
    a = sample(model, VOCAB, "abc", 40, 1.0, torch.Generator().manual_seed(5))
    b = sample(model, VOCAB, "abc", 40, 1.0, torch.Generator().manual_seed(5))
    c = sample(model, VOCAB, "abc", 40, 1.0, torch.Generator().manual_seed(6))
    assert a == b != c and len(a) == 40 and set(a) <= set(VOCAB.chars)
    greedy = sample(model, VOCAB, "abc", 10, 0.0)
    ids = list(VOCAB.encode("abc"))
    with torch.no_grad():
        for _ in range(10):
            logits, _ = model(torch.tensor([ids]))
            ids.append(int(torch.argmax(logits[0, -1])))
    assert greedy == VOCAB.decode(ids[3:])
    with pytest.raises(ValueError):
        sample(model, VOCAB, "", 5)
    with pytest.raises(ValueError):
        sample(model, VOCAB, "a", 5, temperature=-1.0)


def test_sample_keeps_the_training_mode():
    model = _model().train()
    sample(model, VOCAB, "ab", 3, 1.0, torch.Generator().manual_seed(0))
    assert model.training


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_numpy_step_fn_matches_forward(cell):
    model = _model(cell).eval()
    ids = VOCAB.encode("abhgc")
    with torch.no_grad():
        logits, _ = model(torch.as_tensor(ids)[None])
    step_fn, state = numpy_step_fn(model)
    for t, char_id in enumerate(ids):
        scores, state = step_fn(int(char_id), state)
        assert scores.dtype == np.float64 and scores.shape == (VOCAB.size,)
        np.testing.assert_allclose(scores, logits[0, t].double().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_training_learns_a_repetitive_text(cell):
    ids = np.tile(np.arange(VOCAB.size), 30)
    model = _model(cell)
    threads = torch.get_num_threads()
    losses = train_char_rnn(
        model, ids, steps=60, batch_size=8, seq_len=10, lr=3e-2, device=torch.device("cpu")
    )
    assert torch.get_num_threads() == threads  # the single-thread block restores the setting
    assert len(losses) == 60 and not model.training
    assert np.mean(losses[:3]) > 1.5 and np.mean(losses[-5:]) < 0.3
    assert sample(model, VOCAB, "abc", 8, 0.0) == "defghabc"


def test_seeded_lstm_is_deterministic_and_leaves_the_global_generator_alone():
    before = torch.random.get_rng_state()
    a, b = seeded_lstm(3, 4, seed=7), seeded_lstm(3, 4, seed=7)
    assert torch.equal(torch.random.get_rng_state(), before)
    for (name, pa), (_, pb) in zip(a.named_parameters(), b.named_parameters()):
        assert pa.dtype == torch.float64 and torch.equal(pa, pb), name
    c = seeded_lstm(3, 4, seed=8)
    assert not torch.equal(a.weight_ih_l0, c.weight_ih_l0)
    assert not seeded_lstm(3, 4, seed=1, bias=False).bias


@pytest.mark.parametrize(
    ("D", "H", "bias"), [(3, 4, True), (5, 2, True), (1, 1, True), (4, 3, False)]
)
def test_converted_weights_make_the_numpy_lstm_equal_nn_lstm(D, H, bias):
    lstm = seeded_lstm(D, H, seed=D + 10 * H, bias=bias)
    Wx, Wh, b = numpy_lstm_weights_from_torch(lstm)
    assert Wx.shape == (D, 4 * H) and Wh.shape == (H, 4 * H) and b.shape == (4 * H,)
    assert Wx.dtype == Wh.dtype == b.dtype == np.float64
    x = torch.randn(2, 6, D, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    h0 = torch.randn(1, 2, H, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected, _ = lstm(x, (h0, torch.zeros_like(h0)))  # (N, T, H)
    h, _ = lstm_forward(x.numpy(), h0[0].numpy(), Wx, Wh, b)
    np.testing.assert_allclose(h, expected.numpy(), rtol=1e-12, atol=1e-14)


def test_converted_weights_are_copies_in_our_gate_order():
    lstm = seeded_lstm(2, 3, seed=0)
    H = 3
    with torch.no_grad():
        for k, value in enumerate((1.0, 2.0, 3.0, 4.0)):  # PyTorch's blocks i, f, g, o
            lstm.weight_ih_l0[k * H : (k + 1) * H] = value
            lstm.bias_ih_l0[k * H : (k + 1) * H] = value
            lstm.bias_hh_l0[k * H : (k + 1) * H] = 10 * value
    Wx, _, b = numpy_lstm_weights_from_torch(lstm)
    np.testing.assert_array_equal(Wx[0], np.repeat([1.0, 2.0, 4.0, 3.0], H))  # i, f, o, g
    np.testing.assert_array_equal(b, np.repeat([11.0, 22.0, 44.0, 33.0], H))
    Wx[:] = 0.0
    assert lstm.weight_ih_l0.abs().sum() > 0


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_training_and_sampling_on_cuda():
    device = torch.device("cuda")
    ids = np.tile(np.arange(VOCAB.size), 30)
    model = _model("lstm").to(device)
    losses = train_char_rnn(model, ids, steps=60, batch_size=8, seq_len=10, lr=3e-2, device=device)
    assert np.mean(losses[-5:]) < 0.3
    assert next(model.parameters()).device.type == "cuda"
    assert sample(model, VOCAB, "abc", 8, 0.0) == "defghabc"
    text = sample(model, VOCAB, "abc", 20, 1.0, torch.Generator().manual_seed(0))
    assert len(text) == 20


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_stacked_model_with_dropout_and_validation_on_cuda():
    """The notebook's model (two layers, dropout between them) with its held-out curve on the
    GPU, and the same seeded construction on either device."""
    device = torch.device("cuda")
    ids = np.tile(np.arange(VOCAB.size), 30)
    model = _model("lstm", num_layers=2, dropout=0.1).to(device)
    on_cpu = _model("lstm", num_layers=2, dropout=0.1)
    for a, b in zip(model.parameters(), on_cpu.parameters(), strict=True):
        assert torch.equal(a.cpu(), b)
    history = {}
    train_char_rnn(
        model, ids, steps=80, batch_size=8, seq_len=10, lr=3e-2, device=device,
        val_ids=ids[:120], eval_every=40, history=history,
    )  # fmt: skip
    assert history["val_step"] == [0, 40, 80]
    assert history["val_loss"][-1] < 0.5 < history["val_loss"][0]
    assert sample(model, VOCAB, "abc", 8, 0.0) == "defghabc"


def test_stacked_model_follows_the_stated_construction():
    """10_rnn grades the student's CharRNN against this construction after manual_seed."""
    torch.manual_seed(3)
    model = CharRNN(VOCAB.size, 4, 6, num_layers=3, cell="lstm", dropout=0.4)
    torch.manual_seed(3)
    embed = torch.nn.Embedding(VOCAB.size, 4)
    rnn = torch.nn.LSTM(4, 6, num_layers=3, batch_first=True, dropout=0.4)
    head = torch.nn.Linear(6, VOCAB.size)
    built = [*embed.parameters(), *rnn.parameters(), *head.parameters()]
    assert [n for n, _ in model.named_parameters()][:1] == ["embed.weight"]
    for ours, theirs in zip(model.parameters(), built, strict=True):
        assert torch.equal(ours, theirs)
    assert model.rnn.dropout == 0.4 and model.vocab_size == VOCAB.size
    assert CharRNN(VOCAB.size, 4, 6, num_layers=1, dropout=0.4).rnn.dropout == 0.0


def test_dropout_between_layers_acts_in_training_mode_only():
    model = _model("lstm", num_layers=2, dropout=0.5)
    x = torch.tensor([[0, 1, 2, 3, 4]])
    model.eval()
    with torch.no_grad():
        assert torch.equal(model(x)[0], model(x)[0])
        model.train()
        torch.manual_seed(0)
        a = model(x)[0]
        torch.manual_seed(1)
        assert not torch.equal(a, model(x)[0])


def test_held_out_loss_and_the_validation_history():
    ids = np.tile(np.arange(VOCAB.size), 40)
    model = _model("gru", num_layers=2, dropout=0.1)
    V = VOCAB.size
    assert held_out_loss(model, ids, seq_len=10) == pytest.approx(np.log(V), abs=0.5)
    history = {}
    train_char_rnn(
        model, ids, steps=40, batch_size=8, seq_len=10, lr=3e-2, val_ids=ids[:100],
        eval_every=20, history=history,
    )  # fmt: skip
    assert history["val_step"] == [0, 20, 40]
    assert history["val_loss"][-1] < history["val_loss"][0] - 0.5
    assert history["val_loss"][-1] == pytest.approx(held_out_loss(model, ids[:100]))
    with pytest.raises(ValueError, match="history"):
        train_char_rnn(model, ids, steps=1, val_ids=ids)
    with pytest.raises(ValueError, match="shorter"):
        held_out_loss(model, ids[:5], seq_len=10)
    # two windows: the first and the last 10 characters of the text, scored in eval mode
    text = torch.as_tensor(np.random.default_rng(0).integers(0, V, size=57))
    x = torch.stack([text[0:10], text[46:56]])
    y = torch.stack([text[1:11], text[47:57]])
    with torch.no_grad():
        expected = torch.nn.functional.cross_entropy(model(x)[0].reshape(-1, V), y.reshape(-1))
    assert held_out_loss(model, text.numpy(), seq_len=10, max_windows=2) == pytest.approx(
        float(expected)
    )
