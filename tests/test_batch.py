"""`grade batch`: a generated class (correct, mutants, hostile code, rejected inputs) graded, interrupted with
Ctrl-C, resumed, exported; no process left behind; the same report for the same file whatever --jobs."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_grade
from tests.mutant_source import source as mutant_source
from tests.test_hostile import SOLUTION, replace_update

EXERCISES = ["SGD", "Momentum", "AdaGrad", "RMSprop", "Adam"]
HYPERLINK = '=HYPERLINK("evil","x")'


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def make_class(folder: Path, stray_mark: str) -> dict[str, str]:
    """The class, and the status each student must end with."""
    folder.mkdir()
    write(folder, "ref.py", SOLUTION)
    write(folder, HYPERLINK + ".py", "# same as ref but for this line\n" + SOLUTION)
    for m in ("sgd_sign", "momentum_reset", "adam_no_bias_correction"):
        write(folder, f"mut_{m}.py", mutant_source("day2.section2", m))
    write(folder, "exit_import.py", "import sys\nsys.exit(0)\n" + SOLUTION)
    write(folder, "loop_import.py", "while True:\n    pass\n" + SOLUTION)
    write(folder, "missing.py", SOLUTION + "\nRMSprop_ = RMSprop\ndel RMSprop\n")
    write(folder, "stray.py", f"import subprocess\nsubprocess.Popen(['sleep', '{stray_mark}'], start_new_session=True)\n"
          + SOLUTION)
    write(folder, "slow.py", SOLUTION + "\n" + "".join(replace_update(c, "import time\ntime.sleep(30)") for c in EXERCISES))
    (folder / "link.py").symlink_to(folder / "ref.py")
    (folder / "compiled.pyc").write_bytes(b"\xa7\r\r\n" + b"\0" * 16)
    write(folder, "-rf.py", SOLUTION)
    write(folder, "new\nline.py", SOLUTION)
    expected = {s: "ok" for s in ("ref", HYPERLINK, "mut_sgd_sign", "mut_momentum_reset", "mut_adam_no_bias_correction",
                                  "exit_import", "loop_import", "missing", "stray")}
    expected.update({"slow": "error", "link": "rejected", "compiled": "rejected", "-rf": "rejected",
                     "new\nline": "rejected"})
    return expected


def batch_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "grader.cli.launch", "batch", "section2", *args]


def leftovers(env_mark: str, stray_mark: str, tmp: Path) -> list[str]:
    """Processes of ours still alive: by environment (grading processes), argv (the stray) or cwd (workers)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            environ = Path(f"/proc/{pid}/environ").read_bytes()
            cwd = os.readlink(f"/proc/{pid}/cwd")
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state == "Z":
            continue
        if env_mark.encode() in environ or stray_mark.encode() in cmd or cwd.startswith(str(tmp)):
            found.append(f"{pid}: {cmd[:120]!r}")
    return found


def wait_gone(env_mark: str, stray_mark: str, tmp: Path) -> list[str]:
    deadline = time.monotonic() + 10
    while (left := leftovers(env_mark, stray_mark, tmp)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def read_records(out: Path) -> dict[str, dict]:
    recs = {}
    for p in (out / "results").iterdir():
        assert not p.name.startswith("."), f"half-written result left: {p.name}"
        rec = json.loads(p.read_text(encoding="utf-8"))
        recs[rec["student"]] = rec
    return recs


@pytest.mark.slow
@pytest.mark.parametrize("sandbox", ["auto", "off"], ids=["sandbox-auto", "forked-workers"])
def test_class_is_graded_interrupted_resumed_and_exported(tmp_path, sandbox):
    """With --sandbox off the learner workers are forked from each grading process's worker template."""
    env_mark, stray_mark = f"BATCHTEST{uuid.uuid4().hex[:8]}", f"{86400 + os.getpid() % 9973}.{os.getpid()}"
    work_tmp = tmp_path / "tmp"
    work_tmp.mkdir()
    subs, out = tmp_path / "class", tmp_path / "out"
    expected = make_class(subs, stray_mark)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    env.update(TMPDIR=str(work_tmp), BATCH_TEST_MARK=env_mark)
    limits = ("--timeout", "1", "--wall-limit", "6", "--sandbox", sandbox)

    # 1. Ctrl-C (SIGINT to the whole foreground group, as a terminal does) after the first two graded results.
    proc = subprocess.Popen(batch_cmd(str(subs), "--out", str(out), "--jobs", "1", *limits), cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    graded_lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("[") and "  ok  " in line:
            graded_lines.append(line)
            if len(graded_lines) == 2:
                os.killpg(proc.pid, signal.SIGINT)
                break
    rest, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (rest, err)
    assert "interrupted" in err and "Traceback" not in err
    assert wait_gone(env_mark, stray_mark, work_tmp) == []
    first = read_records(out)
    graded_first = {s for s, r in first.items() if r["status"] in ("ok", "error")}
    assert 2 <= len(graded_first) < 10, sorted(graded_first)
    assert not (out / "grades.csv").exists()

    # 2. Resume: what was graded is not graded again; the rest is.
    proc = subprocess.run(batch_cmd(str(subs), "--out", str(out), *limits), cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=240, stdin=subprocess.DEVNULL)
    assert proc.returncode == 1, proc.stderr  # slow.py hit the wall limit: an error row, the run still ends
    assert f"{len(graded_first)} cached" in proc.stdout, proc.stdout
    assert wait_gone(env_mark, stray_mark, work_tmp) == []
    recs = read_records(out)
    assert {s: r["status"] for s, r in recs.items()} == expected
    assert recs["ref"]["score"] == recs["ref"]["max_score"] == 29
    assert recs[HYPERLINK]["score"] == 29
    assert recs["stray"]["score"] == 29
    for m, ex in (("mut_sgd_sign", "SGD"), ("mut_momentum_reset", "Momentum"), ("mut_adam_no_bias_correction", "Adam")):
        failing = {c["exercise"] for c in recs[m]["checks"] if c["status"] != "passed"}
        assert failing == {ex}, (m, failing)
    assert {c["status"] for c in recs["exit_import"]["checks"]} == {"crashed"}
    assert {c["status"] for c in recs["loop_import"]["checks"]} == {"timeout"}
    assert {c["exercise"] for c in recs["missing"]["checks"] if c["status"] == "missing"} == {"RMSprop"}
    assert "wall limit" in recs["slow"]["reason"]
    assert "symlink" in recs["link"]["reason"] and "binary" in recs["compiled"]["reason"]
    for r in recs.values():
        assert r["sha256"] == "" or len(r["sha256"]) == 64
        assert r["grader_version"]

    # 3. The gradebook parses, one row per student, no live formula.
    text = (out / "grades.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 1 + len(expected)
    ids = [r[0] for r in rows[1:]]
    assert "'" + HYPERLINK in ids and "'-rf" in ids and "new\\nline" in ids
    assert all(not c.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for c in r)
    status = {r[0]: r[1] for r in rows[1:]}
    assert status["ref"] == "ok" and status["slow"] == "error" and status["link"] == "rejected"

    # 4. A re-run with nothing changed grades nothing.
    again = run_grade("batch", "section2", str(subs), "--out", str(out), *limits)
    assert "0 graded" in again.out and f"{len(expected) - 4} cached" in again.out, again.out

    # 5. The class overview names the trouble.
    s = run_grade("summary", str(out))
    assert s.rc == 0, s.err
    md = (out / "summary.md").read_text(encoding="utf-8")
    for who in ("slow", "loop\\_import", "exit\\_import"):
        assert who in md, who
    assert "the sign of the update is flipped" in md


@pytest.mark.slow
def test_rejected_archives_leave_the_rest_graded(tmp_path):
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("ok1.py", SOLUTION)
        zf.writestr("../evil.py", "print('escaped')")
        zf.writestr("s2/section2.py", SOLUTION)
        with zf.open("bomb/section2.py", "w", force_zip64=True) as f:  # 200 MB of zeros, ~200 kB compressed
            chunk = b"\0" * (1 << 20)
            for _ in range(200):
                f.write(chunk)
    assert archive.stat().st_size < 2 << 20
    out = tmp_path / "out"
    g = run_grade("batch", "section2", str(archive), "--out", str(out), "--jobs", "2")
    assert g.rc == 0, g.err
    recs = read_records(out)
    assert {s: r["status"] for s, r in recs.items()} == {"ok1": "ok", "s2": "ok", "../evil.py": "rejected",
                                                         "bomb": "rejected"}
    assert "zip-slip" in recs["../evil.py"]["reason"] and "archive bomb" in recs["bomb"]["reason"]
    assert not (tmp_path / "evil.py").exists()


def test_out_inside_the_submissions_is_refused(tmp_path):
    (tmp_path / "a.py").write_text(SOLUTION, encoding="utf-8")
    g = run_grade("batch", "section2", str(tmp_path), "--out", str(tmp_path / "out"))
    assert g.rc == 2 and "outside the submissions" in g.err


def strip_timings(value):
    if isinstance(value, dict):
        return {k: strip_timings(v) for k, v in value.items() if k != "duration"}
    if isinstance(value, list):
        return [strip_timings(v) for v in value]
    return value


@pytest.mark.slow
def test_same_report_for_the_same_file_whatever_the_jobs(tmp_path):
    subs = tmp_path / "class"
    subs.mkdir()
    write(subs, "a.py", SOLUTION)
    write(subs, "b.py", mutant_source("day2.section2", "adagrad_no_sqrt"))
    write(subs, "c.py", mutant_source("day2.section2", "sgd_rebind"))
    write(subs, "d.py", SOLUTION + "\nprint('hello from d')\nRMSprop_ = RMSprop\ndel RMSprop\n")
    runs = []
    for jobs, sandbox in (("1", "auto"), ("2", "auto"), ("2", "off")):  # off: workers forked from the template
        out = tmp_path / f"out{jobs}{sandbox}"
        g = run_grade("batch", "section2", str(subs), "--out", str(out), "--jobs", jobs, "--sandbox", sandbox)
        assert g.rc == 0, g.err
        runs.append({p.name: p.read_text(encoding="utf-8") for p in (out / "results").iterdir()})
    assert runs[0].keys() == runs[1].keys() == runs[2].keys() and len(runs[0]) == 4
    for name in runs[0]:
        a, b, c = (strip_timings(json.loads(r[name])) for r in runs)
        assert json.dumps(a, ensure_ascii=False) == json.dumps(b, ensure_ascii=False), name
        c = dict(c, sandbox=a["sandbox"], limits=a["limits"])  # the run's mode, named in the record
        assert json.dumps(a, ensure_ascii=False) == json.dumps(c, ensure_ascii=False), name
    d = json.loads(runs[0][next(n for n in runs[0] if n.startswith("d-"))])
    assert "hello from d" in d["learner_output"]
    assert d["score"] < d["max_score"]  # a wrong file is not a full score in any run


@pytest.mark.slow
def test_with_the_sandbox_a_submission_cannot_read_another_students_file(tmp_path):
    from grader.engine import sandbox

    works, why = sandbox.probe()
    if not works:
        import pytest

        pytest.skip(f"bubblewrap unavailable here: {why}")
    subs, out = tmp_path / "class", tmp_path / "out"
    subs.mkdir()
    write(subs, "b.py", SOLUTION + "\n# SECRET-OF-B\n")
    peek = (f"for _p in ({str(subs / 'b.py')!r}, {str(out / 'batch.json')!r}):\n"
            "    try:\n        print('READ', open(_p).read()[-20:])\n"
            "    except OSError as _e:\n        print('DENIED', type(_e).__name__)\n")
    write(subs, "a.py", peek + SOLUTION)
    out.mkdir()
    (out / "batch.json").write_text('{"section": "SECRET-RESULTS"}', encoding="utf-8")
    g = run_grade("batch", "section2", str(subs), "--out", str(out), "--sandbox", "require", "--jobs", "2")
    assert g.rc == 0, g.err
    a = read_records(out)["a"]
    assert a["score"] == a["max_score"] and a["sandbox"] == "on"
    assert "DENIED" in a["learner_output"]
    assert "SECRET" not in a["learner_output"] and "READ" not in a["learner_output"]
    # the same file without the sandbox does read it: the test would see a leak
    g = run_grade("batch", "section2", str(subs), "--out", str(tmp_path / "out2"), "--sandbox", "off")
    assert "SECRET-OF-B" in read_records(tmp_path / "out2")["a"]["learner_output"]
