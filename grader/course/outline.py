"""The course's outline — each section's id, title and exercises with their points — read fast for grading.

Grading one section needs only this much of course.yaml. The full manifest is validated by pydantic
(grader/course/models.py via loading.load_course) the first time a given course.yaml is seen; its outline is
then kept in a small JSON file in the user's cache, keyed by the hash of course.yaml's bytes, and every later
run reads that instead of importing YAML and pydantic (docs/SPEED.md). A changed course.yaml has another hash,
so it is validated again; an unreadable or foreign cache file is ignored and rewritten. The cache lives in the
user's home: learner code run without the sandbox could write it, so the runs that grade many submissions do not
read it (cached=False), and a forged one can at most stop the learner's own next `grade` (the points of the
checks are compared with it: exit 3), never raise a score.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from grader.errors import unknown_section
from grader.ids import day_and_name
from grader.text import Text

FORMAT = 1


@dataclass(frozen=True)
class SectionOutline:
    id: str
    title: Text
    points: dict[str, int]  # exercise name → points, in the manifest's order

    @property
    def day(self) -> str:
        return day_and_name(self.id)[0]

    @property
    def name(self) -> str:
        return day_and_name(self.id)[1]


def cache_dir() -> Path:
    """$GRADER_CACHE_DIR, else $XDG_CACHE_HOME (~/.cache)/eshikaku-grader."""
    env = os.environ.get("GRADER_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "eshikaku-grader"


def course_outline(root: Path, cached: bool = True) -> list[SectionOutline]:
    """Every section of the course at `root`, in the manifest's order (CourseDataError when the manifest is
    broken: the same message loading.load_course gives). `cached=False` validates course.yaml and neither reads
    nor writes the cache: for long runs that grade many submissions (batch, watch), where learner code without
    the sandbox could have written the user's cache between two of them."""
    if not cached:
        return _validated(root)
    manifest = root / "question_bank" / "course.yaml"
    try:
        raw = manifest.read_bytes()
    except OSError:
        raw = b""  # load_course names the missing file
    digest = hashlib.sha256(raw).hexdigest()
    where = cache_dir() / f"outline-{hashlib.sha256(str(manifest.resolve()).encode()).hexdigest()[:16]}.json"
    sections = _read(where, digest)
    if sections is None:
        sections = _validated(root)
        _write(where, digest, sections)
    return sections


def section_outline(section_id: str, root: Path, cached: bool = True) -> SectionOutline:
    sections = course_outline(root, cached)
    for s in sections:
        if s.id == section_id:
            return s
    raise unknown_section(section_id, [s.id for s in sections])


def _validated(root: Path) -> list[SectionOutline]:
    from grader.course.loading import load_course

    course = load_course.__wrapped__(root)  # the file as it is now, not as this process first read it
    return [SectionOutline(s.id, s.title, {e.name: e.points for e in s.exercises}) for s in course.sections]


def _read(path: Path, digest: str) -> list[SectionOutline] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or data.get("sha256") != digest:
            return None
        out = []
        for s in data["sections"]:
            points = s["points"]
            if not isinstance(s["id"], str) or not all(isinstance(k, str) and type(v) is int
                                                       for k, v in points.items()):
                return None
            out.append(SectionOutline(s["id"], Text(**s["title"]), dict(points)))
        return out
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _write(path: Path, digest: str, sections: list[SectionOutline]) -> None:
    """Best effort: a cache that cannot be written only costs the next run its speed."""
    data = {"format": FORMAT, "sha256": digest,
            "sections": [{"id": s.id, "title": {"ja": s.title.ja, "en": s.title.en}, "points": s.points}
                         for s in sections]}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass
