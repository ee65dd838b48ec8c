"""Run one section's hidden checks with pytest in this (trusted) process, collecting verdicts through hooks.

Two entry points share every line that turns a run into CheckResults:
- `run_checks`: one submission, one `pytest.main` (`grade section2`, watch, release checks);
- `run_many`: many submissions in ONE pytest session (a batch grading process). Configuration, plugin
  registration and collection happen once; a `pytest_runtestloop` plugin (the model of pytest-xdist's worker)
  then pulls submissions one at a time and runs every collected item for each, the last one with
  `nextitem=None` so every fixture is torn down between submissions. pytest re-runs an item by re-creating
  its fixture request (`_pytest.runner.runtestprotocol`, as pytest-rerunfailures relies on).
`run_checks` is `run_many` with a single job.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.engine.checking import CheckFailed
from grader.engine.proxy import LearnerFault, Session
from grader.errors import InternalError
from grader.results import CheckResult
from grader.text import Text

_PYTEST_ARGS = [
    "-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:logging", "-p", "no:faulthandler",
    "-p", "no:doctest", "-p", "no:junitxml", "-p", "no:pastebin", "-p", "no:stepwise",
    "-p", "no:warnings", "-p", "no:legacypath", "-p", "no:tmpdir", "-p", "no:recwarn",
    "-p", "no:setupplan", "-p", "no:setuponly", "-p", "no:unraisableexception", "-p", "no:threadexception",
    "-p", "no:unittest", "-p", "no:python_path", "-p", "no:debugging",
    "--capture=no",
    "--assert=plain",  # rewriting recompiled the checks on every run (~0.4 s); checks report through CheckFailed
]


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


@dataclass
class CheckCollector:
    """A pytest plugin: provides the `learner` fixture and turns each test's outcome into one status.

    `broken`: faults of the check file itself (found at collection, they concern every submission);
    `session`, `verdicts`, `internal`: those of the submission being graded, reset by `begin`."""

    session: Session | None = None
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    items: list[Any] = field(default_factory=list)
    internal: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    current: Any = None  # the item being set up (for the learner fixture)

    def begin(self, session: Session) -> None:
        self.session, self.verdicts, self.internal = session, {}, []

    def pytest_configure(self, config: Any) -> None:
        config.addinivalue_line("markers", "check(exercise, points, title, timeout): a graded check")

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: Any) -> None:
        self.current = item

    @pytest.fixture
    def learner(self) -> Any:
        """The submission, freshly loaded, with the check's own call timeout. The item comes from the setup hook
        rather than from `request`: pytest builds a fixture definition for `request` each time it is asked for
        (with a signature inspection), which was a fifth of a batch grading process's time."""
        mark = self.current.get_closest_marker("check")
        timeout = mark.kwargs.get("timeout") if mark else None
        return self.session.fresh(timeout)  # type: ignore[union-attr]

    def pytest_collection_modifyitems(self, items: list[Any]) -> None:
        for item in items:
            if item.get_closest_marker("check") is None:
                self.broken.append(f"check {item.name} has no @check marker")
        self.items = list(items)
        for module in {id(m): m for m in (getattr(item, "module", None) for item in items) if m is not None}.values():
            freeze(vars(module))

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.broken.append(f"cannot load the checks: {str(report.longrepr)[-800:]}")

    def pytest_runtest_makereport(self, item: Any, call: Any) -> Any:
        """Record the verdict, and answer the hook with a bare report: pytest's own would format a traceback
        with source for every failure, which nobody reads here and which doubled the time on stubs."""
        self._record(item, call)
        outcome = "passed" if call.excinfo is None else "failed"
        return pytest.TestReport(item.nodeid, item.location, {}, outcome, None if outcome == "passed" else "-",
                                 call.when, [], duration=call.duration, start=call.start, stop=call.stop)

    def _record(self, item: Any, call: Any) -> None:
        v = self.verdicts.setdefault(item.nodeid, Verdict())
        v.duration += call.duration
        if call.excinfo is None or v.status != "passed":
            return
        exc = call.excinfo.value
        if isinstance(exc, LearnerFault):
            v.status, v.text = exc.status, exc.text
        elif isinstance(exc, CheckFailed):
            v.status, v.text, v.misconception = "failed", exc.text, exc.misconception
        elif isinstance(exc, AssertionError):
            msg = str(exc).split("\n")[0][:300] or "assertion failed"
            v.status, v.text = "failed", Text(ja=f"結果が違います: {msg}", en=f"wrong result: {msg}")
        elif call.excinfo.errisinstance(pytest.skip.Exception):
            v.status, v.text = "error", Text(ja="スキップされました", en="skipped")
            self.internal.append(f"check {item.name} was skipped")
        else:
            v.status = "error"
            self.internal.append(f"check {item.name} raised {type(exc).__name__}: {str(exc)[:300]}")

    def results(self, section_id: str, points: dict[str, int]) -> list[CheckResult]:
        """The submission's CheckResults, in collection order (after its items ran and its session closed)."""
        if self.internal:
            raise InternalError("; ".join(self.internal))
        results = []
        for item in self.items:
            mark = item.get_closest_marker("check")
            exercise = mark.kwargs["exercise"]
            if exercise not in points:
                raise InternalError(f"check {item.name} targets {exercise!r}, not an exercise of {section_id}")
            v = self.verdicts.get(item.nodeid, Verdict("error", Text(ja="実行されませんでした", en="did not run")))
            max_score = float(mark.kwargs.get("points", 1))
            title = mark.kwargs.get("title")
            text = v.text or Text(ja="正解", en="correct")
            results.append(
                CheckResult(
                    id=item.name,
                    exercise=exercise,
                    status=v.status,  # type: ignore[arg-type]
                    score=max_score if v.status == "passed" else 0.0,
                    max_score=max_score,
                    feedback=text.render(),
                    feedback_i18n=text,
                    misconception=v.misconception,
                    title=title,
                    duration=round(v.duration, 4),
                )
            )
        return results


@dataclass
class _Loop:
    """A pytest plugin replacing the run loop: pull a job, run every collected item for it, deliver, repeat."""

    collector: CheckCollector
    section_id: str
    path: Path
    points: dict[str, int]
    next_job: Callable[[], Job | None]
    deliver: Callable[[Job, Result], None]
    started: bool = False
    interrupted: bool = False
    escaped: BaseException | None = None  # raised by next_job or deliver: re-raised after pytest.main

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: Any) -> bool:
        self.started = True
        try:
            while (job := self.next_job()) is not None:
                try:
                    result: Result = self._grade(session, job)
                except Exception as e:  # noqa: BLE001 - this job's fault: delivered, the loop goes on
                    result = e
                self.deliver(job, result)
                if self.interrupted:
                    raise KeyboardInterrupt  # pytest then ends the session, as it always has on Ctrl-C
        except KeyboardInterrupt:
            if not self.interrupted:
                self.escaped = KeyboardInterrupt()
            raise
        except BaseException as e:  # noqa: BLE001 - from next_job or deliver: the caller's, not pytest's
            self.escaped = e
        return True

    def _grade(self, session: Any, job: Job) -> tuple[list[CheckResult], str, int]:
        collector = self.collector
        if collector.broken:
            raise InternalError("; ".join(collector.broken))
        if not collector.items:
            raise InternalError(f"{self.path} defines no checks")
        t = job.timeout
        limits = {"call_timeout": t, "import_timeout": max(2 * t, 2.0)} if t else {}
        collector.begin(Session(job.submission, **limits, sandbox=job.sandbox, hide=job.hide))
        fault: BaseException | None = None
        items = collector.items
        try:
            for i, item in enumerate(items):
                item.ihook.pytest_runtest_protocol(item=item, nextitem=items[i + 1] if i + 1 < len(items) else None)
        except KeyboardInterrupt:
            self.interrupted = True  # Ctrl-C: this report is cut short ("did not run"), then the loop stops
        except BaseException as e:  # noqa: BLE001 - pytest or a hook failed: a grader fault, never a score
            fault = e
            self._reset(session)
        finally:
            output, output_total = collector.session.close()  # type: ignore[union-attr]
            collector.session = None
        if fault is not None:
            raise InternalError(f"running the checks failed: {type(fault).__name__}: {str(fault)[:300]}") from fault
        return collector.results(self.section_id, self.points), output, output_total

    def _reset(self, session: Any) -> None:
        """After a fault mid-item: tear every fixture down, or a half-set-up item would fail the next
        submission's first setup ("not torn down properly") as if its result were wrong."""
        try:
            session._setupstate.teardown_exact(None)
        except BaseException:  # noqa: BLE001, S110 - finalizer faults: only whether the stack emptied matters
            pass
        if session._setupstate.stack:
            self.collector.broken.append("the checks' fixtures could not be torn down after a fault")


def freeze(value: Any, depth: int = 0, seen: set[int] | None = None) -> None:
    """Make every ndarray reachable from a check module's globals read-only (in dicts, lists, tuples, sets,
    dataclass-like objects and pytest.param values), so no code path — a check's own slip or anything that
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
    day, sec = section_id.split(".")
    return root / "grader" / "checks" / day / f"{sec}.py"


def run_many(
    section_id: str,
    *,
    points: dict[str, int],
    root: Path,
    next_job: Callable[[], Job | None],
    deliver: Callable[[Job, Result], None],
    checks: Path | None = None,
) -> None:
    """Grade submissions one after another in one pytest session: `next_job()` gives the next (None: no more),
    `deliver(job, result)` receives what it came to, a Result, before the next is asked for.

    Every job taken is delivered exactly once, each with a fresh learner Session (closed before delivery) and
    fresh verdicts; a broken check file is an InternalError for every job. Returns when next_job returns None,
    or after a job cut short by Ctrl-C (its report is delivered first, as run_checks always returned it).
    An exception from next_job or deliver ends the session and is re-raised here.
    `checks`: the section's check file (default: check_file(section_id, root))."""
    path = checks if checks is not None else check_file(section_id, root)
    if not path.exists():
        while (job := next_job()) is not None:
            deliver(job, InternalError(f"no checks for {section_id}: {path} is missing"))
        return
    collector = CheckCollector()
    loop = _Loop(collector, section_id, path, points, next_job, deliver)
    # --confcutdir: no conftest.py from the folders above the checks is loaded into this trusted process (nor
    # looked for on every hook call, which listed the parent folders of the checks each time)
    code = pytest.main([str(path), "--rootdir", str(root), "-c", os.devnull, "--confcutdir", str(path.parent),
                        *_PYTEST_ARGS], plugins=[collector, loop])
    if loop.escaped is not None:
        raise loop.escaped
    if not loop.started:  # pytest stopped before its run loop: nothing was graded, say why to every job
        while (job := next_job()) is not None:
            deliver(job, InternalError(f"pytest did not run the checks of {path} (exit code {code})"))


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
) -> tuple[list[CheckResult], str, int]:
    """Grade `submission` against the section's hidden checks. Returns (checks, learner output, output bytes).

    Raises InternalError when a check itself is broken: a grader fault never becomes the learner's score.
    """
    jobs = iter([Job(submission, timeout, sandbox, tuple(hide))])
    got: list[Result] = []
    run_many(section_id, points=points, root=root, next_job=lambda: next(jobs, None),
             deliver=lambda job, result: got.append(result), checks=checks)
    result = got[0]
    if isinstance(result, Exception):
        raise result
    return result
