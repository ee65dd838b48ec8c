"""Throughput of `grade batch section2`: wall time for 1 and for N generated submissions, and the per-extra figure.

Run: .venv/bin/python benchmarks/bench_batch.py [--n 40] [--jobs 2] [--runs 3] [--sandbox off|auto|require]
Submissions are copies of the reference solution with one comment changed (so every content hash differs and
nothing is served from the cache). Each run grades into a fresh results folder through the real CLI.
Per extra submission = (wall(N) − wall(1)) / (N − 1): the cost of one more student once the command and
its pool are up. Target (issue 5): ≤ 0.05 s on a 2-core machine. The same difference in CPU seconds of the
whole process tree (the command, its grading processes, worker templates and workers) does not depend on
what else the machine is doing: CPU per extra / cores is the wall figure an idle machine would give.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "day2" / "section2.py"


def make_class(folder: Path, n: int) -> None:
    source = SOLUTION.read_text(encoding="utf-8")
    folder.mkdir(parents=True)
    for i in range(n):
        (folder / f"s{i:04d}.py").write_text(f"# student {i}\n{source}", encoding="utf-8")


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def self_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def machine_cpu() -> float:
    """CPU seconds the whole machine has spent busy (/proc/stat): the batch's process tree, whose parts are not
    all waited for by the command (forkserver children), plus whatever else runs meanwhile."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    busy = sum(fields[:8]) - fields[3] - fields[4]  # all but idle and iowait
    return busy / os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int) -> float:
    """CPU seconds of a live process and of its children it has waited for (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def run(submissions: Path, out: Path, jobs: int, sandbox: str) -> tuple[float, float]:
    """(wall, machine CPU) of one `grade batch`."""
    grade = str(Path(sys.executable).with_name("grade"))
    c0, start = machine_cpu(), time.perf_counter()
    proc = subprocess.run([grade, "batch", "section2", str(submissions), "--out", str(out), "--jobs", str(jobs),
                           "--sandbox", sandbox],
                          cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"grade batch exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
    return elapsed, machine_cpu() - c0


def cpu_breakdown(n: int = 10) -> dict[str, float]:
    """CPU seconds per submission, in this process, as a batch grading process spends them. Forked workers are
    counted through the template's /proc entry (its own time + its reaped workers'), without its start."""
    from grader.engine import spawn
    from grader.engine.runner import Job
    from grader.grading import grade_checks, grade_many

    out: dict[str, float] = {}
    grade_checks("day2.section2", SOLUTION)  # warm
    s0 = self_cpu()
    for _ in range(n):
        grade_checks("day2.section2", SOLUTION)
    out["grading process, one grade_checks each"] = (self_cpu() - s0) / n

    for label, template in (("started", False), ("forked", True)):
        spawn.use_template(template)
        jobs = iter([Job(SOLUTION)] * (n + 1))
        marks: list[float] = []  # after the first job: set-up, collection and the template's start don't count

        def deliver(job: object, report: object, marks: list[float] = marks, template: bool = template) -> None:
            if not marks:
                marks.extend((self_cpu(), children_cpu(), tree_cpu(spawn._template.proc.pid) if template else 0.0))

        grade_many("day2.section2", lambda jobs=jobs: next(jobs, None), deliver)
        out[f"grading process, one session ({label} workers)"] = (self_cpu() - marks[0]) / n
        if template:
            out[f"learner worker, {label} (start + module runs + calls)"] = \
                (tree_cpu(spawn._template.proc.pid) - marks[2]) / n
        else:
            out[f"learner worker, {label} (start + module runs + calls)"] = (children_cpu() - marks[1]) / n
        spawn.use_template(False)
    for label, template in (("started", False), ("forked", True)):
        spawn.use_template(template)
        first = spawn.WorkerProcess()
        first.wait_ready(30)  # the template is up before we count
        first.cleanup()
        c0, t0 = children_cpu(), tree_cpu(spawn._template.proc.pid) if template else 0.0
        s0 = self_cpu()
        for _ in range(n):
            w = spawn.WorkerProcess()
            w.wait_ready(30)
            w.cleanup()
        worker = (tree_cpu(spawn._template.proc.pid) - t0) if template else (children_cpu() - c0)
        out[f"its start alone, {label} (both sides)"] = (worker + self_cpu() - s0) / n
        spawn.use_template(False)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sandbox", default="off", help="off (default: workers forked from the template) | auto "
                                                          "| require (each worker its own bubblewrap)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        base = Path(tmp)
        make_class(base / "one", 1)
        make_class(base / "many", args.n)
        load_before = os.getloadavg()[0]
        ones, manys = [], []
        for r in range(args.runs):
            ones.append(run(base / "one", base / f"out1-{r}", args.jobs, args.sandbox))
            manys.append(run(base / "many", base / f"outN-{r}", args.jobs, args.sandbox))
        t1, tn = statistics.median(w for w, _ in ones), statistics.median(w for w, _ in manys)
        c1, cn = statistics.median(c for _, c in ones), statistics.median(c for _, c in manys)
        cached, _ = run(base / "many", base / f"outN-{args.runs - 1}", args.jobs, args.sandbox)
    per, cpu_per = (tn - t1) / (args.n - 1), (cn - c1) / (args.n - 1)
    cores = len(os.sched_getaffinity(0))
    print(f"machine: {cores} cores, python {sys.version.split()[0]}, --jobs {args.jobs}, "
          f"--sandbox {args.sandbox}, median of {args.runs} runs")
    print(f"1 submission:          {t1:7.2f} s wall, {c1:6.2f} s CPU (machine)")
    print(f"{args.n} submissions:        {tn:7.2f} s wall, {cn:6.2f} s CPU (machine)")
    target = 0.050 if args.sandbox == "off" else 0.080  # issue 5 (forked workers); issue 14 (a bubblewrap each)
    print(f"per extra submission:  {per:7.3f} s wall   (target ≤ {target:.3f} s)")
    print(f"                       {cpu_per:7.3f} s CPU → {cpu_per / cores:.3f} s of wall on {cores} idle cores")
    print(f"re-run, all {args.n} cached: {cached:7.2f} s")
    print("CPU per submission, by part (this process, load-independent):")
    for label, value in cpu_breakdown().items():
        print(f"  {label:<42} {value:.3f} s")
    print(f"load average (1 min) before/after: {load_before:.2f} / {os.getloadavg()[0]:.2f} "
          "(other work on the machine slows the wall figures)")


if __name__ == "__main__":
    main()
