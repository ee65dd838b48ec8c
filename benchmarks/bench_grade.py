"""Latency of `grade section2` on the reference solution, side by side with the floor `python -c "import numpy"`.

Run: .venv/bin/python benchmarks/bench_grade.py [--runs 15]
Prints the median and best wall time of each command, interleaved run by run so both see the same machine
load, and the ratio of the medians. Target (issue 3): ≤ 3.5 × the floor, with the isolation on.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    grade = str(Path(sys.executable).with_name("grade"))
    commands = {
        "floor: python -c 'import numpy'": [sys.executable, "-c", "import numpy"],
        "grade section2 (solution, --no-quiz)": [grade, "section2", "--submission", "solutions/day2/section2.py",
                                                 "--no-quiz"],
        "grade section2 (stubs, --no-quiz)": [grade, "section2", "--no-quiz"],
    }
    for cmd in commands.values():  # warm the file cache and .pyc files
        wall(cmd)
    times: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            times[name].append(wall(cmd))
    floor = statistics.median(times[next(iter(commands))])
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}, {args.runs} runs interleaved")
    print(f"{'command':<42} {'median':>8} {'best':>8} {'× floor':>8}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:<42} {med:8.3f} {min(ts):8.3f} {med / floor:8.2f}")


if __name__ == "__main__":
    main()
