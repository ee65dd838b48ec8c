"""The authors' commands: `grade bank check` (every piece of every section, in one run) and
`grade bank new-section` (scaffold a section's files).

`grade bank check` walks the course as course.yaml lists it and names, one line each with the file (and the
question id or field), every missing or inconsistent piece: the manifest and question files, each section's
stub, solution, checks, question file, answer keys and mutants, the parametric templates, the JSON Schema, and
(unless --no-grading) that untouched stubs fail and solutions pass. Each check returns a list of problems
(empty = fine) so that the project's tests and the CLI share the logic. The recipe: docs/AUTHORING.md.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from grader.course.loading import (
    BANK_DIR,
    ROOT,
    load_bank,
    load_course,
    require_project,
    section_paths,
    solutions_package,
)
from grader.errors import GraderError, UsageError

Say = Callable[[str], None]
# Answer verifiers: tests/answers/dayD/sectionN.py, `answers() -> {short id: value}` computed by solutions/.
VERIFIER_DIR = ROOT / "tests" / "answers"
SCHEMA_PATH = BANK_DIR / "schema.json"
# Every placeholder `grade bank new-section` writes carries this word; `grade bank check` names each one left.
PLACEHOLDER = "PLACEHOLDER"
PLACEHOLDER_TAG = "placeholder"  # the tag of a scaffolded question


def author_paths(section_id: str, root: Path | None = None) -> dict[str, Path]:
    """Every file of a section, the learner's and the authors' (docs/AUTHORING.md lists them)."""
    root = ROOT if root is None else root
    day, sec = section_id.split(".")
    return {
        **section_paths(section_id, root),
        "answers": root / "tests" / "answers" / day / f"{sec}.py",
        "mutants": root / "tests" / "mutants" / day / f"{sec}.yaml",
        "accepted": root / "tests" / "accepted" / day / sec,
    }


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def _lines(e: BaseException) -> list[str]:
    """A (possibly multi-line) error as problems, one line each."""
    return [line for line in str(e).splitlines() if line.strip()] or [type(e).__name__]


def _is_release() -> bool:
    """A student release ships neither solutions/ nor tests/: only the learner's pieces are checked there."""
    from grader.course.loading import release_info

    return release_info(ROOT) is not None


def _has_placeholder(value: Any) -> bool:
    if isinstance(value, str):
        return PLACEHOLDER in value
    if isinstance(value, dict):
        return any(_has_placeholder(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_placeholder(v) for v in value)
    return False


# ---------------------------------------------------------------- manifest and banks


def manifest_placeholders(course: Any) -> list[str]:
    where = _rel(BANK_DIR / "course.yaml")
    problems = []
    for s in course.sections:
        for lang in ("ja", "en"):
            if PLACEHOLDER in getattr(s.title, lang):
                problems.append(f"{where}: section {s.id}: field 'title.{lang}' is a placeholder")
        for e in s.exercises:
            for i, hint in enumerate(e.hints, 1):
                if _has_placeholder(hint.model_dump()):
                    problems.append(f"{where}: section {s.id}: exercise {e.name}: field 'hints[{i}]' is a placeholder")
    return problems


def question_problems(path: Path, bank: Any) -> list[str]:
    """A plain bank's questions: placeholders left, and `value:` choices that go unverified (no `numeric` tag)."""
    problems = []
    for q in bank.questions:
        where = f"{_rel(path)}: question {q.id}"
        fields = [k for k, v in q.model_dump().items() if k != "tags" and _has_placeholder(v)]
        if fields or PLACEHOLDER_TAG in q.tags:
            what = [f"fields {', '.join(fields)}"] if fields else []
            what += [f"tag `{PLACEHOLDER_TAG}`"] if PLACEHOLDER_TAG in q.tags else []
            problems.append(f"{where}: still a placeholder ({'; '.join(what)}): write the question")
            continue
        valued = [i for i, c in enumerate(q.choices, 1) if c.value is not None]
        if valued and not q.numeric:
            problems.append(f"{where}: field 'tags': choices {valued} have `value:` but the question is not tagged "
                            "`numeric`, so its answer key is never checked against the solution: add `numeric`")
        elif q.numeric and len(valued) != len(q.choices):
            missing = [i for i, c in enumerate(q.choices, 1) if c.value is None]
            problems.append(f"{where}: field 'choices': tagged `numeric`, but choice(s) {missing} have no `value:`")
    return problems


def bank_problems() -> list[str]:
    from grader.course.models import QuestionBank

    try:
        course = load_course()
    except GraderError as e:
        return _lines(e)
    problems = manifest_placeholders(course)
    known = {s.id for s in course.sections}
    for s in course.sections:
        try:
            bank = load_bank(s.id)
        except GraderError as e:
            problems += _lines(e)
            continue
        if isinstance(bank, QuestionBank):  # a release's sealed bank has no values to verify
            problems += question_problems(section_paths(s.id)["bank"], bank)
    for path in sorted(p for p in BANK_DIR.glob("day*/*.yaml") if not p.name.endswith(".sealed.yaml")):
        sid = f"{path.parent.name}.{path.stem}"
        if sid not in known:
            problems.append(f"{_rel(path)}: not a section of course.yaml (stray file)")
    return problems


# ---------------------------------------------------------------- every section's files


def _parse(path: Path, problems: list[str]) -> ast.Module | None:
    try:
        return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (SyntaxError, ValueError, OSError) as e:
        problems.append(f"{_rel(path)}: cannot be parsed: {type(e).__name__}: {e}")
        return None


def _top_level(tree: ast.Module) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]:
    return {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def _raises_not_implemented(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Raise) and n.exc is not None and "NotImplementedError" in ast.unparse(n.exc)
               for n in ast.walk(node))


def _placeholder_nodes(tree: ast.Module, source: str) -> tuple[bool, list[str], list[int]]:
    """(module docstring is a placeholder, top-level names holding one, other lines holding one)."""
    lines = source.splitlines()
    doc = ast.get_docstring(tree, clean=False) or ""
    covered: set[int] = set()
    if tree.body and ast.get_docstring(tree) is not None:
        covered |= set(range(tree.body[0].lineno, (tree.body[0].end_lineno or tree.body[0].lineno) + 1))
    names = []
    for name, node in _top_level(tree).items():
        span = range(min([node.lineno] + [d.lineno for d in node.decorator_list]), (node.end_lineno or node.lineno) + 1)
        covered |= set(span)
        if any(PLACEHOLDER in lines[i - 1] for i in span if i - 1 < len(lines)):
            names.append(name)
    others = [i for i, line in enumerate(lines, 1) if PLACEHOLDER in line and i not in covered]
    return PLACEHOLDER in doc, names, others


def stub_problems(path: Path, exercises: list[str], solution: bool = False) -> list[str]:
    """The stub (or the solution) defines every exercise of course.yaml, and nothing is left to write."""
    problems: list[str] = []
    tree = _parse(path, problems)
    if tree is None:
        return problems
    where = _rel(path)
    defs = _top_level(tree)
    for name in exercises:
        if name not in defs:
            problems.append(f"{where}: defines no `{name}` (an exercise of course.yaml)")
    if not solution:
        for name in defs:
            if not name.startswith("_") and name not in exercises:
                problems.append(f"{where}: defines `{name}`, which course.yaml does not list as an exercise "
                                f"(list it there, or make it private: _{name})")
    module_doc, names, others = _placeholder_nodes(tree, path.read_text(encoding="utf-8"))
    if module_doc:
        problems.append(f"{where}: the module docstring is a placeholder")
    for name in defs:
        if solution and _raises_not_implemented(defs[name]):
            problems.append(f"{where}: `{name}` is not implemented yet (it raises NotImplementedError)")
        elif name in names:
            what = ("its docstring (both languages: what it computes, the formula, the shapes, a worked example)"
                    if not solution else "its code or docstring")
            problems.append(f"{where}: `{name}` is a placeholder: write {what}")
    problems += [f"{where}:{i}: a placeholder is left" for i in others]
    return problems


@dataclass
class MarkedCheck:
    """One check of a check file as `grade bank check` sees it; an unmarked `test_*` function has exercise ""."""

    function: str
    exercise: str
    points: float
    public: bool


def load_check_marks(path: Path) -> list[MarkedCheck]:
    """Import a check file (author code) through the grader's own collection and read its marks, cases included."""
    from grader.engine.collect import collect

    collected = collect(path)
    if collected.module is None:
        raise ImportError("; ".join(collected.broken))
    marks = [MarkedCheck(it.originalname, it.mark.exercise, float(it.mark.points), it.mark.public)
             for it in collected.items]
    return marks + [MarkedCheck(fname, "", 0, False) for fname in collected.unmarked]


def checks_problems(path: Path, exercises: dict[str, int], release: bool = False) -> list[str]:
    """The hidden checks: imports, one check at least per exercise, points = course.yaml's, a public check
    (freezable for a student release), no placeholder check left."""
    problems: list[str] = []
    tree = _parse(path, problems)
    if tree is None:
        return problems
    where = _rel(path)
    for node in ast.walk(tree):
        mods = ([a.name for a in node.names] if isinstance(node, ast.Import)
                else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
        for mod in mods:
            top = mod.split(".")[0]
            if (top == "grader" and mod != "grader.engine.api") or top in ("solutions", "exercises", "tests"):
                problems.append(f"{where}:{node.lineno}: imports {mod}: a check file imports only grader.engine.api "
                                "(expected values are worked out in the check, never taken from solutions/)")
    try:
        marks = load_check_marks(path)
    except Exception as e:  # noqa: BLE001 - a broken check file is a problem to name, not a crash
        return problems + [f"{where}: cannot be loaded: {type(e).__name__}: {str(e)[:300]}"]
    _, placeholders, _ = _placeholder_nodes(tree, path.read_text(encoding="utf-8"))
    for fname in dict.fromkeys(m.function for m in marks if not m.exercise):
        problems.append(f"{where}: `{fname}` has no @check marker")
    for m in marks:
        if m.exercise and m.exercise not in exercises:
            problems.append(f"{where}: `{m.function}` checks `{m.exercise}`, which is not an exercise of course.yaml")
    for fname in dict.fromkeys(m.function for m in marks if m.function in placeholders):
        targets = sorted({m.exercise for m in marks if m.function == fname})
        problems.append(f"{where}: check `{fname}` is a placeholder: write the checks of {', '.join(targets)}")
    for name, points in exercises.items():
        got = sum(m.points for m in marks if m.exercise == name)
        if not got:
            problems.append(f"{where}: no check of `{name}`")
        elif got != points and not release:  # a release carries the public checks only
            problems.append(f"{where}: the checks of `{name}` are worth {got:g} points, course.yaml says {points}")
    if release:
        return problems
    if not any(m.public for m in marks):
        problems.append(f"{where}: no check is marked public=True (a student release needs at least one)")
    from grader.classroom.freeze import custom_logic

    source = path.read_text(encoding="utf-8")
    for fname in dict.fromkeys(m.function for m in marks if m.public and m.function not in placeholders):
        flags = {m.public for m in marks if m.function == fname}
        if len(flags) > 1:
            problems.append(f"{where}: `{fname}`: some of its parameters are public and some not")
        found = custom_logic(source, fname)
        if found:
            problems.append(f"{where}: public check `{fname}` cannot be frozen for a student release: "
                            f"{'; '.join(found[:3])} (docs/AUTHORING.md: public checks)")
    return problems


def mutants_problems(path: Path, section_id: str, exercises: list[str], solution: Path) -> list[str]:
    """The catalogued mistakes: well-formed, targeting exercises of the section, every exercise targeted, every
    edit applying once to the solution (tests/mutant_source.py applies them)."""
    from grader.course.yamlfile import read_yaml

    where = _rel(path)
    try:
        data = read_yaml(path)
    except GraderError as e:
        return _lines(e)
    if not isinstance(data, dict) or not isinstance(data.get("mutants"), list):
        return [f"{where}: expected `section: {section_id}` and a list `mutants:`"]
    problems = []
    if data.get("section") != section_id:
        problems.append(f"{where}: field 'section' is {data.get('section')!r}, expected {section_id!r}")
    source = solution.read_text(encoding="utf-8") if solution.is_file() else None
    if source is not None and (PLACEHOLDER in source or "raise NotImplementedError" in source):
        source = None  # the solution is not written yet: its edits cannot be tried
    targeted: set[str] = set()
    names: list[str] = []
    for i, m in enumerate(data["mutants"], 1):
        if not isinstance(m, dict) or not {"name", "targets", "feedback", "edits"} <= set(m):
            problems.append(f"{where}: mutant #{i}: needs name, targets, feedback and edits")
            continue
        name = m["name"]
        if name in names:
            problems.append(f"{where}: mutant `{name}` is listed twice")
        names.append(name)
        for t in m["targets"] or []:
            if t not in exercises:
                problems.append(f"{where}: mutant `{name}` targets `{t}`, which is not an exercise of {section_id}")
            targeted.add(t)
        if not m["edits"]:
            problems.append(f"{where}: mutant `{name}` has no edits")
        for e in m["edits"] or []:
            old = e.get("old") if isinstance(e, dict) else None
            if not isinstance(old, str) or not isinstance(e.get("new"), str):
                problems.append(f"{where}: mutant `{name}`: every edit needs `old` and `new` text")
            elif source is not None and source.count(old) != 1:
                problems.append(f"{where}: mutant `{name}`: an edit's `old` occurs {source.count(old)} times in "
                                f"{_rel(solution)} (it must occur once)")
    for ex in exercises:
        if ex not in targeted:
            problems.append(f"{where}: no mutant targets `{ex}`: catalogue a mistake of it (every check must fail "
                            "on some mutant: python -m tests.mutant_coverage)")
    return problems


def accepted_problems(folder: Path) -> list[str]:
    return [f"{_rel(p)}: does not start with `# ACCEPTED`" for p in sorted(folder.glob("*.py"))
            if not p.read_text(encoding="utf-8").startswith("# ACCEPTED")]


_WHAT = {
    "exercise": "the stub learners edit",
    "solution": "the reference solution",
    "checks": "the hidden checks",
    "bank": "the 確認テスト questions",
    "mutants": "the catalogued mistakes",
}


def unlisted_packages(day: str) -> list[tuple[str, Path]]:
    """(package, folder) of the day's folders that the wheel would leave out: pyproject.toml lists its packages
    one by one ([tool.setuptools] packages, the course data mapped by package-dir), so a new day is added there.
    Nothing when pyproject.toml is absent or does not list packages that way."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        return []
    path = ROOT / "pyproject.toml"
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))["tool"]["setuptools"]
        listed, mapped = set(config["packages"]), dict(config.get("package-dir", {}))
    except (OSError, KeyError, TypeError, ValueError):
        return []
    if not isinstance(config["packages"], list):
        return []
    wanted = [("grader.checks", ROOT / "grader" / "checks")]
    wanted += [(pkg, ROOT / folder) for pkg, folder in mapped.items() if pkg and isinstance(folder, str)]
    return [(f"{pkg}.{day}", top / day) for pkg, top in wanted
            if (top / day).is_dir() and f"{pkg}.{day}" not in listed]


def section_problems(section: Any) -> list[str]:
    """Every missing or inconsistent file of one section of course.yaml."""
    from grader.course.models import QuestionBank
    from grader.course.sealed import sealed_path

    release = _is_release()
    paths = author_paths(section.id)
    exercises = [e.name for e in section.exercises]
    problems = []
    kinds = ["exercise", "checks", "bank", "mutants"] if not release else ["exercise", "checks", "bank"]
    if not release:
        kinds.insert(1, "solution")
    for kind in kinds:
        p = paths[kind]
        if not p.is_file() and not (kind == "bank" and sealed_path(p).is_file()):
            problems.append(f"{_rel(p)}: missing ({_WHAT[kind]} of {section.id})")
    for kind in ("exercise", "checks") + (() if release else ("solution",)):
        init = paths[kind].parent / "__init__.py"
        if not init.is_file():
            problems.append(f"{_rel(init)}: missing (makes {_rel(init.parent)}/ a package)")
    problems += [f"pyproject.toml: [tool.setuptools] packages lacks {pkg} (the wheel would not ship {_rel(folder)}/)"
                 for pkg, folder in ([] if release else unlisted_packages(section.day))]
    if paths["exercise"].is_file():
        problems += stub_problems(paths["exercise"], exercises)
    if paths["checks"].is_file():
        problems += checks_problems(paths["checks"], {e.name: e.points for e in section.exercises}, release)
    if release:
        return problems
    if paths["solution"].is_file():
        problems += stub_problems(paths["solution"], exercises, solution=True)
    if paths["mutants"].is_file():
        problems += mutants_problems(paths["mutants"], section.id, exercises, paths["solution"])
    try:
        bank = load_bank(section.id)
    except GraderError:
        bank = None  # named by the manifest step
    numeric = [q.id.rsplit(".", 1)[1] for q in bank.questions if q.numeric] if isinstance(bank, QuestionBank) else []
    if numeric and not paths["answers"].is_file():
        problems.append(f"{_rel(paths['answers'])}: missing (the answer keys: the bank has numeric questions "
                        f"{', '.join(numeric)}, and `answers()` must compute their values with the solution)")
    if paths["accepted"].is_dir():
        problems += accepted_problems(paths["accepted"])
    return problems


def all_section_problems(unfinished: set[str] | None = None) -> list[str]:
    """section_problems for every section of course.yaml; `unfinished` collects the ids that have any."""
    try:
        course = load_course()
    except GraderError as e:
        return _lines(e)
    problems = []
    for s in course.sections:
        found = section_problems(s)
        if found and unfinished is not None:
            unfinished.add(s.id)
        problems += found
    return problems


# ---------------------------------------------------------------- numeric answer keys (tests/answers/)


def close(a: Any, b: Any) -> bool:
    """Integers (sizes, parameter counts) must match exactly; other values as rounded in the question (4 d.p.)."""
    import numpy as np

    a, b = np.atleast_1d(np.asarray(a, dtype=float)), np.atleast_1d(np.asarray(b, dtype=float))
    if a.shape != b.shape:
        return False
    if np.all(b == np.round(b)) and np.all(a == np.round(a)):
        return bool(np.array_equal(a, b))
    return bool(np.allclose(a, b, rtol=1e-4, atol=6e-5))


def numeric_questions() -> list[tuple[str, Any]]:
    """(section, question) for every question tagged numeric (a bank that does not load is skipped: the
    manifest step names it)."""
    found = []
    for s in load_course().sections:
        try:
            bank = load_bank(s.id)
        except GraderError:
            continue
        if bank is not None:
            found += [(bank.section, q) for q in bank.questions if getattr(q, "numeric", False)]
    return found


def verifier_path(section: str) -> Path:
    day, sec = section.split(".")
    return VERIFIER_DIR / day / f"{sec}.py"


def _verifier(section: str) -> ModuleType:
    day, sec = section.split(".")
    path = verifier_path(section)
    spec = importlib.util.spec_from_file_location(f"_bank_answers_{day}_{sec}", path)
    if spec is None or spec.loader is None or not path.exists():
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
    solutions_package()  # the verifiers import solutions.dayD.sectionN: the clone's own, whatever sys.path holds
    spec.loader.exec_module(module)
    return module


_COMPUTED: dict[str, dict[str, Any]] = {}


def computed(section: str) -> dict[str, Any]:
    """The section's answer keys as the reference solutions compute them (cached per process)."""
    if section not in _COMPUTED:
        _COMPUTED[section] = _verifier(section).answers()
    return _COMPUTED[section]


def numeric_key_problem(section: str, question: Any) -> str | None:
    keys = computed(section)
    short = question.id.rsplit(".", 1)[1]
    where = f"{_rel(section_paths(section)['bank'])}: question {question.id}"
    if short not in keys:
        return f"{where}: tagged numeric, but {_rel(verifier_path(section))} computes no {short!r}"
    if not all(c.value is not None for c in question.choices):
        return f"{where}: every choice needs a value"
    right = [i + 1 for i, c in enumerate(question.choices) if close(c.value, keys[short])]
    if right != sorted(question.answers):
        return (f"{where}: solution gives {keys[short]}, choices {right} match, "
                f"the answer key says {sorted(question.answers)}")
    return None


def stray_verifier_problem(section: str, numeric: list[tuple[str, Any]]) -> str | None:
    ids = {q.id.rsplit(".", 1)[1] for s, q in numeric if s == section}
    extra = set(computed(section)) - ids
    return (f"{_rel(verifier_path(section))}: computes {sorted(extra)}, which are not numeric questions of {section}"
            if extra else None)


def answer_key_problems() -> list[str]:
    if not VERIFIER_DIR.is_dir():
        return []  # a student release ships neither the verifiers nor solutions/
    numeric = [(s, q) for s, q in numeric_questions() if verifier_path(s).is_file()]  # a missing one: files step
    problems = []
    for section, q in numeric:
        try:
            p = numeric_key_problem(section, q)
        except Exception as e:  # noqa: BLE001 - a broken verifier is a problem to name, not a crash
            p = f"{_rel(verifier_path(section))}: failed for {q.id}: {type(e).__name__}: {e}"
        if p:
            problems.append(p)
    for section in sorted({s for s, _ in numeric}):
        try:
            p = stray_verifier_problem(section, numeric)
        except Exception as e:  # noqa: BLE001
            p = f"{_rel(verifier_path(section))}: failed: {type(e).__name__}: {e}"
        if p:
            problems.append(p)
    return problems


# ---------------------------------------------------------------- parametric templates


def template_problems(name: str, seeds: int) -> list[str]:
    """Over `seeds` seeds: one right choice equal to the solution's value, distractors distinct and named."""
    from grader.course import templates as T

    problems: list[str] = []
    for seed in range(seeds):
        try:
            d = T.draw(name, seed)
            if seed == 0 and T.draw(name, 0).question != d.question:
                problems.append(f"template {name}: seed 0 drawn twice gives two different questions")
        except Exception as e:  # noqa: BLE001 - a broken template is a problem to name, not a crash
            return problems + [f"template {name} seed {seed}: {type(e).__name__}: {e}"]
        q = d.question
        where = f"template {name} seed {seed}"
        if not isinstance(q.answer, int):
            problems.append(f"{where}: the answer must be one choice")
            continue
        expected = T._code(name)[1](d.params)
        right = [i for i, c in enumerate(q.choices, 1) if c.text == T.format_value(expected)]
        if right != [q.answer] or not close(q.choices[q.answer - 1].value, expected):
            problems.append(f"{where}: the solution gives {T.format_value(expected)}, the right choices are {right}")
        texts = [str(c.text) for c in q.choices]
        if len(set(texts)) != len(texts):
            problems.append(f"{where}: two choices read the same: {texts}")
        for i, (c, m) in enumerate(zip(q.choices, d.misconceptions, strict=True), 1):
            if (i == q.answer) != (m is None) or (m is not None and (c.feedback is None or m not in c.feedback.en)):
                problems.append(f"{where}: choice {i} does not name its misconception")
        if len(problems) > 5:
            break
    return problems


def all_template_problems(seeds: int) -> list[str]:
    from grader.course import templates as T

    try:
        specs = T.load_templates()
    except GraderError as e:
        return [str(e)]
    if not T.solutions_available():
        return ["solutions/ is not importable: templates cannot be proved here"]
    problems = []
    for name in specs:
        problems += template_problems(name, seeds)
    return problems


# ---------------------------------------------------------------- stubs fail, solutions pass


def grading_problems(say: Say, sections: list[str] | None = None, skip: set[str] | frozenset[str] = frozenset()
                     ) -> list[str]:
    """Grade every section's untouched stub (all not_implemented) and solution (full marks). A section in `skip`
    (its files are not complete: named by the files step) is not graded."""
    from grader.grading import grade_checks

    problems = []
    for s in load_course().sections:
        if sections is not None and s.id not in sections:
            continue
        if s.id in skip:
            say(f"  {s.id:<14} not graded: its files are not complete yet (above)")
            continue
        paths = section_paths(s.id)
        t0 = time.monotonic()
        reports = {}
        for kind in ("exercise", "solution"):
            try:
                reports[kind] = grade_checks(s.id, paths[kind])
            except GraderError as e:
                problems += [f"{_rel(paths[kind])}: grading it: {line}" for line in _lines(e)]
        stub, sol = reports.get("exercise"), reports.get("solution")
        if stub is not None:
            bad = sorted({c.status for c in stub.checks} - {"not_implemented"})
            if bad:
                problems.append(f"{s.id}: the untouched stub has checks {bad}, expected all not_implemented")
        if sol is not None and sol.score < sol.max_score:
            failed = [c.id for c in sol.checks if c.status != "passed"]
            problems.append(f"{s.id}: the solution scores {sol.score:g}/{sol.max_score:g}; failing: {failed[:5]}")
        if stub is not None and sol is not None:
            n_ni = sum(c.status == "not_implemented" for c in stub.checks)
            say(f"  {s.id:<14} stub {n_ni}/{len(stub.checks)} not_implemented, solution {sol.score:g}/"
                f"{sol.max_score:g}  ({time.monotonic() - t0:.1f}s)")
    return problems


# ---------------------------------------------------------------- the JSON Schema for editors


def json_schema() -> dict[str, Any]:
    """One schema for every YAML file of question_bank/: the manifest, a section's questions, the templates."""
    from typing import Union

    from pydantic import TypeAdapter

    from grader.course.models import Course, QuestionBank
    from grader.course.templates import QuestionTemplateBank

    schema = TypeAdapter(Union[QuestionBank, QuestionTemplateBank, Course]).json_schema()  # noqa: UP007
    for lang in ("ja", "en"):  # Text is a kernel dataclass: its non-empty rule lives in its __post_init__
        schema["$defs"]["Text"]["properties"][lang]["minLength"] = 1
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "E資格 grader question bank (course.yaml, dayD/sectionN.yaml, templates.yaml)", **schema}


def schema_problems() -> list[str]:
    import json

    if not SCHEMA_PATH.exists():
        return []
    if json.loads(SCHEMA_PATH.read_text(encoding="utf-8")) != json_schema():
        return [f"{_rel(SCHEMA_PATH)} is out of date: run `grade bank schema {SCHEMA_PATH.relative_to(ROOT)}`"]
    return []


# ---------------------------------------------------------------- everything


def run_all(say: Say, seeds: int = 200, grading: bool = True) -> list[str]:
    """Every step, each run whatever the others found; every problem is said once, on its own line."""
    require_project("grade bank check")  # an installed grader has no solutions/, tests/ nor sources: exit 2
    unfinished: set[str] = set()
    steps: list[tuple[str, Callable[[], list[str]]]] = [
        ("manifest and question files / マニフェストと問題ファイル", bank_problems),
        ("every section's files / 各セクションのファイル", lambda: all_section_problems(unfinished)),
        ("numeric answer keys = solutions / 数値問題の正解 = 解答例", answer_key_problems),
        (f"templates sound over {seeds} seeds / テンプレート ({seeds} seeds)", lambda: all_template_problems(seeds)),
        ("JSON Schema up to date / JSON Schema", schema_problems),
    ]
    if grading:
        steps.append(("stubs fail, solutions pass / 雛形は不合格・解答例は満点",
                      lambda: grading_problems(say, skip=unfinished)))
    problems: list[str] = []
    for title, step in steps:
        t0 = time.monotonic()
        say(f"- {title} …")
        try:
            found = step()
        except GraderError as e:
            found = _lines(e)
        found = [p for p in dict.fromkeys(found) if p not in problems]  # a broken course.yaml: said once
        for p in found:
            say(f"  ✘ {p}")
        say(f"  {'✔ ok' if not found else f'✘ {len(found)} problem(s)'}  ({time.monotonic() - t0:.1f}s)")
        problems += found
    say("")
    say("bank check: OK" if not problems else f"bank check: {len(problems)} problem(s) found")
    return problems


# ---------------------------------------------------------------- `grade bank new-section`: scaffold a section

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_ENTRY = re.compile(r"^(?P<indent>[ \t]*)- id: *['\"]?(?P<id>[^'\"\s]+)['\"]? *$", re.MULTILINE)


@dataclass
class Scaffold:
    section: str
    exercises: list[str]
    created: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


def _q(text: str) -> str:
    """`text` as a YAML scalar: plain when it reads back as itself, else double-quoted (JSON's syntax is YAML's)."""
    import yaml

    try:
        if text == text.strip() and yaml.safe_load(f"k: {text}") == {"k": text}:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)


def _dq(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _order(section_id: str) -> tuple[int, int]:
    day, sec = section_id.split(".")
    return int(day[3:]), int(sec[7:])


def _exercise_names(paths: dict[str, Path]) -> list[str]:
    """The public top-level functions and classes of an existing stub (else solution), in file order."""
    for kind in ("exercise", "solution"):
        if paths[kind].is_file():
            try:
                tree = ast.parse(paths[kind].read_text(encoding="utf-8"))
            except SyntaxError:
                continue
            return [n for n in _top_level(tree) if not n.startswith("_")]
    return []


def course_entry(section_id: str, title: tuple[str, str], exercises: list[str], points: int, indent: str) -> str:
    i = indent
    lines = [f"{i}- id: {section_id}", f"{i}  title:", f"{i}    ja: {_q(title[0])}", f"{i}    en: {_q(title[1])}",
             f"{i}  exercises:"]
    for name in exercises:
        lines += [f"{i}    - name: {name}", f"{i}      points: {points}", f"{i}      hints:",
                  f"{i}        - ja: {_q(f'{PLACEHOLDER}: {name} の最初のヒント (考え方)')}",
                  f"{i}          en: {_q(f'{PLACEHOLDER}: the first hint for {name} (the idea)')}"]
    return "\n".join(lines) + "\n"


def insert_entry(text: str, section_id: str, entry_for: Callable[[str], str]) -> str:
    """course.yaml with the section's entry inserted in course order; every other line stays as it was."""
    entries = list(_ENTRY.finditer(text))
    indent = entries[0]["indent"] if entries else "  "
    entry = entry_for(indent)
    for m in entries:
        if m["indent"] == indent and re.fullmatch(r"day\d+\.section\d+", m["id"]) and \
                _order(m["id"]) > _order(section_id):
            return text[:m.start()] + entry + text[m.start():]
    return text + ("" if text.endswith("\n") or not text else "\n") + entry


def _stub(sid: str, title: tuple[str, str], exercises: list[str]) -> str:
    day, sec = sid.split(".")
    head = f"Day {day[3:]} Section {sec[7:]}"
    out = [f'"""{head} {title[0]}: {PLACEHOLDER}: このセクションで実装するもの。',
           f"{head} {title[1]}: {PLACEHOLDER}: what this section implements.",
           '"""', "", "import numpy as np"]
    for name in exercises:
        out += ["", "", f"def {name}(x):",
                f'    """{PLACEHOLDER}: {name} が返すもの。',
                f"    {PLACEHOLDER}: what {name} returns.", "",
                "    数式 / Formula", f"      {PLACEHOLDER}", "",
                "    形状 / Shapes", f"      {PLACEHOLDER}", "",
                "    例 / Example", f"      {PLACEHOLDER}",
                '    """',
                f"    # TODO: {name} を実装する / implement {name}",
                "    raise NotImplementedError"]
    return "\n".join(out) + "\n"


def _solution(sid: str, title: tuple[str, str], exercises: list[str]) -> str:
    day, sec = sid.split(".")
    head = f"Day {day[3:]} Section {sec[7:]}"
    out = [f'"""{head}: {title[0]} の参照実装。', f"{head}: reference implementations ({title[1]}).", '"""']
    for name in exercises:
        out += ["", "", f"def {name}(x):",
                f'    """{PLACEHOLDER}: {name} の参照実装 (書籍の形) / '
                'the reference implementation (the book\'s form)."""',
                "    raise NotImplementedError"]
    return "\n".join(out) + "\n"


def _checks(sid: str, title: tuple[str, str], exercises: list[str], points: int, mutants: str) -> str:
    out = [f'"""Hidden checks of {sid} ({title[0]} / {title[1]}).', "",
           "Expected values are worked out here (by hand, or by a small independent computation), never imported",
           "from solutions/; each misconception is named (Msg, Variant) and each check fails on a catalogued mutant",
           f"({mutants}).", '"""', "", "from grader.engine.api import check, fail"]
    for name in exercises:
        out += ["", "",
                f'@check("{name}", points={points}, ja="{PLACEHOLDER}: このチェックが確かめること", '
                f'en="{PLACEHOLDER}: what this check checks", public=True)',
                f"def test_{name}_placeholder(learner):",
                f'    fail(ja="{PLACEHOLDER}: {name} のチェックはまだ書かれていません", '
                f'en="{PLACEHOLDER}: the checks of {name} are not written yet")']
    return "\n".join(out) + "\n"


def _bank(sid: str, title: tuple[str, str], answers: str) -> str:
    day, sec = sid.split(".")
    return "\n".join([
        f"# 確認テスト: Day {day[3:]} Section {sec[7:]} {title[0]} / {title[1]}",
        f"# Numeric questions (tag `numeric`, a `value:` on every choice) are verified by {answers}.",
        f"section: {sid}",
        "questions:",
        f"  - id: {sid}.q01",
        f"    ja: {_dq(f'{PLACEHOLDER}: 問題文')}",
        f"    en: {_dq(f'{PLACEHOLDER}: the question')}",
        "    choices:",
        f"      - text: {{ja: {_dq(f'{PLACEHOLDER}: 正しい選択肢')}, en: {_dq(f'{PLACEHOLDER}: the right choice')}}}",
        f"      - text: {{ja: {_dq(f'{PLACEHOLDER}: 誤りの選択肢')}, en: {_dq(f'{PLACEHOLDER}: a wrong choice')}}}",
        f"        feedback: {{ja: {_dq(f'{PLACEHOLDER}: この選択肢を選ぶ誤解')}, "
        f"en: {_dq(f'{PLACEHOLDER}: the misconception behind this choice')}}}",
        "    answer: 1",
        "    explanation:",
        f"      ja: {_dq(f'{PLACEHOLDER}: 解説')}",
        f"      en: {_dq(f'{PLACEHOLDER}: the explanation')}",
        f"    tags: [{PLACEHOLDER_TAG}]",
    ]) + "\n"


def _answers(sid: str, solution: str) -> str:
    return "\n".join([
        f'"""Answer keys of {sid}, computed by the reference solutions ({solution}).', "",
        "`answers()` maps the short id of each question tagged `numeric` (e.g. \"q03\") to the value its right choice",
        "shows; `grade bank check` and tests/test_bank_answers.py compare it with the choices' `value:`s.",
        '"""', "", "", "def answers():", "    return {}",
    ]) + "\n"


def _mutants(sid: str, solution: str) -> str:
    return "\n".join([
        f"# Mutants of {sid}: each is the reference solution with one catalogued mistake, written as",
        f"# edits (old → new; each `old` occurs once in {solution}). tests/test_mutants.py grades",
        "# each and asserts that only `targets` fail and that `feedback` appears in the English feedback.",
        f"section: {sid}",
        "mutants: []",
    ]) + "\n"


def new_section(section_id: str, title_ja: str | None = None, title_en: str | None = None,
                exercises: list[str] | None = None, points: int = 1, root: Path | None = None) -> Scaffold:
    """Scaffold every file of a new section and add it to course.yaml (in course order, the rest of the file
    untouched). Files that already exist are kept as they are. Every placeholder carries the word PLACEHOLDER
    (a question the tag `placeholder`), so `grade bank check` names each piece still to write."""
    import yaml

    from grader.course.models import Course
    from grader.ids import SECTION_ID

    root = ROOT if root is None else root
    require_project("grade bank new-section", root)  # never write into an installed grader
    sid = section_id.strip().lower()
    if not SECTION_ID.match(sid):
        raise UsageError(f"セクション id が不正です: {section_id!r} / not a section id: {section_id!r} "
                         "(dayD.sectionN, e.g. day3.section1)")
    course_path = root / "question_bank" / "course.yaml"
    course_text = course_path.read_text(encoding="utf-8")
    course = load_course(root)
    if any(s.id == sid for s in course.sections):
        raise UsageError(f"{sid} は course.yaml にすでにあります / {sid} already exists in {_rel(course_path)}")
    paths = author_paths(sid, root)
    names = list(exercises or []) or _exercise_names(paths)
    if not names:
        raise UsageError("演習を --exercise NAME で 1 つ以上指定してください / name at least one exercise with "
                         "--exercise NAME (repeatable)")
    import keyword

    bad = [n for n in names if not _NAME.match(n) or keyword.iskeyword(n)]
    if bad or len(set(names)) != len(names):
        raise UsageError(f"演習名が不正か重複しています / exercise names must be distinct Python identifiers "
                         f"not starting with _: {bad or names}")
    title = (title_ja or f"{PLACEHOLDER}: タイトル", title_en or f"{PLACEHOLDER}: the title")
    if any(c in t for t in title for c in ("\n", "\r", "\\", '"""')):
        raise UsageError('題名に改行・バックスラッシュ・""" は使えません / '
                         'a title cannot hold a line break, a backslash or """')
    new_text = insert_entry(course_text, sid, lambda indent: course_entry(sid, title, names, points, indent))
    try:
        Course.model_validate(yaml.safe_load(new_text))
    except Exception as e:  # noqa: BLE001 - nothing is written when the manifest would break
        raise UsageError(f"{_rel(course_path)}: the new entry would not validate: {e}") from None

    def rel(p: Path) -> str:
        return str(p.relative_to(root))

    contents = {
        "exercise": _stub(sid, title, names),
        "solution": _solution(sid, title, names),
        "checks": _checks(sid, title, names, points, rel(paths["mutants"])),
        "bank": _bank(sid, title, rel(paths["answers"])),
        "answers": _answers(sid, rel(paths["solution"])),
        "mutants": _mutants(sid, rel(paths["solution"])),
    }
    result = Scaffold(sid, names)
    for kind in ("exercise", "solution", "checks"):  # the day's packages (the wheel finds only packages)
        init = paths[kind].parent / "__init__.py"
        if not init.exists():
            init.parent.mkdir(parents=True, exist_ok=True)
            init.write_text("", encoding="utf-8")
            result.created.append(init)
    for kind, text in contents.items():
        path = paths[kind]
        if path.exists():
            result.kept.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        result.created.append(path)
    course_path.write_text(new_text, encoding="utf-8")
    load_course.cache_clear()
    return result
