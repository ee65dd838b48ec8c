"""Day 3 Section 1 再帰型ニューラルネットワーク: RNN, TimeRNN (BPTT) と勾配クリッピングを実装します。
Day 3 Section 1 recurrent neural networks: implement RNN, TimeRNN (BPTT) and gradient clipping.

共通の約束 / Common rules (ゼロから作るDeep Learning ❷ の common/time_layers.py と common/util.py と同じ API):

- 層は重みを ``self.params`` に、その勾配を ``self.grads`` に、どちらも **配列のリスト** で
  ``[Wx, Wh, b]`` の順に持ちます。``self.grads`` の配列は ``__init__`` で一度だけ作ってあります
  (``np.zeros_like``)。``backward`` は新しい配列を代入せず、``self.grads[0][...] = dWx`` のように
  **その場で** 書き込みます (採点では ``backward`` の前に取っておいた参照を読みます)。
  Layers keep their weights in ``self.params`` and the gradients in ``self.grads``, both **lists of
  arrays** in the order ``[Wx, Wh, b]``. The arrays of ``self.grads`` are made once in ``__init__``
  (``np.zeros_like``); ``backward`` writes into them **in place** (``self.grads[0][...] = dWx``) instead of
  assigning new arrays (the checks read references taken before ``backward``).
- 形状 / Shapes: N = バッチ数 / batch size, T = 時刻数 / time steps, D = 入力の次元 / input size,
  H = 隠れ状態の次元 / hidden size。 ``Wx``: (D, H), ``Wh``: (H, H), ``b``: (H,)。
- dtype: float32 でも float64 でも動くこと (本は float32 を使う所があります)。
  Any float dtype must work (the book uses float32 in places).
- ``__init__`` は記入済みです (本と同じ属性)。 Every ``__init__`` is filled in (the book's attributes).
- このファイルは numpy だけを import します。TimeRNN はこのファイルの RNN を使ってかまいません。
  This file imports only numpy; TimeRNN may use this file's RNN.
"""

import numpy as np


class RNN:
    """1 時刻分の RNN レイヤ / One time step of an RNN.

    順伝播 / Forward::

        h_next = tanh(h_prev · Wh + x · Wx + b)

    逆伝播 / Backward (dh_next = ∂L/∂h_next)::

        dt      = dh_next · (1 − h_next²)      (tanh′(u) = 1 − tanh²(u): 出力 h_next から計算 / from the output)
        dWx     = xᵀ · dt,    dWh = h_prevᵀ · dt,    db = Σ_n dt      (バッチ方向の和 / sum over the batch)
        dx      = dt · Wxᵀ,   dh_prev = dt · Whᵀ

    ``forward`` で ``x``, ``h_prev``, ``h_next`` を ``self.cache`` に覚えておき、``backward`` で使います。
    ``backward`` は ``(dx, dh_prev)`` を返し、``self.grads`` にその場で ``[dWx, dWh, db]`` を書き込みます。
    Keep ``x``, ``h_prev``, ``h_next`` in ``self.cache`` during ``forward``; ``backward`` returns
    ``(dx, dh_prev)`` and writes ``[dWx, dWh, db]`` into ``self.grads`` in place.

    形状 / Shapes: x: (N, D), h_prev: (N, H), h_next: (N, H), dh_next: (N, H) → dx: (N, D), dh_prev: (N, H)

    例 / Example (D = H = 2)::

        rnn = RNN(np.eye(2), 0.5 * np.eye(2), np.array([0.0, 0.1]))
        rnn.forward(np.array([[0.5, -0.5]]), np.array([[1.0, 0.0]]))
        # tanh([0.5 + 0.5, −0.5 + 0 + 0.1]) = tanh([1.0, −0.4]) = [[0.761594, −0.379949]]
        dx, dh_prev = rnn.backward(np.array([[1.0, 1.0]]))
        # dt = 1 − h_next² = [[0.419974, 0.855639]]
        # dx = [[0.419974, 0.855639]],   dh_prev = [[0.209987, 0.427819]]
        # rnn.grads[0] (dWx) = [[0.209987, 0.427819], [−0.209987, −0.427819]]
        # rnn.grads[1] (dWh) = [[0.419974, 0.855639], [0, 0]],   rnn.grads[2] (db) = [0.419974, 0.855639]
    """

    def __init__(self, Wx, Wh, b):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None  # 逆伝播で使う中間データ / intermediate data for backward

    def forward(self, x, h_prev):
        """h_next = tanh(h_prev·Wh + x·Wx + b) を返し、cache に覚える / return h_next, keep the cache."""
        # TODO: h_next を計算し self.cache = (x, h_prev, h_next) を覚える / compute h_next, keep the cache
        raise NotImplementedError

    def backward(self, dh_next):
        """(dx, dh_prev) を返し、self.grads に dWx, dWh, db をその場で書く / return (dx, dh_prev)."""
        # TODO: dt = dh_next·(1 − h_next²) から勾配を計算し grads[i][...] = … / gradients from dt, in place
        raise NotImplementedError


class TimeRNN:
    """T 時刻分の RNN をまとめたレイヤ (Truncated BPTT) / T RNN steps in one layer (truncated BPTT).

    順伝播 / Forward (全時刻で同じ Wx, Wh, b を共有 / every step shares Wx, Wh, b)::

        h_{−1} = 0   (stateful=False、または状態がまだ無いとき / or when there is no state yet)
        h_t = tanh(h_{t−1} · Wh + xs[:, t] · Wx + b),     hs[:, t] = h_t      (t = 0, …, T − 1)

    逆伝播 / Backward (BPTT, t = T − 1, …, 0 の逆順 / in reverse order)::

        dh = 0   (ブロックの後ろからは勾配が来ない / nothing flows in from after the block)
        時刻 t の RNN に dhs[:, t] + dh を流す (h_t は出力 hs[:, t] と次の時刻の両方に使われたので足す)
        feed dhs[:, t] + dh to step t (h_t went both to the output hs[:, t] and to the next step: add them)
        → dxs[:, t] と新しい dh (= dh_prev) を得る / gives dxs[:, t] and the next dh (= dh_prev)
        dWx, dWh, db = 全時刻の勾配の **和** (重みを共有しているため) / the **sum** over all steps (shared weights)

    ``backward`` は dxs を返し、``self.grads`` に和をその場で書き込み、最後の dh (= ∂L/∂h_{−1}) を
    ``self.dh`` に置きます。 ``backward`` returns dxs, writes the sums into ``self.grads`` in place and leaves
    the final dh (= ∂L/∂h_{−1}) in ``self.dh``.

    状態 / State (本と同じ / as in the book):

    - ``self.h``: 最後の時刻の隠れ状態 h_{T−1} (forward のたびに更新) / the last hidden state, updated by
      every forward。
    - ``stateful=True``: forward の最初の h は前回の forward の最後の ``self.h`` (``self.h`` が None なら 0)。
      逆伝播はブロックの境目で打ち切ります (Truncated BPTT)。 The first h of a forward is the last
      ``self.h`` of the previous one (zeros if ``self.h`` is None); backprop stops at the block boundary.
    - ``stateful=False``: forward は毎回 0 から始めます (``set_state`` で置いた h も使いません)。
      Every forward starts from zeros (a state put with ``set_state`` is not used either).
    - ``set_state(h)``: ``self.h = h`` (次の forward の初期状態 / the next forward's initial state)。
    - ``reset_state()``: ``self.h = None`` (次の forward は 0 から / the next forward starts from zeros)。

    形状 / Shapes: xs: (N, T, D) → hs: (N, T, H);  dhs: (N, T, H) → dxs: (N, T, D);  h: (N, H)

    例 / Example (N = 1, T = 3, D = H = 1)::

        layer = TimeRNN(np.array([[1.0]]), np.array([[0.5]]), np.array([0.0]))
        layer.forward(np.array([[[1.0], [0.0], [0.0]]])).ravel()
        # h_0 = tanh(1) = 0.761594,  h_1 = tanh(0.5·0.761594) = 0.363399,  h_2 = tanh(0.5·0.363399) = 0.179726
        # layer.h = [[0.179726]]
        dxs = layer.backward(np.array([[[0.0], [0.0], [1.0]]]))   # 最後の時刻の出力だけに勾配 / last output only
        # dxs.ravel() = [0.088185, 0.419953, 0.967698]     (過去ほど小さい / smaller further back)
        # layer.grads = [[[0.088185]], [[0.671495]], [1.475836]],   layer.dh = [[0.044092]]
    """

    def __init__(self, Wx, Wh, b, stateful=False):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.layers = None  # 各時刻の RNN レイヤ (本と同じ、必須ではない) / the per-step layers (optional)
        self.h, self.dh = None, None
        self.stateful = stateful

    def forward(self, xs):
        """xs (N, T, D) → hs (N, T, H)。stateful なら self.h から続ける / continue from self.h if stateful."""
        # TODO: 初期状態を決め、時刻ごとに h を更新して hs に並べる / choose h, then step through time into hs
        raise NotImplementedError

    def backward(self, dhs):
        """dhs (N, T, H) → dxs (N, T, D)。grads に時刻の和、self.dh に最後の dh / sums into grads, dh kept."""
        # TODO: 逆順に dhs[:, t] + dh を流し、勾配を時刻で足す / reverse loop with dhs[:, t] + dh, sum grads
        raise NotImplementedError

    def set_state(self, h):
        """次の forward の初期状態を h にする / use h as the next forward's initial state."""
        # TODO: self.h に h を置く / store h in self.h
        raise NotImplementedError

    def reset_state(self):
        """状態を消す (次の forward は 0 から) / forget the state (the next forward starts from zeros)."""
        # TODO: self.h を None に戻す / set self.h back to None
        raise NotImplementedError


def clip_grads(grads, max_norm):
    """勾配クリッピング (全勾配のノルムで) / Gradient clipping by the total norm.

    式 / Formula::

        total_norm = √( Σ_{g ∈ grads} Σ g² )         (すべての配列をまとめた 1 つの L2 ノルム / one norm for all)
        rate = max_norm / (total_norm + 1e-6)
        rate < 1 のときだけ、すべての g に g ← g · rate (その場で)
        only when rate < 1: g ← g · rate for every g (in place)

    配列ごとに別々のノルムで縮めるのは誤りです: 全体の向きを保ったまま、全体の長さだけを max_norm に揃えます。
    勾配爆発 (RNN で時間をさかのぼるうちに勾配が大きくなりすぎること) の対策です。
    Clipping each array by its own norm is wrong: the whole gradient keeps its direction and only its total
    length is cut to max_norm. This is the remedy for exploding gradients in RNNs.

    引数 / Arguments: ``grads`` 配列のリスト (形状は任意) / a list of arrays (any shapes), ``max_norm`` 数値 /
    a number。 戻り値 / Returns: None (``grads`` の配列をその場で書き換える / modifies the arrays in place)。

    例 / Example::

        a, c = np.array([3.0, 4.0]), np.array([12.0])
        clip_grads([a, c], 6.5)
        # total = √(9 + 16 + 144) = 13,  rate = 6.5/13.000001 ≈ 0.5  →  a ≈ [1.5, 2.0],  c ≈ [6.0]
        # (a だけのノルムは 5 < 6.5 でも縮む / a shrinks although its own norm 5 < 6.5)
        clip_grads([a, c], 20.0)   # total ≈ 6.5, rate > 1: 変えない / unchanged
    """
    # TODO: 全体のノルムから rate を求め、rate < 1 なら各配列に掛ける (その場で) / scale in place if rate < 1
    raise NotImplementedError
