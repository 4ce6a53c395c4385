"""The sandbox's protections, probed from inside by a notebook that tries to break out."""

from __future__ import annotations

import json
import shutil
import socket
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import sandbox
from autograder.course import REPO_ROOT

FULL = sandbox.detect_protections()
needs_full = pytest.mark.skipif(
    FULL.off != [], reason=f"this machine allows less: {FULL.describe()}"
)
PROBE = r"""
import json, os, socket, subprocess
report = {"uid": os.getuid()}
def attempt(name, action):
    try:
        action()
        report[name] = "allowed"
    except BaseException as exc:
        report[name] = type(exc).__name__
attempt("read_solutions", lambda: os.listdir(SOLUTIONS))
attempt("read_host_tmp", lambda: open(MARKER).read())
attempt("write_venv", lambda: open(os.path.join(VENV, "owned"), "w"))
attempt("connect_host", lambda: socket.create_connection(("127.0.0.1", PORT), timeout=2))
attempt("memory_3gb", lambda: bytearray(3 * 2**30))
children = []
def spawn():
    for _ in range(200):
        children.append(subprocess.Popen(["sleep", "30"]))
attempt("spawn_200", spawn)
report["spawned"] = len(children)
for child in children:
    child.kill()
print("REPORT" + json.dumps(report))
"""


def _run_probe(tmp_path: Path, protections: sandbox.Protections, limits: sandbox.Limits) -> dict:
    marker = Path(tempfile_marker())
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    header = (
        f"SOLUTIONS = {str(REPO_ROOT / 'solutions')!r}\nMARKER = {str(marker)!r}\n"
        f"VENV = {sys.prefix!r}\nPORT = {port}\n"
    )
    job = sandbox.make_job(tmp_path / "job", "probe.ipynb")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(header + PROBE)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, job.work / "probe.ipynb")
    for script in ("harvest.py", "sandbox_runner.py"):
        shutil.copy2(REPO_ROOT / "autograder" / script, job.grader / script)
    (job.grader / "cases.json").write_text("[]")
    import numpy as np

    np.savez(job.grader / "inputs.npz")
    try:
        outcome = sandbox.run_job(job, limits, protections)
    finally:
        listener.close()
        marker.unlink()
    executed = nbformat.read(job.out / "executed.ipynb", as_version=4)
    text = "".join(o.get("text", "") for o in executed.cells[0].outputs)
    assert "REPORT" in text, (outcome, text, outcome.log_tail)
    return json.loads(text.split("REPORT", 1)[1].splitlines()[0])


def tempfile_marker() -> str:
    import tempfile

    handle = tempfile.NamedTemporaryFile("w", delete=False, suffix=".marker")
    handle.write("host secret")
    handle.close()
    Path(handle.name).chmod(0o644)
    return handle.name


@pytest.mark.slow
@needs_full
def test_full_sandbox_blocks_files_network_memory_and_processes(tmp_path):
    limits = sandbox.Limits(total_seconds=90, memory_mb=1024, max_processes=32)
    report = _run_probe(tmp_path, FULL, limits)
    assert report["uid"] >= sandbox.FIRST_UID
    assert report["read_solutions"] == "FileNotFoundError"
    assert report["read_host_tmp"] == "FileNotFoundError"
    assert report["write_venv"] == "OSError"  # read-only file system
    assert report["connect_host"] != "allowed"
    assert report["memory_3gb"] == "MemoryError"
    assert report["spawn_200"] != "allowed" and report["spawned"] < 32


@pytest.mark.slow
def test_without_namespaces_grading_still_runs_and_says_what_is_off(tmp_path):
    weak = sandbox.Protections(namespaces=False, separate_user=False)
    limits = sandbox.Limits(total_seconds=90, memory_mb=1024)
    report = _run_probe(tmp_path, weak, limits)
    assert report["memory_3gb"] == "MemoryError"  # rlimits always apply
    assert "filesystem isolation" in weak.describe() and "OFF" in weak.describe()


def test_full_protections_describe_themselves():
    assert sandbox.Protections(True, True).off == []
    assert "all protections on" in sandbox.Protections(True, True).describe()


@needs_full
def test_uid_leases_are_exclusive():
    with sandbox.uid_lease() as first, sandbox.uid_lease() as second:
        assert first != second


def test_tmp_is_mounted_before_a_python_that_lives_under_it(tmp_path, monkeypatch):
    """A CI checkout under /tmp has its venv there: the sandbox's fresh /tmp must not hide it."""
    monkeypatch.setattr(sandbox, "_python_prefixes", lambda: ["/tmp/ci/checkout/.venv"])
    args = sandbox._bwrap_arguments(sandbox.Job(tmp_path, "nb.ipynb"), unshare_user=False)
    tmpfs = args.index("--tmpfs")
    assert args[tmpfs + 1] == "/tmp"
    bind = args.index("/tmp/ci/checkout/.venv")
    assert args[bind - 1] == "--ro-bind" and bind > tmpfs
    assert "/tmp" not in [args[i + 1] for i, a in enumerate(args) if a == "--dir"]
