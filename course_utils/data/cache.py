"""Where downloaded data sets are cached, and what is cached there.

The cache folder is, in order of precedence:

1. the ``root`` argument of a loader (``load_cifar10(root=...)``);
2. the environment variable ``COURSE_DATA_DIR``;
3. the user's cache folder: ``$XDG_CACHE_HOME/course_utils`` (by default
   ``~/.cache/course_utils``) on Linux, ``~/Library/Caches/course_utils`` on macOS,
   ``%LOCALAPPDATA%\\course_utils\\Cache`` on Windows.

Nothing is written there except by a download; the folder is created on demand.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DATA_DIR_ENV = "COURSE_DATA_DIR"
APP_NAME = "course_utils"


def default_cache_dir() -> Path:
    """The per-user cache folder of this platform, ignoring ``COURSE_DATA_DIR``."""
    if sys.platform.startswith("win"):
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / APP_NAME / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / APP_NAME
    xdg = os.environ.get("XDG_CACHE_HOME")
    # The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / APP_NAME


def data_dir(root: str | os.PathLike[str] | None = None) -> Path:
    """The cache folder to use: ``root``, else ``$COURSE_DATA_DIR``, else the user cache.

    The path is returned expanded (``~``) and absolute; it is not created.
    """
    if root is None:
        root = os.environ.get(DATA_DIR_ENV) or default_cache_dir()
    return Path(root).expanduser().resolve()


def folder_size(path: Path) -> int:
    """Total size in bytes of the regular files under ``path`` (0 if it does not exist)."""
    if path.is_file():
        return path.stat().st_size
    if not path.is_dir():
        return 0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def human_size(num_bytes: int) -> str:
    """``1536 -> '1.5 KiB'``."""
    size = float(num_bytes)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")
