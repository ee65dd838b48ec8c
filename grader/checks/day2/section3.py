"""Hidden checks of day2.section3 (過学習 / overfitting and regularization)."""

from __future__ import annotations

import numpy as np

from grader.engine.api import Msg, Variant, as_array, check, expect_array, expect_close, expect_equal, fail

W_HAND = np.array([[1.0, -2.0], [3.0, 0.5]])  # ΣW² = 14.25, Σ|W| = 6.5, ΣW = 2.5
LAM = 0.1


def _random_w(seed: int, shape: tuple[int, ...] = (3, 4, 2)) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=shape)


def _expect_unchanged(W: np.ndarray, W0: np.ndarray) -> None:
    expect_array(W, W0, what="W (呼び出し後の引数 / the argument after the call)", variants=[
        Variant(W0 * LAM, Msg(ja="引数 W を書き換えています (W *= lam など)。新しい配列を返してください",
                              en="the argument W was changed in place (W *= lam or similar); return a new array"))])


# ---------------------------------------------------------------- L2

def _l2_penalty_variants(W: np.ndarray, lam: float) -> list[Variant]:
    s2 = float(np.sum(W**2))
    return [
        Variant(lam * s2, Msg(ja="λ·ΣW² になっています。このコースの規約は ½·λ·ΣW² です (微分すると λ·W になるように ½ を付ける)",
                              en="this is λ·ΣW²; the course's convention is ½·λ·ΣW² (the ½ makes the gradient λ·W)")),
        Variant(0.5 * s2, Msg(ja="λ を掛け忘れています (½·ΣW²)", en="λ is missing (½·ΣW²)")),
        Variant(lam * float(np.sum(np.abs(W))), Msg(ja="λ·Σ|W| は L1 正則化です。L2 は ½·λ·ΣW² です",
                                                     en="λ·Σ|W| is the L1 penalty; L2 is ½·λ·ΣW²")),
        Variant(0.5 * lam * np.sqrt(s2), Msg(ja="ノルム ‖W‖ を二乗していません。½·λ·ΣW² (二乗和) です",
                                             en="the norm ‖W‖ is not squared; it is ½·λ·ΣW² (the sum of squares)")),
        Variant(0.5 * lam * float(np.sum(W)) ** 2, Msg(ja="(ΣW)² になっています。各要素を二乗してから足します (ΣW²)",
                                                        en="this is (ΣW)²; square each element, then sum (ΣW²)")),
    ]


@check("l2_penalty", 1, ja="手計算の例: ½·0.1·14.25", en="hand-computed example: ½·0.1·14.25", public=True)
def test_l2_penalty_hand(learner):
    got = learner.l2_penalty(W_HAND.copy(), LAM)
    expect_close(got, 0.7125, what="l2_penalty(W, 0.1)", variants=_l2_penalty_variants(W_HAND, LAM))


@check("l2_penalty", 1, ja="任意の形状の W でスカラーを返す", en="a scalar for W of any shape")
def test_l2_penalty_any_shape(learner):
    W = _random_w(301)
    got = learner.l2_penalty(W.copy(), 0.03)
    if isinstance(got, np.ndarray) and got.ndim > 0:
        fail(f"形状 {got.shape} の配列が返りました。全要素の和 (np.sum, axis なし) のスカラーを返してください",
             f"returned an array of shape {got.shape}; return a scalar, the sum over all elements (np.sum, no axis)")
    expect_close(got, 0.5 * 0.03 * sum(v * v for v in W.ravel()), what="l2_penalty(W, 0.03)  (W: (3, 4, 2))",
                 variants=_l2_penalty_variants(W, 0.03))


@check("l2_penalty", 1, ja="λ = 0 なら 0, 引数 W は変更しない", en="0 when λ = 0; W is not modified")
def test_l2_penalty_zero_lambda(learner):
    W = W_HAND.copy()
    expect_close(learner.l2_penalty(W, 0.0), 0.0, what="l2_penalty(W, 0.0)")
    _expect_unchanged(learner.last_call.args[0], W_HAND)


def _l2_grad_variants(W: np.ndarray, lam: float) -> list[Variant]:
    return [
        Variant(2 * lam * W, Msg(ja="2λ·W になっています。2λW は λ·ΣW² の勾配です。このコースの ½·λ·ΣW² では 2 が消えて λ·W です",
                                 en="this is 2λ·W, the gradient of λ·ΣW²; with the course's ½·λ·ΣW² the 2 cancels: λ·W")),
        Variant(W, Msg(ja="λ を掛け忘れています (W そのもの)", en="λ is missing (this is W itself)")),
        Variant(0.5 * lam * W, Msg(ja="½ が残っています。½·λ·W² を微分すると λ·W です",
                                   en="the ½ is still there: the derivative of ½·λ·W² is λ·W")),
        Variant(lam * np.sign(W), Msg(ja="λ·sign(W) は L1 の勾配です。L2 の勾配は λ·W です",
                                      en="λ·sign(W) is the L1 gradient; the L2 gradient is λ·W")),
        Variant(0.5 * lam * W**2, Msg(ja="正則化項そのもの (½·λ·W²) です。勾配は λ·W です",
                                      en="this is the penalty itself (½·λ·W²); the gradient is λ·W")),
    ]


@check("l2_grad", 1, ja="手計算の例", en="hand-computed example", public=True)
def test_l2_grad_hand(learner):
    got = learner.l2_grad(W_HAND.copy(), LAM)
    expect_array(got, [[0.1, -0.2], [0.3, 0.05]], what="l2_grad(W, 0.1)", variants=_l2_grad_variants(W_HAND, LAM))


@check("l2_grad", 1, ja="任意の形状の W", en="W of any shape")
def test_l2_grad_any_shape(learner):
    W = _random_w(302)
    got = learner.l2_grad(W.copy(), 0.03)
    expect_array(got, 0.03 * W, what="l2_grad(W, 0.03)  (W: (3, 4, 2))", variants=_l2_grad_variants(W, 0.03))


@check("l2_grad", 1, ja="引数 W を変更しない", en="does not modify W")
def test_l2_grad_keeps_w(learner):
    W = W_HAND.copy()
    got = learner.l2_grad(W, LAM)
    _expect_unchanged(learner.last_call.args[0], W_HAND)
    expect_array(got, LAM * W_HAND, what="l2_grad(W, 0.1)")


# ---------------------------------------------------------------- L1

def _l1_penalty_variants(W: np.ndarray, lam: float) -> list[Variant]:
    return [
        Variant(lam * float(np.sum(W**2)), Msg(ja="W² を使っています。W² は L2 です。L1 は絶対値 λ·Σ|W| です",
                                               en="W² used: squares belong to L2; L1 uses absolute values, λ·Σ|W|")),
        Variant(0.5 * lam * float(np.sum(W**2)), Msg(ja="½·λ·ΣW² は L2 正則化です。L1 は λ·Σ|W| です",
                                                     en="½·λ·ΣW² is the L2 penalty; L1 is λ·Σ|W|")),
        Variant(float(np.sum(np.abs(W))), Msg(ja="λ を掛け忘れています (Σ|W|)", en="λ is missing (Σ|W|)")),
        Variant(lam * float(np.sum(W)), Msg(ja="絶対値をとり忘れています (λ·ΣW)。負の重みが打ち消し合います",
                                            en="the absolute value is missing (λ·ΣW): negative weights cancel out")),
        Variant(0.5 * lam * float(np.sum(np.abs(W))), Msg(ja="L1 には ½ は付きません (λ·Σ|W|)",
                                                          en="L1 has no ½: λ·Σ|W|")),
    ]


@check("l1_penalty", 1, ja="手計算の例: 0.1·6.5", en="hand-computed example: 0.1·6.5", public=True)
def test_l1_penalty_hand(learner):
    got = learner.l1_penalty(W_HAND.copy(), LAM)
    expect_close(got, 0.65, what="l1_penalty(W, 0.1)", variants=_l1_penalty_variants(W_HAND, LAM))


@check("l1_penalty", 1, ja="任意の形状の W でスカラーを返す", en="a scalar for W of any shape")
def test_l1_penalty_any_shape(learner):
    W = _random_w(303)
    got = learner.l1_penalty(W.copy(), 0.03)
    if isinstance(got, np.ndarray) and got.ndim > 0:
        fail(f"形状 {got.shape} の配列が返りました。全要素の和 (np.sum, axis なし) のスカラーを返してください",
             f"returned an array of shape {got.shape}; return a scalar, the sum over all elements (np.sum, no axis)")
    expect_close(got, 0.03 * sum(abs(v) for v in W.ravel()), what="l1_penalty(W, 0.03)  (W: (3, 4, 2))",
                 variants=_l1_penalty_variants(W, 0.03))


@check("l1_penalty", 1, ja="λ = 0 なら 0, 引数 W は変更しない", en="0 when λ = 0; W is not modified")
def test_l1_penalty_zero_lambda(learner):
    W = W_HAND.copy()
    expect_close(learner.l1_penalty(W, 0.0), 0.0, what="l1_penalty(W, 0.0)")
    _expect_unchanged(learner.last_call.args[0], W_HAND)


def _l1_grad_variants(W: np.ndarray, lam: float) -> list[Variant]:
    return [
        Variant(np.sign(W), Msg(ja="λ を掛け忘れています (sign(W))", en="λ is missing (sign(W))")),
        Variant(lam * W, Msg(ja="λ·W は L2 の勾配です。L1 の勾配は λ·sign(W) です",
                             en="λ·W is the L2 gradient; the L1 gradient is λ·sign(W)")),
        Variant(lam * np.abs(W), Msg(ja="λ·|W| は勾配ではありません。|W| の微分は sign(W) です",
                                     en="λ·|W| is not the gradient; the derivative of |W| is sign(W)")),
        Variant(2 * lam * W, Msg(ja="2λ·W は λ·ΣW² (L2) の勾配です。L1 の勾配は λ·sign(W) です",
                                 en="2λ·W is the gradient of λ·ΣW² (L2); the L1 gradient is λ·sign(W)")),
    ]


@check("l1_grad", 1, ja="手計算の例", en="hand-computed example", public=True)
def test_l1_grad_hand(learner):
    got = learner.l1_grad(W_HAND.copy(), LAM)
    expect_array(got, [[0.1, -0.1], [0.1, 0.1]], what="l1_grad(W, 0.1)", variants=_l1_grad_variants(W_HAND, LAM))


@check("l1_grad", 1, ja="W = 0 の要素 (劣勾配: −λ〜λ なら可)", en="entries with W = 0 (any subgradient in [−λ, λ])")
def test_l1_grad_at_zero(learner):
    W = np.array([0.0, 2.0, 0.0, -0.5, 0.0])
    got = learner.l1_grad(W.copy(), LAM)
    expected = LAM * np.sign(W)
    accept = []
    g = as_array(got, "l1_grad(W, 0.1)", expected)
    if g.shape == W.shape and np.all(np.abs(g[W == 0]) <= LAM * (1 + 1e-9)):
        alt = expected.copy()
        alt[W == 0] = g[W == 0]  # |W| は 0 で微分できない: [−λ, λ] のどの値も劣勾配
        accept.append(alt)
    expect_array(got, expected, what="l1_grad(W, 0.1)  (W = [0, 2, 0, −0.5, 0])", accept=accept,
                 variants=_l1_grad_variants(W, LAM))


@check("l1_grad", 1, ja="任意の形状の W, 引数は変更しない", en="W of any shape; W is not modified")
def test_l1_grad_any_shape(learner):
    W = _random_w(304)
    W0 = W.copy()
    got = learner.l1_grad(W, 0.03)
    expect_array(got, 0.03 * np.sign(W0), what="l1_grad(W, 0.03)  (W: (3, 4, 2))",
                 variants=_l1_grad_variants(W0, 0.03))
    expect_array(learner.last_call.args[0], W0, what="W (呼び出し後の引数 / the argument after the call)")


# ---------------------------------------------------------------- Dropout (statistical)

BOOK = Msg(ja="書籍の形 (学習時 x·mask, テスト時 x·(1 − ratio))", en="the book's form (train x·mask, test x·(1 − ratio))")
INVERTED = Msg(ja="inverted dropout (学習時 x·mask/(1 − ratio), テスト時 x)",
               en="inverted dropout (train x·mask/(1 − ratio), test x)")


def _recognise(out, x: np.ndarray, p: float, what: str) -> tuple[str, np.ndarray]:
    """Which form a training output has ("book" or "inverted") and its keep mask; fail naming what it is not."""
    out = as_array(out, what, x)
    if out.shape != x.shape:
        fail(f"{what} の形状が {out.shape} です。期待: {x.shape} (入力と同じ)",
             f"{what} has shape {out.shape}, expected {x.shape} (the input's)")
    kept = out != 0
    if kept.all():
        if np.allclose(out, x * (1 - p)):
            fail(f"{what}: 学習時 (train_flg=True) にテスト時の出力 x·(1 − ratio) を返しています。学習時は要素をランダムに 0 にします",
                 f"{what}: training (train_flg=True) returned the test-mode output x·(1 − ratio); training sets"
                 " random elements to 0")
        fail(f"{what}: 学習時に 0 になった要素がありません。確率 dropout_ratio で要素を 0 にします",
             f"{what}: no element was set to 0 in training; drop each element with probability dropout_ratio")
    if not kept.any():
        fail(f"{what}: すべての要素が 0 です", f"{what}: every element is 0")
    r = out[kept] / x[kept]
    if np.allclose(r, 1.0):
        return "book", kept
    if np.allclose(r, 1.0 / (1.0 - p)):
        return "inverted", kept
    if np.allclose(r, 1.0 / p):
        fail(f"{what}: 残った要素が 1/ratio 倍です。inverted dropout なら残す確率 1 − ratio で割ります",
             f"{what}: kept elements are scaled by 1/ratio; inverted dropout divides by the keep probability 1 − ratio")
    if np.allclose(r, 1.0 - p):
        fail(f"{what}: 学習時に残った要素を (1 − ratio) 倍しています。書籍の形では学習時は x のまま (テスト時に (1 − ratio) 倍),"
             " inverted dropout なら 1/(1 − ratio) 倍です",
             f"{what}: kept elements are scaled by (1 − ratio) in training; the book keeps x as is (and scales in test"
             " mode), inverted dropout multiplies by 1/(1 − ratio)")
    fail(f"{what}: 残った要素は x (書籍の形) か x/(1 − ratio) (inverted dropout) のどちらかです",
         f"{what}: kept elements must be x (the book's form) or x/(1 − ratio) (inverted dropout)")
    raise AssertionError("unreachable")


def _expect_keep_fraction(kept: np.ndarray, p: float, what: str) -> None:
    frac = float(kept.mean())
    if abs(frac - (1 - p)) <= 0.01:  # n ≥ 10,000: 標準誤差は 0.005 以下 (どの乱数の引き方でも公平)
        return
    nums_ja = f" (残った割合 {frac:.3f}, 期待 1 − {p} = {1 - p:.3f}, 要素数 {kept.size})"
    nums_en = f" (kept fraction {frac:.3f}, expected 1 − {p} = {1 - p:.3f}, {kept.size} elements)"
    if abs(frac - p) <= 0.01:
        fail(f"{what}: dropout_ratio は 0 にする (捨てる) 割合です。mask = rand > dropout_ratio で残すのは 1 − ratio"
             + nums_ja,
             f"{what}: dropout_ratio is the fraction dropped, not kept; mask = rand > dropout_ratio keeps 1 − ratio"
             + nums_en)
    fail(f"{what}: 残った要素の割合が違います" + nums_ja, f"{what}: the fraction of kept elements is wrong" + nums_en)


@check("Dropout", 2, ja="学習時: 割合 1 − ratio の要素を残す (統計的に確認)",
       en="training keeps a fraction 1 − ratio of the elements (checked statistically)")
def test_dropout_train(learner):
    p = 0.3
    x = np.random.default_rng(305).uniform(0.5, 1.5, size=(200, 500))
    d = learner.Dropout(p)
    out = d.forward(x.copy(), True)
    _, kept = _recognise(out, x, p, "forward(x, train_flg=True)  (dropout_ratio=0.3)")
    _expect_keep_fraction(kept, p, "forward(x, train_flg=True)  (dropout_ratio=0.3)")


@check("Dropout", 2, ja="テスト時の出力が学習時の形と揃っている", en="test-mode output agrees with the training form")
def test_dropout_test_mode(learner):
    p = 0.3
    d = learner.Dropout(p)
    ones = np.ones((100, 100))
    form, _ = _recognise(d.forward(ones.copy(), True), ones, p, "forward(x, train_flg=True)  (dropout_ratio=0.3)")
    x = np.random.default_rng(306).normal(size=(4, 5))
    got = d.forward(x.copy(), False)
    what = "forward(x, train_flg=False)"
    if form == "book":
        expect_array(got, x * (1 - p), what=what, variants=[
            Variant(x, Msg(ja="認識した形: " + BOOK.ja + "。学習時に x のまま残すので, テスト時は期待値を合わせるため"
                              " x·(1 − ratio) を返します (x をそのまま返すのは inverted dropout のテスト時です)",
                           en="recognised " + BOOK.en + ": training keeps x unscaled, so test mode returns x·(1 − ratio)"
                              " to match the expected output (returning x is inverted dropout's test mode)")),
            Variant(x * p, Msg(ja="ratio 倍になっています。残す確率 1 − ratio を掛けます",
                               en="scaled by ratio; multiply by the keep probability 1 − ratio")),
            Variant(x / (1 - p), Msg(ja="1/(1 − ratio) 倍は inverted dropout の学習時の倍率です。テスト時は x·(1 − ratio)",
                                     en="1/(1 − ratio) is inverted dropout's training scale; test mode is x·(1 − ratio)")),
        ])
    else:
        expect_array(got, x, what=what, variants=[
            Variant(x * (1 - p), Msg(ja="認識した形: " + INVERTED.ja + "。学習時にすでに 1/(1 − ratio) 倍しているので,"
                                        " テスト時は x をそのまま返します ((1 − ratio) を掛けると二重に縮みます)",
                                     en="recognised " + INVERTED.en + ": training already scaled by 1/(1 − ratio), so"
                                        " test mode returns x unchanged (multiplying by 1 − ratio shrinks it twice)")),
        ])


@check("Dropout", 2, ja="backward は forward と同じ mask を使う", en="backward uses the forward's mask")
def test_dropout_backward(learner):
    p = 0.4
    rng = np.random.default_rng(307)
    x = rng.uniform(0.5, 1.5, size=(50, 40)) * rng.choice([-1.0, 1.0], size=(50, 40))
    dout = rng.uniform(0.5, 1.5, size=(50, 40)) * rng.choice([-1.0, 1.0], size=(50, 40))
    d = learner.Dropout(p)
    form, kept = _recognise(d.forward(x.copy(), True), x, p, "forward(x, train_flg=True)  (dropout_ratio=0.4)")
    got = as_array(d.backward(dout.copy()), "backward(dout)", dout)
    scale = 1.0 if form == "book" else 1.0 / (1.0 - p)
    recognised = BOOK if form == "book" else INVERTED
    variants = [
        Variant(dout, Msg(ja="dout をそのまま返しています。forward で 0 にした要素の勾配も 0 です (dout · mask)",
                          en="dout returned unchanged; the elements dropped in forward get gradient 0 (dout · mask)")),
        Variant(dout * (1 - p), Msg(ja="テスト時の倍率 (1 − ratio) を掛けています。backward は forward の mask を掛けます",
                                    en="multiplied by the test-mode scale (1 − ratio); backward multiplies by the forward's mask")),
    ]
    if form == "inverted":
        variants.append(Variant(dout * kept, Msg(
            ja="認識した形: " + INVERTED.ja + "。forward で 1/(1 − ratio) 倍したので backward も同じ倍率を掛けます",
            en="recognised " + INVERTED.en + ": forward scaled by 1/(1 − ratio), so backward scales the same way")))
    else:
        variants.append(Variant(dout * kept / (1 - p), Msg(
            ja="認識した形: " + BOOK.ja + "。forward で倍率を掛けていないので backward も dout · mask です",
            en="recognised " + BOOK.en + ": forward did not scale, so backward is dout · mask")))
    for v in variants:
        if got.shape == dout.shape and np.allclose(got, v.value):
            fail(f"backward(dout): {v.why.ja}", f"backward(dout): {v.why.en}")
    if got.shape == dout.shape and np.any((got != 0) != kept):
        n_bad = int(np.sum((got != 0) != kept))
        fail(f"backward(dout): dx の 0 の位置が forward で 0 にした位置と {n_bad} 個ずれています。新しく乱数を引かず,"
             " forward で保存した self.mask を使ってください",
             f"backward(dout): the zeros of dx differ from the elements forward dropped at {n_bad} places; do not draw"
             " new random numbers, use the self.mask saved in forward")
    expect_array(got, dout * kept * scale, what=Msg(ja=f"backward(dout) (認識した形: {recognised.ja})",
                                                    en=f"backward(dout) (recognised {recognised.en})"))


@check("Dropout", 1, ja="forward のたびに新しい mask (既定 ratio 0.5, train_flg の既定は True)",
       en="a new mask on every forward (default ratio 0.5, train_flg defaults to True)")
def test_dropout_fresh_mask(learner):
    x = np.ones((100, 100))
    d = learner.Dropout()
    _, kept1 = _recognise(d.forward(x.copy()), x, 0.5, "forward(x)  (Dropout(), 1 回目 / 1st call)")
    _, kept2 = _recognise(d.forward(x.copy()), x, 0.5, "forward(x)  (Dropout(), 2 回目 / 2nd call)")
    _expect_keep_fraction(kept1, 0.5, "forward(x)  (Dropout())")
    if np.array_equal(kept1, kept2):
        fail("2 回の forward で mask が同じです。学習時の forward のたびに新しい mask を引きます",
             "two forward calls used the same mask; draw a new mask on every training forward")


# ---------------------------------------------------------------- ridge_fit


def _ridge_reference(X: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    """Independent route: least squares on the augmented system [X; √λ I] w ≈ [y; 0]."""
    D = X.shape[1]
    A = np.vstack([X, np.sqrt(lam) * np.eye(D)])
    b = np.concatenate([y, np.zeros(D)])
    return np.linalg.lstsq(A, b, rcond=None)[0]


def _ridge_variants(X: np.ndarray, y: np.ndarray, lam: float) -> list[Variant]:
    G, r = X.T @ X, X.T @ y
    D, N = X.shape[1], X.shape[0]
    out = [
        Variant(np.linalg.solve(G + lam, r), Msg(
            ja="XᵀX + λ で全要素に λ を足しています。対角だけに足すので λ·np.eye(D) です",
            en="XᵀX + λ adds λ to every entry; it goes on the diagonal only: λ·np.eye(D)")),
        Variant(np.linalg.solve(G + 2 * lam * np.eye(D), r), Msg(
            ja="λ が 2 倍になっています。‖Xw − y‖² + λ‖w‖² を微分して 2 で割ると (XᵀX + λI)w = Xᵀy です",
            en="λ is doubled: differentiating ‖Xw − y‖² + λ‖w‖² and dividing by 2 gives (XᵀX + λI)w = Xᵀy")),
        Variant(np.linalg.solve(G + N * lam * np.eye(D), r), Msg(
            ja="λ に N が掛かっています (誤差を N で割る平均の形)。この演習の目的関数は和 ‖Xw − y‖² です",
            en="λ is multiplied by N (the averaged-error form); this exercise's objective is the sum ‖Xw − y‖²")),
    ]
    if lam > 0:
        out.insert(0, Variant(np.linalg.lstsq(X, y, rcond=None)[0], Msg(
            ja="λ が効いていません (普通の最小二乗法の解)。(XᵀX + λI)w = Xᵀy です",
            en="λ has no effect (the ordinary least-squares solution); solve (XᵀX + λI)w = Xᵀy")))
    return out


def _expect_ridge(got, X: np.ndarray, y: np.ndarray, lam: float, what: str) -> None:
    want = _ridge_reference(X, y, lam)
    g = as_array(got, what, want)
    if g.shape == (X.shape[1], 1):
        fail(f"{what} の形状が {g.shape} です。y: (N,) に対して w: (D,) を返してください (reshape しない)",
             f"{what} has shape {g.shape}; for y: (N,) return w: (D,) (no column vector)")
    if g.shape == (X.shape[0],):
        fail(f"{what} の形状が (N,) = {g.shape} です。XᵀX (D×D) ではなく XXᵀ (N×N) を使っていませんか。w は (D,) です",
             f"{what} has shape (N,) = {g.shape}: X Xᵀ (N×N) used instead of XᵀX (D×D)? w is (D,)")
    expect_array(g, want, what=what, rtol=1e-6, atol=1e-9, variants=_ridge_variants(X, y, lam))


@check("ridge_fit", 2, ja="小さな例 (閉形式解)", en="a small example (closed form)")
def test_ridge_small(learner):
    X = np.array([[1.0, 2.0], [2.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y = np.array([3.0, 1.0, 2.0, 1.0])
    _expect_ridge(learner.ridge_fit(X.copy(), y.copy(), 0.5), X, y, 0.5, "ridge_fit(X, y, 0.5)")


@check("ridge_fit", 2, ja="ランダムなデータ (N=30, D=5)", en="random data (N=30, D=5)")
def test_ridge_random(learner):
    rng = np.random.default_rng(308)
    X = rng.normal(size=(30, 5))
    y = X @ np.array([1.0, -2.0, 0.5, 0.0, 3.0]) + 0.1 * rng.normal(size=30)
    _expect_ridge(learner.ridge_fit(X.copy(), y.copy(), 2.0), X, y, 2.0, "ridge_fit(X, y, 2.0)")


@check("ridge_fit", 1, ja="λ = 0 は最小二乗法, λ が大きいと w → 0", en="λ = 0 is least squares; a large λ drives w to 0")
def test_ridge_limits(learner):
    rng = np.random.default_rng(309)
    X = rng.normal(size=(12, 3))
    y = rng.normal(size=12)
    _expect_ridge(learner.ridge_fit(X.copy(), y.copy(), 0.0), X, y, 0.0, "ridge_fit(X, y, 0.0)")
    _expect_ridge(learner.ridge_fit(X.copy(), y.copy(), 1e6), X, y, 1e6, "ridge_fit(X, y, 1e6)")


# ---------------------------------------------------------------- crop


def _crop_variants(image: np.ndarray, top: int, bottom: int, left: int, right: int) -> list[Variant]:
    return [
        Variant(image[left:right, top:bottom, :], Msg(
            ja="縦と横が逆です。1 番目の軸が高さ (行: top:bottom), 2 番目が幅 (列: left:right) です",
            en="height and width are swapped: axis 0 is the height (rows, top:bottom), axis 1 the width (columns, left:right)")),
        Variant(image[top:bottom][left:right], Msg(
            ja="image[top:bottom][left:right] は 2 回とも 1 番目の軸を切ります。image[top:bottom, left:right, :] と 1 回で書きます",
            en="image[top:bottom][left:right] slices axis 0 twice; write image[top:bottom, left:right, :] in one go")),
        Variant(image[top:bottom + 1, left:right + 1, :], Msg(
            ja="bottom と right まで含めています。Python のスライスと同じく終わりは含みません",
            en="bottom and right were included; as in Python slices the end is excluded")),
        Variant(image[top:bottom, left:right, :].transpose(2, 0, 1), Msg(
            ja="形状が (C, H, W) になっています。(H, W, C) のまま返します",
            en="the result is (C, H, W); keep (H, W, C)")),
    ]


@check("crop", 2, ja="小さな画像の切り取り", en="crop of a small image", public=True)
def test_crop_small(learner):
    image = np.arange(6 * 8 * 3, dtype=float).reshape(6, 8, 3)
    got = learner.crop(image.copy(), 1, 4, 2, 7)
    expect_array(got, image[1:4, 2:7, :], what="crop(image, top=1, bottom=4, left=2, right=7)  (image: (6, 8, 3))",
                 variants=_crop_variants(image, 1, 4, 2, 7))


@check("crop", 1, ja="縦は全部, 横の一部 (4 チャンネル)", en="full height, part of the width (4 channels)")
def test_crop_full_height(learner):
    image = np.random.default_rng(310).uniform(size=(7, 9, 4))
    got = learner.crop(image.copy(), 0, 7, 3, 9)
    expect_array(got, image[0:7, 3:9, :], what="crop(image, 0, 7, 3, 9)  (image: (7, 9, 4))",
                 variants=_crop_variants(image, 0, 7, 3, 9))


@check("crop", 1, ja="uint8 画像: 値と形状をそのまま保つ", en="a uint8 image: values and shape kept")
def test_crop_uint8(learner):
    image = np.random.default_rng(311).integers(0, 256, size=(10, 12, 3)).astype(np.uint8)
    got = learner.crop(image.copy(), 2, 9, 1, 5)
    g = as_array(got, "crop(image, 2, 9, 1, 5)  (image: (10, 12, 3), uint8)", image.astype(float))
    expect_equal(list(g.shape), [7, 4, 3], what="crop(image, 2, 9, 1, 5) の形状 / shape", variants=[
        Variant(list(v.value.shape), v.why) for v in _crop_variants(image, 2, 9, 1, 5)])
    expect_array(g, image[2:9, 1:5, :].astype(float), what="crop(image, 2, 9, 1, 5)")
