"""Day 3 Section 3 GRU: GRU (1 時刻分) の参照実装。
Day 3 Section 3 GRU: reference GRU (one time step).

重みは 1 つの行列に z (更新ゲート), r (リセットゲート), ĥ (新しい記憶の候補) の順で並べて持ちます。
h_next = (1 − z)·h_prev + z·ĥ (ゼロから作るDeep Learning ❷ の形)。
The weights are packed into one matrix in the order z (update gate), r (reset gate), ĥ (candidate);
h_next = (1 − z)·h_prev + z·ĥ (book ❷'s form).
"""

import numpy as np


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


class GRU:
    """1 時刻分の GRU / One GRU step.

    z = σ(x·Wxz + h_prev·Whz + bz),  r = σ(x·Wxr + h_prev·Whr + br),
    ĥ = tanh(x·Wxh + (r·h_prev)·Whh + bh),  h_next = (1 − z)·h_prev + z·ĥ.
    Wx: (D, 3H) = [Wxz | Wxr | Wxh], Wh: (H, 3H), b: (3H,); x: (N, D), h_prev: (N, H).
    """

    def __init__(self, Wx, Wh, b):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None

    def forward(self, x, h_prev):
        Wx, Wh, b = self.params
        H = Wh.shape[0]
        Wxz, Wxr, Wxh = Wx[:, :H], Wx[:, H:2 * H], Wx[:, 2 * H:]
        Whz, Whr, Whh = Wh[:, :H], Wh[:, H:2 * H], Wh[:, 2 * H:]
        bz, br, bh = b[:H], b[H:2 * H], b[2 * H:]

        z = _sigmoid(np.dot(x, Wxz) + np.dot(h_prev, Whz) + bz)
        r = _sigmoid(np.dot(x, Wxr) + np.dot(h_prev, Whr) + br)
        h_hat = np.tanh(np.dot(x, Wxh) + np.dot(r * h_prev, Whh) + bh)  # r は Whh を掛ける前に
        h_next = (1 - z) * h_prev + z * h_hat

        self.cache = (x, h_prev, z, r, h_hat)
        return h_next

    def backward(self, dh_next):
        Wx, Wh, b = self.params
        H = Wh.shape[0]
        Whz, Whr, Whh = Wh[:, :H], Wh[:, H:2 * H], Wh[:, 2 * H:]
        x, h_prev, z, r, h_hat = self.cache

        # ĥ の経路 / through the candidate
        dt_h = dh_next * z * (1 - h_hat ** 2)
        drh = np.dot(dt_h, Whh.T)  # ∂L/∂(r·h_prev)

        # z の経路: h_next = h_prev + z·(ĥ − h_prev)
        dt_z = dh_next * (h_hat - h_prev) * z * (1 - z)

        # r の経路
        dt_r = drh * h_prev * r * (1 - r)

        dt = np.hstack((dt_z, dt_r, dt_h))
        self.grads[0][...] = np.dot(x.T, dt)
        self.grads[1][:, :2 * H] = np.dot(h_prev.T, dt[:, :2 * H])
        self.grads[1][:, 2 * H:] = np.dot((r * h_prev).T, dt_h)  # Whh に入ったのは r·h_prev
        self.grads[2][...] = dt.sum(axis=0)

        dx = np.dot(dt, Wx.T)
        dh_prev = (dh_next * (1 - z)  # 直接の経路
                   + np.dot(dt_z, Whz.T) + np.dot(dt_r, Whr.T)
                   + drh * r)
        return dx, dh_prev
