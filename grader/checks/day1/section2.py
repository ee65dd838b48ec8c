"""Hidden checks of day1.section2 (活性化関数): step, sigmoid, ReLU, tanh and their derivatives."""

import math

import numpy as np

from grader.engine.api import Msg, Variant, as_array, check, expect_array, fail, note_warning

LARGE = np.array([-1000.0, 0.0, 1000.0])


def _sig(v):
    """σ(v) for one float, with the branch that never overflows (independent of the learner's form)."""
    return 1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v))


def _map(f, x):
    """Apply a scalar function elementwise by a plain loop."""
    return np.array([f(float(v)) for v in x.ravel()]).reshape(x.shape)


def _advise_on_overflow(learner, what):
    """The book's 1 / (1 + np.exp(-x)) is right at x = -1000 but numpy warns about the overflow: a pass, with advice
    (the docstring accepts it; day2.section1 follows the same policy)."""
    note_warning(learner, "overflow", what=what,
                 ja="警告も出さないには exp に 0 以下の値だけを渡します (x ≥ 0 と x < 0 で式を分ける)",
                 en="To avoid even the warning, only pass non-positive numbers to exp (one formula for x ≥ 0,"
                    " another for x < 0)")


def _expect_finite(got, x, expected, what, ja, en):
    """Fail with a message that names the overflow before the generic comparison."""
    arr = as_array(got, what, expected)
    if arr.shape == expected.shape and not np.all(np.isfinite(arr)):
        idx = int(np.flatnonzero(~np.isfinite(arr))[0])
        fail(
            f"{what}: x = {x.flat[idx]:g} で {arr.flat[idx]} になりました。{ja}",
            f"{what}: got {arr.flat[idx]} at x = {x.flat[idx]:g}. {en}",
        )
    return arr


ZERO_EITHER = Msg(
    ja="x = 0 で 0.5 を返しています。このコースでは x = 0 の値は 0 か 1 です",
    en="returned 0.5 at x = 0; this course takes 0 or 1 there",
)

# ---------------------------------------------------------------- step_function

STEP_SIGN = Msg(
    ja="np.sign と同じく負の x に −1 を返しています。ステップ関数は x < 0 で 0 です",
    en="like np.sign this gives −1 for negative x; the step function is 0 for x < 0",
)
STEP_REVERSED = Msg(
    ja="0 と 1 が逆です: x > 0 で 1、x < 0 で 0",
    en="0 and 1 are swapped: 1 for x > 0, 0 for x < 0",
)


@check("step_function", points=1, ja="正負の値で 0/1", en="0/1 on negative and positive values", public=True)
def test_step_values(learner):
    x = np.array([-2.0, -0.5, 0.5, 3.0])
    expect_array(
        learner.step_function(x),
        np.array([0, 0, 1, 1]),
        what="step_function(x)",
        variants=[
            Variant(np.array([-1, -1, 1, 1]), STEP_SIGN),
            Variant(np.array([1, 1, 0, 0]), STEP_REVERSED),
        ],
    )


@check(
    "step_function",
    points=1,
    ja="2 次元配列・大きな |x| で形状を保つ",
    en="2-D array and large |x|, same shape",
)
def test_step_2d(learner):
    rng = np.random.default_rng(201)
    x = rng.standard_normal((3, 4)) * 100
    x[0, 0], x[2, 3] = -1000.0, 1000.0
    expected = np.array([[1.0 if v > 0 else 0.0 for v in row] for row in x])
    expect_array(
        learner.step_function(x), expected, what="step_function(x)", variants=[Variant(np.sign(x), STEP_SIGN)]
    )


@check("step_function", points=1, ja="x = 0 は 0 でも 1 でも可", en="x = 0 gives 0 or 1")
def test_step_zero(learner):
    x = np.array([-1.0, 0.0, 1.0])
    expect_array(
        learner.step_function(x),
        np.array([0, 0, 1]),
        what="step_function(x)",
        accept=[np.array([0, 1, 1])],
        variants=[Variant(np.array([-1, 0, 1]), STEP_SIGN), Variant(np.array([0, 0.5, 1]), ZERO_EITHER)],
    )


# ---------------------------------------------------------------- sigmoid

SIGMOID_EXP_SIGN = Msg(
    ja="exp の符号が逆で σ(−x) = 1 / (1 + exp(x)) になっています。σ(x) = 1 / (1 + exp(−x))",
    en="the sign of the exponent is flipped, giving σ(−x) = 1 / (1 + exp(x)); σ(x) = 1 / (1 + exp(−x))",
)
SIGMOID_OVERFLOW = (
    "exp がオーバーフローしています (exp(1000) = inf、inf / inf = nan)。exp には 0 以下の値だけを渡すように"
    " x ≥ 0 と x < 0 で式を分けてください",
    "exp overflowed (exp(1000) = inf, inf / inf = nan). Only pass non-positive numbers to exp: use one"
    " formula for x ≥ 0 and another for x < 0",
)


@check("sigmoid", points=1, ja="代表的な値 (手計算)", en="typical values, computed by hand", public=True)
def test_sigmoid_values(learner):
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    expected = _map(_sig, x)
    expect_array(
        learner.sigmoid(x), expected, what="sigmoid(x)", variants=[Variant(_map(_sig, -x), SIGMOID_EXP_SIGN)]
    )


@check("sigmoid", points=1, ja="2 次元配列 (要素ごと)", en="2-D array, elementwise")
def test_sigmoid_2d(learner):
    x = np.random.default_rng(202).standard_normal((3, 4)) * 3
    expect_array(
        learner.sigmoid(x),
        _map(_sig, x),
        what="sigmoid(x)",
        variants=[Variant(_map(_sig, -x), SIGMOID_EXP_SIGN)],
    )


@check("sigmoid", points=2, ja="|x| = 1000 でも有限 [0, 0.5, 1]", en="finite [0, 0.5, 1] for |x| = 1000")
def test_sigmoid_large(learner):
    expected = np.array([0.0, 0.5, 1.0])
    got = _expect_finite(learner.sigmoid(LARGE.copy()), LARGE, expected, "sigmoid(x)", *SIGMOID_OVERFLOW)
    expect_array(got, expected, what="sigmoid(x)", variants=[Variant(expected[::-1], SIGMOID_EXP_SIGN)])
    _advise_on_overflow(learner, "sigmoid(x)")


# ---------------------------------------------------------------- relu

RELU_DERIVATIVE = Msg(
    ja="0/1 (導関数 relu_grad) を返しています。relu(x) = max(0, x) は正の x をそのまま返します",
    en="returned 0/1 (the derivative, relu_grad); relu(x) = max(0, x) returns positive x unchanged",
)
RELU_NP_MAX = Msg(
    ja="np.max は配列を縮約します (最大の要素)。要素ごとの最大は np.maximum(0, x) です",
    en="np.max reduces the array (largest element); the elementwise maximum is np.maximum(0, x)",
)
RELU_ABS = Msg(ja="|x| になっています。負の x は 0 です", en="this is |x|; negative x map to 0")


@check("relu", points=1, ja="代表的な値", en="typical values", public=True)
def test_relu_values(learner):
    x = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    expect_array(
        learner.relu(x),
        np.array([0.0, 0.0, 0.0, 0.5, 3.0]),
        what="relu(x)",
        variants=[
            Variant(np.array([0, 0, 0, 1, 1]), RELU_DERIVATIVE),
            Variant(np.array([0, 0, 1, 1, 1]), RELU_DERIVATIVE),
            Variant(np.array(3.0), RELU_NP_MAX),
            Variant(np.abs(x), RELU_ABS),
        ],
    )


@check("relu", points=1, ja="2 次元配列 (要素ごと)", en="2-D array, elementwise")
def test_relu_2d(learner):
    x = np.random.default_rng(203).standard_normal((3, 4))
    expected = _map(lambda v: v if v > 0 else 0.0, x)
    expect_array(
        learner.relu(x),
        expected,
        what="relu(x)",
        variants=[
            Variant(np.max(x, axis=0), RELU_NP_MAX),
            Variant(np.max(x), RELU_NP_MAX),
            Variant((x > 0).astype(float), RELU_DERIVATIVE),
            Variant(np.abs(x), RELU_ABS),
        ],
    )


@check("relu", points=1, ja="入力 x を書き換えない", en="the input x is left unchanged")
def test_relu_keeps_input(learner):
    x = np.array([[-1.0, 2.0], [3.0, -4.0]])
    before = x.copy()
    got = learner.relu(x)
    if not np.array_equal(learner.last_call.args[0], before):  # the learner's copy of x, after the call
        fail(
            "relu が入力 x をその場で書き換えました (x[x < 0] = 0 など)。x.copy() してから変更するか"
            " np.maximum(0, x) を使ってください",
            "relu modified its input x in place (e.g. x[x < 0] = 0); copy x first or use np.maximum(0, x)",
        )
    expect_array(got, np.array([[0.0, 2.0], [3.0, 0.0]]), what="relu(x)")


# ---------------------------------------------------------------- tanh

TANH_IS_SIGMOID = Msg(
    ja="シグモイド σ(x) になっています。tanh の値域は (−1, 1) です",
    en="this is the sigmoid σ(x); tanh ranges over (−1, 1)",
)
TANH_HALF = Msg(
    ja="2σ(x) − 1 = tanh(x/2) になっています。tanh(x) = 2σ(2x) − 1 です",
    en="this is 2σ(x) − 1 = tanh(x/2); tanh(x) = 2σ(2x) − 1",
)
TANH_OVERFLOW = (
    "exp がオーバーフローしています (exp(1000) = inf、inf / inf = nan)。np.tanh を使うか、exp に 0 以下の値"
    "だけを渡す形に書き換えてください",
    "exp overflowed (exp(1000) = inf, inf / inf = nan). Use np.tanh, or rewrite so that exp only sees"
    " non-positive numbers",
)


@check("tanh", points=1, ja="代表的な値 (math.tanh と比較)", en="typical values against math.tanh", public=True)
def test_tanh_values(learner):
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    expect_array(
        learner.tanh(x),
        _map(math.tanh, x),
        what="tanh(x)",
        variants=[Variant(_map(_sig, x), TANH_IS_SIGMOID), Variant(_map(math.tanh, x / 2), TANH_HALF)],
    )


@check("tanh", points=1, ja="2 次元配列 (要素ごと)", en="2-D array, elementwise")
def test_tanh_2d(learner):
    x = np.random.default_rng(204).standard_normal((2, 5)) * 2
    expect_array(
        learner.tanh(x),
        _map(math.tanh, x),
        what="tanh(x)",
        variants=[Variant(_map(_sig, x), TANH_IS_SIGMOID), Variant(_map(math.tanh, x / 2), TANH_HALF)],
    )


@check("tanh", points=2, ja="|x| = 1000 でも有限 [−1, 0, 1]", en="finite [−1, 0, 1] for |x| = 1000")
def test_tanh_large(learner):
    expected = np.array([-1.0, 0.0, 1.0])
    got = _expect_finite(learner.tanh(LARGE.copy()), LARGE, expected, "tanh(x)", *TANH_OVERFLOW)
    expect_array(
        got, expected, what="tanh(x)", variants=[Variant(np.array([0.0, 0.5, 1.0]), TANH_IS_SIGMOID)]
    )


# ---------------------------------------------------------------- sigmoid_grad

SG_PLUS = Msg(
    ja="σ(x)(1 + σ(x)) になっています: 括弧の中の符号が逆です。σ'(x) = σ(x)(1 − σ(x))",
    en="this is σ(x)(1 + σ(x)): the sign inside the bracket is wrong; σ'(x) = σ(x)(1 − σ(x))",
)
SG_ON_INPUT = Msg(
    ja="入力 x に x(1 − x) を適用しています。y(1 − y) の y は出力です: 先に y = sigmoid(x) を計算します",
    en="applied x(1 − x) to the input; in y(1 − y), y is the output: compute y = sigmoid(x) first",
)
SG_IS_SIGMOID = Msg(
    ja="σ(x) そのものを返しています (導関数ではありません)", en="returned σ(x) itself, not its derivative"
)
SG_OVERFLOW = (
    "オーバーフローで有限の値になりません。σ(x) を安定に計算してから σ(1 − σ) を使ってください",
    "overflow gave a non-finite value; compute σ(x) stably, then σ(1 − σ)",
)


def _sig_grad(v):
    s = _sig(v)
    return s * (1.0 - s)


@check("sigmoid_grad", points=1, ja="代表的な値 σ(1 − σ)", en="typical values σ(1 − σ)", public=True)
def test_sigmoid_grad_values(learner):
    x = np.array([-2.0, 0.0, 1.0, 3.0])
    s = _map(_sig, x)
    expect_array(
        learner.sigmoid_grad(x),
        _map(_sig_grad, x),
        what="sigmoid_grad(x)",
        variants=[
            Variant(s * (1 + s), SG_PLUS),
            Variant(x * (1 - x), SG_ON_INPUT),
            Variant(s, SG_IS_SIGMOID),
        ],
    )


@check("sigmoid_grad", points=1, ja="数値微分と一致 (2 次元)", en="agrees with a numerical derivative (2-D)")
def test_sigmoid_grad_numerical(learner):
    x = np.random.default_rng(205).standard_normal((2, 3)) * 2
    h = 1e-5
    numeric = (_map(_sig, x + h) - _map(_sig, x - h)) / (2 * h)
    s = _map(_sig, x)
    expect_array(
        learner.sigmoid_grad(x),
        numeric,
        what="sigmoid_grad(x)",
        rtol=1e-5,
        atol=1e-8,
        variants=[
            Variant(s * (1 + s), SG_PLUS),
            Variant(x * (1 - x), SG_ON_INPUT),
            Variant(s, SG_IS_SIGMOID),
        ],
    )


@check(
    "sigmoid_grad", points=1, ja="|x| = 1000 でも有限 [0, 0.25, 0]", en="finite [0, 0.25, 0] for |x| = 1000"
)
def test_sigmoid_grad_large(learner):
    expected = np.array([0.0, 0.25, 0.0])
    got = _expect_finite(learner.sigmoid_grad(LARGE.copy()), LARGE, expected, "sigmoid_grad(x)", *SG_OVERFLOW)
    expect_array(
        got,
        expected,
        what="sigmoid_grad(x)",
        variants=[Variant(np.array([0.0, 0.75, 2.0]), SG_PLUS), Variant(LARGE * (1 - LARGE), SG_ON_INPUT)],
    )
    _advise_on_overflow(learner, "sigmoid_grad(x)")


# ---------------------------------------------------------------- relu_grad

RG_IS_RELU = Msg(
    ja="relu(x) そのものを返しています。導関数は x > 0 で 1、x < 0 で 0 です",
    en="returned relu(x) itself; the derivative is 1 for x > 0 and 0 for x < 0",
)
RG_SIGN = Msg(
    ja="負の x に −1 を返しています (np.sign)。x < 0 での傾きは 0 です",
    en="gives −1 for negative x (np.sign); the slope for x < 0 is 0",
)


@check("relu_grad", points=1, ja="正負の値で 0/1", en="0/1 on negative and positive values", public=True)
def test_relu_grad_values(learner):
    x = np.array([-3.0, -0.5, 0.5, 2.0])
    expect_array(
        learner.relu_grad(x),
        np.array([0.0, 0.0, 1.0, 1.0]),
        what="relu_grad(x)",
        variants=[
            Variant(np.array([0.0, 0.0, 0.5, 2.0]), RG_IS_RELU),
            Variant(np.array([-1.0, -1.0, 1.0, 1.0]), RG_SIGN),
        ],
    )


@check("relu_grad", points=1, ja="2 次元配列 (要素ごと)", en="2-D array, elementwise")
def test_relu_grad_2d(learner):
    x = np.random.default_rng(206).standard_normal((4, 3))
    expected = _map(lambda v: 1.0 if v > 0 else 0.0, x)
    expect_array(
        learner.relu_grad(x),
        expected,
        what="relu_grad(x)",
        variants=[Variant(np.maximum(0, x), RG_IS_RELU), Variant(np.sign(x), RG_SIGN)],
    )


@check("relu_grad", points=1, ja="x = 0 は 0 でも 1 でも可", en="x = 0 gives 0 or 1")
def test_relu_grad_zero(learner):
    x = np.array([-1.0, 0.0, 1.0])
    expect_array(
        learner.relu_grad(x),
        np.array([0.0, 0.0, 1.0]),
        what="relu_grad(x)",
        accept=[np.array([0.0, 1.0, 1.0])],
        variants=[
            Variant(np.array([-1.0, 0.0, 1.0]), RG_SIGN),
            Variant(np.array([0.0, 0.5, 1.0]), ZERO_EITHER),
        ],
    )


# ---------------------------------------------------------------- tanh_grad

TG_NO_SQUARE = Msg(
    ja="1 − tanh(x) になっています: 2 乗を忘れています。tanh'(x) = 1 − tanh²(x)",
    en="this is 1 − tanh(x): the square is missing; tanh'(x) = 1 − tanh²(x)",
)
TG_ON_INPUT = Msg(
    ja="入力 x に 1 − x² を適用しています。先に y = tanh(x) を計算し 1 − y² です",
    en="applied 1 − x² to the input; compute y = tanh(x) first, then 1 − y²",
)
TG_PLUS = Msg(
    ja="1 + tanh²(x) になっています: 符号が逆です。tanh'(x) = 1 − tanh²(x)",
    en="this is 1 + tanh²(x): wrong sign; tanh'(x) = 1 − tanh²(x)",
)
TG_OVERFLOW = (
    "オーバーフローで有限の値になりません。np.tanh を使ってください",
    "overflow gave a non-finite value; use np.tanh",
)


def _tanh_grad(v):
    return 1.0 - math.tanh(v) ** 2


def _tanh_grad_variants(x):
    y = _map(math.tanh, x)
    return [Variant(1 - y, TG_NO_SQUARE), Variant(1 - x**2, TG_ON_INPUT), Variant(1 + y**2, TG_PLUS)]


@check("tanh_grad", points=1, ja="代表的な値 1 − tanh²", en="typical values 1 − tanh²", public=True)
def test_tanh_grad_values(learner):
    x = np.array([-1.5, 0.0, 0.5, 2.0])
    expect_array(
        learner.tanh_grad(x), _map(_tanh_grad, x), what="tanh_grad(x)", variants=_tanh_grad_variants(x)
    )


@check("tanh_grad", points=1, ja="数値微分と一致 (2 次元)", en="agrees with a numerical derivative (2-D)")
def test_tanh_grad_numerical(learner):
    x = np.random.default_rng(207).standard_normal((3, 2))
    h = 1e-5
    numeric = (_map(math.tanh, x + h) - _map(math.tanh, x - h)) / (2 * h)
    expect_array(
        learner.tanh_grad(x),
        numeric,
        what="tanh_grad(x)",
        rtol=1e-5,
        atol=1e-8,
        variants=_tanh_grad_variants(x),
    )


@check("tanh_grad", points=1, ja="|x| = 1000 でも有限 [0, 1, 0]", en="finite [0, 1, 0] for |x| = 1000")
def test_tanh_grad_large(learner):
    expected = np.array([0.0, 1.0, 0.0])
    got = _expect_finite(learner.tanh_grad(LARGE.copy()), LARGE, expected, "tanh_grad(x)", *TG_OVERFLOW)
    expect_array(
        got,
        expected,
        what="tanh_grad(x)",
        variants=[Variant(np.array([2.0, 1.0, 0.0]), TG_NO_SQUARE), Variant(1 - LARGE**2, TG_ON_INPUT)],
    )
