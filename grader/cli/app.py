"""The `grade` command: parse options, call the grading code, render the report, choose the exit code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from grader.cli.common import DbOption, Lang, LangOption, SandboxMode, SandboxOption, fail, resolve_sandbox
from grader.ids import SECTION_ARG
from grader.text import bilingual


class SectionGroup(TyperGroup):
    """`grade section2` is short for `grade run section2`: a section id in place of a command runs it."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands and SECTION_ARG.match(args[0]):
            return "run", self.commands["run"], args
        return super().resolve_command(ctx, args)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)


app = typer.Typer(
    cls=SectionGroup,
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="E資格 演習の採点 / Grader for E資格 practice: `grade init` writes your workspace; in it `grade section2` "
         "grades your day2/section2.py and `grade` alone the next unfinished section.",
)

@app.command("run")
def run(
    section: Annotated[str, typer.Argument(help="section2 (= day2.section2) or dayD.sectionN")],
    submission: Annotated[
        Path | None,
        typer.Option("--submission", help="採点するファイル / file to grade (default: your workspace's "
                                          "dayD/sectionN.py; in a clone of the project exercises/dayD/sectionN.py)"),
    ] = None,
    answers: Annotated[
        Path | None, typer.Option("--answers", help="確認テストの解答 YAML (質問 id: 番号) / quiz answers file")
    ] = None,
    no_quiz: Annotated[bool, typer.Option("--no-quiz", help="確認テストを省略 / skip the quiz")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="JSON で出力 / print the report as JSON")] = False,
    lang: LangOption = Lang.both,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", min=0.1, help="1 回の呼び出しの制限秒数 / seconds allowed per call (default 5)"),
    ] = None,
    sandbox: SandboxOption = SandboxMode.auto,
    db: DbOption = None,
    gradescope: Annotated[
        Path | None, typer.Option("--gradescope", help="Gradescope の results.json も書き出す / also write the report "
                                                      "as Gradescope's results.json to this path")
    ] = None,
) -> None:
    """セクションを採点し確認テストを出題 / Grade a section's exercises, then ask its 確認テスト."""
    lang = lang.value
    try:
        from grader.grading import grade_section
        from grader.ids import normalize_id
        from grader.practice.workspace import submission_for
        from grader.render.report import render_json, render_plain, render_rich, summary_lines

        use_sandbox = resolve_sandbox(sandbox)
        section_id = normalize_id(section)
        path = submission if submission is not None else submission_for(section_id)
        interactive = sys.stdin.isatty() and sys.stdout.isatty() and not json_out
        rich_out = sys.stdout.isatty() and not json_out

        def show_checks(report: Any) -> None:
            (render_rich(report, lang) if rich_out else render_plain(report, lang, typer.echo))

        report = grade_section(
            section_id, path, answers=answers, no_quiz=no_quiz, interactive=interactive, lang=lang,
            say=typer.echo, before_quiz=show_checks, timeout=timeout, sandbox=use_sandbox,
        )
        from grader.practice.progress import record_section, use_db

        use_db(db)
        record_section(report)  # never raises: a lost or corrupt database only prints a message
        if gradescope is not None:
            from grader.classroom.gradescope import write_results

            write_results(report, gradescope, lang=lang)
    except Exception as e:  # noqa: BLE001 - the one policy: never a traceback, never a learner's 0
        fail(e)
    if json_out:
        typer.echo(render_json(report))
    elif interactive and report.quiz.taken:
        for line in summary_lines(report, lang):
            typer.echo(line)
    else:
        show_checks(report)
    raise typer.Exit(0 if report.max_score > 0 and report.score >= report.max_score else 1)


@app.command("list")
def list_sections(lang: LangOption = Lang.both) -> None:
    """セクション一覧 / Every section with its exercises and questions."""
    lang = lang.value
    try:
        from grader.course.loading import load_bank, load_course

        course = load_course()
        typer.echo(course.title.render(lang))
        for s in course.sections:
            bank = load_bank(s.id)
            n_q = len(bank.questions) if bank else 0
            short = f" ({s.name})" if s.day == "day2" else ""
            typer.echo(f"{s.id}{short}  {s.title.render(lang)}")
            exercises = ", ".join(f"{e.name} [{e.points}]" for e in s.exercises)
            typer.echo(f"    {bilingual('演習', 'exercises', lang)}: {exercises}")
            typer.echo(f"    {bilingual('確認テスト', 'quiz', lang)}: {n_q} {bilingual('問', 'questions', lang)}")
    except Exception as e:  # noqa: BLE001
        fail(e)


# Commands of other workflows live in their own modules (one per verb family, otter-grader style); each
# exposes `register(app)`. The list is explicit so a typo is an error, not a silently missing command.
COMMAND_MODULES: tuple[str, ...] = ("progress", "batch", "practice", "release", "workspace")


def _register_command_modules() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"grader.cli.{name}").register(app)


_register_command_modules()
