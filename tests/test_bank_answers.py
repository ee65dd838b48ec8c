"""Every numeric answer of the 確認テスト equals what the reference solutions compute."""

from __future__ import annotations

import importlib

import pytest

from grader.course import load_bank, load_course

BANKS = [b for b in (load_bank(s.id) for s in load_course().sections) if b is not None]
NUMERIC = [(b.section, q) for b in BANKS for q in b.questions if q.numeric]


def computed(section: str) -> dict:
    day, sec = section.split(".")
    module = importlib.import_module(f"tests.answers.{day}_{sec}")
    return module.answers()


def _close(a, b) -> bool:
    """Integers (sizes, parameter counts) must match exactly; other values as rounded in the question (4 d.p.)."""
    import numpy as np

    a, b = np.atleast_1d(np.asarray(a, dtype=float)), np.atleast_1d(np.asarray(b, dtype=float))
    if a.shape != b.shape:
        return False
    if np.all(b == np.round(b)) and np.all(a == np.round(a)):
        return bool(np.array_equal(a, b))
    return bool(np.allclose(a, b, rtol=1e-4, atol=6e-5))


def test_the_bank_has_numeric_questions():
    assert len([q for s, q in NUMERIC if s == "day2.section2"]) >= 4


@pytest.mark.parametrize(("section", "question"), NUMERIC, ids=lambda x: getattr(x, "id", x))
def test_numeric_answer_is_computed_by_the_solution(section, question):
    keys = computed(section)
    short = question.id.rsplit(".", 1)[1]
    assert short in keys, f"{question.id} is tagged numeric but tests/answers/ has no verifier for it"
    assert all(c.value is not None for c in question.choices), f"{question.id}: every choice needs a value"
    right = [i + 1 for i, c in enumerate(question.choices) if _close(c.value, keys[short])]
    assert right == sorted(question.answers), f"{question.id}: solution gives {keys[short]}, choices {right} match"


@pytest.mark.parametrize("section", sorted({s for s, _ in NUMERIC}))
def test_no_verifier_without_a_question(section):
    ids = {q.id.rsplit(".", 1)[1] for s, q in NUMERIC if s == section}
    assert set(computed(section)) <= ids
