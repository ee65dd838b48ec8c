# ACCEPTED: every check passes (other correct formulations: @ instead of np.dot, a TimeRNN without a layers list)
"""Day 3 Section 1 の別解: @ 演算子、tanh′ を (1 + h)(1 − h) と書く RNN、RNN レイヤを作らず各時刻の値だけを
リストに覚える TimeRNN、np.linalg.norm と添字で書く clip_grads (1e-6 なし)。
Alternative correct forms: the @ operator, tanh′ written (1 + h)(1 − h), a TimeRNN that keeps each step's values
in lists instead of RNN layers, and a clip_grads with np.linalg.norm and indices (without the 1e-6).
"""

import numpy as np


class RNN:
    def __init__(self, Wx, Wh, b):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None

    def forward(self, x, h_prev):
        Wx, Wh, b = self.params
        h_next = np.tanh(x @ Wx + h_prev @ Wh + b)
        self.cache = {"x": x, "h_prev": h_prev, "h_next": h_next}
        return h_next

    def backward(self, dh_next):
        Wx, Wh, _ = self.params
        c = self.cache
        dt = dh_next * (1 + c["h_next"]) * (1 - c["h_next"])  # 1 − h² = (1 + h)(1 − h)
        for grad, value in zip(self.grads, (c["x"].T @ dt, c["h_prev"].T @ dt, dt.sum(axis=0)), strict=True):
            grad[...] = value
        return dt @ Wx.T, dt @ Wh.T


class TimeRNN:
    def __init__(self, Wx, Wh, b, stateful=False):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.layers = None
        self.h, self.dh = None, None
        self.stateful = stateful

    def forward(self, xs):
        Wx, Wh, b = self.params
        N, T, _ = xs.shape
        h = self.h if (self.stateful and self.h is not None) else np.zeros((N, Wh.shape[0]))
        self.steps = []  # (x_t, h_{t−1}, h_t): all backward needs
        outs = []
        for t in range(T):
            h_new = np.tanh(xs[:, t] @ Wx + h @ Wh + b)
            self.steps.append((xs[:, t], h, h_new))
            outs.append(h_new)
            h = h_new
        self.h = h
        return np.stack(outs, axis=1)

    def backward(self, dhs):
        Wx, Wh, _ = self.params
        dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[0])
        dxs = np.zeros(dhs.shape[:2] + (Wx.shape[0],))
        dh = np.zeros_like(dhs[:, 0])
        for t in range(dhs.shape[1] - 1, -1, -1):
            x, h_prev, h = self.steps[t]
            dt = (dhs[:, t] + dh) * (1 - h * h)
            dWx += x.T @ dt
            dWh += h_prev.T @ dt
            db += dt.sum(axis=0)
            dxs[:, t] = dt @ Wx.T
            dh = dt @ Wh.T
        self.grads[0][...], self.grads[1][...], self.grads[2][...] = dWx, dWh, db
        self.dh = dh
        return dxs

    def set_state(self, h):
        self.h = np.array(h, copy=True)

    def reset_state(self):
        self.h = None


def clip_grads(grads, max_norm):
    total_norm = np.linalg.norm(np.concatenate([np.ravel(g) for g in grads]))
    if total_norm > max_norm:
        for k in range(len(grads)):
            grads[k] *= max_norm / total_norm
