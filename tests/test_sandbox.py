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


def _daemon_job(tmp_path: Path, marker: str) -> sandbox.Job:
    """A notebook that leaves a double-forked, setsid daemon writing into out/ forever."""
    from autograder.samples import _DAEMON_CELL

    wait = (
        "import os, time\n"
        "beat = os.path.join(out, 'daemon_heartbeat')\n"
        "deadline = time.monotonic() + 30\n"
        "while not os.path.exists(beat) and time.monotonic() < deadline:\n"
        "    time.sleep(0.01)\n"
    )
    job = sandbox.make_job(tmp_path / "job", "daemon.ipynb")
    cells = [_DAEMON_CELL.replace("MARKER", marker), wait]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, job.work / "daemon.ipynb")
    for script in ("harvest.py", "sandbox_runner.py"):
        shutil.copy2(REPO_ROOT / "autograder" / script, job.grader / script)
    (job.grader / "cases.json").write_text("[]")
    import numpy as np

    np.savez(job.grader / "inputs.npz")
    return job


def _processes_with(marker: str) -> list:
    import psutil

    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        cmdline = process.info["cmdline"] or []
        if marker in cmdline and process.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(process)
    return found


@pytest.mark.slow
@needs_full
def test_no_process_of_the_job_is_left_when_run_job_returns():
    """The PID namespace is killed and gone before the grader reads any output."""
    import tempfile
    import uuid

    marker = f"nn-course-kit-test-daemon-{uuid.uuid4().hex}"
    home = Path(tempfile.mkdtemp(prefix="daemon-test-"))  # the sandbox uid may enter it
    home.chmod(0o711)
    try:
        _run_daemon_job(home, marker, namespaces=True)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _run_daemon_job(home: Path, marker: str, namespaces: bool) -> None:
    import time

    job = _daemon_job(home, marker)
    (home / "job").chmod(0o711)
    protections = sandbox.Protections(namespaces=namespaces, separate_user=True)
    sandbox.run_job(job, sandbox.Limits(total_seconds=90), protections)
    beat = job.out / "daemon_heartbeat"
    assert beat.exists(), "the daemon never ran: the test proves nothing"
    assert _processes_with(marker) == []
    first = beat.read_text()
    time.sleep(0.3)  # a surviving daemon rewrites it every 10 ms
    assert beat.read_text() == first


HOPPING = """
import os, time
os.setsid()
while True:
    time.sleep(0.005)
    if os.fork():
        os._exit(0)
"""
KILL_HOPPING = """
import ctypes, os, subprocess, sys, time
from autograder import sandbox
ctypes.CDLL(None).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER: orphans come here to be reaped
with sandbox.uid_lease() as uid:
    switch = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
    starter = subprocess.Popen([*switch, "/usr/bin/python3", "-c", sys.argv[1]])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # a zombie parent: it has hopped at least once
        try:
            os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            pass
        if starter.poll() is not None:
            break
        time.sleep(0.01)
    sandbox._kill_everything(starter, uid)
    time.sleep(0.2)
    alive = [p.pid for p in sandbox._processes_of(uid) if sandbox._running(p)]
    print("ALIVE", len(alive), "HOPPED", starter.returncode is not None)
    if alive:
        subprocess.run([*switch, "kill", "-KILL", "-1"])
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
"""


@pytest.mark.slow
@needs_full
def test_every_process_of_the_sandbox_uid_dies_even_one_that_keeps_changing_pid():
    """Without namespaces the uid is all there is: one kill(-1) as that uid takes them all,
    where a list of pids misses a process that forks and exits every few milliseconds."""
    import subprocess

    run = subprocess.run(
        [sys.executable, "-c", KILL_HOPPING, HOPPING],
        capture_output=True, text=True, timeout=120, cwd=REPO_ROOT,
    )  # fmt: skip
    assert "HOPPED True" in run.stdout, run.stdout + run.stderr
    assert "ALIVE 0 " in run.stdout, run.stdout + run.stderr
