"""Run one section's hidden checks in this (trusted) process, one fresh learner per check, into CheckResults.

Two entry points share every line that turns a run into CheckResults:
- `run_checks`: one submission (`grade section2`, watch, release checks);
- `run_many`: many submissions with ONE collection of the check file (a batch grading process): the checks are
  imported once, then each submission gets its own learner Session and its own verdicts, so nothing of one
  submission reaches the next.
The check file is collected by grader/engine/collect.py (no pytest: its import and per-test machinery cost a third
of a section's grading time, for features the checks never used).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grader.engine.checking import CheckFailed, take_note
from grader.engine.collect import Item, collect
from grader.engine.proxy import LearnerFault, Session
from grader.errors import InternalError
from grader.ids import day_and_name
from grader.results import CheckResult
from grader.text import Text


@dataclass(frozen=True)
class Job:
    """One submission to grade, with its limits. `tag` is the caller's own (handed back with the result)."""

    submission: Path
    timeout: float | None = None
    sandbox: bool = False
    hide: tuple[Path, ...] = ()
    tag: Any = None


# What a job comes to: (checks, learner output, output bytes), or the exception that grading it raised
# (InternalError for a grader fault; anything else as it was raised).
Result = tuple[list[CheckResult], str, int] | Exception


@dataclass
class Verdict:
    status: str = "passed"
    text: Text | None = None
    misconception: Text | None = None
    duration: float = 0.0
    note: Text | None = None  # advice shown with the result, never scored (checking.note, a call's stub signature)


@dataclass
class CheckRun:
    """The verdicts of one submission: each collected check run with a fresh learner from `session`.

    `internal`: faults of the checks themselves met while running (a grader fault, never a score)."""

    session: Session
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    internal: list[str] = field(default_factory=list)

    def run(self, item: Item) -> None:
        """Run one check; a learner's fault or a wrong result is its verdict. KeyboardInterrupt passes."""
        v = self.verdicts.setdefault(item.name, Verdict())
        take_note()  # no note of an earlier check carries over
        start = time.perf_counter()
        try:
            item.run(self.session.fresh(item.mark.timeout))
        except LearnerFault as exc:
            v.status, v.text = exc.status, exc.text
            v.note = exc.note
        except CheckFailed as exc:
            v.status, v.text, v.misconception = "failed", exc.text, exc.misconception
        except AssertionError as exc:
            msg = str(exc).split("\n")[0][:300] or "assertion failed"
            v.status, v.text = "failed", Text(ja=f"結果が違います: {msg}", en=f"wrong result: {msg}")
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - the check's own fault (SystemExit included): never a score
            v.status = "error"
            self.internal.append(f"check {item.name} raised {type(exc).__name__}: {str(exc)[:300]}")
        finally:
            v.duration += time.perf_counter() - start
            v.note = take_note() or v.note

    def result(self, section_id: str, points: dict[str, int], item: Item) -> CheckResult:
        """The CheckResult of one check that has run (or "did not run")."""
        mark = item.mark
        if mark.exercise not in points:
            raise InternalError(f"check {item.name} targets {mark.exercise!r}, not an exercise of {section_id}")
        v = self.verdicts.get(item.name, Verdict("error", Text(ja="実行されませんでした", en="did not run")))
        max_score = float(mark.points)
        text = v.text or Text(ja="正解", en="correct")
        return CheckResult(
            id=item.name,
            exercise=mark.exercise,
            status=v.status,  # type: ignore[arg-type]
            score=max_score if v.status == "passed" else 0.0,
            max_score=max_score,
            feedback=text.render(),
            feedback_i18n=text,
            misconception=v.misconception,
            title=mark.title,
            duration=round(v.duration, 4),
            note=v.note,
        )

    def results(self, section_id: str, points: dict[str, int], items: list[Item]) -> list[CheckResult]:
        """The submission's CheckResults, in collection order (after its checks ran and its session closed)."""
        if self.internal:
            raise InternalError("; ".join(self.internal))
        return [self.result(section_id, points, item) for item in items]


def grade_one(section_id: str, items: list[Item], points: dict[str, int], job: Job,
              on_check: Callable[[CheckResult], None] | None = None) -> tuple[tuple[list[CheckResult], str, int], bool]:
    """Run every check on one submission: ((checks, learner output, output bytes), interrupted). `on_check` sees
    each CheckResult as soon as its check has run (a terminal streams them); the returned list is the verdict.

    Ctrl-C cuts the report short: the checks not run say "did not run", and `interrupted` tells the caller to stop."""
    t = job.timeout
    limits = {"call_timeout": t, "import_timeout": max(2 * t, 2.0)} if t else {}
    run = CheckRun(Session(job.submission, **limits, sandbox=job.sandbox, hide=job.hide))
    interrupted = False
    try:
        for item in items:
            run.run(item)
            if on_check is not None and not run.internal and run.session.import_fault is None:
                on_check(run.result(section_id, points, item))  # a fault at import is shown once, at the end
    except KeyboardInterrupt:
        interrupted = True
    finally:
        output, output_total = run.session.close()
    return (run.results(section_id, points, items), output, output_total), interrupted


def freeze(value: Any, depth: int = 0, seen: set[int] | None = None) -> None:
    """Make every ndarray reachable from a check module's globals read-only (in dicts, lists, tuples, sets,
    dataclass-like objects and cases' values), so no code path — a check's own slip or anything that
    reached its data — can change a constant that the next check or the next student is graded against."""
    seen = set() if seen is None else seen
    if depth > 8 or id(value) in seen or isinstance(value, (str, bytes, int, float, type)) or callable(value):
        return
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        value.setflags(write=False)
        return
    if isinstance(value, dict):
        items: Any = value.values()
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = value
    elif hasattr(value, "__dict__") and not isinstance(value, type(np)):
        items = vars(value).values()
    else:
        return
    for v in items:
        freeze(v, depth + 1, seen)


def check_file(section_id: str, root: Path) -> Path:
    """The checks of `section_id` in the project folder `root` (its grader/checks), when the caller names none:
    the course layer (grader.course.loading.section_paths) is where an installed grader's checks are found."""
    day, sec = day_and_name(section_id)
    return root / "grader" / "checks" / day / f"{sec}.py"


def run_many(
    section_id: str,
    *,
    points: dict[str, int],
    root: Path,
    next_job: Callable[[], Job | None],
    deliver: Callable[[Job, Result], None],
    checks: Path | None = None,
    on_check: Callable[[CheckResult], None] | None = None,
) -> None:
    """Grade submissions one after another with one collection of the checks: `next_job()` gives the next (None: no
    more), `deliver(job, result)` receives what it came to, a Result, before the next is asked for.

    Every job taken is delivered exactly once, each with a fresh learner Session (closed before delivery) and
    fresh verdicts; a broken check file is an InternalError for every job. Returns when next_job returns None,
    or after a job cut short by Ctrl-C (its report is delivered first).
    An exception from next_job or deliver is re-raised here.
    `checks`: the section's check file (default: check_file(section_id, root)); `on_check`: see grade_one.
    Checks run exercise by exercise in `points`' order (each keeps its file's order within its exercise), so
    a terminal can show an exercise as soon as its last check is done."""
    path = checks if checks is not None else check_file(section_id, root)
    if not path.exists():
        while (job := next_job()) is not None:
            deliver(job, InternalError(f"no checks for {section_id}: {path} is missing"))
        return
    collected = collect(path)
    order = {name: i for i, name in enumerate(points)}
    collected.items.sort(key=lambda item: order.get(item.mark.exercise, len(order)))
    if collected.module is not None:
        freeze(vars(collected.module))
        freeze([item.kwargs for item in collected.items])
    if not collected.items and not collected.broken:
        collected.broken.append(f"{path} defines no checks")
    while (job := next_job()) is not None:
        interrupted = False
        result: Result
        if collected.broken:
            result = InternalError("; ".join(collected.broken))
        else:
            try:
                result, interrupted = grade_one(section_id, collected.items, points, job, on_check)
            except Exception as e:  # noqa: BLE001 - this job's fault: delivered, the loop goes on
                result = e
        deliver(job, result)
        if interrupted:
            return  # Ctrl-C: this report was cut short ("did not run"); no job is taken after it


def run_checks(
    section_id: str,
    submission: Path,
    *,
    points: dict[str, int],
    root: Path,
    timeout: float | None = None,
    sandbox: bool = False,
    hide: tuple[Path, ...] = (),
    checks: Path | None = None,
    on_check: Callable[[CheckResult], None] | None = None,
) -> tuple[list[CheckResult], str, int]:
    """Grade `submission` against the section's hidden checks. Returns (checks, learner output, output bytes).

    Raises InternalError when a check itself is broken: a grader fault never becomes the learner's score.
    """
    jobs = iter([Job(submission, timeout, sandbox, tuple(hide))])
    got: list[Result] = []
    run_many(section_id, points=points, root=root, next_job=lambda: next(jobs, None),
             deliver=lambda job, result: got.append(result), checks=checks, on_check=on_check)
    result = got[0]
    if isinstance(result, Exception):
        raise result
    return result
