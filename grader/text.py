"""Bilingual text, the kernel's one way to say something to a learner: Japanese first, English beside it."""

from __future__ import annotations

from dataclasses import dataclass

from grader.record import Record


@dataclass(frozen=True)
class Text(Record):
    """A learner-facing text: Japanese first, English beside it."""

    # Both non-empty strings (__post_init__); in course YAML a `{ja: ..., en: ...}` mapping with no other key,
    # validated by pydantic as a field of a course model (grader/course/models.py).

    __pydantic_config__ = {"extra": "forbid"}  # noqa: RUF012 - read by pydantic, never changed

    ja: str
    en: str

    def __post_init__(self) -> None:
        for lang in ("ja", "en"):
            value = getattr(self, lang)
            if not isinstance(value, str) or not value:
                raise ValueError(f"Text.{lang} must be a non-empty string, got {value!r}")

    def render(self, lang: str = "both") -> str:
        if lang == "ja":
            return self.ja
        if lang == "en":
            return self.en
        if self.ja == self.en:
            return self.ja
        if "\n" in self.ja or "\n" in self.en or len(self.ja) + len(self.en) > 90:
            return f"{self.ja}\n{self.en}"  # long messages: English on its own line, easier to read
        return f"{self.ja} / {self.en}"


def bilingual(ja: str, en: str, lang: str = "both") -> str:
    """A one-off bilingual line in the learner's language (`Text(ja=…, en=…).render(lang)`)."""
    return Text(ja=ja, en=en).render(lang)
