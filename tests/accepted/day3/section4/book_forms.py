# ACCEPTED: every check passes (the book's TimeBiLSTM built from the book's RNN / TimeRNN layers)
"""Day 3 Section 4 を本 (common/time_layers.py の RNN, TimeRNN と TimeBiLSTM) の組み立てで書いた別解:
2 つの TimeRNN 層が params の配列をそのまま使い、backward では各層の grads を self.grads に写す。
The book's assembly (common/time_layers.py: RNN, TimeRNN, TimeBiLSTM): two TimeRNN layers use the arrays of
params as they are, and backward copies each layer's grads into self.grads.
"""
import numpy as np


class RNN:
    def __init__(self, Wx, Wh, b):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None

    def forward(self, x, h_prev):
        Wx, Wh, b = self.params
        t = np.dot(h_prev, Wh) + np.dot(x, Wx) + b
        h_next = np.tanh(t)
        self.cache = (x, h_prev, h_next)
        return h_next

    def backward(self, dh_next):
        Wx, Wh, b = self.params
        x, h_prev, h_next = self.cache
        dt = dh_next * (1 - h_next ** 2)
        db = np.sum(dt, axis=0)
        dWh = np.dot(h_prev.T, dt)
        dh_prev = np.dot(dt, Wh.T)
        dWx = np.dot(x.T, dt)
        dx = np.dot(dt, Wx.T)
        self.grads[0][...] = dWx
        self.grads[1][...] = dWh
        self.grads[2][...] = db
        return dx, dh_prev


class TimeRNN:
    def __init__(self, Wx, Wh, b, stateful=False):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.layers = None
        self.h, self.dh = None, None
        self.stateful = stateful

    def forward(self, xs):
        Wx, Wh, b = self.params
        N, T, D = xs.shape
        D, H = Wx.shape
        self.layers = []
        hs = np.empty((N, T, H), dtype='f')
        if not self.stateful or self.h is None:
            self.h = np.zeros((N, H), dtype='f')
        for t in range(T):
            layer = RNN(*self.params)
            self.h = layer.forward(xs[:, t, :], self.h)
            hs[:, t, :] = self.h
            self.layers.append(layer)
        return hs

    def backward(self, dhs):
        Wx, Wh, b = self.params
        N, T, H = dhs.shape
        D, H = Wx.shape
        dxs = np.empty((N, T, D), dtype='f')
        dh = 0
        grads = [0, 0, 0]
        for t in reversed(range(T)):
            layer = self.layers[t]
            dx, dh = layer.backward(dhs[:, t, :] + dh)
            dxs[:, t, :] = dx
            for i, grad in enumerate(layer.grads):
                grads[i] += grad
        for i, grad in enumerate(grads):
            self.grads[i][...] = grad
        self.dh = dh
        return dxs


class TimeBiRNN:
    def __init__(self, Wx1, Wh1, b1, Wx2, Wh2, b2):
        self.params = [Wx1, Wh1, b1, Wx2, Wh2, b2]
        self.grads = [np.zeros_like(p) for p in self.params]
        self.cache = None
        self.forward_rnn = TimeRNN(Wx1, Wh1, b1)
        self.backward_rnn = TimeRNN(Wx2, Wh2, b2)

    def forward(self, xs):
        o1 = self.forward_rnn.forward(xs)
        o2 = self.backward_rnn.forward(xs[:, ::-1])
        o2 = o2[:, ::-1]
        return np.concatenate((o1, o2), axis=2)

    def backward(self, dhs):
        H = dhs.shape[2] // 2
        do1 = dhs[:, :, :H]
        do2 = dhs[:, :, H:]
        dxs1 = self.forward_rnn.backward(do1)
        do2 = do2[:, ::-1]
        dxs2 = self.backward_rnn.backward(do2)
        dxs2 = dxs2[:, ::-1]
        for i, g in enumerate(self.forward_rnn.grads + self.backward_rnn.grads):
            self.grads[i][...] = g
        return dxs1 + dxs2
