"""course_utils.generative: the GAN and VAE losses, the sampling, the numpy adapters,
interpolation, latent decoding and the ring of Gaussians.

Oracles: each loss against a direct torch expression of its formula and
F.binary_cross_entropy_with_logits (float64), gradients with torch.autograd.gradcheck,
the closed-form KL against a Monte-Carlo estimate, the draws against torch.rand / randn
with the same seeded generator.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_utils.generative import (
    discriminator_loss,
    generator_loss,
    ls_discriminator_loss,
    ls_generator_loss,
    reparameterize,
    sample_noise,
    vae_loss,
)
from course_utils.generative.adapters import GRADIENTS_OF, as_numpy_call, numpy_adapter
from course_utils.generative.interpolation import interpolate, lerp, slerp
from course_utils.generative.latent import decode_latent, latent_grid, tile
from course_utils.generative.mixture import (
    mode_counts,
    modes_covered,
    ring_centers,
    ring_of_gaussians,
)

#: one torch thread (tiny models), seed 0, torch's random state restored (tests/conftest.py)
pytestmark = [pytest.mark.usefixtures("torch_state"), pytest.mark.numerics]


def t64(rng, *shape, scale=1.0, grad=False):
    return torch.tensor(scale * rng.standard_normal(shape), requires_grad=grad)


def log_sigmoid(s):
    """log sigmoid(s) written out, stable: -(max(-s, 0) + log(1 + exp(-|s|)))."""
    return -(torch.clamp(-s, min=0) + torch.log1p(torch.exp(-s.abs())))


def test_graded_tags():
    for function in (reparameterize, vae_loss):
        assert function.__graded_in__ == "11_autoencoders"
    for function in (
        sample_noise,
        discriminator_loss,
        generator_loss,
        ls_discriminator_loss,
        ls_generator_loss,
    ):
        assert function.__graded_in__ == "12_gans"


# ---------------------------------------------------------------- GAN losses


@pytest.mark.parametrize(("n_real", "n_fake"), [(1, 1), (7, 7), (5, 12)])
def test_discriminator_loss_matches_formula(rng, n_real, n_fake):
    real, fake = t64(rng, n_real, scale=3), t64(rng, n_fake, scale=3)
    expected = -log_sigmoid(real).mean() - log_sigmoid(-fake).mean()
    torch.testing.assert_close(discriminator_loss(real, fake), expected, rtol=1e-12, atol=0)
    bce = F.binary_cross_entropy_with_logits
    oracle = bce(real, torch.ones_like(real)) + bce(fake, torch.zeros_like(fake))
    torch.testing.assert_close(discriminator_loss(real, fake), oracle, rtol=1e-12, atol=0)
    # with probabilities instead of logits, for moderate scores
    p_real, p_fake = torch.sigmoid(real), torch.sigmoid(fake)
    naive = -torch.log(p_real).mean() - torch.log(1 - p_fake).mean()
    torch.testing.assert_close(discriminator_loss(real, fake), naive, rtol=1e-9, atol=0)


@pytest.mark.parametrize("n", [1, 9])
def test_generator_loss_matches_formula(rng, n):
    fake = t64(rng, n, scale=3)
    torch.testing.assert_close(generator_loss(fake), -log_sigmoid(fake).mean(), rtol=1e-12, atol=0)
    oracle = F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake))
    torch.testing.assert_close(generator_loss(fake), oracle, rtol=1e-12, atol=0)


def test_bce_losses_are_stable_for_huge_logits():
    real = torch.tensor([800.0, -900.0, 0.0], dtype=torch.float64)
    fake = torch.tensor([-700.0, 1000.0], dtype=torch.float64)
    d = discriminator_loss(real, fake)
    g = generator_loss(fake)
    # -log sigmoid(s) = softplus(-s) ~ max(-s, 0) for large |s|
    torch.testing.assert_close(d, torch.tensor((900.0 + math.log(2)) / 3 + 1000.0 / 2).double())
    torch.testing.assert_close(g, torch.tensor(700.0 / 2).double())


def test_scores_of_shape_n_by_1_work(rng):
    real, fake = t64(rng, 4, 1), t64(rng, 6, 1)
    flat = discriminator_loss(real.reshape(-1), fake.reshape(-1))
    torch.testing.assert_close(discriminator_loss(real, fake), flat, rtol=1e-12, atol=0)
    assert discriminator_loss(real, fake).dim() == 0 and generator_loss(fake).dim() == 0


@pytest.mark.parametrize(("n_real", "n_fake"), [(1, 1), (6, 6), (3, 10)])
def test_least_squares_losses_match_formula(rng, n_real, n_fake):
    real, fake = t64(rng, n_real), t64(rng, n_fake)
    expected_d = 0.5 * ((real - 1) ** 2).mean() + 0.5 * (fake**2).mean()
    torch.testing.assert_close(ls_discriminator_loss(real, fake), expected_d, rtol=1e-12, atol=0)
    expected_g = 0.5 * ((fake - 1) ** 2).mean()
    torch.testing.assert_close(ls_generator_loss(fake), expected_g, rtol=1e-12, atol=0)
    # the optimum of each player: D scores 1 on real and 0 on fake, G reaches score 1
    ones, zeros = torch.ones(n_real).double(), torch.zeros(n_fake).double()
    assert ls_discriminator_loss(ones, zeros).item() == 0.0
    assert ls_generator_loss(torch.ones(n_fake).double()).item() == 0.0


@pytest.mark.parametrize(
    ("loss", "num_inputs"),
    [
        (discriminator_loss, 2),
        (generator_loss, 1),
        (ls_discriminator_loss, 2),
        (ls_generator_loss, 1),
    ],
)
def test_gan_loss_gradients(rng, loss, num_inputs):
    inputs = [t64(rng, n, scale=2, grad=True) for n in (5, 4)[:num_inputs]]
    assert torch.autograd.gradcheck(loss, inputs, eps=1e-6, atol=1e-7)


def test_discriminator_gradient_is_sigmoid_minus_label(rng):
    real, fake = t64(rng, 5, grad=True), t64(rng, 3, grad=True)
    discriminator_loss(real, fake).backward()
    torch.testing.assert_close(real.grad, (torch.sigmoid(real) - 1).detach() / 5)
    torch.testing.assert_close(fake.grad, torch.sigmoid(fake).detach() / 3)


# ---------------------------------------------------------------- sampling


@pytest.mark.parametrize(("n", "dim"), [(1, 1), (3, 5), (64, 16)])
def test_sample_noise_shape_range_and_recipe(n, dim):
    noise = sample_noise(n, dim, seed=11)
    assert noise.shape == (n, dim) and noise.dtype == torch.float32
    assert noise.min() >= -1 and noise.max() < 1
    expected = 2 * torch.rand(n, dim, generator=torch.Generator().manual_seed(11)) - 1
    torch.testing.assert_close(noise, expected, rtol=0, atol=0)


def test_sample_noise_seeds():
    a, b, c = sample_noise(8, 4, seed=1), sample_noise(8, 4, seed=1), sample_noise(8, 4, seed=2)
    assert torch.equal(a, b) and not torch.equal(a, c)
    torch.manual_seed(5)
    first = sample_noise(8, 4)
    torch.manual_seed(5)
    assert torch.equal(first, sample_noise(8, 4))  # seed=None: torch's global generator
    assert not torch.equal(first, sample_noise(8, 4))


def test_sample_noise_is_uniform():
    noise = sample_noise(4000, 10, seed=3).double()
    assert abs(noise.mean().item()) < 0.02
    assert abs(noise.var().item() - 1 / 3) < 0.02  # Var U(-1, 1) = 4 / 12


def test_reparameterize_recipe_and_seed(rng):
    mu, logvar = t64(rng, 4, 3), t64(rng, 4, 3)
    z = reparameterize(mu, logvar, generator=torch.Generator().manual_seed(7))
    eps = torch.randn((4, 3), generator=torch.Generator().manual_seed(7), dtype=torch.float64)
    torch.testing.assert_close(z, mu + torch.exp(logvar / 2) * eps, rtol=1e-12, atol=0)
    assert z.dtype == torch.float64 and z.shape == (4, 3)
    again = reparameterize(mu, logvar, generator=torch.Generator().manual_seed(7))
    other = reparameterize(mu, logvar, generator=torch.Generator().manual_seed(8))
    assert torch.equal(z, again) and not torch.equal(z, other)


def test_reparameterize_gradients_reach_mu_and_logvar(rng):
    mu, logvar = t64(rng, 5, 2, grad=True), t64(rng, 5, 2, grad=True)
    z = reparameterize(mu, logvar, generator=torch.Generator().manual_seed(3))
    eps = torch.randn((5, 2), generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    dout = t64(rng, 5, 2)
    (z * dout).sum().backward()
    torch.testing.assert_close(mu.grad, dout)
    torch.testing.assert_close(logvar.grad, dout * 0.5 * torch.exp(logvar.detach() / 2) * eps)

    def seeded(m, lv):
        return reparameterize(m, lv, generator=torch.Generator().manual_seed(3))

    inputs = (mu.detach().requires_grad_(), logvar.detach().requires_grad_())
    assert torch.autograd.gradcheck(seeded, inputs)


def test_reparameterize_moments():
    mu = torch.tensor([[1.5, -2.0]], dtype=torch.float64).expand(20000, 2)
    logvar = torch.tensor([[math.log(0.25), math.log(4.0)]], dtype=torch.float64).expand(20000, 2)
    z = reparameterize(mu, logvar, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(z.mean(0), mu[0], atol=0.05, rtol=0)
    torch.testing.assert_close(z.var(0), logvar[0].exp(), atol=0, rtol=0.05)


# ---------------------------------------------------------------- VAE loss


def _kl(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu**2 - logvar.exp())


@pytest.mark.parametrize("shape", [(1, 6), (5, 64), (3, 1, 8, 8)])
def test_vae_loss_matches_formula(rng, shape):
    N = shape[0]
    x_hat = torch.sigmoid(t64(rng, *shape))
    x = torch.tensor(rng.uniform(size=shape))
    mu, logvar = t64(rng, N, 3), t64(rng, N, 3, scale=0.5)
    bce = -(x * torch.log(x_hat) + (1 - x) * torch.log(1 - x_hat)).sum()
    expected = (bce + _kl(mu, logvar)) / N
    torch.testing.assert_close(vae_loss(x_hat, x, mu, logvar), expected, rtol=1e-12, atol=0)
    # the batch average: one copy or two copies of the batch give the same loss
    twice = vae_loss(*(torch.cat([a, a]) for a in (x_hat, x, mu, logvar)))
    torch.testing.assert_close(twice, expected, rtol=1e-12, atol=0)


def test_vae_kl_is_zero_at_the_prior_and_positive_elsewhere(rng):
    x = torch.full((4, 5), 0.5, dtype=torch.float64)
    at_prior = vae_loss(x, x, torch.zeros(4, 2).double(), torch.zeros(4, 2).double())
    torch.testing.assert_close(at_prior, torch.tensor(5 * math.log(2)).double())
    away = vae_loss(x, x, t64(rng, 4, 2), t64(rng, 4, 2))
    assert away.item() > at_prior.item()


def test_closed_form_kl_matches_monte_carlo(rng):
    mu = torch.tensor([[0.7, -1.2, 0.1]], dtype=torch.float64)
    logvar = torch.tensor([[-0.5, 0.8, 0.0]], dtype=torch.float64)
    x = torch.full((1, 2), 0.5, dtype=torch.float64)  # BCE part: 2 log 2, constant
    closed = vae_loss(x, x, mu, logvar) - 2 * math.log(2)
    M = 200_000
    z = reparameterize(mu.expand(M, 3), logvar.expand(M, 3), torch.Generator().manual_seed(1))
    std = torch.exp(logvar / 2)
    log_q = torch.distributions.Normal(mu, std).log_prob(z).sum(1)
    log_p = torch.distributions.Normal(0.0, 1.0).log_prob(z).sum(1)
    estimate = (log_q - log_p).mean()
    stderr = (log_q - log_p).std() / math.sqrt(M)
    assert abs(closed.item() - estimate.item()) < 4 * stderr.item()
    q, prior = torch.distributions.Normal(mu, std), torch.distributions.Normal(0.0, 1.0)
    expected = torch.distributions.kl_divergence(q, prior).sum()
    torch.testing.assert_close(closed, expected, rtol=1e-10, atol=1e-12)


def test_vae_loss_gradients(rng):
    x_hat = torch.sigmoid(t64(rng, 3, 4)).detach().requires_grad_()
    x = torch.tensor(rng.uniform(size=(3, 4)))
    mu, logvar = t64(rng, 3, 2, grad=True), t64(rng, 3, 2, grad=True)
    assert torch.autograd.gradcheck(lambda a, m, lv: vae_loss(a, x, m, lv), (x_hat, mu, logvar))
    vae_loss(x_hat, x, mu, logvar).backward()
    torch.testing.assert_close(mu.grad, mu.detach() / 3)
    torch.testing.assert_close(logvar.grad, 0.5 * (logvar.detach().exp() - 1) / 3)


# ---------------------------------------------------------------- adapters


def test_as_numpy_call_converts_and_differentiates(rng):
    real, fake = rng.normal(size=5), rng.normal(size=3)
    loss, d_real, d_fake = as_numpy_call(discriminator_loss, grad_of=(0, 1))(real, fake)
    assert isinstance(loss, np.ndarray) and loss.shape == ()
    sig = 1 / (1 + np.exp(-real)), 1 / (1 + np.exp(-fake))
    np.testing.assert_allclose(d_real, (sig[0] - 1) / 5, rtol=1e-10)
    np.testing.assert_allclose(d_fake, sig[1] / 3, rtol=1e-10)
    plain = as_numpy_call(sample_noise)(2, 3, seed=4)
    assert isinstance(plain, np.ndarray) and plain.dtype == np.float32
    np.testing.assert_array_equal(plain, sample_noise(2, 3, seed=4).numpy())


def test_as_numpy_call_turns_an_int_generator_into_a_seeded_generator(rng):
    mu, logvar = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    z, dmu, dlogvar = numpy_adapter("reparameterize", {"reparameterize": reparameterize})(
        mu, logvar, generator=9
    )
    gen = torch.Generator().manual_seed(9)
    expected = reparameterize(torch.tensor(mu), torch.tensor(logvar), generator=gen).numpy()
    np.testing.assert_allclose(z, expected, rtol=1e-12)
    np.testing.assert_array_equal(dmu, np.ones((3, 2)))
    np.testing.assert_allclose(dlogvar, 0.5 * (expected - mu), rtol=1e-10)


def test_numpy_adapter_binds_late():
    namespace: dict = {}
    adapted = numpy_adapter("generator_loss", namespace)
    with pytest.raises(NameError, match="generator_loss"):
        adapted(np.zeros(2))
    namespace["generator_loss"] = generator_loss
    loss, _ = adapted(np.zeros(2))
    assert loss == pytest.approx(math.log(2))
    namespace["generator_loss"] = ls_generator_loss  # redefined after the adapter was made
    assert adapted(np.zeros(2))[0] == pytest.approx(0.5)


def test_adapter_rejects_detached_or_numpy_results():
    def detached(scores):
        return generator_loss(scores).detach()

    def as_float(scores):
        return generator_loss(scores).item()

    for bad in (detached, as_float):
        with pytest.raises(TypeError, match="autograd"):
            as_numpy_call(bad, grad_of=(0,))(np.zeros(3))
    with pytest.raises(ValueError, match="no adapter"):
        numpy_adapter("softmax_loss", {})
    assert set(GRADIENTS_OF) == {
        "sample_noise",
        "reparameterize",
        "vae_loss",
        "discriminator_loss",
        "generator_loss",
        "ls_discriminator_loss",
        "ls_generator_loss",
    }


def test_adapter_returns_zero_gradient_for_an_unused_input(rng):
    loss, d_real, d_fake = as_numpy_call(lambda r, f: (r**2).mean(), grad_of=(0, 1))(
        rng.normal(size=3), rng.normal(size=4)
    )
    np.testing.assert_array_equal(d_fake, np.zeros(4))


# ---------------------------------------------------------------- interpolation


def test_lerp_and_slerp_end_points(rng):
    z0, z1 = rng.normal(size=6), rng.normal(size=6)
    for path in (lerp, slerp):
        np.testing.assert_allclose(path(z0, z1, 0.0), z0, atol=1e-12)
        np.testing.assert_allclose(path(z0, z1, 1.0), z1, atol=1e-12)
    np.testing.assert_allclose(lerp(z0, z1, 0.25), 0.75 * z0 + 0.25 * z1)


def test_slerp_keeps_the_norm_and_moves_at_constant_angle(rng):
    z0, z1 = rng.normal(size=5), rng.normal(size=5)
    z1 *= np.linalg.norm(z0) / np.linalg.norm(z1)
    ts = np.linspace(0, 1, 11)
    path = interpolate(z0, z1, ts, "spherical")  # (11, 5)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), np.linalg.norm(z0), rtol=1e-12)
    cosines = np.sum(path[:-1] * path[1:], axis=1) / np.linalg.norm(z0) ** 2
    np.testing.assert_allclose(cosines, cosines[0], rtol=1e-10)
    straight = interpolate(z0, z1, ts, "linear")
    assert np.linalg.norm(straight[5]) < np.linalg.norm(z0)  # the straight line cuts inside


def test_slerp_falls_back_to_lerp_for_parallel_vectors():
    z0 = np.array([1.0, 2.0, 0.0])
    np.testing.assert_allclose(slerp(z0, 3 * z0, 0.5), 2 * z0)
    np.testing.assert_allclose(slerp(np.zeros(3), z0, 0.5), 0.5 * z0)
    with pytest.raises(ValueError, match="method"):
        interpolate(z0, z0, [0.5], "cubic")


# ---------------------------------------------------------------- latent decoding


class CoordinateDecoder(torch.nn.Module):
    """Decodes z = (a, b) into a 2x2 image [[a, b], [a + b, a - b]]: easy to check."""

    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.ones(()))

    def forward(self, z):
        a, b = z[:, 0], z[:, 1]
        return self.scale * torch.stack([a, b, a + b, a - b], dim=1)


def test_decode_latent_single_and_batch():
    decoder = CoordinateDecoder()
    one = decode_latent(decoder, [1.0, 2.0], (2, 2))
    np.testing.assert_allclose(one, [[1, 2], [3, -1]])
    batch = decode_latent(decoder, np.array([[1.0, 0.0], [0.0, 1.0]]), (2, 2))
    assert batch.shape == (2, 2, 2) and batch.dtype == np.float64
    np.testing.assert_allclose(batch[1], [[0, 1], [1, -1]])
    np.testing.assert_allclose(decode_latent(lambda z: 2 * z, [1.0, 3.0], (2,)), [2, 6])


def test_latent_grid_reads_like_a_plot():
    values, images = latent_grid(CoordinateDecoder(), (-1.0, 1.0), 3, (2, 2))
    np.testing.assert_allclose(values, [-1, 0, 1])
    assert images.shape == (3, 3, 2, 2)
    np.testing.assert_allclose(images[:, :, 0, 0], np.tile(values, (3, 1)))  # z1 to the right
    np.testing.assert_allclose(images[:, :, 0, 1], np.tile(values[::-1, None], (1, 3)))  # z2 up


def test_tile():
    images = np.arange(2 * 3 * 2 * 2, dtype=float).reshape(2, 3, 2, 2)
    mosaic = tile(images, pad=1, pad_value=-1)
    assert mosaic.shape == (2 * 3 - 1, 3 * 3 - 1)
    np.testing.assert_array_equal(mosaic[3:5, 6:8], images[1, 2])
    assert np.all(mosaic[2] == -1) and np.all(mosaic[:, 2] == -1)
    assert tile(images[0], pad=0).shape == (2, 6)
    assert tile(np.full((2, 3, 3), 0.25), pad_value=0)[0, 0] == 0.25  # an int pad keeps floats
    colour = np.random.default_rng(0).random((2, 2, 4, 4, 3))
    assert tile(colour).shape == (9, 9, 3)
    np.testing.assert_array_equal(tile(colour)[5:9, 5:9], colour[1, 1])
    assert tile(colour[0]).shape == (4, 9, 3)  # (M, H, W, 3): one row of colour images


# ---------------------------------------------------------------- ring of Gaussians


def test_ring_of_gaussians():
    X, labels = ring_of_gaussians(4000, num_modes=6, radius=3.0, std=0.05, seed=1)
    centers = ring_centers(6, 3.0)
    assert X.shape == (4000, 2) and labels.shape == (4000,)
    np.testing.assert_allclose(np.linalg.norm(centers, axis=1), 3.0)
    assert np.max(np.linalg.norm(X - centers[labels], axis=1)) < 0.05 * 6
    np.testing.assert_array_equal(
        ring_of_gaussians(10, seed=2)[0], ring_of_gaussians(10, seed=2)[0]
    )
    assert np.bincount(labels).min() > 4000 / 6 * 0.8


def test_modes_covered_counts_modes_not_samples(rng):
    centers = ring_centers(8, 2.0)
    X, _ = ring_of_gaussians(800, 8, 2.0, 0.02, seed=rng)
    assert modes_covered(X, centers, 0.1) == 8
    np.testing.assert_array_equal(mode_counts(X, centers, 0.1).sum(), 800)
    collapsed = centers[3] + 0.01 * rng.standard_normal((500, 2))
    assert modes_covered(collapsed, centers, 0.1) == 1
    between = np.zeros((100, 2))  # the centre of the ring is far from every mode
    assert modes_covered(between, centers, 0.1) == 0
    np.testing.assert_array_equal(mode_counts(between, centers, 0.1), np.zeros(8))
    two = np.concatenate([collapsed, centers[0] + 0.01 * rng.standard_normal((10, 2))])
    # a fair share is 510 / 8 samples: 10 are below a quarter of it, above a tenth
    assert modes_covered(two, centers, 0.1) == 1
    assert modes_covered(two, centers, 0.1, min_fraction=0.1) == 2
