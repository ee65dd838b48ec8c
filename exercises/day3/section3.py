"""Day 3 Section 3 GRU: GRU (1 時刻分) を実装します。
Day 3 Section 3 GRU: implement a GRU (one time step).

共通の約束 / Common rules (ゼロから作るDeep Learning ❷ の RNN / LSTM と同じ作法):

- 3 つのアフィン変換 (更新ゲート z、リセットゲート r、新しい隠れ状態の候補 ĥ) の重みは 1 つの行列に
  **z, r, ĥ の順** で H 列ずつ並べて持ちます。
  The weights of the three affine maps (update gate z, reset gate r, candidate ĥ) are packed in one matrix,
  H columns each, **in the order z, r, ĥ**::

      Wx: (D, 3H) = [Wxz | Wxr | Wxh],   Wh: (H, 3H) = [Whz | Whr | Whh],   b: (3H,) = [bz | br | bh]

- ``self.params = [Wx, Wh, b]``、``self.grads`` は同じ形状の配列のリストで ``__init__`` で一度だけ作って
  あります。``backward`` は ``self.grads[0][...] = dWx`` のように **その場で** 書き込みます。
  ``self.params = [Wx, Wh, b]``; ``self.grads`` is a list of arrays of the same shapes, made once in
  ``__init__``; ``backward`` writes into them **in place** (``self.grads[0][...] = dWx``).
- dtype: float32 でも float64 でも動くこと。 Any float dtype must work.
- ``__init__`` は記入済みです。このファイルは numpy だけを import します (シグモイドは自分で書く)。
  ``__init__`` is filled in. This file imports only numpy (write the sigmoid yourself).
"""

import numpy as np


class GRU:
    """1 時刻分の GRU レイヤ / One time step of a GRU.

    順伝播 / Forward (σ はシグモイド、· は要素積 / σ is the sigmoid, · is element-wise)::

        z = σ(x · Wxz + h_prev · Whz + bz)                  更新ゲート / update gate
        r = σ(x · Wxr + h_prev · Whr + br)                  リセットゲート / reset gate
        ĥ = tanh(x · Wxh + (r · h_prev) · Whh + bh)         r は Whh を掛ける **前** に / r **before** Whh
        h_next = (1 − z) · h_prev + z · ĥ

    規約について / About the convention: この演習は本 (ゼロから作るDeep Learning ❷) の形
    ``h_next = (1 − z)·h_prev + z·ĥ`` (z = 1 で新しい候補に置き換わる) に固定します。もう一つのよく使われる
    形 ``h_next = z·h_prev + (1 − z)·ĥ`` (Cho et al. 2014 の原論文、PyTorch の nn.GRU; z = 1 で前の状態を
    保つ) は z と 1 − z を入れ替えたもので、ここでは不正解です。
    This exercise pins the book's form ``h_next = (1 − z)·h_prev + z·ĥ`` (z = 1 replaces the state with the
    candidate). The other common form ``h_next = z·h_prev + (1 − z)·ĥ`` (Cho et al. 2014, PyTorch's
    nn.GRU; z = 1 keeps the old state) swaps z and 1 − z and is wrong here.
    また ``r · (h_prev · Whh)`` (PyTorch の形: Whh を掛けた後に r) ではなく ``(r · h_prev) · Whh`` です。
    Also ``(r · h_prev) · Whh``, not ``r · (h_prev · Whh)`` (PyTorch's form: r after Whh).

    逆伝播 / Backward (dh_next = ∂L/∂h_next)::

        dĥ  = dh_next · z,               dt_h = dĥ · (1 − ĥ²)           (tanh の前 / before tanh)
        dz  = dh_next · (ĥ − h_prev),    dt_z = dz · z(1 − z)
        d(r·h_prev) = dt_h · Whhᵀ,       dt_r = d(r·h_prev) · h_prev · r(1 − r)
        dt  = [dt_z | dt_r | dt_h]                                        (z, r, ĥ の順 / in that order)
        dWx = xᵀ · dt,   db = Σ_n dt,   dx = dt · Wxᵀ
        dWh = [h_prevᵀ · dt_z | h_prevᵀ · dt_r | (r · h_prev)ᵀ · dt_h]     (Whh に入ったのは r·h_prev)
        dh_prev = dh_next · (1 − z) + dt_z · Whzᵀ + dt_r · Whrᵀ + d(r·h_prev) · r

    ``forward`` は h_next を返し、逆伝播に要る値を ``self.cache`` に覚えます。``backward`` は
    ``(dx, dh_prev)`` を返し、``self.grads`` にその場で ``[dWx, dWh, db]`` を書き込みます。
    ``forward`` returns h_next and keeps what backward needs in ``self.cache``; ``backward`` returns
    ``(dx, dh_prev)`` and writes ``[dWx, dWh, db]`` into ``self.grads`` in place.

    形状 / Shapes: x: (N, D), h_prev, h_next, dh_next, dh_prev: (N, H), dx: (N, D)

    例 / Example (D = H = 1)::

        gru = GRU(np.array([[0.0, 0.0, 1.0]]), np.array([[0.0, 0.0, 1.0]]), np.array([1.0, 0.0, 0.0]))
        gru.forward(np.array([[1.0]]), np.array([[1.0]]))
        # z = σ(1) = 0.731059,  r = σ(0) = 0.5,  ĥ = tanh(1 + 0.5·1) = tanh(1.5) = 0.905148
        # h_next = 0.268941·1 + 0.731059·0.905148 = [[0.930658]]
        # (もう一つの規約なら / the other convention: 0.731059·1 + 0.268941·0.905148 = 0.974490)
        dx, dh_prev = gru.backward(np.array([[1.0]]))
        # dx = [[0.132107]],  dh_prev = 0.268941 + 0.132107·1·0.5 = [[0.334995]]
    """

    def __init__(self, Wx, Wh, b):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None  # 逆伝播で使う中間データ / intermediate data for backward

    def forward(self, x, h_prev):
        """h_next = (1 − z)·h_prev + z·ĥ を返し、cache に覚える / return h_next, keep the cache."""
        # TODO: 重みを z, r, ĥ の順に切り出し、z, r, ĥ, h_next を計算する / slice z, r, ĥ; compute h_next
        raise NotImplementedError

    def backward(self, dh_next):
        """(dx, dh_prev) を返し、self.grads に dWx, dWh, db をその場で書く / return (dx, dh_prev)."""
        # TODO: ĥ, z, r の 3 経路の勾配を z, r, ĥ の順に並べ、dh_prev は 4 つの和 / three paths, four terms
        raise NotImplementedError
