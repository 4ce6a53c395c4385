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

from course_utils.data.text import text_batches
from course_utils.optim import adam
from course_utils.rnn_layers import (
    clip_gradients,
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
    Returns:
    - history: dict with "loss" (num_steps,) in nats per character and "grad_norm"
      (num_steps,), the global gradient norm before clipping
    """
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    configs = {name: {"learning_rate": learning_rate} for name in params}
    losses, norms = np.zeros(num_steps), np.zeros(num_steps)
    with single_threaded_blas():
        for step in range(num_steps):
            x, y = text_batches(ids, batch_size, seq_len, rng)  # (N, T) each
            losses[step], grads = char_rnn_loss(params, x, y, forward, backward)
            if max_norm is None:
                norms[step] = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
            else:
                grads, norms[step] = clip_gradients(grads, max_norm)
            for name in params:
                params[name], configs[name] = update_rule(params[name], grads[name], configs[name])
    return {"loss": losses, "grad_norm": norms}


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
