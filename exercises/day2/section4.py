"""Day 2 Section 4: 畳み込みニューラルネットワーク (出力サイズ, im2col, col2im, Convolution, Pooling) を実装します。
Day 2 Section 4: implement the pieces of a CNN: output size, im2col, col2im, Convolution and Pooling.

共通の約束 / Common rules (ゼロから作るDeep Learning の common/util.py と common/layers.py と同じ API):

- 画像データの形状は ``(N, C, H, W)`` = (バッチ数, チャンネル数, 高さ, 幅)。
  Image data has shape ``(N, C, H, W)`` = (batch, channels, height, width).
- フィルタ (重み) ``W`` の形状は ``(FN, C, FH, FW)`` = (フィルタ数, チャンネル数, フィルタの高さ, 幅)、
  バイアス ``b`` は ``(FN,)``。 Filters ``W`` have shape ``(FN, C, FH, FW)``; the bias ``b`` has shape ``(FN,)``.
- 出力サイズ / Output size (高さ・幅それぞれ / for height and width separately)::

      OH = ⌊(H + 2·pad − FH) / stride⌋ + 1
      OW = ⌊(W + 2·pad − FW) / stride⌋ + 1

  割り切れないときは切り捨て (はみ出した最後の窓は使わない)。 When it does not divide, round down
  (the last window that would stick out is not used).
- パディングは 0 埋めで、上下左右に ``pad`` ずつ加えます。 Padding adds ``pad`` zeros on every side.
- CNN の「畳み込み」は、フィルタを反転しない相互相関 (cross-correlation) です (本やフレームワークと同じ)。
  The "convolution" of a CNN is cross-correlation: the filter is not flipped (as in the book and frameworks).
- ``Convolution`` と ``Pooling`` の ``__init__`` は記入済みです。実装するのは ``forward`` と ``backward`` です。
  ``Convolution`` and ``Pooling`` have ``__init__`` filled in; the exercise is ``forward`` and ``backward``.
  同じファイルの ``im2col`` / ``col2im`` を使ってかまいません。 You may use ``im2col`` / ``col2im`` of this file.
"""

import numpy as np


def conv_output_size(input_size, filter_size, stride=1, pad=0):
    """畳み込み (またはプーリング) の出力サイズ / Output size of a convolution (or pooling).

    式 / Formula (1 次元ごと / per dimension)::

        out = ⌊(input_size + 2·pad − filter_size) / stride⌋ + 1

    - ``+ 1`` はフィルタの最初の位置の分です。 The ``+ 1`` counts the filter's first position.
    - パディングは両側に付くので ``2·pad`` です。 Padding is on both sides, hence ``2·pad``.
    - 割り切れないときは **切り捨て** (試験も TensorFlow / PyTorch も同じ)。 Round **down** (floor) when it
      does not divide, as the exam and the frameworks do.

    引数 / Arguments: すべて int / all ints。 戻り値 / Returns: int (``//`` を使い、``4.0`` ではなく ``4``
    を返すこと / use ``//`` and return ``4``, not ``4.0``)。

    エラー / Error: フィルタがパディング後の入力より大きい (``input_size + 2·pad < filter_size``) ときは、
    理由を書いた ``ValueError`` を送出します。ちょうど同じ大きさなら出力は 1 です。
    If the filter is larger than the padded input (``input_size + 2·pad < filter_size``), raise ``ValueError``
    with the reason. A filter exactly as large as the padded input gives 1.

    例 / Examples::

        conv_output_size(6, 2, stride=1, pad=1)   # ⌊(6 + 2 − 2)/1⌋ + 1 = 7
        conv_output_size(8, 3, stride=2, pad=1)   # ⌊(8 + 2 − 3)/2⌋ + 1 = ⌊3.5⌋ + 1 = 4
        conv_output_size(3, 5)                    # ValueError (5 > 3)
    """
    # TODO: ⌊(input + 2·pad − filter)/stride⌋ + 1 を int で返す / return it as an int (ValueError if too large)
    raise NotImplementedError


def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    """画像を行列に展開する (畳み込みを行列積にするため) / Unfold images into a matrix (convolution as a matrix product).

    形状 / Shapes::

        input_data: (N, C, H, W)
        戻り値 col / returns col: (N·OH·OW, C·filter_h·filter_w)
        OH = ⌊(H + 2·pad − filter_h)/stride⌋ + 1,  OW = ⌊(W + 2·pad − filter_w)/stride⌋ + 1

    レイアウト (本と同じ) / Layout (the book's):

    - 1 行 = フィルタを当てる 1 つの窓。行の順番は (n, oy, ox): 画像 n ごとに、窓を左上から右へ、
      次に下へ。 One row = one window the filter covers; rows ordered by (n, oy, ox): for each image,
      windows left to right, then top to bottom. 行番号 / row index = ``n·OH·OW + oy·OW + ox``。
    - 1 行の中身 = その窓を (C, filter_h, filter_w) の順に平らにしたもの。 A row holds the window flattened
      in (C, filter_h, filter_w) order::

          col[n·OH·OW + oy·OW + ox] = x_pad[n, :, oy·stride : oy·stride + filter_h,
                                               ox·stride : ox·stride + filter_w].reshape(-1)

      (x_pad は上下左右に pad 個の 0 を加えた入力 / x_pad is the input with ``pad`` zeros on every side)。

    例 / Example (N = C = 1, 3×3, 2×2 フィルタ / filter, stride 1, pad 0 → OH = OW = 2)::

        x = np.arange(9.).reshape(1, 1, 3, 3)     # [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
        im2col(x, 2, 2)
        # [[0, 1, 3, 4],
        #  [1, 2, 4, 5],
        #  [3, 4, 6, 7],
        #  [4, 5, 7, 8]]     形状 / shape (4, 4)

    ヒント / Hint: 本の実装は (N, C, filter_h, filter_w, OH, OW) の配列に詰めてから
    ``transpose(0, 4, 5, 1, 2, 3)`` して reshape します。 The book fills an array of shape
    (N, C, filter_h, filter_w, OH, OW), then ``transpose(0, 4, 5, 1, 2, 3)`` and reshape.
    """
    # TODO: 各窓を 1 行にした (N·OH·OW, C·FH·FW) の行列を返す / return the (N·OH·OW, C·FH·FW) matrix, one window per row
    raise NotImplementedError


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    """im2col の逆向き: 行列を画像に戻す (逆伝播用) / The reverse of im2col: fold a matrix back into images (for backward).

    形状 / Shapes::

        col: (N·OH·OW, C·filter_h·filter_w)   (im2col と同じレイアウト / same layout as im2col)
        input_shape: (N, C, H, W)             (元の入力の形状 / the shape of the original input)
        戻り値 / returns: (N, C, H, W)

    各行 (= 1 つの窓) の値を、その窓が覆っていた画素に **足し込みます** (``+=``)。窓が重なる画素
    (stride < フィルタサイズ) には、重なった数だけの値の和が入ります。最後にパディング部分を切り取ります。
    Every row (one window) is **added** (``+=``) onto the pixels that window covered; where windows overlap
    (stride < filter size) the pixel gets the sum. Finally the padding is cut off.

    col2im は im2col の逆関数ではなく、転置 (随伴) です: 重なりがあると col2im(im2col(x)) ≠ x。
    col2im is not the inverse of im2col but its transpose (adjoint): with overlap, col2im(im2col(x)) ≠ x.

    例 / Example (3×3 の入力、2×2 フィルタ、stride 1 / 3×3 input, 2×2 filter, stride 1)::

        col2im(np.ones((4, 4)), (1, 1, 3, 3), 2, 2)
        # [[[[1, 2, 1],
        #    [2, 4, 2],
        #    [1, 2, 1]]]]    各画素を覆う窓の数 / how many windows cover each pixel
    """
    # TODO: 各行を窓の位置に足し込み (+=)、パディングを切り取る / add each row onto its window (+=), then cut off the padding
    raise NotImplementedError


class Convolution:
    """畳み込み層 / Convolution layer (本の common/layers.py の Convolution / the book's Convolution).

    順伝播 / Forward::

        out[n, f, oy, ox] = Σ_{c, i, j} W[f, c, i, j] · x_pad[n, c, oy·stride + i, ox·stride + j] + b[f]

    im2col を使うと 1 回の行列積 / With im2col it is one matrix product::

        col   = im2col(x, FH, FW, stride, pad)        # (N·OH·OW, C·FH·FW)
        col_W = W.reshape(FN, -1).T                   # (C·FH·FW, FN)
        out   = col @ col_W + b                       # (N·OH·OW, FN)
        out   = out.reshape(N, OH, OW, FN).transpose(0, 3, 1, 2)   # (N, FN, OH, OW)

    逆伝播 / Backward (``dout``: (N, FN, OH, OW))::

        dout2 = dout.transpose(0, 2, 3, 1).reshape(-1, FN)          # (N·OH·OW, FN)
        db    = dout2.sum(axis=0)                                  # (FN,)  フィルタ以外の軸で和 / sum over all but FN
        dW    = (col.T @ dout2).transpose(1, 0).reshape(FN, C, FH, FW)   # 転置してから / transpose first
        dcol  = dout2 @ col_W.T                                    # (N·OH·OW, C·FH·FW)
        dx    = col2im(dcol, x.shape, FH, FW, stride, pad)         # (N, C, H, W)

    形状 / Shapes: ``W``: (FN, C, FH, FW), ``b``: (FN,), ``x``: (N, C, H, W),
    ``forward`` の戻り値 / returns (N, FN, OH, OW); ``backward(dout)`` は ``dx`` (N, C, H, W) を返し、
    ``self.dW`` (FN, C, FH, FW) と ``self.db`` (FN,) を設定します / returns ``dx`` and sets ``self.dW``, ``self.db``.
    ``forward`` で ``x`` や ``col`` を覚えておき、``backward`` で使います。 Keep ``x`` / ``col`` from ``forward``
    for ``backward``.

    ``__init__`` は記入済みです (本と同じ属性)。 ``__init__`` is filled in (the book's attributes).

    例 / Example::

        x = np.arange(9.).reshape(1, 1, 3, 3)
        conv = Convolution(np.ones((1, 1, 2, 2)), np.array([1.0]))
        conv.forward(x)                    # [[[[ 9, 13], [21, 25]]]]  (0+1+3+4+1 = 9, …)
        dx = conv.backward(np.ones((1, 1, 2, 2)))
        # dx      = [[[[1, 2, 1], [2, 4, 2], [1, 2, 1]]]]
        # conv.dW = [[[[ 8, 12], [20, 24]]]]   (各フィルタ位置が見た x の和 / sum of x seen by each filter tap)
        # conv.db = [4]
    """

    def __init__(self, W, b, stride=1, pad=0):
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad

        # 逆伝播で使う中間データ / intermediate data for backward
        self.x = None
        self.col = None
        self.col_W = None

        # 重み・バイアスの勾配 / gradients of the weights and bias
        self.dW = None
        self.db = None

    def forward(self, x):
        """x: (N, C, H, W) → out: (N, FN, OH, OW)."""
        # TODO: im2col と行列積で畳み込み、x・col・col_W を覚えておく / im2col + matrix product; keep x, col, col_W
        raise NotImplementedError

    def backward(self, dout):
        """dout: (N, FN, OH, OW) → dx: (N, C, H, W); self.dW, self.db を設定 / sets self.dW, self.db."""
        # TODO: db, dW (転置してから reshape), dx (col2im) を計算する / compute db, dW (transpose first), dx
        raise NotImplementedError


class Pooling:
    """最大値プーリング層 / Max-pooling layer (本の common/layers.py の Pooling / the book's Pooling).

    順伝播 / Forward: 各チャンネル・各窓の最大値 / the maximum of every window, channel by channel::

        out[n, c, oy, ox] = max_{i < pool_h, j < pool_w} x_pad[n, c, oy·stride + i, ox·stride + j]

    OH, OW は畳み込みと同じ式 (``conv_output_size``)。チャンネル数は変わらず、学習するパラメータはありません。
    OH, OW follow the same formula as convolution; the channel count is unchanged; there are no parameters.

    逆伝播 / Backward: 勾配は各窓で **最大値だった位置だけ** に流れ、他の位置は 0。窓が重なる
    (stride < pool_h) ときは足し込みます。 The gradient flows **only to the position that was the maximum**
    of each window; the others get 0. Where windows overlap (stride < pool size) the gradients add up.

    ヒント / Hint: 本の実装は ``col = im2col(x, pool_h, pool_w, stride, pad).reshape(-1, pool_h·pool_w)`` の
    各行の ``max`` / ``argmax`` を取り、逆伝播では argmax の位置に ``dout`` を置いた行列を ``col2im`` します。
    The book reshapes ``im2col(...)`` to ``(-1, pool_h·pool_w)``, takes ``max`` / ``argmax`` of each row,
    and in backward puts ``dout`` at the argmax positions and applies ``col2im``.

    パディング / Padding: 本と同じ 0 埋め。チェックでは pad > 0 のとき正の入力だけを使うので、-∞ 埋めでも
    結果は同じです。 Zero padding as in the book; with pad > 0 the checks use positive inputs only, so −∞
    padding gives the same result.

    形状 / Shapes: ``x``: (N, C, H, W) → ``forward`` (N, C, OH, OW);
    ``backward(dout)``: (N, C, OH, OW) → ``dx`` (N, C, H, W)。

    ``__init__`` は記入済みです。 ``__init__`` is filled in.

    例 / Example (2×2, stride 2)::

        x = np.array([[[[ 1,  2,  5,  6],
                        [ 3,  4,  7,  8],
                        [ 9, 10, 13, 14],
                        [11, 12, 15, 16]]]], dtype=float)
        pool = Pooling(2, 2, stride=2)
        pool.forward(x)                                  # [[[[ 4,  8], [12, 16]]]]
        pool.backward(np.array([[[[1., 2.], [3., 4.]]]]))
        # [[[[0, 0, 0, 0],
        #    [0, 1, 0, 2],
        #    [0, 0, 0, 0],
        #    [0, 3, 0, 4]]]]     最大値の位置にだけ勾配 / gradient only where the maximum was
    """

    def __init__(self, pool_h, pool_w, stride=2, pad=0):
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad

        # 逆伝播で使う中間データ / intermediate data for backward
        self.x = None
        self.arg_max = None

    def forward(self, x):
        """x: (N, C, H, W) → out: (N, C, OH, OW)."""
        # TODO: 各窓の最大値を取り、x と最大値の位置 (arg_max) を覚えておく / take each window's max; keep x and the argmax
        raise NotImplementedError

    def backward(self, dout):
        """dout: (N, C, OH, OW) → dx: (N, C, H, W)."""
        # TODO: 勾配を各窓の最大値の位置にだけ流す (col2im) / send the gradient to each window's argmax only
        raise NotImplementedError
