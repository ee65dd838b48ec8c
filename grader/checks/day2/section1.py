"""Hidden checks of day2.section1 (勾配消失問題 / vanishing gradients)."""

from __future__ import annotations

import math

import numpy as np

from grader.engine.api import (
    Msg,
    Variant,
    as_array,
    central_difference,
    check,
    expect_array,
    expect_equal,
    fail,
    note_warning,
)

# ---------------------------------------------------------------- independent references


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) one number at a time with math.exp (never overflows: the exponent is ≤ 0)."""
    x = np.asarray(x, dtype=float)
    flat = [1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v)) for v in x.ravel()]
    return np.array(flat).reshape(x.shape)


X5 = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])


def _advise_on_overflow(learner, what: str) -> None:
    """The book's 1/(1 + np.exp(-x)) is right at x = -1000 (0) but numpy warns "overflow encountered in exp": a pass,
    with advice (one policy for the course: day1.section2 says the same)."""
    note_warning(learner, "overflow", what=what,
                 ja="警告も出さないには, exp の引数が正にならないよう x の符号で場合分けします"
                    " (x ≥ 0: 1/(1+exp(−x)), x < 0: exp(x)/(1+exp(x)))",
                 en="To avoid even the warning, split on the sign of x so that exp never gets a positive argument"
                    " (x ≥ 0: 1/(1+exp(−x)), x < 0: exp(x)/(1+exp(x)))")


NOT_SIGMOID_GRAD_OF_X = Msg(
    ja="x·(1 − x) になっています。σ'(x) = σ(x)(1 − σ(x)) です。書籍の Sigmoid.backward の out は σ(x) で,"
       " ここで受け取るのは x です",
    en="this is x·(1 − x); the derivative is σ(x)(1 − σ(x)). The book's Sigmoid.backward uses out = σ(x),"
       " but this function receives x",
)


# ---------------------------------------------------------------- sigmoid


@check("sigmoid", 1, ja="小さな入力での値", en="values on small inputs", public=True)
def test_sigmoid_values(learner):
    got = learner.sigmoid(X5.copy())
    expect_array(got, _sigmoid(X5), what="sigmoid(x)", variants=[
        Variant(_sigmoid(-X5), Msg(ja="σ(−x) になっています。exp の符号を確認してください (1/(1+exp(−x)))",
                                   en="this is σ(−x): check the sign inside exp (1/(1+exp(−x)))")),
        Variant(np.tanh(X5), Msg(ja="tanh になっています", en="this is tanh, not the sigmoid")),
    ])


@check("sigmoid", 2, ja="|x| が 1e3 まで: 正しい値 (NaN なし)", en="|x| up to 1e3: the right values, no NaN")
def test_sigmoid_large_inputs(learner):
    x = np.array([-1000.0, -800.0, -50.0, -1e-3, 0.0, 30.0, 710.0, 1000.0])
    got = learner.sigmoid(x.copy())
    expect_array(got, _sigmoid(x), what="sigmoid(x)", rtol=1e-6, atol=1e-12)
    _advise_on_overflow(learner, "sigmoid(x)")


@check("sigmoid", 1, ja="任意の形状で要素ごと, 入力は変更しない", en="elementwise on any shape, input unchanged")
def test_sigmoid_any_shape(learner):
    x = np.random.default_rng(101).normal(scale=4.0, size=(2, 3, 4))
    x0 = x.copy()
    got = learner.sigmoid(x)
    expect_array(got, _sigmoid(x0), what="sigmoid(x)  (x: (2, 3, 4))")
    expect_array(learner.last_call.args[0], x0, what="x (呼び出し後の入力 / the input after the call)", variants=[
        Variant(got, Msg(ja="入力 x を上書きしています", en="the input x was overwritten"))])


# ---------------------------------------------------------------- sigmoid_grad


@check("sigmoid_grad", 1, ja="小さな入力での値 (最大は x = 0 で 0.25)",
        en="values on small inputs (max 0.25 at x = 0)", public=True)
def test_sigmoid_grad_values(learner):
    got = learner.sigmoid_grad(X5.copy())
    s = _sigmoid(X5)
    expect_array(got, s * (1 - s), what="sigmoid_grad(x)", variants=[
        Variant(s, Msg(ja="σ(x) そのものを返しています。微分は σ(x)(1 − σ(x)) です",
                       en="this is σ(x) itself; the derivative is σ(x)(1 − σ(x))")),
        Variant(X5 * (1 - X5), NOT_SIGMOID_GRAD_OF_X),
        Variant(s * (1 + s), Msg(ja="σ(x)(1 + σ(x)) になっています。1 − σ(x) です",
                                 en="this is σ(x)(1 + σ(x)); it is 1 − σ(x)")),
        Variant(1 - s, Msg(ja="1 − σ(x) だけになっています。σ(x) を掛け忘れていませんか",
                           en="this is 1 − σ(x) alone: multiply by σ(x)")),
    ])


@check("sigmoid_grad", 1, ja="|x| が 1e3 まで: NaN なし", en="|x| up to 1e3: no NaN")
def test_sigmoid_grad_large_inputs(learner):
    x = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])
    s = _sigmoid(x)
    got = learner.sigmoid_grad(x.copy())
    expect_array(got, s * (1 - s), what="sigmoid_grad(x)", atol=1e-12, variants=[
        Variant(x * (1 - x), NOT_SIGMOID_GRAD_OF_X)])
    _advise_on_overflow(learner, "sigmoid_grad(x)")


@check("sigmoid_grad", 1, ja="任意の形状で要素ごと", en="elementwise on any shape")
def test_sigmoid_grad_any_shape(learner):
    x = np.random.default_rng(102).normal(scale=3.0, size=(3, 1, 5))
    s = _sigmoid(x)
    got = learner.sigmoid_grad(x.copy())
    expect_array(got, s * (1 - s), what="sigmoid_grad(x)  (x: (3, 1, 5))",
                 variants=[Variant(x * (1 - x), NOT_SIGMOID_GRAD_OF_X)])


# ---------------------------------------------------------------- relu


@check("relu", 1, ja="小さな入力での値", en="values on small inputs", public=True)
def test_relu_values(learner):
    x = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    got = learner.relu(x.copy())
    expect_array(got, [0.0, 0.0, 0.0, 0.5, 3.0], what="relu(x)", variants=[
        Variant([0.0, 0.0, 0.0, 1.0, 1.0], Msg(ja="マスク (x > 0) を返しています。値 max(0, x) を返してください",
                                               en="this is the mask (x > 0); return the values max(0, x)")),
        Variant(np.abs(x), Msg(ja="|x| になっています。負の値は 0 にします",
                               en="this is |x|; negative values become 0")),
        Variant(np.minimum(0.0, x), Msg(ja="min(0, x) になっています。max(0, x) です",
                                        en="this is min(0, x); ReLU is max(0, x)")),
    ])


@check("relu", 1, ja="入力 x を書き換えない", en="does not modify its input x")
def test_relu_keeps_input(learner):
    x = np.array([[-1.0, 2.0, -3.0], [4.0, -5.0, 6.0]])
    x0 = x.copy()
    got = learner.relu(x)
    expect_array(got, np.maximum(x0, 0.0), what="relu(x)")
    expect_array(learner.last_call.args[0], x0, what="x (呼び出し後の入力 / the input after the call)", variants=[
        Variant(np.maximum(x0, 0.0), Msg(
            ja="入力 x の負の要素を 0 に書き換えています (x[x < 0] = 0)。x.copy() か np.maximum を使ってください",
            en="the negative entries of the input x were set to 0 in place (x[x < 0] = 0);"
               " work on x.copy() or use np.maximum"))])


@check("relu", 1, ja="任意の形状, 大きな値", en="any shape, large values")
def test_relu_any_shape(learner):
    x = np.random.default_rng(103).normal(scale=1e3, size=(2, 3, 2))
    got = learner.relu(x.copy())
    expect_array(got, np.where(x > 0, x, 0.0), what="relu(x)  (x: (2, 3, 2))")


# ---------------------------------------------------------------- relu_grad

RELU_NOT_GRAD = Msg(ja="relu(x) の値を返しています。微分は x > 0 で 1, それ以外 0 です",
                    en="this is relu(x) itself; its derivative is 1 where x > 0, else 0")


@check("relu_grad", 1, ja="小さな入力での値", en="values on small inputs", public=True)
def test_relu_grad_values(learner):
    x = np.array([-2.0, -0.5, 0.5, 3.0])
    got = learner.relu_grad(x.copy())
    expect_array(got, [0.0, 0.0, 1.0, 1.0], what="relu_grad(x)", variants=[
        Variant(np.maximum(x, 0.0), RELU_NOT_GRAD),
        Variant(np.ones(4), Msg(ja="すべて 1 です。x ≤ 0 では 0 にします", en="all ones: it is 0 where x ≤ 0")),
        Variant([1.0, 1.0, 0.0, 0.0], Msg(ja="0 と 1 が逆です (x ≤ 0 のマスク)。x > 0 で 1 です",
                                          en="0 and 1 are swapped (the mask x ≤ 0): it is 1 where x > 0")),
    ])


@check("relu_grad", 1, ja="x = 0 では 0 (書籍) か 1", en="at x = 0: 0 (the book) or 1")
def test_relu_grad_at_zero(learner):
    x = np.array([-1.0, 0.0, 1.0])
    got = learner.relu_grad(x.copy())
    expect_array(got, [0.0, 0.0, 1.0], accept=[[0.0, 1.0, 1.0]], what="relu_grad(x)", variants=[
        Variant([0.0, 0.5, 1.0], Msg(ja="x = 0 で 0.5 になっています。このコースでは 0 (書籍の Relu) か 1 です",
                                     en="0.5 at x = 0: this course uses 0 (the book's Relu) or 1")),
        Variant(np.maximum(x, 0.0), RELU_NOT_GRAD)])


@check("relu_grad", 1, ja="任意の形状で要素ごと, 入力は変更しない", en="elementwise on any shape, input unchanged")
def test_relu_grad_any_shape(learner):
    x = np.random.default_rng(104).normal(size=(4, 2, 3))
    x0 = x.copy()
    got = learner.relu_grad(x)
    expect_array(got, (x0 > 0).astype(float), what="relu_grad(x)  (x: (4, 2, 3))",
                 variants=[Variant(np.maximum(x0, 0.0), RELU_NOT_GRAD)])
    expect_array(learner.last_call.args[0], x0, what="x (呼び出し後の入力 / the input after the call)")


# ---------------------------------------------------------------- xavier_init / he_init (statistical)

STD_TOL = 0.03  # 標本標準偏差の相対誤差 (30,000 要素以上で約 0.4% 以下、8σ): どんな引き方でも公平


def _std_mistakes_common(n_in: int, n_out: int, target: float) -> list[tuple[float, Msg]]:
    return [
        (target / math.sqrt(12.0), Msg(ja="標準偏差が期待の 1/√12: rng.random() (0〜1 の一様乱数) に掛けています。"
                                          " rng.standard_normal を使ってください",
                                       en="std is 1/√12 of the target: rng.random() (uniform on [0, 1)) was scaled;"
                                          " use rng.standard_normal")),
        (1.0, Msg(ja="標準偏差が 1 です: スケールを掛け忘れています", en="std 1: the scale factor is missing")),
        (1 / math.sqrt(12.0), Msg(ja="標準偏差 ≈ 0.29: rng.random() (0〜1 の一様乱数) をそのまま使っています",
                                  en="std ≈ 0.29: rng.random() (uniform on [0, 1)) used as is")),
    ]


def _xavier_mistakes(n_in: int, n_out: int) -> list[tuple[float, Msg]]:
    return [
        (1 / n_in, Msg(ja="標準偏差が 1/n_in です。1/n_in は分散で, 標準偏差はその平方根 1/√n_in です",
                       en="std 1/n_in: that is the variance; the std is its square root 1/√n_in")),
        (1 / math.sqrt(n_out), Msg(ja="n_in ではなく n_out を使っています (標準偏差 1/√n_out)。前の層のノード数 n_in です",
                                   en="n_out used instead of n_in (std 1/√n_out): it is the previous layer's size n_in")),
        (math.sqrt(2 / (n_in + n_out)), Msg(
            ja="標準偏差 √(2/(n_in+n_out)) は Glorot の原論文の形です。このコース (書籍) では 1/√n_in と決めています",
            en="std √(2/(n_in+n_out)) is Glorot's original (fan-average) form; this course (the book) pins 1/√n_in")),
        (math.sqrt(2 / n_in), Msg(ja="標準偏差 √(2/n_in) は He の初期値 (ReLU 用) です。Xavier は 1/√n_in です",
                                  en="std √(2/n_in) is He's (for ReLU); Xavier's is 1/√n_in")),
        (1 / math.sqrt(3 * n_in), Msg(
            ja="一様分布 U(−1/√n_in, 1/√n_in) の標準偏差は 1/√(3·n_in) です。一様分布なら範囲を ±√(3/n_in) に,"
               " または正規分布 rng.standard_normal を使ってください",
            en="uniform on (−1/√n_in, 1/√n_in) has std 1/√(3·n_in): a uniform draw needs the limit √(3/n_in),"
               " or draw from rng.standard_normal")),
        *_std_mistakes_common(n_in, n_out, 1 / math.sqrt(n_in)),
    ]


def _he_mistakes(n_in: int, n_out: int) -> list[tuple[float, Msg]]:
    return [
        (math.sqrt(2) / n_in, Msg(
            ja="標準偏差が √2/n_in です。正しくは √(2/n_in) (ルートは 2/n_in 全体) です。講義資料に"
               " 「√2/n」と書かれている箇所がありますが誤植です",
            en="std √2/n_in: it is √(2/n_in), the root covers all of 2/n_in. Some course notes print"
               " \"√2/n\"; that is a misprint")),
        (2 / n_in, Msg(ja="標準偏差が 2/n_in です。2/n_in は分散で, 標準偏差はその平方根 √(2/n_in) です",
                       en="std 2/n_in: that is the variance; the std is its square root √(2/n_in)")),
        (1 / n_in, Msg(ja="標準偏差が 1/n_in です。He は √(2/n_in) です", en="std 1/n_in: He's std is √(2/n_in)")),
        (1 / math.sqrt(n_in), Msg(ja="標準偏差 1/√n_in は Xavier の初期値です。He は ReLU のため分散を 2 倍にして √(2/n_in)",
                                  en="std 1/√n_in is Xavier's; He doubles the variance for ReLU: √(2/n_in)")),
        (math.sqrt(2 / n_out), Msg(ja="n_in ではなく n_out を使っています (標準偏差 √(2/n_out))。前の層のノード数 n_in です",
                                   en="n_out used instead of n_in (std √(2/n_out)): it is the previous layer's size n_in")),
        (math.sqrt(2 / (3 * n_in)), Msg(
            ja="一様分布 U(−√(2/n_in), √(2/n_in)) の標準偏差は √(2/n_in)/√3 です。一様分布なら範囲を ±√(6/n_in) に,"
               " または正規分布 rng.standard_normal を使ってください",
            en="uniform on (−√(2/n_in), √(2/n_in)) has std √(2/n_in)/√3: a uniform draw needs the limit √(6/n_in),"
               " or draw from rng.standard_normal")),
        *_std_mistakes_common(n_in, n_out, math.sqrt(2 / n_in)),
    ]


def _expect_weight_shape(W, n_in: int, n_out: int, name: str) -> np.ndarray:
    W = as_array(W, f"{name}({n_in}, {n_out}, rng)", np.zeros((n_in, n_out)))
    expect_equal(list(W.shape), [n_in, n_out], what=f"{name}({n_in}, {n_out}, rng) の形状 / shape", variants=[
        Variant([n_out, n_in], Msg(ja="形状が (n_out, n_in) です。np.dot(x, W) で x: (N, n_in) → (N, n_out) なので"
                                   " W は (n_in, n_out) です",
                                   en="shape (n_out, n_in): np.dot(x, W) maps x: (N, n_in) to (N, n_out),"
                                      " so W is (n_in, n_out)"))])
    return W


def _expect_std(W, n_in: int, n_out: int, name: str, formula: str, target: float,
                mistakes: list[tuple[float, Msg]]) -> None:
    W = _expect_weight_shape(W, n_in, n_out, name)
    s = float(np.std(W))
    nums_ja = f" (n_in={n_in}, n_out={n_out}: 標本標準偏差 {s:.4g}, 期待 {formula} = {target:.4g})"
    nums_en = f" (n_in={n_in}, n_out={n_out}: sample std {s:.4g}, expected {formula} = {target:.4g})"
    if abs(s / target - 1) <= STD_TOL:
        return
    for std, why in mistakes:
        if abs(s / std - 1) <= STD_TOL:
            fail(why.ja + nums_ja, why.en + nums_en)
    fail("標準偏差が違います" + nums_ja, "the standard deviation is wrong" + nums_en)


def _expect_mean_zero(W, n_in: int, n_out: int, name: str, target: float) -> None:
    W = _expect_weight_shape(W, n_in, n_out, name)
    m = float(np.mean(W))
    if abs(m) > 0.05 * target:
        fail(f"平均が {m:.4g} で 0 から離れています (期待 ≈ 0, 標準偏差 {target:.4g})。rng.random() は 0〜1 の乱数です。"
             " rng.standard_normal (または rng.uniform(−a, a)) を使ってください",
             f"the mean is {m:.4g}, far from 0 (expected ≈ 0 with std {target:.4g}); rng.random() draws from"
             " [0, 1). Use rng.standard_normal (or rng.uniform(−a, a))")


def _expect_uses_rng(learner, name: str) -> None:
    f = getattr(learner, name)
    a = f(40, 30, np.random.default_rng(7))
    b = f(40, 30, np.random.default_rng(7))
    c = f(40, 30, np.random.default_rng(8))
    a = _expect_weight_shape(a, 40, 30, name)
    b = _expect_weight_shape(b, 40, 30, name)
    c = _expect_weight_shape(c, 40, 30, name)
    if not np.array_equal(a, b):
        fail("同じ状態の rng を 2 回渡したのに W が違います。np.random.randn などではなく引数の rng"
             " (rng.standard_normal) から引いてください",
             "two rngs in the same state gave different W: draw from the argument rng (rng.standard_normal),"
             " not from np.random.randn or similar")
    if np.array_equal(a, c):
        fail("違う rng を渡しても W が同じです。固定シードの乱数を使わず, 引数の rng から引いてください",
             "a different rng gave the same W: do not use a fixed seed; draw from the argument rng")


@check("xavier_init", 1, ja="形状 (n_in, n_out)", en="shape (n_in, n_out)", public=True)
def test_xavier_shape(learner):
    _expect_weight_shape(learner.xavier_init(30, 20, np.random.default_rng(1)), 30, 20, "xavier_init")


@check("xavier_init", 2, ja="標準偏差 1/√n_in (統計的に確認)", en="std 1/√n_in (checked statistically)")
def test_xavier_std(learner):
    for n_in, n_out, seed in ((250, 150, 2), (100, 250, 3)):
        W = learner.xavier_init(n_in, n_out, np.random.default_rng(seed))
        _expect_std(W, n_in, n_out, "xavier_init", "1/√n_in", 1 / math.sqrt(n_in), _xavier_mistakes(n_in, n_out))


@check("xavier_init", 1, ja="平均 0", en="mean 0")
def test_xavier_mean(learner):
    W = learner.xavier_init(200, 200, np.random.default_rng(4))
    _expect_mean_zero(W, 200, 200, "xavier_init", 1 / math.sqrt(200))


@check("xavier_init", 1, ja="引数の rng から乱数を引く", en="draws from the argument rng")
def test_xavier_uses_rng(learner):
    _expect_uses_rng(learner, "xavier_init")


@check("he_init", 1, ja="形状 (n_in, n_out)", en="shape (n_in, n_out)", public=True)
def test_he_shape(learner):
    _expect_weight_shape(learner.he_init(30, 20, np.random.default_rng(5)), 30, 20, "he_init")


@check("he_init", 2, ja="標準偏差 √(2/n_in) (統計的に確認)", en="std √(2/n_in) (checked statistically)")
def test_he_std(learner):
    for n_in, n_out, seed in ((250, 150, 6), (100, 250, 7)):
        W = learner.he_init(n_in, n_out, np.random.default_rng(seed))
        _expect_std(W, n_in, n_out, "he_init", "√(2/n_in)", math.sqrt(2 / n_in), _he_mistakes(n_in, n_out))


@check("he_init", 1, ja="平均 0", en="mean 0")
def test_he_mean(learner):
    W = learner.he_init(200, 200, np.random.default_rng(8))
    _expect_mean_zero(W, 200, 200, "he_init", math.sqrt(2 / 200))


@check("he_init", 1, ja="引数の rng から乱数を引く", en="draws from the argument rng")
def test_he_uses_rng(learner):
    _expect_uses_rng(learner, "he_init")


# ---------------------------------------------------------------- BatchNormalization

EPS = 1e-7  # the check's own ε; learners' ε up to 1e-4 are within the tolerances below
BN_TOL = {"rtol": 1e-3, "atol": 1e-3}


def _bn_data(seed: int = 11, n: int = 6) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)) * np.array([1.0, 3.0, 1.5]) + np.array([0.0, 2.0, -1.0])
    return x, np.array([1.5, 0.5, 2.0]), np.array([0.1, -0.2, 0.3])


def _bn_train(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, ddof: int = 0) -> np.ndarray:
    mu = x.mean(axis=0)
    var = x.var(axis=0, ddof=ddof)
    return gamma * (x - mu) / np.sqrt(var + EPS) + beta


def _bn_backward_result(bn, dout: np.ndarray) -> tuple:
    """(dx, dgamma, dbeta): the book's form (return dx, store dgamma/dbeta) or a returned 3-tuple."""
    res = bn.backward(dout)
    if isinstance(res, (tuple, list)) and len(res) == 3:
        return res[0], res[1], res[2]
    return res, bn.dgamma, bn.dbeta


@check("BatchNormalization", 2, ja="学習時の forward (バッチの平均と分散で正規化)",
       en="forward in training (normalise with the batch mean and variance)", public=True)
def test_bn_forward_train(learner):
    x, gamma, beta = _bn_data()
    bn = learner.BatchNormalization(gamma.copy(), beta.copy())
    got = bn.forward(x.copy(), True)
    mu, var = x.mean(axis=0), x.var(axis=0)
    mu1, var1 = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    expect_array(got, _bn_train(x, gamma, beta), what="forward(x, train_flg=True)", **BN_TOL, variants=[
        Variant(_bn_train(x, gamma, beta, ddof=1), Msg(
            ja="分散を N−1 で割っています (不偏分散, ddof=1)。バッチ正規化は N で割る分散 np.var / np.mean((x−μ)**2) です",
            en="the variance divides by N−1 (unbiased, ddof=1); batch norm divides by N: np.mean((x−μ)**2)")),
        Variant(gamma * (x - mu1) / np.sqrt(var1 + EPS) + beta, Msg(
            ja="サンプルごと (axis=1) に正規化しています。バッチ方向 axis=0 で平均と分散をとります",
            en="normalised per sample (axis=1); the mean and variance are over the batch, axis=0")),
        Variant((x - mu) / np.sqrt(var + EPS), Msg(ja="γ と β を適用していません (out = γ·x̂ + β)",
                                                   en="gamma and beta are not applied (out = γ·x̂ + β)")),
        Variant(gamma * (x - mu) / (var + EPS) + beta, Msg(
            ja="分散 σ² で割っています。標準偏差 √(σ² + ε) で割ります",
            en="divided by the variance σ²; divide by the standard deviation √(σ² + ε)")),
    ])


@check("BatchNormalization", 2, ja="学習時に移動平均 running_mean, running_var を更新",
       en="training updates running_mean and running_var")
def test_bn_running_update(learner):
    x, gamma, beta = _bn_data(12)
    rm0, rv0, m = np.array([0.5, -1.0, 2.0]), np.array([1.0, 2.0, 0.5]), 0.8
    bn = learner.BatchNormalization(gamma.copy(), beta.copy(), momentum=m,
                                    running_mean=rm0.copy(), running_var=rv0.copy())
    bn.forward(x.copy(), True)
    mu, var, n = x.mean(axis=0), x.var(axis=0), x.shape[0]

    def mistakes(old, new, what):
        return [
            Variant((1 - m) * old + m * new, Msg(
                ja=f"momentum が逆です: {what} ← momentum·{what} + (1 − momentum)·(バッチの値)",
                en=f"momentum is swapped: {what} ← momentum·{what} + (1 − momentum)·(batch value)")),
            Variant(0.9 * old + 0.1 * new, Msg(ja="momentum が 0.9 に固定されています。引数 momentum を使ってください",
                                               en="momentum is fixed at 0.9: use the argument momentum")),
            Variant(old, Msg(ja=f"{what} が更新されていません (学習時は毎回更新します)",
                             en=f"{what} was not updated (training updates it on every forward)")),
            Variant(new, Msg(ja=f"{what} がバッチの値で置き換えられています。古い値との加重平均をとります",
                             en=f"{what} was replaced by the batch value; mix it with the old one")),
        ]

    expect_array(bn.running_mean, m * rm0 + (1 - m) * mu, what="running_mean", **BN_TOL,
                 variants=mistakes(rm0, mu, "running_mean"))
    # 論文 (Ioffe & Szegedy) の不偏推定 N/(N−1)·σ² も可 / the paper's unbiased estimate is fair too
    expect_array(bn.running_var, m * rv0 + (1 - m) * var, what="running_var", **BN_TOL,
                 accept=[m * rv0 + (1 - m) * var * n / (n - 1)],
                 variants=[*mistakes(rv0, var, "running_var"),
                           Variant(m * rv0 + (1 - m) * np.sqrt(var), Msg(
                               ja="running_var に標準偏差を入れています。分散 σ² の移動平均です",
                               en="running_var averages the standard deviation; it averages the variance σ²"))])


@check("BatchNormalization", 1, ja="running_mean=None なら最初の forward で 0 から始める",
       en="running_mean=None starts from zeros on the first forward")
def test_bn_running_from_none(learner):
    x, gamma, beta = _bn_data(13)
    bn = learner.BatchNormalization(gamma.copy(), beta.copy())
    bn.forward(x.copy(), True)
    mu, var, n = x.mean(axis=0), x.var(axis=0), x.shape[0]
    expect_array(bn.running_mean, 0.1 * mu, what="running_mean (momentum=0.9, 初期値 None)", **BN_TOL,
                 variants=[Variant(0.9 * mu, Msg(ja="momentum が逆です: running_mean ← momentum·running_mean"
                                                    " + (1 − momentum)·μ",
                                                 en="momentum is swapped: running_mean ← momentum·running_mean"
                                                    " + (1 − momentum)·μ")),
                           Variant(mu, Msg(ja="running_mean がバッチ平均そのものです。np.zeros(D) から始めて"
                                              " 0.9·0 + 0.1·μ に更新します (書籍)",
                                           en="running_mean is the batch mean itself: start from np.zeros(D)"
                                              " and update to 0.9·0 + 0.1·μ (the book)"))])
    expect_array(bn.running_var, 0.1 * var, what="running_var (momentum=0.9, 初期値 None)", **BN_TOL,
                 accept=[0.1 * var * n / (n - 1), 0.9 + 0.1 * var, 0.9 + 0.1 * var * n / (n - 1)])


@check("BatchNormalization", 2, ja="テスト時は移動平均で正規化し, 移動平均を更新しない",
       en="test mode normalises with the running statistics and leaves them unchanged")
def test_bn_forward_test(learner):
    x, gamma, beta = _bn_data(14)
    rm0, rv0 = np.array([0.3, 1.5, -0.8]), np.array([0.8, 6.0, 0.6])
    bn = learner.BatchNormalization(gamma.copy(), beta.copy(), running_mean=rm0.copy(), running_var=rv0.copy())
    got = bn.forward(x.copy(), False)
    # 先に移動平均を確認: 更新してから使うと出力も違ってしまうので, 原因の方を名指しする
    stay = Msg(ja="テスト時に移動平均を更新しています。更新は学習時 (train_flg=True) だけです",
               en="test mode updated the running statistics; only training (train_flg=True) updates them")
    expect_array(bn.running_mean, rm0, what="running_mean (テスト時の forward の後 / after a test-mode forward)",
                 variants=[Variant(0.9 * rm0 + 0.1 * x.mean(axis=0), stay)])
    expect_array(bn.running_var, rv0, what="running_var (テスト時の forward の後 / after a test-mode forward)",
                 variants=[Variant(0.9 * rv0 + 0.1 * x.var(axis=0), stay)])
    expect_array(got, gamma * (x - rm0) / np.sqrt(rv0 + EPS) + beta, what="forward(x, train_flg=False)",
                 **BN_TOL, variants=[
                     Variant(_bn_train(x, gamma, beta), Msg(
                         ja="テスト時にバッチの平均と分散を使っています。running_mean と running_var を使います",
                         en="test mode used the batch mean and variance; use running_mean and running_var")),
                     Variant(gamma * (x - rm0) / (rv0 + EPS) + beta, Msg(
                         ja="running_var で割っています。√(running_var + ε) で割ります",
                         en="divided by running_var; divide by √(running_var + ε)")),
                     Variant((x - rm0) / np.sqrt(rv0 + EPS), Msg(ja="γ と β を適用していません",
                                                                 en="gamma and beta are not applied")),
                 ])


@check("BatchNormalization", 2, ja="backward の dx を数値微分と比較", en="backward's dx against a numerical gradient")
def test_bn_backward_dx(learner):
    x, gamma, beta = _bn_data(15, n=5)
    dout = np.random.default_rng(16).normal(size=x.shape)
    bn = learner.BatchNormalization(gamma.copy(), beta.copy())
    bn.forward(x.copy(), True)
    dx, _, _ = _bn_backward_result(bn, dout.copy())

    num = central_difference(lambda x: np.sum(_bn_train(x, gamma, beta) * dout), {"x": x}, 1e-5)["x"]
    n = x.shape[0]
    xc = x - x.mean(axis=0)
    std = np.sqrt(x.var(axis=0) + EPS)
    dxn = gamma * dout
    naive = dxn / std
    dvar = -0.5 * np.sum(dxn * xc, axis=0) / std**3
    no_mean_path = naive + (2.0 / n) * xc * dvar
    no_var_path = naive - naive.mean(axis=0)
    expect_array(dx, num, what="dx", rtol=1e-3, atol=1e-3 * float(np.abs(num).max()), variants=[
        Variant(naive, Msg(ja="dx = γ·dout/√(σ²+ε) だけです。μ と σ² も x に依存するので, その経路の勾配も足します",
                           en="dx = γ·dout/√(σ²+ε) only: μ and σ² depend on x too, add the gradient through them")),
        Variant(no_mean_path, Msg(ja="平均 μ を通る経路 (dx から dμ/N を引く) が抜けています",
                                  en="the path through the mean μ is missing (subtract dμ/N from dx)")),
        Variant(no_var_path, Msg(ja="分散 σ² を通る経路 (dvar の項) が抜けています",
                                 en="the path through the variance σ² (the dvar term) is missing")),
    ])


@check("BatchNormalization", 1, ja="backward の dgamma, dbeta を数値微分と比較",
       en="backward's dgamma and dbeta against a numerical gradient")
def test_bn_backward_dgamma_dbeta(learner):
    x, gamma, beta = _bn_data(17, n=5)
    dout = np.random.default_rng(18).normal(size=x.shape)
    bn = learner.BatchNormalization(gamma.copy(), beta.copy())
    bn.forward(x.copy(), True)
    _, dgamma, dbeta = _bn_backward_result(bn, dout.copy())

    num = central_difference(lambda g, b: np.sum(_bn_train(x, g, b) * dout), {"g": gamma, "b": beta}, 1e-5)
    num_g, num_b = num["g"], num["b"]
    xn = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + EPS)
    not_stored = Msg(ja="backward の中で self.dgamma と self.dbeta に保存してください (書籍と同じ)",
                     en="store self.dgamma and self.dbeta inside backward (as the book does)")
    if dgamma is None or dbeta is None:
        fail(not_stored.ja, not_stored.en)
    expect_array(dgamma, num_g, what="dgamma", rtol=1e-3, atol=1e-4, variants=[
        Variant(np.sum(x * dout, axis=0), Msg(ja="Σ x·dout になっています。正規化後の x̂ を使って Σ x̂·dout です",
                                              en="this is Σ x·dout; use the normalised x̂: Σ x̂·dout")),
        Variant(xn * dout, Msg(ja="バッチ方向に合計していません (形状 (D,) にするため axis=0 で sum)",
                               en="not summed over the batch (sum over axis=0 to get shape (D,))")),
        Variant(np.mean(xn * dout, axis=0), Msg(ja="平均をとっています。axis=0 の合計です",
                                                en="averaged; it is the sum over axis=0")),
        Variant(num_b, Msg(ja="dgamma と dbeta が入れ替わっています", en="dgamma and dbeta are swapped")),
    ])
    expect_array(dbeta, num_b, what="dbeta", rtol=1e-3, atol=1e-4, variants=[
        Variant(dout, Msg(ja="バッチ方向に合計していません (dbeta = dout.sum(axis=0))",
                          en="not summed over the batch (dbeta = dout.sum(axis=0))")),
        Variant(dout.mean(axis=0), Msg(ja="平均をとっています。axis=0 の合計です",
                                       en="averaged; it is the sum over axis=0")),
    ])
