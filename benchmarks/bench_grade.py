"""Latency of grading one section, side by side with the floor `python -c "import numpy"`, run by run.

Run: .venv/bin/python benchmarks/bench_grade.py [--runs 9] [--sections day2.section2 ...] [--no-watch]
     [--against DIR]

`--against DIR` (another checkout of the project, e.g. `git worktree add /tmp/before REV`) adds that tree's
`python -m grader.cli.launch SECTION` to every round, run from DIR so that its own grader is imported: an A/B of two
versions under the same load, printed as a second table.

The grader's modules are byte-compiled first (as pip leaves an install; numpy's are). Prints, all measured in one
interleaved run (each round: the floor, then every command once), so that every
figure sees the same machine load:
- per section: `grade SECTION --no-quiz` on the reference solution with the sandbox off and with bubblewrap
  (`--sandbox require`; skipped where bubblewrap does not work), median wall time and its ratio to the floor;
- the stubs of day2.section2 (every check `not_implemented`);
- first output: from the start of `grade section2` to its first check line on stdout (streamed);
- watch latency: `grade watch section2`, from the save of the file (the solution and a wrong version in turn)
  to the updated score line on its stdout.
Targets (issue 14): section2 ≤ 2.5× the floor with the sandbox off, ≤ 3× with it; every section ≤ 3×; first
output ≤ 0.25 s; watch ≤ 0.15 s.
"""

from __future__ import annotations

import argparse
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRADE = str(Path(sys.executable).with_name("grade"))
SECTIONS = [f"day1.section{i}" for i in range(1, 6)] + [f"day2.section{i}" for i in range(1, 6)] + \
    [f"day3.section{i}" for i in range(1, 8)]
CHECK_MARKS = tuple("✔✘…?!⏱☠▲⛔")


def wall(cmd: list[str], cwd: Path = ROOT) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
    return elapsed


def first_output(cmd: list[str]) -> float:
    """Seconds from the start of `cmd` to its first check line on stdout."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                            text=True, encoding="utf-8")
    assert proc.stdout is not None
    seen = None
    for line in proc.stdout:
        if line.strip()[:1] in CHECK_MARKS:
            seen = time.perf_counter() - start
            break
    proc.stdout.read()
    proc.wait()
    if seen is None:
        sys.exit(f"{' '.join(cmd)} printed no check line")
    return seen


def sandbox_works() -> bool:
    proc = subprocess.run([GRADE, "day1.section1", "--no-quiz", "--sandbox", "require", "--submission",
                           str(ROOT / "solutions" / "day1" / "section1.py")], cwd=ROOT, capture_output=True)
    return proc.returncode == 0


def watch_latency(saves: int) -> list[float]:
    """Seconds from each save to the updated score line of `grade watch section2` (event mode)."""
    folder = Path(tempfile.mkdtemp(prefix="bench-watch-"))
    try:
        target = folder / "section2.py"
        good = (ROOT / "solutions" / "day2" / "section2.py").read_text(encoding="utf-8")
        wrong = good.replace("lr * grads[key]", "lr * grads[key] * 0.5")  # SGD and Momentum's steps go wrong
        assert wrong != good
        target.write_text(good, encoding="utf-8")
        env = {**os.environ, "GRADER_DB": str(folder / "p.sqlite3")}
        proc = subprocess.Popen([GRADE, "watch", "section2", "--submission", str(target), "--lang", "en"], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env)
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        buffer = b""

        def wait_for(marker: bytes, timeout: float = 60) -> float:
            nonlocal buffer
            deadline = time.perf_counter() + timeout
            while marker not in buffer:
                ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.perf_counter()))
                if not ready:
                    raise TimeoutError(f"no {marker!r} from grade watch")
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise EOFError("grade watch ended")
                buffer += chunk
            at = time.perf_counter()
            buffer = buffer.split(marker, 1)[1]
            return at

        times = []
        try:
            wait_for(b"watching")
            for i in range(saves):
                time.sleep(0.6)  # the learner edits: the next worker is up by now
                target.write_text(wrong if i % 2 == 0 else good, encoding="utf-8")
                saved = time.perf_counter()
                times.append(wait_for(b"score ") - saved)
        finally:
            proc.terminate()
            proc.wait(10)
        return times
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--sections", nargs="*", default=SECTIONS)
    parser.add_argument("--no-watch", action="store_true")
    parser.add_argument("--against", type=Path, help="another checkout of the project, graded in the same rounds")
    args = parser.parse_args()
    modes = ["off"] + (["require"] if sandbox_works() else [])
    floor_cmd = [sys.executable, "-c", "import numpy"]
    commands: dict[tuple[str, str], list[str]] = {}
    for sid in args.sections:
        day, sec = sid.split(".")
        for mode in modes:
            commands[(sid, mode)] = [GRADE, sid, "--no-quiz", "--sandbox", mode, "--submission",
                                     str(ROOT / "solutions" / day / f"{sec}.py")]
    against = {key: [sys.executable, "-m", "grader.cli.launch", *cmd[1:]] for key, cmd in commands.items()} \
        if args.against else {}
    stubs = [GRADE, "day2.section2", "--no-quiz", "--sandbox", "off"]
    first_cmd = [GRADE, "day2.section2", "--no-quiz", "--sandbox", "off", "--submission",
                 str(ROOT / "solutions" / "day2" / "section2.py")]
    # Bytecode as an install leaves it (pip compiles a wheel's modules; a learner's first run writes the rest),
    # even where PYTHONDONTWRITEBYTECODE is set, as on this project's CI machines: numpy's is compiled already.
    for tree in [ROOT, *([args.against] if args.against else [])]:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "grader")], check=True)
    for cmd in [floor_cmd, stubs, *commands.values()]:  # warm the file cache and the outline cache
        wall(cmd)
    for cmd in against.values():
        wall(cmd, args.against)
    floor: list[float] = []
    times: dict[tuple[str, str], list[float]] = {k: [] for k in commands}
    other: dict[tuple[str, str], list[float]] = {k: [] for k in against}
    stub_times: list[float] = []
    firsts: list[float] = []
    for _ in range(args.runs):
        floor.append(wall(floor_cmd))
        for key, cmd in commands.items():
            times[key].append(wall(cmd))
            if key in against:
                other[key].append(wall(against[key], args.against))
        stub_times.append(wall(stubs))
        firsts.append(first_output(first_cmd))
    f = statistics.median(floor)
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}, {args.runs} runs interleaved; "
          f"sandbox on = {'bubblewrap' if 'require' in modes else 'not available here'}")
    print(f"floor `python -c 'import numpy'`: {f:.3f} s")
    head = f"{'section (reference solution, --no-quiz)':<40} {'off':>7} {'× floor':>8}"
    if "require" in modes:
        head += f" {'on':>7} {'× floor':>8}"
    print(head)
    tables = [times] + ([other] if against else [])
    for i, table in enumerate(tables):
        if i:
            print(f"the same, the tree at {args.against} (python -m grader.cli.launch, run from there):")
        for sid in args.sections:
            row = f"{sid:<40}"
            for mode in modes:
                med = statistics.median(table[(sid, mode)])
                row += f" {med:7.3f} {med / f:8.2f}"
            print(row)
    med = statistics.median(stub_times)
    print(f"{'day2.section2 on the stubs, sandbox off':<40} {med:7.3f} {med / f:8.2f}")
    print(f"first check line on stdout (day2.section2, sandbox off): median {statistics.median(firsts):.3f} s, "
          f"max {max(firsts):.3f} s")
    if not args.no_watch:
        lat = watch_latency(max(args.runs, 4))
        print(f"grade watch section2, save → updated score line: median {statistics.median(lat):.3f} s, "
              f"max {max(lat):.3f} s ({len(lat)} saves)")


if __name__ == "__main__":
    main()
