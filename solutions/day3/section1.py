"""Day 3 Section 1 再帰型ニューラルネットワーク: RNN, TimeRNN (BPTT) と勾配クリッピングの参照実装。
Day 3 Section 1 recurrent neural networks: reference RNN, TimeRNN (BPTT) and gradient clipping.

ゼロから作るDeep Learning ❷ の common/time_layers.py (RNN, TimeRNN) と common/util.py (clip_grads) と同じ
API です。層は ``params`` と ``grads`` を配列のリストで持ち、勾配は ``[...] =`` でその場に書き込みます。
Same API as book ❷'s common/time_layers.py (RNN, TimeRNN) and common/util.py (clip_grads). Layers keep
``params`` and ``grads`` as lists of arrays; gradients are written in place with ``[...] =``.
"""

import numpy as np


class RNN:
    """1 時刻分の RNN / One time step:  h_next = tanh(h_prev·Wh + x·Wx + b).

    Wx: (D, H), Wh: (H, H), b: (H,); x: (N, D), h_prev: (N, H) → h_next: (N, H).
    """

    def __init__(self, Wx, Wh, b):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None

    def forward(self, x, h_prev):
        Wx, Wh, b = self.params
        h_next = np.tanh(np.dot(h_prev, Wh) + np.dot(x, Wx) + b)
        self.cache = (x, h_prev, h_next)
        return h_next

    def backward(self, dh_next):
        Wx, Wh, b = self.params
        x, h_prev, h_next = self.cache

        dt = dh_next * (1 - h_next ** 2)  # tanh′ は出力 h_next から: 1 − tanh²
        self.grads[0][...] = np.dot(x.T, dt)
        self.grads[1][...] = np.dot(h_prev.T, dt)
        self.grads[2][...] = np.sum(dt, axis=0)
        dx = np.dot(dt, Wx.T)
        dh_prev = np.dot(dt, Wh.T)
        return dx, dh_prev


class TimeRNN:
    """T 時刻分の RNN (Truncated BPTT) / T steps of RNN: xs (N, T, D) → hs (N, T, H).

    stateful=True なら h を forward の呼び出しをまたいで引き継ぐ (逆伝播はブロック内で打ち切る)。
    With stateful=True the hidden state h carries over between forward calls (backprop stops at the block).
    """

    def __init__(self, Wx, Wh, b, stateful=False):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.layers = None
        self.h, self.dh = None, None
        self.stateful = stateful

    def forward(self, xs):
        Wx, Wh, b = self.params
        N, T, D = xs.shape
        H = Wh.shape[0]

        self.layers = []
        hs = np.empty((N, T, H), dtype=np.result_type(xs, Wx, Wh, b))
        if not self.stateful or self.h is None:
            self.h = np.zeros((N, H), dtype=hs.dtype)

        for t in range(T):
            layer = RNN(*self.params)  # 全時刻で同じ重みを共有する
            self.h = layer.forward(xs[:, t, :], self.h)
            hs[:, t, :] = self.h
            self.layers.append(layer)
        return hs

    def backward(self, dhs):
        Wx, Wh, b = self.params
        N, T, H = dhs.shape
        D = Wx.shape[0]

        dxs = np.empty((N, T, D), dtype=np.result_type(dhs, Wx))
        dh = 0
        grads = [0, 0, 0]
        for t in reversed(range(T)):
            layer = self.layers[t]
            # 時刻 t の h は出力 hs[:, t] と次の時刻の両方へ流れたので、勾配を足し合わせる
            dx, dh = layer.backward(dhs[:, t, :] + dh)
            dxs[:, t, :] = dx
            for i, grad in enumerate(layer.grads):
                grads[i] += grad  # 重みは共有なので全時刻の勾配の和

        for i, grad in enumerate(grads):
            self.grads[i][...] = grad
        self.dh = dh
        return dxs

    def set_state(self, h):
        self.h = h

    def reset_state(self):
        self.h = None


def clip_grads(grads, max_norm):
    """全勾配をまとめた L2 ノルムが max_norm を超えたら、全部を同じ率で縮める (その場で)。
    Scale every gradient in place by one rate when their total L2 norm exceeds max_norm.
    """
    total_norm = np.sqrt(sum(np.sum(grad ** 2) for grad in grads))
    rate = max_norm / (total_norm + 1e-6)  # 0 除算対策
    if rate < 1:
        for grad in grads:
            grad *= rate
