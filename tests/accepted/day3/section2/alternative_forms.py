# ACCEPTED: every check passes (other correct formulations: np.split and @, a TimeLSTM without a layers list)
"""Day 3 Section 2 の別解: A を np.split で 4 つに分ける LSTM (@ 演算子、dA は np.concatenate)、LSTM レイヤを
作らず各時刻の値を辞書のリストに覚える TimeLSTM。
Alternative correct forms: an LSTM that cuts A into four with np.split (the @ operator, dA with np.concatenate),
and a TimeLSTM that keeps each step's values in a list of dicts instead of LSTM layers.
"""

import numpy as np


def _sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))  # σ(x) = (1 + tanh(x/2)) / 2: never overflows


def _step(x, h_prev, c_prev, Wx, Wh, b):
    f, g, i, o = np.split(x @ Wx + h_prev @ Wh + b, 4, axis=1)
    f, g, i, o = _sigmoid(f), np.tanh(g), _sigmoid(i), _sigmoid(o)
    c = f * c_prev + g * i
    return {"x": x, "h_prev": h_prev, "c_prev": c_prev, "f": f, "g": g, "i": i, "o": o, "c": c,
            "h": o * np.tanh(c)}


def _step_backward(s, dh, dc, Wx, Wh):
    tc = np.tanh(s["c"])
    ds = dc + dh * s["o"] * (1 - tc * tc)
    f, g, i, o = s["f"], s["g"], s["i"], s["o"]
    dA = np.concatenate([ds * s["c_prev"] * f * (1 - f), ds * i * (1 - g * g), ds * g * i * (1 - i),
                         dh * tc * o * (1 - o)], axis=1)
    return dA, dA @ Wx.T, dA @ Wh.T, ds * f


class LSTM:
    def __init__(self, Wx, Wh, b):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None

    def forward(self, x, h_prev, c_prev):
        self.cache = _step(x, h_prev, c_prev, *self.params)
        return self.cache["h"], self.cache["c"]

    def backward(self, dh_next, dc_next):
        Wx, Wh, _ = self.params
        s = self.cache
        dA, dx, dh_prev, dc_prev = _step_backward(s, dh_next, dc_next, Wx, Wh)
        self.grads[0][...] = s["x"].T @ dA
        self.grads[1][...] = s["h_prev"].T @ dA
        self.grads[2][...] = dA.sum(axis=0)
        return dx, dh_prev, dc_prev


class TimeLSTM:
    def __init__(self, Wx, Wh, b, stateful=False):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.layers = None
        self.h, self.c = None, None
        self.dh = None
        self.stateful = stateful

    def forward(self, xs):
        N, T, _ = xs.shape
        H = self.params[1].shape[0]
        h = self.h if self.stateful and self.h is not None else np.zeros((N, H))
        c = self.c if self.stateful and self.c is not None else np.zeros((N, H))
        self.steps = []
        for t in range(T):
            s = _step(xs[:, t], h, c, *self.params)
            self.steps.append(s)
            h, c = s["h"], s["c"]
        self.h, self.c = h, c
        return np.stack([s["h"] for s in self.steps], axis=1)

    def backward(self, dhs):
        Wx, Wh, _ = self.params
        sums = [np.zeros_like(g) for g in self.grads]
        dxs = np.zeros(dhs.shape[:2] + (Wx.shape[0],))
        dh = dc = np.zeros_like(dhs[:, 0])
        for t in reversed(range(dhs.shape[1])):
            s = self.steps[t]
            dA, dxs[:, t], dh, dc = _step_backward(s, dhs[:, t] + dh, dc, Wx, Wh)
            sums[0] += s["x"].T @ dA
            sums[1] += s["h_prev"].T @ dA
            sums[2] += dA.sum(axis=0)
        for grad, total in zip(self.grads, sums, strict=True):
            grad[...] = total
        self.dh = dh
        return dxs

    def set_state(self, h, c=None):
        self.h = h
        self.c = np.zeros_like(h) if c is None else c

    def reset_state(self):
        self.h = self.c = None
