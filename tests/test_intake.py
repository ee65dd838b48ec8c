"""Intake of a class's submissions: every hostile input is rejected with its reason and the others go on."""

from __future__ import annotations

import os
import stat
import zipfile

import pytest

from grader.classroom.intake import MAX_FILE_BYTES, scan
from grader.errors import UsageError
from tests.conftest import ROOT

SECTION = "day2.section2"
SOLUTION = (ROOT / "solutions" / "day2" / "section2.py").read_bytes()


def by_id(entries) -> dict:
    return {e.student: e for e in entries}


def accepted(entries) -> set[str]:
    return {e.student for e in entries if not e.rejected}


def reason(entries, student: str) -> str:
    e = by_id(entries)[student]
    assert e.rejected, f"{student!r} was accepted"
    assert e.source is None
    return e.reason


def test_flat_folder_accepts_python_files_and_rejects_the_rest(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "s01.py").write_bytes(SOLUTION)
    (subs / "s01.yaml").write_text("q01: 1\n")
    (subs / '=HYPERLINK("x").py').write_bytes(SOLUTION)
    (subs / "学生3.py").write_bytes(SOLUTION)
    (subs / "link.py").symlink_to(subs / "s01.py")
    outside = tmp_path / "outside.py"
    outside.write_bytes(SOLUTION)
    os.link(outside, subs / "hard.py")
    os.mkfifo(subs / "fifo.py")
    (subs / "compiled.pyc").write_bytes(b"\xa7\r\r\n" + b"\0" * 20)
    (subs / "native.so").write_bytes(b"\x7fELF\0\0")
    (subs / "nul.py").write_bytes(b"x = 1\n\0\0")
    (subs / "big.py").write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    (subs / "-rf.py").write_bytes(SOLUTION)
    (subs / "new\nline.py").write_bytes(SOLUTION)
    (subs / "notes.txt").write_text("hello")
    (subs / ".DS_Store").write_bytes(b"\0")
    entries = scan(SECTION, subs)
    assert accepted(entries) == {"s01", '=HYPERLINK("x")', "学生3"}
    s01 = by_id(entries)["s01"]
    assert s01.source == SOLUTION and s01.answers == b"q01: 1\n" and len(s01.sha256) == 64
    assert "symlink" in reason(entries, "link")
    assert "hard link" in reason(entries, "hard")
    assert "not a regular file" in reason(entries, "fifo")
    assert "binary" in reason(entries, "compiled")
    assert "binary" in reason(entries, "native")
    assert "binary (NUL bytes)" in reason(entries, "nul")
    assert "too large" in reason(entries, "big")
    assert "starts with '-'" in reason(entries, "-rf")
    assert "control character" in reason(entries, "new\nline")
    assert "not a Python file" in reason(entries, "notes.txt")
    assert ".DS_Store" not in by_id(entries)


def test_student_folders_follow_the_documented_rule(tmp_path):
    subs = tmp_path / "subs"
    (subs / "repo1" / "exercises" / "day2").mkdir(parents=True)
    (subs / "repo1" / "exercises" / "day2" / "section2.py").write_bytes(SOLUTION)
    (subs / "repo1" / "section2.py").write_bytes(b"# not this one: exercises/ comes first\n")
    (subs / "repo1" / "answers.yaml").write_text("q01: 2\n")
    (subs / "repo2").mkdir()
    (subs / "repo2" / "section2.py").write_bytes(b"# flat repo\n")
    (subs / "repo3").mkdir()
    (subs / "repo3" / "section1.py").write_bytes(b"# wrong section\n")
    elsewhere = tmp_path / "elsewhere" / "day2"
    elsewhere.mkdir(parents=True)
    (elsewhere / "section2.py").write_bytes(SOLUTION)
    (subs / "repo4").mkdir()
    (subs / "repo4" / "exercises").symlink_to(elsewhere.parent)
    (subs / "repo5").symlink_to(subs / "repo2")
    entries = scan(SECTION, subs)
    assert accepted(entries) == {"repo1", "repo2"}
    assert by_id(entries)["repo1"].source == SOLUTION
    assert by_id(entries)["repo1"].answers == b"q01: 2\n"
    assert by_id(entries)["repo2"].source == b"# flat repo\n"
    assert "no exercises/day2/section2.py or section2.py" in reason(entries, "repo3")
    assert "exercises is a symlink" in reason(entries, "repo4")
    assert "symlink" in reason(entries, "repo5")


def zinfo(name: str, mode: int = 0o100644) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = mode << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def test_zip_slip_links_and_bombs_are_rejected(tmp_path):
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(zinfo("s1.py"), SOLUTION)
        zf.writestr(zinfo("../evil.py"), b"print('escaped')")
        zf.writestr(zinfo("/abs.py"), b"print('absolute')")
        zf.writestr(zinfo("s2/../../evil2.py"), b"x")
        zf.writestr(zinfo("s2/section2.py"), SOLUTION)
        zf.writestr(zinfo("lnk/section2.py", stat.S_IFLNK | 0o777), b"/etc/passwd")
        zf.writestr(zinfo("bomb/section2.py"), b"\0" * (4 * MAX_FILE_BYTES))
        zf.writestr(zinfo("repo/exercises/day2/section2.py"), SOLUTION)
        zf.writestr(zinfo("repo/answers.yaml"), b"q01: 1\n")
        zf.writestr(zinfo("old.pyc"), b"\xa7\r\r\n")
    entries = scan(SECTION, archive)
    assert accepted(entries) == {"s1", "repo"}
    assert by_id(entries)["repo"].answers == b"q01: 1\n"
    assert "zip-slip" in reason(entries, "../evil.py")
    assert "zip-slip" in reason(entries, "/abs.py")
    assert "zip-slip" in reason(entries, "s2")  # one hostile member rejects its student's whole folder
    assert "symlink" in reason(entries, "lnk")
    assert "archive bomb" in reason(entries, "bomb")
    assert "binary" in reason(entries, "old")
    assert not any((tmp_path / n).exists() for n in ("evil.py", "abs.py", "evil2.py"))  # nothing extracted


def test_zip_wrapped_in_one_folder_and_member_caps(tmp_path, monkeypatch):
    archive = tmp_path / "wrapped.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(zinfo("class/s1.py"), SOLUTION)
        zf.writestr(zinfo("class/s2.py"), b"# two\n")
        zf.writestr(zinfo("__MACOSX/class/._s1.py"), b"\0")
    assert accepted(scan(SECTION, archive)) == {"s1", "s2"}
    monkeypatch.setattr("grader.classroom.intake.MAX_ARCHIVE_MEMBERS", 2)
    with pytest.raises(UsageError, match="archive bomb"):
        scan(SECTION, archive)


def test_a_lying_size_header_is_rejected_not_trusted(tmp_path):
    archive = tmp_path / "liar.zip"
    body = b"#" * (2 * MAX_FILE_BYTES)
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(zinfo("liar.py"), body)
    data = bytearray(archive.read_bytes())
    real = len(body).to_bytes(4, "little")
    fake = (100).to_bytes(4, "little")
    assert data.count(real) == 2  # the local header and the central directory
    archive.write_bytes(bytes(data).replace(real, fake))
    why = reason(scan(SECTION, archive), "liar")  # zipfile stops at the declared size: the CRC then fails
    assert "archive bomb" in why or "Bad CRC" in why


def test_not_a_folder_or_zip_is_a_usage_error(tmp_path):
    f = tmp_path / "x.txt"
    f.write_text("x")
    with pytest.raises(UsageError):
        scan(SECTION, f)
    with pytest.raises(UsageError):
        scan(SECTION, tmp_path / "missing")
