"""grades.csv (formula injection escaped, one row per student) and the class summary, on hand-made results."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader.classroom.batch import result_name
from grader.classroom.export import escape_cell, write_csv
from grader.classroom.summary import misconception_of, write_summary
from grader.cli.app import app
from grader.errors import UsageError


@pytest.mark.parametrize("raw, cell", [
    ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
    ("+1+1", "'+1+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\\rx"),
    ("new\nline", "new\\nline"), ("s0123", "s0123"), ("29", "29"), ("学生 a=b", "学生 a=b"), (None, ""),
])
def test_escape_cell(raw, cell):
    assert escape_cell(raw) == cell


def check(ex: str, cid: str, status: str, score: float, feedback: str = "correct") -> dict:
    return {"id": cid, "exercise": ex, "status": status, "score": score, "max_score": 1.0, "feedback": feedback,
            "feedback_i18n": {"ja": feedback, "en": feedback}, "duration": 0.01}


def results_folder(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    (out / "results").mkdir(parents=True)
    sign = "params['W'] after update 1: the sign of the update is flipped"
    recs = [
        {"student": "s1", "status": "ok", "sha256": "a" * 64, "score": 3.0, "max_score": 4.0,
         "checks": [check("SGD", "t1", "passed", 1), check("SGD", "t2", "failed", 0, sign),
                    check("Adam", "t3", "passed", 1)],
         "quiz": {"taken": True, "questions": [{"id": "day2.section2.q01", "score": 1.0, "max_score": 1.0}]}},
        {"student": "=HYPERLINK(\"http://evil\",\"x\")", "status": "ok", "sha256": "b" * 64, "score": 1.0, "max_score": 3.0,
         "checks": [check("SGD", "t1", "passed", 1), check("SGD", "t2", "failed", 0, "with SGD(): " + sign),
                    check("Adam", "t3", "timeout", 0, "did not finish within 1 s")],
         "quiz": {"taken": False, "questions": []}},
        {"student": "-x\nnew", "status": "rejected", "reason": "name starts with '-'", "score": 0.0,
         "max_score": 3.0, "checks": [], "quiz": {"taken": False, "questions": []}},
        {"student": "s4", "status": "error", "sha256": "a" * 64, "reason": "over the per-submission wall limit (5 s)", "score": 0.0,
         "max_score": 3.0, "checks": [], "quiz": {"taken": False, "questions": []}},
    ]
    for r in recs:
        (out / "results" / result_name(r["student"])).write_text(json.dumps(r), encoding="utf-8")
    students = [{"student": r["student"], "file": f"results/{result_name(r['student'])}"} for r in recs]
    students.append({"student": "s5", "file": "results/s5-missing.json"})  # interrupted before it was graded
    manifest = {"section": "day2.section2", "title": {"ja": "学習率最適化手法", "en": "optimizers"}, "students": students}
    (out / "batch.json").write_text(json.dumps(manifest), encoding="utf-8")
    return out


def test_csv_has_one_row_per_student_and_no_live_formula(tmp_path):
    out = results_folder(tmp_path)
    text = write_csv(out).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["student", "status", "total", "max"]
    assert {"SGD", "Momentum", "AdaGrad", "RMSprop", "Adam", "day2.section2.q01", "reason"} <= set(header)
    assert len(body) == 5 and all(len(r) == len(header) for r in body)
    col = {name: i for i, name in enumerate(header)}
    s1 = body[0]
    assert (s1[col["status"]], s1[col["total"]], s1[col["SGD"]], s1[col["Adam"]]) == ("ok", "3", "1", "1")
    assert s1[col["day2.section2.q01"]] == "1"
    evil = body[1]
    assert evil[0] == "'=HYPERLINK(\"http://evil\",\"x\")"
    rejected = body[2]
    assert rejected[0] == "'-x\\nnew" and rejected[col["status"]] == "rejected" and rejected[col["total"]] == ""
    assert body[3][col["status"]] == "error" and body[3][col["total"]] == ""
    assert body[4][:2] == ["s5", "pending"]
    for row in body:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert text.count("\r\n") == len(rows)  # one physical line per student


def test_summary_counts_misconceptions_and_trouble(tmp_path):
    out = results_folder(tmp_path)
    s, path = write_summary(out)
    assert s.status_counts == {"ok": 2, "rejected": 1, "error": 1, "pending": 1}
    assert s.misconceptions == [("SGD", "the sign of the update is flipped", 2)]
    assert ("SGD", "t2", 0, 2) in s.checks and ("SGD", "t1", 2, 2) in s.checks
    trouble = dict(s.trouble)
    assert "timeout ×1" in trouble["=HYPERLINK(\"http://evil\",\"x\")"] and "wall limit" in trouble["s4"]
    assert "s1" not in trouble
    assert s.identical == [["s1", "s4"]]
    md = path.read_text(encoding="utf-8")
    assert "| 75–80% | 1 |" in md or "70–80%" in md
    assert "\\-x\\\\nnew" not in md and "-x\\nnew" in md  # the newline in an id never breaks a markdown line
    assert "HYPERLINK(\"http://evil\",\"x\")" in md and "<" not in md.replace("\\<", "")


def test_misconception_drops_where_it_was_seen():
    assert misconception_of("with SGD(): params['W'] after update 1: sign flipped") == "sign flipped"
    assert misconception_of("params['W'] after update 1: no square root: lr·g / (√h + ε)") == \
        "no square root: lr·g / (√h + ε)"
    assert misconception_of("the return value: forgot +1\n  expected 1") == "the return value: forgot +1"
    assert misconception_of("") == ""


def test_summary_command_and_its_usage_error(tmp_path):
    out = results_folder(tmp_path)
    r = CliRunner().invoke(app, ["summary", str(out)])
    assert r.exit_code == 0, r.output
    assert "ok 2 · rejected 1 · error 1 · pending 1" in r.output
    assert "the sign of the update is flipped" in r.output
    assert (out / "summary.md").is_file()
    r = CliRunner().invoke(app, ["summary", str(tmp_path / "nothing")])
    assert r.exit_code == 2 and "not a batch results folder" in r.output
    with pytest.raises(UsageError):
        write_csv(tmp_path / "nothing")
