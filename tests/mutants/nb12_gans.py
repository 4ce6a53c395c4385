"""Wrong answers a student might give in 12_gans.

The checks call the notebook's numpy views ``numpy_<function>`` (see
autograder/checks/nb12_gans.py), so each mutant is wrapped in the same view the notebook
builds around the student's function.
"""

from autograder.checks.nb12_gans import (
    as_torch,
    d_labels_swapped,
    d_mean_of_both_batches,
    d_naive_log_sigmoid,
    d_probabilities_clamped,
    d_sum_not_mean,
    g_label_zero,
    g_naive_log_sigmoid,
    g_saturating,
    ls_d_no_half,
    ls_d_sum_not_mean,
    ls_d_targets_swapped,
    ls_g_absolute,
    ls_g_no_half,
    ls_g_target_zero,
    noise_gaussian,
    noise_ignores_seed,
    noise_in_zero_one,
    noise_numpy_seeded,
    noise_transposed,
)
from tests.mutants import Mutant

# ---------------------------------------------------------------- sample_noise


# ---------------------------------------------------------------- BCE losses


# ---------------------------------------------------------------- least squares


NOISE, D, G = "test_sample_noise", "test_discriminator_loss", "test_generator_loss"
LSD, LSG = "test_ls_discriminator_loss", "test_ls_generator_loss"
MUTANTS = [
    Mutant("noise in [0, 1)", NOISE, as_torch("sample_noise", noise_in_zero_one)),
    Mutant("Gaussian noise", NOISE, as_torch("sample_noise", noise_gaussian)),
    Mutant("ignores the seed", NOISE, as_torch("sample_noise", noise_ignores_seed)),
    Mutant("transposed noise", NOISE, as_torch("sample_noise", noise_transposed)),
    Mutant("numpy-seeded noise", NOISE, as_torch("sample_noise", noise_numpy_seeded)),
    Mutant("naive log sigmoid (D)", D, as_torch("discriminator_loss", d_naive_log_sigmoid)),
    Mutant("labels swapped", D, as_torch("discriminator_loss", d_labels_swapped)),
    Mutant("mean over both batches", D, as_torch("discriminator_loss", d_mean_of_both_batches)),
    Mutant("sum not mean (D)", D, as_torch("discriminator_loss", d_sum_not_mean)),
    Mutant(
        "clamped BCE on probabilities", D, as_torch("discriminator_loss", d_probabilities_clamped)
    ),
    Mutant("saturating generator loss", G, as_torch("generator_loss", g_saturating)),
    Mutant("generator label 0", G, as_torch("generator_loss", g_label_zero)),
    Mutant("naive log sigmoid (G)", G, as_torch("generator_loss", g_naive_log_sigmoid)),
    Mutant("LS D without 1/2", LSD, as_torch("ls_discriminator_loss", ls_d_no_half)),
    Mutant("LS D targets swapped", LSD, as_torch("ls_discriminator_loss", ls_d_targets_swapped)),
    Mutant("LS D sum not mean", LSD, as_torch("ls_discriminator_loss", ls_d_sum_not_mean)),
    Mutant("LS G without 1/2", LSG, as_torch("ls_generator_loss", ls_g_no_half)),
    Mutant("LS G target 0", LSG, as_torch("ls_generator_loss", ls_g_target_zero)),
    Mutant("LS G absolute error", LSG, as_torch("ls_generator_loss", ls_g_absolute)),
]
MUTANTS += [
    Mutant(
        "ring: the collapsing settings",
        "test_ring_settings",
        {"ring_batch_size": 32, "ring_learning_rate": 5e-4, "ring_steps": 800},
    ),
    Mutant("ring: learning rate 1e-6", "test_ring_settings", {"ring_learning_rate": 1e-6}),
    Mutant("ring: a single step", "test_ring_settings", {"ring_steps": 1}),
]
