"""Data sets for the course, offline first.

- ``load_digits()``: 1797 real 8x8 handwritten digits bundled with scikit-learn (offline).
- ``load_cifar10()``: CIFAR-10, downloaded once (md5-verified) and cached.
- ``get_dataset(name, ...)``: train/val/test splits, mean-subtracted, in a chosen layout.
- ``load_text()``, ``CharVocab``, ``text_batches()``: character-level text for RNNs.
- ``rent_vs_area()``, ``spirals()``, ``xor()``, ``blobs()``: seeded synthetic sets.

The cache folder is ``$COURSE_DATA_DIR`` or the user cache (``~/.cache/course_utils``);
``python -m course_utils.data info`` shows it, ``python -m course_utils.data download
cifar10`` fills it. See docs/DATA.md.
"""

from course_utils.data.cache import data_dir
from course_utils.data.cifar10 import CIFAR10_CLASSES, ensure_cifar10, load_cifar10
from course_utils.data.datasets import get_dataset
from course_utils.data.digits import DIGITS_CLASSES, load_digits
from course_utils.data.download import ChecksumMismatch, DatasetUnavailable, DownloadError
from course_utils.data.synthetic import (
    blobs,
    rent_ground_truth,
    rent_polynomial_coefficients,
    rent_vs_area,
    spirals,
    xor,
)
from course_utils.data.text import CharVocab, ensure_shakespeare, load_text, text_batches

__all__ = [
    "CIFAR10_CLASSES",
    "DIGITS_CLASSES",
    "CharVocab",
    "ChecksumMismatch",
    "DatasetUnavailable",
    "DownloadError",
    "blobs",
    "data_dir",
    "ensure_cifar10",
    "ensure_shakespeare",
    "get_dataset",
    "load_cifar10",
    "load_digits",
    "load_text",
    "rent_ground_truth",
    "rent_polynomial_coefficients",
    "rent_vs_area",
    "spirals",
    "text_batches",
    "xor",
]
