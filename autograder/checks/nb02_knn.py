"""What 02_knn grades: the distance functions (L2 three ways, L1 without loops), the vote,
cross-validation of k and the metric, and (an outcome task) the k and metric the student
chooses, scored by training the course's kNN on the grader's own split of the digits.

The notebook has students write the methods of ``KNearestNeighbor`` as plain functions
that take the training data explicitly (``compute_distances_two_loops(X_train, X)``,
``predict_labels(dists, y_train, k=1)``), wired into a small class by a locked cell; the
references below adapt the course_utils class to those signatures.
"""

from __future__ import annotations

from functools import lru_cache, partial

import numpy as np

from autograder.spec import Check, call, case, read
from course_utils.classifiers.knn import KNearestNeighbor, cross_validate_k, l1_distances
from course_utils.data import get_dataset

#: the k values tried by every cross-validation case (a case uses a prefix of them)
K_CHOICES = (1, 2, 3, 5, 8, 13)


def _classifier(X_train, y_train=None) -> KNearestNeighbor:
    model = KNearestNeighbor()
    labels = np.zeros(len(X_train), dtype=np.int64) if y_train is None else y_train
    model.train(X_train, labels)
    return model


def two_loops_reference(X_train, X):
    return _classifier(X_train).compute_distances_two_loops(X)


def one_loop_reference(X_train, X):
    return _classifier(X_train).compute_distances_one_loop(X)


def no_loops_reference(X_train, X):
    return _classifier(X_train).compute_distances_no_loops(X)


def l1_reference(X_train, X):
    return l1_distances(X_train, X)


def predict_labels_reference(dists, y_train, k=1):
    return _classifier(np.zeros((dists.shape[1], 1)), y_train).predict_labels(dists, k=k)


def _distance_cases(function: str):
    def cases(rng: np.random.Generator):
        D = int(rng.integers(4, 12))
        num_train, num_test = int(rng.integers(25, 45)), int(rng.integers(6, 15))
        pixels = rng.integers(0, 17, size=(20, 16)).astype(np.float64)  # digit-like values
        square = rng.normal(size=(9, D))
        return [
            case(
                "more training than test samples",
                call(function, rng.normal(size=(num_train, D)), rng.normal(size=(num_test, D))),
            ),
            case(
                "as many test as training samples", call(function, square, rng.normal(size=(9, D)))
            ),
            case(
                "a single test sample",
                call(function, rng.normal(size=(num_train, D)), rng.normal(size=(1, D))),
            ),
            case(
                "a single training sample",
                call(function, rng.normal(size=(1, D)), rng.normal(size=(num_test, D))),
            ),
            case(
                "test samples that are also training samples", call(function, pixels, pixels[::3])
            ),
            case(
                "high-dimensional inputs",
                call(function, rng.uniform(size=(15, 300)), rng.uniform(size=(6, 300))),
            ),
        ]

    return cases


def _predict_cases(rng: np.random.Generator):
    def dists(num_test, num_train):
        return rng.uniform(0.5, 10.0, size=(num_test, num_train))

    def labels(num_train, num_classes, offset=0):
        return rng.integers(0, num_classes, size=num_train) + offset

    binary = labels(12, 2)
    return [
        case("k = 1", call("predict_labels", dists(10, 30), labels(30, 5))),
        case("k = 5, ten classes", call("predict_labels", dists(15, 40), labels(40, 10), k=5)),
        case("votes tied between labels", call("predict_labels", dists(20, 12), binary, k=2)),
        case(
            "labels that do not start at 0",
            call("predict_labels", dists(8, 25), labels(25, 3, offset=4), 3),
        ),
        case(
            "k = number of training samples", call("predict_labels", dists(6, 9), labels(9, 3), k=9)
        ),
        case(
            "equal distances (nearest first, then lower training index)",
            call(
                "predict_labels",
                rng.integers(0, 3, size=(12, 20)).astype(np.float64),
                labels(20, 4),
                k=3,
            ),
        ),
        case("a single test sample", call("predict_labels", dists(1, 15), labels(15, 3), k=4)),
    ]


def _blobs(rng: np.random.Generator, N: int, D: int, num_classes: int):
    y = rng.integers(0, num_classes, size=N)
    centres = rng.normal(scale=2.0, size=(num_classes, D))
    return centres[y] + rng.normal(size=(N, D)), y


def _cv_case(label: str, X, y, num_ks: int, **kwargs):
    ks = list(K_CHOICES[:num_ks])
    calls = [call("cross_validate_k", X, y, ks, bind="accuracies", record=False, **kwargs)]
    calls += [call("accuracies.get", k) for k in ks]
    return case(label, *calls)


def _cv_cases(rng: np.random.Generator):
    seed = int(rng.integers(0, 1000))
    return [
        _cv_case("5 folds, several k", *_blobs(rng, 60, 5, 3), 6, num_folds=5, seed=seed),
        _cv_case("folds of unequal sizes", *_blobs(rng, 47, 4, 4), 4, num_folds=4, seed=seed + 1),
        _cv_case("default folds and seed", *_blobs(rng, 40, 6, 2), 3),
        _cv_case("two folds, k = 1", *_blobs(rng, 24, 3, 3), 1, num_folds=2, seed=seed + 2),
        _cv_case("the L1 metric (p = 1)", *_blobs(rng, 45, 5, 3), 5, num_folds=3, seed=seed, p=1),
        _cv_case("the L2 metric named (p = 2)", *_blobs(rng, 30, 4, 2), 3, seed=seed + 3, p=2),
    ]


def _cv_names() -> dict[str, str]:
    return {
        f"s{step}.out.{fold}": f"fold {fold}, k = {k}"
        for step, k in enumerate(K_CHOICES, start=1)
        for fold in range(10)
    }


# --- Task 7, an outcome task: choose k and the metric ------------------------------------

#: the grader's own split of the digits: as many training images as the notebook's, another
#: seed, so the student's cross-validated choice carries over but nothing can be fitted to it
GRADER_SPLIT = {"num_train": 1000, "num_val": 300, "num_test": 0, "seed": 2027}
#: validation accuracies a choice must reach, for the first and the second point. Measured on
#: GRADER_SPLIT (tests/test_knn_outcome.py asserts the margins): k = 1..10 reach 0.977-0.99
#: with either metric, k = 20 0.973, k = 30 0.957 (L1) and 0.960 (L2), k = 50 0.937, k = 100
#: 0.91: sensible choices earn both points, k = 30 one, k = 50 or more none.
WITHIN_REACH, TARGET = 0.95, 0.965


@lru_cache(maxsize=1)
def _grader_split():
    data = get_dataset("digits", subtract_mean=False, **GRADER_SPLIT)
    return data["X_train"], data["y_train"], data["X_val"], data["y_val"]


@lru_cache(maxsize=64)
def grader_accuracy(k: int, p: int) -> float:
    """Validation accuracy of the course's kNN with (k, p), trained on the grader's split."""
    X_train, y_train, X_val, y_val = _grader_split()
    model = KNearestNeighbor()
    model.train(X_train, y_train)
    return float(np.mean(model.predict(X_val, k=k, p=p) == y_val))


def parse_choice(got) -> tuple[int, int] | str:
    """(k, p) from the recorded ``best_k`` and ``best_p``, or one sentence saying what is wrong."""
    k, p = float(got["s0.out"]), float(got["s1.out"])
    num_train = GRADER_SPLIT["num_train"]
    if k != round(k) or not 1 <= k <= num_train:
        return f"best_k = {k:g} is not a usable k: use a whole number from 1 to {num_train}"
    if p not in (1.0, 2.0):
        return f"best_p = {p:g} is not a metric of this notebook: use 1 (L1) or 2 (L2)"
    return int(k), int(p)


def judge_choice(got, target: float) -> str | None:
    """None if (best_k, best_p) reaches ``target`` validation accuracy on the grader's split,
    else one sentence for the student (the split and its accuracy stay hidden)."""
    choice = parse_choice(got)
    if isinstance(choice, str):
        return choice
    k, p = choice
    if grader_accuracy(k, p) >= target:
        return None
    return (
        f"kNN with k = {k} and the L{p} metric stays below {target:.1%} validation accuracy on "
        "the grader's split: choose both from your cross-validation curves"
    )


def _choice_cases(rng: np.random.Generator):
    return [case("your k and metric", read("best_k"), read("best_p"))]


def _choice_check(grade_id: str, target: float) -> Check:
    return Check(
        grade_id=grade_id,
        function="best_k",
        reference={"best_k": 1, "best_p": 2},  # the solution's cross-validation picks these
        cases=_choice_cases,
        names={"s0.out": "best_k", "s1.out": "best_p"},
        judge=partial(judge_choice, target=target),
    )


_DISTANCE_NAMES = {"s0.out": "dists"}

CHECKS = [
    Check(
        grade_id="test_compute_distances_two_loops",
        function="compute_distances_two_loops",
        reference={"compute_distances_two_loops": two_loops_reference},
        cases=_distance_cases("compute_distances_two_loops"),
        tol=1e-6,
        names=_DISTANCE_NAMES,
    ),
    Check(
        grade_id="test_compute_distances_one_loop",
        function="compute_distances_one_loop",
        reference={"compute_distances_one_loop": one_loop_reference},
        cases=_distance_cases("compute_distances_one_loop"),
        tol=1e-6,
        names=_DISTANCE_NAMES,
    ),
    Check(
        grade_id="test_compute_distances_no_loops",
        function="compute_distances_no_loops",
        reference={"compute_distances_no_loops": no_loops_reference},
        cases=_distance_cases("compute_distances_no_loops"),
        tol=1e-6,
        names=_DISTANCE_NAMES,
    ),
    Check(
        grade_id="test_compute_distances_l1",
        function="compute_distances_l1",
        reference={"compute_distances_l1": l1_reference},
        cases=_distance_cases("compute_distances_l1"),
        tol=1e-6,
        names=_DISTANCE_NAMES,
    ),
    Check(
        grade_id="test_predict_labels",
        function="predict_labels",
        reference={"predict_labels": predict_labels_reference},
        cases=_predict_cases,
        tol=0.0,
        names={"s0.out": "the predicted labels"},
    ),
    Check(
        grade_id="test_cross_validate_k",
        function="cross_validate_k",
        reference={"cross_validate_k": cross_validate_k},
        cases=_cv_cases,
        tol=1e-9,
        names=_cv_names(),
    ),
    _choice_check("test_choice_within_reach", WITHIN_REACH),
    _choice_check("test_choice_target", TARGET),
]
