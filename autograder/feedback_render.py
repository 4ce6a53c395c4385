"""What the feedback HTML needs beyond nbgrader's: math without a network, cells named by task.

nbgrader's feedback template loads MathJax from a CDN, so a student who opens the file
offline sees raw ``$$...$$``; and every graded cell is headed "Test cell". The preprocessor
:class:`FeedbackText` runs in nbgrader's GenerateFeedback (autograder.course configures it):

- every ``$...$`` and ``$$...$$`` of a markdown cell becomes MathML (latex2mathml), which
  browsers render natively; the MathML is passed through nh3 with an allowlist of MathML tags
  and attributes, because a student's LaTeX (``\\text{<script>...}``) reaches it verbatim;
- each graded cell gets ``metadata.feedback_title``: the heading of the task it belongs to
  ("Task 2: compute_distances_one_loop (1 point)"), which the template
  (autograder/templates/feedback_offline) shows instead of "Test cell".
"""

from __future__ import annotations

import html
import re

import nh3
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

#: MathML elements and attributes that render math and can run nothing
MATHML_TAGS = {
    "math", "mi", "mn", "mo", "ms", "mtext", "mrow", "msup", "msub", "msubsup", "mfrac",
    "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mspace",
    "mstyle", "menclose", "mpadded", "mphantom",
}  # fmt: skip
MATHML_ATTRIBUTES = {
    "display", "mathvariant", "stretchy", "fence", "separator", "accent", "accentunder",
    "lspace", "rspace", "columnalign", "columnspacing", "rowspacing", "width", "height",
    "depth", "linethickness", "displaystyle", "scriptlevel", "movablelimits", "form",
    "minsize", "maxsize", "largeop", "symmetric", "notation",
}  # fmt: skip
#: code spans and fences are left alone; then display math, then inline math
_CODE = re.compile(r"(```.*?```|`[^`\n]*`|<pre\b.*?</pre>|<code\b.*?</code>)", re.S | re.I)
_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\d)")
#: a heading or a bold label that names a task ("### Task 3: ...", "**Question (1 point).**")
_TITLE = re.compile(r"^\s*(?:#{1,4}\s+(.+?)\s*$|\*\*((?:Question|Task)[^*]*)\*\*)", re.M)


def math_to_mathml(source: str) -> str:
    """``source`` (markdown or HTML) with its TeX math as sanitised MathML."""
    parts = _CODE.split(source)
    for index in range(0, len(parts), 2):
        text = _DISPLAY.sub(lambda m: _mathml(m.group(1), "block"), parts[index])
        parts[index] = _INLINE.sub(lambda m: _mathml(m.group(1), "inline"), text)
    return "".join(parts)


def _mathml(tex: str, display: str) -> str:
    from latex2mathml.converter import convert  # only feedback needs it

    try:
        rendered = convert(html.unescape(tex).strip(), display=display)
    except Exception:  # latex2mathml does not know every macro: show the TeX as code
        return f"<code>{html.escape(tex)}</code>"
    return nh3.clean(rendered, tags=MATHML_TAGS, attributes={"*": MATHML_ATTRIBUTES})


def task_title(source: str) -> str | None:
    """The last task heading or bold task label of a markdown cell, as plain text."""
    titles = [a or b for a, b in _TITLE.findall(source)]
    if not titles:
        return None
    plain = re.sub(r"`|\*\*|\$", "", titles[-1]).strip().rstrip(".")
    return plain or None


class FeedbackText(Preprocessor):
    """Math as MathML in markdown cells; each graded cell titled by its task."""

    enabled = Bool(True).tag(config=True)  # nbconvert's preprocessors are off by default

    def preprocess(self, nb, resources):
        title = None
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "markdown":
                if not meta.get("solution"):  # the course's headings, never a student's
                    title = task_title(cell.source) or title
                cell.source = math_to_mathml(cell.source)
            if meta.get("grade") or meta.get("task"):
                cell.metadata["feedback_title"] = title or meta.get("grade_id", "")
        return nb, resources
