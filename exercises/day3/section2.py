"""Day 3 Section 2 LSTM: LSTM と TimeLSTM を実装します。
Day 3 Section 2 LSTM: implement LSTM and TimeLSTM.

共通の約束 / Common rules (ゼロから作るDeep Learning ❷ の common/time_layers.py と同じ API):

- 4 つのアフィン変換 (忘却ゲート f、新しい記憶 g、入力ゲート i、出力ゲート o) の重みは 1 つの行列に
  **f, g, i, o の順** で H 列ずつ並べて持ちます (本と同じ順。他の順は不正解です)。
  The weights of the four affine maps (forget gate f, new memory g, input gate i, output gate o) are packed
  in one matrix, H columns each, **in the order f, g, i, o** (the book's order; any other order is wrong)::

      Wx: (D, 4H) = [Wx_f | Wx_g | Wx_i | Wx_o],   Wh: (H, 4H),   b: (4H,)

- 層は ``self.params = [Wx, Wh, b]`` と ``self.grads`` (同じ形状の配列のリスト) を持ちます。``self.grads``
  の配列は ``__init__`` で一度だけ作ってあり、``backward`` は ``self.grads[0][...] = dWx`` のように
  **その場で** 書き込みます (採点では ``backward`` の前に取っておいた参照を読みます)。
  Layers keep ``self.params = [Wx, Wh, b]`` and ``self.grads`` (a list of arrays of the same shapes), made
  once in ``__init__``; ``backward`` writes into them **in place** (``self.grads[0][...] = dWx``): the checks
  read references taken before ``backward``.
- dtype: float32 でも float64 でも動くこと。 Any float dtype must work.
- ``__init__`` は記入済みです。 Every ``__init__`` is filled in.
- このファイルは numpy だけを import します。シグモイド σ(x) = 1/(1 + exp(−x)) などの補助関数は自分で
  このファイルに書いてください。TimeLSTM はこのファイルの LSTM を使ってかまいません。
  This file imports only numpy: write helpers such as the sigmoid σ(x) = 1/(1 + exp(−x)) in this file.
  TimeLSTM may use this file's LSTM.
"""

import numpy as np


class LSTM:
    """1 時刻分の LSTM レイヤ / One time step of an LSTM.

    順伝播 / Forward::

        A = x · Wx + h_prev · Wh + b                    (N, 4H):  A = [A_f | A_g | A_i | A_o]
        f = σ(A_f),  g = tanh(A_g),  i = σ(A_i),  o = σ(A_o)
        c_next = f · c_prev + g · i                     (記憶セル / memory cell; · は要素積 / element-wise)
        h_next = o · tanh(c_next)                       (c_next に tanh を掛けてから / tanh of c_next first)

    逆伝播 / Backward (dh_next = ∂L/∂h_next, dc_next = ∂L/∂c_next)::

        ds      = dc_next + dh_next · o · (1 − tanh²(c_next))    (c_next は 2 か所に流れた / it went two ways)
        dc_prev = ds · f                                          (セルの経路は f 倍だけ / the cell path: × f)
        dA_f = ds · c_prev · f(1 − f),    dA_g = ds · i · (1 − g²)
        dA_i = ds · g · i(1 − i),         dA_o = dh_next · tanh(c_next) · o(1 − o)
        dA   = [dA_f | dA_g | dA_i | dA_o]                        (forward と同じ順 / the forward's order)
        dWx = xᵀ · dA,   dWh = h_prevᵀ · dA,   db = Σ_n dA,   dx = dA · Wxᵀ,   dh_prev = dA · Whᵀ

    ``forward`` は ``(h_next, c_next)`` を返し、逆伝播に要る値を ``self.cache`` に覚えます。
    ``backward(dh_next, dc_next)`` は ``(dx, dh_prev, dc_prev)`` を返し、``self.grads`` にその場で書き込みます。
    ``forward`` returns ``(h_next, c_next)`` and keeps what backward needs in ``self.cache``;
    ``backward(dh_next, dc_next)`` returns ``(dx, dh_prev, dc_prev)`` and writes ``self.grads`` in place.

    形状 / Shapes: x: (N, D); h_prev, c_prev, h_next, c_next, dh_next, dc_next, dh_prev, dc_prev: (N, H);
    dx: (N, D)

    例 / Example (D = H = 1; 各ゲートの値が違うので順序の誤りが分かる / distinct gates reveal a wrong order)::

        lstm = LSTM(np.array([[0.0, 1.0, 0.0, 0.0]]), np.zeros((1, 4)), np.array([2.0, 0.0, -1.0, 0.5]))
        h, c = lstm.forward(np.array([[1.0]]), np.array([[0.0]]), np.array([[1.0]]))
        # f = σ(2) = 0.880797,  g = tanh(1) = 0.761594,  i = σ(−1) = 0.268941,  o = σ(0.5) = 0.622459
        # c = 0.880797·1 + 0.761594·0.268941 = 1.085621,   h = 0.622459·tanh(1.085621) = 0.495026
        dx, dh_prev, dc_prev = lstm.backward(np.array([[0.0]]), np.array([[1.0]]))
        # dc_prev = f = [[0.880797]],  dx = ds·i·(1 − g²)·1 = [[0.112948]]
    """

    def __init__(self, Wx, Wh, b):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None  # 逆伝播で使う中間データ / intermediate data for backward

    def forward(self, x, h_prev, c_prev):
        """(h_next, c_next) を返し、逆伝播に要る値を self.cache に覚える / return (h_next, c_next)."""
        # TODO: A を f, g, i, o の順に切り出してゲートを計算し c_next, h_next を返す / slice f, g, i, o
        raise NotImplementedError

    def backward(self, dh_next, dc_next):
        """(dx, dh_prev, dc_prev) を返し、self.grads にその場で書く / return (dx, dh_prev, dc_prev)."""
        # TODO: ds, dc_prev, 各ゲートの勾配 → dA を f, g, i, o の順に並べる / build dA in the order f, g, i, o
        raise NotImplementedError


class TimeLSTM:
    """T 時刻分の LSTM をまとめたレイヤ (Truncated BPTT) / T LSTM steps in one layer (truncated BPTT).

    順伝播 / Forward (全時刻で同じ Wx, Wh, b / every step shares Wx, Wh, b)::

        h_{−1} = 0,  c_{−1} = 0    (stateful=False、または状態がまだ無いとき / or when there is no state yet)
        h_t, c_t = LSTM(xs[:, t], h_{t−1}, c_{t−1}),    hs[:, t] = h_t

    逆伝播 / Backward (t = T − 1, …, 0)::

        dh = 0, dc = 0
        dxs[:, t], dh, dc = 時刻 t の LSTM の backward(dhs[:, t] + dh, dc)
                            step t's backward(dhs[:, t] + dh, dc)
        dWx, dWh, db = 全時刻の勾配の和 / summed over all steps

    出力は hs だけなので、c への勾配は次の時刻から来る dc だけです。``backward`` は dxs を返し、
    ``self.grads`` に和をその場で書き込み、最後の dh を ``self.dh`` に置きます。
    Only hs is output, so the gradient reaching c comes from the next step's dc alone. ``backward`` returns
    dxs, writes the sums into ``self.grads`` in place and leaves the final dh in ``self.dh``.

    状態 / State (本と同じ / as in the book):

    - ``self.h``, ``self.c``: 最後の時刻の隠れ状態と記憶セル / the last hidden state and cell。
    - ``stateful=True``: forward は前回の ``self.h``, ``self.c`` から続ける (None なら 0)。
      ``stateful=False``: forward は毎回 0 から。
      With ``stateful=True`` a forward continues from the previous ``self.h``, ``self.c`` (zeros if None);
      with ``stateful=False`` every forward starts from zeros.
    - ``set_state(h, c=None)``: ``self.h = h``、``self.c = c`` (c が None なら h と同じ形状の 0 /
      zeros shaped like h when c is None)。
    - ``reset_state()``: ``self.h = self.c = None``。

    形状 / Shapes: xs: (N, T, D) → hs: (N, T, H);  dhs: (N, T, H) → dxs: (N, T, D);  h, c: (N, H)

    例 / Example (上の LSTM と同じ重み、N = 1, T = 2 / the weights of the LSTM example)::

        layer = TimeLSTM(np.array([[0.0, 1.0, 0.0, 0.0]]), np.zeros((1, 4)), np.array([2.0, 0.0, -1.0, 0.5]))
        layer.forward(np.array([[[1.0], [0.0]]])).ravel()   # [0.125741, 0.111094]
        # t = 0: c = 0.880797·0 + 0.761594·0.268941 = 0.204824,  h = 0.622459·tanh(0.204824) = 0.125741
        # t = 1: g = tanh(0) = 0 なので c = 0.880797·0.204824 = 0.180409 / so c = f·c
        # layer.c = [[0.180409]]
    """

    def __init__(self, Wx, Wh, b, stateful=False):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.layers = None  # 各時刻の LSTM レイヤ (本と同じ、必須ではない) / the per-step layers (optional)
        self.h, self.c = None, None
        self.dh = None
        self.stateful = stateful

    def forward(self, xs):
        """xs (N, T, D) → hs (N, T, H)。stateful なら self.h, self.c から続ける / continue if stateful."""
        # TODO: 初期状態 (h, c) を決め、時刻ごとに LSTM を進めて hs に並べる / step through time into hs
        raise NotImplementedError

    def backward(self, dhs):
        """dhs (N, T, H) → dxs (N, T, D)。grads に時刻の和、self.dh に最後の dh / sums into grads, dh kept."""
        # TODO: 逆順に backward(dhs[:, t] + dh, dc) を呼び、勾配を時刻で足す / reverse loop, sum the grads
        raise NotImplementedError

    def set_state(self, h, c=None):
        """次の forward の初期状態を置く (c が None なら 0) / set the next initial state (c = 0 if None)."""
        # TODO: self.h = h、self.c = c (None なら np.zeros_like(h)) / store h and c (zeros if None)
        raise NotImplementedError

    def reset_state(self):
        """状態を消す / forget the state."""
        # TODO: self.h と self.c を None に戻す / set self.h and self.c back to None
        raise NotImplementedError
