"""Download one file into the cache: progress bar, checksum, atomic rename, retries.

A download is written to a hidden temporary file next to its destination
(``.<name>.<random>.part``) and renamed onto the destination only after its
size and checksum have been verified, so the cache never holds a half-written
or corrupt file under its real name. A failed attempt (network error, a
truncated body, a wrong checksum) deletes its temporary file and is retried
``retries`` times; then the last failure is raised as a ``DownloadError``.
Only ``urllib`` from the standard library is used.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import secrets
import sys
import urllib.error
import urllib.request
from pathlib import Path

DOWNLOAD_TIMEOUT = 30.0  # seconds without data before a connection is given up
DOWNLOAD_RETRIES = 1  # extra attempts after a failed one
CHUNK_SIZE = 1 << 16
USER_AGENT = "course_utils-data/1"


class DatasetUnavailable(RuntimeError):
    """A data set is not in the cache and could not be obtained (offline, say)."""


class DownloadError(DatasetUnavailable):
    """A download failed after all its attempts (network error or truncated file)."""


class ChecksumMismatch(DownloadError):
    """A downloaded or copied file does not have the expected size or checksum."""


def unavailable_help(dataset: str, folder: Path, filename: str, url: str) -> str:
    """The explanation shown when ``dataset`` is neither cached nor downloadable."""
    return (
        f"Looked for the '{dataset}' data set in the cache folder {folder} "
        f"(expected the file {filename} there).\n"
        "To get it, either\n"
        f"  * on a machine with internet access run `python -m course_utils.data download "
        f"{dataset}` (prefix it with COURSE_DATA_DIR=<folder> to choose where it goes), "
        f"then copy that folder to this machine and point COURSE_DATA_DIR at it; or\n"
        f"  * download {url} by any means and copy the file into {folder} as {filename}.\n"
        "The 'digits' data set needs no download: get_dataset('digits') and load_digits() "
        "always work offline."
    )


def file_digest(path: Path, algorithm: str) -> str:
    """Hex digest of a file's bytes, read in chunks (``algorithm``: 'md5', 'sha256', ...)."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verify_file(
    path: Path, *, md5: str | None = None, sha256: str | None = None, size: int | None = None
) -> None:
    """Raise ``ChecksumMismatch`` unless the file has the given size and digests.

    Any of ``md5``, ``sha256`` (hex strings) and ``size`` (bytes) may be None (not checked).
    """
    actual_size = path.stat().st_size
    if size is not None and actual_size != size:
        raise ChecksumMismatch(f"{path.name}: expected {size} bytes, found {actual_size}")
    for algorithm, expected in (("md5", md5), ("sha256", sha256)):
        if expected is None:
            continue
        actual = file_digest(path, algorithm)
        if actual.lower() != expected.lower():
            raise ChecksumMismatch(
                f"{path.name}: {algorithm} is {actual}, expected {expected} "
                "(the file is corrupt or incomplete)"
            )


def _progress_bar(total: int | None, desc: str, enabled: bool):
    from tqdm.auto import tqdm  # imported here: `import course_utils.data` stays light

    return tqdm(
        total=total,
        desc=desc,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        file=sys.stdout,
        disable=not enabled,
    )


def _download_once(url: str, part: Path, timeout: float, progress: bool, desc: str) -> None:
    """Stream ``url`` into the (new, empty) file ``part``; raise on a short body."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response, open(part, "wb") as out:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        received = 0
        with _progress_bar(total, desc, progress) as bar:
            while chunk := response.read(CHUNK_SIZE):
                out.write(chunk)
                received += len(chunk)
                bar.update(len(chunk))
    # urllib returns a short body silently when the server closes early: check it here.
    if total is not None and received != total:
        raise DownloadError(f"the connection closed after {received} of {total} bytes")


def _new_part_file(dest: Path) -> Path:
    """Create an empty temporary file beside ``dest`` (mode 0o666 minus the umask)."""
    part = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.part")
    os.close(os.open(part, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    return part


def fetch(
    url: str,
    dest: str | os.PathLike[str],
    *,
    md5: str | None = None,
    sha256: str | None = None,
    size: int | None = None,
    timeout: float | None = None,
    retries: int | None = None,
    progress: bool = True,
    desc: str | None = None,
    help_text: str = "",
) -> Path:
    """Download ``url`` to ``dest``, verified, or raise ``DownloadError``.

    Inputs:
    - url: http(s) address of the file.
    - dest: final path of the file; its folder is created if needed. An existing
      file there is replaced only once the new download has been verified.
    - md5, sha256, size: expected hex digests and byte count (None: not checked).
    - timeout: socket timeout in seconds (default ``DOWNLOAD_TIMEOUT``).
    - retries: extra attempts after a failure (default ``DOWNLOAD_RETRIES``).
    - progress: show a tqdm progress bar on stdout (a widget in Jupyter).
    - desc: label of the progress bar (default: the file name).
    - help_text: appended to the error message (what to do instead).

    Returns ``dest`` as a Path. Raises ``ChecksumMismatch`` when the last attempt
    was corrupt and ``DownloadError`` for any other failure; both are
    ``DatasetUnavailable`` and hence ``RuntimeError``.
    """
    dest = Path(dest)
    timeout = DOWNLOAD_TIMEOUT if timeout is None else timeout
    retries = DOWNLOAD_RETRIES if retries is None else retries
    dest.parent.mkdir(parents=True, exist_ok=True)
    failures: list[Exception] = []
    for _attempt in range(retries + 1):
        part = _new_part_file(dest)
        try:
            _download_once(url, part, timeout, progress, desc or dest.name)
            verify_file(part, md5=md5, sha256=sha256, size=size)
            os.replace(part, dest)  # atomic: dest is either absent/old or complete
            return dest
        except (OSError, http.client.HTTPException, DownloadError) as err:
            failures.append(err)
        finally:
            part.unlink(missing_ok=True)
    last = failures[-1]
    reason = getattr(last, "reason", None) if isinstance(last, urllib.error.URLError) else None
    detail = f"{type(last).__name__}: {reason or last}"
    error_type = ChecksumMismatch if isinstance(last, ChecksumMismatch) else DownloadError
    message = f"Could not download {url} ({len(failures)} attempt(s); last error: {detail})."
    raise error_type(f"{message}\n{help_text}" if help_text else message) from last
