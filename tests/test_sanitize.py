"""Learner text cannot drive the terminal (SECURITY.md rows 48, 58): every renderer shows it inert."""

from __future__ import annotations

import json
import re
import sys
import threading
from pathlib import Path

import pytest

from grader.results import CheckResult, QuestionResult, QuizReport, SectionReport
from grader.sanitize import inert, inert_tree
from grader.text import Text
from tests.conftest import ROOT, grade_env, run_grade

# What a learner can put in an exception message, a class name, a global's name or its own output: clear the
# screen, set the window title (OSC … BEL), an 8-bit CSI, a right-to-left override, a line separator and a
# carriage return that would let "ALL CHECKS PASSED" overwrite the line it is on.
HOSTILE = "\x1b[2J\x1b]0;title\x07\x9b31m\u202e\u2028\rALL CHECKS PASSED"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
RICH_SGR = re.compile(r"\x1b\[[0-9;]*m")  # our own colours on a terminal: the only escapes allowed there


def assert_inert(text: str, *, terminal: bool = False) -> None:
    """No ESC, no C0/C1 control but newline and tab, no bidi control, no line separator, no lone CR. With
    `terminal`, the output of a terminal: our own colour codes and the tty's CR before LF are allowed."""
    if terminal:
        text = RICH_SGR.sub("", text).replace("\r\n", "\n")
    assert "\x1b" not in text, _around(text, "\x1b")
    assert "\r" not in text, _around(text, "\r")
    for c in text:
        assert not ("\x80" <= c <= "\x9f"), _around(text, c)
        assert c not in BIDI, _around(text, c)
        assert c.isprintable() or c in "\n\t", _around(text, c)


def assert_inert_data(value: object) -> None:
    """Every string in parsed JSON data (keys too) is inert: json.dumps would hide an ESC as \\u001b."""
    if isinstance(value, str):
        assert_inert(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            assert_inert_data(k)
            assert_inert_data(v)
    elif isinstance(value, list):
        for v in value:
            assert_inert_data(v)


def _around(text: str, c: str) -> str:
    i = text.index(c)
    return f"{c!r} in …{text[max(0, i - 60):i + 20]!r}…"


def hostile_report(*, quiz_taken: bool = False) -> SectionReport:
    """A SectionReport whose every learner-derived field holds HOSTILE (as if no report builder had cleaned it)."""
    fb = Text(ja=f"ValueError が発生しました: {HOSTILE}", en=f"raised ValueError: {HOSTILE}")
    checks = [
        CheckResult(id="test_one_step[SGD]", exercise="SGD", status="error", score=0, max_score=1,
                    feedback=fb.render("both"), feedback_i18n=fb),
        CheckResult(id="test_one_step[Momentum]", exercise="Momentum", status="missing", score=0, max_score=1,
                    feedback=f"did you mean `SG{HOSTILE}D`?", title=Text(ja=f"題{HOSTILE}", en=f"title{HOSTILE}")),
        CheckResult(id=f"test_x[{HOSTILE}\n]", exercise=f"Ada{HOSTILE}", status="failed", score=0, max_score=1,
                    feedback=HOSTILE),
        CheckResult(id="test_ok[Adam]", exercise="Adam", status="passed", score=1, max_score=1, feedback="ok"),
    ]
    quiz = (QuizReport(taken=True, score=0, max_score=1,
                       questions=[QuestionResult(id="day2.section2.q01", chosen=[1], correct=False, score=0,
                                                 max_score=1, feedback=HOSTILE)])
            if quiz_taken else QuizReport(taken=False, reason=f"answers.yaml: {HOSTILE}"))
    return SectionReport(section="day2.section2", title=Text(ja="学習率最適化手法", en="optimizers"), score=1,
                         max_score=4, checks=checks, quiz=quiz, learner_output=f"printed {HOSTILE}\nline 2 {HOSTILE}",
                         message=HOSTILE)


# ---------------------------------------------------------------- the one function


def test_inert_shows_every_control_as_a_visible_escape():
    assert inert(HOSTILE) == "\\x1b[2J\\x1b]0;title\\x07\\x9b31m\\u202e\\u2028\\rALL CHECKS PASSED"
    assert inert("a\nb\tc") == "a\nb\tc" and inert("a\nb\tc", multiline=False) == "a\\nb\\tc"
    assert inert("日本語 / English") == "日本語 / English" and inert(inert(HOSTILE)) == inert(HOSTILE)
    assert inert("x" * 10 + "\x1b", limit=10) == "x" * 10 + "…"
    assert inert_tree({"k\x1b": [HOSTILE, (1, None)]}) == {"k\\x1b": [inert(HOSTILE), (1, None)]}


# ---------------------------------------------------------------- (a) each renderer, fed hostile text


@pytest.mark.parametrize("lang", ["ja", "en", "both"])
def test_plain_report_and_summary_lines(lang):
    from grader.render.report import render_plain, summary_lines

    for quiz_taken in (False, True):
        lines: list[str] = []
        render_plain(hostile_report(quiz_taken=quiz_taken), lang, lines.append)
        text = "\n".join(lines)
        assert_inert(text)
        assert "\\x1b[2J" in text and "ALL CHECKS PASSED" in text  # shown, as text
        assert_inert("\n".join(summary_lines(hostile_report(quiz_taken=quiz_taken), lang)))


def test_coloured_report_on_a_terminal():
    """On a terminal the plain view colours its own marks; learner text stays inert, streamed or not."""
    from grader.render.report import PlainView

    for quiz_taken in (False, True):
        report = hostile_report(quiz_taken=quiz_taken)
        lines: list[str] = []
        view = PlainView("both", lines.append, color=True)
        view.start(report.section, report.title)
        for check in report.checks:
            view.add(check)  # streamed, as `grade SECTION` does
        view.finish_checks(report)
        view.finish(report)
        out = "\n".join(lines)
        assert RICH_SGR.search(out), "no colour was written"
        assert_inert(out, terminal=True)
        assert "\\x1b[2J" in out and "ALL CHECKS PASSED" in out


def test_json_report():
    from grader.render.report import render_json

    text = render_json(hostile_report())
    assert_inert(text)  # json.dumps would escape C0 but leave C1 and bidi raw
    data = json.loads(text)
    assert_inert_data(data)
    assert data["learner_output"].startswith("printed \\x1b[2J") and "\n" in data["learner_output"]
    assert data["checks"][0]["feedback_i18n"]["en"] == "raised ValueError: " + inert(HOSTILE)
    assert "\n" not in data["checks"][2]["id"] and "\n" not in data["checks"][2]["exercise"]


def test_watch_diff_and_watch_loop(tmp_path, monkeypatch):
    import grader.grading
    import grader.practice.progress
    from grader.errors import UsageError
    from grader.practice.watch import diff_lines, watch_section

    before = hostile_report().model_copy(update={"learner_output": "", "checks": [
        c.model_copy(update={"status": "passed"}) for c in hostile_report().checks]})
    assert_inert("\n".join(diff_lines(before, hostile_report(), "both")))
    # the loop itself: a GraderError quoting learner text, a file name with an escape, then a hostile report
    path = tmp_path / "sec\x1b]0;x\x07tion2.py"
    path.write_text("x = 1\n", encoding="utf-8")
    replies = iter([UsageError(f"cannot read: {HOSTILE}"), hostile_report()])

    def fake_grade_many(section_id, next_job, deliver, root=None):
        while (job := next_job()) is not None:
            deliver(job, next(replies))

    monkeypatch.setattr(grader.grading, "grade_many", fake_grade_many)
    monkeypatch.setattr(grader.practice.progress, "record_section", lambda report: None)
    said: list[str] = []
    for _ in range(2):
        stop = threading.Event()
        stop.set()  # grade once, then stop watching
        watch_section("day2.section2", path, lang="both", timeout=None, poll=True, interval=0.05, say=said.append,
                      stop=stop)
        path.write_text(path.read_text(encoding="utf-8") + "y = 2\n", encoding="utf-8")
    text = "\n".join(said)
    assert_inert(text)
    assert "cannot read" in text and "ALL CHECKS PASSED" in text and "sec\\x1b]0;x\\x07tion2.py" in text


def test_notebook_html_and_text():
    from grader.practice.notebook import NotebookReport

    for exercises in (None, {"SGD", "Momentum"}):
        shown = NotebookReport(hostile_report(), exercises, "both")
        page = shown._repr_html_()
        assert_inert(page)  # html.escape leaves ESC, C1 and bidi characters as they are
        assert "\\x1b[2J" in page
        assert_inert(str(shown))


def test_gradescope_results(tmp_path):
    from grader.classroom.gradescope import results_json, write_results

    assert_inert_data(results_json(hostile_report(quiz_taken=True), None))
    out = tmp_path / "results.json"
    write_results(hostile_report(quiz_taken=True), out)
    text = out.read_text(encoding="utf-8")
    assert_inert(text)
    assert_inert_data(json.loads(text))


def hostile_results(tmp_path: Path) -> Path:
    """A `grade batch` results folder whose student ids, reasons and feedback are hostile."""
    from grader.classroom.batch import result_name

    def check(cid: str, status: str, feedback: str) -> dict:
        return {"id": cid, "exercise": "SGD", "status": status, "score": 0.0, "max_score": 1.0,
                "feedback": feedback, "feedback_i18n": {"ja": feedback, "en": feedback}}

    out = tmp_path / "out"
    (out / "results").mkdir(parents=True)
    recs = [
        {"student": f"s1{HOSTILE}", "status": "ok", "sha256": "a" * 64, "score": 0.0, "max_score": 2.0,
         "checks": [check("t1", "failed", f"params['W'] after update 1: {HOSTILE}"),
                    check("t2", "crashed", HOSTILE)],
         "quiz": {"taken": False, "questions": []}},
        {"student": f"=s2{HOSTILE}", "status": "ok", "sha256": "a" * 64, "score": 0.0, "max_score": 2.0,
         "checks": [check("t1", "failed", HOSTILE), check("t2", "timeout", HOSTILE)],
         "quiz": {"taken": False, "questions": []}},
        {"student": f"s3{HOSTILE}", "status": "rejected", "reason": f"odd name {HOSTILE}", "score": 0.0,
         "max_score": 2.0, "checks": [], "quiz": {"taken": False, "questions": []}},
        {"student": f"s4{HOSTILE}", "status": "error", "reason": f"crashed: {HOSTILE}", "score": 0.0,
         "max_score": 2.0, "checks": [], "quiz": {"taken": False, "questions": []}},
    ]
    for r in recs:
        (out / "results" / result_name(r["student"])).write_text(json.dumps(r), encoding="utf-8")
    manifest = {"section": "day2.section2", "title": {"ja": f"題{HOSTILE}", "en": "optimizers"},
                "students": [{"student": r["student"], "file": f"results/{result_name(r['student'])}"} for r in recs]}
    (out / "batch.json").write_text(json.dumps(manifest), encoding="utf-8")
    return out


def test_summary_markdown_and_terminal(tmp_path, capsys, monkeypatch):
    from grader.classroom.summary import render_terminal, write_summary

    s, path = write_summary(hostile_results(tmp_path))
    md = path.read_text(encoding="utf-8")
    assert_inert(md)
    assert "s1\\\\x1b" not in md and "s1\\x1b\\[2J" in md  # escapes shown once; markdown's `[` escaped
    lines: list[str] = []
    render_terminal(s, False, lines.append)
    assert_inert("\n".join(lines))
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("COLUMNS", "200")
    render_terminal(s, True, print)
    assert_inert(capsys.readouterr().out, terminal=True)


def test_grades_csv(tmp_path):
    from grader.classroom.export import escape_cell, write_csv

    for raw in (HOSTILE, "=" + HOSTILE, "\t" + HOSTILE, "a\tb" + HOSTILE):
        assert_inert(escape_cell(raw))
    text = write_csv(hostile_results(tmp_path)).read_bytes().decode("utf-8").removeprefix("\ufeff")
    assert text.count("\r\n") == 5  # the header and one line per student: CRLF ends rows (RFC 4180), nothing else
    assert_inert(text.replace("\r\n", "\n"))


def test_batch_progress_lines_and_cli_errors(capsys):
    import typer

    from grader.cli.batch import _Progress
    from grader.cli.common import fail
    from grader.errors import UsageError

    progress = _Progress(rich_out=False)
    progress.start(2, 2)
    progress.result({"student": f"s1{HOSTILE}", "status": "error", "reason": f"crashed: {HOSTILE}"}, False)
    progress.result({"student": f"s2{HOSTILE}", "status": "ok", "score": 1.0, "max_score": 2.0}, True)
    for e in (UsageError(f"bad file {HOSTILE}"), ValueError(HOSTILE)):
        with pytest.raises(typer.Exit):
            fail(e)
    captured = capsys.readouterr()
    assert_inert(captured.out)
    assert_inert(captured.err)
    assert captured.out.count("\n") == 3 and "bad file" in captured.err


# ---------------------------------------------------------------- (b) end to end, through the real CLI

EVIL = r'''

_Evil = type("\x1b]0;x\x07Evil\u202e", (Exception,), {})


def _raise_hostile(self, params, grads):
    print("OUT\x1b[2J\x1b]0;title\x07\x9b31m\u202e\u2028\rALL CHECKS PASSED")
    raise ValueError("\x1b[2J\x1b]0;title\x07\x9b\u202e\u2028\rALL CHECKS PASSED")


def _raise_evil_class(self, params, grads):
    raise _Evil("boom\x1b]0;y\x07")


Momentum.update = _raise_hostile
AdaGrad.update = _raise_evil_class
globals()["SG\x1bD"] = 1  # "did you mean `SG\x1bD`?" once SGD is gone
del SGD
'''


@pytest.fixture(scope="module")
def evil_submission(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("evil") / "section2.py"
    path.write_text((ROOT / "solutions" / "day2" / "section2.py").read_text(encoding="utf-8") + EVIL,
                    encoding="utf-8")
    return path


def _statuses(report: dict) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for c in report["checks"]:
        out.setdefault(c["exercise"], set()).add(c["status"])
    return out


@pytest.mark.slow
def test_cli_piped_json_and_gradescope(evil_submission, tmp_path):
    gs = tmp_path / "results.json"
    g = run_grade("section2", "--submission", str(evil_submission), "--no-quiz", "--json", "--gradescope", str(gs))
    assert g.rc == 1, g.err
    assert_inert(g.out)
    assert_inert(g.err)
    statuses = _statuses(g.report)
    assert statuses["SGD"] == {"missing"} and statuses["Momentum"] == {"error"} and statuses["AdaGrad"] == {"error"}
    assert_inert_data(g.report)  # the strings themselves, once parsed: `jq -r` prints nothing a terminal runs
    text = json.dumps(g.report, ensure_ascii=False)
    assert "SG\\\\x1bD" in text and "Evil" in text and "ALL CHECKS PASSED" in text
    assert_inert(gs.read_text(encoding="utf-8"))
    assert_inert_data(json.loads(gs.read_text(encoding="utf-8")))
    plain = run_grade("section2", "--submission", str(evil_submission), "--no-quiz")
    assert plain.rc == 1, plain.err
    assert_inert(plain.out)
    assert_inert(plain.err)
    assert "SG\\x1bD" in plain.out and "\\x1b]0;x\\x07Evil\\u202e" in plain.out and "OUT\\x1b[2J" in plain.out


@pytest.mark.slow
def test_cli_on_a_terminal(evil_submission):
    pexpect = pytest.importorskip("pexpect")
    env = {k: v for k, v in grade_env({"TERM": "xterm-256color"}).items() if k not in ("NO_COLOR", "COLUMNS")}
    child = pexpect.spawn(sys.executable, ["-m", "grader.cli.launch", "section2", "--submission", str(evil_submission),
                                           "--no-quiz", "--lang", "en"], cwd=str(ROOT), env=env,
                          encoding="utf-8", timeout=120, dimensions=(60, 200))
    child.expect(pexpect.EOF)
    child.close()
    out = child.before
    assert child.exitstatus == 1, out
    assert RICH_SGR.search(out), "not the rich view"
    assert_inert(out, terminal=True)
    assert "SG\\x1bD" in out and "Evil" in out and "ALL CHECKS PASSED" in out
