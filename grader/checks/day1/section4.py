"""Hidden checks of day1.section4 (勾配降下法): numerical_gradient, gradient_descent, get_minibatch.

Functions reach the learner by name (RemoteFunction): sum_squares Σx² (∇ = 2x), function_2 x0² + x1² and
shifted_quadratic Σ(x−1)² (∇ = 2(x−1)). On a quadratic the central difference is exact up to rounding, so
the oracle is the hand-derived gradient; every slip (forward difference, no 2h, h too small) moves it by a
known amount.
Gradient descent on these functions has the closed form x_k = m + (x_0 − m)(1 − 2·lr)^k (m = the minimum).
"""

from __future__ import annotations

import numpy as np

from grader.engine.api import Msg, RemoteFunction, Variant, check, expect_array, fail

H = 1e-4
EXACT = {"rtol": 1e-8, "atol": 1e-7}  # rounding of a central difference on these inputs is ~1e-11

FORWARD_DIFF = Msg(
    ja="前進差分 (f(x+h) − f(x)) / h になっています。中心差分 (f(x+h) − f(x−h)) / (2h) を使ってください "
       "(前進差分の誤差は h のオーダー、中心差分は h² のオーダー)",
    en="this is the forward difference (f(x+h) − f(x)) / h; use the central difference (f(x+h) − f(x−h)) / "
       "(2h) (error of order h instead of h²)",
)
BACKWARD_DIFF = Msg(
    ja="後退差分 (f(x) − f(x−h)) / h になっています。中心差分 (f(x+h) − f(x−h)) / (2h) を使ってください",
    en="this is the backward difference (f(x) − f(x−h)) / h; use the central difference (f(x+h) − f(x−h)) / "
       "(2h)",
)
NO_2H = Msg(
    ja="2 倍になっています: 中心差分は 2h で割ります ((f(x+h) − f(x−h)) / (2h))",
    en="twice the gradient: the central difference divides by 2h, not h ((f(x+h) − f(x−h)) / (2h))",
)
H_TOO_SMALL = Msg(
    ja="勾配がすべて 0 です。h が小さすぎると x + h == x となり丸め誤差で差が消えます (h = 1e-4 を使う)",
    en="the gradient is all zeros: with too small an h, x + h == x and the difference is lost to rounding "
       "error (use h = 1e-4)",
)
FLAT = Msg(
    ja="形状が x と違います (平らにしていませんか?)。grad は x と同じ形状で返します",
    en="the shape differs from x (flattened?); return grad with the same shape as x",
)
NOT_RESTORED = Msg(
    ja="x が元に戻っていません: 各要素を調べたあと x[idx] = tmp_val で元の値に戻してください",
    en="x was not restored: put back the original value (x[idx] = tmp_val) after probing each element",
)


def _slips(x: np.ndarray, grad: np.ndarray) -> list[Variant]:
    """The classic numerical-differentiation slips, for our quadratics (gradient `grad`, f'' = 2)."""
    return [
        Variant(grad + H, FORWARD_DIFF),  # f(x+h) − f(x) = h·f' + h²  ⇒  f' + h
        Variant(grad - H, BACKWARD_DIFF),
        Variant(2 * grad, NO_2H),
        Variant(np.zeros_like(x), H_TOO_SMALL),
        Variant(grad.ravel(), FLAT),
    ]


# ---------------------------------------------------------------- numerical_gradient


@check("numerical_gradient", 1, ja="本の例: f = x0² + x1² の (3, 4), (0, 2), (3, 0) での勾配",
       en="the book's example: gradient of f = x0² + x1² at (3, 4), (0, 2), (3, 0)", public=True)
def test_numerical_gradient_book_example(learner):
    for point in ([3.0, 4.0], [0.0, 2.0], [3.0, 0.0]):
        x = np.array(point)
        grad = 2 * x
        got = learner.numerical_gradient(RemoteFunction("function_2"), x.copy())
        expect_array(got, grad, what=f"numerical_gradient(f, {point})", variants=_slips(x, grad), **EXACT)


@check("numerical_gradient", 1, ja="任意の形状 (2 次元・3 次元の x)", en="any shape (2-D and 3-D x)")
def test_numerical_gradient_any_shape(learner):
    rng = np.random.default_rng(41)
    for shape in ((2, 3), (2, 2, 3)):
        x = np.round(rng.uniform(-2, 2, size=shape), 3)
        grad = 2 * x
        got = learner.numerical_gradient(RemoteFunction("sum_squares"), x.copy())
        expect_array(got, grad, what=f"numerical_gradient(Σx², x.shape={shape})", variants=_slips(x, grad),
                     **EXACT)


@check("numerical_gradient", 1, ja="呼び出しの後 x が元の値に戻っている (f = Σ(x−1)²)",
       en="x holds its original values after the call (f = Σ(x−1)²)")
def test_numerical_gradient_restores_x(learner):
    x0 = np.array([[0.5, -1.5, 2.25], [1.0, 3.0, -0.75]])
    x = x0.copy()
    grad = 2 * (x0 - 1)
    got = learner.numerical_gradient(RemoteFunction("shifted_quadratic"), x)
    # what the learner left in its copy of x (the check's own x is never touched)
    expect_array(learner.last_call.args[1], x0, what="呼び出し後の x (x after the call)", rtol=0, atol=1e-12,
                 variants=[Variant(x0 - H, NOT_RESTORED), Variant(x0 + H, NOT_RESTORED)])
    expect_array(got, grad, what="numerical_gradient(Σ(x−1)², x)", variants=_slips(x0, grad), **EXACT)


# ---------------------------------------------------------------- gradient_descent

# Judges the descent loop, not the last digits of numerical_gradient (a forward difference shifts x by ~1e-4).
GD_TOL = {"rtol": 1e-3, "atol": 1e-3}

ASCENT = Msg(
    ja="符号が逆です (勾配上昇法になっています): x ← x − lr·∇f(x) です",
    en="the sign is flipped (gradient ascent): x ← x − lr·∇f(x)",
)
NOT_MOVED = Msg(
    ja="x が初期値のままです: 更新した x を返していますか? (numerical_gradient が 0 を返していないかも確認)",
    en="x did not move: do you return the updated x? (check that numerical_gradient is not all zeros)",
)
ONE_STEP = Msg(
    ja="1 回しか更新していません: step_num 回くり返してください",
    en="only one step was taken: repeat step_num times",
)
OFF_BY_ONE = Msg(
    ja="更新の回数が 1 回ずれています: ちょうど step_num 回更新します",
    en="one step too many or too few: update exactly step_num times",
)


def _descent(x0: np.ndarray, minimum: float, lr: float, k: int) -> np.ndarray:
    return minimum + (x0 - minimum) * (1 - 2 * lr) ** k


def _gd_variants(x0: np.ndarray, minimum: float, lr: float, k: int) -> list[Variant]:
    return [
        Variant(minimum + (x0 - minimum) * (1 + 2 * lr) ** k, ASCENT),
        Variant(x0, NOT_MOVED),
        Variant(_descent(x0, minimum, lr, 1), ONE_STEP),
        Variant(_descent(x0, minimum, lr, k - 1), OFF_BY_ONE),
        Variant(_descent(x0, minimum, lr, k + 1), OFF_BY_ONE),
    ]


@check("gradient_descent", 1, ja="f = x0² + x1², 初期値 (−3, 4), lr = 0.1, 10 ステップ",
       en="f = x0² + x1² from (−3, 4), lr = 0.1, 10 steps", public=True)
def test_gradient_descent_steps(learner):
    x0 = np.array([-3.0, 4.0])
    got = learner.gradient_descent(RemoteFunction("function_2"), x0.copy(), lr=0.1, step_num=10)
    expect_array(got, _descent(x0, 0.0, 0.1, 10), what="gradient_descent(f, [-3, 4], lr=0.1, step_num=10)",
                 variants=_gd_variants(x0, 0.0, 0.1, 10), **GD_TOL)
    got = learner.gradient_descent(RemoteFunction("function_2"), np.array([3.0, 4.0]), 0.1, 1)
    expect_array(got, np.array([2.4, 3.2]), what="gradient_descent(f, [3, 4], 0.1, 1)",
                 variants=[Variant(np.array([3.6, 4.8]), ASCENT), Variant(np.array([3.0, 4.0]), NOT_MOVED)],
                 **GD_TOL)


@check("gradient_descent", 1, ja="既定値 lr = 0.01, step_num = 100 と 2 次元の x (f = Σ(x−1)²、最小は x = 1)",
       en="defaults lr = 0.01, step_num = 100 with a 2-D x (f = Σ(x−1)², minimum at x = 1)")
def test_gradient_descent_defaults(learner):
    x0 = np.array([[0.0, 2.0, 3.5], [-1.0, 1.0, 0.25]])
    got = learner.gradient_descent(RemoteFunction("shifted_quadratic"), x0.copy())
    expect_array(got, _descent(x0, 1.0, 0.01, 100), what="gradient_descent(f, x) (既定値 / defaults)",
                 variants=[*_gd_variants(x0, 1.0, 0.01, 100), Variant(x0.ravel(), FLAT)], **GD_TOL)


@check("gradient_descent", 1, ja="学習率が大きすぎると発散する (f = Σx², lr = 1.1, 5 ステップ)",
       en="too large a learning rate diverges (f = Σx², lr = 1.1, 5 steps)")
def test_gradient_descent_large_lr(learner):
    x0 = np.array([1.0, -0.5])
    # x ← x − 1.1·2x = −1.2·x: |x| grows by 1.2 every step, with alternating sign
    got = learner.gradient_descent(RemoteFunction("sum_squares"), x0.copy(), lr=1.1, step_num=5)
    expect_array(got, _descent(x0, 0.0, 1.1, 5), what="gradient_descent(Σx², [1, -0.5], lr=1.1, step_num=5)",
                 variants=_gd_variants(x0, 0.0, 1.1, 5), **GD_TOL)


# ---------------------------------------------------------------- get_minibatch

WITH_REPLACEMENT = Msg(
    ja="同じ行が 1 つのミニバッチに 2 回以上入っています (復元抽出)。"
       "rng.choice(N, batch_size, replace=False) などで重複なしに選んでください",
    en="the same row appears twice in one mini-batch (sampling with replacement); draw without replacement, "
       "e.g. rng.choice(N, batch_size, replace=False)",
)


def _unpack(got, what: str) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        fail(f"{what} は (x_batch, t_batch) の 2 つ組を返してください (実際: {type(got).__name__})",
             f"{what} must return the pair (x_batch, t_batch) (got a {type(got).__name__})")
    xb, tb = got
    for name, arr in (("x_batch", xb), ("t_batch", tb)):
        if not isinstance(arr, np.ndarray):
            fail(f"{name} が ndarray ではありません ({type(arr).__name__})",
                 f"{name} is not an ndarray ({type(arr).__name__})")
    return xb, tb


def _row_indices(x: np.ndarray, xb: np.ndarray) -> list[int]:
    """Index in x of every row of xb (x has unique rows); fail if a row is not a whole row of x."""
    if xb.ndim != x.ndim or xb.shape[1:] != x.shape[1:]:
        fail(f"x_batch の形状が {xb.shape} です。期待: (batch_size,) + {x.shape[1:]}",
             f"x_batch has shape {xb.shape}, expected (batch_size,) + {x.shape[1:]}")
    flat, bflat = x.reshape(len(x), -1), xb.reshape(len(xb), -1)
    out = []
    for i, row in enumerate(bflat):
        hits = np.flatnonzero(np.all(flat == row, axis=1))
        if len(hits) != 1:
            fail(f"x_batch[{i}] は x のどの行とも一致しません。x の行をそのまま取り出してください (x[idx])",
                 f"x_batch[{i}] is not a row of x; take whole rows of x (x[idx])")
        out.append(int(hits[0]))
    return out


def _data(n: int, d: int = 3) -> tuple[np.ndarray, np.ndarray]:
    x = np.arange(n * d, dtype=float).reshape(n, d) / 10.0  # unique rows
    t = (np.arange(n) * 7) % n  # labels all different, not equal to the row index
    return x, t


@check("get_minibatch", 1, ja="形状: 画像 (N, C, H, W) と one-hot / ラベルの t",
       en="shapes: images (N, C, H, W) with one-hot or label t")
def test_minibatch_shapes(learner):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(30, 1, 2, 2))
    labels = rng.integers(0, 3, size=30)
    onehot = np.eye(3)[labels]
    for t in (onehot, labels):
        xb, tb = _unpack(learner.get_minibatch(x, t, 7, np.random.default_rng(1)), "get_minibatch")
        if xb.shape != (7, 1, 2, 2):
            fail(f"x_batch の形状が {xb.shape} です。期待: (7, 1, 2, 2) = (batch_size,) + x.shape[1:]",
                 f"x_batch has shape {xb.shape}, expected (7, 1, 2, 2) = (batch_size,) + x.shape[1:]")
        if tb.shape != (7,) + t.shape[1:]:
            fail(f"t_batch の形状が {tb.shape} です。期待: {(7,) + t.shape[1:]} (t の形状 {t.shape})",
                 f"t_batch has shape {tb.shape}, expected {(7,) + t.shape[1:]} (t has shape {t.shape})")


@check("get_minibatch", 1, ja="x の行と t の行が対応したまま取り出される",
       en="rows of x and t are taken with the same indices")
def test_minibatch_rows_paired(learner):
    x, t = _data(12)
    for seed in range(3):
        xb, tb = _unpack(learner.get_minibatch(x, t, 5, np.random.default_rng(seed)), "get_minibatch")
        if xb.shape != (5, 3) or tb.shape != (5,):
            fail(f"形状が違います: x_batch {xb.shape}, t_batch {tb.shape} (期待 (5, 3), (5,))",
                 f"wrong shapes: x_batch {xb.shape}, t_batch {tb.shape} (expected (5, 3), (5,))")
        idx = _row_indices(x, xb)
        if not np.array_equal(tb, t[idx]):
            fail(f"x と t の行の対応が崩れています (x_batch は x の行 {idx}、t_batch は {tb.tolist()}、期待 "
                 f"{t[idx].tolist()}): 同じ添字の配列で x と t を取り出してください",
                 f"rows of x and t no longer match (x_batch holds rows {idx} of x, t_batch is {tb.tolist()}, "
                 f"expected {t[idx].tolist()}): index both with the same index array")


@check("get_minibatch", 1, ja="1 つのミニバッチ内に同じ行がない (非復元抽出)",
       en="no row twice within a mini-batch (sampling without replacement)")
def test_minibatch_no_duplicates(learner):
    x, t = _data(20)
    for seed in range(8):
        xb, _ = _unpack(learner.get_minibatch(x, t, 10, np.random.default_rng(seed)), "get_minibatch")
        idx = _row_indices(x, xb)
        if len(set(idx)) != len(idx):
            fail(WITH_REPLACEMENT.ja, WITH_REPLACEMENT.en)
    xb, _ = _unpack(learner.get_minibatch(x, t, 20, np.random.default_rng(99)), "get_minibatch")
    if sorted(_row_indices(x, xb)) != list(range(20)):
        fail("batch_size = N のとき、すべての行がちょうど 1 回ずつ入るはずです (重複なし)",
             "with batch_size = N every row must appear exactly once (no duplicates)")


@check("get_minibatch", 1, ja="乱数は引数 rng から引く (同じ状態なら同じミニバッチ)",
       en="randomness comes from the rng argument (same state, same batch)")
def test_minibatch_uses_rng(learner):
    x, t = _data(15)

    def batch(seed: int) -> tuple[int, ...]:
        xb, _ = _unpack(learner.get_minibatch(x, t, 6, np.random.default_rng(seed)), "get_minibatch")
        return tuple(_row_indices(x, xb))

    if batch(123) != batch(123):
        fail("同じ状態の rng で 2 回呼ぶと違うミニバッチになりました: "
             "np.random.* ではなく引数の rng を使ってください",
             "two calls with the same rng state gave different batches: "
             "use the rng argument, not np.random.*")
    batches = {batch(s) for s in range(6)}
    if len(batches) == 1:
        fail("rng を変えても毎回同じミニバッチです: 無作為に選んでください",
             "every rng gives the same batch: the rows must be chosen at random")


@check("get_minibatch", 1, ja="どの行も同じくらいの頻度で選ばれる (40 回の統計)",
       en="every row is drawn about equally often (statistics over 40 draws)")
def test_minibatch_uniform(learner):
    # half the rows per draw: a contiguous slice draws the first row 1 time in 21 (≈ 2 of 40), far outside the
    # ±5 sd band around 20 that any uniform draw keeps to; taking the first rows never draws the last ones
    n, b, draws = 40, 20, 40
    x, t = _data(n)
    counts = np.zeros(n, dtype=int)
    for seed in range(draws):
        xb, _ = _unpack(learner.get_minibatch(x, t, b, np.random.default_rng(1000 + seed)), "get_minibatch")
        for i in _row_indices(x, xb):
            counts[i] += 1
    mean = draws * b / n  # 20 for each row
    sd = np.sqrt(draws * (b / n) * (1 - b / n))  # ≈ 3.2
    low, high = mean - 5 * sd, mean + 5 * sd
    if counts.min() < low or counts.max() > high:
        fail(f"行ごとの選ばれた回数に偏りがあります: {counts.tolist()} (期待: それぞれ約 {mean:.0f} 回)。"
             "先頭の行だけ・連続した範囲だけを取っていませんか? 全体から無作為に選んでください",
             f"some rows are drawn far more or less often than others: {counts.tolist()} (expected about "
             f"{mean:.0f} each). Do you always take the first rows or a contiguous slice? "
             "Draw from all rows.")
