"""Wrong answers a student might give in 10_rnn (both notebooks).

A backward mutant receives the cache of the reference forward (the grader's case calls
the forward of the same namespace first), so it unpacks the reference's cache layout.
"""

from autograder.checks.nb10_rnn import (
    _char_rnn_variant,
    _sample_variant,
    char_loss_gradient_of_the_sum,
    char_loss_no_embedding_gradient,
    char_loss_summed_over_time,
    char_loss_targets_are_inputs,
    gru_back_forgets_r_in_candidate,
    gru_back_no_direct_path,
    gru_back_update_sign,
    gru_step_no_reset,
    gru_step_swapped_update,
    gru_step_torch_reset,
    lstm_back_cell_only,
    lstm_back_no_forget_factor,
    lstm_back_torch_order,
    lstm_backward_no_cell_carry,
    lstm_backward_no_hidden_carry,
    lstm_backward_overwrites,
    lstm_forward_c0_is_h0,
    lstm_forward_resets_cell,
    lstm_forward_returns_cells,
    lstm_step_no_forget_gate,
    lstm_step_no_tanh_of_c,
    lstm_step_torch_order,
    rnn_back_derivative_of_prev_h,
    rnn_back_no_tanh_derivative,
    rnn_back_transposed_dwh,
    rnn_back_untransposed_wh,
    rnn_backward_no_carry,
    rnn_backward_overwrites,
    rnn_backward_zero_dh0,
    rnn_forward_no_recurrence,
    rnn_forward_off_by_one,
    rnn_forward_time_major,
    rnn_step_no_bias,
    rnn_step_sigmoid,
    rnn_step_transposed_wh,
    sample_feeds_the_prime,
    sample_skips_last_prime_char,
    sample_times_temperature,
    weights_one_bias,
    weights_reshaped_not_transposed,
    weights_swapped_i_f,
    weights_torch_order,
)
from tests.mutants import Mutant

# ---------------------------------------------------------------- rnn_step_forward


# ---------------------------------------------------------------- rnn_step_backward


# ---------------------------------------------------------------- rnn_forward


# ---------------------------------------------------------------- rnn_backward / lstm_backward


# ---------------------------------------------------------------- lstm_step_forward


# ---------------------------------------------------------------- lstm_step_backward


# ---------------------------------------------------------------- lstm_forward


# ---------------------------------------------------------------- lstm_backward


# ---------------------------------------------------------------- gru_step_forward


# ---------------------------------------------------------------- gru_step_backward


# ---------------------------------------------------------------- numpy_lstm_weights_from_torch


def _mutant(name, function, replacement):
    return Mutant(name, f"test_{function}", {function: replacement})


MUTANTS = [
    _mutant("rnn step without bias", "rnn_step_forward", rnn_step_no_bias),
    _mutant("rnn step with sigmoid", "rnn_step_forward", rnn_step_sigmoid),
    _mutant("rnn step with Wh transposed", "rnn_step_forward", rnn_step_transposed_wh),
    _mutant("no tanh derivative", "rnn_step_backward", rnn_back_no_tanh_derivative),
    _mutant("dWh transposed", "rnn_step_backward", rnn_back_transposed_dwh),
    _mutant("dprev_h with Wh not transposed", "rnn_step_backward", rnn_back_untransposed_wh),
    _mutant("tanh derivative at prev_h", "rnn_step_backward", rnn_back_derivative_of_prev_h),
    _mutant("h0 fed to every step", "rnn_forward", rnn_forward_no_recurrence),
    _mutant("states stored one step late", "rnn_forward", rnn_forward_off_by_one),
    _mutant("sequence read backwards", "rnn_forward", rnn_forward_time_major),
    _mutant("no gradient from step t+1", "rnn_backward", rnn_backward_no_carry),
    _mutant("weight gradients overwritten", "rnn_backward", rnn_backward_overwrites),
    _mutant("dh0 left at zero", "rnn_backward", rnn_backward_zero_dh0),
    _mutant("PyTorch gate order", "lstm_step_forward", lstm_step_torch_order),
    _mutant("next_h without tanh", "lstm_step_forward", lstm_step_no_tanh_of_c),
    _mutant("no forget gate", "lstm_step_forward", lstm_step_no_forget_gate),
    _mutant("dnext_h misses the cell", "lstm_step_backward", lstm_back_cell_only),
    _mutant("dprev_c without f", "lstm_step_backward", lstm_back_no_forget_factor),
    _mutant("gate gradients in PyTorch order", "lstm_step_backward", lstm_back_torch_order),
    _mutant("c0 = h0", "lstm_forward", lstm_forward_c0_is_h0),
    _mutant("cell state reset every step", "lstm_forward", lstm_forward_resets_cell),
    _mutant("returns the cell states", "lstm_forward", lstm_forward_returns_cells),
    _mutant("no cell gradient carried", "lstm_backward", lstm_backward_no_cell_carry),
    _mutant("no hidden gradient carried", "lstm_backward", lstm_backward_no_hidden_carry),
    _mutant("lstm weight gradients overwritten", "lstm_backward", lstm_backward_overwrites),
    _mutant("reset gate after the product", "gru_step_forward", gru_step_torch_reset),
    _mutant("update gate swapped", "gru_step_forward", gru_step_swapped_update),
    _mutant("no reset gate", "gru_step_forward", gru_step_no_reset),
    _mutant("no direct path u*prev_h", "gru_step_backward", gru_back_no_direct_path),
    _mutant("candidate path without r", "gru_step_backward", gru_back_forgets_r_in_candidate),
    _mutant("update gate gradient sign", "gru_step_backward", gru_back_update_sign),
    _mutant("loss summed over time", "char_rnn_loss", char_loss_summed_over_time),
    _mutant("gradients of the sum", "char_rnn_loss", char_loss_gradient_of_the_sum),
    _mutant("targets are the inputs", "char_rnn_loss", char_loss_targets_are_inputs),
    _mutant("no embedding gradient", "char_rnn_loss", char_loss_no_embedding_gradient),
    _mutant("temperature multiplies", "sample_char_rnn", sample_times_temperature),
    _mutant("prime fed back", "sample_char_rnn", sample_feeds_the_prime),
    _mutant("last prime character skipped", "sample_char_rnn", sample_skips_last_prime_char),
    Mutant("tuning: two hidden units", "test_char_tuning", {"best_hidden_size": 2}),
    Mutant("tuning: learning rate 1e-5", "test_char_tuning", {"best_learning_rate": 1e-5}),
    Mutant("tuning: learning rate 1", "test_char_tuning", {"best_learning_rate": 1.0}),
    Mutant(
        "tuning: section 5's run",
        "test_char_tuning",
        {"best_learning_rate": 3e-3, "best_hidden_size": 64},
    ),
    _mutant("CharRNN without dropout", "CharRNN", _char_rnn_variant(use_dropout=False)),
    _mutant("CharRNN not batch_first", "CharRNN", _char_rnn_variant(batch_first=False)),
    _mutant(
        "CharRNN layers in another order",
        "CharRNN",
        _char_rnn_variant(order=("rnn", "embed", "head")),
    ),
    _mutant("sample: temperature multiplies", "sample", _sample_variant(times=True)),
    _mutant("sample: no state carried", "sample", _sample_variant(carry_state=False)),
    _mutant("sample: prime's last character only", "sample", _sample_variant(read_prime=False)),
    _mutant("PyTorch gate order kept", "numpy_lstm_weights_from_torch", weights_torch_order),
    _mutant("b_hh forgotten", "numpy_lstm_weights_from_torch", weights_one_bias),
    _mutant("i and f swapped", "numpy_lstm_weights_from_torch", weights_swapped_i_f),
    _mutant(
        "reshaped instead of transposed",
        "numpy_lstm_weights_from_torch",
        weights_reshaped_not_transposed,
    ),
]
