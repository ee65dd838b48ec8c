"""The optional sandbox (`--sandbox auto|require|off`, grader/sandbox.py; SECURITY.md §3 Tier 1 and §4 G3).

The Data goals need bubblewrap: those tests are skipped with the reason where it does not work (no `bwrap`,
or user namespaces blocked as on Ubuntu ≥ 24.04 and many containers). The mode logic runs everywhere.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader import sandbox
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
        [sys.executable, "-m", "grader.launch", "section2", "--submission", str(path), "--no-quiz", "--json",
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


def test_wrap_hides_the_project_and_keeps_what_the_interpreter_needs(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: "/usr/bin/bwrap")
    extra, work = tmp_path / "class-submissions", tmp_path / "w"
    extra.mkdir()
    work.mkdir()
    args = sandbox.wrap(["python", "worker.py"], str(work), hide=(extra,))
    tmpfs = {args[i + 1] for i, a in enumerate(args) if a == "--tmpfs"}
    assert str(extra.resolve()) in tmpfs  # batch: more folders to hide (the class's files, the results)
    binds = [(args[i], args[i + 1]) for i, a in enumerate(args) if a in ("--bind", "--ro-bind")]
    assert str(ROOT) in tmpfs and "/tmp" in tmpfs
    assert ("--bind", str(work.resolve())) in binds
    assert ("--ro-bind", str(sandbox.WORKER_SCRIPT)) in binds
    for flag in ("--unshare-all", "--die-with-parent", "--new-session"):
        assert flag in args
    assert args[-3:] == ["--", "python", "worker.py"]
    # the order stacks mounts: a folder is hidden before anything under it is bound back
    pos = {(a, args[i + 1]): i for i, a in enumerate(args) if a in ("--tmpfs", "--bind", "--ro-bind")}
    assert pos[("--tmpfs", "/tmp")] < pos[("--bind", str(work.resolve()))]
    assert pos[("--tmpfs", str(ROOT))] < pos[("--ro-bind", str(sandbox.WORKER_SCRIPT))]


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


@needs_sandbox
def test_sandboxed_child_cannot_read_the_project_by_absolute_path(tmp_path):
    r = probed(grade(probe_submission(tmp_path, PROJECT_PROBES), "--sandbox", "require"))
    for name in ("solution", "checks", "check_source", "bank", "tests"):
        assert r[name][0] == "err" and "FileNotFoundError" in r[name][1], (name, r[name])
    visible = eval(r["glob"][1])  # noqa: S307 - our own probe's list of strings
    assert visible == [str(sandbox.WORKER_SCRIPT)] or all("worker.py" in p or "/.venv/" in p for p in visible), visible
    assert ".ssh" not in r["home"][1] and ".bashrc" not in r["home"][1]


def test_without_the_sandbox_the_project_is_readable_which_is_why_it_exists(tmp_path):
    """The control for the test above: with --sandbox off the same probe reads the reference solution."""
    r = probed(grade(probe_submission(tmp_path, PROJECT_PROBES), "--sandbox", "off"))
    assert r["solution"][0] == "ok" and "Day 2" in r["solution"][1]


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


@needs_sandbox
def test_sandboxed_grade_scores_like_an_unsandboxed_one(tmp_path):
    on = grade(ROOT / "solutions" / "day2" / "section2.py", "--sandbox", "require")
    off = grade(write_mutant("day2.section2", "sgd_sign", tmp_path), "--sandbox", "require")
    assert on.rc == 0 and on.report["sandbox"] == "on" and on.report["score"] == on.report["max_score"]
    assert off.rc == 1 and [c["exercise"] for c in off.report["checks"] if c["status"] != "passed"] == ["SGD"] * len(
        [c for c in off.report["checks"] if c["status"] != "passed"])


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
