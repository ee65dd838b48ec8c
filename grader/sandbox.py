"""The optional sandbox (SECURITY.md §3 Tier 1): wrap the worker in bubblewrap when it works here.

Standard library only, like spawn.py: the CLI may start a worker before its heavy imports.

Modes (`grade section2 --sandbox auto|require|off`):
- `auto` (default): use bubblewrap if a trivial sandbox starts here (probed once per process, cached); otherwise
  print a one-line banner on stderr and grade without it.
- `require`: no bubblewrap → exit 2 with a clear message (fails closed).
- `off`: never use it, no banner.
The isolation of DESIGN.md (separate process, -I-like flags, clean env, rlimits, watchdog, subreaper) stays on
in every mode; the sandbox adds the Data goals (SECURITY.md §4 G3): the grader's folders, the reference
solutions, hidden checks, the home folder and /tmp are hidden, the rest of the file system is read-only, there
is no network, and the worker lives in its own PID namespace (orphans die with it).
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

MODES = ("auto", "require", "off")
BANNER = "sandbox: OFF — data isolation not guaranteed / サンドボックス無効: データの隔離は保証されません"
TMPFS_SIZE = 64 << 20  # per private tmpfs (/tmp, /dev/shm inside the sandbox)
PACKAGE_DIR = Path(__file__).resolve().parent
WORKER_SCRIPT = PACKAGE_DIR / "worker.py"

_probe: tuple[bool, str] | None = None
_banner_shown = False


class SandboxUnavailable(Exception):
    """`--sandbox require` and bubblewrap does not work here."""


def bwrap_path() -> str | None:
    return shutil.which("bwrap", path=os.environ.get("PATH", "") + ":/usr/bin:/bin")


def _base_args(bwrap: str) -> list[str]:
    return [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
            "--unshare-all", "--die-with-parent", "--new-session"]


def probe() -> tuple[bool, str]:
    """(works, why not): start a trivial sandbox once per process and remember the answer."""
    global _probe
    if _probe is not None:
        return _probe
    if os.environ.get("GRADER_SANDBOX_DISABLE"):  # lets tests see the "unavailable" paths on any machine
        _probe = (False, "GRADER_SANDBOX_DISABLE is set")
        return _probe
    if not sys.platform.startswith("linux"):
        _probe = (False, f"bubblewrap needs Linux (this is {sys.platform})")
        return _probe
    bwrap = bwrap_path()
    if bwrap is None:
        _probe = (False, "bwrap not found (Debian/Ubuntu: apt-get install bubblewrap)")
        return _probe
    true = shutil.which("true") or "/bin/true"
    try:
        proc = subprocess.run([*_base_args(bwrap), "--", true], stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as e:
        _probe = (False, f"bwrap did not start: {e}")
        return _probe
    if proc.returncode != 0:
        why = proc.stderr.decode(errors="replace").strip().splitlines()
        _probe = (False, f"bwrap failed here: {why[-1] if why else 'exit ' + str(proc.returncode)}")
    else:
        _probe = (True, "")
    return _probe


def available() -> bool:
    return probe()[0]


def resolve(mode: str, warn=None) -> bool:
    """Whether to sandbox the worker in this mode. `require` without bubblewrap raises SandboxUnavailable;
    `auto` without it calls warn(BANNER) once per process (stderr in the CLI, so --json stays clean)."""
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
        warn(BANNER)
    return False


def _inside(path: Path, parent: Path) -> bool:
    return path != parent and parent in path.parents


def _existing_dir(p: str | os.PathLike | None) -> Path | None:
    if not p:
        return None
    try:
        q = Path(p).resolve()
    except (OSError, RuntimeError):
        return None
    return q if q.is_dir() else None


def hidden_dirs(extra: list[Path] | tuple[Path, ...] = ()) -> list[Path]:
    """What the worker must not see: the project (solutions/, grader/checks/, question_bank/, tests/), the
    installed grader package, the user's home, /tmp and /var/tmp (other submissions, other workers), plus
    `extra` (e.g. the folder a submission came from)."""
    from_root = Path(__file__).resolve().parent.parent
    candidates = [from_root, PACKAGE_DIR, Path.home(), "/tmp", "/var/tmp", *extra]
    out: list[Path] = []
    for c in candidates:
        d = _existing_dir(c)
        if d is not None and d != Path("/") and d not in out:
            out.append(d)
    return out


def needed_paths() -> list[Path]:
    """What the worker needs to read: the interpreter, its standard library and site-packages (numpy), and
    the worker script. Bound back read-only where a hidden folder covers them (e.g. a venv in the repo)."""
    paths: list[Path] = []
    for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, *_site_dirs()):
        d = _existing_dir(p)
        if d is not None:
            paths.append(d)
    try:
        exe = Path(sys.executable).resolve()
        paths.append(exe.parent)
    except OSError:
        pass
    import importlib.util

    spec = importlib.util.find_spec("numpy")  # its location only: importing it here would serialise the
    if spec is not None and spec.origin:     # numpy import that the pre-started worker overlaps (~0.15 s)
        paths.append(Path(spec.origin).resolve().parent.parent)
    paths.append(WORKER_SCRIPT)
    return paths


def _site_dirs() -> list[str]:
    dirs: list[str] = []
    try:
        dirs += site.getsitepackages()
    except AttributeError:
        pass
    dirs += [p for p in sys.path if p.endswith(("site-packages", "dist-packages"))]
    return dirs


def wrap(argv: list[str], workdir: str, hide: list[Path] | tuple[Path, ...] = ()) -> list[str]:
    """The worker's argv inside bubblewrap: read-only root, the hidden folders replaced by empty tmpfs, what
    the interpreter needs bound back read-only, the worker's own temp dir bound read-write."""
    bwrap = bwrap_path()
    if bwrap is None:
        raise SandboxUnavailable("bwrap not found")
    work = Path(workdir).resolve()
    hidden = hidden_dirs(list(hide))
    mounts: list[tuple[Path, str]] = [(h, "hide") for h in hidden]
    # Bind back only what a hidden folder covers; never re-expose a hidden folder itself (or a parent of one,
    # e.g. a site-packages that holds a non-editable install of the grader: its package dir is hidden again).
    for p in needed_paths():
        if any(_inside(p, h) for h in hidden) and all(p != h for h in hidden):
            mounts.append((p, "keep"))
    mounts.append((work, "work"))
    mounts.sort(key=lambda m: (len(m[0].parts), m[1] != "hide"))  # parents first: later mounts stack on top
    args = _base_args(bwrap) + ["--size", str(TMPFS_SIZE), "--tmpfs", "/dev/shm"]
    done: set[tuple[Path, str]] = set()
    for path, kind in mounts:
        if (path, kind) in done:
            continue
        done.add((path, kind))
        if kind == "hide":
            args += ["--size", str(TMPFS_SIZE), "--tmpfs", str(path)]
        elif kind == "keep":
            args += ["--ro-bind", str(path), str(path)]
        else:
            args += ["--bind", str(path), str(path)]
    # A needed path under a hidden folder that is itself under a kept one (grader package inside a kept
    # site-packages) is hidden by the depth order above; the worker script is bound back last of all.
    args += ["--ro-bind", str(WORKER_SCRIPT), str(WORKER_SCRIPT)]
    args += ["--chdir", str(work), "--"]
    return args + argv


def status_text(on: bool) -> str:
    return "on" if on else "off"
