"""Losses of the generative models: the VAE's negative ELBO and the GAN games.

All take PyTorch tensors and return a scalar tensor (0-d) that autograd can differentiate.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from course_utils.assignments import graded


@graded("11_autoencoders")
def vae_loss(x_hat, x, mu, logvar):
    """The negative ELBO of a VAE with a Bernoulli decoder and a N(0, I) prior.

    loss = (1/N) sum_n [ BCE(x_hat_n, x_n) + KL(N(mu_n, exp(logvar_n)) || N(0, I)) ] where
    BCE(x_hat, x) = -sum_d [x_d log x_hat_d + (1 - x_d) log(1 - x_hat_d)] over the pixels and
    KL = -1/2 sum_j (1 + logvar_j - mu_j^2 - exp(logvar_j)) over the latent units.

    Inputs:
    - x_hat: decoded pixel probabilities in (0, 1), tensor of shape (N, D) or (N, C, H, W).
    - x: the inputs, in [0, 1], of the shape of x_hat.
    - mu: latent means, tensor of shape (N, Z).
    - logvar: latent log-variances, tensor of shape (N, Z).

    Returns loss, a scalar tensor: the mean over the batch of reconstruction + KL.
    """
    N = x.shape[0]
    reconstruction = F.binary_cross_entropy(x_hat, x, reduction="sum")
    kl = -0.5 * torch.sum(1.0 + logvar - mu.pow(2) - logvar.exp())
    loss = (reconstruction + kl) / N
    return loss


@graded("12_gans")
def discriminator_loss(logits_real, logits_fake):
    """The discriminator's loss: real images labelled 1, generated ones 0.

    loss = mean_i BCE(s_i, 1) over the real batch + mean_j BCE(s_j, 0) over the fake
    batch, with the binary cross-entropy of a logit s against a label y
    BCE(s, y) = -[y log sigmoid(s) + (1 - y) log(1 - sigmoid(s))], computed stably.

    Inputs:
    - logits_real: discriminator logits of real data, tensor of shape (N,) (or (N, 1)).
    - logits_fake: discriminator logits of generated data, tensor of shape (M,).

    Returns loss, a scalar tensor.
    """
    real = F.binary_cross_entropy_with_logits(logits_real, torch.ones_like(logits_real))
    fake = F.binary_cross_entropy_with_logits(logits_fake, torch.zeros_like(logits_fake))
    loss = real + fake
    return loss


@graded("12_gans")
def generator_loss(logits_fake):
    """The non-saturating generator loss: mean BCE of the fake batch against label 1.

    Inputs:
    - logits_fake: discriminator logits of generated data, tensor of shape (N,).

    Returns loss, a scalar tensor: mean_i -log sigmoid(s_i), computed stably.
    """
    loss = F.binary_cross_entropy_with_logits(logits_fake, torch.ones_like(logits_fake))
    return loss


@graded("12_gans")
def ls_discriminator_loss(scores_real, scores_fake):
    """The least-squares GAN discriminator loss (Mao et al., 2017).

    loss = 1/2 mean((scores_real - 1)^2) + 1/2 mean(scores_fake^2).

    Inputs:
    - scores_real: discriminator scores of real data, tensor of shape (N,).
    - scores_fake: discriminator scores of generated data, tensor of shape (M,).

    Returns loss, a scalar tensor.
    """
    loss = 0.5 * torch.mean((scores_real - 1.0) ** 2) + 0.5 * torch.mean(scores_fake**2)
    return loss


@graded("12_gans")
def ls_generator_loss(scores_fake):
    """The least-squares GAN generator loss: 1/2 mean((scores_fake - 1)^2).

    Inputs:
    - scores_fake: discriminator scores of generated data, tensor of shape (N,).

    Returns loss, a scalar tensor.
    """
    loss = 0.5 * torch.mean((scores_fake - 1.0) ** 2)
    return loss
