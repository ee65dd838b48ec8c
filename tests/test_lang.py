"""One language when asked for one (issue 12 §3): `--lang en` prints no Japanese anywhere, `--lang ja` none of our
English; `GRADER_LANG` and the setting `grade config lang` saves choose it too (--lang > GRADER_LANG > the saved
setting > both). Every test runs the CLI, on stdout and stderr alike; typer's --help stays bilingual (README)."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest
import yaml

from grader.course.loading import load_bank
from tests.conftest import ROOT, grade_env, run_grade

SOLUTION2 = ROOT / "solutions" / "day2" / "section2.py"
BANK2 = load_bank("day2.section2")

JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
# Words of our English messages that are prose, never Python (so the course's hints with code in them pass).
# Before looking for them, what is code rather than prose is taken out: `quoted` spans, a `grade …` command line,
# calls, and ids, paths, options and numbers (a token with a digit, `.`, `/`, `-`, `_` or `@`); an all-capitals
# word is a placeholder (FILE, SECTION).
ENGLISH = frozenset("""
    the was were are has have your you this its yet here there found answer answers answered quiz passed failed
    implemented correct wrong right error errors question questions score check checks submission expected unknown
    cannot stopped terminal section exercise exercises result results hint hints next restored backup workspace
    written language saved default number enter skipped taken nothing start every same problem file folder grader
    report please fault internal progress best last mastered review due drill exam sandbox isolation guaranteed
    interrupted unfinished mock minutes left seed
""".split())
CODE = re.compile(r"`[^`\n]*`|\bgrade(?: +[A-Za-z0-9_.@/-]+)+|[A-Za-z_]\w*\(|[!-~]*[\d./_@-][!-~]*")


def japanese_in(text: str) -> list[str]:
    return [line for line in text.splitlines() if JAPANESE.search(line)]


def english_in(text: str) -> list[str]:
    def prose(word: str) -> bool:
        return word.lower() in ENGLISH and not word.isupper()

    return [line for line in text.splitlines() if any(map(prose, re.findall(r"[A-Za-z]+", CODE.sub(" ", line))))]


def test_the_checks_can_fail():
    """The two detectors see what they must (a bilingual line of today's kind) and pass what is fine."""
    line = "grade: error: 提出ファイルがありません: /tmp/x.py / submission not found: /tmp/x.py"
    assert japanese_in(line) and english_in(line)
    assert not english_in("  ✘ day2.section2.q01  不正解 (正解は 2)。grade hint section2 SGD で `grade quiz` --lang")
    assert not japanese_in("  ✔ Momentum   all 5 checks passed   6/6")
    assert english_in("確認テスト / Quiz: 16 問 (questions)") and english_in("答え / answer> ")


# ---------------------------------------------------------------- the cases: what a learner runs and meets


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Files the cases use: a syntax error, answers files (one unreadable value, one with wrong answers), a
    workspace, a progress database with a graded section and a wrong answer (so status and review have rows)."""
    tmp = tmp_path_factory.mktemp("lang")
    (tmp / "syntax.py").write_text("SGD = = 1\n", encoding="utf-8")  # Python says "invalid syntax": no word of ours
    (tmp / "bad.yaml").write_text("day2.section2.q01: first\n", encoding="utf-8")
    q = BANK2.questions[0]
    wrong_choice = next(i for i in range(1, len(q.choices) + 1) if i not in q.answers)
    (tmp / "wrong.yaml").write_text(yaml.safe_dump({q.id: wrong_choice}), encoding="utf-8")
    db = tmp / "progress.sqlite3"
    g = run_grade("init", str(tmp / "ws"), env={"GRADER_DB": str(db)})
    assert g.rc == 0, g.err
    g = run_grade("section2", "--submission", str(SOLUTION2), "--answers", str(tmp / "wrong.yaml"), "--json",
                  env={"GRADER_DB": str(db)})
    assert g.rc == 1, g.err
    return {"tmp": tmp, "ws": tmp / "ws", "db": db}


# name → (arguments, where it runs: "root" (the clone), "ws" (a workspace) or "tmp" (neither)). {tmp}, {ws}: paths.
CASES: dict[str, tuple[list[str], str]] = {
    "stubs": (["section2", "--no-quiz"], "root"),
    "solution, no terminal for the quiz": (["section2", "--submission", str(SOLUTION2)], "root"),
    "a syntax error": (["section2", "--submission", "{tmp}/syntax.py", "--no-quiz"], "root"),
    "a syntax error, no sandbox": (["section2", "--submission", "{tmp}/syntax.py", "--no-quiz", "--sandbox", "auto"],
                                   "root"),
    "a missing submission": (["section2", "--submission", "{tmp}/nowhere.py"], "root"),
    "an unreadable answer": (["section2", "--submission", str(SOLUTION2), "--answers", "{tmp}/bad.yaml"], "root"),
    "a wrong answer": (["section2", "--submission", str(SOLUTION2), "--answers", "{tmp}/wrong.yaml"], "root"),
    "a missing answers file": (["section2", "--answers", "{tmp}/nowhere.yaml"], "root"),
    "an unknown section": (["section9"], "root"),
    "not a section id": (["run", "lesson2"], "root"),
    "outside a workspace": (["section2"], "tmp"),
    "list": (["list"], "root"),
    "quiz --print": (["quiz", "section2", "--print", "--seed", "3", "--count", "4"], "root"),
    "quiz with answers": (["quiz", "--answers", "{tmp}/wrong.yaml"], "root"),
    "quiz without a terminal": (["quiz", "section2"], "root"),
    "quiz, an unknown key": (["quiz", "--answers", "{tmp}/bad-key.yaml"], "root"),
    "exam --print": (["exam", "--print", "--seed", "5", "--count", "3"], "root"),
    "exam with answers": (["exam", "--answers", "{tmp}/wrong.yaml"], "root"),
    "status": (["status"], "root"),
    "review without a terminal": (["review"], "root"),
    "review with answers": (["review", "--answers", "{tmp}/wrong.yaml"], "root"),
    "hint": (["hint", "section2", "Momentum"], "root"),
    "hint, an unknown exercise": (["hint", "section2", "Nesterov"], "root"),
    "watch, a missing file": (["watch", "section2", "--submission", "{tmp}/nowhere.py"], "root"),
    "init": (["init", "{tmp}/ws-{n}"], "tmp"),
    "init, not empty": (["init", "{ws}"], "tmp"),
    "reset without a terminal": (["reset", "section2"], "ws"),
    "reset --yes": (["reset", "section2", "SGD", "--yes"], "ws"),
    "grade in a workspace": (["section1", "--no-quiz"], "ws"),
}
# The fast default (-m "not slow") runs these in each language; the others are slow (a second each).
FAST = {"stubs", "a syntax error, no sandbox", "a missing submission", "an unreadable answer", "a wrong answer",
        "quiz without a terminal", "hint", "reset without a terminal"}
# The other ways to choose (GRADER_LANG, the saved setting) run on a few of them, and on `grade` alone.
FEW = ["a syntax error", "a missing submission", "an unreadable answer", "quiz without a terminal", "hint",
       "list", "reset without a terminal"]
FEW_FAST = {"a missing submission", "hint"}


def cases(names: list[str], fast: set[str]) -> list:
    return [pytest.param(n, marks=() if n in fast else pytest.mark.slow) for n in names]


_runs = iter(range(1_000_000))


def run_case(name: str, world: dict[str, Path], lang_args: list[str], env: dict[str, str] | None = None) -> str:
    args, where = CASES[name]
    tmp = world["tmp"]
    (tmp / "bad-key.yaml").write_text("no.such.question: 1\n", encoding="utf-8")
    args = [a.format(tmp=tmp, ws=world["ws"], n=next(_runs)) for a in args]
    cwd = {"root": ROOT, "ws": world["ws"], "tmp": tmp}[where]
    env = {"GRADER_DB": str(world["db"]), "GRADER_SANDBOX_DISABLE": "1" if "no sandbox" in name else "", **(env or {})}
    g = run_grade(*args, *lang_args, cwd=cwd, env=env, timeout=120)
    assert "Traceback" not in g.out + g.err, g.err
    assert g.out + g.err, name  # every case says something
    return g.out + g.err


@pytest.mark.parametrize("name", cases(list(CASES), FAST))
def test_lang_en_prints_no_japanese(world, name):
    said = run_case(name, world, ["--lang", "en"])
    assert japanese_in(said) == [], said


@pytest.mark.parametrize("name", cases(list(CASES), FAST))
def test_lang_ja_prints_none_of_our_english(world, name):
    said = run_case(name, world, ["--lang", "ja"])
    assert english_in(said) == [], said


@pytest.mark.parametrize("name", cases(FEW, FEW_FAST))
def test_grader_lang_en_is_english_only(world, name):
    said = run_case(name, world, [], env={"GRADER_LANG": "en"})
    assert japanese_in(said) == [], said


@pytest.mark.parametrize("name", cases(FEW, FEW_FAST))
def test_a_saved_en_is_english_only(world, tmp_path, name):
    config = str(tmp_path / "config.json")
    g = run_grade("config", "lang", "en", env={"GRADER_CONFIG": config})
    assert g.rc == 0 and japanese_in(g.out + g.err) == [], g.out + g.err
    said = run_case(name, world, [], env={"GRADER_CONFIG": config})
    assert japanese_in(said) == [], said


@pytest.mark.parametrize("how", ["GRADER_LANG", "saved"])
def test_grade_alone_in_a_workspace_speaks_the_chosen_language(world, tmp_path, how):
    """`grade` alone takes no --lang: what it says before grading follows the environment or the setting."""
    config = tmp_path / "config.json"
    config.write_text('{"lang": "en"}\n', encoding="utf-8")
    env = {"GRADER_DB": str(tmp_path / "fresh.sqlite3"), "GRADER_LANG" if how == "GRADER_LANG" else "GRADER_CONFIG":
           "en" if how == "GRADER_LANG" else str(config)}
    g = run_grade(cwd=world["ws"], env=env)
    assert "next unfinished section: day1.section1" in g.err
    assert japanese_in(g.out + g.err) == [], g.out + g.err


def _on_a_terminal(args: list[str], answers: list[str]) -> str:
    """Run `grade ARGS` on a pseudo-terminal, answer each prompt in turn, then close the input; all it printed."""
    pexpect = pytest.importorskip("pexpect")
    seen = io.StringIO()
    child = pexpect.spawn(sys.executable, ["-m", "grader.cli.launch", *args], cwd=str(ROOT), encoding="utf-8",
                          timeout=60, dimensions=(50, 160), env=grade_env())
    child.logfile_read = seen
    for answer in answers:
        child.expect("> ")
        child.sendline(answer)
    child.expect("> ")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    return seen.getvalue()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_quiz_on_a_terminal_speaks_one_language(lang):
    """The terminal path: the rich table, the quiz, its prompt, an answer that is not a number, a wrong answer,
    the end of input."""
    q = BANK2.questions[0]
    wrong = next(i for i in range(1, len(q.choices) + 1) if i not in q.answers)
    said = _on_a_terminal(["section2", "--submission", str(SOLUTION2), "--lang", lang], ["x", str(wrong)])
    said = said.replace("x\r\n", "\r\n")  # the terminal's echo of the learner's "x"
    if lang == "en":
        assert "answer> " in said and "enter a number" in said and "stopped" in said
        assert japanese_in(said) == [], said
    else:
        assert "答え> " in said and "番号を入力してください" in said and "中断" in said
        assert english_in(said) == [], said


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_drill_on_a_terminal_speaks_one_language(lang):
    said = _on_a_terminal(["quiz", "section2", "--count", "2", "--seed", "4", "--lang", lang], ["x", "1"])
    said = said.replace("x\r\n", "\r\n")
    assert (japanese_in(said) if lang == "en" else english_in(said)) == [], said


# ---------------------------------------------------------------- the order: --lang > GRADER_LANG > saved > both


def test_config_lang_saves_shows_where_and_resets(tmp_path):
    config = tmp_path / "sub" / "config.json"
    env = {"GRADER_CONFIG": str(config)}
    g = run_grade("config", "lang", env=env)
    assert g.rc == 0 and g.out.startswith("both  (") and "default" in g.out
    g = run_grade("config", "lang", "en", env=env)
    assert g.rc == 0 and json.loads(config.read_text(encoding="utf-8")) == {"lang": "en"}
    assert g.out.strip() == f"language set to en (saved in {config})"
    g = run_grade("config", "lang", env=env)
    assert g.out.strip() == f"en  (saved in {config})"
    g = run_grade("config", "lang", env={**env, "GRADER_LANG": "ja"})
    assert g.out.strip() == "ja  (環境変数 GRADER_LANG による)"
    g = run_grade("config", "lang", "ja", env={**env, "GRADER_LANG": "en"})  # saved, but the environment wins
    assert "GRADER_LANG=en takes precedence" in g.out and japanese_in(g.out) == []
    g = run_grade("config", "lang", "both", env=env)
    assert g.rc == 0 and not config.exists()
    g = run_grade("config", "lang", env=env)
    assert g.out.startswith("both  (")


def test_lang_option_wins_over_the_environment_and_the_environment_over_the_setting(tmp_path):
    config = tmp_path / "config.json"
    config.write_text('{"lang": "ja"}\n', encoding="utf-8")
    env = {"GRADER_CONFIG": str(config)}
    no_terminal = ("quiz", "section2")  # a usage error: quick, and said in the language chosen
    assert run_grade(*no_terminal, env=env).err.startswith("grade: エラー: 端末がないので")
    assert run_grade(*no_terminal, env={**env, "GRADER_LANG": "en"}).err.startswith("grade: error: no terminal")
    g = run_grade(*no_terminal, "--lang", "both", env={**env, "GRADER_LANG": "en"})
    assert g.err.startswith("grade: エラー / error: 端末がないので") and "no terminal to ask on" in g.err


def test_a_bad_grader_lang_is_ignored_with_one_line(tmp_path):
    """An unknown value is a warning, not an error (a line in a shell profile must not stop grading): the next
    source decides, and the warning is said in the language that decided."""
    config = tmp_path / "config.json"
    config.write_text('{"lang": "en"}\n', encoding="utf-8")
    g = run_grade("config", "lang", env={"GRADER_LANG": "klingon", "GRADER_CONFIG": str(config)})
    assert g.rc == 0
    assert g.err == "grade: GRADER_LANG='klingon' is not ja, en or both: ignored\n"
    assert g.out == f"en  (saved in {config})\n"
    g = run_grade("config", "lang", env={"GRADER_LANG": "klingon", "GRADER_CONFIG": str(tmp_path / "none.json")})
    assert g.rc == 0 and "GRADER_LANG='klingon'" in g.err and japanese_in(g.err)  # the default: both
    assert g.out.startswith("both  (")


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe", b"[1, 2]", b'{"lang": "fr"}', b"[" * 100_000])
def test_a_broken_settings_file_says_one_clear_line_and_falls_back(tmp_path, content):
    config = tmp_path / "config.json"
    config.write_bytes(content)
    g = run_grade("config", "lang", env={"GRADER_CONFIG": str(config)})
    assert g.rc == 0 and "Traceback" not in g.err
    assert g.err.startswith("grade: ") and str(config) in g.err and g.err.count("grade: ") == 1
    assert g.out.startswith("both  (")  # the default
    g = run_grade("config", "lang", "en", env={"GRADER_CONFIG": str(config)})  # a fresh, valid file replaces it
    assert g.rc == 0 and json.loads(config.read_text(encoding="utf-8")) == {"lang": "en"}


def test_an_unreadable_settings_file_falls_back(tmp_path):
    folder = tmp_path / "config.json"
    folder.mkdir()  # reading it fails (IsADirectoryError), so does writing
    g = run_grade("config", "lang", env={"GRADER_CONFIG": str(folder)})
    assert g.rc == 0 and "cannot read the settings file" in g.err and "Traceback" not in g.err
    g = run_grade("config", "lang", "en", env={"GRADER_CONFIG": str(folder)})
    assert g.rc == 2 and "cannot write the settings file" in g.err and "Traceback" not in g.err


def test_the_settings_module_stays_light():
    """A lean start-up path imports grader.settings: it must not pull typer, pydantic or rich."""
    import subprocess

    code = ("import sys, grader.settings as s, grader.errors; s.resolve_lang(); "
            "print(sorted(m for m in ('typer', 'pydantic', 'rich', 'click') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=grade_env())
    assert out.stdout.strip() == "[]", out.stderr


@pytest.mark.parametrize(("lang", "usage", "fault"), [
    ("ja", "grade: エラー: 見つかりません\n", "grade: 採点側の内部エラー (あなたの誤りではありません。報告してください): broken\n"),
    ("en", "grade: error: not found\n", "grade: grader internal error (please report it; not your fault): broken\n"),
    ("both", "grade: エラー / error: 見つかりません / not found\n", None),
])
def test_the_error_policy_speaks_the_language_and_keeps_its_exit_codes(monkeypatch, capsys, lang, usage, fault):
    """A GraderError carries a Text that grader/cli/common.fail says in the chosen language; the codes stay 2 and 3.
    (A grader fault's own details are a report for the authors: as written.)"""
    from grader.cli.launch import _exit_code_for
    from grader.errors import InternalError, UsageError
    from grader.text import Text

    monkeypatch.setattr(sys, "argv", ["grade", "list", "--lang", lang])
    error = UsageError(Text(ja="見つかりません", en="not found"))
    assert str(error) == "見つかりません / not found"  # str(): both, for logs and gradebooks
    assert _exit_code_for(error) == 2
    assert capsys.readouterr().err == usage
    assert _exit_code_for(InternalError("broken")) == 3
    assert capsys.readouterr().err == fault or fault is None
