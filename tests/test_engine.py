"""The trust boundary and the check helpers, driven directly (a Session on a small module, no CLI)."""

from __future__ import annotations

import io

import numpy as np
import pytest

from grader.course.yamlfile import read_yaml
from grader.engine.checking import (
    CheckFailed,
    Variant,
    central_difference,
    expect_array,
    expect_close,
    expect_equal,
    expect_raises,
)
from grader.engine.proxy import (
    LearnerCrashed,
    LearnerInvalidResult,
    LearnerMissing,
    LearnerNotImplemented,
    LearnerRaised,
    LearnerTimeout,
    RemoteFunction,
    RemoteObject,
    Session,
    escape_output,
)
from grader.errors import CourseDataError
from grader.text import Text

MODULE = '''
import numpy as np

def double(x):
    return 2 * x

def scalar(x):
    return np.float64(x.sum())

def shapes(x):
    return (x.shape, {"n": int(x.size)}, [1, 2.5, "a", None, True])

def stub(x):
    raise NotImplementedError

def boom(x):
    return 1 / 0

def dot(a, b):
    return np.dot(a, b)

def says(text):
    raise ValueError(text)

def cheat(x):
    class Cheat:
        def __eq__(self, other):
            return True
    return Cheat()

def subclass(x):
    class Sub(np.ndarray):
        pass
    return x.view(Sub)

def objects(x):
    return np.array([1, "a"], dtype=object)

def scale_in_place(x):
    x *= 3

def rebind(d):
    d["W"] = d["W"] + 1
    d["b"] -= 1

def draw(rng):
    return rng.normal(size=3)

def call_fn(f, x):
    return f(x)

def sleepy(x):
    import time
    time.sleep(100)

def noisy(x):
    return np.exp(x)

class Counter:
    def __init__(self, start=0):
        self.n = start
    def step(self, k=1):
        self.n += k
        return self.n

class UnprintableWarning(UserWarning):
    shown = 0
    def __str__(self):  # fine for the warnings module, then it raises
        UnprintableWarning.shown += 1
        if UnprintableWarning.shown > 1:
            raise RuntimeError("no text for you")
        return "once"

class _NamedMeta(type):
    @property
    def __name__(cls):
        return 42

class OddlyNamedWarning(UserWarning, metaclass=_NamedMeta):
    pass

def hostile_warnings(x):
    import warnings
    warnings.warn(UnprintableWarning())
    warnings.warn("odd", OddlyNamedWarning)
    for i in range(50):
        warnings.warn("\x1b[2J spam %d " % i + "x" * 1000)
    warnings.warn("\x1b[2J spam 0 " + "x" * 1000)  # the same text again: listed once
    return x

def two_args(x, y):
    return x

def raises_type_error_inside(x):
    raise TypeError("my own")

COUNT = 0
def bump():
    global COUNT
    COUNT += 1
    return COUNT

def clip_list(grads, max_norm):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    for g in grads:
        g *= max_norm / total

def rebind_first(grads):
    grads[0] = grads[0] * 2
    grads[1] *= 2

def put(grads, what):
    g = grads[0]
    if what == "reshaped_in_place":
        g.shape = (g.size,)
        return
    grads[0] = {"float": lambda: 1.5, "none": lambda: None, "text": lambda: "x", "object": lambda: Counter(),
                "list": g.tolist, "subclass": lambda: g.view(type("Sub", (np.ndarray,), {})),
                "objects": lambda: np.array([1, "a"], dtype=object), "flat": lambda: g.ravel().copy(),
                "ints": lambda: g.astype(np.int64), "float32": lambda: g.astype(np.float32)}[what]()

def grow(grads):
    grads.append(np.zeros(2))

def shrink(grads):
    grads.pop()

def flood(grads):
    grads.extend([grads[0]] * 100_000)

def reverse(grads):
    grads.reverse()

def forge_after(grads, state, arrays):
    """Answer the call with our own frame whose `after` says `state` for grads, then end the worker."""
    import gc, io, json, os, struct, sys
    frame = sys._getframe()
    while "seq" not in frame.f_locals:
        frame = frame.f_back
    frames = []
    for a in arrays:
        buf = io.BytesIO()
        np.save(buf, a, allow_pickle=False)
        frames.append(buf.getvalue())
    header = {"result": None, "after": [state, None, None], "kafter": {}, "seq": frame.f_locals["seq"],
              "nframes": len(frames)}
    fd = next(o.wfd for o in gc.get_objects() if type(o).__name__ == "Channel")
    parts = [json.dumps(header).encode(), *frames]
    os.write(fd, b"".join(struct.pack(">I", len(p)) + p for p in parts))
    os._exit(0)
'''


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    path = tmp_path_factory.mktemp("engine") / "mod.py"
    path.write_text(MODULE, encoding="utf-8")
    s = Session(path, call_timeout=1.0, import_timeout=5.0)
    yield s
    s.close()


@pytest.fixture
def learner(session):
    return session.fresh()


def test_arrays_and_scalars_come_back_as_plain_data(learner):
    x = np.arange(6.0).reshape(2, 3)
    got = learner.double(x)
    assert type(got) is np.ndarray and np.array_equal(got, 2 * x)
    s = learner.scalar(x)
    assert isinstance(s, np.floating) and s == 15.0


def test_tuples_dicts_and_json_values_survive(learner):
    shape, info, items = learner.shapes(np.zeros((2, 5)))
    assert shape == (2, 5) and info == {"n": 10} and items == [1, 2.5, "a", None, True]


@pytest.mark.parametrize(("name", "fault"), [("stub", LearnerNotImplemented), ("boom", LearnerRaised),
                                             ("no_such_function", LearnerMissing)])
def test_faults_become_their_status(learner, name, fault):
    with pytest.raises(fault):
        getattr(learner, name)(np.zeros(2))


def test_missing_name_suggests_the_close_one(learner):
    with pytest.raises(LearnerMissing, match="did you mean `double`"):
        learner.doubel(np.zeros(2))


def test_raised_exception_names_type_and_line(learner):
    with pytest.raises(LearnerRaised) as e:
        learner.boom(np.zeros(2))
    assert e.value.type_name == "ZeroDivisionError" and "line 17" in e.value.text.en


def test_an_object_stays_remote_and_cannot_pass_as_a_value(learner):
    got = learner.cheat(np.zeros(2))
    assert isinstance(got, RemoteObject)
    assert got != 1 and not (got == np.zeros(2))
    with pytest.raises(LearnerInvalidResult):
        expect_array(got, np.zeros(2))
    with pytest.raises(LearnerInvalidResult):
        expect_equal(got, 1)


@pytest.mark.parametrize("name", ["subclass", "objects"])
def test_subclasses_and_object_arrays_are_invalid(learner, name):
    with pytest.raises(LearnerInvalidResult):
        getattr(learner, name)(np.zeros(3))


def test_in_place_changes_come_back_as_results_and_never_touch_the_checks_arrays(learner):
    x = np.ones(3)
    learner.scale_in_place(x)
    assert np.array_equal(x, [1.0, 1.0, 1.0]), "the check's own array was changed by learner code"
    assert np.array_equal(learner.last_call.args[0], [3.0, 3.0, 3.0]) and learner.last_call.modified == [0]
    assert learner.last_call.args[0] is not x


def test_rebinding_a_key_is_recorded_apart_from_updating_in_place(learner):
    w, b = np.zeros(2), np.ones(2)
    d = {"W": w, "b": b}
    learner.rebind(d)
    assert learner.last_call.rebound == [(0, "W")]
    assert d["W"] is w and d["b"] is b and np.array_equal(w, [0, 0]) and np.array_equal(b, [1, 1])
    after = learner.last_call.args[0]
    assert np.array_equal(after["W"], [1, 1]) and np.array_equal(after["b"], [0, 0])
    assert after["W"] is not w and after["b"] is not b


def test_unchanged_arguments_come_back_as_copies(learner):
    x = np.arange(3.0)
    learner.scale_in_place(np.zeros(0))
    learner.cheat(x)
    assert learner.last_call.args[0] is not x and np.array_equal(learner.last_call.args[0], x)


# ---------------------------------------------------------------- a list (or tuple) of arrays: clip_grads(grads, max_norm)


def _grads():
    """Wx (2, 3), Wh (3, 3), b (3,): a list of arrays of different shapes, as the book's clip_grads takes."""
    rng = np.random.default_rng(0)
    return [rng.normal(size=(2, 3)), rng.normal(size=(3, 3)), rng.normal(size=3)]


def test_a_list_of_arrays_changed_in_place_comes_back_as_a_result_never_touching_the_checks_arrays(learner):
    grads = _grads()
    saved = [g.copy() for g in grads]
    total = np.sqrt(sum(float(np.sum(g * g)) for g in saved))
    learner.clip_list(grads, 1.0)
    assert all(np.array_equal(g, s) for g, s in zip(grads, saved, strict=True)), "learner code changed the check's arrays"
    after = learner.last_call.args[0]
    assert type(after) is list and after is not grads and len(after) == 3
    assert not any(a is g for a in after for g in grads)
    for a, s in zip(after, saved, strict=True):
        assert type(a) is np.ndarray and np.allclose(a, s / total)
    assert learner.last_call.modified == [(0, 0), (0, 1), (0, 2)] and learner.last_call.rebound == []


def test_a_tuple_of_arrays_comes_back_as_a_tuple(learner):
    grads = tuple(_grads())
    learner.clip_list(grads, 1.0)
    after = learner.last_call.args[0]
    assert type(after) is tuple and len(after) == 3 and learner.last_call.modified == [(0, 0), (0, 1), (0, 2)]
    assert np.array_equal(grads[2], _grads()[2])


def test_an_array_put_in_the_list_is_recorded_as_rebound(learner):
    grads = _grads()
    learner.rebind_first(grads)
    after = learner.last_call.args[0]
    assert np.allclose(after[0], 2 * grads[0]) and np.allclose(after[1], 2 * grads[1])
    assert np.array_equal(after[2], grads[2]) and after[2] is not grads[2]
    assert learner.last_call.rebound == [(0, 0)] and learner.last_call.modified == [(0, 0), (0, 1)]
    learner.put(grads, "float32")  # another float array of the same shape: a result to judge, not a fault
    assert learner.last_call.rebound == [(0, 0)] and learner.last_call.args[0][0].dtype == np.float32


def test_an_untouched_list_comes_back_as_copies(learner):
    grads = _grads()
    learner.cheat(grads)
    after = learner.last_call.args[0]
    assert all(a is not g and np.array_equal(a, g) for a, g in zip(after, grads, strict=True))
    assert learner.last_call.modified == [] and learner.last_call.rebound == []


def test_only_lists_and_tuples_of_arrays_are_mirrored():
    from grader.engine.worker import MAX_MIRRORED, mirrored_sequence

    assert mirrored_sequence([np.zeros(1)], np.ndarray) and mirrored_sequence((np.zeros(1), np.ones(2)), np.ndarray)
    for v in ([], [1, 2], [np.zeros(1), 1.0], [np.float64(1.0)], {"W": np.zeros(1)}, [np.zeros(1)] * (MAX_MIRRORED + 1)):
        assert not mirrored_sequence(v, np.ndarray), v


@pytest.mark.parametrize(("call", "needle"), [
    (("grow",), "now has length 4"),
    (("shrink",), "now has length 2"),
    (("flood",), "now has length 100003"),
    (("reverse",), "argument 1[0] became an array of shape (3,)"),
    (("put", "float"), "argument 1[0] became float"),
    (("put", "none"), "argument 1[0] became NoneType"),
    (("put", "text"), "argument 1[0] became str"),
    (("put", "list"), "argument 1[0] became list"),
    (("put", "object"), "argument 1[0] became <Counter>"),
    (("put", "subclass"), "ndarray subclass"),
    (("put", "objects"), "dtype object"),
    (("put", "flat"), "shape (6,)"),
    (("put", "reshaped_in_place"), "shape (6,)"),
    (("put", "ints"), "dtype int64"),
])
def test_a_list_that_grew_shrank_or_holds_something_else_is_invalid_never_a_grader_fault(session, call, needle):
    learner = session.fresh()
    grads = _grads()
    with pytest.raises(LearnerInvalidResult) as e:
        getattr(learner, call[0])(grads, *call[1:])
    assert needle in e.value.text.en, e.value.text.en
    assert e.value.text.ja and "Traceback" not in e.value.text.en
    assert np.array_equal(grads[0], _grads()[0])
    assert np.array_equal(session.fresh().double(np.ones(1)), [2.0])  # the next check is graded as usual


FORGED_LIST_STATES = {  # what a forged answer says became of a list of 2 arrays → the fault it is
    "more_elements_than_length": ({"length": 1, "elements": [None, None]}, [], LearnerCrashed),
    "fewer_elements_than_sent": ({"length": 2, "elements": [None]}, [], LearnerCrashed),
    "length_not_int": ({"length": "2", "elements": [None, None]}, [], LearnerCrashed),
    "length_bool": ({"length": True, "elements": [None]}, [], LearnerCrashed),
    "length_negative": ({"length": -1, "elements": []}, [], LearnerCrashed),
    "length_astronomic": ({"length": 10**30, "elements": [None, None]}, [], LearnerCrashed),
    "elements_not_list": ({"length": 2, "elements": {"0": None}}, [], LearnerCrashed),
    "too_many_elements": ({"length": 300, "elements": [None] * 300}, [], LearnerCrashed),
    "element_not_object": ({"length": 2, "elements": [5, None]}, [], LearnerCrashed),
    "element_without_value": ({"length": 2, "elements": [{"same": True}, None]}, [], LearnerCrashed),
    "same_not_bool": ({"length": 2, "elements": [{"same": "yes", "value": 1.0}, None]}, [], LearnerCrashed),
    "element_extra_field": ({"length": 2, "elements": [{"value": 1.0, "x": 1}, None]}, [], LearnerCrashed),
    "mixed_with_dict_state": ({"length": 2, "elements": [None, None], "removed": []}, [], LearnerCrashed),
    "dict_state_for_a_list": ({"items": {}, "removed": []}, [], LearnerCrashed),
    "array_state_for_a_list": ({"value": {"__nd__": 0}}, [np.zeros(2)], LearnerCrashed),
    "frame_out_of_range": ({"length": 2, "elements": [{"value": {"__nd__": 3}}, None]}, [], LearnerCrashed),
    "longer_list": ({"length": 7, "elements": [None, None]}, [], LearnerInvalidResult),
    "wrong_shape": ({"length": 2, "elements": [{"same": True, "value": {"__nd__": 0}}, None]}, [np.zeros(5)],
                    LearnerInvalidResult),
    "wrong_kind": ({"length": 2, "elements": [{"value": {"__nd__": 0}}, None]}, [np.zeros((2, 3), dtype=bool)],
                   LearnerInvalidResult),
    "structured_dtype": ({"length": 2, "elements": [{"value": {"__nd__": 0}}, None]},
                         [np.zeros((2, 3), dtype=[("\x1b[31m", "<f8")])], LearnerInvalidResult),
    "a_handle": ({"length": 2, "elements": [{"value": {"__handle__": 9, "type": "X"}}, None]}, [],
                 LearnerInvalidResult),
}


@pytest.mark.parametrize("name", sorted(FORGED_LIST_STATES))
def test_a_forged_list_state_is_the_learners_fault_never_a_grader_fault(session, name):
    state, arrays, fault = FORGED_LIST_STATES[name]
    learner = session.fresh()
    grads = _grads()[:2]
    with pytest.raises(fault) as e:
        learner.forge_after(grads, state, arrays)
    assert "\x1b" not in e.value.text.en and "\x1b" not in e.value.text.ja
    assert np.array_equal(grads[0], _grads()[0]) and np.array_equal(grads[1], _grads()[1])
    assert np.array_equal(session.fresh().double(np.ones(1)), [2.0])  # the next check is graded as usual


def test_a_generator_crosses_with_its_state(learner):
    got = learner.draw(np.random.default_rng(5))
    assert np.array_equal(got, np.random.default_rng(5).normal(size=3))


def test_functions_cross_by_name_only(learner):
    assert learner.call_fn(RemoteFunction("sum_squares"), np.array([1.0, 2.0])) == 5.0
    with pytest.raises(TypeError):
        learner.call_fn(lambda x: x, np.zeros(1))


def test_warnings_are_recorded_per_call(learner):
    learner.noisy(np.array([1000.0]))
    assert any("overflow" in w for w in learner.last_call.warnings)
    learner.noisy(np.array([1.0]))
    assert learner.last_call.warnings == []


def test_hostile_warnings_come_back_capped_distinct_and_inert(learner):
    got = learner.hostile_warnings(np.array([1.0]))
    assert np.array_equal(got, [1.0])  # a warning never breaks the answer
    ws = learner.last_call.warnings
    assert len(ws) == 10 and len(set(ws)) == 10
    assert ws[0] == "Warning: <unprintable>"
    assert ws[1] == "OddlyNamedWarning: odd"  # the class's own name, not what its metaclass claims
    assert all(len(w) <= 300 and "\x1b" not in w for w in ws)
    assert "\\x1b[2J spam 0" in ws[2]  # shown escaped


def test_a_call_that_does_not_fit_the_signature_is_marked_and_told_the_stubs(learner, tmp_path):
    from grader.engine.signature import stub_signatures

    with pytest.raises(LearnerRaised) as e:
        learner.two_args(np.zeros(1))
    assert e.value.at_call and e.value.type_name == "TypeError" and e.value.note is None  # no stub known
    stub = tmp_path / "exercises" / "day9" / "section9.py"
    stub.parent.mkdir(parents=True)
    stub.write_text("def two_args(x):\n    raise NotImplementedError\n\n\nclass Counter:\n"
                    "    def __init__(self, start=0):\n        pass\n\n    def step(self, k=1):\n        pass\n",
                    encoding="utf-8")
    with stub_signatures(stub), pytest.raises(LearnerRaised) as e:
        learner.two_args(np.zeros(1))
    assert e.value.note is not None and "`def two_args(x)`" in e.value.note.en
    assert "exercises/day9/section9.py" in e.value.note.ja
    counter = learner.Counter()
    with stub_signatures(stub), pytest.raises(LearnerRaised) as e:
        counter.step(1, 2)
    assert e.value.note is not None and "`class Counter: def step(self, k=1)`" in e.value.note.en
    with stub_signatures(stub), pytest.raises(LearnerRaised) as e:
        learner.Counter(1, 2, 3)
    assert e.value.note is not None and "`class Counter: def __init__(self, start=0)`" in e.value.note.en
    with stub_signatures(stub), pytest.raises(LearnerRaised) as e:
        learner.raises_type_error_inside(np.zeros(1))  # a TypeError of the learner's own code: no signature
    assert not e.value.at_call and e.value.note is None


def test_remote_objects_keep_state_and_forward_methods_and_attributes(learner):
    c = learner.Counter(start=5)
    assert c.step() == 6 and c.step(k=4) == 10 and c.n == 10
    c.n = 0
    assert c.step() == 1


def test_module_state_is_fresh_for_every_check(session):
    assert session.fresh().bump() == 1
    assert session.fresh().bump() == 1


@pytest.mark.slow
def test_a_hang_is_a_timeout_and_the_next_check_gets_a_new_worker(session):
    learner = session.fresh()
    obj = learner.Counter()
    with pytest.raises(LearnerTimeout):
        learner.sleepy(np.zeros(1))
    with pytest.raises(LearnerCrashed, match="restarted"):
        obj.step()
    assert np.array_equal(session.fresh().double(np.ones(1)), [2.0])


def test_output_is_escaped_and_capped():
    text = escape_output(b"ok\n\x1b[31mred\x07" + b"x" * 10_000, limit=100)
    assert "\x1b" not in text and "\\x1b" in text and "\\x07" in text and text.endswith("(truncated)")


# ---------------------------------------------------------------- check helpers (each shown to fail)


def test_expect_array_passes_equal_values_and_alternatives():
    expect_array(np.array([1.0, 2.0]), [1.0, 2.0])
    expect_array(np.array([3.0]), [1.0], accept=[[3.0]])


@pytest.mark.parametrize(("got", "needle"), [
    (np.array([[1.0], [2.0]]), "shape (2, 1), expected (2,)"),
    (np.array([1.0, np.nan]), "NaN at index (1,)"),
    (np.array([1.0, 2.5]), "first difference at index (1,)"),
    (None, "is None"),
    ("12", "is a str"),
])
def test_expect_array_names_what_is_wrong(got, needle):
    with pytest.raises(CheckFailed) as e:
        expect_array(got, np.array([1.0, 2.0]))
    assert needle in e.value.text.en


def test_expect_array_names_a_matching_misconception_even_through_nan():
    why = Text(ja="二乗を忘れた", en="forgot the square")
    with pytest.raises(CheckFailed, match="forgot the square"):
        expect_array(np.array([np.nan, 2.0]), [1.0, 4.0], variants=[Variant(np.array([np.nan, 2.0]), why)])


@pytest.mark.parametrize(("expect", "slip"), [
    (lambda got, v: expect_array(np.array([got]), [1.0], variants=v), np.array([-1.0])),
    (lambda got, v: expect_close(got, 1.0, variants=v), -1.0),
    (lambda got, v: expect_equal(got, 1.0, variants=v), -1.0)])
def test_variants_given_as_a_function_are_worked_out_only_for_a_wrong_answer(expect, slip):
    """A check whose slips cost many computations passes them as a function (day3.section2): a right answer never
    calls it; a wrong one that matches a slip is named as with a list."""
    calls: list[int] = []
    why = Text(ja="符号が逆", en="the sign is flipped")

    def slips() -> list[Variant]:
        calls.append(1)
        return [Variant(slip, why)]

    expect(1.0, slips)
    assert calls == []
    with pytest.raises(CheckFailed, match="the sign is flipped"):
        expect(-1.0, slips)
    assert calls


def test_expect_close_and_expect_equal():
    assert expect_close(0.25, 0.25) == 0.25
    with pytest.raises(CheckFailed):
        expect_close(0.2, 0.25)
    expect_equal((3, [4, 5]), [3, (4, 5)])
    with pytest.raises(CheckFailed, match="expected 7"):
        expect_equal(8, 7)


def test_expect_raises_requires_the_named_type(learner):
    with expect_raises("ZeroDivisionError", ja="0 で割る", en="divide by zero"):
        learner.boom(np.zeros(1))
    with pytest.raises(LearnerRaised), expect_raises("ValueError", ja="v", en="v"):
        learner.boom(np.zeros(1))
    with pytest.raises(CheckFailed, match="expected ValueError"), expect_raises("ValueError", ja="v", en="v"):
        learner.double(np.zeros(1))


def test_expect_raises_finds_shapes_in_any_spelling(learner):
    """numpy's own "shapes (2,3) and (4,2) not aligned" names both shapes: a mention "(2, 3)" must find them."""
    with expect_raises("ValueError", ja="形状", en="shapes", mentions=("(2, 3)", "(4, 2)")):
        learner.dot(np.ones((2, 3)), np.ones((4, 2)))
    for text in ("x (2,3), W ( 4 , 2 )", "x is 2x3 but W is 4 x 2", "[2, 3] vs [4, 2]", "2×3 and 4X2"):
        with expect_raises("ValueError", ja="形状", en="shapes", mentions=("(2, 3)", "(4, 2)")):
            learner.says(text)
    with expect_raises("ValueError", ja="形状", en="shapes", mentions=("(4,)",)):
        learner.says("b has shape (4)")
    for text in ("x (12, 3), W (4, 2)", "x 12x3, W 4x2", "x (2, 33) W (4, 2)", "x (1, 2, 3), W (4, 2)", "no shapes"):
        with pytest.raises(CheckFailed, match=r"does not name \(2, 3\)"), \
                expect_raises("ValueError", ja="形状", en="shapes", mentions=("(2, 3)", "(4, 2)")):
            learner.says(text)
    with pytest.raises(CheckFailed, match="does not name -1"), \
            expect_raises("ValueError", ja="負", en="negative", mentions=("-1",)):
        learner.says("negative")


# ---------------------------------------------------------------- YAML safety


@pytest.mark.parametrize(("text", "needle"), [
    ("a: 1\na: 2\n", "duplicate key 'a'"),
    ("!!python/object/apply:os.system ['true']\n", "could not determine a constructor"),
    ("a: [1, 2\n", "invalid YAML"),
])
def test_read_yaml_refuses_unsafe_or_ambiguous_input(tmp_path, text, needle):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CourseDataError, match=needle.replace("(", r"\(").replace("[", r"\[")):
        read_yaml(path)


def test_read_yaml_caps_alias_bombs(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text("a: &a [x]\n" + "".join(f"b{i}: &b{i} [*a, *a]\n" for i in range(120)), encoding="utf-8")
    with pytest.raises(CourseDataError, match="aliases"):
        read_yaml(path)


# ---------------------------------------------------------------- the .npy codec of the boundary


def _npy_bytes(arr) -> bytes:
    import io

    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=True)
    return buf.getvalue()


@pytest.mark.parametrize("arr", [
    np.arange(12.0).reshape(3, 4), np.asfortranarray(np.arange(6).reshape(2, 3)), np.float32(1.5) * np.ones(()),
    np.zeros((0, 3)), np.array([True, False]), np.array([1 + 2j]), np.arange(5, dtype=">i4"), np.array(["ab", "c"]),
])
def test_read_npy_round_trips_like_np_load(arr):
    from grader.engine.worker import read_npy

    got = read_npy(np, _npy_bytes(arr))
    assert type(got) is np.ndarray and got.dtype == arr.dtype and got.shape == arr.shape
    assert np.array_equal(got, arr) and got.flags.writeable


def test_read_npy_refuses_truncated_frames_and_pickles():
    from grader.engine.worker import read_npy

    with pytest.raises(ValueError, match="wrong length"):
        read_npy(np, _npy_bytes(np.arange(4.0))[:-8])
    with pytest.raises(ValueError):
        read_npy(np, _npy_bytes(np.array([{"a": 1}], dtype=object)))


def test_a_worker_dies_with_its_grading_process(tmp_path):
    """Even a SIGKILL of the grader (no clean-up runs) takes the worker stuck in learner code with it."""
    import os
    import signal
    import subprocess
    import sys
    import time

    (tmp_path / "mod.py").write_text("import time\ndef hang():\n    time.sleep(600)\n", encoding="utf-8")
    script = (
        "import sys\nfrom pathlib import Path\nfrom grader.engine.proxy import Session\n"
        f"s = Session(Path({str(tmp_path / 'mod.py')!r}), call_timeout=300)\nL = s.fresh()\n"
        "print(s.worker.proc.pid, flush=True)\nL.hang()\n"
    )
    grader = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    worker = int(grader.stdout.readline())
    os.kill(grader.pid, signal.SIGKILL)
    grader.wait()

    def alive(pid: int) -> bool:
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    deadline = time.monotonic() + 10
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(worker)


@pytest.mark.parametrize("arr", [
    np.arange(6.0).reshape(2, 3), np.float32(1.5) * np.ones((3,)), np.array(3.25), np.zeros((0, 4)),
    np.arange(12, dtype=np.int64).reshape(3, 4).T, np.array([True, False]), np.array([1 + 2j]),
    np.arange(8, dtype=">i4"), np.asfortranarray(np.ones((2, 5))), np.array(["a", "bc"]),
])
def test_write_npy_reads_back_as_np_load_and_the_strict_reader_do(arr):
    """The fast .npy writer (both sides of the boundary) against numpy's own reader and ours."""
    from grader.engine.worker import read_npy, write_npy

    data = write_npy(np, arr)
    for back in (np.load(io.BytesIO(data), allow_pickle=False), read_npy(np, data)):
        assert back.dtype == arr.dtype and back.shape == arr.shape
        assert np.array_equal(back, arr)
    assert (len(data) - arr.nbytes) % 64 == 0 or arr.dtype.kind not in "biufc"  # header aligned as np.save's


@pytest.mark.parametrize("got, want", [
    ([1.0, 2.0], [1.0, 2.0 + 1e-7]), ([1.0, 2.0], [1.0, 2.1]), ([np.inf, 1.0], [np.inf, 1.0]),
    ([np.inf], [-np.inf]), ([np.nan], [np.nan]), ([1, 2], [1.0, 2.0]), ([True, False], [1.0, 0.0]),
    ([1 + 0j], [1.0]), ([1e308], [-1e308]), ([0.0], [1e-10]), ([0.0], [1e-8]),
])
@pytest.mark.parametrize("equal_nan", [False, True])
def test_matches_is_np_allclose(got, want, equal_nan):
    """The comparison behind expect_array takes a fast path; it must say what np.allclose says, always."""
    from grader.engine.checking import _matches

    g, w = np.asarray(got), np.asarray(want, dtype=float)
    with np.errstate(over="ignore"):  # 1e308 - (-1e308): np.allclose's own overflow warning
        expected = bool(np.allclose(g, w, rtol=1e-6, atol=1e-9, equal_nan=equal_nan))
    assert _matches(g, w, 1e-6, 1e-9, equal_nan) == expected


def test_central_difference_batched_equals_element_by_element():
    """The batched form (every element of an argument in one call) gives the numbers of the plain loop, for a
    matrix, an input and a 1-D bias; and both equal the analytic gradient of a known function."""
    rng = np.random.default_rng(5)
    x, W, b, dout = rng.normal(size=(3, 4)), rng.normal(size=(4, 2)), rng.normal(size=2), rng.normal(size=(3, 2))

    def loss(x, W, b):
        return np.sum(np.tanh(x @ W + b) * dout, axis=(-2, -1))

    batched = central_difference(loss, {"x": x, "W": W, "b": b}, batched=True)
    plain = central_difference(loss, {"x": x, "W": W, "b": b})
    dy = (1 - np.tanh(x @ W + b) ** 2) * dout
    exact = {"x": dy @ W.T, "W": x.T @ dy, "b": dy.sum(axis=0)}
    for k in exact:
        np.testing.assert_allclose(batched[k], plain[k], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(batched[k], exact[k], rtol=1e-6, atol=1e-8)
    assert x.dtype == float and not np.shares_memory(batched["x"], x)  # the caller's arrays are left alone
    with pytest.raises(ValueError, match="one value per copy"):  # summed over the copies too: loud, never wrong
        central_difference(lambda x, W, b: np.sum(loss(x, W, b)), {"x": x, "W": W, "b": b}, batched=True)


def test_set_attributes_assigns_in_order_in_one_round_trip(tmp_path):
    """learner.set_attributes: several obj.name = value in one request (a training check's weights at every step);
    the values are copies of the check's arrays; a learner's exception stops it at the item that raised it."""
    src = tmp_path / "sub.py"
    src.write_text("class Box:\n    def __init__(self):\n        self.log = []\n"
                   "    def __setattr__(self, name, value):\n"
                   "        if name == 'bad':\n            raise ValueError('no bad here')\n"
                   "        object.__setattr__(self, name, value)\n"
                   "        if name != 'log':\n            self.log.append(name)\n", encoding="utf-8")
    session = Session(src)
    try:
        learner = session.fresh()
        a, b = learner.Box(), learner.Box()
        W = np.arange(6.0).reshape(2, 3)
        before = session.seq
        learner.set_attributes([(a, "W", W), (b, "n", 3), (a, "b", np.zeros(3))])
        assert session.seq == before + 1  # one round trip for the three
        np.testing.assert_array_equal(a.W, W)
        assert a.log == ["W", "b"] and b.log == ["n"] and b.n == 3
        with pytest.raises(LearnerRaised):
            learner.set_attributes([(b, "m", 1), (b, "bad", 2), (b, "k", 3)])
        assert b.log == ["n", "m"]  # stopped at the one that raised
        with pytest.raises(TypeError):
            learner.set_attributes([("not a learner object", "W", W)])
    finally:
        session.close()
