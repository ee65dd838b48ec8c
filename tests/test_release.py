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

from grader.classroom.release import (
    HINT_LEVELS,
    NO_HINTS,
    audit_release,
    check_visibility,
    hint_quotes,
    release_course_yaml,
    replay_only,
)
from grader.course.loading import load_bank, load_course, section_paths
from grader.course.quiz import ask_interactively
from grader.course.sealed import answer_hash, load_sealed_bank
from grader.engine.replay import data_path, load
from grader.errors import CourseDataError
from tests.conftest import ROOT, run_grade
from tests.mutant_source import all_mutants, write

SECTIONS = [s.id for s in load_course().sections]
SOLUTION2 = ROOT / "solutions" / "day2" / "section2.py"


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("classroom") / "release"
    g = run_grade("release", str(out))  # verifies too: every stub and solution graded with the release
    assert g.rc == 0, g.err
    assert "verified" in g.out and "day2.section2: 公開 / public 1" in g.out
    return out


@pytest.mark.slow
def release_files(release: Path) -> list[Path]:
    return [p for p in sorted(release.rglob("*")) if p.is_file()]


def read(p: Path) -> str:
    return p.read_bytes().decode("utf-8", "replace")


# ---------------------------------------------------------------- nothing hidden leaks


def checks_by_visibility() -> tuple[set[str], set[str]]:
    """Read from the sources, independently of grader/classroom/release.py: a test function is public when
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_release_has_no_solution(release: Path, tmp_path: Path) -> None:
    assert not (release / "solutions").exists()
    grams = solution_trigrams()
    assert len(grams) > 300
    assert solution_code_in(release, grams) == []
    planted = tmp_path / "x"  # the scan does find a solution that slipped in
    planted.mkdir()
    (planted / "copy.py").write_text(SOLUTION2.read_text(encoding="utf-8"), encoding="utf-8")
    assert solution_code_in(planted, grams) == ["copy.py"]


@pytest.mark.slow
def test_release_ships_stubs_of_listed_sections_only(release: Path) -> None:
    """A stub the course does not list yet (an author's work in progress, no checks) stays out of the release."""
    from grader.course.loading import load_course

    listed = {f"exercises/{s.id.split('.')[0]}/{s.id.split('.')[1]}.py" for s in load_course().sections}
    shipped = {str(p.relative_to(release)) for p in (release / "exercises").rglob("section*.py")}
    assert shipped == listed


@pytest.mark.slow
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


@pytest.mark.slow
def test_sealed_notes_do_not_tell_which_choice_is_right(release: Path) -> None:
    for sid in SECTIONS:
        day, sec = sid.split(".")
        raw = yaml.safe_load((release / "question_bank" / day / f"{sec}.sealed.yaml").read_text(encoding="utf-8"))
        for q in raw["questions"]:
            assert len({len(c["note"]) for c in q["choices"]}) == 1, q["id"]
            assert set(q) == {"id", "ja", "en", "choices", "answer_hash", "explanation", "tags", "multiple"}


@pytest.mark.slow
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


@pytest.mark.slow
def grade_in(release: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    env["GRADER_DB"] = str(release.parent / "progress.sqlite3")
    return subprocess.run([sys.executable, "-m", "grader.cli.launch", *args], cwd=release, env=env, text=True,
                          capture_output=True, timeout=300, stdin=subprocess.DEVNULL)


@pytest.mark.slow
def test_stubs_grade_as_not_implemented_with_public_checks_only(release: Path) -> None:
    p = grade_in(release, "section2", "--no-quiz", "--lang", "en")
    assert p.returncode == 1, p.stderr
    for n in ("SGD", "Momentum", "AdaGrad", "RMSprop", "Adam"):
        assert re.search(rf"… {n} +test_one_step\[{n}\] +0/\d +not implemented", p.stdout), n
    assert len(re.findall(r"test_", p.stdout)) == 5
    assert "public checks: 0/5 passed · hidden checks are run by your instructor" in p.stdout


@pytest.mark.slow
def test_reference_solution_passes_the_public_checks_and_says_so_honestly(release: Path) -> None:
    p = grade_in(release, "section2", "--submission", str(SOLUTION2), "--no-quiz")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "公開チェック: 5/5 合格 · 非公開チェックは講師が実行します" in p.stdout
    assert "public checks: 5/5 passed · hidden checks are run by your instructor" in p.stdout
    assert "full score" not in p.stdout and "満点" not in p.stdout
    # the same file in the instructor's repository: every check, and a plain "checks:" line
    g = run_grade("section2", "--submission", str(SOLUTION2), "--no-quiz", "--lang", "en")
    assert g.rc == 0 and "checks: 24/24 passed" in g.out and "public checks" not in g.out


@pytest.mark.slow
def test_a_wrong_submission_fails_a_public_check_there(release: Path, tmp_path: Path) -> None:
    wrong = tmp_path / "section2.py"
    wrong.write_text(SOLUTION2.read_text(encoding="utf-8").replace("-= self.lr * grads[key]",
                                                                   "+= self.lr * grads[key]", 1), encoding="utf-8")
    r = json.loads(grade_in(release, "section2", "--submission", str(wrong), "--no-quiz", "--json").stdout)
    assert r["checks"][0]["status"] == "failed" and "符号" in r["checks"][0]["feedback"]


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_release_lists_sections_and_refuses_instructor_commands(release: Path, tmp_path: Path) -> None:
    p = grade_in(release, "list", "--lang", "en")
    assert p.returncode == 0 and "quiz: 15 questions" in p.stdout
    assert grade_in(release, "release", str(tmp_path / "again")).returncode == 2
    assert grade_in(release, "gradescope", "section2", str(tmp_path / "a.zip")).returncode == 2


@pytest.mark.slow
def test_release_own_tests_pass(release: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    env["GRADER_DB"] = str(release.parent / "progress-tests.sqlite3")
    p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=release, env=env,
                       text=True, capture_output=True, timeout=600)
    assert p.returncode == 0, p.stdout[-3000:]
    assert "passed" in p.stdout


@pytest.mark.slow
def test_release_readme_keeps_the_two_commands(release: Path) -> None:
    readme = (release / "README.md").read_text(encoding="utf-8")
    assert 'python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/grade section2' in readme
    assert 'python3 -m venv .venv && .venv/bin/pip install -e ".[test]" && .venv/bin/python -m pytest' in readme
    assert "brute-forced" in readme
    info = json.loads((release / "RELEASE.json").read_text(encoding="utf-8"))
    assert info["sections"] == SECTIONS and len(info["salt_id"]) == 16 and info["source_commit"]


@pytest.mark.slow
def test_existing_folder_is_not_overwritten(release: Path, tmp_path: Path) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine", encoding="utf-8")
    g = run_grade("release", str(busy), "--no-verify")
    assert g.rc == 2 and (busy / "keep.txt").exists()
    assert run_grade("release", str(ROOT / "grader" / "x"), "--no-verify").rc == 2


# ---------------------------------------------------------------- the rewriting itself


def test_mixed_public_parameters_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "grader" / "checks" / "day9" / "section1.py"
    path.parent.mkdir(parents=True)
    path.write_text('from grader.engine.api import case, cases, check\n\n'
                    '@cases("n", [case(1, id="1", mark=check("f", 1, ja="a", en="a", public=True)),\n'
                    '             case(2, id="2", mark=check("f", 1, ja="a", en="a"))])\n'
                    'def test_mixed(learner, n):\n    pass\n', encoding="utf-8")
    with pytest.raises(CourseDataError, match="test_mixed"):
        check_visibility("day9.section1", tmp_path)


@pytest.mark.slow
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


# ---------------------------------------------------------------- frozen public checks: numbers, never reference code


def top_level_defs(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def public_ids(section_id: str) -> set[str]:
    """The ids of the public checks as the instructor's grader runs them (parametrized ones expanded)."""
    g = run_grade(section_id, "--submission", str(section_paths(section_id)["exercise"]), "--no-quiz", "--json")
    vis = check_visibility(section_id, ROOT)
    return {c["id"] for c in g.report["checks"] if vis.get(c["id"].split("[")[0])}


@pytest.mark.slow
def test_release_check_modules_hold_no_reference_code_and_no_oracle(release: Path) -> None:
    oracle_names: set[str] = set()
    for sid in SECTIONS:
        day, sec = sid.split(".")
        shipped = release / "grader" / "checks" / day / f"{sec}.py"
        text = shipped.read_text(encoding="utf-8")
        assert replay_only(text) == [], sid
        tree = ast.parse(text)
        imports = {n.module for n in tree.body if isinstance(n, ast.ImportFrom)}
        assert imports == {"__future__", "grader.engine.checking", "grader.engine.replay"}, sid
        assert not [n for n in tree.body if isinstance(n, ast.Import)] and "numpy" not in text and "np." not in text
        defined = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda))}
        assert defined and all(n.startswith("test_") for n in defined), sid
        reference = top_level_defs(ROOT / "solutions" / day / f"{sec}.py")
        oracle = {n for n in top_level_defs(section_paths(sid)["checks"]) if not n.startswith("test_")}
        assert not defined & (reference | oracle), sid
        oracle_names |= oracle
        frozen = load(shipped)  # JSON and .npy without pickle
        assert '"*.frozen.json"' in (release / "pyproject.toml").read_text(encoding="utf-8")  # package data
        assert data_path(shipped).is_file() and set(frozen["checks"]) == public_ids(sid), sid
    assert {"simulate", "run_steps", "compare", "sgd", "momentum", "adagrad", "rmsprop", "adam"} <= oracle_names
    # nowhere in the release is an oracle helper defined, except in a grader file shipped as it is in the
    # instructor's repository (templates.py carries the small formulas of the parametric questions)
    for p in release.rglob("*.py"):
        found = top_level_defs(p) & oracle_names
        rel = p.relative_to(release)
        if found:  # a grader file or a stub's given helper (_sigmoid …), shipped as it is in the repository
            assert (rel.parts[:1] == ("grader",) and "checks" not in rel.parts) or rel.parts[:1] == ("exercises",), \
                (rel, found)
            assert p.read_bytes() == (ROOT / rel).read_bytes(), (rel, found)


@pytest.mark.slow
def test_day2_section2_release_check_cannot_become_a_submission(release: Path) -> None:
    """The file that once shipped the update rules (29/29 on the hidden checks when assembled into a submission)
    now defines one function, whose whole body replays recorded calls; its data holds inputs and numbers."""
    shipped = release / "grader" / "checks" / "day2" / "section2.py"
    tree = ast.parse(shipped.read_text(encoding="utf-8"))
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                                                              ast.Lambda))]
    assert [f.name for f in functions] == ["test_one_step"]
    assert [ast.unparse(s) for s in functions[0].body] == ["replay(learner, FROZEN, key)"]
    frozen = load(shipped)
    assert set(frozen["checks"]) == {f"test_one_step[{n}]" for n in ("SGD", "Momentum", "AdaGrad", "RMSprop", "Adam")}
    kinds = {step["op"] for c in frozen["checks"].values() for step in c["steps"]}
    assert kinds == {"call", "method", "expect"}
    # the runtime helper defines no optimizer either: only plumbing
    for helper in ("engine/replay.py", "classroom/freeze.py"):
        names = top_level_defs(release / "grader" / helper)
        assert not names & {"SGD", "Momentum", "AdaGrad", "RMSprop", "Adam", "simulate", "update"}, helper


@pytest.mark.slow
def test_replayed_public_checks_judge_mutants_as_the_course_checks_do(release: Path, tmp_path: Path) -> None:
    """Every catalogued mistake of four sections, graded by the release (replayed public checks) and by the
    instructor's grader (the course's own checks): the same status and the same feedback on every public
    check, and the public checks catch many of the mistakes."""
    chosen = ("day1.section5", "day2.section2", "day2.section4", "day2.section5")
    jobs = []
    for m in all_mutants():
        if m.section in chosen:
            folder = tmp_path / m.section / m.name
            folder.mkdir(parents=True)
            jobs.append([m.section, str(write(m.section, m.name, folder)), m.id])
    code = (
        "import json, sys\nfrom pathlib import Path\nfrom grader.grading import grade_many\nfrom grader.engine.runner import Job\n"
        "jobs = json.loads(sys.stdin.read()); out = {}\n"
        "for sec in dict.fromkeys(j[0] for j in jobs):\n"
        "    it = iter([j for j in jobs if j[0] == sec])\n"
        "    def take():\n"
        "        j = next(it, None)\n"
        "        return None if j is None else Job(Path(j[1]), tag=j[2])\n"
        "    def done(job, r):\n"
        "        out[job.tag] = {c.id: [c.status, c.feedback_i18n.en if c.feedback_i18n else c.feedback]\n"
        "                        for c in r.checks}\n"
        "    grade_many(sec, take, done)\n"
        "print(json.dumps(out))\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    got = {}
    for name, cwd in (("release", release), ("course", ROOT)):
        p = subprocess.run([sys.executable, "-c", code], cwd=cwd, input=json.dumps(jobs), text=True,
                           capture_output=True, timeout=600, env=env)
        assert p.returncode == 0, p.stderr[-3000:]
        got[name] = json.loads(p.stdout.splitlines()[-1])
    assert len(got["release"]) == len(jobs) >= 40
    caught = []
    for mid, public in got["release"].items():
        for cid, verdict in public.items():
            assert verdict == got["course"][mid][cid], (mid, cid)
        if any(status != "passed" for status, _ in public.values()):
            caught.append(mid)
    assert len(caught) >= 15 and "day2.section2/adagrad_no_sqrt" in caught and \
        "day1.section5/relu_forward_in_place" in caught


@pytest.mark.slow
def test_a_result_of_the_wrong_form_is_a_failure_of_the_replayed_check(release: Path, tmp_path: Path) -> None:
    wrong = tmp_path / "section2.py"
    wrong.write_text(SOLUTION2.read_text(encoding="utf-8") + "\n\n"
                     "class SGD:\n    def __init__(self, lr=0.01):\n        self.lr = lr\n\n"
                     "    def update(self, params, grads):\n        params.pop('W')\n", encoding="utf-8")
    r = json.loads(grade_in(release, "section2", "--submission", str(wrong), "--no-quiz", "--json",
                            "--lang", "en").stdout)
    sgd = next(c for c in r["checks"] if c["id"] == "test_one_step[SGD]")
    assert sgd["status"] == "failed" and "there is no key 'W'" in sgd["feedback"]
    assert {c["status"] for c in r["checks"] if c["id"] != sgd["id"]} == {"passed"}


# ---------------------------------------------------------------- hints


def course_of(text: str) -> dict:
    from grader.course.models import Course

    return Course.model_validate(yaml.safe_load(text)).model_dump()


@pytest.mark.parametrize("level", HINT_LEVELS)
def test_hint_levels(level: str) -> None:
    text = (ROOT / "question_bank" / "course.yaml").read_text(encoding="utf-8")
    full = course_of(text)
    shipped = course_of(release_course_yaml(text, level))
    pairs = [(a, b) for s, t in zip(full["sections"], shipped["sections"], strict=True)
             for a, b in zip(s["exercises"], t["exercises"], strict=True)]
    assert len(pairs) > 30 and any(len(a["hints"]) > 1 for a, _ in pairs)
    for a, b in pairs:
        assert {k: v for k, v in a.items() if k != "hints"} == {k: v for k, v in b.items() if k != "hints"}
        if level == "all":
            assert b["hints"] == a["hints"]
        elif level == "partial":
            assert b["hints"] == (a["hints"][:-1] if len(a["hints"]) > 1 else a["hints"])
        else:
            assert b["hints"] == [NO_HINTS]
    if level == "all":
        assert release_course_yaml(text, level) == text
    # what the builder warns about: hints quoting a reference solution line verbatim (the last ones mostly)
    quoting = {lvl: hint_quotes(release_course_yaml(text, lvl), ROOT) for lvl in HINT_LEVELS}
    assert quoting["none"] == [] and len(quoting["partial"]) * 4 < len(quoting["all"])
    assert set(quoting["partial"]) <= set(quoting["all"])


@pytest.mark.slow
def test_release_ships_partial_hints_by_default(release: Path) -> None:
    text = (ROOT / "question_bank" / "course.yaml").read_text(encoding="utf-8")
    shipped = (release / "question_bank" / "course.yaml").read_text(encoding="utf-8")
    assert course_of(shipped) == course_of(release_course_yaml(text, "partial")) != course_of(text)
    assert json.loads((release / "RELEASE.json").read_text(encoding="utf-8"))["hints"] == "partial"
    p = grade_in(release, "hint", "section2", "SGD", "--lang", "en")
    assert p.returncode == 0, p.stderr


def test_release_refuses_an_unknown_hint_level(tmp_path: Path) -> None:
    g = run_grade("release", str(tmp_path / "r"), "--hints", "some")
    assert g.rc == 2 and not (tmp_path / "r").exists()
