"""The Makefile's set-up recipes, run for real against local stand-ins, never the network.

- `make torch TORCH=cpu` installs torch from TORCH_INDEX, here a PEP 503 index served on
  127.0.0.1 that offers a fake `torch` 2.13.0+cpu wheel and a fake CUDA-like 2.13.0 wheel that
  requires an nvidia-* package: the +cpu wheel must be the one installed, no nvidia-* package
  may be asked for, and the lock's `torch==2.13.0` must then be already satisfied.
- `TORCH=auto` takes a wheel that pip's own configuration has on disk (find-links).
- `make system-deps` passes apt's lock timeout, so a concurrent apt makes it wait, not fail.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest

from autograder.course import REPO_ROOT

TORCH_VERSION = next(
    line.split("==")[1]
    for line in (REPO_ROOT / "requirements.lock").read_text().splitlines()
    if line.startswith("torch==")
)


def fake_torch_wheel(folder: Path, version: str, requires: tuple[str, ...] = ()) -> Path:
    """Write a minimal but valid pure-Python `torch` wheel of `version` into `folder`."""
    dist_info = f"torch-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: torch\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {name}\n" for name in requires)
    files = {
        "torch/__init__.py": f'__version__ = "{version}"\n',
        f"{dist_info}/METADATA": metadata,
        f"{dist_info}/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = []
    for name, text in files.items():
        digest = hashlib.sha256(text.encode()).digest()
        b64 = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        record.append(f"{name},sha256={b64},{len(text.encode())}")
    files[f"{dist_info}/RECORD"] = "\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n"
    path = folder / f"torch-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


class _Index(http.server.SimpleHTTPRequestHandler):
    """Serves a folder and records each requested path."""

    def __init__(self, *args, requested: list[str], **kwargs):
        self.requested = requested
        super().__init__(*args, **kwargs)

    def log_message(self, format, *args):
        self.requested.append(self.path)


@pytest.fixture
def torch_index(tmp_path):
    """A simple index on 127.0.0.1 with a +cpu and a CUDA-like torch; yields (url, requests)."""
    project = tmp_path / "index" / "torch"
    project.mkdir(parents=True)
    wheels = [
        fake_torch_wheel(project, f"{TORCH_VERSION}+cpu"),
        fake_torch_wheel(project, TORCH_VERSION, requires=("nvidia-cublas==13.1.1.3",)),
    ]
    links = "".join(f'<a href="{quote(w.name)}">{w.name}</a>\n' for w in wheels)
    (project / "index.html").write_text(f"<!DOCTYPE html><html><body>\n{links}</body></html>\n")
    requested: list[str] = []
    handler = functools.partial(_Index, directory=str(tmp_path / "index"), requested=requested)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requested
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """A throwaway venv (with pip, offline from ensurepip) that the recipes install into."""
    folder = tmp_path_factory.mktemp("make-setup") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=300)
    return folder


@pytest.fixture
def clean_venv(venv):
    """The venv without torch, whatever an earlier test put there."""
    subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "uninstall", "-y", "-q", "torch"],
        env=pip_env(venv.parent),
        capture_output=True,
        check=True,
        timeout=300,
    )
    return venv


def pip_env(scratch: Path, find_links: Path | None = None) -> dict[str, str]:
    """The environment minus pip's machine configuration and any outer make's variables."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PIP_") and key not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    }
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_CACHE_DIR=str(scratch / "pip-cache"),
        PIP_RETRIES="0",
    )
    if find_links:
        env["PIP_FIND_LINKS"] = str(find_links)
    return env


def make(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO_ROOT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def installed_torch(venv: Path) -> str:
    code = "import importlib.metadata as m; print(m.version('torch'))"
    out = subprocess.run([venv / "bin" / "python", "-c", code], capture_output=True, text=True)
    return out.stdout.strip()


needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")


@needs_make
@pytest.mark.slow
def test_cpu_route_takes_the_cpu_wheel_from_torch_index(clean_venv, torch_index, tmp_path):
    url, requested = torch_index
    env = pip_env(tmp_path)
    done = make("torch", f"VENV={clean_venv}", "TORCH=cpu", f"TORCH_INDEX={url}", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"the CPU build from {url}" in done.stdout
    assert installed_torch(clean_venv) == f"{TORCH_VERSION}+cpu"
    assert any(path.startswith("/torch/") for path in requested), requested
    assert not [path for path in requested if "nvidia" in path], requested

    # The lock's pin is then satisfied as installed: the lock step fetches no other torch.
    report = tmp_path / "report.json"
    pip = [clean_venv / "bin" / "python", "-m", "pip", "install", "--dry-run", "--no-index"]
    subprocess.run(
        [*pip, "--report", report, f"torch=={TORCH_VERSION}"], env=env, check=True, timeout=300
    )
    assert json.loads(report.read_text())["install"] == []


@needs_make
@pytest.mark.slow
def test_cpu_route_names_the_index_when_it_has_no_cpu_wheel(clean_venv, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    env = pip_env(tmp_path)
    done = make("torch", f"VENV={clean_venv}", "TORCH=cpu", f"TORCH_INDEX=file://{empty}", env=env)
    assert done.returncode != 0
    assert f"no torch {TORCH_VERSION}+cpu from file://{empty}" in done.stderr
    assert "TORCH=pypi" in done.stderr


@needs_make
@pytest.mark.slow
def test_auto_route_takes_a_wheel_pip_has_on_disk(clean_venv, tmp_path):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    fake_torch_wheel(wheels, f"{TORCH_VERSION}+cpu")
    env = pip_env(tmp_path, find_links=wheels)
    # An index nobody serves: the local wheel must be enough.
    done = make(
        "torch", f"VENV={clean_venv}", "TORCH=auto", "TORCH_INDEX=http://127.0.0.1:9/", env=env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pip's configuration has on disk" in done.stdout
    assert installed_torch(clean_venv) == f"{TORCH_VERSION}+cpu"


@needs_make
def test_an_unknown_torch_route_is_refused_by_name(tmp_path):
    done = make("torch", f"VENV={tmp_path}", "TORCH=rocm", env=pip_env(tmp_path))
    assert done.returncode != 0 and "TORCH=rocm: use auto, cpu or pypi" in done.stderr


@needs_make
@pytest.mark.skipif(os.geteuid() != 0, reason="the recipe installs system packages only as root")
def test_system_deps_waits_for_apts_lock(tmp_path):
    log = tmp_path / "apt.log"
    apt = tmp_path / "apt-get"
    apt.write_text(f'#!/bin/sh\necho "$*" >> {log}\n')
    apt.chmod(0o755)
    done = make(
        "system-deps",
        f"APT_GET={apt}",
        "SYSTEM_PACKAGES=fake-package:no-such-command-here",
        env=pip_env(tmp_path),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    calls = log.read_text().splitlines()
    assert len(calls) == 2 and "update" in calls[0].split(), calls
    assert "install" in calls[1].split() and calls[1].endswith(" fake-package"), calls
    assert all("-o DPkg::Lock::Timeout=600" in call for call in calls), calls
