"""Pydantic models of the course data: the manifest (sections, exercises, hints) and the question banks."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from grader.ids import SECTION_ID, day_and_name
from grader.text import Text

# A choice may be language-neutral ("0.25", "np.dot(x, W1) + b1") or bilingual.
ChoiceText = str | Text


# ---------------------------------------------------------------- course manifest



class Strict(BaseModel):
    """Base for course data: unknown keys are errors, so a typo in YAML never passes silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Exercise(Strict):
    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    points: int = Field(ge=1)
    hints: list[Text] = Field(min_length=1)


class Section(Strict):
    id: str = Field(pattern=SECTION_ID.pattern)
    title: Text
    exercises: list[Exercise] = Field(min_length=1)

    @property
    def day(self) -> str:
        return day_and_name(self.id)[0]

    @property
    def name(self) -> str:
        return day_and_name(self.id)[1]

    @model_validator(mode="after")
    def _unique_exercises(self) -> Section:
        names = [e.name for e in self.exercises]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"exercise names repeated: {sorted(dup)}")
        return self


class Course(Strict):
    title: Text
    sections: list[Section] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_sections(self) -> Course:
        ids = [s.id for s in self.sections]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"section ids repeated: {sorted(dup)}")
        return self


# ---------------------------------------------------------------- 確認テスト


class Choice(Strict):
    text: ChoiceText
    # Why a learner might pick this choice (the misconception it encodes), shown after answering.
    feedback: Text | None = None
    # The number this choice stands for, when the question is numeric: the project's tests compute the
    # right value with the reference solutions and compare (tests/test_bank_answers.py).
    value: float | list[float] | None = None


class Question(Strict):
    id: str
    ja: str = Field(min_length=1)
    en: str = Field(min_length=1)
    choices: list[Choice] = Field(min_length=2, max_length=8)
    # 1-based, as shown to the learner; a list when several choices are all required.
    answer: int | list[int]
    explanation: Text
    tags: list[str] = Field(default_factory=list)

    @field_validator("answer")
    @classmethod
    def _answer_not_empty(cls, v: int | list[int]) -> int | list[int]:
        if isinstance(v, list) and not v:
            raise ValueError("answer list is empty")
        return v

    @model_validator(mode="after")
    def _answer_in_range(self) -> Question:
        n = len(self.choices)
        for a in self.answers:
            if not 1 <= a <= n:
                raise ValueError(f"answer {a} is not a choice number (1..{n})")
        return self

    @property
    def answers(self) -> frozenset[int]:
        return frozenset(self.answer if isinstance(self.answer, list) else [self.answer])

    @property
    def multiple(self) -> bool:
        return len(self.answers) > 1

    @property
    def numeric(self) -> bool:
        return "numeric" in self.tags


class QuestionBank(Strict):
    section: str = Field(pattern=SECTION_ID.pattern)
    questions: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_follow_section(self) -> QuestionBank:
        seen: set[str] = set()
        for q in self.questions:
            if not re.fullmatch(re.escape(self.section) + r"\.q\d{2,}", q.id):
                raise ValueError(f"question id {q.id!r} must look like {self.section}.q01")
            if q.id in seen:
                raise ValueError(f"question id {q.id!r} repeated")
            seen.add(q.id)
        return self
