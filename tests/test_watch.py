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
from tests.conftest import ROOT, grade_env, run_grade

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
    """`grade watch` in a subprocess, its output read line by line by a thread (never blocks the test)."""

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
        threading.Thread(target=self._read, daemon=True).start()

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
        rc = self.proc.wait(timeout=30)
        assert self.proc.stderr is not None
        return rc, self.proc.stderr.read()


@pytest.mark.parametrize("mode", [[], ["--poll", "--interval", "0.1"]], ids=["events", "poll"])
def test_regrades_on_save_shows_the_change_and_ctrl_c_exits_0(tmp_path, mode):
    w = Watcher(tmp_path, *mode)
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


def test_ctrl_c_right_away_exits_cleanly(tmp_path):
    w = Watcher(tmp_path)
    w.wait_for("watching")
    rc, err = w.interrupt()
    assert rc == 0 and "Traceback" not in err


def test_watch_a_missing_file_is_a_usage_error(tmp_path):
    g = run_grade("watch", "section2", "--submission", str(tmp_path / "nope.py"))
    assert g.rc == 2 and "submission not found" in g.err


@pytest.mark.skipif(not hasattr(os, "getpgid"), reason="POSIX signals")
def test_each_save_is_recorded(tmp_path):
    w = Watcher(tmp_path, "--poll", "--interval", "0.1")
    w.wait_for("watching")
    shutil.copy(SOLUTION, w.file)
    w.wait_for("score 0 → 29")
    rc, _ = w.interrupt()
    assert rc == 0
    out = run_grade("status", "--lang", "en", env={"GRADER_DB": str(tmp_path / "p.sqlite3")}).out
    line = next(x for x in out.splitlines() if x.startswith("day2.section2"))
    assert line.split()[1:3] == ["29/29", "29/29"]
