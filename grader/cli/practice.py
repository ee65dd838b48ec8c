"""Commands for exam practice and authoring: `grade quiz`, `grade exam`, `grade bank check|schema|new-section`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from grader.cli.common import LangOption, fail, resolve_lang
from grader.errors import UsageError
from grader.ids import day_and_name
from grader.text import Text, bilingual

Seed = Annotated[int | None, typer.Option(
    "--seed", min=0, help="同じ seed で同じ問題 / the same seed gives the same questions")]
Answers = Annotated[Path | None, typer.Option(
    "--answers",
    help="解答 YAML (問題キー: 番号) / answers file mapping question keys (from --print) to choice numbers")]
PrintOpt = Annotated[bool, typer.Option(
    "--print", help="問題とキーを表示して終了 (解答なし) / list the questions and their keys, then exit")]
JsonOpt = Annotated[bool, typer.Option("--json", help="JSON で出力 / output as JSON")]


def _guard(fn: Any, lang: str | None = None) -> None:
    """Run a command body under the one error→exit policy (grader/cli/common.py), speaking `lang`."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        fail(e, lang)


def _new_seed() -> int:
    import random

    return random.SystemRandom().randrange(1_000_000)


def _no_terminal(command: str) -> UsageError:
    return UsageError(Text(
        ja=f"端末がないので対話できません: `grade {command} --print` で問題とキーを表示し、--answers FILE で答えて"
           "ください",
        en=f"no terminal to ask on: list the questions with `grade {command} --print` and answer them with "
           "--answers FILE"))


def _practice(kind: str, sections: list[str] | None, count: int, seed: int | None, answers: Path | None,
              print_only: bool, json_out: bool, lang: str, minutes: float | None) -> None:
    from grader.course.quiz import read_answer_file
    from grader.practice import drill
    from grader.practice.progress import use_db

    use_db(None, lang)  # the database's own lines (a corrupt file moved aside) in the learner's language too

    say = typer.echo
    answer_map = read_answer_file(answers) if answers is not None else None
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if answer_map is None and not print_only and not interactive:
        raise _no_terminal(kind)
    if answer_map is not None and seed is None:
        session = drill.session_from_answers(answer_map)  # the file's keys are the questions
    else:
        session = drill.build(sections, count, seed if seed is not None else _new_seed())
    if not session.items:
        raise UsageError(Text(ja="出題できる問題がありません", en="no questions to ask"))
    if print_only:
        data = drill.listing(session, lang)
        if json_out:
            say(json.dumps({**data, "notes": [n.render(lang) for n in session.notes]}, ensure_ascii=False, indent=1))
            return
        for note in session.notes:
            say(note.render(lang))
        say(f"{bilingual('シード', 'seed', lang)} {session.seed}  ({len(session.items)} "
            f"{bilingual('問', 'questions', lang)})")
        for n, it in enumerate(session.items, 1):
            for line in drill.question_lines(n, 0, it, lang):
                say(line)
        return
    for note in session.notes:
        say(note.render(lang))
    timed_out = False
    if answer_map is not None:
        results = drill.score(session.items, answer_map, lang)
    elif kind == "quiz":
        say(bilingual(f"ドリル: {len(session.items)} 問 (シード {session.seed}; --seed {session.seed} で再現)",
                         f"drill: {len(session.items)} questions (seed {session.seed}; --seed {session.seed} "
                         "repeats it)", lang))
        results = drill.ask_drill(session.items, lang, input, say)
    else:
        say(bilingual(f"模擬試験: {len(session.items)} 問, {minutes:g} 分 (シード {session.seed})",
                         f"mock exam: {len(session.items)} questions, {minutes:g} minutes (seed {session.seed})", lang))
        got, timed_out = drill.ask_exam(session.items, minutes or 0, lang, input, say)
        results = drill.score(session.items, got, lang)
    drill.record("drill" if kind == "quiz" else "exam",
                 sections[0] if sections and len(sections) == 1 else None, session.items, results)
    if json_out:
        say(json.dumps({**drill.to_json(kind, session, results), "timed_out": timed_out}, ensure_ascii=False, indent=1))
    else:
        if answer_map is not None or kind == "exam":
            say("")
            for line in drill.result_lines(session.items, results, lang):
                say(line)
        say("")
        for line in drill.summary_lines(session.items, results, lang):
            say(line)
    raise typer.Exit(0 if results and all(r.correct for r in results) else 1)


def register(app: typer.Typer) -> None:
    @app.command("quiz")
    def quiz(
        sections: Annotated[list[str] | None, typer.Argument(
            help="section2 day1.section3 … (default: all sections)")] = None,
        count: Annotated[int, typer.Option("--count", min=1, max=200, help="問題数 / number of questions")] = 10,
        seed: Seed = None,
        answers: Answers = None,
        print_only: PrintOpt = False,
        json_out: JsonOpt = False,
        lang: LangOption = None,
    ) -> None:
        """ドリル: 固定問題とパラメトリック問題を 1 問ずつ / A drill of fixed and parametric questions, one by one."""
        lang = resolve_lang(lang)

        def body() -> None:
            from grader.course.loading import find_section
            from grader.ids import normalize_id

            ids = [find_section(normalize_id(s)).id for s in sections] if sections else None
            _practice("quiz", ids, count, seed, answers, print_only, json_out, lang, None)

        _guard(body, lang)

    @app.command("exam")
    def exam(
        minutes: Annotated[float, typer.Option(
            "--minutes", min=0.01, help="制限時間 (分) / time limit in minutes")] = 30.0,
        count: Annotated[int, typer.Option("--count", min=1, max=200, help="問題数 / number of questions")] = 20,
        seed: Seed = None,
        answers: Answers = None,
        print_only: PrintOpt = False,
        json_out: JsonOpt = False,
        lang: LangOption = None,
    ) -> None:
        """模擬試験: 全セクションから時間制限つき / A timed mock exam across all sections, answered in any order."""
        lang = resolve_lang(lang)
        _guard(lambda: _practice("exam", None, count, seed, answers, print_only, json_out, lang, minutes), lang)

    bank = typer.Typer(no_args_is_help=True,
                       help="問題バンクの作者向けツール / Tools for authors of the question bank.")

    @bank.command("check")
    def check(
        seeds: Annotated[int, typer.Option(
            "--seeds", min=1, help="テンプレートごとに試す seed の数 / seeds per template")] = 200,
        no_grading: Annotated[bool, typer.Option(
            "--no-grading",
            help="雛形と解答例の採点を省く (速い) / skip grading the stubs and solutions (fast)")] = False,
    ) -> None:
        """問題バンクを検証 / Validate the bank, manifest, templates, answer keys, stubs and solutions."""

        def body() -> None:
            from grader.authoring import run_all

            problems = run_all(typer.echo, seeds=seeds, grading=not no_grading)
            raise typer.Exit(1 if problems else 0)

        _guard(body)

    @bank.command("schema")
    def schema(
        out: Annotated[Path | None, typer.Argument(
            help="出力先 (省略時は標準出力) / output file (default: stdout)")] = None,
    ) -> None:
        """問題 YAML の JSON Schema を出力 / Write the JSON Schema of the question files (for editors)."""

        def body() -> None:
            from grader.authoring import json_schema

            text = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
            if out is None:
                typer.echo(text, nl=False)
            else:
                out.write_text(text, encoding="utf-8")
                typer.echo(f"wrote {out}")

        _guard(body)

    @bank.command("new-section")
    def new_section(
        section: Annotated[str, typer.Argument(help="新しいセクションの id / the new section's id: dayD.sectionN")],
        title: Annotated[str | None, typer.Argument(
            help='題名 "日本語 / English" / the title, "Japanese / English"')] = None,
        ja: Annotated[str | None, typer.Option("--ja", help="日本語の題名 / the Japanese title")] = None,
        en: Annotated[str | None, typer.Option("--en", help="英語の題名 / the English title")] = None,
        exercise: Annotated[list[str] | None, typer.Option(
            "--exercise", "-e",
            help="演習名 (繰り返し可; 省略時は既存の雛形から) / an exercise's name (repeatable; default: the "
                 "functions and classes of an existing stub)")] = None,
        points: Annotated[int, typer.Option(
            "--points", min=1, help="演習ごとの配点 / points per exercise")] = 1,
    ) -> None:
        """新しいセクションの全ファイルを用意 / Scaffold every file of a new section and add it to course.yaml.

        Files that exist are kept. Each placeholder says PLACEHOLDER; `grade bank check` names every one left.
        """

        def body() -> None:
            from grader.authoring import ROOT, new_section, unlisted_packages

            title_ja, title_en = ja, en
            if title is not None:
                parts = [p.strip() for p in title.split(" / ", 1)]
                title_ja = title_ja or parts[0] or None
                title_en = title_en or (parts[1] if len(parts) == 2 else None) or None
            made = new_section(section, title_ja, title_en, exercise, points)
            for p in made.created:
                typer.echo(f"created {p.relative_to(ROOT)}")
            for p in made.kept:
                typer.echo(f"kept    {p.relative_to(ROOT)} (exists)")
            typer.echo(f"added   {made.section} to question_bank/course.yaml (exercises: {', '.join(made.exercises)})")
            for pkg, _ in unlisted_packages(day_and_name(made.section)[0]):
                typer.echo(f"to do   add {pkg} to [tool.setuptools] packages in pyproject.toml (a new day's folder)")
            typer.echo("")
            typer.echo("次: `grade bank check` が残りの作業を示します / next: `grade bank check` names what is left to "
                       "write (docs/AUTHORING.md)")

        _guard(body)

    app.add_typer(bank, name="bank")
    # the name for it, at the top level too (the same function: one place for its options)
    app.command("new-section", help="新しいセクションの雛形を作成 (= grade bank new-section) / Scaffold a new section "
                                    "(same as grade bank new-section).")(new_section)
