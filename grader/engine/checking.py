"""What a hidden check imports: the `check` marker, bilingual messages, and comparisons that name misconceptions.

A check is a plain function taking `learner` (a proxy to the worker process), marked with `check`
(grader/engine/collect.py):

    @check("Momentum", points=2, ja="1ステップの更新", en="one update step")
    def test_momentum_one_step(learner):
        params = {"W": np.array([1.0, 2.0])}
        opt = learner.Momentum(lr=0.1, momentum=0.9)
        opt.update(params, {"W": np.array([0.5, -0.5])})
        expect_array(params["W"], np.array([0.95, 2.05]), what="params['W']",
                     variants=[Variant(np.array([1.05, 1.95]), SIGN_FLIPPED)])

Every verdict is computed here, in the grader process, on plain ndarrays that came back from the worker.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.engine.collect import check  # noqa: F401 - release modules (grader/classroom/freeze.py) import it here
from grader.text import Text

Msg = Text


RETURN_VALUE = Text(ja="戻り値", en="return value")


def _ja(what: str | Text) -> str:
    """A label in a Japanese message: `what` may be one string for both languages, or a Text."""
    return what.ja if isinstance(what, Text) else what


def _en(what: str | Text) -> str:
    return what.en if isinstance(what, Text) else what


class CheckFailed(AssertionError):
    """A learner's result is wrong; `text` says how (bilingual), never the check's source. `misconception`: the
    named mistake alone, when the result matched a known wrong variant (the class summary counts these)."""

    def __init__(self, text: Text, misconception: Text | None = None):
        super().__init__(text.en)
        self.text = text
        self.misconception = misconception


def fail(ja: str, en: str) -> None:
    raise CheckFailed(Text(ja=ja, en=en))


_notes: list[Text] = []  # what the running check attached with `note` (the runner takes them after each check)


def note(ja: str, en: str) -> None:
    """Attach advice to the running check's result: shown with it, in the report's `note`, and never scored
    (the status and the points stay what the values earned)."""
    text = Text(ja=ja, en=en)
    if text not in _notes:
        _notes.append(text)


def take_note() -> Text | None:
    """The notes attached since the last call, one per line (None if none), and forget them."""
    if not _notes:
        return None
    text = Text(ja="\n".join(t.ja for t in _notes), en="\n".join(t.en for t in _notes))
    _notes.clear()
    return text


def note_warning(learner: Any, containing: str, *, what: str, ja: str, en: str) -> None:
    """Advice, never a verdict: when the learner's last call raised a warning whose text contains `containing`
    (e.g. "overflow"), note the warning and `ja`/`en` (how to avoid it). A warning is the learner's text
    (inert, cut short by the proxy); it can be silenced from the learner's code, so it never decides a score."""
    warned = [w for w in learner.last_call.warnings if containing in w.lower()]
    if warned:
        shown = warned[0] if len(warned[0]) <= 100 else warned[0][:100] + "…"
        note(f"{what}: 警告 {shown} — 値は正しいので合格です。{ja}",
             f"{what}: warning {shown} — the values are right, so it passes. {en}")


@dataclass(frozen=True)
class Variant:
    """A known wrong result and the misconception that produces it."""

    value: Any
    why: Text


def _fmt(x: Any) -> str:
    return np.array2string(np.asarray(x), precision=6, threshold=12, edgeitems=3, separator=", ")


def as_array(got: Any, what: str | Text, expected: np.ndarray) -> np.ndarray:
    """Accept a plain ndarray (or a number / list of numbers where a number is expected); name what else came."""
    _reject_remote(got, what)
    if got is None:
        fail(
            f"{_ja(what)} が None です (return を忘れていませんか?)。期待: 形状 {expected.shape} の ndarray",
            f"{_en(what)} is None (forgot to return?); expected an ndarray of shape {expected.shape}",
        )
    if isinstance(got, (bool, np.bool_)) and expected.dtype.kind != "b":
        fail(f"{_ja(what)} が bool です。数値配列を返してください", f"{_en(what)} is a bool; expected numbers")
    if not isinstance(got, np.ndarray):
        if isinstance(got, (int, float, np.number, list, tuple)):
            try:
                got = np.asarray(got, dtype=float)
            except (TypeError, ValueError):
                fail(f"{_ja(what)} を数値配列に変換できません", f"{_en(what)} cannot be read as an array of numbers")
        else:
            fail(f"{_ja(what)} は {type(got).__name__} です。数値配列を返してください",
                 f"{_en(what)} is a {type(got).__name__}; expected a numeric array")
    if got.dtype.kind not in "biuf" and not (got.dtype.kind == "c" and expected.dtype.kind == "c"):
        fail(f"{_ja(what)} の dtype が {got.dtype} です。実数の配列が必要です",
             f"{_en(what)} has dtype {got.dtype}; expected real numbers")
    return got


def _reject_remote(got: Any, what: str | Text) -> None:
    """An object that stayed in the worker (it was not plain data) can never stand for a number."""
    from grader.engine.proxy import LearnerInvalidResult, RemoteObject

    if isinstance(got, RemoteObject):
        raise LearnerInvalidResult(f"{_ja(what)} が {got!r} です。素の数値や numpy.ndarray を返してください",
                                   f"{_en(what)} is {got!r}; expected plain numbers or a numpy.ndarray")


def _matches(got: np.ndarray, want: Any, rtol: float, atol: float, equal_nan: bool = False) -> bool:
    want = np.asarray(want, dtype=float)
    if got.shape != want.shape:
        return False
    with np.errstate(invalid="ignore", over="ignore"):
        # np.isclose's own test for finite values, without its set-up (~20 µs a call); anything it does not
        # settle (a difference, inf, nan) goes to np.allclose itself
        if np.isfinite(want).all() and bool((np.abs(got - want) <= atol + rtol * np.abs(want)).all()):
            return True
        return bool(np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=equal_nan))


Variants = Sequence[Variant] | Callable[[], Sequence[Variant]]


def resolve_variants(variants: Variants) -> Sequence[Variant]:
    """The variants themselves, whether given as a list or as the function that works them out."""
    return variants() if callable(variants) else variants


def expect_array(
    got: Any,
    expected: Any,
    *,
    what: str | Text = RETURN_VALUE,
    accept: Sequence[Any] = (),
    variants: Variants = (),
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> np.ndarray:
    """Pass if `got` equals `expected` or one of the fair alternatives in `accept` (same shape, no broadcasting).

    Otherwise fail, naming the first `variants` entry it matches, else shape / first differing index /
    expected vs got. `variants` may be a function that returns them: it is called only when `got` is wrong, so a
    check whose slips cost many computations pays for them only then (it computes them from its own arrays, as
    every variant, never from what the learner returned).
    """
    expected = np.asarray(expected, dtype=float)
    got = as_array(got, what, expected)
    if got.shape != expected.shape:
        for v in resolve_variants(variants):
            if _matches(got, v.value, rtol, atol):
                _fail_variant(v, what)
        fail(f"{_ja(what)} の形状が {got.shape} です。期待: {expected.shape} (ブロードキャストはしません)",
             f"{_en(what)} has shape {got.shape}, expected {expected.shape} (no broadcasting)")
    for want in (expected, *accept):
        if _matches(got, want, rtol, atol):
            return got
    for v in resolve_variants(variants):  # a slip may produce NaN (√ of a negative): name the slip, not the NaN
        if _matches(got, v.value, rtol, atol, equal_nan=True):
            _fail_variant(v, what)
    bad = ~np.isfinite(got) & np.isfinite(expected)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        kind = "NaN" if np.isnan(got[idx]) else "inf"
        fail(f"{_ja(what)} の {idx} が {kind} です (オーバーフローや 0 除算を確認してください)",
             f"{_en(what)} has {kind} at index {idx} (check for overflow or division by zero)")
    close = np.isclose(got, expected, rtol=rtol, atol=atol)
    idx = tuple(int(i) for i in np.argwhere(~close)[0]) if got.ndim else ()
    fail(
        f"{_ja(what)} が違います: 最初の不一致 index {idx}: 期待 {expected[idx]:.6g}, 実際 {got[idx]:.6g}"
        f" (形状 {got.shape})\n  期待 {_fmt(expected)}\n  実際 {_fmt(got)}",
        f"{_en(what)} is wrong: first difference at index {idx}: expected {expected[idx]:.6g}, got {got[idx]:.6g}"
        f" (shape {got.shape})\n  expected {_fmt(expected)}\n  got      {_fmt(got)}",
    )
    raise AssertionError("unreachable")


def _fail_variant(v: Variant, what: str | Text) -> None:
    raise CheckFailed(Text(ja=f"{_ja(what)}: {v.why.ja}", en=f"{_en(what)}: {v.why.en}"), misconception=v.why)


def expect_close(
    got: Any, expected: float, *, what: str | Text = RETURN_VALUE, variants: Variants = (),
    rtol: float = 1e-6, atol: float = 1e-9,
) -> float:
    """A scalar version of expect_array: a 0-d array, a Python or NumPy number."""
    arr = expect_array(np.asarray(got) if isinstance(got, (int, float, np.number)) else got,
                       np.asarray(float(expected)), what=what,
                       variants=lambda: [Variant(np.asarray(float(v.value)), v.why)
                                         for v in resolve_variants(variants)],
                       rtol=rtol, atol=atol)
    return float(arr)


def expect_equal(got: Any, expected: Any, *, what: str | Text = RETURN_VALUE,
                 variants: Variants = ()) -> Any:
    """Exact equality of plain data (ints, strings, tuples, lists) after it crossed the boundary."""
    _reject_remote(got, what)
    if _plain(got) == _plain(expected):
        return got
    for v in resolve_variants(variants):
        if _plain(got) == _plain(v.value):
            _fail_variant(v, what)
    fail(f"{_ja(what)} が違います: 期待 {expected!r}, 実際 {got!r}",
         f"{_en(what)} is wrong: expected {expected!r}, got {got!r}")


def _plain(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return _plain(x.tolist())
    if isinstance(x, (list, tuple)):
        return [_plain(i) for i in x]
    if isinstance(x, np.generic):
        return x.item()
    return x


_SHAPE = re.compile(r"\(\s*\d+(?:\s*,\s*\d+)*\s*,?\s*\)")


def _mentioned(mention: str, message: str) -> bool:
    """`mention` occurs in `message`. A shape such as "(2, 3)" or "(4,)" is found in any of its usual spellings:
    numpy's "(2,3)", "( 2 , 3 )", "[2, 3]", "2x3" / "2 × 3" (two or more dimensions), "(4)" for one dimension."""
    if mention in message:
        return True
    if not _SHAPE.fullmatch(mention.strip()):
        return False
    dims = re.findall(r"\d+", mention)
    inner = r"\s*,\s*".join(dims)
    forms = [rf"[(\[]\s*{inner}\s*,?\s*[)\]]"]
    if len(dims) > 1:
        forms.append(r"(?<![\d.])" + r"\s*[x×X*]\s*".join(dims) + r"(?![\d.])")
    return any(re.search(f, message) for f in forms)


@contextlib.contextmanager
def expect_raises(*type_names: str, ja: str, en: str, mentions: Sequence[str] = ()) -> Iterator[None]:
    """The learner's call inside must raise one of the named exception types (by name, e.g. "ValueError");
    its message must contain every string of `mentions` (e.g. the shapes that do not fit). A shape in `mentions`,
    written "(2, 3)", is found in any spelling: "(2,3)", "[2, 3]", "2x3" (see `_mentioned`)."""
    from grader.engine.proxy import LearnerRaised

    try:
        yield
    except LearnerRaised as e:
        if e.type_name not in type_names:
            raise
        missing = [m for m in mentions if not _mentioned(m, e.message)]
        if missing:
            fail(f"{e.type_name} は送出されましたが、メッセージに {', '.join(missing)} がありません: {ja}",
                 f"{e.type_name} was raised, but its message does not name {', '.join(missing)}: {en}")
        return
    fail(f"例外 {'/'.join(type_names)} が送出されませんでした: {ja}",
         f"expected {'/'.join(type_names)} to be raised: {en}")


def central_difference(loss: Any, args: dict[str, np.ndarray], eps: float = 1e-6,
                       batched: bool = False) -> dict[str, np.ndarray]:
    """∂loss/∂a for every array a of `args`, by central differences on float64 copies (the check's own oracle,
    never the learner's code): g[i] = (loss(a + ε·e_i) − loss(a − ε·e_i)) / 2ε.

    `loss(**args)` returns the scalar loss. With `batched=True` it must also take ONE argument carrying a leading
    axis of perturbed copies — shape (P, *a.shape), or (P, 1, n) for a 1-D `a` so that it broadcasts like a bias
    over the rows — and return the P losses: one call per argument instead of two per element (the GRU check's Wx,
    60 elements: 1 call instead of 120). tests/test_engine.py holds both ways to the same numbers."""
    values = {k: np.array(v, dtype=float) for k, v in args.items()}
    out = {}
    for name, a in values.items():
        if batched:
            n = a.size
            step = (np.eye(n) * eps).reshape(n, *a.shape)
            copies = np.concatenate([a + step, a - step])
            if a.ndim == 1:
                copies = copies[:, None, :]
            f = np.asarray(loss(**{**values, name: copies}), dtype=float)
            if f.size != 2 * n:  # a loss that summed over the copies too: never a silently wrong gradient
                raise ValueError(f"a batched loss returns one value per copy ({2 * n}), not {f.size}")
            f = f.reshape(2 * n)
            out[name] = ((f[:n] - f[n:]) / (2 * eps)).reshape(a.shape)
            continue
        g = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            old = a[idx]
            a[idx] = old + eps
            up = float(loss(**values))
            a[idx] = old - eps
            down = float(loss(**values))
            a[idx] = old
            g[idx] = (up - down) / (2 * eps)
        out[name] = g
    return out
