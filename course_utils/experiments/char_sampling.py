"""Sampling text from a character model with a temperature, and how repetitive the text is.

A model is seen through one function, ``step_fn(char_id, state) -> (scores, next_state)``:
it reads one character (its id in a :class:`course_utils.data.CharVocab`) and returns the
scores of the next character, of shape (V,), and the next hidden state. The numpy model
of 10_rnn gives one with :func:`course_utils.experiments.char_rnn_numpy.make_step_fn`, the PyTorch
model with :func:`course_utils.torch_track.models.char_rnn.numpy_step_fn`. The state is
never modified in place, so the same initial state can be reused.

The next character is drawn from softmax(scores / T) (course_utils.experiments.temperature): a low
temperature T picks the likeliest characters again and again (repetitive text), a high
one approaches uniform noise; T = 0 is greedy (argmax).
"""

from __future__ import annotations

import numpy as np

from course_utils.experiments.temperature import (
    entropy,
    sample_with_temperature,
    softmax_with_temperature,
)


def prime_state(step_fn, state, vocab, prime):
    """Feed the characters of ``prime`` to the model.

    Inputs:
    - step_fn: callable (char_id, state) -> (scores (V,), next_state)
    - state: the initial state; vocab: the CharVocab; prime: a non-empty string
    Returns a tuple of:
    - scores: of shape (V,), the scores of the character after the prime
    - state: the state after the prime
    """
    if not prime:
        raise ValueError("the prime must hold at least one character")
    scores = None
    for char_id in vocab.encode(prime):
        scores, state = step_fn(int(char_id), state)
    return np.asarray(scores, dtype=np.float64), state


def sample_chars(step_fn, state, vocab, prime, length, temperature, rng):
    """Generate ``length`` characters after ``prime``, each drawn at ``temperature``.

    Inputs:
    - step_fn: callable (char_id, state) -> (scores (V,), next_state)
    - state: the initial state of the model (not modified)
    - vocab: CharVocab of V characters
    - prime: non-empty string of characters of the vocabulary, read before sampling
    - length: number of characters to generate (>= 0)
    - temperature: float >= 0 (0: always the likeliest character)
    - rng: np.random.Generator (or a seed) for the draws
    Returns:
    - text: the generated string of ``length`` characters (without the prime)
    """
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    scores, state = prime_state(step_fn, state, vocab, prime)
    ids = np.zeros(length, dtype=np.int64)
    for t in range(length):
        ids[t] = sample_with_temperature(scores, temperature, rng)
        if t + 1 < length:
            scores, state = step_fn(int(ids[t]), state)
    return vocab.decode(ids)


def next_char_distribution(step_fn, state, vocab, prime, temperature):
    """The distribution of the character after ``prime`` at ``temperature``, and its entropy.

    Returns a tuple of:
    - probs: of shape (V,), softmax(scores / temperature)
    - H: float, its entropy in nats (0 for one certain character, log V for uniform)
    """
    scores, _ = prime_state(step_fn, state, vocab, prime)
    probs = softmax_with_temperature(scores, temperature)  # (V,)
    return probs, entropy(probs)


def distinct_ngram_ratio(text, n=4):
    """The fraction of the text's n-grams that are distinct: near 0 for a loop, near 1 for noise.

    Inputs:
    - text: a string; n: the n-gram length (>= 1)
    Returns:
    - ratio: float in (0, 1], the number of distinct n-grams over the number of n-grams
      (1.0 for a text shorter than n)
    """
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    grams = [text[i : i + n] for i in range(len(text) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 1.0


def sample_at_temperatures(step_fn, state, vocab, prime, length, temperatures, seed=0):
    """Samples at several temperatures, each drawn with a generator seeded the same way.

    Inputs: as :func:`sample_chars`; temperatures: K floats >= 0; seed: int
    Returns:
    - samples: dict temperature -> generated text (``length`` characters each)
    """
    return {
        float(T): sample_chars(
            step_fn, state, vocab, prime, length, float(T), np.random.default_rng(seed)
        )
        for T in temperatures
    }
