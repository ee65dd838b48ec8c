# MUTANT targets: Momentum
# MUTANT feedback: book's defaults
"""Day 2 Section 2: 学習率最適化手法 (SGD, Momentum, AdaGrad, RMSprop, Adam) の参照実装。
Day 2 Section 2: reference implementations of SGD, Momentum, AdaGrad, RMSprop and Adam.

ゼロから作るDeep Learning の common/optimizer.py と同じ API・同じ式です。``update(params, grads)`` は
``params`` の配列をその場で更新し、状態はキーごとの dict として最初の呼び出しで作って保持します。
Same API and maths as the book's common/optimizer.py: ``update(params, grads)`` updates the arrays of
``params`` in place; state is a dict keyed like ``params``, created on the first call and kept.
"""

import numpy as np


class SGD:
    """確率的勾配降下法 / SGD:  W ← W − lr·∂L/∂W."""

    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in params.keys():
            params[key] -= self.lr * grads[key]  # その場で更新 (再代入しない)


class Momentum:
    """Momentum SGD:  v ← momentum·v − lr·∂L/∂W,  W ← W + v."""

    def __init__(self, lr=0.1, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        if self.v is None:  # 状態は最初の呼び出しでキーごとに作る
            self.v = {}
            for key, val in params.items():
                self.v[key] = np.zeros_like(val)

        for key in params.keys():
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += self.v[key]


class AdaGrad:
    """AdaGrad:  h ← h + (∂L/∂W)²,  W ← W − lr·∂L/∂W / (√h + 1e-7)."""

    def __init__(self, lr=0.01):
        self.lr = lr
        self.h = None

    def update(self, params, grads):
        if self.h is None:
            self.h = {}
            for key, val in params.items():
                self.h[key] = np.zeros_like(val)

        for key in params.keys():
            self.h[key] += grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)  # 0 除算対策


class RMSprop:
    """RMSprop:  h ← ρ·h + (1 − ρ)·(∂L/∂W)²,  W ← W − lr·∂L/∂W / (√h + 1e-7)."""

    def __init__(self, lr=0.01, decay_rate=0.99):
        self.lr = lr
        self.decay_rate = decay_rate
        self.h = None

    def update(self, params, grads):
        if self.h is None:
            self.h = {}
            for key, val in params.items():
                self.h[key] = np.zeros_like(val)

        for key in params.keys():
            self.h[key] *= self.decay_rate  # 古い勾配を忘れる (指数移動平均)
            self.h[key] += (1 - self.decay_rate) * grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)  # 0 除算対策


class Adam:
    """Adam (本の形 / the book's form):

    lr_t = lr·√(1 − β2^t)/(1 − β1^t),  m += (1 − β1)(g − m),  v += (1 − β2)(g² − v),
    W ← W − lr_t·m/(√v + 1e-7).
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 0
        self.m = None
        self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m, self.v = {}, {}
            for key, val in params.items():
                self.m[key] = np.zeros_like(val)
                self.v[key] = np.zeros_like(val)

        self.iter += 1  # t は呼び出しごとに 1 (キーごとではない)
        # バイアス補正を学習率にまとめる
        lr_t = self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter)

        for key in params.keys():
            self.m[key] += (1 - self.beta1) * (grads[key] - self.m[key])
            self.v[key] += (1 - self.beta2) * (grads[key] ** 2 - self.v[key])
            params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + 1e-7)  # 0 除算対策
