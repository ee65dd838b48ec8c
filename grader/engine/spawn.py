"""Start, talk to and kill one worker child (standard library only, so the CLI can start it before heavy imports)."""

from __future__ import annotations

import json
import os
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from grader.engine.numpy_home import numpy_home
from grader.engine.worker import PR_SET_CHILD_SUBREAPER, kill_group, prctl, stopped, sweep
from grader.engine.worker import child_pids as child_pids  # re-exported: proxy and batch take it from here

WORKER_SCRIPT = Path(__file__).with_name("worker.py")
START_TIMEOUT = 20.0  # seconds a worker may take to start (python, numpy) before it counts as dead
OUTPUT_CAP = 64 << 10  # learner output kept for display; the rest is drained and counted
MAX_FRAME = 256 << 20
MAX_HEADER = 8 << 20  # the JSON part of one answer
LIMITS = {"memory": 2 << 30, "cpu": 120, "fsize": 64 << 20, "recursion": 3000}
_PASSTHROUGH_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "SYSTEMROOT")
_subreaper_set = False
_pidns: tuple[list[str], str] | None = None
_pidns_probe: tuple[subprocess.Popen, list[str]] | None = None  # started, not yet waited for
_pidns_candidate: list[str] | None = None  # the prefix the probe tries
# `sh` as the namespace's init, the command as its child (pid 2: ordinary signal semantics, unlike an init);
# `; exit $?` keeps sh from exec-ing the command in its place, and relays a death by signal N as 128 + N.
_INIT = ["/bin/sh", "-c", 'unset PWD OLDPWD; "$0" "$@"; exit $?']  # sh would add PWD to the allow-listed env


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", "rb") as f:
            return [int(k) for k in f.read().split()]
    except (OSError, ValueError):
        return []


_user: tuple[int, int] | None | bool = False  # False: not looked up yet


def worker_user() -> tuple[int, int] | None:
    """(uid, gid) that unsandboxed workers run as: GRADER_WORKER_USER (a user name or a number) when the grader
    runs as root, else None (workers keep the grader's uid). As another uid a worker cannot read what its user
    may not (hidden checks made private to root: grade gradescope does), nor signal or trace the grader."""
    global _user
    if _user is False:
        want = os.environ.get("GRADER_WORKER_USER", "")
        _user = None
        if want and os.geteuid() == 0:
            import pwd

            try:
                entry = pwd.getpwuid(int(want)) if want.isdigit() else pwd.getpwnam(want)
            except (KeyError, ValueError):
                raise OSError(f"GRADER_WORKER_USER: no user {want!r} on this machine") from None
            _user = (entry.pw_uid, entry.pw_gid)
    return _user  # type: ignore[return-value]


def _isolated(argv: list[str], workdir: str, pidns: list[str] | None = None) -> list[str]:
    """`argv` in the worker's PID namespace (when there is one; `pidns`: the prefix to use, by default the probed
    one) and as the worker user (when one is set); that user then owns `workdir`, its cwd and HOME."""
    drop: list[str] = []
    user = worker_user()
    if user is not None:
        setpriv = shutil.which("setpriv", path="/usr/bin:/bin:/usr/sbin:/sbin")
        if setpriv is None:
            raise OSError("GRADER_WORKER_USER needs util-linux setpriv")
        os.chown(workdir, *user)
        drop = [setpriv, f"--reuid={user[0]}", f"--regid={user[1]}", "--clear-groups", "--no-new-privs",
                "--inh-caps=-all", "--bounding-set=-all"]
    return [*(pid_namespace()[0] if pidns is None else pidns), *drop, *argv]


def pid_warning(sandboxed: bool, lang: str = "both") -> str | None:
    """The line the CLI shows when workers would share the grader's PID space (no sandbox, no PID namespace), in
    the learner's language (ja, en or both)."""
    if sandboxed or pid_namespace()[0]:
        return None
    ja = "PID 名前空間なし: 提出物が採点プロセスにシグナルを送れます"
    en = f"no PID namespace: a submission can signal the grader's processes ({pid_namespace()[1]})"
    return {"ja": ja, "en": en}.get(lang, f"{ja} / {en}")


def pid_namespace() -> tuple[list[str], str]:
    """(argv prefix, why not): run a command in a PID namespace of its own, where it cannot name — and so cannot
    signal — the grader or any process outside (SECURITY.md row 54), and where everything it starts dies with
    it. A /proc of its own too (a mount namespace): the grader's processes, their command lines and
    environments are not listed there. util-linux `unshare`; as a normal user with a user namespace too.
    Probed once per process; ([], reason) where the kernel or the machine does not allow it (the CLI then says
    so: it never implies protection). Waits for the probe start_pid_probe began, if any."""
    global _pidns, _pidns_probe
    if _pidns is None:
        start_pid_probe()
    if _pidns is None:
        assert _pidns_probe is not None
        proc, prefix = _pidns_probe
        try:
            ok = proc.wait(timeout=10) == 0
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            ok = False
        _pidns_probe = None
        _pidns = (prefix, "") if ok else ([], "the kernel refused a PID namespace (unshare --pid)")
    return _pidns


def pid_prefix_now() -> list[str]:
    """The PID-namespace prefix to start a worker with now: the probed one, or, while the probe has not answered,
    the one it tries (take_worker replaces a worker so started if the probe then says no). [] when a PID
    namespace is known not to be there."""
    global _pidns, _pidns_candidate
    if _pidns is not None:
        return _pidns[0]
    if _pidns_probe is not None:
        return _pidns_probe[1]
    if _pidns_candidate is None:
        unshare = shutil.which("unshare", path="/usr/bin:/bin:/usr/sbin:/sbin")
        if os.environ.get("GRADER_PIDNS_DISABLE"):  # lets tests see the "unavailable" path on any machine
            _pidns = ([], "GRADER_PIDNS_DISABLE is set")
            return []
        if not sys.platform.startswith("linux") or unshare is None:
            _pidns = ([], "no util-linux unshare here")
            return []
        user = [] if os.geteuid() == 0 else ["--user", "--map-root-user"]
        # setpriv --pdeathsig: unshare dies with the grader (even by SIGKILL), and --kill-child then takes the
        # namespace's init, and so every process in it, along
        setpriv = shutil.which("setpriv", path="/usr/bin:/bin:/usr/sbin:/sbin")
        first = [setpriv, "--pdeathsig", "KILL"] if setpriv else []
        _pidns_candidate = [*first, unshare, *user, "--pid", "--fork", "--kill-child", "--mount-proc", "--", *_INIT]
    return _pidns_candidate


def start_pid_probe() -> None:
    """Start pid_namespace's probe in the background (WorkerProcess does, right after starting its worker with
    pid_prefix_now's prefix: the probe is off the path to the first worker)."""
    global _pidns, _pidns_probe
    prefix = pid_prefix_now()
    if _pidns is not None or _pidns_probe is not None:
        return
    try:
        proc = subprocess.Popen([*prefix, "/bin/true"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    except OSError:
        _pidns = ([], "the kernel refused a PID namespace (unshare --pid)")
        return
    _pidns_probe = (proc, prefix)


class WorkerDied(Exception):
    """The worker ended (exit, crash, kill) before it answered."""


class WorkerMalformed(WorkerDied):
    """The worker's answer broke the framing (a bad length, count or header); it has been killed."""


class WorkerOversize(Exception):
    """The worker's answer is larger than the caller's byte budget; it has been killed, the rest left unread."""


class WorkerTimedOut(Exception):
    """The worker did not answer before the wall-clock deadline; it has been killed."""


def become_subreaper() -> None:
    """Orphans of the worker (double fork + setsid) reparent to us, so we can find and kill them."""
    global _subreaper_set
    if _subreaper_set or not sys.platform.startswith("linux"):
        return
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    _subreaper_set = True


def worker_env(home: str) -> dict[str, str]:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    env.update({k: os.environ[k] for k in _PASSTHROUGH_ENV if k in os.environ})
    env["GRADER_NUMPY_HOME"] = numpy_home()  # the worker runs without site (-S): where its numpy is
    return env


class _Drain(threading.Thread):
    """Read a learner output pipe to the end, keeping the first OUTPUT_CAP bytes."""

    def __init__(self, fd: int):
        super().__init__(daemon=True)
        self.fd = fd
        self.kept = bytearray()
        self.total = 0

    def run(self) -> None:
        try:
            while True:
                chunk = os.read(self.fd, 1 << 16)
                if not chunk:
                    break
                self.total += len(chunk)
                if len(self.kept) < OUTPUT_CAP:
                    self.kept += chunk[: OUTPUT_CAP - len(self.kept)]
        except OSError:
            pass
        finally:
            os.close(self.fd)


def _python_flags() -> list[str]:
    """No site (-S: no .pth file runs, nor the editable install's finder: docs/SPEED.md; the
    worker puts numpy's folder on its path itself), no user site, no bytecode written, no script folder."""
    return ["-S", "-s", "-B"] + (["-P"] if sys.version_info >= (3, 11) else [])


class WorkerTemplate:
    """A pre-loaded worker template (`worker.py --template`): python and numpy started once, a worker forked
    from it per submission in a few milliseconds instead of ~0.15 s (batch grading; not with the sandbox,
    whose namespaces are made per worker by bubblewrap). Protocol and guarantees: grader/engine/worker.py."""

    def __init__(self) -> None:
        import socket  # here and for the template's workers only: not on the path to the first worker

        become_subreaper()
        self.dir = tempfile.mkdtemp(prefix="grade-template-")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.proc = subprocess.Popen(
            _isolated([sys.executable, *_python_flags(), str(WORKER_SCRIPT), "--template", str(theirs.fileno())],
                      self.dir),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=self.dir,
            env=worker_env(self.dir),
            pass_fds=(theirs.fileno(),),
            close_fds=True,
            start_new_session=True,
        )
        theirs.close()
        self.sock = ours

    def alive(self) -> bool:
        """Running and able to serve: a template that a worker stopped (SIGSTOP) counts as gone, and so does one
        whose PID-namespace wrappers (unshare → sh) outlive it for a moment after it was killed."""
        if self.proc.poll() is not None or stopped(self.proc.pid):
            return False
        pid = self.proc.pid
        for _ in range(len(pid_namespace()[0]) and 2):  # unshare → sh → the template
            kids = _children(pid)
            if not kids:
                return False
            pid = min(kids)
        return True

    def fork(self, workdir: str, limits: dict[str, int], fds: list[int]) -> _Forked:
        """Ask for a worker on `fds` (req_r, resp_w, stdout, stderr); OSError when the template is gone."""
        import socket

        ctl, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            socket.send_fds(self.sock, [json.dumps({"dir": workdir, "limits": limits}).encode()],
                            [theirs.fileno(), *fds])
        except OSError:
            ctl.close()
            raise
        finally:
            theirs.close()
        return _Forked(ctl)

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
        kill_group(self.proc.pid)  # the template (its workers follow: parent-death signal)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


class _Forked:
    """A worker forked by the template, seen through its control socket: the part of Popen WorkerProcess uses."""

    def __init__(self, ctl: socket.socket):  # noqa: F821 - a name for the reader (annotations are not evaluated)
        self.ctl = ctl
        self.buf = b""
        self._pid: int | None = None
        self.code: int | None = None
        self.gone = False  # the socket closed without a status (the template was killed)

    def _read(self, timeout: float | None) -> None:
        if self.gone:
            return
        ready, _, _ = select.select([self.ctl], [], [], timeout)
        if not ready:
            return
        try:
            data = self.ctl.recv(64)
        except OSError:
            data = b""
        if not data:
            self.gone = True
            return
        self.buf += data
        while len(self.buf) >= 5:
            kind, value = self.buf[:1], struct.unpack("<i", self.buf[1:5])[0]
            self.buf = self.buf[5:]
            if kind == b"P":
                self._pid = value
            elif kind == b"X":
                self.code = value

    @property
    def pid(self) -> int:
        deadline = time.monotonic() + 10
        while self._pid is None and not self.gone and time.monotonic() < deadline:
            self._read(deadline - time.monotonic())
        return self._pid if self._pid is not None else -1

    def poll(self) -> int | None:
        self._read(0)
        return self.code

    def wait(self, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        while self.code is None and not self.gone:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise subprocess.TimeoutExpired("worker", timeout)
            self._read(remaining)
        return self.code

    def kill(self) -> None:
        """The template kills the worker's group, sweeps its strays and then reports the status."""
        try:
            self.ctl.send(b"K")
        except OSError:
            pass

    def close(self) -> None:
        self.gone = True  # poll() and wait() answer from what was read (the status came before the close)
        self.ctl.close()


_template: WorkerTemplate | None = None
# GRADER_WORKER_TEMPLATE=1 forks every unsandboxed worker of this process from a template (tests run the
# hostile corpus both ways with it); `grade batch` turns it on in its grading processes with use_template().
_template_wanted = os.environ.get("GRADER_WORKER_TEMPLATE") == "1"


def use_template(on: bool = True) -> None:
    """Fork this process's unsandboxed workers from a pre-loaded template (started now, in the background)."""
    global _template_wanted
    _template_wanted = on
    if on:
        _get_template()
    else:
        close_template()


def _get_template() -> WorkerTemplate | None:
    global _template
    if not _template_wanted:
        return None
    if _template is not None and not _template.alive():  # killed (by a submission?): start another
        _template.close()
        _template = None
    if _template is None:
        _template = WorkerTemplate()
    return _template


def close_template() -> None:
    global _template
    if _template is not None:
        _template.close()
        _template = None


def protected_pids() -> set[int]:
    """Children of ours that are not a submission's strays."""
    return {_template.proc.pid} if _template is not None else set()


class WorkerProcess:
    """One worker child: a private temp dir, two frame pipes, two capped output pipes."""

    def __init__(self, limits: dict[str, int] | None = None, sandbox: bool = False, hide: tuple[Path, ...] = ()):
        self.dir = tempfile.mkdtemp(prefix="grade-")
        self.sandboxed = sandbox
        self.unprobed = False
        self.relayed = sandbox  # a wrapper (bwrap, sh in a PID namespace) reports a death by signal N as 128 + N
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        template = None if sandbox else _get_template()
        self.proc: subprocess.Popen | _Forked
        try:
            try:
                if template is None:
                    raise OSError
                if worker_user() is not None:
                    os.chown(self.dir, *worker_user())  # type: ignore[misc]
                self.proc = template.fork(self.dir, limits or LIMITS, [req_r, resp_w, out_w, err_w])
            except OSError:
                argv = [sys.executable, *_python_flags(), str(WORKER_SCRIPT), str(req_r), str(resp_w),
                        json.dumps(limits or LIMITS)]
                if sandbox:  # bubblewrap around the same argv; the pipes pass through its exec (engine/sandbox.py)
                    from grader.engine.sandbox import wrap

                    argv = wrap(argv, self.dir, hide)
                else:  # bubblewrap has its own PID namespace; without it, one of unshare's (and the worker user)
                    pidns = pid_prefix_now()
                    self.unprobed = _pidns is None  # started before the probe answered: take_worker checks its answer
                    argv = _isolated(argv, self.dir, pidns)
                    self.relayed = bool(pidns)
                self.proc = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=out_w,
                    stderr=err_w,
                    cwd=self.dir,
                    env=worker_env(self.dir),
                    pass_fds=(req_r, resp_w),
                    close_fds=True,
                    start_new_session=True,
                )
        except BaseException:  # not started (bubblewrap refused the allow-list, no fork): nothing of it is left
            for fd in (req_r, req_w, resp_r, resp_w, out_r, out_w, err_r, err_w):
                os.close(fd)
            shutil.rmtree(self.dir, ignore_errors=True)
            raise
        if self.unprobed:
            start_pid_probe()
        # orphans of the worker come back to us: set before any learner code runs (it runs on a request, never
        # at start), after the start itself so that the ctypes import is not on the worker's path
        become_subreaper()
        for fd in (req_r, resp_w, out_w, err_w):
            os.close(fd)
        os.set_blocking(req_w, False)
        self.req_w = req_w
        self.resp_r = resp_r
        self.rbuf = bytearray()
        self.out = _Drain(out_r)
        self.err = _Drain(err_r)
        self.out.start()
        self.err.start()
        self.ready = False
        self.dead = False

    # ---------------------------------------------------------------- frames
    def _read_exact(self, n: int, deadline: float) -> bytes:
        """n bytes of the answer. Reads what the pipe holds (a whole answer is usually one read) into a buffer,
        rather than a select and a read per length prefix and per frame."""
        buf = self.rbuf
        while len(buf) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WorkerTimedOut
            ready, _, _ = select.select([self.resp_r], [], [], remaining)
            if not ready:
                raise WorkerTimedOut
            chunk = os.read(self.resp_r, min(max(n - len(buf), 1 << 16), 1 << 20))
            if not chunk:
                self._settle()
                raise WorkerDied
            buf += chunk
        out = bytes(buf[:n])
        del buf[:n]
        return out

    def _read_frame(self, deadline: float, budget: list[int]) -> bytes:
        """One length-prefixed frame, charged to `budget` (a one-item list: bytes still allowed) before it is
        read, so an answer over the budget never reaches this process's memory."""
        (n,) = struct.unpack(">I", self._read_exact(4, deadline))
        if n > MAX_FRAME:
            raise WorkerMalformed("frame too large")
        budget[0] -= n + 4
        if budget[0] < 0:
            raise WorkerOversize
        return self._read_exact(n, deadline)

    def _recv(self, deadline: float, limit: int = MAX_FRAME) -> tuple[dict, list[bytes], int]:
        """One answer: (header, frames, bytes read). Malformed → WorkerDied; over `limit` bytes → WorkerOversize."""
        budget = [limit]
        raw = self._read_frame(deadline, budget)
        if len(raw) > MAX_HEADER:
            raise WorkerMalformed("header too large")
        try:
            header = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: JSON nested deeper than the parser's stack
            raise WorkerMalformed("the header is not JSON") from None
        if not isinstance(header, dict):
            raise WorkerMalformed("the header is not an object")
        n = header.pop("nframes", 0)
        if type(n) is not int or not 0 <= n <= 10_000:
            raise WorkerMalformed("bad frame count")
        frames = [self._read_frame(deadline, budget) for _ in range(n)]
        return header, frames, limit - budget[0]

    def _settle(self) -> None:
        """The worker closed its pipe: under bwrap, let bwrap exit with the worker's status (128 + signal)
        before kill() would replace it with our SIGKILL. Without the sandbox the worker is already gone."""
        if self.relayed or isinstance(self.proc, _Forked):  # forked: the template reports once it has reaped
            try:
                self.proc.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                pass

    def wait_ready(self, timeout: float) -> None:
        if self.ready:
            return
        try:
            header, _, _ = self._recv(time.monotonic() + timeout, MAX_HEADER)
        except (WorkerDied, WorkerTimedOut):
            self.kill()
            raise
        if header.get("ready") is not True:
            self.kill()
            raise WorkerDied("worker did not start")
        self.ready = True

    def request(self, header: dict, frames: list[bytes], timeout: float,
                limit: int = MAX_FRAME) -> tuple[dict, list[bytes], int]:
        """Send one request and wait for its answer (header, frames, bytes); on timeout, death or an answer over
        `limit` bytes the worker is killed."""
        if self.dead:
            raise WorkerDied
        deadline = time.monotonic() + timeout
        try:
            self.wait_ready(timeout)
            parts = [json.dumps(dict(header, nframes=len(frames))).encode(), *frames]
            data = b"".join(struct.pack(">I", len(p)) + p for p in parts)
            self._write_all(data, deadline)
            return self._recv(deadline, limit)
        except (WorkerDied, WorkerTimedOut, WorkerOversize, ValueError, BrokenPipeError):
            self.kill()
            raise

    def _write_all(self, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        while view:
            try:  # non-blocking: a request that fits the pipe goes out without waiting for select
                n = os.write(self.req_w, view[: 1 << 16])
            except BrokenPipeError:
                raise WorkerDied from None
            except BlockingIOError:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise WorkerTimedOut from None
                _, writable, _ = select.select([], [self.req_w], [], remaining)
                if not writable:
                    raise WorkerTimedOut from None
                continue
            view = view[n:]

    # ---------------------------------------------------------------- end
    def kill(self) -> None:
        """SIGKILL the whole process group (the worker's own session) and reap it."""
        if self.dead:
            return
        self.dead = True
        if isinstance(self.proc, _Forked):
            self.proc.kill()
        else:
            kill_group(self.proc.pid)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if isinstance(self.proc, _Forked):
            self.proc.close()
        for fd in (self.req_w, self.resp_r):
            try:
                os.close(fd)
            except OSError:
                pass

    def returncode(self) -> int | None:
        rc = self.proc.poll()
        if self.relayed and rc is not None and rc > 128:
            return -(rc - 128)  # bwrap and sh report a child killed by signal N as exit 128 + N
        return rc

    def output(self) -> tuple[bytes, int]:
        """The learner's captured stdout+stderr (capped) and the total number of bytes it wrote."""
        for d in (self.out, self.err):
            d.join(timeout=0.5)
        return bytes(self.out.kept) + bytes(self.err.kept), self.out.total + self.err.total

    def cleanup(self) -> None:
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def never_forked(self) -> bool:
        """Asked of a template that died before it forked this worker (a submission killed the template a moment
        ago, and it still looked alive): nothing of the learner ever ran in it."""
        return isinstance(self.proc, _Forked) and self.proc.pid == -1


def reap_strays(keep: set[int]) -> int:
    """Kill and reap every child of ours not in `keep` (processes a submission left behind) but the worker
    template. Returns the count."""
    return sweep(keep | protected_pids())


_prestarted: WorkerProcess | None = None


def _sandbox_mode_from_argv() -> str:
    """The --sandbox value of this command line (prestart runs before typer parses it); default auto."""
    argv = sys.argv[1:]
    for i, a in enumerate(argv):
        if a == "--sandbox" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--sandbox="):
            return a.split("=", 1)[1]
    return "auto"


def prestart(sandbox: bool | None = None) -> None:
    """Start a worker now, so its numpy import overlaps the parent's work: the CLI's imports (grader.cli.launch),
    or the learner's editing between two saves (watch). `sandbox` None: as this command line's --sandbox says."""
    global _prestarted
    if _prestarted is None:
        if sandbox is None:
            from grader.engine import sandbox as bwrap

            # started sandboxed on the chance that bubblewrap works; whether it comes up then answers the probe
            # (sandbox.witness: no probe interpreter competes with it and with the CLI's imports), and take_worker
            # replaces it if the answer is no
            if _sandbox_mode_from_argv() in ("auto", "require") and bwrap.worth_trying():
                try:
                    _prestarted = WorkerProcess(sandbox=True)
                except bwrap.SandboxUnavailable as e:  # the allow-list would show what it must hide: no sandbox
                    bwrap.refused(str(e))
                else:
                    bwrap.witness(_comes_up(_prestarted))
                    return
            sandbox = False
        _prestarted = WorkerProcess(sandbox=sandbox)


def _comes_up(worker: WorkerProcess) -> Callable[[], bool]:
    """Whether `worker` gets ready (it has imported numpy), asked once, waiting up to START_TIMEOUT."""
    def ready() -> bool:
        try:
            worker.wait_ready(START_TIMEOUT)
        except (WorkerDied, WorkerTimedOut):
            return False
        return True
    return ready


def discard_prestarted() -> None:
    """Stop the pre-started worker nobody took (a watch that ends, a command that failed before grading)."""
    global _prestarted
    w, _prestarted = _prestarted, None
    if w is not None:
        w.cleanup()


def take_worker(sandbox: bool = False, hide: tuple[Path, ...] = ()) -> WorkerProcess:
    """The pre-started worker if there is one, else a new one."""
    global _prestarted
    w, _prestarted = _prestarted, None
    if w is not None and w.dead:  # it never came up (the sandbox's witness found so) or was killed
        w.cleanup()
        w = None
    if w is not None and (w.sandboxed != sandbox or (sandbox and hide)):
        w.cleanup()  # started for another sandbox setting (or before we knew what to hide): not this one
        w = None
    if w is not None and w.unprobed and not pid_namespace()[0]:
        w.cleanup()  # started in a PID namespace before the probe said there is none: it never got going
        w = None
    return w if w is not None else WorkerProcess(sandbox=sandbox, hide=hide)
