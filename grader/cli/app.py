"""The `grade` command: parse options, call the grading code, render the report, choose the exit code."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from grader.cli.common import DbOption, LangOption, SandboxMode, SandboxOption, fail, resolve_lang
from grader.cli.options import ANSWERS, GRADESCOPE, JSON, NO_QUIZ, SUBMISSION, TIMEOUT, RunArgs
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
    submission: Annotated[Path | None, typer.Option(SUBMISSION.flag, help=SUBMISSION.help)] = None,
    answers: Annotated[Path | None, typer.Option(ANSWERS.flag, help=ANSWERS.help)] = None,
    no_quiz: Annotated[bool, typer.Option(NO_QUIZ.flag, help=NO_QUIZ.help)] = False,
    json_out: Annotated[bool, typer.Option(JSON.flag, help=JSON.help)] = False,
    lang: LangOption = None,
    timeout: Annotated[float | None, typer.Option(TIMEOUT.flag, min=TIMEOUT.minimum, help=TIMEOUT.help)] = None,
    sandbox: SandboxOption = SandboxMode.auto,
    db: DbOption = None,
    gradescope: Annotated[Path | None, typer.Option(GRADESCOPE.flag, help=GRADESCOPE.help)] = None,
) -> None:
    """セクションを採点し確認テストを出題 / Grade a section's exercises, then ask its 確認テスト."""
    from grader.cli.run import run_section

    raise typer.Exit(run_section(RunArgs(section, submission, answers, no_quiz, json_out,
                                         lang.value if lang is not None else None, timeout, sandbox.value, db,
                                         gradescope)))


@app.command("list")
def list_sections(lang: LangOption = None) -> None:
    """セクション一覧 / Every section with its exercises and questions."""
    lang = resolve_lang(lang)
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
        fail(e, lang)


# Commands of other workflows live in their own modules (one per verb family, otter-grader style); each
# exposes `register(app)`. The list is explicit so a typo is an error, not a silently missing command.
COMMAND_MODULES: tuple[str, ...] = ("progress", "batch", "practice", "release", "workspace", "config")


def _register_command_modules() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"grader.cli.{name}").register(app)


_register_command_modules()
