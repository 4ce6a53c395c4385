"""The benchmark command of the PyTorch track (course_utils.torch_track.bench), on tiny sizes."""

from __future__ import annotations

import json
import math

import pytest
import torch

from course_utils.torch_track import bench

TINY = bench.Config(
    batch_size=2, image_size=8, widths=(4, 8), char_batch=2, seq_len=5, hidden_size=8,
    vocab_size=11, iters=1, warmup=1,
)  # fmt: skip
CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


@pytest.fixture(autouse=True)
def torch_threads():
    """One thread for tiny models (bench --quick sets it too); the count restored after."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def check_rows(result, precisions):
    rows = result["rows"]
    expected = {
        (model, mode, precision)
        for model in ("vgg_small", "tiny_resnet", "char_rnn")
        for mode in ("train", "inference")
        for precision in precisions
    }
    assert {(r["model"], r["mode"], r["precision"]) for r in rows} == expected
    for row in rows:
        assert math.isfinite(row["throughput"]) and row["throughput"] > 0
        assert row["unit"] == ("tokens/s" if row["model"] == "char_rnn" else "images/s")
        per_step = row["batch_size"] * (TINY.seq_len if row["model"] == "char_rnn" else 1)
        assert row["throughput"] == pytest.approx(per_step / row["seconds_per_iter"])


def test_run_benchmarks_on_the_cpu_measures_every_model_in_float32():
    result = bench.run_benchmarks(device="cpu", config=TINY, data="synthetic")
    check_rows(result, ["fp32"])
    assert result["device"].startswith("CPU")
    assert result["data"] == "synthetic images 3x8x8"
    assert any("AMP: CUDA only" in note for note in result["notes"])
    table = bench.format_table(result)
    assert result["device"] in table and "images/s" in table and "tokens/s" in table
    assert len(table.splitlines()) == 2 + len(result["rows"]) + len(result["notes"])


def test_run_benchmarks_can_skip_models():
    result = bench.run_benchmarks(device="cpu", config=TINY, data="synthetic", models=("char_rnn",))
    assert {r["model"] for r in result["rows"]} == {"char_rnn"}


def test_quick_command_prints_a_table_and_writes_json(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bench, "QUICK", TINY)
    path = tmp_path / "bench.json"
    assert bench.main(["--quick", "--device", "cpu", "--synthetic", "--json", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "vgg_small" in captured.out and "CPU (1 threads)" in captured.out
    saved = json.loads(path.read_text())
    assert saved["quick"] is True and saved["config"]["batch_size"] == TINY.batch_size
    check_rows(saved, ["fp32"])


@pytest.mark.gpu
@CUDA
def test_run_benchmarks_on_cuda_adds_mixed_precision_rows():
    result = bench.run_benchmarks(device="cuda", config=TINY, data="synthetic")
    check_rows(result, ["fp32", "amp-fp16"])
    assert "cuda" in result["device"]
