"""Messages a learner understands (issue 12 §3): lines in the learner's file, one top-level message for a fault
every check shares, repetition collapsed, did-you-mean for the course's own names. Every test runs the CLI."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, grade_file, run_grade

SECTION2 = (ROOT / "solutions" / "day1" / "section2.py").read_text(encoding="utf-8")
STUB2 = ROOT / "exercises" / "day1" / "section2.py"


def _write(tmp_path: Path, text: str, name: str = "section2.py") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _with_line_in(func: str, line: str, source: str = SECTION2) -> tuple[str, int]:
    """`source` with `line` as the first statement of `func`; the new line's number."""
    lines = source.splitlines()
    at = next(i for i, s in enumerate(lines) if s.startswith(f"def {func}("))
    lines.insert(at + 1, f"    {line}")
    return "\n".join(lines) + "\n", at + 2


def _plain(section: str, path: Path, *extra: str) -> str:
    graded = run_grade(section, "--submission", str(path), "--no-quiz", "--lang", "en", *extra)
    return graded.out


# ---------------------------------------------------------------- (a) the learner's line, the library as context


def test_an_exception_inside_numpy_names_the_learners_line_and_numpy_as_context(tmp_path):
    source, lineno = _with_line_in("relu", "x = x.astype(np.int)")  # np.int: removed from numpy (2.0; 1.24)
    report = grade_file("day1.section2", _write(tmp_path, source)).report
    relu = [c for c in report["checks"] if c["exercise"] == "relu"]
    assert relu and all(c["status"] == "error" for c in relu)
    en = relu[0]["feedback_i18n"]["en"]
    assert f"(line {lineno}, inside numpy/" in en, en  # the learner's line, numpy's frame as context
    assert "__getattr__" in en
    ja = relu[0]["feedback_i18n"]["ja"]
    assert f"{lineno} 行目" in ja and "numpy/" in ja
    # numpy's long message is cut at a word boundary, marked with "…": never mid-word
    import numpy as np

    try:
        getattr(np, "int")  # noqa: B009 - removed from numpy
    except AttributeError as e:
        words = set(str(e).split())
    assert en.endswith(" …")
    assert en[:-2].split()[-1] in words, en


def test_mismatched_shapes_in_np_dot_are_reported_at_the_learners_line(tmp_path):
    source, lineno = _with_line_in("sigmoid", "np.dot(np.ones((2, 3)), np.ones((4, 2)))")
    report = grade_file("day1.section2", _write(tmp_path, source)).report
    sig = [c for c in report["checks"] if c["exercise"] == "sigmoid"]
    assert sig and all(c["status"] == "error" for c in sig)
    assert f"line {lineno}" in sig[0]["feedback_i18n"]["en"], sig[0]["feedback_i18n"]["en"]
    assert f"{lineno} 行目" in sig[0]["feedback_i18n"]["ja"]


def test_a_deep_learner_frame_wins_over_the_caller(tmp_path):
    source = SECTION2 + "\n\ndef _helper(x):\n    return x.astype(np.int)\n"
    helper_line = len(SECTION2.splitlines()) + 4
    source, _ = _with_line_in("relu", "_helper(x)", source)
    report = grade_file("day1.section2", _write(tmp_path, source)).report
    en = next(c for c in report["checks"] if c["exercise"] == "relu")["feedback_i18n"]["en"]
    assert f"line {helper_line + 1}" in en, en  # the innermost frame in the file (one line was inserted above)


# ---------------------------------------------------------------- (b) one top-level message for an import fault


def test_a_syntax_error_is_one_top_level_message_with_the_line_and_caret(tmp_path):
    path = _write(tmp_path, SECTION2.replace("def relu(x):", "def relu(x:", 1))
    graded = grade_file("day1.section2", path)
    report = graded.report
    assert set(graded.statuses().values()) == {"error"}  # statuses as before: scores do not change
    assert "SyntaxError" in report["message"] and "^" in report["message"]
    out = _plain("day1.section2", path)
    assert out.count("SyntaxError") == 1, out  # shown once, not on each of the 21 checks
    lines = out.splitlines()
    at = next(i for i, s in enumerate(lines) if "SyntaxError" in s)
    assert "def relu(x:" in lines[at + 1] and lines[at + 2].strip() == "^"


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="PEP 695 generics compile on Python 3.12+")
def test_pep695_generics_get_a_hint_to_use_the_older_form(tmp_path):
    path = _write(tmp_path, SECTION2.replace("def relu(x):", "def relu[T](x: T) -> T:", 1))
    report = grade_file("day1.section2", path).report
    assert "3.12" in report["message"] and "PEP 695" in report["message"]
    out = _plain("day1.section2", path)
    assert out.count("PEP 695") == 1 and "needs Python 3.12" in out
    ja = run_grade("day1.section2", "--submission", str(path), "--no-quiz", "--lang", "ja").out
    assert "Python 3.12 以降" in ja


def test_an_exception_at_import_is_the_reports_message_shown_once(tmp_path):
    path = _write(tmp_path, SECTION2 + "\nraise ValueError('boom at import')\n")
    graded = grade_file("day1.section2", path)
    assert set(graded.statuses().values()) == {"error"}
    assert "boom at import" in graded.report["message"]
    out = _plain("day1.section2", path)
    assert out.count("boom at import") == 1, out


def test_a_partly_failing_file_has_no_top_level_message():
    report = grade_file("day1.section2", STUB2).report
    assert report["message"] == ""  # not_implemented everywhere is no fault of the whole file


# ---------------------------------------------------------------- (c) repetition collapsed


def test_a_stub_prints_each_exercise_once_with_a_count():
    out = _plain("day1.section2", STUB2)
    assert out.count("not implemented yet") == 7, out  # once per exercise, not 21 times
    assert "×3" in out
    assert len(out.splitlines()) < 25


def test_the_rich_table_collapses_too():
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(sys.executable, ["-m", "grader.cli.launch", "day1.section2", "--submission", str(STUB2),
                                           "--no-quiz", "--lang", "en"], cwd=str(ROOT), encoding="utf-8", timeout=60,
                          dimensions=(60, 200))
    child.expect(pexpect.EOF)
    child.close()
    assert child.before.count("NotImplementedError)") == 7, child.before  # once per exercise, not 21 times
    assert "×3" in child.before


def test_a_syntax_error_on_a_terminal_is_shown_once(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    path = _write(tmp_path, SECTION2.replace("def relu(x):", "def relu(x:", 1))
    child = pexpect.spawn(sys.executable, ["-m", "grader.cli.launch", "day1.section2", "--submission", str(path),
                                           "--no-quiz", "--lang", "en"], cwd=str(ROOT), encoding="utf-8", timeout=60,
                          dimensions=(60, 200))
    child.expect(pexpect.EOF)
    child.close()
    assert child.before.count("SyntaxError") == 1, child.before


# ---------------------------------------------------------------- (d) did-you-mean knows the course's names


@pytest.mark.parametrize(("theirs", "ours"), [("d_sigmoid", "sigmoid_grad"), ("sigmoid_prime", "sigmoid_grad"),
                                              ("d_relu", "relu_grad"), ("step", "step_function")])
def test_did_you_mean_knows_the_courses_other_names(tmp_path, theirs, ours):
    path = _write(tmp_path, SECTION2.replace(f"def {ours}(", f"def {theirs}(", 1))
    report = grade_file("day1.section2", path).report
    checks = [c for c in report["checks"] if c["exercise"] == ours]
    assert checks and all(c["status"] == "missing" for c in checks)
    assert f"did you mean `{theirs}`?" in checks[0]["feedback_i18n"]["en"]
    assert f"`{theirs}`" in checks[0]["feedback_i18n"]["ja"]


def test_rmsprop_spelled_like_keras(tmp_path):
    source = (ROOT / "solutions" / "day2" / "section2.py").read_text(encoding="utf-8")
    path = _write(tmp_path, source.replace("class RMSprop", "class RMSProp"))
    report = grade_file("day2.section2", path).report
    checks = [c for c in report["checks"] if c["exercise"] == "RMSprop"]
    assert checks and all(c["status"] == "missing" for c in checks)
    assert "did you mean `RMSProp`?" in checks[0]["feedback_i18n"]["en"]


def test_attribute_typos_on_a_learners_object(tmp_path):
    source = (ROOT / "solutions" / "day1" / "section5.py").read_text(encoding="utf-8")
    affine = source.index("class Affine")
    end = source.index("class SoftmaxWithLoss")
    body = source[affine:end].replace("self.dW", "self.dweight").replace("def backward", "def backword")
    path = _write(tmp_path, source[:affine] + body + source[end:], "section5.py")
    report = grade_file("day1.section5", path).report
    text = " ".join(c["feedback_i18n"]["en"] for c in report["checks"] if c["exercise"] == "Affine"
                    and c["feedback_i18n"])
    assert "did you mean `backword`?" in text, text
    assert "the course calls it `backward`" in text


# ---------------------------------------------------------------- (e) a call that does not fit: the stub's signature

SECTION5 = (ROOT / "solutions" / "day1" / "section5.py").read_text(encoding="utf-8")


def _affine_with(old: str, new: str) -> str:
    """day1.section5's solution with one line of class Affine changed."""
    start, end = SECTION5.index("class Affine"), SECTION5.index("class SoftmaxWithLoss")
    body = SECTION5[start:end]
    assert body.count(old) == 1
    return SECTION5[:start] + body.replace(old, new) + SECTION5[end:]


def test_a_method_with_another_signature_is_told_the_stubs_once(tmp_path):
    path = _write(tmp_path, _affine_with("def forward(self, x):", "def forward(self, x, y):"), "section5.py")
    report = grade_file("day1.section5", path).report
    affine = [c for c in report["checks"] if c["exercise"] == "Affine"]
    assert affine and all(c["status"] == "error" for c in affine)  # the status and the score are as before
    for c in affine:
        assert "missing 1 required positional argument: 'y'" in c["feedback_i18n"]["en"]
        assert "the exercise file (exercises/day1/section5.py) defines `class Affine: def forward(self, x)`" in \
            c["note"]["en"], c["note"]
        assert "演習ファイル (exercises/day1/section5.py) の定義は `class Affine: def forward(self, x)`" in c["note"]["ja"]
    # TwoLayerNet's own code calls forward(x): the TypeError is raised in the learner's line, with no signature note
    net = [c for c in report["checks"] if c["exercise"] == "TwoLayerNet"]
    assert net and all(c["status"] == "error" and c["note"] is None for c in net)
    out = _plain("day1.section5", path)
    assert out.count("def forward(self, x)") == 1, out  # once for the exercise, not on each of its 4 checks
    ja = run_grade("day1.section5", "--submission", str(path), "--no-quiz", "--lang", "ja").out
    assert ja.count("def forward(self, x)") == 1 and "引数 (数・順番・名前)" in ja, ja


def test_checks_that_share_the_fault_refer_to_the_first(tmp_path):
    path = _write(tmp_path, _affine_with("def backward(self, dout):", "def backward(self, dout, extra):"), "section5.py")
    out = _plain("day1.section5", path)
    lines = out.splitlines()
    assert out.count("`class Affine: def backward(self, dout)`") == 1, out
    assert out.count("missing 1 required positional argument: 'extra'") == 2, out  # Affine once, TwoLayerNet once
    assert sum("(same as test_affine_backward_dx above)" in s for s in lines) == 2, out  # dW and db
    at = next(i for i, s in enumerate(lines) if "test_affine_backward_dx" in s)
    assert "missing 1 required positional argument" in lines[at + 1]
    assert lines[at + 2].strip().startswith("ℹ note: the exercise file")


def test_a_function_with_another_signature_is_told_the_stubs(tmp_path):
    path = _write(tmp_path, SECTION2.replace("def sigmoid(x):", "def sigmoid(x, beta):", 1))
    report = grade_file("day1.section2", path).report
    sig = [c for c in report["checks"] if c["exercise"] == "sigmoid"]
    assert sig and all(c["status"] == "error" for c in sig)
    assert all("defines `def sigmoid(x)`" in c["note"]["en"] for c in sig)
    grad = [c for c in report["checks"] if c["exercise"] == "sigmoid_grad"]  # its own line calls sigmoid(x)
    assert grad and all(c["status"] == "error" and c["note"] is None for c in grad)
    assert "line " in grad[0]["feedback_i18n"]["en"]


def test_a_terminal_shows_the_signature_once_too(tmp_path):
    """On a terminal (coloured marks, streamed exercise by exercise) as in a pipe."""
    pexpect = pytest.importorskip("pexpect")
    path = _write(tmp_path, _affine_with("def backward(self, dout):", "def backward(self, dout, extra):"), "section5.py")
    child = pexpect.spawn(sys.executable, ["-m", "grader.cli.launch", "day1.section5", "--submission", str(path),
                                           "--no-quiz", "--lang", "en"], cwd=str(ROOT), encoding="utf-8", timeout=60,
                          dimensions=(60, 200))
    child.expect(pexpect.EOF)
    child.close()
    assert child.before.count("ℹ note:") == 1, child.before
    assert child.before.count("(same as test_") == 3, child.before  # dW, db; TwoLayerNet's training
