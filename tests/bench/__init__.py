"""The kit's benchmark suite: ``make bench`` (``python -m tests.bench``).

One module per group; each has ``run(quick: bool) -> Section``. The report goes to
docs/benchmarks.md and docs/benchmarks.json (see __main__.py for the options).
"""

#: group name (for ``--only``) -> module of this package, in the order they run
GROUPS: dict[str, str] = {
    "knn": "knn",
    "conv": "conv",
    "classifiers": "classifiers",
    "notebooks": "notebooks",
    "grading": "grading",
    "diagnoses": "diagnoses",
    "on_submit": "on_submit",
    "torch": "torch_track",
}
