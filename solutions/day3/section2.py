"""Day 3 Section 2 LSTM: LSTM と TimeLSTM の参照実装。
Day 3 Section 2 LSTM: reference LSTM and TimeLSTM.

ゼロから作るDeep Learning ❷ の common/time_layers.py (LSTM, TimeLSTM) と同じ API です。4 つのゲートの
重みは 1 つの行列に f, g, i, o の順で並べて持ちます。
Same API as book ❷'s common/time_layers.py (LSTM, TimeLSTM). The four gates' weights are packed into one
matrix in the order f, g, i, o.
"""

import numpy as np


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


class LSTM:
    """1 時刻分の LSTM / One LSTM step.

    A = x·Wx + h_prev·Wh + b = [f | g | i | o] (各 H 列 / H columns each);
    c_next = σ(f)·c_prev + tanh(g)·σ(i),  h_next = σ(o)·tanh(c_next).
    Wx: (D, 4H), Wh: (H, 4H), b: (4H,); x: (N, D); h_prev, c_prev: (N, H).
    """

    def __init__(self, Wx, Wh, b):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None

    def forward(self, x, h_prev, c_prev):
        Wx, Wh, b = self.params
        H = h_prev.shape[1]

        A = np.dot(x, Wx) + np.dot(h_prev, Wh) + b  # 4 つのアフィン変換を 1 回の行列積で
        f = _sigmoid(A[:, :H])
        g = np.tanh(A[:, H:2 * H])
        i = _sigmoid(A[:, 2 * H:3 * H])
        o = _sigmoid(A[:, 3 * H:])

        c_next = f * c_prev + g * i
        h_next = o * np.tanh(c_next)
        self.cache = (x, h_prev, c_prev, f, g, i, o, c_next)
        return h_next, c_next

    def backward(self, dh_next, dc_next):
        Wx, Wh, b = self.params
        x, h_prev, c_prev, f, g, i, o, c_next = self.cache

        tanh_c = np.tanh(c_next)
        ds = dc_next + dh_next * o * (1 - tanh_c ** 2)  # c_next は次の時刻と h_next の両方へ流れる
        dc_prev = ds * f  # 記憶セルを通る勾配は f 倍されるだけ (CEC)

        df = ds * c_prev * f * (1 - f)
        dg = ds * i * (1 - g ** 2)
        di = ds * g * i * (1 - i)
        do = dh_next * tanh_c * o * (1 - o)
        dA = np.hstack((df, dg, di, do))  # forward と同じ f, g, i, o の順

        self.grads[0][...] = np.dot(x.T, dA)
        self.grads[1][...] = np.dot(h_prev.T, dA)
        self.grads[2][...] = dA.sum(axis=0)
        dx = np.dot(dA, Wx.T)
        dh_prev = np.dot(dA, Wh.T)
        return dx, dh_prev, dc_prev


class TimeLSTM:
    """T 時刻分の LSTM (Truncated BPTT) / T LSTM steps: xs (N, T, D) → hs (N, T, H).

    stateful=True なら h と c を forward の呼び出しをまたいで引き継ぐ。
    With stateful=True, h and c carry over between forward calls.
    """

    def __init__(self, Wx, Wh, b, stateful=False):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.layers = None
        self.h, self.c = None, None
        self.dh = None
        self.stateful = stateful

    def forward(self, xs):
        Wx, Wh, b = self.params
        N, T, D = xs.shape
        H = Wh.shape[0]

        self.layers = []
        hs = np.empty((N, T, H), dtype=np.result_type(xs, Wx, Wh, b))
        if not self.stateful or self.h is None:
            self.h = np.zeros((N, H), dtype=hs.dtype)
        if not self.stateful or self.c is None:
            self.c = np.zeros((N, H), dtype=hs.dtype)

        for t in range(T):
            layer = LSTM(*self.params)
            self.h, self.c = layer.forward(xs[:, t, :], self.h, self.c)
            hs[:, t, :] = self.h
            self.layers.append(layer)
        return hs

    def backward(self, dhs):
        Wx, Wh, b = self.params
        N, T, H = dhs.shape
        D = Wx.shape[0]

        dxs = np.empty((N, T, D), dtype=np.result_type(dhs, Wx))
        dh, dc = 0, 0
        grads = [0, 0, 0]
        for t in reversed(range(T)):
            layer = self.layers[t]
            dx, dh, dc = layer.backward(dhs[:, t, :] + dh, dc)
            dxs[:, t, :] = dx
            for k, grad in enumerate(layer.grads):
                grads[k] += grad

        for k, grad in enumerate(grads):
            self.grads[k][...] = grad
        self.dh = dh
        return dxs

    def set_state(self, h, c=None):
        self.h = h
        self.c = np.zeros_like(h) if c is None else c

    def reset_state(self):
        self.h, self.c = None, None
