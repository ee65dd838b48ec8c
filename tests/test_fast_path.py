"""The grading path stays lean (docs/SPEED.md): `grade SECTION` imports neither typer, rich, pydantic, PyYAML nor
pytest before it has graded; the course outline comes from a cache that follows course.yaml; checks are
collected and run without pytest, and shown exercise by exercise as they finish."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.course import outline
from tests.conftest import ROOT, grade_env

SOLUTION = ROOT / "solutions" / "day2" / "section2.py"
HEAVY = ("typer", "click", "rich", "pydantic", "yaml", "pytest", "_pytest")

PROBE = """
import atexit, os, sys
said = []
def say():
    if not said:
        said.append(sys.stderr.write("MODULES " + " ".join(sorted(sys.modules)) + "\\n"))
        sys.stderr.flush()
atexit.register(say)
exit_now = os._exit  # a finished `grade SECTION` ends without the teardown, and so without atexit
os._exit = lambda code: (say(), exit_now(code))
sys.argv = ["grade", *sys.argv[1:]]
from grader.cli.launch import main
main()
"""


def imported_by(*args: str, cwd: Path = ROOT) -> tuple[int, set[str], str]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, env=grade_env(), capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)
    line = next(x for x in proc.stderr.splitlines() if x.startswith("MODULES "))
    return proc.returncode, set(line.split()[1:]), proc.stdout


@pytest.mark.parametrize("args", [("section2", "--no-quiz", "--submission", str(SOLUTION)),
                                  ("day1.section1", "--no-quiz", "--json", "--sandbox", "off"),
                                  ("run", "section2", "--no-quiz", "--lang=en")])
def test_grading_imports_nothing_heavy(args):
    imported_by(*args)  # the first run of a session validates course.yaml (pydantic) and caches its outline
    rc, modules, out = imported_by(*args)
    assert rc in (0, 1) and out
    assert sorted(m for m in modules if m.split(".")[0] in HEAVY) == []


def test_the_probe_sees_heavy_imports_where_there_are_some():
    """The test above can fail: the typer path (here: help) does import typer."""
    rc, modules, _ = imported_by("section2", "--help")
    assert rc == 0 and "typer" in modules


def test_the_outline_follows_course_yaml_and_ignores_a_broken_cache(tmp_path, monkeypatch):
    root = tmp_path / "course"
    shutil.copytree(ROOT / "question_bank", root / "question_bank")
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache"))
    assert outline.section_outline("day2.section2", root).points["SGD"] == 4
    cached = list((tmp_path / "cache").glob("outline-*.json"))
    assert len(cached) == 1
    manifest = root / "question_bank" / "course.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("- name: SGD\n        points: 4",
                                                                     "- name: SGD\n        points: 5"),
                        encoding="utf-8")
    assert outline.section_outline("day2.section2", root).points["SGD"] == 5  # a new hash: validated again
    data = json.loads(cached[0].read_text(encoding="utf-8"))
    data["sections"][0]["points"] = {"x": "many"}  # a foreign or damaged cache is not trusted
    cached[0].write_text(json.dumps(data), encoding="utf-8")
    assert outline.section_outline("day2.section2", root).points["SGD"] == 5
    cached[0].write_text("{not json", encoding="utf-8")
    assert outline.section_outline("day2.section2", root).points["SGD"] == 5


def test_checks_stream_exercise_by_exercise(tmp_path):
    """on_check sees every check as it finishes, exercise after exercise in the manifest's order."""
    from grader.grading import grade_checks

    seen: list[str] = []
    report = grade_checks("day2.section2", SOLUTION, on_check=lambda c: seen.append(c.exercise))
    assert seen == [c.exercise for c in report.checks]
    assert list(dict.fromkeys(seen)) == ["SGD", "Momentum", "AdaGrad", "RMSprop", "Adam"]


def test_a_fault_at_import_is_not_streamed_but_shown_once(tmp_path):
    from grader.grading import grade_checks

    bad = tmp_path / "section2.py"
    bad.write_text("raise RuntimeError('at import')\n", encoding="utf-8")
    seen: list[str] = []
    report = grade_checks("day2.section2", bad, on_check=lambda c: seen.append(c.id))
    assert seen == [] and "at import" in report.message


def test_grading_many_submissions_does_not_trust_the_outline_cache(tmp_path, monkeypatch):
    """Learner code without the sandbox can write the user's cache; batch and watch (grade_many) validate
    course.yaml themselves, so a forged outline (a valid hash, other points) changes nothing for the next student."""
    from grader.course.loading import ROOT as COURSE
    from grader.engine.runner import Job
    from grader.errors import InternalError
    from grader.grading import grade_checks, grade_many

    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache"))
    outline.section_outline("day2.section2", COURSE)  # writes the cache
    (cached,) = (tmp_path / "cache").glob("outline-*.json")
    data = json.loads(cached.read_text(encoding="utf-8"))
    for s in data["sections"]:
        if s["id"] == "day2.section2":
            s["points"]["SGD"] = 99
    cached.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InternalError, match="manifest says 99"):  # the single run reads it (and stops: exit 3)
        grade_checks("day2.section2", SOLUTION)
    jobs = iter([Job(SOLUTION)])
    got: list = []
    grade_many("day2.section2", lambda: next(jobs, None), lambda job, r: got.append(r))
    assert len(got) == 1 and not isinstance(got[0], Exception) and got[0].score == got[0].max_score == 29
