"""The autograded notebook that feedback and formgrader show: outputs made safe, verdicts added.

Outputs come from the sandbox, so they are untrusted: only text, PNG images and error
text are kept (no HTML or JavaScript that could run in an instructor's browser), each
size-capped. Markdown the student wrote (written answers, added cells) is rendered here
with nbconvert's own markdown renderer, sanitised with nh3 (the Ammonia HTML sanitiser:
an allowlist of tags and attributes, no ``<script>``, no event handlers, no
``javascript:`` URLs) and stored as one block of HTML that renders as it is: nbgrader's
feedback and formgrade templates render markdown without sanitising, so what they get
must already be safe. Each graded test cell gets one more output: the grader's verdict.
"""

from __future__ import annotations

import copy
import json
import os
import re

import nbformat
import nh3

from autograder.prepare import InvalidSubmission, read_untrusted_text
from autograder.scoring import CellScore

MAX_EXECUTED_BYTES = 64 * 1024 * 1024
MAX_TEXT_CHARS = 20_000
MAX_PNG_CHARS = 2_000_000
MAX_MARKDOWN_CHARS = 200_000
#: tags and URL schemes of nh3's allowlist; every tag may also carry a ``class`` (highlighting)
SAFE_ATTRIBUTES = {
    **{tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"class"},
}
SAFE_URL_SCHEMES = {"http", "https", "mailto"}
BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*")


def compose(prepared: nbformat.NotebookNode, executed_path: str) -> nbformat.NotebookNode:
    """``prepared`` with the sanitized outputs of the executed copy, cell by cell."""
    nb = copy.deepcopy(prepared)
    executed = _read_executed(executed_path)
    if executed is None or len(executed.get("cells", [])) != len(nb.cells):
        return nb
    for cell, ran in zip(nb.cells, executed["cells"]):
        if cell.cell_type == "code" and isinstance(ran, dict):
            cell.outputs = [o for o in map(_safe_output, ran.get("outputs") or []) if o]
    return nb


def sanitize_markdown(nb: nbformat.NotebookNode, release: nbformat.NotebookNode) -> None:
    """Make every markdown cell that is not the release's own safe to render (in place)."""
    trusted = {c.source for c in release.cells if c.cell_type == "markdown"}
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source not in trusted:
            cell.source = safe_markdown(cell.source)
            cell.pop("attachments", None)


def safe_markdown(source: str) -> str:
    """Markdown as one block of sanitised HTML that markdown renderers pass through unchanged."""
    from nbconvert.filters.markdown import markdown2html

    html = nh3.clean(
        markdown2html(str(source)[:MAX_MARKDOWN_CHARS]),
        attributes=SAFE_ATTRIBUTES,
        url_schemes=SAFE_URL_SCHEMES,
    )
    # an HTML block ends at a blank line: keep line breaks inside <pre> as entities and
    # drop blank lines elsewhere, where HTML ignores them
    parts = re.split(r"(<pre\b.*?</pre>)", html, flags=re.DOTALL | re.IGNORECASE)
    for index, part in enumerate(parts):
        if index % 2:
            parts[index] = part.replace("\n", "&#10;")
        else:
            parts[index] = re.sub(r"\n\s*\n", "\n", part)
    body = "".join(parts).strip()
    return f'<div class="autograder-sanitized">\n{body}\n</div>'


def _read_executed(path: str) -> dict | None:
    try:
        data = json.loads(read_untrusted_text(path, MAX_EXECUTED_BYTES))
    except (InvalidSubmission, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _text(value) -> str:
    if isinstance(value, list):
        value = "".join(str(v) for v in value)
    return str(value)[:MAX_TEXT_CHARS]


def _safe_output(output) -> nbformat.NotebookNode | None:
    if not isinstance(output, dict):
        return None
    kind = output.get("output_type")
    if kind == "stream":
        name = "stderr" if output.get("name") == "stderr" else "stdout"
        return nbformat.v4.new_output("stream", name=name, text=_text(output.get("text", "")))
    if kind == "error":
        traceback = [_text(line) for line in (output.get("traceback") or [])[:50]]
        return nbformat.v4.new_output(
            "error",
            ename=_text(output.get("ename", ""))[:200],
            evalue=_text(output.get("evalue", ""))[:2000],
            traceback=traceback,
        )
    if kind in ("display_data", "execute_result"):
        data = output.get("data") or {}
        safe = {}
        if isinstance(data.get("text/plain"), (str, list)):
            safe["text/plain"] = _text(data["text/plain"])
        png = data.get("image/png")
        # base64 only: templates put it inside an attribute (src="data:image/png;base64,…")
        if isinstance(png, str) and len(png) <= MAX_PNG_CHARS and BASE64.fullmatch(png):
            safe["image/png"] = png
        return nbformat.v4.new_output("display_data", data=safe) if safe else None
    return None


def add_verdicts(nb: nbformat.NotebookNode, scores: dict[str, CellScore]) -> None:
    """Append the grader's verdict to each graded test cell of ``nb``."""
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and gid in scores:
            cell.outputs.append(
                nbformat.v4.new_output("stream", name="stdout", text=verdict(scores[gid]))
            )


def verdict(score: CellScore) -> str:
    """The grader's text for one cell: points, then one line per failed case."""
    head = f"Autograder: {score.points:g} / {score.max_points:g} points"
    if score.total and score.passed == score.total:
        return f"{head}. All {score.total} hidden cases passed.\n"
    lines = [f"{head}. {score.passed} of {score.total} hidden cases passed."]
    lines += [f"  - {message}" for message in score.messages]
    return "\n".join(lines) + "\n"


def write(nb: nbformat.NotebookNode, path: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    nbformat.write(nb, path)
