"""The signatures the exercise stubs promise, read with `ast` from the stub file: never imported, never run.

The stubs (exercises/dayD/sectionN.py) are the contract the checks call. When a call fails because the learner's
definition takes other arguments (`def forward(self, x, y)` where the stub says `forward(self, x)`), the proxy
attaches the stub's signature to the fault as a note. Grading says which stub applies (`stub_signatures`).
"""

from __future__ import annotations

import ast
import contextlib
import functools
from collections.abc import Iterator
from pathlib import Path

from grader.text import Text

MAX_SIGNATURE = 200

_stub: list[Path | None] = [None]  # the stub of the section being graded (set by grading for a run)


@contextlib.contextmanager
def stub_signatures(stub: Path | None) -> Iterator[None]:
    """While inside, a call whose arguments do not fit is explained with the signature from `stub`."""
    before = _stub[0]
    _stub[0] = stub
    try:
        yield
    finally:
        _stub[0] = before


@functools.lru_cache(maxsize=16)
def _read(path: str, mtime_ns: int, size: int) -> dict[tuple[str | None, str], str]:
    """(class or None, function) → its parameter list, "self, x" or "x, W, b", for every def in the stub."""
    del mtime_ns, size  # the cache key: a stub edited on disk is read again
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return {}
    found: dict[tuple[str | None, str], str] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[(None, node.name)] = ast.unparse(node.args)
        elif isinstance(node, ast.ClassDef):
            found[(node.name, "")] = ""  # the class itself (its __init__, if any, is listed below)
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found[(node.name, item.name)] = ast.unparse(item.args)
    return found


def _signatures(stub: Path) -> dict[tuple[str | None, str], str]:
    try:
        st = stub.stat()
    except OSError:
        return {}
    return _read(str(stub), st.st_mtime_ns, st.st_size)


def expected_signature(name: str | None, class_name: str | None, attr: str | None) -> Text | None:
    """What the stub says for a call of function or class `name`, or of method `attr` on an object of the
    learner's class `class_name` (only a key: what is shown comes from the stub). None when the stub has none."""
    stub = _stub[0]
    if stub is None:
        return None
    sigs = _signatures(stub)
    shown: str | None = None
    if name is not None and attr is None:
        if (None, name) in sigs:
            shown = f"def {name}({sigs[(None, name)]})"
        elif (name, "") in sigs:
            init = sigs.get((name, "__init__"), "self")
            shown = f"class {name}: def __init__({init})"
    elif attr is not None:
        owners = [c for c, a in sigs if c is not None and a == attr]
        owner = class_name if class_name in owners else (owners[0] if len(owners) == 1 else None)
        if owner is not None:
            shown = f"class {owner}: def {attr}({sigs[(owner, attr)]})"
    if shown is None:
        return None
    shown = shown[:MAX_SIGNATURE]
    where = "/".join(stub.parts[-3:])
    return Text(ja=f"演習ファイル ({where}) の定義は `{shown}` です。チェックはこの形で呼び出すので、"
                   "引数 (数・順番・名前) をこれに合わせてください",
                en=f"the exercise file ({where}) defines `{shown}`; the checks call it that way, so take the same "
                   "arguments (number, order, names)")
