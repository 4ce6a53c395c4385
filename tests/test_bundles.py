"""Student bundles hand out no answers: for every assignment's bundle, no reference body of a
function graded in it or later, no solution text and no hidden test; earlier ones stay."""

from __future__ import annotations

import ast
import copy
import posixpath
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
from tests.test_notebook_rules import NOTATION_LINK

PATHS = course_paths()
ASSIGNMENTS = authored_assignments(PATHS)
SOLUTION_BLOCK = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.DOTALL)


RETURN_NAMES = re.compile(r"^return \(?[\w, ]+\)?$")  # `return out, cache` is not an answer
# input conversions and shape unpacking open many bodies; they are not answers either
BOILERPLATE = re.compile(r"^[\w, ()]+ = (np\.as(any)?array\(|[\w.]+\.shape(\[-?\d\])?$)")
#: a body counts as handed out when one function of the bundle holds this share of its statements
LEAK_SHARE = 0.6
SIMPLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Expr, ast.Raise)
# Overlaps kept by design (reference file or function -> bundle files or functions it may
# share statements with): fast_layers (im2col) stays in every bundle, since 09_cnn times it
# against the student's naive loops, and shares their shape bookkeeping; 04's SVM loops
# share their skeleton with 03's softmax, which the student wrote before and keeps.
SHARED_BY_DESIGN = {
    "conv_naive.py": {"fast_layers.py"},
    "svm_loss_naive": {"softmax_loss_naive"},
    "svm_loss_vectorized": {"softmax_loss_vectorized"},
}


def _significant(lines) -> list[str]:
    stripped = (t.strip() for t in lines)
    return [t for t in stripped if len(t) > 15 and t[0] != "#" and not RETURN_NAMES.match(t)]


def _runs(lines: list[str], length: int = 3) -> list[str]:
    """Every run of ``length`` consecutive significant lines, joined (a copied block)."""
    return ["\n".join(lines[i : i + length]) for i in range(max(0, len(lines) - length + 1))]


MODULES = {"np", "torch", "F", "nn", "math"}


class _Anonymise(ast.NodeTransformer):
    """Rename every variable to `_`: a copy with other names is still a copy."""

    def visit_Name(self, node):
        return node if node.id in MODULES else ast.copy_location(ast.Name("_", node.ctx), node)


def _statements(body: list[ast.stmt]) -> list[str]:
    """The simple statements of a body at any depth, names anonymised, trivial ones left out."""
    found = []
    for node in ast.walk(ast.Module(body=copy.deepcopy(body), type_ignores=[])):
        if isinstance(node, SIMPLE) and not (
            isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        ):
            text = ast.unparse(node)
            if RETURN_NAMES.match(text) or BOILERPLATE.match(text):
                continue
            text = ast.unparse(_Anonymise().visit(node))
            if len(text) > 14:
                found.append(text)
    return found


def _body(node) -> list[ast.stmt]:
    return node.body[1:] if ast.get_docstring(node) else node.body


def _reference_bodies(limit: int) -> dict[tuple[str, str], list[str]]:
    """(file, name) -> statements of every function graded (or revealing) at index >= limit."""
    bodies = {}
    for path in sorted((PATHS.repo / "course_utils").rglob("*.py")):
        for node, assignment in graded_functions(path.read_text()):
            if assignment_index(assignment) >= limit:
                bodies[(path.name, node.name)] = _statements(_body(node))
    return bodies


def _bundle_functions(folder) -> list[tuple[str, str, list[str]]]:
    """(file, name, statements) of every function of the bundle's package."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.append((path.name, node.name, _statements(_body(node))))
    return found


def _leaks(reference: list[str], functions, skip: set[str]) -> list[str]:
    """Bundle functions holding at least LEAK_SHARE of the reference's statements."""
    if not reference:
        return []
    leaks = []
    for file, name, statements in functions:
        if file in skip or name in skip:
            continue
        pool = list(statements)
        shared = 0
        for statement in reference:
            if statement in pool:
                pool.remove(statement)
                shared += 1
        if shared / len(reference) >= LEAK_SHARE:
            leaks.append(f"{file}:{name} ({shared}/{len(reference)} statements)")
    return leaks


def _notebook_code(folder) -> str:
    lines = []
    for path in sorted(folder.rglob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            lines += cell.source.splitlines()
    return "\n".join(_significant(lines))


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
    assert not (folder / "autograder").exists() and not (folder / "solutions").exists()
    assert "BEGIN HIDDEN TESTS" not in everything and "run_checks" not in everything
    functions = _bundle_functions(folder / "course_utils")
    for (file, name), statements in _reference_bodies(assignment_index(assignment)).items():
        allowed = SHARED_BY_DESIGN.get(file, set()) | SHARED_BY_DESIGN.get(name, set())
        leaks = _leaks(statements, functions, allowed)
        assert not leaks, f"{file}:{name} is handed out in the {assignment} bundle by {leaks}"
    notebooks = _notebook_code(folder)
    for path in sorted((PATHS.solutions / assignment).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for block in SOLUTION_BLOCK.findall(cell.source):
                lines = _significant(block.splitlines())
                leaked = [run for run in _runs(lines) or lines if run in notebooks]
                assert not leaked, f"{path.name}: solution code in the bundle: {leaked[:2]}"
    with zipfile.ZipFile(archive) as zf:
        assert sorted(zf.namelist()) == sorted(
            [f"{assignment}/{p.relative_to(folder)}" for p in folder.rglob("*") if p.is_file()]
            + ["docs/NOTATION.md"]
        )
        notebook = next(n for n in zf.namelist() if n.endswith(".ipynb"))
        # the conventions box's relative link resolves inside the unpacked zip
        linked = posixpath.normpath(posixpath.join(posixpath.dirname(notebook), NOTATION_LINK))
        assert linked == "docs/NOTATION.md"
        assert zf.read(linked) == (PATHS.repo / "docs" / "NOTATION.md").read_bytes()


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
    warmup = (folder / "course_utils" / "experiments" / "warmup.py").read_text()
    assert "np.cumsum" in warmup and "NotImplementedError" not in warmup
