"""One installable distribution (issue 13 §2): the wheel installs `grader` alone, with the course data inside it.

The slow test builds the wheel from a pristine copy of this repository (no stale build/ folder, no editable
install to lean on), installs it into a fresh venv outside the repository (dependencies from PyPI) and runs
`grade` from a folder that knows nothing of the project. The fast tests keep pyproject.toml's explicit package
list in step with the folders it must ship, and the course-root decision of grader/course/loading.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.course import loading
from tests.conftest import ROOT
from tests.test_gradescope import pypi_reachable

# pyproject.toml maps these repository folders into the package (grader/_data/…) at build time
DATA_TREES = {"exercises": "grader._data.exercises", "question_bank": "grader._data.question_bank"}
NOT_SHIPPED = ("solutions", "tests", "benchmarks", "docs")


def _pyproject() -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def _package_folders(top: Path, name: str) -> dict[str, Path]:
    """Every folder below `top` (itself included) holding a file to ship, by the package name it gets."""
    out = {}
    for folder in [top, *sorted(p for p in top.rglob("*") if p.is_dir())]:
        rel = folder.relative_to(top)
        if "__pycache__" in rel.parts or not any(f.is_file() and f.suffix in (".py", ".yaml", ".json")
                                                 for f in folder.iterdir()):
            continue
        out[".".join([name, *rel.parts])] = folder
    return out


def test_pyproject_lists_every_package_folder_and_maps_the_course_data() -> None:
    """The package list is explicit (a mapped folder cannot be found by `find`): a new day of checks, stubs or
    questions must be added to it, or the wheel silently lacks it."""
    config = _pyproject()["tool"]["setuptools"]
    listed = set(config["packages"])
    want = _package_folders(ROOT / "grader", "grader")
    for folder, package in DATA_TREES.items():
        assert config["package-dir"][package] == folder
        want |= _package_folders(ROOT / folder, package)
    missing = sorted(set(want) - listed)
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {missing}"
    assert not [p for p in listed if not p.startswith("grader")], "only grader is an import package"
    stale = sorted(p for p in listed if p not in want and not p.startswith("grader._data"))
    assert not stale, f"listed in pyproject.toml, but no such folder: {stale}"


def test_a_clone_reads_the_top_level_course_data_and_the_package_checks() -> None:
    assert not loading.DATA_DIR.exists(), "grader/_data only exists in an installed wheel"
    assert loading.ROOT == ROOT and not loading.installed()
    clone = loading.section_paths("day2.section2")
    assert clone["exercise"] == ROOT / "exercises" / "day2" / "section2.py"
    assert clone["checks"] == ROOT / "grader" / "checks" / "day2" / "section2.py" == \
        loading.CHECKS_DIR / "day2" / "section2.py"
    # the package data of an installed grader: the course there, the checks in the package itself
    data = loading.section_paths("day2.section2", loading.DATA_DIR)
    assert data["exercise"] == loading.DATA_DIR / "exercises" / "day2" / "section2.py"
    assert data["bank"] == loading.DATA_DIR / "question_bank" / "day2" / "section2.yaml"
    assert data["checks"] == clone["checks"]


# ---------------------------------------------------------------- the built wheel, installed


def _clean_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GRADER_", "VIRTUAL_ENV", "PYTHON", "PIP_REQUIRE_VIRTUALENV"))}
    return env | {"GRADER_DB": str(tmp / "progress.sqlite3"), "XDG_DATA_HOME": str(tmp / "xdg"),
                  "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PYTHONDONTWRITEBYTECODE": "1"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The wheel built from a copy of the repository, installed into a fresh venv outside it."""
    if not pypi_reachable():
        pytest.skip("pypi.org is not reachable: the wheel's dependencies cannot be installed into a fresh venv")
    tmp = tmp_path_factory.mktemp("wheel")
    env = _clean_env(tmp)
    src, dist, venv = tmp / "src", tmp / "dist", tmp / "venv"
    # a copy without .git, the venv, build/ or egg-info: build/lib of an earlier build would leak into the wheel
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache"))

    def run(*cmd: str | Path, timeout: float = 600) -> None:
        proc = subprocess.run([str(c) for c in cmd], env=env, cwd=tmp, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
        assert proc.returncode == 0, f"{cmd}:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"

    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, src)
    wheels = sorted(dist.glob("eshikaku_grader-*.whl"))
    assert len(wheels) == 1, wheels
    run(sys.executable, "-m", "venv", venv)
    run(venv / "bin" / "python", "-m", "pip", "install", "-q", wheels[0])
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    proc = subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          env=env, cwd=elsewhere, capture_output=True, text=True, timeout=60, check=True)
    return {"wheel": wheels[0], "venv": venv, "site": Path(proc.stdout.strip()), "cwd": elsewhere, "env": env}


def _grade(inst: dict, *args: str | Path, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(inst["venv"] / "bin" / "grade"), *map(str, args)], env=inst["env"],
                          cwd=cwd or inst["cwd"], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def _py(inst: dict, code: str) -> str:
    proc = subprocess.run([str(inst["venv"] / "bin" / "python"), "-c", code], env=inst["env"], cwd=inst["cwd"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.strip()


@pytest.mark.slow
def test_the_wheel_holds_grader_with_its_course_data_and_nothing_else(installed: dict) -> None:
    with zipfile.ZipFile(installed["wheel"]) as z:
        names = set(z.namelist())
    tops = {n.split("/", 1)[0] for n in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"grader"}
    assert not [n for n in names if any(f"/{part}/" in f"/{n}" for part in NOT_SHIPPED)]
    want = {f"grader/{p.relative_to(ROOT / 'grader').as_posix()}" for p in (ROOT / "grader").rglob("*.py")}
    for folder in DATA_TREES:
        want |= {f"grader/_data/{p.relative_to(ROOT).as_posix()}" for p in (ROOT / folder).rglob("*")
                 if p.is_file() and p.suffix in (".py", ".yaml", ".json") and "__pycache__" not in p.parts}
    assert "grader/_data/question_bank/templates.yaml" in want and "grader/_data/question_bank/schema.json" in want
    assert "grader/checks/day2/section2.py" in want
    assert not sorted(want - names)


@pytest.mark.slow
def test_the_installed_grader_works_from_any_folder(installed: dict) -> None:
    site = installed["site"]
    for name in ("exercises", "solutions", "question_bank", "tests"):
        assert not (site / name).exists() and not (site / f"{name}.py").exists(), name
    found = _py(installed, "import importlib.util as u; print([n for n in ('exercises', 'solutions') "
                           "if u.find_spec(n) is not None])")
    assert found == "[]"
    where = json.loads(_py(installed, "import json, grader.course.loading as L; "
                                      "print(json.dumps({'root': str(L.ROOT), 'installed': L.installed(), "
                                      "'stub': str(L.section_paths('day2.section2')['exercise']), "
                                      "'checks': str(L.section_paths('day2.section2')['checks'])}))"))
    assert where["installed"] and where["root"] == str(site / "grader" / "_data")
    stub = Path(where["stub"])
    assert stub == site / "grader" / "_data" / "exercises" / "day2" / "section2.py" and stub.is_file()
    assert Path(where["checks"]) == site / "grader" / "checks" / "day2" / "section2.py"

    listed = _grade(installed, "list")
    assert listed.returncode == 0, listed.stderr
    assert "day1.section1" in listed.stdout and "day2.section5" in listed.stdout

    solved = _grade(installed, "section2", "--submission", ROOT / "solutions" / "day2" / "section2.py", "--no-quiz")
    assert solved.returncode == 0, solved.stdout[-2000:] + solved.stderr[-2000:]

    pristine = _grade(installed, "section2", "--submission", stub, "--no-quiz", "--json")
    assert pristine.returncode == 1, pristine.stderr[-2000:]
    report = json.loads(pristine.stdout)
    assert report["checks"] and {c["status"] for c in report["checks"]} == {"not_implemented"}

    # the quiz and templates.yaml load; without solutions/ the parametric questions are left out, and say so
    quiz = _grade(installed, "quiz", "--print", "--count", "3", "--seed", "1", "section2")
    assert quiz.returncode == 0, quiz.stderr[-2000:]
    assert "solutions/ is not installed" in quiz.stdout + quiz.stderr


@pytest.mark.slow
def test_authors_commands_installed_say_they_need_a_clone(installed: dict) -> None:
    for args in (("bank", "check", "--no-grading"), ("release", installed["cwd"] / "release"),
                 ("gradescope", "section2", installed["cwd"] / "autograder.zip")):
        proc = _grade(installed, *args)
        assert proc.returncode == 2, (args, proc.stdout[-1000:], proc.stderr[-1000:])
        assert "needs a clone of the project" in proc.stderr, args
    assert not (installed["cwd"] / "release").exists() and not (installed["cwd"] / "autograder.zip").exists()


@pytest.mark.slow
def test_a_workspace_from_the_installed_grader(installed: dict) -> None:
    made = _grade(installed, "init", "ws")
    assert made.returncode == 0, made.stdout[-1000:] + made.stderr[-1000:]
    ws = installed["cwd"] / "ws"
    assert (ws / "day2" / "section2.py").read_bytes() == (ROOT / "exercises" / "day2" / "section2.py").read_bytes()
    graded = _grade(installed, "section2", "--no-quiz", cwd=ws)
    assert graded.returncode == 1, graded.stdout[-2000:] + graded.stderr[-2000:]
