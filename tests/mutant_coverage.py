"""Which hidden checks does no catalogued mutant fail? (A check no mutant fails is not yet shown able to fail.)

Run: .venv/bin/python -m tests.mutant_coverage
Grades every reference solution (to list the checks) and every mutant of tests/mutants/, then prints how many
checks fail on at least one mutant and, per section, the ones that do not. Takes a few minutes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from grader.course.loading import load_course, section_paths
from tests.mutant_source import all_mutants, write


def checks(section: str, path: Path) -> list[dict]:
    proc = subprocess.run([sys.executable, "-m", "grader.cli.launch", section, "--submission", str(path), "--no-quiz",
                           "--json", "--sandbox", "off"], capture_output=True, text=True, check=False)
    return json.loads(proc.stdout)["checks"]


def main() -> None:
    sections = [s.id for s in load_course().sections]
    all_ids = {s: {c["id"] for c in checks(s, section_paths(s)["solution"])} for s in sections}
    failed: dict[str, set[str]] = {s: set() for s in sections}
    with tempfile.TemporaryDirectory() as tmp:
        for m in all_mutants():
            failed[m.section] |= {c["id"] for c in checks(m.section, write(m.section, m.name, Path(tmp)))
                                  if c["status"] == "failed"}
    total = sum(len(ids) for ids in all_ids.values())
    hit = sum(len(failed[s] & ids) for s, ids in all_ids.items())
    print(f"{hit}/{total} checks fail on at least one mutant ({len(all_mutants())} mutants)")
    for s, ids in all_ids.items():
        if ids - failed[s]:
            print(f"  {s}: {', '.join(sorted(ids - failed[s]))}")


if __name__ == "__main__":
    main()
