"""The options of `grade`, declared once as data — the typer commands are built from these declarations
(grader/cli/common.py, app.py), and `grade SECTION` is parsed from them without typer (parse_run) so that grading
does not pay typer's import before it has graded (docs/SPEED.md).

parse_run takes only a plain, valid call; anything else (help, an unknown option, a bad value) is left to typer,
which parses it again and says what is wrong: the messages and the usage line have one author.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.ids import SECTION_ARG


@dataclass(frozen=True)
class Opt:
    """One option: its flag, its help, and what its value is ("flag": none; "path"; "float" ≥ minimum; "choice")."""

    flag: str
    help: str
    kind: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None


LANG = Opt("--lang", "ja | en | both (default: $GRADER_LANG, else `grade config lang`, else both: 日本語のあとに英語 / "
                     "Japanese then English)", "choice", ("ja", "en", "both"))
DB = Opt("--db", "進捗データベース / progress database (default: $GRADER_DB or "
                 "~/.local/share/eshikaku-grader/progress.sqlite3)", "path")
SANDBOX = Opt("--sandbox", "auto | require | off: 学習者のコードを bubblewrap で隔離 (auto: 使えれば使う, require: "
                           "使えなければ終了 2) / isolate the learner's code with bubblewrap (docs/SECURITY.md)",
              "choice", ("auto", "require", "off"))
SUBMISSION = Opt("--submission", "採点するファイル / file to grade (default: your workspace's dayD/sectionN.py; in a "
                                 "clone of the project exercises/dayD/sectionN.py)", "path")
ANSWERS = Opt("--answers", "確認テストの解答 YAML (質問 id: 番号) / quiz answers file", "path")
NO_QUIZ = Opt("--no-quiz", "確認テストを省略 / skip the quiz", "flag")
JSON = Opt("--json", "JSON で出力 / print the report as JSON", "flag")
TIMEOUT = Opt("--timeout", "1 回の呼び出しの制限秒数 / seconds allowed per call (default 5)", "float", minimum=0.1)
GRADESCOPE = Opt("--gradescope", "Gradescope の results.json も書き出す / also write the report as Gradescope's "
                                 "results.json to this path", "path")

# `grade run SECTION` (`grade SECTION`): the parameter name of each option in the command and in RunArgs
RUN_OPTIONS: dict[str, Opt] = {
    "submission": SUBMISSION, "answers": ANSWERS, "no_quiz": NO_QUIZ, "json_out": JSON, "lang": LANG,
    "timeout": TIMEOUT, "sandbox": SANDBOX, "db": DB, "gradescope": GRADESCOPE,
}


@dataclass
class RunArgs:
    """What `grade SECTION` was asked to do. `lang` None: $GRADER_LANG or the saved choice (or both)."""

    section: str
    submission: Path | None = None
    answers: Path | None = None
    no_quiz: bool = False
    json_out: bool = False
    lang: str | None = None
    timeout: float | None = None
    sandbox: str = "auto"
    db: Path | None = None
    gradescope: Path | None = None


def parse_run(argv: list[str]) -> RunArgs | None:
    """`SECTION [options]` or `run SECTION [options]` as RunArgs; None unless every word is understood and valid."""
    words = list(argv)
    if words and words[0] == "run":
        words.pop(0)
    if not words or not SECTION_ARG.match(words[0]):
        return None
    args = RunArgs(section=words.pop(0))
    by_flag = {opt.flag: name for name, opt in RUN_OPTIONS.items()}
    while words:
        word = words.pop(0)
        flag, eq, inline = word.partition("=")
        name = by_flag.get(flag)
        if name is None:
            return None  # help, an unknown option, a second argument, "--": typer's to explain
        opt = RUN_OPTIONS[name]
        if opt.kind == "flag":
            if eq:
                return None
            setattr(args, name, True)
            continue
        if eq:
            value = inline
        elif words:
            value = words.pop(0)
        else:
            return None
        parsed = _value(opt, value)
        if parsed is None:
            return None
        setattr(args, name, parsed)
    return args


def _value(opt: Opt, value: str) -> object | None:
    if opt.kind == "path":
        return Path(value) if value else None
    if opt.kind == "choice":
        value = value.lower()
        return value if value in opt.choices else None
    if opt.kind == "float":
        try:
            number = float(value)
        except ValueError:
            return None
        ok = number == number and number not in (float("inf"), float("-inf"))
        return number if ok and (opt.minimum is None or number >= opt.minimum) else None
    return None
