"""Plain data records for the kernel (Text, the result model): stdlib dataclasses with the few model methods the
rest of the package uses — dump to dict or JSON, copy with changes.

Why not pydantic here: grading one section must not pay pydantic's import and model building before it has
graded (docs/SPEED.md). The course data, validated from YAML by authors' tools, keeps pydantic
(grader/course/models.py); a pydantic model can hold these records as fields (pydantic validates dataclasses).
"""

from __future__ import annotations

import dataclasses
import json
import typing
from typing import Any, Literal, TypeVar, get_args, get_origin

R = TypeVar("R", bound="Record")


class Record:
    """Mixin for a dataclass: `model_dump`, `model_dump_json`, `model_copy`, as pydantic names
    them, and `int` given for a `float` field stored as float (so JSON always shows `1.0` for a score)."""

    def __post_init__(self) -> None:
        for name, kind in _hints(type(self)).items():
            value = getattr(self, name)
            if kind is float and isinstance(value, int) and not isinstance(value, bool):
                object.__setattr__(self, name, float(value))
            elif get_origin(kind) is Literal and value not in get_args(kind):
                raise ValueError(f"{type(self).__name__}.{name}: {value!r} is not one of {get_args(kind)}")

    def model_dump(self, mode: str = "python", exclude: set[str] | None = None) -> dict[str, Any]:
        data = dataclasses.asdict(self)  # type: ignore[call-overload]
        for key in exclude or ():
            data.pop(key, None)
        return data

    def model_dump_json(self, indent: int | None = None) -> str:
        separators = (",", ":") if indent is None else None
        return json.dumps(self.model_dump(), ensure_ascii=False, indent=indent, separators=separators)

    def model_copy(self: R, update: dict[str, Any] | None = None) -> R:
        return dataclasses.replace(self, **(update or {}))  # type: ignore[type-var]


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]
