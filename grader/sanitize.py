"""One rule for every learner-derived string: shown as inert text, never interpreted by a terminal or viewer.

Learner code controls exception messages and class names, names quoted by "did you mean", warnings, handle
type names and its own stdout/stderr. Any of them may carry C0/C1 control characters, ESC/CSI/OSC sequences
or bidi overrides (SECURITY.md rows 48, 58). `inert` shows each such character as a visible escape (`\\x1b`,
`\\u202e`), so the text stays readable and cannot move the cursor, clear the screen, set a title, hide a
line or reorder what a reader sees. Every renderer (rich, plain, JSON, CSV, markdown, HTML, Gradescope)
uses it; the report builders apply it where learner text enters the report.
"""

from __future__ import annotations

import dataclasses
from typing import Any

_SAFE_WHITESPACE = "\n\t"
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}  # as Python writes them (and the escapes used before)


def _escape(ch: str) -> str:
    if ch in _SHORT:
        return _SHORT[ch]
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def inert(text: object, *, multiline: bool = True, limit: int | None = None) -> str:
    """`text` with every non-printable character (controls, ESC, C1, bidi and other format characters,
    line/paragraph separators) replaced by a visible escape. `multiline=False` escapes newlines and tabs too
    (one table cell, one CSV row). `limit` cuts the result to that many characters, marking the cut."""
    s = str(text)
    cut = limit is not None and len(s) > limit
    if cut:
        s = s[:limit]
    keep = _SAFE_WHITESPACE if multiline else ""
    if s.isprintable() and not any(c in s for c in "\n\t"):
        out = s
    else:
        out = "".join(c if (c.isprintable() or c in keep) else _escape(c) for c in s)
    return out + ("…" if cut else "")


def inert_tree(value: Any, *, multiline: bool = True) -> Any:
    """`value` (JSON-like: dicts, lists, tuples, strings, numbers; or dataclass records such as the result model,
    rebuilt field by field) with `inert` applied to every string in it, dictionary keys included; anything else
    is returned as is."""
    if isinstance(value, str):
        return inert(value, multiline=multiline)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return type(value)(**{f.name: inert_tree(getattr(value, f.name), multiline=multiline)
                              for f in dataclasses.fields(value) if f.init})
    if isinstance(value, dict):
        return {inert_tree(k, multiline=multiline): inert_tree(v, multiline=multiline) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(inert_tree(v, multiline=multiline) for v in value)
    return value
