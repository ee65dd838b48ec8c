"""Grade from Jupyter or Colab: `check("section2", Momentum)` sends the object's SOURCE to the isolated worker
(never the live object) and shows the report as an HTML table."""

from __future__ import annotations

import html
import inspect
import linecache
import re
import tempfile
import textwrap
import types
from pathlib import Path
from typing import Any

from grader.render.report import NOTE, STATUS_LABEL, inert_report, render_plain
from grader.results import SectionReport
from grader.sanitize import inert
from grader.text import Text

PRELUDE = "import numpy as np\n"
_COLORS = {"passed": "#1a7f37", "failed": "#cf222e", "not_implemented": "#9a6700"}


def _class_source(cls: type) -> str:
    """inspect.getsource of a class defined in a notebook cell fails (its module `__main__` has no file); its
    methods still know their cell, so find the `class` line there and take the block."""
    for member in vars(cls).values():
        fn = getattr(member, "__func__", member)
        fn = getattr(fn, "fget", fn)
        code = getattr(fn, "__code__", None)
        if code is None:
            continue
        lines = linecache.getlines(code.co_filename)
        start = re.compile(rf"^(\s*)class\s+{re.escape(cls.__name__)}\b")
        for i in range(min(code.co_firstlineno, len(lines)) - 1, -1, -1):
            if start.match(lines[i]):
                return "".join(inspect.getblock(lines[i:]))
    raise TypeError(f"cannot find the source of class {cls.__name__}")


def source_of(item: Any) -> str:
    """The source text to grade: a string as is; a module, class or function by its source."""
    if isinstance(item, str):
        return item
    if isinstance(item, (types.ModuleType, types.FunctionType, type)):
        try:
            return textwrap.dedent(inspect.getsource(item))
        except (OSError, TypeError):
            if isinstance(item, type):
                return textwrap.dedent(_class_source(item))
            raise TypeError(
                f"{getattr(item, '__name__', item)!r} のソースが見つかりません / cannot find its source "
                "(define it in a cell or a file, or pass the source as a string)"
            ) from None
    raise TypeError(
        f"クラス・関数・モジュール・ソース文字列を渡してください / expected a class, function, module or "
        f"source string, not {type(item).__name__}"
    )


def build_source(items: Any) -> tuple[str, set[str] | None]:
    """One submission file from the items, and the exercise names they define (None for a string or module)."""
    seq = list(items) if isinstance(items, (list, tuple)) else [items]
    if not seq:
        raise ValueError("nothing to grade / 採点するものがありません")
    names: set[str] | None = set()
    parts = [PRELUDE]
    for item in seq:
        parts.append(source_of(item))
        if isinstance(item, (types.FunctionType, type)) and names is not None:
            names.add(item.__name__)
        else:
            names = None
    return "\n\n".join(p.rstrip("\n") for p in parts) + "\n", names


class NotebookReport:
    """What `check` returns: shown as an HTML table in a notebook, plain text elsewhere; `.report` holds the
    SectionReport (the same model as `grade section2 --json`)."""

    def __init__(self, report: SectionReport, exercises: set[str] | None, lang: str):
        self.report = report
        self.exercises = exercises
        self.lang = lang

    @property
    def checks(self) -> list[Any]:
        """The checks of the exercises submitted (all of them when a module or a source string was given)."""
        if self.exercises is None:
            return list(self.report.checks)
        return [c for c in self.report.checks if c.exercise in self.exercises]

    @property
    def score(self) -> float:
        return sum(c.score for c in self.checks)

    @property
    def max_score(self) -> float:
        return sum(c.max_score for c in self.checks)

    def _say(self, ja: str, en: str) -> str:
        return Text(ja=ja, en=en).render(self.lang)

    def _repr_html_(self) -> str:
        e = html.escape
        # the checks shown, every string inert: no control or bidi character reaches the page (html.escape keeps them)
        shown = inert_report(self.report.model_copy(update={"checks": self.checks}))
        title = shown.title.render(self.lang) if shown.title else ""
        rows = []
        for c in shown.checks:
            mark, ja, en = STATUS_LABEL[c.status]
            color = _COLORS.get(c.status, "#8250df")
            what = c.title.render(self.lang) if c.title else c.id
            result = f'<span style="color:{color}">{e(mark)} {e(Text(ja=ja, en=en).render(self.lang))}</span>'
            if c.status != "passed":
                feedback = c.feedback_i18n.render(self.lang) if c.feedback_i18n else c.feedback
                result += "<br>" + e(feedback).replace("\n", "<br>")
            if c.note:
                note = e(c.note.render(self.lang)).replace("\n", "<br>")
                result += f"<br><i>{e(NOTE.render(self.lang))}: {note}</i>"
            rows.append(
                f"<tr><td>{e(c.exercise)}</td><td>{e(what)}</td>"
                f"<td style='text-align:right'>{c.score:g}/{c.max_score:g}</td>"
                f"<td style='text-align:left'>{result}</td></tr>"
            )
        head = "".join(
            f"<th>{e(self._say(ja, en))}</th>"
            for ja, en in (("演習", "exercise"), ("チェック", "check"), ("点", "pts"), ("結果", "result"))
        )
        passed = sum(c.status == "passed" for c in self.checks)
        summary = self._say(
            f"チェック {passed}/{len(self.checks)} 合格、得点 {self.score:g} / {self.max_score:g}",
            f"checks {passed}/{len(self.checks)} passed, score {self.score:g} / {self.max_score:g}",
        )
        parts = [
            f"<div class='grader-report'><h4>{e(shown.section)} {e(title)}</h4>",
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>",
            f"<p><b>{e(summary)}</b></p>",
        ]
        if shown.learner_output.strip():
            parts.append(
                f"<p>{e(self._say('あなたのコードの出力 (抜粋):', 'your code output (excerpt):'))}</p>"
                f"<pre>{e(inert(shown.learner_output, limit=4000))}</pre>"
            )
        return "".join(parts) + "</div>"

    def __str__(self) -> str:
        lines: list[str] = []
        shown = self.report.model_copy(
            update={"checks": self.checks, "score": self.score, "max_score": self.max_score}
        )
        render_plain(shown, self.lang, lines.append)
        return "\n".join(lines)

    __repr__ = __str__


def check(
    section: str, items: Any, *, lang: str = "both", timeout: float | None = None, record: bool = True
) -> NotebookReport:
    """Grade `items` (a class or function, a module, a source string, or a list of them) against `section`.

    Their source is written to a temporary file and graded by the same isolated worker as `grade section2`;
    `import numpy as np` is prepended. Given classes or functions, only their exercises are shown.
    """
    from grader.grading import grade_checks
    from grader.ids import normalize_id
    from grader.practice.progress import record_section

    section_id = normalize_id(section)
    source, names = build_source(items)
    with tempfile.TemporaryDirectory(prefix="grader-notebook-") as tmp:
        path = Path(tmp) / f"{section_id.split('.')[1]}.py"
        path.write_text(source, encoding="utf-8")
        report = grade_checks(section_id, path, timeout=timeout)
    if record:
        record_section(report)
    return NotebookReport(report, names, lang)
