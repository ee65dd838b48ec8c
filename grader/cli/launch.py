"""Console entry point: start the worker before the heavy imports, then hand over to the typer app."""

from __future__ import annotations

import os
import sys

from grader.ids import SECTION_ARG  # the worker starts before anything heavier is imported here


def main() -> None:
    # pydantic would scan every installed distribution for plugins at the first model (~30 ms); we use none.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    argv = sys.argv[1:]
    if not argv:
        argv = _next_in_workspace()
        sys.argv[1:] = argv
    if argv and (argv[0] == "run" or SECTION_ARG.match(argv[0])) and not {"--help", "-h"} & set(argv):
        try:
            from grader.engine import spawn

            spawn.prestart()  # its numpy import overlaps ours (DESIGN.md: performance budget)
        except OSError:
            pass  # grading will start one itself and report the failure properly
    try:
        from grader.cli.options import parse_run

        if (args := parse_run(argv)) is not None:  # `grade SECTION`, plainly: no typer on the grading path
            from grader.cli.run import run_section

            _exit_now(run_section(args))
        from grader.cli.app import app

        app(prog_name="grade")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write(f"grade: {_say('中断しました', 'interrupted')}\n")
        sys.exit(130)
    except BaseException as e:  # noqa: BLE001 - outside any command too, the one error→exit policy decides
        sys.exit(_exit_code_for(e))
    finally:
        _release_workers()


def _exit_now(code: int) -> None:
    """End a finished `grade SECTION` without the interpreter's teardown (unloading numpy and the rest;
    docs/SPEED.md): its report is written and flushed, its database closed, its workers gone — nothing is left
    for the teardown to do (no atexit hook, no thread). A stdout that cannot be flushed (a closed pipe) takes the
    ordinary way out, through the one error policy."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:  # noqa: BLE001 - the ordinary exit reports it
        sys.exit(code)
    _release_workers()
    os._exit(code)


def _release_workers() -> None:
    """Stop what this command started and no grading took: the worker pre-started before the options were read
    (a submission that does not even load, a command that failed first) and a template (GRADER_WORKER_TEMPLATE),
    with their temporary folders."""
    spawn = sys.modules.get("grader.engine.spawn")
    if spawn is not None:
        try:
            spawn.discard_prestarted()
            spawn.close_template()
        except Exception:  # noqa: BLE001, S110 - best effort on the way out: the worker dies with us anyway
            pass


def _exit_code_for(e: BaseException) -> int:
    """What the one policy (grader/cli/policy.py) says of `e` (a closed pipe 141, a GraderError its code, anything
    else 3, its message made inert); a grader fault's code if even that fails."""
    try:
        from grader.cli.policy import exit_code_for

        return exit_code_for(e)
    except BaseException:  # noqa: BLE001, S110 - the policy itself broke: still never a learner's 0
        pass
    fault = _say("採点側の内部エラー (報告してください)", "grader internal error (please report it)")
    sys.stderr.write(f"grade: {fault}\n")
    from grader.errors import InternalError  # not before the worker starts: it imports typing

    return InternalError.exit_code


def _say(ja: str, en: str) -> str:
    """A line said before or after a command (no --lang parsed yet): in the language of the command line, the
    environment or the saved setting (grader/cli/policy.current_lang); both if even that fails."""
    try:
        from grader.cli.policy import current_lang
        from grader.text import bilingual

        return bilingual(ja, en, current_lang())
    except Exception:  # noqa: BLE001 - a line about a fault must not become another fault
        return f"{ja} / {en}"


def _next_in_workspace() -> list[str]:
    """`grade` alone in a workspace grades the next unfinished section; elsewhere (and in a clone) it shows the
    help, with one line on how to make a workspace."""
    try:
        from grader.practice.workspace import find, next_unfinished

        ws = find()
        if ws is None or ws.clone:
            sys.stderr.write(_say("grade init で作業フォルダを作り、その中で grade を実行すると次の未完了セクションを"
                                  "採点します",
                                  "make a workspace with `grade init`; inside it `grade` alone grades the next "
                                  "unfinished section") + "\n")
            return []
        section = next_unfinished()
    except Exception:  # noqa: BLE001 - no guess: the help is shown, the commands say what is wrong
        return []
    if section is None:
        sys.stderr.write(_say("すべてのセクションのチェックに合格しています: `grade quiz` か `grade exam` をどうぞ",
                              "every section's checks pass: try `grade quiz` or `grade exam`") + "\n")
        return []
    sys.stderr.write(_say(f"次の未完了セクション: {section}", f"next unfinished section: {section}") + "\n")
    return [section]


if __name__ == "__main__":
    main()
