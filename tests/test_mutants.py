"""Every catalogued mistake (a mutant: the solution with one slip, tests/mutants/*.yaml) fails its targeted
exercise only, naming the mistake. A section's mutants are graded in one grading session
(grader.grading.grade_many, as `grade batch` grades a class), not in a `grade` process each."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.results import SectionReport
from tests.mutant_source import all_mutants, source, write

MUTANTS = all_mutants()


def test_there_are_mutants_for_section2():
    assert len([m for m in MUTANTS if m.section == "day2.section2"]) >= 8


@pytest.mark.parametrize("m", MUTANTS, ids=lambda m: m.id)
def test_each_mutant_really_changes_its_solution(m):
    day, sec = m.section.split(".")
    from tests.mutant_source import ROOT

    assert source(m.section, m.name) != (ROOT / "solutions" / day / f"{sec}.py").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """section id → {mutant name: its SectionReport, or the exception grading it raised}; a section's mutants
    are graded together, in one grading session, the first time a test asks for one of them."""
    from grader.engine import spawn
    from grader.engine.runner import Job
    from grader.grading import grade_many

    cache: dict[str, dict[str, SectionReport | Exception]] = {}

    def of(section: str) -> dict[str, SectionReport | Exception]:
        if section not in cache:
            folder = tmp_path_factory.mktemp(section.replace(".", "_"))
            paths: dict[str, Path] = {}
            for m in MUTANTS:
                if m.section == section:
                    (folder / m.name).mkdir()
                    paths[m.name] = write(section, m.name, folder / m.name)
            jobs = iter([Job(path, tag=name) for name, path in paths.items()])
            got: dict[str, SectionReport | Exception] = {}
            spawn.use_template(True)  # as `grade batch` grades a class: workers forked from a pre-loaded template
            try:
                grade_many(section, lambda: next(jobs, None), lambda job, result: got.__setitem__(job.tag, result))
            finally:
                spawn.use_template(False)
            assert set(got) == set(paths), "every mutant graded once"
            cache[section] = got
        return cache[section]

    return of


@pytest.mark.parametrize("m", MUTANTS, ids=lambda m: m.id)
def test_mutant_fails_only_its_target_with_the_named_feedback(m, graded):
    report = graded(m.section)[m.name]
    assert not isinstance(report, Exception), f"{type(report).__name__}: {report}"  # `grade` would exit 2 or 3
    assert not (report.max_score > 0 and report.score >= report.max_score)  # `grade` would exit 1
    failing = [c for c in report.checks if c.status != "passed"]
    assert failing, "the mutant passed every check: a check that cannot fail"
    assert {c.exercise for c in failing} <= m.targets, [(c.id, c.feedback) for c in failing]
    texts = " ".join(c.feedback_i18n.en.lower() for c in failing if c.feedback_i18n is not None)
    assert all(c.feedback_i18n is not None for c in failing), [c.id for c in failing]
    assert m.feedback.lower() in texts, texts
    assert all(c.status == "failed" for c in failing), [(c.id, c.status) for c in failing]
