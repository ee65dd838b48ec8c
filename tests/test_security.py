"""Rows of ../shared/SECURITY.md §2 not already carried by tests/test_hostile.py, each a fixture with its verdict.

docs/SECURITY-COVERAGE.md maps every row to the test that carries it (here, test_hostile.py, test_sandbox.py,
test_engine.py, test_cli.py, test_mutants.py, test_content.py, or the batch tests). The Integrity and
Availability rows must hold without the sandbox, so they run with `--sandbox off`; test_hostile.py runs the
same kind of fixtures under the default `auto`, i.e. sandboxed wherever bubblewrap works.
"""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path

import pytest

from grader.engine import sandbox
from grader.engine.spawn import worker_env
from tests.conftest import ROOT, Graded, no_process_with, run_grade
from tests.test_hostile import replace_update

SOLUTION1 = (ROOT / "solutions" / "day2" / "section1.py").read_text(encoding="utf-8")
SOLUTION2 = (ROOT / "solutions" / "day2" / "section2.py").read_text(encoding="utf-8")
OFF = ("--no-quiz", "--json", "--timeout", "1", "--sandbox", "off")
WRONG_SGD = replace_update("SGD", "for k in params:\n    params[k] += self.lr * grads[k]")
SIGN = "sign"  # the feedback of the wrong SGD above names the sign slip


def grade(section: str, path: Path, *extra: str) -> Graded:
    return run_grade(section, "--submission", str(path), *OFF, *extra)


def write(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def section1(tmp_path: Path, snippet: str) -> Graded:
    """day2.section1 (sigmoid, relu …) with one function replaced by appending a new definition."""
    return grade("day2.section1", write(tmp_path, SOLUTION1 + "\n" + snippet, "section1.py"))


def section2(tmp_path: Path, snippet: str, *, prepend: bool = False) -> Graded:
    text = snippet + "\n" + SOLUTION2 if prepend else SOLUTION2 + "\n" + snippet
    return grade("section2", write(tmp_path, text, "section2.py"))


def once(tmp_path: Path, cls: str, body: str) -> str:
    """Swap `cls.update` for one that runs `body` on its first call in the whole grade (a marker file outside
    the worker's temp dir; these tests run unsandboxed) and behaves correctly afterwards: one check pays the
    timeout, not all of them, which keeps the suite fast."""
    mark = tmp_path / f"{cls}.once"
    lines = "\n".join("        " + line for line in body.strip().splitlines())
    return (f"_orig_{cls} = {cls}.update\n"
            f"def _once_{cls}(self, params, grads):\n    import os\n"
            f"    if not os.path.exists({str(mark)!r}):\n        open({str(mark)!r}, 'w').close()\n{lines}\n"
            f"    return _orig_{cls}(self, params, grads)\n{cls}.update = _once_{cls}\n")


def not_passed(g: Graded) -> dict[str, tuple[str, str, str]]:
    """check id → (exercise, status, English feedback) for every check that did not pass."""
    assert g.rc in (0, 1), (g.rc, g.err[-2000:])
    return {c["id"]: (c["exercise"], c["status"], c["feedback_i18n"]["en"] if c.get("feedback_i18n") else c["feedback"])
            for c in g.report["checks"] if c["status"] != "passed"}


def only(g: Graded, exercise: str, status: str) -> list[str]:
    """Every failing check targets `exercise` with `status`; returns their English feedback."""
    bad = not_passed(g)
    assert bad, "nothing failed"
    assert {e for e, _, _ in bad.values()} == {exercise}, bad
    assert {s for _, s, _ in bad.values()} == {status}, bad
    assert g.rc == 1
    return [f for _, _, f in bad.values()]


# ---------------------------------------------------------------- row 4: empty file / comments only


@pytest.mark.parametrize("text", ["", "# まだ何も書いていません / nothing yet\n"])
def test_row04_empty_or_comments_only_is_missing_everywhere(tmp_path, text):
    g = grade("section2", write(tmp_path, text, "section2.py"))
    assert {c["status"] for c in g.report["checks"]} == {"missing"} and g.report["score"] == 0 and g.rc == 1
    assert "`SGD` is not defined" in g.report["checks"][0]["feedback"]


# ---------------------------------------------------------------- row 5: a module the grading environment lacks


@pytest.mark.parametrize("module", [
    pytest.param("pandas", marks=pytest.mark.skipif(importlib.util.find_spec("pandas") is not None,
                                                    reason="pandas is installed here")),
    "torch_is_not_in_the_grading_environment",
])
def test_row05_unavailable_module_is_an_error_naming_it(tmp_path, module):
    g = section2(tmp_path, f"import {module}", prepend=True)
    assert {c["status"] for c in g.report["checks"]} == {"error"} and g.rc == 1
    assert f"No module named '{module}'" in g.report["checks"][0]["feedback"]
    assert "during import" in g.report["checks"][0]["feedback"]


# ---------------------------------------------------------------- rows 12–17: what a function returns


def test_row12_returning_none_is_failed_forgot_return(tmp_path):
    g = section1(tmp_path, "def relu(x):\n    np.maximum(0.0, x)\n")
    feedback = only(g, "relu", "failed")
    assert all("is None (forgot to return?)" in f for f in feedback)


def test_row13_wrong_shape_is_failed_without_broadcasting(tmp_path):
    g = section1(tmp_path, "def relu(x):\n    return np.maximum(0.0, x).reshape(-1, 1)\n")
    feedback = only(g, "relu", "failed")
    assert any("has shape (5, 1), expected (5,) (no broadcasting)" in f for f in feedback)


@pytest.mark.parametrize("snippet", [
    "def relu_grad(x):\n    return (np.asarray(x) > 0).astype(np.int64)\n",
    "def relu_grad(x):\n    return (np.asarray(x) > 0).astype(np.float32)\n",
    "def relu(x):\n    return np.maximum(0.0, np.asarray(x, dtype=float)).astype(np.float32)\n",
])
def test_row14_int_or_float32_results_are_accepted_by_value(tmp_path, snippet):
    g = section1(tmp_path, snippet)
    assert not_passed(g) == {} and g.rc == 0


@pytest.mark.slow
def test_row14_complex_result_is_failed_naming_the_dtype(tmp_path):
    g = section1(tmp_path, "def relu(x):\n    return np.maximum(0.0, x).astype(complex)\n")
    feedback = only(g, "relu", "failed")
    assert any("has dtype complex128; expected real numbers" in f for f in feedback)


@pytest.mark.slow
def test_row15_nan_in_the_result_is_named_with_its_index(tmp_path):
    g = section1(tmp_path, "def relu(x):\n    r = np.maximum(0.0, np.asarray(x, dtype=float))\n"
                           "    r.flat[2] = np.nan\n    return r\n")
    bad = not_passed(g)
    assert bad["test_relu_values"][1:] == ("failed", bad["test_relu_values"][2])
    assert "has NaN at index (2,)" in bad["test_relu_values"][2]
    assert {e for e, _, _ in bad.values()} == {"relu"}


CHEAT = ("class _Cheat:\n    def __eq__(self, other):\n        return True\n    __ne__ = lambda s, o: False\n"
         "    __hash__ = None\n    shape = (5,)\n    dtype = np.dtype(float)\n")


@pytest.mark.parametrize(("snippet", "needle"), [
    (CHEAT + "def relu(x):\n    return _Cheat()\n", "<_Cheat>"),
    ("class _Sub(np.ndarray):\n    def __eq__(self, other):\n        return np.ones(self.shape, bool)\n"
     "def relu(x):\n    return np.maximum(0.0, x).view(_Sub)\n", "ndarray subclass _Sub"),
    ("class _Duck:\n    def __array_function__(self, func, types, args, kwargs):\n        return True\n"
     "    def __array__(self, dtype=None, copy=None):\n        return np.zeros(5)\n"
     "def relu(x):\n    return _Duck()\n", "<_Duck>"),
])
def test_row16_17_cheat_objects_subclasses_and_ducks_are_invalid_result(tmp_path, snippet, needle):
    g = section1(tmp_path, snippet)
    feedback = only(g, "relu", "invalid_result")
    assert all(needle in f for f in feedback), feedback


# ---------------------------------------------------------------- rows 20–21, 23, 26: nothing around the file counts


def test_row20_conftest_pytest_and_numpy_next_to_the_submission_are_ignored(tmp_path):
    write(tmp_path, "import pytest\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_makereport(item, call):\n"
                    "    outcome = yield\n    outcome.get_result().outcome = 'passed'\n", "conftest.py")
    write(tmp_path, "raise ImportError('the fake numpy next to the submission was imported')\n", "numpy.py")
    write(tmp_path, "raise ImportError('the fake pytest was imported')\n", "pytest.py")
    write(tmp_path, "print('SITECUSTOMIZE RAN')\n", "sitecustomize.py")
    g = grade("section2", write(tmp_path, SOLUTION2 + "\n" + WRONG_SGD, "section2.py"))
    feedback = only(g, "SGD", "failed")
    assert any(SIGN in f for f in feedback)
    assert "SITECUSTOMIZE RAN" not in g.report["learner_output"]


def test_row20_a_conftest_above_the_project_is_not_loaded_into_the_grader(tmp_path):
    """pytest looks for conftest.py in the folders above the tests it runs; with `-c /dev/null` that reached past
    the project (a release unpacked into a folder holding someone's conftest.py ran it in the grading process).
    The checks' own folder is the --confcutdir now."""
    from grader.engine.runner import run_checks

    marker = tmp_path / "LOADED"
    (tmp_path / "conftest.py").write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    project = tmp_path / "project"
    checks = project / "grader" / "checks" / "day2"
    checks.mkdir(parents=True)
    (checks / "section2.py").write_bytes((ROOT / "grader" / "checks" / "day2" / "section2.py").read_bytes())
    points = {"SGD": 5, "Momentum": 6, "AdaGrad": 6, "RMSprop": 6, "Adam": 6}
    results, _, _ = run_checks("day2.section2", ROOT / "solutions" / "day2" / "section2.py", points=points,
                               root=project)
    assert len(results) == 24 and all(r.status == "passed" for r in results)
    assert not marker.exists()


PERSIST = """
import os as _os, sys as _sys
_home = _os.environ["HOME"]
for _d in (".", _home, _os.path.join(_home, ".local", "lib", "python%d.%d" % _sys.version_info[:2], "site-packages")):
    _os.makedirs(_d, exist_ok=True)
    with open(_os.path.join(_d, "sitecustomize.py"), "w") as _f:
        _f.write("print('PERSISTED')\\n")
    with open(_os.path.join(_d, "zz_evil.pth"), "w") as _f:
        _f.write("import sys; print('PERSISTED')\\n")
"""


@pytest.mark.slow
def test_row21_sitecustomize_and_pth_written_by_a_submission_have_no_later_effect(tmp_path):
    # the first grade writes them, then crashes one check so that a new worker starts within the same grade
    first = section2(tmp_path, PERSIST + once(tmp_path, "Adam", "import os\nos._exit(3)"))
    assert {s for _, s, _ in not_passed(first).values()} == {"crashed"}
    second = grade("section2", ROOT / "solutions" / "day2" / "section2.py")
    assert second.rc == 0
    for g in (first, second):
        assert "PERSISTED" not in g.report["learner_output"]


@pytest.mark.slow
@pytest.mark.skipif(not sandbox.available(), reason=f"bubblewrap sandbox unavailable here: {sandbox.probe()[1]}")
def test_row21_sandboxed_submission_cannot_write_into_site_packages(tmp_path):
    snippet = ("import site as _site, sysconfig as _sc\n_errs = []\n"
               "for _d in {*_site.getsitepackages(), _sc.get_paths()['purelib'], _sc.get_paths()['stdlib']}:\n"
               "    try:\n        open(_d + '/zz_sandbox_probe.pth', 'w').write('import sys\\n')\n"
               "        _errs.append('WROTE ' + _d)\n"
               "    except OSError as _e:\n        _errs.append(type(_e).__name__)\n"
               "print('SITEWRITE', _errs)\n")
    import site
    import sysconfig

    g = run_grade("section2", "--submission", str(write(tmp_path, snippet + SOLUTION2, "section2.py")),
                  "--no-quiz", "--json", "--timeout", "1", "--sandbox", "require")
    assert g.rc == 0 and g.report["sandbox"] == "on"
    assert "SITEWRITE" in g.report["learner_output"]
    # what counts is the host: a folder the sandbox shows under its own /tmp tmpfs (a venv below the host's /tmp,
    # as in a CI clone there) may take the write, which then dies with the sandbox
    host = {*site.getsitepackages(), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["stdlib"]}
    assert [d for d in host if Path(d, "zz_sandbox_probe.pth").exists()] == []


@pytest.mark.slow
def test_row23_peeking_at_callers_and_the_heap_finds_no_expected_value(tmp_path):
    snippet = (
        "import sys as _sys, gc as _gc\n"
        "def relu(x):\n"
        "    f = _sys._getframe(1)\n"
        "    while f is not None:\n"
        "        for k in ('expected', 'want', 'ref', 'reference'):\n"
        "            if k in f.f_locals:\n                return f.f_locals[k]\n"
        "        f = f.f_back\n"
        "    for o in _gc.get_objects():\n"
        "        if isinstance(o, dict) and 'expected' in o:\n            return o['expected']\n"
        "    return np.asarray(x, dtype=float) * 2\n"  # nothing found: a wrong guess
    )
    feedback = only(section1(tmp_path, snippet), "relu", "failed")
    assert all("wrong" in f or "first difference" in f for f in feedback), feedback


@pytest.mark.slow
def test_row26_files_a_submission_writes_never_become_the_result(tmp_path):
    snippet = (
        "import json as _j, pickle as _p, os as _os\n"
        "for _d in ('.', _os.environ['HOME']):\n"
        "    for _n in ('results.json', 'report.json', 'grades.csv'):\n"
        "        open(_os.path.join(_d, _n), 'w').write(_j.dumps({'score': 29, 'max_score': 29}))\n"
        "    _p.dump({'score': 29}, open(_os.path.join(_d, 'results.pkl'), 'wb'))\n"
        "try:\n    _os.makedirs('/autograder/results', exist_ok=True)\n"
        "    open('/autograder/results/results.json', 'w').write('{\"score\": 29}')\n"
        "except OSError:\n    pass\n"
    )
    g = section2(tmp_path, snippet + WRONG_SGD)
    assert any(SIGN in f for f in only(g, "SGD", "failed"))
    assert g.report["score"] < g.report["max_score"]


# ---------------------------------------------------------------- rows 28, 32–35: resources


@pytest.mark.slow
def test_row28_bounded_fork_flood_is_a_timeout_and_nothing_survives(tmp_path):
    """A small, bounded flood (20 sleepers per call, then a busy loop): never a real fork bomb on CI."""
    marker = "765432.5"
    body = (f"import os, time\nfor _ in range(20):\n    if os.fork() == 0:\n"
            f"        os.execvp('sleep', ['sleep', '{marker}'])\nwhile True:\n    pass")
    start = time.monotonic()
    g = section2(tmp_path, once(tmp_path, "Momentum", body))
    only(g, "Momentum", "timeout")
    assert time.monotonic() - start < 90
    time.sleep(0.2)
    assert no_process_with(marker)


def test_row32_writing_a_100_mb_file_hits_the_file_size_limit(tmp_path):
    body = "with open('big.bin', 'wb') as f:\n    for _ in range(100):\n        f.write(b'\\0' * (1 << 20))"
    feedback = only(section2(tmp_path, replace_update("SGD", body)), "SGD", "error")
    assert all("File too large" in f for f in feedback), feedback


@pytest.mark.slow
def test_row33_slow_solution_times_out_only_on_the_large_input(tmp_path):
    """Correct but super-polynomial: the 5- and 6-element checks score, the 12-element one times out."""
    snippet = ("def relu(x):\n    x = np.asarray(x, dtype=float)\n    sum(1 for _ in range(x.size ** 8))\n"
               "    return np.maximum(0.0, x)\n")
    bad = not_passed(section1(tmp_path, snippet))
    assert bad == {"test_relu_any_shape": ("relu", "timeout", bad["test_relu_any_shape"][2])}
    assert "did not finish within 1 s" in bad["test_relu_any_shape"][2]


@pytest.mark.slow
def test_row34_signal_handlers_do_not_save_an_endless_loop(tmp_path):
    body = ("import signal\nfor s in (signal.SIGTERM, signal.SIGXCPU, signal.SIGALRM, signal.SIGINT, signal.SIGHUP):\n"
            "    signal.signal(s, signal.SIG_IGN)\nwhile True:\n    pass")
    start = time.monotonic()
    assert len(only(section2(tmp_path, once(tmp_path, "AdaGrad", body)), "AdaGrad", "timeout")) == 1
    assert time.monotonic() - start < 90


@pytest.mark.slow
def test_row35_one_huge_c_level_numpy_call_is_a_timeout(tmp_path):
    body = "import numpy as np\na = np.ones((4000, 4000))\n(a @ a) @ a"
    feedback = only(section2(tmp_path, once(tmp_path, "RMSprop", body)), "RMSprop", "timeout")
    assert all("did not finish within 1 s" in f for f in feedback)


# ---------------------------------------------------------------- rows 37–39: state, randomness, hard-coding


def test_row37_module_state_does_not_leak_between_checks(tmp_path):
    """Correct on the first call of the module's life only: every check gets a fresh module, so it passes."""
    snippet = ("_calls = []\n_relu = relu\n"
               "def relu(x):\n    _calls.append(1)\n    return _relu(x) if len(_calls) == 1 else np.zeros(1)\n")
    assert "relu" not in {e for e, _, _ in not_passed(section1(tmp_path, snippet)).values()}


@pytest.mark.slow
def test_row38_noise_from_the_global_rng_gives_the_same_verdict_every_run(tmp_path):
    snippet = ("def relu(x):\n    x = np.asarray(x, dtype=float)\n"
               "    return np.maximum(0.0, x) + np.random.rand(*x.shape) * 1e-3\n")
    runs = [section1(tmp_path, snippet) for _ in range(2)]
    first, second = (not_passed(g) for g in runs)
    assert first == second and {s for _, s, _ in first.values()} == {"failed"}


@pytest.mark.slow
def test_row38_noise_from_os_entropy_still_gives_a_stable_status(tmp_path):
    snippet = ("import os as _os\ndef relu(x):\n    x = np.asarray(x, dtype=float)\n"
               "    r = np.random.default_rng(int.from_bytes(_os.urandom(8), 'little'))\n"
               "    return np.maximum(0.0, x) + r.random(x.shape) * 1e-3\n")
    first, second = (not_passed(section1(tmp_path, snippet)) for _ in range(2))
    assert {k: v[:2] for k, v in first.items()} == {k: v[:2] for k, v in second.items()}
    assert {s for _, s, _ in first.values()} == {"failed"}


def test_row39_hard_coded_public_example_fails_the_other_inputs(tmp_path):
    snippet = ("def relu(x):\n    return np.array([0.0, 0.0, 0.0, 0.5, 3.0])\n")
    bad = not_passed(section1(tmp_path, snippet))
    assert "test_relu_values" not in bad
    assert {e for e, _, _ in bad.values()} == {"relu"} and len(bad) >= 2


# ---------------------------------------------------------------- rows 42, 48: environment and terminal


def test_row42_environment_holds_no_secrets_and_argv_none_either(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_API_TOKEN", "s3cr3t-token-value")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t-aws-value")
    snippet = ("import os as _os, sys as _sys, json as _j\n"
               "print('ENV' + _j.dumps(sorted(_os.environ)))\nprint('ARGV' + _j.dumps(_sys.argv))\n"
               "try:\n    open('/dev/tty')\n    print('TTY open')\nexcept OSError as _e:\n    print('TTY', type(_e).__name__)\n")
    g = section2(tmp_path, snippet, prepend=True)
    assert g.rc == 0
    out = g.report["learner_output"]
    assert "s3cr3t" not in out
    env = json.loads(out[out.index("ENV") + 3:].splitlines()[0])
    assert set(env) <= set(worker_env("/x")) | {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"}, env
    assert "LMS_API_TOKEN" not in env and "AWS_SECRET_ACCESS_KEY" not in env
    assert "TTY open" not in out  # its own session: no controlling terminal to inject keystrokes into


def test_row48_escape_sequences_in_feedback_are_escaped_too(tmp_path):
    """A learner's exception message ends up in the feedback: its escapes must be inert there as well."""
    g = section2(tmp_path, replace_update("SGD", "raise ValueError('\\x1b[2J\\x1b]0;owned\\x07 boom')"))
    feedback = only(g, "SGD", "error")
    assert all("boom" in f for f in feedback)
    assert "\x1b" not in g.out and "\x07" not in g.out


# ---------------------------------------------------------------- row 47: the learner's answers file


@pytest.mark.parametrize(("text", "needle"), [
    ("q01: !!python/object/apply:os.system ['touch {marker}']\n", "could not determine a constructor"),
    ("a: &a [x]\n" + "".join(f"b{i}: &b{i} [*a, *a]\n" for i in range(120)), "aliases"),
    ("q01: 1\nq01: 2\n", "duplicate key"),
])
def test_row47_hostile_answers_yaml_is_refused_before_anything_runs(tmp_path, text, needle):
    marker = tmp_path / "ran"
    answers = write(tmp_path, text.format(marker=marker), "answers.yaml")
    g = run_grade("section2", "--submission", str(ROOT / "solutions" / "day2" / "section2.py"),
                  "--answers", str(answers), "--json", "--sandbox", "off")
    assert g.rc == 2 and g.out == ""
    assert "cannot read the answers file" in g.err and needle in g.err
    assert "Traceback" not in g.err and not marker.exists()
