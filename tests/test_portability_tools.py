"""The tools that test the suite itself: forced BLAS kernels and a loaded CPU."""

from __future__ import annotations

import multiprocessing
import sys

import pytest

from tests import busy, portability

DISPATCH = ["X86_V3", "X86_V4", "AVX512_ICL", "AVX512_SPR"]


def test_kernels_switch_numpy_simd_off_above_their_level():
    prescott = portability.KERNELS["Prescott"].env(DISPATCH)
    haswell = portability.KERNELS["Haswell"].env(DISPATCH)
    skylake = portability.KERNELS["SkylakeX"].env(DISPATCH)
    assert prescott["NPY_DISABLE_CPU_FEATURES"].split() == DISPATCH
    assert haswell["NPY_DISABLE_CPU_FEATURES"].split() == DISPATCH[1:]
    assert skylake["NPY_DISABLE_CPU_FEATURES"] == ""
    assert prescott["OPENBLAS_CORETYPE"] == "Prescott" and prescott["MKL_CBWR"] == "COMPATIBLE"
    assert haswell["ATEN_CPU_CAPABILITY"] == "avx2"


def test_only_kernels_the_cpu_runs_are_chosen():
    kernels, skipped = portability.runnable(["Prescott", "Haswell", "SkylakeX"], {"pni", "avx2"})
    assert [k.name for k in kernels] == ["Prescott"]
    assert skipped == [
        "Haswell: this CPU lacks fma",
        "SkylakeX: this CPU lacks avx512f, avx512bw",
    ]
    with pytest.raises(SystemExit, match="unknown kernel"):
        portability.runnable(["Pentium"], {"pni"})


def test_the_default_kernels_run_on_this_cpu_and_take_effect():
    """Prescott runs on every x86-64: the forcing is proven in a child process."""
    flags = portability.cpu_flags()
    if not flags:
        pytest.skip("no /proc/cpuinfo flags here")
    kernels, _ = portability.runnable(["Prescott"], flags)
    env = portability.forced_environment(kernels[0])
    assert env["OPENBLAS_CORETYPE"] == "Prescott"


def test_a_kernel_that_does_not_take_effect_is_refused():
    bogus = portability.Kernel("NoSuchCore", ("nosuchcore",), None, "default", "AUTO", (), 1)
    with pytest.raises(SystemExit, match="not in effect"):
        portability.forced_environment(bogus)


def test_busy_runs_the_command_beside_spinners_and_stops_them():
    before = len(multiprocessing.active_children())
    code = "import os; raise SystemExit(3 if os.cpu_count() else 4)"
    assert busy.run_loaded([sys.executable, "-c", code], spinners=2, max_seconds=60) == 3
    assert len(multiprocessing.active_children()) == before


def test_busy_needs_a_command():
    with pytest.raises(SystemExit, match="usage"):
        busy.main(["2"])
    with pytest.raises(SystemExit, match="no command"):
        busy.main(["2", "--"])
