"""Hidden checks of day3.section3 (GRU): one time step of a GRU, forward and backward.

The oracle is the GRU written here from the formulas of the stub (gates packed z, r, ĥ; h_next = (1 − z)·h_prev
+ z·ĥ; ĥ = tanh(x·Wxh + (r·h_prev)·Whh + bh)). Every backward is compared with a central-difference numerical
gradient of L = Σ h_next·dh_next computed here from that oracle, on a hand-worked case and on odd shapes
(N, D, H all different). The known slips are the oracle with one change, so a wrong result is named: the other
convention h_next = z·h_prev + (1 − z)·ĥ, r applied after Whh, gates read in another order, and the usual
backward slips (a missing path of dh_prev, the sign of dz, the input of dWhh, tanh′).
"""

from __future__ import annotations

import itertools

import numpy as np

from grader.engine.api import Msg, Text, Variant, as_array, central_difference, check, expect_array, fail

TOL = {"rtol": 1e-5, "atol": 1e-6}  # learner (any formulation, float32 inside is fine) vs the numerical gradient
HAND = {"rtol": 1e-5, "atol": 2e-6}  # hand-worked numbers are written with 6 decimals
F32 = {"rtol": 1e-4, "atol": 1e-5}  # results that went through float32 arrays

# ---------------------------------------------------------------- oracle


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _blocks(W: np.ndarray, H: int, order: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The z, r, ĥ blocks of a packed matrix (or vector), when the gates are read in `order` (block index of z,
    of r, of ĥ); the book's packing is (0, 1, 2)."""
    parts = [W[..., i * H:(i + 1) * H] for i in range(3)]
    return parts[order[0]], parts[order[1]], parts[order[2]]


BOOK = (0, 1, 2)


def _gates(x, h, Wx, Wh, b, form: str = "book", order: tuple[int, int, int] = BOOK):
    H = Wh.shape[-2]  # Wh may carry a leading axis of perturbed copies (numerical_grads)
    Wxz, Wxr, Wxh = _blocks(Wx, H, order)
    Whz, Whr, Whh = _blocks(Wh, H, order)
    bz, br, bh = _blocks(b, H, order)
    z = _sigmoid(x @ Wxz + h @ Whz + bz)
    r = _sigmoid(x @ Wxr + h @ Whr + br)
    if form == "r_after":  # PyTorch's form: r · (h_prev · Whh)
        hh = np.tanh(x @ Wxh + r * (h @ Whh) + bh)
    elif form == "no_reset":
        hh = np.tanh(x @ Wxh + h @ Whh + bh)
    else:
        hh = np.tanh(x @ Wxh + (r * h) @ Whh + bh)
    return z, r, hh


def gru(x, h, Wx, Wh, b, form: str = "book", order: tuple[int, int, int] = BOOK) -> np.ndarray:
    """h_next under the book's GRU (form "book") or one of the named slips."""
    z, _, hh = _gates(x, h, Wx, Wh, b, form, order)
    if form == "swapped":  # Cho et al. 2014 / PyTorch: z keeps the old state
        return z * h + (1 - z) * hh
    return (1 - z) * h + z * hh


def numerical_grads(form: str, x, h, Wx, Wh, b, dh, eps: float = 1e-6) -> dict[str, np.ndarray]:
    """Central differences of L = Σ gru(...)·dh with respect to x, h_prev, Wx, Wh, b (the oracle broadcasts over a
    leading axis of perturbed copies: every element of one argument in one call)."""

    def loss(x, h, Wx, Wh, b):
        return np.sum(gru(x, h, Wx, Wh, b, form) * dh, axis=(-2, -1))

    return central_difference(loss, {"x": x, "h": h, "Wx": Wx, "Wh": Wh, "b": b}, eps, batched=True)


def analytic_grads(x, h, Wx, Wh, b, dh, slip: str) -> dict[str, np.ndarray]:
    """The stub's backward formulas with one slip (for naming a wrong result; the truth is numerical)."""
    H = Wh.shape[0]
    _, Whr, Whh = _blocks(Wh, H, BOOK)
    Whz = Wh[:, :H]
    z, r, hh = _gates(x, h, Wx, Wh, b)
    dt_h = dh * z * ((1 - hh) if slip == "tanh" else (1 - hh ** 2))
    dt_z = dh * ((h - hh) if slip == "dz_sign" else (hh - h)) * z * (1 - z)
    drh = dt_h @ Whh.T
    dt_r = drh * h * r * (1 - r)
    dt = np.hstack((dt_z, dt_r, dt_h))
    into_whh = h if slip == "whh_input" else r * h
    dWh = np.hstack((h.T @ dt_z, h.T @ dt_r, into_whh.T @ dt_h))
    dh_prev = dt_z @ Whz.T + dt_r @ Whr.T
    if slip != "no_direct":
        dh_prev = dh_prev + dh * (1 - z)
    if slip != "no_r_path":
        dh_prev = dh_prev + drh * r
    return {"x": dt @ Wx.T, "h": dh_prev, "Wx": x.T @ dt, "Wh": dWh, "b": dt.sum(axis=0)}


# ---------------------------------------------------------------- misconceptions

OTHER_CONVENTION = Msg(
    ja="もう一つの規約 h_next = z·h_prev + (1 − z)·ĥ (Cho et al. 2014 の原論文・PyTorch の形) になっています "
       "(z と 1 − z が入れ替わっています)。この演習は本の形 h_next = (1 − z)·h_prev + z·ĥ です "
       "(z = 1 で新しい候補 ĥ に置き換わる)",
    en="this is the other convention h_next = z·h_prev + (1 − z)·ĥ (Cho et al. 2014, PyTorch): z and 1 − z are "
       "swapped; this exercise uses the book's h_next = (1 − z)·h_prev + z·ĥ (z = 1 takes the candidate ĥ)",
)
R_AFTER_WHH = Msg(
    ja="r を Whh を掛けた後に掛けています (r·(h_prev·Whh)、PyTorch の形)。本の形は (r·h_prev)·Whh で、"
       "リセットゲートは Whh を掛ける前の h_prev に掛けます",
    en="r is applied after Whh (r·(h_prev·Whh), PyTorch's form); the book's form is (r·h_prev)·Whh: the reset "
       "gate multiplies h_prev before Whh",
)
NO_RESET = Msg(
    ja="リセットゲート r が使われていません: ĥ = tanh(x·Wxh + (r·h_prev)·Whh + bh)",
    en="the reset gate r is not used: ĥ = tanh(x·Wxh + (r·h_prev)·Whh + bh)",
)
GATE_ORDER = Msg(
    ja="重みを切り出す順番が違います: Wx, Wh, b は z, r, ĥ の順に H 列ずつ並んでいます "
       "(Wx[:, :H] が z、Wx[:, H:2H] が r、Wx[:, 2H:] が ĥ)",
    en="the gates are sliced in the wrong order: Wx, Wh and b hold z, r, ĥ in that order, H columns each "
       "(Wx[:, :H] is z, Wx[:, H:2H] is r, Wx[:, 2H:] is ĥ)",
)
NO_DIRECT = Msg(
    ja="dh_prev に直接の経路 dh_next·(1 − z) が足されていません (h_next = (1 − z)·h_prev + z·ĥ の第 1 項)",
    en="dh_prev misses the direct path dh_next·(1 − z) (the first term of h_next = (1 − z)·h_prev + z·ĥ)",
)
NO_R_PATH = Msg(
    ja="dh_prev に r·h_prev を通る経路 d(r·h_prev)·r が足されていません (h_prev は Whh の前で r に掛けられています)",
    en="dh_prev misses the path through r·h_prev: d(r·h_prev)·r (h_prev enters Whh multiplied by r)",
)
DZ_SIGN = Msg(
    ja="dz の符号が逆です: h_next = h_prev + z·(ĥ − h_prev) なので dz = dh_next·(ĥ − h_prev) です",
    en="the sign of dz is flipped: h_next = h_prev + z·(ĥ − h_prev), so dz = dh_next·(ĥ − h_prev)",
)
WHH_INPUT = Msg(
    ja="dWhh に h_prev を使っています: Whh に入ったのは r·h_prev なので dWhh = (r·h_prev)ᵀ·dt_h です",
    en="dWhh uses h_prev: what entered Whh is r·h_prev, so dWhh = (r·h_prev)ᵀ·dt_h",
)
TANH_GRAD = Msg(
    ja="tanh の微分が 1 − ĥ になっています: tanh′ = 1 − ĥ² (2 乗) です",
    en="the tanh derivative is written 1 − ĥ: tanh′ = 1 − ĥ² (squared)",
)
FORWARD_FIRST = Text(ja="(逆伝播の前の) forward の h_next", en="h_next of the forward before backward")
REBOUND = Msg(
    ja="self.grads の配列が新しい配列に置き換わっています (self.grads[0] = dWx や self.grads = [...])。"
       "__init__ で作った配列に self.grads[0][...] = dWx のようにその場で書き込んでください: "
       "モデルやオプティマイザは同じ配列を参照し続けます",
    en="the arrays of self.grads were replaced by new ones (self.grads[0] = dWx or self.grads = [...]); write "
       "into the arrays made in __init__ in place, self.grads[0][...] = dWx: the model and the optimizer keep "
       "references to those arrays",
)
ACCUMULATED = Msg(
    ja="勾配が前回の backward の分に足されています (+=)。self.grads[0][...] = dWx で毎回上書きします",
    en="the gradients were added to those of the previous backward (+=); overwrite them each time with "
       "self.grads[0][...] = dWx",
)

FORMS = (("swapped", OTHER_CONVENTION), ("r_after", R_AFTER_WHH), ("no_reset", NO_RESET))
SLIPS = (("no_direct", NO_DIRECT), ("no_r_path", NO_R_PATH), ("dz_sign", DZ_SIGN), ("whh_input", WHH_INPUT),
         ("tanh", TANH_GRAD))
WHAT = {"x": "dx", "h": "dh_prev", "Wx": "grads[0] (dWx)", "Wh": "grads[1] (dWh)", "b": "grads[2] (db)"}


def forward_variants(x, h, Wx, Wh, b) -> list[Variant]:
    out = [Variant(gru(x, h, Wx, Wh, b, form), why) for form, why in FORMS]
    out += [Variant(gru(x, h, Wx, Wh, b, order=o), GATE_ORDER) for o in itertools.permutations(range(3))
            if o != BOOK]
    return out


def grad_variants(key: str, x, h, Wx, Wh, b, dh) -> list[Variant]:
    """A consistent other form (forward and backward) first, then the backward slips."""
    out = [Variant(numerical_grads(form, x, h, Wx, Wh, b, dh)[key], why) for form, why in FORMS]
    out += [Variant(analytic_grads(x, h, Wx, Wh, b, dh, slip)[key], why) for slip, why in SLIPS]
    return out


def _part(res, i: int):
    """res[i] of a returned tuple or list; anything else as it is (the comparison then names what came)."""
    return res[i] if isinstance(res, (tuple, list)) and len(res) > i else res


def _case(seed: int, n: int, d: int, h: int):
    rng = np.random.default_rng(seed)
    r = lambda *s, scale=1.0: np.round(rng.normal(scale=scale, size=s), 3)  # noqa: E731
    return r(n, d), r(n, h), r(d, 3 * h, scale=0.6), r(h, 3 * h, scale=0.6), r(3 * h, scale=0.4), r(n, h)


# Case A (the stub's example, D = H = 1): Wx = [0, 0, 1], Wh = [0, 0, 1], b = [1, 0, 0], x = h_prev = 1:
#   z = σ(1) = 0.731059, r = σ(0) = 0.5, ĥ = tanh(1 + 0.5·1) = tanh(1.5) = 0.905148
#   h_next = 0.268941·1 + 0.731059·0.905148 = 0.930658   (other convention: 0.731059 + 0.268941·0.905148 = 0.974490)
A = (np.array([[1.0]]), np.array([[1.0]]), np.array([[0.0, 0.0, 1.0]]), np.array([[0.0, 0.0, 1.0]]),
     np.array([1.0, 0.0, 0.0]))
# Case B (D = 1, H = 2; z = σ(0) = 0.5 for both units, r = [σ(0), σ(ln 3)] = [0.5, 0.75]):
#   h_prev = [1, 2], Whh = [[1, 0], [1, 1]], Wxh = 0, bh = 0:
#   (r·h_prev)·Whh = [0.5, 1.5]·Whh = [2, 1.5]  → ĥ = tanh([2, 1.5]) = [0.964028, 0.905148]
#   h_next = 0.5·h_prev + 0.5·ĥ = [0.982014, 1.452574]
#   r·(h_prev·Whh) = [0.5, 0.75]·[3, 2] = [1.5, 1.5] → h_next = [0.952574, 1.452574] (r after Whh)
B = (np.array([[1.0]]), np.array([[1.0, 2.0]]), np.zeros((1, 6)),
     np.hstack((np.zeros((2, 4)), np.array([[1.0, 0.0], [1.0, 1.0]]))),
     np.array([0.0, 0.0, 0.0, np.log(3.0), 0.0, 0.0]))


@check("GRU", 2, ja="forward: 手計算できる 2 例 (D = H = 1 で規約、H = 2 で r の位置)",
       en="forward: two hand-worked cases (D = H = 1: the convention; H = 2: where r goes)", public=True)
def test_gru_forward_hand_worked(learner):
    x, h, Wx, Wh, b = A
    got = learner.GRU(Wx, Wh, b).forward(x, h)
    expect_array(got, np.array([[0.930658]]), what="GRU.forward(x, h_prev), D = H = 1", **HAND,
                 variants=forward_variants(x, h, Wx, Wh, b))
    x, h, Wx, Wh, b = B
    got = learner.GRU(Wx, Wh, b).forward(x, h)
    expect_array(got, np.array([[0.982014, 1.452574]]), what="GRU.forward(x, h_prev), H = 2", **HAND,
                 variants=forward_variants(x, h, Wx, Wh, b))


@check("GRU", 2, ja="forward: N = 3, D = 5, H = 4 (すべて違う形状)", en="forward: N = 3, D = 5, H = 4 (all different)")
def test_gru_forward_odd_shapes(learner):
    x, h, Wx, Wh, b, _ = _case(31, 3, 5, 4)
    want = gru(x, h, Wx, Wh, b)
    layer = learner.GRU(Wx, Wh, b)
    expect_array(layer.forward(x, h), want, what="GRU.forward(x, h_prev)", **TOL,
                 variants=forward_variants(x, h, Wx, Wh, b))
    # a second step from the new state, with the same layer (nothing left over from the first call)
    x2 = np.round(np.random.default_rng(32).normal(size=x.shape), 3)
    expect_array(layer.forward(x2, want), gru(x2, want, Wx, Wh, b), what="GRU.forward(x2, h_next), 2 回目 / second call",
                 **TOL, variants=forward_variants(x2, want, Wx, Wh, b))


# Case A backward with dh_next = 1 (the stub's example):
#   dt_h = 1·z·(1 − ĥ²) = 0.731059·0.180707 = 0.132107;  dt_z = (ĥ − h_prev)·z(1 − z) = −0.094852·0.196612 = −0.018649
#   d(r·h_prev) = dt_h·Whh = 0.132107;  dt_r = 0.132107·h_prev·r(1 − r) = 0.033027
#   dx = dt·Wxᵀ = dt_h = 0.132107;  dh_prev = (1 − z) + 0.132107·r = 0.268941 + 0.066054 = 0.334995
#   dWx = x·[dt_z, dt_r, dt_h];  dWh = [h·dt_z, h·dt_r, (r·h)·dt_h] = [−0.018649, 0.033027, 0.066054];  db = dt
@check("GRU", 2, ja="backward: 手計算の例 (D = H = 1, dh_next = 1) の dx, dh_prev と grads",
       en="backward: the hand-worked case (D = H = 1, dh_next = 1): dx, dh_prev and grads", public=True)
def test_gru_backward_hand_worked(learner):
    x, h, Wx, Wh, b = A
    dh = np.array([[1.0]])
    want = {"x": np.array([[0.132107]]), "h": np.array([[0.334995]]),
            "Wx": np.array([[-0.018649, 0.033027, 0.132107]]), "Wh": np.array([[-0.018649, 0.033027, 0.066054]]),
            "b": np.array([-0.018649, 0.033027, 0.132107])}
    layer = learner.GRU(Wx, Wh, b)
    expect_array(layer.forward(x, h), np.array([[0.930658]]), what=FORWARD_FIRST, **HAND,
                 variants=forward_variants(x, h, Wx, Wh, b))
    res = layer.backward(dh)
    grads = layer.grads
    got = {"x": _part(res, 0), "h": _part(res, 1), "Wx": _part(grads, 0), "Wh": _part(grads, 1), "b": _part(grads, 2)}
    for key in ("x", "h", "Wx", "Wh", "b"):
        expect_array(got[key], want[key], what=f"GRU.backward: {WHAT[key]}", **HAND,
                     variants=grad_variants(key, x, h, Wx, Wh, b, dh))


def _two(res, what: str):
    if not (isinstance(res, (tuple, list)) and len(res) == 2):
        shown = f"{type(res).__name__} of length {len(res)}" if isinstance(res, (tuple, list)) else type(res).__name__
        fail(f"{what} は (dx, dh_prev) の 2 つ組を返します (実際: {shown})",
             f"{what} returns the pair (dx, dh_prev) (got: {shown})")
    return res


def _grads_list(layer, shapes: list[tuple[int, ...]]) -> list[np.ndarray]:
    grads = layer.grads
    if not (isinstance(grads, (list, tuple)) and len(grads) == len(shapes)):
        fail(f"self.grads は {len(shapes)} つの配列のリスト [dWx, dWh, db] のままにしてください "
             "(記入済みの __init__ を変えないでください)",
             f"self.grads must stay a list of {len(shapes)} arrays [dWx, dWh, db] (keep the given __init__)")
    return [as_array(g, f"self.grads[{i}]", np.zeros(s)) for i, (g, s) in enumerate(zip(grads, shapes, strict=True))]


def _forward_then_backward(layer, x, h, Wx, Wh, b, dh):
    """Forward (named if wrong: a backward on a wrong forward cannot be right), then backward → (dx, dh_prev)."""
    expect_array(layer.forward(x, h), gru(x, h, Wx, Wh, b), what=FORWARD_FIRST, **TOL,
                 variants=forward_variants(x, h, Wx, Wh, b))
    return _two(layer.backward(dh), "GRU.backward(dh_next)")


@check("GRU", 2, ja="backward: dx と dh_prev が数値微分と一致 (N = 3, D = 5, H = 4)",
       en="backward: dx and dh_prev equal the numerical gradient (N = 3, D = 5, H = 4)")
def test_gru_backward_inputs(learner):
    x, h, Wx, Wh, b, dh = _case(33, 3, 5, 4)
    want = numerical_grads("book", x, h, Wx, Wh, b, dh)
    dx, dh_prev = _forward_then_backward(learner.GRU(Wx, Wh, b), x, h, Wx, Wh, b, dh)
    for key, got in (("x", dx), ("h", dh_prev)):
        expect_array(got, want[key], what=f"GRU.backward: {WHAT[key]}", **TOL,
                     variants=grad_variants(key, x, h, Wx, Wh, b, dh))


@check("GRU", 2, ja="backward: grads (dWx, dWh, db) が数値微分と一致 (N = 3, D = 5, H = 4)",
       en="backward: grads (dWx, dWh, db) equal the numerical gradient (N = 3, D = 5, H = 4)")
def test_gru_backward_params(learner):
    x, h, Wx, Wh, b, dh = _case(34, 3, 5, 4)
    want = numerical_grads("book", x, h, Wx, Wh, b, dh)
    layer = learner.GRU(Wx, Wh, b)
    _forward_then_backward(layer, x, h, Wx, Wh, b, dh)
    grads = _grads_list(layer, [Wx.shape, Wh.shape, b.shape])
    for key, got in zip(("Wx", "Wh", "b"), grads, strict=True):
        expect_array(got, want[key], what=f"GRU.backward: {WHAT[key]}", **TOL,
                     variants=grad_variants(key, x, h, Wx, Wh, b, dh)
                     + [Variant(np.zeros_like(want[key]), Msg(
                         ja="self.grads が 0 のままです: backward の中で書き込んでください",
                         en="self.grads is still zero: write into it inside backward"))])


@check("GRU", 1, ja="grads は __init__ の配列にその場で上書き (2 回の backward、float32 の配列)",
       en="grads are overwritten in place in the arrays of __init__ (two backward calls, float32 arrays)")
def test_gru_grads_in_place(learner):
    x, h, Wx, Wh, b, dh = _case(35, 2, 3, 4)
    x2, h2, _, _, _, dh2 = _case(36, 2, 3, 4)
    first = numerical_grads("book", x, h, Wx, Wh, b, dh)
    want = numerical_grads("book", x2, h2, Wx, Wh, b, dh2)
    layer = learner.GRU(Wx, Wh, b)
    # float32 arrays in place of the ones __init__ made: written in place they stay float32 (the float64
    # results are cast into them); a new array in their place would come back float64
    layer.grads = [np.zeros(Wx.shape, np.float32), np.zeros(Wh.shape, np.float32), np.zeros(b.shape, np.float32)]
    for xx, hh, dd in ((x, h, dh), (x2, h2, dh2)):
        _forward_then_backward(layer, xx, hh, Wx, Wh, b, dd)
    grads = _grads_list(layer, [Wx.shape, Wh.shape, b.shape])
    for i, (key, got) in enumerate(zip(("Wx", "Wh", "b"), grads, strict=True)):
        if got.dtype != np.float32:
            fail(f"self.grads[{i}]: {REBOUND.ja}", f"self.grads[{i}]: {REBOUND.en}")
        expect_array(got, want[key], what=f"2 回目の backward 後の / after the second backward: {WHAT[key]}", **F32,
                     variants=[Variant(first[key] + want[key], ACCUMULATED)])
