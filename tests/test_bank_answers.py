"""Every numeric answer of the 確認テスト equals what the reference solutions compute.

The logic lives in grader/authoring.py so that `grade bank check` (the authors' command, run by CI) and these
tests prove the same thing; the verifiers are tests/answers/dayD/sectionN.py.
"""

from __future__ import annotations

import pytest

from grader.authoring import computed, numeric_key_problem, numeric_questions, stray_verifier_problem

NUMERIC = numeric_questions()


def test_the_bank_has_numeric_questions():
    assert len([q for s, q in NUMERIC if s == "day2.section2"]) >= 4


@pytest.mark.parametrize(("section", "question"), NUMERIC, ids=lambda x: getattr(x, "id", x))
def test_numeric_answer_is_computed_by_the_solution(section, question):
    assert numeric_key_problem(section, question) is None, numeric_key_problem(section, question)


@pytest.mark.parametrize("section", sorted({s for s, _ in NUMERIC}))
def test_no_verifier_without_a_question(section):
    assert set(computed(section)) <= {q.id.rsplit(".", 1)[1] for s, q in NUMERIC if s == section}
    assert stray_verifier_problem(section, NUMERIC) is None


def test_a_wrong_answer_key_is_named():
    section, q = next((s, q) for s, q in NUMERIC if isinstance(q.answer, int))
    wrong = q.model_copy(update={"answer": q.answer % len(q.choices) + 1})
    problem = numeric_key_problem(section, wrong)
    assert problem is not None and q.id in problem and "solution gives" in problem
    no_values = q.model_copy(update={"choices": [c.model_copy(update={"value": None}) for c in q.choices]})
    assert "every choice needs a value" in numeric_key_problem(section, no_values)
