"""Command line: fetch data sets ahead of time, and show what is cached.

    python -m course_utils.data info
    python -m course_utils.data download cifar10
    python -m course_utils.data download shakespeare

Both take ``--root DIR`` (default ``$COURSE_DATA_DIR`` or the user cache folder).
``download`` also takes ``--timeout``, ``--retries`` and ``--no-progress``; the
address and checksum come from ``$COURSE_CIFAR10_URL`` / ``$COURSE_CIFAR10_MD5``
/ ``$COURSE_SHAKESPEARE_URL`` or the (undocumented) ``--url``/``--md5``/``--size``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from course_utils.data.cache import DATA_DIR_ENV, data_dir, folder_size, human_size
from course_utils.data.cifar10 import (
    CIFAR10_ARCHIVE,
    CIFAR10_FOLDER,
    ensure_cifar10,
    is_extracted,
)
from course_utils.data.download import DatasetUnavailable
from course_utils.data.text import SHAKESPEARE_FILE, SHAKESPEARE_SIZE, ensure_shakespeare

DOWNLOADABLE = ("cifar10", "shakespeare")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.data", description="Fetch and inspect the course data sets."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    info = commands.add_parser("info", help="show the cache folder and what it holds")
    info.add_argument("--root", help=f"cache folder (default ${DATA_DIR_ENV} or the user cache)")
    download = commands.add_parser("download", help="download a data set into the cache")
    download.add_argument("dataset", choices=DOWNLOADABLE)
    download.add_argument("--root", help=f"cache folder (default ${DATA_DIR_ENV} or user cache)")
    download.add_argument("--timeout", type=float, help="socket timeout in seconds")
    download.add_argument("--retries", type=int, help="extra attempts after a failure (1)")
    download.add_argument("--no-progress", action="store_true", help="no progress bar")
    # For tests and mirrors only; the environment variables do the same.
    download.add_argument("--url", help=argparse.SUPPRESS)
    download.add_argument("--md5", help=argparse.SUPPRESS)
    download.add_argument("--size", type=int, help=argparse.SUPPRESS)
    return parser


def _describe_folder(root: str | None) -> str:
    """The cache folder and where that choice came from."""
    if root is not None:
        source = "from --root"
    elif os.environ.get(DATA_DIR_ENV):
        source = f"from ${DATA_DIR_ENV}"
    else:
        source = f"the default; set ${DATA_DIR_ENV} to use another"
    return f"{data_dir(root)}  ({source})"


def cache_report(folder: Path) -> list[str]:
    """One line per data set saying whether and how it is available."""
    archive = folder / CIFAR10_ARCHIVE
    batches = folder / CIFAR10_FOLDER
    if is_extracted(batches):
        cifar = f"cached ({human_size(folder_size(batches))} in {CIFAR10_FOLDER}/)"
    elif archive.is_file():
        cifar = f"archive present ({human_size(archive.stat().st_size)}), extracted on first use"
    else:
        cifar = "not cached: run `python -m course_utils.data download cifar10`"
    text = folder / SHAKESPEARE_FILE
    if text.is_file():
        shakespeare = f"cached ({human_size(text.stat().st_size)})"
    else:
        shakespeare = "not cached: run `python -m course_utils.data download shakespeare`"
    lines = [
        "  digits:        always available (bundled with scikit-learn)",
        "  python_stdlib: always available (Python standard-library source)",
        f"  cifar10:       {cifar}",
        f"  shakespeare:   {shakespeare}",
    ]
    leftovers = sorted(folder.glob(".*.part")) + sorted(folder.glob(".cifar10-extract-*"))
    if leftovers:
        lines.append(f"  ({len(leftovers)} leftover temporary file(s) from interrupted runs)")
    return lines


def _download(args: argparse.Namespace) -> Path:
    options = {
        "url": args.url,
        "timeout": args.timeout,
        "retries": args.retries,
        "progress": not args.no_progress,
    }
    if args.dataset == "cifar10":
        return ensure_cifar10(args.root, md5=args.md5, **options)
    size = SHAKESPEARE_SIZE if args.size is None else (args.size or None)  # --size 0: unchecked
    return ensure_shakespeare(args.root, size=size, **options)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "info":
        print(f"Cache folder: {_describe_folder(args.root)}")
        print("\n".join(cache_report(data_dir(args.root))))
        return 0
    try:
        path = _download(args)
    except DatasetUnavailable as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"{args.dataset} is ready in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
