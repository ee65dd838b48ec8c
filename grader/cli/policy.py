"""The one policy from an exception to an exit code, and the sandbox choice — for every command, without typer.

Exit codes (README): 0 full score · 1 anything short · 2 usage error · 3 a fault of the grader (never the
learner's 0) · 130 interrupted · 141 the reader of our output left (a closed pipe).
grader/cli/common.py wraps `exit_code_for` for the typer commands; `grade SECTION` (grader/cli/run.py) and the
console entry point (launch.py) call it directly.
"""

from __future__ import annotations

import os
import sys

from grader.errors import GraderError, UsageError
from grader.sanitize import inert

GRADER_FAULT = 3
CLOSED_PIPE = 141  # 128 + SIGPIPE, as a shell reports a command a closed pipe stopped


def say_err(line: str) -> None:
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def exit_code_for(e: BaseException) -> int:
    """Say what `e` means on stderr and return the exit code: a GraderError says its message (usage errors 2,
    faults of the course data or the grader 3); a closed pipe ends quietly (141); anything else is a grader
    fault (3) — never a traceback to the learner (GRADER_DEBUG=1 prints one). Ctrl-C is the caller's (130)."""
    if isinstance(e, BrokenPipeError):  # `grade list | head`: the reader left; nobody's fault
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError:
            pass
        return CLOSED_PIPE
    if isinstance(e, GraderError):
        kind = "error" if e.exit_code == 2 else "grader internal error (please report it; not your fault)"
        say_err(f"grade: {kind}: {inert(e)}")
        return e.exit_code
    if os.environ.get("GRADER_DEBUG"):
        import traceback

        traceback.print_exception(e)
    say_err(f"grade: grader internal error (please report it; not your fault): {type(e).__name__}: {inert(e)}")
    return GRADER_FAULT


def resolve_sandbox(mode: str) -> bool:
    """Whether to sandbox: `require` without a working bubblewrap is a usage error (exit 2, fail closed); `auto`
    without it prints the banner on stderr (stdout stays one JSON document with --json); without the sandbox and
    without a PID namespace, one more line says a submission could signal the grader."""
    from grader.engine import sandbox
    from grader.engine.spawn import pid_warning

    mode = getattr(mode, "value", mode)
    try:
        use = bool(sandbox.resolve(mode, warn=say_err))
    except sandbox.SandboxUnavailable as e:
        raise UsageError(f"--sandbox require: サンドボックスを使えません / the sandbox is not available here: "
                         f"{e}") from None
    if (line := pid_warning(use)) is not None:
        say_err(line)
    return use
