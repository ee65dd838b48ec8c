"""Student release: build a copy without solutions, hidden checks or readable answer keys; read it back when grading.

A release is the project's layout (`exercises/`, `grader/`, `question_bank/`, `pyproject.toml`, `README.md`,
`tests/`) with these differences:

- `grader/checks/dayD/sectionN.py` is generated: the checks marked `public=True`, frozen (grader/classroom/freeze.py).
  Each was run once on the reference solution while recording its calls and comparisons; the generated check
  replays those calls on the learner's code and compares with the numbers recorded then
  (`sectionN.frozen.json` next to it, read by grader/engine/replay.py). No reference code, no oracle helper;
- `question_bank/course.yaml` carries the hints `--hints` asks for (default `partial`: the last hint of an
  exercise with several, which quotes the solution, is left out);
- every question file becomes `question_bank/dayD/sectionN.sealed.yaml`: the answer is a salted SHA-256
  (`answer_hash`), the explanation is sealed with a key derived from the right answer (shown once answered
  correctly), and each choice's misconception note is sealed per choice, all padded to one length;
- `RELEASE.json` at the root says it is a release (salt id, date, source commit): the grader then reports
  "public checks: n/m passed · hidden checks are run by your instructor".

Sealing only keeps the key out of plain sight: with 4 choices a student can try every answer (or run this
code). The instructor's grade (batch or Gradescope, with the hidden checks and the real keys) is the one
that counts. The builder (`build_release`) imports its heavy parts lazily; grading imports only the top.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.course.loading import MARKER, RELEASE_FORMAT, release_info
from grader.course.sealed import (
    NOTE_BLOCK,
    answer_hash,
    explanation_key,
    note_key,
    seal,
    sealed_path,
)
from grader.ids import day_and_name


def check_visibility(section_id: str, root: Path) -> dict[str, bool]:
    """Test function name → public?, read from the check module's marks (a function is public when every
    one of its checks, parametrized ones included, says public=True)."""
    from grader.course.loading import section_paths
    from grader.engine.collect import collect
    from grader.errors import CourseDataError

    path = section_paths(section_id, root)["checks"]
    collected = collect(path)
    if collected.module is None:
        raise CourseDataError(f"{path}: " + "; ".join(collected.broken))
    flags: dict[str, list[bool]] = {}
    for item in collected.items:
        flags.setdefault(item.originalname, []).append(item.mark.public)
    out: dict[str, bool] = {}
    for fname, marks in flags.items():
        if any(marks) and not all(marks):
            raise CourseDataError(f"{path}: {fname}: some of its parameters are public and some not; "
                                  "mark all of them public=True, or split the function")
        out[fname] = all(marks)
    return out


def is_public_check(check_id: str, visibility: dict[str, bool]) -> bool:
    """`test_one_step[SGD]` → the visibility of `test_one_step`."""
    return visibility.get(check_id.split("[", 1)[0], False)


# ---------------------------------------------------------------- building a release (the instructor's side)


COPY_TREES = ("exercises", "grader")
COPY_FILES = ("pyproject.toml", "LICENSE", ".gitignore", "question_bank/course.yaml", "question_bank/templates.yaml")
SKIP_DIRS = {"__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache"}
PREDRAW_SEEDS = range(10)
HINT_LEVELS = ("none", "partial", "all")
NO_HINTS = {"ja": "このリリースにはヒントが含まれていません (講師にたずねてください)",
            "en": "this release ships no hints (ask your instructor)"}


def release_course_yaml(text: str, hints: str) -> str:
    """course.yaml for a release: `all` keeps every hint; `partial` drops the last hint of every exercise that
    has more than one (it quotes solution lines); `none` keeps no hint (one line saying so stands in, since
    an exercise has at least one hint)."""
    import yaml

    if hints not in HINT_LEVELS:
        raise ValueError(f"hints must be one of {', '.join(HINT_LEVELS)}")
    if hints == "all":
        return text
    data = yaml.safe_load(text)
    for section in data.get("sections", []):
        for ex in section.get("exercises", []):
            shown = list(ex.get("hints", []))
            ex["hints"] = [dict(NO_HINTS)] if hints == "none" else (shown[:-1] if len(shown) > 1 else shown)
    header = (f"# The course manifest of a student release, written by `grade release --hints {hints}`"
              f"{' (no hints)' if hints == 'none' else ' (the last hint of each exercise left out)'}.\n")
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)


def hint_quotes(course_text: str, root: Path) -> list[str]:
    """`section exercise` of every hint in `course_text` that quotes a line of a reference solution verbatim (a
    line of 20 characters or more that no stub has): what `--hints partial` is meant to keep out."""
    import yaml

    def lines(folder: Path) -> set[str]:
        return {line.split("  #")[0].strip() for p in folder.rglob("*.py")
                for line in p.read_text(encoding="utf-8").splitlines()}

    quoted = {line for line in lines(root / "solutions") - lines(root / "exercises")
              if len(line) >= 20 and not line.startswith("#")}
    found = []
    for section in yaml.safe_load(course_text).get("sections", []):
        for ex in section.get("exercises", []):
            texts = [t for h in ex.get("hints", []) for t in (h.get("ja", ""), h.get("en", ""))]
            if any(q in t for q in quoted for t in texts):
                found.append(f"{section['id']} {ex['name']}")
    return found


def seal_bank(bank: Any, salt: str) -> dict[str, Any]:
    """The release form of a QuestionBank (plain data for YAML): hashed key, sealed explanation and notes."""
    questions = []
    for q in bank.questions:
        notes = [json.dumps(c.feedback.model_dump(), ensure_ascii=False) if c.feedback else "" for c in q.choices]
        size = max(NOTE_BLOCK, -(-max(len(n.encode()) for n in notes) // NOTE_BLOCK) * NOTE_BLOCK)
        questions.append({
            "id": q.id, "ja": q.ja, "en": q.en,
            "choices": [{"text": c.text if isinstance(c.text, str) else c.text.model_dump(),
                         "note": seal(note_key(salt, q.id, i), note, size)}
                        for i, (c, note) in enumerate(zip(q.choices, notes, strict=True), 1)],
            "answer_hash": answer_hash(salt, q.id, q.answers),
            "multiple": q.multiple,
            "explanation": seal(explanation_key(salt, q.id, q.answers),
                                json.dumps(q.explanation.model_dump(), ensure_ascii=False)),
            "tags": list(q.tags),
        })
    return {"section": bank.section, "salt": salt, "questions": questions}


def _predrawn(root: Path) -> dict[str, Any] | None:
    """Parametric questions drawn now (solutions/ is here) for PREDRAW_SEEDS: hashed keys, no notes, and the
    explanation withheld (it states the answer). None when the project has no templates."""
    if not (root / "grader" / "course" / "templates.py").is_file() or \
            not (root / "question_bank" / "templates.yaml").is_file():
        return None
    from grader.course import templates

    items = []
    for name in templates.load_templates():
        for item in templates.predraw(name, PREDRAW_SEEDS):
            answer = item.pop("answer")
            item["answer_sha256"] = templates.hash_answer(item["key"], answer)
            for c in item["choices"]:
                c["feedback"] = None
                c["misconception"] = None
            item["explanation"] = {"ja": "学生用リリースでは解説を伏せています (答えが書かれているため)",
                                   "en": "the explanation is withheld in the student release (it states the answer)"}
            items.append(item)
    return {"seeds": list(PREDRAW_SEEDS), "questions": items}


def _source_commit(root: Path) -> str:
    import subprocess

    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain"], capture_output=True, text=True,
                               timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("+uncommitted" if dirty else "")


def _copy_tree(src: Path, dst: Path, skip: Callable[[Path], bool]) -> None:
    import shutil

    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if any(part in SKIP_DIRS for part in rel.parts) or path.is_symlink() or skip(path):
            continue
        if path.is_dir():
            (dst / rel).mkdir(parents=True, exist_ok=True)
        elif path.is_file() and path.suffix not in (".pyc", ".pyo", ".so"):
            (dst / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dst / rel)


def build_release(out: Path, root: Path | None = None, *, force: bool = False, verify: bool = True,
                  hints: str = "partial", say: Callable[[str], None] = print) -> dict[str, Any]:
    """Write the student release to `out` (built beside it, then moved in place: never half-written)."""
    import os
    import secrets
    import shutil
    import tempfile
    from datetime import datetime, timezone

    import yaml

    from grader.course.loading import ROOT, load_bank, load_course, require_project, section_paths
    from grader.errors import CourseDataError, UsageError

    root = root or ROOT
    require_project("grade release", root)
    if hints not in HINT_LEVELS:
        raise UsageError(f"--hints: {' | '.join(HINT_LEVELS)} のいずれか / one of {', '.join(HINT_LEVELS)}")
    if release_info(root) is not None:
        raise UsageError("これは学生用リリースです。講師用のリポジトリで実行してください / "
                         "this is already a student release; run `grade release` in the instructor's repository")
    out = out.resolve()
    inside = [root / t for t in (*COPY_TREES, "question_bank")]
    if out == root or out in root.parents or any(t == out or t in out.parents for t in inside):
        raise UsageError(f"出力先が不適切です (リポジトリそのものか、その中の配布対象) / "
                         f"OUTDIR must not be the repository or a folder that is copied: {out}")
    if out.exists() and any(out.iterdir()):
        if not (force and (out / MARKER).is_file()):
            raise UsageError(f"{out} は空ではありません (以前のリリースなら --force で置き換え) / "
                             f"{out} is not empty (use --force to replace a previous release)")
    course = load_course(root)
    salt = secrets.token_hex(16)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    umask = os.umask(0o022)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; a release is an ordinary folder
    try:
        check_files = {section_paths(s.id, root)["checks"].resolve() for s in course.sections}
        stubs = {section_paths(s.id, root)["exercise"].resolve() for s in course.sections}

        def skip(p: Path) -> bool:
            """The hidden check files (replaced by frozen ones below), and the stub of a section that the course
            does not list yet (work in progress of the authors, with no checks a learner could run)."""
            r = p.resolve()
            if r in check_files:
                return True
            exercises = (root / "exercises").resolve()
            return r.suffix == ".py" and r.name.startswith("section") and r.parent.parent == exercises \
                and r not in stubs

        for tree in COPY_TREES:
            _copy_tree(root / tree, tmp / tree, skip)
        for rel in COPY_FILES:
            if (root / rel).is_file():
                (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(root / rel, tmp / rel)
        from grader.classroom.freeze import freeze_section
        from grader.engine.replay import data_path

        course_yaml = release_course_yaml((root / "question_bank" / "course.yaml").read_text(encoding="utf-8"), hints)
        (tmp / "question_bank" / "course.yaml").write_text(course_yaml, encoding="utf-8")
        quoting = hint_quotes(course_yaml, root) if (root / "solutions").is_dir() else []
        say("公開チェックを参照解答で記録中 / recording the public checks on the reference solutions …")
        sections, hidden_names, public_names, unfrozen = [], set(), set(), []
        for s in course.sections:
            paths = section_paths(s.id, root)
            visibility = check_visibility(s.id, root)
            public = {n for n, p in visibility.items() if p}
            hidden = set(visibility) - public
            if not public:
                raise CourseDataError(f"{paths['checks']}: no check is marked public=True; "
                                      "a release needs at least one")
            hidden_names |= hidden
            public_names |= public
            dst = tmp / paths["checks"].relative_to(root)
            day, sec = day_and_name(s.id)
            try:
                frozen = freeze_section(s.id, root, root / "solutions" / day / f"{sec}.py", public)
            except CourseDataError as e:
                unfrozen.append(str(e).split("\n", 1)[-1].strip())
                continue
            dst.write_text(frozen.module, encoding="utf-8")
            data_path(dst).write_text(frozen.data, encoding="utf-8")
            bank = load_bank(s.id, root)
            n_q = 0
            if bank is not None:
                n_q = len(bank.questions)
                target = tmp / sealed_path(paths["bank"]).relative_to(root)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(yaml.safe_dump(seal_bank(bank, salt), allow_unicode=True, sort_keys=False,
                                                 width=120), encoding="utf-8")
            sections.append({"id": s.id, "public_checks": len(public), "hidden_checks": len(hidden), "questions": n_q})
        if unfrozen:
            raise CourseDataError("public checks that cannot be frozen for the release:\n  " + "\n  ".join(unfrozen))
        predrawn = _predrawn(root)
        if predrawn is not None:
            (tmp / "question_bank" / "predrawn.json").write_text(
                json.dumps(predrawn, ensure_ascii=False, indent=1), encoding="utf-8")
        (tmp / "README.md").write_text(RELEASE_README, encoding="utf-8")
        (tmp / "tests").mkdir()
        (tmp / "tests" / "test_release_smoke.py").write_text(RELEASE_SMOKE_TEST, encoding="utf-8")
        info = {
            "format": RELEASE_FORMAT,
            "kind": "student release of the E資格 practice grader",
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "source_commit": _source_commit(root),
            "salt_id": hashlib.sha256(salt.encode()).hexdigest()[:16],
            "checks": "public, frozen",
            "hints": hints,
            "sections": [s["id"] for s in sections],
            "parametric_seeds": list(PREDRAW_SEEDS) if predrawn is not None else [],
        }
        (tmp / MARKER).write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        problems = audit_release(tmp, hidden_names - public_names)  # a name public in another section stays
        if problems:
            raise CourseDataError("the release is not clean:\n  " + "\n  ".join(problems[:20]))
        if verify:
            say("検証中 / verifying: stubs → not_implemented, solutions → passed (public checks) …")
            problems = _verify(tmp, root)
            if problems:
                raise CourseDataError("the release does not grade as expected:\n  " + "\n  ".join(problems[:20]))
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return {"path": str(out), "salt_id": info["salt_id"], "source_commit": info["source_commit"],
            "sections": sections, "parametric": len(predrawn["questions"]) if predrawn else 0, "verified": verify,
            "hints": hints, "hints_quoting_solutions": quoting}


REPLAY_IMPORTS = {"__future__": {"annotations"}, "grader.engine.checking": {"check"},
                  "grader.engine.replay": {"case", "cases", "load", "replay"}}


def replay_only(source: str) -> list[str]:
    """What in a release's check module is more than replay plumbing (empty: nothing): it may import only
    `check` and the replay helpers, bind FROZEN = load(__file__), and define test functions whose decorators
    are markers with literal arguments and whose body is one `replay(...)` call."""
    import ast

    def literal_calls(node: ast.AST, allowed: set[str]) -> bool:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call) and not (isinstance(sub.func, ast.Name) and sub.func.id in allowed):
                return False
            if isinstance(sub, (ast.Name, ast.Attribute, ast.Lambda, ast.NamedExpr)) and not (
                    isinstance(sub, ast.Name) and sub.id in allowed):
                return False
        return True

    problems = []
    for i, node in enumerate(ast.parse(source).body):
        where = f"line {node.lineno}"
        if i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        if isinstance(node, ast.ImportFrom):
            allowed = REPLAY_IMPORTS.get(node.module or "", set())
            if node.level or any(a.name not in allowed or a.asname for a in node.names):
                problems.append(f"{where}: imports {', '.join(a.name for a in node.names)} from {node.module}")
        elif isinstance(node, ast.Assign):
            if ast.unparse(node) != "FROZEN = load(__file__)":
                problems.append(f"{where}: binds {ast.unparse(node)[:60]}")
        elif isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            params = [a.arg for a in node.args.args]
            call = node.body[0].value if len(node.body) == 1 and isinstance(node.body[0], ast.Expr) else None
            replays = (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "replay"
                       and len(call.args) == 3 and not call.keywords
                       and [ast.unparse(a) for a in call.args[:2]] == ["learner", "FROZEN"]
                       and ast.unparse(call.args[2]) == ("key" if params == ["learner", "key"] else repr(
                           getattr(call.args[2], "value", None))))
            if params not in (["learner"], ["learner", "key"]) or not replays:
                problems.append(f"{where}: {node.name} is more than one replay(learner, FROZEN, key) call")
            if not all(literal_calls(d, {"check", "case", "cases"}) for d in node.decorator_list):
                problems.append(f"{where}: {node.name} has a decorator other than literal markers")
        else:
            problems.append(f"{where}: a {type(node).__name__} (only imports, FROZEN and replayed tests belong here)")
    return problems


def audit_release(release: Path, hidden_names: set[str]) -> list[str]:
    """What must never be in a release: solutions/, a hidden check's name, a plain `answer:` key, a check module
    that is more than replay plumbing (or lacks its recorded data)."""
    import re

    from grader.engine.replay import data_path

    problems = []
    if (release / "solutions").exists():
        problems.append("solutions/ is present")
    for path in sorted((release / "grader" / "checks").glob("day*/section*.py")):
        rel = path.relative_to(release)
        problems += [f"{rel}: {p}" for p in replay_only(path.read_text(encoding="utf-8"))]
        if not data_path(path).is_file():
            problems.append(f"{rel}: its recorded data {data_path(path).name} is missing")
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(hidden_names))) + r")\b") if hidden_names else None
    for path in sorted(release.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", "replace")
        rel = path.relative_to(release)
        if pattern is not None and (m := pattern.search(text)):
            problems.append(f"{rel}: names the hidden check {m.group(1)}")
        if rel.parts[0] == "question_bank" and re.search(r"^\s*-?\s*answer\s*:", text, re.MULTILINE):
            problems.append(f"{rel}: has a plain `answer:` key")
    return problems


def _verify(release: Path, root: Path) -> list[str]:
    """Grade every stub and every reference solution with the release's own grader (a child process whose
    cwd is the release, so `grader` is the release's copy)."""
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    code = ("import json, sys; from grader.classroom.release import verify_here; "
            "print(json.dumps(verify_here(sys.argv[1])))")
    proc = subprocess.run([sys.executable, "-c", code, str(root / "solutions")], cwd=release, env=env,
                          capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        return [f"verification crashed: {proc.stderr.strip()[-800:]}"]
    return list(json.loads(proc.stdout.strip().splitlines()[-1]))


def verify_here(solutions: str) -> list[str]:
    """Run inside a release: stubs must be all not_implemented and reference solutions all passed."""
    from grader.course.loading import ROOT, load_course, section_paths

    if release_info(ROOT) is None:
        return [f"{ROOT} is not a release"]
    from grader.grading import grade_checks

    problems = []
    for s in load_course(ROOT).sections:
        day, sec = day_and_name(s.id)
        for what, path, want in (("stub", section_paths(s.id, ROOT)["exercise"], "not_implemented"),
                                 ("solution", Path(solutions) / day / f"{sec}.py", "passed")):
            report = grade_checks(s.id, path, ROOT)
            bad = [f"{c.id}={c.status}" for c in report.checks if c.status != want]
            if bad or not report.checks:
                problems.append(f"{s.id} {what}: expected every public check {want}, got {', '.join(bad) or 'none'}")
    return problems


RELEASE_README = """\
# E資格 演習 (学生用リリース) / E-shikaku practice (student release)

ゼロから作るDeep Learning の式を自分で実装し、`grade section2` で採点します。
Implement the maths of *ゼロから作るDeep Learning* yourself and run `grade section2`.

## 二つのコマンド / The two commands

Needs only `python3` (≥ 3.10).

```bash
# 1. 準備して採点 / set up and grade section 2 (edit exercises/day2/section2.py first)
python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/grade section2

# 2. 準備してテスト / set up and run the project's tests
python3 -m venv .venv && .venv/bin/pip install -e ".[test]" && .venv/bin/python -m pytest
```

After the first time, `.venv/bin/grade section2` (or `grade section2` with the venv activated) is enough.
`grade list` shows every section; `grade day1.section3` grades another one; `grade section2 --help` shows
the options (`--submission`, `--answers`, `--no-quiz`, `--json`, `--lang`, `--timeout`).

## このリリースについて / About this release

- **公開チェックのみ / public checks only.** このリリースには一部のチェック (公開チェック) だけが入っています。
  報告は「公開チェック: 5/5 合格 · 非公開チェックは講師が実行します」のように、何を確かめたかをそのまま書きます。
  This release carries some of the checks (the public ones); the report says so: "public checks: 5/5 passed ·
  hidden checks are run by your instructor". Passing them all is a good sign, not a full score: your
  instructor grades your submission with every check.
- **公開チェックは記録された数値と比べます / public checks compare with recorded numbers.**
  公開チェックは、リリース作成時に参照解答で一度実行して記録した入力と数値だけを持っています
  (参照コードは含みません)。同じ入力であなたのコードを呼び、よくある誤りなら誤解の名前を表示します。
  The public checks carry only inputs and numbers recorded on the reference solution when the release was built
  (no reference code): they call your code with those inputs and name the misconception when a result matches a
  known mistake.
- **ヒント / hints**: `grade hint section2 SGD`.
  解答の行をそのまま示す最後のヒントは、講師の設定により省かれていることがあります。
  The last hint of an exercise (which quotes the solution) may be left out, as your instructor chose.
- **終了コード / exit status**: 0 = every public check (and the quiz, when taken) passed · 1 = anything short ·
  2 = usage error · 3 = a fault of the grader.
- **確認テスト / quiz.** 正解はソルト付きハッシュ (salted SHA-256) で保存され、YAML を開いても読めません。
  正解すると解説が、不正解なら選んだ選択肢の誤解 (misconception) が表示されます。選択肢が 4 つなら総当たりで
  正解を探せてしまいます。練習用の仕組みであり、**点数として数えるのは講師の採点です**。
  The answers are stored as salted hashes, so opening the YAML does not show them; a right answer shows the
  explanation, a wrong one the misconception of the choice you picked. With four choices a hash can be
  brute-forced: this is for practice, and **the instructor's grade is the one that counts**.
- **提出 / submitting**: hand in your `exercises/dayD/sectionN.py` the way your instructor says.

`RELEASE.json` records when and from which commit this release was built.
"""


RELEASE_SMOKE_TEST = '''\
"""Smoke test of the student release: every stub grades as not_implemented, and only public checks run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = json.loads((ROOT / "RELEASE.json").read_text(encoding="utf-8"))["sections"]


def grade(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    return subprocess.run([sys.executable, "-m", "grader.cli.launch", *args], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=300, stdin=subprocess.DEVNULL)


def test_every_stub_grades_not_implemented_with_public_checks() -> None:
    # one child grades every section (the grader must not import itself into this pytest process)
    code = ("import json; from pathlib import Path; from grader.grading import grade_checks; "
            "print(json.dumps({s: (r.scope, sorted({c.status for c in r.checks})) for s in " + repr(SECTIONS) +
            " for r in [grade_checks(s, Path('exercises', *s.split('.')).with_suffix('.py'))]}))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, text=True, capture_output=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout.splitlines()[-1])
    assert got == {s: ["public", ["not_implemented"]] for s in SECTIONS}


def test_stub_run_exits_1_as_json() -> None:
    proc = grade("section2", "--no-quiz", "--json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["scope"] == "public" and {c["status"] for c in report["checks"]} == {"not_implemented"}


def test_report_says_hidden_checks_are_not_run_here() -> None:
    proc = grade("section2", "--no-quiz", "--lang", "en")
    assert proc.returncode == 1
    assert "hidden checks are run by your instructor" in proc.stdout
    assert "full score" not in proc.stdout


def test_quiz_is_sealed_and_still_graded(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("".join(f"day2.section2.q{i:02d}: 1\\n" for i in range(1, 40)), encoding="utf-8")
    proc = grade("section2", "--answers", str(answers), "--json")
    report = json.loads(proc.stdout)
    assert report["quiz"]["taken"] and report["quiz"]["questions"]
    assert grade("list").returncode == 0
'''
