"""Character-level text for the RNN section: corpora, a vocabulary, training windows.

Two corpora:
- ``"python_stdlib"`` (always offline): the source code of ``STDLIB_MODULES``, a fixed
  list of pure-Python standard-library modules, read from their ``.py`` files in
  that order. Each file is preceded by a header line ``# ===== <module>.py =====``
  and followed by a blank line; nothing is stripped. The text is deterministic for
  a given Python version (it changes when the standard library does), about 700k
  characters with a vocabulary of about 100.
- ``"shakespeare"``: tiny-Shakespeare (Karpathy's char-rnn, 1115394 characters, 65
  distinct), downloaded from ``SHAKESPEARE_URL`` once and cached as
  ``tinyshakespeare.txt`` in the cache folder. No checksum is published, so the
  size is checked (``SHAKESPEARE_SIZE``) and a sha256 may be given.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from course_utils.data.cache import data_dir
from course_utils.data.download import DatasetUnavailable, fetch, unavailable_help

STDLIB_MODULES: tuple[str, ...] = (
    "argparse",
    "ast",
    "bisect",
    "calendar",
    "colorsys",
    "contextlib",
    "copy",
    "dataclasses",
    "difflib",
    "enum",
    "fnmatch",
    "fractions",
    "functools",
    "heapq",
    "keyword",
    "numbers",
    "operator",
    "queue",
    "random",
    "statistics",
    "string",
    "textwrap",
    "tokenize",
)
SHAKESPEARE_URL = (
    "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"
)
SHAKESPEARE_SIZE = 1115394  # bytes (ASCII, so also characters)
SHAKESPEARE_SHA256: str | None = None  # none is published
SHAKESPEARE_TIMEOUT = 30.0
SHAKESPEARE_FILE = "tinyshakespeare.txt"
SHAKESPEARE_URL_ENV = "COURSE_SHAKESPEARE_URL"
TEXT_CORPORA: tuple[str, ...] = ("python_stdlib", "shakespeare")


def stdlib_corpus(modules: Iterable[str] = STDLIB_MODULES) -> str:
    """The concatenated source of ``modules``, in the given order (see the module docstring)."""
    parts = []
    for name in modules:
        spec = importlib.util.find_spec(name)  # finds the file without importing the module
        origin = spec.origin if spec is not None else None
        if origin is None or not origin.endswith(".py") or not os.path.isfile(origin):
            raise DatasetUnavailable(
                f"The source of the standard-library module {name!r} is not on this machine "
                f"(found {origin!r}); the 'python_stdlib' corpus needs the .py files."
            )
        with open(origin, encoding="utf-8", newline="") as f:
            parts.append(f"# ===== {name}.py =====\n{f.read()}\n")
    return "".join(parts)


def ensure_shakespeare(
    root: str | os.PathLike[str] | None = None,
    *,
    url: str | None = None,
    size: int | None = SHAKESPEARE_SIZE,
    sha256: str | None = SHAKESPEARE_SHA256,
    timeout: float | None = None,
    retries: int | None = None,
    progress: bool = True,
    download: bool = True,
) -> Path:
    """Path of the cached tiny-Shakespeare file, downloading it first if needed.

    ``url`` defaults to ``$COURSE_SHAKESPEARE_URL`` or ``SHAKESPEARE_URL``; ``size``
    (bytes) and ``sha256`` are checked when not None. Raises ``DatasetUnavailable``
    with instructions when it is not cached and cannot be downloaded.
    """
    folder = data_dir(root)
    path = folder / SHAKESPEARE_FILE
    if path.is_file():
        return path
    url = url or os.environ.get(SHAKESPEARE_URL_ENV) or SHAKESPEARE_URL
    help_text = unavailable_help("shakespeare", folder, SHAKESPEARE_FILE, url)
    if not download:
        raise DatasetUnavailable(f"tiny-Shakespeare is not cached (download=False).\n{help_text}")
    timeout = SHAKESPEARE_TIMEOUT if timeout is None else timeout
    return fetch(
        url,
        path,
        size=size,
        sha256=sha256,
        timeout=timeout,
        retries=retries,
        progress=progress,
        desc="tiny-Shakespeare",
        help_text=help_text,
    )


def load_text(
    name: str = "python_stdlib",
    max_chars: int | None = None,
    *,
    root: str | os.PathLike[str] | None = None,
    **download_options,
) -> str:
    """Load a text corpus as one string.

    Inputs:
    - name: "python_stdlib" (offline) or "shakespeare" (downloaded once, then cached).
    - max_chars: keep only the first ``max_chars`` characters (None: all).
    - root: cache folder for "shakespeare" (default ``$COURSE_DATA_DIR`` or the user cache).
    - download_options: passed to ``ensure_shakespeare`` (url, size, sha256, timeout,
      retries, progress, download).
    """
    if name == "python_stdlib":
        text = stdlib_corpus()
    elif name == "shakespeare":
        path = ensure_shakespeare(root, **download_options)
        with open(path, encoding="utf-8", newline="") as f:
            text = f.read()
    else:
        raise ValueError(f"unknown corpus {name!r}; choose one of {TEXT_CORPORA}")
    return text if max_chars is None else text[:max_chars]


class CharVocab:
    """A character vocabulary: the distinct characters of a text, sorted by code point.

    Attributes:
    - chars: the characters, in id order (``chars[i]`` has id ``i``)
    - size: number of characters V; ids are 0..V-1
    """

    def __init__(self, chars: Iterable[str]) -> None:
        self.chars: tuple[str, ...] = tuple(sorted(set(chars)))
        if any(len(c) != 1 for c in self.chars):
            raise ValueError("a CharVocab holds single characters")
        self._ids = {c: i for i, c in enumerate(self.chars)}

    @classmethod
    def from_text(cls, text: str) -> CharVocab:
        """The vocabulary of every character that occurs in ``text``."""
        return cls(text)

    @property
    def size(self) -> int:
        return len(self.chars)

    def __len__(self) -> int:
        return self.size

    def __repr__(self) -> str:
        return f"CharVocab(size={self.size})"

    def encode(self, text: str) -> np.ndarray:
        """The ids of the characters of ``text``: int64 array of shape (len(text),)."""
        try:
            return np.array([self._ids[c] for c in text], dtype=np.int64)
        except KeyError as err:
            raise ValueError(f"character {err.args[0]!r} is not in the vocabulary") from None

    def decode(self, ids: Iterable[int] | np.ndarray) -> str:
        """The text of a 1-D sequence of ids (the inverse of ``encode``)."""
        ids = np.asarray(ids, dtype=np.int64)
        if ids.ndim != 1:
            raise ValueError(f"decode takes a 1-D sequence of ids, got shape {ids.shape}")
        if ids.size and (ids.min() < 0 or ids.max() >= self.size):
            raise ValueError(f"ids must lie in 0..{self.size - 1}")
        return "".join(self.chars[i] for i in ids.tolist())


def text_batches(
    ids: np.ndarray, batch_size: int, seq_len: int, rng: np.random.Generator | int
) -> tuple[np.ndarray, np.ndarray]:
    """A random minibatch of windows of an encoded text, for char-RNN training.

    Inputs:
    - ids: int array of shape (L,), the encoded text, L >= seq_len + 1
    - batch_size: number of windows N
    - seq_len: length T of each window
    - rng: np.random.Generator, or a seed for a new one

    Returns a tuple of:
    - x: int64 array of shape (N, T), x[n] = ids[s_n : s_n + T] with random starts
      s_n drawn uniformly (with replacement) from 0..L-T-1
    - y: int64 array of shape (N, T), the next characters: y[n] = ids[s_n + 1 : s_n + T + 1]
    """
    ids = np.asarray(ids, dtype=np.int64)
    if ids.ndim != 1 or ids.shape[0] < seq_len + 1:
        raise ValueError(f"need a 1-D array of at least seq_len + 1 = {seq_len + 1} ids")
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    starts = rng.integers(0, ids.shape[0] - seq_len, size=batch_size)  # (N,)
    offsets = starts[:, None] + np.arange(seq_len)  # (N, T)
    return ids[offsets], ids[offsets + 1]
