"""Day 3 Section 7 Attention: AttentionWeight, WeightSum, Attention と Scaled Dot-Product Attention を実装します。
Day 3 Section 7 attention: implement AttentionWeight, WeightSum, Attention and scaled dot-product attention.

共通の約束 / Common rules:

- AttentionWeight, WeightSum, Attention はゼロから作るDeep Learning ❷ 8 章 (ch08/attention_layer.py) と同じ
  API です。学習するパラメータは無いので ``self.params`` と ``self.grads`` は空のリストです。
  AttentionWeight, WeightSum and Attention have the API of book ❷'s chapter 8 (ch08/attention_layer.py).
  They learn no parameters: ``self.params`` and ``self.grads`` are empty lists.
- 形状 / Shapes: N = バッチ数 / batch size, T = 時刻数 (エンコーダの出力の数) / time steps (encoder outputs),
  H = 隠れ状態の次元 / hidden size。 ``hs``: (N, T, H) エンコーダの全時刻の隠れ状態 / the encoder's hidden
  states, ``h``: (N, H) デコーダの隠れ状態 (1 時刻分) / the decoder's hidden state (one step)。
- ``scaled_dot_product_attention`` は本の範囲外で、Transformer (Vaswani et al., 2017) の式です。
  ``scaled_dot_product_attention`` goes beyond the book: the Transformer's formula (Vaswani et al., 2017).
- ``__init__`` は記入済みです。このファイルは numpy だけを import します (softmax は自分で書く)。
  Every ``__init__`` is filled in. This file imports only numpy (write softmax yourself).
- dtype: float32 でも float64 でも動くこと。 Any float dtype must work.
"""

import numpy as np


class AttentionWeight:
    """注意の重み / Attention weights: hs の各時刻が h とどれだけ似ているか / how alike each hs[:, t] is to h.

    順伝播 / Forward::

        s[n, t] = hs[n, t] · h[n]          (H 方向の内積 / dot product over H)       s: (N, T)
        a = softmax(s)                     (**T 方向** に正規化: Σ_t a[n, t] = 1 / normalised **over T**)

    softmax をかけるのは T の軸 (時刻) です。H の軸ではありません。オーバーフロー対策に各行の最大値を
    引いてから exp してください。 The softmax runs over the T axis (time), not over H. Subtract each row's
    maximum before exp (overflow).

    逆伝播 / Backward (da: (N, T))::

        ds  = a · (da − Σ_t da · a)                    (softmax の逆伝播、行ごと / softmax backward, per row)
        dhs[n, t] = ds[n, t] · h[n],    dh[n] = Σ_t ds[n, t] · hs[n, t]

    ``forward(hs, h)`` は a を返し、逆伝播に要る値を ``self.cache`` に覚えます。``backward(da)`` は
    ``(dhs, dh)`` を返します。 ``forward(hs, h)`` returns a and keeps what backward needs in ``self.cache``;
    ``backward(da)`` returns ``(dhs, dh)``.

    形状 / Shapes: hs: (N, T, H), h: (N, H) → a: (N, T);  da: (N, T) → dhs: (N, T, H), dh: (N, H)

    例 / Example (N = 1, T = 3, H = 2)::

        hs = np.array([[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]])
        AttentionWeight().forward(hs, np.array([[2.0, 1.0]]))
        # s = [2, 1, 3],  a = softmax(s) = [[0.244728, 0.090031, 0.665241]]   (和は 1 / sums to 1)
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None  # 逆伝播で使う中間データ / intermediate data for backward

    def forward(self, hs, h):
        """a = softmax_T(hs·h) (N, T) を返す / return the attention weights a (N, T)."""
        # TODO: 各時刻の内積 s (N, T) を作り、T 方向に softmax / dot products over H, softmax over T
        raise NotImplementedError

    def backward(self, da):
        """(dhs, dh) を返す / return (dhs, dh)."""
        # TODO: softmax の逆伝播で ds、そこから dhs = ds·h, dh = Σ_t ds·hs / ds, then dhs and dh
        raise NotImplementedError


class WeightSum:
    """重み付き和 / Weighted sum: コンテキストベクトル c / the context vector c.

    順伝播 / Forward::

        c[n] = Σ_t a[n, t] · hs[n, t]          c: (N, H)

    逆伝播 / Backward (dc: (N, H))::

        dhs[n, t] = a[n, t] · dc[n]            (和の逆伝播は T 方向へのコピー / a sum copies back along T)
        da[n, t]  = hs[n, t] · dc[n]           (H 方向の内積 / dot product over H)

    ``forward(hs, a)`` は c を返し、``backward(dc)`` は ``(dhs, da)`` を返します。
    ``forward(hs, a)`` returns c; ``backward(dc)`` returns ``(dhs, da)``.

    形状 / Shapes: hs: (N, T, H), a: (N, T) → c: (N, H);  dc: (N, H) → dhs: (N, T, H), da: (N, T)

    例 / Example::

        ws = WeightSum()
        ws.forward(np.array([[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]]), np.array([[0.5, 0.3, 0.2]]))
        # c = 0.5·[1, 2] + 0.3·[3, 4] + 0.2·[5, 6] = [[2.4, 3.4]]
        dhs, da = ws.backward(np.array([[1.0, -1.0]]))
        # dhs = [[[0.5, −0.5], [0.3, −0.3], [0.2, −0.2]]],   da = [[−1, −1, −1]]
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None  # 逆伝播で使う中間データ / intermediate data for backward

    def forward(self, hs, a):
        """c = Σ_t a·hs (N, H) を返す / return the context vector c (N, H)."""
        # TODO: a を (N, T, 1) にして hs に掛け、T 方向に和 / reshape a to (N, T, 1), multiply, sum over T
        raise NotImplementedError

    def backward(self, dc):
        """(dhs, da) を返す / return (dhs, da)."""
        # TODO: dhs = a·dc (T 方向にコピー), da = Σ_H hs·dc / copy dc along T, dot over H
        raise NotImplementedError


class Attention:
    """Attention レイヤ / Attention layer: AttentionWeight → WeightSum.

    順伝播 / Forward::

        a = AttentionWeight.forward(hs, h)          (N, T)   ``self.attention_weight`` に覚える / keep it
        c = WeightSum.forward(hs, a)                (N, H)

    逆伝播 / Backward (dout = dc: (N, H))::

        dhs0, da = WeightSum.backward(dout)
        dhs1, dh = AttentionWeight.backward(da)
        dhs = dhs0 + dhs1          (hs は 2 つの経路で使われたので足す / hs was used on two paths: add)

    ``__init__`` は記入済み (2 つの層を作る) です。 ``__init__`` is filled in (it makes the two layers).

    形状 / Shapes: hs: (N, T, H), h: (N, H) → c: (N, H);  dout: (N, H) → dhs: (N, T, H), dh: (N, H)

    例 / Example (AttentionWeight の例と同じ hs, h / the hs, h of AttentionWeight's example)::

        hs = np.array([[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]])
        att = Attention()
        att.forward(hs, np.array([[2.0, 1.0]]))
        # a = [0.244728, 0.090031, 0.665241],  c = a_0·[1, 0] + a_1·[0, 1] + a_2·[1, 1] = [[0.909969, 0.755272]]
        dhs, dh = att.backward(np.array([[1.0, 0.0]]))
        # dh = [[0.081925, −0.022033]]
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.attention_weight_layer = AttentionWeight()
        self.weight_sum_layer = WeightSum()
        self.attention_weight = None  # 最後の forward の a (可視化用) / the last a (for visualisation)

    def forward(self, hs, h):
        """コンテキストベクトル c (N, H) を返す / return the context vector c (N, H)."""
        # TODO: 2 つの層を順に forward し、a を self.attention_weight に覚える / both layers; keep a
        raise NotImplementedError

    def backward(self, dout):
        """(dhs, dh) を返す / return (dhs, dh)."""
        # TODO: 逆順に backward し、2 つの dhs を足す / backward in reverse order, add the two dhs
        raise NotImplementedError


def scaled_dot_product_attention(Q, K, V, mask=None):
    """Scaled Dot-Product Attention (Transformer).

    式 / Formula::

        scores  = Q · Kᵀ / √d_k                        (..., T_q, T_k)      d_k = Q.shape[-1]
        scores[mask] = −∞                             (mask が True の位置 = 遮断 / True = blocked)
        weights = softmax(scores)                      (最後の軸 T_k 方向 / over the last axis T_k)
        out     = weights · V                          (..., T_q, d_v)

    - √d_k で割る理由: 内積の大きさは d_k とともに (分散が d_k 倍に) 大きくなり、softmax が飽和して勾配が
      消えるため。 Why divide by √d_k: dot products grow with d_k (their variance is d_k times larger), which
      saturates the softmax and kills its gradient.
    - マスクは softmax の **前** に scores へ −∞ (または −1e9 のような大きな負の数) として入れます。すると
      遮断された位置の重みはちょうど 0 になり、残りの重みの和が 1 になります。softmax の後で重みを 0 にすると
      和が 1 になりません。 Apply the mask **before** the softmax, as −∞ (or a large negative such as −1e9) in
      the scores: blocked positions then get weight exactly 0 and the rest still sum to 1. Zeroing weights
      after the softmax breaks the sum.
    - ``mask``: bool の配列 (または None)。scores (..., T_q, T_k) にブロードキャストできる形状
      (例: 因果マスク (T_q, T_k))。採点では、すべて遮断された行はありません。
      ``mask`` is a bool array (or None), broadcastable to the scores (..., T_q, T_k) (e.g. a causal mask
      (T_q, T_k)). No row is fully blocked in the checks.
    - ``...`` は任意個の先頭の次元 (バッチ、ヘッド) です。転置は最後の 2 軸だけ: ``np.swapaxes(K, -1, -2)``
      と ``np.matmul`` (``@``) を使います。 ``...`` is any number of leading dims (batch, heads); transpose
      only the last two axes: use ``np.swapaxes(K, -1, -2)`` and ``np.matmul`` (``@``).

    形状 / Shapes: Q: (..., T_q, d_k), K: (..., T_k, d_k), V: (..., T_k, d_v)
    戻り値 / Returns: ``(out, weights)``: out (..., T_q, d_v), weights (..., T_q, T_k)

    例 / Example (d_k = 4, √d_k = 2)::

        Q = np.array([[1.0, 0.0, 1.0, 0.0]])
        K = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
        V = np.array([[1.0, 2.0], [3.0, 4.0]])
        out, w = scaled_dot_product_attention(Q, K, V)
        # scores = [2, 0]/2 = [1, 0],  w = [[e/(e + 1), 1/(e + 1)]] = [[0.731059, 0.268941]]
        # out = 0.731059·[1, 2] + 0.268941·[3, 4] = [[1.537883, 2.537883]]
        # (√d_k で割り忘れると w = softmax([2, 0]) = [0.880797, 0.119203] / without the scaling)
        out, w = scaled_dot_product_attention(Q, K, V, mask=np.array([[False, True]]))
        # w = [[1, 0]],  out = [[1, 2]]
    """
    # TODO: Q·Kᵀ/√d_k、mask の位置を −∞、最後の軸で softmax、V を掛けて (out, weights) / mask before softmax
    raise NotImplementedError
