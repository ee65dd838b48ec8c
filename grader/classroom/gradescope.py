"""Gradescope: results.json as a view of a SectionReport, the autograder zip, and what run_autograder runs.

Format (Gradescope's "Autograder Specifications"): a top-level `score`, `output`, `stdout_visibility` and
`tests`, each test with `name`, `score`, `max_score`, `status`, `output`, `visibility`, `number`. Public checks
(marked `public=True`) are `visible` at once; hidden checks and quiz questions (whose feedback names the
answer) get `hidden_visibility` (default `after_published`). The learner's own printed output never goes
into what students see (it could echo a hidden check's inputs); it goes to stdout, which stays hidden.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from grader.ids import day_and_name

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
DEFAULT_HIDDEN_VISIBILITY = "after_published"
ROOT_ENV = "AUTOGRADER_ROOT"  # /autograder on Gradescope; a temporary folder in the project's tests
PYTHON_ENV = "AUTOGRADER_PYTHON"
ANSWERS_NAME = "answers.yaml"


def results_json(report: Any, visibility: dict[str, bool] | None, *, hidden_visibility: str = DEFAULT_HIDDEN_VISIBILITY,
                 lang: str = "both") -> dict[str, Any]:
    """Gradescope's results.json for one report. `visibility`: test function → public (None: all hidden)."""
    from grader.classroom.release import is_public_check
    from grader.render.report import NOTE, STATUS_LABEL, inert_report, summary_lines
    from grader.text import Text

    if hidden_visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {VISIBILITIES}")
    raw_ids = [c.id for c in report.checks]  # visibility is decided on the ids as the checks define them
    report = inert_report(report)
    tests: list[dict[str, Any]] = []
    exercises = list(dict.fromkeys(c.exercise for c in report.checks))
    counters: dict[str, int] = {}
    for c, raw_id in zip(report.checks, raw_ids, strict=True):
        counters[c.exercise] = counters.get(c.exercise, 0) + 1
        _, ja, en = STATUS_LABEL[c.status]
        feedback = c.feedback_i18n.render(lang) if c.feedback_i18n else c.feedback
        title = c.title.render(lang) if c.title else c.id
        public = visibility is not None and is_public_check(raw_id, visibility)
        tests.append({
            "name": f"{c.exercise}: {title} [{c.id}]",
            "number": f"{exercises.index(c.exercise) + 1}.{counters[c.exercise]}",
            "score": c.score,
            "max_score": c.max_score,
            "status": "passed" if c.status == "passed" else "failed",
            "output": Text(ja=ja, en=en).render(lang) + ("" if c.status == "passed" else f"\n{feedback}")
            + (f"\n{NOTE.render(lang)}: {c.note.render(lang)}" if c.note else ""),
            "output_format": "text",
            "tags": [c.exercise, c.status],
            "visibility": "visible" if public else hidden_visibility,
        })
    quiz_no = len(exercises) + 1
    for n, q in enumerate(report.quiz.questions if report.quiz.taken else [], 1):
        tests.append({
            "name": f"確認テスト / quiz {q.id}",
            "number": f"{quiz_no}.{n}",
            "score": q.score,
            "max_score": q.max_score,
            "status": "passed" if q.correct else "failed",
            "output": q.feedback,
            "output_format": "text",
            "tags": ["quiz"],
            "visibility": hidden_visibility,
        })
    return {
        "score": report.score,
        "output": "\n".join(summary_lines(report, lang)),
        "output_format": "text",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"section": report.section, "max_score": report.max_score, "scope": report.scope},
    }


def write_results(report: Any, path: Path, root: Path | None = None, *,
                  hidden_visibility: str = DEFAULT_HIDDEN_VISIBILITY, lang: str = "both") -> None:
    """`grade section2 --gradescope PATH`: the same report written in Gradescope's format (atomically)."""
    from grader.classroom.release import check_visibility
    from grader.course.loading import ROOT

    visibility = check_visibility(report.section, root or ROOT)
    data = results_json(report, visibility, hidden_visibility=hidden_visibility, lang=lang)
    _write_json(path, data)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """results.json, every string in it inert (Gradescope shows `output` and test names to students)."""
    from grader.sanitize import inert_tree

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(inert_tree(data), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


# ---------------------------------------------------------------- the autograder zip

ZIP_TREES = ("grader", "question_bank", "exercises")
ZIP_FILES = ("pyproject.toml", "README.md", "LICENSE")

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu). AUTOGRADER_ROOT exists
# for testing elsewhere (tests/test_gradescope.py runs this script for real).
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
export DEBIAN_FRONTEND=noninteractive
if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
  apt-get update -q
  apt-get install -y -q python3 python3-venv python3-pip
fi
# bubblewrap: the sandbox that keeps learner code from reading the hidden checks next to the worker. Installed
# when this runs as root (as on Gradescope); its absence is not fatal: run_autograder then grades without the
# sandbox and says so in every result.
if [ "$(id -u)" -eq 0 ] && ! command -v bwrap >/dev/null 2>&1; then
  { apt-get update -q && apt-get install -y -q bubblewrap; } \\
    || echo "setup.sh: bubblewrap could not be installed; submissions will be graded WITHOUT the sandbox" >&2
fi
python3 -c "import sys; sys.exit(0 if sys.version_info >= (3, 10) else 'the grader needs Python 3.10 or newer')"
cd "$ROOT/source"
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
.venv/bin/python -c "import grader.cli.app, numpy"  # fail the image build now, not at the first submission
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission: grade /autograder/submission for {section},
# write /autograder/results/results.json. {root_env} and {python_env} exist for testing elsewhere.
set -u
ROOT="${{{root_env}:-/autograder}}"
PY="${{{python_env}:-$ROOT/source/.venv/bin/python}}"
cd "$ROOT/source"
# The sandbox (bubblewrap) keeps learner code away from the hidden checks: required whenever it works here;
# otherwise grade without it, and results.json says so loudly.
if "$PY" -c "import sys; from grader.engine.sandbox import available; sys.exit(0 if available() else 1)" >/dev/null 2>&1
then
  SANDBOX=require
else
  SANDBOX=off
fi
exec "$PY" -m grader.classroom.gradescope {section} --lang {lang} --hidden-visibility {hidden_visibility} \\
  --sandbox "$SANDBOX"
"""


def build_autograder_zip(section_id: str, out: Path, root: Path | None = None, *, lang: str = "both",
                         hidden_visibility: str = DEFAULT_HIDDEN_VISIBILITY) -> list[str]:
    """Write Gradescope's autograder zip for one section; returns the member names. Everything of the grader
    goes in, hidden checks included (it runs on Gradescope's servers); solutions/ and tests/ never do."""
    import zipfile

    from grader.course.loading import ROOT, find_section, release_info, require_project
    from grader.errors import UsageError

    root = root or ROOT
    require_project("grade gradescope", root)
    if release_info(root) is not None:
        raise UsageError("学生用リリースには非公開チェックがありません。講師用のリポジトリで実行してください / "
                         "a student release has no hidden checks; build the autograder in the instructor's repository")
    if hidden_visibility not in VISIBILITIES:
        raise UsageError(f"--hidden-visibility: one of {', '.join(VISIBILITIES)}")
    find_section(section_id, root)
    if out.suffix != ".zip":
        raise UsageError(f"OUTZIP は .zip にしてください / OUTZIP must end in .zip: {out}")
    scripts = {
        "setup.sh": SETUP_SH,
        "run_autograder": RUN_AUTOGRADER.format(section=section_id, lang=lang, hidden_visibility=hidden_visibility,
                                                root_env=ROOT_ENV, python_env=PYTHON_ENV),
    }
    files: list[tuple[str, Path]] = []
    for tree in ZIP_TREES:
        for path in sorted((root / tree).rglob("*")):
            rel = path.relative_to(root)
            if path.is_file() and not path.is_symlink() and "__pycache__" not in rel.parts \
                    and path.suffix not in (".pyc", ".pyo", ".so"):
                files.append((rel.as_posix(), path))
    files += [(name, root / name) for name in ZIP_FILES if (root / name).is_file()]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in scripts.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o100755 << 16  # executable: Gradescope runs them directly
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)
        for name, path in files:
            z.write(path, name)
    tmp.replace(out)
    return [*scripts, *(n for n, _ in files)]


# ---------------------------------------------------------------- run_autograder (on Gradescope's server)


def find_submission(submission_dir: Path, section_id: str) -> Path | None:
    """`sectionN.py` (or the repository path exercises/dayD/sectionN.py), else the only .py file submitted."""
    day, sec = day_and_name(section_id)
    for candidate in (submission_dir / f"{sec}.py", submission_dir / "exercises" / day / f"{sec}.py"):
        if candidate.is_file():
            return candidate
    found = [p for p in sorted(submission_dir.rglob("*.py")) if p.is_file()]
    return found[0] if len(found) == 1 else None


SANDBOX_OFF = ("⚠ サンドボックス無効 (SANDBOX OFF): bubblewrap がこのサーバーで動かないため、学習者のコードを隔離せずに"
               "採点しました。提出コードは非公開チェックを読める可能性があります / the learner's code ran WITHOUT the "
               "sandbox (bubblewrap does not work on this server): a submission could read the hidden checks")


SANDBOX_OFF_UNPRIVILEGED = (
    "⚠ サンドボックス無効 (SANDBOX OFF): bubblewrap がこのサーバーで動かないため、学習者のコードはユーザー {user} "
    "として隔離なしで実行しました (非公開チェックは root 専用にしてあり読めません) / the learner's code ran WITHOUT "
    "the sandbox (bubblewrap does not work on this server), as the unprivileged user {user}: the hidden checks "
    "are private to root and cannot be read")
WORKER_USER = "nobody"


def _unprivileged_worker(root: Path) -> str | None:
    """Without the sandbox, as root (Gradescope): make the hidden checks private to root and run the workers as
    an unprivileged user that cannot read them (nor the grader's /proc entries, nor signal it). Returns the
    user's name, or None where that cannot be done here (not root, no such user, or that user cannot run the
    interpreter and numpy) — then the plain SANDBOX_OFF warning stands."""
    import subprocess

    if os.geteuid() != 0 or os.environ.get("GRADER_WORKER_USER"):
        return os.environ.get("GRADER_WORKER_USER") or None
    setpriv = shutil.which("setpriv")
    try:
        import pwd

        entry = pwd.getpwnam(WORKER_USER)
    except KeyError:
        return None
    if setpriv is None:
        return None
    from grader.course.loading import checks_dir

    for private in (checks_dir(root), root / "solutions", root / "tests"):
        if private.is_dir():
            for d in (private, *[p for p in private.rglob("*") if p.is_dir()]):
                d.chmod(0o700)
    from grader.engine.spawn import WORKER_SCRIPT

    # that user must run the interpreter, import numpy and read worker.py, and must not read the checks
    code = (f"import numpy\nopen({str(WORKER_SCRIPT)!r}).close()\n"
            f"try:\n    open({str(checks_dir(root) / '__init__.py')!r})\n"
            "except PermissionError:\n    raise SystemExit(0)\nraise SystemExit(1)")
    probe = [setpriv, f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--clear-groups", sys.executable,
             "-s", "-c", code]
    try:
        ok = subprocess.run(probe, capture_output=True, timeout=60, cwd="/", stdin=subprocess.DEVNULL).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    if not ok:
        return None
    os.environ["GRADER_WORKER_USER"] = WORKER_USER
    return WORKER_USER


def run_autograder(section_id: str, base: Path, *, lang: str = "both",
                   hidden_visibility: str = DEFAULT_HIDDEN_VISIBILITY, sandbox: str = "auto") -> int:
    """Grade base/submission, write base/results/results.json, print the instructor's view on stdout.

    `sandbox`: require | off | auto (grader/engine/sandbox.py). Graded without the sandbox, results.json's output
    starts with SANDBOX_OFF. A missing or unreadable submission is the learner's 0 with a message; a fault of
    the grader (the sandbox required and not working included) writes no results.json (Gradescope then shows
    the run as failed to the instructor) and exits 3."""
    from grader.course.loading import ROOT, load_bank
    from grader.engine import sandbox as bwrap
    from grader.errors import GraderError, UsageError
    from grader.grading import grade_section
    from grader.render.report import render_plain
    from grader.sanitize import inert

    try:
        use_sandbox = bwrap.resolve(sandbox)
    except bwrap.SandboxUnavailable as e:
        print(f"grade: --sandbox require: the sandbox is not available here: {inert(e)}", file=sys.stderr)
        return 3
    banner = ""
    if not use_sandbox:
        banner = SANDBOX_OFF
        dropped = _unprivileged_worker(ROOT)
        if dropped:
            banner = SANDBOX_OFF_UNPRIVILEGED.format(user=dropped)
        print(banner)

    day, sec = day_and_name(section_id)
    results = base / "results" / "results.json"
    path = find_submission(base / "submission", section_id)
    if path is None:
        message = (f"提出ファイルが見つかりません: {sec}.py を提出してください / "
                   f"no submission found: please submit {sec}.py")
        print(message)
        _write_json(results, {"score": 0.0, "output": message, "output_format": "text",
                              "stdout_visibility": "hidden", "tests": []})
        return 0
    answers: Path | None = base / "submission" / ANSWERS_NAME
    if not answers.is_file():
        answers = None
    note = ""
    try:
        if answers is not None:
            try:
                from grader.course.quiz import read_answers

                bank = load_bank(section_id, ROOT)
                if bank is not None:
                    read_answers(answers, bank)
            except UsageError as e:
                note, answers = f"{ANSWERS_NAME}: {e}", None
        report = grade_section(section_id, path, answers=answers, no_quiz=answers is None, interactive=False,
                               lang=lang, say=print, sandbox=use_sandbox)
    except GraderError as e:
        print(f"grade: grader internal error: {inert(e)}", file=sys.stderr)
        return e.exit_code if e.exit_code != 2 else 3
    render_plain(report, lang, print)
    data = results_json(report, _visibility(section_id), hidden_visibility=hidden_visibility, lang=lang)
    if note:
        data["output"] += "\n" + note
    if not use_sandbox:
        data["output"] = banner + "\n" + data["output"]
    data["extra_data"]["sandbox"] = "on" if use_sandbox else "off"
    data["extra_data"]["worker_user"] = os.environ.get("GRADER_WORKER_USER", "") if not use_sandbox else ""
    _write_json(results, data)
    return 0


def _visibility(section_id: str) -> dict[str, bool]:
    from grader.classroom.release import check_visibility
    from grader.course.loading import ROOT

    return check_visibility(section_id, ROOT)


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m grader.classroom.gradescope",
                                     description="Gradescope's run_autograder")
    parser.add_argument("section")
    parser.add_argument("--lang", default="both", choices=("ja", "en", "both"))
    parser.add_argument("--hidden-visibility", default=DEFAULT_HIDDEN_VISIBILITY, choices=VISIBILITIES)
    parser.add_argument("--sandbox", default="auto", choices=("auto", "require", "off"))
    args = parser.parse_args(argv)
    base = Path(os.environ.get(ROOT_ENV, "/autograder"))
    return run_autograder(args.section, base, lang=args.lang, hidden_visibility=args.hidden_visibility,
                          sandbox=args.sandbox)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
