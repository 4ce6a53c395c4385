"""Student bundles hand out no answers: for every assignment's bundle, no reference body of a
function graded in it or later, no solution text and no hidden test; earlier ones stay."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import zipfile

import nbformat
import pytest

from autograder.bundle import build_bundle, graded_functions
from autograder.course import course_paths
from autograder.release import authored_assignments
from course_utils.assignments import assignment_index

PATHS = course_paths()
ASSIGNMENTS = authored_assignments(PATHS)
SOLUTION_BLOCK = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.DOTALL)


RETURN_NAMES = re.compile(r"^return \(?[\w, ]+\)?$")  # `return out, cache` is not an answer


def _significant(lines) -> list[str]:
    stripped = (t.strip() for t in lines)
    return [t for t in stripped if len(t) > 15 and t[0] != "#" and not RETURN_NAMES.match(t)]


def _runs(lines: list[str], length: int = 3) -> list[str]:
    """Every run of ``length`` consecutive significant lines, joined (a copied block)."""
    return ["\n".join(lines[i : i + length]) for i in range(max(0, len(lines) - length + 1))]


def _without_docstrings(tree: ast.AST) -> ast.AST:
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    for node in ast.walk(tree):
        if isinstance(node, kinds) and node.body and ast.get_docstring(node, clean=False):
            body = node.body
            node.body = body[1:] or [ast.Pass()]
    return tree


# fast_layers (im2col) stays in every bundle by design: 09_cnn times it against the student's
# naive loops. It shares shape bookkeeping (output size, padding) with the naive layers.
SHARED_BY_DESIGN = {"conv_naive.py": {"fast_layers.py"}}


def _code_lines(folder, skip: set[str] = frozenset()) -> list[str]:
    """The bundle's code, docstrings removed and formatted by ast.unparse, plus notebook cells."""
    lines: list[str] = []
    for path in sorted(p for p in folder.rglob("*.py") if p.name not in skip):
        tree = _without_docstrings(ast.parse(path.read_text()))
        lines += ast.unparse(tree).splitlines()
    for path in sorted(folder.rglob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            lines += cell.source.splitlines()
    return lines


def _reference_bodies(limit: int) -> dict[str, list[str]]:
    """Runs of significant body lines of every function graded (or revealing) at index >= limit."""
    bodies = {}
    for path in sorted((PATHS.repo / "course_utils").rglob("*.py")):
        source = path.read_text()
        for node, assignment in graded_functions(source):
            if assignment_index(assignment) < limit:
                continue
            body = node.body[1:] if ast.get_docstring(node) else node.body
            text = ast.unparse(ast.Module(body=body, type_ignores=[])).splitlines()
            bodies[f"{path.name}:{node.name}"] = _runs(_significant(text)) or _significant(text)
    return bodies


class _Bundles(dict):
    """Built on first use, one assignment at a time."""

    def __init__(self, paths):
        super().__init__()
        self.paths = paths

    def __missing__(self, assignment):
        self[assignment] = build_bundle(self.paths, assignment)
        return self[assignment]


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    return _Bundles(course_paths(tmp_path_factory.mktemp("course")))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_bundle_has_no_reference_body_solution_or_hidden_test(assignment, bundles):
    folder, archive = bundles[assignment]
    texts = {p: p.read_text() for p in folder.rglob("*") if p.suffix in (".py", ".ipynb")}
    everything = "\n".join(texts.values())
    codes = {
        file: "\n".join(_significant(_code_lines(folder, SHARED_BY_DESIGN.get(file, set()))))
        for file in {*SHARED_BY_DESIGN, ""}
    }
    assert not (folder / "autograder").exists() and not (folder / "solutions").exists()
    assert "BEGIN HIDDEN TESTS" not in everything and "run_checks" not in everything
    for name, lines in _reference_bodies(assignment_index(assignment)).items():
        code = codes.get(name.split(":")[0], codes[""])
        leaked = [run for run in lines if run in code]
        assert not leaked, f"{name} leaks into the {assignment} bundle: {leaked[:2]}"
    for path in sorted((PATHS.solutions / assignment).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for block in SOLUTION_BLOCK.findall(cell.source):
                for line in (ln.strip() for ln in block.splitlines()):
                    assert len(line) <= 15 or line not in everything, f"solution line: {line}"
    with zipfile.ZipFile(archive) as zf:
        assert sorted(zf.namelist()) == sorted(
            f"{assignment}/{p.relative_to(folder)}" for p in folder.rglob("*") if p.is_file()
        )


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_bundle_package_imports_and_stubs_name_their_assignment(assignment, bundles):
    folder, _ = bundles[assignment]
    script = (
        "import pkgutil, importlib, course_utils\n"
        "for m in pkgutil.walk_packages(course_utils.__path__, 'course_utils.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(course_utils.__file__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=folder, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert str(folder) in done.stdout


def test_earlier_assignments_keep_their_references(bundles):
    later = [a for a in ASSIGNMENTS if assignment_index(a) > 0]
    if not later:
        pytest.skip("only 00 is authored")
    folder, _ = bundles[later[0]]
    warmup = (folder / "course_utils" / "warmup.py").read_text()
    assert "np.cumsum" in warmup and "NotImplementedError" not in warmup
