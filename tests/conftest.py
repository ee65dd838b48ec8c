"""Shared helpers: grade a file through the real CLI in a subprocess (the way learners and CI run it)."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


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
