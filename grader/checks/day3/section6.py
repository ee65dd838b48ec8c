"""Hidden checks of day3.section6 (Word2vec): contexts/target, cos_similarity, SimpleCBOW, EmbeddingDot,
UnigramSampler and NegativeSamplingLoss.

The oracle is written here from the formulas, never from solutions/:
- contexts and targets with explicit index loops (and the edge-crossing / target-included slips);
- CBOW and negative-sampling losses written out with loops over the batch, the weights drawn from the same seeded
  Generator in the documented order; the expected value of every backward is a central-difference numerical
  gradient of that loss (float64), or a derivation by hand on the docstrings' examples;
- the sampler is checked on its probabilities (word_p) exactly and on its draws statistically: a seeded rng, many
  rows, a generous tolerance (about 4 standard deviations), and never the row's own target.

The proxy returns attributes as copies (`model.grads`, `sampler.word_p`), read after the calls.
"""

from __future__ import annotations

import math

import numpy as np

from grader.engine.api import (
    Msg,
    Text,
    Variant,
    as_array,
    central_difference,
    check,
    expect_array,
    expect_close,
    expect_equal,
    fail,
)

FWD = {"rtol": 1e-5, "atol": 1e-7}  # forward values (float32 weights stay within)
LOSS = {"rtol": 1e-5, "atol": 1e-5}  # losses (the provided cross entropy adds δ = 1e-7 inside the log)
GRAD = {"rtol": 1e-4, "atol": 1e-6}  # gradients against a central difference
EPS = 1e-6  # the central difference's step (float64, the check's own computation)
DELTA = 1e-7  # the book's δ in cross_entropy_error (the provided _cross_entropy_error)

# ---------------------------------------------------------------- misconceptions (named in the feedback)

EDGE = Msg(
    ja="窓がコーパスの端をはみ出しています (corpus edge): 左右に window_size 個ずつ取れない両端の位置はターゲットに"
       "しません。idx は window_size から len(corpus) − window_size − 1 までです (負の添字で折り返したり埋めたりしない)",
    en="the window crosses the corpus edge: a position without window_size words on each side is not a target; "
       "idx runs from window_size to len(corpus) − window_size − 1 (no wrap-around through negative indices, no "
       "padding)",
)
TARGET_IN_CONTEXT = Msg(ja="コンテキストにターゲット自身が入っています: t = 0 (中央) は飛ばします",
                        en="the target itself is among the contexts: skip t = 0 (the centre)")
CONTEXT_ORDER = Msg(ja="コンテキストの並びが違います: 左から右へ t = −w, …, −1, 1, …, w の順に並べます",
                    en="the contexts are out of order: list them left to right, t = −w, …, −1, 1, …, w")
NO_EPS = Msg(ja="eps が足されていません: 零ベクトルで 0 除算になります。nx = x / (√(Σx²) + eps) のように各ノルムに足します",
             en="eps is missing: a zero vector divides by zero; add it to each norm, nx = x / (√(Σx²) + eps)")
EPS_ON_PRODUCT = Msg(
    ja="eps を積 ‖x‖‖y‖ に 1 回だけ足しています (eps on the product): 本と同じく各ノルムに足します "
       "(nx = x / (‖x‖ + eps), ny = y / (‖y‖ + eps))",
    en="eps added once to the product ‖x‖‖y‖ (eps on the product): add it to each norm as the book does "
       "(nx = x / (‖x‖ + eps), ny = y / (‖y‖ + eps))",
)
NO_NORM = Msg(ja="ノルムで割っていません: コサイン類似度は x·y / (‖x‖‖y‖) です",
              en="not divided by the norms: the cosine similarity is x·y / (‖x‖‖y‖)")
NO_SQRT = Msg(ja="ノルムの平方根を取っていません: ‖x‖ = √(Σ x²)", en="the norm has no square root: ‖x‖ = √(Σ x²)")
CBOW_SUM = Msg(ja="2 つのコンテキストを平均せず足しています: h = 0.5·(h0 + h1)",
               en="the two contexts are summed, not averaged: h = 0.5·(h0 + h1)")
CBOW_ONE = Msg(ja="片方のコンテキストしか使っていません: h = 0.5·(h0 + h1) で、h0 = contexts[:, 0]·W_in, "
                  "h1 = contexts[:, 1]·W_in です",
               en="only one context is used: h = 0.5·(h0 + h1) with h0 = contexts[:, 0]·W_in and "
                  "h1 = contexts[:, 1]·W_in")
CBOW_NO_HALF = Msg(ja="逆伝播で 0.5 を掛けていません: 順伝播の平均 h = 0.5·(h0 + h1) の逆伝播は da *= 0.5 です",
                   en="the backward does not multiply by 0.5: the mean h = 0.5·(h0 + h1) backpropagates as da *= 0.5")
CBOW_ONE_BACK = Msg(
    ja="W_in の勾配が片方のコンテキストの分しかありません: in_layer0 と in_layer1 の両方に da を逆伝播します "
       "(W_in の勾配は grads[0] + grads[1])",
    en="W_in's gradient has only one context's share: backpropagate da into both in_layer0 and in_layer1 "
       "(W_in's gradient is grads[0] + grads[1])",
)
WORD_VECS_OUT = Msg(ja="word_vecs が W_out になっています: 単語の分散表現は入力側の重み W_in (V, H) の各行です",
                    en="word_vecs is W_out: the word vectors are the rows of the input-side weight W_in (V, H)")
DOT_SUM_ALL = Msg(ja="全体の和になっています: out[n] = Σ_k W[idx[n], k]·h[n, k] は行ごとの内積で、(N,) です",
                  en="summed over everything: out[n] = Σ_k W[idx[n], k]·h[n, k] is a row-wise dot product, shape (N,)")
DOT_OVERWRITE = Msg(
    ja="同じ単語 ID の勾配が上書きされています: idx に同じ ID が何度も出るときは dW[idx] = dout ではなく "
       "np.add.at(dW, idx, dout) で足し合わせます",
    en="the gradients of a repeated word id overwrite each other: when an id occurs several times in idx, use "
       "np.add.at(dW, idx, dout), not dW[idx] = dout",
)
DOT_NO_DOUT = Msg(ja="dout を掛けていません: dh = dout[:, None]·target_W, dtarget_W = dout[:, None]·h (連鎖律)",
                  en="dout is not multiplied in: dh = dout[:, None]·target_W, dtarget_W = dout[:, None]·h (chain rule)")
DOT_SWAPPED = Msg(ja="dh と dtarget_W が入れ替わっています: dh = dout·target_W (W の行)、dtarget_W = dout·h です",
                  en="dh and dtarget_W are swapped: dh = dout·target_W (the rows of W) and dtarget_W = dout·h")
NO_POWER = Msg(ja="出現回数を 0.75 乗していません (power): P(w) ∝ count(w)^0.75 で低頻度語を少し持ち上げます",
               en="the counts are not raised to the power 0.75: P(w) ∝ count(w)^0.75 lifts the rare words a little")
NOT_NORMALISED = Msg(ja="確率が正規化されていません: word_p /= np.sum(word_p) で和を 1 にします",
                     en="the probabilities are not normalised: word_p /= np.sum(word_p) makes them sum to 1")
NEG_TARGET = Msg(
    ja="負例に正解 (ターゲット) が入っています (negatives including the target): 行ごとに p[target[i]] = 0 にして "
       "正規化し直してから引きます",
    en="the negatives include the target: for each row set p[target[i]] = 0 and renormalise before drawing",
)
NEG_UNIFORM = Msg(ja="負例が一様分布から引かれています: p = word_p (0.75 乗したユニグラム分布) を rng.choice に渡します",
                  en="the negatives are drawn uniformly: pass p = word_p (the unigram distribution to the 0.75) to "
                     "rng.choice")
GLOBAL_RNG = Msg(
    ja="渡された rng を使っていません (グローバルな np.random?): 同じ seed の rng なら同じ負例になるよう "
       "self.rng.choice で引きます",
    en="the given rng is not used (the global np.random?): draw with self.rng.choice so that the same seed gives "
       "the same negatives",
)
SIGN = Msg(
    ja="シグモイド損失のラベル (符号) が逆です (sigmoid-loss sign): 正例はラベル 1 (−log σ(s))、負例はラベル 0 "
       "(−log(1 − σ(s))) です",
    en="the sigmoid-loss labels (its sign) are swapped: the positive has label 1 (−log σ(s)) and the negatives "
       "label 0 (−log(1 − σ(s)))",
)
NEGATED = Msg(ja="損失の符号が逆です: 交差エントロピーは −log なので損失は正の値です",
              en="the loss has the wrong sign: the cross entropy is −log, so the loss is positive")
POS_ONLY = Msg(ja="負例の損失が足されていません: loss = 正例の損失 + Σ_i 負例 i の損失",
               en="the negatives' losses are not added: loss = the positive's loss + Σ_i negative i's loss")
DH_LAST_ONLY = Msg(
    ja="dh が 1 つのレイヤの分しかありません: h は正例と全負例の EmbeddingDot で共有されているので、各レイヤの dh を "
       "足し合わせます",
    en="dh holds one layer's share only: h is shared by the positive's and every negative's EmbeddingDot, so add "
       "up every layer's dh",
)

# ---------------------------------------------------------------- helpers


def _part(res, i: int):
    """res[i] of a returned tuple or list; anything else as it is (the comparison then names what came)."""
    return res[i] if isinstance(res, (tuple, list)) and len(res) > i else res


def _pair(res, what: str):
    if not (isinstance(res, (tuple, list)) and len(res) == 2):
        fail(f"{what} は (contexts, target) の 2 つ組を返します", f"{what} returns the pair (contexts, target)")
    return res


def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def _numerical(f, x: np.ndarray, batched: bool = False) -> np.ndarray:
    """∂f/∂x by central differences (float64); batched: f takes every perturbed copy of x at once (a leading axis)
    and returns one loss per copy."""
    return central_difference(lambda a: f(a), {"a": x}, EPS, batched=batched)["a"]


# ---------------------------------------------------------------- create_contexts_target


def _contexts(corpus, w: int, how: str = "ok"):
    """(contexts, target) with index loops; how = "wrap" (every position, indices wrapping round the corpus edge),
    "with_target" (t = 0 kept), "reversed" (right to left)."""
    L = len(corpus)
    positions = range(L) if how == "wrap" else range(w, L - w)
    offsets = [t for t in range(-w, w + 1) if t != 0 or how == "with_target"]
    if how == "reversed":
        offsets = offsets[::-1]
    ctx = [[int(corpus[(i + t) % L]) for t in offsets] for i in positions]
    tgt = [int(corpus[i]) for i in positions]
    return np.array(ctx, dtype=float), np.array(tgt, dtype=float)


def _ctx_variants(corpus, w: int, part: int) -> list[Variant]:
    out = [Variant(_contexts(corpus, w, "wrap")[part], EDGE)]
    if part == 0:
        out += [Variant(_contexts(corpus, w, "with_target")[0], TARGET_IN_CONTEXT),
                Variant(_contexts(corpus, w, "reversed")[0], CONTEXT_ORDER)]
    return out


BOOK_CORPUS = np.array([0, 1, 2, 3, 4, 1, 5, 6])  # "you say goodbye and i say hello ."


@check("create_contexts_target", 1, ja="例題: 本のコーパス (window_size = 1)",
       en="the docstring's example: the book's corpus (window_size = 1)", public=True)
def test_contexts_book(learner):
    # by hand: targets corpus[1:-1]; contexts [corpus[i − 1], corpus[i + 1]]
    want_ctx = np.array([[0, 2], [1, 3], [2, 4], [3, 1], [4, 5], [1, 6]])
    want_tgt = np.array([1, 2, 3, 4, 1, 5])
    res = learner.create_contexts_target(BOOK_CORPUS)
    expect_array(_part(res, 0), want_ctx, what="contexts", variants=_ctx_variants(BOOK_CORPUS, 1, 0))
    expect_array(_part(res, 1), want_tgt, what="target", variants=_ctx_variants(BOOK_CORPUS, 1, 1))


@check("create_contexts_target", 1, ja="window_size = 2、長さ 9 のコーパス", en="window_size = 2, a corpus of length 9")
def test_contexts_window2(learner):
    corpus = np.array([3, 0, 7, 1, 1, 5, 2, 6, 4])
    want_ctx, want_tgt = _contexts(corpus, 2)
    ctx, tgt = _pair(learner.create_contexts_target(corpus, window_size=2), "create_contexts_target")
    expect_array(ctx, want_ctx, what="contexts (window_size = 2)", variants=_ctx_variants(corpus, 2, 0))
    expect_array(tgt, want_tgt, what="target (window_size = 2)", variants=_ctx_variants(corpus, 2, 1))


# ---------------------------------------------------------------- cos_similarity


def _cos_variants(x, y) -> list[Variant]:
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    dot = float(np.sum(x * y))
    nx, ny = math.sqrt(float(np.sum(x * x))), math.sqrt(float(np.sum(y * y)))
    with np.errstate(divide="ignore", invalid="ignore"):
        no_eps = np.float64(dot) / np.float64(nx * ny)
    return [Variant(no_eps, NO_EPS), Variant(dot / (nx * ny + 1e-8), EPS_ON_PRODUCT), Variant(dot, NO_NORM),
            Variant(dot / ((nx * nx + 1e-8) * (ny * ny + 1e-8)), NO_SQRT)]


@check("cos_similarity", 1, ja="例題: [1, 0] と [1, 1] は 1/√2、零ベクトルは 0 (eps のおかげ)",
       en="the docstring's example: [1, 0] and [1, 1] give 1/√2, a zero vector 0 (thanks to eps)", public=True)
def test_cos_example(learner):
    x, y, z = np.array([1.0, 0.0]), np.array([1.0, 1.0]), np.array([0.0, 0.0])
    # by hand: 1 / (1 + 1e-8) · (1 / (√2 + 1e-8)) ≈ 1/√2; the zero vector: 0 / (0 + eps) = 0
    expect_close(learner.cos_similarity(x, y), 1 / (1 + 1e-8) / (math.sqrt(2) + 1e-8), what="cos_similarity([1, 0], [1, 1])",
                 rtol=1e-6, variants=_cos_variants(x, y)[2:])
    expect_close(learner.cos_similarity(z, y), 0.0, what="cos_similarity([0, 0], [1, 1])",
                 variants=[Variant(np.nan, NO_EPS)])


@check("cos_similarity", 1, ja="eps は各ノルムに足す (ごく短いベクトル) と D = 5 のベクトル",
       en="eps goes on each norm (very short vectors), and D = 5 vectors")
def test_cos_eps_placement(learner):
    x, y = np.array([3e-8, 4e-8]), np.array([4e-8, 3e-8])
    # by hand: x·y = 24e-16, ‖x‖ = ‖y‖ = 5e-8 → 24e-16 / (6e-8)² = 2/3 (no eps: 0.96; eps on the product: ≈ 2.4e-7)
    expect_close(learner.cos_similarity(x, y), 24 / 36, what="cos_similarity of two vectors of norm 5e-8",
                 rtol=1e-6, variants=_cos_variants(x, y))
    rng = np.random.default_rng(610)
    a, b = rng.normal(size=5), rng.normal(size=5)
    dot = sum(float(a[i] * b[i]) for i in range(5))
    want = dot / ((math.sqrt(sum(v * v for v in a)) + 1e-8) * (math.sqrt(sum(v * v for v in b)) + 1e-8))
    expect_close(learner.cos_similarity(a, b), want, what="cos_similarity (D = 5)", rtol=1e-7,
                 variants=_cos_variants(a, b)[2:])


# ---------------------------------------------------------------- SimpleCBOW


def _cbow_weights(V: int, H: int, seed: int):
    """W_in then W_out, 0.01·standard normal, float32 (the provided __init__'s order), as float64."""
    rng = np.random.default_rng(seed)
    W_in = (0.01 * rng.standard_normal((V, H)).astype("f")).astype(float)
    W_out = (0.01 * rng.standard_normal((H, V)).astype("f")).astype(float)
    return W_in, W_out


def _cbow_loss(W_in, W_out, contexts, target, how: str = "ok"):
    """Batch mean of −log(softmax(h·W_out)[t] + δ), h = 0.5·(c0·W_in + c1·W_in); how = "sum" / "one".

    W_in (…, V, H) or W_out (…, H, V) may carry a leading axis of perturbed copies: then one loss per copy."""
    h0, h1 = contexts[:, 0] @ W_in, contexts[:, 1] @ W_in  # (…, N, H)
    h = {"ok": 0.5 * (h0 + h1), "sum": h0 + h1, "one": h0}[how]
    s = h @ W_out  # (…, N, V)
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    y = e / e.sum(axis=-1, keepdims=True)
    t = np.argmax(target, axis=1)
    return -np.mean(np.log(y[..., np.arange(len(t)), t] + DELTA), axis=-1)


def _cbow_data(V: int, N: int, seed: int):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, V, size=(N, 3))
    E = np.eye(V)
    return E[ids[:, :2]], E[ids[:, 2]]


@check("SimpleCBOW", 1, ja="forward: 本のコーパスの損失 (V = 7, H = 5, rng seed 0)",
       en="forward: the loss on the book's corpus (V = 7, H = 5, rng seed 0)", public=True)
def test_cbow_forward_book(learner):
    E = np.eye(7)
    ctx = E[np.array([[0, 2], [1, 3], [2, 4], [3, 1], [4, 5], [1, 6]])]
    tgt = E[np.array([1, 2, 3, 4, 1, 5])]
    W_in, W_out = _cbow_weights(7, 5, 0)
    model = learner.SimpleCBOW(7, 5, np.random.default_rng(0))
    expect_close(model.forward(ctx, tgt), _cbow_loss(W_in, W_out, ctx, tgt), what="SimpleCBOW.forward(contexts, target)",
                 rtol=1e-7, atol=1e-9, variants=[Variant(_cbow_loss(W_in, W_out, ctx, tgt, "sum"), CBOW_SUM),
                                                 Variant(_cbow_loss(W_in, W_out, ctx, tgt, "one"), CBOW_ONE)])


@check("SimpleCBOW", 1, ja="forward: 実数値の入力 (MatMul は線形、N = 4, V = 6, H = 3)",
       en="forward: real-valued inputs (the MatMuls are linear; N = 4, V = 6, H = 3)")
def test_cbow_forward_real(learner):
    W_in, W_out = _cbow_weights(6, 3, 620)
    ctx = 300.0 * np.random.default_rng(621).normal(size=(4, 2, 6))  # large, so that h·W_out is not ≈ 0
    tgt = np.eye(6)[[0, 5, 2, 2]]
    model = learner.SimpleCBOW(6, 3, np.random.default_rng(620))
    expect_close(model.forward(ctx, tgt), _cbow_loss(W_in, W_out, ctx, tgt), what="SimpleCBOW.forward (real inputs)",
                 **FWD, variants=[Variant(_cbow_loss(W_in, W_out, ctx, tgt, "sum"), CBOW_SUM),
                                  Variant(_cbow_loss(W_in, W_out, ctx, tgt, "one"), CBOW_ONE)])


@check("SimpleCBOW", 2, ja="backward: W_in と W_out の勾配を数値微分と比較 (N = 5, V = 7, H = 4)",
       en="backward: the gradients of W_in and W_out against a numerical gradient (N = 5, V = 7, H = 4)")
def test_cbow_backward_numerical(learner):
    W_in, W_out = _cbow_weights(7, 4, 630)
    ctx, tgt = _cbow_data(7, 5, 631)
    want_in = _numerical(lambda w: _cbow_loss(w, W_out, ctx, tgt), W_in, batched=True)
    want_out = _numerical(lambda w: _cbow_loss(W_in, w, ctx, tgt), W_out, batched=True)
    half = [_numerical(lambda w, k=k: _cbow_loss(w, W_out, ctx[:, [k, k]], tgt), W_in, batched=True) / 2
            for k in (0, 1)]
    model = learner.SimpleCBOW(7, 4, np.random.default_rng(630))
    model.forward(ctx, tgt)
    model.backward()
    grads = model.grads
    if not isinstance(grads, (list, tuple)) or len(grads) < 2:
        fail("SimpleCBOW.grads は本と同じく [W_in の勾配, W_in の勾配, W_out の勾配] のリストです",
             "SimpleCBOW.grads is the list [W_in's gradient, W_in's gradient, W_out's gradient], as in the book")
    got_in = sum(np.asarray(g, dtype=float) for g in grads[:-1])
    expect_array(got_in, want_in, what=Text(ja="W_in の勾配 (grads[0] + grads[1])", en="W_in's gradient (grads[0] + grads[1])"),
                 **GRAD, variants=[Variant(2 * want_in, CBOW_NO_HALF), Variant(half[0], CBOW_ONE_BACK),
                                   Variant(half[1], CBOW_ONE_BACK)])
    expect_array(grads[-1], want_out, what="W_out's gradient (grads[2])", **GRAD)


@check("SimpleCBOW", 1, ja="word_vecs は W_in (seed から引いた重み)", en="word_vecs is W_in (the weights drawn from the seed)")
def test_cbow_word_vecs(learner):
    W_in, W_out = _cbow_weights(7, 5, 640)
    model = learner.SimpleCBOW(7, 5, np.random.default_rng(640))
    ctx, tgt = _cbow_data(7, 3, 641)
    model.forward(ctx, tgt)
    expect_array(model.word_vecs, W_in, what="SimpleCBOW.word_vecs", **FWD,
                 variants=[Variant(W_out, WORD_VECS_OUT), Variant(W_out.T, WORD_VECS_OUT)])


# ---------------------------------------------------------------- EmbeddingDot

DOT_W = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
DOT_H = np.array([[2.0, 3.0], [4.0, 5.0]])
DOT_IDX = np.array([2, 0])


@check("EmbeddingDot", 1, ja="例題: forward の内積と backward の dh", en="the docstring's example: forward's dot products and backward's dh",
       public=True)
def test_embedding_dot_example(learner):
    # by hand: W[2]·h[0] = 2 + 3 = 5, W[0]·h[1] = 4; dh = dout·W[idx] = [[1, 1], [1, 0]]
    layer = learner.EmbeddingDot(DOT_W)
    expect_array(layer.forward(DOT_H, DOT_IDX), np.array([5.0, 4.0]), what="EmbeddingDot.forward(h, idx)",
                 variants=[Variant(np.array(9.0), DOT_SUM_ALL)])
    expect_array(layer.backward(np.array([1.0, 1.0])), np.array([[1.0, 1.0], [1.0, 0.0]]),
                 what="EmbeddingDot.backward(dout) = dh", variants=[Variant(DOT_H, DOT_SWAPPED)])


def _dot_loss(W, h, idx, dout) -> float:
    return float(sum(dout[n] * sum(W[idx[n], k] * h[n, k] for k in range(h.shape[1])) for n in range(len(idx))))


@check("EmbeddingDot", 2, ja="backward: dh と dW を数値微分と比較 (同じ単語 ID が繰り返す idx、N = 5, V = 4, H = 3)",
       en="backward: dh and dW against a numerical gradient (repeated ids in idx; N = 5, V = 4, H = 3)")
def test_embedding_dot_numerical(learner):
    rng = np.random.default_rng(650)
    W, h, dout = rng.normal(size=(4, 3)), rng.normal(size=(5, 3)), rng.normal(size=5)
    idx = np.array([1, 3, 1, 0, 1])
    want_dh = _numerical(lambda x: _dot_loss(W, x, idx, dout), h)
    want_dW = _numerical(lambda w: _dot_loss(w, h, idx, dout), W)
    over = np.zeros_like(W)
    over[idx] = dout[:, None] * h  # the last occurrence wins
    layer = learner.EmbeddingDot(W)
    layer.forward(h, idx)
    got = layer.backward(dout)
    expect_array(got, want_dh, what="EmbeddingDot.backward(dout) = dh", **GRAD,
                 variants=[Variant(W[idx], DOT_NO_DOUT), Variant(dout[:, None] * h, DOT_SWAPPED)])
    expect_array(_part(layer.grads, 0), want_dW, what="EmbeddingDot.grads[0] (dW)", **GRAD,
                 variants=[Variant(over, DOT_OVERWRITE)])


# ---------------------------------------------------------------- UnigramSampler

SAMPLER_CORPUS = np.array([0, 1, 1, 2, 2, 2, 2])  # counts 1, 2, 4


@check("UnigramSampler", 1, ja="例題: word_p = count^0.75 を正規化 (counts 1, 2, 4)",
       en="the docstring's example: word_p = count^0.75 normalised (counts 1, 2, 4)", public=True)
def test_sampler_word_p(learner):
    counts = np.array([1.0, 2.0, 4.0])
    want = counts**0.75 / np.sum(counts**0.75)  # [0.181481, 0.305213, 0.513306]
    sampler = learner.UnigramSampler(SAMPLER_CORPUS, 0.75, 1, np.random.default_rng(0))
    expect_array(sampler.word_p, want, what="UnigramSampler.word_p", **FWD,
                 variants=[Variant(counts / counts.sum(), NO_POWER), Variant(counts**0.75, NOT_NORMALISED)])


# counts 60, 1, 30, 3, 10, 1: the target 2 (30 of them) is never drawn. The skewed counts make the 0.75 power
# matter: word 0 is drawn with p = 0.685, against 0.800 with no power (the closest wrong distribution), so 1000
# draws tell them apart (the book's sampler draws row by row: rows are its time)
STAT_COUNTS = np.array([60, 1, 30, 3, 10, 1])
STAT_CORPUS = np.repeat(np.arange(6), STAT_COUNTS)
STAT_ROWS = 1000
# a frequency over 1000 draws has σ ≤ 0.0147 (word 0, p = 0.685): a right sampler stays within 4.1 σ; with no
# power word 0 sits at 0.800 ± 0.0126, 4.3 σ beyond the tolerance
STAT_TOL = 0.06


def _p(power: float, exclude: int | None) -> np.ndarray:
    p = STAT_COUNTS.astype(float) ** power
    if exclude is not None:
        p[exclude] = 0.0
    return p / p.sum()


@check("UnigramSampler", 2, ja="負例の頻度が count^0.75 (ターゲットを除いて正規化) に従う (1000 行、seed 固定)",
       en="the negatives' frequencies follow count^0.75 renormalised without the target (1000 rows, seeded)")
def test_sampler_statistics(learner):
    sampler = learner.UnigramSampler(STAT_CORPUS, 0.75, 1, np.random.default_rng(660))
    got = sampler.get_negative_sample(np.full(STAT_ROWS, 2))
    arr = as_array(got, "get_negative_sample(target)", np.zeros((STAT_ROWS, 1)))
    if arr.shape != (STAT_ROWS, 1) or arr.dtype.kind not in "iu":
        fail(f"get_negative_sample の戻り値は形状 ({STAT_ROWS}, 1) の int 配列です (実際: {arr.shape}, {arr.dtype})",
             f"get_negative_sample returns an int array of shape ({STAT_ROWS}, 1) (got {arr.shape}, {arr.dtype})")
    if arr.size and (arr.min() < 0 or arr.max() > 5):
        fail("負例の単語 id は 0〜5 (語彙の範囲) です", "negative word ids must lie in 0..5 (the vocabulary)")
    freq = np.bincount(arr.ravel().astype(int), minlength=6)[:6] / STAT_ROWS
    uniform = np.full(6, 0.2)
    uniform[2] = 0.0
    expect_array(freq, _p(0.75, 2), what=Text(ja="各単語が負例に選ばれた割合", en="the frequency of each word as a negative"),
                 rtol=0.0, atol=STAT_TOL, variants=[Variant(_p(0.75, None), NEG_TARGET), Variant(_p(1.0, 2), NO_POWER),
                                                    Variant(uniform, NEG_UNIFORM)])


@check("UnigramSampler", 1, ja="正解は決して負例にならない (sample_size = 3、ターゲットは行ごとに違う)",
       en="the target is never a negative (sample_size = 3, a different target per row)")
def test_sampler_never_target(learner):
    # a sampler that keeps the target draws it in half the rows (13% to 95% by target): these 100 rows
    # all miss it with probability ≈ 1e-50
    target = np.random.default_rng(670).integers(0, 6, size=100)
    sampler = learner.UnigramSampler(STAT_CORPUS, 0.75, 3, np.random.default_rng(671))
    arr = as_array(sampler.get_negative_sample(target), "get_negative_sample(target)", np.zeros((100, 3)))
    if arr.shape != (100, 3):
        fail(f"get_negative_sample の戻り値の形状は (100, 3) です (実際: {arr.shape})",
             f"get_negative_sample returns shape (100, 3) (got {arr.shape})")
    hits = int(np.sum(arr == target[:, None]))
    expect_equal(hits, 0, what=Text(ja="負例が自分の行のターゲットと同じだった回数", en="how often a negative was its row's target"),
                 variants=[Variant(hits, NEG_TARGET)] if hits else [])


@check("UnigramSampler", 1, ja="渡された rng を使う: 同じ seed なら同じ負例", en="the given rng is used: the same seed gives the same negatives")
def test_sampler_uses_rng(learner):
    target = np.zeros(50, dtype=int)
    draws = [as_array(learner.UnigramSampler(STAT_CORPUS, 0.75, 2, np.random.default_rng(680)).get_negative_sample(target),
                      "get_negative_sample(target)", np.zeros((50, 2))) for _ in range(2)]
    first, again = draws
    expect_array(again, first, what=Text(ja="同じ seed の rng で 2 回目に引いた負例", en="the negatives drawn again with a rng of the same seed"),
                 variants=[Variant(again, GLOBAL_RNG)] if again.shape != first.shape or not np.array_equal(again, first) else [])


# ---------------------------------------------------------------- NegativeSamplingLoss


def _ns_loss(W, h, target, how: str = "ok") -> float:
    """The loss with every other word as a negative (V − 1 = sample_size, drawn without replacement, so the set
    of negatives is certain); each term the batch mean of −log(p + δ), as the provided _SigmoidWithLoss.
    how: "swapped" labels, "pos" the positive alone."""
    N, V = len(target), W.shape[0]
    total = 0.0
    for n in range(N):
        t = int(target[n])
        s = float(W[t] @ h[n])
        total -= math.log((1 - _sig(s) if how == "swapped" else _sig(s)) + DELTA)
        if how == "pos":
            continue
        for k in range(V):
            if k != t:
                s = float(W[k] @ h[n])
                total -= math.log((_sig(s) if how == "swapped" else 1 - _sig(s)) + DELTA)
    return total / N


NS_W = np.array([[0.5, 0.0], [0.0, 1.0]])
NS_CORPUS = np.array([0, 1, 0, 1])


@check("NegativeSamplingLoss", 1, ja="例題 (V = 2, sample_size = 1): 損失と dh",
       en="the docstring's example (V = 2, sample_size = 1): the loss and dh", public=True)
def test_ns_example(learner):
    h, target = np.array([[1.0, 1.0]]), np.array([0])
    s_pos, s_neg = 0.5, 1.0  # W[0]·h, W[1]·h
    # by hand: −log σ(0.5) − log(1 − σ(1)); dh = (σ(0.5) − 1)·W[0] + σ(1)·W[1]
    want = -math.log(_sig(s_pos)) - math.log(1 - _sig(s_neg))
    swapped = -math.log(1 - _sig(s_pos)) - math.log(_sig(s_neg))
    want_dh = ((_sig(s_pos) - 1) * NS_W[0] + _sig(s_neg) * NS_W[1])[None]
    layer = learner.NegativeSamplingLoss(NS_W, NS_CORPUS, sample_size=1, rng=np.random.default_rng(0))
    expect_close(layer.forward(h, target), want, what="NegativeSamplingLoss.forward(h, target)", **LOSS,
                 variants=[Variant(swapped, SIGN), Variant(-want, NEGATED), Variant(-math.log(_sig(s_pos)), POS_ONLY)])
    expect_array(layer.backward(), want_dh, what="NegativeSamplingLoss.backward() = dh", **GRAD,
                 variants=[Variant(((-_sig(s_pos)) * NS_W[0] + (_sig(s_neg) - 1) * NS_W[1])[None], SIGN)])


@check("NegativeSamplingLoss", 1, ja="forward: 損失 (V = 4, sample_size = 3: 負例はターゲット以外の全単語、N = 5, H = 3)",
       en="forward: the loss (V = 4, sample_size = 3: the negatives are all the other words; N = 5, H = 3)")
def test_ns_forward(learner):
    rng = np.random.default_rng(690)
    W, h = rng.normal(size=(4, 3)), rng.normal(size=(5, 3))
    target = np.array([0, 3, 1, 3, 2])
    corpus = np.array([0, 1, 1, 2, 3, 3, 3, 2, 0])
    layer = learner.NegativeSamplingLoss(W, corpus, sample_size=3, rng=np.random.default_rng(691))
    want = _ns_loss(W, h, target)
    expect_close(layer.forward(h, target), want, what="NegativeSamplingLoss.forward(h, target)", **LOSS,
                 variants=[Variant(_ns_loss(W, h, target, "swapped"), SIGN), Variant(-want, NEGATED),
                           Variant(_ns_loss(W, h, target, "pos"), POS_ONLY)])


@check("NegativeSamplingLoss", 2, ja="backward: dh と W の勾配 (grads の和) を数値微分と比較",
       en="backward: dh and W's gradient (the sum of grads) against a numerical gradient")
def test_ns_backward_numerical(learner):
    rng = np.random.default_rng(700)
    W, h = rng.normal(size=(4, 3)), rng.normal(size=(5, 3))
    target = np.array([2, 2, 0, 1, 3])
    corpus = np.array([0, 1, 2, 3, 3, 2, 1])
    want_dh = _numerical(lambda x: _ns_loss(W, x, target), h)
    want_dW = _numerical(lambda w: _ns_loss(w, h, target), W)
    # dh of the last negative's layer alone: (σ(s) − 0)/N · W[k] for the last negative k (order unknown: skip)
    pos_dh = _numerical(lambda x: _ns_loss(W, x, target, "pos"), h)
    layer = learner.NegativeSamplingLoss(W, corpus, sample_size=3, rng=np.random.default_rng(701))
    layer.forward(h, target)
    got = layer.backward()
    expect_array(got, want_dh, what="NegativeSamplingLoss.backward() = dh", **GRAD,
                 variants=[Variant(pos_dh, DH_LAST_ONLY), Variant(-want_dh, SIGN)])
    grads = layer.grads
    if not isinstance(grads, (list, tuple)) or len(grads) != 4:
        fail("NegativeSamplingLoss.grads は sample_size + 1 個の EmbeddingDot の勾配のリストです",
             "NegativeSamplingLoss.grads is the list of the sample_size + 1 EmbeddingDots' gradients")
    expect_array(sum(np.asarray(g, dtype=float) for g in grads), want_dW,
                 what=Text(ja="W の勾配 (grads の和)", en="W's gradient (the sum of grads)"), **GRAD)
