"""Drills and mock exams: draw fixed and parametric questions, ask them (terminal or answers file), score them."""

from __future__ import annotations

import random
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from grader.course.loading import load_bank, load_course
from grader.course.models import Question
from grader.course.quiz import PROMPT, STOPPED, choice_text, choose_a_number, explanation_text, score_question
from grader.errors import UsageError
from grader.results import QuestionResult
from grader.text import Text, bilingual

Say = Callable[[str], None]
Ask = Callable[[str], str]
HIDDEN_TAGS = {"numeric", "parametric"}


@dataclass(frozen=True)
class Item:
    """One question of a session: a bank question (key = its id) or a drawn template (key = name@seed)."""

    key: str
    section: str
    question: Question
    parametric: bool = False


@dataclass
class DrillSet:
    items: list[Item]
    seed: int | None
    notes: list[Text] = field(default_factory=list)  # e.g. templates skipped in a release without solutions


def all_sections() -> list[str]:
    return [s.id for s in load_course().sections]


def _bank_items(sections: list[str]) -> list[Item]:
    items = []
    for sid in sections:
        bank = load_bank(sid)
        if bank is not None:
            items.extend(Item(q.id, sid, q) for q in bank.questions)
    return items


def _template_item(name: str, seed: int) -> Item:
    from grader.course.templates import draw

    d = draw(name, seed)
    return Item(d.key, d.section, d.question, parametric=True)


def build(sections: list[str] | None, count: int, seed: int) -> DrillSet:
    """`count` questions from `sections` (all when None): about half parametric when the sections have templates."""
    from grader.course.templates import TemplateUnavailable, available, pick_seed, templates_for

    scope = sections or all_sections()
    rng = random.Random(seed)
    fixed = _bank_items(scope)
    specs = templates_for(scope)
    usable = [t for t in specs if available(t.name)]
    notes = []
    if len(usable) < len(specs):
        skipped = len(specs) - len(usable)
        notes.append(Text(ja=f"解答例 (solutions/) がないため {skipped} 個の問題テンプレートを省略しました",
                          en=f"solutions/ is not installed: {skipped} question templates skipped"))
    n_param = count // 2 if usable else 0
    n_fixed = min(len(fixed), count - n_param)
    if usable:
        n_param = count - n_fixed
    chosen = rng.sample(fixed, n_fixed)
    order = usable[:]
    rng.shuffle(order)
    for i in range(n_param):
        spec = order[i % len(order)]
        try:
            chosen.append(_template_item(spec.name, pick_seed(spec.name, rng)))
        except TemplateUnavailable:
            continue
    rng.shuffle(chosen)
    return DrillSet(chosen, seed, notes)


def resolve(key: str) -> Item:
    """The question an answers-file key names: a bank id (day2.section2.q02) or a template key (sgd_step@42)."""
    from grader.course.templates import TemplateUnavailable, load_templates, parse_key

    parsed = parse_key(key)
    if parsed is not None:
        name, seed = parsed
        if name not in load_templates():
            raise UsageError(Text(ja=f"問題テンプレート {name} はありません ({key!r})",
                                  en=f"unknown question template {name!r} in {key!r}"))
        try:
            return _template_item(name, seed)
        except TemplateUnavailable as e:
            raise UsageError(Text(ja=f"{key}: この問題はここでは出題できません ({e})",
                                  en=f"{key}: cannot be drawn here ({e})")) from None
    section = key.rsplit(".", 1)[0]
    if section in all_sections():
        bank = load_bank(section)
        for q in bank.questions if bank else []:
            if q.id == key:
                return Item(q.id, section, q)
    raise UsageError(Text(ja=f"問題 {key!r} はありません (例: day2.section2.q02, sgd_step@42)",
                          en=f"unknown question key {key!r} (e.g. day2.section2.q02, sgd_step@42)"))


def session_from_answers(answers: dict[str, list[int]]) -> DrillSet:
    return DrillSet([resolve(k) for k in answers], None)


def score(items: list[Item], answers: dict[str, list[int] | None], lang: str) -> list[QuestionResult]:
    return [score_question(it.question, answers.get(it.key), lang) for it in items]


# ---------------------------------------------------------------- rendering


def question_lines(n: int, total: int, item: Item, lang: str) -> list[str]:
    q = item.question
    head = f"[{n}/{total}] ({item.key}) " if total else f"{n}. ({item.key}) "
    lines = [head + Text(ja=q.ja, en=q.en).render(lang)]
    lines += [f"    {i}) {choice_text(c, lang)}" for i, c in enumerate(q.choices, 1)]
    return lines


def listing(session: DrillSet, lang: str) -> dict[str, Any]:
    """The questions without their answers (what --print / --json show), so a file can answer them by key."""
    return {"seed": session.seed, "questions": [
        {"key": it.key, "section": it.section, "tags": [t for t in it.question.tags if t not in HIDDEN_TAGS],
         "ja": it.question.ja, "en": it.question.en,
         "choices": [choice_text(c, lang) for c in it.question.choices],
         "multiple": it.question.multiple}
        for it in session.items]}


def breakdown(items: list[Item], results: list[QuestionResult]) -> dict[str, dict[str, list[int]]]:
    """Per section and per tag: [correct, total]."""
    out: dict[str, dict[str, list[int]]] = {"sections": {}, "tags": {}}
    for it, r in zip(items, results, strict=True):
        topics = [("sections", it.section)] + [("tags", t) for t in it.question.tags if t not in HIDDEN_TAGS]
        for kind, name in topics:
            cell = out[kind].setdefault(name, [0, 0])
            cell[0] += int(r.correct)
            cell[1] += 1
    return out


def summary_lines(items: list[Item], results: list[QuestionResult], lang: str) -> list[str]:
    right = sum(r.correct for r in results)
    titles = {s.id: s.title.render(lang) for s in load_course().sections}
    parts = breakdown(items, results)
    lines = [f"{bilingual('結果', 'result', lang)}: {right}/{len(results)} {bilingual('正解', 'correct', lang)}"]
    lines.append(f"{bilingual('セクション別', 'by section', lang)}:")
    for sid, (ok, n) in sorted(parts["sections"].items()):
        lines.append(f"  {sid:<14} {ok}/{n}  {'█' * ok}{'·' * (n - ok)}  {titles.get(sid, '')}")
    weak = sorted(((ok / n, t, ok, n) for t, (ok, n) in parts["tags"].items() if ok < n))
    if weak:
        lines.append(f"{bilingual('弱点 (タグ別)', 'weak topics (by tag)', lang)}: "
                     + ", ".join(f"{t} {ok}/{n}" for _, t, ok, n in weak[:8]))
    return lines


def result_lines(items: list[Item], results: list[QuestionResult], lang: str) -> list[str]:
    lines = []
    for it, r in zip(items, results, strict=True):
        lines.append(f"{'✔' if r.correct else '✘'} {it.key}: {r.feedback}")
        if not r.correct:
            lines.append("    " + explanation_text(it.question, r.chosen, lang))
    return lines


def to_json(kind: str, session: DrillSet, results: list[QuestionResult]) -> dict[str, Any]:
    return {"kind": kind, "seed": session.seed, "score": sum(r.score for r in results),
            "max_score": sum(r.max_score for r in results),
            "questions": [{**r.model_dump(), "section": it.section}
                          for it, r in zip(session.items, results, strict=True)],
            "breakdown": breakdown(session.items, results)}


# ---------------------------------------------------------------- asking on a terminal


def _parse_choices(raw: str, n: int) -> list[int] | None:
    parts = [p for p in raw.replace(",", " ").split() if p]
    if parts and all(p.isdigit() and 1 <= int(p) <= n for p in parts):
        return sorted({int(p) for p in parts})
    return None


def ask_drill(items: list[Item], lang: str, ask: Ask, say: Say) -> list[QuestionResult]:
    """One question at a time, with feedback and the explanation right after each answer. EOF stops early."""
    results: list[QuestionResult] = []
    for n, it in enumerate(items, 1):
        say("")
        for line in question_lines(n, len(items), it, lang):
            say(line)
        chosen = None
        while chosen is None:
            try:
                raw = ask(PROMPT.render(lang) + "> ")
            except EOFError:
                say("\n(" + STOPPED.render(lang) + ")")
                return results + [score_question(i.question, None, lang) for i in items[n - 1:]]
            chosen = _parse_choices(raw, len(it.question.choices))
            if chosen is None:
                say("  " + choose_a_number(len(it.question.choices)).render(lang))
        result = score_question(it.question, chosen, lang)
        results.append(result)
        say(("  ✔ " if result.correct else "  ✘ ") + result.feedback)
        say("  " + explanation_text(it.question, chosen, lang))
    return results


class TimeUp(Exception):
    """The exam's time ran out while waiting for input."""


def _raise_time_up(signum: int, frame: Any) -> None:
    raise TimeUp


EXAM_HELP = Text(
    ja="操作: 「3 2」= 問 3 に 2 と答える (変更も可) · 「3」= 問 3 を表示 · 「l」= 一覧 · 「s」= 提出",
    en="commands: '3 2' = answer question 3 with choice 2 (again to change) · '3' = show question 3 · "
       "'l' = list · 's' = submit",
)


def ask_exam(items: list[Item], minutes: float, lang: str, ask: Ask, say: Say,
             clock: Callable[[], float] = time.monotonic) -> tuple[dict[str, list[int] | None], bool]:
    """All questions shown at once, answered in any order and revisited until submit, EOF or the time is up.

    Returns the answers by key and whether the time ran out."""
    answers: dict[str, list[int] | None] = {}
    deadline = clock() + minutes * 60
    for n, it in enumerate(items, 1):
        say("")
        for line in question_lines(n, 0, it, lang):
            say(line)
    say("")
    say(EXAM_HELP.render(lang))
    use_alarm = hasattr(signal, "setitimer")
    old = signal.signal(signal.SIGALRM, _raise_time_up) if use_alarm else None
    timed_out = False
    try:
        while True:
            left = deadline - clock()
            if left <= 0:
                raise TimeUp
            if use_alarm:
                signal.setitimer(signal.ITIMER_REAL, left)
            done = sum(1 for v in answers.values() if v)
            raw = ask(f"[{done}/{len(items)} {bilingual('解答済', 'answered', lang)}, "
                      f"{int(left // 60)}:{int(left % 60):02d} {bilingual('残り', 'left', lang)}] > ").strip().lower()
            if raw in ("s", "submit", "提出"):
                break
            if raw in ("l", "list"):
                for n, it in enumerate(items, 1):
                    got = answers.get(it.key)
                    say(f"  {n:>2}. {it.key:<24} {','.join(map(str, got)) if got else '-'}")
                continue
            parts = raw.replace(",", " ").split()
            if not parts or not parts[0].isdigit() or not 1 <= int(parts[0]) <= len(items):
                say(EXAM_HELP.render(lang))
                continue
            it = items[int(parts[0]) - 1]
            if len(parts) == 1:
                for line in question_lines(int(parts[0]), 0, it, lang):
                    say(line)
                continue
            chosen = _parse_choices(" ".join(parts[1:]), len(it.question.choices))
            if chosen is None:
                say("  " + bilingual("選択肢の番号が不正です", "not a choice number", lang))
                continue
            answers[it.key] = chosen
    except TimeUp:
        timed_out = True
        say("\n" + bilingual("時間切れです。採点します。", "time is up; scoring.", lang))
    except EOFError:
        say("")
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
    return answers, timed_out


def record(kind: str, section: str | None, items: list[Item], results: list[QuestionResult]) -> None:
    """Hand the results to the progress database when there is one; never let it break a drill."""
    try:
        import inspect

        from grader.practice.progress import record_answers

        if "questions" in inspect.signature(record_answers).parameters:  # so `grade review` can re-ask drawn ones
            record_answers(kind, section, results, questions=[it.question for it in items if it.parametric])
        else:
            record_answers(kind, section, results)
    except Exception:  # noqa: BLE001 - progress is optional (another module; may be absent or broken)
        pass
