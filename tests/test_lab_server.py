"""`make lab`'s server for real: JupyterLab with nbgrader's and the widgets' extensions.

The test starts JupyterLab the way the Makefile does, on a free port with a token, in
temporary Jupyter folders and course directory, and stops it by its own process id.
"""

from __future__ import annotations

import json
import secrets
import shutil
from pathlib import Path

import pytest

from autograder.course import REPO_ROOT
from tests.lab_server import get, running_lab

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    home = tmp_path_factory.mktemp("jupyter-home")
    # formgrader needs the course directory inside the server's root: use the git-ignored .course/
    course = REPO_ROOT / ".course" / f"lab-test-{secrets.token_hex(4)}"
    try:
        with running_lab(REPO_ROOT, course, home) as server:
            yield server
    finally:
        shutil.rmtree(course, ignore_errors=True)


def test_lab_page_serves(lab):
    base, token = lab
    status, body = get(f"{base}/lab?token={token}")
    assert status == 200 and b"JupyterLab" in body


def test_widget_and_nbgrader_lab_extensions_are_enabled(lab):
    base, token = lab
    status, body = get(f"{base}/lab/api/extensions?token={token}")
    assert status == 200
    extensions = {e["name"]: e for e in json.loads(body)}
    # the extension manager lists them under their Python package names
    for name in ("jupyter-widgets-jupyterlab-manager", "jupyter-nbgrader"):
        assert name in extensions and extensions[name]["enabled"], sorted(extensions)


def test_nbgrader_server_extensions_answer(lab):
    base, token = lab
    assert get(f"{base}/formgrader?token={token}")[0] == 200
    # the first call creates the gradebook (nbgrader runs its migrations): allow time
    status, body = get(f"{base}/formgrader/api/assignments?token={token}", timeout=120)
    assert status == 200
    names = {a["name"] for a in json.loads(body)}
    assert "00_getting_started" in names
    assert get(f"{base}/nbgrader_version?version=0.9.6&token={token}")[0] == 200


def test_student_notebook_is_served(lab):
    base, token = lab
    path = "notebooks/00_getting_started/00_getting_started.ipynb"
    status, body = get(f"{base}/api/contents/{path}?token={token}")
    assert status == 200 and json.loads(body)["type"] == "notebook"
    assert Path(REPO_ROOT / path).exists()


def test_news_and_update_check_are_off(lab):
    # deploy/jupyterlab/overrides.json, installed by `make setup` into the environment
    base, token = lab
    plugin = "@jupyterlab/apputils-extension:notification"
    status, body = get(f"{base}/lab/api/settings/{plugin}?token={token}")
    assert status == 200
    # the server folds overrides into the schema's defaults, which the page then uses
    defaults = {k: v.get("default") for k, v in json.loads(body)["schema"]["properties"].items()}
    assert defaults["fetchNews"] == "false", "run `make setup`: it installs the overrides"
    assert defaults["checkForUpdates"] is False
