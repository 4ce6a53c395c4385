"""``python -m autograder`` (or ``course-autograder``): the instructor's command line.

release [ASSIGNMENT...]          regenerate notebooks/ and build student bundles
grade ASSIGNMENT SUBMISSIONS     grade a class in parallel sandboxes
merge ASSIGNMENT                 copy all results (e.g. of shards) into the gradebook
cluster-script slurm ...         the Slurm batch scripts of a sharded grading run
feedback ASSIGNMENT              per-student HTML feedback (nbgrader)
export [--format csv|canvas]     grades with status and reason, for a spreadsheet or an LMS
validate NOTEBOOK                what a student runs before submitting
roster import FILE               students' names and emails from the LMS's CSV
exchange release|collect|feedback ASSIGNMENT
                                 nbgrader's exchange on a JupyterHub (deploy/jupyterhub/)
watch ASSIGNMENT                 grade each submission as it arrives in the exchange
demo                             the whole pipeline on a generated class, offline
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from autograder.course import course_paths


def _shard(text: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError("use i/n, e.g. 2/8") from None
    if not 1 <= index <= count:
        raise argparse.ArgumentTypeError("i/n needs 1 <= i <= n")
    return index, count


COURSE_DIR_HELP = "class data folder (default: $COURSE_DIR or .course)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m autograder", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--course-dir", help=COURSE_DIR_HELP)
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, summary: str) -> argparse.ArgumentParser:
        """A subcommand, which also takes --course-dir after its name and arguments."""
        sub = commands.add_parser(name, help=summary, description=summary)
        sub.add_argument(
            "--course-dir", dest="course_dir_after", metavar="COURSE_DIR", help=COURSE_DIR_HELP
        )
        return sub

    workers = {"type": int, "default": os.cpu_count() or 1}
    workers["help"] = "submissions graded at once (default: %(default)s, the CPU count)"
    csv_help = "where to write grades.csv (default: <course>/grades.csv)"

    release = command("release", "regenerate notebooks/ and the student bundles")
    release.add_argument("assignments", nargs="*", help="default: every assignment in solutions/")
    release.add_argument("--no-bundles", action="store_true", help="only regenerate notebooks/")

    grade = command("grade", "autograde every submission of an assignment")
    grade.add_argument("assignment", help="e.g. 03_softmax")
    grade.add_argument("submissions", type=Path, help="folder of <student_id>/*.ipynb")
    grade.add_argument("--workers", **workers)
    grade.add_argument(
        "--timeout", type=float, default=300.0, help="seconds per notebook (default: %(default)s)"
    )
    grade.add_argument(
        "--cell-timeout", type=int, default=60, help="seconds per cell (default: %(default)s)"
    )
    grade.add_argument(
        "--memory", type=int, default=2048, help="MB per submission (default: %(default)s)"
    )
    grade.add_argument(
        "--shard",
        type=_shard,
        default="1/1",
        help="grade part i/n of the class (e.g. one machine each), then `merge`",
    )
    grade.add_argument("--csv", type=Path, help=csv_help)

    merge = command("merge", "copy every stored result into the gradebook")
    merge.add_argument("assignment", help="e.g. 03_softmax")
    merge.add_argument("--csv", type=Path, help=csv_help)
    merge.add_argument(
        "--partial",
        action="store_true",
        help="merge even when shards did not finish (their students are listed, not graded)",
    )

    script = command("cluster-script", "write the batch scripts of a sharded grading run")
    script.add_argument("engine", choices=["slurm"], help="the scheduler")
    script.add_argument("assignment", help="e.g. 03_softmax")
    script.add_argument("submissions", type=Path, help="folder of <student_id>/*.ipynb")
    script.add_argument("--shards", type=int, required=True, help="n: the array's size")
    script.add_argument("--cpus", type=int, default=4, help="per shard (default: %(default)s)")
    script.add_argument("--mem", default="16G", help="per shard (default: %(default)s)")
    script.add_argument("--time", default="01:00:00", help="per shard (default: %(default)s)")
    script.add_argument(
        "--kit", type=Path, help="the repository checkout on the shared filesystem (default: this)"
    )
    script.add_argument(
        "--python", default=".venv/bin/python", help="in the kit (default: %(default)s)"
    )
    script.add_argument(
        "--to", type=Path, default=Path("."), help="folder for the scripts (default: here)"
    )

    feedback = command("feedback", "generate HTML feedback for each student")
    feedback.add_argument("assignment", help="e.g. 03_softmax")

    export = command("export", "export grades with status and reason")
    export.add_argument("--format", choices=["csv", "canvas"], default="csv")
    export.add_argument(
        "--assignment",
        action="append",
        help="repeat for several (default: every assignment in the gradebook)",
    )
    export.add_argument("--output", type=Path, help="default: <course>/grades-<format>.csv")

    validate = command("validate", "run a notebook and list failing checks")
    validate.add_argument("notebook", type=Path)
    validate.add_argument(
        "--timeout", type=int, default=120, help="seconds per cell (default: %(default)s)"
    )

    roster = command("roster", "the class list: names and emails for formgrader and exports")
    roster_commands = roster.add_subparsers(dest="roster_command", required=True)
    roster_import = roster_commands.add_parser(
        "import", help="add or update students from a CSV: id,first,last,email"
    )
    roster_import.add_argument("file", type=Path, help="CSV with a header row")
    roster_import.add_argument(  # after the file too; SUPPRESS keeps one given before `import`
        "--course-dir",
        dest="course_dir_after",
        metavar="COURSE_DIR",
        default=argparse.SUPPRESS,
        help=COURSE_DIR_HELP,
    )

    exchange = command("exchange", "nbgrader's exchange: release, collect, return feedback")
    exchange.add_argument(
        "step",
        choices=["release", "collect", "feedback"],
        help="release: the student bundle to fetch; collect: submissions into <course>/submitted;"
        " feedback: each student's feedback HTML to fetch",
    )
    exchange.add_argument("assignment", help="e.g. 03_softmax")

    watch = command("watch", "grade each submission as it arrives in the exchange")
    watch.add_argument("assignment", help="e.g. 03_softmax")
    watch.add_argument(
        "--limit",
        type=int,
        default=3,
        help="graded submissions per student and window (%(default)s)",
    )
    watch.add_argument("--window", type=float, default=24.0, help="hours (default: %(default)s)")
    watch.add_argument(
        "--policy", choices=["last", "best"], default="last", help="which grade counts"
    )
    watch.add_argument("--interval", type=float, default=2.0, help="seconds between passes")
    watch.add_argument(
        "--workers", type=int, default=1, help="submissions graded at once (default: 1)"
    )
    watch.add_argument("--once", action="store_true", help="grade what is waiting, then exit")
    watch.add_argument("--timeout", type=float, default=300.0, help="seconds per notebook")
    watch.add_argument("--cell-timeout", type=int, default=60, help="seconds per cell")
    watch.add_argument("--memory", type=int, default=2048, help="MB per submission")

    demo = command("demo", "grade a generated class, offline")
    demo.add_argument("--workers", **workers)
    demo.add_argument("--assignment", default="00_getting_started", help="default: %(default)s")
    return parser


def check_assignments(paths, names: list[str]) -> None:
    """Raise ValueError, listing the course's assignments, for a name that is not one."""
    from autograder.release import authored_assignments

    known = authored_assignments(paths)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(
            f"unknown assignment {', '.join(map(repr, unknown))}; "
            f"this course has: {', '.join(known)}"
        )


def _assignments_named(args) -> list[str]:
    """The assignment names given on the command line, whichever option holds them."""
    named = getattr(args, "assignments", None) or getattr(args, "assignment", None) or []
    return [named] if isinstance(named, str) else list(named)


def course_dir_given(parser: argparse.ArgumentParser, args) -> str | None:
    """--course-dir from either side of the subcommand; two different folders are an error."""
    before, after = args.course_dir, args.course_dir_after
    if before and after and Path(before).resolve() != Path(after).resolve():
        parser.error(f"--course-dir given twice, as {before} and as {after}: keep one")
    return after or before


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    paths = course_paths(course_dir_given(parser, args), create=args.command != "cluster-script")
    handler = {
        "release": _release,
        "grade": _grade,
        "merge": _merge,
        "cluster-script": _cluster_script,
        "feedback": _feedback,
        "export": _export,
        "validate": _validate,
        "roster": _roster,
        "exchange": _exchange,
        "watch": _watch,
        "demo": _demo,
    }[args.command]
    try:
        check_assignments(paths, _assignments_named(args))
        return handler(paths, args)
    except (FileNotFoundError, ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _release(paths, args) -> int:
    from autograder.bundle import build_bundle
    from autograder.release import authored_assignments, release_to_repo

    chosen = args.assignments or authored_assignments(paths)
    for folder in release_to_repo(paths, chosen):
        print(f"released {folder.relative_to(paths.repo)}")
    if not args.no_bundles:
        for assignment in chosen:
            _, archive = build_bundle(paths, assignment)
            print(f"bundle   {archive}")
    return 0


def _grade(paths, args) -> int:
    from autograder import report
    from autograder.grade import grade_class
    from autograder.sandbox import Limits, detect_protections
    from autograder.submissions import unusable_folders

    limits = Limits(
        total_seconds=args.timeout, cell_seconds=args.cell_timeout, memory_mb=args.memory
    )
    print(
        f"grading {args.assignment} with {args.workers} workers; {detect_protections().describe()}"
    )
    skipped = unusable_folders(args.submissions)
    if skipped:
        print(
            f"warning: not graded, folder names that are not student ids: {', '.join(skipped)} "
            "(rename each to the student's id and grade again)",
            file=sys.stderr,
        )
    results = grade_class(
        paths,
        args.assignment,
        args.submissions,
        args.workers,
        limits,
        args.shard,
        progress=report.print_progress,
    )
    if args.shard == (1, 1):
        return _merge_and_report(paths, args.assignment, args.csv)
    index, count = args.shard
    print(f"shard {index}/{count}: {len(results)} results written; run `merge` after all shards")
    return 0


def _merge(paths, args) -> int:
    return _merge_and_report(paths, args.assignment, args.csv, args.partial)


def _merge_and_report(paths, assignment: str, csv_path: Path | None, partial: bool = False) -> int:
    """Apply every result to the gradebook; refuse (unless ``partial``) an incomplete class."""
    from autograder import gradebook_io, report
    from autograder.grade import load_results
    from autograder.shards import incomplete

    results = load_results(paths, assignment)
    if not results:
        raise ValueError(f"no results of {assignment} in {paths.results}: run `grade` first")
    problems = incomplete(paths, assignment, {r["student"] for r in results})
    if problems and not partial:
        raise ValueError(
            f"{assignment} is incomplete, nothing merged: {'; '.join(problems)}. "
            "Grade those shards again (Slurm: sbatch --array=<i,...> <grade script>), "
            "then merge; or merge what exists with --partial"
        )
    for problem in problems:
        print(f"warning: {problem}; merged without them (--partial)", file=sys.stderr)
    for result in results:
        gradebook_io.apply_result(paths, result)
    print(report.score_table(results))
    target = csv_path or paths.course_dir / "grades.csv"
    report.write_grades_csv(results, target)
    print(f"\ngradebook: {paths.db_url}\ngrades:    {target}")
    print(f"autograded notebooks: {paths.autograded}")
    return 0


def slurm_run(paths, args):
    """The SlurmRun that ``cluster-script slurm`` renders, from its parsed arguments."""
    from autograder.cluster import SlurmRun

    return SlurmRun(
        assignment=args.assignment,
        submissions=args.submissions.resolve(),
        course=paths.course_dir,
        kit=(args.kit or paths.repo).resolve(),
        shards=args.shards,
        cpus=args.cpus,
        mem=args.mem,
        time=args.time,
        python=args.python,
    )


def _cluster_script(paths, args) -> int:
    from autograder.cluster import write_slurm_scripts

    grade_script, merge_script = write_slurm_scripts(slurm_run(paths, args), args.to)
    print(f"wrote {grade_script} and {merge_script}; submit both with")
    print(f"  jobid=$(sbatch --parsable {grade_script})")
    print(f"  sbatch --dependency=afterok:$jobid {merge_script}")
    return 0


def _feedback(paths, args) -> int:
    from autograder.feedback import generate_feedback

    written = generate_feedback(paths, args.assignment)
    if not written:
        raise ValueError(f"no autograded submission of {args.assignment}: run `grade` first")
    for path in written:
        print(f"feedback {path}")
    return 0


def _export(paths, args) -> int:
    from autograder.export import export_grades

    target = export_grades(paths, args.format, args.assignment, args.output)
    print(f"wrote {target}")
    return 0


def _validate(paths, args) -> int:
    from autograder.validate import validate_notebook

    return 0 if validate_notebook(args.notebook, args.timeout) else 1


def _roster(paths, args) -> int:
    from autograder.roster import import_roster

    added, updated = import_roster(paths, args.file)
    print(f"roster {args.file}: {added} students added, {updated} updated")
    return 0


def _exchange(paths, args) -> int:
    from autograder import exchange

    if args.step == "release":
        print(f"released {exchange.release(paths, args.assignment)}")
    elif args.step == "collect":
        students = exchange.collect(paths, args.assignment)
        print(f"collected {len(students)} submissions into {paths.submitted}")
        print(f"next: python -m autograder grade {args.assignment} {paths.submitted}")
    else:
        students = exchange.release_feedback(paths, args.assignment)
        print(f"feedback released to {len(students)} students: {', '.join(students)}")
    return 0


def _watch(paths, args) -> int:
    from autograder.on_submit import Policy, watch
    from autograder.sandbox import Limits

    policy = Policy(args.limit, args.window, args.policy)
    limits = Limits(
        total_seconds=args.timeout, cell_seconds=args.cell_timeout, memory_mb=args.memory
    )
    print(f"watching {paths.exchange} for {args.assignment}: {policy}", flush=True)
    try:
        watch(
            paths, args.assignment, policy, limits, args.interval, args.once, workers=args.workers
        )
    except KeyboardInterrupt:
        pass
    return 0


def _demo(paths, args) -> int:
    from autograder.demo import run_demo

    return run_demo(paths, args.assignment, args.workers)
