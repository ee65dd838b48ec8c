"""Grade integrity (issue 11): learner code owns nothing the verdict uses.

- A submission that zeroes every array it receives (and then runs the reference code on the zeros) passes no
  check whose verdict depends on those arrays: the check's inputs and expected values never change.
- In a batch, a first student who mutates everything costs the next students nothing.
- A worker answer forged by learner code (odd field types, counts, sizes, nesting) is the learner's
  crashed/invalid_result, never a grader fault; the trusted process reads at most a capped number of bytes.
- Odd but plausible return values (empty arrays, None, text, ragged lists …) never make a check raise a
  grader fault: every section grades them with exit 1.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests import conftest
from tests.conftest import ROOT, grade_file, run_grade

SECTIONS = [s.id for s in __import__("grader.course.loading", fromlist=["load_course"]).load_course().sections]

ZEROING = '''

# ---- appended: zero every array argument in place, then run the real code on the zeros
import inspect as _inspect

import numpy as _np


def _zero(v, depth=0):
    if depth > 3:
        return
    if type(v) is _np.ndarray and v.flags.writeable:
        v[...] = 0
    elif isinstance(v, dict):
        for x in v.values():
            _zero(x, depth + 1)
    elif isinstance(v, (list, tuple)):
        for x in v:
            _zero(x, depth + 1)


def _zeroing(fn):
    def wrapper(*a, **k):
        for v in (*a, *k.values()):
            _zero(v)
        return fn(*a, **k)
    return wrapper


for _name, _obj in list(globals().items()):
    if _name.startswith("_") or getattr(_obj, "__module__", None) != __name__:
        continue
    if _inspect.isfunction(_obj):
        globals()[_name] = _zeroing(_obj)
    elif _inspect.isclass(_obj):
        for _m, _f in list(vars(_obj).items()):
            if _inspect.isfunction(_f):
                setattr(_obj, _m, _zeroing(_f))
'''

# Checks that pass on zeroed inputs because their verdict depends on no array the learner receives: shapes and
# the errors they raise, integer formulas, statistics of an initialiser drawn from a generator.
INPUT_FREE = {
    "day1.section1": {"test_affine_xw_mismatch", "test_affine_bias_shape"},
    "day1.section4": {"test_minibatch_shapes"},
    "day2.section1": {"test_xavier_shape", "test_xavier_std", "test_xavier_mean", "test_xavier_uses_rng",
                      "test_he_shape", "test_he_std", "test_he_mean", "test_he_uses_rng"},
    "day2.section4": {"test_conv_output_size_plus_one", "test_conv_output_size_padding",
                      "test_conv_output_size_stride_floor", "test_conv_output_size_too_large"},
    "day3.section6": {"test_cbow_word_vecs"},  # word_vecs is W_in of the given __init__ (the rng's draw)
    "day2.section5": {"test_conv_param_count_alexnet_conv1", "test_conv_param_count_shapes",
                      "test_conv_param_count_no_bias", "test_fc_param_count_fc6", "test_fc_param_count_fc8",
                      "test_fc_param_count_no_bias", "test_alexnet_rows", "test_alexnet_shapes",
                      "test_alexnet_params", "test_alexnet_total", "test_alexnet_other_inputs"},
}


def result(out: Path, student: str) -> dict:
    from grader.classroom.batch import result_name

    return json.loads((out / "results" / result_name(student)).read_text(encoding="utf-8"))


def staged(tmp_path: Path, section: str, code: str, *, prepend: str = "") -> Path:
    day, sec = section.split(".")
    folder = tmp_path / section
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sec}.py"
    path.write_text(prepend + (ROOT / "solutions" / day / f"{sec}.py").read_text(encoding="utf-8") + code,
                    encoding="utf-8")
    return path


@pytest.fixture(params=["spawned", "template"])
def worker_kind(request, monkeypatch):
    """Workers started as `python worker.py`, and forked from the pre-loaded template (batch grading)."""
    if request.param == "template":
        monkeypatch.setitem(conftest.EXTRA_ENV, "GRADER_WORKER_TEMPLATE", "1")
        monkeypatch.setitem(conftest.EXTRA_ENV, "GRADER_SANDBOX_DISABLE", "1")
    return request.param


# ---------------------------------------------------------------- 1. inputs mutated in place


@pytest.mark.slow
@pytest.mark.parametrize("section", SECTIONS)
def test_zeroing_every_input_passes_no_check_that_depends_on_it(section, tmp_path, worker_kind):
    g = grade_file(section, staged(tmp_path, section, ZEROING))
    assert g.rc in (0, 1), g.err  # 0 where every check of the section is input-free (day2.section5)
    passed = {c["id"] for c in g.report["checks"] if c["status"] == "passed"}
    assert passed <= INPUT_FREE.get(section, set()), f"forged passes: {sorted(passed - INPUT_FREE.get(section, set()))}"


def test_input_free_checks_really_take_no_learner_array():
    """The allowance above names real checks (a renamed check must not widen it silently)."""
    for section, ids in INPUT_FREE.items():
        day, sec = section.split(".")
        text = (ROOT / "grader" / "checks" / day / f"{sec}.py").read_text(encoding="utf-8")
        for check_id in ids:
            assert f"def {check_id}(" in text, (section, check_id)


def test_check_module_constants_are_read_only(tmp_path):
    """Arrays at module level of a check file cannot be written, by anything, once the checks are collected."""
    import numpy as np

    from grader.engine.runner import freeze

    class Spec:
        def __init__(self):
            self.w = np.ones(2)

    consts = {"W": np.zeros(3), "nested": {"a": [np.ones(1), (np.ones(2),)]}, "spec": Spec()}
    freeze(consts)
    for arr in (consts["W"], consts["nested"]["a"][0], consts["nested"]["a"][1][0], consts["spec"].w):
        with pytest.raises(ValueError):
            arr[...] = 7


# ---------------------------------------------------------------- 2. one student never affects another


@pytest.mark.slow
@pytest.mark.parametrize("jobs,sandbox", [("1", "off"), ("2", "off"), ("1", "require"), ("2", "require")])
def test_a_student_who_mutates_everything_costs_the_next_students_nothing(tmp_path, jobs, sandbox):
    from grader.engine import sandbox as sb

    if sandbox == "require" and not sb.available():
        pytest.skip(f"bubblewrap does not work here: {sb.probe()[1]}")
    section = "day1.section3"  # its batch check hands a module constant to learner code
    subs = tmp_path / "subs"
    subs.mkdir()
    reference = (ROOT / "solutions" / "day1" / "section3.py").read_text(encoding="utf-8")
    (subs / "a_attacker.py").write_text(reference + ZEROING, encoding="utf-8")
    (subs / "b_honest.py").write_text(reference, encoding="utf-8")
    (subs / "c_honest.py").write_text(reference + "\n# another copy, another sha256\n", encoding="utf-8")
    out = tmp_path / "out"
    g = run_grade("batch", section, str(subs), "--out", str(out), "--jobs", jobs, "--sandbox", sandbox)
    assert g.rc in (0, 1), g.err
    for student in ("b_honest", "c_honest"):
        rec = result(out, student)
        assert rec["status"] == "ok" and rec["score"] == rec["max_score"] > 0, (student, rec["checks"])
    attacker = result(out, "a_attacker")
    assert attacker["score"] < attacker["max_score"]


# ---------------------------------------------------------------- 3. forged answers are the learner's fault

FORGE = '''

# ---- appended: write a well-formed answer of our own on the worker's reply channel, then return
import gc as _gc
import json as _json
import os as _os
import struct as _struct


def _reply_fd():
    for o in _gc.get_objects():
        if type(o).__name__ == "Channel" and hasattr(o, "wfd"):
            return o.wfd
    raise RuntimeError("no channel")


def _forge(header, frames=()):
    parts = [_json.dumps({"nframes": len(frames), **header}).encode(), *frames]
    _os.write(_reply_fd(), b"".join(_struct.pack(">I", len(p)) + p for p in parts))


def sigmoid(x):
    _forge(HEADER)
    return x
'''

FORGED_HEADERS = {
    "missing_not_text": {"missing": 5},
    "suggest_not_list": {"missing": "x", "suggest": 7},
    "raised_is_list": {"raised": [1, 2]},
    "raised_odd_fields": {"raised": {"type": {"a": 1}, "message": [], "line": "x"}},
    "raised_at_call_not_bool": {"raised": {"type": "TypeError", "message": "", "line": None, "at_call": "yes"}},
    "warning_too_long": {"warnings": ["w" * 5000], "result": None},
    "warnings_not_text": {"warnings": [1, {"a": 2}], "result": None},
    "handle_not_int": {"result": {"__handle__": "x", "type": 3}},
    "frame_index_negative": {"result": {"__nd__": -1}},
    "frame_index_bool": {"result": {"__nd__": True}},
    "dict_not_dict": {"result": {"__dict__": [1, 2]}},
    "tuple_not_list": {"result": {"__tuple__": 5}},
    "after_not_list": {"result": None, "after": "zz"},
    "after_items_odd": {"result": None, "after": [{"items": {"W": 5}}]},
    "more_after_than_args": {"result": None, "after": [None, None, None, None]},
    "kafter_unknown": {"result": None, "kafter": {"nope": {}}},
    "unknown_field": {"result": None, "score": 100},
    "nframes_negative": {"result": None, "nframes": -3},
}


def forged(tmp_path: Path, header: dict) -> Path:
    return staged(tmp_path, "day2.section1", FORGE.replace("HEADER", repr(header)))


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(FORGED_HEADERS))
def test_a_forged_answer_is_the_learners_crash_never_a_grader_fault(name, tmp_path, worker_kind):
    g = grade_file("day2.section1", forged(tmp_path, FORGED_HEADERS[name]))
    assert g.rc == 1, g.err
    sig = g.by_exercise()["sigmoid"]
    assert {c["status"] for c in sig} <= {"crashed", "invalid_result"}, [c["feedback"] for c in sig]
    others = [c for c in g.report["checks"] if c["exercise"] not in ("sigmoid", "sigmoid_grad")]  # grad calls sigmoid
    assert all(c["status"] == "passed" for c in others), "a forged answer cost other exercises' checks"


DEEP_JSON = '''

def sigmoid(x):
    import gc, os, struct
    fd = next(o.wfd for o in gc.get_objects() if type(o).__name__ == "Channel")
    body = b"[" * 200000 + b"]" * 200000
    os.write(fd, struct.pack(">I", len(body)) + body)
    return x
'''


@pytest.mark.slow
def test_json_nested_deeper_than_the_parser_is_the_learners_crash(tmp_path):
    g = grade_file("day2.section1", staged(tmp_path, "day2.section1", DEEP_JSON))
    assert g.rc == 1, g.err
    assert {c["status"] for c in g.by_exercise()["sigmoid"]} <= {"crashed", "invalid_result"}


FLOOD = '''

def sigmoid(x):
    """Claim 16 frames of 255 MiB and stream them from one 1 MiB buffer (the worker stays small)."""
    import gc, json, os, struct
    fd = next(o.wfd for o in gc.get_objects() if type(o).__name__ == "Channel")
    n = 255 << 20
    chunk = b"\\0" * (1 << 20)
    header = json.dumps({"result": None, "nframes": 16}).encode()
    os.write(fd, struct.pack(">I", len(header)) + header)
    for _ in range(16):
        os.write(fd, struct.pack(">I", n))
        for _ in range(n >> 20):
            os.write(fd, chunk)
    return x
'''


@pytest.mark.slow
def test_the_grader_reads_at_most_a_capped_answer(tmp_path):
    """The grading process's peak memory stays far below what the worker streams (16 × 255 MiB)."""
    path = staged(tmp_path, "day2.section1", FLOOD)
    probe = textwrap.dedent(f"""
        import resource, subprocess, sys
        p = subprocess.run([sys.executable, "-m", "grader.cli.launch", "day2.section1", "--submission", {str(path)!r},
                            "--no-quiz", "--json", "--sandbox", "off", "--timeout", "20"],
                           capture_output=True, text=True, cwd={str(ROOT)!r})
        print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        sys.stderr.write(p.stdout[-3000:] + p.stderr[-3000:])
    """)
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=600,
                          env=conftest.grade_env())
    rc, maxrss_kib = (int(x) for x in proc.stdout.split())
    assert rc == 1, proc.stderr
    assert maxrss_kib < 400 * 1024, f"peak RSS {maxrss_kib >> 10} MiB"
    report = json.loads(proc.stderr[: proc.stderr.rindex("}") + 1]) if proc.stderr.startswith("{") else None
    if report is not None:
        assert {c["status"] for c in report["checks"] if c["exercise"] == "sigmoid"} <= {"invalid_result",
                                                                                         "crashed", "timeout"}


# ---------------------------------------------------------------- odd values are failures, never grader faults

ODD_VALUES = {
    "none": "None",
    "empty": "_np.zeros(0)",
    "empty_rows": "_np.zeros((0, 3))",
    "text": "'0.5'",
    "huge_int": "2 ** 70",
    "nan": "float('nan')",
    "ragged": "[[1, 2], [3]]",
    "dict": "{'W': _np.zeros(2)}",
    "tuple": "(1, 2, 3)",
    "bool": "True",
    "int8": "_np.array([1, 2], dtype=_np.int8)",
    "complex": "_np.ones(3) * 1j",
    "deep": "_np.zeros((1,) * 12)",
    "negative": "-_np.ones((2, 2))",
}

ODD = '''

# ---- appended: every function and method returns one odd value
import inspect as _inspect

import numpy as _np


def _odd(fn):
    def wrapper(*a, **k):
        if fn.__name__ == "__init__":
            return fn(*a, **k)
        return VALUE
    return wrapper


for _name, _obj in list(globals().items()):
    if _name.startswith("_") or getattr(_obj, "__module__", None) != __name__:
        continue
    if _inspect.isfunction(_obj):
        globals()[_name] = _odd(_obj)
    elif _inspect.isclass(_obj) and CLASSES_TOO:
        globals()[_name] = lambda *a, **k: VALUE  # the class itself replaced by a function
    elif _inspect.isclass(_obj):
        for _m, _f in list(vars(_obj).items()):
            if _inspect.isfunction(_f):
                setattr(_obj, _m, _odd(_f))
'''


@pytest.mark.slow
@pytest.mark.parametrize("classes", [False, True], ids=["methods", "classes"])
@pytest.mark.parametrize("section", SECTIONS)
def test_odd_return_values_are_failures_never_grader_faults(section, classes, tmp_path):
    """Each odd value in every exercise of the section (methods return it; or the classes themselves are
    functions returning it), graded in one session: no InternalError, ever."""
    from grader.engine.runner import Job
    from grader.grading import grade_many

    code = ODD.replace("CLASSES_TOO", str(classes))
    paths = [staged(tmp_path / name, section, code.replace("VALUE", expr)) for name, expr in ODD_VALUES.items()]
    jobs = iter([Job(p, timeout=5, tag=name) for p, name in zip(paths, ODD_VALUES, strict=True)])
    got: list[tuple[str, object]] = []
    grade_many(section, lambda: next(jobs, None), lambda job, result: got.append((job.tag, result)))
    faults = {name: f"{type(r).__name__}: {r}" for name, r in got if isinstance(r, Exception)}
    assert not faults, faults
    for name, report in got:
        assert report.score < report.max_score, name


# ---------------------------------------------------------------- a list argument the learner changes in odd ways

# clip_grads(grads, max_norm) gets a list of arrays (Wx, Wh, b); each body leaves something odd in that list.
ODD_LISTS = {
    "appended": "grads.append(_np.zeros(3))",
    "popped": "grads.pop()",
    "cleared": "grads.clear()",
    "flooded": "grads.extend([grads[0]] * 200_000)",
    "object": "grads[0] = object()",
    "text": "grads[-1] = 'x' * 10_000",
    "nested_list": "grads[0] = [grads[0]]",
    "other_shape": "grads[0] = _np.zeros(7)",
    "bool_array": "grads[0] = grads[0] > 0",
    "reshaped_in_place": "grads[0].shape = (1, grads[0].size)",
    "reversed": "grads.reverse()",
}


@pytest.mark.slow
def test_a_list_argument_left_odd_is_the_learners_invalid_result_never_a_grader_fault(tmp_path):
    """Each odd list, graded in one session: clip_grads' checks `invalid_result` (never a grader fault), the
    other exercises full."""
    from grader.engine.runner import Job
    from grader.grading import grade_many

    paths = [staged(tmp_path / name, "day3.section1",
                    f"\n\nimport numpy as _np\n\n\ndef clip_grads(grads, max_norm):\n    {body}\n")
             for name, body in ODD_LISTS.items()]
    jobs = iter([Job(p, timeout=5, tag=name) for p, name in zip(paths, ODD_LISTS, strict=True)])
    got: list[tuple[str, object]] = []
    grade_many("day3.section1", lambda: next(jobs, None), lambda job, result: got.append((job.tag, result)))
    assert len(got) == len(ODD_LISTS)
    for name, report in got:
        assert not isinstance(report, Exception), (name, report)
        clip = [c for c in report.checks if c.exercise == "clip_grads"]
        assert clip and {c.status for c in clip} == {"invalid_result"}, (name, [(c.id, c.feedback) for c in clip])
        assert all(c.status == "passed" for c in report.checks if c.exercise != "clip_grads"), name


# ---------------------------------------------------------------- 4. the grader's other processes are out of reach

STOPPER = '''

# ---- appended: SIGSTOP every process of the grader that /proc shows, then carry on as the reference
import os as _os
import signal as _signal

for _pid in _os.listdir("/proc"):
    if not _pid.isdigit() or int(_pid) == _os.getpid():
        continue
    try:
        _cmd = open(f"/proc/{_pid}/cmdline", "rb").read()
    except OSError:
        continue
    if b"grader" in _cmd or b"pytest" in _cmd or b"multiprocessing" in _cmd:
        try:
            _os.kill(int(_pid), _signal.SIGSTOP)
        except OSError:
            pass
'''


def _pidns_or_skip() -> None:
    from grader.engine.spawn import pid_namespace

    prefix, why = pid_namespace()
    if not prefix:
        pytest.skip(f"no PID namespace here ({why}): a submission could stop the grader, and the CLI says so")


@pytest.mark.slow
def test_a_submission_cannot_stop_the_batch(tmp_path):
    """Without the sandbox, workers live in a PID namespace of their own: the grader's pids name nothing there."""
    _pidns_or_skip()
    subs = tmp_path / "subs"
    subs.mkdir()
    reference = (ROOT / "solutions" / "day2" / "section2.py").read_text(encoding="utf-8")
    (subs / "a_stopper.py").write_text(reference + STOPPER, encoding="utf-8")
    (subs / "b_honest.py").write_text(reference, encoding="utf-8")
    out = tmp_path / "out"
    for jobs in ("1", "2"):
        g = run_grade("batch", "section2", str(subs), "--out", str(out / jobs), "--jobs", jobs, "--sandbox", "off",
                      timeout=240)
        assert g.rc == 0, g.out + g.err
        for student in ("a_stopper", "b_honest"):
            rec = result(out / jobs, student)
            assert rec["score"] == rec["max_score"], (student, rec["status"], rec.get("reason"))


SOCKETS = '''

# ---- appended: list the unix sockets a learner of the same uid could connect to (a forkserver's listener)
_found = [line.split()[-1] for line in open("/proc/net/unix").read().splitlines()[1:]
          if len(line.split()) > 7 and ("pymp" in line or "listener" in line)]
open(REPORT, "w").write("\\n".join(_found))
'''


@pytest.mark.slow
def test_no_helper_of_the_batch_listens_where_learner_code_can_connect(tmp_path):
    report = tmp_path / "sockets.txt"
    subs = tmp_path / "subs"
    subs.mkdir()
    reference = (ROOT / "solutions" / "day2" / "section2.py").read_text(encoding="utf-8")
    (subs / "a.py").write_text(reference + SOCKETS.replace("REPORT", repr(str(report))), encoding="utf-8")
    g = run_grade("batch", "section2", str(subs), "--out", str(tmp_path / "out"), "--jobs", "2", "--sandbox", "off")
    assert g.rc == 0, g.out + g.err
    assert report.exists() and report.read_text(encoding="utf-8") == "", report.read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_cli_says_so_when_workers_share_the_graders_pid_space(tmp_path):
    """Where no PID namespace can be made, grading still works and says what is not guaranteed."""
    g = grade_file("section2", ROOT / "solutions" / "day2" / "section2.py", "--sandbox", "off")
    assert g.rc == 0
    g = run_grade("section2", "--submission", str(ROOT / "solutions" / "day2" / "section2.py"), "--no-quiz",
                  "--sandbox", "off", env={"GRADER_PIDNS_DISABLE": "1"})
    assert g.rc == 0, g.err
    assert "PID" in g.err, g.err


FORKS = {
    "at_import": "\nimport os as _os\nif _os.fork() == 0:\n    pass\n",
    "in_a_call": ("\nimport os as _os\n_sgd_update = SGD.update\n\n\ndef _forking(self, params, grads):\n"
                  "    _os.fork()\n    return _sgd_update(self, params, grads)\n\n\nSGD.update = _forking\n"),
}


@pytest.mark.slow
@pytest.mark.parametrize("where", sorted(FORKS))
def test_a_forked_child_returning_into_the_worker_never_answers(where, tmp_path, worker_kind):
    """os.fork() in learner code: only the worker answers (its child ends there); answers never fall out of step
    with their requests (they echo a sequence number), so nothing of it becomes a grader fault."""
    g = grade_file("day2.section2", staged(tmp_path, "day2.section2", FORKS[where]))
    assert g.rc == 0, g.err


@pytest.mark.slow
def test_students_after_a_replaced_grading_process_are_still_graded(tmp_path):
    """A grading process replaced (wall limit) mid-batch: its successor is a grading process, not a stray of the
    sweep (it was killed with the strays, and sending the next student to it broke the batch with exit 3)."""
    subs = tmp_path / "subs"
    subs.mkdir()
    reference = (ROOT / "solutions" / "day2" / "section2.py").read_text(encoding="utf-8")
    from tests.test_hostile import EXERCISES, replace_update

    slow = "".join(replace_update(c, "import time\ntime.sleep(30)") for c in EXERCISES)
    (subs / "a_slow.py").write_text(reference + "\n" + slow, encoding="utf-8")
    for name in ("b_honest", "c_honest"):
        (subs / f"{name}.py").write_text(reference + f"\n# {name}\n", encoding="utf-8")
    out = tmp_path / "out"
    g = run_grade("batch", "section2", str(subs), "--out", str(out), "--jobs", "1", "--sandbox", "off",
                  "--timeout", "1", "--wall-limit", "3")
    assert g.rc == 1, g.out + g.err  # a_slow's error row; never 3
    assert result(out, "a_slow")["status"] == "error"
    for name in ("b_honest", "c_honest"):
        rec = result(out, name)
        assert rec["status"] == "ok" and rec["score"] == rec["max_score"], (name, rec.get("reason"))


@pytest.mark.slow
def test_a_stopped_grading_process_is_detected_and_the_batch_goes_on(tmp_path):
    """The watchdog: a grading process stopped from outside (SIGSTOP) is replaced; that student gets an error row
    that says so (not final: graded again by the next run), the others are graded, the batch ends."""
    import os
    import signal
    import time

    subs = tmp_path / "subs"
    subs.mkdir()
    reference = (ROOT / "solutions" / "day2" / "section2.py").read_text(encoding="utf-8")
    (subs / "a_sleepy.py").write_text(reference + "\nimport time\ntime.sleep(4)\n", encoding="utf-8")
    (subs / "b_honest.py").write_text(reference, encoding="utf-8")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "grader.cli.launch", "batch", "section2", str(subs), "--out", str(out), "--jobs", "1",
           "--sandbox", "off", "--timeout", "10"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=conftest.grade_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        graders: list[str] = []

        def cmdline(pid: object) -> bytes:
            try:
                return open(f"/proc/{pid}/cmdline", "rb").read()
            except OSError:
                return b""

        while not graders and time.monotonic() < deadline:
            time.sleep(0.2)
            try:
                kids = open(f"/proc/{proc.pid}/task/{proc.pid}/children").read().split()
            except OSError:
                continue
            # the grading processes are forks of the batch (its own command line); a short-lived helper the batch
            # starts (the PID-namespace probe: setpriv, unshare) is not one, and stopping it stops no grading
            graders = [pid for pid in kids if cmdline(pid) == cmdline(proc.pid)]
        time.sleep(1.0)  # it is grading a_sleepy (its import sleeps 4 s)
        for pid in graders:
            try:
                os.kill(int(pid), signal.SIGSTOP)
            except ProcessLookupError:  # a short-lived child of the batch (not a grading process) already gone
                pass
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, stdout + stderr
    sleepy = result(out, "a_sleepy")
    assert sleepy["status"] == "error" and "stopped" in sleepy["reason"] and sleepy.get("final") is False
    honest = result(out, "b_honest")
    assert honest["status"] == "ok" and honest["score"] == honest["max_score"]


FORGED_DX = '''
class Convolution(Convolution):
    """Right forward at the checked input; after backward has seen dout, forwards that forge a numerical gradient
    equal to the garbage dx it returns (dx = 0.5 everywhere)."""
    _seen = None

    def forward(self, x):
        out = super().forward(x)
        if Convolution._seen is not None and x.shape == Convolution._seen[1].shape:
            dout, x0 = Convolution._seen
            delta = x - x0
            # L(x0 ± h·e_i) = L(x0) ± 0.5·h: put the difference on one output element
            out = super().forward(x0)
            out.flat[0] += 0.5 * float(_np.sum(delta)) / dout.flat[0]
        return out

    def backward(self, dout):
        Convolution._seen = (dout.copy(), self.x.copy())
        super().backward(dout)
        return _np.full(self.x.shape, 0.5)
'''


def test_a_backward_cannot_forge_the_numerical_gradient_it_is_checked_against(tmp_path):
    """The numerical gradient of day2.section4's dx check is the check's own: forwards that answer to match a
    garbage dx once backward has seen dout (the old check called the learner's forward) change nothing."""
    path = staged(tmp_path, "day2.section4", FORGED_DX, prepend="import numpy as _np\n")
    g = grade_file("day2.section4", path)
    dx = next(c for c in g.report["checks"] if c["id"] == "test_convolution_backward_dx")
    assert dx["status"] == "failed", dx
