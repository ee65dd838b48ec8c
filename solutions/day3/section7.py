"""Day 3 Section 7 Attention: AttentionWeight, WeightSum, Attention と Scaled Dot-Product Attention の参照実装。
Day 3 Section 7 attention: reference AttentionWeight, WeightSum, Attention and scaled dot-product attention.

AttentionWeight, WeightSum, Attention はゼロから作るDeep Learning ❷ 8 章 (ch08/attention_layer.py) と同じ
API です。scaled_dot_product_attention は本の範囲外で、Transformer (Vaswani et al., 2017) の式です。
AttentionWeight, WeightSum and Attention have the API of book ❷'s chapter 8 (ch08/attention_layer.py);
scaled_dot_product_attention goes beyond the book: the Transformer's formula (Vaswani et al., 2017).
"""

import numpy as np


def _softmax(x):
    x = x - x.max(axis=-1, keepdims=True)  # オーバーフロー対策
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


class AttentionWeight:
    """a = softmax_T(s),  s[n, t] = hs[n, t]·h[n];  hs: (N, T, H), h: (N, H) → a: (N, T)."""

    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None

    def forward(self, hs, h):
        s = np.sum(hs * h[:, np.newaxis, :], axis=2)  # 内積 (類似度) / dot products
        a = _softmax(s)  # 時刻 T 方向に正規化
        self.cache = (hs, h, a)
        return a

    def backward(self, da):
        hs, h, a = self.cache
        ds = a * (da - np.sum(da * a, axis=1, keepdims=True))  # softmax の逆伝播
        dhs = ds[:, :, np.newaxis] * h[:, np.newaxis, :]
        dh = np.sum(ds[:, :, np.newaxis] * hs, axis=1)
        return dhs, dh


class WeightSum:
    """c[n] = Σ_t a[n, t]·hs[n, t];  hs: (N, T, H), a: (N, T) → c: (N, H)."""

    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None

    def forward(self, hs, a):
        c = np.sum(hs * a[:, :, np.newaxis], axis=1)
        self.cache = (hs, a)
        return c

    def backward(self, dc):
        hs, a = self.cache
        dhs = a[:, :, np.newaxis] * dc[:, np.newaxis, :]  # 和の逆伝播は T 方向へのコピー
        da = np.sum(hs * dc[:, np.newaxis, :], axis=2)
        return dhs, da


class Attention:
    """AttentionWeight → WeightSum;  forward(hs, h) → c (N, H),  backward(dout) → (dhs, dh)."""

    def __init__(self):
        self.params, self.grads = [], []
        self.attention_weight_layer = AttentionWeight()
        self.weight_sum_layer = WeightSum()
        self.attention_weight = None

    def forward(self, hs, h):
        a = self.attention_weight_layer.forward(hs, h)
        out = self.weight_sum_layer.forward(hs, a)
        self.attention_weight = a
        return out

    def backward(self, dout):
        dhs0, da = self.weight_sum_layer.backward(dout)
        dhs1, dh = self.attention_weight_layer.backward(da)
        return dhs0 + dhs1, dh  # hs は 2 つの経路で使われたので勾配を足す


def scaled_dot_product_attention(Q, K, V, mask=None):
    """softmax(Q·Kᵀ/√d_k, mask の位置は −∞)·V → (out, weights).

    Q: (..., T_q, d_k), K: (..., T_k, d_k), V: (..., T_k, d_v); mask: bool, True = 遮断 / blocked.
    """
    d_k = Q.shape[-1]
    # 内積の大きさは √d_k に比例して育つので割って戻す (Python の float なので dtype を変えない)
    scores = np.matmul(Q, np.swapaxes(K, -1, -2)) / d_k ** 0.5
    if mask is not None:
        scores = np.where(mask, -np.inf, scores)  # softmax の前に: exp(−∞) = 0
    weights = _softmax(scores)
    return np.matmul(weights, V), weights
