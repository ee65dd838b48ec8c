# ACCEPTED: every check passes (other correct formulations the course or the literature teaches)
"""Day 2 Section 1 を本の書き方で: 素朴な sigmoid 1 / (1 + np.exp(-x)) (x = −1000 で overflow の警告: 値は正しいので
合格、警告は助言 note に出る)、sigmoid を 2 回呼ぶ sigmoid_grad、x ≥ 0 で 1 の relu_grad、scale * 乱数の初期値、
__forward / __backward (名前マングリング) に分けたバッチ正規化。
The book's style: the naive sigmoid (an overflow warning at x = −1000, right values: a pass with a note), a
sigmoid_grad calling sigmoid twice, relu_grad with 1 at x ≥ 0, scale * random initialisers, and a batch norm
split into name-mangled __forward / __backward as in common/layers.py.
"""
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x):
    return (1.0 - sigmoid(x)) * sigmoid(x)


def relu(x):
    return np.maximum(0, x)


def relu_grad(x):
    grad = np.zeros_like(x)
    grad[x >= 0] = 1
    return grad


def xavier_init(n_in, n_out, rng):
    scale = np.sqrt(1.0 / n_in)  # Xavier: 前の層のノード数 n で 1/√n
    return scale * rng.standard_normal((n_in, n_out))


def he_init(n_in, n_out, rng):
    scale = np.sqrt(2.0 / n_in)  # He: ReLU のときは √(2/n)
    return scale * rng.standard_normal((n_in, n_out))


class BatchNormalization:
    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.input_shape = None
        self.running_mean = running_mean
        self.running_var = running_var
        self.batch_size = None
        self.xc = None
        self.std = None
        self.dgamma = None
        self.dbeta = None

    def forward(self, x, train_flg=True):
        self.input_shape = x.shape
        if x.ndim != 2:
            N, C, H, W = x.shape
            x = x.reshape(N, -1)
        out = self.__forward(x, train_flg)
        return out.reshape(*self.input_shape)

    def __forward(self, x, train_flg):
        if self.running_mean is None:
            N, D = x.shape
            self.running_mean = np.zeros(D)
            self.running_var = np.zeros(D)
        if train_flg:
            mu = x.mean(axis=0)
            xc = x - mu
            var = np.mean(xc ** 2, axis=0)
            std = np.sqrt(var + 10e-7)
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
        if dout.ndim != 2:
            N, C, H, W = dout.shape
            dout = dout.reshape(N, -1)
        dx = self.__backward(dout)
        return dx.reshape(*self.input_shape)

    def __backward(self, dout):
        dbeta = dout.sum(axis=0)
        dgamma = np.sum(self.xn * dout, axis=0)
        dxn = self.gamma * dout
        dxc = dxn / self.std
        dstd = -np.sum((dxn * self.xc) / (self.std * self.std), axis=0)
        dvar = 0.5 * dstd / self.std
        dxc += (2.0 / self.batch_size) * self.xc * dvar
        dmu = np.sum(dxc, axis=0)
        dx = dxc - dmu / self.batch_size
        self.dgamma = dgamma
        self.dbeta = dbeta
        return dx
