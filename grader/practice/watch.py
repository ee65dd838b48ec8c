"""Watch mode: re-grade a section whenever its file is saved and show only what changed since the last run."""

from __future__ import annotations

import hashlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from grader.errors import GraderError
from grader.render.report import STATUS_LABEL, inert_report, render_plain
from grader.results import SectionReport
from grader.sanitize import inert
from grader.text import Text, bilingual

DEBOUNCE_MS = 300  # an editor's save is often several events (truncate, write, rename): grade once


def _label(status: str, lang: str) -> str:
    _, ja, en = STATUS_LABEL[status]
    return Text(ja=ja, en=en).render(lang)


def diff_lines(old: SectionReport, new: SectionReport, lang: str) -> list[str]:
    """What changed from `old` to `new`: the score, and each check whose status changed (with feedback)."""
    old, new = inert_report(old), inert_report(new)
    delta = new.score - old.score
    sign = f"+{delta:g}" if delta > 0 else f"{delta:g}"
    lines = [
        bilingual(
            f"得点 {old.score:g} → {new.score:g} ({sign}) / {new.max_score:g}",
            f"score {old.score:g} → {new.score:g} ({sign}) / {new.max_score:g}",
            lang,
        )
    ]
    before = {c.id: c for c in old.checks}
    changed = 0
    for c in new.checks:
        prev = before.get(c.id)
        if prev is not None and prev.status == c.status:
            continue
        changed += 1
        mark = STATUS_LABEL[c.status][0]
        was = _label(prev.status, lang) if prev is not None else bilingual("新規", "new", lang)
        lines.append(f"  {mark} {c.exercise:<10} {c.id}: {was} → {_label(c.status, lang)}")
        if c.status != "passed":
            text = c.feedback_i18n.render(lang) if c.feedback_i18n else c.feedback
            lines.extend(f"      {line}" for line in text.splitlines())
    if not changed:
        lines.append(bilingual("  チェックの結果に変化はありません", "  no check changed", lang))
    if new.learner_output.strip() and new.learner_output != old.learner_output:
        lines.append(bilingual("  あなたのコードの出力 (抜粋):", "  your code's output (excerpt):", lang))
        lines.extend(f"  | {line}" for line in new.learner_output.splitlines()[:10])
    return lines


def _fingerprint(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _stat(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


Snapshot = tuple[int, int, int] | None
NOW: Any = object()  # poll_changes' `last` when the caller took no snapshot: the file as it is on the first step


def poll_changes(path: Path, stop: threading.Event, interval: float, last: Snapshot = NOW) -> Iterator[None]:
    """The fallback for file systems without change events: compare mtime, size, inode every `interval` s with
    `last`, the file's stat taken before the caller last read it (so a save while it was grading is a change)."""
    if last is NOW:
        last = _stat(path)
    while not stop.wait(interval):
        now = _stat(path)
        if now != last:
            last = now
            yield None


def event_changes(path: Path, stop: threading.Event) -> Iterator[None]:
    """Change events of the file from the OS (watchfiles); the directory is watched so that editors that save
    by writing a new file and renaming it over the old one are seen too. It also yields once a second without
    an event: the caller compares the content, which catches a save made before the watcher started."""
    from watchfiles import watch

    target = path.resolve()
    for _ in watch(
        target.parent,
        watch_filter=lambda _change, p: Path(p) == target,
        stop_event=stop,
        debounce=DEBOUNCE_MS,
        step=50,
        raise_interrupt=False,
        recursive=False,
        rust_timeout=1000,
        yield_on_timeout=True,
    ):
        yield None


def changes(
    path: Path,
    stop: threading.Event,
    poll: bool,
    interval: float,
    say: Callable[[str], None],
    lang: str,
    last: Snapshot = NOW,
) -> Iterator[None]:
    if not poll:
        try:
            import watchfiles  # noqa: F401
        except ImportError:
            say(
                bilingual(
                    "watchfiles が使えないため定期確認 (--poll) に切り替えます",
                    "watchfiles is not available: polling instead (--poll)",
                    lang,
                )
            )
            poll = True
    return poll_changes(path, stop, interval, last) if poll else event_changes(path, stop)


class _Interrupts:
    """Ctrl-C sets `stop`: the watcher returns at its next step (a grading in progress finishes first). A
    second Ctrl-C stops at once with KeyboardInterrupt."""

    def __init__(self, stop: threading.Event):
        self.stop = stop
        self.previous: Any = None
        self.count = 0

    def _handle(self, signum: int, frame: Any) -> None:
        self.count += 1
        if self.stop.is_set():
            raise KeyboardInterrupt
        self.stop.set()

    def __enter__(self) -> _Interrupts:
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def watch_section(
    section_id: str,
    path: Path,
    *,
    lang: str,
    timeout: float | None,
    poll: bool,
    interval: float,
    say: Callable[[str], None],
    stop: threading.Event | None = None,
) -> None:
    """Grade now, then again after every save that changes the file, until Ctrl-C (or `stop` is set).

    The grader stays warm between saves (docs/SPEED.md): the checks are collected once (grading.grade_many), and
    a fresh worker is started while the learner edits, so a save costs only the checks themselves. Each
    grading still gets its own worker and session: nothing of one version of the file reaches the next."""
    from grader.engine import spawn
    from grader.engine.runner import Job
    from grader.grading import grade_many
    from grader.practice.progress import record_section

    stop = stop or threading.Event()
    last: SectionReport | None = None
    graded_content: str | None = None
    interrupts = _Interrupts(stop)
    events: Iterator[None] | None = None
    first = True
    snapshot = _stat(path)  # taken before the first grading reads the file: a save in between is a change

    def changed() -> bool:
        nonlocal graded_content
        content = _fingerprint(path)
        if content is None or content == graded_content:
            return False  # deleted mid-save, or saved without a change
        graded_content = content
        return True

    def next_job() -> Job | None:
        nonlocal events, first
        if first:  # the first grading: now
            first = False
            if changed():
                return Job(path, timeout)
        if events is None:
            mode = bilingual("定期確認", "polling", lang) if poll else bilingual("保存を監視", "on save", lang)
            say(bilingual(
                f"監視中 ({mode}): {inert(path, multiline=False)} — 保存すると採点します。Ctrl-C で終了",
                f"watching ({mode}): {inert(path, multiline=False)} — save to re-grade; Ctrl-C to stop", lang))
            events = changes(path, stop, poll, interval, say, lang, snapshot)
        try:
            spawn.prestart(False)  # the next grading's worker starts (numpy and all) while the learner edits
        except OSError:
            pass  # the grading starts one itself and reports a failure properly
        for _ in events:
            if stop.is_set():
                return None
            if changed():
                return Job(path, timeout)
        return None

    def deliver(job: Job, result: SectionReport | Exception) -> None:
        nonlocal last
        if interrupts.count > 1:  # a second Ctrl-C cut this report short: not a result
            raise KeyboardInterrupt
        if isinstance(result, GraderError):
            say(f"grade: {inert(result)}")
            return
        if isinstance(result, Exception):
            raise result
        record_section(result)
        if last is None:
            render_plain(result, lang, say)
        else:
            say(f"[{time.strftime('%H:%M:%S')}] {inert(section_id, multiline=False)}")
            for line in diff_lines(last, result, lang):
                say(line)
        last = result

    with interrupts:
        try:
            grade_many(section_id, next_job, deliver)
        finally:
            spawn.discard_prestarted()
