"""Hostile and broken submissions (../shared/SECURITY.md): each gets its verdict in time, costs only its own
checks, and leaves no process behind. Each fixture is the reference solution plus one appended snippet."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests import conftest
from tests.conftest import ROOT, grade_file, no_process_with

SOLUTION = (ROOT / "solutions" / "day2" / "section2.py").read_text(encoding="utf-8")
EXERCISES = ["SGD", "Momentum", "AdaGrad", "RMSprop", "Adam"]
FAST = ("--timeout", "1")


# the template run of every case is slow (pytest -m "not slow" runs each case once; test_template.py checks that
# forked workers give the started workers' verdicts)
@pytest.fixture(autouse=True, params=["spawned", pytest.param("template", marks=pytest.mark.slow)])
def worker_start(request, monkeypatch):
    """Every case twice: workers started as `python worker.py` (single grading) and forked from the pre-loaded
    template that batch grading uses (grader/engine/worker.py, template mode)."""
    if request.param == "template":  # the template serves unsandboxed workers only: bubblewrap off here
        monkeypatch.setitem(conftest.EXTRA_ENV, "GRADER_WORKER_TEMPLATE", "1")
        monkeypatch.setitem(conftest.EXTRA_ENV, "GRADER_SANDBOX_DISABLE", "1")
    return request.param


def submission(tmp_path: Path, snippet: str, *, prepend: bool = False, name: str = "section2.py") -> Path:
    path = tmp_path / name
    path.write_text(snippet + "\n" + SOLUTION if prepend else SOLUTION + "\n" + snippet, encoding="utf-8")
    return path


def replace_update(cls: str, body: str) -> str:
    """Append code that swaps `cls.update` for a hostile one (indented body with params, grads in scope)."""
    lines = "\n".join("    " + line for line in body.strip().splitlines())
    return f"def _evil_update(self, params, grads):\n{lines}\n{cls}.update = _evil_update\n"


def only_this_fails(g, exercise: str, status: str) -> list[dict]:
    failing = [c for c in g.report["checks"] if c["status"] != "passed"]
    assert failing, "nothing failed"
    assert {c["exercise"] for c in failing} == {exercise}, [(c["id"], c["status"]) for c in failing]
    assert {c["status"] for c in failing} == {status}, [(c["id"], c["status"], c["feedback"]) for c in failing]
    assert g.rc == 1
    return failing


def all_checks(g, status: str) -> list[dict]:
    assert g.rc == 1, g.err
    assert {c["status"] for c in g.report["checks"]} == {status}, g.report["checks"][0]
    assert g.report["score"] == 0
    return g.report["checks"]


# ---------------------------------------------------------------- the whole file fails to load


def test_exit_at_import_is_crashed_never_success(tmp_path):
    g = grade_file("section2", submission(tmp_path, "import sys\nsys.exit(0)", prepend=True), *FAST)
    checks = all_checks(g, "crashed")
    assert "exited during import" in checks[0]["feedback"]


@pytest.mark.parametrize("call", ["exit()", "quit(0)"])
def test_the_site_builtins_exit_like_sys_exit(tmp_path, call):
    """The worker starts without site (-S) and binds exit/quit itself: a file that calls them exits as under a
    plain python, never with a NameError that would name the wrong fault."""
    g = grade_file("section2", submission(tmp_path, call, prepend=True), *FAST)
    checks = all_checks(g, "crashed")
    assert "exited during import" in checks[0]["feedback"]


def test_os_exit_at_import_is_crashed(tmp_path):
    g = grade_file("section2", submission(tmp_path, "import os\nos._exit(0)", prepend=True), *FAST)
    all_checks(g, "crashed")


def test_syntax_error_names_the_line_without_a_traceback(tmp_path):
    g = grade_file("section2", submission(tmp_path, "def broken(:\n    pass", prepend=True))
    checks = all_checks(g, "error")
    assert "SyntaxError at line 1" in checks[0]["feedback"]
    assert "Traceback" not in g.out + g.err


@pytest.mark.parametrize(("snippet", "needle"), [
    ("    x = 1", "SyntaxError at line 1: unexpected indent"),
    ("x = (1,\n", "SyntaxError at line 1"),
    ('eval("1 +")', "during import, raised SyntaxError"),  # the file compiles: its own eval does not
])
def test_what_does_not_compile_is_told_as_the_file_s_syntax_and_nothing_else(tmp_path, snippet, needle):
    """The worker compiles the file (the grading process compiles it only once the worker says it does not, for
    the message): a file that does not compile is told by its line; a SyntaxError the module raises itself
    stays an error raised during import."""
    g = grade_file("section2", submission(tmp_path, snippet, prepend=True))
    checks = all_checks(g, "error")
    assert needle in checks[0]["feedback"], checks[0]["feedback"]
    assert "Traceback" not in g.out + g.err


def test_a_file_too_deep_to_compile_is_the_learner_s_error_never_a_grader_fault(tmp_path):
    """A 100 000-term sum exhausts the compiler's recursion. It used to be compiled in the grading process (exit 3,
    a grader fault); the worker compiles it now, and it is that file's error, named as such."""
    g = grade_file("section2", submission(tmp_path, "x = " + "1+" * 100_000 + "1", prepend=True))
    assert g.rc == 1, g.err
    checks = all_checks(g, "error")
    assert "recursion too deep" in checks[0]["feedback"] and "compilation" in checks[0]["feedback"], checks[0]["feedback"]


def test_a_null_byte_is_named_with_its_line(tmp_path):
    path = tmp_path / "section2.py"
    path.write_bytes(SOLUTION.encode() + b"\nx = 1\x00\n")
    line = SOLUTION.count("\n") + 2
    checks = all_checks(grade_file("section2", path), "error")
    assert f"a null byte (\\x00) at line {line}" in checks[0]["feedback"], checks[0]["feedback"]


def test_non_utf8_source_is_named(tmp_path):
    path = tmp_path / "section2.py"
    path.write_bytes("# caf\u00e9\n".encode("latin-1") + SOLUTION.encode())
    checks = all_checks(grade_file("section2", path), "error")
    assert "not valid UTF-8 (byte 0xe9 at line 1)" in checks[0]["feedback"]


def test_bom_crlf_and_japanese_identifiers_grade_normally(tmp_path):
    path = tmp_path / "section2.py"
    text = "# 日本語のコメント\ndef 平均(x):\n    return x\n" + SOLUTION
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    g = grade_file("section2", path)
    assert g.rc == 0, g.out[:2000]


def test_reading_stdin_at_import_fails_fast(tmp_path):
    start = time.monotonic()
    g = grade_file("section2", submission(tmp_path, "input()", prepend=True))
    checks = all_checks(g, "error")
    assert "EOFError" in checks[0]["feedback"]
    assert time.monotonic() - start < 60


@pytest.mark.slow
def test_endless_loop_at_import_is_timeout(tmp_path):
    g = grade_file("section2", submission(tmp_path, "while True:\n    pass", prepend=True), *FAST)
    checks = all_checks(g, "timeout")
    assert "import did not finish" in checks[0]["feedback"]


def test_symlink_submission_is_rejected(tmp_path):
    link = tmp_path / "section2.py"
    link.symlink_to(ROOT / "solutions" / "day2" / "section2.py")
    checks = all_checks(grade_file("section2", link), "rejected")
    assert "symlink" in checks[0]["feedback"]


# ---------------------------------------------------------------- one exercise misbehaves; the rest still score


@pytest.mark.slow
def test_os_exit_inside_one_update_costs_only_that_exercise(tmp_path):
    g = grade_file("section2", submission(tmp_path, replace_update("Momentum", "import os\nos._exit(0)")), *FAST)
    failing = only_this_fails(g, "Momentum", "crashed")
    assert "before returning a value" in failing[0]["feedback"]


@pytest.mark.slow
def test_endless_loop_inside_one_update_is_timeout_and_the_rest_run(tmp_path):
    start = time.monotonic()
    g = grade_file("section2", submission(tmp_path, replace_update("AdaGrad", "while True:\n    pass")), *FAST)
    only_this_fails(g, "AdaGrad", "timeout")
    assert time.monotonic() - start < 60


@pytest.mark.slow
def test_sleeping_forever_is_killed_by_the_wall_clock(tmp_path):
    g = grade_file("section2", submission(tmp_path, replace_update("SGD", "import time\ntime.sleep(10**6)")), *FAST)
    only_this_fails(g, "SGD", "timeout")


@pytest.mark.slow
def test_raise_keyboard_interrupt_or_systemexit_is_an_error_of_that_check(tmp_path):
    snippet = replace_update("RMSprop", "raise KeyboardInterrupt") + replace_update("Adam", "raise SystemExit(0)")
    g = grade_file("section2", submission(tmp_path, snippet), *FAST)
    statuses = {c["exercise"]: c["status"] for c in g.report["checks"] if c["status"] != "passed"}
    assert statuses == {"RMSprop": "error", "Adam": "crashed"}
    assert g.rc == 1


@pytest.mark.slow
def test_huge_allocation_is_memory_limit(tmp_path):
    snippet = replace_update("RMSprop", "import numpy as np\nnp.ones((100000, 100000))")
    failing = only_this_fails(grade_file("section2", submission(tmp_path, snippet), *FAST), "RMSprop", "memory_limit")
    assert "memory" in failing[0]["feedback"]


def test_endless_recursion_is_an_error_naming_recursion(tmp_path):
    snippet = "def _down(n):\n    return _down(n + 1)\n" + replace_update("Adam", "_down(0)")
    failing = only_this_fails(grade_file("section2", submission(tmp_path, snippet), *FAST), "Adam", "error")
    assert "recursion too deep" in failing[0]["feedback"]


@pytest.mark.slow
def test_recursion_with_the_limit_lifted_ends_within_its_limits(tmp_path):
    """Python ≥ 3.11 recursion does not grow the C stack: it runs until the wall clock or memory ends it."""
    snippet = ("import sys\ndef _down(n):\n    return _down(n + 1)\n"
               + replace_update("Adam", "sys.setrecursionlimit(10**7)\n_down(0)"))
    start = time.monotonic()
    g = grade_file("section2", submission(tmp_path, snippet), *FAST)
    failing = [c for c in g.report["checks"] if c["status"] != "passed"]
    assert {c["exercise"] for c in failing} == {"Adam"}
    assert {c["status"] for c in failing} <= {"timeout", "crashed", "memory_limit"}
    assert time.monotonic() - start < 90


def test_missing_class_is_missing_and_others_still_pass(tmp_path):
    g = grade_file("section2", submission(tmp_path, "RMSprop_ = RMSprop\ndel RMSprop"))
    failing = only_this_fails(g, "RMSprop", "missing")
    assert "did you mean `RMSprop_`" in failing[0]["feedback"]


# ---------------------------------------------------------------- integrity: the score reflects only returned values

WRONG_SGD = replace_update("SGD", "for k in params:\n    params[k] += self.lr * grads[k]")


def test_patching_numpy_comparisons_changes_no_verdict(tmp_path):
    snippet = (
        "import numpy as np, numpy.testing\n"
        "np.allclose = lambda *a, **k: True\nnp.array_equal = lambda *a, **k: True\n"
        "np.isclose = lambda *a, **k: True\nnumpy.testing.assert_allclose = lambda *a, **k: None\n" + WRONG_SGD
    )
    g = grade_file("section2", submission(tmp_path, snippet), *FAST)
    failing = only_this_fails(g, "SGD", "failed")
    assert "sign" in failing[0]["feedback"]


def test_patching_builtins_can_only_hurt_the_submission(tmp_path):
    """Breaking builtins breaks numpy inside the child too: the score may fall, never rise."""
    snippet = "import builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.len = lambda x: 0\n" + WRONG_SGD
    g = grade_file("section2", submission(tmp_path, snippet), *FAST)
    assert g.rc == 1
    assert all(c["status"] != "passed" for c in g.report["checks"] if c["exercise"] == "SGD")
    assert g.report["score"] <= g.report["max_score"] - 4


def test_forged_report_in_output_is_shown_escaped_and_scores_nothing(tmp_path):
    forged = '{"section": "day2.section2", "score": 29, "max_score": 29, "checks": []}'
    snippet = (f"print({forged!r})\nprint('===== 24 passed in 0.1s =====')\nprint('\\x1b[2J\\x1b[31mowned')\n"
               + WRONG_SGD)
    g = grade_file("section2", submission(tmp_path, snippet), *FAST)
    report = json.loads(g.out)  # stdout is still exactly one JSON document: ours
    assert report["score"] < report["max_score"]
    only_this_fails(g, "SGD", "failed")
    assert "24 passed" in report["learner_output"]
    assert "\x1b" not in report["learner_output"] and "\\x1b" in report["learner_output"]


def test_cheat_object_in_params_is_invalid_result(tmp_path):
    snippet = ("class _Cheat:\n    def __eq__(self, other):\n        return True\n    __hash__ = None\n"
               + replace_update("SGD", "for k in params:\n    params[k] = _Cheat()"))
    failing = only_this_fails(grade_file("section2", submission(tmp_path, snippet), *FAST), "SGD", "invalid_result")
    assert "_Cheat" in failing[0]["feedback"]


def test_ndarray_subclass_in_params_is_invalid_result(tmp_path):
    snippet = (
        "import numpy as np\nclass _Sub(np.ndarray):\n    def __eq__(self, other):\n        return True\n"
        + replace_update("Adam", "for k in params:\n    params[k] = params[k].view(_Sub)")
    )
    failing = only_this_fails(grade_file("section2", submission(tmp_path, snippet), *FAST), "Adam", "invalid_result")
    assert "subclass" in failing[0]["feedback"]


def test_the_worker_holds_only_the_submission(tmp_path):
    """The child's cwd holds the staged file alone (or nothing, sandboxed) and the project's packages do not import.
    (Reading the repository by absolute path is only prevented by the sandbox of the classroom issue.)"""
    probe = (
        "import glob\n_found = sorted(glob.glob('**', recursive=True))\n"
        "for _name in ('grader', 'solutions', 'tests'):\n"
        "    try:\n        __import__(_name)\n        _found.append(_name + ' importable')\n"
        "    except ImportError:\n        pass\n"
        "print('FOUND', _found)\n"
    )
    g = grade_file("section2", submission(tmp_path, probe))
    assert g.rc == 0
    # sandboxed, the cwd is the worker's own capped tmpfs (the staged file is read-only elsewhere): empty
    want = "FOUND []" if g.report["sandbox"] == "on" else "FOUND ['section2.py']"
    assert want in g.report["learner_output"]


@pytest.mark.slow
def test_background_process_does_not_survive_the_grade(tmp_path):
    marker = "987654.25"
    snippet = (
        "import os\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        f"        os.execvp('sleep', ['sleep', '{marker}'])\n"
        "    os._exit(0)\n"
    )
    g = grade_file("section2", submission(tmp_path, snippet, prepend=True), *FAST)
    assert g.rc == 0, g.out[-2000:]
    time.sleep(0.2)
    assert no_process_with(marker)


@pytest.mark.slow
def test_a_death_an_earlier_check_set_up_for_the_next_load_costs_no_check(tmp_path):
    """SGD.update leaves a file that makes the module exit at its next import in that worker. The load is tried
    once more in a fresh worker (a fresh folder): the death is not the module's own, and no check pays."""
    die_at_import = ("import os\nif os.path.exists('die_at_next_load'):\n"
                     "    os.remove('die_at_next_load')\n    os._exit(3)\n")
    arm = replace_update("SGD", "open('die_at_next_load', 'w').close()\nfor k in params:\n"
                                "    params[k] -= self.lr * grads[k]")
    path = tmp_path / "section2.py"
    path.write_text(die_at_import + SOLUTION + "\n" + arm, encoding="utf-8")
    g = grade_file("section2", path, *FAST)
    assert g.rc == 0, [(c["id"], c["status"], c["feedback"]) for c in g.report["checks"] if c["status"] != "passed"]


@pytest.mark.slow
def test_output_flood_is_capped_and_the_grade_finishes(tmp_path):
    snippet = replace_update("SGD", "import sys\nsys.stdout.write('x' * (1 << 24))\nfor k in params:\n"
                                    "    params[k] -= self.lr * grads[k]")
    g = grade_file("section2", submission(tmp_path, snippet), "--timeout", "3")
    assert g.rc == 0
    assert len(g.report["learner_output"]) < 10_000
    assert "bytes in all" in g.report["learner_output"]


@pytest.mark.parametrize("exercise", EXERCISES)
def test_one_broken_exercise_leaves_the_others_full(tmp_path, exercise):
    g = grade_file("section2", submission(tmp_path, f"del {exercise}"))
    failing = only_this_fails(g, exercise, "missing")
    assert all(c["exercise"] == exercise for c in failing)
