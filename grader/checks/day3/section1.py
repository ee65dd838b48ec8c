"""Hidden checks of day3.section1 (再帰型ニューラルネットワーク): RNN, TimeRNN (BPTT) and clip_grads.

The oracle is written here from the formulas, never from solutions/:
- a forward pass h_t = tanh(h_{t−1}·Wh + x_t·Wx + b) with einsum, one step at a time;
- the expected value of every backward is a central-difference numerical gradient of L = Σ hs·dhs under that
  forward (so dhs is the upstream gradient), or a derivation by hand with math.tanh on the docstrings' examples;
- an analytic BPTT with switches that reproduce each catalogued slip (tanh′ written as 1 − tanh or taken at the
  wrong value, gradients not summed over time, the dh from the next step not added), so that a wrong result is
  named by its misconception.

The proxy returns attributes as copies (`layer.grads`, `layer.h`, `layer.dh`), read after the calls. `clip_grads`
changes its argument in place: the proxy mirrors a list of arrays back as the learner's copy after the call
(`learner.last_call.args[0]`, new arrays; the check's own are never touched), so the checks pass the book's list of
arrays of different shapes (Wx (D, H), Wh (H, H), b (H,)) and compute every expected array before the call.
"""

from __future__ import annotations

import math

import numpy as np

from grader.engine.api import Msg, Text, Variant, central_difference, check, expect_array, fail

FWD = {"rtol": 1e-5, "atol": 1e-7}  # forward values (float32 arithmetic stays within)
GRAD = {"rtol": 1e-4, "atol": 1e-6}  # gradients against a central difference (float32 arithmetic stays within)
EPS = 1e-6  # the central difference's step (float64, the check's own computation)

# ---------------------------------------------------------------- misconceptions (named in the feedback)

NO_TANH = Msg(ja="tanh が掛かっていません: h_next = tanh(h_prev·Wh + x·Wx + b)",
              en="tanh is not applied: h_next = tanh(h_prev·Wh + x·Wx + b)")
NO_BIAS = Msg(ja="バイアス b が足されていません: h_next = tanh(h_prev·Wh + x·Wx + b)",
              en="the bias b is missing: h_next = tanh(h_prev·Wh + x·Wx + b)")
SWAPPED = Msg(ja="Wx と Wh が入れ替わっています: 入力には x·Wx、前の隠れ状態には h_prev·Wh を掛けます",
              en="Wx and Wh are swapped: the input is multiplied as x·Wx and the previous state as h_prev·Wh")
SIGMOID_ACT = Msg(ja="シグモイドになっています: RNN の活性化関数は tanh です",
                  en="this is the sigmoid: the RNN's activation is tanh")
TANH_ONE_MINUS = Msg(
    ja="tanh の微分を 1 − tanh(u) と書いています: tanh′(u) = 1 − tanh²(u) なので dt = dh_next·(1 − h_next²) です "
       "(2 乗を忘れずに)",
    en="tanh′ written as 1 − tanh(u): tanh′(u) = 1 − tanh²(u), so dt = dh_next·(1 − h_next²) (square it)",
)
TANH_WRONG_VALUE = Msg(
    ja="tanh′ を違う値で計算しています (wrong value): 1 − tanh²(u) の tanh(u) は出力 h_next そのものなので "
       "dt = dh_next·(1 − h_next²) です。h_next にもう一度 tanh を掛けたり、活性化前の u を 2 乗したりしません",
    en="tanh′ taken at the wrong value: in 1 − tanh²(u), tanh(u) is the output h_next itself, so "
       "dt = dh_next·(1 − h_next²); do not apply tanh to h_next again, nor square the pre-activation u",
)
SIGMOID_DERIV = Msg(
    ja="h·(1 − h) はシグモイドの微分です: tanh の微分は 1 − h² (dt = dh_next·(1 − h_next²))",
    en="h·(1 − h) is the sigmoid's derivative: tanh′ is 1 − h² (dt = dh_next·(1 − h_next²))",
)
NO_DOUT = Msg(ja="dh_next を掛けていません: dt = dh_next·(1 − h_next²) (連鎖律)",
              en="dh_next is not multiplied in: dt = dh_next·(1 − h_next²) (chain rule)")
DW_TRANSPOSED = Msg(ja="dWh が転置になっています: dWh = h_prevᵀ·dt (形状は Wh と同じ、行が h_prev の成分)",
                    en="dWh is transposed: dWh = h_prevᵀ·dt (rows follow the components of h_prev)")
DB_NOT_SUMMED = Msg(ja="db がバッチ方向に足されていません: db = Σ_n dt (np.sum(dt, axis=0)、形状 (H,))",
                    en="db is not summed over the batch: db = Σ_n dt (np.sum(dt, axis=0), shape (H,))")
DB_MEAN = Msg(ja="db がバッチの平均になっています: 平均ではなく和 np.sum(dt, axis=0) です",
              en="db is the batch mean: it is the sum np.sum(dt, axis=0)")
ACCUMULATED = Msg(
    ja="2 回目の backward の勾配に 1 回目の分が足されています (accumulate): self.grads には足し込まず、"
       "self.grads[0][...] = dWx のように毎回上書きします",
    en="the second backward's gradients still include the first one's (they accumulate across calls): overwrite "
       "self.grads each time, self.grads[0][...] = dWx, instead of adding into them",
)
NOT_SUMMED = Msg(
    ja="重みの勾配が時刻について足し合わされていません (not summed over time): Wx, Wh, b は全時刻で共有されて"
       "いるので、dWh = Σ_t h_{t−1}ᵀ·dt_t のように各時刻の勾配の和です",
    en="the weight gradients are not summed over time: Wx, Wh and b are shared by every step, so "
       "dWh = Σ_t h_{t−1}ᵀ·dt_t, the sum of every step's gradient",
)
AVERAGED = Msg(ja="重みの勾配が時刻について平均されています: T で割らず、各時刻の勾配の和にします",
               en="the weight gradients are averaged over time: do not divide by T; take the sum over the steps")
DH_NOT_ADDED = Msg(
    ja="次の時刻から来る dh が足されていません (dh from the next step): h_t は出力 hs[:, t] と次の時刻の両方へ"
       "流れたので、時刻 t の backward には dhs[:, t] + dh を渡します",
    en="the dh from the next step is not added: h_t went both to the output hs[:, t] and to the next step, so "
       "step t's backward gets dhs[:, t] + dh",
)
NO_CARRY = Msg(
    ja="隠れ状態が次の時刻に引き継がれていません: h_t = tanh(h_{t−1}·Wh + x_t·Wx + b) の h_{t−1} は 1 つ前の"
       "時刻の出力です",
    en="the hidden state is not carried to the next step: h_{t−1} in h_t = tanh(h_{t−1}·Wh + x_t·Wx + b) is the "
       "previous step's output",
)
LAYOUT = Msg(ja="hs の並びが (T, N, H) になっています: 形状は (N, T, H) で、hs[:, t, :] = h_t です",
             en="hs is laid out (T, N, H): its shape is (N, T, H), with hs[:, t, :] = h_t")
STATEFUL_IGNORED = Msg(
    ja="stateful=True なのに前回の forward の続きになっていません: 最初の h は前回の最後の self.h です "
       "(self.h が None のときだけ 0)",
    en="stateful=True, yet the forward did not continue from the previous one: the first h is the last self.h "
       "(zeros only when self.h is None)",
)
NOT_RESTARTED = Msg(
    ja="stateful=False なのに前回の状態を引き継いでいます: stateful=False の forward は毎回 0 から始めます",
    en="stateful=False, yet the state carried over: with stateful=False every forward starts from zeros",
)
RESET_IGNORED = Msg(ja="reset_state() の後も前の状態が残っています: reset_state は self.h = None にします",
                    en="the old state survived reset_state(): reset_state sets self.h = None")
SET_STATE_IGNORED = Msg(
    ja="set_state(h) で置いた h から始まっていません: set_state は self.h = h にし、次の forward (stateful=True) "
       "はその h から始めます",
    en="the forward did not start from the h given to set_state(h): set_state sets self.h = h and the next "
       "forward (stateful=True) starts from it",
)
PER_ARRAY = Msg(
    ja="配列ごとに別々のノルムでクリップしています (per array): 全勾配をまとめた 1 つのノルム "
       "total_norm = √(Σ_g Σ g²) を使い、すべての配列を同じ率 rate で縮めます (total norm)",
    en="clipped per array by its own norm: use one total norm √(Σ_g Σ g²) over all the arrays and scale every "
       "array by the same rate",
)
NO_SQRT = Msg(ja="ノルムの平方根を取っていません (square root): total_norm = √(Σ g²) です",
              en="the norm has no square root: total_norm = √(Σ g²)")
ALWAYS_SCALED = Msg(
    ja="全体のノルムが max_norm 以下なのに縮めて (拡大して) います: rate < 1 のときだけ掛けます",
    en="the gradients were scaled although the total norm is below max_norm: multiply by the rate only when "
       "rate < 1",
)
UNCHANGED = Msg(
    ja="grads が変わっていません: 配列そのものをその場で縮めます (for grad in grads: grad *= rate)。"
       "新しいリストを作ったり、ループ変数に新しい配列を代入したり (grad = grad * rate) しても呼び出し元には届きません",
    en="grads did not change: scale the arrays themselves in place (for grad in grads: grad *= rate); a new list, "
       "or a new array bound to the loop variable (grad = grad * rate), never reaches the caller",
)
REPLACED = Msg(
    ja="リストの要素を新しい配列に置き換えています (grads[i] = grads[i] * rate): 各層が持つ勾配の配列 (self.grads) は"
       "元のまま縮みません。docstring のとおり配列そのものをその場で縮めます (for grad in grads: grad *= rate)",
    en="the list's elements were replaced by new arrays (grads[i] = grads[i] * rate): the layers' own gradient arrays "
       "(self.grads) stay unscaled; as the docstring says, scale the arrays themselves in place (for grad in grads: "
       "grad *= rate)",
)
ELEMENT_CLIP = Msg(
    ja="要素ごとに ±max_norm で切っています (np.clip): 勾配クリッピングは全体のノルムで全体を同じ率で縮めます",
    en="each element was cut to ±max_norm (np.clip): gradient clipping scales everything by one rate from the "
       "total norm",
)

# ---------------------------------------------------------------- the oracle


def _step(x: np.ndarray, h: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray, act=np.tanh) -> np.ndarray:
    return act(np.einsum("nd,dk->nk", x, Wx) + np.einsum("nj,jk->nk", h, Wh) + b)


def _forward(xs: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray, h0: np.ndarray | None = None,
             carry: bool = True) -> np.ndarray:
    """hs (N, T, H) from h_{−1} = h0 (zeros when None); carry=False restarts every step from zeros (a slip)."""
    N, T, _ = xs.shape
    H = Wh.shape[0]
    h = np.zeros((N, H)) if h0 is None else np.asarray(h0, dtype=float)
    hs = np.zeros((N, T, H))
    for t in range(T):
        h = _step(xs[:, t], h if carry else np.zeros((N, H)), Wx, Wh, b)
        hs[:, t] = h
    return hs


def _loss(xs, Wx, Wh, b, h0, dhs) -> float:
    return float(np.sum(_forward(xs, Wx, Wh, b, h0) * dhs))


def _numerical(args: list[np.ndarray], k: int, dhs: np.ndarray) -> np.ndarray:
    """∂L/∂args[k] by central differences, L = Σ hs·dhs with args = [xs, Wx, Wh, b, h0]."""
    fixed = [np.array(a, dtype=float) for a in args]
    return central_difference(lambda a: _loss(*fixed[:k], a, *fixed[k + 1:], dhs), {"a": fixed[k]}, EPS)["a"]


_DERIV = {  # dt = dh_next · deriv(u, h), u the pre-activation and h = tanh(u)
    "ok": lambda u, h: 1 - h**2,
    "one_minus": lambda u, h: 1 - h,
    "pre": lambda u, h: 1 - u**2,
    "tanh_h": lambda u, h: 1 - np.tanh(h) ** 2,
    "sigmoid": lambda u, h: h * (1 - h),
    "no_dout": None,
}


def _bptt(xs, Wx, Wh, b, dhs, h0=None, deriv="ok", carry=True, total="sum"):
    """Analytic BPTT (dxs, [dWx, dWh, db], dh_{−1}); the switches reproduce the catalogued slips.

    total: "sum" over time (right), "first" = step 0's only (overwritten in the reverse loop), "last" = step
    T − 1's only, "mean" = divided by T. carry=False: the dh from the next step is not added."""
    N, T, D = xs.shape
    H = Wh.shape[0]
    h = np.zeros((N, H)) if h0 is None else np.asarray(h0, dtype=float)
    prev, us, hs = [], [], []
    for t in range(T):
        u = np.einsum("nd,dk->nk", xs[:, t], Wx) + np.einsum("nj,jk->nk", h, Wh) + b
        prev.append(h)
        h = np.tanh(u)
        us.append(u)
        hs.append(h)
    dxs = np.zeros((N, T, D))
    dh = np.zeros((N, H))
    steps = [None] * T
    for t in reversed(range(T)):
        up = dhs[:, t] + (dh if carry else 0.0)
        dt = (1 - hs[t] ** 2) if deriv == "no_dout" else up * _DERIV[deriv](us[t], hs[t])
        steps[t] = (np.einsum("nd,nk->dk", xs[:, t], dt), np.einsum("nj,nk->jk", prev[t], dt), dt.sum(axis=0))
        dxs[:, t] = np.einsum("nk,dk->nd", dt, Wx)
        dh = np.einsum("nk,jk->nj", dt, Wh)
    if total == "first":
        grads = list(steps[0])
    elif total == "last":
        grads = list(steps[T - 1])
    else:
        grads = [sum(s[i] for s in steps) / (T if total == "mean" else 1) for i in range(3)]
    return dxs, grads, dh


def _slips(xs, Wx, Wh, b, dhs, h0=None) -> list[tuple[tuple, Msg]]:
    """(result of _bptt, misconception) for every catalogued slip of the backward pass."""
    cases = [({"deriv": "one_minus"}, TANH_ONE_MINUS), ({"deriv": "pre"}, TANH_WRONG_VALUE),
             ({"deriv": "tanh_h"}, TANH_WRONG_VALUE), ({"deriv": "sigmoid"}, SIGMOID_DERIV),
             ({"deriv": "no_dout"}, NO_DOUT), ({"carry": False}, DH_NOT_ADDED),
             ({"total": "first"}, NOT_SUMMED), ({"total": "last"}, NOT_SUMMED), ({"total": "mean"}, AVERAGED)]
    return [(_bptt(xs, Wx, Wh, b, dhs, h0, **kw), why) for kw, why in cases]


def _forward_variants(xs, Wx, Wh, b, h0=None) -> list[Variant]:
    N, T, _ = xs.shape
    H = Wh.shape[0]
    hs = _forward(xs, Wx, Wh, b, h0)
    h = np.zeros((N, H)) if h0 is None else h0
    raw, sig = np.zeros_like(hs), np.zeros_like(hs)
    hr, hg = h, h
    for t in range(T):
        hr = _step(xs[:, t], hr, Wx, Wh, b, act=lambda u: u)
        hg = _step(xs[:, t], hg, Wx, Wh, b, act=lambda u: 1 / (1 + np.exp(-u)))
        raw[:, t], sig[:, t] = hr, hg
    out = [Variant(_forward(xs, Wx, Wh, 0 * b, h0), NO_BIAS), Variant(raw, NO_TANH), Variant(sig, SIGMOID_ACT),
           Variant(hs.transpose(1, 0, 2), LAYOUT)]
    if T > 1:
        out.append(Variant(_forward(xs, Wx, Wh, b, h0, carry=False), NO_CARRY))
    return out


def _rand(seed: int, *shapes: tuple, scale: float = 0.5) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(0.0, scale, size=s) for s in shapes]


def _split(res, n: int, what: str) -> tuple:
    """The n results of a backward that returns a tuple (hidden checks only: it may fail)."""
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
        fail(f"{name} が None のままです: 本と同じく {name} に値を置いてください "
             "(self.h: 最後の時刻の h、self.dh: 最後の dh = ∂L/∂h_{−1})",
             f"{name} is still None: keep the value in {name} as the book does "
             "(self.h: the last step's h; self.dh: the final dh = ∂L/∂h_{−1})")
    return value


def _expect_grads(got: list, want: list, slips: list, what: str, db_slips: tuple = ()) -> None:
    for i, name in enumerate(("dWx", "dWh", "db")):
        variants = [Variant(s[1][i], why) for s, why in slips]
        if name == "dWh":
            variants.append(Variant(want[1].T, DW_TRANSPOSED))
        if name == "db":
            variants.extend(db_slips)
        expect_array(got[i], want[i], what=Text(ja=f"{what}.grads[{i}] ({name})", en=f"{what}.grads[{i}] ({name})"),
                     variants=variants, **GRAD)


# ---------------------------------------------------------------- RNN

# the docstring's example: D = H = 2, Wx = I, Wh = 0.5·I, b = (0, 0.1), x = (0.5, −0.5), h_prev = (1, 0)
EX_WX, EX_WH, EX_B = np.eye(2), 0.5 * np.eye(2), np.array([0.0, 0.1])
EX_X, EX_H = np.array([[0.5, -0.5]]), np.array([[1.0, 0.0]])


@check("RNN", 1, ja="forward: 例題 (D = H = 2) を手計算どおりに", en="forward: the docstring's example (D = H = 2)",
       public=True)
def test_rnn_forward_hand(learner):
    # by hand: h_prev·Wh + x·Wx + b = (0.5, 0) + (0.5, −0.5) + (0, 0.1) = (1.0, −0.4)
    u = np.array([[1.0, -0.4]])
    want = np.tanh(u)
    got = learner.RNN(EX_WX, EX_WH, EX_B).forward(EX_X, EX_H)
    expect_array(got, want, what="RNN.forward(x, h_prev)", **FWD, variants=[
        Variant(u, NO_TANH), Variant(np.tanh(u - EX_B), NO_BIAS),
        Variant(np.tanh(EX_X @ EX_WH + EX_H @ EX_WX + EX_B), SWAPPED), Variant(1 / (1 + np.exp(-u)), SIGMOID_ACT)])


@check("RNN", 1, ja="forward: N = 3, D = 2, H = 4", en="forward: N = 3, D = 2, H = 4")
def test_rnn_forward_odd_shapes(learner):
    Wx, Wh, b, x, h = _rand(110, (2, 4), (4, 4), (4,), (3, 2), (3, 4))
    want = _forward(x[:, None], Wx, Wh, b, h)[:, 0]
    got = learner.RNN(Wx, Wh, b).forward(x, h)
    expect_array(got, want, what="RNN.forward(x (3, 2), h_prev (3, 4))", **FWD,
                 variants=[Variant(v.value[:, 0], v.why) for v in _forward_variants(x[:, None], Wx, Wh, b, h)[:3]])


@check("RNN", 1, ja="backward: 例題の dx, dh_prev (tanh′ = 1 − h_next²)",
       en="backward: the docstring's dx, dh_prev (tanh′ = 1 − h_next²)", public=True)
def test_rnn_backward_hand(learner):
    # by hand: h = tanh(1.0, −0.4); with dh_next = (1, 1): dt = 1 − h² ; dx = dt·Wxᵀ = dt ; dh_prev = dt·Whᵀ = dt/2
    u = np.array([[1.0, -0.4]])
    h = np.tanh(u)

    def pair(dt):  # (dx, dh_prev) stacked: D = H here, so the two results form one (2, 1, 2) array
        return np.stack([dt @ EX_WX.T, dt @ EX_WH.T])

    rnn = learner.RNN(EX_WX, EX_WH, EX_B)
    rnn.forward(EX_X, EX_H)
    got = rnn.backward(np.array([[1.0, 1.0]]))
    expect_array(got, pair(1 - h**2), what=Text(ja="RNN.backward(dh_next) の (dx, dh_prev)",
                                                en="(dx, dh_prev) of RNN.backward(dh_next)"), **GRAD, variants=[
        Variant(pair(1 - h), TANH_ONE_MINUS), Variant(pair(1 - u**2), TANH_WRONG_VALUE),
        Variant(pair(1 - np.tanh(h) ** 2), TANH_WRONG_VALUE), Variant(pair(h * (1 - h)), SIGMOID_DERIV)])


@check("RNN", 1, ja="backward: 例題の grads (dWx, dWh, db) を手計算どおりに",
       en="backward: the docstring's grads (dWx, dWh, db) by hand")
def test_rnn_backward_hand_grads(learner):
    h = np.tanh(np.array([[1.0, -0.4]]))
    dt = 1 - h**2  # dh_next = (1, 1)
    want = [EX_X.T @ dt, EX_H.T @ dt, dt[0]]  # xᵀ·dt, h_prevᵀ·dt, Σ_n dt
    rnn = learner.RNN(EX_WX, EX_WH, EX_B)
    rnn.forward(EX_X, EX_H)
    rnn.backward(np.array([[1.0, 1.0]]))
    got = _grads(rnn, "RNN")
    slips = [((None, [EX_X.T @ d, EX_H.T @ d, d[0]], None), why)
             for d, why in ((1 - h, TANH_ONE_MINUS), (1 - np.tanh(h) ** 2, TANH_WRONG_VALUE))]
    _expect_grads(got, want, slips, "RNN")


@check("RNN", 2, ja="backward: dx, dh_prev と grads を数値微分と比較 (N = 3, D = 2, H = 4)",
       en="backward: dx, dh_prev and grads against a numerical gradient (N = 3, D = 2, H = 4)")
def test_rnn_backward_numerical(learner):
    Wx, Wh, b, x, h, dh = _rand(120, (2, 4), (4, 4), (4,), (3, 2), (3, 4), (3, 4))
    xs, dhs = x[:, None], dh[:, None]  # one step of the oracle's sequence
    args = [xs, Wx, Wh, b, h]
    want_dx, want_dh = _numerical(args, 0, dhs)[:, 0], _numerical(args, 4, dhs)
    want_grads = [_numerical(args, k, dhs) for k in (1, 2, 3)]
    slips = [s for s in _slips(xs, Wx, Wh, b, dhs, h) if s[1] not in (DH_NOT_ADDED, NOT_SUMMED, AVERAGED)]
    dt = dh * (1 - _forward(xs, Wx, Wh, b, h)[:, 0] ** 2)  # per sample: for the batch slips of db
    rnn = learner.RNN(Wx, Wh, b)
    rnn.forward(x, h)
    dx, dh_prev = _split(rnn.backward(dh), 2, "RNN.backward")
    expect_array(dx, want_dx, what="dx", variants=[Variant(s[0][:, 0], why) for s, why in slips], **GRAD)
    expect_array(dh_prev, want_dh, what="dh_prev", variants=[Variant(s[2], why) for s, why in slips], **GRAD)
    _expect_grads(_grads(rnn, "RNN"), want_grads, slips, "RNN",
                  db_slips=[Variant(dt, DB_NOT_SUMMED), Variant(dt.mean(axis=0), DB_MEAN)])


@check("RNN", 1, ja="grads はその場で上書き: 2 回目の backward 後は 2 回目の勾配だけ",
       en="grads are overwritten in place: after a second backward they hold the second gradient only")
def test_rnn_grads_second_backward(learner):
    Wx, Wh, b, x1, h1, d1, x2, h2, d2 = _rand(130, (2, 4), (4, 4), (4,), (3, 2), (3, 4), (3, 4), (3, 2), (3, 4),
                                               (3, 4))
    first = _bptt(x1[:, None], Wx, Wh, b, d1[:, None], h1)[1]
    second = _bptt(x2[:, None], Wx, Wh, b, d2[:, None], h2)[1]
    rnn = learner.RNN(Wx, Wh, b)
    rnn.forward(x1, h1)
    rnn.backward(d1)
    rnn.forward(x2, h2)  # the cache now holds the second input
    rnn.backward(d2)
    got = _grads(rnn, "RNN")
    for i, name in enumerate(("dWx", "dWh", "db")):
        expect_array(got[i], second[i], what=f"RNN.grads[{i}] ({name}) after the second backward", **GRAD,
                     variants=[Variant(first[i] + second[i], ACCUMULATED)])


# ---------------------------------------------------------------- TimeRNN

# the docstring's example: N = 1, T = 3, D = H = 1, Wx = 1, Wh = 0.5, b = 0, xs = (1, 0, 0)
TX, TWX, TWH, TB = np.array([[[1.0], [0.0], [0.0]]]), np.array([[1.0]]), np.array([[0.5]]), np.array([0.0])


def _hand_hs() -> list[float]:
    h0 = math.tanh(1.0)  # tanh(0·0.5 + 1·1 + 0)
    h1 = math.tanh(0.5 * h0)  # x_1 = 0: only h_0·Wh
    return [h0, h1, math.tanh(0.5 * h1)]


@check("TimeRNN", 1, ja="forward: 例題 (N = 1, T = 3) の hs と self.h", en="forward: the docstring's hs and self.h",
       public=True)
def test_timernn_forward_hand(learner):
    hs = _hand_hs()
    want = np.array(hs).reshape(1, 3, 1)
    alone = np.array([math.tanh(1.0), 0.0, 0.0]).reshape(1, 3, 1)  # every step from h = 0
    layer = learner.TimeRNN(TWX, TWH, TB)
    expect_array(layer.forward(TX), want, what="TimeRNN.forward(xs)", **FWD, variants=[
        Variant(alone, NO_CARRY), Variant(np.array([1.0, 0.5, 0.25]).reshape(1, 3, 1), NO_TANH)])
    expect_array(layer.h, np.array([[hs[2]]]), what=Text(ja="forward 後の self.h (最後の時刻の h)",
                                                         en="self.h after forward (the last step's h)"), **FWD)


@check("TimeRNN", 1, ja="forward: N = 2, T = 5, D = 3, H = 4 (stateful=False)",
       en="forward: N = 2, T = 5, D = 3, H = 4 (stateful=False)", public=True)
def test_timernn_forward_odd_shapes(learner):
    Wx, Wh, b, xs = _rand(140, (3, 4), (4, 4), (4,), (2, 5, 3))
    want = _forward(xs, Wx, Wh, b)
    variants = _forward_variants(xs, Wx, Wh, b)
    expect_array(learner.TimeRNN(Wx, Wh, b).forward(xs), want, what="TimeRNN.forward(xs (2, 5, 3))", **FWD,
                 variants=variants)


@check("TimeRNN", 1, ja="backward: 例題の dxs, grads, self.dh を手計算どおりに (最後の時刻にだけ勾配)",
       en="backward: the docstring's dxs, grads and self.dh by hand (a gradient at the last step only)")
def test_timernn_backward_hand(learner):
    h = _hand_hs()
    # by hand, backwards: dt_2 = 1·(1 − h_2²); dt_1 = (dt_2·Wh)(1 − h_1²); dt_0 = (dt_1·Wh)(1 − h_0²)
    dt2 = 1 - h[2] ** 2
    dt1 = 0.5 * dt2 * (1 - h[1] ** 2)
    dt0 = 0.5 * dt1 * (1 - h[0] ** 2)
    want_dxs = np.array([dt0, dt1, dt2]).reshape(1, 3, 1)  # dx_t = dt_t·Wx, Wx = 1
    want = [np.array([[1.0 * dt0]]),  # Σ_t x_t·dt_t: only x_0 = 1
            np.array([[0.0 * dt0 + h[0] * dt1 + h[1] * dt2]]),  # Σ_t h_{t−1}·dt_t, h_{−1} = 0
            np.array([dt0 + dt1 + dt2])]
    no_add = np.array([0.0, 0.0, dt2]).reshape(1, 3, 1)  # the dh from the next step dropped
    layer = learner.TimeRNN(TWX, TWH, TB)
    layer.forward(TX)
    dxs = layer.backward(np.array([[[0.0], [0.0], [1.0]]]))
    expect_array(dxs, want_dxs, what="TimeRNN.backward(dhs) = dxs", **GRAD, variants=[Variant(no_add, DH_NOT_ADDED)])
    got = _grads(layer, "TimeRNN")
    for i, name in enumerate(("dWx", "dWh", "db")):
        expect_array(got[i], want[i], what=f"TimeRNN.grads[{i}] ({name})", **GRAD, variants=[
            Variant(want[i] / 3, AVERAGED),
            Variant([np.array([[dt0]]), np.array([[0.0]]), np.array([dt0])][i], NOT_SUMMED),
            Variant([np.array([[0.0]]), np.array([[h[1] * dt2]]), np.array([dt2])][i], NOT_SUMMED)])
    expect_array(_kept(layer.dh, "self.dh"), np.array([[0.5 * dt0]]), what="TimeRNN.dh (∂L/∂h_{−1})", **GRAD,
                 variants=[Variant(np.array([[0.0]]), DH_NOT_ADDED)])


def _odd_case(seed: int):
    Wx, Wh, b, xs, dhs, h0 = _rand(seed, (3, 4), (4, 4), (4,), (2, 5, 3), (2, 5, 4), (2, 4))
    return Wx, Wh, b, xs, dhs, h0


@check("TimeRNN", 2, ja="backward: dxs を数値微分と比較 (N = 2, T = 5, D = 3, H = 4)",
       en="backward: dxs against a numerical gradient (N = 2, T = 5, D = 3, H = 4)")
def test_timernn_backward_dxs(learner):
    Wx, Wh, b, xs, dhs, _ = _odd_case(150)
    want = _numerical([xs, Wx, Wh, b, np.zeros((2, 4))], 0, dhs)
    slips = _slips(xs, Wx, Wh, b, dhs)
    layer = learner.TimeRNN(Wx, Wh, b)
    layer.forward(xs)
    dxs = layer.backward(dhs)
    expect_array(dxs, want, what="TimeRNN.backward(dhs) = dxs", **GRAD,
                 variants=[Variant(s[0], why) for s, why in slips if why not in (NOT_SUMMED, AVERAGED)])


@check("TimeRNN", 2, ja="backward: grads を数値微分と比較 (時刻について和)",
       en="backward: grads against a numerical gradient (summed over time)")
def test_timernn_backward_grads(learner):
    Wx, Wh, b, xs, dhs, _ = _odd_case(151)
    h0 = np.zeros((2, 4))
    want = [_numerical([xs, Wx, Wh, b, h0], k, dhs) for k in (1, 2, 3)]
    slips = _slips(xs, Wx, Wh, b, dhs)
    layer = learner.TimeRNN(Wx, Wh, b)
    layer.forward(xs)
    layer.backward(dhs)
    _expect_grads(_grads(layer, "TimeRNN"), want, slips, "TimeRNN")


@check("TimeRNN", 1, ja="backward: self.dh = ∂L/∂h_{−1} (set_state で置いた h から、数値微分と比較)",
       en="backward: self.dh = ∂L/∂h_{−1} (from an h put with set_state, against a numerical gradient)")
def test_timernn_backward_dh(learner):
    Wx, Wh, b, xs, dhs, h0 = _odd_case(152)
    want = _numerical([xs, Wx, Wh, b, h0], 4, dhs)
    slips = _slips(xs, Wx, Wh, b, dhs, h0)
    layer = learner.TimeRNN(Wx, Wh, b, stateful=True)
    layer.set_state(h0)
    layer.forward(xs)
    layer.backward(dhs)
    expect_array(_kept(layer.dh, "self.dh"), want, what="TimeRNN.dh", **GRAD,
                 variants=[Variant(s[2], why) for s, why in slips if why not in (NOT_SUMMED, AVERAGED)])


@check("TimeRNN", 1, ja="grads はその場で上書き: 2 回目の backward 後は 2 回目の勾配だけ",
       en="grads are overwritten in place: after a second backward they hold the second gradient only")
def test_timernn_grads_second_backward(learner):
    Wx, Wh, b, xs1, dhs1, _ = _odd_case(153)
    _, _, _, xs2, dhs2, _ = _odd_case(154)
    first = _bptt(xs1, Wx, Wh, b, dhs1)[1]
    second = _bptt(xs2, Wx, Wh, b, dhs2)[1]
    layer = learner.TimeRNN(Wx, Wh, b)
    layer.forward(xs1)
    layer.backward(dhs1)
    layer.forward(xs2)
    layer.backward(dhs2)
    got = _grads(layer, "TimeRNN")
    for i, name in enumerate(("dWx", "dWh", "db")):
        expect_array(got[i], second[i], what=f"TimeRNN.grads[{i}] ({name}) after the second backward", **GRAD,
                     variants=[Variant(first[i] + second[i], ACCUMULATED)])


@check("TimeRNN", 1, ja="stateful=True: 2 回目の forward は 1 回目の最後の h から続く",
       en="stateful=True: a second forward continues from the first one's last h")
def test_timernn_stateful_carries(learner):
    Wx, Wh, b, xs1, xs2 = _rand(160, (3, 4), (4, 4), (4,), (2, 5, 3), (2, 2, 3))
    hs1 = _forward(xs1, Wx, Wh, b)
    want = _forward(xs2, Wx, Wh, b, hs1[:, -1])
    layer = learner.TimeRNN(Wx, Wh, b, stateful=True)
    expect_array(layer.forward(xs1), hs1, what="TimeRNN(stateful=True).forward(xs1)", **FWD)
    expect_array(_kept(layer.h, "self.h"), hs1[:, -1], what="self.h after the first forward", **FWD)
    expect_array(layer.forward(xs2), want, what="TimeRNN(stateful=True).forward(xs2), the second call", **FWD,
                 variants=[Variant(_forward(xs2, Wx, Wh, b), STATEFUL_IGNORED)])
    expect_array(_kept(layer.h, "self.h"), want[:, -1], what="self.h after the second forward", **FWD)


@check("TimeRNN", 1, ja="stateful=False: forward は毎回 0 から (set_state の h も使わない)",
       en="stateful=False: every forward starts from zeros (an h put with set_state is not used either)")
def test_timernn_not_stateful_restarts(learner):
    Wx, Wh, b, xs1, xs2, h0 = _rand(161, (3, 4), (4, 4), (4,), (2, 5, 3), (2, 2, 3), (2, 4))
    hs1 = _forward(xs1, Wx, Wh, b)
    want = _forward(xs2, Wx, Wh, b)
    layer = learner.TimeRNN(Wx, Wh, b)
    layer.forward(xs1)
    expect_array(layer.forward(xs2), want, what="TimeRNN(stateful=False).forward(xs2), the second call", **FWD,
                 variants=[Variant(_forward(xs2, Wx, Wh, b, hs1[:, -1]), NOT_RESTARTED)])
    layer.set_state(h0)
    expect_array(layer.forward(xs2), want, what="TimeRNN(stateful=False).forward(xs2) after set_state(h)", **FWD,
                 variants=[Variant(_forward(xs2, Wx, Wh, b, h0), NOT_RESTARTED)])


@check("TimeRNN", 1, ja="set_state(h) の h から始まり、reset_state() の後は 0 から (stateful=True)",
       en="set_state(h) starts from h, and after reset_state() from zeros (stateful=True)")
def test_timernn_set_and_reset_state(learner):
    Wx, Wh, b, xs, h0 = _rand(162, (3, 4), (4, 4), (4,), (2, 3, 3), (2, 4))
    from_h0 = _forward(xs, Wx, Wh, b, h0)
    from_zero = _forward(xs, Wx, Wh, b)
    layer = learner.TimeRNN(Wx, Wh, b, stateful=True)
    layer.set_state(h0)
    expect_array(layer.forward(xs), from_h0, what="forward(xs) after set_state(h)", **FWD,
                 variants=[Variant(from_zero, SET_STATE_IGNORED)])
    layer.reset_state()
    expect_array(layer.forward(xs), from_zero, what="forward(xs) after reset_state()", **FWD,
                 variants=[Variant(_forward(xs, Wx, Wh, b, from_h0[:, -1]), RESET_IGNORED)])


# ---------------------------------------------------------------- clip_grads

CLIP = {"rtol": 1e-5, "atol": 1e-8}  # with or without the book's + 1e-6
CLIP_SLIPS = (("per_array", PER_ARRAY), ("no_sqrt", NO_SQRT), ("always", ALWAYS_SCALED), ("element", ELEMENT_CLIP),
              ("unchanged", UNCHANGED))


def _clipped(grads: list[np.ndarray], max_norm: float, how: str = "total") -> list[np.ndarray]:
    """Each array of `grads` (copied) after clip_grads, or after the catalogued slip `how` of CLIP_SLIPS."""
    gs = [np.array(g, dtype=float) for g in grads]
    if how == "unchanged":
        return gs
    if how == "element":
        return [np.clip(g, -max_norm, max_norm) for g in gs]
    if how == "per_array":
        rates = [max_norm / (math.sqrt(float(np.sum(g * g))) + 1e-6) for g in gs]
        return [g * r if r < 1 else g for g, r in zip(gs, rates, strict=True)]
    sq = sum(float(np.sum(g * g)) for g in gs)
    rate = max_norm / ((sq if how == "no_sqrt" else math.sqrt(sq)) + 1e-6)
    return [g * rate for g in gs] if rate < 1 or how == "always" else gs


def _distinct(arrays: list[np.ndarray]) -> int:
    kept: list[np.ndarray] = []
    for a in arrays:
        if not any(a.shape == k.shape and np.allclose(a, k, **CLIP) for k in kept):
            kept.append(a)
    return len(kept)


def _clip_plan(grads: list[np.ndarray], max_norm: float) -> list[tuple[int, np.ndarray, list[Variant]]]:
    """(index, expected array, variants) in the order to compare, computed before the call from the check's copies.

    The array that tells the most slips apart is compared first (ties keep the list's order), and a slip is offered
    at an array only if it leaves the arrays compared before it as they should be (those have passed): a wrong list
    is named by the slip that made all of it, not by one that merely agrees on its first array."""
    want = _clipped(grads, max_norm)
    slips = [(_clipped(grads, max_norm, how), why) for how, why in CLIP_SLIPS]
    order = sorted(range(len(want)), key=lambda i: -_distinct([want[i], *(s[i] for s, _ in slips)]))
    plan = []
    for k, i in enumerate(order):
        passed = order[:k]
        plan.append((i, want[i], [Variant(s[i], why) for s, why in slips
                                  if all(np.allclose(s[j], want[j], **CLIP) for j in passed)]))
    return plan


def _expect_clipped(after: list, plan: list[tuple[int, np.ndarray, list[Variant]]], call: str) -> None:
    """Each array the learner left in the list (`learner.last_call.args[0]`) against the plan."""
    for i, want, variants in plan:
        expect_array(after[i], want, what=Text(ja=f"{call} の後の grads[{i}]", en=f"grads[{i}] after {call}"),
                     variants=variants, **CLIP)


@check("clip_grads", 1, ja="例題: [3, 4] と [12] の全体のノルム 13 を 6.5 に (1 つ目のノルム 5 < 6.5 でも縮む)",
       en="the docstring's example: [3, 4] and [12], a total norm of 13 cut to 6.5 (the first array shrinks although "
          "its norm 5 < 6.5)", public=True)
def test_clip_grads_example(learner):
    grads = [np.array([3.0, 4.0]), np.array([12.0])]  # √(9 + 16 + 144) = 13: rate 0.5 → [1.5, 2.0] and [6.0]
    plan = _clip_plan(grads, 6.5)
    learner.clip_grads(grads, 6.5)
    _expect_clipped(learner.last_call.args[0], plan, "clip_grads(grads, 6.5)")


@check("clip_grads", 1, ja="全体のノルムが max_norm 以下なら変えない (Wx, Wh, b)",
       en="left unchanged when the total norm is below max_norm (Wx, Wh, b)")
def test_clip_grads_below_max(learner):
    grads = _rand(171, (2, 3), (3, 3), (3,))  # Wx (D, H), Wh (H, H), b (H,) with D = 2, H = 3
    max_norm = 2.0 * math.sqrt(sum(float(np.sum(g * g)) for g in grads))  # rate ≈ 2 > 1: nothing to clip
    plan = _clip_plan(grads, max_norm)
    learner.clip_grads(grads, max_norm)
    _expect_clipped(learner.last_call.args[0], plan, "clip_grads(grads, max_norm)")


@check("clip_grads", 1, ja="TimeRNN の Wx (3, 4), Wh (4, 4), b (4,) をまとめたノルムで同じ率に (その場で)",
       en="a TimeRNN's Wx (3, 4), Wh (4, 4) and b (4,) scaled in place by one rate from their total norm")
def test_clip_grads_matrices(learner):
    Wx, Wh, b = _rand(170, (3, 4), (4, 4), (4,), scale=1.0)
    Wh *= 0.1  # one small array: per-array clipping would leave it alone
    Wx[0, 0] = 5.0  # one entry above max_norm (≈ 3.7): element-wise clipping (np.clip) changes it
    grads = [Wx, Wh, b]
    max_norm = 0.5 * math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    plan = _clip_plan(grads, max_norm)
    learner.clip_grads(grads, max_norm)
    _expect_clipped(learner.last_call.args[0], plan, "clip_grads(grads, max_norm)")
    replaced = [i for pos, i in learner.last_call.rebound if pos == 0]
    if replaced:
        fail(f"grads[{replaced[0]}]: {REPLACED.ja}", f"grads[{replaced[0]}]: {REPLACED.en}")
