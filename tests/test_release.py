"""The student release: built into a temporary folder, proved clean by scanning every file, and graded there."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from grader.course import load_bank, load_course, section_paths
from grader.errors import CourseDataError
from grader.quiz import ask_interactively
from grader.release import (
    answer_hash,
    audit_release,
    check_visibility,
    load_sealed_bank,
    strip_hidden,
)
from tests.conftest import ROOT, run_grade

SECTIONS = [s.id for s in load_course().sections]
SOLUTION2 = ROOT / "solutions" / "day2" / "section2.py"


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("classroom") / "release"
    g = run_grade("release", str(out))  # verifies too: every stub and solution graded with the release
    assert g.rc == 0, g.err
    assert "verified" in g.out and "day2.section2: 公開 / public 1" in g.out
    return out


def release_files(release: Path) -> list[Path]:
    return [p for p in sorted(release.rglob("*")) if p.is_file()]


def read(p: Path) -> str:
    return p.read_bytes().decode("utf-8", "replace")


# ---------------------------------------------------------------- nothing hidden leaks


def checks_by_visibility() -> tuple[set[str], set[str]]:
    """Read from the sources, independently of grader/release.py: a test function is public when
    `public=True` is written in its decorators."""
    public, hidden = set(), set()
    for sid in SECTIONS:
        tree = ast.parse(section_paths(sid)["checks"].read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                marked = any(isinstance(k, ast.keyword) and k.arg == "public" and getattr(k.value, "value", None) is True
                             for d in node.decorator_list for k in ast.walk(d))
                (public if marked else hidden).add(node.name)
    return public, hidden - public  # a name used in two files counts as public if public anywhere


def test_every_exercise_has_a_public_check() -> None:
    for sid in SECTIONS:
        vis = check_visibility(sid, ROOT)
        assert any(vis.values()), sid


def test_release_has_no_hidden_check(release: Path) -> None:
    public, hidden = checks_by_visibility()
    assert len(hidden) > 100 and len(public) > 30
    pattern = re.compile(r"\b(" + "|".join(sorted(hidden)) + r")\b")
    for p in release_files(release):
        m = pattern.search(read(p))
        assert m is None, f"{p.relative_to(release)} names the hidden check {m.group(1)}"
    shipped = "".join(read(p) for p in (release / "grader" / "checks").rglob("*.py"))
    assert all(f"def {name}(" in shipped for name in public)
    assert not (release / "tests" / "mutants").exists() and not (release / "tests" / "answers").exists()


def solution_trigrams() -> set[tuple[str, str, str]]:
    """Three consecutive lines of a reference solution, at least one of them not in any stub."""
    def lines(p: Path) -> list[str]:
        return [s for s in (line.strip() for line in read(p).splitlines()) if s]

    stub = {line for p in (ROOT / "exercises").rglob("*.py") for line in lines(p)}
    grams = set()
    for p in (ROOT / "solutions").rglob("*.py"):
        L = lines(p)
        grams |= {tuple(L[i:i + 3]) for i in range(len(L) - 2) if any(x not in stub for x in L[i:i + 3])}
    return grams  # type: ignore[return-value]


def solution_code_in(folder: Path, grams: set) -> list[str]:
    found = []
    for p in release_files(folder):
        L = [s for s in (line.strip() for line in read(p).splitlines()) if s]
        if any(tuple(L[i:i + 3]) in grams for i in range(len(L) - 2)):
            found.append(str(p.relative_to(folder)))
    return found


def test_release_has_no_solution(release: Path, tmp_path: Path) -> None:
    assert not (release / "solutions").exists()
    grams = solution_trigrams()
    assert len(grams) > 300
    assert solution_code_in(release, grams) == []
    planted = tmp_path / "x"  # the scan does find a solution that slipped in
    planted.mkdir()
    (planted / "copy.py").write_text(SOLUTION2.read_text(encoding="utf-8"), encoding="utf-8")
    assert solution_code_in(planted, grams) == ["copy.py"]


def test_release_has_no_plain_answer_key(release: Path) -> None:
    texts = {str(p.relative_to(release)): read(p) for p in release_files(release)}
    for rel, text in texts.items():
        if rel.endswith((".yaml", ".json")):
            assert not re.search(r"^\s*-?\s*\"?answer\"?\s*:", text, re.MULTILINE), rel
    explanations, notes = [], []
    for sid in SECTIONS:
        bank = load_bank(sid)
        for q in bank.questions:
            explanations += [q.explanation.ja, q.explanation.en]
            notes += [t for c in q.choices if c.feedback for t in (c.feedback.ja, c.feedback.en)]
    assert len(explanations) > 200 and len(notes) > 500
    everything = "\n".join(texts.values())
    assert [s for s in explanations if s in everything] == []
    # a note names the misconception of one choice; the checks' feedback may share a short phrase, the
    # question files must not hold any of them in plain text
    question_files = "\n".join(t for rel, t in texts.items() if re.match(r"question_bank/day\d+/", rel))
    assert [s for s in notes if s in question_files] == []
    predrawn = json.loads(texts["question_bank/predrawn.json"])
    for item in predrawn["questions"]:
        assert "answer" not in item and all(c["feedback"] is None and c["misconception"] is None
                                            for c in item["choices"])


def test_sealed_notes_do_not_tell_which_choice_is_right(release: Path) -> None:
    for sid in SECTIONS:
        day, sec = sid.split(".")
        raw = yaml.safe_load((release / "question_bank" / day / f"{sec}.sealed.yaml").read_text(encoding="utf-8"))
        for q in raw["questions"]:
            assert len({len(c["note"]) for c in q["choices"]}) == 1, q["id"]
            assert set(q) == {"id", "ja", "en", "choices", "answer_hash", "explanation", "tags", "multiple"}


def test_audit_catches_a_leak(release: Path, tmp_path: Path) -> None:
    _, hidden = checks_by_visibility()
    assert audit_release(release, hidden) == []
    bad = tmp_path / "bad"
    (bad / "question_bank").mkdir(parents=True)
    (bad / "question_bank" / "x.yaml").write_text("questions:\n  - id: q\n    answer: 2\n", encoding="utf-8")
    (bad / "notes.py").write_text("# see test_per_key\n", encoding="utf-8")
    (bad / "solutions").mkdir()
    problems = audit_release(bad, {"test_per_key"})
    assert len(problems) == 3


# ---------------------------------------------------------------- it works for students


def grade_in(release: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    env["GRADER_DB"] = str(release.parent / "progress.sqlite3")
    return subprocess.run([sys.executable, "-m", "grader.launch", *args], cwd=release, env=env, text=True,
                          capture_output=True, timeout=300, stdin=subprocess.DEVNULL)


def test_stubs_grade_as_not_implemented_with_public_checks_only(release: Path) -> None:
    p = grade_in(release, "section2", "--no-quiz", "--lang", "en")
    assert p.returncode == 1, p.stderr
    for n in ("SGD", "Momentum", "AdaGrad", "RMSprop", "Adam"):
        assert re.search(rf"… {n} +test_one_step\[{n}\] +0/\d +not implemented", p.stdout), n
    assert len(re.findall(r"test_", p.stdout)) == 5
    assert "public checks: 0/5 passed · hidden checks are run by your instructor" in p.stdout


def test_reference_solution_passes_the_public_checks_and_says_so_honestly(release: Path) -> None:
    p = grade_in(release, "section2", "--submission", str(SOLUTION2), "--no-quiz")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "公開チェック: 5/5 合格 · 非公開チェックは講師が実行します" in p.stdout
    assert "public checks: 5/5 passed · hidden checks are run by your instructor" in p.stdout
    assert "full score" not in p.stdout and "満点" not in p.stdout
    # the same file in the instructor's repository: every check, and a plain "checks:" line
    g = run_grade("section2", "--submission", str(SOLUTION2), "--no-quiz", "--lang", "en")
    assert g.rc == 0 and "checks: 24/24 passed" in g.out and "public checks" not in g.out


def test_a_wrong_submission_fails_a_public_check_there(release: Path, tmp_path: Path) -> None:
    wrong = tmp_path / "section2.py"
    wrong.write_text(SOLUTION2.read_text(encoding="utf-8").replace("-= self.lr * grads[key]",
                                                                   "+= self.lr * grads[key]", 1), encoding="utf-8")
    r = json.loads(grade_in(release, "section2", "--submission", str(wrong), "--no-quiz", "--json").stdout)
    assert r["checks"][0]["status"] == "failed" and "符号" in r["checks"][0]["feedback"]


def test_sealed_quiz_grades_right_and_wrong_answers(release: Path, tmp_path: Path) -> None:
    bank = load_bank("day2.section2")
    right = {q.id: sorted(q.answers) for q in bank.questions}
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(right), encoding="utf-8")
    r = json.loads(grade_in(release, "section2", "--answers", str(answers), "--json").stdout)
    assert r["quiz"]["score"] == r["quiz"]["max_score"] == len(bank.questions)
    q2 = bank.questions[1]  # SGD step: choice 2 is the sign slip, with its misconception note
    wrong = {q2.id: 2 if 2 not in q2.answers else 1}
    answers.write_text(yaml.safe_dump(wrong), encoding="utf-8")
    r = json.loads(grade_in(release, "section2", "--answers", str(answers), "--json", "--lang", "en").stdout)
    fb = r["quiz"]["questions"][1]
    assert not fb["correct"] and fb["feedback"].startswith("wrong.")
    assert q2.choices[wrong[q2.id] - 1].feedback.en in fb["feedback"] and "the answer is" not in fb["feedback"]


def test_sealed_quiz_at_a_terminal_explains_after_a_right_answer_only(release: Path) -> None:
    bank = load_bank("day2.section2")
    sealed = load_sealed_bank(release / "question_bank" / "day2" / "section2.sealed.yaml", "day2.section2")
    q1 = bank.questions[0]
    right = str(min(q1.answers))
    wrong = "1" if 1 not in bank.questions[1].answers else "2"
    said: list[str] = []
    replies = iter([right, wrong])

    def ask(_: str) -> str:
        try:
            return next(replies)
        except StopIteration:
            raise EOFError from None

    report = ask_interactively(sealed, "en", ask, said.append)
    out = "\n".join(said)
    assert report.questions[0].correct and not report.questions[1].correct
    assert q1.explanation.en in out
    assert bank.questions[1].explanation.en not in out and "once you answer correctly" in out
    assert answer_hash(sealed.salt, q1.id, q1.answers) == sealed.questions[0].answer_hash


def test_release_lists_sections_and_refuses_instructor_commands(release: Path, tmp_path: Path) -> None:
    p = grade_in(release, "list", "--lang", "en")
    assert p.returncode == 0 and "quiz: 15 questions" in p.stdout
    assert grade_in(release, "release", str(tmp_path / "again")).returncode == 2
    assert grade_in(release, "gradescope", "section2", str(tmp_path / "a.zip")).returncode == 2


def test_release_own_tests_pass(release: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    env["GRADER_DB"] = str(release.parent / "progress-tests.sqlite3")
    p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=release, env=env,
                       text=True, capture_output=True, timeout=600)
    assert p.returncode == 0, p.stdout[-3000:]
    assert "passed" in p.stdout


def test_release_readme_keeps_the_two_commands(release: Path) -> None:
    readme = (release / "README.md").read_text(encoding="utf-8")
    assert 'python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/grade section2' in readme
    assert 'python3 -m venv .venv && .venv/bin/pip install -e ".[test]" && .venv/bin/python -m pytest' in readme
    assert "brute-forced" in readme
    info = json.loads((release / "RELEASE.json").read_text(encoding="utf-8"))
    assert info["sections"] == SECTIONS and len(info["salt_id"]) == 16 and info["source_commit"]


def test_existing_folder_is_not_overwritten(release: Path, tmp_path: Path) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine", encoding="utf-8")
    g = run_grade("release", str(busy), "--no-verify")
    assert g.rc == 2 and (busy / "keep.txt").exists()
    assert run_grade("release", str(ROOT / "grader" / "x"), "--no-verify").rc == 2


# ---------------------------------------------------------------- the rewriting itself


SOURCE = '''"""Hidden checks of day9.section1."""

import numpy as np

from grader.checking import check

SECRET_TABLE = [1, 2, 3]  # only the hidden check uses it
SHARED = 0.5


def oracle(x):
    return x * SHARED


# the hidden check's own comment
@check("f", 1, ja="a", en="a")
def test_hidden(learner):
    assert learner.f(SECRET_TABLE) == 6


@check("f", 1, ja="b", en="b", public=True)
def test_public(learner, fixture_thing):
    assert learner.f(2.0) == oracle(4.0)


def fixture_thing():
    return None
'''


def test_strip_hidden_keeps_what_public_checks_reach() -> None:
    out = strip_hidden(SOURCE, {"test_public"}, "day9.section1")
    compile(out, "x.py", "exec")
    assert "def test_public" in out and "def oracle" in out and "SHARED = 0.5" in out and "def fixture_thing" in out
    assert "test_hidden" not in out and "SECRET_TABLE" not in out and "own comment" not in out
    assert out.startswith('"""Public checks of day9.section1')


def test_mixed_public_parameters_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "grader" / "checks" / "day9" / "section1.py"
    path.parent.mkdir(parents=True)
    path.write_text('import pytest\nfrom grader.checking import check\n\n'
                    '@pytest.mark.parametrize("n", [pytest.param(1, marks=check("f", 1, ja="a", en="a", public=True)),\n'
                    '                               pytest.param(2, marks=check("f", 1, ja="a", en="a"))])\n'
                    'def test_mixed(learner, n):\n    pass\n', encoding="utf-8")
    with pytest.raises(CourseDataError, match="test_mixed"):
        check_visibility("day9.section1", tmp_path)


def test_drills_in_a_release_grade_sealed_questions(release: Path, tmp_path: Path) -> None:
    """`grade quiz` reads the sealed banks there: right by hash, explanation only after a right answer."""
    bank = load_bank("day2.section2")
    q1, q2 = bank.questions[0], bank.questions[1]
    wrong = 1 if 1 not in q2.answers else 2
    answers = tmp_path / "drill.yaml"
    answers.write_text(yaml.safe_dump({q1.id: sorted(q1.answers), q2.id: wrong}), encoding="utf-8")
    p = grade_in(release, "quiz", "--answers", str(answers), "--lang", "en")
    assert p.returncode == 1, p.stderr
    assert f"✔ {q1.id}" in p.stdout and f"✘ {q2.id}" in p.stdout
    assert q2.explanation.en not in p.stdout and "Traceback" not in p.stderr
