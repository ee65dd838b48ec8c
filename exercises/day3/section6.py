"""Day 3 Section 6 Word2vec: コンテキストとターゲット、コサイン類似度、CBOW、Negative Sampling を実装します。
Day 3 Section 6 word2vec: implement contexts/target, cosine similarity, CBOW and negative sampling.

共通の約束 / Common rules:

- ゼロから作るDeep Learning ❷ の 2〜4 章 (common/util.py, ch03/simple_cbow.py, ch04/negative_sampling_layer.py)
  と同じ API です。レイヤは ``self.params`` と ``self.grads`` を配列のリストで持ち、勾配は
  ``self.grads[0][...] = dW`` のように **その場で** 書きます (配列は一度だけ作る)。
  The API of book ❷'s chapters 2–4. Layers keep ``self.params`` and ``self.grads`` as lists of arrays, and
  gradients are written **in place** (``self.grads[0][...] = dW``; the arrays are allocated once).
- 本がグローバルな ``np.random`` を使う所では、引数の ``numpy.random.Generator`` ``rng`` を使います
  (``np.random.randn`` → ``rng.standard_normal``、``np.random.choice`` → ``rng.choice``)。同じ seed なら同じ結果です。
  Where the book uses the global ``np.random``, use the given ``numpy.random.Generator`` ``rng``
  (``np.random.randn`` → ``rng.standard_normal``, ``np.random.choice`` → ``rng.choice``): same seed, same result.
- 下の ``_softmax``, ``_sigmoid``, ``_cross_entropy_error``, ``_MatMul``, ``_SoftmaxWithLoss``,
  ``_SigmoidWithLoss``, ``_Embedding`` は **記入済み** (本の common/layers.py と同じ) です。そのまま使ってください。
  ``SimpleCBOW``, ``EmbeddingDot``, ``NegativeSamplingLoss`` の ``__init__`` も記入済みです。
  The helpers below (``_softmax`` … ``_Embedding``, as in the book's common/layers.py) are **provided**: use them.
  The ``__init__`` of ``SimpleCBOW``, ``EmbeddingDot`` and ``NegativeSamplingLoss`` is filled in too.
- dtype: float32 でも float64 でも動くこと。 Any float dtype must work.
"""
import numpy as np

# ---------------------------------------------------------------- 記入済みの部品 / provided building blocks


def _softmax(x):
    x = x - x.max(axis=-1, keepdims=True)  # オーバーフロー対策
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:  # one-hot → ラベル / one-hot → labels
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


class _MatMul:
    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.x = None

    def forward(self, x):
        W, = self.params
        self.x = x
        return np.dot(x, W)

    def backward(self, dout):
        W, = self.params
        dx = np.dot(dout, W.T)
        self.grads[0][...] = np.dot(self.x.T, dout)
        return dx


class _SoftmaxWithLoss:
    def __init__(self):
        self.params, self.grads = [], []
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = _softmax(x)
        if self.t.size == self.y.size:  # one-hot → ラベル
            self.t = self.t.argmax(axis=1)
        return _cross_entropy_error(self.y, self.t)

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        dx = self.y.copy()
        dx[np.arange(batch_size), self.t] -= 1
        return dx * dout / batch_size


class _SigmoidWithLoss:
    def __init__(self):
        self.params, self.grads = [], []
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = _sigmoid(x)
        return _cross_entropy_error(np.c_[1 - self.y, self.y], self.t)

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        return (self.y - self.t) * dout / batch_size


class _Embedding:
    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.idx = None

    def forward(self, idx):
        W, = self.params
        self.idx = idx
        return W[idx]

    def backward(self, dout):
        dW, = self.grads
        dW[...] = 0
        np.add.at(dW, self.idx, dout)  # 同じ単語 ID は足し合わせる


# ---------------------------------------------------------------- 演習 / exercises


def create_contexts_target(corpus, window_size=1):
    """コーパスからコンテキストとターゲットを作る / Build the contexts and targets of a corpus.

    各位置 idx (両端の window_size 個を除く) について、ターゲット corpus[idx] と、その左右 window_size 個ずつの
    単語 ID (左から右へ、ターゲット自身は除く) を並べます。窓がコーパスの端をはみ出す位置はターゲットに
    しません (折り返したり 0 で埋めたりしない)。
    For each position idx (all but window_size at each end), the target is corpus[idx] and its contexts are the
    window_size word ids on each side, left to right, the target excluded. A position whose window would cross
    the corpus edge is not a target (no wrap-around, no padding).

    数式 / Formula::

        target[i]   = corpus[i + w]                                   (i = 0 … N − 1,  N = len(corpus) − 2w)
        contexts[i] = [corpus[i + w + t] for t in −w … w if t ≠ 0]

    形状 / Shapes: corpus: (L,) int (L > 2·window_size) → contexts: (L − 2w, 2w) int, target: (L − 2w,) int

    例 / Example ("you say goodbye and i say hello ." → ids)::

        create_contexts_target(np.array([0, 1, 2, 3, 4, 1, 5, 6]))
        # contexts = [[0, 2], [1, 3], [2, 4], [3, 1], [4, 5], [1, 6]],   target = [1, 2, 3, 4, 1, 5]
    """
    # TODO: idx を window_size から len(corpus) − window_size まで回し、左右の単語を集める / loop idx, collect
    raise NotImplementedError


def cos_similarity(x, y, eps=1e-8):
    """コサイン類似度 / Cosine similarity of two word vectors (a float in [−1, 1]).

    数式 / Formula (本と同じく eps は **それぞれのノルム** に足す / eps is added to **each norm**, as the book)::

        similarity(x, y) = x·y / (‖x‖ ‖y‖)
        nx = x / (√(Σ x²) + eps),   ny = y / (√(Σ y²) + eps),   return nx·ny

    eps があるので零ベクトルでも 0 除算にならず 0 を返します。積 ‖x‖‖y‖ に eps を 1 回だけ足すのとは違います。
    Thanks to eps a zero vector gives 0, not a division by zero. It is not the same as adding eps once to the
    product ‖x‖‖y‖.

    形状 / Shapes: x: (D,), y: (D,) → スカラー / a scalar

    例 / Example::

        cos_similarity(np.array([1.0, 0.0]), np.array([1.0, 1.0]))   # 1/√2 ≈ 0.707107
        cos_similarity(np.array([0.0, 0.0]), np.array([1.0, 1.0]))   # 0.0 (eps のおかげ / thanks to eps)
    """
    # TODO: x, y をそれぞれ (ノルム + eps) で割ってから内積 / normalise each by (norm + eps), then the dot product
    raise NotImplementedError


class SimpleCBOW:
    """シンプルな CBOW モデル / A simple CBOW model (window_size = 1: two contexts).

    入力 / Input: ``contexts`` (N, 2, V) の one-hot (左右 2 つのコンテキスト / the two contexts),
    ``target`` (N, V) の one-hot (またはラベル (N,) / or labels (N,))。contexts は _MatMul に掛けるだけなので、
    one-hot でない実数の配列でも同じ式で計算されます (チェックはそれも使います)。 contexts only go through the
    _MatMul layers, so a real-valued (not one-hot) array is computed by the same formula (the checks use that too).

    順伝播 / Forward::

        h0 = contexts[:, 0]·W_in,   h1 = contexts[:, 1]·W_in      (2 つの _MatMul が W_in を共有 / share W_in)
        h  = 0.5·(h0 + h1)                                         (平均 / the mean)
        s  = h·W_out,   loss = SoftmaxWithLoss(s, target)          (バッチ平均 / batch mean)

    逆伝播 / Backward (dout = 1)::

        ds = (softmax(s) − t) / N,   da = ds·W_outᵀ (out_layer),   da *= 0.5,   in_layer1, in_layer0 に da

    ``__init__`` は記入済みです: ``W_in = 0.01·rng.standard_normal((V, H))``, 次に
    ``W_out = 0.01·rng.standard_normal((H, V))`` (この順、float32)。``params`` は本と同じく
    ``[W_in, W_in, W_out]`` (in_layer0, in_layer1, out_layer)、``grads`` もその順で、W_in の勾配は
    ``grads[0] + grads[1]`` です。``word_vecs`` は W_in (単語の分散表現) です。``backward`` は None を返します。
    ``__init__`` is filled in: W_in then W_out drawn from ``rng`` in that order (float32). ``params`` is
    ``[W_in, W_in, W_out]`` as in the book and ``grads`` follows it (W_in's gradient is ``grads[0] + grads[1]``);
    ``word_vecs`` is W_in (the word vectors). ``backward`` returns None.

    形状 / Shapes: W_in: (V, H), W_out: (H, V);  contexts: (N, 2, V), target: (N, V) → loss: スカラー / scalar

    例 / Example (V = 7, H = 5, "you say goodbye and i say hello .")::

        model = SimpleCBOW(7, 5, np.random.default_rng(0))
        loss = model.forward(contexts, target)   # 重みが小さいので ≈ log 7 ≈ 1.9459 / small weights: ≈ log 7
        model.backward()                         # model.grads に勾配 / gradients in model.grads
    """

    def __init__(self, vocab_size, hidden_size, rng):
        V, H = vocab_size, hidden_size
        W_in = 0.01 * rng.standard_normal((V, H)).astype('f')
        W_out = 0.01 * rng.standard_normal((H, V)).astype('f')

        self.in_layer0 = _MatMul(W_in)
        self.in_layer1 = _MatMul(W_in)
        self.out_layer = _MatMul(W_out)
        self.loss_layer = _SoftmaxWithLoss()

        layers = [self.in_layer0, self.in_layer1, self.out_layer]
        self.params, self.grads = [], []
        for layer in layers:
            self.params += layer.params
            self.grads += layer.grads

        self.word_vecs = W_in

    def forward(self, contexts, target):
        """loss (スカラー / a scalar) を返す / return the loss."""
        # TODO: 2 つのコンテキストを in_layer0, in_layer1 に通して平均し、out_layer → loss_layer
        #       / both contexts through in_layer0/1, average, then out_layer and loss_layer
        raise NotImplementedError

    def backward(self, dout=1):
        """勾配を self.grads に書く (None を返す) / write the gradients into self.grads (return None)."""
        # TODO: loss_layer → out_layer の順に逆伝播し、0.5 を掛けて in_layer1, in_layer0 へ
        #       / back through loss_layer and out_layer, halve, then into in_layer1 and in_layer0
        raise NotImplementedError


class EmbeddingDot:
    """Embedding と内積 / Embedding then a dot product: 各 h[n] と単語 idx[n] のベクトルの内積。

    順伝播 / Forward::

        target_W = W[idx]                    (N, H)   (_Embedding)
        out[n]   = Σ_k target_W[n, k]·h[n, k]          (N,)

    逆伝播 / Backward (dout: (N,))::

        dtarget_W = dout[:, None]·h   → _Embedding.backward (同じ ID の行は np.add.at で足す / repeated ids add up)
        dh        = dout[:, None]·target_W

    ``__init__`` は記入済みです (``params``, ``grads`` は _Embedding のもの = ``[W]``, ``[dW]``)。``forward(h, idx)``
    は ``self.cache = (h, target_W)`` を覚えます。 ``__init__`` is filled in (``params``/``grads`` are the
    _Embedding's, ``[W]``/``[dW]``); ``forward(h, idx)`` keeps ``self.cache = (h, target_W)``.

    形状 / Shapes: W: (V, H);  h: (N, H), idx: (N,) int → out: (N,);  dout: (N,) → dh: (N, H)

    例 / Example::

        layer = EmbeddingDot(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
        layer.forward(np.array([[2.0, 3.0], [4.0, 5.0]]), np.array([2, 0]))   # [5., 4.]
        layer.backward(np.array([1.0, 1.0]))                                  # dh = [[1, 1], [1, 0]]
        # layer.grads[0] = [[4, 5], [0, 0], [2, 3]]
    """

    def __init__(self, W):
        self.embed = _Embedding(W)
        self.params = self.embed.params
        self.grads = self.embed.grads
        self.cache = None

    def forward(self, h, idx):
        """out (N,) を返す / return out (N,)."""
        # TODO: target_W = self.embed.forward(idx); 行ごとの内積 / the row-wise dot product
        raise NotImplementedError

    def backward(self, dout):
        """dh (N, H) を返す / return dh (N, H)."""
        # TODO: dout を (N, 1) にして dtarget_W と dh を作り、dtarget_W を self.embed.backward へ
        #       / reshape dout to (N, 1), make dtarget_W and dh, pass dtarget_W to self.embed.backward
        raise NotImplementedError


class UnigramSampler:
    """ユニグラム分布からの負例サンプラー / Negative sampler from the unigram distribution.

    数式 / Formula::

        P(w) = count(w)^power / Σ_v count(v)^power          (power = 0.75: 低頻度語を少し持ち上げる)

    ``__init__(corpus, power, sample_size, rng)``: ``self.vocab_size = max(corpus) + 1``、確率を
    ``self.word_p`` (V,) に置きます。``get_negative_sample(target)`` は各行 i について、``p = word_p`` の
    ``target[i]`` を 0 にして正規化し直し、``rng.choice(vocab_size, size=sample_size, replace=False, p=p)``
    で負例を引きます。**正解 (ターゲット) は負例にしません。** 戻り値は int の配列です。
    ``__init__`` sets ``self.vocab_size = max(corpus) + 1`` and the probabilities ``self.word_p`` (V,).
    ``get_negative_sample(target)`` draws each row i with ``rng.choice(vocab_size, size=sample_size,
    replace=False, p=p)``, where p is word_p with ``target[i]`` set to 0 and renormalised: **the positive target is
    never a negative.** It returns an int array.

    形状 / Shapes: corpus: (L,) int;  target: (N,) int → negative_sample: (N, sample_size) int

    例 / Example (counts 1, 2, 4)::

        sampler = UnigramSampler(np.array([0, 1, 1, 2, 2, 2, 2]), 0.75, 1, np.random.default_rng(0))
        sampler.word_p          # [1, 2^0.75, 4^0.75] / 5.5102 ≈ [0.181481, 0.305213, 0.513306]
                                # (power = 1 なら / with power 1: [0.142857, 0.285714, 0.571429])
        sampler.get_negative_sample(np.array([2, 0]))   # 形状 (2, 1); 1 行目は 2 以外、2 行目は 0 以外
    """

    def __init__(self, corpus, power, sample_size, rng):
        # TODO: 出現回数を数え、power 乗して正規化 → self.word_p / count, raise to power, normalise
        raise NotImplementedError

    def get_negative_sample(self, target):
        """(N, sample_size) の int 配列を返す / return an (N, sample_size) int array."""
        # TODO: 行ごとに p[target[i]] = 0 として正規化し直し、self.rng.choice で引く / per row, zero the target
        raise NotImplementedError


class NegativeSamplingLoss:
    """Negative Sampling による損失 / The negative-sampling loss: 多値分類を二値分類で近似する。

    順伝播 / Forward (h: (N, H), target: (N,))::

        正例 / positive:  loss = SigmoidWithLoss(W[target]·h, 1)                       (ラベル 1 / label 1)
        負例 / negatives: loss += Σ_i SigmoidWithLoss(W[neg[:, i]]·h, 0)   (i < sample_size, ラベル 0 / label 0)
        (neg = self.sampler.get_negative_sample(target);  各項はバッチ平均 / each term is a batch mean)

    つまり loss = mean_n[−log σ(W[t_n]·h_n) − Σ_i log(1 − σ(W[neg_ni]·h_n))]。
    That is loss = mean_n[−log σ(W[t_n]·h_n) − Σ_i log(1 − σ(W[neg_ni]·h_n))].

    逆伝播 / Backward (dout = 1): 各 (loss_layers[i], embed_dot_layers[i]) を逆にたどり、h は全レイヤで共有
    なので dh を足し合わせて返します。 Go back through each (loss_layers[i], embed_dot_layers[i]) pair; h is
    shared by all of them, so the dh are summed and returned.

    ``__init__`` は記入済みです: ``UnigramSampler(corpus, power, sample_size, rng)``、``sample_size + 1`` 組の
    _SigmoidWithLoss と EmbeddingDot (0 番が正例)、``params``/``grads`` はその EmbeddingDot のものを順に並べた
    リストです (W の勾配は grads の和)。``rng`` が None なら ``np.random.default_rng()``。
    ``__init__`` is filled in: the sampler, ``sample_size + 1`` pairs of _SigmoidWithLoss and EmbeddingDot (pair 0
    is the positive), ``params``/``grads`` listing those EmbeddingDots' in order (W's gradient is the sum of
    grads). ``rng`` None means ``np.random.default_rng()``.

    形状 / Shapes: W: (V, H);  h: (N, H), target: (N,) int → loss: スカラー / scalar;  backward → dh: (N, H)

    例 / Example (V = 2, sample_size = 1: 負例は必ずもう一方の単語 / the negative is always the other word)::

        layer = NegativeSamplingLoss(np.array([[0.5, 0.0], [0.0, 1.0]]), np.array([0, 1, 0, 1]), sample_size=1,
                                     rng=np.random.default_rng(0))
        layer.forward(np.array([[1.0, 1.0]]), np.array([0]))
        # −log σ(0.5) − log(1 − σ(1)) = 0.474077 + 1.313262 = 1.787339
        layer.backward()   # dh = (σ(0.5) − 1)·W[0] + σ(1)·W[1] = [[−0.188770, 0.731059]]
    """

    def __init__(self, W, corpus, power=0.75, sample_size=5, rng=None):
        if rng is None:
            rng = np.random.default_rng()
        self.sample_size = sample_size
        self.sampler = UnigramSampler(corpus, power, sample_size, rng)
        self.loss_layers = [_SigmoidWithLoss() for _ in range(sample_size + 1)]
        self.embed_dot_layers = [EmbeddingDot(W) for _ in range(sample_size + 1)]

        self.params, self.grads = [], []
        for layer in self.embed_dot_layers:
            self.params += layer.params
            self.grads += layer.grads

    def forward(self, h, target):
        """loss (スカラー / a scalar) を返す / return the loss."""
        # TODO: 負例を引き、正例はラベル 1、負例はラベル 0 で loss_layers に通して足す
        #       / draw the negatives; positive with label 1, negatives with label 0; sum the losses
        raise NotImplementedError

    def backward(self, dout=1):
        """dh (N, H) を返す / return dh (N, H)."""
        # TODO: 各組を逆伝播して dh を足し合わせる / back through each pair, sum the dh
        raise NotImplementedError
