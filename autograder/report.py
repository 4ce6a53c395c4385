"""What the instructor reads: a progress line per student, the score table and grades.csv."""

from __future__ import annotations

import csv
from pathlib import Path


def print_progress(result: dict) -> None:
    print(
        f"  {result['student']:<24} {result['score']:>6g} / {result['max_score']:<6g}"
        f" {result['status']:<8} {result['seconds']:>6.1f} s",
        flush=True,
    )


def score_table(results: list[dict]) -> str:
    """A fixed-width table: student, score, status, reason (one line each)."""
    rows = [("student", "score", "status", "reason")]
    for r in sorted(results, key=lambda r: r["student"]):
        manual = " +manual" if r.get("needs_manual") else ""
        rows.append(
            (r["student"], f"{r['score']:g}/{r['max_score']:g}{manual}", r["status"], r["reason"])
        )
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = []
    for row in rows:
        head = "  ".join(cell.ljust(width) for cell, width in zip(row, widths))
        lines.append(f"{head}  {row[3][:100]}")
    lines.insert(1, "-" * min(140, len(lines[0]) + 20))
    return "\n".join(lines)


def write_grades_csv(results: list[dict], path: Path) -> Path:
    """grades.csv: one row per result, the export's columns."""
    from autograder.export import CSV_COLUMNS, csv_row

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for result in sorted(results, key=lambda r: r["student"]):
            writer.writerow(csv_row(result))
    return path
