"""A character-level language model in PyTorch: embedding -> nn.LSTM or nn.GRU -> linear.

Example::

    device = get_device()
    model = CharRNN(vocab.size, cell="lstm").to(device)
    losses = train_char_rnn(model, vocab.encode(text), steps=500, device=device)
    print(sample(model, vocab, "def ", 200, temperature=0.8,
                 generator=torch.Generator().manual_seed(0)))

One code path for the CPU and CUDA: the model lives on whatever device it was moved to,
batches follow it, and sampling draws on the CPU from a seeded ``torch.Generator`` (so a
seed gives the same text on either device, up to the rounding of the scores).

Shapes: N sequences, T characters, V characters in the vocabulary, E embedding size,
H hidden units, L layers.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from course_utils.assignments import graded, reveals
from course_utils.torch_track.device import single_threaded

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU}


class CharRNN(nn.Module):
    """Embedding (V, E) -> ``cell`` (L layers, H units, batch_first) -> Linear(H, V).

    The construction (10_rnn grades it after ``torch.manual_seed``, so the order matters):
    ``self.embed = nn.Embedding(V, E)``, then ``self.rnn = nn.LSTM`` (or ``nn.GRU``)
    ``(E, H, num_layers=L, batch_first=True, dropout=dropout if L > 1 else 0.0)``, then
    ``self.head = nn.Linear(H, V)``; ``self.vocab_size = V`` and ``self.cell = cell``. The
    recurrent layer's dropout drops (probability ``dropout``) the outputs of every layer but
    the last, in training mode only.

    Inputs of forward:
    - x: int64 tensor of shape (N, T), character ids
    - state: the recurrent state from a previous call, or None (zeros): for "lstm" a pair
      (h, c), for "gru" a tensor h, each of shape (L, N, H)
    Returns a tuple of:
    - logits: of shape (N, T, V), the scores of the next character at every step
    - state: the state after the last step, as above
    """

    @graded("10_rnn")
    def __init__(
        self,
        vocab_size: int,
        embed_dim: int = 32,
        hidden_size: int = 128,
        num_layers: int = 1,
        cell: str = "lstm",
        dropout: float = 0.0,
    ):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}, got {cell!r}")
        self.cell = cell
        self.vocab_size, self.hidden_size, self.num_layers = vocab_size, hidden_size, num_layers
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.rnn = CELLS[cell](
            embed_dim,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,
        )
        self.head = nn.Linear(hidden_size, vocab_size)

    @graded("10_rnn")
    def forward(self, x: torch.Tensor, state=None):
        emb = self.embed(x)  # (N, T, E)
        out, state = self.rnn(emb, state)  # (N, T, H)
        return self.head(out), state  # (N, T, V)


def char_batch(ids: torch.Tensor, batch_size: int, seq_len: int, generator: torch.Generator):
    """Random windows of an encoded text and their next characters (on the CPU).

    Inputs:
    - ids: int64 tensor of shape (L,), L >= seq_len + 1
    - batch_size: N; seq_len: T; generator: a CPU torch.Generator
    Returns a tuple of int64 tensors x, y of shape (N, T), y[n] = x[n] shifted by one
    """
    starts = torch.randint(0, ids.numel() - seq_len, (batch_size,), generator=generator)  # (N,)
    offsets = starts[:, None] + torch.arange(seq_len)  # (N, T)
    return ids[offsets], ids[offsets + 1]


def train_char_rnn(
    model: CharRNN,
    ids,
    *,
    steps: int,
    batch_size: int = 32,
    seq_len: int = 64,
    lr: float = 3e-3,
    clip: float | None = 1.0,
    device: torch.device | None = None,
    seed: int = 0,
    val_ids=None,
    eval_every: int = 50,
    history: dict | None = None,
) -> list[float]:
    """Adam on random windows of an encoded text, with gradient clipping (clip_grad_norm_).

    Inputs:
    - model: a CharRNN, moved to ``device`` here (default: the device of its parameters)
    - ids: the encoded text, int array or tensor of shape (L,)
    - steps: number of updates; batch_size: N; seq_len: T; lr: Adam's step size
    - clip: largest global gradient norm (None: no clipping)
    - seed: seeds the CPU generator that draws the windows
    - val_ids: held-out encoded text (None: none), scored by :func:`held_out_loss` every
      ``eval_every`` steps and after the last one; ``history`` (a dict) then receives
      "val_step" and "val_loss", lists of the steps and of the held-out losses (nats/char)
    Returns:
    - losses: list of ``steps`` floats, the mean cross-entropy per character (nats)
    """
    if val_ids is not None and history is None:
        raise ValueError("pass a dict as history to receive the held-out losses")
    device = device or next(model.parameters()).device
    model.to(device).train()
    ids = torch.as_tensor(np.asarray(ids), dtype=torch.int64)
    generator = torch.Generator().manual_seed(int(seed))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = torch.zeros(steps, device=device)  # kept on the device: no sync per step
    with single_threaded(device):
        for step in range(steps):
            if val_ids is not None and step % eval_every == 0:
                _record_held_out(model, val_ids, step, history, device)
            x, y = char_batch(ids, batch_size, seq_len, generator)  # (N, T) each, on the CPU
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            logits, _ = model(x)  # (N, T, V)
            loss = nn.functional.cross_entropy(logits.reshape(-1, model.vocab_size), y.reshape(-1))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
            losses[step] = loss.detach()
    if val_ids is not None:
        _record_held_out(model, val_ids, steps, history, device)
    model.eval()
    return losses.cpu().tolist()


def _record_held_out(model, val_ids, step, history, device):
    history.setdefault("val_step", []).append(step)
    history.setdefault("val_loss", []).append(held_out_loss(model, val_ids, device=device))
    model.train()


@torch.no_grad()
def held_out_loss(model, ids, *, seq_len: int = 64, max_windows: int = 64, device=None) -> float:
    """Mean cross-entropy per character (nats) on windows spread evenly over held-out text.

    The model is put in eval mode (no dropout); exp of the result is the perplexity.
    Inputs:
    - model: a CharRNN; ids: int array or tensor of shape (L,), L >= seq_len + 1
    - seq_len: T; max_windows: at most this many windows (the first ones)
    """
    device = device or next(model.parameters()).device
    ids = torch.as_tensor(np.asarray(ids), dtype=torch.int64)
    n = min(max_windows, (ids.numel() - 1) // seq_len)
    if n < 1:
        raise ValueError(f"a held-out text of {ids.numel()} characters is shorter than T + 1")
    starts = torch.linspace(0, ids.numel() - 1 - seq_len, n).round().long()  # (n,), spread out
    offsets = starts[:, None] + torch.arange(seq_len)  # (n, T)
    x, y = ids[offsets].to(device), ids[offsets + 1].to(device)
    model.eval()
    with single_threaded(device):
        logits, _ = model(x)  # (n, T, V)
        loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
    return float(loss)


@reveals("10_rnn")
def _pick(logits: torch.Tensor, temperature: float, generator: torch.Generator | None) -> int:
    """One character id drawn from softmax(logits / temperature); argmax at temperature 0."""
    logits = logits.detach().to("cpu", torch.float64)  # (V,)
    if temperature == 0:
        return int(torch.argmax(logits))
    probs = torch.softmax(logits / temperature, dim=-1)
    return int(torch.multinomial(probs, 1, generator=generator))


@graded("10_rnn")
@torch.no_grad()
def sample(
    model: CharRNN,
    vocab,
    prime: str,
    length: int,
    temperature: float = 1.0,
    generator: torch.Generator | None = None,
) -> str:
    """Generate ``length`` characters after ``prime``, each drawn from softmax(logits / T).

    Inputs:
    - model: a trained CharRNN (on any device)
    - vocab: the course_utils.data.CharVocab it was trained with
    - prime: non-empty string read before sampling
    - length: number of characters to generate
    - temperature: T >= 0; low T repeats the likeliest characters, high T approaches
      uniform noise, T = 0 always takes the likeliest one
    - generator: a CPU torch.Generator for the draws (None: the global one)
    The draw, exactly: the logits of the last position, as float64 on the CPU; at T = 0
    their argmax, else ``torch.multinomial(torch.softmax(logits / T, -1), 1, generator=...)``.
    The model reads the prime once, then one character per call, carrying its state.
    Returns:
    - text: the ``length`` generated characters (without the prime)
    """
    if not temperature >= 0:
        raise ValueError(f"temperature must be >= 0, got {temperature!r}")
    if not prime:
        raise ValueError("the prime must hold at least one character")
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    x = torch.as_tensor(vocab.encode(prime), device=device)[None]  # (1, len(prime))
    out = []
    with single_threaded(device):
        logits, state = model(x)  # (1, len(prime), V)
        for _ in range(length):
            out.append(_pick(logits[0, -1], temperature, generator))
            logits, state = model(torch.tensor([[out[-1]]], device=device), state)
    model.train(was_training)
    return vocab.decode(out)


def numpy_step_fn(model: CharRNN):
    """The model as a step function for experiments.char_sampling and the sampling widget.

    Returns a tuple of:
    - step_fn: callable (char_id: int, state) -> (scores, next_state), scores a float64
      numpy array of shape (V,); the state is the model's (None at the start)
    - state0: None
    """
    device = next(model.parameters()).device

    @torch.no_grad()
    def step_fn(char_id, state):
        model.eval()
        with single_threaded(device):
            logits, next_state = model(torch.tensor([[int(char_id)]], device=device), state)
        return logits[0, -1].to("cpu", torch.float64).numpy(), next_state

    return step_fn, None
