"""Implementation of :mod:`course_utils.rnn_layers`, one file per kind of layer.

- :mod:`.vanilla`: the tanh RNN (one step, and a whole sequence by backprop through time).
- :mod:`.lstm`: the LSTM (gate order i, f, o, g).
- :mod:`.gru`: the GRU step (blocks r, u, candidate).
- :mod:`.temporal`: word embedding, temporal affine and the masked temporal softmax loss.
- :mod:`.clipping`: gradient clipping by global L2 norm and elementwise.

Import from :mod:`course_utils.rnn_layers`, the public module, not from here.
"""
