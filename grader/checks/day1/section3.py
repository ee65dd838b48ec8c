"""Hidden checks of day1.section3 (出力層): softmax, cross_entropy_error, mean_squared_error."""

import math

import numpy as np

from grader.engine.api import Msg, Variant, as_array, check, expect_array, expect_close, fail

DELTA = 1e-7


def _softmax_rows(x):
    """Softmax of each row by plain loops over Python floats, shifting by the row's max."""
    x2 = np.atleast_2d(np.asarray(x, dtype=float))
    out = np.zeros_like(x2)
    for n, row in enumerate(x2):
        m = max(row)
        e = [math.exp(v - m) for v in row]
        s = sum(e)
        out[n] = [v / s for v in e]
    return out.reshape(np.shape(x))


def _wrong_axis_variants(x):
    """Softmax normalised down the columns, over the whole batch, or shifted by the column max."""
    e = np.exp(x - x.max())
    row_shift = np.exp(x - x.max(axis=1, keepdims=True))
    col_shift = np.exp(x - x.max(axis=0, keepdims=True))
    down_columns = Msg(
        ja="列方向 (axis=0) で正規化しています。バッチでは各行 (axis=1) の和が 1 になるようにします",
        en="normalised along the wrong axis (axis=0, down the columns); each row (axis=1) must sum to 1",
    )
    return [
        Variant(e / e.sum(axis=0, keepdims=True), down_columns),
        Variant(row_shift / row_shift.sum(axis=0, keepdims=True), down_columns),
        Variant(
            e / e.sum(),
            Msg(
                ja="バッチ全体の和で割っています。和を取る軸が違います: 行ごとに axis=1, keepdims=True",
                en="divided by the sum over the whole batch: wrong axis;"
                " sum each row (axis=1, keepdims=True)",
            ),
        ),
        Variant(
            col_shift / col_shift.sum(axis=1, keepdims=True),
            Msg(
                ja="列ごとの最大値 (axis=0) を引いています。引く最大値も行ごと (axis=1) です",
                en="subtracted the max of each column (wrong axis, axis=0);"
                " subtract the max of each row (axis=1)",
            ),
        ),
    ]


NOT_NORMALISED = Msg(ja="exp(x) を和で割っていません", en="exp(x) is not divided by its sum")
SOFTMAX_UNSTABLE = (
    "exp のオーバーフロー (exp(1010) = inf) か、全要素のアンダーフロー (0 / 0) です。exp の前に各行の最大値を"
    "引いてください: x − np.max(x, axis=-1, keepdims=True)",
    "exp overflowed (exp(1010) = inf) or every exp underflowed (0 / 0): subtract each row's max before exp,"
    " x - np.max(x, axis=-1, keepdims=True)",
)


def _expect_finite(got, expected, what, ja, en):
    arr = as_array(got, what, expected)
    if arr.shape == expected.shape and not np.all(np.isfinite(arr)):
        if arr.ndim == 0:
            fail(f"{what} が {arr} です。{ja}", f"{what} is {arr}. {en}")
        idx = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        fail(f"{what} の {idx} が {arr[idx]} です。{ja}", f"{what} is {arr[idx]} at index {idx}. {en}")
    return arr


# ---------------------------------------------------------------- softmax


@check("softmax", points=1, ja="1 ベクトル (K,) (書籍の例)", en="one vector (K,), the book's example", public=True)
def test_softmax_vector(learner):
    x = np.array([0.3, 2.9, 4.0])
    expect_array(
        learner.softmax(x), _softmax_rows(x), what="softmax(x)", variants=[Variant(np.exp(x), NOT_NORMALISED)]
    )


@check("softmax", points=1, ja="バッチ (N, K): 行ごとに和が 1", en="batch (N, K): every row sums to 1")
def test_softmax_batch(learner):
    x = np.array([[1.0, 2.0, 3.0], [2.0, 0.0, -1.0]])
    expect_array(
        learner.softmax(x),
        _softmax_rows(x),
        what="softmax(x)",
        variants=[*_wrong_axis_variants(x), Variant(np.exp(x), NOT_NORMALISED)],
    )


@check("softmax", points=2, ja="大きな入力でもオーバーフローしない", en="no overflow for large inputs")
def test_softmax_large(learner):
    x1 = np.array([1010.0, 1000.0, 990.0])
    got = _expect_finite(learner.softmax(x1), _softmax_rows(x1), "softmax(x)", *SOFTMAX_UNSTABLE)
    expect_array(got, _softmax_rows(x1), what="softmax(x)")
    x2 = np.array([[1010.0, 1000.0, 990.0], [-1000.0, -990.0, -1010.0]])
    got = _expect_finite(learner.softmax(x2), _softmax_rows(x2), "softmax(x)", *SOFTMAX_UNSTABLE)
    expect_array(got, _softmax_rows(x2), what="softmax(x)")


@check(
    "softmax", points=1, ja="ランダムなバッチをループ計算と比較", en="random batch against an explicit loop"
)
def test_softmax_random(learner):
    x = np.random.default_rng(301).standard_normal((4, 5)) * 3
    expect_array(learner.softmax(x), _softmax_rows(x), what="softmax(x)", variants=_wrong_axis_variants(x))


SOFTMAX_IN_PLACE = Msg(
    ja="softmax が呼び出し元の x を書き換えました (x -= np.max(...) はその場の変更です。x.T もビューです)。"
    "x = x - np.max(x, axis=-1, keepdims=True) のように新しい配列を作ってください",
    en="softmax overwrote the caller's x (x -= np.max(...) changes it in place, and x.T is a view of it):"
    " make a new array, x = x - np.max(x, axis=-1, keepdims=True)",
)


@check("softmax", points=1, ja="入力 x を書き換えない", en="the input x is left unchanged")
def test_softmax_keeps_input(learner):
    x = np.array([[1.0, 2.0, 3.0], [2.0, 0.0, -1.0]])
    before = x.copy()  # the check's own copy: the call below works on the learner's copy, mirrored back
    learner.softmax(x)
    expect_array(
        learner.last_call.args[0], before,
        what=Msg(ja="softmax の後の入力 x", en="the input x after softmax"), rtol=0, atol=0,
        variants=[Variant(before - before.max(axis=1, keepdims=True), SOFTMAX_IN_PLACE),
                  Variant(before - before.max(), SOFTMAX_IN_PLACE),
                  Variant(before - before.max(axis=0), SOFTMAX_IN_PLACE)],
    )


# ---------------------------------------------------------------- cross_entropy_error

CE_SUM = Msg(
    ja="バッチの和になっています (平均していません)。バッチサイズ N で割ってください",
    en="this is the sum over the batch, not the mean: divide by the batch size N",
)
CE_MEAN_ALL = Msg(
    ja="全要素 (N×K) で平均しています。one-hot の 0 の要素も数えています: 割るのはバッチサイズ N です",
    en="averaged over all N×K elements (the zeros of the one-hot count too): divide by the batch size N",
)
CE_SIGN = Msg(
    ja="符号が逆です: E = −Σ t log y (log y ≤ 0 なので E ≥ 0)",
    en="the sign is flipped: E = −Σ t log y (log y ≤ 0, so E ≥ 0)",
)
CE_LOG10 = Msg(
    ja="常用対数 log10 を使っています。自然対数 np.log です",
    en="used log10; the cross-entropy uses the natural log np.log",
)
CE_NO_DELTA = (
    "正解クラスの確率が 0 のとき log(0) = −inf です。log の中で δ = 1e-7 を足してください: np.log(y + 1e-7)",
    "log(0) = -inf when the correct class has probability 0: add delta = 1e-7 inside the log,"
    " np.log(y + 1e-7) (the missing δ)",
)

Y_BATCH = np.array([[0.1, 0.6, 0.2, 0.1], [0.7, 0.1, 0.1, 0.1], [0.25, 0.25, 0.4, 0.1]])
T_LABELS = np.array([1, 0, 3])


def _ce(y, labels):
    return -sum(math.log(y[n, k] + DELTA) for n, k in enumerate(labels)) / len(labels)


@check(
    "cross_entropy_error",
    points=1,
    ja="1 サンプル one-hot (書籍の例)",
    en="one sample, one-hot (the book's example)", public=True,
)
def test_ce_single_onehot(learner):
    y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
    t = np.zeros(10)
    t[2] = 1.0
    want = -math.log(0.6 + DELTA)
    expect_close(
        learner.cross_entropy_error(y, t),
        want,
        what="cross_entropy_error(y, t)",
        variants=[
            Variant(-want, CE_SIGN),
            Variant(-math.log10(0.6 + DELTA), CE_LOG10),
            Variant(want / 10, CE_MEAN_ALL),
        ],
    )


@check(
    "cross_entropy_error",
    points=2,
    ja="バッチ one-hot: バッチ平均",
    en="batch, one-hot targets: mean over the batch",
)
def test_ce_batch_onehot(learner):
    t = np.eye(4)[T_LABELS]
    want = _ce(Y_BATCH, T_LABELS)
    expect_close(
        learner.cross_entropy_error(Y_BATCH, t),
        want,
        what="cross_entropy_error(y, t)",
        variants=[Variant(want * 3, CE_SUM), Variant(want / 4, CE_MEAN_ALL), Variant(-want, CE_SIGN)],
    )


@check(
    "cross_entropy_error",
    points=2,
    ja="バッチ ラベル (N,): バッチ平均",
    en="batch, label targets (N,): mean over the batch",
)
def test_ce_batch_labels(learner):
    want = _ce(Y_BATCH, T_LABELS)
    expect_close(
        learner.cross_entropy_error(Y_BATCH, T_LABELS.copy()),
        want,
        what="cross_entropy_error(y, t)",
        variants=[Variant(want * 3, CE_SUM), Variant(-want, CE_SIGN)],
    )


@check(
    "cross_entropy_error",
    points=1,
    ja="正解クラスの確率 0 でも有限 (δ = 1e-7)",
    en="finite when the correct class has probability 0 (δ = 1e-7)",
)
def test_ce_zero_probability(learner):
    y = np.array([[0.0, 1.0, 0.0], [0.5, 0.25, 0.25]])
    t = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    want = _ce(y, [0, 0])  # (−log(1e-7) − log(0.5 + 1e-7)) / 2
    got = _expect_finite(
        learner.cross_entropy_error(y, t), np.asarray(want), "cross_entropy_error(y, t)", *CE_NO_DELTA
    )
    expect_close(
        got,
        want,
        what="cross_entropy_error(y, t)",
        variants=[Variant(want * 2, CE_SUM), Variant(want / 3, CE_MEAN_ALL)],
    )


# ---------------------------------------------------------------- mean_squared_error

MSE_NO_HALF = Msg(
    ja="½ がありません (Σ(y − t)² になっています)。E = ½ Σ (y − t)²、つまり 0.5 * np.sum(...)",
    en="the half is missing (this is Σ(y − t)²): E = ½ Σ (y − t)², i.e. 0.5 * np.sum(...)",
)
MSE_NOTEBOOK_MEAN = Msg(
    ja="np.mean(...) / 2 で要素数で割っています (講義ノートブックの形)。この演習は書籍の ½ Σ (全要素の和) に"
    "合わせています",
    en="np.mean(...) / 2 divides by the number of elements (the lecture notebook's form); this exercise pins"
    " the book's ½ Σ over all elements",
)
MSE_MEAN_NO_HALF = Msg(
    ja="np.mean で要素数で割り、½ もありません。この演習は 0.5 * np.sum((y − t)**2) です",
    en="np.mean divides by the number of elements and the half is missing;"
    " this exercise is 0.5 * np.sum((y - t)**2)",
)
MSE_BATCH_AVG = Msg(
    ja="バッチサイズ N で割っています。この演習は書籍どおりバッチでも平均せず全要素の和です (docstring 参照)",
    en="divided by the batch size N; as in the book, this exercise sums over all elements with no batch"
    " average (see the docstring)",
)
MSE_NOT_SQUARED = Msg(
    ja="2 乗していません: 正負の誤差が打ち消し合います",
    en="the error is not squared: positive and negative errors cancel",
)


def _mse_variants(y, t, want):
    n_elem = y.size
    d = y - t
    out = [
        Variant(2 * want, MSE_NO_HALF),
        Variant(want / n_elem, MSE_NOTEBOOK_MEAN),
        Variant(2 * want / n_elem, MSE_MEAN_NO_HALF),
        Variant(0.5 * d.sum(), MSE_NOT_SQUARED),
    ]
    if y.ndim == 2:
        out.append(Variant(want / y.shape[0], MSE_BATCH_AVG))
    return out


def _half_sum_sq(y, t):
    return 0.5 * sum((a - b) ** 2 for a, b in zip(y.ravel().tolist(), t.ravel().tolist(), strict=True))


@check(
    "mean_squared_error",
    points=1,
    ja="1 サンプル (書籍の例 0.0975)",
    en="one sample (the book's example, 0.0975)", public=True,
)
def test_mse_single(learner):
    y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
    t = np.zeros(10)
    t[2] = 1.0
    want = 0.0975
    expect_close(
        learner.mean_squared_error(y, t),
        want,
        what="mean_squared_error(y, t)",
        variants=_mse_variants(y, t, want),
    )


@check(
    "mean_squared_error", points=2, ja="バッチ (N, K): 全要素の ½ Σ", en="batch (N, K): ½ Σ over all elements"
)
def test_mse_batch(learner):
    y = np.array([[0.2, 0.7, 0.1], [0.6, 0.3, 0.1]])
    t = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    want = 0.5 * (0.04 + 0.09 + 0.01 + 0.36 + 0.09 + 0.81)  # 0.7
    expect_close(
        learner.mean_squared_error(y, t),
        want,
        what="mean_squared_error(y, t)",
        variants=_mse_variants(y, t, want),
    )


@check(
    "mean_squared_error",
    points=1,
    ja="ランダムな回帰の値をループ計算と比較",
    en="random regression values against a loop",
)
def test_mse_random(learner):
    rng = np.random.default_rng(302)
    y = rng.standard_normal((4, 3))
    t = rng.standard_normal((4, 3))
    want = _half_sum_sq(y, t)
    expect_close(
        learner.mean_squared_error(y, t),
        want,
        what="mean_squared_error(y, t)",
        variants=_mse_variants(y, t, want),
    )
