"""The kit's classifiers against scikit-learn on digits: test accuracy and training time.

Pairs: our kNN and KNeighborsClassifier (same k), our Softmax and LogisticRegression
(the same objective: ``C = 1 / (2 * reg * N)``, no intercept), our LinearSVM and
LinearSVC (Crammer-Singer, the joint multiclass hinge closest to ours, same C mapping).
Ours train by minibatch SGD for a fixed number of steps; scikit-learn solves to its
tolerance. Data: ``course_utils.data.get_dataset("digits")`` (flat, mean-subtracted).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import LinearSVC

from course_utils.classifiers.knn import KNearestNeighbor
from course_utils.classifiers.linear import LinearSVM, Softmax
from course_utils.data import get_dataset
from tests.bench.common import (
    Section,
    Table,
    fmt_ratio,
    fmt_time,
    median,
    summary,
    time_side_by_side,
)

K = 3
SOFTMAX = {"learning_rate": 1.0, "reg": 1e-4, "batch_size": 200, "seed": 0}
SVM = {"learning_rate": 1.0, "reg": 1e-3, "batch_size": 200, "seed": 0}


def run(quick: bool = False) -> Section:
    num_iters, reps = (300, 1) if quick else (1500, 5)
    data = get_dataset("digits")
    X, y, X_test, y_test = data["X_train"], data["y_train"], data["X_test"], data["y_test"]
    n = X.shape[0]
    pairs = _pairs(n, num_iters)
    section = Section("classifiers", "Classifiers against scikit-learn (digits)")
    section.notes += [
        f"digits: {n} training and {X_test.shape[0]} test images of {X.shape[1]} pixels "
        "(get_dataset defaults: flat, mean-subtracted, seed 0); accuracy on the test split.",
        f"Time: fit + predict on the test split (for the linear models prediction is "
        f"negligible), median of {reps} interleaved repetitions after a warm-up; ours are "
        "seeded, so every repetition gives the same model.",
        "Ours minimise mean loss + reg * ||W||^2 by SGD for a fixed number of steps; "
        "scikit-learn minimises the same objective scaled (C = 1 / (2 * reg * N)) to its "
        "tolerance. LinearSVC's Crammer-Singer loss takes the largest margin violation, "
        "ours (Weston-Watkins) sums them.",
    ]
    table = Table(
        "Accuracy and time",
        ["model", "hyperparameters", "test accuracy", "time", "time / sklearn"],
    )
    for name, (ours, theirs) in pairs.items():
        found = _compare(ours, theirs, X, y, X_test, y_test, reps)
        section.data[name] = found
        for who in ("ours", "sklearn"):
            info = found[who]
            ratio = fmt_ratio(info["median_s"] / found["sklearn"]["median_s"])
            accuracy = f"{info['accuracy']:.3f}"
            table.rows.append(
                [info["label"], info["params"], accuracy, fmt_time(info["median_s"]), ratio]
            )
    section.tables.append(table)
    return section


def _pairs(n: int, num_iters: int) -> dict[str, tuple[dict, dict]]:
    """name -> (ours, sklearn), each a label, its stated hyperparameters and a fit-predict."""
    c_softmax = 1.0 / (2 * SOFTMAX["reg"] * n)
    c_svm = 1.0 / (2 * SVM["reg"] * n)

    def knn_ours(X, y, X_test):
        model = KNearestNeighbor()
        model.train(X, y)
        return model.predict(X_test, k=K)

    def linear(cls, params):
        def fit(X, y, X_test):
            model = cls()
            model.train(X, y, num_iters=num_iters, **params)
            return model.predict(X_test)

        return fit

    def sk(model_factory):
        return lambda X, y, X_test: model_factory().fit(X, y).predict(X_test)

    def stated(params):
        return ", ".join(f"{k}={v:g}" for k, v in params.items() if k != "seed")

    return {
        "knn": (
            _entry("KNearestNeighbor (ours)", f"k={K}, no-loop distances", knn_ours),
            _entry(
                "KNeighborsClassifier",
                f"n_neighbors={K}",
                sk(lambda: KNeighborsClassifier(n_neighbors=K)),
            ),
        ),
        "softmax": (
            _entry(
                "Softmax (ours)",
                f"{stated(SOFTMAX)}, num_iters={num_iters}",
                linear(Softmax, SOFTMAX),
            ),
            _entry(
                "LogisticRegression",
                f"C={c_softmax:.3g}, fit_intercept=False, lbfgs",
                sk(lambda: LogisticRegression(C=c_softmax, fit_intercept=False, max_iter=1000)),
            ),
        ),
        "svm": (
            _entry(
                "LinearSVM (ours)", f"{stated(SVM)}, num_iters={num_iters}", linear(LinearSVM, SVM)
            ),
            _entry(
                "LinearSVC",
                f"C={c_svm:.3g}, crammer_singer, fit_intercept=False",
                sk(
                    lambda: LinearSVC(
                        C=c_svm, multi_class="crammer_singer", fit_intercept=False, max_iter=5000
                    )
                ),
            ),
        ),
    }


def _entry(label: str, params: str, fit_predict: Callable) -> dict:
    return {"label": label, "params": params, "fit_predict": fit_predict}


def _compare(ours: dict, theirs: dict, X, y, X_test, y_test, reps: int) -> dict:
    entries = {"ours": ours, "sklearn": theirs}
    times = time_side_by_side(
        {who: (lambda e=e: e["fit_predict"](X, y, X_test)) for who, e in entries.items()}, reps
    )
    found = {}
    for who, entry in entries.items():
        y_pred = entry["fit_predict"](X, y, X_test)
        found[who] = {
            "label": entry["label"],
            "params": entry["params"],
            "accuracy": float(np.mean(y_pred == y_test)),
            **summary(times[who]),
        }
    found["time_ratio_ours_over_sklearn"] = median(times["ours"]) / median(times["sklearn"])
    return found
