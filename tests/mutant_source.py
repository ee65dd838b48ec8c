"""Mutants as data: tests/mutants/dayD/sectionN.yaml lists, for each catalogued mistake, the exercises it may
fail (`targets`), a substring of the English feedback it must produce (`feedback`) and the edits (old → new)
that turn the reference solution into it. One source of truth: a mutant follows its solution as it changes."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
MUTANT_DIR = ROOT / "tests" / "mutants"


@dataclass(frozen=True)
class Mutant:
    section: str
    name: str
    targets: frozenset[str]
    feedback: str
    edits: tuple[tuple[str, str], ...]

    @property
    def id(self) -> str:
        return f"{self.section}/{self.name}"


@functools.cache
def all_mutants() -> tuple[Mutant, ...]:
    found = []
    for path in sorted(MUTANT_DIR.glob("day*/section*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for m in data["mutants"]:
            found.append(Mutant(data["section"], m["name"], frozenset(m["targets"]), m["feedback"],
                                tuple((e["old"], e["new"]) for e in m["edits"])))
    return tuple(found)


def mutant(section: str, name: str) -> Mutant:
    return next(m for m in all_mutants() if m.section == section and m.name == name)


def source(section: str, name: str) -> str:
    """The mutant's full source: the reference solution with its edits applied (each `old` must occur once)."""
    m = mutant(section, name)
    day, sec = section.split(".")
    text = (ROOT / "solutions" / day / f"{sec}.py").read_text(encoding="utf-8")
    for old, new in m.edits:
        if text.count(old) != 1:
            raise ValueError(f"mutant {m.id}: an edit's `old` occurs {text.count(old)} times in the solution")
        text = text.replace(old, new)
    return text


def write(section: str, name: str, folder: Path) -> Path:
    """The mutant as a file named like the exercise file (what a learner would submit)."""
    path = folder / f"{section.split('.')[1]}.py"
    path.write_text(source(section, name), encoding="utf-8")
    return path
