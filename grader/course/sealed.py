"""Sealed question banks of a student release: salted answer hashes, explanations sealed by the right answer,
and reading them back when a release is graded (grader/course/loading.py's `release_info` tells a release).
The builder is grader/classroom/release.py.

Sealing only keeps the key out of plain sight: with 4 choices a student can try every answer (or run this code).
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from pydantic import Field, PrivateAttr

from grader.course.models import ChoiceText, Strict
from grader.results import QuestionResult
from grader.text import Text

NOTE_BLOCK = 48  # sealed notes are padded to a multiple of this many bytes


# ---------------------------------------------------------------- reading a release (the grading side)


def answer_hash(salt: str, qid: str, answers: list[int] | frozenset[int]) -> str:
    """sha256(salt ‖ question id ‖ sorted 1-based answers): what a release stores instead of `answer`."""
    canon = ",".join(str(a) for a in sorted(set(answers)))
    return hashlib.sha256(f"{salt}\x00{qid}\x00{canon}".encode()).hexdigest()


def _key(*parts: str) -> bytes:
    return hashlib.sha256("\x00".join(parts).encode()).digest()


def _xor(key: bytes, data: bytes) -> bytes:
    stream = bytearray()
    counter = 0
    while len(stream) < len(data):
        stream += hashlib.sha256(key + counter.to_bytes(8, "big")).digest()
        counter += 1
    return bytes(a ^ b for a, b in zip(data, stream, strict=False))  # the stream is a little longer


def seal(key: bytes, text: str, size: int = 0) -> str:
    """XOR with a SHA-256 key stream, padded with spaces to `size` bytes; base64. Obfuscation, not secrecy."""
    raw = text.encode()
    raw += b" " * max(0, size - len(raw))
    return base64.b64encode(_xor(key, raw)).decode()


def unseal(key: bytes, blob: str) -> str:
    try:
        return _xor(key, base64.b64decode(blob)).decode().rstrip(" ")
    except (ValueError, UnicodeDecodeError):
        return ""


def note_key(salt: str, qid: str, choice: int) -> bytes:
    return _key("note", salt, qid, str(choice))


def explanation_key(salt: str, qid: str, answers: list[int] | frozenset[int]) -> bytes:
    return _key("explanation", salt, qid, ",".join(str(a) for a in sorted(set(answers))))


class SealedChoice(Strict):
    text: ChoiceText
    note: str  # sealed {"ja", "en"} misconception note, or blanks; same length for every choice


class SealedQuestion(Strict):
    id: str
    ja: str = Field(min_length=1)
    en: str = Field(min_length=1)
    choices: list[SealedChoice] = Field(min_length=2, max_length=8)
    answer_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    explanation: str  # sealed with a key derived from the right answer
    tags: list[str] = Field(default_factory=list)
    multiple: bool = False  # several choices make the answer (says how many to pick, not which)
    _salt: str = PrivateAttr(default="")  # the bank's salt, bound at load so a question can be scored alone


class SealedBank(Strict):
    """A question file of a release: the quiz can tell right from wrong, the YAML does not say which is right."""

    section: str
    salt: str = Field(min_length=16)
    questions: list[SealedQuestion] = Field(min_length=1)


def sealed_path(plain_bank: Path) -> Path:
    return plain_bank.with_name(plain_bank.stem + ".sealed.yaml")


def load_sealed_bank(path: Path, section_id: str) -> SealedBank:
    from pydantic import ValidationError

    from grader.course.yamlfile import read_yaml
    from grader.errors import CourseDataError

    raw = read_yaml(path)
    try:
        bank = SealedBank.model_validate(raw)
    except ValidationError as e:
        first = e.errors()[0]
        raise CourseDataError(f"{path}: field {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    if bank.section != section_id:
        raise CourseDataError(f"{path}: field 'section' is {bank.section!r}, expected {section_id!r}")
    for q in bank.questions:
        q._salt = bank.salt
    return bank


def _note(salt: str, q: SealedQuestion, choice: int) -> Text | None:
    if not 1 <= choice <= len(q.choices):
        return None
    text = unseal(note_key(salt, q.id, choice), q.choices[choice - 1].note)
    if not text:
        return None
    try:
        return Text(**json.loads(text))
    except (ValueError, TypeError):
        return None


def _explanation(salt: str, q: SealedQuestion, chosen: list[int]) -> Text | None:
    try:
        return Text(**json.loads(unseal(explanation_key(salt, q.id, chosen), q.explanation)))
    except (ValueError, TypeError):
        return None


RETRY = Text(ja="解説は正解すると表示されます (grade をもう一度実行すれば再挑戦できます)",
             en="the explanation is shown once you answer correctly (run grade again to retry)")


def score_sealed(bank: SealedBank, q: SealedQuestion, chosen: list[int] | None, lang: str) -> QuestionResult:
    """Right or wrong by hash; a wrong answer shows the chosen choice's misconception, never the right one."""
    correct = chosen is not None and answer_hash(bank.salt, q.id, chosen) == q.answer_hash
    if chosen is None:
        text = Text(ja="未回答", en="not answered")
    elif correct:
        text = Text(ja="正解", en="correct")
    else:
        notes = [n for n in (_note(bank.salt, q, c) for c in chosen) if n]
        why_ja = " ".join(n.ja for n in notes)
        why_en = " ".join(n.en for n in notes)
        text = Text(ja=f"不正解。{why_ja}".strip(), en=f"wrong. {why_en}".strip())
    return QuestionResult(id=q.id, chosen=chosen, correct=correct, score=1.0 if correct else 0.0, max_score=1.0,
                          feedback=text.render(lang), feedback_i18n=text)


def score_sealed_question(q: SealedQuestion, chosen: list[int] | None, lang: str) -> QuestionResult:
    """score_sealed for a question outside its bank (drills, review): the salt was bound at load."""
    return score_sealed(SealedBank.model_construct(section="", salt=q._salt, questions=[]), q, chosen, lang)


def sealed_explanation(q: SealedQuestion, chosen: list[int] | None, lang: str) -> str:
    """The explanation unlocks only with the right answer; otherwise say how to see it."""
    text = _explanation(q._salt, q, chosen) if chosen else None
    return (text or RETRY).render(lang)
