# ACCEPTED: every check passes (the book's own code, ゼロから作るDeep Learning ❷ common/time_layers.py and ch07/seq2seq.py)
"""Day 3 Section 5 を本のコードのとおりに: Embedding レイヤを時刻ごとに作り self.W を使う TimeEmbedding、
log(y + 1e-7) の TimeSoftmaxWithLoss、float32 の重み。
The book's code as printed: a TimeEmbedding that builds one Embedding per step and reads self.W, a
TimeSoftmaxWithLoss with log(y + 1e-7), float32 weights.
"""

import numpy as np


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


class _TimeLSTM:
    """記入済み: T 時刻分の LSTM (Section 2 と同じ、ゲートは f, g, i, o の順) / given: T LSTM steps (Section 2)."""

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


class Embedding:
    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.idx = None

    def forward(self, idx):
        W, = self.params
        self.idx = idx
        out = W[idx]
        return out

    def backward(self, dout):
        dW, = self.grads
        dW[...] = 0
        np.add.at(dW, self.idx, dout)
        return None


class TimeEmbedding:
    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.layers = None
        self.W = W

    def forward(self, xs):
        N, T = xs.shape
        V, D = self.W.shape

        out = np.empty((N, T, D), dtype='f')
        self.layers = []

        for t in range(T):
            layer = Embedding(self.W)
            out[:, t, :] = layer.forward(xs[:, t])
            self.layers.append(layer)

        return out

    def backward(self, dout):
        N, T, D = dout.shape

        grad = 0
        for t in range(T):
            layer = self.layers[t]
            layer.backward(dout[:, t, :])
            grad += layer.grads[0]

        self.grads[0][...] = grad
        return None


class TimeAffine:
    def __init__(self, W, b):
        self.params = [W, b]
        self.grads = [np.zeros_like(W), np.zeros_like(b)]
        self.x = None

    def forward(self, x):
        N, T, D = x.shape
        W, b = self.params

        rx = x.reshape(N*T, -1)
        out = np.dot(rx, W) + b
        self.x = x
        return out.reshape(N, T, -1)

    def backward(self, dout):
        x = self.x
        N, T, D = x.shape
        W, b = self.params

        dout = dout.reshape(N*T, -1)
        rx = x.reshape(N*T, -1)

        db = np.sum(dout, axis=0)
        dW = np.dot(rx.T, dout)
        dx = np.dot(dout, W.T)
        dx = dx.reshape(*x.shape)

        self.grads[0][...] = dW
        self.grads[1][...] = db

        return dx


def softmax(x):
    if x.ndim == 2:
        x = x - x.max(axis=1, keepdims=True)
        x = np.exp(x)
        x /= x.sum(axis=1, keepdims=True)
    elif x.ndim == 1:
        x = x - np.max(x)
        x = np.exp(x) / np.sum(np.exp(x))
    return x


class TimeSoftmaxWithLoss:
    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None
        self.ignore_label = -1

    def forward(self, xs, ts):
        N, T, V = xs.shape

        if ts.ndim == 3:  # 教師ラベルがone-hotベクトルの場合
            ts = ts.argmax(axis=2)

        mask = (ts != self.ignore_label)

        # バッチ分と時系列分をまとめる（reshape）
        xs = xs.reshape(N * T, V)
        ts = ts.reshape(N * T)
        mask = mask.reshape(N * T)

        ys = softmax(xs)
        ls = np.log(ys[np.arange(N * T), ts] + 1e-7)
        ls *= mask  # ignore_labelに該当するデータは損失を0にする
        loss = -np.sum(ls)
        loss /= mask.sum()

        self.cache = (ts, ys, mask, (N, T, V))
        return loss

    def backward(self, dout=1):
        ts, ys, mask, (N, T, V) = self.cache

        dx = ys
        dx[np.arange(N * T), ts] -= 1
        dx *= dout
        dx /= mask.sum()
        dx *= mask[:, np.newaxis]  # ignore_labelに該当するデータは勾配を0にする

        dx = dx.reshape((N, T, V))

        return dx


class Encoder:
    """Embedding → LSTM。最後の時刻の隠れ状態 h (N, H) を返す / returns the last hidden state h (N, H)."""

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
        xs = self.embed.forward(xs)
        hs = self.lstm.forward(xs)
        self.hs = hs
        return hs[:, -1, :]

    def backward(self, dh):
        dhs = np.zeros_like(self.hs)
        dhs[:, -1, :] = dh  # 勾配は最後の時刻にだけ届く / only the last step receives it
        dout = self.lstm.backward(dhs)
        dout = self.embed.backward(dout)
        return dout


class Decoder:
    """Embedding → LSTM (初期状態 h) → Affine。スコア (N, T, V) を返す / returns scores (N, T, V)."""

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
        self.lstm.set_state(h)

        out = self.embed.forward(xs)  # 教師強制: 正解の系列を入力に / teacher forcing
        out = self.lstm.forward(out)
        score = self.affine.forward(out)
        return score

    def backward(self, dscore):
        dout = self.affine.backward(dscore)
        dout = self.lstm.backward(dout)
        dout = self.embed.backward(dout)
        dh = self.lstm.dh
        return dh

    def generate(self, h, start_id, sample_size):
        sampled = []
        sample_id = start_id
        self.lstm.set_state(h)

        for _ in range(sample_size):
            x = np.array(sample_id).reshape((1, 1))
            out = self.embed.forward(x)
            out = self.lstm.forward(out)
            score = self.affine.forward(out)

            sample_id = int(np.argmax(score.flatten()))
            sampled.append(sample_id)

        return sampled


class Seq2seq:
    """Encoder → Decoder → TimeSoftmaxWithLoss (教師強制で学習) / trained with teacher forcing."""

    def __init__(self, vocab_size, wordvec_size, hidden_size, rng):
        V, D, H = vocab_size, wordvec_size, hidden_size
        self.encoder = Encoder(V, D, H, rng)
        self.decoder = Decoder(V, D, H, rng)
        self.softmax = TimeSoftmaxWithLoss()

        self.params = self.encoder.params + self.decoder.params
        self.grads = self.encoder.grads + self.decoder.grads

    def forward(self, xs, ts):
        decoder_xs, decoder_ts = ts[:, :-1], ts[:, 1:]

        h = self.encoder.forward(xs)
        score = self.decoder.forward(decoder_xs, h)
        loss = self.softmax.forward(score, decoder_ts)
        return loss

    def backward(self, dout=1):
        dout = self.softmax.backward(dout)
        dh = self.decoder.backward(dout)
        dout = self.encoder.backward(dh)
        return dout

    def generate(self, xs, start_id, sample_size):
        h = self.encoder.forward(xs)
        sampled = self.decoder.generate(h, start_id, sample_size)
        return sampled
