# MUTANT targets: mean_squared_error
# MUTANT feedback: the half is missing
"""Day 1 Section 3 出力層: ソフトマックス関数と誤差関数 (交差エントロピー、二乗誤差) の参照実装。
Day 1 Section 3 output layer: reference softmax and loss functions (cross-entropy, squared error).
"""

import numpy as np


def softmax(x):
    """y_k = exp(x_k) / Σ_j exp(x_j); x: (N, K) は行ごと / row by row, または / or (K,)."""
    x = np.asarray(x, dtype=float)
    # オーバーフロー対策: 最大値を引いても結果は同じ
    x = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(x)
    return e / np.sum(e, axis=-1, keepdims=True)


def cross_entropy_error(y, t):
    """E = −(1/N) Σ_n log(y[n, t_n] + δ), δ = 1e-7; t は one-hot (y と同形状) か ラベル (N,)。"""
    y, t = np.asarray(y, dtype=float), np.asarray(t)
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    # 教師データが one-hot ならラベル (正解のインデックス) に変換
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    # log(0) = −inf を防ぐ微小値 δ = 1e-7
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


def mean_squared_error(y, t):
    """E = ½ Σ (y − t)² を全要素について (バッチ平均はしない) / over all elements (no batch average)."""
    return np.sum((np.asarray(y, dtype=float) - np.asarray(t, dtype=float)) ** 2)
