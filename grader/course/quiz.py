"""The section's 確認テスト: answers from a terminal prompt or an answers file, scored against the bank."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.course.models import Question, QuestionBank
from grader.course.yamlfile import read_yaml
from grader.errors import CourseDataError, UsageError
from grader.results import QuestionResult, QuizReport
from grader.text import Text

POINTS_PER_QUESTION = 1.0
PROMPT = Text(ja="答え", en="answer")  # what the terminal asks, before "> "
STOPPED = Text(ja="中断", en="stopped")


def choose_a_number(n: int) -> Text:
    """What a terminal quiz says to an answer that is not a choice number."""
    return Text(ja=f"1〜{n} の番号を入力してください", en=f"enter a number from 1 to {n}")


def read_answer_file(path: Path) -> dict[str, list[int]]:
    """A YAML mapping `key: choice number` (1-based, as shown; a list for several), in file order."""
    if not path.is_file():
        raise UsageError(Text(ja=f"解答ファイルがありません: {path}", en=f"answers file not found: {path}"))
    try:
        raw = read_yaml(path)
    except CourseDataError as e:
        raise UsageError(Text(ja=f"解答ファイルを読めません: {e}", en=f"cannot read the answers file: {e}")) from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise UsageError(Text(ja=f"{path}: 問題キー → 選択肢番号 の対応表にしてください",
                              en=f"{path}: must map question keys to choice numbers"))
    answers: dict[str, list[int]] = {}
    for key, value in raw.items():
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise UsageError(Text(ja=f"{path}: {key}: 選択肢番号 (1, 2, …) を書いてください",
                                  en=f"{path}: {key}: expected a choice number (1, 2, …)"))
        answers[str(key)] = sorted(set(values))
    return answers


def read_answers(path: Path, bank: QuestionBank) -> dict[str, list[int]]:
    """The answers of one bank's questions: full ids or short ones (q01); keys of other sections are ignored
    (an answers file may cover several sections)."""
    known = {q.id for q in bank.questions}
    answers: dict[str, list[int]] = {}
    for key, values in read_answer_file(path).items():
        qid = key if key in known else f"{bank.section}.{key}"
        if qid in known:
            answers[qid] = values
    return answers


def score_question(q: Question, chosen: list[int] | None, lang: str) -> QuestionResult:
    if not isinstance(q, Question):  # a student release's sealed question: right or wrong by salted hash
        from grader.course.sealed import score_sealed_question

        return score_sealed_question(q, chosen, lang)
    correct = chosen is not None and frozenset(chosen) == q.answers
    right = ", ".join(str(a) for a in sorted(q.answers))
    if chosen is None:
        text = Text(ja=f"未回答。正解は {right}", en=f"not answered; the answer is {right}")
    elif correct:
        text = Text(ja="正解", en="correct")
    else:
        notes = [q.choices[c - 1].feedback for c in chosen if 1 <= c <= len(q.choices) and q.choices[c - 1].feedback]
        why_ja = " ".join(n.ja for n in notes if n)
        why_en = " ".join(n.en for n in notes if n)
        text = Text(ja=f"不正解 (正解は {right})。{why_ja}".strip(),
                    en=f"wrong (the answer is {right}). {why_en}".strip())
    return QuestionResult(
        id=q.id,
        chosen=chosen,
        correct=correct,
        score=POINTS_PER_QUESTION if correct else 0.0,
        max_score=POINTS_PER_QUESTION,
        feedback=text.render(lang),
        feedback_i18n=text,
    )


def grade_answers(bank: QuestionBank, answers: dict[str, list[int]], lang: str) -> QuizReport:
    results = [score_question(q, answers.get(q.id), lang) for q in bank.questions]
    return _report(results)


def _report(results: list[QuestionResult]) -> QuizReport:
    return QuizReport(
        taken=True,
        score=sum(r.score for r in results),
        max_score=sum(r.max_score for r in results),
        questions=results,
    )


def choice_text(choice: Any, lang: str) -> str:
    return choice.text if isinstance(choice.text, str) else choice.text.render(lang)


def ask_interactively(
    bank: QuestionBank, lang: str, ask: Callable[[str], str], say: Callable[[str], None]
) -> QuizReport:
    """One question at a time, with the explanation right after each answer. EOF ends the quiz early."""
    results = []
    n_q = len(bank.questions)
    say("\n" + Text(ja=f"確認テスト: {n_q} 問 — 番号で答えてください",
                    en=f"quiz: {n_q} questions — answer with a number").render(lang))
    for n, q in enumerate(bank.questions, 1):
        say(f"\n[{n}/{len(bank.questions)}] {Text(ja=q.ja, en=q.en).render(lang)}")
        for i, c in enumerate(q.choices, 1):
            say(f"  {i}) {choice_text(c, lang)}")
        chosen = None
        while chosen is None:
            try:
                raw = ask(PROMPT.render(lang) + "> ")
            except EOFError:
                say("\n(" + STOPPED.render(lang) + ")")
                results.extend(score_question(r, None, lang) for r in bank.questions[n - 1:])
                return _report(results)
            parts = [p for p in raw.replace(",", " ").split() if p]
            if parts and all(p.isdigit() and 1 <= int(p) <= len(q.choices) for p in parts):
                chosen = sorted({int(p) for p in parts})
            else:
                say("  " + choose_a_number(len(q.choices)).render(lang))
        result = score_question(q, chosen, lang)
        results.append(result)
        say(("  ✔ " if result.correct else "  ✘ ") + result.feedback)
        say("  " + explanation_text(q, chosen, lang))
    return _report(results)


def explanation_text(q: Any, chosen: list[int] | None, lang: str) -> str:
    """The explanation of a bank question, or of a release's sealed one (shown only after a right answer)."""
    if isinstance(q, Question):
        return q.explanation.render(lang)
    from grader.course.sealed import sealed_explanation

    return sealed_explanation(q, chosen, lang)
