"""Student bundles: what an instructor hands out for one assignment.

A bundle holds the assignment's student notebook(s) and a copy of ``course_utils`` in
which every function tagged ``@graded(A)`` for this assignment or a later one has lost
its body (replaced by ``raise NotImplementedError``); functions of earlier assignments
keep theirs, so later notebooks can build on them. The same stripped ``course_utils`` is
what the grading sandbox imports. Nothing else of the repository goes in.
"""

from __future__ import annotations

import ast
import shutil
import zipfile
from pathlib import Path

from autograder.course import CoursePaths
from course_utils.assignments import assignment_index

PACKAGE = "course_utils"
COPIED_SUFFIXES = {".py", ".json", ".txt", ".npz", ".html"}


def graded_functions(source: str) -> list[tuple[ast.FunctionDef, str]]:
    """Every function tagged ``@graded("<a>")`` or ``@reveals("<a>")``, with that assignment."""
    tagged = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for decorator in node.decorator_list:
            assignment = _graded_argument(decorator)
            if assignment is not None:
                tagged.append((node, assignment))
    return tagged


def _graded_argument(decorator: ast.expr) -> str | None:
    if not (isinstance(decorator, ast.Call) and decorator.args):
        return None
    func = decorator.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    first = decorator.args[0]
    tagged = name in ("graded", "reveals")
    if tagged and isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    return None


def strip_source(source: str, assignment: str) -> str:
    """``source`` with the bodies of functions graded in ``assignment`` or later removed."""
    limit = assignment_index(assignment)
    lines = source.split("\n")
    removals = []
    for node, graded_in in graded_functions(source):
        if assignment_index(graded_in) >= limit:
            removals.append(_body_span(node, graded_in))
    for first, last, indent, message in sorted(removals, reverse=True):
        lines[first:last] = [f"{indent}raise NotImplementedError({message!r})"]
    return "\n".join(lines)


def _body_span(node: ast.FunctionDef, graded_in: str) -> tuple[int, int, str, str]:
    """0-based [first, last) line range of the body after the docstring, its indent, a message."""
    body = node.body
    has_doc = (
        isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    )
    first = body[0].end_lineno if has_doc else body[0].lineno - 1
    last = max(body[-1].end_lineno or first, first)
    indent = " " * body[0].col_offset
    message = f"{node.name} is graded in {graded_in}: write it in that notebook"
    return first, last, indent, message


def build_package(destination: Path, assignment: str, source_root: Path) -> Path:
    """Copy ``course_utils`` to ``destination/course_utils`` with graded bodies removed."""
    target = destination / PACKAGE
    if target.exists():
        shutil.rmtree(target)
    for path in sorted((source_root / PACKAGE).rglob("*")):
        if "__pycache__" in path.parts or not path.is_file():
            continue
        if path.suffix not in COPIED_SUFFIXES:
            continue
        out = target / path.relative_to(source_root / PACKAGE)
        out.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".py":
            out.write_text(strip_source(path.read_text(encoding="utf-8"), assignment))
        else:
            shutil.copy2(path, out)
    return target


#: the course's notation page, linked from every notebook's conventions box
NOTATION = "docs/NOTATION.md"


def build_bundle(paths: CoursePaths, assignment: str) -> tuple[Path, Path]:
    """Write ``<course>/bundles/<assignment>/`` and its zip; return both paths."""
    folder = paths.bundles / assignment
    if folder.exists():
        shutil.rmtree(folder)
    notebooks = paths.notebooks / assignment
    if not notebooks.is_dir():
        raise FileNotFoundError(f"{notebooks} is missing: run `python -m autograder release` first")
    shutil.copytree(notebooks, folder / assignment)
    build_package(folder, assignment, paths.repo)
    (folder / "README.txt").write_text(_readme(assignment), encoding="utf-8")
    archive = paths.bundles / f"{assignment}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, Path(assignment) / path.relative_to(folder))
        # beside the assignment's folder, where the notebooks' link ../../docs/NOTATION.md
        # points once the zip is unpacked (the same file in every assignment's zip)
        zf.write(paths.repo / NOTATION, NOTATION)
    return folder, archive


def _readme(assignment: str) -> str:
    return (
        f"Assignment {assignment}\n\n"
        "Open the notebook in JupyterLab from this folder, so that the course_utils here is\n"
        "the one imported (or put this folder first on PYTHONPATH). It needs numpy,\n"
        "matplotlib, scikit-learn, ipywidgets and torch (see the course's requirements).\n"
        "Work in the cells marked YOUR CODE HERE, validate, and submit the .ipynb file.\n"
    )
