"""What every command decides the same way, without typer: the language it speaks, the one policy from an exception
to an exit code, and the sandbox choice.

Exit codes (README): 0 full score · 1 anything short · 2 usage error · 3 a fault of the grader (never the
learner's 0) · 130 interrupted · 141 the reader of our output left (a closed pipe).
grader/cli/common.py wraps these for the typer commands; `grade SECTION` (grader/cli/run.py) and the console entry
point (launch.py) call them directly.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from grader.errors import GraderError, UsageError
from grader.sanitize import inert
from grader.text import Text

GRADER_FAULT = 3
CLOSED_PIPE = 141  # 128 + SIGPIPE, as a shell reports a command a closed pipe stopped
ERROR = Text(ja="エラー", en="error")
FAULT = Text(ja="採点側の内部エラー (あなたの誤りではありません。報告してください)",
             en="grader internal error (please report it; not your fault)")


def say_err(line: str) -> None:
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def resolve_lang(option: Any) -> str:
    """The language of this command (--lang, else $GRADER_LANG, else `grade config lang`, else both:
    grader/settings.py); a source skipped on the way (a bad value, an unreadable settings file) is one line on
    stderr, in the language chosen. `option`: the --lang value (a str, an enum of them, or None)."""
    from grader.settings import resolve_lang as resolve

    choice = resolve(getattr(option, "value", option))
    for ja, en in choice.notes:
        say_err(f"grade: {Text(ja=ja, en=en).render(choice.value)}")
    return choice.value


def current_lang() -> str:
    """The language when a command has not said it (a fault before or outside the command): the --lang of the
    command line, else $GRADER_LANG, else the saved setting, else both; silent about bad values."""
    from grader.settings import lang_in_argv
    from grader.settings import resolve_lang as resolve

    return resolve(lang_in_argv(sys.argv[1:])).value


def exit_code_for(e: BaseException, lang: str | None = None) -> int:
    """Say what `e` means on stderr, in `lang` (default: current_lang()), and return the exit code: a GraderError
    says its message (usage errors 2, faults of the course data or the grader 3); a closed pipe ends quietly
    (141); anything else is a grader fault (3) — never a traceback to the learner (GRADER_DEBUG=1 prints one).
    The details of a grader fault are a report for its authors, in English. Ctrl-C is the caller's (130)."""
    if isinstance(e, BrokenPipeError):  # `grade list | head`: the reader left; nobody's fault
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError:
            pass
        return CLOSED_PIPE
    if lang is None:
        try:
            lang = current_lang()
        except Exception:  # noqa: BLE001 - the policy must not fail on the way to its message
            lang = "both"
    if isinstance(e, GraderError):
        kind = ERROR if e.exit_code == 2 else FAULT
        say_err(f"grade: {kind.render(lang)}: {inert(e.render(lang))}")
        return e.exit_code
    if os.environ.get("GRADER_DEBUG"):
        import traceback

        traceback.print_exception(e)
    say_err(f"grade: {FAULT.render(lang)}: {type(e).__name__}: {inert(e)}")
    return GRADER_FAULT


def resolve_sandbox(mode: Any, lang: str = "both") -> bool:
    """Whether to sandbox: `require` without a working bubblewrap is a usage error (exit 2, fail closed); `auto`
    without it prints the banner on stderr (stdout stays one JSON document with --json); without the sandbox and
    without a PID namespace, one more line says a submission could signal the grader."""
    from grader.engine import sandbox
    from grader.engine.spawn import pid_warning

    try:
        use = bool(sandbox.resolve(getattr(mode, "value", mode), warn=say_err, lang=lang))
    except sandbox.SandboxUnavailable as e:
        raise UsageError(Text(ja=f"--sandbox require: このマシンではサンドボックスを使えません ({e})",
                              en=f"--sandbox require: the sandbox is not available here: {e}")) from None
    if (line := pid_warning(use, lang)) is not None:
        say_err(line)
    return use
