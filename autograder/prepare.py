"""Turn an untrusted submitted file into the notebook the sandbox runs.

The student's answers (solution cells, and cells they added) are kept; every locked
cell (instructions, setup, visible tests) comes back from the release, whatever the
submission did to it (edited, deleted, re-tagged, moved to ``skip-execution``, points
changed). Cell metadata comes from the release; the student's tags are dropped.
"""

from __future__ import annotations

import copy
import errno
import json
import os
import stat

import nbformat

#: the largest submitted notebook the grader will open
MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024


class InvalidSubmission(ValueError):
    """The file is not a notebook the grader can use; the message is the one-line reason."""


def read_untrusted_bytes(path: str, max_bytes: int, root: str | None = None) -> bytes:
    """Read a file that a student or a student's process wrote: no links, regular, size-capped.

    With ``root``, ``path`` must lie under it and is opened one component at a time from
    ``root`` with ``O_NOFOLLOW``: a link anywhere on the way is refused, never followed.
    Without it, only the last component is checked (the sandbox's own output folder).
    """
    try:
        fd = _open_beneath(root, path) if root is not None else _open_file(path, None)
    except OSError as exc:
        reason = "a symbolic link, not followed" if exc.errno == errno.ELOOP else exc.strerror
        raise InvalidSubmission(f"cannot be opened ({reason})") from None
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise InvalidSubmission("cannot be opened (not a regular file)")
        data = handle.read(max_bytes + 1)
        if len(data) > max_bytes:
            size = os.fstat(handle.fileno()).st_size
            raise InvalidSubmission(f"is too large ({max(size, len(data)) / 1e6:.0f} MB)")
        return data


def read_untrusted_text(path: str, max_bytes: int, root: str | None = None) -> str:
    """:func:`read_untrusted_bytes`, decoded as UTF-8 (undecodable bytes replaced)."""
    return read_untrusted_bytes(path, max_bytes, root).decode("utf-8", errors="replace")


def _open_file(name: str, dir_fd: int | None) -> int:
    # O_NONBLOCK: a FIFO in a submission must not hang the grader (it is refused as not regular)
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    return os.open(name, flags, dir_fd=dir_fd)


def _open_beneath(root: str, path: str) -> int:
    """A descriptor of ``path``, reached from ``root`` without following any link."""
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    parts = relative.split(os.sep)
    if relative.startswith(os.pardir) or os.path.isabs(relative) or "" in parts:
        raise InvalidSubmission("cannot be opened (outside the submissions folder)")
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in parts[:-1]:
            if stat.S_ISLNK(os.stat(part, dir_fd=fd, follow_symlinks=False).st_mode):
                raise OSError(errno.ELOOP, os.strerror(errno.ELOOP))  # named clearly
            flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
            inner = os.open(part, flags, dir_fd=fd)  # and refused if swapped in since
            os.close(fd)
            fd = inner
        return _open_file(parts[-1], fd)
    finally:
        os.close(fd)


def read_submission(path: str, root: str | None = None) -> nbformat.NotebookNode:
    """Parse a submitted notebook, or raise InvalidSubmission with a one-line reason.

    ``root``: the submissions folder; the path is then resolved beneath it, links refused.
    """
    return parse_submission(read_untrusted_text(path, MAX_NOTEBOOK_BYTES, root))


def parse_submission(text: str) -> nbformat.NotebookNode:
    """Parse the text of a submitted notebook, or raise InvalidSubmission with a reason."""
    if not text.strip():
        raise InvalidSubmission("is an empty file")
    try:
        data = json.loads(text)
    except ValueError as exc:
        reason = f"is not valid notebook JSON ({exc.msg}, line {exc.lineno})"
        raise InvalidSubmission(reason) from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise InvalidSubmission("is JSON but not a Jupyter notebook (no list of cells)")
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as exc:
        raise InvalidSubmission(f"is not a readable notebook ({type(exc).__name__})") from None
    for cell in nb.cells:
        if not isinstance(cell.get("source", ""), str) or "cell_type" not in cell:
            raise InvalidSubmission("has a malformed cell")
    return nb


def _grade_id(cell) -> str | None:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta.get("grade_id") if isinstance(meta, dict) else None


def _is_answer(cell) -> bool:
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution"))


def merge_with_release(
    submission: nbformat.NotebookNode, release: nbformat.NotebookNode
) -> nbformat.NotebookNode:
    """The notebook to grade: release cells everywhere but in the student's answer cells."""
    release_cells = {_grade_id(c): c for c in release.cells if _grade_id(c)}
    answers = {gid for gid, c in release_cells.items() if _is_answer(c)}
    merged, seen = [], set()
    for cell in submission.cells:
        gid = _grade_id(cell)
        if gid in release_cells and gid not in seen:
            seen.add(gid)
            merged.append(
                _answer_cell(cell, release_cells[gid])
                if gid in answers
                else copy.deepcopy(release_cells[gid])
            )
        elif cell.get("cell_type") in ("code", "markdown"):
            merged.append(_plain_cell(cell))
    _reinsert_missing(merged, release.cells, seen)
    nb = copy.deepcopy(release)
    nb.cells = merged
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def _answer_cell(cell, released):
    """The student's answer with the release's metadata and cell type."""
    answer = copy.deepcopy(released)
    if cell.get("cell_type") == released.cell_type:
        answer.source = cell.get("source", "")
    return answer


def _plain_cell(cell):
    """A cell the student added: its source only, no nbgrader metadata, no tags."""
    if cell.get("cell_type") == "code":
        return nbformat.v4.new_code_cell(cell.get("source", ""))
    return nbformat.v4.new_markdown_cell(cell.get("source", ""))


def _reinsert_missing(merged: list, release_cells: list, seen: set) -> None:
    """Put back release cells the student deleted, after their predecessor in the release."""
    for index, cell in enumerate(release_cells):
        gid = _grade_id(cell)
        if gid is None or gid in seen:
            continue
        position = 0
        for earlier in reversed(release_cells[:index]):
            found = [i for i, c in enumerate(merged) if _grade_id(c) == _grade_id(earlier)]
            if found and _grade_id(earlier):
                position = found[0] + 1
                break
        merged.insert(position, copy.deepcopy(cell))
        seen.add(gid)
