"""One pytest session for many submissions (grader.engine.runner.run_many, grader.grading.grade_many, a batch grading
process's loop): each submission's report is the one grading it alone gives (grade_checks), nothing of one
submission reaches the next, and a broken check is a grader fault for every submission it touches."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path
from typing import Any

import pytest

from grader.classroom.batch import _grade_one, _Grader
from grader.engine import spawn
from grader.engine.runner import Job, run_checks, run_many
from grader.errors import InternalError, UsageError
from grader.grading import grade_checks, grade_many
from tests.conftest import ROOT
from tests.mutant_source import source as mutant_source
from tests.test_hostile import SOLUTION, replace_update

SECTION = "day2.section2"
STUB = (ROOT / "exercises" / "day2" / "section2.py").read_text(encoding="utf-8")


def plain(report: Any) -> dict:
    """A report as data, durations zeroed (the only field allowed to differ between two gradings)."""
    data = report.model_dump(mode="json") if not isinstance(report, dict) else dict(report)
    data["checks"] = [dict(c, duration=0.0) for c in data["checks"]]
    return data


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def submissions(tmp_path: Path, texts: dict[str, str]) -> dict[str, Path]:
    """Each text as a file named like the exercise (section2.py), one folder per name."""
    return {name: write(tmp_path / name, "section2.py", text) for name, text in texts.items()}


def loop(paths: list[Path], **limits: Any) -> list[Any]:
    """grade_many over `paths`, in order; the results in delivery order, checked to be one per job, in order."""
    jobs = iter([Job(p, tag=i, **limits) for i, p in enumerate(paths)])
    got: list[tuple[int, Any]] = []
    grade_many(SECTION, lambda: next(jobs, None), lambda job, result: got.append((job.tag, result)))
    assert [tag for tag, _ in got] == list(range(len(paths)))
    return [result for _, result in got]


def statuses(report: Any) -> set[str]:
    return {c.status for c in report.checks}


# ---------------------------------------------------------------- same report as grading alone


@pytest.mark.slow
def test_each_report_in_the_loop_is_the_report_graded_alone(tmp_path):
    """Reference, stub, a mutant, a crash in a call (os._exit: the worker restarts mid-submission), an exit at
    import, and the reference again: one session, each report equal to grade_checks' on the same file."""
    paths = submissions(tmp_path, {
        "ref": SOLUTION,
        "stub": STUB,
        "mutant": mutant_source(SECTION, "momentum_reset"),
        "os_exit_call": SOLUTION + "\n" + replace_update("AdaGrad", "import os\nos._exit(3)"),
        "exit_import": "import sys\nprint('leaving')\nsys.exit(0)\n" + SOLUTION,
        "ref_again": SOLUTION,
    })
    in_loop = dict(zip(paths, loop(list(paths.values()), timeout=2.0), strict=True))
    for name, path in paths.items():
        alone = grade_checks(SECTION, path, timeout=2.0)
        assert plain(in_loop[name]) == plain(alone), name
    # and the files really differ in what they get (equal reports of one kind would prove little)
    ref, stub, mutant, crash, exit_import = (in_loop[n] for n in ("ref", "stub", "mutant", "os_exit_call",
                                                                  "exit_import"))
    assert ref.score == ref.max_score > 0 and statuses(ref) == {"passed"}
    assert statuses(stub) == {"not_implemented"} and stub.score == 0
    assert {c.exercise for c in mutant.checks if c.status == "failed"} == {"Momentum"}
    assert {c.exercise for c in crash.checks if c.status == "crashed"} == {"AdaGrad"}
    assert {c.status for c in crash.checks if c.exercise != "AdaGrad"} == {"passed"}
    assert statuses(exit_import) == {"crashed"} and "leaving" in exit_import.learner_output
    assert in_loop["ref_again"].model_dump(exclude={"checks"}) == ref.model_dump(exclude={"checks"})


def test_run_checks_is_unchanged_for_one_submission(tmp_path):
    """`grade section2`'s path: run_checks gives (checks, output, bytes) and raises a missing check file."""
    points = {"SGD": 3, "Momentum": 7, "AdaGrad": 7, "RMSprop": 7, "Adam": 8}
    checks, output, total = run_checks(SECTION, ROOT / "solutions" / "day2" / "section2.py", points=points, root=ROOT)
    assert checks and {c.status for c in checks} == {"passed"} and output == "" and total == 0
    with pytest.raises(InternalError, match="no checks for day9.section9"):
        run_checks("day9.section9", ROOT / "solutions" / "day2" / "section2.py", points=points, root=ROOT)


# ---------------------------------------------------------------- nothing leaks from one submission to the next


@pytest.mark.slow
def test_nothing_of_a_submission_reaches_the_next(tmp_path):
    """After a stub (every check fails at its first call), a crash at import and a loud submission, the
    reference passes everything with no output; after the reference, the stub gets nothing of its verdicts."""
    paths = submissions(tmp_path, {
        "stub": STUB,
        "loud": "print('LOUD-MARKER ' * 20)\n" + SOLUTION,
        "exit_import": "import os\nos._exit(0)\n" + SOLUTION,
        "ref": SOLUTION,
        "stub_again": STUB,
    })
    stub, loud, exit_import, ref, stub_again = loop(list(paths.values()))
    assert statuses(stub) == statuses(stub_again) == {"not_implemented"}
    assert "LOUD-MARKER" in loud.learner_output and statuses(loud) == {"passed"}
    assert statuses(exit_import) == {"crashed"}
    assert statuses(ref) == {"passed"} and ref.score == ref.max_score
    assert ref.learner_output == "" and "LOUD-MARKER" not in exit_import.learner_output + stub_again.learner_output
    assert len(ref.checks) == len(stub.checks) == len(stub_again.checks)  # every item ran again, once each
    assert all(c.duration < 30 for c in ref.checks)  # durations are this submission's, not a running sum


def test_a_missing_file_is_a_usage_error_and_the_loop_goes_on(tmp_path):
    ref = write(tmp_path / "ok", "section2.py", SOLUTION)
    missing, after = loop([tmp_path / "nope" / "section2.py", ref])
    assert isinstance(missing, UsageError) and "submission not found" in str(missing)
    assert statuses(after) == {"passed"}


# ---------------------------------------------------------------- broken checks: a grader fault per submission


def fake_section(root: Path, name: str, source: str) -> str:
    """A section `day9.<name>` whose check file is `source`."""
    folder = root / "grader" / "checks" / "day9"
    folder.mkdir(parents=True)
    (folder / f"{name}.py").write_text(source, encoding="utf-8")
    return f"day9.{name}"


def run_fake(section_id: str, root: Path, paths: list[Path], points: dict[str, int] | None = None) -> list[Any]:
    jobs = iter([Job(p, tag=i) for i, p in enumerate(paths)])
    got: list[Any] = []
    run_many(section_id, points=points or {"f": 1}, root=root, next_job=lambda: next(jobs, None),
             deliver=lambda job, result: got.append(result))
    assert len(got) == len(paths)
    return got


def learner_files(tmp_path: Path, *bodies: str) -> list[Path]:
    paths = []
    for i, body in enumerate(bodies):
        (tmp_path / f"s{i}").mkdir()
        paths.append(tmp_path / f"s{i}" / "sub.py")
        paths[-1].write_text(body, encoding="utf-8")
    return paths


CHECK_HEAD = "from grader.engine.checking import check\n\n"


@pytest.mark.parametrize("name, source, message", [
    ("section91", "def broken(:\n", "cannot load the checks"),
    ("section92", "import no_such_module_here\n", "cannot load the checks"),
    ("section93", CHECK_HEAD + "def test_unmarked(learner):\n    assert learner.f() == 1\n", "has no @check marker"),
    ("section94", "X = 1\n", "defines no checks"),
], ids=["syntax_error", "import_error", "unmarked_check", "no_checks"])
def test_a_broken_check_file_is_an_internal_error_for_every_submission(tmp_path, name, source, message):
    root = tmp_path / "root"
    section_id = fake_section(root, name, source)
    paths = learner_files(tmp_path, "def f():\n    return 1\n", "def f():\n    return 2\n", "def f():\n    return 1\n")
    results = run_fake(section_id, root, paths)
    assert all(isinstance(r, InternalError) and message in str(r) for r in results), results
    with pytest.raises(InternalError) as alone:
        run_checks(section_id, paths[0], points={"f": 1}, root=root)
    assert str(alone.value) == str(results[0])


@pytest.mark.slow
def test_a_check_that_raises_is_an_internal_error_for_that_submission_only(tmp_path):
    """A check raising (not a learner fault) on one submission's result: that one is an InternalError, the
    others before and after it are graded normally (the fault is not carried over)."""
    root = tmp_path / "root"
    section_id = fake_section(root, "section95", CHECK_HEAD + (
        "@check('f', 1, ja='f', en='f')\n"
        "def test_f(learner):\n"
        "    got = learner.f()\n"
        "    if got == 3:\n"
        "        raise RuntimeError('the check broke')\n"
        "    assert got == 1, 'not one'\n"))
    paths = learner_files(tmp_path, "def f():\n    return 1\n", "def f():\n    return 3\n",
                          "def f():\n    return 2\n", "def f():\n    return 1\n")
    first, broken, wrong, last = run_fake(section_id, root, paths)
    assert isinstance(broken, InternalError) and "RuntimeError: the check broke" in str(broken)
    assert [c.status for c in first[0]] == [c.status for c in last[0]] == ["passed"]
    assert [c.status for c in wrong[0]] == ["failed"] and "not one" in wrong[0][0].feedback
    for path, result in zip(paths, (first, broken, wrong, last), strict=True):
        try:
            alone: Any = run_checks(section_id, path, points={"f": 1}, root=root)
        except InternalError as e:
            alone = e
        if isinstance(result, Exception):
            assert type(alone) is type(result) and str(alone) == str(result)
        else:
            checks, alone_checks = ([c.model_copy(update={"duration": 0.0}) for c in r[0]] for r in (result, alone))
            assert (checks, result[1:]) == (alone_checks, alone[1:])


def test_a_check_that_exits_is_an_internal_error_and_the_next_is_graded(tmp_path):
    """sys.exit() in a check (not in learner code) is a grader fault for that submission (never a partial score,
    never the end of the run), and the next submission is graded normally."""
    root = tmp_path / "root"
    section_id = fake_section(root, "section98", "import sys\n" + CHECK_HEAD + (
        "@check('f', 1, ja='f', en='f')\n"
        "def test_f(learner):\n"
        "    if learner.f() == 3:\n"
        "        sys.exit('stop')\n"
        "    assert learner.f() == 1, 'not one'\n"))
    paths = learner_files(tmp_path, "def f():\n    return 3\n", "def f():\n    return 1\n",
                          "def f():\n    return 2\n")
    stopped, ok, wrong = run_fake(section_id, root, paths)
    assert isinstance(stopped, InternalError) and "SystemExit" in str(stopped)
    assert [c.status for c in ok[0]] == ["passed"] and [c.status for c in wrong[0]] == ["failed"]
    with pytest.raises(InternalError):
        run_checks(section_id, paths[0], points={"f": 1}, root=root)


def test_cases_are_one_check_each_with_their_own_marker(tmp_path):
    """`@cases` gives one check per case, named `test_f[id]`, worth its own points; every submission runs all."""
    root = tmp_path / "root"
    section_id = fake_section(root, "section97", "from grader.engine.api import case, cases\n" + CHECK_HEAD + (
        "@cases('n', [case(1, id='one', mark=check('f', 1, ja='f', en='f')),\n"
        "             case(2, id='two', mark=check('f', 2, ja='f', en='f'))])\n"
        "def test_f(learner, n):\n"
        "    assert learner.f() == n, f'not {n}'\n"))
    paths = learner_files(tmp_path, "def f():\n    return 1\n", "def f():\n    return 2\n")
    (one, _, _), (two, _, _) = run_fake(section_id, root, paths, points={"f": 3})
    assert [(c.id, c.status, c.max_score) for c in one] == [("test_f[one]", "passed", 1.0), ("test_f[two]", "failed", 2.0)]
    assert [c.status for c in two] == ["failed", "passed"] and "not 1" in two[0].feedback


def test_an_exception_from_deliver_ends_the_session_and_reaches_the_caller(tmp_path):
    paths = learner_files(tmp_path, "def f():\n    return 1\n", "def f():\n    return 1\n")
    root = tmp_path / "root"
    section_id = fake_section(root, "section96", CHECK_HEAD + (
        "@check('f', 1, ja='f', en='f')\ndef test_f(learner):\n    assert learner.f() == 1\n"))
    jobs = iter([Job(p) for p in paths])
    taken: list[Job] = []

    def next_job() -> Job | None:
        job = next(jobs, None)
        if job is not None:
            taken.append(job)
        return job

    def deliver(job: Job, result: Any) -> None:
        raise BrokenPipeError("the parent is gone")

    with pytest.raises(BrokenPipeError):
        run_many(section_id, points={"f": 1}, root=root, next_job=next_job, deliver=deliver)
    assert len(taken) == 1  # no further job was taken after the failed delivery


# ---------------------------------------------------------------- the batch grading process's loop


@pytest.mark.slow
def test_a_grading_process_replies_as_grade_one_would(tmp_path):
    """`_Grader` (the loop of batch._serve) over a pipe: the same reply as `_grade_one` for each task,
    in order, including the quiz part, a missing file (an error) and a task of another section (a new session)."""
    paths = submissions(tmp_path, {"ref": SOLUTION, "mutant": mutant_source(SECTION, "sgd_sign"), "stub": STUB})
    answers = tmp_path / "answers.yaml"
    answers.write_text("day2.section2.q01: 1\n", encoding="utf-8")
    s1 = write(tmp_path / "s1", "section1.py", (ROOT / "solutions" / "day2" / "section1.py").read_text("utf-8"))
    hide = (str(tmp_path / "hidden"),)
    tasks = [
        ("a", (SECTION, str(paths["ref"]), str(answers), 2.0, False, hide)),
        ("b", (SECTION, str(paths["mutant"]), None, 2.0, False, hide)),
        ("c", (SECTION, str(tmp_path / "gone" / "section2.py"), None, 2.0, False, hide)),
        ("d", ("day2.section1", str(s1), None, 2.0, False, hide)),
        ("e", (SECTION, str(paths["stub"]), None, 2.0, False, hide)),
    ]
    parent, child = multiprocessing.Pipe()

    def serve() -> None:  # as batch._serve does after the loop: the template a thread started dies with that thread
        try:
            _Grader(child).run()
        finally:
            spawn.use_template(False)

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    for task in tasks:
        parent.send(task)
    parent.send(None)
    replies = []
    for _ in tasks:
        assert parent.poll(120), f"no reply after {[r[0] for r in replies]}"
        replies.append(parent.recv())
    server.join(60)
    assert not server.is_alive()
    assert [r[0] for r in replies] == [k for k, _ in tasks]
    for (key, args), (_, status, payload) in zip(tasks, replies, strict=True):
        try:
            expected: tuple[str, Any] = ("ok", _grade_one(*args))
        except Exception as e:  # noqa: BLE001 - the message _serve sends
            expected = ("error", str(e))
        assert status == expected[0], (key, payload)
        if status == "ok":
            assert plain(payload) == plain(expected[1]), key
        else:
            assert payload == expected[1] and "submission not found" in payload
    ok = {key: payload for key, status, payload in replies if status == "ok"}
    assert ok["a"]["quiz"]["taken"] and ok["a"]["quiz"]["max_score"] > 0
    assert ok["d"]["section"] == "day2.section1" and {c["status"] for c in ok["d"]["checks"]} == {"passed"}
    assert {c["status"] for c in ok["e"]["checks"]} == {"not_implemented"}
    assert not ok["b"]["quiz"]["taken"]
