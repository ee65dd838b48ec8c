"""Commands for instructors: `grade release OUTDIR` (the student release), `grade gradescope SECTION OUTZIP`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from grader.cli.common import Lang, LangOption, fail


def register(app: typer.Typer) -> None:

    @app.command("release")
    def release(
        outdir: Annotated[Path, typer.Argument(help="学生用リリースの出力先 (空のフォルダ) / "
                                                    "where to write the release")],
        force: Annotated[bool, typer.Option("--force", help="以前のリリースを置き換える / replace a previous release "
                                                            "(only a folder holding RELEASE.json)")] = False,
        no_verify: Annotated[bool, typer.Option("--no-verify", help="採点による検証を省略 / skip grading every stub "
                                                                    "and solution with the release")] = False,
        hints: Annotated[str, typer.Option(
            "--hints",
            help="配布するヒント: none (なし) | partial (既定: 各演習の最後のヒント = 解答の行を含むもの を除く) | "
                 "all (すべて) / "
                 "which hints ship: none | partial (each exercise's last hint, which quotes the solution, "
                 "left out when it has more than one) | all")] = "partial",
    ) -> None:
        """学生用リリースを作成 / Write the student release: stubs, grader, frozen public checks, sealed quiz.

        公開チェックは参照解答で一度実行して記録し、記録した入力と数値だけを配布します (参照コードは含みません)。
        The public checks are run once on the reference solutions and shipped as recorded inputs and numbers
        (no reference code)."""
        try:
            from grader.classroom.release import HINT_LEVELS, build_release

            if hints not in HINT_LEVELS:
                raise typer.BadParameter("none, partial, all のいずれか / one of none, partial, all",
                                         param_hint="--hints")
            summary = build_release(outdir, force=force, verify=not no_verify, hints=hints, say=typer.echo)
        except Exception as e:  # noqa: BLE001 - the one policy: never a traceback
            fail(e)
        typer.echo(f"学生用リリース / student release: {summary['path']}")
        typer.echo(f"  source {summary['source_commit']} · salt id {summary['salt_id']}")
        for s in summary["sections"]:
            typer.echo(f"  {s['id']}: 公開 / public {s['public_checks']} · 非公開 (除外) / hidden (left out) "
                       f"{s['hidden_checks']} · 確認テスト (封印) / sealed questions {s['questions']}")
        typer.echo("  公開チェック: 参照解答で記録した入力と数値 (参照コードなし) / public checks: inputs and numbers "
                   "recorded on the reference solutions (no reference code)")
        shipped = {"none": "なし / none", "all": "すべて / all",
                   "partial": "各演習の最後のヒントを除く / the last hint of each exercise left out"}
        typer.echo(f"  ヒント / hints: {shipped[summary['hints']]}")
        if summary["hints_quoting_solutions"]:
            typer.echo("  注意: 配布するヒントが解答の行をそのまま含みます / warning: shipped hints quote a solution "
                       "line: " + ", ".join(summary["hints_quoting_solutions"]))
        if summary["parametric"]:
            typer.echo(f"  パラメトリック問題 (事前生成) / pre-drawn parametric questions: {summary['parametric']}")
        typer.echo("  solutions/・プロジェクトのテスト・非公開チェック・平文の正解: なし / no solutions/, no project "
                   "tests, no hidden checks, no plain answer keys")
        if summary["verified"]:
            typer.echo("  検証済み / verified: stubs → not_implemented, solutions → passed (public checks)")

    @app.command("gradescope")
    def gradescope(
        section: Annotated[str, typer.Argument(help="section2 (= day2.section2) or dayD.sectionN")],
        outzip: Annotated[Path, typer.Argument(help="書き出す autograder.zip / the zip to write")],
        hidden_visibility: Annotated[str, typer.Option(
            "--hidden-visibility",
            help="非公開チェックと確認テストの表示 / when students see hidden checks and quiz results: "
                 "hidden | after_due_date | after_published | visible")] = "after_published",
        lang: LangOption = Lang.both,
    ) -> None:
        """Gradescope の autograder.zip を作成 / Build Gradescope's autograder zip for a section."""
        try:
            from grader.classroom.gradescope import build_autograder_zip
            from grader.ids import normalize_id

            lang = lang.value
            section_id = normalize_id(section)
            members = build_autograder_zip(section_id, outzip, lang=lang, hidden_visibility=hidden_visibility)
        except Exception as e:  # noqa: BLE001
            fail(e)
        n_checks = sum(m.startswith("grader/checks/") and m.endswith(".py") and "__init__" not in m for m in members)
        typer.echo(f"{outzip}: {len(members)} files (setup.sh, run_autograder, grader with {n_checks} check files)")
        typer.echo(f"  Gradescope: Autograder → Zip file upload → {outzip.name}; students submit "
                   f"{section_id.split('.')[1]}.py (and optionally answers.yaml for the quiz)")
