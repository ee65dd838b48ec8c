"""Shared helpers: grade a file through the real CLI in a subprocess (the way learners and CI run it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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


def run_grade(*args: str, timeout: float = 300, stdin: str | None = None, cwd: Path = ROOT) -> Graded:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    proc = subprocess.run(
        [sys.executable, "-m", "grader.launch", *args],
        capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env,
        input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
    )
    return Graded(proc.returncode, proc.stdout, proc.stderr)


def grade_file(section: str, path: Path | str, *extra: str) -> Graded:
    return run_grade(section, "--submission", str(path), "--no-quiz", "--json", *extra)


@pytest.fixture(scope="session")
def grade():
    return grade_file
