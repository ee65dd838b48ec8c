"""Console entry point: start the worker before the heavy imports, then hand over to the typer app."""

from __future__ import annotations

import os
import re
import sys

_GRADES = re.compile(r"^(run|(day\d+\.)?section\d+)$", re.IGNORECASE)


def main() -> None:
    # pydantic would scan every installed distribution for plugins at the first model (~30 ms); we use none.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    argv = sys.argv[1:]
    if argv and _GRADES.match(argv[0]) and not {"--help", "-h"} & set(argv):
        try:
            from grader.engine import spawn

            spawn.prestart()  # its numpy import overlaps ours (DESIGN.md: performance budget)
        except OSError:
            pass  # grading will start one itself and report the failure properly
    try:
        from grader.cli.app import app

        app(prog_name="grade")
    except SystemExit:
        raise
    except BaseException as e:  # noqa: BLE001 - a grader fault exits 3, never as a learner's 0
        if isinstance(e, KeyboardInterrupt):
            sys.stderr.write("grade: interrupted\n")
            sys.exit(130)
        sys.stderr.write(f"grade: grader internal error (please report it): {type(e).__name__}: {e}\n")
        sys.exit(3)


if __name__ == "__main__":
    main()
