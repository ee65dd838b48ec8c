"""Load and validate the course manifest and the question bank; resolve section ids to paths."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from grader.course.yamlfile import read_yaml
from grader.errors import CourseDataError, UsageError

ROOT = Path(__file__).resolve().parents[2]  # the project: exercises/, question_bank/, grader/
BANK_DIR = ROOT / "question_bank"


def section_paths(section_id: str, root: Path = ROOT) -> dict[str, Path]:
    """Every piece of a section, found by path from its id (DESIGN.md: one id ties a section together)."""
    day, sec = section_id.split(".")
    return {
        "exercise": root / "exercises" / day / f"{sec}.py",
        "solution": root / "solutions" / day / f"{sec}.py",
        "checks": root / "grader" / "checks" / day / f"{sec}.py",
        "bank": root / "question_bank" / day / f"{sec}.yaml",
    }


def _describe_errors(path: Path, raw: Any, err: Any, list_key: str) -> str:
    """Turn a pydantic ValidationError into lines naming the file, the question (or section) id and the field."""
    lines = []
    for e in err.errors():
        loc = list(e["loc"])
        where = ""
        if len(loc) >= 2 and loc[0] == list_key and isinstance(loc[1], int):
            item = raw.get(list_key, [])[loc[1]] if isinstance(raw, dict) else None
            ident = item.get("id") if isinstance(item, dict) else None
            where = f" {list_key[:-1]} {ident or '#' + str(loc[1] + 1)}"
            loc = loc[2:]
        field = ".".join(str(p) for p in loc) or "(whole entry)"
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "unknown key"
        lines.append(f"{path}:{where} field '{field}': {msg}")
    return "\n".join(lines)


@functools.cache
def load_course(root: Path = ROOT) -> Any:
    from pydantic import ValidationError

    from grader.course.models import Course

    path = root / "question_bank" / "course.yaml"
    raw = read_yaml(path)
    try:
        return Course.model_validate(raw)
    except ValidationError as e:
        raise CourseDataError(_describe_errors(path, raw, e, "sections")) from None


def load_bank_file(path: Path) -> Any:
    from pydantic import ValidationError

    from grader.course.models import QuestionBank

    raw = read_yaml(path)
    try:
        return QuestionBank.model_validate(raw)
    except ValidationError as e:
        raise CourseDataError(_describe_errors(path, raw, e, "questions")) from None


def load_bank(section_id: str, root: Path = ROOT) -> Any:
    """The section's 確認テスト, or None when the section has no question file yet."""
    path = section_paths(section_id, root)["bank"]
    if not path.exists():
        from grader.course.sealed import load_sealed_bank, sealed_path  # a student release ships sealed banks only

        return load_sealed_bank(sealed_path(path), section_id) if sealed_path(path).exists() else None
    bank = load_bank_file(path)
    if bank.section != section_id:
        raise CourseDataError(f"{path}: field 'section' is {bank.section!r}, expected {section_id!r}")
    return bank


def find_section(section_id: str, root: Path = ROOT) -> Any:
    course = load_course(root)
    for s in course.sections:
        if s.id == section_id:
            return s
    known = ", ".join(s.id for s in course.sections)
    raise UsageError(f"セクション {section_id} はありません / unknown section {section_id} (known: {known})")
