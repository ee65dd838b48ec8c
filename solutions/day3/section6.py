"""Day 3 Section 6 Word2vec: コンテキストとターゲット、コサイン類似度、CBOW、Negative Sampling の参照実装。
Day 3 Section 6 word2vec: reference contexts/target, cosine similarity, CBOW and negative sampling.

ゼロから作るDeep Learning ❷ の 2〜4 章 (common/util.py, ch03/simple_cbow.py, ch04/negative_sampling_layer.py)
と同じ API です。本がグローバルな np.random を使う所では、渡された numpy.random.Generator ``rng`` を使います。
The API of book ❷'s chapters 2–4; where the book uses the global np.random, the given Generator ``rng`` is used.
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


# ---------------------------------------------------------------- exercises


def create_contexts_target(corpus, window_size=1):
    """(contexts (N, 2·window_size), target (N,)),  N = len(corpus) − 2·window_size."""
    target = corpus[window_size:-window_size]
    contexts = []
    for idx in range(window_size, len(corpus) - window_size):  # 両端の window_size 個はターゲットにしない
        cs = []
        for t in range(-window_size, window_size + 1):
            if t == 0:
                continue  # ターゲット自身は除く
            cs.append(corpus[idx + t])
        contexts.append(cs)
    return np.array(contexts), np.array(target)


def cos_similarity(x, y, eps=1e-8):
    """x·y / ((‖x‖ + eps)(‖y‖ + eps)): eps は各ノルムに足す (本と同じ)。"""
    nx = x / (np.sqrt(np.sum(x ** 2)) + eps)
    ny = y / (np.sqrt(np.sum(y ** 2)) + eps)
    return np.dot(nx, ny)


class SimpleCBOW:
    """contexts (N, 2, V) one-hot, target (N, V) one-hot → loss;  word_vecs = W_in (V, H)."""

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
        h0 = self.in_layer0.forward(contexts[:, 0])
        h1 = self.in_layer1.forward(contexts[:, 1])
        h = (h0 + h1) * 0.5  # 2 つのコンテキストの平均
        score = self.out_layer.forward(h)
        return self.loss_layer.forward(score, target)

    def backward(self, dout=1):
        ds = self.loss_layer.backward(dout)
        da = self.out_layer.backward(ds)
        da *= 0.5  # 平均の逆伝播
        self.in_layer1.backward(da)
        self.in_layer0.backward(da)
        return None


class EmbeddingDot:
    """forward(h (N, H), idx (N,)) → out[n] = W[idx[n]]·h[n] (N,);  backward(dout (N,)) → dh (N, H)."""

    def __init__(self, W):
        self.embed = _Embedding(W)
        self.params = self.embed.params
        self.grads = self.embed.grads
        self.cache = None

    def forward(self, h, idx):
        target_W = self.embed.forward(idx)
        out = np.sum(target_W * h, axis=1)
        self.cache = (h, target_W)
        return out

    def backward(self, dout):
        h, target_W = self.cache
        dout = dout.reshape(dout.shape[0], 1)
        dtarget_W = dout * h
        self.embed.backward(dtarget_W)
        dh = dout * target_W
        return dh


class UnigramSampler:
    """P(w) ∝ count(w)^power; get_negative_sample(target (N,)) → (N, sample_size), never the row's target."""

    def __init__(self, corpus, power, sample_size, rng):
        self.sample_size = sample_size
        self.rng = rng
        self.vocab_size = int(np.max(corpus)) + 1
        counts = np.zeros(self.vocab_size)
        for word_id in corpus:
            counts[word_id] += 1
        self.word_p = np.power(counts, power)  # 0.75 乗で低頻度語を少し持ち上げる
        self.word_p /= np.sum(self.word_p)

    def get_negative_sample(self, target):
        batch_size = target.shape[0]
        negative_sample = np.zeros((batch_size, self.sample_size), dtype=np.int32)
        for i in range(batch_size):
            p = self.word_p.copy()
            p[target[i]] = 0  # 正解 (ターゲット) は負例にしない
            p /= p.sum()
            negative_sample[i, :] = self.rng.choice(self.vocab_size, size=self.sample_size, replace=False, p=p)
        return negative_sample


class NegativeSamplingLoss:
    """forward(h (N, H), target (N,)) → loss (正例 1 + 負例 sample_size 個の二値分類);  backward(dout=1) → dh."""

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
        batch_size = target.shape[0]
        negative_sample = self.sampler.get_negative_sample(target)

        # 正例 (ラベル 1)
        score = self.embed_dot_layers[0].forward(h, target)
        correct_label = np.ones(batch_size, dtype=np.int32)
        loss = self.loss_layers[0].forward(score, correct_label)

        # 負例 (ラベル 0)
        negative_label = np.zeros(batch_size, dtype=np.int32)
        for i in range(self.sample_size):
            negative_target = negative_sample[:, i]
            score = self.embed_dot_layers[1 + i].forward(h, negative_target)
            loss += self.loss_layers[1 + i].forward(score, negative_label)

        return loss

    def backward(self, dout=1):
        dh = 0
        for l0, l1 in zip(self.loss_layers, self.embed_dot_layers, strict=True):
            dscore = l0.backward(dout)
            dh += l1.backward(dscore)  # h は全レイヤで共有: 勾配を足す
        return dh
