"""Day 3 Section 5 Seq2Seq: TimeEmbedding, TimeAffine, TimeSoftmaxWithLoss と、それを組み合わせた Encoder, Decoder, Seq2seq を実装します。
Day 3 Section 5 Seq2Seq: implement TimeEmbedding, TimeAffine, TimeSoftmaxWithLoss, and the Encoder, Decoder and Seq2seq built from them.

共通の約束 / Common rules (ゼロから作るDeep Learning ❷ の common/time_layers.py と ch07/seq2seq.py と同じ API):

- 層は ``self.params`` と ``self.grads`` (同じ形状の配列のリスト) を持ちます。``self.grads`` の配列は
  ``__init__`` で一度だけ作ってあり、``backward`` は ``self.grads[0][...] = dW`` のように **その場で**
  書き込みます (採点では ``backward`` の後に ``grads`` を読みます)。
  Layers keep ``self.params`` and ``self.grads`` (lists of arrays of the same shapes); the grads arrays are
  made once in ``__init__`` and ``backward`` writes into them **in place** (``self.grads[0][...] = dW``).
- 重みは forward / backward のたびに ``self.params`` から読みます (``W, b = self.params``、本と同じ)。
  Read the weights from ``self.params`` in every forward / backward (``W, b = self.params``, as the book).
- dtype: float32 でも float64 でも動くこと。 Any float dtype must work.
- ``__init__`` は記入済みです。Encoder / Decoder / Seq2seq の ``__init__`` は本と同じく、重みを引数の
  ``rng`` (シード付きの ``numpy.random.Generator``) から作ります (本の ``np.random.randn`` の代わり)。
  Every ``__init__`` is filled in. Those of Encoder / Decoder / Seq2seq draw the weights from the ``rng``
  argument (a seeded ``numpy.random.Generator``) instead of the book's global ``np.random.randn``.
- 採点について / About grading: Encoder, Decoder, Seq2seq のチェックは、本と同じ名前のレイヤ
  ``encoder.embed``, ``encoder.lstm``, ``decoder.embed``, ``decoder.lstm``, ``decoder.affine`` の
  ``params`` (と ``embed.W``) に自分の重みを書き込んでから呼び出します。``__init__`` の作り方は変えないで
  ください。 The checks of Encoder, Decoder and Seq2seq write their own weights into the ``params`` (and
  ``embed.W``) of the book's layers ``encoder.embed``, ``encoder.lstm``, ``decoder.embed``, ``decoder.lstm``
  and ``decoder.affine`` before calling them: keep the ``__init__``'s structure.
- LSTM は Section 2 の演習なので、ここでは記入済みの ``_TimeLSTM`` を使います (演習ではありません)。
  The LSTM is Section 2's exercise: here it is given as ``_TimeLSTM`` (not an exercise).
- このファイルは numpy だけを import します。 This file imports only numpy.
"""

import numpy as np

# ---------------------------------------------------------------- 記入済み / given (Section 2 の LSTM)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


class _TimeLSTM:
    """記入済み (演習ではありません): T 時刻分の LSTM / Given, not an exercise: T LSTM steps.

    Section 2 で書く TimeLSTM と同じ働きです (ゲートは f, g, i, o の順、``params = [Wx, Wh, b]``)。
    Encoder と Decoder はこれを使ってください。このクラスは変えないでください。
    It does what Section 2's TimeLSTM does (gates packed f, g, i, o; ``params = [Wx, Wh, b]``). Use it in the
    Encoder and the Decoder; do not change it.

    - ``forward(xs)``: xs (N, T, D) → hs (N, T, H)。stateful=True なら ``self.h`` (と ``self.c``) から続ける
      / continues from ``self.h`` (and ``self.c``) when stateful=True。
    - ``backward(dhs)``: dhs (N, T, H) → dxs (N, T, D)。``self.grads`` にその場で書き、最初の時刻の前の
      隠れ状態への勾配 ∂L/∂h_{−1} を ``self.dh`` に置く / writes ``self.grads`` in place and leaves
      ∂L/∂h_{−1} in ``self.dh``。
    - ``set_state(h, c=None)`` (c = 0 when None), ``reset_state()``。
    """

    def __init__(self, Wx, Wh, b, stateful=False):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None
        self.h, self.c = None, None
        self.dh = None
        self.stateful = stateful

    def forward(self, xs):
        Wx, Wh, b = self.params
        N, T, _ = xs.shape
        H = Wh.shape[0]
        dtype = np.result_type(xs, Wx)
        hs = np.empty((N, T, H), dtype=dtype)
        if not self.stateful or self.h is None:
            self.h = np.zeros((N, H), dtype=dtype)
        if not self.stateful or self.c is None:
            self.c = np.zeros((N, H), dtype=dtype)
        self.cache = []
        for t in range(T):
            x, h_prev, c_prev = xs[:, t, :], self.h, self.c
            A = np.dot(x, Wx) + np.dot(h_prev, Wh) + b
            f, g = _sigmoid(A[:, :H]), np.tanh(A[:, H:2 * H])
            i, o = _sigmoid(A[:, 2 * H:3 * H]), _sigmoid(A[:, 3 * H:])
            self.c = f * c_prev + g * i
            self.h = o * np.tanh(self.c)
            hs[:, t, :] = self.h
            self.cache.append((x, h_prev, c_prev, f, g, i, o, self.c))
        return hs

    def backward(self, dhs):
        Wx, Wh, b = self.params
        N, T, H = dhs.shape
        dxs = np.empty((N, T, Wx.shape[0]), dtype=np.result_type(dhs, Wx))
        dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
        dh, dc = 0, 0
        for t in reversed(range(T)):
            x, h_prev, c_prev, f, g, i, o, c_next = self.cache[t]
            dh_next = dhs[:, t, :] + dh
            tanh_c = np.tanh(c_next)
            ds = dc + dh_next * o * (1 - tanh_c ** 2)
            dc = ds * f
            dA = np.hstack((ds * c_prev * f * (1 - f), ds * i * (1 - g ** 2), ds * g * i * (1 - i),
                            dh_next * tanh_c * o * (1 - o)))
            dWx += np.dot(x.T, dA)
            dWh += np.dot(h_prev.T, dA)
            db += dA.sum(axis=0)
            dxs[:, t, :] = np.dot(dA, Wx.T)
            dh = np.dot(dA, Wh.T)
        self.grads[0][...] = dWx
        self.grads[1][...] = dWh
        self.grads[2][...] = db
        self.dh = dh
        return dxs

    def set_state(self, h, c=None):
        self.h = h
        self.c = np.zeros_like(h) if c is None else c

    def reset_state(self):
        self.h, self.c = None, None


# ---------------------------------------------------------------- 演習 / exercises


class TimeEmbedding:
    """T 時刻分の Embedding レイヤ: 単語 ID を単語ベクトル (W の行) に変える / T embedding steps: ids → rows of W.

    順伝播 / Forward::

        out[n, t] = W[xs[n, t]]            (out = W[xs]; one-hot 表現 onehot(w) との積 onehot(w)·W と同じ値)
                                           (the same as the one-hot product onehot(w)·W, without multiplying)

    逆伝播 / Backward (dout = ∂L/∂out)::

        dW[w] = Σ_{(n, t): xs[n, t] = w} dout[n, t]     (同じ ID が何度出ても、その分だけ足し込む)
                                                         (an id that occurs several times adds every occurrence)

    ``dW[xs] = dout`` と代入すると、同じ ID の行は最後の 1 回分しか残りません。``np.add.at(dW, xs, dout)``
    で足し込み、その前に ``dW[...] = 0`` で 0 に戻します。``backward`` は ``None`` を返します (入力は整数の
    ID なので勾配はありません)。
    ``dW[xs] = dout`` keeps only the last occurrence of a repeated id: accumulate with ``np.add.at(dW, xs,
    dout)`` after ``dW[...] = 0``. ``backward`` returns ``None`` (integer ids have no gradient).

    形状 / Shapes: W: (V, D); xs: (N, T) int; out, dout: (N, T, D); grads[0] (dW): (V, D)

    例 / Example (V = 4, D = 2; ID 2 が 2 回、ID 0 も 2 回 / id 2 twice, id 0 twice)::

        W = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0]])
        layer = TimeEmbedding(W)
        layer.forward(np.array([[0, 2, 2], [3, 0, 1]]))[0]    # [[0, 1], [4, 5], [4, 5]]
        layer.backward(np.arange(12.0).reshape(2, 3, 2) / 10)
        layer.grads[0]
        # dW[0] = (0, .1) + (.8, .9) = (.8, 1.0)    dW[1] = (1.0, 1.1)
        # dW[2] = (.2, .3) + (.4, .5) = (.6, .8)    dW[3] = (.6, .7)    (代入だと dW[2] = (.4, .5) / assigning)
    """

    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.idx = None  # forward の xs (backward で使う) / the forward's xs, for backward

    def forward(self, xs):
        """xs (N, T) → W[xs] (N, T, D)。xs を self.idx に覚える / keep xs in self.idx."""
        # TODO: W, = self.params; self.idx = xs; W[xs] を返す / return W[xs]
        raise NotImplementedError

    def backward(self, dout):
        """dW を 0 に戻してから np.add.at で足し込む。None を返す / reset dW, accumulate, return None."""
        # TODO: dW, = self.grads; dW[...] = 0; np.add.at(dW, self.idx, dout) / accumulate repeated ids
        raise NotImplementedError


class TimeAffine:
    """T 時刻分の Affine レイヤ / T affine steps at once:  out[:, t] = x[:, t]·W + b.

    順伝播 / Forward (x を (N·T, D) に並べ直して 1 回の行列積 / one matrix product after a reshape)::

        rx = x.reshape(N·T, D),   out = (rx·W + b).reshape(N, T, M)

    逆伝播 / Backward (dout を (N·T, M) に / dout reshaped to (N·T, M))::

        dW = rxᵀ·dout,   db = Σ_{N·T 行 / rows} dout,   dx = (dout·Wᵀ).reshape(N, T, D)

    W と b は全時刻で共有なので、勾配は N·T 行すべての和です。
    W and b are shared by every step, so their gradients sum all N·T rows.

    形状 / Shapes: W: (D, M), b: (M,); x: (N, T, D); out, dout: (N, T, M); dx: (N, T, D)

    例 / Example::

        layer = TimeAffine(np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]]), np.array([0.5, 0.0, 0.0]))
        layer.forward(np.array([[[1.0, 2.0], [3.0, 4.0]]]))   # [[[1.5, 2, 0], [3.5, 4, 2]]]
        layer.backward(np.ones((1, 2, 3)))                     # dx = [[[3, 0], [3, 0]]]
        # grads: dW = [[4, 4, 4], [6, 6, 6]],  db = [2, 2, 2]
    """

    def __init__(self, W, b):
        self.params = [W, b]
        self.grads = [np.zeros_like(W), np.zeros_like(b)]
        self.x = None

    def forward(self, x):
        """x (N, T, D) → x·W + b (N, T, M)。x を self.x に覚える / keep x in self.x."""
        # TODO: (N·T, D) に reshape して行列積、(N, T, M) に戻す / reshape, multiply, reshape back
        raise NotImplementedError

    def backward(self, dout):
        """dx (N, T, D) を返し、grads (dW, db) にその場で書く / return dx, write dW and db in place."""
        # TODO: dW = rxᵀ·dout, db = dout の行の和, dx = dout·Wᵀ / sums over all N·T rows
        raise NotImplementedError


class TimeSoftmaxWithLoss:
    """T 時刻分の Softmax + 交差エントロピー誤差 / T softmax cross-entropy steps, averaged.

    数式 / Formula (y = softmax(xs[n, t]), ラベル / label t_{n,t}; 無視ラベル / ignore label −1)::

        L = −(1 / K) · Σ_{(n, t): t_{n,t} ≠ −1} log y[n, t, t_{n,t}]      K = 無視しない位置の数 / kept positions
        ∂L/∂xs[n, t] = (y[n, t] − onehot(t_{n,t})) · dout / K              (無視する位置は 0 / 0 where ignored)

    - 損失は **和ではなく平均** です (無視ラベルが無ければ K = N·T)。 The loss is a **mean, not a sum**
      (K = N·T when nothing is ignored).
    - 正解 ts はラベル (N, T) でも one-hot (N, T, V) でも受け付けます (one-hot なら argmax でラベルに)。
      ts may be labels (N, T) or one-hot (N, T, V) (one-hot becomes labels with argmax).
    - ``self.ignore_label = -1`` (本と同じ): ラベル −1 の位置は損失にも勾配にも加えません。
      ``self.ignore_label = -1`` (as in the book): positions labelled −1 add nothing to the loss or gradient.
    - 本のように log(y + 1e-7) としても、log(y) のままでもかまいません。 log(y) with or without the
      book's 1e-7 is accepted.

    形状 / Shapes: xs: (N, T, V) スコア / scores; ts: (N, T) int または / or (N, T, V); forward → float;
    ``backward(dout=1)`` → dxs (N, T, V)

    例 / Example (N = 1, T = 2, V = 3)::

        layer = TimeSoftmaxWithLoss()
        xs = np.array([[[np.log(2.0), 0.0, 0.0], [0.0, 0.0, 0.0]]])   # y = (1/2, 1/4, 1/4), (1/3, 1/3, 1/3)
        layer.forward(xs, np.array([[0, 2]]))   # (−log(1/2) − log(1/3)) / 2 = (ln 2 + ln 3) / 2 = 0.895880
        layer.backward()                        # [[[−0.25, 0.125, 0.125], [1/6, 1/6, −1/3]]]  (= (y − t) / 2)
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None
        self.ignore_label = -1

    def forward(self, xs, ts):
        """平均の交差エントロピー誤差 (float) / the mean cross-entropy (a float)."""
        # TODO: (N·T, V) に並べ直し、mask = (ts != -1) で平均 / reshape, mask the ignored ones, average
        raise NotImplementedError

    def backward(self, dout=1):
        """dxs = (y − onehot(t))·dout / K (無視する位置は 0) / zeros where ignored."""
        # TODO: y の正解の位置から 1 を引き、dout / K を掛け、mask を掛ける / y − t, × dout / K, × mask
        raise NotImplementedError


class Encoder:
    """Encoder: 入力の系列を読み、最後の時刻の隠れ状態 h を返す / reads the source, returns the last h.

    構成 / Layers (本と同じ / as in the book)::

        xs (N, T) ─ embed (TimeEmbedding) ─ lstm (_TimeLSTM, stateful=False) ─ hs (N, T, H) → h = hs[:, -1, :]

    - ``forward(xs)`` → h (N, H): **最後の時刻** の隠れ状態だけを返します (hs は self.hs に覚える)。
      returns only the **last step's** hidden state (keep hs in self.hs).
    - ``backward(dh)``: h は最後の時刻の出力なので、dhs は最後の時刻だけ dh、他は 0 です::

          dhs = np.zeros_like(self.hs);  dhs[:, -1, :] = dh;  lstm.backward(dhs) → embed.backward(…)

      h is the last step's output, so dhs is dh at the last step and zero elsewhere. ``self.grads`` は
      ``[dW_embed, dWx, dWh, db]`` (レイヤと同じ配列 / the layers' own arrays) に書かれます。戻り値は
      embed.backward の戻り値 (None) でかまいません / the return value may be embed.backward's (None).

    形状 / Shapes: xs: (N, T) int; h, dh: (N, H); params / grads: [(V, D), (D, 4H), (H, 4H), (4H,)]

    例 / Example::

        enc = Encoder(vocab_size=5, wordvec_size=3, hidden_size=4, rng=np.random.default_rng(0))
        h = enc.forward(np.array([[1, 4, 4, 2], [0, 3, 1, 1]]))   # h.shape == (2, 4)
        # h == enc.lstm.forward(enc.embed.forward(xs))[:, -1]  (全時刻の hs の最後 / the last of all hs)
    """

    def __init__(self, vocab_size, wordvec_size, hidden_size, rng):
        V, D, H = vocab_size, wordvec_size, hidden_size
        embed_W = (rng.standard_normal((V, D)) / 100).astype('f')
        lstm_Wx = (rng.standard_normal((D, 4 * H)) / np.sqrt(D)).astype('f')
        lstm_Wh = (rng.standard_normal((H, 4 * H)) / np.sqrt(H)).astype('f')
        lstm_b = np.zeros(4 * H).astype('f')

        self.embed = TimeEmbedding(embed_W)
        self.lstm = _TimeLSTM(lstm_Wx, lstm_Wh, lstm_b, stateful=False)

        self.params = self.embed.params + self.lstm.params
        self.grads = self.embed.grads + self.lstm.grads
        self.hs = None

    def forward(self, xs):
        """xs (N, T) → 最後の時刻の h (N, H) / the last step's h."""
        # TODO: embed → lstm、hs を self.hs に、hs[:, -1, :] を返す / return hs[:, -1, :]
        raise NotImplementedError

    def backward(self, dh):
        """dh を最後の時刻だけに置いて lstm → embed へ / dh at the last step only, back through lstm, embed."""
        # TODO: dhs = 0、dhs[:, -1, :] = dh、lstm.backward → embed.backward / the last step only
        raise NotImplementedError


class Decoder:
    """Decoder: Encoder の h から始めて、各時刻の次の単語のスコアを出す / scores of the next word, from h.

    構成 / Layers (本と同じ / as in the book)::

        xs (N, T) ─ embed ─ lstm (stateful=True, set_state(h) から / from h) ─ affine ─ score (N, T, V)

    - ``forward(xs, h)``: 学習時は **正解の系列** xs をそのまま入力します (教師強制 / teacher forcing)。
      自分の出力 (argmax) を次の入力にするのは ``generate`` のときだけです。
      Training feeds the **right sequence** xs as it is (teacher forcing); feeding the output back is for
      ``generate`` only.
    - ``backward(dscore)`` → dh (N, H): affine → lstm → embed の逆順に流し、h への勾配
      ``self.lstm.dh`` を返します (Encoder へ渡す分)。``self.grads`` は
      ``[dW_embed, dWx, dWh, db, dW_affine, db_affine]``。
      Goes back through affine → lstm → embed and returns the gradient for h, ``self.lstm.dh`` (it goes to
      the Encoder). ``self.grads`` is ``[dW_embed, dWx, dWh, db, dW_affine, db_affine]``.
    - ``generate(h, start_id, sample_size)`` → 長さ sample_size の int のリスト / a list of sample_size ints:
      ``set_state(h)`` の後、入力 (1, 1) = [[start_id]] から 1 語ずつ進め、スコアの **argmax** (貪欲法) を
      記録して次の入力にします。start_id は結果に含めません。
      after ``set_state(h)``, step one word at a time from the input [[start_id]], record the **argmax** of
      the scores (greedy) and feed it back as the next input. start_id is not part of the result.

    形状 / Shapes: xs: (N, T) int; h, dh: (N, H); score, dscore: (N, T, V); generate の h / generate's h: (1, H)

    例 / Example::

        dec = Decoder(5, 3, 4, np.random.default_rng(0))
        score = dec.forward(np.array([[4, 0, 2], [4, 3, 3]]), np.zeros((2, 4)))   # (2, 3, 5)
        dh = dec.backward(np.ones_like(score))                                       # (2, 4)
        dec.generate(np.zeros((1, 4)), 4, 6)            # [1, 1, 3, 1, 3, 1]: 6 個の ID / 6 ids
    """

    def __init__(self, vocab_size, wordvec_size, hidden_size, rng):
        V, D, H = vocab_size, wordvec_size, hidden_size
        embed_W = (rng.standard_normal((V, D)) / 100).astype('f')
        lstm_Wx = (rng.standard_normal((D, 4 * H)) / np.sqrt(D)).astype('f')
        lstm_Wh = (rng.standard_normal((H, 4 * H)) / np.sqrt(H)).astype('f')
        lstm_b = np.zeros(4 * H).astype('f')
        affine_W = (rng.standard_normal((H, V)) / np.sqrt(H)).astype('f')
        affine_b = np.zeros(V).astype('f')

        self.embed = TimeEmbedding(embed_W)
        self.lstm = _TimeLSTM(lstm_Wx, lstm_Wh, lstm_b, stateful=True)
        self.affine = TimeAffine(affine_W, affine_b)

        self.params, self.grads = [], []
        for layer in (self.embed, self.lstm, self.affine):
            self.params += layer.params
            self.grads += layer.grads

    def forward(self, xs, h):
        """スコア (N, T, V)。lstm を h から始め、xs をそのまま入力 (教師強制) / start from h, teacher forcing."""
        # TODO: self.lstm.set_state(h)、embed → lstm → affine / set the state, then the three layers
        raise NotImplementedError

    def backward(self, dscore):
        """affine → lstm → embed の逆順。h への勾配 self.lstm.dh を返す / return self.lstm.dh."""
        # TODO: 3 つのレイヤを逆順に backward し、self.lstm.dh を返す / reverse order, return the dh
        raise NotImplementedError

    def generate(self, h, start_id, sample_size):
        """貪欲法で sample_size 個の ID を生成 (start_id は含めない) / greedy ids, start_id excluded."""
        # TODO: set_state(h)、[[sample_id]] を 1 語ずつ通して argmax を次の入力に / feed the argmax back
        raise NotImplementedError


class Seq2seq:
    """Seq2seq: Encoder → Decoder → TimeSoftmaxWithLoss / the encoder-decoder model.

    学習 / Training (教師強制 / teacher forcing; ts は <start> で始まる / ts starts with <start>)::

        decoder_xs = ts[:, :-1]     (Decoder の入力: 正解を 1 つ遅らせたもの / the target delayed by one)
        decoder_ts = ts[:, 1:]      (Decoder の正解: 各時刻の次の単語 / the next word at each step)
        h = encoder.forward(xs);  score = decoder.forward(decoder_xs, h);  loss = softmax.forward(score, decoder_ts)

    - ``forward(xs, ts)`` → loss (float, N·T の平均 / the mean)。
    - ``backward(dout=1)``: softmax → decoder → (dh) → encoder の順。
      softmax → decoder → (dh) → encoder.
    - ``generate(xs, start_id, sample_size)``: h = encoder.forward(xs) から decoder.generate。
      decoder.generate from h = encoder.forward(xs).
    - ``self.params`` / ``self.grads`` = Encoder の 4 個 + Decoder の 6 個 / the Encoder's 4 then the
      Decoder's 6 (レイヤと同じ配列 / the layers' own arrays)。

    形状 / Shapes: xs: (N, T_in) int; ts: (N, T_out + 1) int; generate の xs / generate's xs: (1, T_in)

    例 / Example (系列の反転 / reversing a sequence; 語彙 0…3 と <start> = 4 / words 0…3 and <start> = 4)::

        model = Seq2seq(5, 8, 16, np.random.default_rng(0))
        xs, ts = np.array([[1, 2, 3]]), np.array([[4, 3, 2, 1]])
        loss = model.forward(xs, ts)      # 学習前は ≈ ln 5 = 1.609 / ≈ ln 5 before training
        model.backward()                  # model.grads に 10 個の勾配 / 10 gradients in model.grads
        model.generate(xs, 4, 3)          # 学習後は / after training: [3, 2, 1]
    """

    def __init__(self, vocab_size, wordvec_size, hidden_size, rng):
        V, D, H = vocab_size, wordvec_size, hidden_size
        self.encoder = Encoder(V, D, H, rng)
        self.decoder = Decoder(V, D, H, rng)
        self.softmax = TimeSoftmaxWithLoss()

        self.params = self.encoder.params + self.decoder.params
        self.grads = self.encoder.grads + self.decoder.grads

    def forward(self, xs, ts):
        """損失 (float)。Decoder の入力 ts[:, :-1]、正解 ts[:, 1:] / decoder input ts[:, :-1], target ts[:, 1:]."""
        # TODO: ts をずらし、encoder → decoder → softmax / shift ts, then the three parts
        raise NotImplementedError

    def backward(self, dout=1):
        """softmax → decoder → encoder (Decoder の dh を Encoder へ) / the decoder's dh goes to the encoder."""
        # TODO: dscore = softmax.backward(dout)、dh = decoder.backward(dscore)、encoder.backward(dh)
        raise NotImplementedError

    def generate(self, xs, start_id, sample_size):
        """h = encoder.forward(xs) から decoder.generate / greedy generation from the encoder's h."""
        # TODO: h を求めて decoder.generate(h, start_id, sample_size) を返す / return the generated ids
        raise NotImplementedError
