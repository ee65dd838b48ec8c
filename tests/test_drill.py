"""`grade quiz` and `grade exam`: reproducible by seed, answered from a file or a terminal, never hanging."""

from __future__ import annotations

import json
import sys
import types

import pytest
import yaml

from grader.practice import drill
from grader.results import QuestionResult
from tests.conftest import ROOT, grade_env, run_grade


def listing(*args: str) -> dict:
    g = run_grade(*args, "--print", "--json")
    assert g.rc == 0, g.err
    return json.loads(g.out)


def right(key: str) -> list[int]:
    return sorted(drill.resolve(key).question.answers)


def write_answers(tmp_path, answers: dict) -> str:
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers, allow_unicode=True), encoding="utf-8")
    return str(path)


@pytest.mark.slow
def test_a_drill_mixes_fixed_and_parametric_questions_and_a_seed_reproduces_it():
    a = listing("quiz", "section2", "--count", "8", "--seed", "5")
    keys = [q["key"] for q in a["questions"]]
    assert len(keys) == 8 and a["seed"] == 5
    assert any("@" in k for k in keys) and any(k.startswith("day2.section2.q") for k in keys)
    assert all(q["section"] == "day2.section2" for q in a["questions"])
    assert a == listing("quiz", "section2", "--count", "8", "--seed", "5")
    assert keys != [q["key"] for q in listing("quiz", "section2", "--count", "8", "--seed", "6")["questions"]]
    assert not any({"answer", "answers", "explanation"} & set(q) for q in a["questions"])  # no answers given away


def test_a_drill_answered_from_a_file_all_right(tmp_path):
    keys = [q["key"] for q in listing("quiz", "section4", "--count", "6", "--seed", "9")["questions"]]
    path = write_answers(tmp_path, {k: right(k) for k in keys})
    g = run_grade("quiz", "section4", "--count", "6", "--seed", "9", "--answers", path, "--lang", "en")
    assert g.rc == 0, g.err
    assert "result: 6/6 correct" in g.out and "day2.section4" in g.out


def test_a_wrong_parametric_answer_names_the_misconception(tmp_path):
    item = drill.resolve("conv_output_size@77")
    wrong = next(i for i in range(1, len(item.question.choices) + 1) if i not in item.question.answers)
    path = write_answers(tmp_path, {"conv_output_size@77": wrong, "day2.section2.q02": right("day2.section2.q02")})
    g = run_grade("quiz", "--answers", path, "--json", "--lang", "en")  # no --seed: the file's keys are the drill
    assert g.rc == 1, g.err
    r = json.loads(g.out)
    assert [q["id"] for q in r["questions"]] == ["conv_output_size@77", "day2.section2.q02"]
    assert r["score"] == 1 and r["max_score"] == 2
    fb = r["questions"][0]["feedback"]
    assert not r["questions"][0]["correct"] and "wrong" in fb
    misconception = item.question.choices[wrong - 1].feedback.en.split("]")[0] + "]"  # "[forgot_plus_one]"
    assert misconception.startswith("[") and misconception in fb
    assert r["breakdown"]["sections"] == {"day2.section4": [0, 1], "day2.section2": [1, 1]}


def test_an_exam_from_a_file_is_scored_with_a_per_topic_breakdown(tmp_path):
    keys = [q["key"] for q in listing("exam", "--count", "12", "--seed", "3")["questions"]]
    assert len({k.split("@")[0].rsplit(".", 1)[0] for k in keys}) > 1  # across sections
    answers = {k: right(k) for k in keys}
    answers[keys[0]] = [a % 4 + 1 for a in right(keys[0])][:1]  # one wrong
    g = run_grade("exam", "--count", "12", "--seed", "3", "--answers", write_answers(tmp_path, answers), "--lang", "en")
    assert g.rc == 1
    assert "result: 11/12 correct" in g.out and "by section:" in g.out and f"✘ {keys[0]}" in g.out


@pytest.mark.parametrize("command", [["quiz", "section2"], ["exam"]])
def test_without_terminal_or_answers_exit_2_at_once(command):
    g = run_grade(*command, timeout=30)
    assert g.rc == 2 and "--answers" in g.err and "--print" in g.err and "Traceback" not in g.err


@pytest.mark.parametrize(("content", "needle"), [
    ("no_such_template@3: 1\n", "unknown question template"),
    ("day2.section2.q99: 1\n", "unknown question key"),
    ("sgd_step@3: first\n", "choice number"),
    ("- 1\n- 2\n", "must map question keys"),
])
def test_bad_answers_files_are_usage_errors(tmp_path, content, needle):
    path = tmp_path / "a.yaml"
    path.write_text(content, encoding="utf-8")
    g = run_grade("quiz", "--answers", str(path))
    assert g.rc == 2 and needle in g.err, g.err


def test_unknown_section_is_a_usage_error():
    g = run_grade("quiz", "section9", "--print")
    assert g.rc == 2 and "unknown section" in g.err


def test_results_are_handed_to_the_progress_database_and_its_faults_ignored(monkeypatch):
    calls = []
    fake = types.ModuleType("grader.practice.progress")
    fake.record_answers = lambda kind, section, results: calls.append((kind, section, len(results)))
    monkeypatch.setitem(sys.modules, "grader.practice.progress", fake)
    result = QuestionResult(id="sgd_step@1", chosen=[1], correct=True, score=1, max_score=1, feedback="ok")
    drill.record("drill", "day2.section2", [], [result])
    assert calls == [("drill", "day2.section2", 1)]

    def broken(kind, section, results):
        raise RuntimeError("database is locked")

    fake.record_answers = broken
    drill.record("exam", None, [], [result])  # no exception
    monkeypatch.setitem(sys.modules, "grader.practice.progress", None)  # the module does not exist
    drill.record("exam", None, [], [result])


# ---------------------------------------------------------------- on a terminal (pseudo-terminal)


def spawn(*args: str):
    pexpect = pytest.importorskip("pexpect")
    return pexpect, pexpect.spawn(sys.executable, ["-m", "grader.cli.launch", *args], cwd=str(ROOT), encoding="utf-8",
                                  timeout=60, dimensions=(50, 200), env=grade_env())


def test_drill_on_a_terminal_one_by_one_with_feedback():
    items = drill.build(["day2.section2"], 3, seed=11).items
    pexpect, child = spawn("quiz", "section2", "--count", "3", "--seed", "11", "--lang", "en")
    child.expect("seed 11")
    wrong_item = next(it for it in items if any(c.feedback for c in it.question.choices))
    for it in items:
        child.expect(r"answer> ")
        if it is wrong_item:
            n = next(i for i, c in enumerate(it.question.choices, 1) if c.feedback and i not in it.question.answers)
            child.sendline("x")  # not a number: asked again
            child.expect("enter a number")
            child.expect(r"answer> ")
            child.sendline(str(n))
            child.expect("✘")
            child.expect_exact(it.question.choices[n - 1].feedback.en[:40])
        else:
            child.sendline(" ".join(map(str, sorted(it.question.answers))))
            child.expect("✔")
    child.expect(pexpect.EOF)
    child.close()
    assert "result: 2/3 correct" in child.before and "by section:" in child.before
    assert child.exitstatus == 1


def test_drill_on_a_terminal_stops_cleanly_at_end_of_input():
    pexpect, child = spawn("quiz", "section2", "--count", "3", "--seed", "1", "--lang", "en")
    child.expect(r"answer> ")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert "stopped" in child.before and "result: 0/3 correct" in child.before and child.exitstatus == 1


@pytest.mark.slow
def test_exam_on_a_terminal_any_order_revisit_and_submit():
    items = drill.build(None, 4, seed=2).items
    pexpect, child = spawn("exam", "--count", "4", "--seed", "2", "--lang", "en", "--minutes", "5")
    prompt = r"answered, \d+:\d\d left\] > "
    child.expect(prompt)
    first_wrong = next(i for i in range(1, 5) if i not in items[1].question.answers)
    child.sendline(f"2 {first_wrong}")  # a wrong answer first, revisited below
    child.expect(r"\[1/4 answered")
    child.sendline("3")  # show question 3 again
    child.expect_exact(f"3. ({items[2].key})")
    child.expect(prompt)
    child.sendline("1 99")
    child.expect("not a choice number")
    for n in (4, 3, 1, 2):  # any order; question 2 answered again
        child.expect(prompt)
        child.sendline(f"{n} " + ",".join(map(str, sorted(items[n - 1].question.answers))))
    child.expect(prompt)
    child.sendline("l")
    child.expect(items[3].key)
    child.expect(prompt)
    child.sendline("s")
    child.expect(pexpect.EOF)
    child.close()
    assert "result: 4/4 correct" in child.before and "by section:" in child.before
    assert child.exitstatus == 0


@pytest.mark.slow
def test_exam_on_a_terminal_ends_when_the_time_is_up():
    pexpect, child = spawn("exam", "--count", "3", "--seed", "4", "--lang", "en", "--minutes", "0.03")
    child.expect("time is up", timeout=30)
    child.expect(pexpect.EOF)
    child.close()
    assert "result: 0/3 correct" in child.before and child.exitstatus == 1
