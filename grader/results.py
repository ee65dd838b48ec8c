"""The one result model: a SectionReport of CheckResults and a QuizReport, and the statuses a check can end in.

Every view (terminal, JSON, CSV, Gradescope, progress history) is built from these (grader/render, classroom).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from grader.record import Record
from grader.text import Text

Status = Literal[
    "passed",
    "failed",
    "not_implemented",
    "missing",
    "error",
    "timeout",
    "crashed",
    "memory_limit",
    "invalid_result",
    "rejected",
]


@dataclass(kw_only=True)
class CheckResult(Record):
    id: str
    exercise: str
    status: Status
    score: float
    max_score: float
    feedback: str
    feedback_i18n: Text | None = None
    misconception: Text | None = None  # the known mistake the result matched (Variant), when one did
    note: Text | None = None  # advice shown with the result, never scored (e.g. an overflow warning on a pass)
    title: Text | None = None
    duration: float = 0.0


@dataclass(kw_only=True)
class QuestionResult(Record):
    id: str
    chosen: list[int] | None
    correct: bool
    score: float
    max_score: float
    feedback: str  # in the language asked for
    feedback_i18n: Text | None = None  # both languages, for every later view (summary, progress, export)


@dataclass(kw_only=True)
class QuizReport(Record):
    taken: bool
    reason: str = ""
    score: float = 0.0
    max_score: float = 0.0
    questions: list[QuestionResult] = field(default_factory=list)


@dataclass(kw_only=True)
class SectionReport(Record):
    section: str
    title: Text | None = None
    score: float
    max_score: float
    checks: list[CheckResult]
    quiz: QuizReport
    learner_output: str = ""
    message: str = ""
    sandbox: Literal["on", "off"] = "off"  # whether the worker ran in bubblewrap (grader/engine/sandbox.py)
    # "public": a student release ran only the checks marked public (grader/classroom/release.py); "all": every check
    scope: Literal["all", "public"] = "all"
