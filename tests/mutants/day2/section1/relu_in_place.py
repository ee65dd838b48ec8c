# MUTANT targets: relu
# MUTANT feedback: in place
"""Day 2 Section 1 勾配消失問題 の参照解 / Reference solutions for Day 2 Section 1 (vanishing gradients)."""

import numpy as np


def sigmoid(x):
    """シグモイド σ(x) = 1 / (1 + exp(−x)) (要素ごと) / The sigmoid, elementwise on any shape."""
    x = np.asarray(x, dtype=float)
    # オーバーフロー対策: exp の引数が常に 0 以下になるよう符号で場合分け
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x):
    """シグモイドの微分 σ'(x) = σ(x)(1 − σ(x)) / The derivative of the sigmoid at x."""
    y = sigmoid(x)
    return y * (1.0 - y)


def relu(x):
    """ReLU max(0, x) (要素ごと, 入力は変更しない) / ReLU, elementwise; x is not modified."""
    x[x < 0] = 0  # MUTANT: overwrites the caller's array
    return x


def relu_grad(x):
    """ReLU の微分: x > 0 で 1, それ以外 0 / The derivative of ReLU: 1 where x > 0, else 0."""
    return (np.asarray(x) > 0).astype(float)


def xavier_init(n_in, n_out, rng):
    """Xavier の初期値: 標準偏差 1/√n_in の正規分布, 形状 (n_in, n_out) / Xavier: std 1/√n_in."""
    return rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)


def he_init(n_in, n_out, rng):
    """He の初期値: 標準偏差 √(2/n_in) の正規分布, 形状 (n_in, n_out) / He: std √(2/n_in)."""
    return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)


class BatchNormalization:
    """バッチ正規化レイヤ (書籍 common/layers.py と同じ形) / Batch normalization layer (the book's form)."""

    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.input_shape = None

        # テスト時に使う平均と分散 / statistics used in test mode
        self.running_mean = running_mean
        self.running_var = running_var

        # backward で使う中間データ / intermediates for backward
        self.batch_size = None
        self.xc = None
        self.xn = None
        self.std = None
        self.dgamma = None
        self.dbeta = None

    def forward(self, x, train_flg=True):
        """x: (N, D) (4 次元 (N, C, H, W) は (N, C·H·W) に変形) → out: x と同じ形状."""
        self.input_shape = x.shape
        if x.ndim != 2:
            x = x.reshape(x.shape[0], -1)
        out = self._forward(x, train_flg)
        return out.reshape(*self.input_shape)

    def _forward(self, x, train_flg):
        if self.running_mean is None:
            D = x.shape[1]
            self.running_mean = np.zeros(D)
            self.running_var = np.zeros(D)

        if train_flg:
            mu = x.mean(axis=0)
            xc = x - mu
            var = np.mean(xc**2, axis=0)
            std = np.sqrt(var + 10e-7)  # 0 除算対策の小さな値 (書籍と同じ 10e-7)
            xn = xc / std

            self.batch_size = x.shape[0]
            self.xc = xc
            self.xn = xn
            self.std = std
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            xc = x - self.running_mean
            xn = xc / np.sqrt(self.running_var + 10e-7)

        return self.gamma * xn + self.beta

    def backward(self, dout):
        """dout: forward の出力と同じ形状 → dx を返し, self.dgamma, self.dbeta を保存."""
        if dout.ndim != 2:
            dout = dout.reshape(dout.shape[0], -1)
        dx = self._backward(dout)
        return dx.reshape(*self.input_shape)

    def _backward(self, dout):
        dbeta = dout.sum(axis=0)
        dgamma = np.sum(self.xn * dout, axis=0)
        dxn = self.gamma * dout
        dxc = dxn / self.std
        dstd = -np.sum((dxn * self.xc) / (self.std * self.std), axis=0)
        dvar = 0.5 * dstd / self.std
        dxc += (2.0 / self.batch_size) * self.xc * dvar  # 分散を通る経路
        dmu = np.sum(dxc, axis=0)
        dx = dxc - dmu / self.batch_size  # 平均を通る経路

        self.dgamma = dgamma
        self.dbeta = dbeta
        return dx
