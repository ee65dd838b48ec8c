"""All a hidden check file imports (a small public face over the machinery).

Check files (`grader/checks/dayD/sectionN.py`) import from here only, so the engine can change without touching
them; tests/test_layers.py enforces it.
"""

from __future__ import annotations

from grader.engine.checking import (
    RETURN_VALUE,
    CheckFailed,
    Msg,
    Variant,
    as_array,
    central_difference,
    expect_array,
    expect_close,
    expect_equal,
    expect_raises,
    fail,
    note,
    note_warning,
)
from grader.engine.collect import case, cases, check
from grader.engine.proxy import LearnerRaised, RemoteFunction, RemoteObject
from grader.text import Text

__all__ = [
    "RETURN_VALUE", "CheckFailed", "LearnerRaised", "Msg", "RemoteFunction", "RemoteObject", "Text", "Variant",
    "as_array", "case", "cases", "central_difference", "check", "expect_array", "expect_close", "expect_equal",
    "expect_raises", "fail", "note", "note_warning",
]
