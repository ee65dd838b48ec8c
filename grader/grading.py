"""Grade one section: its hidden checks on a submission, then its 確認テスト, into one SectionReport."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from grader.course.loading import ROOT, load_bank, release_info, section_paths
from grader.course.outline import SectionOutline, section_outline
from grader.errors import InternalError, UsageError
from grader.results import CheckResult, QuizReport, SectionReport
from grader.text import Text

if TYPE_CHECKING:
    from grader.engine.runner import Job


def grade_checks(section_id: str, submission: Path, root: Path = ROOT, timeout: float | None = None,
                 sandbox: bool = False, hide: tuple[Path, ...] = (),
                 on_check: Callable[[CheckResult], None] | None = None) -> SectionReport:
    """The checks part of a section's report (the quiz left untaken).

    `sandbox`: run the worker in bubblewrap (resolve the CLI mode with grader.engine.sandbox.resolve first);
    `hide`: more folders the sandboxed worker must not see (batch: the class's submissions, the results);
    `on_check`: sees each CheckResult as soon as its check has run (a terminal streams them)."""
    from grader.engine.runner import run_checks
    from grader.engine.signature import stub_signatures

    section = section_outline(section_id, root)
    _require_checks(section_id, root)
    _require(submission)
    paths = section_paths(section_id, root)
    with stub_signatures(paths["exercise"]):  # a call that does not fit is told the stub's signature
        checks, output, output_total = run_checks(section_id, submission, points=section.points, root=root,
                                                  timeout=timeout, sandbox=sandbox, hide=hide,
                                                  checks=paths["checks"], on_check=on_check)
    return _report(section_id, section, root, checks, output, output_total, sandbox)


def grade_many(section_id: str, next_job: Callable[[], Job | None],
               deliver: Callable[[Job, SectionReport | Exception], None], root: Path = ROOT) -> None:
    """grade_checks for many submissions, the checks collected once (grader.engine.runner.run_many): `next_job()`
    gives the next submission with its limits (None: no more), `deliver(job, report)` gets its SectionReport, the same
    as grade_checks would return, or the exception grade_checks would have raised (UsageError for a missing
    file, InternalError for a grader fault). Every job taken is delivered once, before the next is taken; a
    missing checks file raises UsageError before any is taken."""
    from grader.engine.runner import run_many
    from grader.engine.signature import stub_signatures

    section = section_outline(section_id, root, cached=False)  # many submissions: nothing of one reaches the next
    _require_checks(section_id, root)

    def take() -> Job | None:
        while (job := next_job()) is not None:
            try:
                _require(job.submission)
            except UsageError as e:
                deliver(job, e)
                continue
            return job
        return None

    def done(job: Job, result: tuple[list[CheckResult], str, int] | Exception) -> None:
        if not isinstance(result, Exception):
            try:
                result = _report(section_id, section, root, *result, job.sandbox)
            except Exception as e:  # noqa: BLE001 - as grade_checks would have raised it
                result = e
        deliver(job, result)

    paths = section_paths(section_id, root)
    with stub_signatures(paths["exercise"]):
        run_many(section_id, points=section.points, root=root, next_job=take, deliver=done, checks=paths["checks"])


def _require_checks(section_id: str, root: Path) -> None:
    """A section of course.yaml without its checks file is the authors' error (exit 2 naming the file), not a
    fault of the grader: `grade bank check` lists it with every other missing piece (docs/AUTHORING.md)."""
    path = section_paths(section_id, root)["checks"]
    if not path.is_file():
        raise UsageError(Text(ja=f"{section_id} のチェックファイルがありません (作者のエラー): {path}",
                              en=f"no checks for {section_id}: {path} is missing (an author's error: "
                                 "`grade bank check` lists what the section lacks)"))


def _require(submission: Path) -> None:
    if not submission.exists() and not submission.is_symlink():
        raise UsageError(Text(ja=f"提出ファイルがありません: {submission}", en=f"submission not found: {submission}"))


def _report(section_id: str, section: SectionOutline, root: Path, checks: list[CheckResult], output: str,
            output_total: int, sandbox: bool) -> SectionReport:
    """The SectionReport of one graded submission: checks in manifest order, points checked, output noted."""
    points = section.points
    order = list(points)
    checks.sort(key=lambda c: order.index(c.exercise))  # stable: collection order within an exercise
    scope = "public" if release_info(root) is not None else "all"  # a release carries the public checks only
    for name, pts in points.items():
        got = sum(c.max_score for c in checks if c.exercise == name)
        if got != pts and scope == "all":
            raise InternalError(f"{section_id}: checks of {name} are worth {got} points, the manifest says {pts}")
    if output_total > len(output.encode()):
        output += f"\n… ({output_total} bytes in all)"
    return SectionReport(
        section=section_id,
        title=section.title,
        score=sum(c.score for c in checks),
        max_score=sum(c.max_score for c in checks),
        checks=checks,
        quiz=QuizReport(taken=False),
        learner_output=output,
        message=shared_fault(checks),
        sandbox="on" if sandbox else "off",
        scope=scope,
    )


FAULT_STATUSES = ("error", "rejected", "crashed", "timeout", "memory_limit", "invalid_result")


def shared_fault(checks: list[CheckResult]) -> str:
    """The one fault every check shares (a SyntaxError, an exception at import, a rejected file), as the report's
    top-level message; "" when the checks differ. Each check keeps its own status and feedback."""
    if not checks:
        return ""
    first = checks[0]
    if first.status not in FAULT_STATUSES or not first.feedback:
        return ""
    if all(c.status == first.status and c.feedback == first.feedback for c in checks):
        return first.feedback
    return ""


def grade_section(
    section_id: str,
    submission: Path,
    *,
    answers: Path | None,
    no_quiz: bool,
    interactive: bool,
    lang: str,
    ask: Callable[[str], str] = input,
    say: Callable[[str], None] = print,
    before_quiz: Callable[[SectionReport], None] | None = None,
    root: Path = ROOT,
    timeout: float | None = None,
    sandbox: bool = False,
    on_check: Callable[[CheckResult], None] | None = None,
) -> SectionReport:
    # The bank is validated before any time is spent on checks when the answers are given or no quiz will be asked;
    # a quiz asked on a terminal reads it after the checks, so they show at once. --no-quiz never reads it.
    early = not no_quiz and (answers is not None or not interactive)
    bank = load_bank(section_id, root) if early else None
    answer_map = None
    if answers is not None and bank is not None:
        from grader.course.quiz import read_answers

        answer_map = read_answers(answers, bank)
    report = grade_checks(section_id, submission, root, timeout, sandbox, on_check=on_check)
    if not no_quiz and not early:
        bank = load_bank(section_id, root)
    if no_quiz:
        quiz = QuizReport(taken=False,
                          reason=Text(ja="--no-quiz: 確認テストは省略", en="--no-quiz: quiz skipped").render(lang))
    elif bank is None:
        quiz = QuizReport(taken=False, reason=Text(ja="このセクションの確認テストはまだありません",
                                                   en="this section has no quiz yet").render(lang))
    elif answer_map is not None:
        from grader.course.quiz import grade_answers

        quiz = grade_answers(bank, answer_map, lang)  # sealed or plain: quiz.score_question tells them apart
    elif interactive:
        if before_quiz is not None:
            before_quiz(report)
        from grader.course.quiz import ask_interactively

        quiz = ask_interactively(bank, lang, ask, say)
    else:
        quiz = QuizReport(taken=False, reason=Text(
            ja="端末がなく --answers もないため確認テストは省略しました (点数はチェックのみ)",
            en="no terminal and no --answers: quiz not taken (score covers the checks only)").render(lang))
    report.quiz = quiz
    if quiz.taken:
        report.score += quiz.score
        report.max_score += quiz.max_score
    return report
