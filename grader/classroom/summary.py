"""A class overview of a batch run: score distribution, pass rate per check, frequent misconceptions, trouble."""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.sanitize import inert

TROUBLE = ("crashed", "timeout", "memory_limit")
BINS = 10


@dataclass
class ClassSummary:
    section: str
    title: str
    students: int
    status_counts: dict[str, int]
    scores: list[float]  # percent of max, graded students only
    histogram: list[tuple[str, int]]
    checks: list[tuple[str, str, int, int]]  # exercise, check id, passed, graded
    misconceptions: list[tuple[str, str, int]]  # exercise, misconception text, students
    trouble: list[tuple[str, str]]  # student, what happened
    rejected: list[tuple[str, str]] = field(default_factory=list)
    identical: list[list[str]] = field(default_factory=list)  # students whose files are byte for byte the same


def misconception_of(feedback_en: str) -> str:
    """The named mistake of a failed check's feedback, without where it was seen: checks write
    "[with SGD() …: ]params['W'] after update 1: <why>" (grader/engine/checking.py), and <why> may hold ": " too."""
    lines = feedback_en.strip().splitlines()
    if not lines:
        return ""
    parts = lines[0].split(": ")
    while len(parts) > 1 and (parts[0].startswith("with ") or "[" in parts[0] or " after " in parts[0]):
        parts.pop(0)
    return ": ".join(parts).strip()


def _feedback_en(check: dict[str, Any]) -> str:
    i18n = check.get("feedback_i18n") or {}
    return str(i18n.get("en") or check.get("feedback", ""))


def _misconception(check: dict[str, Any]) -> str:
    """The named mistake: carried by the result when a known wrong variant matched; read from the feedback of
    results written before that field existed (and of checks whose message names the mistake in prose)."""
    named = check.get("misconception") or {}
    return str(named.get("en") or misconception_of(_feedback_en(check)))


def summarize(manifest: dict[str, Any], records: list[dict[str, Any]]) -> ClassSummary:
    title = (manifest.get("title") or {}).get("ja", "")
    status_counts = Counter(r.get("status", "error") for r in records)
    graded = [r for r in records if r.get("status") == "ok"]
    scores = [100.0 * r["score"] / r["max_score"] if r.get("max_score") else 0.0 for r in graded]
    histogram = []
    for i in range(BINS):
        lo, hi = i * 100 // BINS, (i + 1) * 100 // BINS
        n = sum(1 for s in scores if lo <= s < hi or (i == BINS - 1 and s == 100))
        histogram.append((f"{lo:>3}–{hi}%", n))
    passed: dict[tuple[str, str], int] = defaultdict(int)
    seen: dict[tuple[str, str], int] = defaultdict(int)
    mistakes: dict[tuple[str, str], set[str]] = defaultdict(set)
    trouble = []
    for r in graded:
        bad = Counter()
        for c in r.get("checks", []):
            key = (c["exercise"], c["id"])
            seen[key] += 1
            passed[key] += c["status"] == "passed"
            if c["status"] == "failed":
                text = _misconception(c)
                if text:
                    mistakes[(c["exercise"], re.sub(r"-?\d+(\.\d+)?(e-?\d+)?", "#", text))].add(r["student"])
            if c["status"] in TROUBLE:
                bad[c["status"]] += 1
        if bad:
            trouble.append((r["student"], ", ".join(f"{k} ×{n}" for k, n in sorted(bad.items()))))
    for r in records:
        if r.get("status") in ("error", "pending"):
            trouble.append((r.get("student", "?"), f"{r['status']}: {r.get('reason', '')}"))
    checks = [(ex, cid, passed[(ex, cid)], n) for (ex, cid), n in seen.items()]
    ranked = sorted(mistakes.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:10]
    return ClassSummary(
        section=manifest["section"], title=title, students=len(records), status_counts=dict(status_counts),
        scores=scores, histogram=histogram, checks=checks,
        misconceptions=[(ex, text, len(who)) for (ex, text), who in ranked],
        trouble=trouble,
        rejected=[(r.get("student", "?"), r.get("reason", "")) for r in records if r.get("status") == "rejected"],
        identical=_identical(records),
    )


def _identical(records: list[dict[str, Any]]) -> list[list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for r in records:
        if r.get("sha256") and r.get("status") != "rejected":
            groups[r["sha256"]].append(str(r.get("student", "?")))
    return sorted(sorted(g) for g in groups.values() if len(g) > 1)


def _stats(s: ClassSummary) -> str:
    if not s.scores:
        return "採点済み 0 人 / nobody graded"
    return (f"平均 / mean {statistics.mean(s.scores):.1f}% · 中央値 / median {statistics.median(s.scores):.1f}% · "
            f"最低 / min {min(s.scores):.1f}% · 最高 / max {max(s.scores):.1f}% · "
            f"満点 / full marks {sum(1 for x in s.scores if x >= 100)}")


def _counts(s: ClassSummary) -> str:
    order = ["ok", "rejected", "error", "pending"]
    return " · ".join(f"{k} {s.status_counts[k]}" for k in order if s.status_counts.get(k))


def _md(text: Any) -> str:
    """Inert in a markdown table: no pipes, no HTML, no links, one line, no control character."""
    t = str(text).replace("\\", "\\\\")
    for ch in "|<>[]`*_":
        t = t.replace(ch, "\\" + ch)
    return inert(t, multiline=False)


def render_markdown(s: ClassSummary) -> str:
    lines = [f"# {_md(s.section)} {_md(s.title)} — クラスの概要 / class summary", "",
             f"{s.students} 人 / students: {_counts(s)}", "", _stats(s), "",
             "## 得点分布 / score distribution", "", "| 得点 / score | 人数 / students | |", "|---|---:|---|"]
    top = max((n for _, n in s.histogram), default=0) or 1
    lines += [f"| {label} | {n} | {'█' * round(20 * n / top)} |" for label, n in s.histogram]
    lines += ["", "## チェックごとの正答率 / pass rate per check", "",
              "| 演習 / exercise | チェック / check | 正答率 / pass rate |", "|---|---|---:|"]
    lines += [f"| {_md(ex)} | {_md(cid)} | {p}/{n} ({100 * p / n:.0f}%) |" for ex, cid, p, n in s.checks]
    lines += ["", "## よくある誤解 / most frequent misconceptions", ""]
    if s.misconceptions:
        lines += ["| 演習 / exercise | 誤解 / misconception | 人数 / students |", "|---|---|---:|"]
        lines += [f"| {_md(ex)} | {_md(text)} | {n} |" for ex, text, n in s.misconceptions]
    else:
        lines.append("なし / none")
    lines += ["", "## 異常終了・時間切れ / crashed or timed out", ""]
    lines += [f"- {_md(who)}: {_md(what)}" for who, what in s.trouble] or ["なし / none"]
    lines += ["", "## 受け付けなかった提出物 / rejected submissions", ""]
    lines += [f"- {_md(who)}: {_md(why)}" for who, why in s.rejected] or ["なし / none"]
    lines += ["", "## 同一の提出物 / identical submissions (same sha256)", ""]
    lines += [f"- {', '.join(_md(w) for w in g)}" for g in s.identical] or ["なし / none"]
    return "\n".join(lines) + "\n"


def _plain(text: Any) -> str:
    return inert(text, multiline=False)


def render_terminal(s: ClassSummary, rich_out: bool, write: Any) -> None:
    """The same overview on a terminal (rich tables) or as plain lines when piped."""
    if rich_out:
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table

        console = Console(highlight=False, emoji=False)
        console.print(f"[bold]{escape(_plain(s.section))} {escape(_plain(s.title))}[/] — "
                      f"{s.students} 人 / students: {_counts(s)}")
        console.print(_stats(s))
        top = max((n for _, n in s.histogram), default=0) or 1
        t = Table(title="得点分布 / score distribution")
        for col in ("score", "n", ""):
            t.add_column(col)
        for label, n in s.histogram:
            t.add_row(label, str(n), "█" * round(30 * n / top))
        console.print(t)
        t = Table(title="チェックごとの正答率 / pass rate per check")
        for col in ("exercise", "check", "pass rate"):
            t.add_column(col)
        for ex, cid, p, n in s.checks:
            t.add_row(escape(_plain(ex)), escape(_plain(cid)), f"{p}/{n} ({100 * p / n:.0f}%)")
        console.print(t)
        t = Table(title="よくある誤解 / most frequent misconceptions")
        for col in ("exercise", "misconception", "students"):
            t.add_column(col)
        for ex, text, n in s.misconceptions:
            t.add_row(escape(_plain(ex)), escape(_plain(text)), str(n))
        console.print(t)
        for head, items in (("異常終了・時間切れ / crashed or timed out", s.trouble),
                            ("受け付けなかった提出物 / rejected", s.rejected)):
            console.print(f"[bold]{head}[/]: {len(items)}")
            for who, what in items:
                console.print(f"  {escape(_plain(who))}: {escape(_plain(what))}")
        console.print(f"[bold]同一の提出物 / identical submissions[/]: {len(s.identical)}")
        for g in s.identical:
            console.print("  " + escape(", ".join(_plain(w) for w in g)))
        return
    write(f"{_plain(s.section)} {_plain(s.title)} — {s.students} 人 / students: {_counts(s)}")
    write(_stats(s))
    write("得点分布 / score distribution:")
    for label, n in s.histogram:
        write(f"  {label:>9} {n:4d} {'#' * n}")
    write("チェックごとの正答率 / pass rate per check:")
    for ex, cid, p, n in s.checks:
        write(f"  {_plain(ex):<10} {_plain(cid):<40} {p}/{n} ({100 * p / n:.0f}%)")
    write("よくある誤解 / most frequent misconceptions:")
    for ex, text, n in s.misconceptions:
        write(f"  {n:3d} × {_plain(ex)}: {_plain(text)}")
    for head, items in (("異常終了・時間切れ / crashed or timed out", s.trouble),
                        ("受け付けなかった提出物 / rejected", s.rejected)):
        write(f"{head}: {len(items)}")
        for who, what in items:
            write(f"  {_plain(who)}: {_plain(what)}")
    write(f"同一の提出物 / identical submissions: {len(s.identical)}")
    for g in s.identical:
        write("  " + ", ".join(_plain(w) for w in g))


def write_summary(out: Path) -> tuple[ClassSummary, Path]:
    from grader.classroom.batch import write_atomic
    from grader.classroom.export import load_results

    manifest, records = load_results(out)
    s = summarize(manifest, records)
    path = out / "summary.md"
    write_atomic(path, render_markdown(s))
    return s, path
