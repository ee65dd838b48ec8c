"""`grade SECTION` (`grade run SECTION`): grade a section's exercises, then ask its 確認テスト — without typer.

The console entry point (launch.py) calls `main` for a plain, valid call (grader/cli/options.parse_run), so the
grading path imports neither typer nor rich nor pydantic before it has graded (docs/SPEED.md); the typer
command in app.py (help, odd calls) runs the same `run_section`. On a terminal or a pipe the checks appear
exercise by exercise as they finish; `--json` prints one document at the end.
"""

from __future__ import annotations

import sys
from typing import Any

from grader.cli.options import RunArgs
from grader.cli.policy import exit_code_for, resolve_lang, resolve_sandbox


def echo(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def run_section(args: RunArgs) -> int:
    """Grade, render, record; the exit code (0 full score, 1 anything short, 2 usage, 3 grader fault)."""
    lang = resolve_lang(args.lang)
    try:
        # numpy and the check engine, which grading needs first: imported before the sandbox is resolved, since
        # that answer may wait for the pre-started worker to come up (grader/engine/sandbox.witness)
        from grader.engine import runner  # noqa: F401
        from grader.grading import grade_section
        from grader.ids import normalize_id
        from grader.practice.progress import record_section, use_db  # imported while the worker starts
        from grader.practice.workspace import submission_for
        from grader.render.report import PlainView, render_json, summary_lines

        use_sandbox = resolve_sandbox(args.sandbox, lang)
        section_id = normalize_id(args.section)
        path = args.submission if args.submission is not None else submission_for(section_id)
        interactive = sys.stdin.isatty() and sys.stdout.isatty() and not args.json_out
        view = None if args.json_out else PlainView(lang, echo, color=sys.stdout.isatty())
        shown: list[bool] = []

        def show_checks(report: Any) -> None:
            if view is not None and not shown:
                view.finish_checks(report)
                view.finish(report)
                shown.append(True)

        if view is not None:
            from grader.course.loading import ROOT
            from grader.course.outline import section_outline

            view.start(section_id, section_outline(section_id, ROOT).title)
        report = grade_section(
            section_id, path, answers=args.answers, no_quiz=args.no_quiz, interactive=interactive, lang=lang,
            say=echo, before_quiz=show_checks, timeout=args.timeout, sandbox=use_sandbox,
            on_check=view.add if view is not None else None,
        )
        use_db(args.db, lang)
        record_section(report)  # never raises: a lost or corrupt database only prints a message
        if args.gradescope is not None:
            from grader.classroom.gradescope import write_results

            write_results(report, args.gradescope, lang=lang)
        if args.json_out:
            echo(render_json(report))
        elif shown and report.quiz.taken:
            for line in summary_lines(report, lang):
                echo(line)
        elif view is not None:
            view.finish_checks(report)
            view.finish(report)
    except KeyboardInterrupt:
        raise
    except Exception as e:  # noqa: BLE001 - the one policy: never a traceback, never a learner's 0
        return exit_code_for(e, lang)
    return 0 if report.max_score > 0 and report.score >= report.max_score else 1
