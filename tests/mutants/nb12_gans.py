"""Wrong answers a student might give in 12_gans.

The checks call the notebook's numpy views ``numpy_<function>`` (see
autograder/checks/nb12_gans.py), so each mutant is wrapped in the same view the notebook
builds around the student's function.
"""

import numpy as np
import torch
import torch.nn.functional as F

from course_utils.generative.adapters import numpy_adapter
from tests.mutants import Mutant


def as_torch(name, fn):
    return {name: fn, f"numpy_{name}": numpy_adapter(name, {name: fn})}


def _generator(seed):
    return None if seed is None else torch.Generator().manual_seed(seed)


# ---------------------------------------------------------------- sample_noise


def noise_in_zero_one(batch_size, dim, seed=None):
    """Forgets to map [0, 1) to [-1, 1)."""
    return torch.rand(batch_size, dim, generator=_generator(seed))


def noise_gaussian(batch_size, dim, seed=None):
    """Draws from N(0, 1) instead of U(-1, 1)."""
    return torch.randn(batch_size, dim, generator=_generator(seed))


def noise_ignores_seed(batch_size, dim, seed=None):
    """Uses torch's global generator whatever the seed."""
    return 2 * torch.rand(batch_size, dim) - 1


def noise_transposed(batch_size, dim, seed=None):
    """Returns shape (dim, batch_size)."""
    return 2 * torch.rand(dim, batch_size, generator=_generator(seed)) - 1


def noise_numpy_seeded(batch_size, dim, seed=None):
    """Seeds numpy instead of torch: a uniform draw, but not the documented one."""
    rng = np.random.default_rng(seed)
    return torch.from_numpy(rng.uniform(-1, 1, size=(batch_size, dim)).astype(np.float32))


# ---------------------------------------------------------------- BCE losses


def d_naive_log_sigmoid(logits_real, logits_fake):
    """-log(sigmoid(s)) written out: overflows to inf for very large scores."""
    real = -torch.log(torch.sigmoid(logits_real)).mean()
    fake = -torch.log(1 - torch.sigmoid(logits_fake)).mean()
    return real + fake


def d_labels_swapped(logits_real, logits_fake):
    """Labels real data 0 and fake data 1."""
    bce = F.binary_cross_entropy_with_logits
    return bce(logits_real, torch.zeros_like(logits_real)) + bce(
        logits_fake, torch.ones_like(logits_fake)
    )


def d_mean_of_both_batches(logits_real, logits_fake):
    """Averages over the concatenated batch: half the reference for equal batch sizes."""
    logits = torch.cat([logits_real.reshape(-1), logits_fake.reshape(-1)])
    labels = torch.cat([torch.ones(logits_real.numel()), torch.zeros(logits_fake.numel())])
    return F.binary_cross_entropy_with_logits(logits, labels.to(logits.dtype))


def d_sum_not_mean(logits_real, logits_fake):
    """Sums the cross-entropies instead of averaging them."""
    bce = F.binary_cross_entropy_with_logits
    real = bce(logits_real, torch.ones_like(logits_real), reduction="sum")
    return real + bce(logits_fake, torch.zeros_like(logits_fake), reduction="sum")


def d_probabilities_clamped(logits_real, logits_fake):
    """Applies sigmoid then F.binary_cross_entropy, whose log is clamped at -100."""
    real, fake = torch.sigmoid(logits_real), torch.sigmoid(logits_fake)
    return F.binary_cross_entropy(real, torch.ones_like(real)) + F.binary_cross_entropy(
        fake, torch.zeros_like(fake)
    )


def g_saturating(logits_fake):
    """The original minimax generator loss mean(log(1 - D(G(z)))), not the non-saturating one."""
    return -F.binary_cross_entropy_with_logits(logits_fake, torch.zeros_like(logits_fake))


def g_label_zero(logits_fake):
    """Uses label 0: the generator then helps the discriminator."""
    return F.binary_cross_entropy_with_logits(logits_fake, torch.zeros_like(logits_fake))


def g_naive_log_sigmoid(logits_fake):
    """-log(sigmoid(s)) written out: inf for very negative scores."""
    return -torch.log(torch.sigmoid(logits_fake)).mean()


# ---------------------------------------------------------------- least squares


def ls_d_no_half(scores_real, scores_fake):
    """Drops the factors 1/2."""
    return torch.mean((scores_real - 1) ** 2) + torch.mean(scores_fake**2)


def ls_d_targets_swapped(scores_real, scores_fake):
    """Pushes real scores to 0 and fake scores to 1."""
    return 0.5 * torch.mean(scores_real**2) + 0.5 * torch.mean((scores_fake - 1) ** 2)


def ls_d_sum_not_mean(scores_real, scores_fake):
    """Sums the squares instead of averaging them."""
    return 0.5 * torch.sum((scores_real - 1) ** 2) + 0.5 * torch.sum(scores_fake**2)


def ls_g_no_half(scores_fake):
    """Drops the factor 1/2."""
    return torch.mean((scores_fake - 1) ** 2)


def ls_g_target_zero(scores_fake):
    """Pushes the fake scores to 0 (the discriminator's target)."""
    return 0.5 * torch.mean(scores_fake**2)


def ls_g_absolute(scores_fake):
    """An absolute error instead of the square."""
    return 0.5 * torch.mean(torch.abs(scores_fake - 1))


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
