"""Bilingual text, the kernel's one way to say something to a learner: Japanese first, English beside it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    """Base for course data: unknown keys are errors, so a typo in YAML never passes silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A learner-facing text: Japanese first, English beside it."""

    ja: str = Field(min_length=1)
    en: str = Field(min_length=1)

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
