"""Load and validate the course manifest and the question bank; resolve section ids to paths."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from grader.errors import CourseDataError, UsageError

ROOT = Path(__file__).resolve().parent.parent
BANK_DIR = ROOT / "question_bank"
MAX_YAML_BYTES = 1 << 20

_SHORT_ID = re.compile(r"^section(\d+)$")
_FULL_ID = re.compile(r"^day(\d+)\.section(\d+)$")


def normalize_id(raw: str) -> str:
    """`section2` → `day2.section2` (Day 2 is the course this package centres on); `day1.section3` stays."""
    s = raw.strip().lower()
    if _SHORT_ID.match(s):
        return f"day2.{s}"
    if _FULL_ID.match(s):
        return s
    raise UsageError(f"セクション名が不正です: {raw!r} / not a section id: {raw!r} (e.g. section2, day1.section3)")


def section_paths(section_id: str, root: Path = ROOT) -> dict[str, Path]:
    """Every piece of a section, found by path from its id (DESIGN.md: one id ties a section together)."""
    day, sec = section_id.split(".")
    return {
        "exercise": root / "exercises" / day / f"{sec}.py",
        "solution": root / "solutions" / day / f"{sec}.py",
        "checks": root / "grader" / "checks" / day / f"{sec}.py",
        "bank": root / "question_bank" / day / f"{sec}.yaml",
    }


class _UniqueKeyLoader:
    """Build a SafeLoader subclass lazily (yaml import is off the fast path until data is needed)."""

    @staticmethod
    @functools.cache
    def get() -> Any:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 20× faster, same safe constructors

        class Loader(base):  # type: ignore[valid-type,misc]
            pass

        def construct_mapping(loader: Any, node: Any, deep: bool = False) -> Any:
            keys = set()
            for key_node, _ in node.value:
                key = loader.construct_object(key_node, deep=deep)
                if key in keys:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}", key_node.start_mark
                    )
                keys.add(key)
            return yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep=deep)

        Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
        return Loader


def read_yaml(path: Path) -> Any:
    """safe_load only, with a size cap, duplicate keys rejected and errors naming the file and line."""
    import yaml

    try:
        data = path.read_bytes()
    except OSError as e:
        raise CourseDataError(f"{path}: cannot read ({e.strerror})") from None
    if len(data) > MAX_YAML_BYTES:
        raise CourseDataError(f"{path}: larger than {MAX_YAML_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CourseDataError(f"{path}: not valid UTF-8 (byte offset {e.start})") from None
    if text.count("&") > 100 and text.count("*") > 100:
        raise CourseDataError(f"{path}: too many YAML aliases")
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader.get())  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e)
        raise CourseDataError(f"{path}:{where}: invalid YAML: {problem}") from None


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

    from grader.models import Course

    path = root / "question_bank" / "course.yaml"
    raw = read_yaml(path)
    try:
        return Course.model_validate(raw)
    except ValidationError as e:
        raise CourseDataError(_describe_errors(path, raw, e, "sections")) from None


def load_bank_file(path: Path) -> Any:
    from pydantic import ValidationError

    from grader.models import QuestionBank

    raw = read_yaml(path)
    try:
        return QuestionBank.model_validate(raw)
    except ValidationError as e:
        raise CourseDataError(_describe_errors(path, raw, e, "questions")) from None


def load_bank(section_id: str, root: Path = ROOT) -> Any:
    """The section's 確認テスト, or None when the section has no question file yet."""
    path = section_paths(section_id, root)["bank"]
    if not path.exists():
        from grader.release import load_sealed_bank, sealed_path  # a student release ships sealed banks only

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
