"""Latent widget: sliders over (z1, z2) decode live; the static grid of decodings."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from course_utils.torch_track.models.vae import VAE  # noqa: E402
from course_utils.widgets.latent import LatentWidget, latent_widget, plot_latent_grid  # noqa: E402

pytestmark = pytest.mark.numerics  # run under forced BLAS kernels: tests/portability.py


class Ramp(torch.nn.Module):
    """Decodes (a, b) into an 8x8 image whose pixel (i, j) is sigmoid(a * i / 7 + b * j / 7)."""

    def __init__(self):
        super().__init__()
        grid = torch.stack(torch.meshgrid(torch.arange(8.0), torch.arange(8.0), indexing="ij"))
        self.register_buffer("grid", grid.reshape(2, 64) / 7)  # (2, 64)

    def forward(self, z):
        return torch.sigmoid(z @ self.grid)  # (M, 64)


def test_sliders_decode_live_and_redraw():
    points = np.random.default_rng(0).normal(size=(30, 2))
    w = latent_widget(Ramp(), limits=(-3, 3), points=points, labels=np.arange(30) % 10)
    assert isinstance(w, LatentWidget)
    assert w.widget.children[:2] == (w.z1, w.z2)
    np.testing.assert_allclose(w.last_result, 0.5)  # z = 0
    before, artist_before, png = w.last_result, w.image_artist.get_array().copy(), w.image.value
    w.z1.value = 2.0
    after = w.last_result
    assert after.shape == (8, 8) and not np.array_equal(after, before)
    expected = 1 / (1 + np.exp(-2.0 * np.arange(8) / 7))
    np.testing.assert_allclose(after[:, 0], expected, rtol=1e-6)  # varies along i only
    np.testing.assert_allclose(after, np.repeat(expected[:, None], 8, axis=1), rtol=1e-6)
    assert not np.array_equal(w.image_artist.get_array(), artist_before)
    assert w.image.value != png
    w.z2.value = -1.5
    assert list(w.marker.get_xdata()) == [2.0] and list(w.marker.get_ydata()) == [-1.5]
    assert "(2.00, -1.50)" in w.image_ax.get_title() and "(2.00, -1.50)" in w.status.value


def test_widget_with_a_vae_decoder_and_clamped_value():
    vae = VAE(64, 2, 16, seed=0)
    w = LatentWidget(vae.decode, limits=(-1, 1), value=(5.0, 0.0))
    assert w.z1.value == 1.0  # clamped into the slider range
    first = w.last_result
    assert first.shape == (8, 8) and np.all((first > 0) & (first < 1))
    w.z1.value = -1.0
    assert not np.allclose(w.last_result, first)
    with pytest.raises(ValueError, match="limits"):
        LatentWidget(vae.decode, limits=(1, -1))


def test_static_grid():
    fig, values, images = plot_latent_grid(Ramp(), limits=(-2, 2), num=5)
    try:
        assert images.shape == (5, 5, 8, 8)
        np.testing.assert_allclose(values, np.linspace(-2, 2, 5))
        # row 0 is the top of the plot: z2 = 2 there, z1 = -2 in column 0
        np.testing.assert_allclose(images[0, 0, 0, 7], 1 / (1 + np.exp(-2.0)), rtol=1e-6)
        ax = fig.axes[0]
        assert ax.get_xlabel() == "z1" and ax.get_ylabel() == "z2" and ax.get_title()
        assert ax.images[0].get_array().shape == (5 * 9 - 1, 5 * 9 - 1)
    finally:
        plt.close(fig)


def test_colour_images():
    class Colour(torch.nn.Module):
        def forward(self, z):  # (M, 2) -> (M, 4 * 4 * 3) in (0, 1)
            return torch.sigmoid(z.sum(1, keepdim=True) * torch.linspace(-1, 1, 48))

    w = LatentWidget(Colour(), image_shape=(4, 4, 3), value=(0.5, 0.5))
    assert w.last_result.shape == (4, 4, 3)
    w.z2.value = -2.0
    assert w.last_result.shape == (4, 4, 3) and w.last_result[0, 0, 0] > 0.5
    fig, _, images = plot_latent_grid(Colour(), num=3, image_shape=(4, 4, 3))
    try:
        assert images.shape == (3, 3, 4, 4, 3)
        assert fig.axes[0].images[0].get_array().shape == (14, 14, 3)
    finally:
        plt.close(fig)
