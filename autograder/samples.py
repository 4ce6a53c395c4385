"""A class of sample submissions: correct, partial, untouched and adversarial ones.

``make grade-demo`` grades them and the tests assert each one's expected grade and status.
Every sample is built from the assignment's release and solution notebooks, so the same
attacks apply to every assignment:

=================  =====================================================  ========  =========
sample             what it does                                           score     status
=================  =====================================================  ========  =========
correct            the solution's answers                                 full      ok
partial            only the first answer written                          partial   ok
untouched          the release as handed out                              zero      ok
infinite_loop      correct, plus a cell that never ends                   full      ok
memory_bomb        correct, plus a cell that allocates 1 TB               full      ok
kernel_exit        correct, plus ``os._exit(1)``                           full      crashed
segfault           correct, plus a NULL read through ctypes               full      crashed
sys_exit           correct, plus ``sys.exit()``                            full      ok
huge_output        correct, plus 50 MB of printing                        full      ok
monkeypatch        stubs, with np.allclose, numpy.testing and the          zero      ok
                   course's check helpers patched to always pass
always_equal       functions returning an object equal to everything      zero      ok
hardcoded          functions returning the visible checks' answers        zero      ok
tampered_tests     stubs, test cells emptied, re-tagged skip-execution,   zero      ok
                   points raised to 100
swallowed_errors   stubs, with an IPython handler that hides exceptions   zero      ok
read_secrets       stubs, reading solutions, checks and the gradebook     zero      ok
write_gradebook    stubs, trying to write the gradebook and results       zero      ok
wrong_name         the correct notebook under another file name           full      ok
malformed_json     a truncated file                                       zero      invalid
empty_file         an empty file                                          zero      invalid
not_a_notebook     valid JSON, but a list                                 zero      invalid
missing            a folder without a notebook                            zero      missing
linked_assignment  ``<student>/<assignment>`` a link to ``solutions/``    zero      invalid
linked_notebook    the notebook a link to the solution notebook           zero      invalid
output_bomb        correct, but ``np.savez`` replaced: each case's        zero      ok
                   outputs a deflated member declaring 1 GiB of float64
leak_inputs        correct, but on grading each function raises its       zero      ok
                   inputs (``repr``) in an exception named after them
html_injection     correct, with ``<script>``, ``<img onerror>`` and a     full      ok
                   ``javascript:`` iframe and link in the written answer
setsid_daemon      correct, plus a double-forked ``setsid`` daemon that   full      ok
                   keeps rewriting the outputs folder
doubled            correct, but the first graded function returns twice   partial   ok
                   its answer: the verdict names the likely cause
=================  =====================================================  ========  =========

``Expected.says`` is a phrase the result's reason or a verdict line must contain: the
reason a student (or the instructor) reads for that grade.
"""

from __future__ import annotations

import copy
import inspect
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.checks import load_checks
from autograder.course import CoursePaths


@dataclass(frozen=True)
class Expected:
    """What grading a sample must give: "full", "partial" or "zero" points, a status, and
    a phrase its reason or one of its verdict lines says (empty: no particular phrase)."""

    score: str
    status: str
    says: str = ""


EXPECTED: dict[str, Expected] = {
    "correct": Expected("full", "ok"),
    "partial": Expected("partial", "ok"),
    "untouched": Expected("zero", "ok"),
    "infinite_loop": Expected("full", "ok"),
    "memory_bomb": Expected("full", "ok"),
    "kernel_exit": Expected("full", "crashed"),
    "segfault": Expected("full", "crashed"),
    "sys_exit": Expected("full", "ok"),
    "huge_output": Expected("full", "ok"),
    "monkeypatch": Expected("zero", "ok"),
    "always_equal": Expected("zero", "ok"),
    "hardcoded": Expected("zero", "ok"),
    "tampered_tests": Expected("zero", "ok"),
    "swallowed_errors": Expected("zero", "ok"),
    "read_secrets": Expected("zero", "ok"),
    "write_gradebook": Expected("zero", "ok"),
    "wrong_name": Expected("full", "ok"),
    "malformed_json": Expected("zero", "invalid"),
    "empty_file": Expected("zero", "invalid"),
    "not_a_notebook": Expected("zero", "invalid"),
    "missing": Expected("zero", "missing"),
    "linked_assignment": Expected("zero", "invalid", "is a symbolic link"),
    "linked_notebook": Expected("zero", "invalid", "is a symbolic link"),
    "output_bomb": Expected("zero", "ok", "refused"),
    "leak_inputs": Expected("zero", "ok", "raised an exception of a class defined in"),
    "html_injection": Expected("full", "ok"),
    "setsid_daemon": Expected("full", "ok"),
    "doubled": Expected("partial", "ok", "Likely cause: "),
}

#: what the html_injection sample's payloads set when a browser runs them
XSS_MARKER = "xss-ran"
#: the setsid_daemon sample's daemon carries this in its command line
DAEMON_MARKER = "nn-course-kit-sample-daemon"

MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*\n", re.MULTILINE)


def _gid(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def with_answers(release, solution, which=None):
    """The release notebook with (some of) the solution's answers written in."""
    answers = {_gid(c): MARKERS.sub("", c.source) for c in solution.cells if _gid(c)}
    nb = copy.deepcopy(release)
    written = 0
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code" and _gid(cell) in answers:
            if which is None or written < which:
                cell.source = answers[_gid(cell)]
            written += 1
    return nb


def _doubled_cell(assignment: str) -> str:
    """A cell that makes the first graded function return twice its answer (a planted bug)."""
    name = _functions(assignment)[0]
    return (
        f"_planted = {name}\n"
        f"def {name}(*args, **kwargs):\n"
        f"    return 2 * _planted(*args, **kwargs)\n"
    )


def _append(nb, source: str):
    nb = copy.deepcopy(nb)
    nb.cells.append(nbformat.v4.new_code_cell(source))
    return nb


def _functions(assignment: str) -> list[str]:
    return sorted({c.function for c in load_checks(assignment)})


#: a double-forked, setsid daemon that writes a heartbeat into the outputs folder forever,
#: changing its pid every 10 ms (fork, parent exits) so that a one-time list of pids misses it
_DAEMON_CELL = """import os, subprocess, sys
out = os.path.abspath(os.path.join(os.getcwd(), '..', 'out'))
daemon = (
    'import os, sys, time\\n'
    'n = 0\\n'
    'while True:\\n'
    '    n += 1\\n'
    '    open(os.path.join(sys.argv[1], "daemon_heartbeat"), "w").write(str(n))\\n'
    '    time.sleep(0.01)\\n'
    '    if os.fork():\\n'
    '        os._exit(0)\\n'
)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, '-c', daemon, out, 'MARKER'])
    os._exit(0)
os.wait()
print('daemon started')"""


def write_output_bomb(path: str, keys: list, elements: int = 2**27) -> None:
    """Write a .npz whose members are deflated .npy files declaring ``elements`` float64.

    The default declares 1 GiB per member in about 4.7 MB on disk. Built in milliseconds:
    a compressed block of 1 MiB of zeros ends with a full flush, so the same bytes repeat.
    The CRC is left 0: a reader that decompresses has allocated everything before it can
    notice. Runs inside a sample's notebook (its source is copied into a cell).
    """
    import io
    import struct
    import zlib

    import numpy as np

    header = io.BytesIO()
    shape = {"descr": "<f8", "fortran_order": False, "shape": (elements,)}
    np.lib.format.write_array_header_1_0(header, shape)
    head, block = header.getvalue(), 1 << 20
    packer = zlib.compressobj(1, zlib.DEFLATED, -15)
    first = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    zeros = packer.compress(bytes(block)) + packer.flush(zlib.Z_FULL_FLUSH)
    data = first + zeros * (elements * 8 // block) + packer.flush()
    size = len(head) + elements * 8 // block * block
    local, central = b"", b""
    for key in keys:
        name = f"{key}.npy".encode()
        fields = (20, 0, 8, 0, 0, 0, len(data), size, len(name), 0)
        central += struct.pack("<IH", 0x02014B50, 20) + struct.pack("<HHHHHIIIHH", *fields)
        central += struct.pack("<HHHII", 0, 0, 0, 0, len(local)) + name
        local += struct.pack("<I", 0x04034B50) + struct.pack("<HHHHHIIIHH", *fields) + name + data
    count = len(keys)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), len(local), 0)
    with open(path, "wb") as handle:
        handle.write(local + central + end)


def _attack_cells(assignment: str, paths: CoursePaths) -> dict[str, str]:
    functions = _functions(assignment)
    secrets = [
        str(paths.solutions / assignment),
        str(paths.repo / "autograder" / "checks"),
        str(paths.gradebook),
        str(paths.results),
    ]
    always_equal = "\n".join(f"{name} = lambda *a, **k: AlwaysEqual()" for name in functions)
    return {
        "infinite_loop": "while True:\n    pass",
        "memory_bomb": "hog = bytearray(1 << 40)",
        "kernel_exit": "import os\nos._exit(1)",
        "segfault": "import ctypes\nctypes.string_at(0)",
        "sys_exit": "import sys\nsys.exit()",
        "huge_output": "for _ in range(500):\n    print('x' * 100_000)",
        "monkeypatch": (
            "import numpy as np\nimport numpy.testing\nimport course_utils.gradcheck\n"
            "import course_utils.grading\n"
            "np.allclose = lambda *a, **k: True\n"
            "numpy.testing.assert_allclose = lambda *a, **k: None\n"
            "course_utils.gradcheck.rel_error = lambda *a, **k: 0.0\n"
            "check_close = lambda *a, **k: 0.0\ncheck_equal = lambda *a, **k: None\n"
            "course_utils.grading.check_close = check_close"
        ),
        "always_equal": (
            "class AlwaysEqual:\n    def __eq__(self, other):\n        return True\n"
            "    __ne__ = lambda self, other: False\n"
            "    def __array__(self, dtype=None, copy=None):\n        raise TypeError('no')\n"
            f"{always_equal}"
        ),
        "output_bomb": (
            inspect.getsource(write_output_bomb)
            + "import numpy\n"
            + "numpy.savez = lambda file, *args, **kwds: write_output_bomb(str(file), list(kwds))"
        ),
        "leak_inputs": (
            "import os\n"
            "def _leaky(function):\n"
            "    def wrapper(*args, **kwargs):\n"
            "        if os.environ.get('NBGRADER_EXECUTION'):\n"
            "            text = repr(args)\n"
            "            name = 'Leak_' + ''.join(c if c.isalnum() else '_' for c in text)[:50]\n"
            "            raise type(name, (ValueError,), {})(text)\n"
            "        return function(*args, **kwargs)\n"
            "    return wrapper\n"
            f"for _name in {functions!r}:\n"
            "    globals()[_name] = _leaky(globals()[_name])"
        ),
        "setsid_daemon": _DAEMON_CELL.replace("MARKER", DAEMON_MARKER),
        "swallowed_errors": (
            "get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)"
        ),
        "read_secrets": (
            "import os\nfound = []\n"
            f"for path in {secrets!r}:\n"
            "    try:\n        found.append(os.listdir(path))\n"
            "    except OSError as exc:\n        found.append(repr(exc))\n"
            "print(found)\n"
            "import course_utils.assignments as _a\nprint(_a.GRADED)\n"
            "try:\n    from autograder.checks import load_checks\n"
            "except ImportError as exc:\n    print(exc)"
        ),
        "write_gradebook": (
            "import os, sqlite3\n"
            f"for path in [{str(paths.gradebook)!r}, {str(paths.results)!r} + '/x.json']:\n"
            "    try:\n        open(path, 'w').write('owned')\n"
            "    except OSError as exc:\n        print(exc)\n"
            f"try:\n    db = sqlite3.connect({str(paths.gradebook)!r})\n"
            "    db.execute('update grade set auto_score=99')\n"
            "except Exception as exc:\n    print(exc)"
        ),
    }


def _hardcoded(release, assignment: str):
    """Each graded function returns a constant: the shape of a visible answer, nothing more."""
    cells = "\n".join(
        f"def {name}(*args, **kwargs):\n    return np.array([1.0, 0.5, 1.25, 2.75])"
        for name in _functions(assignment)
    )
    return _append(release, "import numpy as np\n" + cells)


def _tampered(release):
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            cell.source = "pass"
            meta["points"] = 100
            cell.metadata["tags"] = ["skip-execution"]
    nb.cells = [c for c in nb.cells if not (_gid(c) or "").startswith("check_")]
    return nb


def build_class(paths: CoursePaths, assignment: str, release_dir: Path, target: Path) -> dict:
    """Write one folder per sample under ``target``; return {student id: Expected}."""
    name = sorted(release_dir.glob("*.ipynb"))[0].name
    release = nbformat.read(release_dir / name, as_version=4)
    solution = nbformat.read(paths.solutions / assignment / name, as_version=4)
    correct = with_answers(release, solution)
    attacks = _attack_cells(assignment, paths)
    notebooks = {
        "correct": correct,
        "partial": with_answers(release, solution, which=1),
        "untouched": release,
        "hardcoded": _hardcoded(release, assignment),
        "tampered_tests": _tampered(release),
    }
    notebooks["html_injection"] = _html_injection(correct)
    notebooks["doubled"] = _append(correct, _doubled_cell(assignment))
    for sample in (
        "infinite_loop",
        "memory_bomb",
        "kernel_exit",
        "segfault",
        "sys_exit",
        "huge_output",
        "output_bomb",
        "leak_inputs",
        "setsid_daemon",
    ):
        notebooks[sample] = _append(correct, attacks[sample])
    for sample in (
        "monkeypatch",
        "always_equal",
        "swallowed_errors",
        "read_secrets",
        "write_gradebook",
    ):
        notebooks[sample] = _append(release, attacks[sample])
    for student, nb in notebooks.items():
        (target / student).mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target / student / name)
    _write_raw(target, name, correct)
    _write_links(target, paths.solutions / assignment, assignment, name)
    return dict(EXPECTED)


#: what the html_injection sample writes, in its written answer and in a cell of its own
HTML_PAYLOADS = (
    f"<script>document.title = '{XSS_MARKER}'; window.xss = 1;</script>",
    f'<img src="x" onerror="document.title = \'{XSS_MARKER}\'; window.xss = 2;">',
    f"<iframe src=\"javascript:parent.document.title = '{XSS_MARKER}'\"></iframe>",
    f"[a link](javascript:document.title='{XSS_MARKER}')",
    f"<a href=\"javascript:document.title='{XSS_MARKER}'\">another</a>",
    f"<svg><script>document.title = '{XSS_MARKER}'</script></svg>",
    f"<div onmouseover=\"document.title = '{XSS_MARKER}'\">**bold** hover me</div>",
)


def _html_injection(correct):
    """The correct answers; the written answer and an added cell carry HTML and JavaScript."""
    nb = copy.deepcopy(correct)
    payload = "\n\n".join(HTML_PAYLOADS)
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "markdown":
            cell.source = f"My answer: cumsum is faster.\n\n{payload}"
    nb.cells.append(nbformat.v4.new_markdown_cell(f"An added cell.\n\n{payload}"))
    return nb


def _write_links(target: Path, solution_dir: Path, assignment: str, name: str) -> None:
    """Links to the instructor's solution: the assignment folder, then the notebook itself."""
    (target / "linked_assignment").mkdir(parents=True, exist_ok=True)
    os.symlink(solution_dir, target / "linked_assignment" / assignment)
    (target / "linked_notebook").mkdir(parents=True, exist_ok=True)
    os.symlink(solution_dir / name, target / "linked_notebook" / name)


def _write_raw(target: Path, name: str, correct) -> None:
    files = {
        "wrong_name": ("homework (1).ipynb", nbformat.writes(correct)),
        "malformed_json": (name, nbformat.writes(correct)[:500]),
        "empty_file": (name, ""),
        "not_a_notebook": (name, json.dumps([1, 2, 3])),
    }
    for student, (filename, text) in files.items():
        (target / student).mkdir(parents=True, exist_ok=True)
        (target / student / filename).write_text(text, encoding="utf-8")
    (target / "missing").mkdir(parents=True, exist_ok=True)
    (target / "missing" / "notes.txt").write_text("I forgot to attach the notebook.\n")
