"""Gradebook export: RESULTS/grades.csv, one row per student, every cell safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from grader.errors import UsageError
from grader.sanitize import inert

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: Any) -> str:
    """A cell no spreadsheet will run: a leading `'` before `=`, `+`, `-`, `@`, tab or CR (OWASP CSV
    injection); other control characters (a newline in an id, ESC, bidi overrides) shown as escapes
    (grader/sanitize.py), so one student is one line and no viewer interprets them. A tab stays a tab."""
    text = "" if value is None else str(value)
    prefix = "'" if text.startswith(FORMULA_START) else ""
    return prefix + "\t".join(inert(part, multiline=False) for part in text.split("\t"))


def _points(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}"


def load_results(out: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The run's manifest and the result record of each of its students, in id order (missing → pending)."""
    manifest_path = out / "batch.json"
    if not manifest_path.is_file():
        raise UsageError(f"{out} に batch.json がありません (grade batch の --out を指定) / "
                         f"not a batch results folder: {out}")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    records = []
    for s in manifest["students"]:
        path = out / s["file"]
        try:
            rec = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            rec = {"student": s["student"], "status": "pending", "reason": "not graded yet", "checks": [],
                   "quiz": {"taken": False, "questions": []}, "score": 0.0, "max_score": 0.0}
        records.append(rec)
    return manifest, records


def grade_rows(manifest: dict[str, Any], records: list[dict[str, Any]]) -> list[list[str]]:
    """Header + one row per student: id, status, total, max, points per exercise, per question, reason."""
    from grader.course.loading import find_section

    section = find_section(manifest["section"])
    exercises = [e.name for e in section.exercises]
    questions = sorted({q["id"] for r in records for q in (r.get("quiz") or {}).get("questions", [])})
    header = ["student", "status", "total", "max", *exercises, *questions, "reason"]
    rows = [header]
    for r in records:
        status = r.get("status", "error")
        graded = status == "ok"
        per_ex = {name: 0.0 for name in exercises}
        for c in r.get("checks", []):
            per_ex[c["exercise"]] = per_ex.get(c["exercise"], 0.0) + c["score"]
        per_q = {q["id"]: q["score"] for q in (r.get("quiz") or {}).get("questions", [])}
        row = [r.get("student", ""), status, _points(r.get("score")) if graded else "", _points(r.get("max_score")),
               *[_points(per_ex[n]) if graded else "" for n in exercises],
               *[_points(per_q.get(q)) if graded and q in per_q else "" for q in questions],
               r.get("reason", "")]
        rows.append(row)
    return rows


def write_csv(out: Path) -> Path:
    from grader.classroom.batch import write_atomic

    manifest, records = load_results(out)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")  # RFC 4180; Excel reads it
    for row in grade_rows(manifest, records):
        writer.writerow([escape_cell(c) for c in row])
    path = out / "grades.csv"
    write_atomic(path, "\ufeff" + buf.getvalue())  # BOM: Excel then reads the UTF-8 (Japanese) correctly
    return path
