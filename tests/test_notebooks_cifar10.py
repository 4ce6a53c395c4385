"""The DATASET switch of every notebook: the solution runs top to bottom on CIFAR-10.

The archive is tests/synthetic_cifar.py's (the real format, synthetic images), placed in a
cache folder (COURSE_DATA_DIR) with its md5 in COURSE_CIFAR10_MD5, so a notebook loads it
exactly as it would load the real download. Only the setup line `DATASET = "digits"`
changes; a last cell checks that the notebook really worked on 32 x 32 colour images.

`make test` runs the notebooks whose CIFAR-10 branch takes a few seconds on a 2-core CPU
(CHEAP); the others take minutes there (they are written for a GPU, or for patience) and
run with COURSE_TEST_CIFAR=all, which is `make test-cifar`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest

from tests.notebook_runner import errors, execute
from tests.synthetic_cifar import cifar_archive

ROOT = Path(__file__).resolve().parents[1]
SWITCH = re.compile(r'^DATASET = "digits"', re.MULTILINE)


def _has_switch(path: Path) -> bool:
    cells = nbformat.read(path, as_version=4).cells
    return any(c.cell_type == "code" and SWITCH.search(c.source) for c in cells)


NOTEBOOKS = sorted(p for p in (ROOT / "solutions").glob("*/*.ipynb") if _has_switch(p))
#: CIFAR-10 branches measured at 8-15 s each on the 2-core CI machine. The second editions of
#: 07 (61 s in make test, its batch-size and weight-scale sweeps) and 08 (about 34 small
#: networks, ~55 s of CPU) left this list: they run in `make test-cifar`
CHEAP = {"03_softmax", "04_svm"}
#: images per batch file: 12,600 images, enough for the largest split a notebook asks for
IMAGES_PER_BATCH = 2100
LAST_CELL = """\
assert DATASET == "cifar10", DATASET
assert tuple(data["image_shape"]) in {(32, 32, 3), (3, 32, 32)}, data["image_shape"]
print("ran on", DATASET, tuple(data["image_shape"]))
"""


@pytest.fixture(scope="module")
def cifar_env(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("cifar-cache")
    archive, _, md5 = cifar_archive(IMAGES_PER_BATCH)
    (folder / "cifar-10-python.tar.gz").write_bytes(archive)
    return {"COURSE_DATA_DIR": str(folder), "COURSE_CIFAR10_MD5": md5}


def test_every_notebook_with_a_dataset_switch_is_found():
    names = {p.stem for p in NOTEBOOKS}
    assert {"02_knn", "03_softmax", "09_cnn_pytorch", "12_gans"} <= names
    assert CHEAP <= names


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_solution_runs_on_cifar10(path, cifar_env, tmp_path):
    if path.stem not in CHEAP and os.environ.get("COURSE_TEST_CIFAR") != "all":
        pytest.skip("minutes on a CPU: run with `make test-cifar`")
    nb = nbformat.read(path, as_version=4)
    setups = [c for c in nb.cells if c.cell_type == "code" and SWITCH.search(c.source)]
    assert len(setups) == 1, "one setup cell sets DATASET"
    setups[0].source = SWITCH.sub('DATASET = "cifar10"', setups[0].source)
    nb.cells.append(nbformat.v4.new_code_cell(LAST_CELL))
    switched = tmp_path / path.name
    nbformat.write(nb, switched)
    done, seconds = execute(switched, timeout=900, env=cifar_env)
    assert not errors(done), f"{path.name} on CIFAR-10, after {seconds:.0f} s: {errors(done)[:3]}"
    assert "ran on cifar10" in "".join(o.get("text", "") for o in done.cells[-1].outputs)
