"""The optional sandbox (SECURITY.md §3 Tier 1): wrap the worker in bubblewrap when it works here.

Standard library only, like spawn.py: the CLI may start a worker before its heavy imports.

Modes (`grade section2 --sandbox auto|require|off`):
- `auto` (default): use bubblewrap if the sandbox starts here (probed once per process, cached); otherwise
  print a one-line banner on stderr and grade without it.
- `require`: no bubblewrap → exit 2 with a clear message (fails closed).
- `off`: never use it, no banner.
The isolation of DESIGN.md (separate process, -I-like flags, clean env, rlimits, watchdog, subreaper) stays on
in every mode; the sandbox adds the Data goals (SECURITY.md §4 G3).

What the sandboxed worker sees is an ALLOW-LIST (computed once per process, `allow_list()`), on an empty
root that is read-only: the interpreter (the symlinks from `sys.executable` to the binary, `pyvenv.cfg`, the
standard library, the shared libraries of the Python installation), numpy's package folder and the libraries
its wheel bundles (`numpy.libs`) but no other installed package, `grader/engine/worker.py` alone at SANDBOX_WORKER,
the system's library and program folders (`/usr/lib*`, `/lib*`, `/usr/bin`, `/bin`) with every Python package
folder in them (`site-packages`, `dist-packages`) masked by an empty tmpfs, `/etc/ld.so.cache`,
`/etc/localtime`, `/etc/alternatives`, a minimal `/dev` and the sandbox's own `/proc`. Nothing else exists in
there: not the project (solutions, checks, tests), not the grader package, not /home, /root (but the path to
the interpreter), /srv, /work, /usr/local, the host's /tmp, nor another copy of the course anywhere on the
machine. The worker's only writable space is one size-capped tmpfs (`TMPFS_SIZE`) at /tmp, whose `WORK_DIR`
is its cwd, HOME and TMPDIR (bwrap's own root and /dev are remounted read-only). The host folder the grader
stages the submission in (after the worker has started) is visible read-only at its own path: the load
request names it. No network (a network namespace with loopback only), a PID namespace of its own.
"""

from __future__ import annotations

import functools
import glob
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from grader.engine.numpy_home import numpy_home

MODES = ("auto", "require", "off")
BANNER_EN = "sandbox: OFF — data isolation not guaranteed"
BANNER_JA = "サンドボックス無効: データの隔離は保証されません"
BANNER = f"{BANNER_EN} / {BANNER_JA}"  # English first: the words a learner searches for (README: Troubleshooting)
TMPFS_SIZE = 64 << 20  # the worker's whole writable space (one tmpfs at /tmp: its cwd, HOME and TMPDIR)
SANDBOX_TMP = "/tmp"
WORK_DIR = "/tmp/work"  # cwd, HOME and TMPDIR inside the sandbox
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the grader package
WORKER_SCRIPT = Path(__file__).resolve().with_name("worker.py")
SANDBOX_WORKER = "/opt/grader-worker/worker.py"  # where the worker script is bound, alone (argv is rewritten)
# Shared libraries the loader and the interpreter's extension modules need (Debian multiarch, RPM lib64, …).
# Then /usr/bin and /bin: programs, no data (a submission may exec `sleep`; whatever they could read is this
# same allow-list, setuid does not work under bubblewrap).
SYSTEM_DIRS = ("/usr/lib", "/usr/lib64", "/usr/lib32", "/usr/libx32", "/lib", "/lib64", "/lib32", "/libx32",
               "/usr/bin", "/bin")
# /etc/alternatives: Debian resolves e.g. libblas.so.3 (a system numpy's BLAS) through it.
SYSTEM_EXTRAS = ("/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives")
PACKAGE_FOLDERS = ("site-packages", "dist-packages")

_probe: tuple[bool, str] | None = None
_banner_shown = False


class SandboxUnavailable(Exception):
    """`--sandbox require` and bubblewrap does not work here."""


def bwrap_path() -> str | None:
    return shutil.which("bwrap", path=os.environ.get("PATH", "") + ":/usr/bin:/bin")


_probe_started: tuple[subprocess.Popen, float] | None = None  # start_probe's process and its start time
_witness: Callable[[], bool] | None = None  # whether a worker started sandboxed before any probe comes up


def _precondition() -> str | None:
    """Why bubblewrap cannot work here without even trying it (None: try it)."""
    if os.environ.get("GRADER_SANDBOX_DISABLE"):  # lets tests see the "unavailable" paths on any machine
        return "GRADER_SANDBOX_DISABLE is set"
    if not sys.platform.startswith("linux"):
        return f"bubblewrap needs Linux (this is {sys.platform})"
    if bwrap_path() is None:
        return "bwrap not found (Debian/Ubuntu: apt-get install bubblewrap)"
    return None


def worth_trying() -> bool:
    """Whether to start a worker sandboxed before anything is known: nothing rules bubblewrap out here (False
    records why, for probe())."""
    global _probe
    if _probe is not None:
        return _probe[0]
    why = _precondition()
    if why is not None:
        _probe = (False, why)
    return why is None


def witness(comes_up: Callable[[], bool]) -> None:
    """A worker was started sandboxed before any probe (spawn.prestart): `comes_up()` — it got ready, having
    imported numpy in the very sandbox — answers probe() with more than the probe itself asks, and no probe
    interpreter competes with that worker's start and the CLI's imports. If it does not come up,
    probe() runs the probe proper to learn why."""
    global _witness
    if _probe is None and _probe_started is None:
        _witness = comes_up


def refused(why: str) -> None:
    """The sandbox cannot be set up here (the allow-list would show a folder it must hide): probe() says so."""
    global _probe, _witness
    _probe, _witness = (False, why), None


def start_probe() -> bool:
    """Start the probe, for probe() to wait on (the CLI's first worker, when there is one, answers first: see
    `witness`). False when it cannot even start (then probe() knows why at once)."""
    global _probe_started, _probe
    if _probe is not None or _probe_started is not None:
        return _probe is None or _probe[0]
    if not worth_trying():
        return False
    try:
        libs = [f for d in _numpy_dirs()[:1] for f in sorted(glob.glob(os.path.join(d, "*", "_multiarray_umath*.so")))]
        code = f"from _ctypes import dlopen\nfor f in {libs!r}: dlopen(f, {os.RTLD_NOW})"
        argv = wrap([sys.executable, "-I", "-S", "-c", code], None)
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                cwd="/", env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"})
    except SandboxUnavailable as e:
        refused(str(e))
        return False
    except OSError as e:
        _probe = (False, f"bwrap did not start: {e}")
        return False
    _probe_started = (proc, time.monotonic())
    return True


def probe() -> tuple[bool, str]:
    """(works, why not): start the interpreter once in the very sandbox a worker gets (the allow-list, the
    capped tmpfs, the read-only root) and remember the answer for this process. It dlopens numpy's core library
    (its bundled BLAS and the system libraries must resolve in there: a worker would die at its numpy import
    otherwise) without importing numpy (~0.1 s): ~20 ms in all, against ~7 ms for `bwrap … true`. An old
    bubblewrap without `--size` (< 0.5), or an install whose pieces lie outside the allow-list, fails here with
    the reason: `auto` then shows the banner and `require` exits 2, rather than implying a protection.
    Waits for the probe start_probe began, if any; asks the witness first, if there is one (see `witness`)."""
    global _probe, _probe_started, _witness
    if _probe is not None:
        return _probe
    if _witness is not None:
        comes_up, _witness = _witness, None
        if comes_up():
            _probe = (True, "")
            return _probe
    if _probe_started is None and not start_probe():
        return _probe  # type: ignore[return-value]
    assert _probe_started is not None
    proc, began = _probe_started
    _probe_started = None
    try:
        _, err = proc.communicate(timeout=max(0.1, 10 - (time.monotonic() - began)))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        _probe = (False, "bwrap did not start: timed out")
        return _probe
    if proc.returncode != 0:
        why = err.decode(errors="replace").strip().splitlines()
        _probe = (False, f"bwrap failed here: {why[-1] if why else 'exit ' + str(proc.returncode)}")
    else:
        _probe = (True, "")
    return _probe


def available() -> bool:
    return probe()[0]


def banner(lang: str = "both") -> str:
    """The line that says the sandbox is off, in the learner's language (ja, en or both)."""
    return {"ja": BANNER_JA, "en": BANNER_EN}.get(lang, BANNER)


def resolve(mode: str, warn=None, lang: str = "both") -> bool:
    """Whether to sandbox the worker in this mode. `require` without bubblewrap raises SandboxUnavailable;
    `auto` without it calls warn(banner(lang)) once per process (stderr in the CLI, so --json stays clean)."""
    global _banner_shown
    if mode not in MODES:
        raise ValueError(f"sandbox mode must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "off":
        return False
    works, why = probe()
    if works:
        return True
    if mode == "require":
        raise SandboxUnavailable(why)
    if warn is not None and not _banner_shown:
        _banner_shown = True
        warn(banner(lang))
    return False


# ---------------------------------------------------------------- the allow-list


def _inside(path: str, parent: str) -> bool:
    """path is parent or below it (both absolute and normalised)."""
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def _real(p: str | os.PathLike) -> str:
    return os.path.realpath(p)


def hidden_dirs(extra: list[Path] | tuple[Path, ...] = ()) -> list[Path]:
    """Folders that must never be visible, whatever the allow-list holds: the project (solutions/,
    grader/checks/, question_bank/, tests/), the grader package, the user's home, the host's /tmp and /var/tmp,
    plus `extra` (batch: the class's submissions, the results). Nothing of the allow-list may contain one of
    them; where a bound folder would (an odd install layout), the folder is masked by an empty tmpfs."""
    from_root = PACKAGE_DIR.parent
    out: list[Path] = []
    for c in (from_root, PACKAGE_DIR, Path.home(), "/tmp", "/var/tmp", *extra):
        try:
            d = Path(c).resolve()
        except (OSError, RuntimeError):
            continue
        if d.is_dir() and d != Path("/") and d not in out:
            out.append(d)
    return out


def _symlink_chain(path: str) -> list[tuple[str, str, str]]:
    """The mounts that make `path` work inside the sandbox as it does here: each symlink on the way from it
    to the real file recreated (a venv's bin/python → python3 → /…/bin/python3.11), the file bound read-only."""
    ops: list[tuple[str, str, str]] = []
    cur = os.path.abspath(path)
    for _ in range(40):
        if os.path.islink(cur):
            target = os.readlink(cur)
            ops.append(("symlink", target, cur))
            cur = os.path.normpath(os.path.join(os.path.dirname(cur), target))
            continue
        ops.append(("ro", _real(cur), cur))
        return ops
    raise SandboxUnavailable(f"too many symlinks from {path}")


def _package_folders(root: str) -> list[str]:
    """Python package folders in a bound system or standard-library folder: <root>/{site,dist}-packages and
    <root>/python*/{site,dist}-packages (e.g. /usr/lib/python3/dist-packages, <stdlib>/site-packages)."""
    found = []
    try:
        entries = sorted(os.listdir(root))
    except OSError:
        return found
    for name in entries:
        if name in PACKAGE_FOLDERS:
            found.append(os.path.join(root, name))
        elif name.startswith("python"):
            sub = os.path.join(root, name)
            found += [os.path.join(sub, p) for p in PACKAGE_FOLDERS if os.path.isdir(os.path.join(sub, p))]
    return [f for f in found if os.path.isdir(f) and not os.path.islink(f)]


@functools.cache
def _numpy_dirs() -> list[str]:
    """numpy's package folder and, next to it, the libraries its wheel bundles (numpy.libs). Found without
    importing it: the pre-started worker's numpy import overlaps the parent's own imports (~0.15 s)."""
    home = numpy_home()
    if not home:
        raise SandboxUnavailable("numpy is not installed for this interpreter")
    dirs = [os.path.join(home, "numpy")]
    libs = os.path.join(home, "numpy.libs")
    if os.path.isdir(libs):
        dirs.append(libs)
    return dirs


def _stdlib_dirs() -> list[str]:
    """The standard library and its extension modules: the entries of sys.path inside the Python installation
    (`sys.base_prefix`, `sys.base_exec_prefix`) that are not package folders, and os.py's folder."""
    homes = {_real(sys.base_prefix), _real(sys.base_exec_prefix), os.path.abspath(sys.base_prefix),
             os.path.abspath(sys.base_exec_prefix)}
    dirs = [os.path.dirname(os.path.abspath(os.__file__))]
    for p in sys.path:
        if not p or not os.path.isdir(p):
            continue
        a = os.path.abspath(p)
        if any(part in PACKAGE_FOLDERS for part in Path(a).parts):
            continue
        if any(_inside(a, h) and a != h for h in homes) and a not in dirs:
            dirs.append(a)
    return dirs


def _python_shared_libs() -> list[str]:
    """Shared libraries of the Python installation (libpython3.X.so.1.0 of a pyenv or python.org build, a conda
    prefix's libraries): the `*.so*` files directly in <base prefix>/lib, never the folders there."""
    out = []
    for prefix in {sys.base_prefix, sys.base_exec_prefix}:
        lib = os.path.join(prefix, "lib")
        try:
            names = sorted(os.listdir(lib))
        except OSError:
            continue
        for name in names:
            f = os.path.join(lib, name)
            if ".so" in name and os.path.isfile(f) and f not in out:
                out.append(f)
    return out


@functools.cache
def allow_list() -> list[tuple[str, str, str]]:
    """What the worker may read, as (kind, source, destination): "ro" (read-only bind), "symlink" (source is
    the link's text), "mask" (an empty read-only tmpfs over a package folder inside a bound folder). Computed
    once per process. Raises SandboxUnavailable if a needed piece is missing or the list would expose a
    hidden folder."""
    ops: list[tuple[str, str, str]] = []
    binds: list[str] = []  # bound folders (source = destination), to look for package folders inside

    def bind(path: str, folder: bool) -> None:
        """A folder at the path as written and at its real path; a file through its symlinks."""
        if not folder:
            ops.extend(_symlink_chain(path))
            return
        real = _real(path)
        for dest in dict.fromkeys((os.path.abspath(path), real)):
            ops.append(("ro", real, dest))
            if dest == real:
                binds.append(dest)

    for d in SYSTEM_DIRS:
        if os.path.islink(d):  # merged /usr: /lib -> usr/lib
            ops.append(("symlink", os.readlink(d), d))
        elif os.path.isdir(d):
            bind(d, True)
    for f in SYSTEM_EXTRAS:
        if os.path.exists(f):
            bind(f, os.path.isdir(f) and not os.path.islink(f))
    ops += _symlink_chain(sys.executable)
    exe_dir = os.path.dirname(os.path.abspath(sys.executable))
    for cfg in (os.path.join(exe_dir, "pyvenv.cfg"), os.path.join(os.path.dirname(exe_dir), "pyvenv.cfg")):
        if os.path.isfile(cfg):  # a venv: how the interpreter finds its home and its prefix
            bind(cfg, False)
            break
    for d in _stdlib_dirs():
        bind(d, True)
    for f in _python_shared_libs():
        bind(f, False)
    masks = {m for b in binds for m in _package_folders(b)}
    ops += [("mask", "", m) for m in sorted(masks)]
    for d in _numpy_dirs():
        ops.extend(_symlink_chain(d))
    ops.append(("ro", str(WORKER_SCRIPT), SANDBOX_WORKER))

    # What a bound folder already shows as it is on the host is left out (bwrap cannot create a symlink or a
    # mount point in a read-only bind: /usr/bin/python3 -> python3.11 under /usr/bin); not below a mask (numpy
    # in a masked site-packages is bound back into the empty tmpfs).
    def shown(kind: str, src: str, dest: str) -> bool:
        if kind == "mask" or (kind == "ro" and src != dest):
            return False
        if any(k == "mask" and _inside(dest, d) for k, _, d in ops):
            return False
        return any(_inside(dest, b) and dest != b for b in binds)

    ops = list(dict.fromkeys(op for op in ops if not shown(*op)))

    # The guard: no allowed folder may hold the project, the grader package, the home folder or the host's /tmp.
    for h in hidden_dirs():
        for where in _shown_at(str(h), ops):
            if not any(k == "mask" and _inside(where, d) for k, _, d in ops):
                raise SandboxUnavailable(f"the sandbox would expose {h} (at {where})")
    return ops


def _shown_at(host_path: str, ops: list[tuple[str, str, str]]) -> list[str]:
    """Where a host folder would appear inside the sandbox through the folders bound in `ops`."""
    out = []
    for kind, src, dest in ops:
        if kind == "ro" and _inside(host_path, src) and os.path.isdir(src):
            where = os.path.normpath(os.path.join(dest, os.path.relpath(host_path, src)))
            if where not in out:
                out.append(where)
    return out


def _depth(path: str) -> int:
    return len(Path(path).parts)


def wrap(argv: list[str], workdir: str | None, hide: list[Path] | tuple[Path, ...] = ()) -> list[str]:
    """The worker's argv inside bubblewrap: an empty read-only root, the allow-list, the capped tmpfs at /tmp
    (cwd, HOME, TMPDIR), `workdir` (where the parent stages the submission) bound read-only at its own path.
    `hide`: folders that must stay invisible (batch: the class's submissions, the results); masked if an
    allowed folder holds one. `workdir` None: the probe."""
    bwrap = bwrap_path()
    if bwrap is None:
        raise SandboxUnavailable("bwrap not found")
    ops = list(allow_list())
    # The worker script, however spawn.py names it, runs from SANDBOX_WORKER: not a trace of the project's
    # grader folder inside.
    argv = [SANDBOX_WORKER if a.endswith("worker.py") and _real(a) == str(WORKER_SCRIPT) else a for a in argv]
    ops.append(("tmpfs", "", SANDBOX_TMP))  # with WORK_DIR in it
    if workdir is not None:
        work = _real(workdir)
        ops.append(("ro", work, work))
    for h in hide:  # not there anyway, unless an allowed folder holds one (an odd layout): then masked
        ops += [("mask", "", where) for where in _shown_at(_real(h), ops)]
    # Parents before children (a mount stacks on what is there); at one path, a mask after a bind.
    order = {"symlink": 0, "ro": 0, "tmpfs": 0, "mask": 1}
    ops.sort(key=lambda o: (_depth(o[2]), order[o[0]]))
    args = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--dev", "/dev", "--proc", "/proc"]
    done: set[tuple[str, str, str]] = set()
    remount = []
    for op in ops:
        if op in done:
            continue
        done.add(op)
        kind, src, dest = op
        if kind == "ro":
            args += ["--ro-bind", src, dest]
        elif kind == "symlink":
            args += ["--symlink", src, dest]
        elif kind == "tmpfs":
            args += ["--size", str(TMPFS_SIZE), "--tmpfs", dest, "--dir", WORK_DIR]
        else:  # mask: empty, then read-only once whatever is bound below it (numpy) is in place
            args += ["--size", "4096", "--tmpfs", dest]
            remount.append(dest)
    # bwrap's own root and /dev are tmpfs without a size: read-only, so /tmp is the only place to write
    # (non-recursive: /tmp and /dev/pts stay as they are; writing to /dev/null still works).
    for dest in (*remount, "/dev", "/"):
        args += ["--remount-ro", dest]
    args += ["--chdir", WORK_DIR, "--setenv", "HOME", WORK_DIR, "--setenv", "TMPDIR", WORK_DIR, "--"]
    return args + argv


def status_text(on: bool) -> str:
    return "on" if on else "off"
