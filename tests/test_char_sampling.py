"""course_utils.experiments.char_sampling: text drawn from a step function at a temperature."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.data import CharVocab
from course_utils.experiments.char_sampling import (
    distinct_ngram_ratio,
    next_char_distribution,
    prime_state,
    sample_at_temperatures,
    sample_chars,
)
from course_utils.experiments.temperature import softmax_with_temperature

pytestmark = pytest.mark.numerics  # run under forced BLAS kernels: tests/portability.py

VOCAB = CharVocab("abcde")


def bigram_model(seed=0, scale=2.0):
    """A toy model: the next scores depend on the current character; the state counts steps."""
    scores = scale * np.random.default_rng(seed).normal(size=(VOCAB.size, VOCAB.size))  # (V, V)

    def step_fn(char_id, state):
        return scores[char_id].copy(), state + 1

    return step_fn, scores


def test_greedy_sampling_follows_the_argmax_chain():
    step_fn, scores = bigram_model()
    text = sample_chars(step_fn, 0, VOCAB, "ab", 12, 0.0, np.random.default_rng(0))
    expected, current = [], VOCAB.encode("b")[0]
    for _ in range(12):
        current = int(np.argmax(scores[current]))
        expected.append(current)
    assert text == VOCAB.decode(expected)


def test_same_seed_same_text_other_seed_other_text():
    step_fn, _ = bigram_model()
    first = sample_chars(step_fn, 0, VOCAB, "a", 80, 1.0, np.random.default_rng(3))
    again = sample_chars(step_fn, 0, VOCAB, "a", 80, 1.0, 3)  # a seed works too
    other = sample_chars(step_fn, 0, VOCAB, "a", 80, 1.0, np.random.default_rng(4))
    assert first == again and first != other
    assert len(first) == 80 and set(first) <= set(VOCAB.chars)


def test_zero_length_and_empty_prime():
    step_fn, _ = bigram_model()
    assert sample_chars(step_fn, 0, VOCAB, "abc", 0, 1.0, 0) == ""
    with pytest.raises(ValueError, match="prime"):
        sample_chars(step_fn, 0, VOCAB, "", 5, 1.0, 0)


def test_frequencies_follow_the_tempered_softmax():
    scores = np.array([2.0, 1.0, 0.0, -1.0, 0.5])

    def step_fn(char_id, state):
        return scores, state

    for T in (0.5, 1.0, 3.0):
        text = sample_chars(step_fn, None, VOCAB, "a", 6000, T, np.random.default_rng(1))
        counts = np.bincount(VOCAB.encode(text), minlength=VOCAB.size) / len(text)
        np.testing.assert_allclose(counts, softmax_with_temperature(scores, T), atol=0.02)


def test_prime_state_reads_every_character_and_keeps_the_input_state():
    step_fn, scores = bigram_model()
    state = np.zeros(2)  # must not be modified
    last_scores, after = prime_state(lambda c, s: (scores[c], s + 1), state, VOCAB, "abcd")
    np.testing.assert_array_equal(last_scores, scores[VOCAB.encode("d")[0]])
    np.testing.assert_array_equal(after, np.full(2, 4.0))
    np.testing.assert_array_equal(state, np.zeros(2))
    assert prime_state(step_fn, 0, VOCAB, "abc")[1] == 3


def test_low_temperature_repeats_high_temperature_does_not():
    step_fn, _ = bigram_model(seed=2)
    samples = sample_at_temperatures(step_fn, 0, VOCAB, "a", 300, (0.05, 1.0, 20.0), seed=0)
    assert list(samples) == [0.05, 1.0, 20.0]
    ratios = [distinct_ngram_ratio(samples[T], 4) for T in samples]
    assert ratios[0] < 0.1 < ratios[1] <= ratios[2]
    assert all(len(text) == 300 for text in samples.values())


def test_next_char_distribution_flattens_with_temperature():
    step_fn, scores = bigram_model()
    entropies = []
    for T in (0.1, 1.0, 10.0):
        probs, H = next_char_distribution(step_fn, 0, VOCAB, "c", T)
        np.testing.assert_allclose(probs, softmax_with_temperature(scores[2], T))
        entropies.append(H)
    assert entropies[0] < entropies[1] < entropies[2] <= np.log(VOCAB.size) + 1e-12


def test_distinct_ngram_ratio():
    assert distinct_ngram_ratio("a" * 23, 4) == pytest.approx(1 / 20)
    assert distinct_ngram_ratio("abcdef", 2) == 1.0
    assert distinct_ngram_ratio("abab", 2) == pytest.approx(2 / 3)
    assert distinct_ngram_ratio("ab", 4) == 1.0
    with pytest.raises(ValueError):
        distinct_ngram_ratio("abc", 0)


def test_entropy_at_low_temperature_is_log_of_the_number_of_tied_maxima():
    """10_rnn's claim: as T -> 0 the entropy goes to log k for k tied maxima (0 for one)."""
    from course_utils.experiments.temperature import entropy, softmax_with_temperature

    rng = np.random.default_rng(0)
    for k in (1, 2, 3, 5):
        scores = np.concatenate([np.full(k, 2.0), rng.normal(size=6) - 3.0])
        for T in (0.0, 1e-3, 1e-2):
            assert np.isclose(entropy(softmax_with_temperature(scores, T)), np.log(k), atol=1e-6)
        assert entropy(softmax_with_temperature(scores, 1e6)) > np.log(scores.size) - 1e-4
