"""Day 3 Section 4 双方向 RNN: TimeBiRNN の参照実装。
Day 3 Section 4 bidirectional RNN: reference TimeBiRNN.

ゼロから作るDeep Learning ❷ の TimeBiLSTM (common/time_layers.py) と同じ組み立てを、素の RNN で行います。
順方向は xs を、逆方向は時間を反転した xs を読み、逆方向の出力を反転し直してから最後の軸で連結します。
Book ❷'s TimeBiLSTM (common/time_layers.py) built from plain RNNs: the forward direction reads xs, the
backward direction reads xs reversed in time; its outputs are reversed back, then concatenated on the last axis.
"""

import numpy as np


def _rnn_forward(xs, Wx, Wh, b):
    """1 方向の RNN / One direction: hs[:, t] = tanh(hs[:, t − 1]·Wh + xs[:, t]·Wx + b), h₋₁ = 0."""
    N, T, _ = xs.shape
    H = Wh.shape[0]
    hs = np.empty((N, T, H), dtype=np.result_type(xs, Wx, Wh, b))
    h = np.zeros((N, H), dtype=hs.dtype)
    for t in range(T):
        h = np.tanh(np.dot(h, Wh) + np.dot(xs[:, t], Wx) + b)
        hs[:, t] = h
    return hs


def _rnn_backward(dhs, xs, hs, Wx, Wh):
    """_rnn_forward の BPTT / BPTT of _rnn_forward → (dxs, dWx, dWh, db)."""
    N, T, H = hs.shape
    dxs = np.empty(xs.shape, dtype=np.result_type(dhs, Wx))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(H, dtype=Wh.dtype)
    dh = np.zeros((N, H), dtype=dhs.dtype)
    for t in reversed(range(T)):
        h_prev = hs[:, t - 1] if t > 0 else np.zeros((N, H), dtype=hs.dtype)
        dt = (dhs[:, t] + dh) * (1 - hs[:, t] ** 2)
        dWx += np.dot(xs[:, t].T, dt)
        dWh += np.dot(h_prev.T, dt)
        db += dt.sum(axis=0)
        dxs[:, t] = np.dot(dt, Wx.T)
        dh = np.dot(dt, Wh.T)
    return dxs, dWx, dWh, db


class TimeBiRNN:
    """双方向 RNN / Bidirectional RNN: xs (N, T, D) → hs (N, T, 2H) = [順方向 / forward | 逆方向 / backward].

    params, grads = [Wx1, Wh1, b1, Wx2, Wh2, b2] (順方向、逆方向の順 / forward direction first).
    """

    def __init__(self, Wx1, Wh1, b1, Wx2, Wh2, b2):
        self.params = [Wx1, Wh1, b1, Wx2, Wh2, b2]
        self.grads = [np.zeros_like(p) for p in self.params]
        self.cache = None

    def forward(self, xs):
        Wx1, Wh1, b1, Wx2, Wh2, b2 = self.params
        xs_rev = xs[:, ::-1]  # 時間を反転して逆方向に読む
        hs1 = _rnn_forward(xs, Wx1, Wh1, b1)
        hs2 = _rnn_forward(xs_rev, Wx2, Wh2, b2)
        self.cache = (xs, xs_rev, hs1, hs2)
        # 逆方向の出力を反転し直し、時刻 t どうしを並べる
        return np.concatenate((hs1, hs2[:, ::-1]), axis=2)

    def backward(self, dhs):
        Wx1, Wh1, b1, Wx2, Wh2, b2 = self.params
        xs, xs_rev, hs1, hs2 = self.cache
        H = hs1.shape[2]

        dxs1, dWx1, dWh1, db1 = _rnn_backward(dhs[:, :, :H], xs, hs1, Wx1, Wh1)
        dxs2, dWx2, dWh2, db2 = _rnn_backward(dhs[:, ::-1, H:], xs_rev, hs2, Wx2, Wh2)
        for grad, g in zip(self.grads, (dWx1, dWh1, db1, dWx2, dWh2, db2), strict=True):
            grad[...] = g
        return dxs1 + dxs2[:, ::-1]  # 逆方向の dx も時間の順に戻して足す
