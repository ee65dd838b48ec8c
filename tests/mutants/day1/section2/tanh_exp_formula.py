# MUTANT targets: tanh
# MUTANT feedback: overflow
"""Day 1 Section 2 活性化関数: ステップ・シグモイド・ReLU・tanh とその導関数の参照実装。
Day 1 Section 2 activation functions: reference step, sigmoid, ReLU, tanh and their derivatives.
"""

import numpy as np


def step_function(x):
    """ステップ関数 / step function: 1 (x > 0), 0 (x < 0); x = 0 は 0 でも 1 でも可 / either at x = 0."""
    return np.array(np.asarray(x) > 0, dtype=int)


def sigmoid(x):
    """シグモイド関数 / sigmoid: σ(x) = 1 / (1 + exp(-x)), 要素ごと / elementwise."""
    x = np.asarray(x, dtype=float)
    # オーバーフロー対策: exp には常に -|x| ≤ 0 を渡す (x = -1000 で exp(1000) を作らない)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def relu(x):
    """ReLU: max(0, x), 要素ごと / elementwise; 入力は書き換えない / the input is not modified."""
    return np.maximum(0, x)


def tanh(x):
    """双曲線正接 / hyperbolic tangent: (e^x − e^−x) / (e^x + e^−x)."""
    # np.tanh は |x| が大きくても ±1 に飽和する (exp の比をそのまま計算すると inf/inf = nan)
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


def sigmoid_grad(x):
    """σ'(x) = σ(x)(1 − σ(x)); x は入力 (出力 y ではない) / x is the input, not the output y."""
    y = sigmoid(x)
    return y * (1.0 - y)


def relu_grad(x):
    """ReLU の導関数 / derivative: 1 (x > 0), 0 (x < 0); x = 0 では 0 (講義) でも 1 (書籍) でも可."""
    return np.where(np.asarray(x) > 0, 1.0, 0.0)


def tanh_grad(x):
    """tanh'(x) = 1 − tanh²(x)."""
    y = np.tanh(x)
    return 1.0 - y ** 2
