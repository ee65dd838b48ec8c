"""Every section of the manifest keeps the course's promise: solution full, stub nothing, files in place."""

from __future__ import annotations

import ast
import importlib.util

import pytest

from grader.course.loading import load_bank, load_course, section_paths
from tests.conftest import ROOT, grade_file

SECTIONS = [s.id for s in load_course().sections]


def test_manifest_lists_sections_in_course_order():
    days = [tuple(int(p[3:]) if p.startswith("day") else int(p[7:]) for p in s.split(".")) for s in SECTIONS]
    assert days == sorted(days)
    assert "day2.section2" in SECTIONS


@pytest.mark.parametrize("section", SECTIONS)
def test_every_piece_is_found_by_path(section):
    paths = section_paths(section)
    for kind in ("exercise", "solution", "checks", "bank"):
        assert paths[kind].is_file(), f"{section}: missing {kind} file {paths[kind]}"
    assert load_bank(section) is not None


@pytest.mark.parametrize("section", SECTIONS)
def test_reference_solution_scores_full(section):
    g = grade_file(section, section_paths(section)["solution"])
    bad = {c["id"]: (c["status"], c["feedback"]) for c in g.report["checks"] if c["status"] != "passed"}
    assert bad == {}
    assert g.rc == 0
    assert g.report["score"] == g.report["max_score"] > 0


@pytest.mark.parametrize("section", SECTIONS)
def test_untouched_stub_is_not_implemented_everywhere(section):
    g = grade_file(section, section_paths(section)["exercise"])
    assert g.rc == 1
    assert {c["status"] for c in g.report["checks"]} == {"not_implemented"}
    assert g.report["score"] == 0


@pytest.mark.parametrize("section", SECTIONS)
def test_stub_marks_every_edit_point(section):
    """Each function or method body of the stub is a TODO then `raise NotImplementedError` (rustlings style)."""
    path = section_paths(section)["exercise"]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    raising = [n for n in ast.walk(tree) if isinstance(n, ast.Raise)
               and "NotImplementedError" in ast.unparse(n.exc or ast.Constant(None))]
    assert raising, f"{path} has no `raise NotImplementedError`"
    assert path.read_text(encoding="utf-8").count("TODO") >= len(raising)


@pytest.mark.parametrize("section", SECTIONS)
def test_exercise_and_solution_share_the_api(section):
    def api(path):
        spec = importlib.util.spec_from_file_location(f"_api_{path.parent.name}_{path.stem}", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        import inspect

        out = {}
        for name, obj in vars(mod).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != mod.__name__:
                continue
            if inspect.isclass(obj):
                out[name] = {m: str(inspect.signature(f)) for m, f in vars(obj).items()
                             if callable(f) and not m.startswith("_") or m == "__init__"}
            elif callable(obj):
                out[name] = str(inspect.signature(obj))
        return out

    paths = section_paths(section)
    assert api(paths["exercise"]) == api(paths["solution"])


@pytest.mark.parametrize("section", SECTIONS)
def test_every_exercise_of_the_manifest_exists_in_the_stub(section):
    section_obj = next(s for s in load_course().sections if s.id == section)
    source = section_paths(section)["exercise"].read_text(encoding="utf-8")
    names = {n.name for n in ast.parse(source).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    assert {e.name for e in section_obj.exercises} <= names


def test_hidden_checks_are_not_collected_by_the_project_pytest():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'testpaths = ["tests"]' in text
    assert not any(p.name.startswith("test_") for p in (ROOT / "grader" / "checks").rglob("*.py"))
