"""What docs/CLUSTER.md shows is what runs: the Slurm scripts come from the templates, the
Kubernetes manifests validate against the API's schema, and both turn the scheduler's task
index into `--shard i/n` so that the shards cover the class once. Also: `merge` names the
students of a shard that did not finish. Fast: nothing here grades a notebook.
"""

from __future__ import annotations

import copy
import json
import re
import shlex
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from autograder import shards
from autograder.cli import build_parser, slurm_run
from autograder.cli import main as cli
from autograder.cluster import SlurmRun, slurm_scripts
from autograder.course import REPO_ROOT, course_paths

DOC = REPO_ROOT / "docs" / "CLUSTER.md"
KUBE = REPO_ROOT / "deploy" / "kubernetes"
# the oldest and the newest Kubernetes whose schema kubernetes-validate ships
KUBE_VERSIONS = ["1.25.0", kubernetes_validate.latest_version()]
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def _doc_blocks(language: str) -> list[str]:
    """The fenced blocks of docs/CLUSTER.md in ``language``, in order."""
    pattern = re.compile(rf"^```{language}\n(.*?)^```$", re.MULTILINE | re.DOTALL)
    return pattern.findall(DOC.read_text())


def _doc_slurm_command() -> list[str]:
    """The `cluster-script slurm` command line that docs/CLUSTER.md tells to run."""
    for block in _doc_blocks("sh"):
        text = block.replace("\\\n", " ")
        for line in text.splitlines():
            if "cluster-script slurm" in line:
                argv = shlex.split(line)
                return argv[argv.index("autograder") + 1 :]
    raise AssertionError("docs/CLUSTER.md shows no `cluster-script slurm` command")


def test_doc_shows_the_scripts_that_cluster_script_writes():
    args = build_parser().parse_args(_doc_slurm_command())
    paths = course_paths(args.course_dir, create=False)
    rendered = slurm_scripts(slurm_run(paths, args))
    shown = [b for b in _doc_blocks("sh") if b.startswith("#!/bin/bash")]
    assert shown == list(rendered.values())


def _stub_python(kit: Path, python: str = ".venv/bin/python") -> None:
    """A fake interpreter in ``kit`` that prints its arguments, one per line."""
    stub = kit / python
    stub.parent.mkdir(parents=True, exist_ok=True)
    stub.write_text('#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n')
    stub.chmod(0o755)


def _grade_args(printed: str):
    """The parsed `python -m autograder ...` arguments a script ran."""
    argv = printed.splitlines()
    assert argv[:2] == ["-m", "autograder"]
    return build_parser().parse_args(argv[2:])


@pytest.mark.parametrize("count", [1, 3, 7])
def test_each_slurm_task_grades_its_own_shard(tmp_path, count):
    _stub_python(tmp_path)
    run = SlurmRun("03_softmax", tmp_path / "subs", tmp_path / "course", tmp_path, count)
    script = slurm_scripts(run)[run.grade_script]
    assert f"#SBATCH --array=1-{count}\n" in script
    seen = []
    for task in range(1, count + 1):
        env = {
            "PATH": "/usr/bin:/bin",
            "SLURM_ARRAY_TASK_ID": str(task),
            "SLURM_CPUS_PER_TASK": "3",
        }
        out = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        args = _grade_args(out.stdout)
        assert (args.command, args.shard, args.workers) == ("grade", (task, count), 3)
        assert args.course_dir == str(tmp_path / "course")
        seen.append(args.shard)
    _assert_cover_once(seen, count)


def _assert_cover_once(shard_list: list[tuple[int, int]], count: int) -> None:
    """Every student of a class of any size lands in exactly one of the shards."""
    for size in (0, 1, count - 1, count, 5 * count + 2):
        students = [f"s{i:03d}" for i in range(max(size, 0))]
        graded = [s for shard in shard_list for s in shards.shard_members(students, shard)]
        assert sorted(graded) == students


def test_slurm_script_rejects_what_slurm_would_misread(tmp_path):
    for bad in ({"mem": "16 GB"}, {"time": "1h"}, {"shards": 0}):
        run = SlurmRun("03_softmax", tmp_path, tmp_path, tmp_path, **{"shards": 4, **bad})
        with pytest.raises(ValueError, match="--"):
            slurm_scripts(run)


def _manifest(name: str) -> dict:
    return yaml.safe_load((KUBE / name).read_text())


@pytest.mark.parametrize("version", KUBE_VERSIONS)
@pytest.mark.parametrize("name", ["grade-job.yaml", "merge-job.yaml"])
def test_manifests_validate_against_the_kubernetes_schema(name, version):
    manifest = _manifest(name)
    kubernetes_validate.validate(manifest, version, strict=True)
    assert DNS_LABEL.match(manifest["metadata"]["name"])
    pod = manifest["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert all(c["image"] == pod["containers"][0]["image"] for c in pod["containers"])


def test_schema_validation_catches_a_broken_manifest():
    broken = _manifest("grade-job.yaml")
    broken["spec"]["completions"] = "sixteen"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBE_VERSIONS[-1], strict=True)
    broken = _manifest("grade-job.yaml")
    broken["spec"]["template"]["spec"]["containers"][0]["workdir"] = "/opt"  # a typo
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBE_VERSIONS[-1], strict=True)


def _strategic_merge(base, patch):
    """kubectl's strategic merge for what the patch uses: maps, containers keyed by name."""
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = _strategic_merge(base[key], value) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(patch, list):
        by_name = {item["name"]: item for item in patch}
        return [_strategic_merge(item, by_name.get(item["name"], {})) for item in base]
    return patch


@pytest.mark.parametrize("version", KUBE_VERSIONS)
def test_full_isolation_patch_gives_a_valid_privileged_root_job(version):
    patch = _manifest("full-isolation-patch.yaml")
    job = _strategic_merge(_manifest("grade-job.yaml"), patch)
    kubernetes_validate.validate(job, version, strict=True)
    pod = job["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsUser"] == 0
    grader = pod["containers"][0]["securityContext"]
    # the API server refuses privileged with allowPrivilegeEscalation false
    assert grader["privileged"] is True and grader["allowPrivilegeEscalation"] is True


def test_each_indexed_pod_grades_its_own_shard(tmp_path):
    job = _manifest("grade-job.yaml")
    count = job["spec"]["completions"]
    assert job["spec"]["completionMode"] == "Indexed"
    container = job["spec"]["template"]["spec"]["containers"][0]
    kit = tmp_path / container["workingDir"].lstrip("/")
    _stub_python(kit)
    seen = []
    for index in range(count):  # Kubernetes sets JOB_COMPLETION_INDEX, 0-based
        env = {"PATH": "/usr/bin:/bin", "JOB_COMPLETION_INDEX": str(index)}
        command = [*container["command"], *container["args"]]
        out = subprocess.run(command, env=env, cwd=kit, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        args = _grade_args(out.stdout)
        assert args.command == "grade" and args.shard == (index + 1, count)
        seen.append(args.shard)
    _assert_cover_once(seen, count)
    merge = _manifest("merge-job.yaml")["spec"]["template"]["spec"]["containers"][0]
    merge_args = build_parser().parse_args(merge["command"][3:])
    assert (merge_args.command, merge_args.assignment) == ("merge", args.assignment)
    assert merge_args.course_dir == args.course_dir


def test_doc_shows_the_manifests():
    shown = _doc_blocks("yaml")
    for name in ("grade-job.yaml", "merge-job.yaml", "full-isolation-patch.yaml"):
        assert (KUBE / name).read_text() in shown, name


def _fake_result(student: str) -> dict:
    return {"student": student, "assignment": "00_getting_started", "score": 1.0}


def test_merge_names_the_students_of_unfinished_shards_and_merges_nothing(tmp_path, capsys):
    paths = course_paths(tmp_path / "course")
    students = ["ann", "bob", "cy", "dee", "eve"]
    for index in (1, 2, 3):  # shard 1 finishes, 2 is cancelled after one student, 3 dies
        shards.start_shard(paths, "00_getting_started", students, (index, 3))
    folder = paths.results / "00_getting_started"
    for student in ("ann", "dee", "bob", "cy"):
        shards.write_atomic(folder / f"{student}.json", json.dumps(_fake_result(student)))
    shards.finish_shard(paths, "00_getting_started", ["ann", "dee"], (1, 3))
    code = cli(["--course-dir", str(paths.course_dir), "merge", "00_getting_started"])
    err = capsys.readouterr().err
    assert code != 0
    assert "shard 2/3 did not finish; no result for eve" in err
    assert "shard 3/3 did not finish" in err and "shard 1/3" not in err
    assert not (paths.course_dir / "grades.csv").exists()


def test_a_finished_shard_missing_a_result_is_named_too(tmp_path):
    paths = course_paths(tmp_path / "course")
    shards.start_shard(paths, "a", ["ann", "bob"], (1, 1))
    shards.finish_shard(paths, "a", ["ann", "bob"], (1, 1))
    assert shards.incomplete(paths, "a", {"ann", "bob"}) == []
    assert shards.incomplete(paths, "a", {"ann"}) == ["shard 1/1 finished; no result for bob"]
    shards.start_shard(paths, "a", ["ann", "bob"], (1, 1))  # graded again: not finished yet
    assert shards.incomplete(paths, "a", {"ann", "bob"}) == ["shard 1/1 did not finish"]


def test_shard_members_rejects_an_impossible_shard():
    with pytest.raises(ValueError, match="1 <= i <= n"):
        shards.shard_members([1, 2], (3, 2))


def test_the_course_secret_is_created_once(tmp_path):
    from autograder.grade import ensure_secret

    paths = course_paths(tmp_path / "course")
    ensure_secret(paths)
    first = paths.secret.read_text()
    ensure_secret(paths)
    assert paths.secret.read_text() == first and len(first) == 64
    assert paths.secret.stat().st_mode & 0o777 == 0o600
    # no temporary file left beside it (course_paths also makes the exchange folder)
    assert [p.name for p in paths.course_dir.iterdir() if p.is_file()] == ["grader_secret"]


def test_results_are_replaced_whole(tmp_path):
    target = tmp_path / "r" / "ann.json"
    shards.write_atomic(target, "old")
    shards.write_atomic(target, "new")
    assert target.read_text() == "new" and [p.name for p in target.parent.iterdir()] == ["ann.json"]


def test_copy_is_deep_enough_for_the_merge_helper():
    base = {"a": {"b": 1}, "l": [{"name": "x", "v": 1}]}
    before = copy.deepcopy(base)
    assert _strategic_merge(base, {"a": {"c": 2}, "l": [{"name": "x", "w": 2}]}) == {
        "a": {"b": 1, "c": 2},
        "l": [{"name": "x", "v": 1, "w": 2}],
    }
    assert base == before


def test_the_image_is_what_the_manifests_expect():
    """deploy/Dockerfile (not built here: no Docker daemon) agrees with the Jobs and make."""
    dockerfile = (REPO_ROOT / "deploy" / "Dockerfile").read_text()
    instructions = [line.split(None, 1) for line in dockerfile.splitlines() if line[:1].isupper()]
    workdirs = [rest for op, rest in instructions if op == "WORKDIR"]
    users = [rest for op, rest in instructions if op == "USER"]
    assert users[-1] == "grader" and "--uid 1000" in dockerfile  # the Jobs' runAsUser
    assert "bubblewrap" in dockerfile and "-r requirements.lock" in dockerfile
    image = re.search(r"^IMAGE \?= (\S+)$", (REPO_ROOT / "Makefile").read_text(), re.M)[1]
    for name in ("grade-job.yaml", "merge-job.yaml"):
        pod = _manifest(name)["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsUser"] == 1000
        for container in pod["containers"]:
            assert container["image"] == image
            assert container["workingDir"] == workdirs[-1]
    ignored = (REPO_ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".course", ".git"} <= set(ignored)  # no local state or secrets in it


def test_the_slurm_test_says_why_it_cannot_run(monkeypatch):
    from tests import slurm_cluster

    monkeypatch.setattr(slurm_cluster.os, "geteuid", lambda: 1000)
    assert "needs root" in slurm_cluster.missing_requirements()
    monkeypatch.setattr(slurm_cluster.os, "geteuid", lambda: 0)
    monkeypatch.setattr(slurm_cluster.shutil, "which", lambda name: None)
    reason = slurm_cluster.missing_requirements()
    assert "slurmctld" in reason and "make system-deps" in reason
