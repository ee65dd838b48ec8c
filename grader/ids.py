"""Section ids, written once: `dayD.sectionN`, and `sectionN` alone meaning Day 2 (one id ties a section together)."""

from __future__ import annotations

import re

from grader.errors import UsageError

SECTION_ID = re.compile(r"^day(\d+)\.section(\d+)$")
SECTION_ARG = re.compile(r"^(day\d+\.)?section\d+$", re.IGNORECASE)  # what a command line may name a section by
_SHORT_ID = re.compile(r"^section(\d+)$")


def day_and_name(section_id: str) -> tuple[str, str]:
    """`day2.section4` → ("day2", "section4"): its folder and its file name in exercises/, solutions/, checks."""
    day, name = section_id.split(".")
    return day, name


def short_id(section_id: str) -> str:
    """What a learner types: `section2` for Day 2 (normalize_id's inverse), else the full id."""
    return day_and_name(section_id)[1] if section_id.startswith("day2.") else section_id


def normalize_id(raw: str) -> str:
    """`section2` → `day2.section2` (Day 2 is the course this package centres on); `day1.section3` stays."""
    s = raw.strip().lower()
    if _SHORT_ID.match(s):
        return f"day2.{s}"
    if SECTION_ID.match(s):
        return s
    from grader.text import Text  # here, not at the top: the start-up path imports this module before pydantic

    raise UsageError(Text(ja=f"セクション名が不正です: {raw!r} (例: section2, day1.section3)",
                          en=f"not a section id: {raw!r} (e.g. section2, day1.section3)"))
