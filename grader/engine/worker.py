"""The worker child: loads the learner's file and answers calls with plain data only (run as a script).

Started by grader/engine/spawn.py as `python -s -B [-P] worker.py REQ_FD RESP_FD` in its own session, a temp cwd and
an allow-listed environment. It trusts nothing it loads and the parent trusts nothing it sends: every frame
is JSON or `.npy` bytes (no pickle), and every verdict is computed in the parent.
"""

import builtins
import io
import json
import os
import re
import resource
import struct
import sys
import types

# Bind every builtin as a global of this file: a submission that patches `builtins` (isinstance, len …)
# then breaks only its own code, not the encoder that reports what it returned (SECURITY.md row 19).
globals().update({k: v for k, v in vars(builtins).items() if not k.startswith("__")})

_HERE = os.path.dirname(os.path.abspath(__file__))

BLOCKED_PACKAGES = frozenset({"grader", "solutions", "tests"})


class _BlockProjectPackages:
    """The grader's own packages are not for graded code. A speed bump, not a wall: integrity comes from the
    verdicts being computed in the parent, data confidentiality from the optional sandbox. (A meta path finder
    needs only find_spec: not importing importlib.abc keeps the worker's start short.)"""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED_PACKAGES:
            raise ImportError(f"module {name!r} is not available to graded code")
        return None


MAX_FRAME = 256 << 20
MAX_DEPTH = 32
MAX_MIRRORED = 256  # arrays in one list or tuple argument whose in-place changes come back to the check


def mirrored_sequence(v, ndarray) -> bool:
    """Whether the argument `v` is a list or tuple of 1 to MAX_MIRRORED arrays (the book's `clip_grads(grads,
    max_norm)`): what the learner leaves in it comes back to the check as a result. One rule for both sides of the
    boundary: the worker snapshots exactly the sequences the parent expects back (grader/engine/proxy.py)."""
    return isinstance(v, (list, tuple)) and 0 < len(v) <= MAX_MIRRORED and all(isinstance(x, ndarray) for x in v)


def set_limits(memory: int, cpu: int, fsize: int) -> None:
    """rlimits before any learner code runs (CPU soft = hard so a SIGXCPU handler buys nothing)."""
    for res, value in (
        (resource.RLIMIT_AS, memory),
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_FSIZE, fsize),
        (resource.RLIMIT_CORE, 0),
    ):
        try:
            resource.setrlimit(res, (value, value))
        except (ValueError, OSError):
            pass


# ---------------------------------------------------------------- framing


class Channel:
    def __init__(self, req_fd: int, resp_fd: int):
        self.rfile = os.fdopen(req_fd, "rb", buffering=1 << 16)  # a request is usually one read
        self.wfd = resp_fd

    def _read_exact(self, n: int) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            chunk = self.rfile.read(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return bytes(buf)

    def read_frame(self) -> bytes:
        (n,) = struct.unpack(">I", self._read_exact(4))
        return self._read_exact(n)

    def recv(self):
        header = json.loads(self.read_frame())
        arrays = [self.read_frame() for _ in range(header.pop("nframes", 0))]
        return header, arrays

    def send(self, header: dict, frames: list) -> None:
        header = dict(header, nframes=len(frames))
        parts = [json.dumps(header).encode()] + frames
        data = b"".join(struct.pack(">I", len(p)) + p for p in parts)
        view = memoryview(data)
        while view:
            n = os.write(self.wfd, view)
            view = view[n:]


# ---------------------------------------------------------------- functions a check may pass by name

def _sum_squares(x):
    return float((x ** 2).sum())


def _function_2(x):
    return float(x[0] ** 2 + x[1] ** 2)


def _shifted_quadratic(x):
    return float(((x - 1.0) ** 2).sum())


FUNCTIONS = {"sum_squares": _sum_squares, "function_2": _function_2, "shifted_quadratic": _shifted_quadratic}


# ---------------------------------------------------------------- state


class Worker:
    def __init__(self, chan: Channel):
        import numpy as np

        self.np = np
        self.chan = chan
        self.module = None
        self.handles: dict = {}
        self.next_handle = 1
        self.compiled: dict = {}
        self.pid = os.getpid()  # a child the learner forks that returns into this loop must never answer

    # -- decoding arguments (parent → worker)
    def decode(self, v, arrays, depth=0):
        np = self.np
        if depth > MAX_DEPTH:
            raise ValueError("nesting too deep")
        if isinstance(v, list):
            return [self.decode(i, arrays, depth + 1) for i in v]
        if isinstance(v, dict):
            if "__nd__" in v:
                return read_npy(np, arrays[v["__nd__"]])
            if "__np__" in v:
                return read_npy(np, arrays[v["__np__"]])[()]
            if "__tuple__" in v:
                return tuple(self.decode(i, arrays, depth + 1) for i in v["__tuple__"])
            if "__dict__" in v:
                return {k: self.decode(i, arrays, depth + 1) for k, i in v["__dict__"].items()}
            if "__handle__" in v:
                return self.handles[v["__handle__"]]
            if "__rng__" in v:
                bg = getattr(np.random, v["__rng__"]["bit_generator"])()
                bg.state = v["__rng__"]
                return np.random.Generator(bg)
            if "__fn__" in v:
                return FUNCTIONS[v["__fn__"]]
            raise ValueError("unknown argument encoding")
        return v

    # -- encoding results (worker → parent): plain data, or a handle to an object that stays here
    def encode(self, v, frames, depth=0):
        np = self.np
        if depth > MAX_DEPTH:
            return {"__invalid__": "a structure nested more than 32 levels deep"}
        t = type(v)
        if t is np.ndarray:
            if v.dtype.hasobject or v.dtype.names is not None:
                return {"__invalid__": f"an ndarray of dtype {v.dtype}"}
            frames.append(_npy(np, v))
            return {"__nd__": len(frames) - 1}
        if isinstance(v, np.ndarray):
            return {"__invalid__": f"an ndarray subclass {t.__name__}"}
        if isinstance(v, np.generic):
            if t.__module__ != "numpy" or v.dtype.hasobject:
                return {"__invalid__": f"a numpy scalar subclass {t.__name__}"}
            frames.append(_npy(np, np.asarray(v)))
            return {"__np__": len(frames) - 1}
        if t in (bool, int, float, str) or v is None:
            return v
        if t is list:
            return [self.encode(i, frames, depth + 1) for i in v]
        if t is tuple:
            return {"__tuple__": [self.encode(i, frames, depth + 1) for i in v]}
        if t is dict or (isinstance(v, dict) and t.__module__ == "collections"):
            if not all(type(k) is str for k in v):
                return {"__invalid__": "a dict with non-string keys"}
            return {"__dict__": {k: self.encode(i, frames, depth + 1) for k, i in v.items()}}
        handle = self.next_handle
        self.next_handle += 1
        self.handles[handle] = v
        return {"__handle__": handle, "type": t.__name__}

    # -- operations
    def op_load(self, req, arrays):
        np = self.np
        import random

        path = req["path"]
        with open(path, encoding="utf-8-sig") as f:
            source = f.read()
        key = (path, source)
        code = self.compiled.get(key)
        if code is None:  # the module is re-executed for every check: compile it once per worker
            try:
                code = compile(source, os.path.basename(path), "exec", dont_inherit=True)
            except (SyntaxError, ValueError, RecursionError, MemoryError) as e:  # the parent words it (proxy)
                return {"fault": describe_exception(e, path)}, []
            self.compiled = {key: code}
        module = types.ModuleType("submission")
        module.__file__ = os.path.basename(path)
        sys.modules["submission"] = module
        self.handles.clear()
        np.random.seed(req.get("seed", 0))
        random.seed(req.get("seed", 0))
        self.module = None
        try:
            exec(code, module.__dict__)
        except BaseException as e:  # noqa: BLE001 - everything the learner raises is data for the parent
            return {"fault": describe_exception(e, path)}, []
        self.module = module
        np.random.seed(req.get("seed", 0))
        return {"ok": True}, []

    def learner_file(self):
        """The filename the submission was compiled under (its frames in a traceback carry it)."""
        return getattr(self.module, "__file__", None) if self.module is not None else None

    def resolve(self, target):
        if "handle" in target:
            obj = self.handles[target["handle"]]
            return getattr(obj, target["attr"])
        name = target["name"]
        if self.module is None or not hasattr(self.module, name):
            names = [n for n in dir(self.module) if not n.startswith("_")] if self.module else []
            import difflib

            raise LookupError(name, difflib.get_close_matches(name, names, n=1, cutoff=0.6))
        return getattr(self.module, name)

    def op_call(self, req, arrays):
        try:
            fn = self.resolve(req["target"])
        except LookupError as e:
            name, suggestion = e.args
            return {"missing": name, "suggest": suggestion}, []
        except AttributeError as e:
            return {"raised": describe_exception(e, self.learner_file())}, []
        args = [self.decode(a, arrays) for a in req.get("args", [])]
        kwargs = {k: self.decode(a, arrays) for k, a in req.get("kwargs", {}).items()}
        before = [_snapshot(a) for a in args]
        kbefore = {k: _snapshot(a) for k, a in kwargs.items()}
        import warnings

        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = fn(*args, **kwargs)
        except BaseException as e:  # noqa: BLE001
            return {"raised": describe_exception(e, self.learner_file())}, []
        frames: list = []
        body = {
            "warnings": _warning_texts(caught),
            "result": self.encode(result, frames),
            "constructed": isinstance(fn, type),
            "after": [self.after(a, s, frames) for a, s in zip(args, before, strict=True)],
            "kafter": {k: self.after(kwargs[k], s, frames) for k, s in kbefore.items()},
        }
        return body, frames

    def after(self, arg, snapshot, frames):
        """What became of an array, dict-of-arrays or list-of-arrays argument: its values now, and which keys were
        rebound. An array that is still the same object with the same bytes is left out: nothing to mirror."""
        np = self.np
        if snapshot is None:
            return None
        if _SENT in snapshot:
            return self.after_sequence(arg, snapshot, frames)
        if type(arg) is np.ndarray:
            if snapshot.get(None) == (arg.shape, arg.dtype.str, arg.tobytes()):
                return {}
            return {"value": self.encode(arg, frames)}
        items = {}
        contents = snapshot.get(_CONTENTS, {})
        for k, v in arg.items():
            if type(k) is not str or k == _CONTENTS:
                continue
            if v is snapshot.get(k):
                if not isinstance(v, np.ndarray):
                    continue
                if type(v) is np.ndarray and contents.get(k) == (v.shape, v.dtype.str, v.tobytes()):
                    continue
            items[k] = {"same": snapshot.get(k) is v, "value": self.encode(v, frames)}
        return {"items": items, "removed": [k for k in snapshot if k not in arg and k != _CONTENTS]}

    def after_sequence(self, arg, snapshot, frames):
        """What became of a list (or tuple) of arrays: {"length": its length now, "elements": one entry for each
        position that was sent and is still there, None where the same array holds the same bytes, else
        {"same": still the array that was sent, "value": what is there now}}; {} when nothing changed. Elements
        the learner appended are counted, never sent."""
        np = self.np
        sent, contents = snapshot[_SENT], snapshot[_CONTENTS]
        elements = []
        for i, v in enumerate(arg[:len(sent)]):
            if v is sent[i] and type(v) is np.ndarray and contents[i] == (v.shape, v.dtype.str, v.tobytes()):
                elements.append(None)
            else:
                elements.append({"same": v is sent[i], "value": self.encode(v, frames)})
        if len(arg) == len(sent) and all(e is None for e in elements):
            return {}
        return {"length": len(arg), "elements": elements}

    def op_getattr(self, req, arrays):
        try:
            value = self.resolve(req["target"])
        except LookupError as e:
            return {"missing": e.args[0], "suggest": e.args[1]}, []
        except BaseException as e:  # noqa: BLE001 - a property may raise anything
            return {"raised": describe_exception(e, self.learner_file())}, []
        if callable(value) and not isinstance(value, type):
            target = req["target"]
            obj = self.handles.get(target.get("handle"))
            # a plain method of the class (not shadowed on the instance): the parent may skip asking again
            method = (obj is not None and target["attr"] not in getattr(obj, "__dict__", {})
                      and callable(getattr(type(obj), target["attr"], None)))
            return {"callable": True, "method": bool(method)}, []
        frames: list = []
        return {"result": self.encode(value, frames)}, frames

    def op_setattr(self, req, arrays):
        obj = self.handles[req["target"]["handle"]]
        try:
            setattr(obj, req["target"]["attr"], self.decode(req["value"], arrays))
        except BaseException as e:  # noqa: BLE001
            return {"raised": describe_exception(e, self.learner_file())}, []
        return {"ok": True}, []

    def op_setattrs(self, req, arrays):
        """Several setattr in one request, in order; the first that raises ends it (what single ones would do)."""
        for item in req["items"]:
            obj = self.handles[item["handle"]]
            try:
                setattr(obj, item["attr"], self.decode(item["value"], arrays))
            except BaseException as e:  # noqa: BLE001
                return {"raised": describe_exception(e, self.learner_file())}, []
        return {"ok": True}, []

    def serve(self):
        ops = {"load": self.op_load, "call": self.op_call, "getattr": self.op_getattr, "setattr": self.op_setattr,
               "setattrs": self.op_setattrs}
        while True:
            try:
                req, arrays = self.chan.recv()
            except EOFError:
                return
            seq = req.pop("seq", None)
            try:
                header, frames = ops[req.pop("op")](req, arrays)
            except MemoryError:
                header, frames = {"raised": {"type": "MemoryError", "message": "", "line": None}}, []
            except Exception as e:  # noqa: BLE001 - a fault of the protocol, reported as such
                header, frames = {"protocol_error": f"{type(e).__name__}: {e}"}, []
            sys.stdout.flush()
            sys.stderr.flush()
            if os.getpid() != self.pid:  # os.fork() in learner code: the child ends here, the parent answers
                os._exit(0)
            self.chan.send(dict(header, seq=seq), frames)


def _npy(np, arr) -> bytes:
    return write_npy(np, arr)


def write_npy(np, arr) -> bytes:
    """`arr` as `.npy` bytes (format 1.0, C order). Numeric dtypes are written directly, which is what
    np.save writes at a fifth of its cost; anything else goes through np.save(allow_pickle=False)."""
    dt = arr.dtype
    if dt.kind in "biufc" and dt.names is None and dt.subdtype is None:
        shape = arr.shape
        dims = ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "")
        header = f"{{'descr': '{dt.str}', 'fortran_order': False, 'shape': ({dims}), }}"
        pad = -(10 + len(header) + 1) % 64
        header = header + " " * pad + "\n"
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + arr.tobytes("C")
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(arr), allow_pickle=False)
    return buf.getvalue()


_NPY_HEADER = re.compile(r"\{'descr': '([<>|=]?[biufc]\d{1,2})', 'fortran_order': (False|True), "
                         r"'shape': \(((?:\d+, ?)*\d*)\), \}")


def read_npy(np, data: bytes):
    """A `.npy` frame as a plain ndarray, never unpickling. Numeric dtypes take a strict fast path (np.load
    parses the header with literal_eval: ~180 µs an array, most of a call's cost); anything else goes
    through np.load(allow_pickle=False)."""
    if data[:6] == b"\x93NUMPY" and len(data) >= 10:
        if data[6] == 1:
            (hlen,), start = struct.unpack("<H", data[8:10]), 10
        else:
            (hlen,), start = struct.unpack("<I", data[8:12]), 12
        header = data[start:start + hlen]
        parsed = _HEADERS.get(header)
        if parsed is None:
            m = _NPY_HEADER.fullmatch(header.decode("latin1").strip())
            if m:
                shape = tuple(int(d) for d in m.group(3).split(",") if d.strip())
                count = 1
                for d in shape:
                    count *= d
                parsed = (np.dtype(m.group(1)), shape, count, "F" if m.group(2) == "True" else "C")
                if len(_HEADERS) < 1024:  # the same few shapes come back in every call
                    _HEADERS[header] = parsed
        if parsed is not None:
            dtype, shape, count, order = parsed
            body = data[start + hlen:]
            if len(body) != count * dtype.itemsize:
                raise ValueError("array frame has the wrong length")
            return np.frombuffer(body, dtype=dtype, count=count).reshape(shape, order=order).copy()
    return np.load(io.BytesIO(data), allow_pickle=False)


_HEADERS: dict = {}  # .npy header bytes → (dtype, shape, count, order), parsed once


_CONTENTS = object()  # key of a snapshot's array contents (never a str: cannot clash with the caller's keys)
_SENT = object()  # key of a sequence snapshot's elements as sent


def _snapshot(arg):
    """Remember the identity of each value of a dict or list argument (to tell in-place updates from rebinding),
    and the bytes of each array (to leave unchanged ones out of the answer)."""
    import numpy as np

    if type(arg) is np.ndarray:
        return {None: (arg.shape, arg.dtype.str, arg.tobytes())}
    if mirrored_sequence(arg, np.ndarray):
        return {_SENT: list(arg), _CONTENTS: [(v.shape, v.dtype.str, v.tobytes()) for v in arg]}
    if type(arg) is dict:
        snap = dict(arg)
        snap[_CONTENTS] = {k: (v.shape, v.dtype.str, v.tobytes()) for k, v in arg.items()
                           if type(k) is str and type(v) is np.ndarray}
        return snap
    return None


MAX_WARNINGS = 10


def _warning_texts(caught) -> list:
    """The distinct warnings a call raised, as "Category: message" (at most MAX_WARNINGS, 200 characters each).
    A warning's message is the learner's object: a __str__ that raises is shown as <unprintable>."""
    texts: list = []
    for w in caught:
        try:
            name = type.__dict__["__name__"].__get__(w.category)  # the class's own name, not a metaclass property
            text = f"{name}: {str(w.message)}"[:200]
        except BaseException:  # noqa: BLE001 - a hostile warning message
            text = "Warning: <unprintable>"
        if type(text) is str and text not in texts:
            texts.append(text)
            if len(texts) == MAX_WARNINGS:
                break
    return texts


def _cut(text: str, limit: int) -> str:
    """`text` cut to about `limit` characters at a word boundary, marked with "…" (never mid-word)."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = max(head.rfind(" "), head.rfind("\n"))
    if space >= limit // 2:
        head = head[:space]
    return head.rstrip() + " …"


def _library_frame(filename: str, name: str) -> str:
    """A short name for a library frame: "numpy/_core/fromnumeric.py: dot" (the path below site-packages)."""
    parts = filename.replace("\\", "/").split("/")
    for marker in ("site-packages", "dist-packages"):
        if marker in parts:
            parts = parts[len(parts) - parts[::-1].index(marker):]
            break
    else:
        parts = parts[-2:]
    return f"{'/'.join(parts)}: {name}"


def describe_exception(e: BaseException, path) -> dict:
    """Type, message and the learner's line — the innermost frame in the submission (`path`: the staged file's
    name as compiled), never a frame of this file nor of a library; a library frame the exception came from
    deeper down is named as context ("numpy/…: dot")."""
    line = None
    context = None
    learner = os.path.basename(path) if path else None
    frames = []  # (frame, line) from the outermost call in, as traceback.walk_tb gives them (that module is not
    tb = e.__traceback__  # imported here, one import less at every worker's start)
    while tb is not None:
        if tb.tb_frame.f_code.co_filename != __file__:
            frames.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    mine = [n for f, n in frames if learner is not None and f.f_code.co_filename == learner]
    if mine:
        line = mine[-1]
        last = frames[-1][0]
        if last.f_code.co_filename != learner:
            context = _library_frame(last.f_code.co_filename, last.f_code.co_name)
    elif frames and learner is None:
        line = frames[-1][1]
    elif frames:
        context = _library_frame(frames[-1][0].f_code.co_filename, frames[-1][0].f_code.co_name)
    if isinstance(e, SyntaxError):
        line = e.lineno
    try:
        message = repr(e.code) if isinstance(e, SystemExit) else str(e)
        message = _cut(str(message), 500)
    except BaseException:  # noqa: BLE001 - a hostile __str__
        message = "<unprintable>"
    info = {"type": type(e).__name__, "message": message, "line": line,
            "not_implemented": isinstance(e, NotImplementedError)}
    if not frames:  # raised by the call itself (arguments that do not fit the signature), before any code ran
        info["at_call"] = True
    if context is not None:
        info["context"] = context[:200]
    return info


PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36


def prctl(option: int, value: int) -> bool:
    """prctl(2) through libc; False where there is none (not Linux)."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(option, value, 0, 0, 0)
        return True
    except (OSError, AttributeError):
        return False


def die_with_parent() -> None:
    """SIGKILL this worker when the grading process dies, even by SIGKILL (a speed bump: learner code could
    undo it, which only the sandbox's PID namespace and --die-with-parent prevent)."""
    if not sys.platform.startswith("linux"):
        return
    import signal

    parent = os.getppid()  # inside bubblewrap's PID namespace this is 1: compare, never test for 1
    if not prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL)):
        return
    if os.getppid() != parent:  # the parent died before the flag was set
        os._exit(1)


def preload() -> None:
    """What every submission's run needs, imported before the learner's code (and before a template forks):
    numpy, its lazily loaded random package, and the modules the operations use."""
    import random  # noqa: F401
    import warnings  # noqa: F401

    import numpy  # noqa: F401
    import numpy.random  # noqa: F401


def run(req_fd: int, resp_fd: int, limits: dict) -> None:
    """Serve one submission on the two frame pipes until the parent closes them."""
    set_limits(limits["memory"], limits["cpu"], limits["fsize"])
    sys.setrecursionlimit(limits.get("recursion", 3000))
    if not any(isinstance(f, _BlockProjectPackages) for f in sys.meta_path):
        sys.meta_path.insert(0, _BlockProjectPackages())
    chan = Channel(req_fd, resp_fd)
    worker = Worker(chan)
    chan.send({"ready": True}, [])
    worker.serve()


def without_site() -> None:
    """The worker starts with -S (spawn._python_flags): what site would have given it and it needs — numpy's
    folder (GRADER_NUMPY_HOME) on sys.path, and the exit/quit/help builtins a learner's file may call."""
    if not sys.flags.no_site:
        return
    home = os.environ.get("GRADER_NUMPY_HOME", "")
    if home and home not in sys.path:
        sys.path.append(home)
    import _sitebuiltins

    builtins.exit = _sitebuiltins.Quitter("exit", "Ctrl-D (i.e. EOF)")
    builtins.quit = _sitebuiltins.Quitter("quit", "Ctrl-D (i.e. EOF)")
    builtins.help = _sitebuiltins._Helper()


def main() -> None:
    die_with_parent()
    without_site()
    # -P is missing on Python 3.10: keep the script's own folder off sys.path in any case (SECURITY.md row 20).
    sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) != _HERE]
    if sys.argv[1] == "--template":
        template(int(sys.argv[2]))
        return
    preload()
    run(int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3]))


# ---------------------------------------------------------------- template mode (batch grading)
#
# `worker.py --template FD` imports what a worker needs once, then serves requests that arrive on the
# SOCK_SEQPACKET socket FD: {"dir", "limits"} + five descriptors (a control socket, the two frame pipes,
# stdout, stderr). For each it forks a worker that is exactly what `worker.py REQ RESP` would be after its
# start-up (own session, temp cwd/HOME/TMPDIR, rlimits, parent-death signal, builtins bound, project
# packages blocked) without paying Python's and numpy's start again. On the worker's control socket the
# template says the worker's pid ("P"); it kills the worker's group when asked ("K") or when the requester
# goes away (EOF); when the worker ends, it kills and reaps everything the worker left behind (the template
# is a child subreaper: orphans come back to it) and only then reports the status ("X"), so no process
# outlives its submission. The template is not dumpable: a worker cannot ptrace it or read its memory.

def template(sock_fd: int) -> None:
    import gc
    import select
    import signal
    import socket

    preload()
    sys.meta_path.insert(0, _BlockProjectPackages())
    prctl(PR_SET_DUMPABLE, 0)
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake_w)  # a child ended: select() wakes up
    gc.freeze()  # what is loaded now is never collected: a forked worker's GC does not touch (copy) its pages
    sock = socket.socket(fileno=sock_fd)
    workers: dict = {}  # pid → its control socket fd
    by_ctl: dict = {}  # control socket fd → pid, while the requester may still ask for a kill
    while True:
        ready, _, _ = select.select([sock, wake_r, *by_ctl], [], [])
        if wake_r in ready:
            try:
                while os.read(wake_r, 512):
                    pass
            except BlockingIOError:
                pass
            _reap(workers, by_ctl)
        for ctl in [fd for fd in ready if fd in by_ctl]:
            try:
                data = os.read(ctl, 64)
            except OSError:
                data = b""
            if not data or b"K" in data:
                kill_group(by_ctl.pop(ctl))  # its status follows when it is reaped
        if sock in ready:
            try:
                msg, fds, _flags, _addr = socket.recv_fds(sock, 1 << 16, 5)
            except InterruptedError:
                continue
            if not msg:
                for pid in workers:
                    kill_group(pid)
                return  # the grading process closed its end (or died)
            _fork_worker(msg, fds, sock, workers, by_ctl)


def _fork_worker(msg: bytes, fds: list, sock, workers: dict, by_ctl: dict) -> None:
    import signal

    try:
        req = json.loads(msg)
        if len(fds) != 5:
            raise ValueError("expected five descriptors")
        pid = os.fork()
    except (ValueError, OSError):
        for fd in fds:
            os.close(fd)  # the requester sees its control socket close without a pid
        return
    ctl, req_r, resp_w, out_w, err_w = fds
    if pid == 0:
        try:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            sock.close()
            _become_worker(req, req_r, resp_w, out_w, err_w)
        finally:
            os._exit(1)
    for fd in (req_r, resp_w, out_w, err_w):
        os.close(fd)
    workers[pid] = ctl
    by_ctl[ctl] = pid
    try:
        _send_all(ctl, b"P" + struct.pack("<i", pid))
    except OSError:
        kill_group(pid)


def _reap(workers: dict, by_ctl: dict) -> None:
    """Every ended child: a worker gets its group killed, its strays swept and its status reported."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        ctl = workers.pop(pid, None)
        if ctl is None:
            continue  # a stray, reaped
        by_ctl.pop(ctl, None)
        kill_group(pid)
        sweep(set(workers))
        try:
            _send_all(ctl, b"X" + struct.pack("<i", os.waitstatus_to_exitcode(status)))
        except OSError:
            pass
        os.close(ctl)


def _become_worker(req: dict, req_r: int, resp_w: int, out_w: int, err_w: int) -> None:
    os.setsid()
    die_with_parent()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out_w, 1)
    os.dup2(err_w, 2)
    keep = {0, 1, 2, req_r, resp_w}
    for name in os.listdir("/proc/self/fd") if os.path.isdir("/proc/self/fd") else []:
        fd = int(name)
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass
    work = req["dir"]
    os.chdir(work)
    os.environ["HOME"] = work
    os.environ["TMPDIR"] = work
    if "tempfile" in sys.modules:
        sys.modules["tempfile"].tempdir = None
    prctl(PR_SET_DUMPABLE, 1)  # as a freshly started worker is: the learner's code sees no difference
    try:
        run(req_r, resp_w, req["limits"])
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(0)


def kill_group(pid: int) -> None:
    """SIGKILL the process group led by `pid`, and `pid` itself (in case it has not called setsid yet)."""
    import signal

    for kill in (os.killpg, os.kill):  # the group (the worker leads its session); the worker itself if the
        try:                            # kill came before its setsid
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


# ---------------------------------------------------------------- process tree (also grader/engine/spawn.py's)


def child_pids() -> set:
    """This process's direct children, read from /proc (orphans land here when it is a subreaper):
    /proc/self/task/*/children where the kernel has it (one small file per thread), else every /proc/N/stat."""
    me = os.getpid()
    found = set()
    try:
        for tid in os.listdir(f"/proc/{me}/task"):
            with open(f"/proc/{me}/task/{tid}/children", "rb") as f:
                found.update(int(p) for p in f.read().split())
        return found
    except (OSError, ValueError):
        found = set()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                fields = f.read().decode(errors="replace").rsplit(")", 1)[-1].split()
        except OSError:
            continue
        if len(fields) > 1 and fields[1] == str(me):
            found.add(int(name))
    return found


def stopped(pid: int, depth: int = 3) -> bool:
    """Whether `pid` or one of its descendants (`depth` generations) is stopped (SIGSTOP, a tracer): a process
    that would never answer again although it is alive."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().rsplit(b")", 1)[-1].split()[0]
    except (OSError, IndexError):
        return False
    if state in (b"T", b"t"):
        return True
    if depth <= 0:
        return False
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return False
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                kids = [int(k) for k in f.read().split()]
        except (OSError, ValueError):
            continue
        if any(stopped(k, depth - 1) for k in kids):
            return True
    return False


def sweep(keep: set) -> int:
    """Kill and reap every child of this process not in `keep` (what a submission left behind, reparented here
    by the subreaper flag). Returns how many were killed."""
    import signal
    import time

    killed = 0
    for _ in range(50):
        strays = child_pids() - keep
        if not strays:
            break
        for pid in strays:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        for pid in strays:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        # the orphans of what was just reaped are ours already (reparented before their parent could be
        # waited for): when none is left, there is nothing to wait for; otherwise give a forking loop a moment
        if not child_pids() - keep:
            break
        time.sleep(0.01)
    return killed


def _send_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


if __name__ == "__main__":
    main()
