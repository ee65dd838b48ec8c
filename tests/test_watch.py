"""`grade watch`: re-grades on save (change events, or --poll), shows only what changed, exits 0 on Ctrl-C."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from grader.practice.watch import diff_lines
from grader.results import CheckResult, QuizReport, SectionReport
from grader.text import Text
from tests.conftest import ROOT, grade_env, no_process_with, run_grade

STUB = ROOT / "exercises" / "day2" / "section2.py"
SOLUTION = ROOT / "solutions" / "day2" / "section2.py"


def make_report(statuses: dict[str, str]) -> SectionReport:
    checks = [
        CheckResult(
            id=cid,
            exercise=cid.split("_")[0],
            status=s,
            score=1.0 if s == "passed" else 0.0,  # type: ignore[arg-type]
            max_score=1.0,
            feedback="fb",
            feedback_i18n=Text(ja=f"{cid} 日本語", en=f"{cid} wrong sign"),
        )
        for cid, s in statuses.items()
    ]
    return SectionReport(
        section="day2.section2",
        score=sum(c.score for c in checks),
        max_score=float(len(checks)),
        checks=checks,
        quiz=QuizReport(taken=False),
    )


def test_diff_shows_only_checks_whose_status_changed():
    old = make_report({"SGD_a": "not_implemented", "SGD_b": "passed", "Adam_c": "failed"})
    new = make_report({"SGD_a": "passed", "SGD_b": "failed", "Adam_c": "failed"})
    lines = diff_lines(old, new, "en")
    text = "\n".join(lines)
    assert lines[0] == "score 1 → 1 (0) / 3"
    assert "SGD_a: not implemented → passed" in text and "SGD_b: passed → failed" in text
    assert "SGD_b wrong sign" in text  # the feedback of a check that now fails
    assert "Adam_c" not in text  # unchanged: not repeated


def test_diff_score_delta_and_no_change():
    old = make_report({"SGD_a": "failed", "SGD_b": "failed"})
    up = make_report({"SGD_a": "passed", "SGD_b": "passed"})
    assert diff_lines(old, up, "en")[0] == "score 0 → 2 (+2) / 2"
    assert diff_lines(up, old, "ja")[0] == "得点 2 → 0 (-2) / 2"
    assert diff_lines(old, old, "en")[1:] == ["  no check changed"]


class Watcher:
    """`grade watch` in a subprocess, its output read line by line by a thread (never blocks the test). Start
    it with the `watcher` fixture, which stops it after the test."""

    def __init__(self, tmp_path: Path, *args: str):
        self.file = tmp_path / "section2.py"
        if not self.file.exists():
            shutil.copy(STUB, self.file)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "grader.cli.launch",
                "watch",
                "section2",
                "--submission",
                str(self.file),
                "--lang",
                "en",
                *args,
            ],
            cwd=ROOT,
            env=grade_env({"GRADER_DB": str(tmp_path / "p.sqlite3"), "PYTHONUNBUFFERED": "1"}),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, needle: str, timeout: float = 60) -> list[str]:
        """Lines up to and including the first that contains `needle`."""
        got = []
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            got.append(line)
            self.seen.append(line)
            if needle in line:
                return got
        raise AssertionError(f"{needle!r} not seen in {timeout}s; output so far:\n" + "\n".join(self.seen))

    def interrupt(self) -> tuple[int, str]:
        self.proc.send_signal(signal.SIGINT)
        rc = self.proc.wait(timeout=90)  # a loaded machine (CI beside other work) can be slow to wind down
        assert self.proc.stderr is not None
        return rc, self.proc.stderr.read()

    def close(self) -> None:
        """Stop the watcher if it still runs: Ctrl-C (it stops its own grading worker), else SIGKILL."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self.reader.join(timeout=5)  # the output ends with the process: then its pipes can be closed
        if not self.reader.is_alive():
            for pipe in (self.proc.stdout, self.proc.stderr):
                if pipe is not None:
                    pipe.close()


@pytest.fixture
def watcher(tmp_path):
    """Start `grade watch` on a copy of the stub in tmp_path; every watcher started is stopped at teardown,
    however the test ended (a wait_for that timed out included)."""
    started: list[Watcher] = []

    def start(*args: str) -> Watcher:
        started.append(Watcher(tmp_path, *args))
        return started[-1]

    yield start
    for w in started:
        w.close()


@pytest.mark.slow
@pytest.mark.parametrize("mode", [[], ["--poll", "--interval", "0.1"]], ids=["events", "poll"])
def test_regrades_on_save_shows_the_change_and_ctrl_c_exits_0(watcher, mode):
    w = watcher(*mode)
    try:
        first = w.wait_for("watching")
        assert "checks: 0/24 passed" in "\n".join(first)  # the first run shows the whole report
        time.sleep(0.3)
        shutil.copy(SOLUTION, w.file)  # save: every check now passes
        changed = w.wait_for("score 0 → 29 (+29) / 29")
        more = w.wait_for("test_in_place[Adam]")
        assert "Momentum" in "\n".join(more) and "not implemented → passed" in "\n".join(more)
        assert not any("test_one_step[SGD]" in line for line in changed)
        # a broken save: only the checks that changed are listed, with their feedback
        text = SOLUTION.read_text(encoding="utf-8").replace(
            "params[key] -= self.lr * grads[key]", "params[key] += self.lr * grads[key]", 1
        )
        assert text != SOLUTION.read_text(encoding="utf-8")
        w.file.write_text(text, encoding="utf-8")
        w.wait_for("score 29 → ", timeout=60)
        lines = w.wait_for("passed → failed")
        time.sleep(1.0)
        while not w.lines.empty():
            lines.append(w.lines.get())
        changed = [x for x in lines if "→" in x]
        assert changed and all("[SGD]" in x and "passed → failed" in x for x in changed), lines
        assert any("      " in x for x in lines)  # the feedback of the failing check is shown
    finally:
        rc, err = w.interrupt()
    assert rc == 0, err
    assert "Traceback" not in err and "stopped watching" in w.wait_for("stopped watching")[-1]
    assert "KeyboardInterrupt" not in err


def test_ctrl_c_right_away_exits_cleanly(watcher):
    w = watcher()
    w.wait_for("watching")
    rc, err = w.interrupt()
    assert rc == 0 and "Traceback" not in err


# events: the watcher's once-a-second look at the content finds the save (about a second); poll: the snapshot
# taken before the first grading differs from the saved file at the first step
@pytest.mark.parametrize("poll", [True, pytest.param(False, marks=pytest.mark.slow)], ids=["poll", "events"])
def test_a_save_made_while_the_banner_is_shown_is_graded(tmp_path, monkeypatch, poll):
    """The window between the first grading and the watcher's first look at the file: a save made from inside
    the banner's `say` (after the first report, before any change is watched for) is graded. The poller once
    took its first snapshot after the banner, saw no change ever after, and never graded that save."""
    from grader.practice.watch import watch_section

    monkeypatch.setenv("GRADER_DB", str(tmp_path / "p.sqlite3"))
    file = tmp_path / "section2.py"
    shutil.copy(STUB, file)
    stop = threading.Event()
    said: list[str] = []

    def say(line: str) -> None:
        said.append(line)
        if line.startswith("watching"):
            shutil.copy(SOLUTION, file)  # the save, while the banner is being shown
        elif line.startswith("score 0 → 29"):
            stop.set()  # the save was graded: the watcher returns at its next step

    give_up = threading.Timer(60, stop.set)  # without the fix the watcher would wait for a change forever
    give_up.start()
    try:
        watch_section("day2.section2", file, lang="en", timeout=None, poll=poll, interval=0.05, say=say, stop=stop)
    finally:
        give_up.cancel()
    text = "\n".join(said)
    assert "checks: 0/24 passed" in text  # the first report: the stub
    assert "score 0 → 29 (+29) / 29" in text, text  # the save made during the banner, graded


def test_watch_a_missing_file_is_a_usage_error(tmp_path):
    g = run_grade("watch", "section2", "--submission", str(tmp_path / "nope.py"))
    assert g.rc == 2 and "submission not found" in g.err


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "getpgid"), reason="POSIX signals")
def test_each_save_is_recorded(tmp_path, watcher):
    w = watcher("--poll", "--interval", "0.1")
    w.wait_for("watching")
    shutil.copy(SOLUTION, w.file)
    w.wait_for("score 0 → 29")
    rc, _ = w.interrupt()
    assert rc == 0
    out = run_grade("status", "--lang", "en", env={"GRADER_DB": str(tmp_path / "p.sqlite3")}).out
    line = next(x for x in out.splitlines() if x.startswith("day2.section2"))
    assert line.split()[1:3] == ["29/29", "29/29"]


# ---------------------------------------------------------------- the suite's own leak check (tests/conftest.py)

LEAKY_TESTS = '''
import os
import subprocess
import sys

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)", "MARKER"]


def test_forgets_its_child():
    subprocess.Popen(SLEEPER)


def test_orphans_a_grandchild():  # the middle process exits: the sleeper is reparented (to pytest, a subreaper)
    code = "import subprocess, sys; subprocess.Popen(sys.argv[1:], start_new_session=True)"
    subprocess.run([sys.executable, "-c", code, *SLEEPER], check=True)
'''

TIDY_TESTS = '''
import subprocess
import sys


def test_waits_for_its_child():
    subprocess.run([sys.executable, "-c", "pass"], check=True)
'''


def run_with_the_leak_check(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, code: str):
    """A pytest session (its own process) over `code`, with tests/conftest.py's hooks as a plugin."""
    pytester.makepyfile(test_inner=code)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("TESTS_LEAK_GRACE", "0.5")
    return pytester.runpytest_subprocess("-p", "tests.conftest", "-p", "no:cacheprovider", timeout=120)


def test_the_leak_check_fails_a_run_that_leaves_processes_and_kills_them(pytester, monkeypatch):
    marker = f"leak-check-{os.getpid()}-{time.monotonic_ns()}"
    result = run_with_the_leak_check(pytester, monkeypatch, LEAKY_TESTS.replace("MARKER", marker))
    result.assert_outcomes(passed=2)  # every test passed ...
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # ... and the run failed all the same
    out = result.stdout.str()
    assert "processes left running" in out and "2 process(es) started by the tests" in out, out
    assert out.count(marker) == 2, out  # the child and the orphaned grandchild, each named
    assert no_process_with(marker)  # and killed


def test_the_leak_check_passes_a_tidy_run(pytester, monkeypatch):
    result = run_with_the_leak_check(pytester, monkeypatch, TIDY_TESTS)
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.OK
    assert "processes left running" not in result.stdout.str()
