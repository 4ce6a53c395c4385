"""The GPU check: its script (tests/gpu_check/) and recording its figures in docs/ (record_cuda).

The reports here are real ones: one quick run of the torch group on this machine's CPU.
A CUDA machine's report differs only in what it measured, so "measured on CUDA" is played
by setting the two fields that say so; what record_cuda keeps and renders is the rest.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bench.__main__ import main as bench_main
from tests.bench.record_cuda import NotACudaReport, cuda_record, main, record
from tests.bench.report import CUDA_RECORD, markdown, write

ROOT = Path(__file__).resolve().parents[1]
GPU_NAME = "NVIDIA Test Device 80GB"


@pytest.fixture(scope="module")
def cpu_torch_report(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("bench-torch")
    assert bench_main(["--quick", "--only", "torch", "--out", str(out)]) == 0
    return json.loads((out / "benchmarks.json").read_text())


def as_if_on_cuda(report: dict) -> dict:
    played = copy.deepcopy(report)
    played["machine"]["cuda"] = GPU_NAME
    for section in played["sections"]:
        section["data"]["cuda"] = True
    return played


@pytest.fixture
def docs(tmp_path) -> Path:
    """A docs/ folder holding the committed CPU report."""
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(ROOT / "docs" / "benchmarks.json", folder / "benchmarks.json")
    return folder


def test_a_report_measured_without_cuda_is_refused_and_nothing_written(cpu_torch_report, docs,
                                                                         tmp_path):  # fmt: skip
    path = tmp_path / "device.json"
    path.write_text(json.dumps(cpu_torch_report))
    with pytest.raises(NotACudaReport, match="without CUDA"):
        record(path, docs)
    assert sorted(p.name for p in docs.iterdir()) == ["benchmarks.json"]


def test_a_missing_or_failed_torch_group_is_refused(cpu_torch_report):
    played = as_if_on_cuda(cpu_torch_report)
    without = {**played, "sections": []}
    with pytest.raises(NotACudaReport, match="no torch section"):
        cuda_record(without)
    failed = copy.deepcopy(played)
    failed["sections"][0]["error"] = "Traceback ...\nRuntimeError: CUDA out of memory"
    with pytest.raises(NotACudaReport, match="CUDA out of memory"):
        cuda_record(failed)


def test_record_renders_the_cuda_figures_beside_the_cpu_report(cpu_torch_report, docs,
                                                                tmp_path):  # fmt: skip
    path = tmp_path / "device.json"
    path.write_text(json.dumps(as_if_on_cuda(cpu_torch_report)))
    record_path, md_path = record(path, docs)
    kept = json.loads(record_path.read_text())
    assert record_path.name == CUDA_RECORD and kept["machine"]["cuda"] == GPU_NAME
    md = md_path.read_text()
    cpu_report = json.loads((docs / "benchmarks.json").read_text())
    assert md.startswith(markdown(cpu_report).split("## PyTorch track on CUDA")[0])
    cuda_part = md.split("## PyTorch track on CUDA", 1)[1]
    assert GPU_NAME in cuda_part and "No CUDA measurement" not in cuda_part
    tables = kept["section"]["tables"]
    assert tables and all(" | ".join(row) in cuda_part for t in tables for row in t["rows"])
    # A later `make bench` on a machine without CUDA rewrites the report and keeps the record.
    write(cpu_report, docs)
    assert GPU_NAME in (docs / "benchmarks.md").read_text()


def test_without_a_record_the_report_says_how_to_measure(cpu_torch_report):
    md = markdown(cpu_torch_report)
    assert "No CUDA measurement is recorded yet" in md and "run_on_cuda.sh" in md


def test_command_line_reports_a_bad_file_clearly(tmp_path, docs, capsys):
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    assert main([str(broken), "--docs", str(docs)]) == 2
    assert "broken.json" in capsys.readouterr().err
    assert main([str(tmp_path / "missing.json"), "--docs", str(docs)]) == 2


def test_carried_packages_are_pinned_by_the_lock():
    lock = (ROOT / "requirements.lock").read_text().lower().replace("_", "-")
    names = [
        line.strip()
        for line in (ROOT / "tests/gpu_check/carried_packages.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert {"nbclient", "ipykernel", "ipywidgets"} <= set(names)
    unpinned = [n for n in names if f"\n{n.lower().replace('_', '-')}==" not in lock]
    assert not unpinned, f"not in requirements.lock: {unpinned}"


def run_device_script(tmp_path, **env) -> subprocess.CompletedProcess:
    """Run the script to its end; the timeout only guards against a hang (a collect-only run
    took 73 s with CUDA torch at load 15 on 2 cores, so 120 s was too tight)."""
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "OUT": str(tmp_path / "out"),
        "WHEELS": str(tmp_path / "no-wheels"),
        **env,
    }
    return subprocess.run(
        ["bash", "tests/gpu_check/run_on_cuda.sh"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip


def test_the_device_script_selects_the_gpu_tests_and_the_notebooks_of_09_to_12(tmp_path):
    done = run_device_script(tmp_path, REHEARSE_ON_CPU="1", COLLECT_ONLY="1")
    assert done.returncode == 0, done.stdout + done.stderr
    ids = [line for line in done.stdout.splitlines() if "::" in line]
    gpu_files = {"bench", "char_rnn", "generative_models", "loops", "train"}
    assert {f"tests/test_torch_track_{name}.py" for name in gpu_files} <= {
        i.split("::")[0] for i in ids
    }
    notebooks = sorted(i.split("[")[1].rstrip("]") for i in ids if "test_notebooks.py" in i)
    expected = ["09_cnn", "10_rnn", "11_autoencoders", "12_gans"]
    assert notebooks == sorted(expected * 2)
    on_cifar = sorted(i.split("[")[1].rstrip("]") for i in ids if "notebooks_cifar10" in i)
    assert on_cifar == ["09_cnn_pytorch", "12_gans"]


def test_the_device_script_stops_clearly_without_cuda(tmp_path):
    """On this CPU machine the script must refuse, not report CPU figures as GPU ones."""
    done = run_device_script(tmp_path)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "torch sees no CUDA device" in done.stdout + done.stderr
    assert "torch" in (tmp_path / "out" / "device.txt").read_text()
    assert not (tmp_path / "out" / "pytest.log").exists()
