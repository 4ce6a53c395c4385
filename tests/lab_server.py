"""Start JupyterLab for a test the way `make lab` does, and stop it by its own process id."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, timeout: float = 10) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@contextlib.contextmanager
def running_lab(root: Path, course_dir: Path, home: Path, startup_seconds: float = 90):
    """Yield (base URL, token) of a JupyterLab serving ``root``, with its own Jupyter folders.

    ``course_dir`` must be inside ``root`` (formgrader refuses one outside); the server's
    log is ``home/server.log``.
    """
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "IPYTHONDIR": str(home / "ipython"),
        "MPLCONFIGDIR": str(home / "matplotlib"),
        "COURSE_DIR": str(course_dir),
    }
    env.pop("NBGRADER_EXECUTION", None)
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
        f"--port={port}", f"--IdentityProvider.token={token}", "--allow-root",
        f"--ServerApp.root_dir={root}", "--LabApp.default_url=/lab/tree/notebooks",
        # window.jupyterapp: a browser test asks the page itself whether its kernel is connected
        "--LabApp.expose_app_in_browser=True",
    ]  # fmt: skip
    home.mkdir(parents=True, exist_ok=True)
    log = open(home / "server.log", "wb")
    server = subprocess.Popen(
        command, cwd=root, env=env, stdout=log, stderr=log, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(server, f"{base}/api/status?token={token}", startup_seconds, home)
        yield base, token
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def _wait_until_up(server, url: str, seconds: float, home: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            if get(url)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    log = (home / "server.log").read_text(errors="replace")[-3000:]
    raise RuntimeError(f"JupyterLab did not start (exit {server.poll()}):\n{log}")
