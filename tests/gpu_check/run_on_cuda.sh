#!/usr/bin/env bash
# The PyTorch track's checks on a CUDA machine, in one go (docs/TORCH_TRACK.md, "On a GPU"):
# the track's tests (the gpu-marked ones included), the PyTorch notebooks of 09-12 run top
# to bottom (09_cnn_pytorch and 12_gans on CIFAR-10 too, from tests/synthetic_cifar.py),
# and the track's benchmark at full size. Run from the repository root with the
# machine's own python3 (it must hold a CUDA build of torch); wheels for what that Python
# lacks are installed from $WHEELS (default .whl/; tests/gpu_check/fetch_wheels.sh makes them).
# Everything lands in $OUT (default .gpu-check/): device.txt, pytest.log, pytest.xml,
# bench.log and benchmarks.json, which `python -m tests.bench.record_cuda` records.
# REHEARSE_ON_CPU=1 runs it all on a machine without CUDA, to try the script itself;
# with COLLECT_ONLY=1 too, it lists the tests it would run and runs nothing.
# Exit status: 0 when every test passed and the benchmark ran; 4 without CUDA; 3 when the
# wheels do not install; else pytest's status, or the benchmark's.
set -uo pipefail
OUT=${OUT:-$PWD/.gpu-check}
mkdir -p "$OUT"
PYTHON=${PYTHON:-python3}
export PYTHONUNBUFFERED=1 MPLBACKEND=Agg PYTHONPATH=$PWD
home=$(mktemp -d)  # Jupyter, IPython and matplotlib files stay out of the image's home
export JUPYTER_CONFIG_DIR=$home/config JUPYTER_DATA_DIR=$home/data \
  JUPYTER_RUNTIME_DIR=$home/runtime IPYTHONDIR=$home/ipython MPLCONFIGDIR=$home/mpl

{ nvidia-smi -L; "$PYTHON" - <<'PY'; } 2>&1 | tee "$OUT/device.txt"
import os
import sys

import torch

print("python", sys.version.split()[0], "| torch", torch.__version__, "| CUDA", torch.version.cuda)
if torch.cuda.is_available():
    print("device", torch.cuda.get_device_name(0))
elif os.environ.get("REHEARSE_ON_CPU") == "1":
    print("device: none; REHEARSE_ON_CPU=1, a rehearsal of this script, not a GPU check")
else:
    sys.exit("run_on_cuda: torch sees no CUDA device; nothing here would test the GPU path")
PY
[[ ${PIPESTATUS[0]} -eq 0 ]] || exit 4

WHEELS=${WHEELS:-.whl}
if compgen -G "$WHEELS/*.whl" >/dev/null; then
  site=${TMPDIR:-/tmp}/course-kit-site
  "$PYTHON" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target "$site" "$WHEELS"/*.whl || exit 3
  export PYTHONPATH=$site:$PWD
fi

# The selection: the PyTorch track, its widgets, the notebooks of 09-12, and the CIFAR-10
# branches (synthetic archive) of the two that train on the GPU: 09_cnn_pytorch and 12_gans.
export COURSE_TEST_CIFAR=all
on_digits="not notebooks_cifar10 and (09_cnn or 10_rnn or 11_autoencoders or 12_gans)"
on_cifar="notebooks_cifar10 and (09_cnn_pytorch or 12_gans)"
selection=(
  tests/test_torch_track_*.py tests/test_generative.py tests/test_widgets_latent.py
  tests/test_widgets_interpolation.py tests/test_notebooks.py::test_solution_runs_clean
  tests/test_notebooks.py::test_student_release_fails_only_in_stubs
  tests/test_notebooks_cifar10.py::test_solution_runs_on_cifar10
  -k "not notebooks or ($on_digits) or ($on_cifar)" -m "not browser"
)
if [[ ${COLLECT_ONLY:-0} == 1 ]]; then  # list what would run, run nothing (tests of this script)
  exec "$PYTHON" -m pytest -p no:cacheprovider -q --collect-only "${selection[@]}"
fi

workers=$(( $(nproc) > 8 ? 4 : 2 ))
"$PYTHON" -m pytest -p no:cacheprovider -q -n "$workers" --dist loadgroup \
  --junitxml="$OUT/pytest.xml" -o junit_family=xunit2 "${selection[@]}" 2>&1 | tee "$OUT/pytest.log"
status=${PIPESTATUS[0]}

"$PYTHON" -m tests.bench --only torch --out "$OUT" 2>&1 | tee "$OUT/bench.log"
bench=${PIPESTATUS[0]}
rm -f "$OUT/benchmarks.md"  # the record is the JSON; record_cuda renders it into docs/
exit $(( status != 0 ? status : bench ))
