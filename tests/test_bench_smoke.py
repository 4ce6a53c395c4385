"""The benchmark suite (tests/bench): its quick mode runs and writes a well-formed report.

One quick run of the cheap groups (knn, conv, classifiers; about 5 s on an idle 2-core
machine) is shared by the first tests; the others check the pieces the report is built from.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from tests.bench import GROUPS
from tests.bench.__main__ import chosen_groups, default_out, main, parse_args
from tests.bench.common import Budget, Section, Table, time_side_by_side
from tests.bench.report import markdown, payload
from tests.bench.torch_track import render

CHEAP = ["knn", "conv", "classifiers"]


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory) -> tuple[int, dict, str]:
    out = tmp_path_factory.mktemp("bench")
    code = main(["--quick", "--only", ",".join(CHEAP), "--out", str(out)])
    report = json.loads((out / "benchmarks.json").read_text())
    return code, report, (out / "benchmarks.md").read_text()


def test_quick_run_writes_machine_and_library_facts(quick_report):
    code, report, md = quick_report
    assert code == 0 and report["errors"] == []
    assert report["run"]["mode"] == "quick" and report["run"]["groups"] == CHEAP
    machine = report["machine"]
    datetime.fromisoformat(machine["date"])
    assert machine["cpu"] and machine["cores"] >= 1 and machine["memory_gib"] > 0
    for name in ("numpy", "torch", "scikit-learn", "scipy", "nbgrader"):
        assert machine["libraries"][name] != "not installed"
        assert f"{name} {machine['libraries'][name]}" in md
    assert any(p["user_api"] == "blas" for p in machine["threadpools"])
    assert set(machine["environment"]) >= {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"}
    assert "## Machine" in md and machine["cpu"] in md and "Quick mode" in md


def test_quick_run_sections_tables_and_budgets(quick_report):
    _, report, md = quick_report
    sections = {s["key"]: s for s in report["sections"]}
    assert list(sections) == CHEAP
    for section in sections.values():
        assert section["error"] is None and section["tables"]
        assert f"## {section['title']}" in md
        for table in section["tables"]:
            assert table["rows"] and all(len(r) == len(table["headers"]) for r in table["rows"])
    names = [b["name"] for b in report["budgets"]]
    assert "kNN no-loop distances, ours / sklearn" in names
    assert {"conv fast / torch float64", "conv naive / fast", "max pool naive / fast"} <= set(names)
    for budget in report["budgets"]:
        assert budget["value"] > 0 and budget["ok"] in (True, False)
        assert budget["name"] in md
    assert report["over_budget"] == [
        f"{b['name']}: {b['measured']} (target {b['target']})"
        for b in report["budgets"]
        if not b["ok"]
    ]
    for line in report["over_budget"]:
        assert f"**OVER BUDGET:** {line}" in md


def test_quick_run_measures_ratios_and_accuracies(quick_report):
    _, report, _ = quick_report
    sections = {s["key"]: s for s in report["sections"]}
    knn = sections["knn"]["data"]
    assert knn["max_difference_vs_cdist"] < 1e-8
    assert knn["ratios"]["two_loop_slowdown"] > 1.0
    conv = sections["conv"]["data"]
    for case in ("conv", "pool"):
        assert conv[case]["max_rel_diff_vs_torch"] < 1e-10
        assert {"fast (numpy)", "torch float64", "torch float32"} <= set(conv[case]["times"])
    assert any(name.startswith("torch float64, ") for name in conv["pool"]["times"])
    classifiers = sections["classifiers"]["data"]
    for pair in ("knn", "softmax", "svm"):
        for who in ("ours", "sklearn"):
            assert classifiers[pair][who]["accuracy"] > 0.8
            assert classifiers[pair][who]["params"]


def test_budget_directions():
    assert Budget("a", 1.1, 1.2).ok is True
    assert Budget("a", 1.3, 1.2).ok is False
    assert Budget("a", 150.0, 100.0, kind="min").ok is True
    assert Budget("a", 50.0, 100.0, kind="min").ok is False
    assert Budget("a", None, 1.0).ok is None
    assert Budget("t", 95.0, 90.0, unit="s").describe() == "t: 95 s (target <= 90 s)"


def test_over_budget_lines_reach_the_markdown():
    section = Section("x", "X group", tables=[Table("t", ["a", "b"], [["1", "2|3"]])])
    section.budgets = [
        Budget("fast / torch", 2.5, 2.0),
        Budget("naive / fast", 300.0, 100.0, "min"),
    ]
    machine = {
        "date": "2025-01-01T00:00:00+00:00",
        "cpu": "Test CPU",
        "cores": 2,
        "usable_cores": 2,
        "memory_gib": 8.0,
        "platform": "Linux",
        "python": "3.11",
        "libraries": {"numpy": "2.0"},
        "threadpools": [],
        "environment": {"OPENBLAS_CORETYPE": None},
        "torch_threads": 2,
        "cuda": None,
        "commit": None,
        "load_average": [0.1, 0.1, 0.1],
    }
    run = {
        "mode": "full",
        "groups": ["x"],
        "seconds": 10.0,
        "command": "c",
        "load_average_end": None,
    }
    report = payload([section], machine, run, [])
    assert report["over_budget"] == ["fast / torch: 2.5x (target <= 2x)"]
    md = markdown(report)
    assert "**OVER BUDGET:** fast / torch: 2.5x (target <= 2x)" in md
    assert "| 1 | 2\\|3 |" in md and "Busy machine" not in md
    assert "OPENBLAS_CORETYPE=unset" in md


def test_group_selection_and_output_folder():
    assert chosen_groups(parse_args([])) == list(GROUPS)
    assert chosen_groups(parse_args(["--quick"])) == list(GROUPS)
    assert chosen_groups(parse_args(["--quick", "--only", "torch,knn"])) == ["knn", "torch"]
    with pytest.raises(SystemExit):
        parse_args(["--only", "knn,nope"])
    assert default_out(parse_args([]), list(GROUPS)).name == "docs"
    assert default_out(parse_args(["--quick"]), list(GROUPS)).name == ".bench"
    assert default_out(parse_args(["--only", "knn"]), ["knn"]).name == ".bench"
    assert default_out(parse_args(["--out", "x"]), list(GROUPS)) == Path("x")


def test_side_by_side_interleaves_and_counts():
    calls = []
    times = time_side_by_side({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, 3)
    assert calls == ["a", "b"] + ["a", "b"] * 3
    assert [len(t) for t in times.values()] == [3, 3]


def test_torch_results_of_any_shape_become_notes_and_tables():
    records = [{"model": "vgg", "images_per_s": 1234.4}, {"model": "lstm", "tokens_per_s": 9.0}]
    notes, (table,) = render(records)
    assert notes == [] and table.headers == ["model", "images_per_s", "tokens_per_s"]
    assert table.rows == [["vgg", "1,234", ""], ["lstm", "", "9"]]
    result = {
        "device": "CPU (2 threads)",
        "config": {"batch": 8, "widths": [32, 64]},
        "notes": ["AMP: CUDA only"],
        "models": {"vgg": {"fp32": 1.5}, "rnn": {"fp32": 2.0}},
        "rows": records,
    }
    notes, tables = render(result)
    assert notes == [
        "device: CPU (2 threads)",
        "config: batch=8, widths=[32, 64]",
        "AMP: CUDA only",
    ]
    assert [t.title for t in tables] == ["models", "rows"]
    assert tables[0].rows == [["vgg", "1.5"], ["rnn", "2"]]


def test_torch_group_reads_the_track_json(tmp_path, monkeypatch):
    import tests.bench.torch_track as group

    (tmp_path / "fake_track_bench.py").write_text(
        "import json, sys\n"
        "args = sys.argv[1:]\n"
        "path = args[args.index('--json') + 1]\n"
        "rows = [{'model': 'vgg_small', 'precision': 'fp32', 'images_per_s': 321.0}]\n"
        "json.dump({'device': 'CPU (2 threads)', 'quick': '--quick' in args, 'rows': rows},"
        " open(path, 'w'))\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.setattr(group, "MODULE", "fake_track_bench")
    section = group.run(quick=False)
    assert section.error is None
    assert section.data["result"]["quick"] is (not section.data["cuda"])
    assert [t.title for t in section.tables] == ["Throughput"]
    assert section.tables[0].rows == [["vgg_small", "fp32", "321"]]
    assert "device: CPU (2 threads); quick: True" in section.notes
    monkeypatch.setattr(group, "MODULE", "no_such_module_for_bench")
    assert "not available" in group.run(quick=True).notes[0]


def test_percentile_interpolates_between_order_statistics():
    from tests.bench.on_submit import percentile

    values = [float(v) for v in range(1, 21)]  # 1..20
    assert percentile(values, 0.5) == 10.5
    assert percentile(values, 0.95) == pytest.approx(19.05)
    assert percentile([7.0], 0.95) == 7.0 and percentile([3.0, 1.0], 1.0) == 3.0
