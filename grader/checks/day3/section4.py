"""Hidden checks of day3.section4 (双方向RNN): TimeBiRNN, forward and backward.

The oracle is a plain RNN loop written here (h_t = tanh(h_{t−1}·Wh + x_t·Wx + b), h_{−1} = 0), run forward on xs
and on xs reversed in time, the second re-reversed and concatenated on the last axis. Every backward is compared
with a central-difference numerical gradient of L = Σ hs·dhs computed here from that oracle, on the stub's
hand-worked case and on odd shapes (N, T, D, H all different). The known slips are the oracle with one change:
outputs not re-reversed, halves swapped, the backward direction reading xs unreversed, dhs or dxs of the
backward direction left in reversed time, the six grads in another order.
"""

from __future__ import annotations

import numpy as np

from grader.engine.api import Msg, Text, Variant, as_array, central_difference, check, expect_array, fail

TOL = {"rtol": 1e-5, "atol": 1e-6}  # learner (any formulation, float32 inside is fine) vs the numerical gradient
HAND = {"rtol": 1e-5, "atol": 2e-6}
F32 = {"rtol": 1e-4, "atol": 1e-5}
NAMES = ("Wx1", "Wh1", "b1", "Wx2", "Wh2", "b2")

# ---------------------------------------------------------------- oracle


def rnn(xs: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One direction, step by step: hs[:, t] = tanh(hs[:, t − 1]·Wh + xs[:, t]·Wx + b). Any argument may carry a
    leading axis of perturbed copies (numerical_grads), so time is indexed from the end: xs[..., t, :]."""
    N, T = xs.shape[-3], xs.shape[-2]
    h = np.zeros((N, Wh.shape[-1]))
    out = []
    for t in range(T):
        h = np.tanh(h @ Wh + xs[..., t, :] @ Wx + b)
        out.append(h)
    return np.stack(np.broadcast_arrays(*out), axis=-2)


def _cat(a: np.ndarray, b: np.ndarray, axis: int) -> np.ndarray:
    """np.concatenate after broadcasting a leading axis of copies that only one of the halves carries."""
    return np.concatenate(np.broadcast_arrays(a, b), axis=axis)


def _rev(a: np.ndarray) -> np.ndarray:
    return a[..., ::-1, :]  # reversed in time (the axis before the features)


def birnn(xs: np.ndarray, p: list[np.ndarray], form: str = "book") -> np.ndarray:
    f = rnn(xs, *p[:3])
    r = rnn(_rev(xs), *p[3:])  # in reversed time: r[:, 0] has read xs[:, T − 1]
    if form == "not_rereversed":
        return _cat(f, r, -1)
    if form == "swapped":
        return _cat(_rev(r), f, -1)
    if form == "input_not_reversed":
        return _cat(f, rnn(xs, *p[3:]), -1)
    if form == "input_not_reversed_rereversed":
        return _cat(f, _rev(rnn(xs, *p[3:])), -1)
    if form == "time_axis":
        return _cat(f, _rev(r), -2)
    if form == "backward_only":  # the forward half alone is rnn(xs, p[:3]): the other half zero
        return _cat(np.zeros_like(f), _rev(r), -1)
    if form == "forward_only":
        return _cat(f, np.zeros_like(r), -1)
    return _cat(f, _rev(r), -1)


def numerical_grads(form: str, xs, p, dhs, eps: float = 1e-6) -> dict[str, np.ndarray]:
    """Central differences of L = Σ birnn(xs, p, form)·dhs with respect to xs and the six parameters (the oracle
    broadcasts over a leading axis of perturbed copies: every element of one argument in one call)."""

    def loss(xs, **params):
        return np.sum(birnn(xs, [params[n] for n in NAMES], form) * dhs, axis=(-3, -2, -1))

    return central_difference(loss, {"xs": xs, **dict(zip(NAMES, p, strict=True))}, eps, batched=True)


# ---------------------------------------------------------------- misconceptions

NOT_REREVERSED = Msg(
    ja="逆方向の出力が反転し直されていません: 逆方向は xs[:, ::-1] を読むので、その出力は時間が逆順です。"
       "hs_b[:, ::-1] と反転し直してから連結し、時刻 t どうしを並べます",
    en="the backward direction's outputs were not reversed back: it reads xs[:, ::-1], so its outputs come in "
       "reversed time; concatenate hs_b[:, ::-1] so that both halves of hs[:, t] belong to time t",
)
SWAPPED = Msg(
    ja="連結の順が逆です: hs = [順方向 | 逆方向] (前半 H 列が順方向)",
    en="the halves are in the wrong order: hs = [forward | backward] (the first H columns are the forward "
       "direction)",
)
INPUT_NOT_REVERSED = Msg(
    ja="逆方向の RNN が xs をそのままの順で読んでいます: 逆方向には時間を反転した xs[:, ::-1] を入れます",
    en="the backward direction read xs in the original order; feed it xs reversed in time, xs[:, ::-1]",
)
TIME_AXIS = Msg(
    ja="時間の軸 (axis=1) で連結しています: 最後の軸 (axis=2) で連結して (N, T, 2H) にします",
    en="concatenated on the time axis (axis=1); concatenate on the last axis (axis=2) to get (N, T, 2H)",
)
ONE_DIRECTION = Msg(
    ja="片方の方向しか入っていません: hs = [順方向 | 逆方向] の両方を連結します",
    en="only one direction is there: concatenate both, hs = [forward | backward]",
)
DXS_NOT_REREVERSED = Msg(
    ja="逆方向の dxs が反転し直されていません: 逆方向の BPTT の dx は反転した時間で並ぶので、dxs_r[:, ::-1] "
       "としてから順方向の dxs に足します",
    en="the dxs of the backward direction were not reversed back: its BPTT gives dx in reversed time, so add "
       "dxs_r[:, ::-1] to the forward direction's dxs",
)
DHS_NOT_REVERSED = Msg(
    ja="逆方向に渡す勾配 dhs[:, :, H:] が時間の反転なしで BPTT に入っています: 順伝播で出力を反転し直したので、"
       "逆伝播では dhs[:, ::-1, H:] と反転してから逆方向の BPTT に渡します",
    en="the backward direction's gradient dhs[:, :, H:] went into its BPTT without reversing time: forward "
       "reversed its outputs back, so backward passes dhs[:, ::-1, H:] to it",
)
DXS_ONE_DIRECTION = Msg(
    ja="dxs が片方の方向の分だけです: x は両方向に入ったので、2 つの dx を足します",
    en="dxs has one direction's part only: x fed both directions, so add the two dx",
)
GRADS_ORDER = Msg(
    ja="grads の順が違います: self.grads = [順方向の dWx, dWh, db, 逆方向の dWx, dWh, db] (params と同じ順)",
    en="the grads are in the wrong order: self.grads = [forward dWx, dWh, db, backward dWx, dWh, db] (the order "
       "of params)",
)
REBOUND = Msg(
    ja="self.grads の配列が新しい配列に置き換わっています (self.grads[0] = dWx1 や self.grads = [...])。"
       "__init__ で作った配列に self.grads[0][...] = dWx1 のようにその場で書き込んでください: "
       "モデルやオプティマイザは同じ配列を参照し続けます",
    en="the arrays of self.grads were replaced by new ones (self.grads[0] = dWx1 or self.grads = [...]); write "
       "into the arrays made in __init__ in place, self.grads[0][...] = dWx1: the model and the optimizer keep "
       "references to those arrays",
)
ACCUMULATED = Msg(
    ja="勾配が前回の backward の分に足されています (+=)。[...] = で毎回上書きします",
    en="the gradients were added to those of the previous backward (+=); overwrite them each time with [...] =",
)
PARAMS_ORDER = Msg(
    ja="self.params の順が違います: [Wx1, Wh1, b1, Wx2, Wh2, b2] (順方向、逆方向の順)。記入済みの __init__ を"
       "変えないでください",
    en="self.params is in the wrong order: [Wx1, Wh1, b1, Wx2, Wh2, b2] (forward direction first); keep the "
       "given __init__",
)
FORWARD_FIRST = Text(ja="(逆伝播の前の) forward の hs", en="hs of the forward before backward")

FORMS = (("not_rereversed", NOT_REREVERSED), ("swapped", SWAPPED), ("input_not_reversed", INPUT_NOT_REVERSED),
         ("input_not_reversed_rereversed", INPUT_NOT_REVERSED), ("time_axis", TIME_AXIS),
         ("forward_only", ONE_DIRECTION), ("backward_only", ONE_DIRECTION))


def forward_variants(xs, p) -> list[Variant]:
    return [Variant(birnn(xs, p, form), why) for form, why in FORMS]


def dxs_variants(xs, p, dhs) -> list[Variant]:
    """dxs of the named slips: the forward direction's part f plus the backward direction's part b, where b is
    in reversed time (not reversed back) or comes from dhs not reversed; or one part alone."""
    H = p[1].shape[0]
    only_f = dhs.copy()
    only_f[:, :, H:] = 0
    only_b = dhs - only_f
    f = numerical_grads("book", xs, p, only_f)["xs"]
    b = numerical_grads("book", xs, p, only_b)["xs"]
    b_dhs_raw = numerical_grads("not_rereversed", xs, p, only_b)["xs"]  # BPTT fed dhs[:, :, H:] unreversed
    return [Variant(f + b[:, ::-1], DXS_NOT_REREVERSED), Variant(f + b_dhs_raw, DHS_NOT_REVERSED),
            Variant(f + b_dhs_raw[:, ::-1], DHS_NOT_REVERSED), Variant(f, DXS_ONE_DIRECTION),
            Variant(b, DXS_ONE_DIRECTION)]


def _part(res, i: int):
    """res[i] of a returned list or tuple; anything else as it is (the comparison then names what came)."""
    return res[i] if isinstance(res, (tuple, list)) and len(res) > i else res


def _case(seed: int, n: int, t: int, d: int, h: int):
    rng = np.random.default_rng(seed)
    r = lambda *s, scale=1.0: np.round(rng.normal(scale=scale, size=s), 3)  # noqa: E731
    p = [r(d, h, scale=0.6), r(h, h, scale=0.5), r(h, scale=0.3), r(d, h, scale=0.6), r(h, h, scale=0.5),
         r(h, scale=0.3)]
    return r(n, t, d), p, r(n, t, 2 * h)


# The stub's example: D = H = 1, N = 1, T = 3, Wx = Wh = 1 and b = 0 in both directions, xs = [1, 0, 0]:
#   forward:  f = tanh(1) = 0.761594, tanh(0.761594) = 0.642015, tanh(0.642015) = 0.566270
#   backward direction reads [0, 0, 1]: [0, 0, tanh(1) = 0.761594] → re-reversed [0.761594, 0, 0]
ONE, ZERO = np.array([[1.0]]), np.array([0.0])
HAND_P = [ONE, ONE, ZERO, ONE, ONE, ZERO]
HAND_XS = np.array([[[1.0], [0.0], [0.0]]])


@check("TimeBiRNN", 2, ja="forward: 本文の例 (T = 3、逆方向の出力を反転し直して連結)",
       en="forward: the stub's example (T = 3; the backward direction re-reversed, then concatenated)", public=True)
def test_birnn_forward_hand_worked(learner):
    want = np.array([[[0.761594, 0.761594], [0.642015, 0.0], [0.566270, 0.0]]])
    got = learner.TimeBiRNN(*HAND_P).forward(HAND_XS)
    expect_array(got, want, what="TimeBiRNN.forward(xs)", **HAND, variants=forward_variants(HAND_XS, HAND_P))


@check("TimeBiRNN", 2, ja="forward: N = 2, T = 5, D = 3, H = 4 (2 回呼んでも状態を引き継がない)",
       en="forward: N = 2, T = 5, D = 3, H = 4 (two calls; no state carried over)")
def test_birnn_forward_odd_shapes(learner):
    xs, p, _ = _case(41, 2, 5, 3, 4)
    xs2 = np.round(np.random.default_rng(42).normal(size=xs.shape), 3)
    layer = learner.TimeBiRNN(*p)
    for i, x in enumerate((xs, xs2), 1):
        expect_array(layer.forward(x), birnn(x, p), what=f"TimeBiRNN.forward(xs), {i} 回目 / call {i}", **TOL,
                     variants=forward_variants(x, p))


# Backward of the stub's example with dhs = 1 everywhere (BPTT, dt = (dhs[t] + dh)·(1 − h_t²), dh = dt·Wh):
#   forward direction:  dt = 0.679338 (t = 2), 1.679338·0.587817 = 0.987144 (t = 1), 1.987144·0.419974 = 0.834549
#   backward direction (reads x_2, x_1, x_0; outputs 0, 0, 0.761594): dt = 0.419974 (→ x_0), 1.419974 (→ x_1),
#   2.419974 (→ x_2);   dxs = [0.834549 + 0.419974, 0.987144 + 1.419974, 0.679338 + 2.419974]
#   (without reversing the backward direction's dx back: [3.254523, 2.407118, 1.099312])
@check("TimeBiRNN", 2, ja="backward: 本文の例 (dhs = 1) の dxs", en="backward: dxs of the stub's example (dhs = 1)",
       public=True)
def test_birnn_backward_hand_worked(learner):
    dhs = np.ones((1, 3, 2))
    want = np.array([[[1.254523], [2.407118], [3.099313]]])
    layer = learner.TimeBiRNN(*HAND_P)
    expect_array(layer.forward(HAND_XS), np.array([[[0.761594, 0.761594], [0.642015, 0.0], [0.566270, 0.0]]]),
                 what=FORWARD_FIRST, **HAND, variants=forward_variants(HAND_XS, HAND_P))
    expect_array(layer.backward(dhs), want, what="TimeBiRNN.backward(dhs)", **HAND,
                 variants=[Variant(numerical_grads(form, HAND_XS, HAND_P, dhs)["xs"], why) for form, why in FORMS
                           if form != "time_axis"] + dxs_variants(HAND_XS, HAND_P, dhs))


def _forward_then_backward(layer, xs, p, dhs):
    """Forward (named if wrong: a backward on a wrong forward cannot be right), then backward → dxs."""
    expect_array(layer.forward(xs), birnn(xs, p), what=FORWARD_FIRST, **TOL, variants=forward_variants(xs, p))
    return layer.backward(dhs)


def _grads_list(layer, p: list[np.ndarray]) -> list[np.ndarray]:
    grads = layer.grads
    if not (isinstance(grads, (list, tuple)) and len(grads) == 6):
        fail("self.grads は 6 つの配列のリスト [dWx1, dWh1, db1, dWx2, dWh2, db2] のままにしてください "
             "(記入済みの __init__ を変えないでください)",
             "self.grads must stay a list of six arrays [dWx1, dWh1, db1, dWx2, dWh2, db2] (keep the given "
             "__init__)")
    return [as_array(g, f"self.grads[{i}]", a) for i, (g, a) in enumerate(zip(grads, p, strict=True))]


@check("TimeBiRNN", 2, ja="backward: dxs が数値微分と一致 (N = 2, T = 5, D = 3, H = 4)",
       en="backward: dxs equals the numerical gradient (N = 2, T = 5, D = 3, H = 4)")
def test_birnn_backward_dxs(learner):
    xs, p, dhs = _case(43, 2, 5, 3, 4)
    want = numerical_grads("book", xs, p, dhs)["xs"]
    got = _forward_then_backward(learner.TimeBiRNN(*p), xs, p, dhs)
    expect_array(got, want, what="TimeBiRNN.backward(dhs)", **TOL, variants=dxs_variants(xs, p, dhs))


@check("TimeBiRNN", 2, ja="backward: 6 つの grads が数値微分と一致し、順方向 → 逆方向の順 (N = 2, T = 5, D = 3, H = 4)",
       en="backward: the six grads equal the numerical gradient, forward direction first (N = 2, T = 5, D = 3, H = 4)")
def test_birnn_backward_grads(learner):
    xs, p, dhs = _case(44, 2, 5, 3, 4)
    want = numerical_grads("book", xs, p, dhs)
    raw = numerical_grads("not_rereversed", xs, p, dhs)  # the backward direction's BPTT fed dhs unreversed
    layer = learner.TimeBiRNN(*p)
    _forward_then_backward(layer, xs, p, dhs)
    grads = _grads_list(layer, p)
    for i, (name, got) in enumerate(zip(NAMES, grads, strict=True)):
        other = NAMES[(i + 3) % 6]
        expect_array(got, want[name], what=f"self.grads[{i}] (d{name})", **TOL, variants=[
            Variant(want[other], GRADS_ORDER), Variant(raw[name], DHS_NOT_REVERSED),
            Variant(np.zeros_like(want[name]), Msg(ja="self.grads が 0 のままです: backward の中で書き込んでください",
                                                   en="self.grads is still zero: write into it inside backward"))])


@check("TimeBiRNN", 1, ja="params の順と、grads が __init__ の配列にその場で上書きされること (2 回の backward)",
       en="the order of params, and grads overwritten in place in the arrays of __init__ (two backward calls)")
def test_birnn_params_and_grads_in_place(learner):
    xs, p, dhs = _case(45, 3, 4, 2, 5)
    xs2, _, dhs2 = _case(46, 3, 4, 2, 5)
    first = numerical_grads("book", xs, p, dhs)
    want = numerical_grads("book", xs2, p, dhs2)
    layer = learner.TimeBiRNN(*p)
    params = layer.params
    if not (isinstance(params, (list, tuple)) and len(params) == 6):
        fail(PARAMS_ORDER.ja, PARAMS_ORDER.en)
    for i, got in enumerate(params):
        expect_array(got, p[i], what=f"self.params[{i}]", rtol=0, atol=0,
                     variants=[Variant(p[(i + 3) % 6], PARAMS_ORDER)])
    # float32 arrays in place of the ones __init__ made: written in place they stay float32 (the float64
    # results are cast into them); a new array in their place comes back float64
    layer.grads = [np.zeros(a.shape, np.float32) for a in p]
    for x, d in ((xs, dhs), (xs2, dhs2)):
        _forward_then_backward(layer, x, p, d)
    grads = _grads_list(layer, p)
    if not any(np.any(g) for g in grads):
        # nothing written into the arrays of self.grads: the book's TimeBiLSTM design, where self.grads *is* the
        # direction layers' own grads lists (written in place there), or no write at all. A layer left as
        # __init__ made it tells them apart: its grads must then be right after two backward calls.
        layer = learner.TimeBiRNN(*p)
        for x, d in ((xs, dhs), (xs2, dhs2)):
            _forward_then_backward(layer, x, p, d)
        grads = _grads_list(layer, p)
        tol = TOL
    else:
        for i, got in enumerate(grads):
            if got.dtype != np.float32:
                fail(f"self.grads[{i}]: {REBOUND.ja}", f"self.grads[{i}]: {REBOUND.en}")
        tol = F32
    for i, (name, got) in enumerate(zip(NAMES, grads, strict=True)):
        expect_array(got, want[name], what=f"2 回目の backward 後の / after the second backward: self.grads[{i}]",
                     **tol, variants=[Variant(first[name] + want[name], ACCUMULATED),
                                      Variant(want[NAMES[(i + 3) % 6]], GRADS_ORDER),
                                      Variant(np.zeros_like(want[name]), Msg(
                                          ja="self.grads が 0 のままです: backward の中で書き込んでください",
                                          en="self.grads is still zero: write into it inside backward"))])
