"""Interpolation widget: a slider of t along a linear or spherical path between two noise
vectors, decoded live; the static strip of both paths."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from course_utils.generative.interpolation import lerp, slerp  # noqa: E402
from course_utils.torch_track.models.gan import Generator  # noqa: E402
from course_utils.widgets.interpolation import (  # noqa: E402
    InterpolationWidget,
    interpolation_widget,
    plot_interpolation_strip,
)

pytestmark = pytest.mark.numerics  # run under forced BLAS kernels: tests/portability.py


class Echo(torch.nn.Module):
    """'Decodes' z (M, 4) into a 2x2 image holding z itself: easy to check."""

    def forward(self, z):
        return z


Z0, Z1 = np.array([1.0, 0.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0, 0.0])


def test_slider_moves_along_the_path_and_redraws():
    w = interpolation_widget(Echo(), Z0, Z1, image_shape=(2, 2), method="linear", value=0.0)
    assert isinstance(w, InterpolationWidget)
    assert w.widget.children[0] is w.slider and w.widget.children[1] is w.path
    np.testing.assert_allclose(w.last_result["image"], Z0.reshape(2, 2))
    before, artist, png = w.last_result, w.image_artist.get_array().copy(), w.image.value
    w.slider.value = 0.5
    after = w.last_result
    assert after is not before and after["t"] == 0.5 and after["method"] == "linear"
    np.testing.assert_allclose(after["z"], lerp(Z0, Z1, 0.5))
    np.testing.assert_allclose(after["image"], lerp(Z0, Z1, 0.5).reshape(2, 2), rtol=1e-6)
    assert after["norm"] == pytest.approx(np.sqrt(0.5))
    assert not np.array_equal(w.image_artist.get_array(), artist)
    assert w.image.value != png
    assert list(w.norm_marker.get_xdata()) == [0.5]


def test_switching_to_the_spherical_path():
    w = InterpolationWidget(Echo(), Z0, Z1, image_shape=(2, 2), method="linear", value=0.5)
    linear = w.last_result
    w.path.value = "spherical"
    spherical = w.last_result
    assert spherical["method"] == "spherical" and spherical["t"] == 0.5
    np.testing.assert_allclose(spherical["z"], slerp(Z0, Z1, 0.5))
    assert spherical["norm"] == pytest.approx(1.0) and linear["norm"] < 1.0
    assert "spherical" in w.image_ax.get_title() and "spherical" in w.status.value


def test_widget_with_a_generator_and_bad_arguments():
    G = Generator(4, 64, 16, batchnorm=True, seed=0)
    w = InterpolationWidget(G, Z0, Z1, value=0.0)
    first = w.last_result["image"]
    assert first.shape == (8, 8) and np.all(np.abs(first) <= 1)
    w.slider.value = 1.0
    assert not np.allclose(w.last_result["image"], first)
    with pytest.raises(ValueError, match="method"):
        InterpolationWidget(G, Z0, Z1, method="cubic")
    with pytest.raises(ValueError, match="shape"):
        InterpolationWidget(G, Z0, np.zeros(3))


def test_static_strip():
    fig, images = plot_interpolation_strip(Echo(), Z0, Z1, num=5, image_shape=(2, 2))
    try:
        assert images.shape == (2, 5, 2, 2)
        np.testing.assert_allclose(images[0, 2].ravel(), lerp(Z0, Z1, 0.5), rtol=1e-6)
        np.testing.assert_allclose(images[1, 2].ravel(), slerp(Z0, Z1, 0.5), rtol=1e-6)
        np.testing.assert_allclose(images[:, 0].reshape(2, 4), [Z0, Z0], atol=1e-7)
        strip_ax, norm_ax = fig.axes
        assert strip_ax.get_title() and norm_ax.get_xlabel() == "t"
        assert [line.get_label() for line in norm_ax.get_lines()] == ["linear", "spherical"]
    finally:
        plt.close(fig)


def test_colour_images_in_zero_one():
    def decode(z):  # (M, 4) -> (M, 2, 2, 3) in [0, 1]
        return torch.sigmoid(z.repeat(1, 3).reshape(-1, 2, 2, 3))

    w = InterpolationWidget(decode, Z0, Z1, image_shape=(2, 2, 3), value_range=(0.0, 1.0))
    assert w.last_result["image"].shape == (2, 2, 3)
    assert w.image_artist.get_clim() == (0.0, 1.0)
    fig, images = plot_interpolation_strip(
        decode, Z0, Z1, num=3, image_shape=(2, 2, 3), value_range=(0.0, 1.0)
    )
    try:
        assert images.shape == (2, 3, 2, 2, 3)
        assert fig.axes[0].images[0].get_clim() == (0.0, 1.0)
    finally:
        plt.close(fig)
