"""The promises the repository makes about itself: two commands, pins, CI, docs that exist."""

from __future__ import annotations

import re

import yaml

from autograder.course import REPO_ROOT


def _lock() -> dict[str, str]:
    pins = {}
    for line in (REPO_ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower()] = version
    return pins


def test_readme_shows_the_two_commands_and_ci_runs_make_test():
    readme = (REPO_ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme
    assert "make test" in (REPO_ROOT / ".ci" / "run").read_text()
    makefile = (REPO_ROOT / "Makefile").read_text()
    for target in ("lab:", "test:", "test-fast:", "release:", "grade-demo:", "bench:"):
        assert re.search(rf"^{target}", makefile, re.MULTILINE), target


def test_lock_pins_every_package_and_torch_to_the_cpu_build_version():
    pins = _lock()
    assert pins["torch"] == "2.13.0"
    assert pins["nbgrader"] == "0.9.6" and pins["jupyterlab"] == "4.6.6"
    assert pins["notebook"] == "7.6.5" and pins["ipywidgets"] == "8.1.9"


def test_lock_holds_no_build_specific_pin():
    """One lock for CPU and CUDA installs: no local label, none of the CUDA build's own wheels."""
    pins = _lock()
    assert not [v for v in pins.values() if "+" in v]
    assert not [n for n in pins if re.match(r"(nvidia|cuda)[-_]|triton$", n)]


def test_readme_names_the_tested_pythons_and_ci_runs_a_second_one():
    readme = (REPO_ROOT / "README.md").read_text()
    assert "Python 3.11, 3.12 or 3.13" in readme
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test-fast PYTHON=.*VENV=", ci, re.MULTILINE)
    assert "for version in 3.12 3.13" in ci


def test_environment_yml_uses_the_lock_pins():
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    pins = _lock()
    listed = [d for d in env["dependencies"] if isinstance(d, str) and "=" in d]
    listed += next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    for spec in listed:
        name, version = re.split(r"==?", spec)
        if name != "python":
            assert pins[name.lower()] == version, f"{name}: {version} vs lock {pins[name.lower()]}"


def test_docs_linked_from_the_readme_exist():
    readme = (REPO_ROOT / "README.md").read_text()
    for link in re.findall(r"\]\((docs/[^)]+)\)", readme):
        assert (REPO_ROOT / link).exists(), link
