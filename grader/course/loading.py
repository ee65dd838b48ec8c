"""Load and validate the course manifest and the question bank; resolve section ids to paths."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from grader.course.yamlfile import read_yaml
from grader.errors import CourseDataError, UsageError, unknown_section

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the grader package
CHECKS_DIR = PACKAGE_DIR / "checks"  # the hidden checks: the package's own modules, in a clone and installed alike
# An installed wheel carries the course data inside the package (pyproject.toml maps the repository's exercises/
# and question_bank/ there at build time); a clone or an editable install has no such folder.
DATA_DIR = PACKAGE_DIR / "_data"


def _course_root() -> Path:
    """Where the course data is — the one place that decides: the package data of an installed wheel when it is
    there, else the project folder the package sits in (a clone, an editable install, a student release, an
    autograder's source tree: exercises/, question_bank/, solutions/ for authors, grader/)."""
    return DATA_DIR if DATA_DIR.is_dir() else PACKAGE_DIR.parent


ROOT = _course_root()
MARKER = "RELEASE.json"  # at the root of a student release (grader/classroom/release.py)
RELEASE_FORMAT = 1
BANK_DIR = ROOT / "question_bank"


@functools.cache
def release_info(root: Path) -> dict[str, Any] | None:
    """The contents of RELEASE.json when `root` is a student release, else None."""
    path = root / MARKER
    if not path.is_file():
        return None
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        info = None
    if not isinstance(info, dict) or info.get("format") != RELEASE_FORMAT:
        raise CourseDataError(f"{path}: not a release marker of format {RELEASE_FORMAT}")
    return info


def installed(root: Path = ROOT) -> bool:
    """`root` is the package data of an installed grader (no solutions/, no tests/, no sources to copy)."""
    return Path(root).resolve() == DATA_DIR


def checks_dir(root: Path = ROOT) -> Path:
    """The folder of the hidden checks for the course at `root`: a project folder's own grader/checks (a clone, a
    release with its recorded public checks), the installed package's for its package data."""
    return CHECKS_DIR if installed(root) else root / "grader" / "checks"


def require_project(command: str, root: Path = ROOT) -> None:
    """Authors' and instructors' commands read the course's sources (solutions/, tests/answers/, grader/ as files),
    which an installed grader does not carry: say so (exit 2) rather than fail half-way."""
    if installed(root):
        from grader.text import Text  # here, not at the top: loading the course stays free of pydantic

        raise UsageError(Text(ja=f"`{command}` はプロジェクトの clone で実行してください (インストールされた grader "
                                 "には solutions/ もソースもありません)",
                              en=f"`{command}` needs a clone of the project: an installed grader carries neither "
                                 "solutions/ nor the sources (git clone the repository, then `pip install -e .` in "
                                 "it and run the command there)"))


def section_paths(section_id: str, root: Path = ROOT) -> dict[str, Path]:
    """Every piece of a section, found by path from its id (DESIGN.md: one id ties a section together).
    "solution" exists only in a clone (authors)."""
    day, sec = section_id.split(".")
    return {
        "exercise": root / "exercises" / day / f"{sec}.py",
        "solution": root / "solutions" / day / f"{sec}.py",
        "checks": checks_dir(root) / day / f"{sec}.py",
        "bank": root / "question_bank" / day / f"{sec}.yaml",
    }


def solutions_package(root: Path = ROOT) -> bool:
    """Make `import solutions.dayD.sectionN` load root/solutions/ (the reference solutions of a clone): the package
    is registered from the course layout, not looked up on sys.path (an install, editable or not, maps only
    `grader`). False where there is none (an installed grader, a student release) or when `solutions` is blocked
    (sys.modules holds None, as tests do to play a release)."""
    import importlib.util
    import sys

    if "solutions" in sys.modules:
        return sys.modules["solutions"] is not None
    init = root / "solutions" / "__init__.py"
    if not init.is_file():
        return False
    spec = importlib.util.spec_from_file_location("solutions", init, submodule_search_locations=[str(init.parent)])
    if spec is None or spec.loader is None:
        return False
    module = importlib.util.module_from_spec(spec)
    sys.modules["solutions"] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules["solutions"]
        raise
    return True


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
        if e["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
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
    raise unknown_section(section_id, [s.id for s in course.sections])
