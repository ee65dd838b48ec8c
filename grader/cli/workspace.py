"""`grade init` and `grade reset`: the learner's own workspace (grader/practice/workspace.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from grader.cli.common import LangOption, fail, resolve_lang
from grader.errors import UsageError
from grader.text import Text, bilingual


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init(
        folder: Annotated[Path | None, typer.Argument(help="作成するフォルダ / the folder to create "
                                                           "(default: ./eshikaku-practice)")] = None,
        lang: LangOption = None,
    ) -> None:
        """自分用の作業フォルダを作成 / Write your own workspace: a copy of every exercise stub to edit and grade."""
        lang = resolve_lang(lang)
        try:
            from grader.practice.workspace import init as init_workspace

            dest, written = init_workspace(folder)
        except Exception as e:  # noqa: BLE001
            fail(e, lang)
        typer.echo(bilingual(f"作業フォルダを作成しました: {dest} ({len(written)} ファイル)",
                             f"workspace written: {dest} ({len(written)} files)", lang))
        typer.echo(f"  cd {dest}\n"
                   f"  grade            # {bilingual('次の未完了セクション', 'the next unfinished section', lang)}\n"
                   f"  grade section2   # {bilingual('セクション 2', 'section 2', lang)}")

    @app.command("reset")
    def reset(
        section: Annotated[str, typer.Argument(help="section2 (= day2.section2) or dayD.sectionN")],
        exercise: Annotated[str | None, typer.Argument(help="この演習だけ戻す / restore only this exercise "
                                                            "(a function or class)")] = None,
        yes: Annotated[bool, typer.Option("--yes", "-y", help="確認しない / do not ask")] = False,
        lang: LangOption = None,
    ) -> None:
        """雛形に戻す (確認あり、.backups/ に控え) / Restore a stub in your workspace (asks first, keeps a backup)."""
        lang = resolve_lang(lang)
        try:
            from grader.ids import normalize_id
            from grader.practice.workspace import require
            from grader.practice.workspace import reset as reset_file

            section_id = normalize_id(section)
            target = require().file(section_id)
            what = f"{target} の {exercise}" if exercise else str(target)
            what_en = f"{exercise} in {target}" if exercise else str(target)
            if not yes:
                if not sys.stdin.isatty():
                    raise UsageError(Text(ja="端末がないので確認できません: --yes を付けてください",
                                          en="cannot ask without a terminal: add --yes"))
                question = bilingual(f"{what} を雛形に戻しますか?", f"restore {what_en} to the stub?", lang)
                if not typer.confirm(question, default=False):
                    typer.echo(bilingual("中止しました", "nothing changed", lang))
                    raise typer.Exit(1)
            restored, backup = reset_file(section_id, exercise)
        except Exception as e:  # noqa: BLE001
            fail(e, lang)
        typer.echo(bilingual(f"雛形に戻しました: {restored}", f"restored: {restored}", lang))
        if backup is not None:
            typer.echo("  " + bilingual(f"控え: {backup}", f"backup: {backup}", lang))
