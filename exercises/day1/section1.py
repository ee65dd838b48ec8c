"""Day 1 Section 1 入力層〜中間層: 総入力 u = xW + b を実装します。
Day 1 Section 1 input and hidden layers: implement the total input u = xW + b.
"""

import numpy as np


def affine(x, W, b):
    """総入力 u = xW + b (全結合層の順伝播) を返します。
    Return the total input u = xW + b (the forward pass of a fully connected layer).

    数式 / Formula
        u_j = Σ_i x_i W_ij + b_j      (1 サンプル / one sample)
        u   = x W + b                 (バッチ: 行ごとに同じ b を足す / batch: the same b added to every row)
      講義の数式は u = Wx + b と書きますが、コードでは x を行ベクトルとして np.dot(x, W) + b と書きます
      (u1 = np.dot(x, W1) + b1)。W の形状が (D, M) だからです。
      The lecture writes u = Wx + b; in code x is a row vector and we write np.dot(x, W) + b
      (u1 = np.dot(x, W1) + b1), because W has shape (D, M).

    役割 / Roles
      W (重み): 各入力がどれだけ効くか ― 直線 y = ax + b の傾き a にあたります。
      b (バイアス): 入力と無関係に全体をずらす量 ― 切片 b にあたります。
      W (weights): how much each input counts, the slope a of a line y = ax + b.
      b (bias): a shift independent of the input, the intercept b.

    形状 / Shapes
      x: (N, D) のバッチ、または (D,) の 1 ベクトル / a batch (N, D), or one vector (D,)
      W: (D, M)   D = 入力のノード数 / input nodes, M = このレイヤのノード数 / nodes of this layer
      b: (M,)
      戻り値 u / returns u: (N, M)、x が (D,) なら (M,) / (M,) when x is (D,)
      形状が合わないとき (x の最後の次元 ≠ W の行数、b が (M,) でない) は、形状を含むメッセージで
      ValueError を送出します。b の形状 (1,) などがブロードキャストで黙って通らないように確かめてください。
      When the shapes do not fit (last dim of x ≠ rows of W, or b is not (M,)), raise ValueError with a
      message naming the shapes. Make sure a b of shape (1,) does not slip through by broadcasting.

    例 / Example
      x = [[1, 2]], W = [[1, 0, -1], [0.5, 1, 2]], b = [0.1, 0.2, 0.3]
      xW = [[1·1 + 2·0.5, 1·0 + 2·1, 1·(-1) + 2·2]] = [[2, 2, 3]]
      u  = [[2.1, 2.2, 3.3]]                       (形状 / shape (1, 3))
    """
    # TODO: 形状を確かめ、u = xW + b を返す / check the shapes, then return u = xW + b
    raise NotImplementedError
