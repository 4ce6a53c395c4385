"""Recurrent layers in numpy (CS231n style): RNN, LSTM and GRU cells, word-level layers, clipping.

Every ``*_forward`` returns ``(out, cache)`` (the LSTM step returns ``next_h, next_c,
cache``) and every ``*_backward(dout, cache)`` returns the gradients of the forward's
array inputs, in order. Shapes: N sequences, T time steps, D input features, H hidden
units, V words in the vocabulary, M output features.

The implementation lives in :mod:`course_utils.rnn_impl`, one file per kind of layer;
this module is the public API that notebooks import from.
"""

from course_utils.rnn_impl.clipping import clip_gradient_elementwise, clip_gradients
from course_utils.rnn_impl.gru import gru_step_backward, gru_step_forward
from course_utils.rnn_impl.lstm import (
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
)
from course_utils.rnn_impl.temporal import (
    temporal_affine_backward,
    temporal_affine_forward,
    temporal_softmax_loss,
    word_embedding_backward,
    word_embedding_forward,
)
from course_utils.rnn_impl.vanilla import (
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
)

__all__ = [
    "rnn_step_forward",
    "rnn_step_backward",
    "rnn_forward",
    "rnn_backward",
    "lstm_step_forward",
    "lstm_step_backward",
    "lstm_forward",
    "lstm_backward",
    "gru_step_forward",
    "gru_step_backward",
    "word_embedding_forward",
    "word_embedding_backward",
    "temporal_affine_forward",
    "temporal_affine_backward",
    "temporal_softmax_loss",
    "clip_gradients",
    "clip_gradient_elementwise",
]
