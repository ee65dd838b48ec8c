"""Commands `grade batch` (grade a whole class) and `grade summary` (class overview)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from grader.cli.common import SandboxMode, SandboxOption, fail, resolve_sandbox
from grader.sanitize import inert


def _plain(text: Any) -> str:
    return inert(text, multiline=False)


def _line(rec: dict[str, Any], cached: bool) -> str:
    status = rec["status"]
    if status == "ok":
        what = f"{rec['score']:g}/{rec['max_score']:g}" + (" (cached)" if cached else "")
    else:
        what = rec.get("reason", "")
    return f"{_plain(rec['student'])}  {_plain(status)}  {_plain(what)}"


class _Progress:
    """A rich progress bar (counts, ETA) on a terminal; one plain line per submission when piped."""

    def __init__(self, rich_out: bool):
        self.rich_out = rich_out
        self.done = 0
        self.total = 0
        self.counts = {"ok": 0, "cached": 0, "rejected": 0, "error": 0}
        self.bar: Any = None

    def start(self, total: int, todo: int) -> None:
        self.total = total
        if self.rich_out:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[counts]}"), TimeRemainingColumn())
            self.bar.start()
            self.task = self.bar.add_task("採点中 / grading", total=total, counts="")
        else:
            typer.echo(f"{total} submissions, {total - todo} already graded or rejected, {todo} to grade")

    def result(self, rec: dict[str, Any], cached: bool) -> None:
        self.done += 1
        key = "cached" if cached else rec["status"]
        self.counts[key] = self.counts.get(key, 0) + 1
        if self.bar is not None:
            from rich.markup import escape

            counts = " · ".join(f"{k} {n}" for k, n in self.counts.items() if n)
            self.bar.update(self.task, advance=1, counts=counts)
            if rec["status"] != "ok":
                self.bar.console.print(escape(_line(rec, cached)), highlight=False, emoji=False)
        else:
            typer.echo(f"[{self.done:>{len(str(self.total))}}/{self.total}] {_line(rec, cached)}")

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def register(app: typer.Typer) -> None:
    @app.command("batch")
    def batch(
        section: Annotated[str, typer.Argument(help="section2 (= day2.section2) or dayD.sectionN")],
        submissions: Annotated[Path, typer.Argument(help="提出物のフォルダか .zip / folder or .zip of submissions")],
        out: Annotated[Path, typer.Option("--out", help="結果フォルダ / results folder (resumable)")],
        jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1,
                                                 help="並列数 (既定: コア数) / parallel jobs (default: cores)")] = None,
        timeout: Annotated[float | None, typer.Option(
            "--timeout", min=0.1, help="1 回の呼び出しの制限秒数 / seconds per call (default 5)")] = None,
        wall_limit: Annotated[float, typer.Option("--wall-limit", min=1.0,
                                                  help="提出物ごとの制限秒数 / seconds per submission")] = 300.0,
        sandbox: SandboxOption = SandboxMode.auto,
    ) -> None:
        """クラス全員を採点 / Grade every submission of a class (resumable), then write RESULTS/grades.csv."""
        progress = _Progress(sys.stdout.isatty())
        try:
            from grader.classroom.batch import run_batch
            from grader.classroom.export import write_csv
            from grader.ids import normalize_id

            section_id = normalize_id(section)
            use_sandbox = resolve_sandbox(sandbox)
            try:
                outcome = run_batch(section_id, submissions, out, jobs=jobs, timeout=timeout, wall_limit=wall_limit,
                                    sandbox=use_sandbox, on_start=progress.start, on_result=progress.result)
            finally:
                progress.stop()
            csv_path = write_csv(out) if not outcome.interrupted else None
        except Exception as e:  # noqa: BLE001 - the one policy: never a traceback
            fail(e)
        n = len(outcome.records)
        typer.echo(f"{n} students: {outcome.graded} graded, {outcome.cached} cached, {outcome.rejected} rejected, "
                   f"{outcome.errors} errors in {outcome.wall:.1f} s")
        if outcome.interrupted:
            typer.echo("中断しました。同じコマンドで続きから採点します / interrupted: run the same command to resume",
                       err=True)
            raise typer.Exit(130)
        typer.echo(f"→ {csv_path}")
        raise typer.Exit(1 if outcome.errors else 0)

    @app.command("summary")
    def summary(
        results: Annotated[Path, typer.Argument(help="grade batch の結果フォルダ / the results folder of grade batch")],
    ) -> None:
        """クラスの概要 / Class overview: score distribution, pass rates, misconceptions → RESULTS/summary.md."""
        try:
            from grader.classroom.summary import render_terminal, write_summary

            s, path = write_summary(results)
            render_terminal(s, sys.stdout.isatty(), typer.echo)
        except Exception as e:  # noqa: BLE001
            fail(e)
        typer.echo(f"→ {path}")
