"""Views of a SectionReport: plain text (a pipe, or a terminal with coloured marks; streamed as checks finish) and
JSON; each shows learner text inert."""

from __future__ import annotations

from collections.abc import Callable

from grader.ids import short_id
from grader.results import CheckResult, SectionReport
from grader.sanitize import inert, inert_tree
from grader.text import Text

STATUS_LABEL = {
    "passed": ("✔", "正解", "passed"),
    "failed": ("✘", "不正解", "failed"),
    "not_implemented": ("…", "未実装", "not implemented"),
    "missing": ("?", "未定義", "missing"),
    "error": ("!", "例外", "error"),
    "timeout": ("⏱", "時間切れ", "timeout"),
    "crashed": ("☠", "異常終了", "crashed"),
    "memory_limit": ("▲", "メモリ超過", "memory limit"),
    "invalid_result": ("✘", "不正な戻り値", "invalid result"),
    "rejected": ("⛔", "受付不可", "rejected"),
}


def _shown(text: Text | None, lang: str) -> str:
    return text.render(lang) if text else ""


def _pts(x: float) -> str:
    return f"{x:g}"


def _feedback(check, lang: str) -> str:  # noqa: ANN001
    return check.feedback_i18n.render(lang) if check.feedback_i18n else check.feedback


def summary_lines(report: SectionReport, lang: str) -> list[str]:
    report = inert_report(report)
    lines = []
    n_pass = sum(c.status == "passed" for c in report.checks)
    if report.scope == "public":  # a student release: say what was not run (never "all passed")
        lines.append(Text(ja=f"公開チェック: {n_pass}/{len(report.checks)} 合格 · 非公開チェックは講師が実行します",
                          en=f"public checks: {n_pass}/{len(report.checks)} passed · hidden checks are run by your "
                             "instructor").render(lang))
    else:
        lines.append(Text(ja=f"チェック: {n_pass}/{len(report.checks)} 合格",
                          en=f"checks: {n_pass}/{len(report.checks)} passed").render(lang))
    if report.quiz.taken:
        ok = sum(q.correct for q in report.quiz.questions)
        lines.append(Text(ja=f"確認テスト: {ok}/{len(report.quiz.questions)} 正解",
                          en=f"quiz: {ok}/{len(report.quiz.questions)} correct").render(lang))
    elif report.quiz.reason:
        lines.append(report.quiz.reason)
    lines.append(Text(ja=f"得点: {_pts(report.score)} / {_pts(report.max_score)}",
                      en=f"score: {_pts(report.score)} / {_pts(report.max_score)}").render(lang))
    if report.checks and all(c.status == "not_implemented" for c in report.checks):
        sid = short_id(report.section)
        first = report.checks[0].exercise
        lines.append(Text(ja="まだ何も実装されていません。演習ファイルの TODO から始めましょう "
                             f"(ヒント: grade hint {sid} {first})",
                          en=f"nothing implemented yet: start at the TODOs in the exercise file "
                             f"(a hint: grade hint {sid} {first})").render(lang))
    elif report.score == report.max_score and report.max_score > 0 and report.scope == "public":
        lines.append(Text(ja="公開チェックはすべて合格です。点数は講師の採点 (非公開チェックを含む) で決まります",
                          en="every public check passed; your grade comes from your instructor's run, hidden checks "
                             "included").render(lang))
    elif report.score == report.max_score and report.max_score > 0:
        lines.append(Text(ja="満点です。おめでとうございます!", en="full score, well done!").render(lang))
    return lines


def inert_report(report: SectionReport) -> SectionReport:
    """A copy of `report` safe to show: every string made inert (grader/sanitize.py), whatever the report builder
    did; ids, exercise and section names on one line. Every view of a report starts from this copy."""
    shown = inert_tree(report)
    shown.section = inert(report.section, multiline=False)
    shown.checks = [_one_line_names(c, orig) for c, orig in zip(shown.checks, report.checks, strict=True)]
    for q, orig in zip(shown.quiz.questions, report.quiz.questions, strict=True):
        q.id = inert(orig.id, multiline=False)
    return shown


def inert_check(check: CheckResult) -> CheckResult:
    """One CheckResult safe to show, as inert_report makes each of a report's."""
    return _one_line_names(inert_tree(check), check)


def _one_line_names(shown: CheckResult, orig: CheckResult) -> CheckResult:
    shown.id, shown.exercise = inert(orig.id, multiline=False), inert(orig.exercise, multiline=False)
    return shown


def _groups(report: SectionReport) -> list[tuple[str, list]]:
    """Checks grouped by exercise, in report order."""
    groups: dict[str, list] = {}
    for c in report.checks:
        groups.setdefault(c.exercise, []).append(c)
    return list(groups.items())


def top_message(report: SectionReport, lang: str) -> str:
    """The report's one top-level message (the fault every check shares), in `lang` when the checks carry it."""
    if not report.message:
        return ""
    first = report.checks[0] if report.checks else None
    if first is not None and first.feedback_i18n and all(c.feedback == report.message for c in report.checks):
        return first.feedback_i18n.render(lang)
    return report.message


def _top_heading() -> Text:
    return Text(ja="提出ファイル全体の問題 (すべてのチェックに共通):",
                en="a problem with the whole file (every check shares it):")


def _uniform(checks: list) -> bool:
    """Every check of the exercise ended the same way with the same words (not passed): shown once, with a count."""
    first = checks[0]
    return len(checks) > 1 and first.status != "passed" and all(
        c.status == first.status and c.feedback == first.feedback for c in checks)


def _times(checks: list) -> Text:
    return Text(ja=f"×{len(checks)} (同じ結果)", en=f"×{len(checks)} (same result)")


def _all_passed(checks: list) -> Text:
    return Text(ja=f"{len(checks)} チェックすべて合格", en=f"all {len(checks)} checks passed")


def _new_notes(checks: list, lang: str, shown: list[str]) -> list[str]:
    """The notes of `checks` not yet shown for this exercise (each note once per exercise), remembered in `shown`."""
    fresh = []
    for c in checks:
        text = _shown(c.note, lang)
        if text and text not in shown:
            shown.append(text)
            fresh.append(text)
    return fresh


NOTE = Text(ja="ℹ 助言", en="ℹ note")  # how every view labels a check's `note`: advice, never scored (docs/JSON.md)


def _same_as(first_id: str) -> Text:
    """What a check shows in place of the feedback an earlier check of its exercise already showed."""
    return Text(ja=f"(上の {first_id} と同じ)", en=f"(same as {first_id} above)")


_COLOR = {"passed": "32", "failed": "31", "not_implemented": "33"}  # ANSI: green, red, yellow; others magenta


class PlainView:
    """The plain view (a pipe, a terminal), written line by line and able to stream: `start` writes the heading,
    `add` takes each check as it finishes (checks arrive exercise by exercise: grader/engine/runner.py) and writes
    an exercise as soon as the next one begins, `finish_checks` writes the shared fault, what was not written yet
    and the learner's output, `finish` the quiz lines and the summary. render_plain is all of it at once.

    One line for an exercise whose checks all passed, one with a count for an exercise whose checks all ended
    the same way, else each check with its feedback. Every string is made inert first."""

    def __init__(self, lang: str, write: Callable[[str], None], color: bool = False):
        self.lang, self.out, self.color = lang, write, color
        self.pending: list[CheckResult] = []
        self.written: set[str] = set()
        self.width = 20
        self.heading: str | None = None

    def start(self, section: str, title: Text | None) -> None:
        """The heading, written with the first line that follows it (an error before any check shows none)."""
        self.heading = f"{inert(section, multiline=False)}  {inert(_shown(title, self.lang))}"

    def write(self, line: str) -> None:
        if self.heading is not None:
            heading, self.heading = self.heading, None
            self.out(heading)
        self.out(line)

    def add(self, check: CheckResult) -> None:
        check = inert_check(check)
        if self.pending and self.pending[0].exercise != check.exercise:
            self._group(self.pending, "")
            self.pending = []
        self.pending.append(check)

    def finish_checks(self, report: SectionReport) -> None:
        report = inert_report(report)
        top = top_message(report, self.lang)
        if top:
            self.write(_top_heading().render(self.lang))
            for line in top.splitlines():
                self.write(f"    {line}")
        if not self.written:  # nothing streamed yet: align on every check's id (else keep the streamed column)
            self.width = max((len(c.id) for c in report.checks), default=10)
        for exercise, checks in _groups(report):
            if exercise not in self.written:
                self._group(checks, report.message)
        self.pending = []
        if report.learner_output.strip():
            self.write(Text(ja="あなたのコードの出力 (抜粋):", en="your code's output (excerpt):").render(self.lang))
            for line in report.learner_output.splitlines()[:20]:
                self.write(f"  | {line}")

    def finish(self, report: SectionReport) -> None:
        report = inert_report(report)
        if report.quiz.taken:
            for q in report.quiz.questions:
                self.write(f"  {self._mark('passed' if q.correct else 'failed', '✔' if q.correct else '✘')} {q.id}  "
                           f"{q.feedback}")
        for line in summary_lines(report, self.lang):
            self.write(line)

    def _mark(self, status: str, mark: str) -> str:
        return f"\x1b[{_COLOR.get(status, '35')}m{mark}\x1b[0m" if self.color else mark

    def _notes(self, notes: list[str]) -> None:
        for text in notes:
            first, *rest = text.splitlines() or [""]
            self.write(f"      {NOTE.render(self.lang)}: {first}")
            for line in rest:
                self.write(f"        {line}")

    def _group(self, checks: list[CheckResult], message: str) -> None:
        """One exercise: one line when every check passed or all ended alike, else a line per check; feedback an
        earlier check of the exercise showed is referred to, and each note is shown once."""
        lang, width = self.lang, self.width
        exercise = checks[0].exercise
        self.written.add(exercise)
        shown: list[str] = []
        got, full = sum(c.score for c in checks), sum(c.max_score for c in checks)
        if all(c.status == "passed" for c in checks):
            self.write(f"  {self._mark('passed', '✔')} {exercise:<10} {_all_passed(checks).render(lang):<{width}}  "
                       f"{_pts(got)}/{_pts(full)}")
            self._notes(_new_notes(checks, lang, shown))
            return
        if _uniform(checks):
            c = checks[0]
            mark, ja, en = STATUS_LABEL[c.status]
            label = Text(ja=ja, en=en).render(lang)
            self.write(f"  {self._mark(c.status, mark)} {exercise:<10} {_times(checks).render(lang):<{width}}  "
                       f"{_pts(got)}/{_pts(full)}  {label}")
            if c.feedback != message:
                for line in _feedback(c, lang).splitlines():
                    self.write(f"      {line}")
            self._notes(_new_notes(checks, lang, shown))
            return
        said: dict[str, str] = {}  # feedback already shown for this exercise → the check that showed it
        for c in checks:
            mark, ja, en = STATUS_LABEL[c.status]
            label = Text(ja=ja, en=en).render(lang)
            self.write(f"  {self._mark(c.status, mark)} {exercise:<10} {c.id:<{width}}  "
                       f"{_pts(c.score)}/{_pts(c.max_score)}  {label}")
            if c.status != "passed" and c.feedback != message:
                if c.feedback in said:
                    self.write(f"      {_same_as(said[c.feedback]).render(lang)}")
                else:
                    said[c.feedback] = c.id
                    for line in _feedback(c, lang).splitlines():
                        self.write(f"      {line}")
            self._notes(_new_notes([c], lang, shown))


def render_plain(report: SectionReport, lang: str, write: Callable[[str], None]) -> None:
    view = PlainView(lang, write)
    view.start(report.section, report.title)
    view.finish_checks(report)
    view.finish(report)


def render_json(report: SectionReport) -> str:
    return inert_report(report).model_dump_json(indent=2)
