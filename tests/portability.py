"""Run the numerics tests under forced BLAS and SIMD kernels: what another CPU would compute.

A seeded training run is not the same number on two CPUs: numpy's OpenBLAS picks its matrix
kernels for the processor (SSE3 on old machines, AVX2, AVX-512), and so do torch's MKL and
ATen. A test that needs one CPU's digits passes here and fails for a student elsewhere. This
check runs every test marked ``numerics`` (training runs, accuracies, notebook claims, the
solution notebooks) once per kernel, with the kernel forced by environment variables, after
proving in a child process that the forcing took effect.

    python -m tests.portability                          # KERNELS_DEFAULT, where this CPU runs them
    python -m tests.portability Prescott Zen             # others (see KERNELS)
    python -m tests.portability Haswell -- -k models -x  # after --: pytest's arguments

`make test-portability` runs it; `.ci/run` runs that after `make test`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Kernel:
    """One forced set of kernels, for numpy (OpenBLAS core type and numpy's own SIMD loops) and
    torch (ATen's capability and MKL's code path).

    ``openblas_names`` are the names threadpoolctl may report for the forced core (OpenBLAS
    runs some cores on another's kernels); ``numpy_up_to`` is the last of numpy's dispatched
    SIMD targets left on (None: all); ``cpu_flags`` are the /proc/cpuinfo flags the kernel's
    instructions need; ``threads`` the BLAS thread count (splitting work changes sums too).
    """

    name: str
    openblas_names: tuple[str, ...]
    numpy_up_to: str | None
    aten: str
    mkl: str
    cpu_flags: tuple[str, ...]
    threads: int

    def env(self, numpy_dispatch: list[str]) -> dict[str, str]:
        """The environment variables that force this kernel, given numpy's dispatch targets."""
        threads = str(self.threads)
        keep = (
            numpy_dispatch.index(self.numpy_up_to) + 1 if self.numpy_up_to in numpy_dispatch else 0
        )
        if self.numpy_up_to is None:
            keep = len(numpy_dispatch)
        return {
            "OPENBLAS_CORETYPE": self.name,
            "NPY_DISABLE_CPU_FEATURES": " ".join(numpy_dispatch[keep:]),
            "ATEN_CPU_CAPABILITY": self.aten,
            "MKL_CBWR": self.mkl,
            "OPENBLAS_NUM_THREADS": threads,
            "OMP_NUM_THREADS": threads,
            "MKL_NUM_THREADS": threads,
        }


#: Prescott (SSE3) runs on every x86-64; Haswell (AVX2, FMA) on every x86-64 of the last decade.
KERNELS = {
    "Prescott": Kernel(
        "Prescott", ("prescott", "katmai"), "", "default", "COMPATIBLE", ("pni",), 1
    ),
    "Sandybridge": Kernel("Sandybridge", ("sandybridge",), "", "default", "AVX", ("avx",), 2),
    "Haswell": Kernel("Haswell", ("haswell",), "X86_V3", "avx2", "AVX2", ("avx2", "fma"), 2),
    "Zen": Kernel("Zen", ("zen", "haswell"), "X86_V3", "avx2", "AVX2", ("avx2", "fma"), 2),
    "SkylakeX": Kernel(
        "SkylakeX", ("skylakex",), None, "avx512", "AVX512", ("avx512f", "avx512bw"), 2
    ),
}
KERNELS_DEFAULT = ("Prescott", "Haswell")

#: printed by a child process under the forced environment: what numpy and torch really use
PROBE = """
import json, threadpoolctl, numpy
from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
info = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
out = {"openblas": info[0].get("architecture") if info else None,
       "numpy_dispatch": list(__cpu_dispatch__),
       "numpy_on": [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]}
try:
    import torch
    out["aten"] = torch.backends.cpu.get_cpu_capability().lower()
except ImportError:
    out["aten"] = None
print(json.dumps(out))
"""


def cpu_flags() -> set[str]:
    """The flags of the first processor in /proc/cpuinfo (empty where there is none)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def runnable(names: list[str], flags: set[str]) -> tuple[list[Kernel], list[str]]:
    """The kernels among ``names`` this CPU can run, and a reason for each one it cannot."""
    kernels, skipped = [], []
    for name in names:
        if name not in KERNELS:
            raise SystemExit(f"unknown kernel {name!r}; known: {', '.join(KERNELS)}")
        kernel = KERNELS[name]
        missing = [f for f in kernel.cpu_flags if f not in flags]
        if missing:
            skipped.append(f"{name}: this CPU lacks {', '.join(missing)}")
        else:
            kernels.append(kernel)
    return kernels, skipped


def _probe(env: dict[str, str]) -> dict:
    done = subprocess.run(
        [sys.executable, "-W", "error::ImportWarning", "-c", PROBE],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"the kernel probe failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def forced_environment(kernel: Kernel) -> dict[str, str]:
    """os.environ with the kernel forced; raise SystemExit when numpy or torch ignore it."""
    dispatch = _probe(dict(os.environ))["numpy_dispatch"]
    forced = kernel.env(dispatch)
    env = {**os.environ, **forced}
    seen = _probe(env)
    if (seen["openblas"] or "").lower() not in kernel.openblas_names:
        raise SystemExit(f"OPENBLAS_CORETYPE={kernel.name} not in effect: numpy runs {seen}")
    if seen["aten"] is not None and seen["aten"] != kernel.aten:
        raise SystemExit(f"ATEN_CPU_CAPABILITY={kernel.aten} not in effect: torch runs {seen}")
    off = set(forced["NPY_DISABLE_CPU_FEATURES"].split())
    if off & set(seen["numpy_on"]):
        raise SystemExit(f"NPY_DISABLE_CPU_FEATURES not in effect: numpy runs {seen}")
    print(f"== {kernel.name}: {' '.join(f'{k}={v}' for k, v in forced.items())}")
    print(f"   numpy's BLAS runs {seen['openblas']}, torch runs {seen['aten']}")
    return env


def run_under(kernel: Kernel, pytest_args: list[str]) -> int:
    """Run the numerics tests with this kernel; pytest's exit status."""
    env = forced_environment(kernel)
    args, marks = list(pytest_args), "numerics"
    if "-m" in args:  # narrow the selection, never widen it
        at = args.index("-m")
        marks = f"numerics and ({args[at + 1]})"
        del args[at : at + 2]
    command = [sys.executable, "-m", "pytest", "-m", marks, "-p", "no:cacheprovider"]
    return subprocess.run(command + args, env=env, cwd=ROOT).returncode


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    split = argv.index("--") if "--" in argv else len(argv)
    names = argv[:split] or list(KERNELS_DEFAULT)
    pytest_args = argv[split + 1 :] or ["-n", "2", "--dist", "loadgroup", "-q"]
    kernels, skipped = runnable(names, cpu_flags())
    for line in skipped:
        print(f"skipped {line}")
    if not kernels:
        print("no kernel of the list runs on this CPU")
        return 1
    failed = [k.name for k in kernels if run_under(k, pytest_args) != 0]
    print(f"portability: {len(kernels) - len(failed)} of {len(kernels)} kernels passed", end="")
    print(f"; failed under {', '.join(failed)}" if failed else "")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
