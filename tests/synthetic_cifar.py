"""A CIFAR-10 archive in the real format, with synthetic images, for tests that run offline.

The layout is that of cifar-10-python.tar.gz: cifar-10-batches-py/ holding data_batch_1..5,
test_batch and batches.meta, each a pickled dict with bytes keys; a row of ``data`` is one
image as 1024 red, 1024 green and 1024 blue bytes. The images are built like photographs
in the way that matters to the notebooks: neighbouring pixels are strongly correlated, so
the covariance has one dominant direction (largest eigenvalue in the tens, as for real
CIFAR-10), and each class has its own colour and band, so that models can learn something.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import tarfile

import numpy as np

BATCHES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
CLASSES = "airplane automobile bird cat deer dog frog horse ship truck".split()


def cifar_archive(images_per_batch: int, seed: int = 0) -> tuple[bytes, dict, str]:
    """(archive bytes, {batch name: (data (n, 3072) uint8, labels list)}, md5 of the bytes)."""
    rng = np.random.default_rng(seed)
    contents, buffer = {}, io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=1) as tar:
        for name in BATCHES:
            labels = rng.integers(0, 10, size=images_per_batch)
            data = _images(labels, rng).reshape(images_per_batch, 3072)
            contents[name] = (data, labels.tolist())
            _add(tar, name, {
                b"batch_label": name.encode(), b"labels": labels.tolist(), b"data": data,
                b"filenames": [b"synthetic.png"] * images_per_batch,
            })  # fmt: skip
        _add(tar, "batches.meta", {
            b"num_cases_per_batch": images_per_batch, b"num_vis": 3072,
            b"label_names": [c.encode() for c in CLASSES],
        })  # fmt: skip
    archive = buffer.getvalue()
    return archive, contents, hashlib.md5(archive).hexdigest()


def _images(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Images (n, 3, 32, 32) uint8: a brightness shared by all pixels, the class's colour
    and band, and pixel noise."""
    n = len(labels)
    images = 100.0 + 40.0 * rng.standard_normal((n, 1, 1, 1))  # one brightness per image
    colour = np.arange(10) % 3  # (10,) the channel each class brightens
    images = images + np.zeros((n, 3, 32, 32))
    images[np.arange(n), colour[labels]] += 50.0
    for c in range(10):
        rows = slice(3 * c, 3 * c + 6)
        images[labels == c, :, rows, :] += 40.0
    images += 20.0 * rng.standard_normal(images.shape)
    return np.clip(images, 0, 255).astype(np.uint8)


def _add(tar: tarfile.TarFile, name: str, obj: dict) -> None:
    payload = pickle.dumps(obj, protocol=2)
    info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
    info.size = len(payload)
    tar.addfile(info, io.BytesIO(payload))
