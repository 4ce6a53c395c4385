"""CIFAR-10: 60000 colour images of 32x32 pixels in 10 classes, downloaded once and cached.

The loader uses the official "python version" archive of Alex Krizhevsky
(``CIFAR10_URL``, md5 ``CIFAR10_MD5``, 163 MiB). In the cache folder (see
``course_utils.data.cache``) it keeps the archive ``cifar-10-python.tar.gz`` and
the extracted folder ``cifar-10-batches-py/`` (the layout torchvision uses too),
so copying the archive, or that folder, into the cache folder is enough offline.

For tests and mirrors, the address and checksum can be replaced by the keyword
arguments ``url``/``md5``, the environment variables ``COURSE_CIFAR10_URL`` /
``COURSE_CIFAR10_MD5``, or by assigning the module constants.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tarfile
import tempfile
from pathlib import Path

import numpy as np

from course_utils.data.cache import data_dir
from course_utils.data.download import (
    ChecksumMismatch,
    DatasetUnavailable,
    fetch,
    unavailable_help,
    verify_file,
)

CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_MD5 = "c58f30108f718f92721af3b95e74349a"
CIFAR10_TIMEOUT = 30.0  # seconds without data before the download is given up
CIFAR10_URL_ENV = "COURSE_CIFAR10_URL"
CIFAR10_MD5_ENV = "COURSE_CIFAR10_MD5"
CIFAR10_ARCHIVE = "cifar-10-python.tar.gz"
CIFAR10_FOLDER = "cifar-10-batches-py"
TRAIN_BATCHES: tuple[str, ...] = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCH = "test_batch"
CIFAR10_CLASSES: tuple[str, ...] = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)


def cifar10_url() -> str:
    """The download address: ``$COURSE_CIFAR10_URL`` if set, else ``CIFAR10_URL``."""
    return os.environ.get(CIFAR10_URL_ENV) or CIFAR10_URL


def cifar10_md5() -> str:
    """The expected md5 of the archive: ``$COURSE_CIFAR10_MD5`` if set, else ``CIFAR10_MD5``."""
    return os.environ.get(CIFAR10_MD5_ENV) or CIFAR10_MD5


def is_extracted(batches: Path) -> bool:
    """True if the folder holds all five training batches and the test batch."""
    return all((batches / name).is_file() for name in (*TRAIN_BATCHES, TEST_BATCH))


def _extract_all(tar: tarfile.TarFile, dest: Path) -> None:
    if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4 / 3.10.12
        tar.extractall(dest, filter="data")
        return
    for member in tar.getmembers():  # older Pythons: refuse anything but plain files/dirs
        target = (dest / member.name).resolve()
        if not (member.isfile() or member.isdir()) or dest.resolve() not in target.parents:
            raise DatasetUnavailable(f"refusing to extract {member.name!r}")
    tar.extractall(dest)  # members checked above


def _extract(archive: Path, folder: Path) -> Path:
    """Extract the verified archive into a temporary folder, then rename it into place."""
    target = folder / CIFAR10_FOLDER
    scratch = Path(tempfile.mkdtemp(dir=folder, prefix=".cifar10-extract-"))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            _extract_all(tar, scratch)
        extracted = scratch / CIFAR10_FOLDER
        if not is_extracted(extracted):
            raise DatasetUnavailable(
                f"{archive} does not contain {CIFAR10_FOLDER}/ with all batches"
            )
        try:
            os.replace(extracted, target)  # atomic: target is absent or complete
        except OSError as err:
            if not is_extracted(target):  # else another process extracted it meanwhile
                raise DatasetUnavailable(
                    f"Cannot move the extracted batches to {target}: {err}. "
                    "Delete that (incomplete) folder and try again."
                ) from err
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def ensure_cifar10(
    root: str | os.PathLike[str] | None = None,
    *,
    url: str | None = None,
    md5: str | None = None,
    timeout: float | None = None,
    retries: int | None = None,
    progress: bool = True,
    download: bool = True,
) -> Path:
    """Make sure the extracted batches are in the cache; return their folder.

    Uses, in order: the extracted folder; the archive in the cache folder (checked
    against ``md5`` first); a download (progress bar on stdout, md5 verified).
    Keywords as in ``load_cifar10``. Raises ``DatasetUnavailable`` (a RuntimeError)
    with instructions when none of these works.
    """
    folder = data_dir(root)
    batches = folder / CIFAR10_FOLDER
    if is_extracted(batches):
        return batches
    url = url or cifar10_url()
    md5 = md5 or cifar10_md5()
    archive = folder / CIFAR10_ARCHIVE
    help_text = unavailable_help("cifar10", folder, CIFAR10_ARCHIVE, url)
    if archive.is_file():
        try:
            verify_file(archive, md5=md5)
        except ChecksumMismatch as err:
            raise ChecksumMismatch(
                f"The archive {archive} in the cache is corrupt ({err}). "
                f"Delete it and run again to download it afresh.\n{help_text}"
            ) from err
    elif not download:
        raise DatasetUnavailable(f"CIFAR-10 is not cached (download=False).\n{help_text}")
    else:
        timeout = CIFAR10_TIMEOUT if timeout is None else timeout
        fetch(
            url,
            archive,
            md5=md5,
            timeout=timeout,
            retries=retries,
            progress=progress,
            desc="CIFAR-10",
            help_text=help_text,
        )
    return _extract(archive, folder)


def load_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Load one pickled batch file.

    Returns X, uint8 of shape (n, 32, 32, 3) (rows, columns, RGB), and y, int64 of shape (n,).
    """
    with open(path, "rb") as f:
        # Unpickling can run code, so it is safe only on trusted files: these were
        # extracted from an archive whose md5 matched the published checksum before
        # extraction (ensure_cifar10), or were put into the cache folder by the user.
        batch = pickle.load(f, encoding="bytes")
    data = np.asarray(batch[b"data"], dtype=np.uint8)  # (n, 3072): 1024 R, 1024 G, 1024 B
    X = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # (n, 32, 32, 3)
    y = np.asarray(batch[b"labels"], dtype=np.int64)  # (n,)
    return X, y


def load_cifar10(
    root: str | os.PathLike[str] | None = None,
    *,
    dtype: type | np.dtype = np.float64,
    url: str | None = None,
    md5: str | None = None,
    timeout: float | None = None,
    retries: int | None = None,
    progress: bool = True,
    download: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Load CIFAR-10, downloading and caching it on first use.

    Inputs:
    - root: cache folder (default ``$COURSE_DATA_DIR`` or the user cache folder).
    - dtype: a float dtype gives pixels scaled to [0, 1] (value / 255); ``np.uint8``
      gives the raw bytes 0..255 (an eighth of the memory: float64 needs 1.4 GiB).
    - url, md5: archive address and checksum (default ``cifar10_url()``, ``cifar10_md5()``).
    - timeout: socket timeout in seconds (default ``CIFAR10_TIMEOUT``).
    - retries: extra download attempts after a failed one (default 1).
    - progress: show the download progress bar (stdout).
    - download: if False, never touch the network; raise if not cached.

    Returns a tuple of:
    - X_train: (50000, 32, 32, 3) images (height, width, RGB channel), of ``dtype``
    - y_train: (50000,) int64 labels 0..9, names in ``CIFAR10_CLASSES``
    - X_test: (10000, 32, 32, 3), like X_train
    - y_test: (10000,) int64
    in the order of the official batch files.
    """
    dtype = np.dtype(dtype)
    if dtype != np.uint8 and dtype.kind != "f":
        raise ValueError(f"dtype must be np.uint8 or a float dtype, not {dtype}")
    batches = ensure_cifar10(
        root,
        url=url,
        md5=md5,
        timeout=timeout,
        retries=retries,
        progress=progress,
        download=download,
    )
    train = [load_batch(batches / name) for name in TRAIN_BATCHES]
    X_train = np.concatenate([X for X, _ in train])  # (50000, 32, 32, 3) uint8
    y_train = np.concatenate([y for _, y in train])
    X_test, y_test = load_batch(batches / TEST_BATCH)
    X_test = np.ascontiguousarray(X_test)  # (10000, 32, 32, 3) uint8
    if dtype != np.uint8:
        X_train = X_train.astype(dtype)
        X_train /= 255  # in place: one float copy of the training set, not two
        X_test = X_test.astype(dtype)
        X_test /= 255
    return X_train, y_train, X_test, y_test
