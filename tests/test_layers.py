"""The package's floor plan holds: each layer imports only the layers below it, modules import in no circle, and
a check file imports only grader.engine.api (DESIGN.md: kernel ← engine ← course ← grading ← practice/classroom
← cli). Every import counts, also those inside functions (they run as surely, only later)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "grader"

LAYERS = [  # (rank, module prefixes); a module belongs to the first entry whose prefix it has
    (0, ("grader.record", "grader.text", "grader.results", "grader.errors", "grader.sanitize", "grader.ids",
         "grader.settings")),
    (1, ("grader.engine",)),
    (2, ("grader.course",)),
    (3, ("grader.grading", "grader.render")),
    (4, ("grader.practice", "grader.classroom", "grader.authoring")),
    (5, ("grader.cli", "grader.__main__")),
]


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def rank(module: str) -> int | None:
    for r, prefixes in LAYERS:
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return r
    return None


def imports_of(path: Path) -> set[str]:
    """Every grader module this file imports (`from grader.x import y` counts grader.x.y when that is a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("grader")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("grader") and not node.level:
            found.add(node.module)
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                if (PACKAGE.parent / (sub.replace(".", "/") + ".py")).exists() or \
                        (PACKAGE.parent / sub.replace(".", "/")).is_dir():
                    found.add(sub)
    return {m for m in found if m != "grader"}


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "checks" not in p.relative_to(PACKAGE).parts}


def test_every_module_has_a_layer() -> None:
    assert [m for m in modules() if m != "grader" and rank(m) is None] == []


def test_no_import_runs_up_a_layer() -> None:
    upward = []
    for mod, path in modules().items():
        r = rank(mod)
        for target in imports_of(path):
            t = rank(target)
            if r is not None and t is not None and t > r:
                upward.append(f"{mod} (layer {r}) imports {target} (layer {t})")
    assert upward == []


def test_modules_import_in_no_circle() -> None:
    mods = modules()
    graph = {m: {t for t in imports_of(p) if t in mods and t != m} for m, p in mods.items()}
    for m in graph:  # a package's __init__ is not a dependency of its own modules' imports
        graph[m] = {t for t in graph[m] if not m.startswith(t + ".")}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert cycles == []


def test_check_files_import_only_the_api() -> None:
    wrong = []
    for path in sorted((PACKAGE / "checks").rglob("*.py")):
        for target in imports_of(path):
            if target != "grader.engine.api":
                wrong.append(f"{path.relative_to(ROOT)} imports {target}")
    assert wrong == []


def test_the_layer_test_catches_an_upward_import(tmp_path: Path) -> None:
    """The test above can fail: an engine module importing the course layer is an upward arrow."""
    fake = tmp_path / "mod.py"
    fake.write_text("def f():\n    from grader.course.loading import ROOT\n", encoding="utf-8")
    assert "grader.course.loading" in imports_of(fake)
    assert rank("grader.course.loading") > rank("grader.engine.proxy")  # type: ignore[operator]


def test_the_cli_declares_each_shared_option_and_the_error_policy_once() -> None:
    """Every option is declared in grader/cli/options.py only (typer's commands and the lean `grade SECTION`
    parser are built from it), and the one policy that turns an exception into an exit code lives in
    grader/cli/policy.py (exit 3 for a grader fault is written nowhere else)."""
    found: dict[str, list[str]] = {}
    needles = {'"--lang"': "options.py", '"--db"': "options.py", '"--sandbox"': "options.py",
               "GRADER_FAULT = 3": "policy.py",
               "Exit(3)": None, "exit(3)": None, "return 3\n": None}
    for path in sorted((PACKAGE / "cli").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        for needle in needles:
            if needle in text:
                found.setdefault(needle, []).append(path.name)
    assert found == {n: [where] for n, where in needles.items() if where is not None}


def test_the_lean_run_parser_and_the_typer_command_agree() -> None:
    """`grade SECTION` parsed without typer (options.parse_run) takes exactly the run command's options, each with
    the same kind of value; anything it does not take falls to typer, which explains it."""
    import typer

    from grader.cli.app import app
    from grader.cli.options import RUN_OPTIONS, parse_run

    command = typer.main.get_command(app).commands["run"]  # type: ignore[attr-defined]
    typer_options = {p.name: (p.opts[0], p.is_flag) for p in command.params if p.param_type_name == "option"}
    assert typer_options == {name: (opt.flag, opt.kind == "flag") for name, opt in RUN_OPTIONS.items()}
    args = parse_run(["section2", "--submission", "a.py", "--no-quiz", "--json", "--lang", "EN", "--timeout=2",
                      "--sandbox", "off", "--db", "p.db", "--gradescope", "r.json", "--answers", "x.yaml"])
    assert args is not None and (args.lang, args.timeout, args.sandbox, args.no_quiz, args.json_out) == \
        ("en", 2.0, "off", True, True)
    for odd in (["section2", "--help"], ["section2", "--lang", "fr"], ["section2", "--timeout", "0.01"],
                ["section2", "extra"], ["section2", "--no-quiz=1"], ["list"], ["section2", "--submission"], []):
        assert parse_run(odd) is None, odd
