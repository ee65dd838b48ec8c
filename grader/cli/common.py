"""What every typer command shares: its common options (declared in grader/cli/options.py) and the one policy
from an error to an exit code (grader/cli/policy.py), in typer's terms."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from grader.cli.options import DB, LANG, SANDBOX
from grader.cli.policy import exit_code_for, resolve_lang, resolve_sandbox  # noqa: F401 - commands take them here

# The learner's language: Japanese, English, or both (Japanese first); --sandbox: bubblewrap when it works (auto),
# always (require: fails closed), never (off). Their values are the options' choices.
Lang = Enum("Lang", [(c, c) for c in LANG.choices], type=str)  # type: ignore[misc]
SandboxMode = Enum("SandboxMode", [(c, c) for c in SANDBOX.choices], type=str)  # type: ignore[misc]


LangOption = Annotated[Lang | None, typer.Option(LANG.flag, case_sensitive=False, help=LANG.help)]
DbOption = Annotated[Path | None, typer.Option(DB.flag, help=DB.help)]
SandboxOption = Annotated[SandboxMode, typer.Option(SANDBOX.flag, case_sensitive=False, help=SANDBOX.help)]


def fail(e: BaseException, lang: str | None = None) -> NoReturn:
    """The one policy (grader/cli/policy.py) for a typer command: typer's own exits, usage errors (BadParameter:
    exit 2 with the usage line) and Ctrl-C pass; anything else says its message in `lang` (default: the
    command line's, the environment's or the saved one) and exits with the code the policy gives."""
    from typer.exceptions import TyperException

    if isinstance(e, (typer.Exit, typer.Abort, KeyboardInterrupt, TyperException)):
        raise e
    raise typer.Exit(exit_code_for(e, lang))
