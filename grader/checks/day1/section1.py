"""Hidden checks of day1.section1 (入力層〜中間層): affine u = xW + b."""

import numpy as np

from grader.engine.api import Msg, Variant, check, expect_array, expect_raises

NO_BIAS = Msg(
    ja="xW だけで b が足されていません。u = xW + b です (b は切片: 入力と無関係に全体をずらす量)",
    en="this is xW without b: u = xW + b (b is the intercept, a shift independent of the input)",
)
W_TIMES_X = Msg(
    ja="W・x (数式の並び Wx) を計算しています。W の形状は (D, M) なので u = np.dot(x, W) + b です",
    en="computed W @ x (the maths order Wx) instead of x @ W: W has shape (D, M), so u = np.dot(x, W) + b",
)
ELEMENTWISE = Msg(
    ja="要素ごとの積 x * W になっています。行列積 np.dot(x, W) を使います",
    en="this is the elementwise product x * W; use the matrix product np.dot(x, W)",
)


def _loop_affine(x, W, b):
    """u_j = Σ_i x_i W_ij + b_j by explicit loops (independent of np.dot)."""
    x2 = np.atleast_2d(x)
    u = np.zeros((x2.shape[0], W.shape[1]))
    for n in range(x2.shape[0]):
        for j in range(W.shape[1]):
            u[n, j] = sum(x2[n, i] * W[i, j] for i in range(W.shape[0])) + b[j]
    return u if np.ndim(x) == 2 else u[0]


@check(
    "affine",
    points=2,
    ja="バッチ入力 (N, D) → (N, M) (手計算の値)",
    en="batch input (N, D) -> (N, M), hand-computed values", public=True,
)
def test_affine_batch(learner):
    x = np.array([[1.0, 2.0], [3.0, -1.0]])
    W = np.array([[1.0, 0.0, -1.0], [0.5, 1.0, 2.0]])
    b = np.array([0.1, 0.2, 0.3])
    # row 0: [1+1, 0+2, -1+4] = [2, 2, 3];  row 1: [3-0.5, 0-1, -3-2] = [2.5, -1, -5]
    expected = np.array([[2.1, 2.2, 3.3], [2.6, -0.8, -4.7]])
    expect_array(learner.affine(x, W, b), expected, what="u", variants=[Variant(x @ W, NO_BIAS)])


@check("affine", points=2, ja="1 ベクトル入力 (D,) → (M,)", en="one vector (D,) -> (M,)", public=True)
def test_affine_single_vector(learner):
    x = np.array([1.0, 2.0, -1.0])
    W = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]])
    b = np.array([0.5, -0.5])
    # [1 + 0 - 3, 2 - 2 - 0.5] + b = [-2, -0.5] + [0.5, -0.5]
    expected = np.array([-1.5, -1.0])
    expect_array(
        learner.affine(x, W, b),
        expected,
        what="u",
        variants=[
            Variant(np.array([-2.0, -0.5]), NO_BIAS),
            Variant(
                expected[None, :],
                Msg(
                    ja="1 ベクトル (D,) の入力には (M,) を返します ((1, M) ではありません)",
                    en="for one vector (D,) return shape (M,), not (1, M)",
                ),
            ),
        ],
    )


@check("affine", points=1, ja="正方行列 W で xW と Wx を区別", en="square W tells xW from Wx")
def test_affine_order(learner):
    x = np.array([1.0, 2.0])
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([0.0, 1.0])
    expected = np.array([1.0 + 6.0, 2.0 + 8.0 + 1.0])  # xW = [7, 10]
    expect_array(
        learner.affine(x, W, b),
        expected,
        what="u",
        variants=[Variant(W @ x + b, W_TIMES_X), Variant(x * W + b, ELEMENTWISE)],
    )


@check(
    "affine", points=1, ja="ランダムなバッチをループ計算と比較", en="random batch against an explicit loop"
)
def test_affine_random_batch(learner):
    rng = np.random.default_rng(101)
    x = rng.standard_normal((5, 4))
    W = rng.standard_normal((4, 3))
    b = rng.standard_normal(3)
    expect_array(
        learner.affine(x, W, b),
        _loop_affine(x, W, b),
        what="u",
        variants=[Variant(_loop_affine(x, W, np.zeros(3)), NO_BIAS)],
    )


@check(
    "affine",
    points=1,
    ja="x と W の形状不一致で ValueError",
    en="x and W shapes that do not fit raise ValueError",
)
def test_affine_xw_mismatch(learner):
    x = np.ones((2, 3))
    W = np.ones((4, 2))
    b = np.zeros(2)
    with expect_raises(
        "ValueError",
        ja="x (2, 3) と W (4, 2) は掛けられません。メッセージに両方の形状を書いてください",
        en="x (2, 3) and W (4, 2) cannot be multiplied; say both shapes in the message",
        mentions=("(2, 3)", "(4, 2)"),
    ):
        learner.affine(x, W, b)


@check(
    "affine", points=1, ja="b の形状が (M,) でなければ ValueError", en="b that is not (M,) raises ValueError"
)
def test_affine_bias_shape(learner):
    x = np.ones((2, 3))
    W = np.ones((3, 4))
    b = np.zeros(1)
    with expect_raises(
        "ValueError",
        ja="b の形状 (1,) は (M,) = (4,) ではありません (ブロードキャストで黙って通さない)",
        en="b of shape (1,) is not (M,) = (4,) (do not let broadcasting hide it)",
    ):
        learner.affine(x, W, b)
