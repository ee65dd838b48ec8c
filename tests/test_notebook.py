"""grader.practice.notebook.check: a notebook's class, function, module or source string, graded through the same
worker and shown as escaped HTML. Called as a function, as a notebook would (no notebook server)."""

from __future__ import annotations

import importlib
import linecache
import sys
import types

import pytest

from grader.practice.notebook import NotebookReport, build_source, check, source_of
from grader.results import SectionReport

MOMENTUM = """
class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        if self.v is None:
            self.v = {k: np.zeros_like(v) for k, v in params.items()}
        for k in params:
            self.v[k] = self.momentum * self.v[k] - self.lr * grads[k]
            params[k] += self.v[k]
"""


def define_in_a_cell(source: str, cell: int = 7) -> dict:
    """Run `source` the way IPython runs a cell: code from a pseudo-file held in linecache, in a module without
    __file__ (like __main__), so inspect.getsource of a class fails exactly as it does in Jupyter."""
    filename = f"<ipython-input-{cell}-0123456789ab>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    sys.modules.setdefault("notebook_main", types.ModuleType("notebook_main"))
    ns: dict = {"__name__": "notebook_main", "np": importlib.import_module("numpy")}
    exec(compile(source, filename, "exec"), ns)  # noqa: S102 - the test's own fixed source
    return ns


def test_a_class_from_a_cell_is_graded_by_its_source_and_shown_as_html():
    Momentum = define_in_a_cell(MOMENTUM)["Momentum"]
    with pytest.raises((OSError, TypeError)):
        import inspect

        inspect.getsource(Momentum)  # what the fallback is for
    Momentum.update = lambda self, params, grads: None  # the live object is broken; its source is not
    result = check("section2", Momentum, lang="en")
    assert isinstance(result, NotebookReport) and isinstance(result.report, SectionReport)
    assert {c.exercise for c in result.checks} == {"Momentum"}  # only what was submitted is shown
    assert result.score == result.max_score == 6 and all(c.status == "passed" for c in result.checks)
    page = result._repr_html_()
    assert page.count("<tr><td>Momentum</td>") == len(result.checks) and "SGD" not in page
    assert "checks 5/5 passed, score 6 / 6" in page
    assert "score: 6 / 6" in str(result)


def test_a_wrong_source_string_fails_and_learner_text_is_escaped():
    wrong = (
        MOMENTUM.replace("- self.lr * grads[k]", "+ self.lr * grads[k]")
        + '\nprint("<script>alert(1)</script> & <b>")\n'
    )
    result = check("section2", wrong, lang="both")
    momentum = [c for c in result.report.checks if c.exercise == "Momentum"]
    assert any(c.status == "failed" for c in momentum)
    assert {c.status for c in result.report.checks if c.exercise == "SGD"} == {
        "missing"
    }  # a string: all shown
    page = result._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" in page
    assert "不正解 / failed" in page and result.score < result.max_score


def test_a_module_and_a_list_of_objects():
    solution = importlib.import_module("solutions.day2.section2")
    assert check("day2.section2", solution, record=False).score == 29
    result = check("section2", [solution.SGD, solution.Adam], record=False)
    assert {c.exercise for c in result.checks} == {
        "SGD",
        "Adam",
    } and result.score == result.max_score == 4 + 7


def test_source_building_and_bad_input():
    text, names = build_source([MOMENTUM, "def f():\n    return 1\n"])
    assert text.startswith("import numpy as np\n") and "class Momentum" in text and names is None

    def sigmoid_grad(x):  # an indented definition is dedented
        return x

    assert source_of(sigmoid_grad).startswith("def sigmoid_grad(x):")
    with pytest.raises(TypeError, match="expected a class"):
        source_of(42)
    with pytest.raises(ValueError):
        build_source([])
