"""The learner's workspace (issue 13 §1): `grade init`, grading inside it, `grade` alone, `grade reset`; the
package's exercises/ is never written."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_grade

SOLUTION2 = ROOT / "solutions" / "day2" / "section2.py"
STUB2 = ROOT / "exercises" / "day2" / "section2.py"


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*.py")):
        h.update(str(p.relative_to(folder)).encode() + p.read_bytes())
    return h.hexdigest()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    g = run_grade("init", str(tmp_path / "ws"), cwd=tmp_path)
    assert g.rc == 0, g.err
    return tmp_path / "ws"


def test_init_writes_every_stub_a_readme_and_a_marker(workspace: Path) -> None:
    assert (workspace / "day2" / "section2.py").read_bytes() == STUB2.read_bytes()
    assert (workspace / "day1" / "section1.py").is_file() and (workspace / "README.md").is_file()
    assert (workspace / ".eshikaku-workspace.json").is_file()


@pytest.mark.slow
def test_grading_in_the_workspace_grades_its_file_and_never_touches_the_package(workspace: Path) -> None:
    before = digest(ROOT / "exercises")
    g = run_grade("section2", "--no-quiz", cwd=workspace / "day2")  # any folder below the workspace
    assert g.rc == 1 and "not implemented" in g.out
    (workspace / "day2" / "section2.py").write_bytes(SOLUTION2.read_bytes())
    g = run_grade("section2", "--no-quiz", "--json", cwd=workspace)
    assert g.rc == 0 and g.report["score"] == g.report["max_score"]
    assert digest(ROOT / "exercises") == before


def test_outside_a_workspace_grade_says_how_to_make_one(tmp_path: Path) -> None:
    g = run_grade("section2", "--no-quiz", cwd=tmp_path)
    assert g.rc == 2 and "grade init" in g.err and "Traceback" not in g.err


def test_in_a_clone_the_clone_is_the_authors_workspace() -> None:
    g = run_grade("section2", "--no-quiz", "--json", cwd=ROOT)
    assert g.rc == 1 and {c["status"] for c in g.report["checks"]} == {"not_implemented"}


def test_init_never_overwrites_and_stays_out_of_the_clone(workspace: Path, tmp_path: Path) -> None:
    assert run_grade("init", str(workspace), cwd=tmp_path).rc == 2
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine", encoding="utf-8")
    assert run_grade("init", str(tmp_path / "busy"), cwd=tmp_path).rc == 2
    assert (tmp_path / "busy" / "notes.txt").read_text(encoding="utf-8") == "mine"
    g = run_grade("init", str(ROOT / "ws-inside-the-clone"), cwd=tmp_path)
    assert g.rc == 2 and not (ROOT / "ws-inside-the-clone").exists()


@pytest.mark.slow
def test_grade_alone_grades_the_next_unfinished_section(workspace: Path, tmp_path: Path) -> None:
    db = {"GRADER_DB": str(tmp_path / "fresh.sqlite3")}
    g = run_grade(cwd=workspace, env=db)
    assert "day1.section1" in g.err and g.rc == 1  # nothing graded yet: the first section
    (workspace / "day1" / "section1.py").write_bytes((ROOT / "solutions" / "day1" / "section1.py").read_bytes())
    assert run_grade(cwd=workspace, env=db).rc == 0  # it grades day1.section1, now complete
    g = run_grade(cwd=workspace, env=db)
    assert "day1.section2" in g.err and g.rc == 1


def test_grade_alone_outside_a_workspace_shows_the_help_and_how_to_start(tmp_path: Path) -> None:
    g = run_grade(cwd=tmp_path)
    assert "grade init" in g.err and "Usage" in g.out + g.err


def test_reset_restores_one_exercise_and_keeps_a_backup(workspace: Path) -> None:
    mine = workspace / "day2" / "section2.py"
    mine.write_bytes(SOLUTION2.read_bytes())
    g = run_grade("reset", "section2", "Momentum", "--yes", cwd=workspace)
    assert g.rc == 0, g.err
    backups = list((workspace / ".backups").glob("day2.section2.*.py"))
    assert len(backups) == 1 and backups[0].read_bytes() == SOLUTION2.read_bytes()
    g = run_grade("section2", "--no-quiz", "--json", cwd=workspace)
    statuses = {c["exercise"]: c["status"] for c in g.report["checks"]}
    assert statuses["Momentum"] == "not_implemented"
    assert all(s == "passed" for ex, s in statuses.items() if ex != "Momentum")


def test_reset_of_the_whole_file_and_its_confirmation(workspace: Path) -> None:
    mine = workspace / "day2" / "section2.py"
    mine.write_text("# my work\n", encoding="utf-8")
    g = run_grade("reset", "section2", cwd=workspace)  # no terminal to ask on, no --yes
    assert g.rc == 2 and "--yes" in g.err and mine.read_text(encoding="utf-8") == "# my work\n"
    assert run_grade("reset", "section2", "--yes", cwd=workspace).rc == 0
    assert mine.read_bytes() == STUB2.read_bytes()
    assert run_grade("reset", "section2", "Nope", "--yes", cwd=workspace).rc == 2
