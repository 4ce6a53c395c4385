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
=================  =====================================================  ========  =========
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.checks import load_checks
from autograder.course import CoursePaths


@dataclass(frozen=True)
class Expected:
    """What grading a sample must give: "full", "partial" or "zero" points, and a status."""

    score: str
    status: str


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
}

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


def _append(nb, source: str):
    nb = copy.deepcopy(nb)
    nb.cells.append(nbformat.v4.new_code_cell(source))
    return nb


def _functions(assignment: str) -> list[str]:
    return sorted({c.function for c in load_checks(assignment)})


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
    for sample in (
        "infinite_loop",
        "memory_bomb",
        "kernel_exit",
        "segfault",
        "sys_exit",
        "huge_output",
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
    return dict(EXPECTED)


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
