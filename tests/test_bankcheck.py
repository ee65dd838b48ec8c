"""`grade bank check` (the authors' one command) and `grade bank schema` (the JSON Schema for editors)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grader import authoring as bankcheck
from tests.conftest import ROOT, run_grade


def test_bank_check_passes_on_the_project():
    g = run_grade("bank", "check", "--no-grading", "--seeds", "20")
    assert g.rc == 0, g.out + g.err
    assert "bank check: OK" in g.out and "templates sound over 20 seeds" in g.out


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    for part in ("grader", "question_bank", "exercises", "solutions", "tests/answers"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_bank_check_names_a_wrong_answer_key_and_a_stray_file(project_copy):
    path = project_copy / "question_bank" / "day2" / "section2.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("- id: day2.section2.q02")
    end = text.index("- id: day2.section2.q03")
    path.write_text(text[:start] + text[start:end].replace("answer: 1", "answer: 2") + text[end:], encoding="utf-8")
    (project_copy / "question_bank" / "day2" / "section9.yaml").write_text("section: day2.section9\n", encoding="utf-8")
    g = run_grade("bank", "check", "--no-grading", "--seeds", "5", cwd=project_copy)
    assert g.rc == 1
    assert "day2.section2.q02: solution gives 2.15" in g.out and "the answer key says [2]" in g.out
    assert "section9.yaml: not a section of course.yaml" in g.out
    assert "bank check: 2 problem(s) found" in g.out and "Traceback" not in g.out + g.err


def test_bank_check_names_a_broken_template(project_copy):
    path = project_copy / "question_bank" / "templates.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("      forgot_lr:\n", "      forgot_the_lr:\n"),
                    encoding="utf-8")
    g = run_grade("bank", "check", "--no-grading", "--seeds", "5", cwd=project_copy)
    assert g.rc == 1 and "template sgd_step" in g.out and "forgot_the_lr" in g.out


def test_grading_step_proves_stubs_fail_and_solutions_pass(monkeypatch):
    real = bankcheck.section_paths
    lines: list[str] = []
    assert bankcheck.grading_problems(lines.append, ["day2.section5"]) == []
    assert "stub 11/11 not_implemented, solution 14/14" in lines[0]

    def swapped(section_id, root=ROOT):
        p = real(section_id, root)
        return {**p, "exercise": p["solution"], "solution": p["exercise"]}

    monkeypatch.setattr(bankcheck, "section_paths", swapped)
    problems = bankcheck.grading_problems(lines.append, ["day2.section5"])
    assert any("untouched stub has checks ['passed']" in p for p in problems)
    assert any("the solution scores 0/14" in p for p in problems)


def test_schema_is_written_and_describes_the_question_format(tmp_path):
    out = tmp_path / "schema.json"
    g = run_grade("bank", "schema", str(out))
    assert g.rc == 0 and out.is_file()
    schema = json.loads(out.read_text(encoding="utf-8"))
    defs = schema["$defs"]
    assert {"Question", "QuestionBank", "Choice", "Text", "TemplateSpec", "TemplateBank", "Course"} <= set(defs)
    assert defs["Question"]["additionalProperties"] is False
    assert {"id", "ja", "en", "choices", "answer", "explanation"} <= set(defs["Question"]["required"])
    assert schema == json.loads((ROOT / "question_bank" / "schema.json").read_text(encoding="utf-8"))
    assert json.loads(run_grade("bank", "schema").out) == schema  # stdout by default


def test_an_outdated_schema_file_is_a_problem(tmp_path, monkeypatch):
    assert bankcheck.schema_problems() == []
    stale = tmp_path / "schema.json"
    stale.write_text("{}", encoding="utf-8")
    monkeypatch.setattr(bankcheck, "SCHEMA_PATH", stale)
    monkeypatch.setattr(bankcheck, "ROOT", tmp_path)
    assert "out of date" in bankcheck.schema_problems()[0]
