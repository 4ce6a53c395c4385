"""Release: student notebooks from the solution notebooks, with nbgrader's generate_assignment.

nbgrader strips the solutions and hidden tests, locks cells and records the graded cells
in the gradebook. Afterwards each stub is made to name its task
(``raise NotImplementedError("moving_average: ...")``) and the notebook is written in
one canonical form, so a regenerated release is byte-identical to the committed one.
"""

from __future__ import annotations

import ast
import hashlib
import shutil
import tempfile
from pathlib import Path

import nbformat

from autograder.course import CoursePaths, nbgrader_config
from course_utils.assignments import ASSIGNMENTS

STUB = "raise NotImplementedError()"


class ReleaseError(RuntimeError):
    """nbgrader could not generate an assignment; the message carries its log."""


def authored_assignments(paths: CoursePaths) -> list[str]:
    """The assignments that have a folder in ``solutions/``, in course order."""
    return [a for a in ASSIGNMENTS if (paths.solutions / a).is_dir()]


def generate(paths: CoursePaths, assignment: str, release_to: Path) -> Path:
    """Run nbgrader's generate_assignment for one assignment into ``release_to/<assignment>``.

    Also records the assignment's notebooks and graded cells in the course gradebook.
    Returns the folder written.
    """
    from nbgrader.apps import NbGraderAPI

    api = NbGraderAPI(config=nbgrader_config(paths, release_to=release_to))
    result = api.generate_assignment(assignment, force=True, create=True)
    if not result.get("success"):
        log = result.get("log", "") + result.get("error", "")
        raise ReleaseError(f"nbgrader could not generate {assignment}:\n{log}")
    folder = release_to / assignment
    for notebook in sorted(folder.glob("*.ipynb")):
        name_stubs(notebook)
    return folder


def ensure_generated(paths: CoursePaths, assignment: str) -> Path:
    """The course directory's release of ``assignment``, regenerated only when needed.

    Reused while the solution files hash the same and the gradebook knows the assignment
    (a grading run then skips nbgrader's generate_assignment, a few seconds each time).
    """
    from nbgrader.api import Gradebook, MissingEntry

    from autograder.course import COURSE_ID

    folder = paths.release / assignment
    stamp = folder / ".source-sha256"
    digest = _source_digest(paths, assignment)
    if stamp.exists() and stamp.read_text() == digest:
        try:
            with Gradebook(paths.db_url, COURSE_ID) as gb:
                gb.find_assignment(assignment)
            return folder
        except MissingEntry:
            pass
    generate(paths, assignment, paths.release)
    stamp.write_text(digest)
    return folder


def _source_digest(paths: CoursePaths, assignment: str) -> str:
    digest = hashlib.sha256()
    for path in sorted((paths.solutions / assignment).rglob("*")):
        if path.is_file() and ".ipynb_checkpoints" not in path.parts:
            digest.update(str(path.relative_to(paths.solutions)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def release_to_repo(paths: CoursePaths, assignments: list[str] | None = None) -> list[Path]:
    """Regenerate ``notebooks/<assignment>`` for each assignment (default: all authored)."""
    chosen = assignments or authored_assignments(paths)
    written = []
    for assignment in chosen:
        with tempfile.TemporaryDirectory() as tmp:
            folder = generate(paths, assignment, Path(tmp))
            target = paths.notebooks / assignment
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(folder, target)
            written.append(target)
    return written


def name_stubs(path: Path) -> None:
    """Make every stub raise NotImplementedError naming its function (or graded cell)."""
    from nbgrader.utils import compute_checksum

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution") and STUB in cell.source:
            cell.source = _named_stub_source(cell.source, meta.get("grade_id", "this cell"))
            if "checksum" in meta:
                meta["checksum"] = compute_checksum(cell)
    nbformat.write(nb, path)


def _named_stub_source(source: str, grade_id: str) -> str:
    lines = source.split("\n")
    owners = _enclosing_functions(source)
    for number, line in enumerate(lines, start=1):
        if line.strip() == STUB:
            owner = owners.get(number, grade_id)
            # double quotes, as ruff formats the rest of the notebook
            stub = f'raise NotImplementedError("{owner}: replace this line with your code")'
            lines[number - 1] = line.replace(STUB, stub)
    return "\n".join(lines)


def _enclosing_functions(source: str) -> dict[int, str]:
    """Map each line number to the innermost function defined around it."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    owners: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for number in range(node.lineno, (node.end_lineno or node.lineno) + 1):
                current = owners.get(number)
                if current is None or _depth(tree, node) > _depth_by_name(tree, current):
                    owners[number] = node.name
    return owners


def _depth(tree: ast.AST, target: ast.AST) -> int:
    def walk(node: ast.AST, depth: int) -> int:
        if node is target:
            return depth
        for child in ast.iter_child_nodes(node):
            found = walk(child, depth + 1)
            if found >= 0:
                return found
        return -1

    return walk(tree, 0)


def _depth_by_name(tree: ast.AST, name: str) -> int:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return _depth(tree, node)
    return -1
