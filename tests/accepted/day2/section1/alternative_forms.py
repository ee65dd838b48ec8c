# ACCEPTED: every check passes (other correct formulations the course or the literature teaches)
"""Day 2 Section 1 の別解: np.clip による sigmoid, bool の relu_grad (x = 0 で 1), 一様分布の初期値, 別形式の BN.
Alternative correct forms: clipped sigmoid, boolean relu_grad (1 at x = 0), uniform initialisers with the right
limits, and a batch norm with ε = 1e-5, unbiased running variance, running_var starting at ones, the compact dx
formula, and backward returning (dx, dgamma, dbeta).
"""

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -500.0, 500.0)))  # オーバーフロー対策: clip


def sigmoid_grad(x):
    s = sigmoid(x)
    return (1.0 - s) * s


def relu(x):
    return x * (x > 0)


def relu_grad(x):
    return x >= 0


def xavier_init(n_in, n_out, rng):
    a = np.sqrt(3.0 / n_in)  # U(−a, a) の標準偏差は a/√3
    return rng.uniform(-a, a, size=(n_in, n_out))


def he_init(n_in, n_out, rng):
    a = np.sqrt(6.0 / n_in)
    return rng.uniform(-a, a, size=(n_in, n_out))


class BatchNormalization:
    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.running_mean = running_mean
        self.running_var = running_var
        self.xn = None
        self.std = None
        self.dgamma = None
        self.dbeta = None

    def forward(self, x, train_flg=True):
        if self.running_mean is None:
            self.running_mean = np.zeros(x.shape[1])
            self.running_var = np.ones(x.shape[1])
        if train_flg:
            mu = x.mean(axis=0)
            var = x.var(axis=0)
            n = x.shape[0]
            self.std = np.sqrt(var + 1e-5)
            self.xn = (x - mu) / self.std
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var * n / (n - 1)
            xn = self.xn
        else:
            xn = (x - self.running_mean) / np.sqrt(self.running_var + 1e-5)
        return self.gamma * xn + self.beta

    def backward(self, dout):
        n = dout.shape[0]
        dxn = self.gamma * dout
        dx = (n * dxn - dxn.sum(axis=0) - self.xn * np.sum(dxn * self.xn, axis=0)) / (n * self.std)
        dgamma = np.sum(self.xn * dout, axis=0)
        dbeta = dout.sum(axis=0)
        return dx, dgamma, dbeta
