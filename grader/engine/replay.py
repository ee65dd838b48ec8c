"""Replay of a frozen public check: what a student release runs instead of the course's own check code.

`grade release` runs every public check once against the reference solution and records what it did
(grader/classroom/freeze.py): each call on the learner's code (function, constructor, method, attribute read or write)
with its arguments, and each comparison (expect_array / expect_close / expect_equal / expect_raises /
as_array) with its expected value, the fair alternatives, the known wrong variants and their misconception,
the tolerances and the label, and *where* the compared value came from: a path into the result of an earlier
call, or into the learner's copy of one of its arguments after the call (`learner.last_call.args[i]`).

The release ships, per section, a generated module whose checks only call `replay(learner, FROZEN, key)` and
the recorded data next to it (`sectionN.frozen.json`: JSON, arrays as base64 `.npy` read with
`allow_pickle=False`). Replaying performs the same calls on the learner's code and hands what came back to the
same expect_* functions, so the feedback still names the misconception. No reference code and no oracle is in
a release: the numbers were computed once, at release time, for these inputs only.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import numpy as np

from grader.engine import collect
from grader.engine.checking import (
    CheckFailed,
    Variant,
    as_array,
    expect_array,
    expect_close,
    expect_equal,
    expect_raises,
)
from grader.text import Text

FORMAT = 1
SUFFIX = ".frozen.json"
TAGS = ("nd", "np", "tuple", "dict", "ref", "fn", "rng", "float")


class FrozenDataError(Exception):
    """The data file of a release's public checks is missing or damaged (a fault of the release, not the learner)."""


def data_path(module_file: str | Path) -> Path:
    p = Path(module_file)
    return p.with_name(p.stem + SUFFIX)


def load(module_file: str | Path) -> dict[str, Any]:
    """The recorded checks next to a generated module (`section2.py` → `section2.frozen.json`); arrays read-only."""
    path = data_path(module_file)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise FrozenDataError(f"{path}: cannot read the recorded public checks ({e})") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT or not isinstance(raw.get("checks"), dict):
        raise FrozenDataError(f"{path}: not recorded public checks of format {FORMAT}")
    arrays = []
    for blob in raw.get("arrays", []):
        try:
            arr = np.load(io.BytesIO(base64.b64decode(blob)), allow_pickle=False)
        except (ValueError, OSError, EOFError) as e:
            raise FrozenDataError(f"{path}: unreadable array ({e})") from None
        if type(arr) is not np.ndarray or arr.dtype.hasobject:
            raise FrozenDataError(f"{path}: array of objects")
        arr.setflags(write=False)
        arrays.append(arr)
    return {"section": raw.get("section", ""), "checks": raw["checks"], "arrays": arrays}


# ---------------------------------------------------------------- what a generated module is made of


def cases(items: list[Any]) -> Any:
    """The parametrization of a generated check: one `case` per recorded check id."""
    return collect.cases("key", items)


def case(key: str, case_id: str, mark: Any) -> Any:
    return collect.case(key, id=case_id, mark=mark)


def replay(learner: Any, frozen: dict[str, Any], key: str) -> None:
    """Run the recorded check `key` (e.g. "test_one_step[SGD]") on the learner's code."""
    try:
        steps = frozen["checks"][key]["steps"]
    except (KeyError, TypeError):
        raise FrozenDataError(f"no recorded check {key!r}") from None
    _Replay(learner, frozen["arrays"]).run(steps)


# ---------------------------------------------------------------- the replayer


class _Unreadable(Exception):
    def __init__(self, ja: str, en: str):
        super().__init__(en)
        self.ja, self.en = ja, en


class _Replay:
    def __init__(self, learner: Any, arrays: list[np.ndarray]):
        self.learner = learner
        self.arrays = arrays
        self.results: dict[int, Any] = {}
        self.calls: dict[int, Any] = {}  # op id → learner.last_call right after that call
        self.labels: dict[int, str] = {}

    def run(self, steps: list[dict[str, Any]]) -> None:
        for step in steps:
            self.step(step)

    def step(self, op: dict[str, Any]) -> None:
        kind = op["op"]
        i = op.get("id", -1)
        if kind == "call":
            self.labels[i] = f"{op['name']}(…)"
            fn = getattr(self.learner, op["name"])
            args, kwargs = self.arguments(op)
            self.results[i] = fn(*args, **kwargs)
            self.calls[i] = self.learner.last_call
        elif kind == "method":
            obj, label = self.target(op)
            self.labels[i] = f"{label}.{op['name']}(…)"
            from grader.engine.proxy import RemoteMethod

            method = getattr(obj, op["name"])
            if not isinstance(method, RemoteMethod):
                raise CheckFailed(Text(ja=f"{label}.{op['name']} がメソッドではありません",
                                       en=f"{label}.{op['name']} is not a method"))
            args, kwargs = self.arguments(op)
            self.results[i] = method(*args, **kwargs)
            self.calls[i] = self.learner.last_call
        elif kind == "getattr":
            obj, label = self.target(op)
            self.labels[i] = f"{label}.{op['name']}"
            self.results[i] = getattr(obj, op["name"])
        elif kind == "setattr":
            obj, _ = self.target(op)
            setattr(obj, op["name"], self.value(op["value"]))
        elif kind == "as_array":
            got = self.got(op["got"])
            self.results[i] = as_array(got, _label(op["what"]), np.asarray(self.value(op["like"])))
        elif kind == "expect":
            self.results[i] = self.expect(op)
        elif kind == "raises":
            with expect_raises(*op["types"], ja=op["ja"], en=op["en"], mentions=op.get("mentions", ())):
                self.run(op["body"])
        else:
            raise FrozenDataError(f"unknown recorded step {kind!r}")

    def expect(self, op: dict[str, Any]) -> Any:
        got = self.got(op["got"])
        what = _label(op["what"])
        variants = [Variant(self.value(v["value"]), Text(**v["why"])) for v in op.get("variants", [])]
        fn = op["fn"]
        if fn == "array":
            return expect_array(got, self.value(op["expected"]), what=what,
                                accept=[self.value(a) for a in op.get("accept", [])], variants=variants,
                                rtol=op["rtol"], atol=op["atol"])
        if fn == "close":
            return expect_close(got, self.value(op["expected"]), what=what, variants=variants,
                                rtol=op["rtol"], atol=op["atol"])
        if fn == "equal":
            return expect_equal(got, self.value(op["expected"]), what=what, variants=variants)
        raise FrozenDataError(f"unknown comparison {fn!r}")

    # -- values

    def arguments(self, op: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        return ([self.value(a) for a in op.get("args", [])],
                {k: self.value(v) for k, v in op.get("kwargs", {}).items()})

    def target(self, op: dict[str, Any]) -> tuple[Any, str]:
        from grader.engine.proxy import RemoteObject

        obj = self.got(op["target"])
        label = self.describe(op["target"])
        if not isinstance(obj, RemoteObject):
            raise CheckFailed(Text(ja=f"{label} がオブジェクトではありません ({type(obj).__name__})",
                                   en=f"{label} is not an object (a {type(obj).__name__})"))
        return obj, label

    def got(self, path: dict[str, Any]) -> Any:
        try:
            return self.follow(path)
        except _Unreadable as e:
            label = self.describe(path)
            raise CheckFailed(Text(ja=f"{label} を読めません: {e.ja}", en=f"cannot read {label}: {e.en}")) from None

    def follow(self, path: dict[str, Any]) -> Any:
        op = path["op"]
        where = path["from"]
        if where == "result":
            if op not in self.results:
                raise FrozenDataError("a recorded path names a step that did not run")
            value = self.results[op]
        else:
            record = self.calls.get(op)
            if record is None:
                raise FrozenDataError("a recorded path names a call that did not run")
            pool = record.args if where == "args" else record.kwargs
            at = path["at"]
            try:
                value = pool[at]
            except (IndexError, KeyError):
                raise _Unreadable(f"引数 {at!r} がありません", f"there is no argument {at!r}") from None
        for step in path.get("steps", []):
            value = _step(value, step)
        return value

    def describe(self, path: dict[str, Any]) -> str:
        base = self.labels.get(path["op"], "?")
        if path["from"] == "args":
            base += f" args[{path['at']}]"
        elif path["from"] == "kwargs":
            base += f" {path['at']}="
        for step in path.get("steps", []):
            base += {"shape": ".shape", "list": ""}.get(step[0], "") if step[0] != "item" else f"[{step[1]!r}]"
        return base

    def value(self, v: Any) -> Any:
        """Recorded data back to Python: arrays from the store, tuples, dicts, learner values by path."""
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if not isinstance(v, dict) or len(v) != 1 or next(iter(v)) not in TAGS:
            raise FrozenDataError("unknown recorded value")
        tag, x = next(iter(v.items()))
        if tag == "nd":
            return self.arrays[x]
        if tag == "np":
            return self.arrays[x][()]
        if tag == "tuple":
            return tuple(self.value(i) for i in x)
        if tag == "dict":
            return {k: self.value(i) for k, i in x}
        if tag == "ref":
            return self.got(x)
        if tag == "fn":
            from grader.engine.proxy import RemoteFunction

            return RemoteFunction(x)
        if tag == "rng":
            bg = getattr(np.random, x["bit_generator"])()
            bg.state = x["state"]
            return np.random.Generator(bg)
        return float(x)  # "float": "nan", "inf", "-inf"


def _step(value: Any, step: list[Any]) -> Any:
    kind = step[0]
    if kind == "item":
        key = step[1]
        if isinstance(value, dict):
            if key not in value:
                raise _Unreadable(f"キー {key!r} がありません (キー: {sorted(map(str, value))})",
                                  f"there is no key {key!r} (keys: {sorted(map(str, value))})")
            return value[key]
        if isinstance(value, (list, tuple)) and isinstance(key, int):
            if not -len(value) <= key < len(value):
                raise _Unreadable(f"長さ {len(value)} で、[{key}] がありません",
                                  f"it has length {len(value)}, so there is no [{key}]")
            return value[key]
        kind_of = "dict" if isinstance(key, str) else "list / tuple"
        raise _Unreadable(f"{type(value).__name__} です ({kind_of} が必要です)",
                          f"it is a {type(value).__name__}, expected a {kind_of}")
    if kind == "shape":
        if not isinstance(value, np.ndarray):
            raise _Unreadable(f"{type(value).__name__} です (ndarray が必要です)",
                              f"it is a {type(value).__name__}, expected an ndarray")
        return value.shape
    if kind == "list":
        return list(value)
    raise FrozenDataError(f"unknown path step {kind!r}")


def _label(what: Any) -> str | Text:
    return Text(**what) if isinstance(what, dict) else what
