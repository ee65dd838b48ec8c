"""The learner's lasting choices (the language) and the one order that decides them; standard library only.

Precedence: the `--lang` option, then $GRADER_LANG, then the setting `grade config lang` saved in
$GRADER_CONFIG or $XDG_CONFIG_HOME (~/.config)/eshikaku-grader/config.json, then `both`. A value that is not
ja, en or both, or a config file that cannot be read, is skipped with a note (never a traceback): the next
source decides. Nothing here prints; the CLI says the notes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

APP_DIR = "eshikaku-grader"  # the folder of the learner's files under XDG_CONFIG_HOME and XDG_DATA_HOME
CONFIG_NAME = "config.json"
LANGS = ("ja", "en", "both")
DEFAULT_LANG = "both"
LANG_ENV = "GRADER_LANG"
CONFIG_ENV = "GRADER_CONFIG"
LANG_OPTION = "--lang"

Note = tuple[str, str]  # (Japanese, English): what was skipped and why, said by the CLI in the chosen language


@dataclass(frozen=True)
class LangChoice:
    """The language to speak, what decided it (option, env, config or default) and the notes of sources skipped."""

    value: str
    source: str
    config: Path
    notes: tuple[Note, ...] = ()


def config_path() -> Path:
    """$GRADER_CONFIG, else $XDG_CONFIG_HOME (default ~/.config)/eshikaku-grader/config.json."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / APP_DIR / CONFIG_NAME


def read_config(path: Path) -> tuple[dict[str, object], Note | None]:
    """The saved settings ({} when there are none) and, when the file is there but unusable, a note why."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, None
    except OSError as e:
        return {}, (f"設定ファイルを読めないため無視します: {path} ({e.strerror})",
                    f"cannot read the settings file, ignored: {path} ({e.strerror})")
    except (ValueError, RecursionError):  # not UTF-8, not JSON, nested beyond reason
        return {}, (f"設定ファイルが壊れているため無視します: {path} (`grade config lang both` で削除できます)",
                    f"the settings file is corrupt, ignored: {path} (`grade config lang both` removes it)")
    if not isinstance(data, dict):
        return {}, (f"設定ファイルの形式が違うため無視します: {path}",
                    f"the settings file is not a JSON object, ignored: {path}")
    return data, None


def lang_in_argv(argv: Sequence[str]) -> str | None:
    """The value of `--lang X` or `--lang=X` in a command line, for what is said before the CLI parses it."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == LANG_OPTION and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(LANG_OPTION + "="):
            return arg.split("=", 1)[1]
    return None


def resolve_lang(option: str | None = None) -> LangChoice:
    """The learner's language: the option, else $GRADER_LANG, else the saved setting, else both."""
    path = config_path()
    if option is not None and option.lower() in LANGS:
        return LangChoice(option.lower(), "option", path)
    notes: list[Note] = []
    env = os.environ.get(LANG_ENV, "").strip()
    if env.lower() in LANGS:
        return LangChoice(env.lower(), "env", path)
    if env:
        notes.append((f"{LANG_ENV}={env!r} は ja, en, both のどれでもないため無視します",
                      f"{LANG_ENV}={env!r} is not ja, en or both: ignored"))
    data, problem = read_config(path)
    if problem is not None:
        notes.append(problem)
    saved = data.get("lang")
    if isinstance(saved, str) and saved in LANGS:
        return LangChoice(saved, "config", path, tuple(notes))
    if saved is not None:
        notes.append((f"設定ファイルの lang が ja, en, both のどれでもないため無視します: {path}",
                      f"lang in the settings file is not ja, en or both, ignored: {path}"))
    return LangChoice(DEFAULT_LANG, "default", path, tuple(notes))


def save_lang(value: str) -> Path:
    """Save the language for every later command; `both` (the default) removes the setting. Other settings in
    the file are kept; an unusable file is replaced. Raises OSError when the file cannot be written."""
    if value not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {value!r}")
    path = config_path()
    data, _ = read_config(path)
    if value == DEFAULT_LANG:
        data.pop("lang", None)
    else:
        data["lang"] = value
    if not data:
        if path.is_file() or path.is_symlink():
            path.unlink()
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, path)  # a reader never sees half a file
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
