"""What every command shares: its options, declared once, and the one policy from an error to an exit code.

Exit codes (README): 0 full score · 1 anything short · 2 usage error · 3 a fault of the grader (never the
learner's 0) · 130 interrupted · 141 the reader of our output left (a closed pipe).
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from grader.errors import GraderError, UsageError
from grader.sanitize import inert


class Lang(str, Enum):
    """The learner's language: Japanese, English, or both (Japanese first)."""

    ja = "ja"
    en = "en"
    both = "both"


class SandboxMode(str, Enum):
    """--sandbox: bubblewrap when it works (auto), always (require: fails closed), never (off)."""

    auto = "auto"
    require = "require"
    off = "off"


LangOption = Annotated[Lang, typer.Option(
    "--lang", case_sensitive=False, help="ja | en | both (default: 日本語のあとに英語 / Japanese then English)")]
DbOption = Annotated[Path | None, typer.Option(
    "--db", help="進捗データベース / progress database (default: $GRADER_DB or "
                 "~/.local/share/eshikaku-grader/progress.sqlite3)")]
SandboxOption = Annotated[SandboxMode, typer.Option(
    "--sandbox", case_sensitive=False,
    help="auto | require | off: 学習者のコードを bubblewrap で隔離 (auto: 使えれば使う, require: 使えなければ終了 2) / "
         "isolate the learner's code with bubblewrap (docs/SECURITY.md)")]


def fail(e: BaseException) -> NoReturn:
    """The one policy from an exception to an exit: typer's own exits and Ctrl-C pass; a GraderError says its
    message (usage errors 2, faults of the course data or the grader 3); a closed pipe ends quietly (141);
    anything else is a grader fault (3) — never a traceback to the learner (GRADER_DEBUG=1 prints one)."""
    from typer.exceptions import TyperException

    if isinstance(e, (typer.Exit, typer.Abort, KeyboardInterrupt, TyperException)):
        raise e  # typer's own exits, usage errors (BadParameter: exit 2 with the usage line) and Ctrl-C
    if isinstance(e, BrokenPipeError):  # `grade list | head`: the reader left; nobody's fault
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError:
            pass
        raise typer.Exit(141)  # 128 + SIGPIPE, as a shell reports a command a closed pipe stopped
    if isinstance(e, GraderError):
        kind = "error" if e.exit_code == 2 else "grader internal error (please report it; not your fault)"
        typer.echo(f"grade: {kind}: {inert(e)}", err=True)
        raise typer.Exit(e.exit_code)
    if os.environ.get("GRADER_DEBUG"):
        import traceback

        traceback.print_exc()
    typer.echo(f"grade: grader internal error (please report it; not your fault): {type(e).__name__}: {inert(e)}",
               err=True)
    raise typer.Exit(3)


def resolve_sandbox(mode: SandboxMode | str) -> bool:
    """Whether to sandbox: `require` without a working bubblewrap is a usage error (exit 2, fail closed); `auto`
    without it prints the banner on stderr (stdout stays one JSON document with --json); without the sandbox and
    without a PID namespace, one more line says a submission could signal the grader."""
    from grader.engine import sandbox
    from grader.engine.spawn import pid_warning

    try:
        use = bool(sandbox.resolve(SandboxMode(mode).value, warn=lambda line: typer.echo(line, err=True)))
    except sandbox.SandboxUnavailable as e:
        raise UsageError(f"--sandbox require: サンドボックスを使えません / the sandbox is not available here: "
                         f"{e}") from None
    if (line := pid_warning(use)) is not None:
        typer.echo(line, err=True)
    return use
