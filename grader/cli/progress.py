"""Commands `grade status`, `grade review`, `grade hint` and `grade watch`: parse options, call, render."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from grader.cli.common import DbOption, Lang, LangOption, fail, resolve_lang
from grader.errors import GraderError, UsageError
from grader.ids import short_id
from grader.text import Text, bilingual


def _setup(lang: Lang | None, db: Path | None) -> str:
    from grader.practice.progress import use_db

    chosen = resolve_lang(lang)
    use_db(db, chosen)
    return chosen


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def _pts(x: float) -> str:
    return f"{x:g}"


# ---------------------------------------------------------------- status


def status_lines(lang: str) -> list[str]:
    from grader.course.loading import load_bank, load_course
    from grader.practice.progress import db_path, read_progress

    course = load_course()
    progress = read_progress()
    out = [bilingual(f"進捗 ({db_path()})", f"progress ({db_path()})", lang)]
    head = [
        bilingual("セクション", "section", lang),
        bilingual("最高", "best", lang),
        bilingual("最新", "last", lang),
        bilingual("チェック", "checks", lang),
        bilingual("習得", "mastered", lang),
        bilingual("ヒント", "hints", lang),
    ]
    rows = [head]
    for s in course.sections:
        p = progress.sections.get(s.id)
        bank = load_bank(s.id)
        bank_ids = {q.id for q in bank.questions} if bank else set()
        if p is None or not p.attempts:
            graded = ["-", "-", "-"]
        else:
            graded = [
                f"{_pts(p.best[0])}/{_pts(p.best[1])}" if p.best else "-",
                f"{_pts(p.last[0])}/{_pts(p.last[1])}" if p.last else "-",
                f"{p.checks[0]}/{p.checks[1]}" if p.checks else "-",
            ]
        mastered = len(p.mastered & bank_ids) if p else 0
        rows.append([s.id, *graded, f"{mastered}/{len(bank_ids)}", str(p.hints if p else 0)])
    widths = [max(_width(r[i]) for r in rows) for i in range(len(head))]
    titles = [""] + [s.title.render(lang) for s in course.sections]
    for row, title in zip(rows, titles, strict=True):
        cells = [c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)]
        out.append(("  ".join(cells) + "  " + title).rstrip())
    n, score, max_score = progress.drills
    if n:
        out.append(
            bilingual(
                f"ドリル: {n} 回、正答 {_pts(score)}/{_pts(max_score)}",
                f"drills: {n}, {_pts(score)}/{_pts(max_score)} right",
                lang,
            )
        )
    if progress.last_exam:
        when, score, max_score = progress.last_exam
        out.append(
            bilingual(
                f"最新の模試: {_pts(score)}/{_pts(max_score)} ({when[:10]})",
                f"last mock exam: {_pts(score)}/{_pts(max_score)} ({when[:10]})",
                lang,
            )
        )
    out.append(bilingual("次にやること:", "next:", lang))
    out.extend("  " + line for step in next_steps(course, progress, lang) for line in step.splitlines())
    return out


def _width(s: str) -> int:
    """Columns on a terminal: East Asian wide characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def next_steps(course: Any, progress: Any, lang: str) -> list[str]:
    """Reviews due first; then the last section worked on, if short of full marks; then the next new one."""
    steps = []
    if progress.due:
        steps.append(
            bilingual(
                f"復習する問題が {progress.due} 問あります: grade review",
                f"{progress.due} {_plural(progress.due, 'question')} due for review: grade review",
                lang,
            )
        )
    graded = sorted(
        (p for p in progress.sections.values() if p.attempts), key=lambda p: p.last_at, reverse=True
    )
    known = {s.id: s for s in course.sections}
    current = next((p for p in graded if p.section in known and (p.failing or not p.quiz_full)), None)
    if current is not None:
        sid, s = short_id(current.section), known[current.section]
        if current.failing:
            ex = current.failing[0]
            steps.append(
                bilingual(
                    f"{s.id} の {ex} に取り組みましょう: grade {sid} (行き詰まったら grade hint {sid} {ex})",
                    f"work on {ex} in {s.id}: grade {sid} (stuck? grade hint {sid} {ex})",
                    lang,
                )
            )
        else:
            steps.append(
                bilingual(
                    f"{s.id} の確認テストで満点を取りましょう: grade {sid}",
                    f"get the quiz of {s.id} right: grade {sid}",
                    lang,
                )
            )
    untouched = next(
        (s for s in course.sections if not getattr(progress.sections.get(s.id), "attempts", 0)), None
    )
    if untouched is not None:
        sid = short_id(untouched.id)
        steps.append(
            bilingual(
                f"{untouched.id} ({untouched.title.ja}) に取り組みましょう: grade {sid}",
                f"start {untouched.id} ({untouched.title.en}): grade {sid}",
                lang,
            )
        )
    elif current is None:
        steps.append(
            bilingual(
                "全セクション満点です。模試に挑戦しましょう: grade exam",
                "every section is done: try a mock exam: grade exam",
                lang,
            )
        )
    if not progress.available:
        steps.append(
            bilingual(
                "(進捗データベースを使えないため記録なしとして表示しています)",
                "(progress database unavailable: shown as if nothing was recorded)",
                lang,
            )
        )
    return steps


# ---------------------------------------------------------------- review


def _resolve(cards: list[Any]) -> tuple[list[tuple[Any, Any]], list[Any]]:
    """(card, question) for every card that can be asked; the others (a drawn question not stored)."""
    from grader.course.loading import load_bank

    banks: dict[str, Any] = {}
    asked, lost = [], []
    for card in cards:
        q = None
        if card.section:
            if card.section not in banks:
                try:
                    banks[card.section] = load_bank(card.section)
                except GraderError:
                    banks[card.section] = None
            bank = banks[card.section]
            q = next((x for x in bank.questions if x.id == card.question_id), None) if bank else None
        q = q or card.question
        (asked if q is not None else lost).append((card, q) if q is not None else card)
    return asked, lost


def _by_section(pairs: list[tuple[Any, Any]]) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = {}
    for card, q in pairs:
        groups.setdefault(card.section or "", []).append(q)
    return groups


def _pseudo_bank(section: str, questions: list[Any]) -> Any:
    from grader.course.models import QuestionBank

    # model_construct: the due questions of one section, without re-validating ids against the section.
    return QuestionBank.model_construct(section=section, questions=questions)


def run_review(section: str | None, count: int, answers: Path | None, lang: str) -> int:
    from grader.course.quiz import ask_interactively, explanation_text, read_answers, score_question
    from grader.ids import normalize_id
    from grader.practice.progress import drop_card, due_cards, read_progress, record_answers

    sid = normalize_id(section) if section else None
    cards = due_cards(sid, count)
    pairs, lost = _resolve(cards)
    for card in lost:
        typer.echo(
            bilingual(
                f"{card.question_id}: 出題できないため復習から外します (生成問題の内容が記録されていません)",
                f"{card.question_id}: cannot be asked again (a drawn question that was not stored); "
                "removed from review",
                lang,
            )
        )
        drop_card(card.question_id)
    if not pairs:
        progress = read_progress()
        typer.echo(bilingual("今日復習する問題はありません。", "nothing is due for review today.", lang))
        if progress.next_due:
            typer.echo(
                bilingual(f"次の復習: {progress.next_due[:10]}", f"next review: {progress.next_due[:10]}", lang)
            )
        return 0
    typer.echo(
        bilingual(
            f"復習: {len(pairs)} 問 (間違えた問題を間隔をあけて再出題します)",
            f"review: {len(pairs)} {_plural(len(pairs), 'question')} (the ones you got wrong, spaced out over days)",
            lang,
        )
    )
    groups = _by_section(pairs)
    results_all = []
    if answers is not None:
        for sec, qs in groups.items():
            bank = _pseudo_bank(sec, qs)
            chosen = read_answers(answers, bank)
            results = [score_question(q, chosen[q.id], lang) for q in qs if q.id in chosen]
            for q, r in zip([q for q in qs if q.id in chosen], results, strict=True):
                typer.echo(("✔ " if r.correct else "✘ ") + f"{q.id}  {r.feedback}")
                typer.echo("    " + explanation_text(q, r.chosen, lang))
            record_answers("review", sec or None, results, questions=qs)
            results_all += results
        skipped = len(pairs) - len(results_all)
        if skipped:
            typer.echo(
                bilingual(
                    f"解答ファイルに無い {skipped} 問は次回に持ち越します",
                    f"{skipped} questions not in the answers file stay due",
                    lang,
                )
            )
    elif sys.stdin.isatty() and sys.stdout.isatty():
        for sec, qs in groups.items():
            report = ask_interactively(_pseudo_bank(sec, qs), lang, input, typer.echo)
            answered = [r for r in report.questions if r.chosen is not None]
            record_answers("review", sec or None, answered, questions=qs)
            results_all += answered
            if len(answered) < len(qs):
                break  # EOF: stop here; the rest stay due
    else:
        for _, q in pairs:
            typer.echo(f"  {q.id}  {bilingual(q.ja, q.en, lang).splitlines()[0][:80]}")
        typer.echo(
            bilingual(
                "端末がないので出題しません。grade review --answers FILE (質問 id: 番号) で答えてください",
                "no terminal: not asking. Answer with grade review --answers FILE (question id: number)",
                lang,
            )
        )
        return 0
    right = sum(r.correct for r in results_all)
    typer.echo(
        bilingual(f"復習: {right}/{len(results_all)} 正解", f"review: {right}/{len(results_all)} right", lang)
    )
    return 0 if results_all and right == len(results_all) else 1


# ---------------------------------------------------------------- hint


def hint_lines(section: str, exercise: str, reset: bool, lang: str) -> list[str]:
    from grader.course.loading import find_section
    from grader.ids import normalize_id
    from grader.practice.progress import take_hint

    sid = normalize_id(section)
    s = find_section(sid)
    ex = next((e for e in s.exercises if e.name.lower() == exercise.lower()), None)
    if ex is None:
        names = ", ".join(e.name for e in s.exercises)
        raise UsageError(Text(ja=f"{sid} に演習 {exercise} はありません (演習: {names})",
                              en=f"no exercise {exercise} in {sid} (exercises: {names})"))
    total = len(ex.hints)
    shown = take_hint(sid, ex.name, total, reset=reset)
    if reset:
        return [
            bilingual(f"{sid} {ex.name} のヒントを最初からにしました", f"hints of {sid} {ex.name} start over", lang)
        ]
    out = []
    if shown is None:
        shown = 1
        out.append(
            bilingual("(記録できないため最初のヒントを表示します)", "(cannot record: showing the first hint)", lang)
        )
    out.append(bilingual(f"ヒント {shown}/{total}: {sid} {ex.name}", f"hint {shown}/{total}: {sid} {ex.name}", lang))
    for i, h in enumerate(ex.hints[:shown], 1):
        mark = "→" if i == shown else " "
        lines = h.render(lang).splitlines()
        out.append(f"{mark} {i}. {lines[0]}")
        out.extend(f"     {line}" for line in lines[1:])
    if shown < total:
        out.append(
            bilingual(
                f"もう一度 grade hint {short_id(sid)} {ex.name} で次のヒント",
                f"run grade hint {short_id(sid)} {ex.name} again for the next hint",
                lang,
            )
        )
    else:
        out.append(bilingual("これが最後のヒントです", "that was the last hint", lang))
    return out


# ---------------------------------------------------------------- registration


def register(app: typer.Typer) -> None:
    @app.command("status")
    def status(lang: LangOption = None, db: DbOption = None) -> None:
        """進捗: 各セクションの点数・習得した問題と次にやること / Progress of every section, what to do next."""
        lang = _setup(lang, db)
        try:
            for line in status_lines(lang):
                typer.echo(line)
        except BaseException as e:  # noqa: BLE001
            fail(e, lang)

    @app.command("review")
    def review(
        section: Annotated[str | None, typer.Argument(help="このセクションだけ / only this section")] = None,
        count: Annotated[
            int, typer.Option("--count", min=1, help="最大問題数 / at most this many questions")
        ] = 10,
        answers: Annotated[
            Path | None,
            typer.Option(
                "--answers",
                help="解答 YAML (質問 id: 番号); 端末なしで使う / answers file, for use without a terminal",
            ),
        ] = None,
        lang: LangOption = None,
        db: DbOption = None,
    ) -> None:
        """間違えた問題の復習 (ライトナー式) / Review the questions you got wrong (Leitner boxes, by date)."""
        lang = _setup(lang, db)
        try:
            rc = run_review(section, count, answers, lang)
        except BaseException as e:  # noqa: BLE001
            fail(e, lang)
        raise typer.Exit(rc)

    @app.command("hint")
    def hint(
        section: Annotated[str, typer.Argument(help="section2 (= day2.section2) or dayD.sectionN")],
        exercise: Annotated[str, typer.Argument(help="演習名 / exercise name, e.g. Momentum")],
        reset: Annotated[
            bool, typer.Option("--reset", help="ヒントを最初から / start the hints over")
        ] = False,
        lang: LangOption = None,
        db: DbOption = None,
    ) -> None:
        """ヒントを一つずつ表示 (呼ぶたびに次のヒント) / Progressive hints: one more each time you ask."""
        lang = _setup(lang, db)
        try:
            for line in hint_lines(section, exercise, reset, lang):
                typer.echo(line)
        except BaseException as e:  # noqa: BLE001
            fail(e, lang)

    @app.command("watch")
    def watch(
        section: Annotated[str, typer.Argument(help="section2 (= day2.section2) or dayD.sectionN")],
        submission: Annotated[
            Path | None,
            typer.Option(
                "--submission", help="監視するファイル / file to watch (default: exercises/dayD/sectionN.py)"
            ),
        ] = None,
        poll: Annotated[
            bool,
            typer.Option(
                "--poll", help="変更通知のないファイルシステム向けに定期確認 / poll instead of change events"
            ),
        ] = False,
        interval: Annotated[
            float, typer.Option("--interval", min=0.05, help="--poll の間隔 (秒) / seconds between polls")
        ] = 0.5,
        lang: LangOption = None,
        timeout: Annotated[
            float | None,
            typer.Option(
                "--timeout", min=0.1, help="1 回の呼び出しの制限秒数 / seconds allowed per call (default 5)"
            ),
        ] = None,
        db: DbOption = None,
    ) -> None:
        """保存のたびに採点し変化を表示 (Ctrl-C で終了) / Re-grade on every save, show what changed."""
        lang = _setup(lang, db)
        try:
            from grader.ids import normalize_id
            from grader.practice.watch import watch_section
            from grader.practice.workspace import submission_for

            sid = normalize_id(section)
            path = submission if submission is not None else submission_for(sid)
            if not path.exists():
                raise UsageError(Text(ja=f"提出ファイルがありません: {path}", en=f"submission not found: {path}"))
            watch_section(sid, path, lang=lang, timeout=timeout, poll=poll, interval=interval, say=typer.echo)
        except KeyboardInterrupt:
            pass
        except BaseException as e:  # noqa: BLE001
            fail(e, lang)
        typer.echo(bilingual("監視を終了しました", "stopped watching", lang))
