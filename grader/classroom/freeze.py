"""Freezing public checks for a student release (`grade release`): record them on the reference, ship numbers.

A public check in a release must not carry the course's reference code or oracle helpers: a learner could
assemble a submission from them. So the release builder runs every public check of a section once, as
the grader does, against the reference solution (solutions/dayD/sectionN.py), in a RECORDING mode:

- the `learner` proxy logs every operation — function call, constructor, method call, attribute read or
  write — with its arguments; an argument that is something the learner returned earlier (a handle, or the
  learner's copy of `params` after `update`) is logged as a path to it, everything else the check made (its
  inputs, random ones included) as data;
- the comparisons the check imports (expect_array, expect_close, expect_equal, expect_raises, as_array) are
  replaced, in the check module only, by recording versions: each logs, in order, the expected value, the fair
  alternatives (`accept`), the known wrong `variants` with their bilingual misconception, the tolerances and the
  `what` label, and WHERE the compared value came from: a path into a recorded result (op id, its result or
  `args[i]` / `kwargs[k]` of `learner.last_call` after it, then keys and indices), found by the identity of
  the objects the proxy returned (or, for a shape tuple, as `.shape` of one of them).

What cannot be replayed is refused with a CourseDataError naming the check:
- custom verdict logic (a static scan of the check and every module-level helper it reaches): `fail(...)`,
  `raise`, `assert`, `CheckFailed`, `learner.last_call.rebound / .modified / .warnings`, or a comparison
  function passed around instead of called;
- a compared value that was not returned by the learner as is (the check computed it);
- an expected value, an argument or a label that depends on what the learner returned. This is tested, not
  guessed: the check is recorded a second time with every floating-point number the learner returns nudged
  (×1.001 + 0.001); both recordings must be identical.

The release then ships, per section, a generated module (same check ids, points, titles and @check markers,
every body one `replay(learner, FROZEN, key)` call) and the data next to it (grader/engine/replay.py reads it back).
"""

from __future__ import annotations

import ast
import base64
import contextlib
import copy
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grader.engine import checking
from grader.engine.collect import Item, collect
from grader.engine.proxy import LearnerRaised, RemoteFunction, RemoteMethod, RemoteObject, Session
from grader.engine.replay import FORMAT, SUFFIX
from grader.errors import CourseDataError
from grader.text import Text

NUDGE = 1e-3
RECORDED = ("expect_array", "expect_close", "expect_equal", "expect_raises", "as_array")
VERDICT_NAMES = {"fail", "CheckFailed", "AssertionError"}
VERDICT_ATTRS = {"fail", "skip", "xfail", "exit", "rebound", "modified", "warnings"}


class NotFreezable(Exception):
    """What a check does cannot be recorded as operations and numbers."""


# ---------------------------------------------------------------- static scan: custom verdict logic


def _defines(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    if isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name):
        return {node.target.id}
    return set()


def custom_logic(source: str, function: str) -> list[str]:
    """What in test function `function`, and in the module-level code it reaches by name, decides a verdict
    other than through the recorded comparisons (each entry names the construct, its function and line)."""
    tree = ast.parse(source)
    defs: dict[str, list[ast.stmt]] = {}
    for node in tree.body:
        for name in _defines(node):
            defs.setdefault(name, []).append(node)
    start = [n for n in defs.get(function, []) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    found: list[str] = []
    seen: set[int] = set()
    queue = list(start)
    while queue:
        node = queue.pop(0)
        if id(node) in seen:
            continue
        seen.add(id(node))
        owner = ", ".join(sorted(_defines(node))) or "?"
        called = {id(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
        for sub in ast.walk(node):
            line = getattr(sub, "lineno", "?")
            if isinstance(sub, ast.Raise):
                found.append(f"`raise` in {owner} (line {line})")
            elif isinstance(sub, ast.Assert):
                found.append(f"`assert` in {owner} (line {line})")
            elif isinstance(sub, ast.Name) and sub.id in VERDICT_NAMES:
                found.append(f"`{sub.id}` in {owner} (line {line})")
            elif isinstance(sub, ast.Attribute) and sub.attr in VERDICT_ATTRS:
                found.append(f"`.{sub.attr}` in {owner} (line {line})")
            elif isinstance(sub, ast.Name) and sub.id in RECORDED and id(sub) not in called:
                found.append(f"`{sub.id}` passed around, not called, in {owner} (line {line})")
            if isinstance(sub, ast.Name) and sub.id in defs:
                queue.extend(defs[sub.id])
    return list(dict.fromkeys(found))


# ---------------------------------------------------------------- the recorder


def _nudge(v: Any, depth: int = 0) -> Any:
    """The learner's value with every floating-point number changed a little (shapes and types kept)."""
    if depth > 40:
        return v
    if isinstance(v, np.ndarray):
        if v.dtype.kind != "f":
            return v
        with np.errstate(all="ignore"):
            return (v * (1 + NUDGE) + NUDGE).astype(v.dtype)
    if isinstance(v, np.floating):
        with np.errstate(all="ignore"):
            return type(v)(v * (1 + NUDGE) + NUDGE)
    if isinstance(v, float):
        return v * (1 + NUDGE) + NUDGE
    if isinstance(v, dict):
        return {k: _nudge(x, depth + 1) for k, x in v.items()}
    if isinstance(v, list):
        return [_nudge(x, depth + 1) for x in v]
    if isinstance(v, tuple):
        return tuple(_nudge(x, depth + 1) for x in v)
    return v


_AMBIGUOUS = (bool, int, str, type(None))  # small ints, True, None, short strings: one object for many values


class Recorder:
    """One check's recording: its steps (nested for expect_raises), the arrays they name, and what the learner
    returned (kept alive, by identity) so that a compared value can be traced back to where it came from."""

    def __init__(self, nudge: bool = False):
        self.nudge = nudge
        self.steps: list[dict[str, Any]] = []
        self.stack: list[list[dict[str, Any]]] = [self.steps]
        self.arrays: list[np.ndarray] = []
        self.next_id = 0
        self.last_learner_op = -1
        self.keep: list[tuple[Any, dict[str, Any]]] = []
        self.by_id: dict[int, list[int]] = {}

    def new_op(self, op: dict[str, Any]) -> dict[str, Any]:
        op = {"op": op["op"], "id": self.next_id, **{k: v for k, v in op.items() if k != "op"}}
        self.next_id += 1
        self.stack[-1].append(op)
        return op

    # -- what the learner returned

    def register(self, obj: Any, path: dict[str, Any], depth: int = 0) -> None:
        if depth > 40:
            return
        self.keep.append((obj, path))
        self.by_id.setdefault(id(obj), []).append(len(self.keep) - 1)
        if isinstance(obj, dict):
            for k, v in obj.items():
                self.register(v, {**path, "steps": [*path["steps"], ["item", k]]}, depth + 1)
        elif isinstance(obj, (list, tuple)):
            for i, v in enumerate(obj):
                self.register(v, {**path, "steps": [*path["steps"], ["item", i]]}, depth + 1)

    def locate(self, got: Any) -> dict[str, Any] | None:
        """The path of a value the learner returned, by identity (a shape tuple: `.shape` of a returned array)."""
        cands = self.by_id.get(id(got), [])
        if cands:
            if isinstance(got, _AMBIGUOUS):
                # a small int or True is one object wherever it appears: trust it only as a piece of the latest
                # learner call's result, and only if that result holds it in one place
                latest = max(self.keep[c][1]["op"] for c in cands)
                paths = {json.dumps(self.keep[c][1], sort_keys=True) for c in cands if self.keep[c][1]["op"] == latest}
                if latest != self.last_learner_op or len(paths) != 1:
                    return None
                return json.loads(paths.pop())
            return copy.deepcopy(self.keep[cands[-1]][1])
        if isinstance(got, (tuple, list)) and all(isinstance(i, int) and not isinstance(i, bool) for i in got):
            for obj, path in reversed(self.keep):
                if isinstance(obj, np.ndarray) and obj.shape == tuple(got):
                    steps = [*path["steps"], ["shape"]] + ([["list"]] if isinstance(got, list) else [])
                    return {**path, "steps": steps}
        return None

    def locate_object(self, obj: RemoteObject) -> dict[str, Any]:
        path = self.locate(obj)
        if path is None:
            for o, p in reversed(self.keep):
                if isinstance(o, RemoteObject) and o._handle == obj._handle:
                    return copy.deepcopy(p)
            raise NotFreezable(f"an object of the learner ({obj!r}) whose origin was not recorded")
        return path

    # -- what the check sent or expects

    def encode(self, v: Any, refs: bool = True, depth: int = 0) -> Any:
        """A value as JSON-able data; with `refs`, something the learner returned becomes a path to it."""
        if depth > 40:
            raise NotFreezable("a value nested too deeply")
        if isinstance(v, RemoteObject):
            if not refs:
                raise NotFreezable("an expected value is an object of the learner")
            return {"ref": self.locate_object(v)}
        if isinstance(v, (np.ndarray, dict, list, tuple, np.generic)) and id(v) in self.by_id:
            if not refs:
                raise NotFreezable("an expected value is something the learner returned")
            path = self.locate(v)
            if path is not None:
                return {"ref": path}
        if isinstance(v, np.ndarray):
            if v.dtype.hasobject or type(v) is not np.ndarray:
                raise NotFreezable("an array of objects")
            self.arrays.append(np.array(v, copy=True))
            return {"nd": len(self.arrays) - 1}
        if isinstance(v, np.generic):
            self.arrays.append(np.asarray(v))
            return {"np": len(self.arrays) - 1}
        if v is None or isinstance(v, (bool, int, str)):
            return v
        if isinstance(v, float):
            return v if np.isfinite(v) else {"float": repr(v)}
        if isinstance(v, list):
            return [self.encode(x, refs, depth + 1) for x in v]
        if isinstance(v, tuple):
            return {"tuple": [self.encode(x, refs, depth + 1) for x in v]}
        if isinstance(v, dict):
            if not all(isinstance(k, (str, int)) and not isinstance(k, bool) for k in v):
                raise NotFreezable("a dict whose keys are not strings")
            return {"dict": [[k, self.encode(x, refs, depth + 1)] for k, x in v.items()]}
        if isinstance(v, RemoteFunction):
            return {"fn": v.name}
        if isinstance(v, np.random.Generator):
            state = v.bit_generator.state
            return {"rng": {"bit_generator": type(v.bit_generator).__name__, "state": state}}
        raise NotFreezable(f"a value of type {type(v).__name__}")

    def got_path(self, got: Any, fn: str, what: Any) -> dict[str, Any]:
        path = self.locate(got)
        if path is None:
            raise NotFreezable(f"{fn}(what={_plain_label(what)!r}) compares a value the check computed, not one the "
                               "learner returned as is")
        return path

    # -- the learner proxy

    def install(self, learner: Any) -> None:
        """Record every operation of this Learner (its RemoteObjects and methods call back into it)."""
        real_call, real_getattr, real_setattr = learner._call, learner._getattr, learner._setattr
        rec = self

        def _call(target: dict, args: tuple, kwargs: dict, obj: RemoteObject | None) -> Any:
            if obj is None:
                op: dict[str, Any] = {"op": "call", "name": target["name"]}
            else:
                op = {"op": "method", "target": rec.locate_object(obj), "name": target["attr"]}
            op["args"] = [rec.encode(a) for a in args]
            op["kwargs"] = {k: rec.encode(a) for k, a in kwargs.items()}
            i = rec.new_op(op)["id"]
            result = real_call(target, args, kwargs, obj)
            record = learner.last_call
            if rec.nudge:
                result = _nudge(result)
                record = copy.copy(record)
                record.args = [a if a is s else _nudge(a) for a, s in zip(record.args, args, strict=False)]
                record.kwargs = {k: a if a is kwargs.get(k) else _nudge(a) for k, a in record.kwargs.items()}
                learner.last_call = record
            rec.register(result, {"op": i, "from": "result", "steps": []})
            for j, (a, sent) in enumerate(zip(record.args, args, strict=False)):
                if a is not sent:  # the learner's copy after the call (what `_after` made), not the check's own
                    rec.register(a, {"op": i, "from": "args", "at": j, "steps": []})
            for k, a in record.kwargs.items():
                if a is not kwargs.get(k):
                    rec.register(a, {"op": i, "from": "kwargs", "at": k, "steps": []})
            rec.last_learner_op = i
            return result

        def _getattr(obj: RemoteObject, name: str) -> Any:
            op = rec.new_op({"op": "getattr", "target": rec.locate_object(obj), "name": name})
            where = rec.stack[-1]
            value = real_getattr(obj, name)
            if isinstance(value, RemoteMethod):
                where.remove(op)  # the method call that follows is what gets recorded
                rec.next_id = op["id"]
                return value
            if rec.nudge:
                value = _nudge(value)
            i = op["id"]
            rec.register(value, {"op": i, "from": "result", "steps": []})
            rec.last_learner_op = i
            return value

        def _setattr(obj: RemoteObject, name: str, value: Any) -> None:
            rec.new_op({"op": "setattr", "target": rec.locate_object(obj), "name": name, "value": rec.encode(value)})
            real_setattr(obj, name, value)

        def _setattrs(items: list[tuple[RemoteObject, str, Any]]) -> None:
            for obj, name, value in items:  # replayed one by one: the same assignments, in the same order
                _setattr(obj, name, value)

        learner._call, learner._getattr, learner._setattr = _call, _getattr, _setattr
        learner._setattrs = _setattrs


def _label(what: Any) -> Any:
    if isinstance(what, Text):
        return {"ja": what.ja, "en": what.en}
    if isinstance(what, str):
        return what
    raise NotFreezable(f"a `what` label of type {type(what).__name__}")


def _plain_label(what: Any) -> str:
    return what.en if isinstance(what, Text) else str(what)


def _variants(rec: Recorder, variants: Any) -> list[dict[str, Any]]:
    return [{"value": rec.encode(v.value, refs=False), "why": {"ja": v.why.ja, "en": v.why.en}}
            for v in checking.resolve_variants(variants)]  # a release records them all, lazy or not


def recording_functions(current: Any) -> dict[str, Any]:
    """Stand-ins for the comparisons a check module imports; `current()` is the check's Recorder."""

    def expect_array(got: Any, expected: Any, *, what: Any = checking.RETURN_VALUE, accept: Any = (),
                     variants: Any = (), rtol: float = 1e-6, atol: float = 1e-9) -> Any:
        rec = current()
        op = rec.new_op({"op": "expect", "fn": "array", "got": rec.got_path(got, "expect_array", what),
                         "expected": rec.encode(expected, refs=False),
                         "accept": [rec.encode(a, refs=False) for a in accept], "variants": _variants(rec, variants),
                         "what": _label(what), "rtol": rtol, "atol": atol})
        if rec.nudge:
            return got
        out = checking.expect_array(got, expected, what=what, accept=accept, variants=variants, rtol=rtol, atol=atol)
        if out is not got:
            rec.register(out, {"op": op["id"], "from": "result", "steps": []})
        return out

    def expect_close(got: Any, expected: float, *, what: Any = checking.RETURN_VALUE, variants: Any = (),
                     rtol: float = 1e-6, atol: float = 1e-9) -> float:
        rec = current()
        op = rec.new_op({"op": "expect", "fn": "close", "got": rec.got_path(got, "expect_close", what),
                         "expected": rec.encode(expected, refs=False), "variants": _variants(rec, variants),
                         "what": _label(what), "rtol": rtol, "atol": atol})
        out = float(np.asarray(got)) if rec.nudge else checking.expect_close(got, expected, what=what,
                                                                               variants=variants, rtol=rtol, atol=atol)
        rec.register(out, {"op": op["id"], "from": "result", "steps": []})
        return out

    def expect_equal(got: Any, expected: Any, *, what: Any = checking.RETURN_VALUE, variants: Any = ()) -> Any:
        rec = current()
        rec.new_op({"op": "expect", "fn": "equal", "got": rec.got_path(got, "expect_equal", what),
                    "expected": rec.encode(expected, refs=False), "variants": _variants(rec, variants),
                    "what": _label(what)})
        return got if rec.nudge else checking.expect_equal(got, expected, what=what, variants=variants)

    def as_array(got: Any, what: Any, expected: np.ndarray) -> np.ndarray:
        rec = current()
        op = rec.new_op({"op": "as_array", "got": rec.got_path(got, "as_array", what), "what": _label(what),
                         "like": rec.encode(np.asarray(expected), refs=False)})
        out = checking.as_array(got, what, expected)
        if out is not got:
            rec.register(out, {"op": op["id"], "from": "result", "steps": []})
        return out

    @contextlib.contextmanager
    def expect_raises(*type_names: str, ja: str, en: str, mentions: Any = ()) -> Iterator[None]:
        rec = current()
        block = rec.new_op({"op": "raises", "types": list(type_names), "ja": ja, "en": en,
                            "mentions": list(mentions), "body": []})
        rec.stack.append(block["body"])
        try:
            if rec.nudge:
                try:
                    yield
                except LearnerRaised as e:
                    if e.type_name not in type_names:
                        raise
            else:
                with checking.expect_raises(*type_names, ja=ja, en=en, mentions=mentions):
                    yield
        finally:
            rec.stack.pop()

    return {"expect_array": expect_array, "expect_close": expect_close, "expect_equal": expect_equal,
            "as_array": as_array, "expect_raises": expect_raises}


# ---------------------------------------------------------------- running the public checks on the reference


@dataclass
class _Outcome:
    recorder: Recorder | None = None
    error: BaseException | None = None


@dataclass
class _Recording:
    """The public checks of a check file, each run once on the reference with a recording `learner`."""

    items: list[Item] = field(default_factory=list)
    outcomes: dict[str, _Outcome] = field(default_factory=dict)
    broken: list[str] = field(default_factory=list)


def _record(check_file: Path, root: Path, solution: Path, nudge: bool) -> _Recording:
    from grader.engine.runner import freeze

    collected = collect(check_file)
    rec = _Recording(broken=list(collected.broken))
    if collected.module is None:
        return rec
    rec.items = [it for it in collected.items if it.mark.public]
    g = vars(collected.module)
    recorder: list[Recorder | None] = [None]
    stand_ins = recording_functions(lambda: recorder[0])
    g.update({k: stand_ins[k] for k in RECORDED if k in g})  # a module of its own: nothing to restore
    freeze(g)
    freeze([it.kwargs for it in rec.items])
    session = Session(solution)
    try:
        for item in rec.items:
            out = rec.outcomes.setdefault(item.name, _Outcome())
            recorder[0] = Recorder(nudge)
            try:
                learner = session.fresh(item.mark.timeout)
                recorder[0].install(learner)
                out.recorder = recorder[0]
                item.run(learner)
            except KeyboardInterrupt:
                raise
            except BaseException as e:  # noqa: BLE001 - reported by name: the check cannot be frozen
                out.error = e
    finally:
        session.close()
    return rec


def _why(error: BaseException) -> str:
    text = getattr(error, "text", None)
    if isinstance(text, Text):
        return text.en
    return f"{type(error).__name__}: {str(error)[:300]}"


# ---------------------------------------------------------------- comparing two recordings


def _canon(v: Any, arrays: list[np.ndarray]) -> Any:
    if isinstance(v, list):
        return [_canon(x, arrays) for x in v]
    if isinstance(v, dict):
        if set(v) == {"nd"} or set(v) == {"np"}:
            a = arrays[next(iter(v.values()))]
            return ("array", a.dtype.str, a.shape, a.tobytes())
        return {k: _canon(x, arrays) for k, x in v.items()}
    return v


def _flat(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for s in steps:
        out.append(s)
        if s["op"] == "raises":
            out += _flat(s["body"])
    return out


def _describe(op: dict[str, Any]) -> str:
    if op["op"] == "expect":
        return f"expect_{op['fn']}(what={_plain_label(_text_or(op['what']))!r})"
    if op["op"] in ("call", "method", "getattr", "setattr"):
        return f"the {op['op']} {op['name']}"
    return op["op"]


def _text_or(what: Any) -> Any:
    return Text(**what) if isinstance(what, dict) else what


def difference(a: Recorder, b: Recorder) -> str | None:
    """Where two recordings of one check differ (None: identical)."""
    fa, fb = _flat(a.steps), _flat(b.steps)
    for x, y in zip(fa, fb, strict=False):
        keys = [k for k in dict.fromkeys([*x, *y]) if k != "body"]
        fields = [k for k in keys if _canon(x.get(k), a.arrays) != _canon(y.get(k), b.arrays)]
        if fields:
            return f"{_describe(x)}: its {', '.join(fields)} changes with the learner's results"
    if len(fa) != len(fb):
        return "the steps it takes change with the learner's results"
    return None


# ---------------------------------------------------------------- one section


@dataclass
class FrozenSection:
    module: str  # the generated check module
    data: str  # its recorded data (JSON)
    checks: int


def freeze_section(section_id: str, root: Path, solution: Path, public: set[str]) -> FrozenSection:
    """Record the public checks (test functions named in `public`) of a section on the reference solution."""
    from grader.course.loading import section_paths

    path = section_paths(section_id, root)["checks"]
    source = path.read_text(encoding="utf-8")
    problems = []
    for name in sorted(public):
        found = custom_logic(source, name)
        if found:
            problems.append(f"{section_id} {name}: custom verdict logic cannot be replayed from numbers: "
                            + "; ".join(found[:4]) + ("; …" if len(found) > 4 else "")
                            + " (express it with expect_* on what the learner returned, or drop public=True)")
    if problems:
        raise CourseDataError("public checks that cannot be frozen for the release:\n  " + "\n  ".join(problems))
    if not solution.is_file():
        raise CourseDataError(f"{solution}: the reference solution is needed to freeze the public checks")
    first = _record(path, root, solution, nudge=False)
    if first.broken:
        raise CourseDataError(f"{path}: " + "; ".join(first.broken))
    second = _record(path, root, solution, nudge=True)
    for item in first.items:
        a, b = first.outcomes.get(item.name, _Outcome()), second.outcomes.get(item.name, _Outcome())
        if a.error is not None:
            kind = "cannot be frozen" if isinstance(a.error, NotFreezable) else "fails on the reference solution"
            problems.append(f"{section_id} {item.name} {kind}: {_why(a.error)}")
        elif a.recorder is None:
            problems.append(f"{section_id} {item.name} did not run on the reference solution")
        elif b.error is not None or b.recorder is None:
            why = _why(b.error) if b.error is not None else "did not run"
            problems.append(f"{section_id} {item.name} cannot be frozen: it behaves differently when the learner's "
                            f"results change ({why})")
        elif (diff := difference(a.recorder, b.recorder)) is not None:
            problems.append(f"{section_id} {item.name} cannot be frozen: {diff} (computed from them, not from the "
                            "check's own inputs)")
    if not first.items:
        problems.append(f"{section_id}: no public check ran")
    if problems:
        raise CourseDataError("public checks that cannot be frozen for the release:\n  " + "\n  ".join(problems))
    recorders = {item.name: first.outcomes[item.name].recorder for item in first.items}
    return FrozenSection(generate_module(section_id, path.stem, first.items),
                         _serialize(section_id, recorders), len(first.items))  # type: ignore[arg-type]


def _serialize(section_id: str, recorders: dict[str, Recorder]) -> str:
    """One JSON document: every check's steps, the arrays stored once each (base64 .npy, no pickle)."""
    blobs: list[str] = []
    index: dict[bytes, int] = {}

    def store(arr: np.ndarray) -> int:
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=False)
        raw = buf.getvalue()
        key = hashlib.sha256(raw).digest()
        if key not in index:
            index[key] = len(blobs)
            blobs.append(base64.b64encode(raw).decode())
        return index[key]

    def relink(v: Any, arrays: list[np.ndarray]) -> Any:
        if isinstance(v, list):
            return [relink(x, arrays) for x in v]
        if isinstance(v, dict):
            if len(v) == 1 and ("nd" in v or "np" in v):
                tag, i = next(iter(v.items()))
                return {tag: store(arrays[i])}
            return {k: relink(x, arrays) for k, x in v.items()}
        return v

    checks = {name: {"steps": relink(rec.steps, rec.arrays)} for name, rec in recorders.items()}
    return json.dumps({"format": FORMAT, "section": section_id, "checks": checks, "arrays": blobs},
                      ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n"


def _mark(item: Item) -> str:
    mark = item.mark
    parts = [repr(mark.exercise), repr(mark.points), f"ja={mark.title.ja!r}", f"en={mark.title.en!r}"]
    if mark.timeout is not None:
        parts.append(f"timeout={mark.timeout!r}")
    return f"check({', '.join(parts)}, public=True)"


def generate_module(section_id: str, stem: str, items: list[Item]) -> str:
    """The release's check module: the same ids, points, titles and markers; every body one replay call."""
    groups: dict[str, list[Any]] = {}
    for item in items:
        groups.setdefault(item.originalname, []).append(item)
    out = [
        f'"""Public checks of {section_id} (student release): the hidden checks are run by your instructor.\n',
        f"{section_id} の公開チェックです (学生用リリース)。非公開チェックは講師が実行します。\n",
        "Generated by `grade release`: each check makes, on your code, the calls the course's check made when the",
        "release was built, and compares what comes back with the numbers recorded then "
        f"({stem}{SUFFIX}).",
        'No reference code is here: only those inputs and numbers.\n"""\n',
        "from __future__ import annotations\n",
        "from grader.engine.checking import check",
        "from grader.engine.replay import case, cases, load, replay\n",
        "FROZEN = load(__file__)\n",
    ]
    for name, group in groups.items():
        if group[0].case_id is not None:
            out.append("\n@cases([")
            out += [f"    case({it.name!r}, {it.case_id!r},\n         {_mark(it)})," for it in group]
            out.append("])")
            out.append(f"def {name}(learner, key):")
            out.append("    replay(learner, FROZEN, key)\n")
        else:
            out.append(f"\n@{_mark(group[0])}")
            out.append(f"def {name}(learner):")
            out.append(f"    replay(learner, FROZEN, {group[0].name!r})\n")
    return "\n".join(out).rstrip("\n") + "\n"
