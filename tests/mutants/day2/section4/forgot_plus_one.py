# MUTANT targets: conv_output_size
# MUTANT feedback: +1
"""Day 2 Section 4: 畳み込みニューラルネットワーク (出力サイズ, im2col, col2im, Convolution, Pooling) の参照実装。
Day 2 Section 4: reference implementations of the output size, im2col, col2im, Convolution and Pooling.

ゼロから作るDeep Learning の common/util.py と common/layers.py と同じ API・同じレイアウトです。
Same API and layout as the book's common/util.py and common/layers.py.
"""

import numpy as np


def conv_output_size(input_size, filter_size, stride=1, pad=0):
    """out = ⌊(input_size + 2·pad − filter_size) / stride⌋ + 1 (int); ValueError if the filter does not fit."""
    span = input_size + 2 * pad - filter_size
    if span < 0:
        raise ValueError(
            f"フィルタ ({filter_size}) がパディング後の入力 ({input_size} + 2·{pad}) より大きい / "
            f"filter size {filter_size} is larger than the padded input {input_size} + 2·{pad}"
        )
    return span // stride


def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    """(N, C, H, W) → col (N·OH·OW, C·filter_h·filter_w), one window per row, row = (C, FH, FW) flattened."""
    N, C, H, W = input_data.shape
    out_h = (H + 2 * pad - filter_h) // stride + 1
    out_w = (W + 2 * pad - filter_w) // stride + 1

    img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
    col = np.zeros((N, C, filter_h, filter_w, out_h, out_w))

    # フィルタ内の位置 (y, x) ごとに、全ての窓の画素をまとめてコピー
    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            col[:, :, y, x, :, :] = img[:, :, y:y_max:stride, x:x_max:stride]

    col = col.transpose(0, 4, 5, 1, 2, 3).reshape(N * out_h * out_w, -1)
    return col


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    """col (N·OH·OW, C·filter_h·filter_w) → (N, C, H, W), adding overlapping windows (the adjoint of im2col)."""
    N, C, H, W = input_shape
    out_h = (H + 2 * pad - filter_h) // stride + 1
    out_w = (W + 2 * pad - filter_w) // stride + 1
    col = col.reshape(N, out_h, out_w, C, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)

    img = np.zeros((N, C, H + 2 * pad + stride - 1, W + 2 * pad + stride - 1))
    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            img[:, :, y:y_max:stride, x:x_max:stride] += col[:, :, y, x, :, :]  # 重なりは足し込む

    return img[:, :, pad:H + pad, pad:W + pad]  # パディングを切り取る


class Convolution:
    """畳み込み層 / Convolution layer: W (FN, C, FH, FW), b (FN,); forward (N, C, H, W) → (N, FN, OH, OW)."""

    def __init__(self, W, b, stride=1, pad=0):
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad

        self.x = None
        self.col = None
        self.col_W = None

        self.dW = None
        self.db = None

    def forward(self, x):
        FN, C, FH, FW = self.W.shape
        N, C, H, W = x.shape
        out_h = (H + 2 * self.pad - FH) // self.stride + 1
        out_w = (W + 2 * self.pad - FW) // self.stride + 1

        col = im2col(x, FH, FW, self.stride, self.pad)
        col_W = self.W.reshape(FN, -1).T  # フィルタを列に並べる

        out = np.dot(col, col_W) + self.b
        out = out.reshape(N, out_h, out_w, -1).transpose(0, 3, 1, 2)

        self.x = x
        self.col = col
        self.col_W = col_W
        return out

    def backward(self, dout):
        FN, C, FH, FW = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)

        self.db = np.sum(dout, axis=0)
        self.dW = np.dot(self.col.T, dout)
        self.dW = self.dW.transpose(1, 0).reshape(FN, C, FH, FW)  # (C·FH·FW, FN) → 転置してから reshape

        dcol = np.dot(dout, self.col_W.T)
        dx = col2im(dcol, self.x.shape, FH, FW, self.stride, self.pad)
        return dx


class Pooling:
    """最大値プーリング / Max pooling: (N, C, H, W) → (N, C, OH, OW); backward routes dout to each window's max."""

    def __init__(self, pool_h, pool_w, stride=2, pad=0):
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad

        self.x = None
        self.arg_max = None

    def forward(self, x):
        N, C, H, W = x.shape
        out_h = (H + 2 * self.pad - self.pool_h) // self.stride + 1
        out_w = (W + 2 * self.pad - self.pool_w) // self.stride + 1

        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)  # 1 行 = 1 チャンネルの 1 窓

        arg_max = np.argmax(col, axis=1)
        out = np.max(col, axis=1)
        out = out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)

        self.x = x
        self.arg_max = arg_max
        return out

    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)

        pool_size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, pool_size))
        dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()  # 最大値の位置にだけ流す
        dmax = dmax.reshape(dout.shape + (pool_size,))

        dcol = dmax.reshape(dmax.shape[0] * dmax.shape[1] * dmax.shape[2], -1)
        dx = col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)
        return dx
