"""Plain data records for the kernel (Text, the result model): stdlib dataclasses with the few model methods the
rest of the package uses — dump to dict or JSON, load back from a dict with its types checked, copy with changes.

Why not pydantic here: grading one section must not pay pydantic's import and model building before it has
graded (docs/SPEED.md). The course data, validated from YAML by authors' tools, keeps pydantic
(grader/course/models.py); a pydantic model can hold these records as fields (pydantic validates dataclasses).
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

R = TypeVar("R", bound="Record")


class Record:
    """Mixin for a dataclass: `model_dump`, `model_dump_json`, `model_validate`, `model_copy`, as pydantic names
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

    @classmethod
    def model_validate(cls: type[R], data: Any) -> R:
        """A record from its dump; a ValueError naming the field when a value has the wrong type."""
        return _load(cls, data, cls.__name__)

    def model_copy(self: R, update: dict[str, Any] | None = None) -> R:
        return dataclasses.replace(self, **(update or {}))  # type: ignore[type-var]


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _load(kind: Any, value: Any, where: str) -> Any:
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        options = get_args(kind)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _load(option, value, where)
            except ValueError as e:
                errors.append(str(e))
        raise ValueError("; ".join(errors))
    if origin is Literal:
        if value not in get_args(kind):
            raise ValueError(f"{where}: {value!r} is not one of {get_args(kind)}")
        return value
    if origin is list:
        if not isinstance(value, list):
            raise ValueError(f"{where}: a list expected, got {type(value).__name__}")
        (item,) = get_args(kind)
        return [_load(item, v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        if isinstance(value, kind):
            return value
        if not isinstance(value, dict):
            raise ValueError(f"{where}: a mapping expected, got {type(value).__name__}")
        hints = _hints(kind)
        unknown = set(value) - set(hints)
        if unknown:
            raise ValueError(f"{where}: unknown field(s) {sorted(unknown)}")
        fields = {f.name: f for f in dataclasses.fields(kind)}
        missing = [n for n, f in fields.items() if n not in value and f.default is dataclasses.MISSING
                   and f.default_factory is dataclasses.MISSING]
        if missing:
            raise ValueError(f"{where}: missing field(s) {missing}")
        return kind(**{k: _load(hints[k], v, f"{where}.{k}") for k, v in value.items()})
    if kind is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise ValueError(f"{where}: a number expected, got {type(value).__name__}")
    if kind in (str, int, bool):
        if type(value) is not kind:
            raise ValueError(f"{where}: {kind.__name__} expected, got {type(value).__name__}")
        return value
    raise ValueError(f"{where}: cannot load a {kind!r}")
