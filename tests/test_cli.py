"""The command line: options, the JSON contract, exit codes 0/1/2/3, the quiz from a file, a terminal, or none."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import yaml

from grader.course.loading import load_bank
from tests.conftest import ROOT, run_grade

SOLUTION = ROOT / "solutions" / "day2" / "section2.py"
BANK = load_bank("day2.section2")


def right_answers() -> dict[str, object]:
    return {q.id: sorted(q.answers) if len(q.answers) > 1 else next(iter(q.answers)) for q in BANK.questions}


def test_json_contract_is_stable():
    g = run_grade("section2", "--submission", str(SOLUTION), "--no-quiz", "--json")
    r = g.report
    assert g.rc == 0
    assert {"section", "score", "max_score", "checks", "quiz"} <= set(r)
    assert r["section"] == "day2.section2"
    for c in r["checks"]:
        assert {"id", "exercise", "status", "score", "max_score", "feedback"} <= set(c)
        assert isinstance(c["feedback"], str) and c["feedback"]
    assert {c["exercise"] for c in r["checks"]} == {"SGD", "Momentum", "AdaGrad", "RMSprop", "Adam"}
    assert r["quiz"]["taken"] is False and "--no-quiz" in r["quiz"]["reason"]
    assert r["score"] == r["max_score"] == sum(c["max_score"] for c in r["checks"])


@pytest.mark.slow
def test_long_and_short_ids_are_the_same_section():
    a = run_grade("day2.section2", "--submission", str(SOLUTION), "--no-quiz", "--json").report
    b = run_grade("run", "section2", "--submission", str(SOLUTION), "--no-quiz", "--json").report
    strip = lambda r: [(c["id"], c["status"]) for c in r["checks"]]  # noqa: E731
    assert a["section"] == b["section"] == "day2.section2" and strip(a) == strip(b)


def test_default_submission_is_the_exercise_file():
    g = run_grade("section2", "--no-quiz", "--json")
    assert g.rc == 1
    assert {c["status"] for c in g.report["checks"]} == {"not_implemented"}


def test_stub_run_is_friendly_in_plain_text():
    g = run_grade("section2", "--no-quiz")
    assert g.rc == 1
    assert "未実装 / not implemented" in g.out
    assert "start at the TODOs" in g.out
    assert "Traceback" not in g.out + g.err


def test_lang_en_prints_english_only():
    g = run_grade("section2", "--no-quiz", "--lang", "en", "--submission", str(SOLUTION))
    assert g.rc == 0
    assert "checks: 24/24 passed" in g.out and "合格" not in g.out


def test_list_shows_sections_exercises_and_question_counts():
    g = run_grade("list")
    assert g.rc == 0
    assert "day2.section2 (section2)" in g.out
    assert "Momentum [6]" in g.out
    assert f"{len(BANK.questions)} 問" in g.out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["section9", "--no-quiz"], "unknown section day2.section9"),
        (["section2", "--submission", "no/such/file.py", "--no-quiz"], "submission not found"),
        (["section2", "--lang", "fr"], "Invalid value for '--lang'"),
        (["section2", "--answers", "no/such/answers.yaml"], "answers file not found"),
        (["frobnicate"], "No such command"),
    ],
)
def test_usage_errors_exit_2(args, needle):
    g = run_grade(*args)
    assert g.rc == 2, (g.rc, g.err)
    assert needle in g.err
    assert "Traceback" not in g.err


def test_answers_file_all_right_gives_full_score(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(right_answers()), encoding="utf-8")
    g = run_grade("section2", "--submission", str(SOLUTION), "--answers", str(answers), "--json")
    r = g.report
    assert g.rc == 0
    assert r["quiz"]["taken"] and r["quiz"]["score"] == r["quiz"]["max_score"] == len(BANK.questions)
    assert r["score"] == r["max_score"] == 29 + len(BANK.questions)


def test_a_wrong_answer_costs_its_point_and_says_why(tmp_path):
    answers = right_answers()
    q = next(q for q in BANK.questions if any(c.feedback for i, c in enumerate(q.choices) if i + 1 not in q.answers))
    wrong = next(i + 1 for i, c in enumerate(q.choices) if i + 1 not in q.answers and c.feedback)
    answers[q.id.rsplit(".", 1)[1]] = wrong  # short ids are accepted too
    del answers[q.id]
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers), encoding="utf-8")
    g = run_grade("section2", "--submission", str(SOLUTION), "--answers", str(path), "--json")
    assert g.rc == 1
    result = next(x for x in g.report["quiz"]["questions"] if x["id"] == q.id)
    assert not result["correct"] and q.choices[wrong - 1].feedback.en in result["feedback"]


def test_without_terminal_or_answers_the_quiz_is_skipped_with_a_message():
    g = run_grade("section2", "--submission", str(SOLUTION))
    assert g.rc == 0  # no quiz taken: the score covers the checks alone, and says so
    assert "quiz not taken" in g.out


def test_bad_answers_value_is_a_usage_error(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("day2.section2.q01: first\n", encoding="utf-8")
    g = run_grade("section2", "--submission", str(SOLUTION), "--answers", str(path))
    assert g.rc == 2 and "choice number" in g.err


@pytest.mark.slow
def test_interactive_quiz_on_a_terminal():
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(sys.executable, ["-m", "grader.cli.launch", "section2", "--submission", str(SOLUTION),
                                           "--lang", "en"], cwd=str(ROOT), encoding="utf-8", timeout=60,
                          dimensions=(50, 200))
    for q in BANK.questions:
        child.expect("answer> ")
        child.sendline(" ".join(str(a) for a in sorted(q.answers)))
    child.expect(pexpect.EOF)
    child.close()
    assert f"quiz: {len(BANK.questions)}/{len(BANK.questions)} correct" in child.before
    assert child.exitstatus == 0


# ---------------------------------------------------------------- faults of the package itself: exit 3


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the package whose data or checks a test may break (python -m runs the copy from its cwd)."""
    for part in ("grader", "question_bank", "exercises", "solutions"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_broken_yaml_names_file_question_and_field(project_copy):
    path = project_copy / "question_bank" / "day2" / "section2.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["questions"][2]["answr"] = data["questions"][2].pop("answer")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    g = run_grade("section2", cwd=project_copy)  # the quiz is asked for: its bank is read first
    assert g.rc == 3
    qid = data["questions"][2]["id"]
    assert "section2.yaml" in g.err and qid in g.err and "'answr'" in g.err and "unknown key" in g.err
    assert "Traceback" not in g.err


def test_yaml_syntax_error_names_the_line(project_copy):
    path = project_copy / "question_bank" / "day2" / "section2.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n  - id: [unclosed\n", encoding="utf-8")
    g = run_grade("section2", cwd=project_copy)  # the quiz is asked for: its bank is read first
    assert g.rc == 3 and "section2.yaml" in g.err and "line" in g.err


def test_unsafe_yaml_tag_is_refused(project_copy):
    path = project_copy / "question_bank" / "day2" / "section2.yaml"
    path.write_text("!!python/object/apply:os.system ['echo owned']\n", encoding="utf-8")
    g = run_grade("section2", cwd=project_copy)  # the quiz is asked for: its bank is read first
    assert g.rc == 3 and "owned" not in g.out


def test_no_quiz_grades_without_reading_the_bank(project_copy):
    """--no-quiz skips the quiz: its question file is not read, so a broken one does not stop the checks (any run
    with the quiz, and `grade bank check`, still name it)."""
    path = project_copy / "question_bank" / "day2" / "section2.yaml"
    path.write_text("questions: [unclosed\n", encoding="utf-8")
    g = run_grade("section2", "--no-quiz", "--submission", str(SOLUTION), cwd=project_copy)
    assert g.rc == 0 and "29 / 29" in g.out
    assert run_grade("section2", "--submission", str(SOLUTION), cwd=project_copy).rc == 3


def test_a_broken_check_is_a_grader_fault_never_the_learners_zero(project_copy):
    checks = project_copy / "grader" / "checks" / "day2" / "section2.py"
    checks.write_text(checks.read_text(encoding="utf-8").replace(
        "def test_one_step(learner, spec: Spec) -> None:\n",
        "def test_one_step(learner, spec: Spec) -> None:\n    {}['no such key']\n"), encoding="utf-8")
    g = run_grade("section2", "--no-quiz", "--json", "--submission", str(SOLUTION), cwd=project_copy)
    assert g.rc == 3
    assert "internal error" in g.err and "KeyError" in g.err
    assert "Traceback" not in g.err and g.out == ""


def test_points_in_the_manifest_must_match_the_checks(project_copy):
    path = project_copy / "question_bank" / "course.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("- name: SGD\n        points: 4", "- name: SGD\n        points: 5"), encoding="utf-8")
    g = run_grade("section2", "--no-quiz", "--submission", str(SOLUTION), cwd=project_copy)
    assert g.rc == 3 and "manifest says 5" in g.err


@pytest.mark.slow
def test_a_known_mistake_comes_back_named_in_its_own_field(tmp_path):
    """JSON contract: a failed check whose result matched a known wrong variant carries `misconception` (ja/en),
    so views (the class summary) count mistakes without parsing feedback text; quiz results keep both languages."""
    src = (ROOT / "solutions" / "day2" / "section2.py").read_text(encoding="utf-8")
    line = "params[key] -= self.lr * grads[key]  # その場で更新 (再代入しない)"
    assert src.count(line) == 1  # SGD's update
    path = tmp_path / "section2.py"
    path.write_text(src.replace(line, "params[key] += self.lr * grads[key]"), encoding="utf-8")
    g = run_grade("section2", "--submission", str(path), "--no-quiz", "--json")
    sgd = [c for c in g.report["checks"] if c["exercise"] == "SGD" and c["status"] == "failed"]
    assert sgd and all(c["misconception"] and c["misconception"]["en"] in c["feedback"] for c in sgd)
    assert all(c["misconception"] is None for c in g.report["checks"] if c["status"] == "passed")
    answers = tmp_path / "answers.yaml"
    answers.write_text("day2.section2.q01: 1\n", encoding="utf-8")
    g = run_grade("section2", "--submission", str(path), "--answers", str(answers), "--json", "--lang", "en")
    q = g.report["quiz"]["questions"][0]
    assert q["feedback_i18n"]["ja"] and q["feedback_i18n"]["en"] == q["feedback"]


def test_a_reader_that_leaves_early_is_no_grader_fault():
    """`grade list | head -1`: a closed pipe ends the command quietly (141, as a shell reports SIGPIPE), not as
    a grader internal error (3)."""
    import os
    import subprocess
    import sys

    r, w = os.pipe()
    os.close(r)  # the reader has left before the first line: every write meets a closed pipe
    try:
        proc = subprocess.run([sys.executable, "-m", "grader.cli.launch", "list"], cwd=ROOT, stdout=w,
                              stderr=subprocess.PIPE, timeout=60)
    finally:
        os.close(w)
    assert proc.returncode == 141 and b"internal error" not in proc.stderr


def test_a_fault_outside_any_command_goes_through_the_same_policy(capsys):
    """grader.cli.launch's last-resort handler asks grader/cli/common.fail: same codes, message made inert."""
    from grader.cli.launch import _exit_code_for
    from grader.errors import UsageError

    assert _exit_code_for(UsageError("no such section")) == 2
    assert _exit_code_for(BrokenPipeError()) == 141
    assert _exit_code_for(ValueError("\x1b[2Jforged")) == 3
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b[2Jforged" in err and "no such section" in err


@pytest.mark.parametrize("template", ["0", "1"])
@pytest.mark.parametrize("source", ["def broken(:\n", None])
def test_a_grade_leaves_no_temporary_folder(tmp_path, source, template):
    """The worker started before the options are read is stopped with its folder even when no check took it (a
    file that does not compile), and so is a template (GRADER_WORKER_TEMPLATE): a learner's /tmp does not fill up
    with one empty folder per run."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    sub = tmp_path / "section2.py"
    sub.write_text(source if source is not None else (ROOT / "solutions/day2/section2.py").read_text(encoding="utf-8"),
                   encoding="utf-8")
    g = run_grade("section2", "--submission", str(sub), "--no-quiz", "--sandbox", "off",
                  env={"TMPDIR": str(tmp), "GRADER_WORKER_TEMPLATE": template})
    assert g.rc in (0, 1), g.err
    assert sorted(p.name for p in tmp.iterdir()) == []
