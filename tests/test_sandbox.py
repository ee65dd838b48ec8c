"""The optional sandbox (`--sandbox auto|require|off`, grader/engine/sandbox.py; SECURITY.md §3 Tier 1 and §4 G3).

The Data goals need bubblewrap: those tests are skipped with the reason where it does not work (no `bwrap`,
or user namespaces blocked as on Ubuntu ≥ 24.04 and many containers). The mode logic runs everywhere.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import pytest

from grader.engine import sandbox
from tests.conftest import ROOT, Graded, no_process_with
from tests.mutant_source import write as write_mutant

SOLUTION = (ROOT / "solutions" / "day2" / "section2.py").read_text(encoding="utf-8")
AVAILABLE, WHY = sandbox.probe()
needs_sandbox = pytest.mark.skipif(not AVAILABLE, reason=f"bubblewrap sandbox unavailable here: {WHY}")


def grade(path: Path, *extra: str, env_extra: dict[str, str] | None = None) -> Graded:
    """Like tests.conftest.grade_file, but keeps GRADER_* variables we set (GRADER_SANDBOX_DISABLE)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    env.update(env_extra or {})
    proc = subprocess.run(
        [sys.executable, "-m", "grader.cli.launch", "section2", "--submission", str(path), "--no-quiz", "--json",
         "--timeout", "1", *extra],
        capture_output=True, text=True, timeout=300, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
    )
    return Graded(proc.returncode, proc.stdout, proc.stderr)


def probe_submission(tmp_path: Path, body: str) -> Path:
    """The reference solution plus code that runs at import and prints one JSON line `PROBE{...}` (once per
    worker: each check re-executes the module, a marker file in the worker's cwd keeps the probe to the first)."""
    body = "\n".join("    " + line for line in body.strip().splitlines()) or "    pass"
    snippet = (
        "import json as _json, os as _os_probe\n_R = {}\n"
        "def _try(name, fn):\n"
        "    try:\n        _R[name] = ['ok', str(fn())[:300]]\n"
        "    except BaseException as e:\n        _R[name] = ['err', type(e).__name__ + ': ' + str(e)[:200]]\n"
        "if not _os_probe.path.exists('.probed'):\n    open('.probed', 'w').close()\n"
        + body + "\n    print('PROBE' + _json.dumps(_R))\n"
    )
    path = tmp_path / "section2.py"
    path.write_text(SOLUTION + "\n" + snippet, encoding="utf-8")
    return path


def probed(g: Graded) -> dict[str, list[str]]:
    assert g.rc == 0, (g.rc, g.err[-2000:], g.out[-2000:])
    out = g.report["learner_output"]
    return json.loads(out[out.index("PROBE") + 5:].splitlines()[0])


# ---------------------------------------------------------------- modes (no bubblewrap needed)


def test_require_without_bubblewrap_fails_closed_with_exit_2(tmp_path):
    g = grade(probe_submission(tmp_path, ""), "--sandbox", "require", env_extra={"GRADER_SANDBOX_DISABLE": "1"})
    assert g.rc == 2
    assert g.out == ""
    assert "the sandbox is not available here" in g.err and "Traceback" not in g.err


def test_auto_without_bubblewrap_grades_with_a_banner_on_stderr_only(tmp_path):
    g = grade(probe_submission(tmp_path, ""), "--sandbox", "auto", env_extra={"GRADER_SANDBOX_DISABLE": "1"})
    assert g.rc == 0
    assert g.err.count(sandbox.BANNER) == 1
    report = json.loads(g.out)  # stdout is still one clean JSON document
    assert report["sandbox"] == "off"


def test_auto_is_the_default(tmp_path):
    g = grade(probe_submission(tmp_path, ""), env_extra={"GRADER_SANDBOX_DISABLE": "1"})
    assert sandbox.BANNER in g.err and g.report["sandbox"] == "off"


def test_off_prints_no_banner_and_says_off(tmp_path):
    g = grade(probe_submission(tmp_path, ""), "--sandbox", "off", env_extra={"GRADER_SANDBOX_DISABLE": "1"})
    assert g.rc == 0 and g.err == ""
    assert g.report["sandbox"] == "off"


def test_unknown_mode_is_a_usage_error(tmp_path):
    g = grade(probe_submission(tmp_path, ""), "--sandbox", "maybe")
    assert g.rc == 2
    assert "--sandbox" in g.err and "Invalid value" in g.err


def test_resolve_caches_the_probe_and_shows_the_banner_once(monkeypatch):
    monkeypatch.setattr(sandbox, "_probe", (False, "test"))
    monkeypatch.setattr(sandbox, "_banner_shown", False)
    said: list[str] = []
    assert sandbox.resolve("auto", said.append) is False
    assert sandbox.resolve("auto", said.append) is False
    assert said == [sandbox.BANNER]
    assert sandbox.resolve("off", said.append) is False
    with pytest.raises(sandbox.SandboxUnavailable):
        sandbox.resolve("require")
    monkeypatch.setattr(sandbox, "_probe", (True, ""))
    assert sandbox.resolve("require") is True and sandbox.resolve("auto") is True
    with pytest.raises(ValueError):
        sandbox.resolve("sometimes")


@pytest.mark.skipif(sandbox.bwrap_path() is None, reason="the optimistic worker is a bubblewrap")
def test_a_worker_started_before_the_probe_said_no_is_replaced(monkeypatch):
    """The CLI starts the probe and a sandboxed worker together (spawn.prestart); when the probe then fails,
    `auto` grades unsandboxed with a worker of its own, and the optimistic one is stopped."""
    from grader.engine import spawn

    failing = subprocess.Popen(["/bin/sh", "-c", "echo 'bwrap: no user namespaces' >&2; exit 1"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    monkeypatch.setattr(sandbox, "_probe", None)
    monkeypatch.setattr(sandbox, "_probe_started", (failing, time.monotonic()))
    monkeypatch.setattr(sandbox, "_banner_shown", False)
    monkeypatch.setattr(spawn, "_prestarted", None)
    assert sandbox.start_probe() is True  # already under way: not started twice
    spawn.prestart(True)
    optimistic = spawn._prestarted
    assert optimistic is not None and optimistic.sandboxed
    said: list[str] = []
    assert sandbox.resolve("auto", said.append) is False and said == [sandbox.BANNER]
    assert sandbox.probe() == (False, "bwrap failed here: bwrap: no user namespaces")
    worker = spawn.take_worker(sandbox=False)
    try:
        assert worker is not optimistic and not worker.sandboxed and optimistic.dead
        worker.wait_ready(30)
    finally:
        worker.cleanup()


@pytest.mark.skipif(sandbox.bwrap_path() is None, reason="the witness is a bubblewrap worker")
def test_the_cli_s_first_worker_answers_the_probe(monkeypatch):
    """`grade SECTION` starts its first worker sandboxed before any probe (spawn.prestart with --sandbox auto):
    that it comes up answers probe(), no probe interpreter is started, and grading takes that very worker."""
    from grader.engine import spawn

    monkeypatch.setattr(sandbox, "_probe", None)
    monkeypatch.setattr(sandbox, "_probe_started", None)
    monkeypatch.setattr(sandbox, "_witness", None)
    monkeypatch.setattr(spawn, "_prestarted", None)
    monkeypatch.setattr(sys, "argv", ["grade", "section2"])
    spawn.prestart()
    first = spawn._prestarted
    try:
        assert first is not None and first.sandboxed and sandbox._witness is not None
        works = sandbox.probe()
        if not works[0]:
            pytest.skip(f"bubblewrap does not work here: {works[1]}")
        assert works == (True, "") and sandbox._probe_started is None  # no probe process was needed
        assert first.ready and spawn.take_worker(sandbox=True) is first
    finally:
        first.cleanup()


def test_a_witness_that_does_not_come_up_leaves_the_answer_to_the_probe(monkeypatch):
    """If the worker started before any probe dies at its start, probe() runs the probe proper to say why (the
    banner of `auto`, the exit of `require`), and take_worker drops the dead worker."""
    from grader.engine import spawn

    failing = subprocess.Popen(["/bin/sh", "-c", "echo 'bwrap: setting up uid map: Permission denied' >&2; exit 1"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    monkeypatch.setattr(sandbox, "_probe", None)
    monkeypatch.setattr(sandbox, "_witness", None)
    monkeypatch.setattr(sandbox, "_probe_started", None)
    sandbox.witness(lambda: False)
    monkeypatch.setattr(sandbox, "_probe_started", (failing, time.monotonic()))
    assert sandbox.probe() == (False, "bwrap failed here: bwrap: setting up uid map: Permission denied")
    dead = spawn.WorkerProcess(sandbox=False)
    dead.kill()
    monkeypatch.setattr(spawn, "_prestarted", dead)
    worker = spawn.take_worker(sandbox=False)
    try:
        assert worker is not dead and not worker.dead
        worker.wait_ready(30)
    finally:
        worker.cleanup()
        dead.cleanup()


def test_a_worker_started_before_the_pid_probe_said_no_is_replaced(monkeypatch):
    """Without the sandbox the first worker starts in a PID namespace while the probe for one still runs
    (spawn.start_pid_probe); when the probe then fails, that worker (which never got going) is replaced by one
    started without the namespace, and the CLI's warning says so."""
    from grader.engine import spawn

    failing = subprocess.Popen(["/bin/false"])
    monkeypatch.setattr(spawn, "_pidns", None)
    monkeypatch.setattr(spawn, "_pidns_probe", (failing, ["/bin/false"]))  # as a refused unshare would end
    monkeypatch.setattr(spawn, "_prestarted", None)
    spawn.start_pid_probe()  # already under way: not started twice
    assert spawn._pidns_probe[0] is failing and spawn.pid_prefix_now() == ["/bin/false"]
    spawn.prestart(False)
    optimistic = spawn._prestarted
    assert optimistic is not None and optimistic.unprobed and optimistic.relayed
    worker = spawn.take_worker(sandbox=False)
    try:
        assert worker is not optimistic and optimistic.dead and not worker.unprobed and not worker.relayed
        assert spawn.pid_namespace() == ([], "the kernel refused a PID namespace (unshare --pid)")
        assert spawn.pid_warning(False, "en") is not None
        worker.wait_ready(30)
    finally:
        worker.cleanup()


def test_a_worker_started_before_the_pid_probe_said_yes_is_kept(monkeypatch):
    from grader.engine import spawn

    prefix = spawn.pid_namespace()[0]
    if not prefix:
        pytest.skip("no PID namespace on this machine")
    monkeypatch.setattr(spawn, "_pidns", None)
    monkeypatch.setattr(spawn, "_pidns_probe", None)
    monkeypatch.setattr(spawn, "_pidns_candidate", None)
    monkeypatch.setattr(spawn, "_prestarted", None)
    spawn.prestart(False)
    optimistic = spawn._prestarted
    assert optimistic is not None and optimistic.unprobed and spawn._pidns_probe is not None  # started after it
    worker = spawn.take_worker(sandbox=False)
    try:
        assert worker is optimistic and spawn.pid_namespace() == (prefix, "")
        worker.wait_ready(30)
    finally:
        worker.cleanup()


def _mounts(args: list[str]) -> list[tuple[str, str, str]]:
    """(option, source, destination) of every --ro-bind/--bind/--symlink, ("--tmpfs", "", dest) of a tmpfs."""
    out = []
    for i, a in enumerate(args):
        if a in ("--ro-bind", "--bind", "--symlink"):
            out.append((a, args[i + 1], args[i + 2]))
        elif a == "--tmpfs":
            out.append((a, "", args[i + 1]))
    return out


def test_wrap_binds_an_allow_list_on_an_empty_read_only_root(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: "/usr/bin/bwrap")
    extra, work = tmp_path / "class-submissions", tmp_path / "w"
    extra.mkdir()
    work.mkdir()
    inside_stdlib = Path(json.__file__).resolve().parent  # a hidden folder inside an allowed one gets masked
    argv = ["python", "-s", str(ROOT / "grader" / "engine" / "worker.py"), "3", "4"]
    args = sandbox.wrap(argv, str(work), hide=(extra, inside_stdlib))
    mounts = _mounts(args)
    binds = [(o, src, dest) for o, src, dest in mounts if o in ("--ro-bind", "--bind")]
    assert all(o == "--ro-bind" for o, _, _ in binds)  # nothing of the host is writable
    sources = [Path(src) for _, src, _ in binds]
    dests = [Path(dest) for _, _, dest in mounts]
    assert Path("/") not in dests  # no `--ro-bind / /`: an empty root, then the allow-list
    for p in sources:  # no allowed path holds the project, the home folder or the host's /tmp
        for hidden in (ROOT, Path.home(), Path("/tmp"), extra.resolve()):
            assert p != hidden and p not in hidden.parents, (p, hidden)
    in_project = sorted(str(p) for p in sources if ROOT in p.parents)  # e.g. a .venv inside the checkout
    for p in in_project:
        assert p == str(sandbox.WORKER_SCRIPT) or p.endswith("pyvenv.cfg") or Path(p).name in ("numpy", "numpy.libs"), p
    site = [p for p in sources if p.name in ("site-packages", "dist-packages")]
    assert site == []  # never a whole site-packages: numpy's folders only
    assert str(extra.resolve()) not in " ".join(args)  # batch's extra folders: simply not there
    assert ("--tmpfs", "", str(inside_stdlib)) in mounts
    assert ("--remount-ro", str(inside_stdlib)) in zip(args, args[1:], strict=False)
    # the worker script alone, at a neutral path (argv rewritten); the staged folder read-only at its own path
    assert ("--ro-bind", str(sandbox.WORKER_SCRIPT), sandbox.SANDBOX_WORKER) in binds
    assert args[-6:] == ["--", "python", "-s", sandbox.SANDBOX_WORKER, "3", "4"]
    assert ("--ro-bind", str(work.resolve()), str(work.resolve())) in binds
    # the only writable place: one capped tmpfs at /tmp, the worker's cwd, HOME and TMPDIR
    i = args.index(sandbox.SANDBOX_TMP, args.index("--tmpfs"))
    assert args[i - 3:i + 1] == ["--size", str(sandbox.TMPFS_SIZE), "--tmpfs", "/tmp"]
    assert sandbox.WORK_DIR.startswith("/tmp/")
    for pair in (("--chdir", sandbox.WORK_DIR), ("--remount-ro", "/"), ("--remount-ro", "/dev")):
        assert pair in zip(args, args[1:], strict=False), pair
    assert [args[j + 2] for j, a in enumerate(args) if a == "--setenv"] == [sandbox.WORK_DIR] * 2
    for flag in ("--unshare-all", "--die-with-parent", "--new-session"):
        assert flag in args
    # parents first: the tmpfs at /tmp before the staged folder bound inside it
    pos = {(o, dest): args.index(dest, args.index(o)) for o, _, dest in mounts}
    assert pos[("--tmpfs", "/tmp")] < pos[("--ro-bind", str(work.resolve()))]
    assert sandbox.allow_list() is sandbox.allow_list()  # computed once per process


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="bubblewrap is Linux only")
def test_a_bubblewrap_that_cannot_cap_the_tmpfs_is_reported_not_trusted(tmp_path):
    """bubblewrap < 0.5 has no `--size`: the probe uses the very arguments a worker gets, so `require` exits 2
    naming it and `auto` grades unsandboxed with the banner, instead of claiming a cap it does not have."""
    fake = tmp_path / "bin" / "bwrap"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\nfor a in "$@"; do [ "$a" = --size ] && { echo "bwrap: Unknown option --size" >&2;'
                    ' exit 1; }; done\nexec /usr/bin/bwrap "$@"\n', encoding="utf-8")
    fake.chmod(0o755)
    env = {"PATH": f"{fake.parent}:{os.environ.get('PATH', '')}"}
    g = grade(probe_submission(tmp_path, ""), "--sandbox", "require", env_extra=env)
    assert g.rc == 2 and "the sandbox is not available here" in g.err and "Unknown option --size" in g.err, g.err
    g = grade(probe_submission(tmp_path, ""), "--sandbox", "auto", env_extra=env)
    assert g.rc == 0 and sandbox.BANNER in g.err and g.report["sandbox"] == "off"


@pytest.fixture
def fresh_allow_list(monkeypatch):
    """The allow-list and the probe recomputed in this test, and again after it."""
    monkeypatch.setattr(sandbox, "_probe", None)
    sandbox.allow_list.cache_clear()
    yield
    sandbox.allow_list.cache_clear()


@needs_sandbox
def test_probe_names_a_library_numpy_cannot_load_in_the_sandbox(monkeypatch, fresh_allow_list):
    """A piece outside the allow-list shows at the probe (auto: banner, require: exit 2), not as every
    check crashing at the worker's numpy import."""
    dirs = sandbox._numpy_dirs()
    if len(dirs) < 2:
        pytest.skip("numpy bundles no libraries here (not a PyPI wheel)")
    monkeypatch.setattr(sandbox, "_numpy_dirs", lambda: dirs[:1])  # as if numpy.libs were left out
    works, why = sandbox.probe()
    assert not works and "cannot open shared object file" in why, why


# ---------------------------------------------------------------- Data goals (G3), with bubblewrap

PROJECT_PROBES = f"""
import os as _os, glob as _glob
_ROOT = {str(ROOT)!r}
_try('solution', lambda: open(_ROOT + '/solutions/day2/section2.py').read()[:40])
_try('checks', lambda: _os.listdir(_ROOT + '/grader/checks/day2'))
_try('check_source', lambda: open(_ROOT + '/grader/checks/day2/section2.py').read()[:40])
_try('bank', lambda: _os.listdir(_ROOT + '/question_bank'))
_try('tests', lambda: _os.listdir(_ROOT + '/tests'))
_try('glob', lambda: _glob.glob(_ROOT + '/**/*.py', recursive=True))
_try('home', lambda: sorted(_os.listdir(_os.path.expanduser('~' + __import__('pwd').getpwuid(0).pw_name))))
"""


@pytest.mark.slow
@needs_sandbox
def test_sandboxed_child_cannot_read_the_project_by_absolute_path(tmp_path):
    r = probed(grade(probe_submission(tmp_path, PROJECT_PROBES), "--sandbox", "require"))
    for name in ("solution", "checks", "check_source", "bank", "tests"):
        assert r[name][0] == "err" and "FileNotFoundError" in r[name][1], (name, r[name])
    visible = eval(r["glob"][1])  # noqa: S307 - our own probe's list of strings
    assert visible == [], visible  # not even grader/engine/worker.py: the worker script runs from SANDBOX_WORKER
    assert ".ssh" not in r["home"][1] and ".bashrc" not in r["home"][1]


@pytest.mark.slow
def test_without_the_sandbox_the_project_is_readable_which_is_why_it_exists(tmp_path):
    """The control for the test above: with --sandbox off the same probe reads the reference solution."""
    r = probed(grade(probe_submission(tmp_path, PROJECT_PROBES), "--sandbox", "off"))
    assert r["solution"][0] == "ok" and "Day 2" in r["solution"][1]


def _course_copy(where: Path) -> Path:
    """A copy of the course elsewhere on the machine (an instructor's checkout, last year's course)."""
    copy = where / "course-copy" / "solutions" / "day2" / "section2.py"
    copy.parent.mkdir(parents=True)
    copy.write_text(SOLUTION, encoding="utf-8")
    return copy


@pytest.fixture(params=["tmp_path", "next_to_the_project", "srv"])
def elsewhere(request, tmp_path):
    """A folder outside the project: the test's tmp_path (the host's /tmp), a sibling of the checkout, /srv."""
    if request.param == "tmp_path":
        yield tmp_path
        return
    parent = ROOT.parent if request.param == "next_to_the_project" else Path("/srv")
    try:
        d = Path(tempfile.mkdtemp(prefix="grader-test-course-copy-", dir=parent))
    except OSError as e:
        pytest.skip(f"cannot write in {parent}: {e}")
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


@pytest.mark.slow
@needs_sandbox
def test_sandboxed_submission_cannot_exec_a_copy_of_the_course_elsewhere(tmp_path, elsewhere):
    """With `/` bound read-only any other copy of the course was readable: exec-ing its reference solution
    scored full marks. The allow-list leaves no such path: the import fails, nothing scores."""
    copy = _course_copy(elsewhere)
    path = tmp_path / "submission" / "section2.py"
    path.parent.mkdir()
    path.write_text(f"exec(open({str(copy)!r}, encoding='utf-8').read())\n", encoding="utf-8")
    g = grade(path, "--sandbox", "require")
    assert g.rc == 1 and g.report["sandbox"] == "on" and g.report["score"] == 0, (g.rc, g.err[-2000:])
    assert {c["status"] for c in g.report["checks"]} <= {"error", "not_implemented", "missing"}
    assert all("FileNotFoundError" in c["feedback"] for c in g.report["checks"]), g.report["checks"][0]
    # control: without the sandbox the same submission scores full marks (the leak this closes)
    off = grade(path, "--sandbox", "off")
    assert off.rc == 0 and off.report["score"] == off.report["max_score"]


def _site_packages() -> str:
    return sysconfig.get_paths()["purelib"]


INSTALL_PROBES = f"""
import os as _os, sys as _sys
_try('package_dir', lambda: _os.listdir({str(sandbox.PACKAGE_DIR)!r}))
_try('worker_in_project', lambda: open({str(sandbox.WORKER_SCRIPT)!r}).read()[:20])
_try('tests', lambda: _os.listdir({str(ROOT / "tests")!r}))
_try('project', lambda: sorted(_os.listdir({str(ROOT)!r})))
_try('site', lambda: sorted(_os.listdir({_site_packages()!r})))
_try('base_site', lambda: sorted(_os.listdir({sysconfig.get_paths(vars={"base": sys.base_prefix})["purelib"]!r})))
_try('root', lambda: sorted(_os.listdir('/')))
_try('srv', lambda: _os.listdir('/srv'))
for _m in ('pydantic', 'yaml', 'pytest', 'typer'):
    _try('import_' + _m, lambda: __import__(_m).__name__)
_try('numpy', lambda: __import__('numpy').__file__)
_try('cwd', lambda: [_os.getcwd(), _os.environ['HOME'], _os.environ['TMPDIR']])
"""


@needs_sandbox
def test_sandboxed_child_sees_neither_the_grader_package_nor_tests_nor_other_installed_packages(tmp_path):
    r = probed(grade(probe_submission(tmp_path, INSTALL_PROBES), "--sandbox", "require"))
    for name in ("package_dir", "worker_in_project", "tests", "srv"):
        assert r[name][0] == "err" and "FileNotFoundError" in r[name][1], (name, r[name])
    project = eval(r["project"][1]) if r["project"][0] == "ok" else []  # noqa: S307 - our probe's list
    assert set(project) <= {".venv", "venv", ".tox"}, project  # at most the path to numpy of a venv inside it
    site = eval(r["site"][1]) if r["site"][0] == "ok" else []  # noqa: S307
    assert set(site) <= {"numpy", "numpy.libs"}, site  # numpy's folders, not the whole site-packages
    base_site = eval(r["base_site"][1]) if r["base_site"][0] == "ok" else []  # noqa: S307
    assert set(base_site) <= {"numpy", "numpy.libs"}, base_site
    for m in ("pydantic", "yaml", "pytest", "typer"):
        assert r["import_" + m][0] == "err" and "No module named" in r["import_" + m][1], (m, r["import_" + m])
    assert r["numpy"][0] == "ok"
    # the root holds what the allow-list puts there and nothing else (no /srv, /home, /var, /mnt of the host)
    top = {Path(dest).parts[1] for _, _, dest in sandbox.allow_list()} | {"dev", "proc", "tmp", "opt"}
    root = set(eval(r["root"][1]))  # noqa: S307
    assert root <= top and "srv" not in root and "var" not in root, root - top
    assert eval(r["cwd"][1]) == [sandbox.WORK_DIR] * 3  # noqa: S307 - cwd, HOME, TMPDIR: the capped tmpfs


def _fill(n: int, host_tmp: Path) -> str:
    return f"""
import glob as _glob, os as _os, tempfile as _tf
def _fill():
    written, err = 0, ''
    block = b'x' * (1 << 20)
    try:
        for _i in range({n}):
            with open(_os.path.join(_tf.gettempdir(), f'f{{_i}}.bin'), 'wb') as _f:
                _f.write(block)
            written += 1
    except OSError as _e:
        err = type(_e).__name__ + ': ' + str(_e)
    for _name in _os.listdir(_tf.gettempdir()):
        if _name.endswith('.bin'):
            _os.remove(_os.path.join(_tf.gettempdir(), _name))
    return [written, err]
_try('fill', _fill)
def _into_staging():
    for _d in _glob.glob({str(host_tmp)!r} + '/grade-*'):
        open(_os.path.join(_d, 'planted.txt'), 'w').write('x')
        return 'wrote ' + _d
    return 'no staging folder visible'
_try('staging', _into_staging)
"""


@pytest.mark.slow
@needs_sandbox
def test_sandboxed_writes_are_capped_in_total_and_never_reach_the_host(tmp_path):
    """RLIMIT_FSIZE caps one file; many small ones filled the host's temp folder (2.4 GiB in one import).
    Sandboxed, the only writable place is a tmpfs of TMPFS_SIZE: 200 files of 1 MiB stop with ENOSPC, and the
    host folder the submission was staged in is read-only."""
    host_tmp = tmp_path / "host-tmp"
    host_tmp.mkdir()
    n = 200
    assert n << 20 > sandbox.TMPFS_SIZE
    g = grade(probe_submission(tmp_path, _fill(n, host_tmp)), "--sandbox", "require",
              env_extra={"TMPDIR": str(host_tmp)})
    r = probed(g)
    written, err = eval(r["fill"][1])  # noqa: S307 - our own probe's list
    assert written <= sandbox.TMPFS_SIZE >> 20 and "No space left on device" in err, r["fill"]
    assert r["staging"][0] == "err" and "Read-only file system" in r["staging"][1], r["staging"]
    assert [p for p in host_tmp.rglob("*")] == []  # nothing of it on the host (and the worker's folder is gone)


@pytest.mark.slow
@needs_sandbox
def test_sandboxed_stub_is_not_implemented_and_exits_1():
    g = grade(ROOT / "exercises" / "day2" / "section2.py", "--sandbox", "require")
    assert g.rc == 1 and g.report["sandbox"] == "on"
    assert {c["status"] for c in g.report["checks"]} == {"not_implemented"}


WRITE_PROBES = """
import os as _os, tempfile as _tf
_try('cwd', lambda: open('note.txt', 'w').write('x'))
_try('home_env', lambda: open(_os.path.join(_os.environ['HOME'], 'h.txt'), 'w').write('x'))
_try('etc', lambda: open('/etc/grader-sandbox-probe', 'w'))
_try('usr', lambda: open('/usr/lib/grader-sandbox-probe.pth', 'w'))
_try('tmp', lambda: open('/tmp/grader-sandbox-probe', 'w').write('x'))
_try('tmp_list', lambda: sorted(_os.listdir('/tmp')))
"""


@needs_sandbox
def test_sandboxed_child_cannot_write_outside_its_temp_dir(tmp_path):
    r = probed(grade(probe_submission(tmp_path, WRITE_PROBES), "--sandbox", "require"))
    assert r["cwd"][0] == "ok" and r["home_env"][0] == "ok"
    for name in ("etc", "usr"):
        assert r[name][0] == "err" and ("Read-only" in r[name][1] or "Permission" in r[name][1]), r[name]
    assert not Path("/etc/grader-sandbox-probe").exists() and not Path("/usr/lib/grader-sandbox-probe.pth").exists()
    # /tmp inside is a private, size-capped tmpfs: a write there never reaches the host's /tmp
    assert not Path("/tmp/grader-sandbox-probe").exists()
    assert not any(n.startswith("pytest-of") for n in eval(r["tmp_list"][1]))  # noqa: S307 - other work is hidden


@pytest.mark.slow
@needs_sandbox
def test_sandboxed_child_has_no_network(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    try:
        body = (f"import socket as _s\n"
                f"def _connect():\n    c = _s.socket(); c.settimeout(2); c.connect(('127.0.0.1', {port})); return 'connected'\n"
                "_try('connect', _connect)\n_try('ifaces', lambda: [n for _, n in _s.if_nameindex()])\n")
        r = probed(grade(probe_submission(tmp_path, body), "--sandbox", "require"))
        assert r["connect"][0] == "err", r["connect"]
        assert eval(r["ifaces"][1]) == ["lo"]  # noqa: S307 - a fresh network namespace: loopback only
        # control: without the sandbox the same connect reaches our listening socket
        r_off = probed(grade(probe_submission(tmp_path, body), "--sandbox", "off"))
        assert r_off["connect"] == ["ok", "connected"]
    finally:
        server.close()


@pytest.mark.slow
@needs_sandbox
def test_sandboxed_setsid_grandchild_is_killed(tmp_path):
    marker = "876543.5"
    body = (
        "import os as _os\n"
        "if _os.fork() == 0:\n"
        "    _os.setsid()\n"
        "    if _os.fork() == 0:\n"
        f"        _os.execvp('sleep', ['sleep', '{marker}'])\n"
        "    _os._exit(0)\n"
    )
    g = grade(probe_submission(tmp_path, body), "--sandbox", "require")
    probed(g)
    assert g.report["sandbox"] == "on"
    time.sleep(0.2)
    assert no_process_with(marker)


@pytest.mark.slow
@needs_sandbox
def test_sandboxed_grade_scores_like_an_unsandboxed_one(tmp_path):
    on = grade(ROOT / "solutions" / "day2" / "section2.py", "--sandbox", "require")
    off = grade(write_mutant("day2.section2", "sgd_sign", tmp_path), "--sandbox", "require")
    assert on.rc == 0 and on.report["sandbox"] == "on" and on.report["score"] == on.report["max_score"]
    assert off.rc == 1 and [c["exercise"] for c in off.report["checks"] if c["status"] != "passed"] == ["SGD"] * len(
        [c for c in off.report["checks"] if c["status"] != "passed"])


@pytest.mark.slow
@needs_sandbox
def test_sandboxed_crash_by_signal_is_still_named(tmp_path):
    """bwrap reports a child killed by signal N as exit 128+N; the report must still say which signal."""
    snippet = ("def _evil_update(self, params, grads):\n    import os, signal\n    os.kill(os.getpid(), signal.SIGSEGV)\n"
               "Adam.update = _evil_update\n")
    path = tmp_path / "section2.py"
    path.write_text(SOLUTION + "\n" + snippet, encoding="utf-8")
    g = grade(path, "--sandbox", "require")
    failing = [c for c in g.report["checks"] if c["status"] != "passed"]
    assert {c["exercise"] for c in failing} == {"Adam"} and {c["status"] for c in failing} == {"crashed"}
    assert "SIGSEGV" in failing[0]["feedback"]


def test_a_worker_that_cannot_start_leaves_neither_folder_nor_pipes(tmp_path, monkeypatch):
    """When bubblewrap refuses the allow-list (or the start fails), WorkerProcess raises and nothing of it stays:
    the CLI's pre-start then falls back to an unsandboxed worker (spawn.prestart)."""
    from grader.engine import spawn

    def refuse(*_a, **_k):
        raise sandbox.SandboxUnavailable("the sandbox would expose /home/x (at /home/x)")

    monkeypatch.setattr(sandbox, "wrap", refuse)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    fds = set(os.listdir("/proc/self/fd"))
    with pytest.raises(sandbox.SandboxUnavailable):
        spawn.WorkerProcess(sandbox=True)
    assert list(tmp_path.iterdir()) == []
    assert set(os.listdir("/proc/self/fd")) <= fds
