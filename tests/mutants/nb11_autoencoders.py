"""Wrong answers a student might give in 11_autoencoders.

The checks call the notebook's views (``pca_subspace``, ``numpy_reparameterize``,
``numpy_vae_loss``; see autograder/checks/nb11_autoencoders.py), so each mutant is wrapped
in the same view the notebook builds around the student's function.
"""

from autograder.checks.nb11_autoencoders import (
    ae_encoder_gradient_transposed,
    ae_mean_over_features,
    ae_no_factor_two,
    ae_sum_not_mean,
    as_pca,
    as_torch,
    pca_ascending_order,
    pca_columns_of_v,
    pca_not_centred,
    pca_scaled_by_singular_values,
    pca_smallest_eigenvectors,
    reparam_detached,
    reparam_ignores_generator,
    reparam_logvar_as_std,
    reparam_uniform_noise,
    reparam_variance_not_std,
    vae_kl_sign,
    vae_kl_without_exp,
    vae_mean_over_pixels,
    vae_no_kl,
    vae_not_batch_averaged,
)
from tests.mutants import Mutant

# ---------------------------------------------------------------- pca


# ---------------------------------------------------------------- linear autoencoder


# ---------------------------------------------------------------- reparameterize


# ---------------------------------------------------------------- vae_loss


PCA, AE = "test_pca", "test_linear_autoencoder_loss"
REP, VAE = "test_reparameterize", "test_vae_loss"
MUTANTS = [
    Mutant("pca without centring", PCA, as_pca(pca_not_centred)),
    Mutant("pca columns of Vt", PCA, as_pca(pca_columns_of_v)),
    Mutant("pca smallest eigenvectors", PCA, as_pca(pca_smallest_eigenvectors)),
    Mutant("pca ascending order", PCA, as_pca(pca_ascending_order)),
    Mutant("pca scaled components", PCA, as_pca(pca_scaled_by_singular_values)),
    Mutant("linear AE without the factor 2", AE, {"linear_autoencoder_loss": ae_no_factor_two}),
    Mutant("linear AE sum not mean", AE, {"linear_autoencoder_loss": ae_sum_not_mean}),
    Mutant("linear AE mean over features", AE, {"linear_autoencoder_loss": ae_mean_over_features}),
    Mutant(
        "linear AE dW_enc transposed",
        AE,
        {"linear_autoencoder_loss": ae_encoder_gradient_transposed},
    ),
    Mutant("variance not std", REP, as_torch("reparameterize", reparam_variance_not_std)),
    Mutant("logvar as std", REP, as_torch("reparameterize", reparam_logvar_as_std)),
    Mutant("uniform eps", REP, as_torch("reparameterize", reparam_uniform_noise)),
    Mutant("ignores the generator", REP, as_torch("reparameterize", reparam_ignores_generator)),
    Mutant("detached sample", REP, as_torch("reparameterize", reparam_detached)),
    Mutant("BCE mean over pixels", VAE, as_torch("vae_loss", vae_mean_over_pixels)),
    Mutant("summed over the batch", VAE, as_torch("vae_loss", vae_not_batch_averaged)),
    Mutant("KL with the wrong sign", VAE, as_torch("vae_loss", vae_kl_sign)),
    Mutant("KL without exp", VAE, as_torch("vae_loss", vae_kl_without_exp)),
    Mutant("no KL term", VAE, as_torch("vae_loss", vae_no_kl)),
]
MUTANTS += [
    Mutant("VAE: no KL term", "test_vae_choices", {"vae_beta": 0.0}),
    Mutant("VAE: KL weighted 20 times", "test_vae_choices", {"vae_beta": 20.0}),
    Mutant("VAE: 16 units without KL", "test_vae_choices", {"vae_latent_dim": 16, "vae_beta": 0.0}),
]
