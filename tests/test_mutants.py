"""Every catalogued mistake (one mutant file each) fails its targeted exercise only, naming the mistake."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, grade_file

MUTANT_DIR = ROOT / "tests" / "mutants"
MUTANTS = sorted(MUTANT_DIR.glob("day*/section*/*.py"))


def header(path: Path) -> tuple[set[str], str]:
    text = path.read_text(encoding="utf-8")
    targets = re.search(r"^# MUTANT targets: (.+)$", text, re.M)
    feedback = re.search(r"^# MUTANT feedback: (.+)$", text, re.M)
    assert targets and feedback, f"{path} lacks its '# MUTANT targets:' / '# MUTANT feedback:' header"
    return {t.strip() for t in targets.group(1).split(",")}, feedback.group(1).strip()


def test_there_are_mutants_for_section2():
    assert len([m for m in MUTANTS if m.parent.name == "section2" and m.parent.parent.name == "day2"]) >= 8


@pytest.mark.parametrize("path", MUTANTS, ids=lambda p: f"{p.parent.parent.name}.{p.parent.name}/{p.stem}")
def test_mutant_fails_only_its_target_with_the_named_feedback(path):
    targets, feedback = header(path)
    section = f"{path.parent.parent.name}.{path.parent.name}"
    g = grade_file(section, path)
    assert g.rc == 1, g.err
    failing = [c for c in g.report["checks"] if c["status"] != "passed"]
    assert failing, "the mutant passed every check: a check that cannot fail"
    assert {c["exercise"] for c in failing} <= targets, [(c["id"], c["feedback"]) for c in failing]
    texts = " ".join(c["feedback_i18n"]["en"].lower() for c in failing)
    assert feedback.lower() in texts, texts
    assert all(c["status"] == "failed" for c in failing), [(c["id"], c["status"]) for c in failing]
