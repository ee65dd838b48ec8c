"""Grade a whole class: submissions in parallel worker processes, one result file per student, resumable.

Each grading process is forked from the batch process after it has imported numpy and the grader
(no multiprocessing forkserver: its socket would be reachable by learner code), runs in its own session, and
grades one submission at a time as `grade section2` does (the learner's code in its own worker child,
per-check limits), with two savings that change no verdict (tests/test_runner_loop.py, tests/test_template.py):
- one collection of the checks per grading process for all its submissions (grader.engine.runner.run_many): the
  check file is imported once, not per submission;
- unsandboxed learner workers are forked from a pre-loaded worker template (grader.engine.spawn.WorkerTemplate) instead
  of starting Python and numpy again for every submission.
The parent enforces a wall limit per submission, writes each result atomically (`tmp` + `os.replace`) as it
arrives, keyed by the submission's sha256 and the grader version, and on Ctrl-C or SIGTERM kills every
grading process and sweeps their descendants (it is a child subreaper).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import tempfile
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.classroom.intake import Entry, scan
from grader.course.loading import ROOT, find_section, load_bank, section_paths
from grader.errors import UsageError
from grader.ids import day_and_name

RESULTS_DIR = "results"
MANIFEST = "batch.json"
WALL_LIMIT = 300.0
# what decides a verdict, relative to grader/: a change to any of it re-grades (the cache key's digest)
ENGINE_FILES = ("engine/*.py", "course/*.py", "grading.py", "results.py", "text.py", "ids.py", "sanitize.py",
                "classroom/batch.py", "classroom/intake.py")
PRELOAD = ["grader.grading", "grader.engine.runner", "grader.engine.proxy", "grader.engine.checking",
           "grader.course.quiz"]


def grader_version(section_id: str, root: Path = ROOT) -> str:
    """Package version + a digest of everything that decides a verdict: change a check, re-grade."""
    try:
        from importlib.metadata import version

        base = version("eshikaku-grader")
    except Exception:  # noqa: BLE001 - not installed: the digest still identifies the code
        base = "0"
    h = hashlib.sha256()
    own = section_paths(section_id, root)
    paths = [p for pattern in ENGINE_FILES for p in sorted((root / "grader").glob(pattern))]
    paths += [own["checks"], own["bank"], root / "question_bank" / "course.yaml"]
    for p in paths:
        h.update(str(p.relative_to(root)).encode() + b"\0")
        h.update(p.read_bytes() if p.exists() else b"-")
    return f"{base}+{h.hexdigest()[:12]}"


def result_name(student: str) -> str:
    """A file name for any student id (ids may hold quotes, `=`, non-ASCII): readable slug + id digest."""
    slug = re.sub(r"[^A-Za-z0-9_.-]", "_", student)[:60].lstrip(".-") or "_"
    return f"{slug}-{hashlib.sha256(student.encode('utf-8', 'surrogatepass')).hexdigest()[:10]}.json"


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


@dataclass
class Outcome:
    """What a run did: result records by student (in id order), and the counts the CLI shows."""

    records: list[dict[str, Any]] = field(default_factory=list)
    graded: int = 0
    cached: int = 0
    rejected: int = 0
    errors: int = 0
    interrupted: bool = False
    wall: float = 0.0


def _blank_report(section_id: str, message: str) -> dict[str, Any]:
    section = find_section(section_id)
    return {"section": section_id, "title": section.title.model_dump(), "score": 0.0,
            "max_score": float(sum(e.points for e in section.exercises)), "checks": [],
            "quiz": {"taken": False, "reason": "", "score": 0.0, "max_score": 0.0, "questions": []},
            "learner_output": "", "message": message}


def make_record(entry: Entry, version: str, status: str, report: dict[str, Any], reason: str = "") -> dict[str, Any]:
    """The result file: the SectionReport's fields, plus who, what (sha256) and by which grader."""
    return {"student": entry.student, "status": status, "reason": reason, "sha256": entry.sha256,
            "answers_sha256": entry.answers_sha256, "grader_version": version, "origin": entry.origin, **report}


# ---------------------------------------------------------------- the grading processes


def _grade_one(section_id: str, path: str, answers: str | None, timeout: float | None, sandbox: bool,
               hide: tuple[str, ...]) -> dict[str, Any]:
    """One submission, as single grading does it (runs in a grading process). With the sandbox, `hide` (the
    class's submissions, the results, the staging folder) is out of the worker's sight."""
    from grader.grading import grade_checks

    report = grade_checks(section_id, Path(path), timeout=timeout, sandbox=sandbox, hide=tuple(Path(h) for h in hide))
    return _with_quiz(report, answers, load_bank(section_id))


def _with_quiz(report: Any, answers: str | None, bank: Any) -> dict[str, Any]:
    """The quiz part of a submission's result (its answers file, if any, against the section's `bank`), added to
    the checks' SectionReport; the result as sent to the parent."""
    from grader.course.quiz import grade_answers, read_answers
    from grader.results import QuizReport

    if answers is not None and bank is not None:
        try:
            report.quiz = grade_answers(bank, read_answers(Path(answers), bank), "both")
        except UsageError as e:
            report.quiz = QuizReport(taken=False, reason=str(e).replace(str(Path(answers).parent) + "/", ""))
        if report.quiz.taken:
            report.score += report.quiz.score
            report.max_score += report.quiz.max_score
    else:
        report.quiz = QuizReport(taken=False, reason="解答ファイルなし / no answers file")
    return report.model_dump(mode="json")


def _error_message(e: BaseException) -> str:
    from grader.errors import GraderError

    return str(e) if isinstance(e, GraderError) else f"{type(e).__name__}: {e}"


class _Grader:
    """A grading process's loop: grade every task received, `(key, args)` until None or a closed pipe, replying
    `(key, "ok", report)` or `(key, "error", message)` to each exactly as `_grade_one` would. Consecutive tasks
    of one section share one collection of its checks (grader.grading.grade_many): the check file is imported
    once per grading process, not once per submission. A task of another section ends that run and starts the
    next one."""

    def __init__(self, conn: Any):
        self.conn = conn
        self.held: Any = None  # a task received but not graded yet: the first of the next session
        self.ended = False
        self.banks: dict[str, Any] = {}  # each section's quiz bank (or the error loading it), read once

    def run(self) -> None:
        from functools import partial

        from grader.grading import grade_many

        while (first := self._receive()) is not None:
            section_id = first[1][0]
            self.held = first
            try:
                grade_many(section_id, partial(self._next_job, section_id), partial(self._reply, section_id))
            except (EOFError, OSError):
                return  # the parent is gone
            except Exception:  # noqa: BLE001, S110 - the session failed before or after its loop: see below
                pass
            if self.held is first:  # it never took its first task (an unknown section…): alone, which says why
                self.held = None
                key, args = first
                _use_template(args[4])
                try:
                    self.conn.send((key, "ok", _grade_one(*args)))
                except Exception as e:  # noqa: BLE001 - reported as this submission's grader error
                    self.conn.send((key, "error", _error_message(e)))

    def _receive(self) -> Any:
        if self.held is not None:
            task, self.held = self.held, None
            return task
        if self.ended:
            return None
        try:
            task = self.conn.recv()
        except (EOFError, OSError):
            task = None
        self.ended = task is None
        return task

    def _next_job(self, section_id: str) -> Any:
        from grader.engine.runner import Job

        task = self._receive()
        if task is None:
            return None
        key, (sec, path, answers, timeout, sandbox, hide) = task
        if sec != section_id:
            self.held = task
            return None
        _use_template(sandbox)
        return Job(Path(path), timeout, sandbox, tuple(Path(h) for h in hide), tag=(key, answers))

    def _bank(self, section_id: str) -> Any:
        if section_id not in self.banks:
            try:
                self.banks[section_id] = load_bank(section_id)
            except Exception as e:  # noqa: BLE001 - raised again for every task, as _grade_one would
                self.banks[section_id] = e
        if isinstance(self.banks[section_id], Exception):
            raise self.banks[section_id]
        return self.banks[section_id]

    def _reply(self, section_id: str, job: Any, result: Any) -> None:
        key, answers = job.tag
        if not isinstance(result, Exception):
            try:
                self.conn.send((key, "ok", _with_quiz(result, answers, self._bank(section_id))))
                return
            except (EOFError, OSError):
                raise
            except Exception as e:  # noqa: BLE001 - reported as this submission's grader error
                result = e
        self.conn.send((key, "error", _error_message(result)))


def _use_template(sandbox: bool) -> None:
    """Unsandboxed workers of this grading process are forked from a pre-loaded template (grader/engine/spawn.py):
    a few ms each instead of Python's and numpy's start. Sandboxed ones are each their own bubblewrap."""
    if not sandbox:
        from grader.engine import spawn

        spawn.use_template(True)


def _serve(conn: Any) -> None:
    """A grading process: its own session (the terminal's Ctrl-C goes to the parent only), dies with it."""
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    from grader.engine.worker import PR_SET_PDEATHSIG, prctl

    prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))
    from grader.engine import spawn

    try:
        _Grader(conn).run()
    finally:
        spawn.close_template()
        spawn.reap_strays(set())


@dataclass
class _Slot:
    proc: Any
    conn: Any
    key: str | None = None
    started: float = 0.0


class _Pool:
    def __init__(self, jobs: int):
        import importlib
        import multiprocessing as mp

        # fork, never forkserver: a forkserver listens on a socket in the temp directory that learner code of the
        # same uid could connect to and have it unpickle and run anything outside every limit (issue 11 §4). The
        # grading modules are imported here once, so each fork starts with them loaded (what the preload gave).
        for name in PRELOAD:
            importlib.import_module(name)
        self.ctx = mp.get_context("fork")
        self.slots = [self._spawn() for _ in range(jobs)]

    def _spawn(self) -> _Slot:
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=_serve, args=(child,), daemon=True)
        proc.start()
        child.close()
        return _Slot(proc, parent)

    def kill(self, slot: _Slot) -> None:
        for kill in (lambda: os.killpg(slot.proc.pid, signal.SIGKILL), lambda: os.kill(slot.proc.pid, signal.SIGKILL)):
            try:
                kill()
            except (ProcessLookupError, PermissionError):
                pass
        slot.proc.join(5)
        slot.conn.close()

    def replace(self, slot: _Slot) -> None:
        self.kill(slot)
        self.slots[self.slots.index(slot)] = self._spawn()

    def close(self, kill: bool) -> None:
        for slot in self.slots:
            if kill or slot.key is not None:
                self.kill(slot)
                continue
            try:
                slot.conn.send(None)
            except OSError:
                pass
        for slot in self.slots:
            slot.proc.join(5)
            if slot.proc.is_alive():
                self.kill(slot)


# ---------------------------------------------------------------- the run


def load_cached(
    results: Path, version: str, section_id: str, limits: dict[str, Any]
) -> dict[tuple[str, str], dict[str, Any]]:
    """Graded results of earlier runs by (sha256, answers_sha256): same bytes, grader and limits → same report."""
    cache: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(results.glob("*.json")):
        try:
            rec = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if (isinstance(rec, dict) and rec.get("grader_version") == version and rec.get("section") == section_id
                and rec.get("limits") == limits
                and rec.get("status") in ("ok", "error") and rec.get("final", True) and rec.get("sha256")):
            cache.setdefault((rec["sha256"], rec.get("answers_sha256", "")), rec)
    return cache


def run_batch(
    section_id: str,
    submissions: Path,
    out: Path,
    *,
    jobs: int | None = None,
    timeout: float | None = None,
    wall_limit: float = WALL_LIMIT,
    sandbox: bool = False,
    on_start: Callable[[int, int], None] | None = None,
    on_result: Callable[[dict[str, Any], bool], None] | None = None,
) -> Outcome:
    """Grade every submission in SUBMISSIONS into OUT/results/, skipping those already graded."""
    from grader.engine.spawn import become_subreaper, child_pids, reap_strays

    started = time.monotonic()
    section = find_section(section_id)
    sub = submissions.resolve()
    out = out.resolve()
    if out == sub or sub in out.parents or out in sub.parents:
        raise UsageError(f"--out は提出物の外に / --out must be outside the submissions: {out}")
    entries = scan(section_id, submissions)
    results = out / RESULTS_DIR
    results.mkdir(parents=True, exist_ok=True)
    for stale in results.glob(".*.tmp"):
        stale.unlink(missing_ok=True)
    version = grader_version(section_id)
    limits = {"call_timeout": timeout, "wall_limit": wall_limit, "sandbox": sandbox}
    cache = load_cached(results, version, section_id, limits)
    outcome = Outcome()
    by_student: dict[str, dict[str, Any]] = {}

    def record(entry: Entry, rec: dict[str, Any], cached: bool) -> None:
        rec = dict(rec, student=entry.student, origin=entry.origin, limits=limits)
        path = results / result_name(entry.student)
        text = json.dumps(rec, ensure_ascii=False, indent=1)
        try:
            same = path.read_text(encoding="utf-8") == text
        except OSError:
            same = False
        if not same:
            write_atomic(path, text)
        by_student[entry.student] = rec
        if rec["status"] == "rejected":
            outcome.rejected += 1
        elif cached:
            outcome.cached += 1
        else:
            outcome.graded += 1
        outcome.errors += rec["status"] == "error"
        if on_result is not None:
            on_result(rec, cached)

    hits = {e.student: cache.get((e.sha256, e.answers_sha256)) for e in entries if not e.rejected}
    todo: deque[Entry] = deque(e for e in entries if not e.rejected and hits[e.student] is None)
    if on_start is not None:
        on_start(len(entries), len(todo))
    for e in entries:
        if e.rejected:
            record(e, make_record(e, version, "rejected", _blank_report(section_id, e.reason), e.reason), False)
        elif hits[e.student] is not None:
            record(e, hits[e.student], True)  # type: ignore[arg-type]
    jobs = max(1, min(jobs or len(os.sched_getaffinity(0)), len(todo) or 1))
    stop: list[int] = []
    if todo:
        hide = (str(sub), str(out))
        _grade_all(section_id, todo, version, jobs, (timeout, sandbox, hide), wall_limit, record, stop,
                   become_subreaper, child_pids, reap_strays)
    outcome.interrupted = bool(stop)
    outcome.records = [by_student[e.student] for e in entries if e.student in by_student]
    manifest = {"section": section_id, "title": section.title.model_dump(), "grader_version": version,
                "submissions": str(submissions), "complete": not stop,
                "students": [{"student": e.student, "file": f"{RESULTS_DIR}/{result_name(e.student)}"}
                             for e in entries]}
    write_atomic(out / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    outcome.wall = time.monotonic() - started
    return outcome


def _grade_all(section_id: str, todo: deque[Entry], version: str, jobs: int, options: tuple[Any, ...],
               wall_limit: float, record: Callable[[Entry, dict[str, Any], bool], None], stop: list[int],
               become_subreaper: Any, child_pids: Any, reap_strays: Any) -> None:
    from multiprocessing.connection import wait

    from grader.engine.worker import stopped

    become_subreaper()  # grading processes' orphans come back here and are swept
    stage = Path(tempfile.mkdtemp(prefix="grade-batch-"))
    sec = day_and_name(section_id)[1]
    timeout, sandbox, hide = options
    hide = (*hide, str(stage))

    def on_signal(signum: int, frame: Any) -> None:
        stop.append(signum)

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    pool = None
    try:
        keep = child_pids()
        pool = _Pool(jobs)
        keep |= child_pids() - {s.proc.pid for s in pool.slots}  # a resource tracker, if multiprocessing made one
        waiting: dict[str, Entry] = {}
        n = 0
        while (todo or waiting) and not stop:
            for slot in pool.slots:
                if slot.key is None and todo and not stop:
                    e = todo.popleft()
                    n += 1
                    folder = stage / str(n)
                    folder.mkdir()
                    (folder / f"{sec}.py").write_bytes(e.source or b"")
                    answers = None
                    if e.answers is not None:
                        (folder / "answers.yaml").write_bytes(e.answers)
                        answers = str(folder / "answers.yaml")
                    slot.key, slot.started = str(n), time.monotonic()
                    waiting[slot.key] = e
                    slot.conn.send((slot.key, (section_id, str(folder / f"{sec}.py"), answers, timeout, sandbox, hide)))
            busy = [s for s in pool.slots if s.key is not None]
            ready = wait([s.conn for s in busy] + [s.proc.sentinel for s in busy], timeout=0.2)
            now = time.monotonic()
            for slot in busy:
                e = waiting[slot.key]  # type: ignore[index]
                reply = None
                if slot.conn in ready:
                    try:
                        reply = slot.conn.recv()
                    except (EOFError, OSError):
                        reply = None
                if reply is not None:
                    _, status, payload = reply
                    del waiting[slot.key]  # type: ignore[arg-type]
                    shutil.rmtree(stage / slot.key, ignore_errors=True)  # type: ignore[operator]
                    slot.key = None
                    if status == "ok":
                        record(e, make_record(e, version, "ok", payload), False)
                    else:
                        msg = f"採点エラー / grader error: {payload}"
                        rec = make_record(e, version, "error", _blank_report(section_id, msg), msg)
                        record(e, dict(rec, final=False), False)  # a grader fault: tried again next run
                    continue
                over = now - slot.started > wall_limit
                halted = not over and stopped(slot.proc.pid, depth=0)  # itself only: its template is its own affair
                if slot.proc.sentinel in ready or slot.conn in ready or over or halted:
                    del waiting[slot.key]  # type: ignore[arg-type]
                    pool.replace(slot)
                    reap_strays(keep | {s.proc.pid for s in pool.slots})  # never the grading processes themselves
                    shutil.rmtree(stage / slot.key, ignore_errors=True)  # type: ignore[operator]
                    msg = (f"提出物ごとの制限時間 {wall_limit:g} 秒を超えました / over the per-submission wall limit "
                           f"({wall_limit:g} s)" if over else
                           "採点プロセスが停止されました / the grading process was stopped" if halted else
                           "採点プロセスが終了しました / the grading process died")
                    rec = make_record(e, version, "error", _blank_report(section_id, msg), msg)
                    record(e, dict(rec, final=over), False)  # a death may be passing: tried again next run
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        if pool is not None:
            pool.close(kill=bool(stop))
        reap_strays(keep if pool is not None else child_pids())
        shutil.rmtree(stage, ignore_errors=True)
