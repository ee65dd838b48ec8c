"""Find, validate and read a class's submissions (folder or .zip) before anything of theirs runs.

Layouts (the student id is always the file or folder name):
- one file per student: `SUBMISSIONS/s0123.py` (optional quiz answers beside it: `s0123.yaml`);
- one folder or cloned repository per student: the submission is `exercises/dayD/sectionN.py` inside it,
  else `sectionN.py` at its top (optional quiz answers: `answers.yaml` at its top); nothing else is read;
- a `.zip` of either, optionally wrapped in one top folder.

Every check happens here, on the trusted side, and a failing one rejects that student only (status
`rejected` with the reason), never the run: symlinks, hard links, devices and FIFOs, archive members with
`..` or absolute names (zip-slip), archive bombs (expanded size and member count capped, read with a cap
whatever the header says), oversized or binary files (`.pyc`, `.so`, NUL bytes), odd names (control
characters such as newlines, a leading `-` or `.`). Nothing is extracted: the bytes that are hashed are
the bytes that are graded.
"""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.errors import UsageError
from grader.ids import day_and_name

MAX_FILE_BYTES = 1 << 20  # as the engine's own cap on a source file (grader/engine/proxy.py MAX_SOURCE_BYTES)
MAX_ANSWERS_BYTES = 64 << 10
MAX_ID_CHARS = 128
MAX_ARCHIVE_MEMBERS = 20_000
MAX_ARCHIVE_EXPANDED = 2 << 30  # declared total; each member read is capped on its own anyway
BINARY_SUFFIXES = (".pyc", ".pyo", ".so", ".pyd", ".dll", ".dylib", ".exe", ".o")
IGNORED_NAMES = ("__MACOSX", "Thumbs.db")
BINARY = ("バイナリファイルです (.pyc, .so など)", "a binary file (.pyc, .so …), not Python source")


@dataclass
class Entry:
    """One student's submission as found: its bytes (when accepted) or why it was rejected."""

    student: str
    origin: str  # where it was found, for messages (relative to SUBMISSIONS)
    source: bytes | None = None
    answers: bytes | None = None
    reason: str = ""  # non-empty = rejected ("日本語 / English")

    @property
    def rejected(self) -> bool:
        return bool(self.reason)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.source).hexdigest() if self.source is not None else ""

    @property
    def answers_sha256(self) -> str:
        return hashlib.sha256(self.answers).hexdigest() if self.answers is not None else ""


class Rejected(Exception):
    def __init__(self, ja: str, en: str):
        super().__init__(f"{ja} / {en}")


def section_file_candidates(section_id: str) -> list[str]:
    """Where a student folder holds the section's file, in the order they are tried (README documents it)."""
    day, sec = day_and_name(section_id)
    return [f"exercises/{day}/{sec}.py", f"{sec}.py"]


def check_id(name: str) -> None:
    """A student id must be printable text that no shell, CSV or terminal will misread."""
    if not name:
        raise Rejected("名前が空です", "empty name")
    if len(name) > MAX_ID_CHARS:
        raise Rejected(f"名前が長すぎます ({len(name)} 文字)", f"name too long ({len(name)} characters)")
    if any(0xDC80 <= ord(c) <= 0xDCFF for c in name):
        raise Rejected("名前が UTF-8 ではありません", "name is not valid UTF-8")
    odd = [c for c in name if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]
    if odd:
        raise Rejected(f"名前に制御文字があります ({odd[0]!r})", f"name contains a control character ({odd[0]!r})")
    if name[0] in "-.":
        raise Rejected(f"名前が {name[0]!r} で始まっています", f"name starts with {name[0]!r}")
    if name.strip() != name:
        raise Rejected("名前の前後に空白があります", "name has leading or trailing spaces")


def check_content(data: bytes, what: str) -> None:
    if b"\0" in data:
        raise Rejected(f"{what} がバイナリです (NUL バイト)", f"{what} is binary (NUL bytes)")


def _ignored(name: str) -> bool:
    return name.startswith(".") and not name.startswith("..") or name in IGNORED_NAMES


def _flat_kind(name: str) -> str:
    """What a top-level file is: 'py' (a submission), 'answers', 'binary', 'other'."""
    low = name.lower()
    if low.endswith(".py"):
        return "py"
    if low.endswith((".yaml", ".yml")):
        return "answers"
    if low.endswith(BINARY_SUFFIXES) or ".cpython-" in low:
        return "binary"
    return "other"


def _stem(name: str) -> str:
    return name.rsplit(".", 1)[0]


# ---------------------------------------------------------------- folders on disk


def _read_regular(path: Path, cap: int, what: str) -> bytes:
    """Read a file that must be a plain regular file with one link, refusing links, devices and oversize."""
    try:
        st = os.lstat(path)
    except OSError as e:
        raise Rejected(f"{what} を開けません ({e.strerror})", f"cannot open {what} ({e.strerror})") from None
    if stat.S_ISLNK(st.st_mode):
        raise Rejected(f"{what} がシンボリックリンクです", f"{what} is a symlink")
    if not stat.S_ISREG(st.st_mode):
        raise Rejected(f"{what} が通常のファイルではありません (デバイス, FIFO など)",
                       f"{what} is not a regular file (device, FIFO or socket)")
    if st.st_nlink > 1:
        raise Rejected(f"{what} がハードリンクです", f"{what} is a hard link ({st.st_nlink} links)")
    if st.st_size > cap:
        raise Rejected(f"{what} が大きすぎます ({st.st_size} バイト)",
                       f"{what} is too large ({st.st_size} bytes, limit {cap})")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise Rejected(f"{what} を開けません ({e.strerror})", f"cannot open {what} ({e.strerror})") from None
    try:
        st2 = os.fstat(fd)
        if (st2.st_ino, st2.st_dev) != (st.st_ino, st.st_dev) or not stat.S_ISREG(st2.st_mode):
            raise Rejected(f"{what} が読み込み中に置き換えられました", f"{what} changed while being read")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(cap + 1)
    finally:
        os.close(fd)
    if len(data) > cap:
        raise Rejected(f"{what} が大きすぎます", f"{what} is too large (limit {cap} bytes)")
    return data


def _walk_to(folder: Path, rel: str) -> Path | None:
    """The file `rel` under `folder` if it exists, refusing a symlinked folder on the way; None when absent."""
    path = folder
    parts = rel.split("/")
    for i, part in enumerate(parts):
        path = path / part
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return None
        except OSError as e:
            raise Rejected(f"{rel} を開けません ({e.strerror})", f"cannot open {rel} ({e.strerror})") from None
        if stat.S_ISLNK(st.st_mode):
            where = "/".join(parts[: i + 1])
            raise Rejected(f"{where} がシンボリックリンクです", f"{where} is a symlink")
        if i < len(parts) - 1 and not stat.S_ISDIR(st.st_mode):
            return None
    return path


def _from_student_folder(section_id: str, folder: Path, entry: Entry) -> None:
    for rel in section_file_candidates(section_id):
        path = _walk_to(folder, rel)
        if path is not None:
            entry.origin = f"{entry.origin}/{rel}"
            entry.source = _read_regular(path, MAX_FILE_BYTES, rel)
            check_content(entry.source, rel)
            break
    else:
        sec = day_and_name(section_id)[1]
        raise Rejected(f"{' も '.join(section_file_candidates(section_id))} もありません",
                       f"no {' or '.join(section_file_candidates(section_id))} in the folder ({sec})")
    answers = _walk_to(folder, "answers.yaml")
    if answers is not None:
        entry.answers = _read_regular(answers, MAX_ANSWERS_BYTES, "answers.yaml")
        check_content(entry.answers, "answers.yaml")


def scan_folder(section_id: str, root: Path) -> list[Entry]:
    entries: dict[str, Entry] = {}
    answers: dict[str, Path] = {}
    for raw in sorted(os.listdir(root)):
        name = os.fsdecode(raw)
        path = root / raw
        if _ignored(name):
            continue
        try:
            st = os.lstat(path)
        except OSError:
            continue
        is_dir = stat.S_ISDIR(st.st_mode)
        kind = "dir" if is_dir else _flat_kind(name)
        if kind == "answers":
            answers[_stem(name)] = path
            continue
        student = name if is_dir or kind == "other" else _stem(name)
        entry = Entry(student=student, origin=name)
        try:
            check_id(student)
            if stat.S_ISLNK(st.st_mode):
                raise Rejected("シンボリックリンクです", "a symlink")
            if is_dir:
                _from_student_folder(section_id, path, entry)
            elif kind == "binary":
                raise Rejected(*BINARY)
            elif kind == "other":
                raise Rejected("Python ファイル (.py) ではありません", "not a Python file (.py)")
            else:
                entry.source = _read_regular(path, MAX_FILE_BYTES, name)
                check_content(entry.source, name)
        except Rejected as e:
            entry.reason, entry.source = str(e), None
        if student in entries:  # s1.py beside a folder s1/: neither is trusted to be the one
            entries[student].reason = "同じ学生 id が 2 度あります / the same student id appears twice"
            entries[student].source = None
        else:
            entries[student] = entry
    for stem, path in answers.items():
        entry = entries.get(stem)
        if entry is None or entry.rejected or entry.answers is not None:
            continue
        try:
            entry.answers = _read_regular(path, MAX_ANSWERS_BYTES, path.name)
            check_content(entry.answers, path.name)
        except Rejected as e:
            entry.reason, entry.source = str(e), None
    return list(entries.values())


# ---------------------------------------------------------------- .zip archives


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if "\\" in name:
        return "名前に \\ があります / name contains a backslash"
    p = PurePosixPath(name)
    if p.is_absolute() or (len(name) > 1 and name[1] == ":"):
        return f"絶対パスです: {name!r} / absolute path in the archive (zip-slip): {name!r}"
    if ".." in p.parts:
        return f"'..' を含むパスです: {name!r} / path escapes the archive (zip-slip): {name!r}"
    mode = info.external_attr >> 16
    if mode and stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        kind = "symlink" if stat.S_ISLNK(mode) else "special file"
        return f"通常のファイルではありません: {name!r} / {kind} in the archive: {name!r}"
    return None


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, what: str) -> bytes:
    if info.file_size > cap:
        raise Rejected(f"{what} が展開すると {info.file_size} バイトになります (アーカイブ爆弾?)",
                       f"{what} expands to {info.file_size} bytes (limit {cap}): archive bomb or oversized")
    if info.flag_bits & 0x1:
        raise Rejected(f"{what} が暗号化されています", f"{what} is encrypted")
    try:
        with zf.open(info) as f:
            data = f.read(cap + 1)  # the header may lie: never read past the cap
    except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError, EOFError) as e:
        raise Rejected(f"{what} を展開できません ({e})", f"cannot expand {what} ({e})") from None
    if len(data) > cap:
        raise Rejected(f"{what} が展開すると上限を超えます (アーカイブ爆弾?)",
                       f"{what} expands past {cap} bytes: archive bomb or oversized")
    check_content(data, what)
    return data


def scan_zip(section_id: str, archive: Path) -> list[Entry]:
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as e:
        raise UsageError(f"ZIP を開けません / cannot open the zip {archive}: {e}") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ARCHIVE_MEMBERS:
            raise UsageError(f"{archive}: {len(infos)} members (limit {MAX_ARCHIVE_MEMBERS}): archive bomb?")
        if sum(i.file_size for i in infos) > MAX_ARCHIVE_EXPANDED:
            raise UsageError(f"{archive}: expands to more than {MAX_ARCHIVE_EXPANDED} bytes: archive bomb?")
        entries: dict[str, Entry] = {}
        members: dict[str, dict[str, zipfile.ZipInfo]] = {}  # student folder → relative name → member
        flat: dict[str, zipfile.ZipInfo] = {}
        seen: set[str] = set()
        bad: dict[str, str] = {}  # top name → reason
        names = [i.filename for i in infos if not _ignored(i.filename.split("/")[0])]
        tops = {n.split("/")[0] for n in names}
        wrapper = ""
        if len(tops) == 1 and all("/" in n for n in names):
            top = next(iter(tops))
            if not any(f"{top}/{c}" in names for c in section_file_candidates(section_id)):
                wrapper = top + "/"
        for info in infos:
            name = info.filename
            problem = _member_problem(info)
            rel = name[len(wrapper):] if wrapper and name.startswith(wrapper) else name
            top = rel.split("/")[0]
            if problem is not None:
                key = top if top not in ("", "..", ".") and not PurePosixPath(rel).is_absolute() else name
                bad.setdefault(key, problem)
                continue
            if not rel or _ignored(top) or info.is_dir():
                continue
            if name in seen:
                bad.setdefault(top, f"同じ名前のメンバーが 2 つあります / duplicate member {name!r}")
                continue
            seen.add(name)
            if "/" in rel:
                members.setdefault(top, {})[rel[len(top) + 1:]] = info
            else:
                flat[rel] = info
        answers = {_stem(n): i for n, i in flat.items() if _flat_kind(n) == "answers"}
        for name, info in sorted(flat.items()):
            kind = _flat_kind(name)
            if kind == "answers":
                continue
            student = _stem(name) if kind in ("py", "binary") else name
            entry = Entry(student=student, origin=f"{archive.name}:{wrapper}{name}")
            try:
                check_id(student)
                if student in entries or student in members:
                    raise Rejected("同じ学生 id が 2 度あります", "the same student id appears twice")
                if student in bad:
                    raise Rejected(*bad.pop(student).split(" / ", 1))
                if kind == "binary":
                    raise Rejected(*BINARY)
                if kind == "other":
                    raise Rejected("Python ファイル (.py) ではありません", "not a Python file (.py)")
                entry.source = _read_member(zf, info, MAX_FILE_BYTES, name)
                if student in answers:
                    entry.answers = _read_member(zf, answers[student], MAX_ANSWERS_BYTES, answers[student].filename)
            except Rejected as e:
                entry.reason, entry.source = str(e), None
            entries[student] = entry
        for student, files in sorted(members.items()):
            entry = Entry(student=student, origin=f"{archive.name}:{wrapper}{student}/")
            try:
                check_id(student)
                if student in entries:
                    raise Rejected("同じ学生 id が 2 度あります", "the same student id appears twice")
                if student in bad:
                    raise Rejected(*bad.pop(student).split(" / ", 1))
                for rel in section_file_candidates(section_id):
                    if rel in files:
                        entry.origin += rel
                        entry.source = _read_member(zf, files[rel], MAX_FILE_BYTES, rel)
                        break
                else:
                    raise Rejected(f"{' も '.join(section_file_candidates(section_id))} もありません",
                                   f"no {' or '.join(section_file_candidates(section_id))} in the folder")
                if "answers.yaml" in files:
                    entry.answers = _read_member(zf, files["answers.yaml"], MAX_ANSWERS_BYTES, "answers.yaml")
            except Rejected as e:
                entry.reason, entry.source = str(e), None
            entries[student] = entry
        for key, reason in sorted(bad.items()):  # hostile members that belong to no student: still reported
            entries.setdefault(key, Entry(student=key, origin=f"{archive.name}:{key}", reason=reason))
    return list(entries.values())


def scan(section_id: str, submissions: Path) -> list[Entry]:
    """Every student found in SUBMISSIONS (a folder or a .zip), accepted or rejected, sorted by id."""
    if not submissions.exists():
        raise UsageError(f"提出フォルダがありません / submissions not found: {submissions}")
    if submissions.is_dir():
        entries = scan_folder(section_id, submissions)
    elif zipfile.is_zipfile(submissions):
        entries = scan_zip(section_id, submissions)
    else:
        raise UsageError(f"フォルダか .zip を指定してください / expected a folder or a .zip: {submissions}")
    return sorted(entries, key=lambda e: e.student)
