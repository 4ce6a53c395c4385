"""The generative models of 11_autoencoders and 12_gans, and their training loops.

Shapes and output ranges from the architectures' definitions, seeded initialisation that
leaves torch's global state alone, and short CPU training runs that must lower the loss
and be reproducible (the loops get their randomness from their seed argument only).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils.generative import (
    discriminator_loss,
    generator_loss,
    ls_discriminator_loss,
    ls_generator_loss,
    reparameterize,
    sample_noise,
    vae_loss,
)
from course_utils.generative.training import (
    GanHistory,
    generate,
    reconstruct,
    single_threaded,
    train_autoencoder,
    train_gan,
    train_vae,
)
from course_utils.torch_track.models.autoencoder import Autoencoder
from course_utils.torch_track.models.dcgan import DCDiscriminator, DCGenerator
from course_utils.torch_track.models.gan import Discriminator, Generator
from course_utils.torch_track.models.vae import VAE

CPU = torch.device("cpu")


#: one torch thread (tiny models), seed 0, torch's random state restored (tests/conftest.py)
pytestmark = [pytest.mark.usefixtures("torch_state"), pytest.mark.numerics]


@pytest.fixture
def images(rng):
    """Smooth 8x8 'images' in [0, 1]: 120 blurred blobs, flattened to (120, 64)."""
    ys, xs = np.mgrid[0:8, 0:8]
    centres = rng.uniform(1.5, 6.5, size=(120, 2))
    blobs = np.exp(-((ys - centres[:, :1, None]) ** 2 + (xs - centres[:, 1:, None]) ** 2) / 4)
    return blobs.reshape(120, 64)


def _same_parameters(a, b):
    return all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_seeded_models_are_reproducible_and_leave_global_state():
    state = torch.get_rng_state()
    for make in (
        lambda s: Autoencoder(64, 3, (32,), seed=s),
        lambda s: VAE(64, 2, 32, seed=s),
        lambda s: Generator(8, 64, 32, seed=s),
        lambda s: Discriminator(64, 32, seed=s),
        lambda s: DCGenerator(8, 8, seed=s),
        lambda s: DCDiscriminator(8, seed=s),
    ):
        assert _same_parameters(make(1), make(1))
        assert not _same_parameters(make(1), make(2))
    assert torch.equal(torch.get_rng_state(), state)


def test_autoencoder_shapes_and_range():
    model = Autoencoder(64, 5, (32, 16), seed=0)
    x = torch.rand(7, 64)
    x_hat, code = model(x)
    assert x_hat.shape == (7, 64) and code.shape == (7, 5)
    assert torch.all((x_hat > 0) & (x_hat < 1))
    assert torch.equal(model.decode(model.encode(x)), x_hat)
    sparse = Autoencoder(64, 40, (32,), code_activation="relu", seed=0)
    assert torch.all(sparse.encode(x) >= 0)
    linear_layers = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    assert [m.out_features for m in linear_layers] == [32, 16, 5, 16, 32, 64]
    with pytest.raises(ValueError, match="code_activation"):
        Autoencoder(code_activation="tanh")


def test_vae_shapes_and_sampling():
    model = VAE(64, 3, 32, seed=0)
    x = torch.rand(5, 64)
    x_hat, mu, logvar = model(x, reparameterize, generator=torch.Generator().manual_seed(0))
    assert x_hat.shape == (5, 64) and mu.shape == logvar.shape == (5, 3)
    assert torch.all((x_hat > 0) & (x_hat < 1))
    again, _, _ = model(x, reparameterize, generator=torch.Generator().manual_seed(0))
    assert torch.equal(x_hat, again)

    def mean_only(mu, logvar, generator=None):
        return mu

    torch.testing.assert_close(model(x, mean_only)[0], model.decode(model.encode(x)[0]))


def test_gan_models_shapes_and_ranges():
    z = sample_noise(6, 8, seed=0)
    G = Generator(8, 64, 32, batchnorm=True, seed=0)
    assert G(z).shape == (6, 64) and torch.all(G(z).abs() <= 1)
    assert any(isinstance(m, torch.nn.BatchNorm1d) for m in G.modules())
    toy = Generator(8, 2, 16, output_activation=None, seed=0)
    assert toy(z).shape == (6, 2) and not any(isinstance(m, torch.nn.Tanh) for m in toy.modules())
    D = Discriminator(64, 32, seed=0)
    assert D(G(z)).shape == (6,)
    assert D(G(z).view(6, 1, 8, 8)).shape == (6,)  # images are flattened
    with pytest.raises(ValueError, match="output_activation"):
        Generator(output_activation="sigmoid")


def test_dcgan_shapes():
    G, D = DCGenerator(8, 8, seed=0), DCDiscriminator(8, seed=0)
    images = G(sample_noise(4, 8, seed=0))
    assert images.shape == (4, 1, 8, 8) and torch.all(images.abs() <= 1)
    assert D(images).shape == (4,)
    convs = [m for m in G.modules() if isinstance(m, torch.nn.ConvTranspose2d)]
    assert [(m.in_channels, m.out_channels) for m in convs] == [(16, 8), (8, 1)]


@pytest.mark.parametrize(("size", "stages"), [(4, 1), (16, 3), (32, 4)])
def test_dcgan_other_image_sizes(size, stages):
    G = DCGenerator(8, 4, out_channels=3, image_size=size, seed=0)
    D = DCDiscriminator(4, in_channels=3, image_size=size, seed=0)
    images = G(sample_noise(2, 8, seed=1))
    assert images.shape == (2, 3, size, size) and D(images).shape == (2,)
    assert sum(isinstance(m, torch.nn.ConvTranspose2d) for m in G.modules()) == stages
    assert sum(isinstance(m, torch.nn.Conv2d) for m in D.modules()) == stages
    with pytest.raises(ValueError, match="power of two"):
        DCGenerator(image_size=12)


def test_single_threaded_restores_the_thread_count():
    torch.set_num_threads(2)
    with single_threaded(CPU):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == 2


def test_train_autoencoder_learns_and_is_reproducible(images):
    def run(**kwargs):
        model = Autoencoder(64, 4, (32,), seed=0)
        return model, train_autoencoder(
            model, images, epochs=8, batch_size=32, lr=1e-2, seed=3, device=CPU, **kwargs
        )

    model, history = run()
    assert history["loss"].shape == (8,) and history["loss"][-1] < 0.5 * history["loss"][0]
    x_hat, code = reconstruct(model, images)
    assert x_hat.shape == (120, 64) and code.shape == (120, 4)
    assert np.mean(np.sum((x_hat - images) ** 2, axis=1)) < history["loss"][0]
    np.testing.assert_array_equal(run()[1]["loss"], history["loss"])
    noisy = run(noise_std=0.3)[1]["loss"]
    assert not np.array_equal(noisy, history["loss"])
    sparse_model, sparse = run(l1=0.1)
    assert np.all(np.isfinite(sparse["loss"]))


def test_train_vae_lowers_the_negative_elbo(images):
    model = VAE(64, 2, 32, seed=0)
    history = train_vae(
        model,
        images,
        reparameterize=reparameterize,
        loss_fn=vae_loss,
        epochs=6,
        batch_size=32,
        lr=1e-2,
        seed=0,
        device=CPU,
    )
    assert history["loss"].shape == (6,) and history["loss"][-1] < 0.8 * history["loss"][0]
    assert not model.training
    calls = []

    def counting(mu, logvar, generator=None):
        calls.append(generator)
        return reparameterize(mu, logvar, generator=generator)

    train_vae(
        VAE(64, 2, 32, seed=0),
        images[:40],
        reparameterize=counting,
        loss_fn=vae_loss,
        epochs=1,
        batch_size=20,
        seed=0,
        device=CPU,
    )
    assert len(calls) == 2 and all(isinstance(g, torch.Generator) for g in calls)


@pytest.mark.parametrize(
    ("losses", "dc"),
    [
        ((discriminator_loss, generator_loss), False),
        ((ls_discriminator_loss, ls_generator_loss), True),
    ],
)
def test_train_gan_records_losses_and_snapshots(images, losses, dc):
    data = images * 2 - 1
    if dc:
        G, D, data = (
            DCGenerator(8, 8, seed=0),
            DCDiscriminator(8, seed=1),
            data.reshape(-1, 1, 8, 8),
        )
    else:
        G, D = Generator(8, 64, 32, batchnorm=True, seed=0), Discriminator(64, 32, seed=1)
    fixed = sample_noise(5, 8, seed=9)

    def run():
        return train_gan(
            G,
            D,
            data,
            discriminator_loss=losses[0],
            generator_loss=losses[1],
            sample_noise=sample_noise,
            steps=12,
            batch_size=16,
            lr=1e-3,
            seed=0,
            device=CPU,
            fixed_noise=fixed,
            snapshot_every=5,
        )

    history = run()
    assert isinstance(history, GanHistory)
    assert history.d_loss.shape == history.g_loss.shape == (12,)
    assert np.all(np.isfinite(history.d_loss)) and np.all(history.d_loss >= 0)
    assert sorted(history.snapshots) == [0, 5, 10, 12]
    assert history.snapshots[12].shape == (5, *data.shape[1:])
    assert not np.allclose(history.snapshots[0], history.snapshots[12])
    np.testing.assert_allclose(history.snapshots[12], generate(G, fixed))
    assert not G.training and not D.training


def test_train_gan_is_reproducible(images):
    def run():
        G, D = Generator(8, 64, 16, seed=0), Discriminator(64, 16, seed=1)
        return train_gan(
            G,
            D,
            images,
            discriminator_loss=discriminator_loss,
            generator_loss=generator_loss,
            sample_noise=sample_noise,
            steps=6,
            batch_size=8,
            seed=4,
            device=CPU,
        )

    first, second = run(), run()
    np.testing.assert_array_equal(first.d_loss, second.d_loss)
    assert first.snapshots == {}


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_training_loops_run_on_cuda(images):
    cuda = torch.device("cuda")
    model = VAE(64, 2, 32, seed=0)
    history = train_vae(
        model,
        images,
        reparameterize=reparameterize,
        loss_fn=vae_loss,
        epochs=2,
        batch_size=32,
        seed=0,
        device=cuda,
    )
    assert np.all(np.isfinite(history["loss"]))
    assert next(model.parameters()).device.type == "cuda"
    ae = Autoencoder(64, 3, (16,), seed=0)
    train_autoencoder(ae, images, epochs=1, noise_std=0.2, device=cuda)
    assert reconstruct(ae, images)[0].shape == (120, 64)
    G, D = DCGenerator(8, 8, seed=0), DCDiscriminator(8, seed=1)
    gan = train_gan(
        G,
        D,
        images.reshape(-1, 1, 8, 8) * 2 - 1,
        discriminator_loss=discriminator_loss,
        generator_loss=generator_loss,
        sample_noise=sample_noise,
        steps=3,
        device=cuda,
        fixed_noise=sample_noise(4, 8, seed=0),
        snapshot_every=2,
    )
    assert gan.snapshots[3].shape == (4, 1, 8, 8)
