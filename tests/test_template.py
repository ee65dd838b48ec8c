"""Workers forked from the pre-loaded template (grader/engine/worker.py template mode, grader/engine/spawn.py WorkerTemplate): the
same verdicts as started workers, exit statuses carried back, nothing left behind, and a template killed
by a submission costs that submission's check only."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from grader.engine import spawn
from grader.grading import grade_checks
from tests.conftest import ROOT, no_process_with
from tests.test_hostile import replace_update

SOLUTION = (ROOT / "solutions" / "day2" / "section2.py").read_text(encoding="utf-8")


@pytest.fixture
def template():
    spawn.use_template(True)
    try:
        yield spawn._template
    finally:
        spawn.use_template(False)


def write(tmp_path: Path, snippet: str = "", prepend: bool = False) -> Path:
    path = tmp_path / "section2.py"
    path.write_text(snippet + "\n" + SOLUTION if prepend else SOLUTION + "\n" + snippet, encoding="utf-8")
    return path


def plain(report) -> list[tuple]:
    return [(c.id, c.status, c.score, c.feedback) for c in report.checks]


def test_forked_workers_give_the_started_workers_verdicts(tmp_path):
    """Reference, stub and a mutant-like submission: the same report either way, apart from durations."""
    cases = [ROOT / "solutions" / "day2" / "section2.py", ROOT / "exercises" / "day2" / "section2.py",
             write(tmp_path, replace_update("Momentum", "for k in params:\n    params[k] -= self.lr * grads[k]"))]
    started = [plain(grade_checks("day2.section2", p)) for p in cases]
    spawn.use_template(True)
    try:
        forked = [plain(grade_checks("day2.section2", p)) for p in cases]
        assert spawn._template is not None and spawn._template.alive()
    finally:
        spawn.use_template(False)
    assert forked == started
    assert {s for _, s, _, _ in started[1]} != {"passed"}  # the cases differ: the comparison means something
    assert any(s == "failed" for _, s, _, _ in started[2])


def test_the_worker_is_forked_by_the_template(tmp_path, template):
    probe = "import os\nprint('PARENT', open(f'/proc/{os.getppid()}/cmdline', 'rb').read().replace(b'\\0', b' '))\n"
    report = grade_checks("day2.section2", write(tmp_path, probe))
    assert report.score == report.max_score
    assert "--template" in report.learner_output.split("PARENT", 1)[1].splitlines()[0]


def test_exit_code_reaches_the_report_through_the_template(tmp_path, template):
    report = grade_checks("day2.section2", write(tmp_path, replace_update("Adam", "import os\nos._exit(7)")))
    adam = [c for c in report.checks if c.exercise == "Adam"]
    assert {c.status for c in adam} == {"crashed"}
    assert "exit code 7" in adam[0].feedback
    assert all(c.status == "passed" for c in report.checks if c.exercise != "Adam")


def test_killing_the_template_costs_only_that_check_and_another_starts(tmp_path, template):
    first = template.proc.pid
    snippet = replace_update("SGD", "import os, signal, time\n_parent = os.getppid()\n"
                                    "if b'--template' in open(f'/proc/{_parent}/cmdline', 'rb').read():\n"
                                    "    os.kill(_parent, signal.SIGKILL)\n"
                                    "    while os.getppid() == _parent:\n        time.sleep(0.001)\n"
                                    "for k in params:\n    params[k] -= self.lr * grads[k]")
    report = grade_checks("day2.section2", write(tmp_path, snippet))
    sgd = [c for c in report.checks if c.exercise == "SGD"]
    assert sgd and {c.status for c in sgd} == {"crashed"}  # the parent-death signal: the call never returns
    assert all(c.status == "passed" for c in report.checks if c.exercise != "SGD")
    assert spawn._template is not None and spawn._template.alive() and spawn._template.proc.pid != first
    again = grade_checks("day2.section2", ROOT / "solutions" / "day2" / "section2.py")
    assert again.score == again.max_score


def test_a_daemon_of_a_forked_worker_does_not_survive(tmp_path, template):
    marker = "876543.25"
    snippet = ("import os\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
               f"        os.execvp('sleep', ['sleep', '{marker}'])\n    os._exit(0)\n")
    report = grade_checks("day2.section2", write(tmp_path, snippet, prepend=True))
    assert report.score == report.max_score
    time.sleep(0.2)
    assert no_process_with(marker)


def test_the_forked_worker_has_its_own_cwd_home_and_limits(tmp_path, template):
    probe = ("import os, resource\n"
             "print('ENV', os.getcwd() == os.environ['HOME'] == os.environ['TMPDIR'], sorted(os.listdir('.')),"
             " resource.getrlimit(resource.RLIMIT_AS)[0], os.getsid(0) == os.getpid())\n")
    report = grade_checks("day2.section2", write(tmp_path, probe))
    line = report.learner_output.split("ENV ", 1)[1].splitlines()[0]
    assert line == f"True ['section2.py'] {spawn.LIMITS['memory']} True"


def test_closing_the_template_leaves_no_process(tmp_path):
    spawn.use_template(True)
    pid = spawn._template.proc.pid
    grade_checks("day2.section2", write(tmp_path))
    spawn.use_template(False)
    assert spawn._template is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
