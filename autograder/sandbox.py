"""Run one submission in a throwaway, locked-down sandbox (the student side of grading).

What Linux offers without extra services, used as far as the machine allows:

- bubblewrap (``bwrap``): new mount, PID, network, IPC and UTS namespaces; the sandbox
  sees only system folders, the Python installation and the venv (read-only), the
  student's bundle (read-only) and its own job folder (read-write). ``solutions/``, the
  gradebook, the course directory and other students' jobs do not exist inside.
- a separate, unprivileged user per worker (``setpriv``), when the grader runs as root:
  no capabilities, ``no_new_privs``, and a process-count cap that means something.
- rlimits: memory (RLIMIT_DATA), CPU time, file size, open files, core dumps, processes.
- a scrubbed environment, a wall-clock limit, and every process of the job killed at the end.

Where the machine allows less (no bwrap, not root), grading goes on with what is left
and :class:`Protections` says plainly which protections were off.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

#: the sandbox users: each running job leases one uid of this range, machine-wide
FIRST_UID = 62000
UID_COUNT = 512
#: environment variables passed through to the sandbox unchanged when set
PASS_THROUGH = (
    "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "NPY_DISABLE_CPU_FEATURES", "ATEN_CPU_CAPABILITY",
    "MKL_CBWR", "LANG", "TZ",
)  # fmt: skip


@dataclass(frozen=True)
class Limits:
    """Resource limits for one submission."""

    total_seconds: float = 300.0
    cell_seconds: int = 60
    case_seconds: float = 20.0
    memory_mb: int = 2048
    max_processes: int = 64
    max_file_mb: int = 256


@dataclass(frozen=True)
class Protections:
    """Which isolation mechanisms this machine allows."""

    namespaces: bool  # private filesystem view, PID and network namespaces (bwrap)
    separate_user: bool  # an unprivileged uid per worker (needs root)

    @property
    def off(self) -> list[str]:
        missing = []
        if not self.namespaces:
            missing += ["filesystem isolation", "network isolation", "PID namespace"]
        if not self.separate_user:
            missing += ["separate user", "process-count cap"]
        return missing

    def describe(self) -> str:
        if not self.off:
            return "all protections on (namespaces, separate user, rlimits, time limits)"
        return "protections OFF in this run: " + ", ".join(self.off)


@functools.cache
def detect_protections() -> Protections:
    """Probe once whether bwrap works here and whether we may switch users."""
    is_root = os.geteuid() == 0
    bwrap = shutil.which("bwrap")
    namespaces = False
    if bwrap:
        probe = [bwrap, "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid"]
        if not is_root:
            probe.append("--unshare-user")
        probe += ["--die-with-parent", "true"]
        try:
            namespaces = subprocess.run(probe, capture_output=True, timeout=20).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            namespaces = False
    separate_user = is_root and shutil.which("setpriv") is not None
    return Protections(namespaces=namespaces, separate_user=separate_user)


@dataclass
class Job:
    """The host folders of one sandboxed run (all under ``root``)."""

    root: Path
    notebook_name: str

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def lib(self) -> Path:
        return self.root / "lib"

    @property
    def grader(self) -> Path:
        return self.root / "grader"

    @property
    def out(self) -> Path:
        return self.root / "out"


@dataclass
class Outcome:
    """What happened to the sandboxed process (not yet what it scored)."""

    returncode: int | None
    timed_out: bool
    seconds: float
    log_tail: str


def make_job(root: Path, notebook_name: str) -> Job:
    """Create the job folders; the caller fills work/, lib/ and grader/."""
    job = Job(root, notebook_name)
    for folder in (job.work, job.lib, job.grader, job.out):
        folder.mkdir(parents=True, exist_ok=True)
    return job


@contextlib.contextmanager
def uid_lease():
    """Hold a sandbox uid that no other job on this machine uses (an flock per uid).

    Grading runs may overlap (parallel tests, two instructors' commands): each job kills
    every process of its uid when it ends, so a uid must belong to one job at a time.
    """
    folder = "/run/lock" if os.access("/run/lock", os.W_OK) else tempfile.gettempdir()
    for uid in range(FIRST_UID, FIRST_UID + UID_COUNT):
        handle = open(os.path.join(folder, f"nn-course-kit-sandbox-{uid}.lock"), "a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        if _processes_of(uid):  # a leftover of a killed run: leave that uid alone
            handle.close()
            continue
        try:
            yield uid
        finally:
            handle.close()
        return
    raise RuntimeError(f"all {UID_COUNT} sandbox uids from {FIRST_UID} are in use")


def _processes_of(uid: int) -> list:
    return [
        p for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real == uid
    ]


def run_job(job: Job, limits: Limits, protections: Protections) -> Outcome:
    """Run the job's notebook and harvest in the sandbox; kill everything at the end."""
    if not protections.separate_user:
        return _run(job, limits, protections, None)
    with uid_lease() as uid:
        _chown_tree(job.work, uid)
        _chown_tree(job.out, uid)
        return _run(job, limits, protections, uid)


def _run(job: Job, limits: Limits, protections: Protections, uid: int | None) -> Outcome:
    command = _command(job, limits, protections, uid)
    start = time.monotonic()
    log_path = job.root / "sandbox.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_environment(job, protections),
            cwd=job.work,
            preexec_fn=functools.partial(_apply_limits, limits, protections.separate_user),
            start_new_session=True,
        )
        timed_out = False
        try:
            process.wait(timeout=limits.total_seconds)
        except subprocess.TimeoutExpired:
            timed_out = True
        _kill_everything(process, uid)
    seconds = time.monotonic() - start
    return Outcome(process.returncode, timed_out, round(seconds, 2), _tail(log_path))


def _command(job: Job, limits: Limits, protections: Protections, uid: int | None) -> list[str]:
    inside = Path("/sandbox") if protections.namespaces else job.root
    runner = [
        sys.executable,
        str(inside / "grader" / "sandbox_runner.py"),
        str(inside / "work" / job.notebook_name),
        "--grader-dir",
        str(inside / "grader"),
        "--out-dir",
        str(inside / "out"),
        "--cell-timeout",
        str(limits.cell_seconds),
        "--case-seconds",
        str(limits.case_seconds),
    ]
    if uid is not None:
        runner = [
            "setpriv",
            f"--reuid={uid}",
            f"--regid={uid}",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--no-new-privs",
            "--",
            *runner,
        ]
    if not protections.namespaces:
        return runner
    return [*_bwrap_arguments(job, uid is None), "--chdir", "/sandbox/work", *runner]


def _bwrap_arguments(job: Job, unshare_user: bool) -> list[str]:
    args = ["bwrap", "--die-with-parent", "--new-session"]
    args += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
    args += ["--unshare-cgroup-try"]
    if unshare_user:
        args.append("--unshare-user")
    for system in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc"):
        if os.path.exists(system):
            args += ["--ro-bind", system, system]
    # /tmp first: a venv or Python under /tmp (a CI checkout) is then bound on top of it
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
    for prefix in _python_prefixes():
        args += _parents(prefix) + ["--ro-bind", prefix, prefix]
    args += ["--perms", "0755", "--dir", "/sandbox"]
    args += ["--bind", str(job.work), "/sandbox/work", "--bind", str(job.out), "/sandbox/out"]
    args += ["--ro-bind", str(job.lib), "/sandbox/lib"]
    args += ["--ro-bind", str(job.grader), "/sandbox/grader"]
    return args


def _python_prefixes() -> list[str]:
    """The Python installation and the venv, which the sandbox needs read-only."""
    prefixes = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)}
    if sys.prefix != os.path.realpath(sys.prefix):
        prefixes.add(sys.prefix)
    return sorted(prefixes)


def _parents(path: str) -> list[str]:
    """bwrap options that create every parent of ``path`` world-traversable (0755)."""
    args: list[str] = []
    parts = Path(path).parts[1:-1]
    for depth in range(1, len(parts) + 1):
        parent = "/" + "/".join(parts[:depth])
        if parent in ("/usr", "/bin", "/lib", "/etc", "/tmp"):
            continue
        args += ["--perms", "0755", "--dir", parent]
    return args


def _environment(job: Job, protections: Protections) -> dict[str, str]:
    """A scrubbed environment: nothing of the grader's, caches inside the sandbox's /tmp."""
    tmp = "/tmp" if protections.namespaces else str(job.root / "tmp")
    lib = "/sandbox/lib" if protections.namespaces else str(job.lib)
    env = {
        "PATH": os.pathsep.join([os.path.dirname(sys.executable), "/usr/bin", "/bin"]),
        "HOME": f"{tmp}/home",
        "TMPDIR": tmp,
        "PYTHONPATH": lib,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "XDG_CACHE_HOME": f"{tmp}/cache",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": f"{tmp}/matplotlib",
        "IPYTHONDIR": f"{tmp}/ipython",
        "JUPYTER_CONFIG_DIR": f"{tmp}/jupyter/config",
        "JUPYTER_DATA_DIR": f"{tmp}/jupyter/data",
        "JUPYTER_RUNTIME_DIR": f"{tmp}/jupyter/runtime",
        "NBGRADER_EXECUTION": "autograde",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "COURSE_DATA_DIR": f"{tmp}/data",
        "TQDM_MININTERVAL": "5",
    }
    env.update({k: os.environ[k] for k in PASS_THROUGH if k in os.environ})
    if not protections.namespaces:
        Path(tmp).mkdir(parents=True, exist_ok=True)
        os.chmod(tmp, 0o777)
    return env


def _apply_limits(limits: Limits, separate_user: bool) -> None:
    """Runs in the child before exec: rlimits that every sandboxed process inherits."""
    memory = limits.memory_mb * 1024 * 1024
    cpu = int(limits.total_seconds) + 5
    settings = [
        (resource.RLIMIT_DATA, memory),
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_FSIZE, limits.max_file_mb * 1024 * 1024),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NOFILE, 1024),
    ]
    if separate_user:
        settings.append((resource.RLIMIT_NPROC, limits.max_processes))
    for which, value in settings:
        resource.setrlimit(which, (value, value))


def _kill_everything(process: subprocess.Popen, uid: int | None) -> None:
    """Kill the job's process group, its descendants, and every process of its uid."""
    victims = []
    try:
        victims = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        pass
    if uid is not None:
        victims += _processes_of(uid)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for victim in victims:
        try:
            victim.kill()
        except psutil.Error:
            pass
    process.wait()


def _chown_tree(folder: Path, uid: int) -> None:
    os.chown(folder, uid, uid)
    for path in folder.rglob("*"):
        os.chown(path, uid, uid, follow_symlinks=False)


def _tail(path: Path, chars: int = 2000) -> str:
    with open(path, "rb") as handle:
        handle.seek(max(0, path.stat().st_size - chars))
        return handle.read().decode("utf-8", errors="replace")
