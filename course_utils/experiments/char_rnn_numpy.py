"""A character-level language model in numpy: embedding -> recurrent layer -> affine -> softmax.

The recurrent layer is passed in as functions (``rnn_forward``/``rnn_backward`` or
``lstm_forward``/``lstm_backward``, and the matching step function for sampling), so
10_rnn trains the model with the functions the student wrote; nothing here computes a
recurrent layer itself.

Shapes: N sequences, T characters each, V characters in the vocabulary, D embedding
size, H hidden units; G = 1 gate block for the tanh RNN, 4 for the LSTM. Parameters
(a dict of float64 arrays):

- W_embed (V, D): one row per character
- Wx (D, G*H), Wh (H, G*H), b (G*H,): the recurrent layer
- W_out (H, V), b_out (V,): scores of the next character from the hidden state
"""

from __future__ import annotations

import numpy as np

from course_utils.assignments import graded
from course_utils.data.text import text_batches
from course_utils.experiments.temperature import softmax_with_temperature
from course_utils.optim import adam
from course_utils.rnn_layers import (
    clip_gradients,
    rnn_step_forward,
    temporal_softmax_loss,
    word_embedding_backward,
    word_embedding_forward,
)

#: gate blocks per cell type: the tanh RNN has one, the LSTM four (i, f, o, g)
GATE_BLOCKS = {"rnn": 1, "lstm": 4}


def init_char_rnn(vocab_size, hidden_size, *, embed_dim=32, cell="rnn", seed=0):
    """Random parameters of a character model (biases zero; the LSTM's forget bias 1).

    Weights are Gaussian with standard deviation 1/sqrt(fan_in).

    Inputs:
    - vocab_size: V; hidden_size: H; embed_dim: D
    - cell: "rnn" (G = 1) or "lstm" (G = 4)
    - seed: int seed of the np.random.Generator that draws the weights
    Returns:
    - params: dict with W_embed (V, D), Wx (D, G*H), Wh (H, G*H), b (G*H,),
      W_out (H, V), b_out (V,)
    """
    G = _blocks(cell)
    V, H, D = vocab_size, hidden_size, embed_dim
    rng = np.random.default_rng(seed)
    b = np.zeros(G * H)
    if cell == "lstm":
        b[H : 2 * H] = 1.0  # forget gate open at the start: gradients flow back in time
    return {
        "W_embed": rng.normal(size=(V, D)),
        "Wx": rng.normal(size=(D, G * H)) / np.sqrt(D),
        "Wh": rng.normal(size=(H, G * H)) / np.sqrt(H),
        "b": b,
        "W_out": rng.normal(size=(H, V)) / np.sqrt(H),
        "b_out": np.zeros(V),
    }


def _blocks(cell):
    if cell not in GATE_BLOCKS:
        raise ValueError(f"cell must be one of {sorted(GATE_BLOCKS)}, got {cell!r}")
    return GATE_BLOCKS[cell]


@graded("10_rnn")
def char_rnn_loss(params, x, y, forward, backward):
    """Mean cross-entropy per character of the next-character predictions, and its gradients.

    Inputs:
    - params: dict from init_char_rnn
    - x: int array of shape (N, T), the input characters
    - y: int array of shape (N, T), the next characters (targets)
    - forward: the recurrent layer, (x (N, T, D), h0 (N, H), Wx, Wh, b) -> (h (N, T, H), cache)
    - backward: its backward pass, (dh (N, T, H), cache) -> (dx, dh0, dWx, dWh, db)
    Returns a tuple of:
    - loss: float, nats per character (averaged over N and T); log V for uniform guesses
    - grads: dict with the gradient of every entry of params, of the same shapes
    """
    N, T = x.shape
    H = params["Wh"].shape[0]
    V = params["W_out"].shape[1]
    emb, emb_cache = word_embedding_forward(x, params["W_embed"])  # (N, T, D)
    h, rnn_cache = forward(emb, np.zeros((N, H)), params["Wx"], params["Wh"], params["b"])
    h_flat = h.reshape(N * T, H)  # one 2-D product instead of T small ones
    scores = h_flat @ params["W_out"] + params["b_out"]  # (N*T, V)
    loss, dscores = temporal_softmax_loss(scores.reshape(N, T, V), y, np.ones((N, T), dtype=bool))
    dscores = dscores.reshape(N * T, V) / T  # (N*T, V), gradient of the per-character mean
    dW_out = h_flat.T @ dscores  # (H, V)
    db_out = dscores.sum(axis=0)  # (V,)
    dh = (dscores @ params["W_out"].T).reshape(N, T, H)
    demb, _, dWx, dWh, db = backward(dh, rnn_cache)  # demb (N, T, D)
    grads = {
        "W_embed": word_embedding_backward(demb, emb_cache),
        "Wx": dWx,
        "Wh": dWh,
        "b": db,
        "W_out": dW_out,
        "b_out": db_out,
    }
    return loss / T, grads


def train_char_rnn(
    params,
    ids,
    *,
    forward,
    backward,
    num_steps,
    batch_size=32,
    seq_len=25,
    learning_rate=3e-3,
    max_norm=5.0,
    update_rule=adam,
    rng,
    loss_fn=None,
    val_ids=None,
    eval_every=50,
):
    """Train on random windows of an encoded text (Adam), clipping the gradients' global norm.

    Inputs:
    - params: dict from init_char_rnn, updated in place
    - ids: int array of shape (L,), the encoded text
    - forward, backward: the recurrent layer (see char_rnn_loss)
    - num_steps: number of updates; batch_size: N; seq_len: T
    - learning_rate: the step size of the update rule
    - max_norm: clip the global gradient norm to this (None: no clipping)
    - update_rule: a rule of course_utils.optim, (w, dw, config) -> (next_w, config)
    - rng: np.random.Generator (or a seed) drawing the windows
    - loss_fn: (params, x, y, forward, backward) -> (loss, grads), the student's
      char_rnn_loss in 10_rnn (None: this module's)
    - val_ids: int array of held-out text (None: no validation), scored every
      ``eval_every`` steps and after the last one by :func:`held_out_loss`
    Returns:
    - history: dict with "loss" (num_steps,) in nats per character and "grad_norm"
      (num_steps,), the global gradient norm before clipping; with val_ids also "val_step"
      (K,) and "val_loss" (K,), the held-out loss in nats per character after those steps
    """
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    loss_fn = char_rnn_loss if loss_fn is None else loss_fn
    configs = {name: {"learning_rate": learning_rate} for name in params}
    losses, norms = np.zeros(num_steps), np.zeros(num_steps)
    val_steps, val_losses = [], []
    with single_threaded_blas():
        for step in range(num_steps):
            if val_ids is not None and step % eval_every == 0:
                val_steps.append(step)
                val_losses.append(held_out_loss(params, val_ids, forward, backward, loss_fn))
            x, y = text_batches(ids, batch_size, seq_len, rng)  # (N, T) each
            losses[step], grads = loss_fn(params, x, y, forward, backward)
            if max_norm is None:
                norms[step] = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
            else:
                grads, norms[step] = clip_gradients(grads, max_norm)
            for name in params:
                params[name], configs[name] = update_rule(params[name], grads[name], configs[name])
        history = {"loss": losses, "grad_norm": norms}
        if val_ids is not None:
            val_steps.append(num_steps)
            val_losses.append(held_out_loss(params, val_ids, forward, backward, loss_fn))
            history["val_step"], history["val_loss"] = np.array(val_steps), np.array(val_losses)
    return history


def split_blocks(ids, *, block=4000, held_out=0.1, seed=0):
    """Split an encoded text into training and held-out text by blocks of ``block`` characters.

    A random tenth (``held_out``) of the blocks is held out, so both parts come from every
    region of the corpus (the last tenth of a corpus made of files would be other files).
    Inputs:
    - ids: int array of shape (L,); block: characters per block; held_out: fraction held out
    - seed: int seed of the choice of held-out blocks
    Returns a tuple of int arrays train_ids, val_ids (the blocks in their order, concatenated)
    """
    blocks = [ids[i : i + block] for i in range(0, len(ids), block)]
    held = np.zeros(len(blocks), dtype=bool)
    count = max(1, int(round(held_out * len(blocks))))
    held[np.random.default_rng(seed).choice(len(blocks), count, replace=False)] = True
    train = np.concatenate([b for b, h in zip(blocks, held) if not h])
    val = np.concatenate([b for b, h in zip(blocks, held) if h])
    return train, val


def held_out_windows(ids, seq_len=50, max_windows=64):
    """Non-overlapping windows spread evenly over a held-out text, and their next characters.

    Inputs:
    - ids: int array of shape (L,), L >= seq_len + 1
    - seq_len: T; max_windows: at most this many windows
    Returns a tuple of int arrays x, y of shape (N, T), y[n] = x[n] shifted by one; the first
    window starts at 0, the last ends at the text's end
    """
    N = min(max_windows, (len(ids) - 1) // seq_len)
    if N < 1:
        raise ValueError(f"a held-out text of {len(ids)} characters is shorter than T + 1")
    starts = np.linspace(0, len(ids) - 1 - seq_len, N).round().astype(np.int64)  # (N,)
    offsets = starts[:, None] + np.arange(seq_len)  # (N, T)
    return ids[offsets], ids[offsets + 1]


def held_out_loss(params, ids, forward, backward, loss_fn=None, seq_len=50, max_windows=64):
    """The mean cross-entropy per character (nats) on held-out text; exp of it is the perplexity.

    Uses ``loss_fn`` (default: char_rnn_loss) on :func:`held_out_windows`; its gradients are
    discarded.
    """
    loss_fn = char_rnn_loss if loss_fn is None else loss_fn
    x, y = held_out_windows(ids, seq_len, max_windows)
    return float(loss_fn(params, x, y, forward, backward)[0])


@graded("10_rnn")
def sample_char_rnn(params, prime_ids, temperature, uniforms):
    """Draw characters from the tanh-RNN character model, one at a time.

    Read the prime from h = 0 (one rnn_step_forward per character, its embedding as input),
    then for each of the L draws: scores = h W_out + b_out (V,), p = softmax(scores / T)
    (softmax_with_temperature: at T = 0 uniform over the tied maxima), the drawn id is the
    first i with cumsum(p)[i] > uniforms[t] (inverse-CDF sampling), and it is fed back as the
    next input.

    Inputs:
    - params: dict from init_char_rnn with cell "rnn": W_embed (V, D), Wx (D, H), Wh (H, H),
      b (H,), W_out (H, V), b_out (V,)
    - prime_ids: int array of shape (P,), P >= 1, the characters read before drawing
    - temperature: float >= 0
    - uniforms: float array of shape (L,), numbers in [0, 1), one per character to draw
    Returns:
    - ids: int64 array of shape (L,), the drawn characters
    """
    V = params["W_out"].shape[1]
    h = np.zeros((1, params["Wh"].shape[0]))  # (1, H)
    for char_id in prime_ids:
        h, _ = rnn_step_forward(params["W_embed"][[int(char_id)]], h, *_rnn_weights(params))
    ids = np.zeros(len(uniforms), dtype=np.int64)
    for t, u in enumerate(uniforms):
        scores = h[0] @ params["W_out"] + params["b_out"]  # (V,)
        p = softmax_with_temperature(scores, temperature)  # (V,)
        ids[t] = min(int(np.searchsorted(np.cumsum(p), u, side="right")), V - 1)
        h, _ = rnn_step_forward(params["W_embed"][[ids[t]]], h, *_rnn_weights(params))
    return ids


def _rnn_weights(params):
    return params["Wx"], params["Wh"], params["b"]


def single_threaded_blas():
    """A context in which BLAS uses one thread.

    The matrices of a small RNN are tiny: threads only add synchronisation, and on a
    busy machine a multithreaded product of (800, 64) by (800, 100) can be 100 times
    slower than a single-threaded one.
    """
    from threadpoolctl import threadpool_limits  # installed with scikit-learn

    return threadpool_limits(limits=1, user_api="blas")


def make_step_fn(params, step_forward, cell="rnn"):
    """A one-character step of the trained model, for sampling (experiments.char_sampling).

    Inputs:
    - params: dict from init_char_rnn (trained)
    - step_forward: rnn_step_forward (cell "rnn") or lstm_step_forward (cell "lstm")
    - cell: "rnn" or "lstm"
    Returns a tuple of:
    - step_fn: callable (char_id: int, state) -> (scores of shape (V,), next state);
      the state is h of shape (1, H) for "rnn", the pair (h, c) for "lstm"
    - state0: the initial state (zeros)
    """
    _blocks(cell)
    H = params["Wh"].shape[0]
    Wx, Wh, b = params["Wx"], params["Wh"], params["b"]

    def step_fn(char_id, state):
        x = params["W_embed"][[int(char_id)]]  # (1, D)
        if cell == "rnn":
            h, _ = step_forward(x, state, Wx, Wh, b)  # (1, H)
            next_state = h
        else:
            h, c, _ = step_forward(x, state[0], state[1], Wx, Wh, b)  # (1, H) each
            next_state = (h, c)
        scores = h[0] @ params["W_out"] + params["b_out"]  # (V,)
        return scores, next_state

    zeros = np.zeros((1, H))
    return step_fn, (zeros if cell == "rnn" else (zeros, zeros.copy()))
