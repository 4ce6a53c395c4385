"""kNN distances: the kit's no-loop version against scipy's cdist and scikit-learn.

The no-loop version, ``scipy.spatial.distance.cdist`` and
``sklearn.metrics.pairwise.euclidean_distances`` compute the same (num_test, num_train)
matrix of Euclidean distances, timed round-robin. The one- and two-loop versions are far
slower; they are timed on the first few test rows against the whole training set and
scaled to all test rows (their cost is linear in the number of test rows).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy.spatial.distance import cdist
from sklearn.metrics.pairwise import euclidean_distances

from course_utils.classifiers.knn import KNearestNeighbor
from tests.bench.common import (
    Budget,
    Section,
    Table,
    fmt_ratio,
    fmt_time,
    median,
    numpy_blas,
    summary,
    time_side_by_side,
)

TARGET_VS_SKLEARN = 1.2


@dataclass(frozen=True)
class Sizes:
    num_test: int
    num_train: int
    dim: int
    one_loop_rows: int  # test rows the one-loop version is timed on
    two_loop_rows: int  # test rows the two-loop version is timed on
    reps: int  # ours against scikit-learn
    slow_reps: int  # ours against cdist, and the loop versions


FULL = Sizes(500, 5000, 3072, one_loop_rows=10, two_loop_rows=10, reps=7, slow_reps=3)
QUICK = Sizes(50, 500, 512, one_loop_rows=10, two_loop_rows=5, reps=3, slow_reps=1)
OURS, SKLEARN, CDIST = "ours (no loops)", "sklearn euclidean_distances", "scipy cdist"


def run(quick: bool = False) -> Section:
    sizes = QUICK if quick else FULL
    rng = np.random.default_rng(0)
    X_train = rng.standard_normal((sizes.num_train, sizes.dim))  # (num_train, D)
    X_test = rng.standard_normal((sizes.num_test, sizes.dim))  # (num_test, D)
    knn = KNearestNeighbor()
    knn.train(X_train, np.zeros(sizes.num_train, dtype=np.int64))

    def ours_fn():
        return knn.compute_distances_no_loops(X_test)

    fast = time_side_by_side(
        {OURS: ours_fn, SKLEARN: lambda: euclidean_distances(X_test, X_train)}, sizes.reps
    )
    slow = time_side_by_side(
        {OURS: ours_fn, CDIST: lambda: cdist(X_test, X_train)}, sizes.slow_reps, warmup=0
    )
    ours = median(fast[OURS])
    vs_sklearn = ours / median(fast[SKLEARN])
    vs_cdist = median(slow[OURS]) / median(slow[CDIST])
    loops = _loop_versions(knn, X_test, sizes)
    error = _max_difference(knn, X_test, X_train)

    section = Section("knn", "kNN distances")
    shape = f"{sizes.num_test} x {sizes.dim} test against {sizes.num_train} x {sizes.dim} train"
    section.notes += [
        f"Distance matrix of {shape} samples, float64, random data (seeded). Ours against "
        f"scikit-learn: median of {sizes.reps} interleaved repetitions after a warm-up run; "
        f"ours against cdist (slower): {sizes.slow_reps}, interleaved, no warm-up.",
        f"numpy's BLAS runs on {numpy_blas().get('num_threads')} threads; the no-loop "
        "version and scikit-learn are one matrix product each, scipy's cdist is a "
        "single-threaded loop in C (exact differences, no cancellation).",
        f"Largest difference between ours and cdist: {error:.1e}.",
    ]
    rows = [
        [OURS, fmt_time(ours), "1x", "measured"],
        [SKLEARN, fmt_time(median(fast[SKLEARN])), fmt_ratio(1 / vs_sklearn), "measured"],
        [CDIST, fmt_time(median(slow[CDIST])), fmt_ratio(1 / vs_cdist), "measured"],
    ]
    for name, info in loops.items():
        how = (
            f"measured on {info['rows']} test rows ({fmt_time(info['measured_s'])}), "
            f"scaled by {sizes.num_test}/{info['rows']}"
        )
        rows.append([name, fmt_time(info["full_s"]), fmt_ratio(info["full_s"] / ours), how])
    section.tables.append(
        Table(f"Distances, {shape}", ["version", "median time", "time / ours", "how"], rows)
    )
    section.budgets.append(
        Budget("kNN no-loop distances, ours / sklearn", vs_sklearn, TARGET_VS_SKLEARN)
    )
    section.data = {
        "sizes": asdict(sizes),
        "times": {name: summary(runs) for name, runs in fast.items()},
        "times_vs_cdist": {name: summary(runs) for name, runs in slow.items()},
        "ratios": {
            "ours_over_sklearn": vs_sklearn,
            "ours_over_cdist": vs_cdist,
            "one_loop_slowdown": loops["ours (one loop)"]["full_s"] / ours,
            "two_loop_slowdown": loops["ours (two loops)"]["full_s"] / ours,
        },
        "loops": loops,
        "max_difference_vs_cdist": error,
    }
    return section


def _loop_versions(knn: KNearestNeighbor, X_test: np.ndarray, sizes: Sizes) -> dict:
    """Median time of each loop version on a few test rows, and scaled to all rows."""
    one = X_test[: sizes.one_loop_rows]
    two = X_test[: sizes.two_loop_rows]
    times = time_side_by_side(
        {
            "ours (one loop)": lambda: knn.compute_distances_one_loop(one),
            "ours (two loops)": lambda: knn.compute_distances_two_loops(two),
        },
        reps=sizes.slow_reps,
        warmup=0,
    )
    rows = {"ours (one loop)": one.shape[0], "ours (two loops)": two.shape[0]}
    found = {}
    for name, runs in times.items():
        scale = sizes.num_test / rows[name]
        found[name] = {
            "rows": rows[name],
            "measured_s": median(runs),
            "full_s": median(runs) * scale,
            "scale": scale,
            **summary(runs),
        }
    return found


def _max_difference(knn: KNearestNeighbor, X_test: np.ndarray, X_train: np.ndarray) -> float:
    rows = X_test[:50]
    return float(np.max(np.abs(knn.compute_distances_no_loops(rows) - cdist(rows, X_train))))
