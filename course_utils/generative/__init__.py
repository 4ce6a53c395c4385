"""Generative models in PyTorch: the VAE's reparameterisation and loss, the GAN losses.

The graded functions (API.md, course_utils.generative) live in :mod:`.sampling`
(``sample_noise``, ``reparameterize``) and :mod:`.losses` (``vae_loss`` and the GAN
losses); :mod:`.adapters` lets the grader call them with numpy arrays; the training
loops, latent-space and mixture helpers used by notebooks 11 and 12 sit beside them.
"""

from course_utils.generative.losses import (
    discriminator_loss,
    generator_loss,
    ls_discriminator_loss,
    ls_generator_loss,
    vae_loss,
)
from course_utils.generative.sampling import reparameterize, sample_noise

__all__ = [
    "discriminator_loss",
    "generator_loss",
    "ls_discriminator_loss",
    "ls_generator_loss",
    "reparameterize",
    "sample_noise",
    "vae_loss",
]
