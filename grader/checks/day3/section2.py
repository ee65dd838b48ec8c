"""Hidden checks of day3.section2 (LSTM): LSTM and TimeLSTM.

The oracle is written here from the formulas, never from solutions/:
- a forward pass A = x·Wx + h·Wh + b (einsum), gates read from A's column blocks by NAME through an order string
  (the book's "fgio": f = σ(A[:, :H]), g = tanh(A[:, H:2H]), i = σ(A[:, 2H:3H]), o = σ(A[:, 3H:])),
  c = f·c_prev + g·i, h = o·tanh(c);
- the expected value of every backward is a central-difference numerical gradient of L = Σ hs·dhs (+ Σ c·dc for one
  step) under that forward, or a derivation by hand with math on the docstrings' examples;
- an analytic backward with switches that reproduce each catalogued slip (another gate order, tanh on c forgotten,
  dc_prev without the factor f, dc_next not added, dh or dc from the next step dropped, gradients not summed over
  time), so that a wrong result is named by its misconception.

The proxy returns attributes as copies (`layer.grads`, `layer.h`, `layer.c`, `layer.dh`), read after the calls.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from grader.engine.api import Msg, Text, Variant, central_difference, check, expect_array, fail

FWD = {"rtol": 1e-5, "atol": 1e-7}  # forward values (float32 arithmetic stays within)
GRAD = {"rtol": 1e-4, "atol": 1e-6}  # gradients against a central difference (float32 arithmetic stays within)
EPS = 1e-6  # the central difference's step (float64, the check's own computation)
BOOK = "fgio"  # A = [f | g | i | o]
OTHER_ORDERS = ["".join(p) for p in itertools.permutations(BOOK) if "".join(p) != BOOK]

# ---------------------------------------------------------------- misconceptions (named in the feedback)

ORDER = Msg(
    ja="ゲートの切り出しの順番が違います (order): 本の順は A = [f | g | i | o] (H 列ずつ) で、f = σ(A[:, :H])、"
       "g = tanh(A[:, H:2H])、i = σ(A[:, 2H:3H])、o = σ(A[:, 3H:]) です (backward の dA も同じ順)",
    en="the gate slices are in another order: the book packs A = [f | g | i | o] (H columns each): "
       "f = σ(A[:, :H]), g = tanh(A[:, H:2H]), i = σ(A[:, 2H:3H]), o = σ(A[:, 3H:]) (and dA in the same order)",
)
NO_TANH_C = Msg(
    ja="h_next で c に tanh を掛け忘れています (forgot tanh on c): h_next = o·tanh(c_next) です "
       "(backward では tanh′ = 1 − tanh²(c_next) も要ります)",
    en="forgot tanh on c in h_next: h_next = o·tanh(c_next) (and backward needs its derivative "
       "1 − tanh²(c_next))",
)
G_SIGMOID = Msg(
    ja="g (新しい記憶) にシグモイドを使っています: g = tanh(A_g) で、シグモイドは 3 つのゲート f, i, o だけです",
    en="g (the new memory) went through the sigmoid: g = tanh(A_g); only the three gates f, i, o are sigmoids",
)
NO_FORGET = Msg(ja="忘却ゲートが効いていません: c_next = f·c_prev + g·i (c_prev に f を掛ける)",
                en="the forget gate is not applied: c_next = f·c_prev + g·i (c_prev times f)")
DC_NO_F = Msg(
    ja="dc_prev に f が掛かっていません (missing the f factor): c_next = f·c_prev + g·i なので dc_prev = ds·f です",
    en="dc_prev is missing the f factor: c_next = f·c_prev + g·i, so dc_prev = ds·f",
)
DS_NO_DC = Msg(
    ja="ds に dc_next が足されていません: c_next は次の時刻の記憶セルと h_next の両方へ流れたので "
       "ds = dc_next + dh_next·o·(1 − tanh²(c_next)) です",
    en="dc_next is not added into ds: c_next flows both to the next step's cell and to h_next, so "
       "ds = dc_next + dh_next·o·(1 − tanh²(c_next))",
)
DO_WITH_DS = Msg(
    ja="dA_o に ds を使っています: o は h_next = o·tanh(c_next) にだけ使われたので dA_o = dh_next·tanh(c_next)·o(1 − o)",
    en="dA_o uses ds: o only enters h_next = o·tanh(c_next), so dA_o = dh_next·tanh(c_next)·o(1 − o)",
)
ACCUMULATED = Msg(
    ja="2 回目の backward の勾配に 1 回目の分が足されています (accumulate): self.grads には足し込まず、"
       "self.grads[0][...] = dWx のように毎回上書きします",
    en="the second backward's gradients still include the first one's (they accumulate across calls): overwrite "
       "self.grads each time, self.grads[0][...] = dWx, instead of adding into them",
)
NOT_SUMMED = Msg(
    ja="重みの勾配が時刻について足し合わされていません (not summed over time): Wx, Wh, b は全時刻で共有されて"
       "いるので、各時刻の勾配の和です",
    en="the weight gradients are not summed over time: Wx, Wh and b are shared by every step, so their gradients "
       "are the sum of every step's",
)
AVERAGED = Msg(ja="重みの勾配が時刻について平均されています: T で割らず、各時刻の勾配の和にします",
               en="the weight gradients are averaged over time: do not divide by T; take the sum over the steps")
DH_NOT_ADDED = Msg(
    ja="次の時刻から来る dh が足されていません (dh from the next step): 時刻 t の backward には "
       "(dhs[:, t] + dh, dc) を渡します",
    en="the dh from the next step is not added: step t's backward gets (dhs[:, t] + dh, dc)",
)
DC_LOST = Msg(
    ja="次の時刻から来る dc が ds に届いていません (dc from the next step): TimeLSTM が backward(dhs[:, t] + dh, dc) "
       "で dc を渡していないか、LSTM.backward が ds = dc_next + dh_next·o·(1 − tanh²(c_next)) の dc_next を"
       "足していません",
    en="the dc from the next step never reaches ds: either TimeLSTM does not pass it back (backward(dhs[:, t] + dh, "
       "dc)) or LSTM.backward does not add dc_next into ds = dc_next + dh_next·o·(1 − tanh²(c_next))",
)
C_NOT_CARRIED = Msg(
    ja="記憶セル c が次の時刻に引き継がれていません: c_t = f·c_{t−1} + g·i の c_{t−1} は 1 つ前の時刻の c です",
    en="the memory cell c is not carried to the next step: c_{t−1} in c_t = f·c_{t−1} + g·i is the previous "
       "step's c",
)
H_NOT_CARRIED = Msg(
    ja="隠れ状態 h が次の時刻に引き継がれていません: 時刻 t の LSTM には 1 つ前の時刻の h を渡します",
    en="the hidden state h is not carried to the next step: step t's LSTM gets the previous step's h",
)
LAYOUT = Msg(ja="hs の並びが (T, N, H) になっています: 形状は (N, T, H) で、hs[:, t, :] = h_t です",
             en="hs is laid out (T, N, H): its shape is (N, T, H), with hs[:, t, :] = h_t")
STATEFUL_IGNORED = Msg(
    ja="stateful=True なのに前回の forward の続きになっていません: 最初の h, c は前回の最後の self.h, self.c です",
    en="stateful=True, yet the forward did not continue from the previous one: the first h, c are the last "
       "self.h, self.c",
)
STATEFUL_C_LOST = Msg(
    ja="stateful=True で h は引き継がれていますが c が 0 に戻っています: self.c も引き継ぎます",
    en="stateful=True carried h over but restarted c from zeros: carry self.c over too",
)
NOT_RESTARTED = Msg(
    ja="stateful=False なのに前回の状態を引き継いでいます: stateful=False の forward は毎回 h, c = 0 から始めます",
    en="stateful=False, yet the state carried over: with stateful=False every forward starts from h, c = 0",
)
RESET_IGNORED = Msg(ja="reset_state() の後も前の状態が残っています: reset_state は self.h = self.c = None にします",
                    en="the old state survived reset_state(): reset_state sets self.h = self.c = None")
SET_STATE_IGNORED = Msg(
    ja="set_state(h, c) で置いた状態から始まっていません: set_state は self.h = h, self.c = c にします",
    en="the forward did not start from the state given to set_state(h, c): it sets self.h = h and self.c = c",
)
SET_STATE_C_NONE = Msg(
    ja="set_state(h) (c を省略) の後、c が 0 になっていません: c が None のときは self.c = np.zeros_like(h) です",
    en="after set_state(h) with no c, c is not zeros: when c is None, self.c = np.zeros_like(h)",
)

# ---------------------------------------------------------------- the oracle


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _run(xs, Wx, Wh, b, h0=None, c0=None, order=BOOK, tanh_c=True, g_sigmoid=False, forget=True,
         carry_h=True, carry_c=True) -> list[dict]:
    """The forward pass one step at a time; each step's values (for the backward). Any argument may carry a
    leading axis of perturbed copies (_numerical): time and gates are indexed from the end."""
    N, T = xs.shape[-3], xs.shape[-2]
    H = Wh.shape[-2]
    h = np.zeros((N, H)) if h0 is None else np.asarray(h0, dtype=float)
    c = np.zeros((N, H)) if c0 is None else np.asarray(c0, dtype=float)
    steps = []
    for t in range(T):
        h_prev = h if carry_h else np.zeros((N, H))
        c_prev = c if carry_c else np.zeros((N, H))
        A = np.einsum("...nd,...dk->...nk", xs[..., t, :], Wx) + np.einsum("...nj,...jk->...nk", h_prev, Wh) + b
        blocks = {name: A[..., k * H:(k + 1) * H] for k, name in enumerate(order)}
        f, i, o = _sigmoid(blocks["f"]), _sigmoid(blocks["i"]), _sigmoid(blocks["o"])
        g = _sigmoid(blocks["g"]) if g_sigmoid else np.tanh(blocks["g"])
        c = (f if forget else 1.0) * c_prev + g * i
        h = o * (np.tanh(c) if tanh_c else c)
        steps.append({"x": xs[..., t, :], "h_prev": h_prev, "c_prev": c_prev, "f": f, "g": g, "i": i, "o": o, "c": c,
                      "h": h})
    return steps


def _hs(steps: list[dict]) -> np.ndarray:
    return np.stack(np.broadcast_arrays(*[s["h"] for s in steps]), axis=-2)


def _forward(xs, Wx, Wh, b, h0=None, c0=None, **kw) -> np.ndarray:
    return _hs(_run(xs, Wx, Wh, b, h0, c0, **kw))


def _loss(xs, Wx, Wh, b, h0, c0, dhs, dc):
    """L = Σ hs·dhs + Σ c_last·dc, one value per copy when an argument carries a leading axis of copies."""
    steps = _run(xs, Wx, Wh, b, h0, c0)
    return np.sum(_hs(steps) * dhs, axis=(-3, -2, -1)) + np.sum(steps[-1]["c"] * dc, axis=(-2, -1))


ARGS = ("xs", "Wx", "Wh", "b", "h0", "c0")


def _numerical(args: list[np.ndarray], k: int, dhs: np.ndarray, dc: np.ndarray) -> np.ndarray:
    """∂L/∂args[k] by central differences, L = Σ hs·dhs + Σ c_last·dc, args = [xs, Wx, Wh, b, h0, c0] (every
    element of args[k] in one batched call of the oracle)."""
    fixed = [np.array(a, dtype=float) for a in args]

    def loss(**one):
        return _loss(*[one.get(name, a) for name, a in zip(ARGS, fixed, strict=True)], dhs, dc)

    return central_difference(loss, {ARGS[k]: fixed[k]}, EPS, batched=True)[ARGS[k]]


def _bptt(xs, Wx, Wh, b, dhs, h0=None, c0=None, dc_last=None, order=BOOK, tanh_c=True, dc_f=True, ds_dc=True,
          do_ds=False, carry_h=True, total="sum"):
    """Analytic backward (dxs, [dWx, dWh, db], dh, dc) of L = Σ hs·dhs + Σ c_last·dc_last; the switches reproduce
    the catalogued slips (carry_h=False: the dh from the next step is not added)."""
    steps = _run(xs, Wx, Wh, b, h0, c0, order=order, tanh_c=tanh_c)
    N, T, D = xs.shape
    H = Wh.shape[0]
    dxs = np.zeros((N, T, D))
    dh = np.zeros((N, H))
    dc = np.zeros((N, H)) if dc_last is None else dc_last
    per_step = [None] * T
    for t in reversed(range(T)):
        s = steps[t]
        dh_next = dhs[:, t] + (dh if carry_h else 0.0)
        dc_next = dc
        tc = np.tanh(s["c"]) if tanh_c else s["c"]
        ds = (dc_next if ds_dc else 0.0) + dh_next * s["o"] * ((1 - tc**2) if tanh_c else 1.0)
        f, g, i, o = s["f"], s["g"], s["i"], s["o"]
        parts = {"f": ds * s["c_prev"] * f * (1 - f), "g": ds * i * (1 - g**2), "i": ds * g * i * (1 - i),
                 "o": (ds if do_ds else dh_next) * tc * o * (1 - o)}
        dA = np.concatenate([parts[name] for name in order], axis=1)
        per_step[t] = (np.einsum("nd,nk->dk", s["x"], dA), np.einsum("nj,nk->jk", s["h_prev"], dA), dA.sum(axis=0))
        dxs[:, t] = np.einsum("nk,dk->nd", dA, Wx)
        dh = np.einsum("nk,jk->nj", dA, Wh)
        dc = ds * f if dc_f else ds
    if total == "first":
        grads = list(per_step[0])
    elif total == "last":
        grads = list(per_step[T - 1])
    else:
        grads = [sum(p[k] for p in per_step) / (T if total == "mean" else 1) for k in range(3)]
    return dxs, grads, dh, dc


def _slips(xs, Wx, Wh, b, dhs, h0=None, c0=None, dc_last=None, time: bool = True,
           skip: tuple[Msg, ...] = ()) -> Callable[[], list[tuple[tuple, Msg]]]:
    """(result of _bptt, misconception) for every catalogued slip of the backward pass (but those in `skip`),
    worked out on first use: a right answer never needs them (expect_array calls its variants only when wrong)."""
    cases = [({"order": o}, ORDER) for o in OTHER_ORDERS]
    # over time (only hs is output) dc_next never added and dc never passed back give the same numbers
    cases += [({"tanh_c": False}, NO_TANH_C), ({"dc_f": False}, DC_NO_F), ({"ds_dc": False}, DC_LOST if time else DS_NO_DC),
              ({"do_ds": True}, DO_WITH_DS)]
    if time:
        cases += [({"carry_h": False}, DH_NOT_ADDED),
                  ({"total": "first"}, NOT_SUMMED), ({"total": "last"}, NOT_SUMMED), ({"total": "mean"}, AVERAGED)]
    return functools.cache(lambda: [(_bptt(xs, Wx, Wh, b, dhs, h0, c0, dc_last, **kw), why) for kw, why in cases
                                    if why not in skip])


def _variants(slips: Callable[[], list[tuple[tuple, Msg]]], part: Callable[[tuple], Any]) -> Callable[[], list[Variant]]:
    """The Variants of one output (`part` picks it from a _bptt result), for expect_array to work out when wrong."""
    return lambda: [Variant(part(res), why) for res, why in slips()]


def _forward_variants(xs, Wx, Wh, b, h0=None, c0=None, time: bool = True) -> Callable[[], list[Variant]]:
    """hs under each catalogued slip of the forward pass (h and c of one step when time=False), worked out on first
    use (expect_array calls them only when the answer is wrong)."""
    def run(**kw):
        steps = _run(xs, Wx, Wh, b, h0, c0, **kw)
        return _hs(steps) if time else np.stack([steps[0]["h"], steps[0]["c"]])

    def compute() -> list[Variant]:
        out = [Variant(run(order=o), ORDER) for o in OTHER_ORDERS]
        out += [Variant(run(tanh_c=False), NO_TANH_C), Variant(run(g_sigmoid=True), G_SIGMOID),
                Variant(run(forget=False), NO_FORGET)]
        if time:
            out += [Variant(run(carry_c=False), C_NOT_CARRIED), Variant(run(carry_h=False), H_NOT_CARRIED),
                    Variant(run().transpose(1, 0, 2), LAYOUT)]
        return out

    return functools.cache(compute)


def _rand(seed: int, *shapes: tuple, scale: float = 0.5) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(0.0, scale, size=s) for s in shapes]


def _split(res, n: int, what: str) -> tuple:
    """The n results of a call that returns a tuple (hidden checks only: it may fail)."""
    if not isinstance(res, (tuple, list)) or len(res) != n:
        shown = type(res).__name__ if not isinstance(res, (tuple, list)) else f"{len(res)} 個 / {len(res)} values"
        fail(f"{what} は {n} 個の値のタプルを返します (実際: {shown})",
             f"{what} returns a tuple of {n} values (got: {shown})")
    return tuple(res)


def _grads(layer, what: str) -> list:
    got = layer.grads
    if not isinstance(got, (list, tuple)) or len(got) != 3:
        fail(f"{what}.grads は [dWx, dWh, db] の 3 つの配列のリストのままにしてください",
             f"{what}.grads must stay a list of the 3 arrays [dWx, dWh, db]")
    return list(got)


def _kept(value, name: str):
    """An attribute the layer must have set (hidden checks only: it may fail)."""
    if value is None:
        fail(f"{name} が None のままです: 本と同じく {name} に値を置いてください",
             f"{name} is still None: keep the value in {name} as the book does")
    return value


def _expect_grads(got: list, want: list, slips: Callable[[], list], what: str) -> None:
    for k, name in enumerate(("dWx", "dWh", "db")):
        expect_array(got[k], want[k], what=Text(ja=f"{what}.grads[{k}] ({name})", en=f"{what}.grads[{k}] ({name})"),
                     variants=_variants(slips, lambda res, k=k: res[1][k]), **GRAD)


# ---------------------------------------------------------------- LSTM

# the docstring's example: D = H = 1, A = x·Wx + b = (2, 1, −1, 0.5) for x = 1 (Wh = 0), c_prev = 1
EX_WX, EX_WH, EX_B = np.array([[0.0, 1.0, 0.0, 0.0]]), np.zeros((1, 4)), np.array([2.0, 0.0, -1.0, 0.5])
EX_X, EX_H, EX_C = np.array([[1.0]]), np.array([[0.0]]), np.array([[1.0]])


def _s(v: float) -> float:
    return 1 / (1 + math.exp(-v))


@check("LSTM", 1, ja="forward: 例題 (D = H = 1、ゲートごとに違う値) の (h_next, c_next)",
       en="forward: the docstring's (h_next, c_next) (D = H = 1, a different value in each gate)", public=True)
def test_lstm_forward_hand(learner):
    # by hand: f = σ(2), g = tanh(1), i = σ(−1), o = σ(0.5); c = f·1 + g·i; h = o·tanh(c)
    f, g, i, o = _s(2.0), math.tanh(1.0), _s(-1.0), _s(0.5)
    c = f * 1.0 + g * i
    want = np.array([o * math.tanh(c), c]).reshape(2, 1, 1)  # (h_next, c_next) stacked
    variants = _forward_variants(EX_X[:, None], EX_WX, EX_WH, EX_B, EX_H, EX_C, time=False)
    got = learner.LSTM(EX_WX, EX_WH, EX_B).forward(EX_X, EX_H, EX_C)
    expect_array(got, want, what=Text(ja="LSTM.forward(x, h_prev, c_prev) の (h_next, c_next)",
                                      en="(h_next, c_next) of LSTM.forward(x, h_prev, c_prev)"), **FWD,
                 variants=variants)


@check("LSTM", 2, ja="forward: N = 3, D = 2, H = 4 の h_next と c_next", en="forward: h_next and c_next, N = 3, D = 2, H = 4")
def test_lstm_forward_odd_shapes(learner):
    Wx, Wh, b, x, h, c = _rand(210, (2, 16), (4, 16), (16,), (3, 2), (3, 4), (3, 4))
    step = _run(x[:, None], Wx, Wh, b, h, c)[0]
    variants = _forward_variants(x[:, None], Wx, Wh, b, h, c, time=False)
    got_h, got_c = _split(learner.LSTM(Wx, Wh, b).forward(x, h, c), 2, "LSTM.forward")
    expect_array(got_c, step["c"], what="c_next", **FWD, variants=lambda: [Variant(v.value[1], v.why) for v in variants()])
    expect_array(got_h, step["h"], what="h_next", **FWD, variants=lambda: [Variant(v.value[0], v.why) for v in variants()])


@check("LSTM", 1, ja="backward: 例題の (dx, dh_prev, dc_prev) と grads を手計算どおりに",
       en="backward: the docstring's (dx, dh_prev, dc_prev) and grads by hand")
def test_lstm_backward_hand(learner):
    f, g, i, o = _s(2.0), math.tanh(1.0), _s(-1.0), _s(0.5)
    c = f * 1.0 + g * i
    # dh_next = 0, dc_next = 1: ds = 1, dc_prev = ds·f; dA = (c_prev·f(1 − f), i(1 − g²), g·i(1 − i), 0)
    dA = np.array([[1.0 * f * (1 - f), i * (1 - g * g), g * i * (1 - i), 0.0]])
    lstm = learner.LSTM(EX_WX, EX_WH, EX_B)
    lstm.forward(EX_X, EX_H, EX_C)
    dx, dh_prev, dc_prev = _split(lstm.backward(np.array([[0.0]]), np.array([[1.0]])), 3, "LSTM.backward")
    expect_array(dc_prev, np.array([[f]]), what="dc_prev (dh_next = 0, dc_next = 1)", **GRAD,
                 variants=[Variant(np.array([[1.0]]), DC_NO_F), Variant(np.array([[0.0]]), DS_NO_DC)])
    expect_array(dx, dA @ EX_WX.T, what="dx (dh_next = 0, dc_next = 1)", **GRAD,
                 variants=[Variant(np.array([[0.0]]), DS_NO_DC)])
    expect_array(dh_prev, np.array([[0.0]]), what="dh_prev (Wh = 0)", **GRAD)
    got = _grads(lstm, "LSTM")
    for k, (name, want) in enumerate((("dWx", dA), ("dWh", 0 * dA), ("db", dA[0]))):  # x = 1, h_prev = 0
        expect_array(got[k], want, what=f"LSTM.grads[{k}] ({name})", **GRAD)
    # dh_next = 1, dc_next = 0 on a fresh layer: ds = o·(1 − tanh²c), dA_o = tanh(c)·o(1 − o)
    ds = o * (1 - math.tanh(c) ** 2)
    lstm = learner.LSTM(EX_WX, EX_WH, EX_B)
    lstm.forward(EX_X, EX_H, EX_C)
    dx, _, dc_prev = _split(lstm.backward(np.array([[1.0]]), np.array([[0.0]])), 3, "LSTM.backward")
    expect_array(dc_prev, np.array([[ds * f]]), what="dc_prev (dh_next = 1, dc_next = 0)", **GRAD, variants=[
        Variant(np.array([[ds]]), DC_NO_F), Variant(np.array([[o * f]]), NO_TANH_C)])
    expect_array(dx, np.array([[ds * i * (1 - g * g)]]), what="dx (dh_next = 1, dc_next = 0)", **GRAD,
                 variants=[Variant(np.array([[o * i * (1 - g * g)]]), NO_TANH_C)])


@check("LSTM", 2, ja="backward: dx, dh_prev, dc_prev を数値微分と比較 (N = 3, D = 2, H = 4)",
       en="backward: dx, dh_prev, dc_prev against a numerical gradient (N = 3, D = 2, H = 4)")
def test_lstm_backward_numerical(learner):
    Wx, Wh, b, x, h, c, dh, dc = _rand(220, (2, 16), (4, 16), (16,), (3, 2), (3, 4), (3, 4), (3, 4), (3, 4))
    xs, dhs = x[:, None], dh[:, None]
    args = [xs, Wx, Wh, b, h, c]
    want_dx = _numerical(args, 0, dhs, dc)[:, 0]
    want_dh, want_dc = _numerical(args, 4, dhs, dc), _numerical(args, 5, dhs, dc)
    slips = _slips(xs, Wx, Wh, b, dhs, h, c, dc, time=False)
    lstm = learner.LSTM(Wx, Wh, b)
    lstm.forward(x, h, c)
    dx, dh_prev, dc_prev = _split(lstm.backward(dh, dc), 3, "LSTM.backward")
    expect_array(dc_prev, want_dc, what="dc_prev", **GRAD, variants=_variants(slips, lambda res: res[3]))
    expect_array(dx, want_dx, what="dx", **GRAD, variants=_variants(slips, lambda res: res[0][:, 0]))
    expect_array(dh_prev, want_dh, what="dh_prev", **GRAD, variants=_variants(slips, lambda res: res[2]))


@check("LSTM", 2, ja="backward: grads (dWx, dWh, db) を数値微分と比較 (ゲートの列は f, g, i, o の順)",
       en="backward: grads (dWx, dWh, db) against a numerical gradient (gate columns in the order f, g, i, o)")
def test_lstm_backward_grads(learner):
    Wx, Wh, b, x, h, c, dh, dc = _rand(221, (2, 16), (4, 16), (16,), (3, 2), (3, 4), (3, 4), (3, 4), (3, 4))
    xs, dhs = x[:, None], dh[:, None]
    args = [xs, Wx, Wh, b, h, c]
    want = [_numerical(args, k, dhs, dc) for k in (1, 2, 3)]
    slips = _slips(xs, Wx, Wh, b, dhs, h, c, dc, time=False)
    lstm = learner.LSTM(Wx, Wh, b)
    lstm.forward(x, h, c)
    lstm.backward(dh, dc)
    _expect_grads(_grads(lstm, "LSTM"), want, slips, "LSTM")


@check("LSTM", 1, ja="grads はその場で上書き: 2 回目の backward 後は 2 回目の勾配だけ",
       en="grads are overwritten in place: after a second backward they hold the second gradient only")
def test_lstm_grads_second_backward(learner):
    Wx, Wh, b, x1, h1, c1, dh1, dc1 = _rand(230, (2, 16), (4, 16), (16,), (3, 2), (3, 4), (3, 4), (3, 4), (3, 4))
    x2, h2, c2, dh2, dc2 = _rand(231, (3, 2), (3, 4), (3, 4), (3, 4), (3, 4))
    first = _bptt(x1[:, None], Wx, Wh, b, dh1[:, None], h1, c1, dc1)[1]
    second = _bptt(x2[:, None], Wx, Wh, b, dh2[:, None], h2, c2, dc2)[1]
    lstm = learner.LSTM(Wx, Wh, b)
    lstm.forward(x1, h1, c1)
    lstm.backward(dh1, dc1)
    lstm.forward(x2, h2, c2)
    lstm.backward(dh2, dc2)
    got = _grads(lstm, "LSTM")
    for k, name in enumerate(("dWx", "dWh", "db")):
        expect_array(got[k], second[k], what=f"LSTM.grads[{k}] ({name}) after the second backward", **GRAD,
                     variants=[Variant(first[k] + second[k], ACCUMULATED)])


# ---------------------------------------------------------------- TimeLSTM


def _odd(seed: int):
    """N = 2, T = 5, D = 3, H = 4: Wx, Wh, b, xs, dhs, h0, c0."""
    return _rand(seed, (3, 16), (4, 16), (16,), (2, 5, 3), (2, 5, 4), (2, 4), (2, 4))


@check("TimeLSTM", 1, ja="forward: N = 2, T = 5, D = 3, H = 4 (stateful=False)",
       en="forward: N = 2, T = 5, D = 3, H = 4 (stateful=False)", public=True)
def test_timelstm_forward_odd_shapes(learner):
    Wx, Wh, b, xs, *_ = _odd(240)
    want = _forward(xs, Wx, Wh, b)
    variants = _forward_variants(xs, Wx, Wh, b)
    expect_array(learner.TimeLSTM(Wx, Wh, b).forward(xs), want, what="TimeLSTM.forward(xs (2, 5, 3))", **FWD,
                 variants=variants)


@check("TimeLSTM", 1, ja="forward: 例題 (N = 1, T = 2) の hs と self.h, self.c",
       en="forward: the docstring's hs, self.h and self.c (N = 1, T = 2)")
def test_timelstm_forward_hand(learner):
    # by hand: t = 0, A = (2, 1, −1, 0.5), c_{−1} = 0: c_0 = g·i; t = 1, A = (2, 0, −1, 0.5): g = 0, c_1 = f·c_0
    f, i, o = _s(2.0), _s(-1.0), _s(0.5)
    c0 = math.tanh(1.0) * i
    c1 = f * c0
    want = np.array([o * math.tanh(c0), o * math.tanh(c1)]).reshape(1, 2, 1)
    lost = np.array([o * math.tanh(c0), 0.0]).reshape(1, 2, 1)  # c restarted from 0 at t = 1
    layer = learner.TimeLSTM(EX_WX, EX_WH, EX_B)
    expect_array(layer.forward(np.array([[[1.0], [0.0]]])), want, what="TimeLSTM.forward(xs)", **FWD,
                 variants=[Variant(lost, C_NOT_CARRIED)])
    expect_array(_kept(layer.h, "self.h"), np.array([[o * math.tanh(c1)]]), what="self.h after forward", **FWD)
    expect_array(_kept(layer.c, "self.c"), np.array([[c1]]), what="self.c after forward", **FWD,
                 variants=[Variant(np.array([[0.0]]), C_NOT_CARRIED)])


@check("TimeLSTM", 2, ja="backward: dxs を数値微分と比較 (N = 2, T = 5, D = 3, H = 4)",
       en="backward: dxs against a numerical gradient (N = 2, T = 5, D = 3, H = 4)")
def test_timelstm_backward_dxs(learner):
    Wx, Wh, b, xs, dhs, *_ = _odd(250)
    zero = np.zeros((2, 4))
    want = _numerical([xs, Wx, Wh, b, zero, zero], 0, dhs, zero)
    slips = _slips(xs, Wx, Wh, b, dhs, skip=(NOT_SUMMED, AVERAGED))
    layer = learner.TimeLSTM(Wx, Wh, b)
    layer.forward(xs)
    expect_array(layer.backward(dhs), want, what="TimeLSTM.backward(dhs) = dxs", **GRAD,
                 variants=_variants(slips, lambda res: res[0]))


@check("TimeLSTM", 2, ja="backward: grads を数値微分と比較 (時刻について和)",
       en="backward: grads against a numerical gradient (summed over time)")
def test_timelstm_backward_grads(learner):
    Wx, Wh, b, xs, dhs, *_ = _odd(251)
    zero = np.zeros((2, 4))
    want = [_numerical([xs, Wx, Wh, b, zero, zero], k, dhs, zero) for k in (1, 2, 3)]
    slips = _slips(xs, Wx, Wh, b, dhs)
    layer = learner.TimeLSTM(Wx, Wh, b)
    layer.forward(xs)
    layer.backward(dhs)
    _expect_grads(_grads(layer, "TimeLSTM"), want, slips, "TimeLSTM")


@check("TimeLSTM", 1, ja="backward: self.dh = ∂L/∂h_{−1} (set_state(h, c) の状態から、数値微分と比較)",
       en="backward: self.dh = ∂L/∂h_{−1} (from a state put with set_state(h, c), against a numerical gradient)")
def test_timelstm_backward_dh(learner):
    Wx, Wh, b, xs, dhs, h0, c0 = _odd(252)
    want = _numerical([xs, Wx, Wh, b, h0, c0], 4, dhs, np.zeros((2, 4)))
    slips = _slips(xs, Wx, Wh, b, dhs, h0, c0, skip=(NOT_SUMMED, AVERAGED))
    layer = learner.TimeLSTM(Wx, Wh, b, stateful=True)
    layer.set_state(h0, c0)
    layer.forward(xs)
    layer.backward(dhs)
    expect_array(_kept(layer.dh, "self.dh"), want, what="TimeLSTM.dh", **GRAD,
                 variants=_variants(slips, lambda res: res[2]))


@check("TimeLSTM", 1, ja="grads はその場で上書き: 2 回目の backward 後は 2 回目の勾配だけ",
       en="grads are overwritten in place: after a second backward they hold the second gradient only")
def test_timelstm_grads_second_backward(learner):
    Wx, Wh, b, xs1, dhs1, *_ = _odd(253)
    _, _, _, xs2, dhs2, *_ = _odd(254)
    first = _bptt(xs1, Wx, Wh, b, dhs1)[1]
    second = _bptt(xs2, Wx, Wh, b, dhs2)[1]
    layer = learner.TimeLSTM(Wx, Wh, b)
    layer.forward(xs1)
    layer.backward(dhs1)
    layer.forward(xs2)
    layer.backward(dhs2)
    got = _grads(layer, "TimeLSTM")
    for k, name in enumerate(("dWx", "dWh", "db")):
        expect_array(got[k], second[k], what=f"TimeLSTM.grads[{k}] ({name}) after the second backward", **GRAD,
                     variants=[Variant(first[k] + second[k], ACCUMULATED)])


@check("TimeLSTM", 1, ja="stateful=True: 2 回目の forward は 1 回目の最後の h と c から続く",
       en="stateful=True: a second forward continues from the first one's last h and c")
def test_timelstm_stateful_carries(learner):
    Wx, Wh, b, xs1, xs2 = _rand(260, (3, 16), (4, 16), (16,), (2, 5, 3), (2, 2, 3))
    steps = _run(xs1, Wx, Wh, b)
    h_end, c_end = steps[-1]["h"], steps[-1]["c"]
    want = _run(xs2, Wx, Wh, b, h_end, c_end)
    layer = learner.TimeLSTM(Wx, Wh, b, stateful=True)
    expect_array(layer.forward(xs1), _hs(steps), what="TimeLSTM(stateful=True).forward(xs1)", **FWD)
    expect_array(_kept(layer.h, "self.h"), h_end, what="self.h after the first forward", **FWD)
    expect_array(_kept(layer.c, "self.c"), c_end, what="self.c after the first forward", **FWD)
    expect_array(layer.forward(xs2), _hs(want), what="TimeLSTM(stateful=True).forward(xs2), the second call", **FWD,
                 variants=[Variant(_forward(xs2, Wx, Wh, b), STATEFUL_IGNORED),
                           Variant(_forward(xs2, Wx, Wh, b, h_end), STATEFUL_C_LOST)])
    expect_array(_kept(layer.c, "self.c"), want[-1]["c"], what="self.c after the second forward", **FWD)


@check("TimeLSTM", 1, ja="stateful=False: forward は毎回 h, c = 0 から", en="stateful=False: every forward starts from h, c = 0")
def test_timelstm_not_stateful_restarts(learner):
    Wx, Wh, b, xs1, xs2 = _rand(261, (3, 16), (4, 16), (16,), (2, 5, 3), (2, 2, 3))
    last = _run(xs1, Wx, Wh, b)[-1]
    want = _forward(xs2, Wx, Wh, b)
    layer = learner.TimeLSTM(Wx, Wh, b)
    layer.forward(xs1)
    expect_array(layer.forward(xs2), want, what="TimeLSTM(stateful=False).forward(xs2), the second call", **FWD,
                 variants=[Variant(_forward(xs2, Wx, Wh, b, last["h"], last["c"]), NOT_RESTARTED),
                           Variant(_forward(xs2, Wx, Wh, b, last["h"]), NOT_RESTARTED),
                           Variant(_forward(xs2, Wx, Wh, b, None, last["c"]), NOT_RESTARTED)])


@check("TimeLSTM", 1, ja="set_state(h, c)・set_state(h) (c = 0)・reset_state() (stateful=True)",
       en="set_state(h, c), set_state(h) (c = 0) and reset_state() (stateful=True)")
def test_timelstm_set_and_reset_state(learner):
    Wx, Wh, b, xs, h0, c0 = _rand(262, (3, 16), (4, 16), (16,), (2, 3, 3), (2, 4), (2, 4))
    from_hc = _run(xs, Wx, Wh, b, h0, c0)
    from_h = _forward(xs, Wx, Wh, b, h0)
    from_zero = _forward(xs, Wx, Wh, b)
    layer = learner.TimeLSTM(Wx, Wh, b, stateful=True)
    layer.set_state(h0, c0)
    expect_array(layer.forward(xs), _hs(from_hc), what="forward(xs) after set_state(h, c)", **FWD,
                 variants=[Variant(from_h, SET_STATE_IGNORED), Variant(from_zero, SET_STATE_IGNORED)])
    layer.set_state(h0)  # c = None: zeros, not the c left by the forward above
    expect_array(layer.forward(xs), from_h, what="forward(xs) after set_state(h) (c omitted)", **FWD,
                 variants=[Variant(_forward(xs, Wx, Wh, b, h0, from_hc[-1]["c"]), SET_STATE_C_NONE),
                           Variant(_forward(xs, Wx, Wh, b, h0, c0), SET_STATE_C_NONE)])
    layer.reset_state()
    last = _run(xs, Wx, Wh, b, h0)[-1]
    expect_array(layer.forward(xs), from_zero, what="forward(xs) after reset_state()", **FWD,
                 variants=[Variant(_forward(xs, Wx, Wh, b, last["h"], last["c"]), RESET_IGNORED),
                           Variant(_forward(xs, Wx, Wh, b, None, last["c"]), RESET_IGNORED)])
