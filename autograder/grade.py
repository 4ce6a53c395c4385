"""Grade a class: each submission in its own sandbox, in parallel, points decided here.

For every student and notebook: the submitted file is read as untrusted data and merged
with the release (prepare.py); the grader draws hidden inputs from a seed derived from a
course secret, the student's id and the SHA-256 of the submitted file (so re-grading the
same file gives the same inputs and grades, a resubmission gets fresh ones, and students
cannot derive them); the sandbox runs the notebook and harvests the
outputs of the student's functions (sandbox.py); this process, where no student code
runs, compares them with the references (scoring.py). Each student's result is written
as plain JSON under ``<course>/results/<assignment>/``; ``apply`` copies results into the
gradebook, so sharded runs on a cluster can be merged the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import numpy as np

from autograder import autograded, gradebook_io, prepare, sandbox, scoring, shards
from autograder.bundle import build_package
from autograder.checks import checks_by_cell
from autograder.course import CoursePaths
from autograder.release import ensure_generated
from autograder.submissions import Submission, find_submissions

HERE = Path(__file__).resolve().parent


@dataclass
class GradingRun:
    """Everything shared by the jobs of one ``grade`` command."""

    paths: CoursePaths
    assignment: str
    release: dict[str, nbformat.NotebookNode]  # notebook file name -> student version
    max_points: dict[str, dict[str, float]]  # notebook stem -> grade_id -> points
    lib: Path
    limits: sandbox.Limits
    protections: sandbox.Protections
    workdir: Path


def prepare_run(paths: CoursePaths, assignment: str, limits: sandbox.Limits, workdir: Path):
    """Regenerate the release (and its gradebook entries) and build the sandbox's library.

    The shared files are written under the course lock: shards may start together.
    """
    with shards.course_lock(paths):
        ensure_secret(paths)
        folder = ensure_generated(paths, assignment)
        release = {p.name: nbformat.read(p, as_version=4) for p in sorted(folder.glob("*.ipynb"))}
        max_points = gradebook_io.max_points(paths, assignment)
    lib = workdir / "lib"
    build_package(lib, assignment, paths.repo)
    return GradingRun(
        paths,
        assignment,
        release,
        max_points,
        lib,
        limits,
        sandbox.detect_protections(),
        workdir,
    )


def ensure_secret(paths: CoursePaths) -> None:
    """Create the course secret once: written aside, then linked in (the first one wins)."""
    if paths.secret.exists():
        return
    fresh = paths.secret.with_name(f".{paths.secret.name}.{shards.unique_suffix()}")
    fresh.write_text(secrets.token_hex(32))
    os.chmod(fresh, 0o600)
    try:
        os.link(fresh, paths.secret)
    except FileExistsError:
        pass  # another machine's shard created it first: use that one
    finally:
        fresh.unlink()


def student_seed(paths: CoursePaths, assignment: str, student: str, salt: str = "") -> int:
    """A seed for the student's hidden inputs: HMAC of a course secret and ``salt``.

    ``salt`` is the SHA-256 of the submitted file (:func:`submission_salt`): a re-grade of
    the same file draws the same inputs, a resubmission (any changed byte) fresh ones, so
    hidden inputs that leaked from one run are worth nothing in the next submission.
    """
    ensure_secret(paths)
    key = paths.secret.read_text().strip().encode()
    message = f"{assignment}/{student}/{salt}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "little")


def submission_salt(data: bytes) -> str:
    """The per-submission salt of the hidden inputs: the SHA-256 of the file as submitted."""
    return hashlib.sha256(data).hexdigest()


def grade_class(
    paths: CoursePaths,
    assignment: str,
    submissions_dir: Path,
    workers: int,
    limits: sandbox.Limits,
    shard: tuple[int, int] = (1, 1),
    progress=None,
) -> list[dict]:
    """Grade every submission of the shard in parallel; write and return the results.

    Records the class roster first and the shard's completion last (autograder/shards.py),
    so that ``merge`` can tell a finished shard from one that was cancelled or died.
    """
    with tempfile.TemporaryDirectory(prefix="autograde-") as tmp:
        run = prepare_run(paths, assignment, limits, Path(tmp))
        expected = list(run.release)
        found = find_submissions(submissions_dir, assignment, expected)
        mine = shards.shard_members(found, shard)
        shards.start_shard(paths, assignment, [s.student for s in found], shard)

        def work(submission: Submission) -> dict:
            try:
                return grade_submission(run, submission)
            except Exception as exc:  # the grader's own failure: mark it, never stop the batch
                return _grader_error(run, submission, exc)

        results = []
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for result in pool.map(work, mine):
                write_result(paths, result)
                results.append(result)
                if progress:
                    progress(result)
        shards.finish_shard(paths, assignment, [s.student for s in mine], shard)
    return results


def grade_submission(run: GradingRun, submission: Submission) -> dict:
    """Grade one student (all notebooks of the assignment); never raises for bad input."""
    result = _new_result(run, submission)
    if submission.invalid:  # a link or a special file: reported by find_submissions
        result["status"] = "invalid"
    kept: dict[str, bytes] = {}
    for name, released in run.release.items():
        stem = Path(name).stem
        cells = _empty_cells(run, stem, released)
        result["notebooks"][stem] = cells
        path = submission.notebooks.get(name)
        if path is None:
            continue
        try:
            root = str(submission.root or submission.folder)
            data = prepare.read_untrusted_bytes(str(path), prepare.MAX_NOTEBOOK_BYTES, root)
            kept[name] = data
            submitted = prepare.parse_submission(data.decode("utf-8", errors="replace"))
        except prepare.InvalidSubmission as exc:
            result["problems"].append(f"{name} {exc}")
            result["status"] = "invalid"
            continue
        salt = submission_salt(data)
        result["input_salts"][stem] = salt
        seed = student_seed(run.paths, run.assignment, submission.student, salt)
        _grade_notebook(run, submission.student, name, released, submitted, seed, result)
    result["submitted_at"] = _keep_submitted(
        run.paths, run.assignment, submission, list(run.release), kept
    )
    return _finish(result)


def _grade_notebook(run, student, name, released, submitted, seed, result) -> None:
    stem = Path(name).stem
    merged = prepare.merge_with_release(submitted, released)
    by_cell = checks_by_cell(run.assignment)
    checks = [c for gid in run.max_points.get(stem, {}) for c in by_cell.get(gid, [])]
    planned, arrays = scoring.plan_cases(checks, np.random.default_rng(seed))
    job = sandbox.make_job(run.workdir / f"{student}-{stem}", name)
    try:
        nbformat.write(merged, job.work / name)
        _write_grader_files(job, planned, arrays)
        shutil.copytree(run.lib, job.lib, dirs_exist_ok=True)
        outcome = sandbox.run_job(job, run.limits, run.protections)
        if _read_run_report(job.out) is None and not outcome.timed_out:
            # no report at all: the runner itself died (OOM killer, a fault); try once more
            _reset_out(job)
            outcome = sandbox.run_job(job, run.limits, run.protections)
        scores = scoring.score_cases(planned, str(job.out), run.max_points.get(stem, {}))
        _record(result, stem, scores, merged, released, submitted)
        _record_run(result, name, outcome, job.out)
        nb = autograded.compose(merged, str(job.out / "executed.ipynb"))
        autograded.sanitize_markdown(nb, released)
        autograded.add_verdicts(nb, scores)
        target = run.paths.autograded / student / run.assignment / name
        autograded.write(nb, str(target))
    finally:
        shutil.rmtree(job.root, ignore_errors=True)


def _grader_error(run: GradingRun, submission: Submission, exc: Exception) -> dict:
    result = _new_result(run, submission)
    for name, released in run.release.items():
        stem = Path(name).stem
        result["notebooks"][stem] = _empty_cells(run, stem, released)
    result["status"] = "grader-error"
    result["problems"].append(f"the grader failed ({type(exc).__name__}: {exc}); re-grade")
    return _finish(result)


def _reset_out(job: sandbox.Job) -> None:
    shutil.rmtree(job.out, ignore_errors=True)
    job.out.mkdir()


def _write_grader_files(job: sandbox.Job, planned, arrays) -> None:
    for script in ("harvest.py", "sandbox_runner.py"):
        shutil.copy2(HERE / script, job.grader / script)
    # each case names the outputs the grader compares: the harvest keeps only those
    encoded = [dict(p.encoded, keep=sorted(p.expected or {})) for p in planned]
    (job.grader / "cases.json").write_text(json.dumps(encoded))
    np.savez(job.grader / "inputs.npz", **arrays)


def _new_result(run: GradingRun, submission: Submission) -> dict:
    return {
        "student": submission.student,
        "assignment": run.assignment,
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "status": "ok",
        "problems": list(submission.problems),
        "notes": list(submission.notes),
        "notebooks": {},
        "input_salts": {},
        "protections": run.protections.describe(),
        "seconds": 0.0,
    }


def _empty_cells(run: GradingRun, stem: str, released) -> dict:
    """Every graded cell of a notebook at 0 points, before anything ran."""
    answers = {
        c.metadata["nbgrader"]["grade_id"]
        for c in released.cells
        if c.get("metadata", {}).get("nbgrader", {}).get("solution")
    }
    cells = {}
    for gid, points in run.max_points.get(stem, {}).items():
        kind = "answer" if gid in answers else "test"
        cells[gid] = {"kind": kind, "points": 0.0, "max_points": points, "messages": []}
    return cells


def _record(result, stem, scores, merged, released, submitted) -> None:
    cells = result["notebooks"][stem]
    for gid, score in scores.items():
        if gid in cells and cells[gid]["kind"] == "test":
            cells[gid].update(points=score.points, passed=score.passed, total=score.total)
            cells[gid]["messages"] = score.messages
    released_by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in released.cells}
    for cell in merged.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in cells and cells[gid]["kind"] == "answer":
            cells[gid]["unchanged"] = gradebook_io.answer_unchanged(cell, released_by_id[gid])


def _record_run(result: dict, name: str, outcome: sandbox.Outcome, out: Path) -> None:
    result["seconds"] = round(result["seconds"] + outcome.seconds, 2)
    report = _read_run_report(out)
    if outcome.timed_out:
        result["status"] = "timeout"
        result["problems"].append(f"{name} ran out of time ({outcome.seconds:.0f} s)")
    elif report is None:
        result["log_tail"] = f"exit {outcome.returncode}: {outcome.log_tail[-1500:]}"
        result["status"] = "crashed"
        result["problems"].append(f"{name}: the notebook could not be run (kernel failed)")
    if report:
        if report.get("crashed_cells"):
            result["status"] = "crashed" if result["status"] == "ok" else result["status"]
            cells = ", ".join(str(i + 1) for i in report["crashed_cells"])
            result["problems"].append(f"{name}: the kernel died in cell {cells} (skipped)")
        if report.get("timeout_cells"):
            cells = ", ".join(str(i + 1) for i in report["timeout_cells"])
            result["notes"].append(f"{name}: cell {cells} ran out of time and was interrupted")
        if report.get("error_cells"):
            cells = ", ".join(str(i + 1) for i in report["error_cells"][:8])
            found = report.get("error_names") or []
            names = ", ".join(sorted({scoring.exception_name(n) for n in found[:3]}))
            result["notes"].append(f"{name}: {names or 'errors'} in cell {cells}")


def _read_run_report(out: Path) -> dict | None:
    try:
        data = json.loads(prepare.read_untrusted_text(str(out / "run.json"), 1_000_000))
    except (prepare.InvalidSubmission, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _finish(result: dict) -> dict:
    cells = [c for nb in result["notebooks"].values() for c in nb.values()]
    result["score"] = round(sum(c["points"] for c in cells), 2)
    result["max_score"] = round(sum(c["max_points"] for c in cells), 2)
    result["needs_manual"] = any(
        c["kind"] == "answer" and c.get("unchanged") is False for c in cells
    )
    if result["problems"] and result["status"] == "ok":
        result["status"] = "missing" if all("missing" in p for p in result["problems"]) else "error"
    reasons = result["problems"] or result["notes"]
    result["reason"] = "; ".join(reasons)[:500] if reasons else "graded"
    return result


def _keep_submitted(
    paths: CoursePaths,
    assignment: str,
    submission: Submission,
    expected: list[str],
    files: dict[str, bytes],
) -> str:
    """Keep the files as submitted in nbgrader's ``submitted/`` layout (for formgrader);
    return the submission time written to its ``timestamp.txt``: the submission's own
    (nbgrader's exchange writes one), else now.

    The bytes written are those the grader read beneath the submissions folder, never
    through a link, so no file from outside a student's folder lands in ``submitted/``.
    """
    target = paths.submitted / submission.student / assignment
    own = None if submission.invalid else _own_timestamp(submission.folder / "timestamp.txt")
    if os.path.realpath(submission.folder) == os.path.realpath(target):
        return own or ""
    target.mkdir(parents=True, exist_ok=True)
    for name in expected:
        destination = target / name
        if destination.is_symlink() or (destination.exists() and name not in files):
            destination.unlink()  # nothing of an earlier submission stays as this one's
        if name in files:
            destination.write_bytes(files[name])
    stamp = own or gradebook_io.utc_now_text()
    (target / "timestamp.txt").write_text(stamp)
    return stamp


def _own_timestamp(path: Path) -> str | None:
    """A submission's ``timestamp.txt`` when it is a plain file nbgrader can read."""
    if path.is_symlink() or not path.is_file():
        return None
    with open(path, errors="replace") as handle:
        text = handle.read(200).strip()
    return text if gradebook_io.parse_timestamp(text) else None


def write_result(paths: CoursePaths, result: dict) -> Path:
    """Write one student's result whole: a cancelled shard leaves it complete or absent."""
    path = paths.results / result["assignment"] / f"{result['student']}.json"
    shards.write_atomic(path, json.dumps(result, indent=1))
    return path


def load_results(paths: CoursePaths, assignment: str) -> list[dict]:
    """Every stored result of ``assignment``, one per student, sorted by student id."""
    folder = paths.results / assignment
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]
