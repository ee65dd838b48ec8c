"""Hidden checks of day3.section7 (Attention): AttentionWeight, WeightSum, Attention, scaled_dot_product_attention.

The oracle is written here from the formulas of the stub: s[n, t] = Σ_H hs[n, t]·h[n] and a softmax over T
(AttentionWeight), c[n] = Σ_t a[n, t]·hs[n, t] (WeightSum), both in a row (Attention), and for the Transformer's
attention a loop over the leading (batch, head) dimensions of 2-D products. Every backward is compared with a
central-difference numerical gradient computed here from that oracle, on the stub's hand-worked case and on odd
shapes (N, T, H all different). The named slips: the softmax over H (or over the batch) instead of over T, the
missing 1/√d_k, the mask applied after the softmax (or inverted, or ignored), one of the two paths of hs.
"""

from __future__ import annotations

import numpy as np

from grader.engine.api import Msg, Text, Variant, as_array, central_difference, check, expect_array, fail

TOL = {"rtol": 1e-5, "atol": 1e-6}  # learner (any formulation, float32 inside is fine) vs the numerical gradient
HAND = {"rtol": 1e-5, "atol": 2e-6}
F32 = {"rtol": 1e-4, "atol": 1e-5}

# ---------------------------------------------------------------- oracle


def _softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    with np.errstate(invalid="ignore", over="ignore"):
        e = np.exp(x - np.max(x, axis=axis, keepdims=True))
        return e / np.sum(e, axis=axis, keepdims=True)


def scores(hs: np.ndarray, h: np.ndarray) -> np.ndarray:
    """s[n, t] = Σ_k hs[n, t, k]·h[n, k], written as the sum of the products (either argument may carry a leading
    axis of perturbed copies: the numerical gradients below)."""
    return np.sum(hs * h[..., None, :], axis=-1)


def attention_weight(hs, h, form: str = "book") -> np.ndarray:
    if form == "over_h":  # softmax of the products over H, then summed: every weight 1
        return _softmax(hs * h[..., None, :], axis=-1).sum(axis=-1)
    if form == "over_h_no_sum":
        return _softmax(hs * h[..., None, :], axis=-1)
    s = scores(hs, h)
    if form == "over_n":
        return _softmax(s, axis=-2)
    if form == "no_softmax":
        return s
    return _softmax(s, axis=-1)


def weight_sum(hs, a, form: str = "book") -> np.ndarray:
    """c = Σ_t a[:, t]·hs[:, t], one time step at a time."""
    T = hs.shape[-2]
    c = 0.0
    for t in range(T):
        c = c + a[..., t, None] * hs[..., t, :]
    if form == "mean":
        return c / T
    return c


def attention(hs, h, aw_form: str = "book", ws_form: str = "book") -> np.ndarray:
    return weight_sum(hs, attention_weight(hs, h, aw_form), ws_form)


def _grads(f, args: dict[str, np.ndarray], dout: np.ndarray) -> dict[str, np.ndarray]:
    """Central differences of L = Σ f(**args)·dout, every element of an argument in one batched call."""
    return central_difference(lambda **a: np.sum(f(**a) * dout, axis=tuple(range(-dout.ndim, 0))), args,
                              batched=True)


def aw_grads(hs, h, da, form: str = "book") -> dict[str, np.ndarray]:
    return _grads(lambda hs, h: attention_weight(hs, h, form), {"hs": hs, "h": h}, da)


def ws_grads(hs, a, dc, form: str = "book") -> dict[str, np.ndarray]:
    return _grads(lambda hs, a: weight_sum(hs, a, form), {"hs": hs, "a": a}, dc)


def att_grads(hs, h, dout, aw_form: str = "book", ws_form: str = "book") -> dict[str, np.ndarray]:
    return _grads(lambda hs, h: attention(hs, h, aw_form, ws_form), {"hs": hs, "h": h}, dout)


def sdpa(Q, K, V, mask=None, form: str = "book") -> tuple[np.ndarray, np.ndarray]:
    """(out, weights) by 2-D products, one (batch, head) slice at a time; `form` names a slip."""
    lead = np.broadcast_shapes(Q.shape[:-2], K.shape[:-2], V.shape[:-2])
    Tq, dk, Tk, dv = Q.shape[-2], Q.shape[-1], K.shape[-2], V.shape[-1]
    Q, K, V = (np.broadcast_to(A, lead + A.shape[-2:]).astype(float) for A in (Q, K, V))
    m = np.zeros(lead + (Tq, Tk), bool) if mask is None else np.broadcast_to(mask, lead + (Tq, Tk))
    out, W = np.zeros(lead + (Tq, dv)), np.zeros(lead + (Tq, Tk))
    scale = {"no_scale": 1.0, "by_dk": float(dk)}.get(form, float(np.sqrt(dk)))
    with np.errstate(invalid="ignore", over="ignore"):
        for idx in np.ndindex(*lead):
            s = Q[idx] @ K[idx].T / scale
            blocked = {"inverted": ~m[idx], "ignored": np.zeros_like(m[idx])}.get(form, m[idx])
            if form not in ("after_zero", "after_add"):
                s = np.where(blocked, -np.inf, s)
            w = _softmax(s, axis=0 if form == "over_tq" else 1)
            if form == "after_zero":
                w = np.where(blocked, 0.0, w)
            elif form == "after_add":
                w = w + np.where(blocked, -1e9, 0.0)
            W[idx] = w
            out[idx] = w @ V[idx]
    return out, W


# ---------------------------------------------------------------- misconceptions

OVER_H = Msg(
    ja="softmax を H の軸 (隠れ状態の次元) でかけています: まず H 方向の内積 s = Σ_H hs·h を作り、softmax は "
       "時刻 T の軸でかけます (各 a[n, :] の和が 1)",
    en="the softmax ran over H (the hidden axis) instead of over T: first the dot products s = Σ_H hs·h, then "
       "the softmax over the T axis (each a[n, :] sums to 1)",
)
OVER_N = Msg(
    ja="softmax をバッチの軸 (axis=0) でかけています: 時刻 T の軸 (axis=1) で正規化し、各 a[n, :] の和を 1 にします",
    en="the softmax ran over the batch axis (axis=0); normalise over the T axis (axis=1) so that each a[n, :] "
       "sums to 1",
)
NO_SOFTMAX = Msg(
    ja="内積 s のままです: softmax をかけて重み (和が 1) にします",
    en="these are the dot products s; apply the softmax to get weights that sum to 1",
)
SOFTMAX_BACKWARD = Msg(
    ja="softmax の逆伝播が違います: ds = a·(da − Σ_t da·a) です (Σ の項を忘れると a·da)",
    en="the softmax backward is wrong: ds = a·(da − Σ_t da·a) (without the Σ term it is a·da)",
)
MEAN_T = Msg(
    ja="T で割った平均になっています: コンテキストベクトルは重み付きの和 c = Σ_t a_t·hs_t です (重みの和がすでに 1)",
    en="this is divided by T (a mean); the context vector is the weighted sum c = Σ_t a_t·hs_t (the weights "
       "already sum to 1)",
)
DHS_NO_A = Msg(
    ja="dhs に重み a が掛かっていません: dhs[n, t] = a[n, t]·dc[n]",
    en="dhs misses the weight a: dhs[n, t] = a[n, t]·dc[n]",
)
DA_AXIS = Msg(
    ja="da は H 方向の内積です: da[n, t] = Σ_H hs[n, t]·dc[n] (axis=2 で和)、形状 (N, T)",
    en="da is a dot product over H: da[n, t] = Σ_H hs[n, t]·dc[n] (sum over axis=2), shape (N, T)",
)
TWO_PATHS = Msg(
    ja="hs は 2 つの経路 (AttentionWeight と WeightSum) で使われたので、2 つの dhs を足します: dhs = dhs0 + dhs1",
    en="hs was used on two paths (AttentionWeight and WeightSum), so add the two gradients: dhs = dhs0 + dhs1",
)
NO_SCALE = Msg(
    ja="スコアが √d_k で割られていません: scores = Q·Kᵀ/√d_k (内積は d_k とともに大きくなり softmax が飽和します)",
    en="the scores were not divided by √d_k: scores = Q·Kᵀ/√d_k (dot products grow with d_k and saturate the "
       "softmax)",
)
BY_DK = Msg(
    ja="d_k で割っています: 割るのは √d_k (内積の標準偏差が √d_k 倍になるため)",
    en="divided by d_k; divide by √d_k (the dot products' standard deviation grows as √d_k)",
)
OVER_TQ = Msg(
    ja="softmax をクエリの軸 T_q (axis=−2) でかけています: キーの軸 T_k (最後の軸) で正規化します",
    en="the softmax ran over the query axis T_q (axis −2); normalise over the keys T_k (the last axis)",
)
MASK_AFTER = Msg(
    ja="mask を softmax の後で適用しています: softmax の前に scores の遮断位置を −∞ にします。後で重みを 0 にすると"
       "残りの重みの和が 1 になりません",
    en="the mask was applied after the softmax; put −∞ in the blocked scores before the softmax (zeroing "
       "weights afterwards leaves rows that no longer sum to 1)",
)
MASK_INVERTED = Msg(
    ja="mask の意味が逆です: True が遮断 (見てはいけない位置) です",
    en="the mask is inverted: True means blocked (a position that must not be attended to)",
)
MASK_IGNORED = Msg(ja="mask が使われていません: True の位置を遮断します",
                   en="the mask was not applied: block the positions where it is True")
OVERFLOW = Msg(
    ja="スコアが 1000 前後で NaN / inf になりました (exp のオーバーフロー)。softmax の前に各行の最大値を引いてください "
       "(s − max(s)): 結果は変わらず、exp の引数が 0 以下になります",
    en="scores around 1000 gave NaN / inf (exp overflowed); subtract each row's maximum before the softmax "
       "(s − max(s)): the result is the same and exp only sees numbers ≤ 0",
)
PAIR = Msg(ja="戻り値の順が逆です: (out, weights) の順に返します",
           en="the results are in the wrong order: return (out, weights)")
FORWARD_FIRST = Text(ja="(逆伝播の前の) forward の戻り値", en="the result of the forward before backward")

AW_FORMS = (("over_h", OVER_H), ("over_h_no_sum", OVER_H), ("over_n", OVER_N), ("no_softmax", NO_SOFTMAX))
SDPA_FORMS = (("no_scale", NO_SCALE), ("by_dk", BY_DK), ("over_tq", OVER_TQ), ("after_zero", MASK_AFTER),
              ("after_add", MASK_AFTER), ("inverted", MASK_INVERTED), ("ignored", MASK_IGNORED))


def aw_variants(hs, h) -> list[Variant]:
    return [Variant(attention_weight(hs, h, form), why) for form, why in AW_FORMS]


def att_variants(hs, h) -> list[Variant]:
    out = [Variant(attention(hs, h, aw_form=form), why) for form, why in AW_FORMS if form != "over_h_no_sum"]
    return out + [Variant(attention(hs, h, ws_form="mean"), MEAN_T)]


def aw_grad_variants(key: str, hs, h, da) -> list[Variant]:
    a = attention_weight(hs, h)
    ds = a * da  # the slip: softmax backward without its Σ term
    slip = {"hs": ds[:, :, None] * h[:, None, :], "h": np.sum(ds[:, :, None] * hs, axis=1)}
    return [Variant(slip[key], SOFTMAX_BACKWARD)] + [
        Variant(aw_grads(hs, h, da, form)[key], why) for form, why in AW_FORMS if form not in ("over_h_no_sum",)]


def ws_grad_variants(key: str, hs, a, dc) -> list[Variant]:
    slip = {"hs": np.broadcast_to(dc[:, None, :], hs.shape).copy(), "a": np.sum(hs * dc[:, None, :], axis=1)}
    why = {"hs": DHS_NO_A, "a": DA_AXIS}
    return [Variant(slip[key], why[key]), Variant(ws_grads(hs, a, dc, "mean")[key], MEAN_T)]


def att_grad_variants(key: str, hs, h, dout) -> list[Variant]:
    out = []
    if key == "hs":  # one path only: through WeightSum (a held fixed), or through AttentionWeight (hs of c fixed)
        a = attention_weight(hs, h)
        dhs0 = a[:, :, None] * dout[:, None, :]
        out += [Variant(dhs0, TWO_PATHS), Variant(att_grads(hs, h, dout)["hs"] - dhs0, TWO_PATHS)]
    out += [Variant(att_grads(hs, h, dout, aw_form=form)[key], why) for form, why in AW_FORMS
            if form != "over_h_no_sum"]
    return out + [Variant(att_grads(hs, h, dout, ws_form="mean")[key], MEAN_T)]


def sdpa_variants(i: int, Q, K, V, mask=None) -> list[Variant]:
    return [Variant(sdpa(Q, K, V, mask, form)[i], why) for form, why in SDPA_FORMS
            if mask is not None or form in ("no_scale", "by_dk", "over_tq")]


def _part(res, i: int):
    """res[i] of a returned tuple or list; anything else as it is (the comparison then names what came)."""
    return res[i] if isinstance(res, (tuple, list)) and len(res) > i else res


def _pair(res, what: str, first: str, second: str):
    if not (isinstance(res, (tuple, list)) and len(res) == 2):
        shown = f"{type(res).__name__} of length {len(res)}" if isinstance(res, (tuple, list)) else type(res).__name__
        fail(f"{what} は ({first}, {second}) の 2 つ組を返します (実際: {shown})",
             f"{what} returns the pair ({first}, {second}) (got: {shown})")
    return res


def _rand(rng, *shape, scale: float = 1.0) -> np.ndarray:
    return np.round(rng.normal(scale=scale, size=shape), 3)


# ---------------------------------------------------------------- AttentionWeight

# Sample 0 is the stub's example: s = [1·2 + 0·1, 0·2 + 1·1, 1·2 + 1·1] = [2, 1, 3] → softmax
#   = [e², e, e³]/(e + e² + e³) = [0.244728, 0.090031, 0.665241].
# Sample 1: hs = [[0, 0], [1, 0], [0, 2]], h = [1, 0.5] → s = [0, 1, 1] → [1, e, e]/(1 + 2e) = [0.155362, 0.422319, 0.422319]
HS2 = np.array([[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]]])
H2 = np.array([[2.0, 1.0], [1.0, 0.5]])


@check("AttentionWeight", 2, ja="forward: 手計算の例 (N = 2, T = 3, H = 2)、T 方向の softmax",
       en="forward: a hand-worked case (N = 2, T = 3, H = 2), the softmax over T", public=True)
def test_attention_weight_forward_hand_worked(learner):
    want = np.array([[0.244728, 0.090031, 0.665241], [0.155362, 0.422319, 0.422319]])
    got = learner.AttentionWeight().forward(HS2, H2)
    expect_array(got, want, what="AttentionWeight.forward(hs, h)", **HAND, variants=aw_variants(HS2, H2))


@check("AttentionWeight", 2, ja="forward: N = 2, T = 5, H = 3 と、1000 前後の大きなスコア (オーバーフローしない)",
       en="forward: N = 2, T = 5, H = 3, and scores around 1000 (no overflow)")
def test_attention_weight_forward_odd_shapes(learner):
    rng = np.random.default_rng(71)
    hs, h = _rand(rng, 2, 5, 3), _rand(rng, 2, 3)
    layer = learner.AttentionWeight()
    expect_array(layer.forward(hs, h), attention_weight(hs, h), what="AttentionWeight.forward(hs, h)", **TOL,
                 variants=aw_variants(hs, h))
    big = hs * 30.0  # s ≈ ±1000: exp overflows unless the row maximum is subtracted first
    big_h = h * 30.0
    got = as_array(layer.forward(big, big_h), "AttentionWeight.forward(30·hs, 30·h)", np.zeros((2, 5)))
    if not np.all(np.isfinite(got)):
        fail(OVERFLOW.ja, OVERFLOW.en)
    expect_array(got, attention_weight(big, big_h),
                 what="AttentionWeight.forward(30·hs, 30·h) (s ≈ ±1000)", **TOL, variants=aw_variants(big, big_h))


@check("AttentionWeight", 2, ja="backward: (dhs, dh) が数値微分と一致 (N = 1, T = 3, H = 2、本文の例)",
       en="backward: (dhs, dh) equal the numerical gradient (N = 1, T = 3, H = 2, the stub's example)", public=True)
def test_attention_weight_backward_small(learner):
    hs, h, da = HS2[:1], H2[:1], np.array([[1.0, -2.0, 0.5]])
    want = aw_grads(hs, h, da)
    layer = learner.AttentionWeight()
    expect_array(layer.forward(hs, h), np.array([[0.244728, 0.090031, 0.665241]]), what=FORWARD_FIRST, **HAND,
                 variants=aw_variants(hs, h))
    res = layer.backward(da)
    expect_array(_part(res, 0), want["hs"], what="AttentionWeight.backward(da): dhs", **TOL,
                 variants=aw_grad_variants("hs", hs, h, da))
    expect_array(_part(res, 1), want["h"], what="AttentionWeight.backward(da): dh", **TOL,
                 variants=aw_grad_variants("h", hs, h, da))


@check("AttentionWeight", 2, ja="backward: (dhs, dh) が数値微分と一致 (N = 2, T = 5, H = 3)",
       en="backward: (dhs, dh) equal the numerical gradient (N = 2, T = 5, H = 3)")
def test_attention_weight_backward_odd_shapes(learner):
    rng = np.random.default_rng(72)
    hs, h, da = _rand(rng, 2, 5, 3), _rand(rng, 2, 3), _rand(rng, 2, 5)
    want = aw_grads(hs, h, da)
    layer = learner.AttentionWeight()
    expect_array(layer.forward(hs, h), attention_weight(hs, h), what=FORWARD_FIRST, **TOL, variants=aw_variants(hs, h))
    dhs, dh = _pair(layer.backward(da), "AttentionWeight.backward(da)", "dhs", "dh")
    expect_array(dhs, want["hs"], what="AttentionWeight.backward(da): dhs", **TOL,
                 variants=aw_grad_variants("hs", hs, h, da))
    expect_array(dh, want["h"], what="AttentionWeight.backward(da): dh", **TOL,
                 variants=aw_grad_variants("h", hs, h, da))


# ---------------------------------------------------------------- WeightSum

# Sample 0 is the stub's example: c = 0.5·[1, 2] + 0.3·[3, 4] + 0.2·[5, 6] = [2.4, 3.4]; with dc = [1, 0.5]:
#   dhs = a ⊗ dc = [[0.5, 0.25], [0.3, 0.15], [0.2, 0.1]],  da = hs·dc = [1 + 1, 3 + 2, 5 + 3] = [2, 5, 8]
# Sample 1: hs = [[1, 0], [0, 1], [2, 2]], a = [0.2, 0.7, 0.1] → c = [0.2 + 0.2, 0.7 + 0.2] = [0.4, 0.9]; dc = [−1, 2]:
#   dhs = [[−0.2, 0.4], [−0.7, 1.4], [−0.1, 0.2]],  da = [−1, 2, −2 + 4] = [−1, 2, 2]
WS_HS = np.array([[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]]])
WS_A = np.array([[0.5, 0.3, 0.2], [0.2, 0.7, 0.1]])
WS_DC = np.array([[1.0, 0.5], [-1.0, 2.0]])


@check("WeightSum", 2, ja="forward: 手計算の例 (N = 2, T = 3, H = 2)", en="forward: a hand-worked case (N = 2, T = 3, H = 2)",
       public=True)
def test_weight_sum_forward_hand_worked(learner):
    got = learner.WeightSum().forward(WS_HS, WS_A)
    expect_array(got, np.array([[2.4, 3.4], [0.4, 0.9]]), what="WeightSum.forward(hs, a)", **HAND,
                 variants=[Variant(weight_sum(WS_HS, WS_A, "mean"), MEAN_T)])


@check("WeightSum", 1, ja="forward: N = 2, T = 5, H = 3", en="forward: N = 2, T = 5, H = 3")
def test_weight_sum_forward_odd_shapes(learner):
    rng = np.random.default_rng(73)
    hs, a = _rand(rng, 2, 5, 3), _softmax(_rand(rng, 2, 5), axis=1)
    expect_array(learner.WeightSum().forward(hs, a), weight_sum(hs, a), what="WeightSum.forward(hs, a)", **TOL,
                 variants=[Variant(weight_sum(hs, a, "mean"), MEAN_T)])


@check("WeightSum", 2, ja="backward: 手計算の例の (dhs, da)", en="backward: (dhs, da) of the hand-worked case",
       public=True)
def test_weight_sum_backward_hand_worked(learner):
    want_dhs = np.array([[[0.5, 0.25], [0.3, 0.15], [0.2, 0.1]], [[-0.2, 0.4], [-0.7, 1.4], [-0.1, 0.2]]])
    want_da = np.array([[2.0, 5.0, 8.0], [-1.0, 2.0, 2.0]])
    layer = learner.WeightSum()
    expect_array(layer.forward(WS_HS, WS_A), np.array([[2.4, 3.4], [0.4, 0.9]]), what=FORWARD_FIRST, **HAND,
                 variants=[Variant(weight_sum(WS_HS, WS_A, "mean"), MEAN_T)])
    res = layer.backward(WS_DC)
    expect_array(_part(res, 0), want_dhs, what="WeightSum.backward(dc): dhs", **HAND,
                 variants=ws_grad_variants("hs", WS_HS, WS_A, WS_DC))
    expect_array(_part(res, 1), want_da, what="WeightSum.backward(dc): da", **HAND,
                 variants=ws_grad_variants("a", WS_HS, WS_A, WS_DC))


@check("WeightSum", 2, ja="backward: (dhs, da) が数値微分と一致 (N = 2, T = 5, H = 3)",
       en="backward: (dhs, da) equal the numerical gradient (N = 2, T = 5, H = 3)")
def test_weight_sum_backward_odd_shapes(learner):
    rng = np.random.default_rng(74)
    hs, a, dc = _rand(rng, 2, 5, 3), _softmax(_rand(rng, 2, 5), axis=1), _rand(rng, 2, 3)
    want = ws_grads(hs, a, dc)
    layer = learner.WeightSum()
    expect_array(layer.forward(hs, a), weight_sum(hs, a), what=FORWARD_FIRST, **TOL,
                 variants=[Variant(weight_sum(hs, a, "mean"), MEAN_T)])
    dhs, da = _pair(layer.backward(dc), "WeightSum.backward(dc)", "dhs", "da")
    expect_array(dhs, want["hs"], what="WeightSum.backward(dc): dhs", **TOL, variants=ws_grad_variants("hs", hs, a, dc))
    expect_array(da, want["a"], what="WeightSum.backward(dc): da", **TOL, variants=ws_grad_variants("a", hs, a, dc))


# ---------------------------------------------------------------- Attention

# The stub's example: a = [0.244728, 0.090031, 0.665241] (AttentionWeight's), c = a_0·[1, 0] + a_1·[0, 1] + a_2·[1, 1]
#   = [0.909969, 0.755272]. Backward with dout = [1, 0]: dhs0 = a ⊗ dout; da = hs·dout = [1, 0, 1];
#   ds = a·(da − Σ a·da) = a·(da − 0.909969) = [0.022033, −0.081925, 0.059892]; dhs1 = ds ⊗ h = ds ⊗ [2, 1];
#   dh = Σ_t ds·hs = [0.022033 + 0.059892, −0.081925 + 0.059892] = [0.081925, −0.022033];
#   dhs = dhs0 + dhs1 = [[0.288795, 0.022033], [−0.073820, −0.081925], [0.785025, 0.059892]]
ATT_HS, ATT_H = HS2[:1], H2[:1]


@check("Attention", 2, ja="forward: 本文の例のコンテキストベクトル c と self.attention_weight",
       en="forward: the context vector c of the stub's example, and self.attention_weight", public=True)
def test_attention_forward_hand_worked(learner):
    att = learner.Attention()
    expect_array(att.forward(ATT_HS, ATT_H), np.array([[0.909969, 0.755272]]), what="Attention.forward(hs, h)",
                 **HAND, variants=att_variants(ATT_HS, ATT_H))
    expect_array(att.attention_weight, np.array([[0.244728, 0.090031, 0.665241]]), what="self.attention_weight",
                 **HAND, variants=aw_variants(ATT_HS, ATT_H))


@check("Attention", 2, ja="forward: N = 2, T = 5, H = 3 (c と self.attention_weight)",
       en="forward: N = 2, T = 5, H = 3 (c and self.attention_weight)")
def test_attention_forward_odd_shapes(learner):
    rng = np.random.default_rng(75)
    hs, h = _rand(rng, 2, 5, 3), _rand(rng, 2, 3)
    att = learner.Attention()
    expect_array(att.forward(hs, h), attention(hs, h), what="Attention.forward(hs, h)", **TOL,
                 variants=att_variants(hs, h))
    expect_array(att.attention_weight, attention_weight(hs, h), what="self.attention_weight", **TOL,
                 variants=aw_variants(hs, h))


@check("Attention", 2, ja="backward: 本文の例 (dout = [1, 0]) の (dhs, dh)",
       en="backward: (dhs, dh) of the stub's example (dout = [1, 0])", public=True)
def test_attention_backward_hand_worked(learner):
    dout = np.array([[1.0, 0.0]])
    want_dhs = np.array([[[0.288795, 0.022033], [-0.073820, -0.081925], [0.785025, 0.059892]]])
    att = learner.Attention()
    expect_array(att.forward(ATT_HS, ATT_H), np.array([[0.909969, 0.755272]]), what=FORWARD_FIRST, **HAND,
                 variants=att_variants(ATT_HS, ATT_H))
    res = att.backward(dout)
    expect_array(_part(res, 0), want_dhs, what="Attention.backward(dout): dhs", **HAND,
                 variants=att_grad_variants("hs", ATT_HS, ATT_H, dout))
    expect_array(_part(res, 1), np.array([[0.081925, -0.022033]]), what="Attention.backward(dout): dh", **HAND,
                 variants=att_grad_variants("h", ATT_HS, ATT_H, dout))


@check("Attention", 2, ja="backward: (dhs, dh) が数値微分と一致 (N = 2, T = 5, H = 3)",
       en="backward: (dhs, dh) equal the numerical gradient (N = 2, T = 5, H = 3)")
def test_attention_backward_odd_shapes(learner):
    rng = np.random.default_rng(76)
    hs, h, dout = _rand(rng, 2, 5, 3), _rand(rng, 2, 3), _rand(rng, 2, 3)
    want = att_grads(hs, h, dout)
    att = learner.Attention()
    expect_array(att.forward(hs, h), attention(hs, h), what=FORWARD_FIRST, **TOL, variants=att_variants(hs, h))
    dhs, dh = _pair(att.backward(dout), "Attention.backward(dout)", "dhs", "dh")
    expect_array(dhs, want["hs"], what="Attention.backward(dout): dhs", **TOL,
                 variants=att_grad_variants("hs", hs, h, dout))
    expect_array(dh, want["h"], what="Attention.backward(dout): dh", **TOL,
                 variants=att_grad_variants("h", hs, h, dout))


# ---------------------------------------------------------------- scaled_dot_product_attention

# The stub's example: d_k = 4, Q·Kᵀ = [2, 0], /√4 → [1, 0]; w = [e, 1]/(e + 1) = [0.731059, 0.268941];
#   out = 0.731059·[1, 2] + 0.268941·[3, 4] = [1.537883, 2.537883].  With mask [[False, True]]: the second score
#   is −∞ before the softmax, w = [1, 0], out = [1, 2]  (zeroed after the softmax instead: w = [0.731059, 0]).
SQ = np.array([[1.0, 0.0, 1.0, 0.0]])
SK = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
SV = np.array([[1.0, 2.0], [3.0, 4.0]])
SMASK = np.array([[False, True]])


@check("scaled_dot_product_attention", 2, ja="本文の例: softmax(Q·Kᵀ/√d_k)·V と重み (d_k = 4)",
       en="the stub's example: softmax(Q·Kᵀ/√d_k)·V and the weights (d_k = 4)", public=True)
def test_sdpa_hand_worked(learner):
    res = learner.scaled_dot_product_attention(SQ, SK, SV)
    expect_array(_part(res, 0), np.array([[1.537883, 2.537883]]), what="out", **HAND,
                 variants=sdpa_variants(0, SQ, SK, SV) + [Variant(np.array([[0.731059, 0.268941]]), PAIR)])
    expect_array(_part(res, 1), np.array([[0.731059, 0.268941]]), what="weights", **HAND,
                 variants=sdpa_variants(1, SQ, SK, SV) + [Variant(np.array([[1.537883, 2.537883]]), PAIR)])


@check("scaled_dot_product_attention", 2, ja="本文の例に mask (True = 遮断): 遮断した位置の重みは 0、残りの和は 1",
       en="the stub's example with a mask (True = blocked): weight 0 where blocked, the rest sums to 1", public=True)
def test_sdpa_mask_hand_worked(learner):
    res = learner.scaled_dot_product_attention(SQ, SK, SV, mask=SMASK)
    expect_array(_part(res, 0), np.array([[1.0, 2.0]]), what="out (mask)", **HAND,
                 variants=sdpa_variants(0, SQ, SK, SV, SMASK))
    expect_array(_part(res, 1), np.array([[1.0, 0.0]]), what="weights (mask)", **HAND,
                 variants=sdpa_variants(1, SQ, SK, SV, SMASK))


@check("scaled_dot_product_attention", 2,
       ja="先頭にバッチとヘッドの次元 (2, 3)、T_q = 4, T_k = 6, d_k = 5, d_v = 7; (out, weights) を返す",
       en="leading batch and head dims (2, 3), T_q = 4, T_k = 6, d_k = 5, d_v = 7; returns (out, weights)")
def test_sdpa_leading_dims(learner):
    rng = np.random.default_rng(77)
    Q, K, V = _rand(rng, 2, 3, 4, 5), _rand(rng, 2, 3, 6, 5), _rand(rng, 2, 3, 6, 7)
    out_want, w_want = sdpa(Q, K, V)
    out, w = _pair(learner.scaled_dot_product_attention(Q, K, V), "scaled_dot_product_attention(Q, K, V)", "out",
                   "weights")
    if getattr(out, "shape", None) == w_want.shape and getattr(w, "shape", None) == out_want.shape:
        fail(PAIR.ja, PAIR.en)
    expect_array(w, w_want, what="weights (2, 3, 4, 6)", **TOL, variants=sdpa_variants(1, Q, K, V))
    expect_array(out, out_want, what="out (2, 3, 4, 7)", **TOL, variants=sdpa_variants(0, Q, K, V))


@check("scaled_dot_product_attention", 2,
       ja="mask のブロードキャスト: 因果マスク (T, T)、パディングマスク (2, 1, 1, T)、float32 でも",
       en="mask broadcasting: a causal mask (T, T), a padding mask (2, 1, 1, T), also in float32")
def test_sdpa_mask_broadcast(learner):
    rng = np.random.default_rng(78)
    Q, K, V = _rand(rng, 2, 3, 5, 3), _rand(rng, 2, 3, 5, 3), _rand(rng, 2, 3, 5, 2)
    causal = np.triu(np.ones((5, 5), bool), k=1)  # position i may look at j ≤ i only
    padding = np.zeros((2, 1, 1, 5), bool)
    padding[1, ..., 3:] = True  # the second sequence has 3 real tokens
    for name, mask, dtype in (("causal (5, 5)", causal, np.float64), ("padding (2, 1, 1, 5)", padding, np.float64),
                              ("causal | padding, float32", causal | padding, np.float32)):
        out_want, w_want = sdpa(Q, K, V, mask)
        tol = F32 if dtype == np.float32 else TOL
        res = learner.scaled_dot_product_attention(Q.astype(dtype), K.astype(dtype), V.astype(dtype), mask=mask)
        out, w = _pair(res, "scaled_dot_product_attention(Q, K, V, mask)", "out", "weights")
        expect_array(w, w_want, what=f"weights, mask {name}", **tol, variants=sdpa_variants(1, Q, K, V, mask))
        expect_array(out, out_want, what=f"out, mask {name}", **tol, variants=sdpa_variants(0, Q, K, V, mask))
