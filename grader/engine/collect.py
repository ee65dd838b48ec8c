"""What a check file declares, found without pytest: the `check` marker, parametrized cases, and collection.

A check file is a module of plain functions `test_*(learner, ...)`, each marked with `@check(...)` (one graded
check) or `@cases(argname, [case(value, id=..., mark=check(...)), ...])` (one graded check per case, named
`test_name[id]`, pytest's parametrize model). Collection imports the module once and lists its checks in the
order they are defined; running one is calling its function with a fresh `learner` (grader/engine/runner.py).

pytest itself is not on this path: importing it and its per-test machinery was a third of the time of grading a
section (docs/SPEED.md), for features (fixtures, plugins, assertion rewriting) the checks never used.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from grader.text import Text

MARK_ATTR = "__grader_check__"
CASES_ATTR = "__grader_cases__"


@dataclass(frozen=True)
class CheckMark:
    """What a check is worth and says: `@check("Momentum", 2, ja=..., en=...)` on a test function, or the `mark` of
    a case. `public`: the check ships in the student release (`grade release`); all others stay hidden."""

    exercise: str
    points: float
    title: Text
    timeout: float | None = None
    public: bool = False

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        setattr(fn, MARK_ATTR, self)
        return fn


def check(exercise: str, points: float = 1, *, ja: str, en: str, timeout: float | None = None,
          public: bool = False) -> CheckMark:
    """Mark a test function as a check of `exercise` worth `points`; ja/en say what it checks."""
    return CheckMark(exercise, points, Text(ja=ja, en=en), timeout, public)


@dataclass(frozen=True)
class Case:
    """One parametrized check: the value passed as the function's `argname`, its id and its own marker."""

    value: Any
    id: str
    mark: CheckMark


def case(value: Any, *, id: str, mark: CheckMark) -> Case:  # noqa: A002 - pytest's word for a case's name
    return Case(value, id, mark)


def cases(argname: str, items: list[Case]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`@cases("spec", [case(SGD, id="SGD", mark=check(...)), ...])`: one check per case."""

    def mark(fn: Callable[..., Any]) -> Callable[..., Any]:
        setattr(fn, CASES_ATTR, (argname, tuple(items)))
        return fn

    return mark


@dataclass(frozen=True)
class Item:
    """One collected check. `name` is its id in every report ("test_one_step[SGD]"); `case_id` the case's id, None
    for a check that is not parametrized; `originalname` the function's name."""

    name: str
    originalname: str
    function: Callable[..., Any]
    kwargs: dict[str, Any]
    mark: CheckMark
    case_id: str | None = None

    def run(self, learner: Any) -> None:
        self.function(learner, **self.kwargs)


@dataclass
class Collected:
    module: ModuleType | None
    items: list[Item]
    broken: list[str]  # faults of the check file itself: they concern every submission
    unmarked: list[str] = field(default_factory=list)  # `test_*` functions with no marker (also in `broken`)


_counter = itertools.count()


def collect(path: Path) -> Collected:
    """Import the check file at `path` (a fresh module object each time, never cached in sys.modules under its own
    name) and list its checks in definition order. A file that fails to import, a `test_*` function without a
    marker, or a case that is not a `case(...)` is `broken`, with what is wrong."""
    name = f"_grader_checks_{path.stem}_{next(_counter)}"
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            return Collected(None, [], [f"cannot load the checks: {path}"])
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses and typing look their module up while it executes
        try:
            spec.loader.exec_module(module)
        finally:
            sys.modules.pop(name, None)
    except Exception as e:  # noqa: BLE001 - the check file's own fault, reported for every submission
        return Collected(None, [], [f"cannot load the checks: {type(e).__name__}: {str(e)[-800:]}"])
    items: list[Item] = []
    broken: list[str] = []
    unmarked: list[str] = []
    for attr, fn in vars(module).items():
        if not attr.startswith("test") or not callable(fn) or getattr(fn, "__module__", None) != name:
            continue
        mark = getattr(fn, MARK_ATTR, None)
        parametrized = getattr(fn, CASES_ATTR, None)
        if parametrized is not None:
            argname, group = parametrized
            for c in group:
                if not isinstance(c, Case) or not isinstance(c.mark, CheckMark):
                    broken.append(f"check {attr} has a case that is not case(value, id=..., mark=check(...))")
                    continue
                items.append(Item(f"{attr}[{c.id}]", attr, fn, {argname: c.value}, c.mark, c.id))
        elif isinstance(mark, CheckMark):
            items.append(Item(attr, attr, fn, {}, mark))
        else:
            unmarked.append(attr)
            broken.append(f"check {attr} has no @check marker")
    seen: set[str] = set()
    for item in items:
        if item.name in seen:
            broken.append(f"two checks are named {item.name}")
        seen.add(item.name)
    return Collected(module, items, broken, unmarked)
