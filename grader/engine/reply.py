"""Validate a worker's answer as a whole, before the proxy reads any of it (SECURITY.md row 51).

Learner code shares the worker's process: it can find the reply pipe and write a well-formed frame of its own.
Whatever arrives is checked here against the protocol — key names, types, counts, sizes, nesting — so an odd
answer is the submission's fault (`ProtocolError` → `crashed`), never an exception inside the grader.
"""

from __future__ import annotations

from typing import Any

from grader.engine.worker import MAX_MIRRORED

MAX_TEXT = 4000  # characters of one learner-derived string kept (messages, names)
MAX_ITEMS = 10_000  # list items, dict keys in one answer
MAX_DEPTH = 40
MAX_LENGTH = 1 << 31  # a list argument's length after the call: no worker within its memory limit holds more


class ProtocolError(Exception):
    """The worker answered something the protocol does not allow: treated as a crash of the submission."""


def _fail(what: str) -> None:
    raise ProtocolError(what)


def _is_int(v: Any) -> bool:
    return type(v) is int


def _str(v: Any, what: str) -> str:
    if type(v) is not str:
        _fail(f"{what} is not text")
    return v[:MAX_TEXT]


def _bool(v: Any, what: str) -> bool:
    if type(v) is not bool:
        _fail(f"{what} is not a bool")
    return v


def check_exception(info: Any, what: str) -> None:
    """{"type": str, "message": str, "line": int | None, "not_implemented": bool?, "context": str?,
    "at_call": bool?}."""
    if type(info) is not dict:
        _fail(f"{what} is not an object")
    unknown = set(info) - {"type", "message", "line", "not_implemented", "context", "at_call"}
    if unknown:
        _fail(f"{what} has unknown fields")
    _str(info.get("type", ""), f"{what}.type")
    _str(info.get("message", ""), f"{what}.message")
    line = info.get("line")
    if line is not None and not _is_int(line):
        _fail(f"{what}.line is not a number")
    if "context" in info:
        _str(info["context"], f"{what}.context")
    for flag in ("not_implemented", "at_call"):
        if flag in info:
            _bool(info[flag], f"{what}.{flag}")


def check_value(v: Any, nframes: int, depth: int = 0) -> None:
    """A value encoding (worker.py Worker.encode): JSON scalars, lists, and the tagged objects."""
    if depth > MAX_DEPTH:
        _fail("nesting too deep")
    if v is None or type(v) in (bool, int, float, str):
        return
    if type(v) is list:
        if len(v) > MAX_ITEMS:
            _fail("too many items")
        for i in v:
            check_value(i, nframes, depth + 1)
        return
    if type(v) is not dict or len(v) == 0:
        _fail("unexpected value")
    tag = next(iter(v))
    if tag in ("__nd__", "__np__"):
        if len(v) != 1 or not _is_int(v[tag]) or not 0 <= v[tag] < nframes:
            _fail("bad array reference")
    elif tag == "__tuple__":
        if len(v) != 1 or type(v[tag]) is not list:
            _fail("bad tuple")
        check_value(v[tag], nframes, depth + 1)
    elif tag == "__dict__":
        d = v[tag]
        if len(v) != 1 or type(d) is not dict or len(d) > MAX_ITEMS:
            _fail("bad dict")
        for item in d.values():
            check_value(item, nframes, depth + 1)
    elif tag == "__handle__":
        if set(v) - {"__handle__", "type"} or not _is_int(v[tag]) or v[tag] < 0:
            _fail("bad handle")
        _str(v.get("type", "object"), "handle type")
    elif tag == "__invalid__":
        if len(v) != 1:
            _fail("bad invalid marker")
        _str(v[tag], "invalid marker")
    else:
        _fail("unknown value encoding")


def _check_after(state: Any, nframes: int) -> None:
    """What became of one argument: None, {}, {"value": v}, {"items": {k: {"same", "value"}}, "removed": [k]}
    or, for a list of arrays, {"length": n, "elements": [None | {"same", "value"}]} (at most MAX_MIRRORED)."""
    if state is None:
        return
    if type(state) is not dict:
        _fail("bad argument state")
    if "length" in state or "elements" in state:
        _check_sequence_after(state, nframes)
        return
    if set(state) - {"value", "items", "removed"}:
        _fail("bad argument state")
    if "value" in state:
        check_value(state["value"], nframes)
    if "items" in state:
        items = state["items"]
        if type(items) is not dict or len(items) > MAX_ITEMS:
            _fail("bad argument items")
        for item in items.values():
            if type(item) is not dict or set(item) - {"same", "value"} or "value" not in item:
                _fail("bad argument item")
            _bool(item.get("same", False), "same")
            check_value(item["value"], nframes)
    removed = state.get("removed", [])
    if type(removed) is not list or len(removed) > MAX_ITEMS or any(type(k) is not str for k in removed):
        _fail("bad removed keys")


def _check_sequence_after(state: dict, nframes: int) -> None:
    """{"length": n, "elements": [...]}: never more elements than the length, nor than a mirrored list may hold.
    Whether they match what was sent (count, shapes, dtypes) is judged by the proxy, which knows what it sent."""
    if set(state) != {"length", "elements"}:
        _fail("bad sequence argument state")
    length, elements = state["length"], state["elements"]
    if not _is_int(length) or not 0 <= length < MAX_LENGTH:
        _fail("bad sequence length")
    if type(elements) is not list or len(elements) > min(length, MAX_MIRRORED):
        _fail("bad sequence elements")
    for item in elements:
        if item is None:
            continue
        if type(item) is not dict or set(item) - {"same", "value"} or "value" not in item:
            _fail("bad sequence element")
        _bool(item.get("same", False), "same")
        check_value(item["value"], nframes)


_FIELDS = {
    "ready": bool, "ok": bool, "callable": bool, "method": bool, "constructed": bool,
    "missing": str, "suggest": list, "raised": dict, "fault": dict, "protocol_error": str,
    "warnings": list, "result": object, "after": list, "kafter": dict, "seq": int,
}


def check_answer(answer: Any, nframes: int, nargs: int = 0, kwargs: frozenset[str] = frozenset(),
                 seq: int | None = None) -> dict:
    """The whole answer, or ProtocolError. `nargs`/`kwargs`: the call's arguments (for "after"/"kafter");
    `seq`: the request's number, which the answer must echo (an answer to another request is out of step)."""
    if type(answer) is not dict:
        _fail("the answer is not an object")
    if seq is not None and answer.get("seq") != seq:
        _fail("an answer out of step with its request")
    for key, value in answer.items():
        kind = _FIELDS.get(key)
        if kind is None:
            _fail(f"unknown field {key[:40]!r}")
        if kind is not object and type(value) is not kind:
            _fail(f"field {key!r} has the wrong type")
    if "missing" in answer:
        _str(answer["missing"], "missing")
        sug = answer.get("suggest", [])
        if len(sug) > 5 or any(type(s) is not str for s in sug):
            _fail("bad suggestions")
    for key in ("raised", "fault"):
        if key in answer:
            check_exception(answer[key], key)
    warnings = answer.get("warnings", [])
    if len(warnings) > 10 or any(type(w) is not str or len(w) > MAX_TEXT for w in warnings):
        _fail("bad warnings")
    if "result" in answer:
        check_value(answer["result"], nframes)
    after = answer.get("after", [])
    if len(after) > nargs:
        _fail("more argument states than arguments")
    for state in after:
        _check_after(state, nframes)
    kafter = answer.get("kafter", {})
    if not set(kafter) <= kwargs:
        _fail("state of an argument that was not passed")
    for state in kafter.values():
        _check_after(state, nframes)
    return answer
