"""Gradescope: the autograder zip, run_autograder against a fake /autograder, and results.json against its schema."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from grader.cli.app import app
from grader.course.loading import load_bank
from tests.conftest import ROOT, run_grade

SOLUTION2 = ROOT / "solutions" / "day2" / "section2.py"
STUB2 = ROOT / "exercises" / "day2" / "section2.py"
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}

# Written from Gradescope's "Autograder Specifications" (gradescope-autograders.readthedocs.io/en/latest/specs/):
# the fields of results.json and of each test, with their documented values.
RESULTS_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "output_format": FORMAT,
        "test_output_format": FORMAT,
        "test_name_format": FORMAT,
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "score": {"type": "number"},
                    "max_score": {"type": "number", "minimum": 0},
                    "status": {"enum": ["passed", "failed"]},
                    "name": {"type": "string"},
                    "name_format": FORMAT,
                    "number": {"type": "string"},
                    "output": {"type": "string"},
                    "output_format": FORMAT,
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "visibility": VISIBILITY,
                    "extra_data": {"type": "object"},
                },
                "required": ["score", "max_score", "name", "output", "visibility"],
                "additionalProperties": False,
            },
        },
        "leaderboard": {"type": "array"},
    },
    "anyOf": [{"required": ["score"]}, {"required": ["tests"]}],
    "additionalProperties": False,
}


def validate(doc: dict) -> None:
    jsonschema.validate(doc, RESULTS_SCHEMA)


def test_schema_rejects_what_gradescope_would_not_read() -> None:
    good = {"score": 1.0, "tests": [{"name": "a", "score": 1, "max_score": 1, "output": "", "visibility": "visible"}]}
    validate(good)
    for bad in (
        {**good, "tests": [{**good["tests"][0], "visibility": "public"}]},
        {**good, "tests": [{k: v for k, v in good["tests"][0].items() if k != "max_score"}]},
        {**good, "score": "full"},
        {**good, "stdout_visibility": "always"},
        {"output": "no score and no tests"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validate(bad)


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gs") / "autograder.zip"
    result = CliRunner().invoke(app, ["gradescope", "section2", str(out)])
    assert result.exit_code == 0, result.output
    assert "setup.sh, run_autograder" in result.output
    return out


def test_zip_has_the_scripts_and_every_hidden_check_but_no_tests(autograder_zip: Path) -> None:
    with zipfile.ZipFile(autograder_zip) as z:
        names = z.namelist()
        assert names[:2] == ["setup.sh", "run_autograder"]
        for script in names[:2]:
            mode = z.getinfo(script).external_attr >> 16
            assert mode & stat.S_IXUSR, script
        run = z.read("run_autograder").decode()
        assert "grader.classroom.gradescope day2.section2" in run and "/autograder" in run
        setup = z.read("setup.sh").decode()
        assert "python3-venv" in setup and "pip install -q -e ." in setup
        # bubblewrap is installed when setup.sh runs as root, and a failure to install it is not fatal
        assert '[ "$(id -u)" -eq 0 ]' in setup and "apt-get install -y -q bubblewrap; } \\\n    || echo" in setup
        assert 'SANDBOX=require' in run and 'SANDBOX=off' in run and '--sandbox "$SANDBOX"' in run
        for check in (ROOT / "grader" / "checks").rglob("section*.py"):
            rel = check.relative_to(ROOT).as_posix()
            assert z.read(rel) == check.read_bytes(), rel  # hidden checks included, unchanged
    assert not [n for n in names if n.startswith(("tests/", "solutions/", "benchmarks/", ".ci/"))]
    assert "pyproject.toml" in names and "question_bank/day2/section2.yaml" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_setup_script_is_valid_bash(autograder_zip: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(autograder_zip) as z:
        z.extractall(tmp_path)
    for script in ("setup.sh", "run_autograder"):
        assert subprocess.run(["bash", "-n", str(tmp_path / script)]).returncode == 0


def pypi_reachable() -> bool:
    import socket

    try:
        socket.create_connection(("pypi.org", 443), timeout=5).close()
        return True
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.network
def test_setup_sh_builds_the_image_and_run_autograder_grades_with_it(autograder_zip: Path, tmp_path: Path) -> None:
    """Gradescope's two steps for real: setup.sh installs the package from the zip into its own venv (PyPI
    for numpy & co.), then run_autograder uses that venv — no AUTOGRADER_PYTHON override — on a submission.
    Only /autograder is moved (AUTOGRADER_ROOT); apt-get is skipped where python3 can already make a venv."""
    if not pypi_reachable():
        pytest.skip("pypi.org is not reachable: setup.sh cannot install the package's dependencies here")
    base = tmp_path / "autograder"
    (base / "source").mkdir(parents=True)
    (base / "submission").mkdir()
    with zipfile.ZipFile(autograder_zip) as z:
        z.extractall(base / "source")
    (base / "submission" / "section2.py").write_bytes(SOLUTION2.read_bytes())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRADER_", "VIRTUAL_ENV", "PYTHON"))}
    env |= {"AUTOGRADER_ROOT": str(base), "GRADER_DB": str(base / "db.sqlite3"), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    setup = subprocess.run(["bash", str(base / "source" / "setup.sh")], env=env, text=True, capture_output=True,
                           timeout=900, stdin=subprocess.DEVNULL)
    assert setup.returncode == 0, setup.stderr[-3000:]
    assert (base / "source" / ".venv" / "bin" / "python").exists()
    run = subprocess.run(["bash", str(base / "source" / "run_autograder")], env=env, text=True, capture_output=True,
                         timeout=300, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads((base / "results" / "results.json").read_text(encoding="utf-8"))
    validate(results)
    checks = [t for t in results["tests"] if not t["name"].startswith("確認テスト")]
    assert len(checks) == 24 and all(t["score"] == t["max_score"] for t in checks)


def run_autograder(autograder_zip: Path, base: Path, files: dict[str, bytes],
                   extra_env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess, dict | None]:
    """Gradescope's layout in a temporary folder: source/ = the zip, submission/ = the student's files."""
    (base / "source").mkdir(parents=True)
    (base / "submission").mkdir()
    with zipfile.ZipFile(autograder_zip) as z:
        z.extractall(base / "source")
    for name, data in files.items():
        (base / "submission" / name).write_bytes(data)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    env |= {"AUTOGRADER_ROOT": str(base), "AUTOGRADER_PYTHON": sys.executable, "GRADER_DB": str(base / "db.sqlite3"),
            **(extra_env or {})}
    proc = subprocess.run(["bash", str(base / "source" / "run_autograder")], env=env, text=True, capture_output=True,
                          timeout=300, stdin=subprocess.DEVNULL)
    results = base / "results" / "results.json"
    return proc, json.loads(results.read_text(encoding="utf-8")) if results.exists() else None


def check_id(test: dict) -> str:
    name = test["name"]
    return name[name.index("[test_") + 1:-1]


def right_answers() -> bytes:
    bank = load_bank("day2.section2")
    return yaml.safe_dump({q.id: sorted(q.answers) for q in bank.questions}).encode()


@pytest.mark.slow
def test_solution_and_quiz_get_full_marks(autograder_zip: Path, tmp_path: Path) -> None:
    proc, results = run_autograder(autograder_zip, tmp_path / "autograder",
                                   {"section2.py": SOLUTION2.read_bytes(), "answers.yaml": right_answers()})
    assert proc.returncode == 0, proc.stderr
    assert results is not None
    validate(results)
    checks = [t for t in results["tests"] if not t["name"].startswith("確認テスト")]
    quiz = [t for t in results["tests"] if t["name"].startswith("確認テスト")]
    assert len(checks) == 24 and len(quiz) == len(load_bank("day2.section2").questions)
    assert results["score"] == sum(t["max_score"] for t in results["tests"]) == 29 + len(quiz)
    assert all(t["status"] == "passed" and t["score"] == t["max_score"] for t in results["tests"])
    visible = {check_id(t) for t in checks if t["visibility"] == "visible"}
    assert visible == {f"test_one_step[{n}]" for n in ("SGD", "Momentum", "AdaGrad", "RMSprop", "Adam")}
    assert {t["visibility"] for t in results["tests"] if t["visibility"] != "visible"} == {"after_published"}
    assert len([t for t in results["tests"] if t["visibility"] == "after_published"]) == 19 + len(quiz)
    assert results["stdout_visibility"] == "hidden"
    assert "checks: 24/24 passed" in proc.stdout  # the instructor's view on stdout
    sandboxed = sandbox_works()
    assert results["extra_data"]["sandbox"] == ("on" if sandboxed else "off")
    assert ("SANDBOX OFF" in results["output"]) is not sandboxed


def sandbox_works() -> bool:
    from grader.engine.sandbox import available

    return available()


def leaky_submission(base: Path) -> bytes:
    """The reference, except that SGD.update puts the hidden check file into its exception message (which
    the feedback of a visible check shows), when it can read it."""
    hidden = base / "source" / "grader" / "checks" / "day2" / "section2.py"
    return (SOLUTION2.read_text(encoding="utf-8") + f"""

class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        try:
            text = open({str(hidden)!r}, encoding="utf-8").read()
        except OSError as e:
            text = "blocked: " + type(e).__name__
        raise ValueError(text[:400])
""").encode()


@pytest.mark.slow
def test_without_a_working_sandbox_results_say_so_loudly(autograder_zip: Path, tmp_path: Path) -> None:
    base = tmp_path / "autograder"
    proc, results = run_autograder(autograder_zip, base, {"section2.py": SOLUTION2.read_bytes()},
                                   {"GRADER_SANDBOX_DISABLE": "1"})
    assert proc.returncode == 0, proc.stderr
    assert results is not None
    validate(results)
    first = results["output"].splitlines()[0]
    assert first.startswith("⚠") and "SANDBOX OFF" in first and "hidden checks" in first
    assert results["extra_data"]["sandbox"] == "off" and "SANDBOX OFF" in proc.stdout
    assert all(t["status"] == "passed" for t in results["tests"])


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="the worker user is for a grader running as root (Gradescope)")
def test_without_the_sandbox_as_root_workers_run_as_nobody_and_cannot_read_the_hidden_checks(
        autograder_zip: Path, tmp_path: Path) -> None:
    """Gradescope without bubblewrap: the hidden checks are made private to root and the worker runs as nobody,
    so the leaky submission is blocked (the folder is world-traversable, as /autograder is)."""
    import tempfile

    top = Path(tempfile.mkdtemp(prefix="gs-open-"))
    top.chmod(0o755)
    try:
        base = top / "autograder"
        proc, results = run_autograder(autograder_zip, base, {"section2.py": leaky_submission(base)},
                                       {"GRADER_SANDBOX_DISABLE": "1"})
        assert proc.returncode == 0, proc.stderr
        assert results is not None
        validate(results)
        assert results["extra_data"]["sandbox"] == "off" and results["extra_data"]["worker_user"] == "nobody"
        assert "nobody" in results["output"].splitlines()[0]
        sgd = next(t for t in results["tests"] if "[test_one_step[SGD]]" in t["name"])
        assert "blocked: PermissionError" in sgd["output"], sgd["output"]
        assert "Hidden checks of day2.section2" not in json.dumps(results, ensure_ascii=False)
        others = [t for t in results["tests"] if "SGD" not in t["name"] and not t["name"].startswith("確認テスト")]
        assert all(t["status"] == "passed" for t in others)
    finally:
        shutil.rmtree(top, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.skipif(not sandbox_works(), reason="bubblewrap does not work on this machine")
def test_with_the_sandbox_learner_code_cannot_read_the_hidden_checks(autograder_zip: Path, tmp_path: Path) -> None:
    base = tmp_path / "autograder"
    proc, results = run_autograder(autograder_zip, base, {"section2.py": leaky_submission(base)})
    assert proc.returncode == 0, proc.stderr
    assert results is not None
    validate(results)
    assert results["extra_data"]["sandbox"] == "on" and "SANDBOX OFF" not in results["output"]
    sgd = next(t for t in results["tests"] if "[test_one_step[SGD]]" in t["name"])
    assert sgd["visibility"] == "visible" and "blocked: FileNotFoundError" in sgd["output"]
    shown = json.dumps(results, ensure_ascii=False)
    assert "Hidden checks of day2.section2" not in shown and "def simulate" not in shown


def test_sandbox_required_but_missing_is_a_grader_fault(autograder_zip: Path, tmp_path: Path) -> None:
    """run_autograder asks for `--sandbox require` only when the probe worked; if the sandbox then fails
    anyway, nothing is scored (no results.json, exit 3) rather than grading unsandboxed in silence."""
    base = tmp_path / "autograder"
    run = zipfile.ZipFile(autograder_zip).read("run_autograder").decode()
    forced = run.replace("SANDBOX=off", "SANDBOX=require")
    (base / "source").mkdir(parents=True)
    (base / "submission").mkdir()
    with zipfile.ZipFile(autograder_zip) as z:
        z.extractall(base / "source")
    (base / "source" / "run_autograder").write_text(forced, encoding="utf-8")
    (base / "submission" / "section2.py").write_bytes(SOLUTION2.read_bytes())
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    env |= {"AUTOGRADER_ROOT": str(base), "AUTOGRADER_PYTHON": sys.executable, "GRADER_DB": str(base / "db.sqlite3"),
            "GRADER_SANDBOX_DISABLE": "1"}
    proc = subprocess.run(["bash", str(base / "source" / "run_autograder")], env=env, text=True, capture_output=True,
                          timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 3 and "sandbox is not available" in proc.stderr
    assert not (base / "results" / "results.json").exists()


def test_stub_scores_zero_and_says_why(autograder_zip: Path, tmp_path: Path) -> None:
    chatty = STUB2.read_text(encoding="utf-8") + "\nprint('SECRET-INPUT-ECHO')\n"
    proc, results = run_autograder(autograder_zip, tmp_path / "autograder", {"my_work.py": chatty.encode()})
    assert proc.returncode == 0 and results is not None
    validate(results)
    assert results["score"] == 0 and all(t["status"] == "failed" for t in results["tests"])
    assert all("未実装 / not implemented" in t["output"] for t in results["tests"])
    assert "SECRET-INPUT-ECHO" not in json.dumps(results)  # learner output stays in stdout (instructor only)
    assert "SECRET-INPUT-ECHO" in proc.stdout


def test_missing_submission_is_a_zero_with_a_message(autograder_zip: Path, tmp_path: Path) -> None:
    proc, results = run_autograder(autograder_zip, tmp_path / "autograder", {"notes.txt": b"hello"})
    assert proc.returncode == 0 and results is not None
    validate(results)
    assert results["score"] == 0 and "section2.py" in results["output"]


@pytest.mark.slow
def test_grade_run_writes_gradescope_results_too(tmp_path: Path) -> None:
    out = tmp_path / "gs" / "results.json"
    g = run_grade("section2", "--submission", str(SOLUTION2), "--no-quiz", "--json", "--gradescope", str(out))
    assert g.rc == 0, g.err
    report = g.report  # stdout is still the one JSON report
    results = json.loads(out.read_text(encoding="utf-8"))
    validate(results)
    assert results["score"] == report["score"] == report["max_score"] == 29
    assert [check_id(t) for t in results["tests"]] == [c["id"] for c in report["checks"]]
    wrong = tmp_path / "section2.py"
    wrong.write_text(SOLUTION2.read_text(encoding="utf-8").replace("-= self.lr * grads[key]", "+= self.lr * grads[key]",
                                                                   1), encoding="utf-8")
    g = run_grade("section2", "--submission", str(wrong), "--no-quiz", "--gradescope", str(out), "--lang", "en")
    results = json.loads(out.read_text(encoding="utf-8"))
    validate(results)
    sgd = results["tests"][0]
    assert g.rc == 1 and sgd["status"] == "failed" and sgd["score"] == 0 and "sign" in sgd["output"]
    assert results["score"] < 29


def test_gradescope_command_refuses_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["gradescope", "section99", str(tmp_path / "a.zip")]).exit_code == 2
    assert runner.invoke(app, ["gradescope", "section2", str(tmp_path / "a.tar")]).exit_code == 2
    r = runner.invoke(app, ["gradescope", "section2", str(tmp_path / "a.zip"), "--hidden-visibility", "soon"])
    assert r.exit_code == 2 and not (tmp_path / "a.zip").exists()
