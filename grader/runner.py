"""Run one section's hidden checks with pytest in this (trusted) process, collecting verdicts through hooks."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from grader.checking import CheckFailed
from grader.errors import InternalError
from grader.models import CheckResult, Text
from grader.proxy import LearnerFault, Session

_PYTEST_ARGS = [
    "-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:logging", "-p", "no:faulthandler",
    "-p", "no:doctest", "-p", "no:junitxml", "-p", "no:pastebin", "-p", "no:stepwise",
    "-p", "no:warnings", "-p", "no:legacypath", "-p", "no:tmpdir", "-p", "no:recwarn",
    "-p", "no:setupplan", "-p", "no:setuponly", "-p", "no:unraisableexception", "-p", "no:threadexception",
    "-p", "no:unittest", "-p", "no:python_path", "-p", "no:debugging",
    "--capture=no",
    "--assert=plain",  # rewriting recompiled the checks on every run (~0.4 s); checks report through CheckFailed
]


@dataclass
class Verdict:
    status: str = "passed"
    text: Text | None = None
    duration: float = 0.0


@dataclass
class CheckCollector:
    """A pytest plugin: provides the `learner` fixture and turns each test's outcome into one status."""

    session: Session
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    items: list[Any] = field(default_factory=list)
    internal: list[str] = field(default_factory=list)

    def pytest_configure(self, config: Any) -> None:
        config.addinivalue_line("markers", "check(exercise, points, title, timeout): a graded check")

    @pytest.fixture
    def learner(self, request: Any) -> Any:
        mark = request.node.get_closest_marker("check")
        timeout = mark.kwargs.get("timeout") if mark else None
        return self.session.fresh(timeout)

    def pytest_collection_modifyitems(self, items: list[Any]) -> None:
        for item in items:
            if item.get_closest_marker("check") is None:
                self.internal.append(f"check {item.name} has no @check marker")
        self.items = list(items)

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.internal.append(f"cannot load the checks: {str(report.longrepr)[-800:]}")

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
            v.status, v.text = "failed", exc.text
        elif isinstance(exc, AssertionError):
            msg = str(exc).split("\n")[0][:300] or "assertion failed"
            v.status, v.text = "failed", Text(ja=f"結果が違います: {msg}", en=f"wrong result: {msg}")
        elif call.excinfo.errisinstance(pytest.skip.Exception):
            v.status, v.text = "error", Text(ja="スキップされました", en="skipped")
            self.internal.append(f"check {item.name} was skipped")
        else:
            v.status = "error"
            self.internal.append(f"check {item.name} raised {type(exc).__name__}: {str(exc)[:300]}")


def check_file(section_id: str, root: Path) -> Path:
    day, sec = section_id.split(".")
    return root / "grader" / "checks" / day / f"{sec}.py"


def run_checks(
    section_id: str,
    submission: Path,
    *,
    points: dict[str, int],
    root: Path,
    timeout: float | None = None,
    sandbox: bool = False,
    hide: tuple[Path, ...] = (),
) -> tuple[list[CheckResult], str, int]:
    """Grade `submission` against the section's hidden checks. Returns (checks, learner output, output bytes).

    Raises InternalError when a check itself is broken: a grader fault never becomes the learner's score.
    """
    path = check_file(section_id, root)
    if not path.exists():
        raise InternalError(f"no checks for {section_id}: {path} is missing")
    limits = {"call_timeout": timeout, "import_timeout": max(2 * timeout, 2.0)} if timeout else {}
    session = Session(submission, **limits, sandbox=sandbox, hide=hide)
    collector = CheckCollector(session)
    try:
        pytest.main([str(path), "--rootdir", str(root), "-c", os.devnull, *_PYTEST_ARGS], plugins=[collector])
    finally:
        output, output_total = session.close()
    if collector.internal:
        raise InternalError("; ".join(collector.internal))
    if not collector.items:
        raise InternalError(f"{path} defines no checks")
    results = []
    for item in collector.items:
        mark = item.get_closest_marker("check")
        exercise = mark.kwargs["exercise"]
        if exercise not in points:
            raise InternalError(f"check {item.name} targets {exercise!r}, not an exercise of {section_id}")
        v = collector.verdicts.get(item.nodeid, Verdict("error", Text(ja="実行されませんでした", en="did not run")))
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
                title=title,
                duration=round(v.duration, 4),
            )
        )
    return results, output, output_total
