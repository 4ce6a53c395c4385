"""What the autograded notebook keeps of a submission: sanitised markdown, safe outputs."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbconvert.filters.markdown import markdown2html

from autograder.autograded import compose, safe_markdown, sanitize_markdown
from autograder.samples import HTML_PAYLOADS

DANGEROUS = ("<script", "onerror", "onmouseover", "javascript:", "<iframe")


@pytest.mark.parametrize("payload", HTML_PAYLOADS)
def test_each_payload_is_removed_after_rendering(payload):
    rendered = markdown2html(safe_markdown(f"Before.\n\n{payload}\n\nAfter."))
    assert not any(bad in rendered.lower() for bad in DANGEROUS), rendered
    assert "Before." in rendered and "After." in rendered


def test_ordinary_markdown_renders_the_same_after_sanitising():
    source = (
        "# A title\n\nSome *emphasis*, `x < y`, $a<b$ and a [link](https://example.org).\n\n"
        "```python\ndef f():\n\n    return 1 < 2\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    safe = safe_markdown(source)
    assert markdown2html(safe).strip() == safe  # one HTML block, passed through unchanged
    for kept in ("<em>emphasis</em>", "<code>x &lt; y</code>", "$a&lt;b$", "<table>"):
        assert kept in safe, kept
    assert 'href="https://example.org"' in safe
    assert "return" in safe and "&#10;&#10;" in safe  # the blank line inside the code block


def test_only_cells_that_are_not_the_releases_are_rewritten():
    release = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("<b>ok</b>")])
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("<b>ok</b>"),
            nbformat.v4.new_markdown_cell("<script>x()</script>answer"),
        ]
    )
    sanitize_markdown(nb, release)
    assert nb.cells[0].source == "<b>ok</b>"
    assert "<script" not in nb.cells[1].source and "answer" in nb.cells[1].source


def test_a_png_that_is_not_base64_is_dropped(tmp_path):
    prepared = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    outputs = [
        {"output_type": "display_data", "data": {"image/png": 'AAA"><script>x()</script>'}},
        {"output_type": "display_data", "data": {"image/png": "iVBORw0KGgo=", "text/html": "<b>"}},
    ]
    executed = {"cells": [{"cell_type": "code", "outputs": outputs}]}
    (tmp_path / "executed.ipynb").write_text(json.dumps(executed))
    kept = compose(prepared, str(tmp_path / "executed.ipynb")).cells[0].outputs
    assert [o["data"] for o in kept] == [{"image/png": "iVBORw0KGgo="}]
