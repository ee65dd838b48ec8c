"""The learner's progress: graded sections, answers (Leitner review cards) and hints in one small SQLite file.

Losing or corrupting this file must never break grading: every public function catches database errors,
writes one line to stderr (in the learner's language: use_db), moves a corrupt file aside and starts a fresh
one, and returns.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from grader.results import QuestionResult, SectionReport
from grader.settings import APP_DIR

if TYPE_CHECKING:  # the course models (pydantic) load only where a stored question is read back
    from grader.course.models import Question

DB_NAME = "progress.sqlite3"
BUSY_TIMEOUT_S = 5.0  # transactions last milliseconds; a second command waits this long at most
KINDS = ("section", "drill", "exam", "review")

# Leitner boxes: a wrong answer puts the question in box 1, due at once; a right answer to a due question
# moves it up one box, due again after DAYS_UNTIL_DUE[box] days; right in the last box, it leaves the deck
# (box 0 = not in the review deck). A question is "mastered" when its last MASTERED_STREAK answers were right.
DAYS_UNTIL_DUE = {1: 0, 2: 1, 3: 3, 4: 7, 5: 14}
MAX_BOX = max(DAYS_UNTIL_DUE)
MASTERED_STREAK = 2

# Schema migrations: step N brings the file from PRAGMA user_version N-1 to N. Only ever append a step.
MIGRATIONS: list[tuple[str, ...]] = [
    (
        """CREATE TABLE attempts (
            id INTEGER PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL, section TEXT,
            score REAL NOT NULL, max_score REAL NOT NULL,
            checks_passed INTEGER, checks_total INTEGER, quiz_score REAL, quiz_max REAL)""",
        "CREATE INDEX attempts_by_section ON attempts (section, kind, at)",
        """CREATE TABLE check_results (
            attempt_id INTEGER NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
            check_id TEXT NOT NULL, exercise TEXT NOT NULL, status TEXT NOT NULL,
            PRIMARY KEY (attempt_id, check_id))""",
        """CREATE TABLE answers (
            id INTEGER PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL, section TEXT,
            question_id TEXT NOT NULL, chosen TEXT, correct INTEGER NOT NULL)""",
        """CREATE TABLE cards (
            question_id TEXT PRIMARY KEY, section TEXT, box INTEGER NOT NULL, streak INTEGER NOT NULL,
            lapses INTEGER NOT NULL, due TEXT, last_at TEXT NOT NULL, question TEXT)""",
        "CREATE INDEX cards_by_due ON cards (box, due)",
        """CREATE TABLE hints (
            section TEXT NOT NULL, exercise TEXT NOT NULL, shown INTEGER NOT NULL, at TEXT NOT NULL,
            PRIMARY KEY (section, exercise))""",
    ),
]
SCHEMA_VERSION = len(MIGRATIONS)

_SECTION_OF_QUESTION = re.compile(r"^(day\d+\.section\d+)\.")
_override: Path | None = None
_lang = "both"
_warned: set[str] = set()
T = TypeVar("T")


class NewerSchema(Exception):
    """The file was written by a newer grader: leave it alone. Its args: the reason in Japanese, in English."""


# ---------------------------------------------------------------- where the file lives


def use_db(path: Path | None, lang: str | None = None) -> None:
    """Use `path` for the rest of this process (the `--db` option); None keeps $GRADER_DB or the default.
    `lang`: the language of the lines that say the file is unusable (ja, en or both; default both)."""
    global _override, _lang
    if path is not None:
        _override = Path(path)
    if lang is not None:
        _lang = lang


def db_path() -> Path:
    """--db, else $GRADER_DB, else $XDG_DATA_HOME (~/.local/share)/eshikaku-grader/progress.sqlite3."""
    if _override is not None:
        return _override
    env = os.environ.get("GRADER_DB")
    if env:
        return Path(env).expanduser()
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / APP_DIR / DB_NAME


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def _stamp(t: datetime) -> str:
    return t.astimezone(timezone.utc).isoformat(timespec="seconds")


# ---------------------------------------------------------------- failures never break grading


def _warn(ja: str, en: str, both: str | None = None) -> None:
    """Say on stderr, in the learner's language (use_db), that the file is unusable."""
    message = {"ja": ja, "en": en}.get(_lang, both or f"{ja} / {en}")
    if message not in _warned:  # once per process: watch mode must not repeat it on every save
        _warned.add(message)
        sys.stderr.write(message + "\n")


def _is_corrupt(e: sqlite3.Error) -> bool:
    name = getattr(e, "sqlite_errorname", "") or ""
    if name:
        return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
    text = str(e).lower()
    return "malformed" in text or "not a database" in text


def _move_aside(path: Path) -> Path | None:
    aside = path.with_name(f"{path.name}.corrupt-{now_utc().strftime('%Y%m%dT%H%M%S%f')}")
    try:
        path.rename(aside)
    except OSError:
        return None
    for suffix in ("-wal", "-shm"):  # a stale log must not be replayed into the fresh file
        try:
            path.with_name(path.name + suffix).unlink()
        except OSError:
            pass
    return aside


def _guarded(default: Callable[[], T]) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Run the function; on any failure say so once on stderr and return `default()` (a corrupt file is moved
    aside and the function tried once more on a fresh one)."""

    def wrap(fn: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(fn)
        def guarded(*args: Any, **kwargs: Any) -> T:
            for attempt in (1, 2):
                try:
                    return fn(*args, **kwargs)
                except sqlite3.Error as e:
                    path = db_path()
                    if attempt == 1 and _is_corrupt(e) and path.exists():
                        aside = _move_aside(path)
                        if aside is not None:
                            _warn(
                                f"進捗データベースが壊れていたので {aside.name} に移し、新しく作ります",
                                f"progress database was corrupt ({e}): moved to {aside}, starting a fresh one",
                            )
                            continue
                    reason = reason_ja = f"{e} ({path})"
                except NewerSchema as e:
                    reason_ja, reason = e.args
                except Exception as e:  # noqa: BLE001 - progress is a convenience; grading goes on regardless
                    reason = reason_ja = f"{type(e).__name__}: {e} ({db_path()})"
                _warn(
                    f"進捗データベースを使えません: {reason_ja} — 採点は続けます",
                    f"progress database unavailable: {reason} — grading goes on",
                    both=f"進捗データベースを使えません / progress database unavailable: {reason} — "
                         "採点は続けます / grading goes on",
                )
                return default()
            return default()

        return guarded

    return wrap


# ---------------------------------------------------------------- connection and migrations


@contextmanager
def _connect() -> Iterator[sqlite3.Connection]:
    path = db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: no implicit transactions; every write below is one short explicit BEGIN … COMMIT.
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        mode = _wal(conn)  # readers never block the writer
        if mode and str(mode[0]).lower() == "wal":
            conn.execute("PRAGMA synchronous = NORMAL")
        _migrate(conn)
        yield conn
    finally:
        conn.close()


def _wal(conn: sqlite3.Connection) -> Any:
    """Switch a new file to WAL. Two commands opening a fresh file at once race for that switch, and SQLite
    answers "database is locked" at once there (its busy handler does not cover it): wait and try again."""
    import time

    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            return conn.execute("PRAGMA journal_mode = WAL").fetchone()
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _migrate(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return
    if version > SCHEMA_VERSION:
        raise NewerSchema(f"{db_path()} は新しい版のグレーダーで作られています (schema {version} > {SCHEMA_VERSION})",
                          f"{db_path()} was written by a newer grader (schema {version} > {SCHEMA_VERSION})")
    with _transaction(conn):
        version = conn.execute("PRAGMA user_version").fetchone()[0]  # another command may have migrated it
        for step in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[step]:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")  # take the write lock up front: no deadlock upgrading a read lock
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


# ---------------------------------------------------------------- recording


def section_of(question_id: str, default: str | None = None) -> str | None:
    m = _SECTION_OF_QUESTION.match(question_id)
    return m.group(1) if m else default


def _insert_answers(
    conn: sqlite3.Connection,
    kind: str,
    section: str | None,
    results: Sequence[QuestionResult],
    at: datetime,
    questions: dict[str, Question],
) -> None:
    stamp = _stamp(at)
    for r in results:
        sec = section_of(r.id, section)
        conn.execute(
            "INSERT INTO answers (at, kind, section, question_id, chosen, correct) VALUES (?, ?, ?, ?, ?, ?)",
            (stamp, kind, sec, r.id, json.dumps(r.chosen), int(r.correct)),
        )
        _update_card(conn, r.id, sec, r.correct, at, questions.get(r.id))


def _update_card(
    conn: sqlite3.Connection,
    qid: str,
    section: str | None,
    correct: bool,
    at: datetime,
    question: Question | None,
) -> None:
    row = conn.execute(
        "SELECT box, streak, lapses, due, question FROM cards WHERE question_id = ?", (qid,)
    ).fetchone()
    box, streak, lapses, due, stored = row if row else (0, 0, 0, None, None)
    if correct:
        streak += 1
        if box and (due is None or due <= _stamp(at)):  # only a due review moves a card up
            box = box + 1 if box < MAX_BOX else 0
            due = _stamp(at + timedelta(days=DAYS_UNTIL_DUE[box])) if box else None
    else:
        streak, lapses, box, due = 0, lapses + 1, 1, _stamp(at)
    text = question.model_dump_json() if question is not None else stored
    conn.execute(
        "INSERT INTO cards (question_id, section, box, streak, lapses, due, last_at, question) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (question_id) DO UPDATE SET section = excluded.section, "
        "box = excluded.box, streak = excluded.streak, lapses = excluded.lapses, due = excluded.due, "
        "last_at = excluded.last_at, question = excluded.question",
        (qid, section, box, streak, lapses, due, _stamp(at), text),
    )


@_guarded(lambda: None)
def record_answers(
    kind: str,
    section: str | None,
    results: list[QuestionResult],
    *,
    questions: Sequence[Question] = (),
    now: datetime | None = None,
) -> None:
    """Record answers of a drill, an exam, a review or a section's quiz, and update their review cards.

    `questions`: pass drawn (parametric) questions here so that `grade review` can ask them again later; fixed
    questions are found in the bank by id. Drills, exams and reviews also count as one attempt each.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    at = now or now_utc()
    by_id = {q.id: q for q in questions}
    with _connect() as conn, _transaction(conn):
        if kind != "section" and results:  # a section's attempt is recorded whole by record_section
            conn.execute(
                "INSERT INTO attempts (at, kind, section, score, max_score) VALUES (?, ?, ?, ?, ?)",
                (_stamp(at), kind, section, sum(r.score for r in results), sum(r.max_score for r in results)),
            )
        _insert_answers(conn, kind, section, results, at, by_id)


@_guarded(lambda: None)
def record_section(report: SectionReport, *, now: datetime | None = None) -> None:
    """Record one graded section: its score, every check's status and its quiz answers (when taken)."""
    at = now or now_utc()
    quiz = report.quiz
    with _connect() as conn, _transaction(conn):
        cur = conn.execute(
            "INSERT INTO attempts (at, kind, section, score, max_score, checks_passed, checks_total, "
            "quiz_score, quiz_max) VALUES (?, 'section', ?, ?, ?, ?, ?, ?, ?)",
            (
                _stamp(at),
                report.section,
                report.score,
                report.max_score,
                sum(c.status == "passed" for c in report.checks),
                len(report.checks),
                quiz.score if quiz.taken else None,
                quiz.max_score if quiz.taken else None,
            ),
        )
        conn.executemany(
            "INSERT OR REPLACE INTO check_results (attempt_id, check_id, exercise, status) "
            "VALUES (?, ?, ?, ?)",
            [(cur.lastrowid, c.id, c.exercise, c.status) for c in report.checks],
        )
        if quiz.taken:
            answered = [
                q for q in quiz.questions if q.chosen is not None
            ]  # an unanswered question is no mistake
            _insert_answers(conn, "section", report.section, answered, at, {})


@_guarded(lambda: None)
def take_hint(section: str, exercise: str, available: int, *, reset: bool = False) -> int | None:
    """One more hint: returns how many hints of `exercise` to show now (1…available), or 0 after --reset.
    None when the database is unavailable."""
    with _connect() as conn, _transaction(conn):
        row = conn.execute(
            "SELECT shown FROM hints WHERE section = ? AND exercise = ?", (section, exercise)
        ).fetchone()
        shown = 0 if reset else min((row[0] if row else 0) + 1, available)
        conn.execute(
            "INSERT INTO hints (section, exercise, shown, at) VALUES (?, ?, ?, ?) ON CONFLICT (section, "
            "exercise) DO UPDATE SET shown = excluded.shown, at = excluded.at",
            (section, exercise, shown, _stamp(now_utc())),
        )
        return shown


# ---------------------------------------------------------------- reading


@dataclass
class SectionProgress:
    section: str
    attempts: int = 0
    best: tuple[float, float] | None = None
    last: tuple[float, float] | None = None
    last_at: str = ""
    checks: tuple[int, int] | None = None  # passed, total in the last attempt
    failing: list[str] = field(default_factory=list)  # exercises with a check short in the last attempt
    quiz_full: bool = False  # the quiz answered in full at least once
    mastered: set[str] = field(default_factory=set)
    hints: int = 0


@dataclass
class Progress:
    sections: dict[str, SectionProgress]
    due: int = 0
    next_due: str | None = None
    drills: tuple[int, float, float] = (0, 0.0, 0.0)  # count, score, max_score (all drills)
    last_exam: tuple[str, float, float] | None = None
    available: bool = True


@_guarded(lambda: Progress({}, available=False))
def read_progress(now: datetime | None = None) -> Progress:
    at = _stamp(now or now_utc())
    sections: dict[str, SectionProgress] = {}
    with _connect() as conn:
        rows = conn.execute(
            "SELECT id, at, section, score, max_score, checks_passed, checks_total, quiz_score, quiz_max "
            "FROM attempts WHERE kind = 'section' ORDER BY at, id"
        ).fetchall()
        last_ids = {}
        for aid, when, sec, score, max_score, passed, total, qs, qm in rows:
            p = sections.setdefault(sec, SectionProgress(sec))
            p.attempts += 1
            ratio = score / max_score if max_score else 0.0
            if (
                p.best is None
                or ratio > (p.best[0] / p.best[1] if p.best[1] else 0.0)
                or (ratio == (p.best[0] / p.best[1] if p.best[1] else 0.0) and max_score > p.best[1])
            ):
                p.best = (score, max_score)
            p.last, p.last_at, p.checks = (score, max_score), when, (passed, total)
            p.quiz_full = p.quiz_full or (qm is not None and qm > 0 and qs >= qm)
            last_ids[sec] = aid
        for sec, aid in last_ids.items():
            sections[sec].failing = [
                r[0]
                for r in conn.execute(
                    "SELECT exercise FROM check_results WHERE attempt_id = ? GROUP BY exercise "
                    "HAVING SUM(status != 'passed') > 0 ORDER BY MIN(rowid)",
                    (aid,),
                )
            ]
        for qid, sec in conn.execute(
            "SELECT question_id, section FROM cards WHERE streak >= ?", (MASTERED_STREAK,)
        ):
            if sec:
                sections.setdefault(sec, SectionProgress(sec)).mastered.add(qid)
        for sec, exercise_hints in conn.execute("SELECT section, SUM(shown) FROM hints GROUP BY section"):
            sections.setdefault(sec, SectionProgress(sec)).hints = exercise_hints or 0
        due = conn.execute("SELECT COUNT(*) FROM cards WHERE box > 0 AND due <= ?", (at,)).fetchone()[0]
        next_due = conn.execute("SELECT MIN(due) FROM cards WHERE box > 0 AND due > ?", (at,)).fetchone()[0]
        n, s, m = conn.execute(
            "SELECT COUNT(*), TOTAL(score), TOTAL(max_score) FROM attempts WHERE kind = 'drill'"
        ).fetchone()
        exam = conn.execute(
            "SELECT at, score, max_score FROM attempts WHERE kind = 'exam' ORDER BY at DESC, id DESC LIMIT 1"
        ).fetchone()
    return Progress(
        sections, due=due, next_due=next_due, drills=(n, s, m), last_exam=tuple(exam) if exam else None
    )


@dataclass
class Card:
    question_id: str
    section: str | None
    box: int
    due: str
    question: Question | None  # the stored question (drawn ones); fixed ones are looked up in the bank


def _card(row: tuple) -> Card:
    qid, sec, box, due, text = row
    question = None
    if text:
        try:
            from grader.course.models import Question

            question = Question.model_validate_json(text)
        except ValueError:
            question = None
    return Card(qid, sec, box, due, question)


@_guarded(list)
def due_cards(
    section: str | None = None, limit: int | None = None, now: datetime | None = None
) -> list[Card]:
    """Review cards due now (oldest due first), optionally of one section."""
    at = _stamp(now or now_utc())
    sql = "SELECT question_id, section, box, due, question FROM cards WHERE box > 0 AND due <= ?"
    args: list[Any] = [at]
    if section:
        sql += " AND section = ?"
        args.append(section)
    sql += " ORDER BY due, question_id"
    if limit:
        sql += " LIMIT ?"
        args.append(limit)
    with _connect() as conn:
        return [_card(r) for r in conn.execute(sql, args)]


@_guarded(lambda: None)
def drop_card(question_id: str) -> None:
    """Take a question out of the review deck (one that can no longer be asked)."""
    with _connect() as conn, _transaction(conn):
        conn.execute("UPDATE cards SET box = 0, due = NULL WHERE question_id = ?", (question_id,))
