"""`grade bank check` (the authors' one command), `grade bank new-section` (a section's files, scaffolded) and
`grade bank schema` (the JSON Schema for editors). Everything that writes works in a copy of the project."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
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
    for part in ("grader", "question_bank", "exercises", "solutions", "tests/answers", "tests/mutants",
                 "tests/accepted"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    # each test below is about one kind of problem: the project's own schema freshness is the first test's
    (tmp_path / "question_bank" / "schema.json").write_text(
        json.dumps(bankcheck.json_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return tmp_path


def problems(out: str) -> list[str]:
    """The problem lines of a `grade bank check` run (each on its own line, after ✘)."""
    return [m[1] for m in re.finditer(r"^  ✘ (?!\d+ problem\(s\)  \()(.*)$", out, re.MULTILINE)]


@pytest.mark.slow
def test_bank_check_names_a_wrong_answer_key_and_a_stray_file(project_copy):
    path = project_copy / "question_bank" / "day2" / "section2.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("- id: day2.section2.q02")
    end = text.index("- id: day2.section2.q03")
    path.write_text(text[:start] + text[start:end].replace("answer: 1", "answer: 2") + text[end:], encoding="utf-8")
    (project_copy / "question_bank" / "day2" / "section9.yaml").write_text("section: day2.section9\n", encoding="utf-8")
    g = run_grade("bank", "check", "--no-grading", "--seeds", "5", cwd=project_copy)
    assert g.rc == 1
    assert "question_bank/day2/section2.yaml: question day2.section2.q02: solution gives 2.15" in g.out
    assert "the answer key says [2]" in g.out
    assert "question_bank/day2/section9.yaml: not a section of course.yaml" in g.out
    assert "bank check: 2 problem(s) found" in g.out and "Traceback" not in g.out + g.err


@pytest.mark.slow
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
    assert {"Question", "QuestionBank", "Choice", "Text", "QuestionTemplate", "QuestionTemplateBank", "Course"} <= set(defs)
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


# ---------------------------------------------------------------- every piece of every section, in one run


@pytest.mark.slow
def test_a_manifest_entry_with_nothing_behind_it_names_every_missing_file(project_copy):
    with (project_copy / "question_bank" / "course.yaml").open("a", encoding="utf-8") as f:
        f.write("  - id: day4.section2\n    title: {ja: 空, en: Empty}\n    exercises:\n"
                "      - name: nothing\n        points: 2\n        hints: [{ja: ヒント, en: a hint}]\n")
    g = run_grade("bank", "check", "--no-grading", "--seeds", "2", cwd=project_copy)
    assert g.rc == 1 and "Traceback" not in g.out + g.err
    assert set(problems(g.out)) == {
        "exercises/day4/section2.py: missing (the stub learners edit of day4.section2)",
        "solutions/day4/section2.py: missing (the reference solution of day4.section2)",
        "grader/checks/day4/section2.py: missing (the hidden checks of day4.section2)",
        "question_bank/day4/section2.yaml: missing (the 確認テスト questions of day4.section2)",
        "tests/mutants/day4/section2.yaml: missing (the catalogued mistakes of day4.section2)",
        "exercises/day4/__init__.py: missing (makes exercises/day4/ a package)",
        "solutions/day4/__init__.py: missing (makes solutions/day4/ a package)",
        "grader/checks/day4/__init__.py: missing (makes grader/checks/day4/ a package)",
    }
    assert "bank check: 8 problem(s) found" in g.out


@pytest.mark.slow
def test_every_inconsistency_is_named_in_one_run(project_copy):
    """Four unrelated slips in four files of three sections: one run names each (and what follows from them),
    each problem on its own line with its file (and question id and field)."""
    stub = project_copy / "exercises" / "day1" / "section2.py"
    stub.write_text(stub.read_text(encoding="utf-8").replace("def relu_grad(", "def relu_gradient("),
                    encoding="utf-8")
    bank = project_copy / "question_bank" / "day2" / "section5.yaml"
    text = bank.read_text(encoding="utf-8")
    start, end = text.index("- id: day2.section5.q02"), text.index("- id: day2.section5.q03")
    bank.write_text(text[:start] + text[start:end].replace("tags: [alexnet, parameters, numeric]",
                                                           "tags: [alexnet, parameters]") + text[end:],
                    encoding="utf-8")
    mutants = project_copy / "tests" / "mutants" / "day2" / "section5.yaml"
    mutants.write_text(mutants.read_text(encoding="utf-8").replace("  - alexnet_summary\n  feedback: '224'",
                                                                   "  - alexnet\n  feedback: '224'"),
                       encoding="utf-8")
    checks = project_copy / "grader" / "checks" / "day2" / "section5.py"
    checks.write_text("from grader.engine.checking import fail\n" + checks.read_text(encoding="utf-8"),
                      encoding="utf-8")
    g = run_grade("bank", "check", "--no-grading", "--seeds", "2", cwd=project_copy)
    assert g.rc == 1 and "Traceback" not in g.out + g.err
    found = problems(g.out)
    assert found == [p for p in found if p.split(":")[0].endswith((".py", ".yaml"))]  # each names its file
    expected = [
        "exercises/day1/section2.py: defines no `relu_grad` (an exercise of course.yaml)",
        "exercises/day1/section2.py: defines `relu_gradient`, which course.yaml does not list",
        "question_bank/day2/section5.yaml: question day2.section5.q02: field 'tags': choices [1, 2, 3, 4] have "
        "`value:` but the question is not tagged `numeric`",
        "grader/checks/day2/section5.py:1: imports grader.engine.checking: a check file imports only "
        "grader.engine.api",
        "tests/mutants/day2/section5.yaml: mutant `alexnet_224` targets `alexnet`, which is not an exercise",
        "tests/answers/day2/section5.py: computes ['q02'], which are not numeric questions of day2.section5",
    ]
    for e in expected:
        assert any(p.startswith(e) for p in found), (e, found)
    assert len(found) == len(expected), found


@pytest.mark.slow
def test_a_missing_checks_file_is_an_authors_error(project_copy):
    checks = project_copy / "grader" / "checks" / "day1" / "section1.py"
    checks.unlink()
    solution = project_copy / "solutions" / "day1" / "section1.py"
    g = run_grade("day1.section1", "--submission", str(solution), "--no-quiz", cwd=project_copy)
    assert g.rc == 2, g.out + g.err
    assert str(checks) in g.err and "internal" not in g.err
    g = run_grade("day1.section1", "--submission", str(solution), "--no-quiz", "--json", cwd=project_copy)
    assert g.rc == 2 and str(checks) in g.err
    g = run_grade("bank", "check", "--no-grading", "--seeds", "2", cwd=project_copy)
    assert g.rc == 1 and "Traceback" not in g.out + g.err
    assert problems(g.out) == ["grader/checks/day1/section1.py: missing (the hidden checks of day1.section1)"]


def test_grading_step_skips_an_unfinished_section():
    lines: list[str] = []
    assert bankcheck.grading_problems(lines.append, ["day2.section5"], skip={"day2.section5"}) == []
    assert "not graded: its files are not complete yet" in lines[0]


def test_question_rules(tmp_path):
    from grader.course.models import QuestionBank

    bank = bankcheck.load_bank("day2.section5")
    q = next(q for q in bank.questions if q.numeric)
    untagged = q.model_copy(update={"tags": [t for t in q.tags if t != "numeric"]})
    valueless = q.model_copy(update={"choices": [q.choices[0].model_copy(update={"value": None}), *q.choices[1:]]})
    placeholder = q.model_copy(update={"id": "day2.section5.q99", "en": "PLACEHOLDER: the question",
                                       "tags": ["placeholder"]})
    path = tmp_path / "section5.yaml"
    found = bankcheck.question_problems(path, QuestionBank(section="day2.section5",
                                                          questions=[untagged]))
    assert len(found) == 1 and f"question {q.id}: field 'tags'" in found[0] and str(path) in found[0]
    found = bankcheck.question_problems(path, QuestionBank(section="day2.section5", questions=[valueless]))
    assert found == [f"{path}: question {q.id}: field 'choices': tagged `numeric`, but choice(s) [1] have no "
                     "`value:`"]
    found = bankcheck.question_problems(path, QuestionBank(section="day2.section5", questions=[placeholder]))
    assert found == [f"{path}: question day2.section5.q99: still a placeholder (fields en; tag `placeholder`): "
                     "write the question"]


# ---------------------------------------------------------------- `grade bank new-section`


@pytest.mark.slow
def test_new_section_scaffolds_every_file_and_bank_check_names_what_is_left(project_copy):
    course = project_copy / "question_bank" / "course.yaml"
    before = course.read_text(encoding="utf-8")
    g = run_grade("bank", "new-section", "day8.section5", "系列変換 / Sequence to sequence", "-e", "encode",
                  "-e", "decode", "--points", "2", cwd=project_copy)
    assert g.rc == 0, g.out + g.err
    assert "to do   add grader.checks.day8 to [tool.setuptools] packages in pyproject.toml" in g.out
    for rel in ("exercises/day8/section5.py", "solutions/day8/section5.py", "grader/checks/day8/__init__.py",
                "grader/checks/day8/section5.py", "question_bank/day8/section5.yaml",
                "tests/answers/day8/section5.py", "tests/mutants/day8/section5.yaml"):
        assert f"created {rel}" in g.out and (project_copy / rel).is_file(), rel
    after = course.read_text(encoding="utf-8")
    assert after.startswith(before) and "TODO" not in after  # appended (last in course order), nothing reformatted
    entry = after[len(before):]
    assert entry.startswith("  - id: day8.section5\n    title:\n      ja: 系列変換\n      en: Sequence to sequence\n")
    checks = (project_copy / "grader/checks/day8/section5.py").read_text(encoding="utf-8")
    assert "public=True" in checks and "from grader.engine.api import" in checks and "TODO" not in checks

    g = run_grade("bank", "check", "--no-grading", "--seeds", "2", cwd=project_copy)
    assert g.rc == 1 and "Traceback" not in g.out + g.err
    assert problems(g.out) == [
        "question_bank/course.yaml: section day8.section5: exercise encode: field 'hints[1]' is a placeholder",
        "question_bank/course.yaml: section day8.section5: exercise decode: field 'hints[1]' is a placeholder",
        "question_bank/day8/section5.yaml: question day8.section5.q01: still a placeholder (fields ja, en, choices, "
        "explanation; tag `placeholder`): write the question",
        "pyproject.toml: [tool.setuptools] packages lacks grader.checks.day8 (the wheel would not ship "
        "grader/checks/day8/)",
        "pyproject.toml: [tool.setuptools] packages lacks grader._data.exercises.day8 (the wheel would not ship "
        "exercises/day8/)",
        "pyproject.toml: [tool.setuptools] packages lacks grader._data.question_bank.day8 (the wheel would not "
        "ship question_bank/day8/)",
        "exercises/day8/section5.py: the module docstring is a placeholder",
        "exercises/day8/section5.py: `encode` is a placeholder: write its docstring (both languages: what it "
        "computes, the formula, the shapes, a worked example)",
        "exercises/day8/section5.py: `decode` is a placeholder: write its docstring (both languages: what it "
        "computes, the formula, the shapes, a worked example)",
        "grader/checks/day8/section5.py: check `test_encode_placeholder` is a placeholder: write the checks of "
        "encode",
        "grader/checks/day8/section5.py: check `test_decode_placeholder` is a placeholder: write the checks of "
        "decode",
        "solutions/day8/section5.py: `encode` is not implemented yet (it raises NotImplementedError)",
        "solutions/day8/section5.py: `decode` is not implemented yet (it raises NotImplementedError)",
        "tests/mutants/day8/section5.yaml: no mutant targets `encode`: catalogue a mistake of it (every check "
        "must fail on some mutant: python -m tests.mutant_coverage)",
        "tests/mutants/day8/section5.yaml: no mutant targets `decode`: catalogue a mistake of it (every check "
        "must fail on some mutant: python -m tests.mutant_coverage)",
    ]

    ruff = Path(sys.executable).with_name("ruff")
    exe = str(ruff) if ruff.exists() else shutil.which("ruff")
    if exe is not None:  # what an author scaffolds is lint-clean under the project's settings
        proc = subprocess.run([exe, "check", "--output-format", "concise", "exercises/day8/section5.py",
                               "solutions/day8/section5.py", "grader/checks/day8", "tests/answers/day8"],
                              capture_output=True, text=True, cwd=project_copy, timeout=120)
        assert proc.returncode == 0, proc.stdout[-2000:]


@pytest.mark.slow
def test_new_section_goes_in_course_order_keeps_existing_files_and_refuses_an_existing_id(project_copy):
    course = project_copy / "question_bank" / "course.yaml"
    for tree in ("exercises", "solutions"):  # an author's stub and solution written before the section is listed
        (project_copy / tree / "day8").mkdir()
        (project_copy / tree / "day8" / "section1.py").write_bytes((project_copy / tree / "day2" / "section2.py").read_bytes())
    stub = (project_copy / "exercises" / "day8" / "section1.py").read_text(encoding="utf-8")
    g = run_grade("bank", "new-section", "day8.section1", "--en", "Optimisers again", cwd=project_copy)
    assert g.rc == 0, g.out + g.err
    assert "kept    exercises/day8/section1.py (exists)" in g.out and "kept    solutions/day8/section1.py" in g.out
    assert "exercises: SGD, Momentum, AdaGrad, RMSprop, Adam" in g.out  # taken from the existing stub
    assert (project_copy / "exercises" / "day8" / "section1.py").read_text(encoding="utf-8") == stub
    before = course.read_text(encoding="utf-8")
    g = run_grade("bank", "new-section", "day1.section6", "-e", "f", cwd=project_copy)
    assert g.rc == 0, g.out + g.err
    after = course.read_text(encoding="utf-8")
    start, end = after.index("  - id: day1.section6\n"), after.index("  - id: day2.section1\n")
    assert start > after.index("  - id: day1.section5\n")  # in course order, every other byte as it was
    assert after[:start] + after[end:] == before

    g = run_grade("bank", "new-section", "day1.section6", "-e", "g", cwd=project_copy)
    assert g.rc == 2 and "already exists" in g.err
    g = run_grade("bank", "new-section", "day9.section9", cwd=project_copy)
    assert g.rc == 2 and "--exercise" in g.err
    g = run_grade("bank", "new-section", "day9.sec", "-e", "f", cwd=project_copy)
    assert g.rc == 2 and "not a section id" in g.err
    g = run_grade("bank", "check", "--no-grading", "--seeds", "2", cwd=project_copy)
    found = problems(g.out)
    assert "question_bank/course.yaml: section day8.section1: field 'title.ja' is a placeholder" in found
    assert "question_bank/course.yaml: section day8.section1: field 'title.en' is a placeholder" not in found
    assert not any(p.startswith("exercises/day8/section1.py") for p in found)  # the existing stub is complete
