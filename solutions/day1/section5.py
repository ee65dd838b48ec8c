"""Day 1 Section 5 誤差逆伝播法: Relu, Sigmoid, Affine, SoftmaxWithLoss の層と 2 層ネットワークの参照実装。
Day 1 Section 5 backpropagation: reference layers Relu, Sigmoid, Affine, SoftmaxWithLoss and a two-layer net.

ゼロから作るDeep Learning 5 章 (common/layers.py, ch05/two_layer_net.py) と同じ API です。
Same API as the book's chapter 5 (common/layers.py, ch05/two_layer_net.py).
"""

import numpy as np


class Relu:
    """ReLU 層 / ReLU layer: y = max(0, x); dx = dout (x > 0), 0 (x ≤ 0)."""

    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = 0  # 順伝播で 0 以下だった所は勾配を流さない
        return dx


class Sigmoid:
    """Sigmoid 層 / Sigmoid layer: y = 1/(1+exp(−x)); dx = dout·y·(1−y)."""

    def __init__(self):
        self.out = None

    def forward(self, x):
        out = 1 / (1 + np.exp(-x))
        self.out = out  # 逆伝播では出力 y だけを使う
        return out

    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out


class Affine:
    """Affine 層 / Affine layer: y = x·W + b; dx = dout·Wᵀ, dW = xᵀ·dout, db = Σ_N dout."""

    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)  # バイアスはバッチ方向に足し合わせる
        return dx


class SoftmaxWithLoss:
    """Softmax + 交差エントロピー誤差 / Softmax with cross-entropy loss; dx = (y − t) / N."""

    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        x = x - np.max(x, axis=1, keepdims=True)  # オーバーフロー対策
        self.y = np.exp(x) / np.sum(np.exp(x), axis=1, keepdims=True)  # softmax
        batch_size = x.shape[0]
        labels = t.argmax(axis=1) if t.size == self.y.size else t  # one-hot なら正解ラベルの番号に直す
        self.loss = -np.sum(np.log(self.y[np.arange(batch_size), labels] + 1e-7)) / batch_size  # log(0) 対策
        return float(self.loss)

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        if self.t.size == self.y.size:  # one-hot
            dx = (self.y - self.t) / batch_size
        else:  # 正解ラベルの番号
            dx = self.y.copy()
            dx[np.arange(batch_size), self.t] -= 1
            dx = dx / batch_size  # バッチの平均なので N で割る
        return dx * dout  # 連鎖律: 上流の勾配を掛ける (最後の層では dout = 1)


class TwoLayerNet:
    """2 層ネットワーク Affine → Relu → Affine → SoftmaxWithLoss / Two-layer network."""

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {}
        self.params["W1"] = weight_init_std * np.random.randn(input_size, hidden_size)
        self.params["b1"] = np.zeros(hidden_size)
        self.params["W2"] = weight_init_std * np.random.randn(hidden_size, output_size)
        self.params["b2"] = np.zeros(output_size)

        self.layers = {}  # 挿入順を保つ (本では OrderedDict)
        self.layers["Affine1"] = Affine(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W2"], self.params["b2"])
        self.lastLayer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        y = self.predict(x)
        return self.lastLayer.forward(y, t)

    def accuracy(self, x, t):
        y = np.argmax(self.predict(x), axis=1)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return float(np.sum(y == t) / x.shape[0])

    def numerical_gradient(self, x, t):
        h = 1e-4
        grads = {}
        for key, param in self.params.items():
            grad = np.zeros_like(param)
            it = np.nditer(param, flags=["multi_index"], op_flags=["readwrite"])
            while not it.finished:
                idx = it.multi_index
                tmp_val = param[idx]
                param[idx] = tmp_val + h  # 層も同じ配列を参照しているので損失が変わる
                fxh1 = self.loss(x, t)
                param[idx] = tmp_val - h
                fxh2 = self.loss(x, t)
                grad[idx] = (fxh1 - fxh2) / (2 * h)
                param[idx] = tmp_val  # 値を元に戻す
                it.iternext()
            grads[key] = grad
        return grads

    def gradient(self, x, t):
        self.loss(x, t)  # 順伝播 (各層が逆伝播に必要な値を覚える)

        dout = self.lastLayer.backward(1)
        for layer in reversed(list(self.layers.values())):  # 逆順にたどる
            dout = layer.backward(dout)

        return {
            "W1": self.layers["Affine1"].dW, "b1": self.layers["Affine1"].db,
            "W2": self.layers["Affine2"].dW, "b2": self.layers["Affine2"].db,
        }
