"""Freezing public checks (grader/classroom/freeze.py) and replaying them (grader/engine/replay.py), on small made-up sections.

Recording runs pytest and learner workers, so every freeze and every grading here happens in a child process
(this pytest process never runs a nested pytest session)."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from grader.classroom.freeze import custom_logic
from grader.classroom.release import replay_only
from grader.engine.replay import FrozenDataError, load
from tests.conftest import ROOT

HEADER = '''import numpy as np

from grader.engine.checking import Msg, Variant, check, expect_array, expect_close, expect_equal, expect_raises, fail

X = np.array([1.0, -2.0, 3.0])
'''

SOLUTION = '''import numpy as np


def double(x):
    return 2 * x


def count(x):
    return len(x)


def root(x):
    if x < 0:
        raise ValueError(f"x = {x} is negative")
    return x ** 0.5


class Acc:
    def __init__(self, start):
        self.total = start.copy()

    def add(self, x):
        self.total += x

    def push(self, state):
        state["v"] += 1
'''

GOOD = HEADER + '''

@check("double", 1, ja="2 倍", en="doubles", public=True)
def test_double(learner):
    expect_array(learner.double(X.copy()), 2 * X, what="double(x)",
                 variants=[Variant(X, Msg(ja="そのまま返しています", en="returned x unchanged"))])


@check("Acc", 2, ja="状態", en="state", public=True, timeout=3)
def test_acc(learner):
    acc = learner.Acc(np.zeros(3))
    acc.add(X)
    expect_array(acc.total, X, what="acc.total")
    acc.push({"v": np.ones(3)})
    expect_array(learner.last_call.args[0]["v"], np.full(3, 2.0), what="state['v'] after push")
    expect_equal(learner.count(X), 3, what="count(x)")
    expect_equal(list(learner.double(np.zeros((2, 5))).shape), [2, 5], what="shape")


@check("root", 1, ja="負の数で例外", en="raises on a negative number", public=True)
def test_root(learner):
    with expect_raises("ValueError", ja="負の数", en="a negative number", mentions=["-1"]):
        learner.root(-1.0)
    expect_close(learner.root(4.0), 2.0, what="root(4)")


@check("double", 1, ja="非公開", en="hidden")
def test_hidden_double(learner):
    expect_array(learner.double(-X), -2 * X)
'''


def make_section(root: Path, n: int, checks: str, solution: str = SOLUTION) -> str:
    (root / "grader" / "checks" / "day9").mkdir(parents=True, exist_ok=True)
    (root / "grader" / "checks" / "day9" / f"section{n}.py").write_text(checks, encoding="utf-8")
    (root / "solutions" / "day9").mkdir(parents=True, exist_ok=True)
    (root / "solutions" / "day9" / f"section{n}.py").write_text(solution, encoding="utf-8")
    return f"day9.section{n}"


def child(code: str, *args: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    p = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env, text=True, capture_output=True,
                       timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    return json.loads(p.stdout.splitlines()[-1])


FREEZE = """
import json, sys
from pathlib import Path
from grader.errors import CourseDataError
from grader.classroom.freeze import freeze_section
root, sid, public = Path(sys.argv[1]), sys.argv[2], set(sys.argv[3].split(","))
try:
    f = freeze_section(sid, root, root / "solutions" / "day9" / (sid.split(".")[1] + ".py"), public)
    print(json.dumps({"module": f.module, "data": f.data, "checks": f.checks}))
except CourseDataError as e:
    print(json.dumps({"refused": str(e)}))
"""

GRADE = """
import json, sys
from pathlib import Path
from grader.engine.runner import run_checks
root, sid, sub = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
checks, _, _ = run_checks(sid, sub, points={"double": 9, "Acc": 9, "root": 9}, root=root)
print(json.dumps({c.id: [c.status, c.feedback_i18n.en if c.feedback_i18n else ""] for c in checks}))
"""


def freeze(root: Path, sid: str, public: str) -> dict:
    return child(FREEZE, str(root), sid, public)


@pytest.mark.slow
def test_a_frozen_section_replays_like_the_course_check(tmp_path: Path) -> None:
    course = tmp_path / "course"
    sid = make_section(course, 1, GOOD)
    frozen = freeze(course, sid, "test_double,test_acc,test_root")
    assert "refused" not in frozen, frozen
    assert frozen["checks"] == 3 and replay_only(frozen["module"]) == []
    module = frozen["module"]
    assert "test_hidden_double" not in module and "test_hidden_double" not in frozen["data"]
    assert "check('Acc', 2, ja='状態', en='state', timeout=3, public=True)" in module
    release = tmp_path / "release"
    target = release / "grader" / "checks" / "day9" / "section1.py"
    target.parent.mkdir(parents=True)
    target.write_text(module, encoding="utf-8")
    target.with_name("section1.frozen.json").write_text(frozen["data"], encoding="utf-8")
    data = load(target)
    steps = data["checks"]["test_acc"]["steps"]
    assert [s["op"] for s in steps] == ["call", "method", "getattr", "expect", "method", "expect", "call", "expect",
                                        "call", "expect"]
    assert steps[5]["got"] == {"op": 4, "from": "args", "at": 0, "steps": [["item", "v"]]}
    assert steps[9]["got"]["steps"] == [["shape"], ["list"]]
    # graded with the generated module: the reference passes, a slip is named, a stub is not implemented
    right = tmp_path / "right.py"
    right.write_text(SOLUTION, encoding="utf-8")
    assert child(GRADE, str(release), sid, str(right)) == {"test_double": ["passed", "correct"],
                                                          "test_acc": ["passed", "correct"],
                                                          "test_root": ["passed", "correct"]}
    assert [s["op"] for s in data["checks"]["test_root"]["steps"]] == ["raises", "call", "expect"]
    slip = tmp_path / "slip.py"
    slip.write_text(SOLUTION.replace("return 2 * x", "return x").replace('state["v"] += 1', 'state["v"] -= 1')
                    .replace("    if x < 0:\n", "    if x < -5:\n"), encoding="utf-8")
    got = child(GRADE, str(release), sid, str(slip))
    assert got["test_double"] == ["failed", "double(x): returned x unchanged"]
    assert got["test_acc"][0] == "failed" and "state['v'] after push" in got["test_acc"][1]
    assert got["test_root"][0] == "failed" and "expected ValueError to be raised" in got["test_root"][1]
    stub = tmp_path / "stub.py"
    stub.write_text("def double(x):\n    raise NotImplementedError\n\n\ndef root(x):\n    raise NotImplementedError\n"
                    "\n\nclass Acc:\n    def __init__(self, s):\n        raise NotImplementedError\n", encoding="utf-8")
    assert {s for s, _ in child(GRADE, str(release), sid, str(stub)).values()} == {"not_implemented"}


@pytest.mark.parametrize(("body", "why"), [
    ("    y = learner.double(X)\n    expect_array(y, np.round(y, 6))\n",
     "expected changes with the learner's results"),
    ("    y = learner.double(X)\n    expect_array(learner.double(np.round(y, 3)), 4 * X)\n",
     "args changes with the learner's results"),
    ("    expect_array(learner.double(X) / 2, X)\n", "compares a value the check computed"),
    ("    if learner.count(X) != 3:\n        fail('数が違う', 'wrong count')\n", "custom verdict logic"),
    ("    expect_array(learner.double(X), 3 * X)\n", "fails on the reference solution"),
    ("    cmp = expect_array\n    cmp(learner.double(X), 2 * X)\n", "passed around, not called"),
])
def test_what_cannot_be_frozen_is_refused_naming_the_check(tmp_path: Path, body: str, why: str) -> None:
    sid = make_section(tmp_path, 2, HEADER + '\n\n@check("double", 1, ja="a", en="a", public=True)\n'
                                            "def test_odd(learner):\n" + body)
    got = freeze(tmp_path, sid, "test_odd")
    assert "refused" in got, got
    assert "day9.section2 test_odd" in got["refused"] and why in got["refused"], got["refused"]


def test_custom_logic_scan_follows_helpers() -> None:
    source = HEADER + '''
from grader.engine.checking import CheckFailed


def _form(got):
    if not isinstance(got, tuple):
        fail("a", "b")
    return got


def _relabel(learner):
    try:
        expect_array(learner.double(X), 2 * X)
    except CheckFailed as e:
        raise CheckFailed(e.text) from None


def _oracle(x):
    return 2 * x


@check("double", 1, ja="a", en="a", public=True)
def test_uses_form(learner):
    _form(learner.double(X))


@check("double", 1, ja="a", en="a", public=True)
def test_relabels(learner):
    _relabel(learner)


@check("double", 1, ja="a", en="a", public=True)
def test_in_place(learner):
    learner.double(X)
    assert not learner.last_call.rebound


@check("double", 1, ja="a", en="a", public=True)
def test_clean(learner):
    expect_array(learner.double(X), _oracle(X))
'''
    assert any("`fail` in _form" in f for f in custom_logic(source, "test_uses_form"))
    found = custom_logic(source, "test_relabels")
    assert any("CheckFailed" in f for f in found) and any("`raise` in _relabel" in f for f in found)
    found = custom_logic(source, "test_in_place")
    assert any("`assert`" in f for f in found) and any(".rebound" in f for f in found)
    assert custom_logic(source, "test_clean") == []


def test_recorded_data_is_read_without_pickle(tmp_path: Path) -> None:
    module = tmp_path / "section1.py"
    buf = io.BytesIO()
    np.save(buf, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    blob = base64.b64encode(buf.getvalue()).decode()
    (tmp_path / "section1.frozen.json").write_text(json.dumps({"format": 1, "checks": {}, "arrays": [blob]}),
                                                   encoding="utf-8")
    with pytest.raises(FrozenDataError, match="unreadable array"):
        load(module)
    (tmp_path / "section1.frozen.json").write_text(json.dumps({"format": 99, "checks": {}}), encoding="utf-8")
    with pytest.raises(FrozenDataError, match="format"):
        load(module)


def test_replay_only_refuses_anything_but_plumbing() -> None:
    good = ('"""doc"""\nfrom __future__ import annotations\nfrom grader.engine.checking import check\n'
            "from grader.engine.replay import case, cases, load, replay\nFROZEN = load(__file__)\n\n"
            "@check('f', 1, ja='a', en='b', public=True)\ndef test_a(learner):\n    replay(learner, FROZEN, 'test_a')\n")
    assert replay_only(good) == []
    for bad in (good + "\ndef simulate(w):\n    return w\n",
                good.replace("from grader.engine.checking import check", "from grader.engine.checking import check, expect_array"),
                good + "import numpy as np\n",
                good + "\n@check('f', 1, ja='a', en='b', public=True)\ndef test_b(learner):\n"
                       "    replay(learner, FROZEN, 'test_b')\n    learner.f(1)\n",
                good.replace("@check('f'", "@check(SPEC.name")):
        assert replay_only(bad), bad
