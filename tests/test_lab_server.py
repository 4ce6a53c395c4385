"""`make lab`'s server for real: JupyterLab with nbgrader's and the widgets' extensions.

The test starts JupyterLab the way the Makefile does, on a free port with a token, in
temporary Jupyter folders and course directory, and stops it by its own process id.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from autograder.course import REPO_ROOT

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, timeout: float = 10) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    home = tmp_path_factory.mktemp("jupyter-home")
    # formgrader needs the course directory inside the server's root: use the git-ignored .course/
    course = REPO_ROOT / ".course" / f"lab-test-{secrets.token_hex(4)}"
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "IPYTHONDIR": str(home / "ipython"),
        "COURSE_DIR": str(course),
    }
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        "--allow-root",
        f"--ServerApp.root_dir={REPO_ROOT}",
        "--LabApp.default_url=/lab/tree/notebooks",
    ]
    log = open(home / "server.log", "wb")
    server = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=log, stderr=log, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            if server.poll() is not None:
                break
            try:
                if _get(f"{base}/api/status?token={token}")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start in 60 s")
        assert server.poll() is None, (home / "server.log").read_text()[-3000:]
        yield base, token
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
        shutil.rmtree(course, ignore_errors=True)


def test_lab_page_serves(lab):
    base, token = lab
    status, body = _get(f"{base}/lab?token={token}")
    assert status == 200 and b"JupyterLab" in body


def test_widget_and_nbgrader_lab_extensions_are_enabled(lab):
    base, token = lab
    status, body = _get(f"{base}/lab/api/extensions?token={token}")
    assert status == 200
    extensions = {e["name"]: e for e in json.loads(body)}
    # the extension manager lists them under their Python package names
    for name in ("jupyter-widgets-jupyterlab-manager", "jupyter-nbgrader"):
        assert name in extensions and extensions[name]["enabled"], sorted(extensions)


def test_nbgrader_server_extensions_answer(lab):
    base, token = lab
    assert _get(f"{base}/formgrader?token={token}")[0] == 200
    # the first call creates the gradebook (nbgrader runs its migrations): allow time
    status, body = _get(f"{base}/formgrader/api/assignments?token={token}", timeout=120)
    assert status == 200
    names = {a["name"] for a in json.loads(body)}
    assert "00_getting_started" in names
    assert _get(f"{base}/nbgrader_version?version=0.9.6&token={token}")[0] == 200


def test_student_notebook_is_served(lab):
    base, token = lab
    path = "notebooks/00_getting_started/00_getting_started.ipynb"
    status, body = _get(f"{base}/api/contents/{path}?token={token}")
    assert status == 200 and json.loads(body)["type"] == "notebook"
    assert Path(REPO_ROOT / path).exists()
