"""The authors' one command (`grade bank check`): the bank, manifest, templates, answer keys, stubs and solutions.

Each check returns a list of problems (empty = fine) so that the project's tests and the CLI share the logic.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

from grader.course.loading import BANK_DIR, ROOT, load_bank, load_course, section_paths
from grader.errors import GraderError

Say = Callable[[str], None]
# Answer verifiers: tests/answers/dayD_sectionN.py, `answers() -> {short id: value}` computed by solutions/.
VERIFIER_DIR = ROOT / "tests" / "answers"
SCHEMA_PATH = BANK_DIR / "schema.json"


# ---------------------------------------------------------------- manifest and banks


def bank_problems() -> list[str]:
    problems = []
    try:
        course = load_course()
    except GraderError as e:
        return [f"course.yaml: {e}"]
    known = {s.id for s in course.sections}
    for s in course.sections:
        try:
            load_bank(s.id)
        except GraderError as e:
            problems.append(str(e))
    for path in sorted(p for p in BANK_DIR.glob("day*/*.yaml") if not p.name.endswith(".sealed.yaml")):
        sid = f"{path.parent.name}.{path.stem}"
        if sid not in known:
            problems.append(f"{path}: not a section of course.yaml (stray file)")
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
    banks = [b for b in (load_bank(s.id) for s in load_course().sections) if b is not None]
    return [(b.section, q) for b in banks for q in b.questions if q.numeric]


def _verifier(section: str) -> ModuleType:
    day, sec = section.split(".")
    path = VERIFIER_DIR / f"{day}_{sec}.py"
    spec = importlib.util.spec_from_file_location(f"_bank_answers_{day}_{sec}", path)
    if spec is None or spec.loader is None or not path.exists():
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
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
    if short not in keys:
        return f"{question.id} is tagged numeric but tests/answers/ has no verifier for it"
    if not all(c.value is not None for c in question.choices):
        return f"{question.id}: every choice needs a value"
    right = [i + 1 for i, c in enumerate(question.choices) if close(c.value, keys[short])]
    if right != sorted(question.answers):
        return (f"{question.id}: solution gives {keys[short]}, choices {right} match, "
                f"the answer key says {sorted(question.answers)}")
    return None


def stray_verifier_problem(section: str, numeric: list[tuple[str, Any]]) -> str | None:
    ids = {q.id.rsplit(".", 1)[1] for s, q in numeric if s == section}
    extra = set(computed(section)) - ids
    return f"{section}: tests/answers/ verifies {sorted(extra)}, which are not numeric questions" if extra else None


def answer_key_problems() -> list[str]:
    if not VERIFIER_DIR.is_dir():
        return []  # a student release ships neither the verifiers nor solutions/
    numeric = numeric_questions()
    problems = []
    for section, q in numeric:
        try:
            p = numeric_key_problem(section, q)
        except Exception as e:  # noqa: BLE001 - a broken verifier is a problem to name, not a crash
            p = f"{q.id}: verifier failed: {type(e).__name__}: {e}"
        if p:
            problems.append(p)
    for section in sorted({s for s, _ in numeric}):
        try:
            p = stray_verifier_problem(section, numeric)
        except Exception as e:  # noqa: BLE001
            p = f"{section}: verifier failed: {type(e).__name__}: {e}"
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


def grading_problems(say: Say, sections: list[str] | None = None) -> list[str]:
    from grader.grading import grade_checks

    problems = []
    for s in load_course().sections:
        if sections is not None and s.id not in sections:
            continue
        paths = section_paths(s.id)
        t0 = time.monotonic()
        stub = grade_checks(s.id, paths["exercise"])
        bad = sorted({c.status for c in stub.checks} - {"not_implemented"})
        if bad:
            problems.append(f"{s.id}: the untouched stub has checks {bad}, expected all not_implemented")
        sol = grade_checks(s.id, paths["solution"])
        if sol.score < sol.max_score:
            failed = [c.id for c in sol.checks if c.status != "passed"]
            problems.append(f"{s.id}: the solution scores {sol.score:g}/{sol.max_score:g}; failing: {failed[:5]}")
        n_ni = sum(c.status == "not_implemented" for c in stub.checks)
        say(f"  {s.id:<14} stub {n_ni}/{len(stub.checks)} not_implemented, solution {sol.score:g}/{sol.max_score:g}"
            f"  ({time.monotonic() - t0:.1f}s)")
    return problems


# ---------------------------------------------------------------- the JSON Schema for editors


def json_schema() -> dict[str, Any]:
    """One schema for every YAML file of question_bank/: the manifest, a section's questions, the templates."""
    from typing import Union

    from pydantic import TypeAdapter

    from grader.course.models import Course, QuestionBank
    from grader.course.templates import TemplateBank

    schema = TypeAdapter(Union[QuestionBank, TemplateBank, Course]).json_schema()  # noqa: UP007
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "E資格 grader question bank (course.yaml, dayD/sectionN.yaml, templates.yaml)", **schema}


def schema_problems() -> list[str]:
    import json

    if not SCHEMA_PATH.exists():
        return []
    if json.loads(SCHEMA_PATH.read_text(encoding="utf-8")) != json_schema():
        return [f"{SCHEMA_PATH} is out of date: run `grade bank schema {SCHEMA_PATH.relative_to(ROOT)}`"]
    return []


# ---------------------------------------------------------------- everything


def run_all(say: Say, seeds: int = 200, grading: bool = True) -> list[str]:
    steps: list[tuple[str, Callable[[], list[str]]]] = [
        ("manifest and question files / マニフェストと問題ファイル", bank_problems),
        ("numeric answer keys = solutions / 数値問題の正解 = 解答例", answer_key_problems),
        (f"templates sound over {seeds} seeds / テンプレート ({seeds} seeds)", lambda: all_template_problems(seeds)),
        ("JSON Schema up to date / JSON Schema", schema_problems),
    ]
    if grading:
        steps.append(("stubs fail, solutions pass / 雛形は不合格・解答例は満点", lambda: grading_problems(say)))
    problems: list[str] = []
    for title, step in steps:
        t0 = time.monotonic()
        say(f"- {title} …")
        try:
            found = step()
        except GraderError as e:
            found = [str(e)]
        for p in found:
            say(f"  ✘ {p}")
        say(f"  {'✔ ok' if not found else f'✘ {len(found)} problem(s)'}  ({time.monotonic() - t0:.1f}s)")
        problems += found
    say("")
    say("bank check: OK" if not problems else f"bank check: {len(problems)} problem(s) found")
    return problems
