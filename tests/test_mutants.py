"""Every catalogued mistake (a mutant: the solution with one slip, tests/mutants/*.yaml) fails its targeted
exercise only, naming the mistake."""

from __future__ import annotations

import pytest

from tests.conftest import grade_file
from tests.mutant_source import all_mutants, source, write

MUTANTS = all_mutants()


def test_there_are_mutants_for_section2():
    assert len([m for m in MUTANTS if m.section == "day2.section2"]) >= 8


@pytest.mark.parametrize("m", MUTANTS, ids=lambda m: m.id)
def test_each_mutant_really_changes_its_solution(m):
    day, sec = m.section.split(".")
    from tests.mutant_source import ROOT

    assert source(m.section, m.name) != (ROOT / "solutions" / day / f"{sec}.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("m", MUTANTS, ids=lambda m: m.id)
def test_mutant_fails_only_its_target_with_the_named_feedback(m, tmp_path):
    g = grade_file(m.section, write(m.section, m.name, tmp_path))
    assert g.rc == 1, g.err
    failing = [c for c in g.report["checks"] if c["status"] != "passed"]
    assert failing, "the mutant passed every check: a check that cannot fail"
    assert {c["exercise"] for c in failing} <= m.targets, [(c["id"], c["feedback"]) for c in failing]
    texts = " ".join(c["feedback_i18n"]["en"].lower() for c in failing)
    assert m.feedback.lower() in texts, texts
    assert all(c["status"] == "failed" for c in failing), [(c["id"], c["status"]) for c in failing]
