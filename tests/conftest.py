"""Shared helpers: grade a file through the real CLI in a subprocess (the way learners and CI run it)."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest_plugins = ["pytester"]  # tests/test_watch.py runs a session of its own to test the leak check


@dataclass
class Graded:
    rc: int
    out: str
    err: str

    @property
    def report(self) -> dict:
        return json.loads(self.out)

    def statuses(self) -> dict[str, str]:
        return {c["id"]: c["status"] for c in self.report["checks"]}

    def by_exercise(self, status: str | None = None) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for c in self.report["checks"]:
            if status is None or c["status"] == status:
                out.setdefault(c["exercise"], []).append(c)
        return out


# Tests never touch a real progress database: this process and every `grade` it starts record into a
# throwaway file, unless a test passes its own GRADER_DB in `env`. XDG_DATA_HOME too: a child started with
# GRADER_* stripped from its environment falls back to the default location, which is then throwaway as well.
_TEST_DB_DIR = tempfile.mkdtemp(prefix="grader-tests-")
atexit.register(shutil.rmtree, _TEST_DB_DIR, ignore_errors=True)
TEST_DB = Path(_TEST_DB_DIR) / "progress.sqlite3"
os.environ["GRADER_DB"] = str(TEST_DB)
os.environ["XDG_DATA_HOME"] = str(Path(_TEST_DB_DIR) / "xdg")
# and the course outline cache (grader/course/outline.py): one per test run, never the user's
os.environ["XDG_CACHE_HOME"] = str(Path(_TEST_DB_DIR) / "cache")
# Nor a learner's saved settings (`grade config lang`): the default language unless a test says otherwise.
os.environ["XDG_CONFIG_HOME"] = str(Path(_TEST_DB_DIR) / "config")


def no_process_with(marker: str) -> bool:
    """No process on the machine has `marker` in its command line (what a stray would carry)."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmd:
            return False
    return True


EXTRA_ENV: dict[str, str] = {}  # set by a fixture for a module's tests (test_hostile: GRADER_WORKER_TEMPLATE)


def grade_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a `grade` subprocess: no GRADER_* from outside except the throwaway DB, then `env`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    return {**base, "GRADER_DB": str(TEST_DB), **EXTRA_ENV, **(env or {})}


def run_grade(*args: str, timeout: float = 300, stdin: str | None = None, cwd: Path = ROOT,
              env: dict[str, str] | None = None) -> Graded:
    proc = subprocess.run(
        [sys.executable, "-m", "grader.cli.launch", *args],
        capture_output=True, text=True, timeout=timeout, cwd=cwd, env=grade_env(env),
        input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
    )
    return Graded(proc.returncode, proc.stdout, proc.stderr)


def grade_file(section: str, path: Path | str, *extra: str) -> Graded:
    return run_grade(section, "--submission", str(path), "--no-quiz", "--json", *extra)


@pytest.fixture(scope="session")
def grade():
    return grade_file


# ---------------------------------------------------------------- nothing the session starts outlives it
# At the end of the session every process still running below pytest (a `grade watch` a test forgot, a worker
# nobody killed) gets LEAK_GRACE seconds to finish; what is left is listed, killed, and fails the run. pytest
# is made a child subreaper first, so that an orphan (a double fork, a parent killed before its child) is
# reparented to pytest rather than to init and is still found below it.

LEAK_GRACE = float(os.environ.get("TESTS_LEAK_GRACE", "5"))


def _proc_state(pid: int) -> str | None:
    """The state letter of `pid` (R, S, Z, …), None when it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[-1].split()[0].decode()
    except (OSError, IndexError):
        return None


def _children(pid: int) -> list[int]:
    """The direct children of `pid`: /proc/<pid>/task/<tid>/children of each thread (the kernel's own list),
    else every process whose parent is `pid` (kernels without that file)."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    kids: list[int] = []
    for tid in tids:
        try:
            kids += [int(k) for k in Path(f"/proc/{pid}/task/{tid}/children").read_bytes().split()]
        except FileNotFoundError:
            if not Path(f"/proc/{pid}/task/{tid}").exists():
                continue  # the thread ended
            return [int(n) for n in os.listdir("/proc") if n.isdigit() and _parent(int(n)) == pid]
        except (OSError, ValueError):
            continue
    return kids


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[-1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def live_descendants(root: int | None = None) -> dict[int, str]:
    """Every descendant of `root` (default: this process) that is still running — zombies are dead and left
    out — as pid → command line."""
    found: dict[int, str] = {}
    todo = [os.getpid() if root is None else root]
    seen: set[int] = set()
    while todo:
        for kid in _children(todo.pop()):
            if kid in seen:
                continue
            seen.add(kid)
            todo.append(kid)
            state = _proc_state(kid)
            if state is None or state in ("Z", "X"):
                continue
            try:
                cmd = Path(f"/proc/{kid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                cmd = ""
            found[kid] = cmd.strip() or "?"
    return found


def outliving_processes(grace: float = LEAK_GRACE) -> dict[int, str]:
    """The descendants still running after waiting up to `grace` seconds for them to end; each is then killed
    (SIGKILL) and, when it is our child, reaped."""
    end = time.monotonic() + grace
    while (left := live_descendants()) and time.monotonic() < end:
        time.sleep(0.1)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    for pid in left:
        try:
            os.waitpid(pid, 0)
        except OSError:
            pass  # not our child: its own parent (or we, as its subreaper, later) reaps it
    return left


def pytest_configure(config: pytest.Config) -> None:
    if sys.platform.startswith("linux"):
        try:
            from grader.engine.worker import PR_SET_CHILD_SUBREAPER, prctl

            prctl(PR_SET_CHILD_SUBREAPER, 1)  # what grading in this process does anyway (grader/engine/spawn.py)
        except (ImportError, OSError):
            pass


@pytest.hookimpl(trylast=True)  # after the session-scoped fixtures are torn down
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    left = outliving_processes()
    if not left:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    lines = [f"{len(left)} process(es) started by the tests still ran {LEAK_GRACE:g}s after the last test "
             f"(now killed):"] + [f"  pid {pid}: {cmd[:300]}" for pid, cmd in sorted(left.items())]
    if reporter is not None:
        reporter.ensure_newline()
        reporter.section("processes left running", sep="=", red=True, bold=True)
        for line in lines:
            reporter.write_line(line, red=True)
    else:
        sys.stderr.write("\n".join(lines) + "\n")
    if session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
