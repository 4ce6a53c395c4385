"""A one-node Slurm cluster on this machine, for tests: munged, slurmctld and slurmd.

Everything lives in one temporary folder (key, slurm.conf, state, spool, logs); the daemons
run in the foreground as children of the test process, listen on 127.0.0.1 only (ports
picked free at start) and are stopped by ``stop``. Client commands find the cluster
through ``SLURM_CONF``, so the machine's own Slurm configuration, if any, is untouched.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import psutil

DAEMONS = (
    "munged",
    "mungekey",
    "slurmctld",
    "slurmd",
    "sbatch",
    "scontrol",
    "scancel",
    "squeue",
    "sinfo",
)
PR_SET_PDEATHSIG = 1  # linux/prctl.h
ENDED = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED"}

SLURM_CONF = """\
ClusterName=coursekit
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
CommunicationParameters=NoInAddrAny,NoCtldInAddrAny
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={root}/munge.socket
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/slurmctld.pid
SlurmdPidFile={root}/slurmd.pid
SlurmctldLogFile={root}/slurmctld.log
SlurmdLogFile={root}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
KillWait=5
MinJobAge=3600
NodeName=localhost NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={memory_mb} State=UNKNOWN
PartitionName=grading Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
"""


def missing_requirements() -> str | None:
    """Why a cluster cannot be started here, or None."""
    if os.geteuid() != 0:
        return "needs root (slurmd starts jobs as their user; munged's key is root's)"
    absent = [name for name in DAEMONS if shutil.which(name) is None]
    if absent:
        return f"Slurm/munge not installed ({', '.join(absent)}): `make system-deps` as root"
    return None


def _terminate_with_parent() -> None:
    """In the child: get SIGTERM when the test process dies, even if teardown never runs."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_ports(count: int) -> list[int]:
    """``count`` distinct TCP ports free on 127.0.0.1 right now."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def wait_until(condition, timeout: float, what: str, interval: float = 0.2):
    """Poll ``condition`` until it returns something true; raise TimeoutError naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"waited {timeout:.0f} s for {what}")


class SlurmCluster:
    """munged + slurmctld + slurmd on 127.0.0.1, one node called ``localhost``."""

    def __init__(self, root: Path, cpus: int = 2, memory_mb: int = 1024):
        self.root = root
        self.cpus = cpus
        self.memory_mb = memory_mb
        self.env = {**os.environ, "SLURM_CONF": str(root / "slurm.conf")}
        self.processes: list[subprocess.Popen] = []

    def start(self) -> None:
        """Write the key and slurm.conf, start the three daemons, wait for an idle node."""
        for folder in ("state", "spool"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        ctld_port, slurmd_port = free_ports(2)
        conf = SLURM_CONF.format(
            root=self.root,
            ctld_port=ctld_port,
            slurmd_port=slurmd_port,
            cpus=self.cpus,
            memory_mb=self.memory_mb,
        )
        (self.root / "slurm.conf").write_text(conf)
        self.root.chmod(0o755)  # munged's socket folder must be searchable by all
        key = self.root / "munge.key"
        subprocess.run(["mungekey", "--create", f"--keyfile={key}"], check=True)
        self._spawn(
            "munged",
            "--foreground",
            "--force",  # pytest's folders above ours are private to root: munged would refuse
            f"--socket={self.root}/munge.socket",
            f"--key-file={key}",
            f"--pid-file={self.root}/munged.pid",
            f"--log-file={self.root}/munged.log",
            f"--seed-file={self.root}/munged.seed",
        )
        wait_until(self._alive(lambda: (self.root / "munge.socket").exists()), 30, "munged")
        self._spawn("slurmctld", "-D")
        wait_until(self._alive(self._controller_answers), 60, "slurmctld")
        self._spawn("slurmd", "-D", "-N", "localhost")
        wait_until(self._alive(self._node_idle), 60, "the node to come up idle")

    def _alive(self, condition):
        """``condition``, but raising at once with the logs when a daemon has exited."""

        def check():
            for process in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(f"{process.args[0]} exited\n{self.logs()}")
            return condition()

        return check

    def _spawn(self, *command: str) -> None:
        with open(self.root / f"{command[0]}.out", "ab") as log:
            self.processes.append(
                subprocess.Popen(
                    command,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    preexec_fn=_terminate_with_parent,
                )
            )

    def _controller_answers(self) -> bool:
        return self.run("scontrol", "ping", check=False).returncode == 0

    def _node_idle(self) -> bool:
        return self.run("sinfo", "-h", "-o", "%T", check=False).stdout.strip() == "idle"

    def run(self, *command: str, check: bool = True, cwd: Path | None = None, timeout=60):
        """A client command against this cluster; its CompletedProcess (text)."""
        return subprocess.run(
            command,
            env=self.env,
            cwd=cwd or self.root,
            capture_output=True,
            text=True,
            check=check,
            timeout=timeout,
        )

    def sbatch(self, *args: str, cwd: Path) -> str:
        """Submit; the job id (an array's id for an array)."""
        return self.run("sbatch", "--parsable", *args, cwd=cwd).stdout.strip().split(";")[0]

    def jobs(self, job_id: str) -> list[dict[str, str]]:
        """``scontrol show job`` of a job (one dict per array task), fields as text."""
        out = self.run("scontrol", "-o", "show", "job", job_id, check=False).stdout
        jobs = []
        for line in out.splitlines():
            fields = dict(part.split("=", 1) for part in line.split() if "=" in part)
            jobs.append(fields)
        return jobs

    def states(self, job_id: str) -> dict[str, str]:
        """{array task id (or job id): state} of a job."""
        return {j.get("ArrayTaskId") or j["JobId"]: j["JobState"] for j in self.jobs(job_id)}

    def wait_ended(self, job_id: str, count: int = 1, timeout: float = 600) -> dict[str, str]:
        """Wait until ``count`` tasks of the job have ended; their states."""

        def ended():
            states = self.states(job_id)
            done = {k: v for k, v in states.items() if v in ENDED}
            return done if len(done) >= count and len(done) == len(states) else None

        return wait_until(ended, timeout, f"job {job_id} to end", interval=0.5)

    def task_job_id(self, array_id: str, task: int) -> str:
        """The job id that Slurm gave task ``task`` of array ``array_id`` (once it started)."""
        for job in self.jobs(f"{array_id}_{task}"):
            if job.get("ArrayTaskId") == str(task):
                return job["JobId"]
        raise LookupError(f"no task {task} in job {array_id}")

    def pids(self, job_id: str) -> list[int]:
        """The processes of a running job (what ``scontrol listpids`` reports)."""
        out = self.run("scontrol", "listpids", job_id, check=False).stdout
        return [int(line.split()[0]) for line in out.splitlines()[1:] if line.split()]

    def _steps(self) -> list[psutil.Process]:
        """This cluster's live slurmstepd processes: a file or socket in its folder.

        A finished step is a zombie until init reaps it: psutil raises for it, so it is left out.
        """
        root = str(self.root)
        steps = []
        for process in psutil.process_iter(["name"]):
            if process.info["name"] != "slurmstepd":
                continue
            with contextlib.suppress(psutil.Error):
                paths = [f.path for f in process.open_files()]
                paths += [str(c.laddr) for c in process.net_connections(kind="unix")]
                if any(path.startswith(root) for path in paths):
                    steps.append(process)
        return steps

    def logs(self) -> str:
        """The tails of the daemons' logs, for an assertion message."""
        parts = []
        for name in ("slurmctld.log", "slurmd.log", "munged.out", "slurmctld.out", "slurmd.out"):
            path = self.root / name
            if path.exists():
                parts.append(f"--- {name}\n" + "\n".join(path.read_text().splitlines()[-20:]))
        return "\n".join(parts)

    def stop(self) -> None:
        """Cancel every job of this cluster, wait for them and their steps, stop the daemons."""
        if self.processes and self._controller_answers():
            self.run("scancel", "--user=root", check=False)
            try:
                wait_until(lambda: not self.run("squeue", "-h").stdout.strip(), 60, "jobs")
            except (TimeoutError, subprocess.CalledProcessError):
                pass
        with contextlib.suppress(TimeoutError):  # a finished job's slurmstepd ends by itself
            wait_until(lambda: not self._steps(), 60, "slurmstepd to exit")
        for step in self._steps():
            with contextlib.suppress(psutil.Error):
                step.kill()
        for process in reversed(self.processes):  # slurmd, slurmctld, then munged
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
