"""The learner's workspace (the rustlings model): their own copy of the stubs, apart from the package's pristine ones.

`grade init [DIR]` writes DIR/dayD/sectionN.py for every section of the course, a short README and a marker
file; inside DIR (or any folder below it) `grade section2` grades DIR/day2/section2.py. The package's
`exercises/` is never written to, so the project's tests and `grade bank check` stay green whatever a learner
edits. A clone of the project is a workspace for authors: there `grade section2` grades the clone's stub.
"""

from __future__ import annotations

import ast
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from grader.course.loading import ROOT, load_course, section_paths
from grader.errors import UsageError

if TYPE_CHECKING:
    from grader.text import Text

MARKER = ".eshikaku-workspace.json"
DEFAULT_DIR = "eshikaku-practice"
BACKUPS = ".backups"
FORMAT = 1

README = """\
# E資格 演習 — 自分の作業フォルダ / your workspace

ここにあるファイル (dayD/sectionN.py) があなたの解答です。TODO の所を実装して `grade section2` で採点します。
These files (dayD/sectionN.py) are yours: implement each TODO, then run `grade section2` here.

- `grade` — 次の未完了セクションを採点 / grade the next unfinished section
- `grade section2` — セクション 2 を採点して確認テスト / grade section 2, then its 確認テスト
- `grade hint section2 Momentum` — ヒントを一つずつ / one more hint each time
- `grade watch section2` — 保存のたびに採点 / re-grade on every save
- `grade status` — 進捗 / progress
- `grade reset section2 [EXERCISE]` — 雛形に戻す (確認あり、バックアップを残す) / restore the stub (asks first, keeps a
  backup in .backups/)
"""


@dataclass(frozen=True)
class Workspace:
    """Where a learner's files live: `root` holds dayD/sectionN.py; `clone` is a project checkout (authors)."""

    root: Path
    clone: bool = False

    def file(self, section_id: str) -> Path:
        if self.clone:
            return section_paths(section_id, self.root)["exercise"]
        day, sec = section_id.split(".")
        return self.root / day / f"{sec}.py"


def _text(ja: str, en: str) -> Text:
    from grader.text import Text  # here, not at the top: finding the file to grade stays free of pydantic

    return Text(ja=ja, en=en)


def _is_clone(folder: Path) -> bool:
    return (folder / "question_bank" / "course.yaml").is_file() and (folder / "exercises").is_dir() \
        and (folder / "grader" / "__init__.py").is_file()


def find(start: Path | None = None) -> Workspace | None:
    """The workspace `start` (default: the current folder) is in: the nearest folder upwards holding the marker,
    else a project clone; None outside both."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file():
            return Workspace(folder)
        if _is_clone(folder):
            return Workspace(folder, clone=True)
    return None


def require(start: Path | None = None) -> Workspace:
    ws = find(start)
    if ws is None:
        raise UsageError(_text(f"作業フォルダの外です: `grade init` (./{DEFAULT_DIR} を作ります) のあと、その中で"
                               "実行してください (またはファイルを指定: --submission FILE)",
                               f"not inside a workspace: run `grade init` (it writes ./{DEFAULT_DIR}), then run grade "
                               "inside it (or name a file: --submission FILE)"))
    return ws


def submission_for(section_id: str, start: Path | None = None) -> Path:
    """The file `grade SECTION` grades when no --submission is given, shown relative to the current folder."""
    path = require(start).file(section_id)
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def init(target: Path | None = None, root: Path = ROOT) -> tuple[Path, list[Path]]:
    """Write a new workspace at `target` (default ./eshikaku-practice): every section's pristine stub, a README
    and the marker. Refuses a folder that already holds files (a learner's work is never overwritten)."""
    dest = (target or Path(DEFAULT_DIR)).resolve()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        if (dest / MARKER).is_file():
            raise UsageError(_text(f"{dest} はすでに作業フォルダです (1 ファイルを戻すには `grade reset SECTION`)",
                                   f"{dest} is already a workspace (restore one file with `grade reset SECTION`)"))
        raise UsageError(_text(f"{dest} は空ではありません: 新しいフォルダを指定してください (grade init DIR)",
                               f"{dest} is not empty: name a new folder (grade init DIR)"))
    if _is_clone(dest) or any(_is_clone(p) for p in dest.parents):
        raise UsageError(_text(f"{dest} はプロジェクトの clone の中です: あなたの編集と配布の雛形が混ざらないよう、"
                               "別の場所に作ってください",
                               f"{dest} is inside the project clone: put the workspace elsewhere, so your edits and "
                               "the package's stubs never mix"))
    written = []
    dest.mkdir(parents=True, exist_ok=True)
    for section in load_course(root).sections:
        src = section_paths(section.id, root)["exercise"]
        if not src.is_file():
            continue
        out = dest / section.day / f"{section.name}.py"
        out.parent.mkdir(exist_ok=True)
        shutil.copyfile(src, out)
        written.append(out)
    (dest / "README.md").write_text(README, encoding="utf-8")
    (dest / MARKER).write_text(json.dumps({"format": FORMAT, "created": time.strftime("%Y-%m-%dT%H:%M:%S")}) + "\n",
                               encoding="utf-8")
    return dest, written


def _node_span(source: str, name: str) -> tuple[int, int] | None:
    """The lines (1-based, inclusive, decorators included) of the top-level function or class `name`."""
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            return start, node.end_lineno or node.lineno
    return None


def reset(section_id: str, exercise: str | None = None, start: Path | None = None,
          root: Path = ROOT) -> tuple[Path, Path | None]:
    """Restore the workspace's file of `section_id` to the pristine stub — only the function or class `exercise`
    when given. The current file is first copied to .backups/ (returned, None if there was no file)."""
    ws = require(start)
    if ws.clone:
        raise UsageError(_text("プロジェクトの clone では reset しません (git checkout を使ってください)",
                               "a project clone is not reset by grade (use git checkout)"))
    stub = section_paths(section_id, root)["exercise"]
    target = ws.file(section_id)
    backup = None
    if target.is_file():
        folder = ws.root / BACKUPS
        folder.mkdir(exist_ok=True)
        backup = folder / f"{section_id}.{time.strftime('%Y%m%d-%H%M%S')}.py"
        shutil.copyfile(target, backup)
    if exercise is None or not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(stub, target)
        return target, backup
    fresh = stub.read_text(encoding="utf-8")
    mine = target.read_text(encoding="utf-8")
    want = _node_span(fresh, exercise)
    if want is None:
        raise UsageError(_text(f"{section_id} に演習 {exercise!r} はありません",
                               f"{section_id} has no exercise {exercise!r}"))
    try:
        have = _node_span(mine, exercise)
    except SyntaxError:
        raise UsageError(_text(f"{target} に構文エラーがあるため {exercise} だけを戻せません。ファイル全体を戻すには "
                               f"`grade reset {section_id.split('.')[1]}`",
                               f"{target} has a syntax error, so {exercise} alone cannot be restored; reset the whole "
                               f"file instead: `grade reset {section_id.split('.')[1]}`")) from None
    lines, fresh_lines = mine.splitlines(keepends=True), fresh.splitlines(keepends=True)
    block = fresh_lines[want[0] - 1:want[1]]
    if have is None:
        lines += ["\n", "\n", *block]
    else:
        lines[have[0] - 1:have[1]] = block
    target.write_text("".join(lines), encoding="utf-8")
    return target, backup


def next_unfinished(root: Path = ROOT) -> str | None:
    """The first section, in the course's order, whose last graded attempt did not pass every check (or that was
    never graded): what `grade` alone grades in a workspace (rustlings' habit). None when all are done."""
    from grader.practice.progress import read_progress

    progress = read_progress().sections
    for section in load_course(root).sections:
        p = progress.get(section.id)
        if p is None or p.checks is None or p.checks[0] < p.checks[1]:
            return section.id
    return None
