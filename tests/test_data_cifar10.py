"""The download machinery of course_utils.data, against a local HTTP server (no network).

A tiny archive in the true CIFAR-10 format (tests/synthetic_cifar.py: cifar-10-batches-py/
with data_batch_1..5, test_batch and batches.meta, pickled dicts with bytes keys) is served
from 127.0.0.1; the server counts requests and can truncate or corrupt its answers.
"""

from __future__ import annotations

import http.server
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from course_utils.data import (
    ChecksumMismatch,
    DatasetUnavailable,
    DownloadError,
    data_dir,
    ensure_shakespeare,
    get_dataset,
    load_cifar10,
    load_text,
)
from course_utils.data.__main__ import main as data_cli
from tests.synthetic_cifar import BATCHES, cifar_archive

ROOT = Path(__file__).resolve().parents[1]
IMAGES_PER_BATCH = 4
ARCHIVE, CONTENTS, MD5 = cifar_archive(IMAGES_PER_BATCH, seed=10)


class _Server(http.server.HTTPServer):
    payload = ARCHIVE
    modes: list[str]  # what to do for the next requests ("ok", "truncate", "corrupt")
    default_mode = "ok"
    requests = 0

    def handle_error(self, request, client_address) -> None:  # no tracebacks on stderr
        pass


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        server = self.server
        server.requests += 1
        mode = server.modes.pop(0) if server.modes else server.default_mode
        body = server.payload
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "truncate":  # promise len(body) bytes, send half, close
            self.wfile.write(body[: len(body) // 2])
        elif mode == "corrupt":  # right length, wrong bytes
            self.wfile.write(bytes(b ^ 0xFF for b in body[:64]) + body[64:])
        else:
            self.wfile.write(body)

    def log_message(self, format, *args) -> None:  # quiet: tests must not write to stderr
        pass


@pytest.fixture
def server():
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.modes = []
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}/cifar-10-python.tar.gz"
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _no_proxy_no_env(monkeypatch):
    """Local requests go straight to the server; no cache folder leaks in from outside."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    for var in ("COURSE_DATA_DIR", "COURSE_CIFAR10_URL", "COURSE_CIFAR10_MD5"):
        monkeypatch.delenv(var, raising=False)


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/cifar-10-python.tar.gz"


def expected_split(names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Images (n, 32, 32, 3) uint8 decoded independently: row = 1024 R, 1024 G, 1024 B."""
    data = np.concatenate([CONTENTS[n][0] for n in names])
    labels = np.concatenate([CONTENTS[n][1] for n in names])
    images = np.empty((data.shape[0], 32, 32, 3), dtype=np.uint8)
    for channel in range(3):
        images[..., channel] = data[:, channel * 1024 : (channel + 1) * 1024].reshape(-1, 32, 32)
    return images, labels


def cache_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_download_verifies_extracts_and_loads(server, tmp_path, capsys):
    X_train, y_train, X_test, y_test = load_cifar10(tmp_path, url=server.url, md5=MD5)
    images, labels = expected_split(BATCHES[:5])
    assert X_train.shape == (5 * IMAGES_PER_BATCH, 32, 32, 3) and X_train.dtype == np.float64
    np.testing.assert_array_equal(X_train * 255, images)
    np.testing.assert_array_equal(y_train, labels)
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64
    test_images, test_labels = expected_split(["test_batch"])
    np.testing.assert_array_equal(X_test * 255, test_images)
    np.testing.assert_array_equal(y_test, test_labels)
    assert 0.0 <= X_train.min() and X_train.max() <= 1.0
    assert cache_files(tmp_path) == ["cifar-10-batches-py", "cifar-10-python.tar.gz"]
    out, err = capsys.readouterr()
    assert "CIFAR-10" in out and "100%" in out  # the tqdm bar went to stdout
    assert err == ""
    assert server.requests == 1


def test_second_call_reads_the_cache_without_any_request(server, tmp_path):
    first = load_cifar10(tmp_path, url=server.url, md5=MD5, progress=False)
    second = load_cifar10(tmp_path, url=server.url, md5=MD5, dtype=np.uint8)
    assert server.requests == 1
    assert second[0].dtype == np.uint8
    np.testing.assert_array_equal(second[0], first[0] * 255)
    np.testing.assert_array_equal(second[3], first[3])


def test_archive_copied_into_the_cache_is_used_offline(tmp_path):
    (tmp_path / "cifar-10-python.tar.gz").write_bytes(ARCHIVE)
    X_train, *_ = load_cifar10(tmp_path, url=closed_port_url(), md5=MD5)
    np.testing.assert_array_equal(X_train * 255, expected_split(BATCHES[:5])[0])


@pytest.mark.parametrize(
    "mode, md5", [("ok", "0" * 32), ("corrupt", MD5)], ids=["wrong-md5", "corrupt-body"]
)
def test_checksum_failure_is_retried_then_reported_and_nothing_cached(server, tmp_path, mode, md5):
    server.default_mode = mode
    with pytest.raises(ChecksumMismatch, match="md5") as info:
        load_cifar10(tmp_path, url=server.url, md5=md5, progress=False)
    assert isinstance(info.value, RuntimeError) and isinstance(info.value, DatasetUnavailable)
    assert server.requests == 2  # one retry by default
    assert cache_files(tmp_path) == []


def test_truncated_download_is_detected_and_retried(server, tmp_path):
    server.modes = ["truncate"]  # then "ok"
    X_train, *_ = load_cifar10(tmp_path, url=server.url, md5=MD5, progress=False)
    assert X_train.shape[0] == 5 * IMAGES_PER_BATCH
    assert server.requests == 2
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind


@pytest.mark.parametrize("retries", [0, 2])
def test_truncated_every_time_is_reported_after_the_retries(server, tmp_path, retries):
    server.default_mode = "truncate"
    with pytest.raises(DownloadError, match="closed after"):
        load_cifar10(tmp_path, url=server.url, md5=MD5, retries=retries, progress=False)
    assert server.requests == retries + 1
    assert cache_files(tmp_path) == []


def test_offline_error_says_where_it_looked_and_what_to_do(tmp_path):
    with pytest.raises(DatasetUnavailable) as info:
        load_cifar10(tmp_path, url=closed_port_url(), md5=MD5, timeout=2, retries=0)
    message = str(info.value)
    assert str(tmp_path) in message
    assert "python -m course_utils.data download cifar10" in message
    assert "digits" in message and "cifar-10-python.tar.gz" in message
    assert isinstance(info.value, RuntimeError)
    assert cache_files(tmp_path) == []


def test_download_false_never_touches_the_network(server, tmp_path):
    with pytest.raises(DatasetUnavailable, match="download cifar10"):
        load_cifar10(tmp_path, url=server.url, md5=MD5, download=False)
    assert server.requests == 0


def test_corrupt_archive_in_the_cache_is_reported_not_used(tmp_path):
    archive = tmp_path / "cifar-10-python.tar.gz"
    archive.write_bytes(ARCHIVE[:100])
    with pytest.raises(ChecksumMismatch, match="corrupt"):
        load_cifar10(tmp_path, url=closed_port_url(), md5=MD5)
    assert not (tmp_path / "cifar-10-batches-py").exists()


def test_cache_folder_from_root_env_and_xdg(server, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert data_dir() == tmp_path / "xdg" / "course_utils"
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "env"))
    assert data_dir() == tmp_path / "env"
    assert data_dir(tmp_path / "arg") == tmp_path / "arg"  # root beats the environment
    load_cifar10(url=server.url, md5=MD5, progress=False)
    assert (tmp_path / "env" / "cifar-10-batches-py" / "test_batch").is_file()
    monkeypatch.setenv("COURSE_CIFAR10_URL", server.url)
    monkeypatch.setenv("COURSE_CIFAR10_MD5", MD5)
    load_cifar10(tmp_path / "arg", progress=False)  # address and md5 from the environment
    assert (tmp_path / "arg" / "cifar-10-batches-py" / "test_batch").is_file()
    assert server.requests == 2


def test_get_dataset_cifar10_splits_and_layout(server, tmp_path):
    data = get_dataset(
        "cifar10",
        num_train=12,
        num_val=8,
        num_test=3,
        layout="nchw",
        root=tmp_path,
        url=server.url,
        md5=MD5,
        progress=False,
    )
    assert data["X_train"].shape == (12, 3, 32, 32) and data["X_test"].shape == (3, 3, 32, 32)
    assert data["image_shape"] == (3, 32, 32) and data["classes"][0] == "airplane"
    assert set(data["idx_train"]).isdisjoint(data["idx_val"])
    images, labels = expected_split(BATCHES[:5])
    raw = images[data["idx_val"]].transpose(0, 3, 1, 2) / 255
    np.testing.assert_allclose(data["X_val"] + data["mean_image"], raw, atol=1e-12)
    np.testing.assert_array_equal(data["y_val"], labels[data["idx_val"]])


def _cli_env(tmp_path: Path, server) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(
        COURSE_DATA_DIR=str(tmp_path),
        COURSE_CIFAR10_URL=server.url,
        COURSE_CIFAR10_MD5=MD5,
        PYTHONPATH=str(ROOT),
    )
    return env


def test_cli_download_and_info_in_a_subprocess(server, tmp_path):
    env = _cli_env(tmp_path, server)
    command = [sys.executable, "-m", "course_utils.data"]
    done = subprocess.run(
        [*command, "download", "cifar10"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "CIFAR-10" in done.stdout and "ready" in done.stdout and done.stderr == ""
    assert (tmp_path / "cifar-10-batches-py" / "data_batch_5").is_file()
    info = subprocess.run([*command, "info"], env=env, capture_output=True, text=True, timeout=60)
    assert str(tmp_path) in info.stdout and "cifar10:       cached" in info.stdout
    assert server.requests == 1


def test_cli_flags_and_failure_exit_code(server, tmp_path, capsys):
    args = ["download", "cifar10", "--root", str(tmp_path), "--no-progress"]
    assert data_cli([*args, "--url", server.url, "--md5", MD5]) == 0
    assert (tmp_path / "cifar-10-batches-py" / "test_batch").is_file()
    other = tmp_path / "other"
    failed = ["download", "cifar10", "--root", str(other), "--retries", "0"]
    assert data_cli([*failed, "--url", closed_port_url(), "--md5", MD5]) == 1
    out, err = capsys.readouterr()
    assert "ready" in out and "python -m course_utils.data download cifar10" in err


def test_shakespeare_download_checks_the_size(server, tmp_path):
    text = "First Citizen:\nBefore we proceed any further, hear me speak.\n"
    server.payload = text.encode("ascii")
    with pytest.raises(ChecksumMismatch, match="bytes"):
        ensure_shakespeare(tmp_path, url=server.url, progress=False)  # default size: 1115394
    assert cache_files(tmp_path) == []
    loaded = load_text("shakespeare", root=tmp_path, url=server.url, size=len(text), progress=False)
    assert loaded == text
    assert load_text("shakespeare", max_chars=5, root=tmp_path, download=False) == "First"
    with pytest.raises(DatasetUnavailable, match="download shakespeare"):
        load_text("shakespeare", root=tmp_path / "empty", download=False)
