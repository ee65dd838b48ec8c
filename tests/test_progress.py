"""Progress database, `grade status`, `grade review`, `grade hint`: recording, Leitner scheduling, migrations,
two commands at once, a corrupt or unusable file (grading goes on), the commands with and without a terminal."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from grader.course.loading import load_bank, load_course
from grader.practice import progress
from grader.results import CheckResult, QuestionResult, QuizReport, SectionReport
from tests.conftest import ROOT, grade_env, run_grade

SOLUTION = ROOT / "solutions" / "day2" / "section2.py"
BANK = load_bank("day2.section2")
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "data" / "progress.sqlite3"
    monkeypatch.setenv("GRADER_DB", str(path))
    monkeypatch.setattr(progress, "_override", None)
    monkeypatch.setattr(progress, "_warned", set())
    return path


def answer(qid: str, correct: bool) -> QuestionResult:
    return QuestionResult(
        id=qid, chosen=[1], correct=correct, score=float(correct), max_score=1.0, feedback="-"
    )


def report(score: float, statuses: list[str], quiz: list[QuestionResult] | None = None) -> SectionReport:
    checks = [
        CheckResult(
            id=f"c{i}",
            exercise="SGD" if i < 2 else "Momentum",
            status=s,  # type: ignore[arg-type]
            score=1.0 if s == "passed" else 0.0,
            max_score=1.0,
            feedback="-",
        )
        for i, s in enumerate(statuses)
    ]
    q = QuizReport(
        taken=quiz is not None,
        questions=quiz or [],
        score=sum(r.score for r in quiz or []),
        max_score=float(len(quiz or [])),
    )
    return SectionReport(
        section="day2.section2", score=score, max_score=float(len(statuses)), checks=checks, quiz=q
    )


def wrong_answers_file(tmp_path: Path, wrong: list[str]) -> Path:
    """An answers file for section 2 with the questions in `wrong` answered with a wrong choice."""
    data = {}
    for q in BANK.questions:
        right = sorted(q.answers)
        data[q.id] = (
            next(i for i in range(1, len(q.choices) + 1) if i not in q.answers)
            if q.id in wrong
            else right
            if len(right) > 1
            else right[0]
        )
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def right_answers_file(tmp_path: Path, ids: list[str], name: str = "right.yaml") -> Path:
    by_id = {q.id: q for q in BANK.questions}
    path = tmp_path / name
    path.write_text(yaml.safe_dump({i: sorted(by_id[i].answers)[0] for i in ids}), encoding="utf-8")
    return path


# ---------------------------------------------------------------- the store


def test_created_on_first_use_with_wal_and_schema_version(db):
    assert not db.exists()
    progress.record_section(report(1, ["passed", "failed"]))
    conn = sqlite3.connect(db)
    assert (
        conn.execute("PRAGMA user_version").fetchone()[0]
        == progress.SCHEMA_VERSION
        == len(progress.MIGRATIONS)
    )
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute(
        "SELECT kind, section, score, checks_passed, checks_total FROM attempts"
    ).fetchall() == [("section", "day2.section2", 1.0, 1, 2)]
    assert conn.execute("SELECT COUNT(*) FROM check_results").fetchone()[0] == 2


def test_location_db_option_then_env_then_xdg(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "_override", None)
    monkeypatch.delenv("GRADER_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert progress.db_path() == tmp_path / "xdg" / "eshikaku-grader" / "progress.sqlite3"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert (
        progress.db_path() == tmp_path / "home" / ".local" / "share" / "eshikaku-grader" / "progress.sqlite3"
    )
    monkeypatch.setenv("GRADER_DB", str(tmp_path / "env.sqlite3"))
    assert progress.db_path() == tmp_path / "env.sqlite3"
    progress.use_db(tmp_path / "opt.sqlite3")
    assert progress.db_path() == tmp_path / "opt.sqlite3"


def test_an_old_schema_is_migrated_and_a_newer_one_left_alone(db, capsys):
    db.parent.mkdir(parents=True)
    sqlite3.connect(db).close()  # version 0: an empty file from before the first migration
    progress.record_answers("drill", None, [answer("day2.section2.q01", False)])
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == progress.SCHEMA_VERSION

    newer = db.with_name("newer.sqlite3")
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {progress.SCHEMA_VERSION + 1}")
    conn.close()
    progress.use_db(newer)
    progress.record_section(report(1, ["passed"]))  # does not raise
    err = capsys.readouterr().err
    assert "progress database unavailable" in err and "newer grader" in err and "grading goes on" in err
    assert newer.exists() and not list(db.parent.glob("*.corrupt-*"))  # not mistaken for corruption


def test_a_corrupt_file_is_moved_aside_and_a_fresh_one_started(db, capsys):
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a database " * 200)
    progress.record_section(report(2, ["passed", "passed"]))
    err = capsys.readouterr().err
    assert "corrupt" in err and "moved to" in err
    aside = list(db.parent.glob("progress.sqlite3.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not")
    assert sqlite3.connect(db).execute("SELECT score FROM attempts").fetchall() == [(2.0,)]


def test_an_unusable_location_never_raises(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("GRADER_DB", str(blocker / "progress.sqlite3"))  # its parent is a file
    monkeypatch.setattr(progress, "_override", None)
    monkeypatch.setattr(progress, "_warned", set())
    assert progress.record_section(report(1, ["passed"])) is None
    assert progress.record_answers("exam", None, [answer("day2.section2.q01", True)]) is None
    assert progress.read_progress().available is False
    assert progress.due_cards() == [] and progress.take_hint("day2.section2", "SGD", 3) is None
    err = capsys.readouterr().err
    assert (
        err.count("進捗データベースを使えません / progress database unavailable") == 1
    )  # said once, not per call


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = tmp_path / "shared.sqlite3"
    script = textwrap.dedent("""
        import sys
        from grader.practice import progress
        from grader.results import QuestionResult
        for i in range(40):
            progress.record_answers("drill", "day2.section2", [QuestionResult(
                id=f"day2.section2.q{i % 5 + 1:02d}", chosen=[1], correct=bool(i % 2), score=0, max_score=1,
                feedback="-")])
    """)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=grade_env({"GRADER_DB": str(path)}),
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]  # both create the file too
    errs = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0] and errs == ["", ""], errs
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM attempts WHERE kind = 'drill'").fetchone()[0] == 80
    assert conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == 80


# ---------------------------------------------------------------- Leitner review and mastery


def test_leitner_boxes_schedule_reviews_by_date(db):
    q = "day2.section2.q01"
    progress.record_answers("drill", "day2.section2", [answer(q, False)], now=T0)
    assert [c.question_id for c in progress.due_cards(now=T0)] == [q]  # wrong: due at once, in box 1
    progress.record_answers("review", "day2.section2", [answer(q, True)], now=T0)
    assert progress.due_cards(now=T0 + timedelta(hours=23)) == []  # box 2: due after one day
    due = progress.due_cards(now=T0 + timedelta(days=1))
    assert [(c.question_id, c.box) for c in due] == [(q, 2)]
    progress.record_answers(
        "review", None, [answer(q, True)], now=T0 + timedelta(days=1)
    )  # section from the id
    assert progress.due_cards(now=T0 + timedelta(days=3, hours=23)) == []
    assert progress.due_cards(now=T0 + timedelta(days=4))[0].box == 3
    progress.record_answers("exam", None, [answer(q, False)], now=T0 + timedelta(days=4))
    assert progress.due_cards(now=T0 + timedelta(days=4))[0].box == 1  # wrong again: back to box 1


def test_a_right_answer_before_the_due_date_does_not_skip_a_box(db):
    q = "day2.section2.q02"
    progress.record_answers("drill", "day2.section2", [answer(q, False)], now=T0)
    progress.record_answers("drill", "day2.section2", [answer(q, True)], now=T0)  # → box 2, due in a day
    progress.record_answers(
        "drill", "day2.section2", [answer(q, True)], now=T0 + timedelta(hours=1)
    )  # not due
    assert progress.due_cards(now=T0 + timedelta(days=1))[0].box == 2


def test_after_the_last_box_a_question_leaves_the_deck(db):
    q, t = "day2.section2.q03", T0
    progress.record_answers("drill", "day2.section2", [answer(q, False)], now=t)
    for _ in range(progress.MAX_BOX):
        progress.record_answers("review", "day2.section2", [answer(q, True)], now=t)
        t += timedelta(days=30)
    assert progress.due_cards(now=t + timedelta(days=365)) == []


def test_mastered_means_right_twice_in_a_row(db):
    a, b = "day2.section2.q01", "day2.section2.q02"
    progress.record_answers("drill", "day2.section2", [answer(a, True), answer(b, True)])
    once = progress.read_progress().sections.get("day2.section2")
    assert once is None or not once.mastered
    progress.record_answers("drill", "day2.section2", [answer(a, True), answer(b, False)])
    assert progress.read_progress().sections["day2.section2"].mastered == {a}


def test_a_drawn_question_is_stored_so_review_can_ask_it_again(db):
    drawn = BANK.questions[0].model_copy(update={"id": "day2.section4.t.conv_out.s1234"})
    progress.record_answers("drill", "day2.section4", [answer(drawn.id, False)], questions=[drawn])
    card = progress.due_cards()[0]
    assert (
        card.question is not None and card.question.id == drawn.id and card.question.choices == drawn.choices
    )


def test_section_quiz_answers_update_cards_but_unanswered_ones_do_not(db):
    quiz = [
        answer("day2.section2.q01", False),
        answer("day2.section2.q02", True),
        QuestionResult(
            id="day2.section2.q03", chosen=None, correct=False, score=0, max_score=1, feedback="-"
        ),
    ]
    progress.record_section(report(3, ["passed", "passed", "failed"], quiz))
    assert [c.question_id for c in progress.due_cards()] == ["day2.section2.q01"]
    p = progress.read_progress().sections["day2.section2"]
    assert p.failing == ["Momentum"] and p.checks == (2, 3) and p.last == (3.0, 3.0)


def test_best_and_last_scores(db):
    progress.record_section(report(1, ["passed", "failed", "failed"]), now=T0)
    progress.record_section(report(3, ["passed", "passed", "passed"]), now=T0 + timedelta(minutes=1))
    progress.record_section(report(2, ["passed", "passed", "failed"]), now=T0 + timedelta(minutes=2))
    p = progress.read_progress().sections["day2.section2"]
    assert p.attempts == 3 and p.best == (3.0, 3.0) and p.last == (2.0, 3.0)


def test_hints_count_up_to_the_last_and_reset(db):
    assert [progress.take_hint("day2.section2", "SGD", 2) for _ in range(3)] == [1, 2, 2]
    assert progress.take_hint("day2.section2", "SGD", 2, reset=True) == 0
    assert progress.take_hint("day2.section2", "SGD", 2) == 1
    assert progress.take_hint("day2.section2", "Adam", 2) == 1  # per exercise


# ---------------------------------------------------------------- the commands


@pytest.mark.slow
def test_grading_records_and_status_shows_best_last_and_next_step(tmp_path):
    env = {"GRADER_DB": str(tmp_path / "p.sqlite3")}
    g = run_grade("status", "--lang", "en", env=env)
    assert g.rc == 0
    for s in load_course().sections:
        assert s.id in g.out
    assert "start day1.section1" in g.out

    assert run_grade("section2", "--no-quiz", env=env).rc == 1  # the stubs
    wrong = wrong_answers_file(tmp_path, [BANK.questions[0].id])
    g = run_grade("section2", "--submission", str(SOLUTION), "--answers", str(wrong), "--json", env=env)
    assert g.rc == 1 and g.report["score"] == 29 + len(BANK.questions) - 1
    g = run_grade("status", "--lang", "en", env=env)
    line = next(x for x in g.out.splitlines() if x.startswith("day2.section2"))
    best = f"{29 + len(BANK.questions) - 1}/{29 + len(BANK.questions)}"
    assert line.split()[1:4] == [best, best, "24/24"], line
    assert (
        f"{len(BANK.questions) - 1}/{len(BANK.questions)}" not in line
    )  # answered right once: not mastered yet
    assert "1 question due for review: grade review" in g.out
    assert "get the quiz of day2.section2 right" in g.out


def test_status_before_anything_and_in_japanese(tmp_path):
    g = run_grade("status", "--lang", "ja", env={"GRADER_DB": str(tmp_path / "p.sqlite3")})
    assert g.rc == 0 and "次にやること" in g.out and "grade day1.section1" in g.out and "next:" not in g.out


@pytest.mark.slow
def test_review_without_a_terminal_lists_then_answers_from_a_file(tmp_path):
    env = {"GRADER_DB": str(tmp_path / "p.sqlite3")}
    g = run_grade("review", "--lang", "en", env=env)
    assert g.rc == 0 and "nothing is due" in g.out
    q1, q2 = BANK.questions[0].id, BANK.questions[1].id
    run_grade(
        "section2",
        "--submission",
        str(SOLUTION),
        "--answers",
        str(wrong_answers_file(tmp_path, [q1, q2])),
        env=env,
    )
    g = run_grade("review", "--lang", "en", env=env)  # stdin is closed: lists, never waits
    assert g.rc == 0 and q1 in g.out and q2 in g.out and "--answers FILE" in g.out
    g = run_grade("review", "--lang", "en", "--answers", str(right_answers_file(tmp_path, [q1])), env=env)
    assert g.rc == 0 and f"✔ {q1}" in g.out and "review: 1/1 right" in g.out and "stay due" in g.out
    g = run_grade("review", "--lang", "en", env=env)
    assert q2 in g.out and q1 not in g.out  # q1 moved to box 2: due tomorrow
    g = run_grade("review", "--lang", "en", "--answers", str(wrong_answers_file(tmp_path, [q2])), env=env)
    assert g.rc == 1 and f"✘ {q2}" in g.out and "review: 0/1 right" in g.out


@pytest.mark.slow
def test_review_on_a_terminal(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    env = grade_env({"GRADER_DB": str(tmp_path / "p.sqlite3")})
    q = BANK.questions[2]

    def miss_then_review():
        """Answer q wrongly in a graded run, then start `grade review` on a terminal at its first prompt."""
        run_grade("section2", "--submission", str(SOLUTION), "--answers", str(wrong_answers_file(tmp_path, [q.id])),
                  env={"GRADER_DB": env["GRADER_DB"]})
        child = pexpect.spawn(sys.executable, ["-m", "grader.cli.launch", "review", "--lang", "en"], cwd=str(ROOT),
                              env=env, encoding="utf-8", timeout=60, dimensions=(50, 200))
        child.expect("answer> ")
        return child

    child = miss_then_review()
    child.sendline(str(sorted(q.answers)[0]))
    child.expect(pexpect.EOF)
    child.close()
    assert "review: 1/1 right" in child.before and child.exitstatus == 0
    # and EOF on a terminal (Ctrl-D) stops cleanly, leaving the question due
    child = miss_then_review()
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert "Traceback" not in child.before
    assert q.id in run_grade("review", "--lang", "en", env={"GRADER_DB": env["GRADER_DB"]}).out


@pytest.mark.slow
def test_hint_reveals_one_more_each_time_and_resets(tmp_path):
    env = {"GRADER_DB": str(tmp_path / "p.sqlite3")}
    hints = next(e for e in load_course().sections[6].exercises if e.name == "Momentum").hints
    assert load_course().sections[6].id == "day2.section2" and len(hints) >= 2
    seen = []
    for n in range(1, len(hints) + 2):
        g = run_grade("hint", "section2", "momentum", "--lang", "en", env=env)
        assert g.rc == 0
        seen.append(g.out)
        shown = min(n, len(hints))
        assert f"hint {shown}/{len(hints)}" in g.out
        assert hints[shown - 1].en.splitlines()[0] in g.out
        if shown < len(hints):
            assert hints[shown].en.splitlines()[0] not in g.out
    assert "that was the last hint" in seen[-1] and "again for the next hint" in seen[0]
    assert "start over" in run_grade("hint", "section2", "Momentum", "--reset", "--lang", "en", env=env).out
    assert "hint 1/" in run_grade("hint", "section2", "Momentum", "--lang", "en", env=env).out
    g = run_grade("status", "--lang", "en", env=env)
    assert next(x for x in g.out.splitlines() if x.startswith("day2.section2")).split()[5] == "1"


def test_hint_for_an_unknown_exercise_is_a_usage_error(tmp_path):
    g = run_grade("hint", "section2", "Nesterov", env={"GRADER_DB": str(tmp_path / "p.sqlite3")})
    assert g.rc == 2 and "no exercise Nesterov" in g.err and "Momentum" in g.err and "Traceback" not in g.err


def test_the_stub_report_points_at_grade_hint():
    g = run_grade("section2", "--no-quiz", "--lang", "en")
    assert "grade hint section2 SGD" in g.out


@pytest.mark.slow
def test_a_corrupt_database_never_breaks_grading(tmp_path):
    path = tmp_path / "p.sqlite3"
    path.write_bytes(b"\x00garbage" * 500)
    g = run_grade(
        "section2", "--submission", str(SOLUTION), "--no-quiz", "--json", env={"GRADER_DB": str(path)}
    )
    assert g.rc == 0 and g.report["score"] == 29  # stdout is still one JSON document
    assert "corrupt" in g.err and "Traceback" not in g.err
    assert len(list(tmp_path.glob("p.sqlite3.corrupt-*"))) == 1
    assert "29/29" in run_grade("status", env={"GRADER_DB": str(path)}).out  # the fresh file recorded it


@pytest.mark.slow
def test_an_unusable_database_never_breaks_grading_or_status(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    env = {"GRADER_DB": str(blocker / "p.sqlite3")}
    g = run_grade("section2", "--submission", str(SOLUTION), "--no-quiz", "--json", env=env)
    assert g.rc == 0 and g.report["score"] == 29
    assert "progress database unavailable" in g.err and "grading goes on" in g.err
    g = run_grade("status", "--lang", "en", env=env)
    assert g.rc == 0 and "progress database unavailable" in g.out + g.err
    assert run_grade("review", env=env).rc == 0


def test_db_option_overrides_the_environment(tmp_path):
    env = {"GRADER_DB": str(tmp_path / "env.sqlite3")}
    opt = tmp_path / "opt.sqlite3"
    assert run_grade("section2", "--no-quiz", "--db", str(opt), env=env).rc == 1
    assert opt.exists() and not (tmp_path / "env.sqlite3").exists()
    assert "0/24" in run_grade("status", "--db", str(opt), env=env).out
