"""Read one YAML file of course data safely: safe_load only, a size cap, duplicate keys and alias floods refused,
every error naming the file and the line (SECURITY.md row 47)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from grader.errors import CourseDataError

MAX_YAML_BYTES = 1 << 20


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
