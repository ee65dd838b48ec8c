"""`grade config lang [ja|en|both]`: the learner's saved language (grader/settings.py decides the order)."""

from __future__ import annotations

from typing import Annotated

import typer

from grader.cli.common import Lang, fail, resolve_lang
from grader.errors import UsageError
from grader.text import Text


def describe_source(source: str, config: str) -> Text:
    """Where the language in force comes from, said to the learner."""
    from grader.settings import LANG_ENV

    return {
        "option": Text(ja="--lang で指定", en="from --lang"),
        "env": Text(ja=f"環境変数 {LANG_ENV} による", en=f"from the environment variable {LANG_ENV}"),
        "config": Text(ja=f"{config} に保存された設定", en=f"saved in {config}"),
    }.get(source, Text(ja="既定: 日本語のあとに英語", en="the default: Japanese, then English"))


def register(app: typer.Typer) -> None:
    config = typer.Typer(no_args_is_help=True, help="設定を保存・表示 / Saved settings (grade config lang en).")

    @config.command("lang")
    def lang(
        value: Annotated[Lang | None, typer.Argument(
            case_sensitive=False,
            help="ja | en | both (both: 保存した設定を消して既定に戻す / removes the setting: back to the default)",
        )] = None,
    ) -> None:
        """表示言語を保存・表示 / Save the language of every command, or show it and where it comes from.

        --lang and $GRADER_LANG win over the saved setting; `grade config lang both` removes it.
        """
        from grader.settings import LANG_ENV, save_lang
        from grader.settings import resolve_lang as resolve

        shown = resolve_lang(None)
        try:
            if value is not None:
                try:
                    path = save_lang(Lang(value).value)
                except OSError as e:
                    raise UsageError(Text(ja=f"設定ファイルに書き込めません: {e}",
                                          en=f"cannot write the settings file: {e}")) from None
                choice = resolve(None)
                shown = choice.value
                if value == Lang.both:
                    typer.echo(Text(ja=f"保存した言語の設定を消しました ({path})",
                                    en=f"the saved language setting is removed ({path})").render(shown))
                else:
                    typer.echo(Text(ja=f"言語を {value.value} にしました ({path} に保存)",
                                    en=f"language set to {value.value} (saved in {path})").render(shown))
                if choice.source == "env":
                    typer.echo(Text(ja=f"ただし環境変数 {LANG_ENV}={choice.value} が優先されます",
                                    en=f"but the environment variable {LANG_ENV}={choice.value} takes precedence")
                               .render(shown))
                return
            choice = resolve(None)
            typer.echo(f"{choice.value}  ({describe_source(choice.source, str(choice.config)).render(shown)})")
        except Exception as e:  # noqa: BLE001
            fail(e, shown)

    app.add_typer(config, name="config")
