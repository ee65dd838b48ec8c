# ACCEPTED: every check passes (other correct formulations of the book's GRU)
"""Day 3 Section 3 の別解: z と r を 1 回のアフィン変換でまとめて計算し、h_next = h_prev + z·(ĥ − h_prev) と
書く形。逆伝播は dWh を np.hstack でまとめて書き、dh_prev の 2 つのゲートの項も 1 回の行列積で計算する。
Alternative form: z and r from one affine map, h_next = h_prev + z·(ĥ − h_prev), dWh written with one
np.hstack, and the two gate terms of dh_prev in one matrix product.
"""
import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


class GRU:
    def __init__(self, Wx, Wh, b):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None

    def forward(self, x, h_prev):
        Wx, Wh, b = self.params
        H = Wh.shape[0]
        gates = sigmoid(x @ Wx[:, :2 * H] + h_prev @ Wh[:, :2 * H] + b[:2 * H])  # [z | r]
        z, r = gates[:, :H], gates[:, H:]
        rh = r * h_prev
        h_hat = np.tanh(x @ Wx[:, 2 * H:] + rh @ Wh[:, 2 * H:] + b[2 * H:])
        h_next = h_prev + z * (h_hat - h_prev)  # = (1 − z)·h_prev + z·ĥ
        self.cache = {"x": x, "h_prev": h_prev, "z": z, "r": r, "rh": rh, "h_hat": h_hat}
        return h_next

    def backward(self, dh_next):
        Wx, Wh, b = self.params
        H = Wh.shape[0]
        c = self.cache
        x, h_prev, z, r, rh, h_hat = c["x"], c["h_prev"], c["z"], c["r"], c["rh"], c["h_hat"]

        dt_h = dh_next * z * (1.0 - h_hat * h_hat)
        d_rh = dt_h @ Wh[:, 2 * H:].T
        dt_z = dh_next * (h_hat - h_prev) * z * (1.0 - z)
        dt_r = d_rh * h_prev * r * (1.0 - r)
        dt_zr = np.concatenate([dt_z, dt_r], axis=1)
        dt = np.concatenate([dt_zr, dt_h], axis=1)

        self.grads[0][...] = x.T @ dt
        self.grads[1][...] = np.hstack([h_prev.T @ dt_zr, rh.T @ dt_h])
        self.grads[2][...] = np.sum(dt, axis=0)

        dx = dt @ Wx.T
        dh_prev = dh_next * (1.0 - z) + dt_zr @ Wh[:, :2 * H].T + d_rh * r
        return dx, dh_prev
