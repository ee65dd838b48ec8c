"""Day 3 Section 4 双方向 RNN: TimeBiRNN を実装します。
Day 3 Section 4 bidirectional RNN: implement TimeBiRNN.

共通の約束 / Common rules (ゼロから作るDeep Learning ❷ の TimeBiLSTM と同じ組み立てを、素の RNN で):

- 各方向は Section 1 の TimeRNN と同じ RNN です (初期状態は 0、状態は引き継がない)。
  Each direction is Section 1's plain RNN (initial state zeros, no state carried over)::

      h_t = tanh(h_{t−1} · Wh + x_t · Wx + b),   h_{−1} = 0

- このファイルは numpy だけを import します (Section 1 は import できません)。1 方向分の RNN (forward と
  BPTT) は自分でこのファイルに書いてください: Section 1 で書いた RNN / TimeRNN をこのファイルに写して
  使ってかまいません。
  This file imports only numpy (Section 1 cannot be imported): write the one-direction RNN (forward and
  BPTT) in this file yourself; copying your Section 1 RNN / TimeRNN into this file is fine.
- ``self.params`` と ``self.grads`` は 6 つの配列のリストで、順は **順方向の Wx, Wh, b、続いて逆方向の
  Wx, Wh, b** です。``self.grads`` の配列は ``__init__`` で作ってあり、``backward`` は ``[...] =`` で
  **その場で** 書き込みます (各方向の層が別の勾配配列を持つなら、そこから写す)。
  ``self.params`` and ``self.grads`` are lists of six arrays in the order **forward Wx, Wh, b, then backward
  Wx, Wh, b**. The arrays of ``self.grads`` are made in ``__init__``; ``backward`` writes into them **in
  place** with ``[...] =`` (copy from your direction layers if they keep gradient arrays of their own).
- dtype: float32 でも float64 でも動くこと。 Any float dtype must work.
- ``__init__`` は記入済みです。 ``__init__`` is filled in.
"""

import numpy as np


class TimeBiRNN:
    """双方向 RNN / Bidirectional RNN.

    順伝播 / Forward::

        hs_f = RNN_順 (Wx1, Wh1, b1) を xs に / the forward direction on xs            (N, T, H)
        hs_b = RNN_逆 (Wx2, Wh2, b2) を xs[:, ::-1] (時間を反転) に / on xs reversed in time  (N, T, H)
        hs   = concatenate([hs_f, hs_b[:, ::-1]], axis=2)                                  (N, T, 2H)

    逆方向の出力は反転した時間で並んでいるので、**反転し直して** から連結します。こうすると hs[:, t] の
    前半は x_0 … x_t を、後半は x_t … x_{T−1} を読んだ状態になり、どちらも時刻 t の入力に揃います。
    The backward direction's outputs come in reversed time: **reverse them back** before concatenating. Then
    the first half of hs[:, t] has read x_0 … x_t and the second half x_t … x_{T−1}; both belong to time t.

    逆伝播 / Backward (dhs: (N, T, 2H))::

        dhs_f = dhs[:, :, :H],   dhs_b = dhs[:, :, H:]
        順方向 / forward direction:   BPTT(dhs_f) → dxs_f, dWx1, dWh1, db1
        逆方向 / backward direction:  BPTT(dhs_b[:, ::-1]) → dxs_r, dWx2, dWh2, db2   (反転した時間で / reversed)
        dxs = dxs_f + dxs_r[:, ::-1]          (x はどちらの方向にも入ったので足す / x fed both directions)

    ``backward`` は dxs を返し、``self.grads`` に 6 つの勾配をその場で書き込みます。
    ``backward`` returns dxs and writes the six gradients into ``self.grads`` in place.

    形状 / Shapes: Wx1, Wx2: (D, H); Wh1, Wh2: (H, H); b1, b2: (H,) (両方向で同じ H / the same H both ways);
    xs: (N, T, D) → hs: (N, T, 2H);  dhs: (N, T, 2H) → dxs: (N, T, D)

    例 / Example (D = H = 1, N = 1, T = 3; 両方向とも Wx = Wh = 1, b = 0 / both directions)::

        one, zero = np.array([[1.0]]), np.array([0.0])
        layer = TimeBiRNN(one, one, zero, one.copy(), one.copy(), zero.copy())
        layer.forward(np.array([[[1.0], [0.0], [0.0]]]))
        # 順方向 / forward:   tanh(1) = 0.761594, tanh(0.761594) = 0.642015, tanh(0.642015) = 0.566270
        # 逆方向は [0, 0, 1] を読む / backward reads [0, 0, 1]:  [0, 0, 0.761594] → 反転 / reversed [0.761594, 0, 0]
        # → [[[0.761594, 0.761594],
        #     [0.642015, 0.      ],
        #     [0.566270, 0.      ]]]
        layer.backward(np.ones((1, 3, 2))).ravel()   # [1.254523, 2.407118, 3.099313]
    """

    def __init__(self, Wx1, Wh1, b1, Wx2, Wh2, b2):
        self.params = [Wx1, Wh1, b1, Wx2, Wh2, b2]  # 順方向、逆方向の順 / forward direction first
        self.grads = [np.zeros_like(p) for p in self.params]
        self.cache = None  # 逆伝播で使う中間データ (自由に使ってよい) / data for backward (yours to use)

    def forward(self, xs):
        """xs (N, T, D) → hs (N, T, 2H) = [順方向 | 反転し直した逆方向] / [forward | backward re-reversed]."""
        # TODO: 順方向は xs、逆方向は xs[:, ::-1] に RNN をかけ、逆方向を反転し直して連結 / re-reverse, concat
        raise NotImplementedError

    def backward(self, dhs):
        """dhs (N, T, 2H) → dxs (N, T, D)。self.grads に 6 つの勾配をその場で書く / six grads in place."""
        # TODO: dhs を 2 つに分け、逆方向は反転して BPTT し、dxs を反転し直して足す / split, reverse, add
        raise NotImplementedError
