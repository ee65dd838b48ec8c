"""Day 1 Section 5 誤差逆伝播法: Relu, Sigmoid, Affine, SoftmaxWithLoss の層と 2 層ネットワークを実装します。
Day 1 Section 5 backpropagation: implement Relu, Sigmoid, Affine, SoftmaxWithLoss and a two-layer network.

共通の約束 / Common rules (ゼロから作るDeep Learning 5 章 common/layers.py, ch05/two_layer_net.py と同じ API):

- 層は ``forward(x)`` で出力を返し、逆伝播に必要な値 (mask, out, x, y, t) を ``self`` に覚えておきます。
  ``backward(dout)`` は上流から来た勾配 dout (= ∂L/∂出力) を受け取り、dx (= ∂L/∂x) を返します (連鎖律)。
  A layer's ``forward(x)`` returns its output and keeps what backward needs (mask, out, x, y, t) on ``self``;
  ``backward(dout)`` takes the upstream gradient dout (= ∂L/∂output) and returns dx (= ∂L/∂x): the chain rule.
- 各クラスの ``__init__`` は記入済みです (本と同じ属性)。実装するのは ``forward`` / ``backward``
  などのメソッドです。
  Every ``__init__`` is already filled in (the book's attributes); the exercise is the other methods.
- forward は入力 x を書き換えずに新しい配列を返します (本の Relu も ``x.copy()``)。
  forward returns a new array and leaves the input x unchanged (the book's Relu uses ``x.copy()`` too).
- このファイルは numpy だけを import します (他のセクションのファイルは読み込めません)。必要な補助関数
  (softmax など) は自分でこのファイルに書いてかまいません。
  This file imports only numpy (other sections' files cannot be imported); write any helper you need
  (softmax, …) in this file.
"""

import numpy as np


class Relu:
    """ReLU 層 / ReLU layer.

    順伝播 / Forward::      y = x  (x > 0),   0  (x ≤ 0)
    逆伝播 / Backward::     dx = dout  (x > 0),   0  (x ≤ 0)

    ``self.mask`` に「x ≤ 0 の場所」(bool 配列) を覚えておき、backward でその場所の勾配を 0 にします。
    Keep in ``self.mask`` where x ≤ 0 (a bool array); backward sets the gradient there to 0.

    形状 / Shapes: x, y, dout, dx — すべて同じ形状 (任意) / all the same shape (any).
    x = 0 ちょうどの所の勾配は 0 (本) でも dout でも正解とします。
    At exactly x = 0 both 0 (the book) and dout are accepted.

    例 / Example::

        x    = [[1.0, -0.5], [-2.0, 3.0]]   →  forward  = [[1.0, 0.0], [0.0, 3.0]]
        dout = [[5.0,  6.0], [ 7.0, 8.0]]   →  backward = [[5.0, 0.0], [0.0, 8.0]]
    """

    def __init__(self):
        self.mask = None

    def forward(self, x):
        """y = max(0, x) (要素ごと / element-wise)。x は書き換えない (x.copy()) / do not modify x."""
        # TODO: self.mask = (x <= 0) を覚え、そこを 0 にした x のコピーを返す / keep the mask, return a copy
        raise NotImplementedError

    def backward(self, dout):
        """dx = dout、ただし順伝播で x ≤ 0 だった所は 0 / dx = dout with 0 where x ≤ 0 in forward."""
        # TODO: dout の self.mask の場所を 0 にして返す / zero dout where self.mask is True
        raise NotImplementedError


class Sigmoid:
    """シグモイド層 / Sigmoid layer.

    順伝播 / Forward::      y = 1 / (1 + exp(−x))
    逆伝播 / Backward::     dx = dout · y · (1 − y)       (∂y/∂x = y(1 − y))

    逆伝播に必要なのは出力 y だけです。forward で ``self.out = y`` を覚えておきます (x ではなく y を使う)。
    Backward only needs the output y: keep ``self.out = y`` in forward (use y, not x).

    形状 / Shapes: x, y, dout, dx — すべて同じ形状 (任意) / all the same shape (any).

    例 / Example::

        x = [0.0, 2.0]     →  forward  y = [0.5, 0.880797]
        dout = [1.0, 1.0]  →  backward dx = [0.5·0.5, 0.880797·0.119203] = [0.25, 0.104994]
    """

    def __init__(self):
        self.out = None

    def forward(self, x):
        """y = 1 / (1 + exp(−x)) を返し self.out に覚える / return y and keep it in self.out."""
        # TODO: y を計算して self.out に保存し、返す / compute y, keep it in self.out, return it
        raise NotImplementedError

    def backward(self, dout):
        """dx = dout · y · (1 − y) (y = self.out)."""
        # TODO: self.out を使って dx を返す / return dx computed from self.out
        raise NotImplementedError


class Affine:
    """全結合 (Affine) 層 / Affine (fully connected) layer.

    順伝播 / Forward::      y = x · W + b
    逆伝播 / Backward::     dx = dout · Wᵀ
                            dW = xᵀ · dout                (W と同じ形状 / same shape as W)
                            db = Σ_n dout[n]              (バッチ方向の和 / sum over the batch, axis=0)

    ``W``, ``b`` は渡された配列をそのまま ``self.W``, ``self.b`` に持ちます (コピーしない:
    TwoLayerNet の ``params`` と同じ配列を共有するため)。forward で x を ``self.x`` に覚え、
    backward で ``self.dW``, ``self.db`` に勾配を入れて dx を返します。
    ``self.W``, ``self.b`` are the arrays passed in (no copy: they are shared with TwoLayerNet's ``params``).
    Keep x in ``self.x`` during forward; backward stores the gradients in ``self.dW``, ``self.db`` and
    returns dx.

    形状 / Shapes: x: (N, D), W: (D, M), b: (M,), y: (N, M), dout: (N, M), dx: (N, D), dW: (D, M), db: (M,)

    例 / Example::

        W = [[1, 0, -1], [0, 1, 1]],  b = [0.1, 0.2, 0.3],  x = [[1, 2]]
        forward(x)  = [[1.1, 2.2, 1.3]]
        backward([[1, 0, 2]])  →  dx = [[-1, 2]],  dW = [[1, 0, 2], [2, 0, 4]],  db = [1, 0, 2]
    """

    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        """y = x·W + b (x: (N, D))。x を self.x に覚える / keep x in self.x."""
        # TODO: self.x = x を覚えて x·W + b を返す / keep x, return x·W + b
        raise NotImplementedError

    def backward(self, dout):
        """dx = dout·Wᵀ を返し、self.dW = xᵀ·dout, self.db = Σ_n dout を計算する / return dx, keep dW, db."""
        # TODO: dx, self.dW, self.db を計算する / compute dx, self.dW and self.db
        raise NotImplementedError


class SoftmaxWithLoss:
    """Softmax 関数と交差エントロピー誤差をまとめた出力層 / Softmax and cross-entropy loss in one layer.

    順伝播 / Forward (x: (N, C) のスコア / scores)::

        y[n, k] = exp(x[n, k]) / Σ_j exp(x[n, j])             (softmax、行ごと / per row)
        L = −(1/N) Σ_n log y[n, t_n]                (t_n は n 番目の正解クラス / the correct class of row n)

    逆伝播 / Backward (dout: 上流の勾配、既定 1 / the upstream gradient, 1 by default)::

        dx = dout · (y − t) / N                                 (t は one-hot; バッチの平均なので N で割る)

    最後の層では dout = 1 ですが、連鎖律どおり dout を掛けること (損失が 2.5 倍なら勾配も 2.5 倍)。
    It is the last layer, so dout is usually 1; still multiply by dout, as the chain rule says
    (a loss scaled by 2.5 has a gradient scaled by 2.5).

    t は one-hot (N, C) でも正解ラベルの番号 (N,) でもよく、どちらも扱えること。
    t may be one-hot (N, C) or class indices (N,); handle both.

    約束 / Rules:
        - オーバーフロー対策: exp の前に各行の最大値を引く (x − max(x) でも softmax の値は変わらない)。
          Avoid overflow: subtract each row's maximum before exp (softmax does not change).
        - log(0) 対策の小さな値 (本は log(y + 1e-7)) は入れても入れなくても正解とします。
          The small value against log(0) (the book's log(y + 1e-7)) is accepted with or without.
        - forward は損失 L を 1 つの数 (float) として返し、``self.y``, ``self.t``
          (と ``self.loss``) を覚える。
          forward returns the loss L as one number (float) and keeps ``self.y``, ``self.t``
          (and ``self.loss``).

    形状 / Shapes: x: (N, C), t: (N, C) or (N,), y: (N, C), L: float, dx: (N, C)

    例 / Example::

        x = [[1.0, 2.0, 3.0]],  t = [[0, 0, 1]]  (または / or t = [2])
        y = [[0.090031, 0.244728, 0.665241]],  L = −log 0.665241 = 0.407606
        backward() = [[0.090031, 0.244728, −0.334759]]
    """

    def __init__(self):
        self.loss = None
        self.y = None  # softmax の出力 / output of softmax
        self.t = None  # 正解データ / targets

    def forward(self, x, t):
        """softmax と交差エントロピー誤差 (バッチ平均) を返す / return the mean cross-entropy loss."""
        # TODO: オーバーフロー対策をした softmax → 交差エントロピー誤差 / safe softmax, then cross-entropy
        raise NotImplementedError

    def backward(self, dout=1):
        """dx = dout · (y − t) / N を返す (t がラベルの番号なら one-hot として扱う) / return dout · (y − t) / N."""
        # TODO: self.y と self.t から dx = dout · (y − t) / N / dx from self.y, self.t and dout
        raise NotImplementedError


class TwoLayerNet:
    """2 層ニューラルネットワーク / Two-layer neural network:  Affine1 → Relu1 → Affine2 → SoftmaxWithLoss.

    ``__init__`` は記入済みです (本と同じ)。``self.params`` の配列と ``self.layers`` の Affine 層の W, b は
    **同じ配列** (共有) です。``self.params`` と ``self.layers`` の作り方は変えないでください。
    ``__init__`` is filled in (as in the book). The arrays in ``self.params`` and the W, b of the Affine
    layers in ``self.layers`` are **the same arrays** (shared). Do not change how ``self.params`` and
    ``self.layers`` are made.

    メソッド / Methods (x: (N, input_size), t: one-hot (N, output_size) または / or labels (N,)):
        predict(x)   → スコア / scores (N, output_size): self.layers を順に forward (softmax の **前** の値)
                       forward through self.layers in order (values **before** softmax)
        loss(x, t)   → float: predict の結果を self.lastLayer (SoftmaxWithLoss) に通した損失 / the loss
        accuracy(x, t) → float (0〜1): predict の argmax が正解と一致した割合 / fraction of correct argmax
        numerical_gradient(x, t) → dict: 中心差分 (h = 1e-4) による ∂loss/∂params[key] (Section 4 と同じ方法)
                       central-difference gradient (h = 1e-4) of the loss w.r.t. every params[key]
        gradient(x, t) → dict: 誤差逆伝播法による同じ勾配 / the same gradient by backpropagation

    numerical_gradient と gradient の戻り値は ``{"W1": …, "b1": …, "W2": …, "b2": …}`` で、それぞれ
    ``self.params`` の同じキーの配列と同じ形状です。両者がほぼ一致すること (勾配確認) が正しさの目安です。
    Both return ``{"W1": …, "b1": …, "W2": …, "b2": …}`` with the shapes of ``self.params``; that they agree
    (the gradient check) is how you know backprop is right.

    numerical_gradient のヒント / Hint: 層は params と同じ配列を見ているので、``self.params[key]`` の要素を
    その場で ±h ずらして ``self.loss(x, t)`` を計算し、元に戻せばよい
    (このファイルは Section 4 を import できないので、中心差分のループはここにも書きます)。
    The layers see the same arrays as params, so shift an element of ``self.params[key]`` by ±h in place,
    compute ``self.loss(x, t)``, and restore it (this file cannot import Section 4: write the loop here too).

    採点について / About grading: 学習のチェックでは、更新した重みを ``net.params`` と
    ``net.layers["Affine1"]`` / ``["Affine2"]`` の ``W``, ``b`` の両方に書き込みます (本の
    ``network.params[key] -= lr * grad[key]`` と同じ効果)。
    The training check writes the updated weights both into ``net.params`` and into ``W``, ``b`` of
    ``net.layers["Affine1"]`` / ``["Affine2"]`` (the same effect as the book's
    ``network.params[key] -= lr * grad[key]``).

    例 / Example::

        net = TwoLayerNet(input_size=2, hidden_size=3, output_size=2)
        net.params["W1"].shape, net.params["b1"].shape   # (2, 3), (3,)
        net.predict(np.zeros((5, 2))).shape              # (5, 2)   (重みが小さいのでほぼ 0 / nearly 0)
        net.loss(np.zeros((5, 2)), np.array([0, 1, 0, 1, 1]))  # ≈ log 2 = 0.693 (当て推量 / a coin flip)
    """

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {}
        self.params["W1"] = weight_init_std * np.random.randn(input_size, hidden_size)
        self.params["b1"] = np.zeros(hidden_size)
        self.params["W2"] = weight_init_std * np.random.randn(hidden_size, output_size)
        self.params["b2"] = np.zeros(output_size)

        self.layers = {}  # 挿入順を保つ (本では OrderedDict) / keeps insertion order (book: OrderedDict)
        self.layers["Affine1"] = Affine(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W2"], self.params["b2"])
        self.lastLayer = SoftmaxWithLoss()

    def predict(self, x):
        """self.layers を順に forward したスコア (N, output_size) / scores after every layer's forward."""
        # TODO: self.layers.values() を順に forward する / forward through self.layers.values() in order
        raise NotImplementedError

    def loss(self, x, t):
        """predict の結果と t から SoftmaxWithLoss の損失を返す / the loss of predict(x) and t."""
        # TODO: self.lastLayer.forward(self.predict(x), t) / the last layer on the scores
        raise NotImplementedError

    def accuracy(self, x, t):
        """argmax(predict(x)) == 正解 の割合 (t が one-hot なら argmax してから比べる) / fraction correct."""
        # TODO: 予測と正解のクラス番号を比べて割合を返す / compare class indices, return the fraction
        raise NotImplementedError

    def numerical_gradient(self, x, t):
        """中心差分による勾配の dict / dict of central-difference gradients of the loss."""
        # TODO: 各 params[key] の各要素を ±h して損失の差から偏微分 / ±h on every element, central difference
        raise NotImplementedError

    def gradient(self, x, t):
        """誤差逆伝播法による勾配の dict / dict of gradients by backpropagation."""
        # TODO: 順伝播 → lastLayer.backward(1) → 層を逆順に backward → dW, db を集める / backprop
        raise NotImplementedError
