"""The parent side of the trust boundary: a `learner` proxy whose calls run in the worker and return plain data."""

from __future__ import annotations

import os
import re
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grader.engine.reply import ProtocolError, check_answer
from grader.engine.signature import expected_signature
from grader.engine.spawn import (
    START_TIMEOUT,
    WorkerDied,
    WorkerMalformed,
    WorkerOversize,
    WorkerProcess,
    WorkerTimedOut,
    child_pids,
    reap_strays,
    take_worker,
)
from grader.engine.worker import mirrored_sequence, read_npy, write_npy
from grader.results import Status
from grader.sanitize import inert
from grader.text import Text

CALL_TIMEOUT = 5.0
IMPORT_TIMEOUT = 10.0
MAX_SOURCE_BYTES = 1 << 20
MAX_REPLY_BYTES = 64 << 20  # one answer of the worker, read into the trusted process
MAX_CHECK_BYTES = 256 << 20  # all answers within one check


# ---------------------------------------------------------------- faults: each becomes one status


class LearnerFault(Exception):
    """Something the learner's code did that decides the check's status (not a wrong value: that is CheckFailed)."""

    status: Status = "error"
    note: Text | None = None  # advice shown with the check's result (the stub's signature for a call that did not fit)

    def __init__(self, ja: str, en: str):
        super().__init__(en)
        self.text = Text(ja=ja, en=en)


class LearnerNotImplemented(LearnerFault):
    status = "not_implemented"


class LearnerMissing(LearnerFault):
    status = "missing"


class LearnerRaised(LearnerFault):
    status = "error"

    def __init__(self, ja: str, en: str, type_name: str, message: str = ""):
        super().__init__(ja, en)
        self.type_name = type_name
        self.message = message  # the learner's own exception message (for checks that require its content)
        self.at_call = False  # raised by the call itself (the arguments did not fit), before the learner's code ran


class LearnerTimeout(LearnerFault):
    status = "timeout"


class LearnerCrashed(LearnerFault):
    status = "crashed"


class LearnerMemory(LearnerFault):
    status = "memory_limit"


class LearnerInvalidResult(LearnerFault):
    status = "invalid_result"


class SubmissionRejected(LearnerFault):
    status = "rejected"


# The course's names for what learners often call otherwise (lecture notes, the book, other courses, typos):
# a name a learner writes → the name the exercises use. Did-you-mean beyond difflib's reach.
COURSE_ALIASES: dict[str, str] = {
    "d_sigmoid": "sigmoid_grad", "dsigmoid": "sigmoid_grad", "sigmoid_prime": "sigmoid_grad",
    "sigmoid_derivative": "sigmoid_grad", "sigmoid_backward": "sigmoid_grad",
    "d_relu": "relu_grad", "drelu": "relu_grad", "relu_prime": "relu_grad", "relu_derivative": "relu_grad",
    "step": "step_function", "step_func": "step_function",
    "RMSProp": "RMSprop", "Rmsprop": "RMSprop", "RmsProp": "RMSprop", "ADAM": "Adam",
    "Adagrad": "AdaGrad", "SoftmaxWithCrossEntropy": "SoftmaxWithLoss",
    "backword": "backward", "backwards": "backward", "foward": "forward", "fowrard": "forward",
    "dweight": "dW", "dWeight": "dW", "d_W": "dW", "dw": "dW", "dbias": "db", "dBias": "db", "d_b": "db",
}


def aliases_of(name: str) -> list[str]:
    """The other names a learner may have given to the course's `name`."""
    return [a for a, c in COURSE_ALIASES.items() if c == name]


def cut(text: str, limit: int) -> str:
    """`text` (inert) cut to about `limit` characters at a word boundary, marked with "…"."""
    text = inert(text)
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = max(head.rfind(" "), head.rfind("\n"))
    if space >= limit // 2:
        head = head[:space]
    return head.rstrip() + " …"


_NAMED = re.compile(r"(?:has no attribute|name) '([A-Za-z_][A-Za-z0-9_]*)'")


def alias_hint(message: str) -> Text | None:
    """A hint when an AttributeError/NameError names one of the course's aliases (`backword` → `backward`)."""
    m = _NAMED.search(message)
    if m and m.group(1) in COURSE_ALIASES:
        right = COURSE_ALIASES[m.group(1)]
        return Text(ja=f"(この講座での名前は `{right}` です: `{m.group(1)}` のつもりでしたか?)",
                    en=f"(the course calls it `{right}`; is `{m.group(1)}` meant to be `{right}`?)")
    return None


def fault_from_exception(info: dict, during: str, hint: Text | None = None) -> LearnerFault:
    """Turn the worker's description of an exception into the fault that names it for the learner: the line in the
    learner's file, the library function it raised in as context, and a did-you-mean for the course's names."""
    t = inert(info.get("type", "Exception"), limit=80)
    msg = cut(info.get("message", ""), 300)
    line = info.get("line")
    ctx = cut(info.get("context", ""), 120)
    where_ja = [f"{line} 行目"] if isinstance(line, int) else []
    where_en = [f"line {line}"] if isinstance(line, int) else []
    if ctx:
        where_ja.append(f"{ctx} の中")
        where_en.append(f"inside {ctx}")
    at_ja = f" ({', '.join(where_ja)})" if where_ja else ""
    at_en = f" ({', '.join(where_en)})" if where_en else ""
    if hint is None and t in ("AttributeError", "NameError"):
        hint = alias_hint(str(info.get("message", "")))
    if hint is not None:
        msg = f"{msg} {hint.ja}" if msg else hint.ja
        msg_en = f"{cut(info.get('message', ''), 300)} {hint.en}".strip()
    else:
        msg_en = msg
    if info.get("not_implemented"):
        return LearnerNotImplemented("まだ実装されていません (NotImplementedError)",
                                     "not implemented yet (NotImplementedError)")
    if t == "MemoryError":
        return LearnerMemory(f"{during}でメモリ上限 ({_gib()} GiB) を超えました",
                             f"used more memory than the limit ({_gib()} GiB) {during_en(during)}")
    if t == "RecursionError":
        return LearnerRaised(f"再帰が深すぎます{at_ja}: {msg}", f"recursion too deep{at_en}: {msg_en}", t)
    if t == "SystemExit":
        return LearnerCrashed(f"{during}にプログラムが終了しました (sys.exit, code {msg})",
                              f"the submission exited {during_en(during)} (sys.exit, code {msg})")
    fault = LearnerRaised(f"{t} が発生しました{at_ja}: {msg}", f"raised {t}{at_en}: {msg_en}", t,
                          inert(info.get("message", ""), limit=300))
    fault.at_call = info.get("at_call") is True
    return fault


def _gib() -> int:
    from grader.engine.spawn import LIMITS

    return LIMITS["memory"] >> 30


def during_en(during: str) -> str:
    return {"読み込み中": "during import", "呼び出し中": "during the call"}.get(during, "")


# ---------------------------------------------------------------- values across the boundary


class RemoteFunction:
    """A function from the worker's own small library (grader/engine/worker.py FUNCTIONS), passed by name."""

    def __init__(self, name: str):
        self.name = name


@dataclass
class CallRecord:
    """What the last call did to its arguments, as results for the check to judge.

    The check's own arguments are never changed: the learner worked on copies. `args[i]` / `kwargs[k]` are
    the learner's copies after the call (an array; a dict of arrays for `update(params, grads)`, or a list or
    tuple of arrays for `clip_grads(grads, max_norm)`: what the learner left in it); `rebound` lists the
    (position, dict key or list index) assigned a new array instead of updated in place; `modified` the
    positions (or (position, key or index)) whose values changed. A list that came back longer or shorter, or
    holding something other than an array of the shape and kind sent, is the learner's `invalid_result`."""

    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    rebound: list[tuple[int | str, int | str]] = field(default_factory=list)
    modified: list[Any] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. "RuntimeWarning: overflow encountered in exp"


def _npy(arr: np.ndarray) -> bytes:
    return write_npy(np, arr)


def encode_arg(v: Any, frames: list[bytes], generation: int) -> Any:
    if isinstance(v, np.ndarray):
        frames.append(_npy(np.asarray(v)))
        return {"__nd__": len(frames) - 1}
    if isinstance(v, np.generic):
        frames.append(_npy(np.asarray(v)))
        return {"__np__": len(frames) - 1}
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, list):
        return [encode_arg(i, frames, generation) for i in v]
    if isinstance(v, tuple):
        return {"__tuple__": [encode_arg(i, frames, generation) for i in v]}
    if isinstance(v, dict):
        return {"__dict__": {str(k): encode_arg(i, frames, generation) for k, i in v.items()}}
    if isinstance(v, RemoteObject):
        if v._generation != generation:
            raise LearnerCrashed("ワーカーが再起動したため、このオブジェクトはもうありません",
                                 "this object was lost when the worker restarted")
        return {"__handle__": v._handle}
    if isinstance(v, np.random.Generator):
        return {"__rng__": v.bit_generator.state}
    if isinstance(v, RemoteFunction):
        return {"__fn__": v.name}
    raise TypeError(f"cannot send {type(v).__name__} to the learner's code")


def decode_value(v: Any, frames: list[bytes], owner: Learner, depth: int = 0) -> Any:
    """Plain data only: arrays via np.load(allow_pickle=False); anything else the learner made is a handle."""
    if depth > 40:
        raise ProtocolError("nesting too deep")
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, list):
        return [decode_value(i, frames, owner, depth + 1) for i in v]
    if not isinstance(v, dict):
        raise ProtocolError("unexpected value")
    if "__nd__" in v or "__np__" in v:
        key = "__nd__" if "__nd__" in v else "__np__"
        try:
            arr = read_npy(np, frames[v[key]])
        except (ValueError, OSError, IndexError, TypeError, EOFError, struct.error) as e:
            raise ProtocolError(f"unreadable array: {e}") from None
        if type(arr) is not np.ndarray or arr.dtype.hasobject:
            raise ProtocolError("array of objects")
        return arr[()] if key == "__np__" else arr
    if "__tuple__" in v:
        return tuple(decode_value(i, frames, owner, depth + 1) for i in v["__tuple__"])
    if "__dict__" in v:
        return {str(k): decode_value(i, frames, owner, depth + 1) for k, i in v["__dict__"].items()}
    if "__handle__" in v:
        return RemoteObject(owner, v["__handle__"], inert(v.get("type", "object"), limit=80))
    if "__invalid__" in v:
        what = inert(v["__invalid__"], limit=120)
        raise LearnerInvalidResult(f"戻り値が {what} です。素の数値配列 (numpy.ndarray) を返してください",
                                   f"returned {what}; expected a plain numeric array (numpy.ndarray)")
    raise ProtocolError("unknown value encoding")


class RemoteObject:
    """A handle to an object that lives in the worker (an optimizer, a layer): attributes and methods forward."""

    def __init__(self, owner: Learner, handle: int, type_name: str):
        object.__setattr__(self, "_owner", owner)
        object.__setattr__(self, "_handle", handle)
        object.__setattr__(self, "_type", type_name)
        object.__setattr__(self, "_generation", owner._generation)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._owner._getattr(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._owner._setattr(self, name, value)

    def __repr__(self) -> str:
        return f"<{self._type}>"

    def __eq__(self, other: object) -> bool:
        return self is other

    __hash__ = object.__hash__


class RemoteMethod:
    def __init__(self, obj: RemoteObject, name: str):
        self.obj, self.name = obj, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.obj._owner._call({"handle": self.obj._handle, "attr": self.name}, args, kwargs, self.obj)


class Learner:
    """The `learner` fixture: `learner.sigmoid_grad(x)` runs in the worker and returns a plain ndarray."""

    def __init__(self, session: Session, timeout: float):
        self._session = session
        self._timeout = timeout
        self._generation = session.generation
        self._methods: set[tuple[str, str]] = set()  # (class name, attribute) known to be plain methods
        self.last_call = CallRecord()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._call({"name": name}, args, kwargs, None)

        call.__name__ = name
        return call

    # -- plumbing
    def _request(self, header: dict, frames: list[bytes], nargs: int = 0,
                 kwargs: frozenset[str] = frozenset()) -> tuple[dict, list[bytes]]:
        if self._generation != self._session.generation:
            raise LearnerCrashed("ワーカーが再起動したため、このオブジェクトはもうありません",
                                 "this object was lost when the worker restarted")
        answer, out = self._session.request(header, frames, self._timeout, "呼び出し中", nargs=nargs, kwargs=kwargs)
        if "missing" in answer:
            name = inert(answer["missing"], limit=80)
            sug = [inert(s, limit=80) for s in answer.get("suggest", [])]
            named = self._probe_aliases(answer["missing"], None)
            if named:  # the learner's own name for it: the course's name is the one the checks call
                raise LearnerMissing(
                    f"`{name}` が定義されていません (`{named}` は定義されています。この講座では `{name}` という名前で"
                    "採点します)",
                    f"`{name}` is not defined (did you mean `{named}`? your file defines `{named}`; the course calls "
                    f"it `{name}`)")
            hint_ja = f" ({sug[0]} のことですか?)" if sug else ""
            hint_en = f" (did you mean `{sug[0]}`?)" if sug else ""
            raise LearnerMissing(f"`{name}` が定義されていません{hint_ja}", f"`{name}` is not defined{hint_en}")
        if "raised" in answer:
            info = answer["raised"]
            hint = None
            target = header.get("target", {})
            if (info.get("type") == "AttributeError" and "handle" in target
                    and f"'{target.get('attr')}'" in str(info.get("message", ""))):
                named = self._probe_aliases(target["attr"], target["handle"])
                if named:
                    hint = Text(ja=f"(`{named}` は定義されています。この講座での名前は `{inert(target['attr'])}` です)",
                                en=f"(did you mean `{named}`? the object has `{named}`; the course calls it "
                                   f"`{inert(target['attr'])}`)")
            raise fault_from_exception(info, "呼び出し中", hint)
        return answer, out

    def _probe_aliases(self, name: str, handle: int | None) -> str | None:
        """The first of the course's other names for `name` that the module (or the object `handle`) defines."""
        for alias in aliases_of(name):
            target = {"name": alias} if handle is None else {"handle": handle, "attr": alias}
            try:
                answer, _ = self._session.request({"op": "getattr", "target": target}, [], self._timeout, "呼び出し中")
            except LearnerFault:
                return None
            if "missing" not in answer and "raised" not in answer:
                return alias
        return None

    def _check_generation(self, obj: RemoteObject | None) -> None:
        if obj is not None and obj._generation != self._generation:
            raise LearnerCrashed("ワーカーが再起動したため、このオブジェクトはもうありません",
                                 "this object was lost when the worker restarted")

    def _call(self, target: dict, args: tuple, kwargs: dict, obj: RemoteObject | None) -> Any:
        self._check_generation(obj)
        frames: list[bytes] = []
        enc_args = [encode_arg(a, frames, self._generation) for a in args]
        enc_kwargs = {k: encode_arg(a, frames, self._generation) for k, a in kwargs.items()}
        try:
            answer, out = self._request({"op": "call", "target": target, "args": enc_args, "kwargs": enc_kwargs},
                                        frames, nargs=len(args), kwargs=frozenset(kwargs))
        except LearnerRaised as e:
            if e.at_call and e.type_name == "TypeError":  # a signature that does not fit: say the stub's
                e.note = expected_signature(target.get("name"), obj._type if obj is not None else None,
                                            target.get("attr"))
            raise
        try:
            result = decode_value(answer.get("result"), out, self)
            name = target.get("name", "")
            if name[:1].isupper() and not isinstance(result, RemoteObject):  # the book's classes: SGD, Affine …
                shown = inert(type(result).__name__, limit=40)
                raise LearnerInvalidResult(
                    f"{name}(...) が {shown} を返しました。{name} はクラスとして定義してください (class {name}:)",
                    f"{name}(...) returned {shown}; define {name} as a class (class {name}:) whose instances the "
                    "checks use")
            record = CallRecord(warnings=[inert(w, limit=300) for w in answer.get("warnings", [])])
            after = answer.get("after", [])
            record.args = [self._after(i, arg, after[i] if i < len(after) else None, out, record)
                           for i, arg in enumerate(args)]
            kafter = answer.get("kafter", {})
            record.kwargs = {k: self._after(k, arg, kafter.get(k), out, record) for k, arg in kwargs.items()}
        except ProtocolError as e:
            self._session.kill()
            raise LearnerCrashed("ワーカーの応答が壊れています", f"the worker's answer was malformed ({e})") from None
        self.last_call = record
        return result

    def _after(self, pos: int | str, arg: Any, state: dict | None, frames: list[bytes], record: CallRecord) -> Any:
        """The learner's copy of argument `pos` after the call, as a new object: the check's own `arg` is never
        written to (DESIGN.md: learner code owns nothing the verdict uses)."""
        if isinstance(arg, np.ndarray):
            if state and "value" in state:
                new = decode_value(state["value"], frames, self)
                if not isinstance(new, np.ndarray):
                    raise ProtocolError("an array argument came back as something else")
                if not _same(arg, new):
                    record.modified.append(pos)
                return new
            return arg.copy()
        if mirrored_sequence(arg, np.ndarray):
            return self._after_sequence(pos, arg, state, frames, record)
        if isinstance(arg, dict):
            now = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in arg.items()}
            if not state or "items" not in state:
                return now
            for key, item in state["items"].items():
                new = decode_value(item["value"], frames, self)
                if not isinstance(new, np.ndarray):
                    name = repr(inert(key, limit=40))
                    raise _not_an_array(Text(ja=f"{name} の値", en=name), new)
                old = arg.get(key)
                if not (isinstance(old, np.ndarray) and _same(old, new)):
                    record.modified.append((pos, key))
                if key in arg and not (item.get("same") and isinstance(old, np.ndarray) and old.shape == new.shape):
                    record.rebound.append((pos, key))
                now[key] = new
            for key in state.get("removed", []):
                now.pop(key, None)
            return now
        return arg

    def _after_sequence(self, pos: int | str, arg: list[Any] | tuple[Any, ...], state: dict | None,
                        frames: list[bytes], record: CallRecord) -> list[Any] | tuple[Any, ...]:
        """The learner's copy of a list (or tuple) of arrays after the call, as a new list of new arrays. The
        learner may change each array in place, or put another array of the same shape and kind at its index
        (recorded as rebound); a list that grew or shrank, or that holds anything else, is `invalid_result`."""
        now = [np.array(v) for v in arg]
        if state:
            if set(state) != {"length", "elements"}:
                raise ProtocolError("a list argument came back as something else")
            length, elements = state["length"], state["elements"]
            if len(elements) != min(length, len(arg)):
                raise ProtocolError("a list argument came back with a wrong count of elements")
            where = _argument(pos)
            if length != len(arg):
                kind = Text(ja="タプル", en="tuple") if isinstance(arg, tuple) else Text(ja="リスト", en="list")
                raise LearnerInvalidResult(
                    f"{where.ja} (配列 {len(arg)} 個の{kind.ja}) の長さが {length} になりました。要素を足したり"
                    "消したりせず、各配列をその場で変更してください (g *= rate, g[...] = …)",
                    f"{where.en} (a {kind.en} of {len(arg)} arrays) now has length {length}; do not add or "
                    "remove elements: change each array in place (g *= rate, g[...] = …)")
            for i, item in enumerate(elements):
                if item is None:
                    continue
                new = decode_value(item["value"], frames, self)
                at = Text(ja=f"{where.ja}の要素 [{i}]", en=f"{where.en}[{i}]")
                if not isinstance(new, np.ndarray):
                    raise _not_an_array(at, new)
                old = now[i]
                if new.shape != old.shape or new.dtype.kind != old.dtype.kind:
                    got = inert(str(new.dtype), limit=40)  # a forged frame may name fields in its dtype
                    raise LearnerInvalidResult(
                        f"{at.ja} が形状 {new.shape}、dtype {got} の配列になりました (渡したのは形状 "
                        f"{old.shape}、dtype {old.dtype})。各配列はその場で変更してください (g *= rate, g[...] = …)",
                        f"{at.en} became an array of shape {new.shape}, dtype {got} (it was sent with shape "
                        f"{old.shape}, dtype {old.dtype}); change each array in place (g *= rate, g[...] = …)")
                if not _same(old, new):
                    record.modified.append((pos, i))
                if not item.get("same"):
                    record.rebound.append((pos, i))
                now[i] = new
        return tuple(now) if isinstance(arg, tuple) else now

    def _getattr(self, obj: RemoteObject, name: str) -> Any:
        self._check_generation(obj)
        if (obj._type, name) in self._methods:  # one round trip per method call instead of two
            return RemoteMethod(obj, name)
        answer, out = self._request({"op": "getattr", "target": {"handle": obj._handle, "attr": name}}, [])
        if answer.get("callable"):
            if answer.get("method"):
                self._methods.add((obj._type, name))
            return RemoteMethod(obj, name)
        try:
            return decode_value(answer.get("result"), out, self)
        except ProtocolError as e:
            self._session.kill()
            raise LearnerCrashed("ワーカーの応答が壊れています", f"the worker's answer was malformed ({e})") from None

    def _setattr(self, obj: RemoteObject, name: str, value: Any) -> None:
        self._check_generation(obj)
        frames: list[bytes] = []
        enc = encode_arg(value, frames, self._generation)
        self._request({"op": "setattr", "target": {"handle": obj._handle, "attr": name}, "value": enc}, frames)

    def set_attributes(self, items: list[tuple[RemoteObject, str, Any]]) -> None:
        """`obj.name = value` for each (obj, name, value), in order, in ONE round trip (a training check puts its
        own weights into the learner's layers at every step). A learner's exception stops at the item that raised
        it, as the single assignments would have; the values are the check's own (sent as copies)."""
        self._setattrs(list(items))

    def _setattrs(self, items: list[tuple[RemoteObject, str, Any]]) -> None:
        frames: list[bytes] = []
        body = []
        for obj, name, value in items:
            if not isinstance(obj, RemoteObject) or not isinstance(name, str):
                raise TypeError("set_attributes takes (learner object, attribute name, value) triples")
            self._check_generation(obj)
            body.append({"handle": obj._handle, "attr": name, "value": encode_arg(value, frames, self._generation)})
        self._request({"op": "setattrs", "items": body}, frames)


def _argument(pos: int | str) -> Text:
    """How a message names the argument at `pos` (a position from 0, or a keyword)."""
    if isinstance(pos, int):
        return Text(ja=f"{pos + 1} 番目の引数", en=f"argument {pos + 1}")
    return Text(ja=f"引数 {inert(pos, limit=40)}", en=f"argument {inert(pos, limit=40)}")


def _not_an_array(where: Text, new: Any) -> LearnerInvalidResult:
    """An element of an argument (a dict value, a list item) that the learner replaced by something not an array."""
    shown = repr(new) if isinstance(new, RemoteObject) else type(new).__name__
    return LearnerInvalidResult(f"{where.ja}が {shown} になりました。数値配列 (numpy.ndarray) のままにしてください",
                                f"{where.en} became {shown}; it must stay a numeric array (numpy.ndarray)")


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.flags.c_contiguous and b.flags.c_contiguous and a.data.tobytes() == b.data.tobytes():
        return True  # the common case (an argument left alone) without array_equal's ~25 µs
    return bool(np.array_equal(a, b, equal_nan=True))


# ---------------------------------------------------------------- one submission's worker lifecycle


def precheck_submission(path: Path) -> str:
    """Trusted-side checks before any import: a regular file, not a link, sane size, UTF-8, no null byte. The
    syntax is the worker's to find (it compiles the file anyway): only a file it reports as not compiling is
    compiled here, for the message (Session.fresh)."""
    try:
        st = os.lstat(path)
    except OSError as e:
        raise SubmissionRejected(f"ファイルを開けません: {e.strerror}", f"cannot open the file: {e.strerror}") from None
    import stat

    if stat.S_ISLNK(st.st_mode):
        raise SubmissionRejected("提出ファイルがシンボリックリンクです", "the submission is a symlink")
    if not stat.S_ISREG(st.st_mode):
        raise SubmissionRejected("提出物が通常のファイルではありません", "the submission is not a regular file")
    if st.st_size > MAX_SOURCE_BYTES:
        raise SubmissionRejected(f"ファイルが大きすぎます ({st.st_size} バイト)",
                                 f"the file is too large ({st.st_size} bytes, limit {MAX_SOURCE_BYTES})")
    data = path.read_bytes()
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        byte = data[e.start]
        raise LearnerRaised(f"ファイルが UTF-8 ではありません (byte 0x{byte:02x}, {line} 行目)",
                            f"the file is not valid UTF-8 (byte 0x{byte:02x} at line {line})",
                            "UnicodeDecodeError") from None
    if "\0" in source:
        line = source[: source.index("\0")].count("\n") + 1
        raise LearnerRaised(f"ファイルを読み込めません: {line} 行目に NUL 文字 (\\x00) があります",
                            f"cannot compile the file: a null byte (\\x00) at line {line}", "ValueError")
    return source


def compile_fault(source: str, name: str) -> LearnerRaised | None:
    """The learner's message for a file that does not compile (compiled here, in the trusted process, only once the
    worker has said so); None if it compiles after all (the module raised a SyntaxError of its own: exec, eval)."""
    try:
        compile(source, name, "exec", dont_inherit=True)
    except SyntaxError as e:
        return syntax_fault(e, source)
    return None


_NEWER_SYNTAX = [  # (pattern on the offending line, the Python that first accepts it, what it is)
    (re.compile(r"^\s*(async\s+)?def\s+\w+\s*\[|^\s*class\s+\w+\s*\["), (3, 12),
     Text(ja="型パラメータ構文 (PEP 695: def f[T](x))", en="type parameter syntax (PEP 695: def f[T](x))")),
    (re.compile(r"^\s*type\s+\w+(\s*\[.*\])?\s*="), (3, 12),
     Text(ja="type 文 (PEP 695: type X = ...)", en="the type statement (PEP 695: type X = ...)")),
    (re.compile(r"^\s*match\s+.+:\s*$|^\s*case\s+.+:\s*$"), (3, 10),
     Text(ja="match 文 (PEP 634)", en="the match statement (PEP 634)")),
    (re.compile(r"^\s*except\s*\*"), (3, 11), Text(ja="except* (PEP 654)", en="except* (PEP 654)")),
]


def syntax_fault(e: SyntaxError, source: str) -> LearnerRaised:
    """One SyntaxError as the learner sees it: the line, a caret under the column, and a hint when the syntax
    needs a newer Python than the one grading."""
    lines = source.splitlines()
    text = lines[e.lineno - 1] if isinstance(e.lineno, int) and 0 < e.lineno <= len(lines) else (e.text or "")
    shown = cut(text.rstrip("\n").expandtabs(4), 160)
    caret = ""
    if shown and isinstance(e.offset, int) and 0 < e.offset <= len(shown) + 1:
        caret = " " * (e.offset - 1) + "^"
    body = f"\n    {shown}" + (f"\n    {caret}" if caret else "") if shown.strip() else ""
    hint_ja = hint_en = ""
    running = sys.version_info[:2]
    for pattern, needs, what in _NEWER_SYNTAX:
        if running < needs and pattern.search(text):
            v = f"{needs[0]}.{needs[1]}"
            now = f"{running[0]}.{running[1]}"
            hint_ja = (f"\nヒント: {what.ja} は Python {v} 以降の構文です (採点は Python {now})。"
                       "古い書き方に直してください")
            hint_en = (f"\nhint: {what.en} needs Python {v} or newer (grading runs Python {now}); "
                       "use the older form")
            break
    msg = cut(e.msg or "", 200)
    return LearnerRaised(f"構文エラー (SyntaxError, {e.lineno} 行目): {msg}{body}{hint_ja}",
                         f"SyntaxError at line {e.lineno}: {msg}{body}{hint_en}", "SyntaxError")


class Session:
    """One submission: stage it, keep a worker loaded with it, restart the worker after a crash or timeout."""

    def __init__(self, submission: Path, *, call_timeout: float = CALL_TIMEOUT, import_timeout: float = IMPORT_TIMEOUT,
                 sandbox: bool = False, hide: tuple[Path, ...] = ()):
        self.submission = submission
        self.call_timeout = call_timeout
        self.import_timeout = import_timeout
        self.keep = child_pids()
        self.worker: WorkerProcess | None = None
        self.generation = 0
        self.import_fault: LearnerFault | None = None
        self.outputs: list[bytes] = []
        self.output_total = 0
        self.strays_killed = 0
        self.workers_started = 0
        self.loads_on_worker = 0  # successful module loads on the current worker
        self.check_bytes = 0  # bytes of answers received in the current check (reset by fresh())
        self.seq = 0  # number of the last request: its answer must echo it
        self.sandbox = sandbox  # wrap each worker in bubblewrap (engine/sandbox.py); `hide`: more folders to hide
        self.hide = tuple(hide)
        try:
            self.source = precheck_submission(submission)
        except LearnerFault as e:
            self.import_fault = e
            self.source = ""

    def _ensure_worker(self) -> WorkerProcess:
        if self.worker is None or self.worker.dead:
            if self.worker is not None:
                self._retire(self.worker)
            self.worker = take_worker(self.sandbox, self.hide)
            self.keep.discard(self.worker.proc.pid)
            self.workers_started += 1
            self.loads_on_worker = 0
            self.generation += 1
            path = Path(self.worker.dir) / self.submission.name
            path.write_text(self.source, encoding="utf-8")
            path.chmod(0o644)  # readable by a worker running as another user (spawn.worker_user)
            self.staged = path
        return self.worker

    def _retire(self, worker: WorkerProcess) -> None:
        worker.cleanup()
        out, total = worker.output()
        self.outputs.append(out)
        self.output_total += total

    def kill(self) -> None:
        if self.worker is not None:
            self.worker.kill()

    def request(self, header: dict, frames: list[bytes], timeout: float, during: str,
                restart: bool = False, nargs: int = 0,
                kwargs: frozenset[str] = frozenset()) -> tuple[dict, list[bytes]]:
        """One round trip, its answer validated as a whole (grader/engine/reply.py) and its size charged to the check.

        Only a module load may start a new worker: a call after a crash or timeout in the same check would
        otherwise reach a worker that never loaded the submission."""
        if not restart and (self.worker is None or self.worker.dead):
            raise LearnerCrashed("ワーカーが再起動したため、このオブジェクトはもうありません",
                                 "this object was lost when the worker restarted after a crash or timeout")
        worker = self._ensure_worker()
        budget = min(MAX_REPLY_BYTES, MAX_CHECK_BYTES - self.check_bytes)
        self.seq += 1
        try:
            answer, out, size = worker.request(dict(header, seq=self.seq), frames, timeout, budget)
        except WorkerOversize:
            raise LearnerInvalidResult(
                f"戻り値が大きすぎます (1 回の応答は {MAX_REPLY_BYTES >> 20} MiB、"
                f"1 チェックで {MAX_CHECK_BYTES >> 20} MiB まで)",
                f"the result is too large (at most {MAX_REPLY_BYTES >> 20} MiB an answer, {MAX_CHECK_BYTES >> 20} MiB "
                "a check)") from None
        except WorkerMalformed as e:
            raise LearnerCrashed("ワーカーの応答が壊れています", f"the worker's answer was malformed ({e})") from None
        except WorkerTimedOut:
            raise LearnerTimeout(f"{timeout:g} 秒以内に終わりませんでした (無限ループ? 入力待ち?)",
                                 f"did not finish within {timeout:g} s (endless loop? waiting for input?)") from None
        except (WorkerDied, ValueError, OSError):
            raise self._death(during) from None
        self.check_bytes += size
        try:
            check_answer(answer, len(out), nargs, kwargs, self.seq)
        except ProtocolError as e:
            worker.kill()
            raise LearnerCrashed("ワーカーの応答が壊れています", f"the worker's answer was malformed ({e})") from None
        if "protocol_error" in answer:
            worker.kill()
            raise LearnerCrashed("ワーカーとの通信が壊れました",
                                 f"the worker protocol broke ({inert(answer['protocol_error'], limit=200)})")
        return answer, out

    def _death(self, during: str) -> LearnerFault:
        rc = self.worker.returncode() if self.worker else None
        if rc is not None and rc < 0:
            import signal

            try:
                sig = signal.Signals(-rc).name
            except ValueError:
                sig = str(-rc)
            if sig == "SIGXCPU" or sig == "SIGKILL":
                return LearnerTimeout(f"CPU 時間の上限を超えました ({sig})", f"exceeded the CPU time limit ({sig})")
            if sig == "SIGSEGV":
                return LearnerCrashed(f"{during}にプロセスが異常終了しました (SIGSEGV: 深すぎる再帰?)",
                                      f"the process crashed {during_en(during)} (SIGSEGV: recursion too deep?)")
            return LearnerCrashed(f"{during}にプロセスが異常終了しました ({sig})",
                                  f"the process was killed {during_en(during)} ({sig})")
        return LearnerCrashed(f"{during}に値を返す前にプロセスが終了しました (exit code {rc})",
                              f"the process ended {during_en(during)} before returning a value (exit code {rc})")

    def _load(self) -> dict:
        """Execute the module afresh in the worker (a new one if the last died, with its own staged copy)."""
        self._ensure_worker()
        answer, _ = self.request({"op": "load", "path": str(self.staged), "seed": 0}, [], self.import_timeout,
                                 "読み込み中", restart=True)
        return answer

    def fresh(self, timeout: float | None = None) -> Learner:
        """A learner proxy on a freshly executed copy of the module (module state never leaks between checks)."""
        if self.import_fault is not None:
            raise self.import_fault
        self.check_bytes = 0
        first = self.workers_started == 0
        try:
            self._ensure_worker()
            if first:
                self.worker.wait_ready(START_TIMEOUT)  # type: ignore[union-attr]
            used = self.loads_on_worker > 0
            worker = self.worker
            try:
                answer = self._load()
            except LearnerCrashed:
                if not used and not (worker is not None and worker.never_forked):
                    raise
                # The worker died while loading after it had served earlier checks, or was never forked by a
                # template an earlier check had just killed: a death an earlier check set up (a timer, a killed
                # parent). Load once more in a fresh worker; a second death is the module's own.
                answer = self._load()
            self.loads_on_worker += 1
        except LearnerTimeout:
            fault: LearnerFault = LearnerTimeout(
                f"読み込み (import) が {self.import_timeout:g} 秒以内に終わりませんでした",
                f"import did not finish within {self.import_timeout:g} s")
            self.import_fault = fault
            raise fault from None
        except (WorkerDied, WorkerTimedOut):
            fault = LearnerCrashed("ワーカーを起動できませんでした", "the worker process could not start")
            raise fault from None
        except LearnerFault as e:
            if e.status == "crashed":
                e = LearnerCrashed("読み込み中に値を返す前にプロセスが終了しました (os._exit?)",
                                   "the submission ended the process during import (os._exit?)")
            self.import_fault = e
            raise e from None
        if "fault" in answer:
            info = answer["fault"]
            unparsed = (compile_fault(self.source, self.submission.name)
                        if info.get("type") in ("SyntaxError", "IndentationError", "TabError") else None)
            if unparsed is not None:
                fault = unparsed
            elif info.get("type") == "SystemExit":
                code = inert(info.get("message", ""), limit=80)
                fault = LearnerCrashed(f"読み込み中にプログラムが終了しました (sys.exit, code {code})",
                                       f"the submission exited during import (sys.exit, code {code})")
            else:
                inner = fault_from_exception(info, "読み込み中")
                if isinstance(inner, LearnerRaised):
                    fault = LearnerRaised(f"読み込み中に{inner.text.ja}", f"during import, {inner.text.en}",
                                          inner.type_name)
                else:
                    fault = inner
            self.import_fault = fault
            raise fault
        return Learner(self, timeout or self.call_timeout)

    def close(self) -> tuple[str, int]:
        """Kill the worker and everything it left behind; return the learner's output (escaped) and its size."""
        if self.worker is not None:
            self._retire(self.worker)
            self.worker = None
        self.strays_killed += reap_strays(self.keep)
        raw = b"".join(self.outputs)
        return escape_output(raw), self.output_total


def escape_output(raw: bytes, limit: int = 4000) -> str:
    """Learner output as inert text: control characters and escape sequences shown, never interpreted."""
    text = raw.decode("utf-8", errors="replace")
    cut = len(text) > limit
    return inert(text[:limit]) + ("\n… (truncated)" if cut else "")
