"""The kernel's records (grader/record.py): the result model keeps its JSON contract without pydantic."""

from __future__ import annotations

import json

import pytest

from grader.results import CheckResult, QuizReport, SectionReport
from grader.text import Text


def test_a_status_outside_the_contract_is_refused():
    with pytest.raises(ValueError, match="bogus"):
        CheckResult(id="t", exercise="f", status="bogus", score=0, max_score=1, feedback="x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="sandbox"):
        SectionReport(section="day2.section2", score=0, max_score=1, checks=[], quiz=QuizReport(taken=False),
                      sandbox="maybe")  # type: ignore[arg-type]


def test_scores_are_floats_and_text_is_non_empty():
    c = CheckResult(id="t", exercise="f", status="passed", score=1, max_score=2, feedback="ok")
    assert json.loads(c.model_dump_json())["score"] == 1.0 and isinstance(c.score, float)
    assert '"score":1.0' in c.model_dump_json()  # compact, as pydantic wrote it
    with pytest.raises(ValueError):
        Text(ja="", en="empty Japanese")
    assert c.model_copy(update={"status": "failed"}).status == "failed" and c.status == "passed"
