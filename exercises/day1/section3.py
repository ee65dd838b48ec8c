"""Day 1 Section 3 出力層: ソフトマックス関数と誤差関数 (交差エントロピー、二乗誤差) を実装します。
Day 1 Section 3 output layer: implement softmax and the loss functions (cross-entropy, squared error).
"""

import numpy as np


def softmax(x):
    """ソフトマックス関数: 出力層で各クラスの確率を作ります。
    The softmax function: turns the output layer's values into class probabilities.

    数式 / Formula
        y_k = exp(x_k) / Σ_j exp(x_j)          各 y_k ∈ (0, 1)、Σ_k y_k = 1
      オーバーフロー対策: exp(1000) = inf です。どの行も最大値を引いてから exp します。同じ定数 C を
      引いても exp(x_k − C) / Σ_j exp(x_j − C) = y_k で、結果は変わりません。
      Overflow: exp(1000) = inf. Subtract each row's maximum before exp; subtracting the same constant C
      leaves the result unchanged, since exp(x_k − C) / Σ_j exp(x_j − C) = y_k.

    形状 / Shapes
      x: (N, K) のバッチ (行ごとに softmax、各行の和が 1) または (K,) の 1 ベクトル
      x: a batch (N, K) (softmax of each row; every row sums to 1), or one vector (K,)
      戻り値 / returns: x と同じ形状 / the same shape as x
      バッチでは和と最大値を取る軸 (axis=1、keepdims=True) に注意してください。
      For a batch, mind the axis of the sum and the max (axis=1, keepdims=True).

    例 / Example
      softmax(np.array([0.3, 2.9, 4.0])) → [0.01821127, 0.24519181, 0.73659691]
      softmax(np.array([1010.0, 1000.0, 990.0])) → [9.99954600e-01, 4.53978686e-05, 2.06106005e-09]
    """
    # TODO: 最大値を引いてから exp し、和で割る / subtract the max, exp, divide by the sum
    raise NotImplementedError


def cross_entropy_error(y, t):
    """交差エントロピー誤差 (バッチ平均) / the cross-entropy error, averaged over the batch.

    数式 / Formula
        E = −(1/N) Σ_n Σ_k t_nk log(y_nk + δ)  =  −(1/N) Σ_n log(y[n, t_n] + δ),      δ = 1e-7
      δ は log(0) = −inf を防ぐ微小値です。書籍・講義と同じ δ = 1e-7 を log の中で足してください。
      δ keeps log(0) = −inf away; add δ = 1e-7 inside the log, as the book and the lecture do.
      講義のノートブックは引数の順が cross_entropy_error(d, y) (d = 正解) です。ここは書籍の順 (y, t) です。
      The lecture notebook orders the arguments as cross_entropy_error(d, y) (d = target); here it is the
      book's order (y, t).

    形状 / Shapes
      y: (N, K) ソフトマックスの出力 / softmax outputs, または 1 サンプル / or one sample (K,)
      t: y と同じ形状の one-hot、またはラベル (N,) (正解クラスの番号)
      t: one-hot of the same shape as y, or labels (N,) (the index of the correct class)
      戻り値 / returns: スカラー (サンプルあたりの平均) / a scalar (the mean per sample)
      y が 1 次元なら (1, K) とみなします (N = 1)。/ A 1-D y is treated as (1, K) (N = 1).

    例 / Example
      y = [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0], t = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
      E = −log(0.6 + 1e-7) = 0.510825457...
      y = [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]], t = [0, 1] (ラベル / labels)
      E = −(log(0.7 + δ) + log(0.8 + δ)) / 2 = 0.289909...
    """
    # TODO: 正解クラスの −log(y + δ) のバッチ平均 / batch mean of −log(y + δ) at the correct class
    raise NotImplementedError


def mean_squared_error(y, t):
    """二乗誤差 (½ つき、全要素の和) / the squared error with ½, summed over all elements.

    数式 / Formula
        E = ½ Σ_n Σ_k (y_nk − t_nk)²
      ½ は微分したとき ∂E/∂y = y − t となり係数 2 が消えるようにするためです (最小となる点は変わりません)。
      2 乗するのは、正と負の誤差が打ち消し合わないようにするためです。
      The ½ makes the derivative ∂E/∂y = y − t (the 2 cancels); it does not move the minimum.
      The square keeps positive and negative errors from cancelling.
      この演習は書籍の形 0.5 * np.sum((y − t)²) に合わせ、バッチでも平均せず全要素の和を取ります。
      (講義のノートブックの np.mean(np.square(d − y)) / 2 は要素数で割る別の形です。)
      This exercise pins the book's form 0.5 * np.sum((y − t)²): for a batch it is the sum over all
      elements, not averaged. (The lecture notebook's np.mean(np.square(d − y)) / 2 divides by the number of
      elements instead.)

    形状 / Shapes
      y, t: 同じ形状 (K,) または (N, K) / the same shape, (K,) or (N, K)
      戻り値 / returns: スカラー / a scalar

    例 / Example
      y = [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0], t = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
      E = ½ (0.01 + 0.0025 + 0.16 + 0.0025 + 0.01 + 0.01) = ½ × 0.195 = 0.0975
    """
    # TODO: ½ × (y − t)² の全要素の和 / ½ × the sum of (y − t)² over all elements
    raise NotImplementedError
