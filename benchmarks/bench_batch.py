"""Throughput of `grade batch section2`: wall time for 1 and for N generated submissions, and the per-extra figure.

Run: .venv/bin/python benchmarks/bench_batch.py [--n 40] [--jobs 2] [--runs 3]
Submissions are copies of the reference solution with one comment changed (so every content hash differs and
nothing is served from the cache). Each run grades into a fresh results folder through the real CLI.
Per extra submission = (wall(N) − wall(1)) / (N − 1): the cost of one more student once the command and
its pool are up. Target (issue 5): ≤ 0.05 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_class(folder: Path, n: int) -> None:
    source = (ROOT / "solutions" / "day2" / "section2.py").read_text(encoding="utf-8")
    folder.mkdir(parents=True)
    for i in range(n):
        (folder / f"s{i:04d}.py").write_text(f"# student {i}\n{source}", encoding="utf-8")


def wall(submissions: Path, out: Path, jobs: int, sandbox: str) -> float:
    grade = str(Path(sys.executable).with_name("grade"))
    start = time.perf_counter()
    proc = subprocess.run([grade, "batch", "section2", str(submissions), "--out", str(out), "--jobs", str(jobs),
                           "--sandbox", sandbox],
                          cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"grade batch exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
    return elapsed


def cpu_breakdown(n: int = 8) -> tuple[float, float, float]:
    """CPU seconds per submission, which machine load does not change: the grading process (pytest + checks
    + proxy), the learner worker (start + module runs + calls), and the worker's start alone (python + numpy)."""
    import resource

    from grader import spawn
    from grader.section import grade_checks

    def cpu(who: int) -> float:
        r = resource.getrusage(who)
        return r.ru_utime + r.ru_stime

    sol = ROOT / "solutions" / "day2" / "section2.py"
    grade_checks("day2.section2", sol)  # warm
    s0, c0 = cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN)
    for _ in range(n):
        grade_checks("day2.section2", sol)
    s1, c1 = cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN)
    for _ in range(n):
        w = spawn.WorkerProcess()
        w.wait_ready(30)
        w.cleanup()
    c2 = cpu(resource.RUSAGE_CHILDREN)
    return (s1 - s0) / n, (c1 - c0) / n, (c2 - c1) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sandbox", default="off", help="off (default, as the CPU breakdown) | auto | require")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        base = Path(tmp)
        make_class(base / "one", 1)
        make_class(base / "many", args.n)
        load_before = os.getloadavg()[0]
        ones, manys = [], []
        for r in range(args.runs):
            ones.append(wall(base / "one", base / f"out1-{r}", args.jobs, args.sandbox))
            manys.append(wall(base / "many", base / f"outN-{r}", args.jobs, args.sandbox))
        t1, tn = statistics.median(ones), statistics.median(manys)
        cached = wall(base / "many", base / f"outN-{args.runs - 1}", args.jobs, args.sandbox)
    per = (tn - t1) / (args.n - 1)
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}, --jobs {args.jobs}, "
          f"--sandbox {args.sandbox}, median of {args.runs} runs")
    print(f"1 submission:          {t1:7.2f} s")
    print(f"{args.n} submissions:        {tn:7.2f} s")
    print(f"per extra submission:  {per:7.3f} s   (target ≤ 0.050 s)")
    print(f"re-run, all {args.n} cached: {cached:7.2f} s")
    grading, worker, start = cpu_breakdown()
    total = grading + worker
    print(f"CPU per submission (load-independent): {total:.3f} s = grading process {grading:.3f} s + learner "
          f"worker {worker:.3f} s (of which its start, python + numpy: {start:.3f} s)")
    print(f"→ floor on {os.cpu_count()} idle cores: {total / (os.cpu_count() or 1):.3f} s per extra submission")
    print(f"load average (1 min) before/after: {load_before:.2f} / {os.getloadavg()[0]:.2f} "
          "(other work on the machine slows every figure)")


if __name__ == "__main__":
    main()
