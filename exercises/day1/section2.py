"""Day 1 Section 2 活性化関数: ステップ・シグモイド・ReLU・tanh とその導関数を実装します。
Day 1 Section 2 activation functions: implement step, sigmoid, ReLU, tanh and their derivatives.
"""

import numpy as np


def step_function(x):
    """ステップ関数 (要素ごと) / the step function, elementwise.

    数式 / Formula
        h(x) = 1 (x > 0),  0 (x < 0)
      x = 0 の値は流儀で違います (書籍は 0、講義の図は 1)。どちらでも正解とします。
      The value at x = 0 differs between sources (the book: 0, the lecture slide: 1); either is accepted.
      整数 (0/1) でも小数 (0.0/1.0) でも、値が合っていれば正解です。
      Ints (0/1) or floats (0.0/1.0) are both fine; only the values are compared.

    形状 / Shapes
      x: 任意の形状の ndarray / an ndarray of any shape;  戻り値 / returns: x と同じ形状 / same shape

    例 / Example
      step_function(np.array([-1.0, 0.5, 2.0])) → [0, 1, 1]
    """
    # TODO: x > 0 の要素を 1、それ以外を 0 にする / 1 where x > 0, else 0
    raise NotImplementedError


def sigmoid(x):
    """シグモイド関数 (要素ごと) / the sigmoid function, elementwise.

    数式 / Formula
        σ(x) = 1 / (1 + exp(−x))          値域 / range (0, 1)

    形状 / Shapes
      x: 任意の形状 / any shape;  戻り値 / returns: 同じ形状 / same shape

    数値の注意 / Numerics
      |x| が 1000 程度でも有限の値 (x = −1000 → 0, x = 1000 → 1) を返してください。
      exp(x) / (1 + exp(x)) と書くと x = 1000 で inf / inf = nan になります。
      書籍の 1 / (1 + np.exp(−x)) は x = −1000 で overflow 警告を出しますが値は 0 で正しく、正解とします。
      警告も出さないには exp に渡す値を常に 0 以下にします (x ≥ 0 と x < 0 で式を分ける)。
      Return finite values even for |x| around 1000 (x = −1000 → 0, x = 1000 → 1).
      exp(x) / (1 + exp(x)) gives inf / inf = nan at x = 1000. The book's 1 / (1 + np.exp(−x)) warns about
      overflow at x = −1000 but its value 0 is right, and it is accepted. To avoid even the warning, only
      pass non-positive numbers to exp (use one formula for x ≥ 0 and another for x < 0).

    例 / Example
      sigmoid(np.array([-2.0, 0.0, 2.0])) → [0.11920292, 0.5, 0.88079708]
    """
    # TODO: σ(x) = 1 / (1 + exp(−x)) を要素ごとに / σ(x) = 1 / (1 + exp(−x)) elementwise
    raise NotImplementedError


def relu(x):
    """ReLU (Rectified Linear Unit、要素ごと) / ReLU, elementwise.

    数式 / Formula
        relu(x) = max(0, x) = x (x > 0),  0 (x ≤ 0)

    形状 / Shapes
      x: 任意の形状 / any shape;  戻り値 / returns: 同じ形状の新しい配列 / a new array of the same shape
      入力 x を書き換えないでください (x[x < 0] = 0 とするなら先にコピー)。
      Do not modify the input x (copy it first if you write x[x < 0] = 0).

    例 / Example
      relu(np.array([-1.0, 0.0, 2.0])) → [0.0, 0.0, 2.0]
    """
    # TODO: 要素ごとに max(0, x) / elementwise max(0, x)
    raise NotImplementedError


def tanh(x):
    """双曲線正接 tanh (要素ごと) / the hyperbolic tangent, elementwise.

    数式 / Formula
        tanh(x) = (exp(x) − exp(−x)) / (exp(x) + exp(−x))       値域 / range (−1, 1)

    形状 / Shapes
      x: 任意の形状 / any shape;  戻り値 / returns: 同じ形状 / same shape

    数値の注意 / Numerics
      |x| が 1000 程度でも有限の値 (−1000 → −1, 1000 → 1) を返してください。上の式をそのまま計算すると
      exp(1000) = inf で inf / inf = nan になります。np.tanh は飽和するので安全です。
      Return finite values for |x| around 1000 (−1000 → −1, 1000 → 1). Evaluating the formula above as
      written gives exp(1000) = inf and inf / inf = nan; np.tanh saturates safely.

    例 / Example
      tanh(np.array([0.0, 1.0])) → [0.0, 0.76159416]
    """
    # TODO: tanh を要素ごとに (オーバーフローに注意) / tanh elementwise (mind the overflow)
    raise NotImplementedError


def sigmoid_grad(x):
    """シグモイド関数の導関数 / the derivative of the sigmoid.

    数式 / Formula
        σ'(x) = σ(x) · (1 − σ(x))          最大値は x = 0 で 0.25 / its maximum is 0.25 at x = 0
      引数 x は入力です (出力 y = σ(x) ではありません)。先に y = σ(x) を計算します。
      The argument x is the input (not the output y = σ(x)); compute y = σ(x) first.

    形状 / Shapes
      x: 任意の形状 / any shape;  戻り値 / returns: 同じ形状 / same shape
      |x| = 1000 でも有限の値 (≈ 0) を返してください / finite values (≈ 0) for |x| = 1000 too.

    例 / Example
      sigmoid_grad(np.array([0.0, 2.0])) → [0.25, 0.10499359]     (0.88079708 × 0.11920292)
    """
    # TODO: y = σ(x) から y(1 − y) を返す / return y(1 − y) with y = σ(x)
    raise NotImplementedError


def relu_grad(x):
    """ReLU の導関数 / the derivative of ReLU.

    数式 / Formula
        relu'(x) = 1 (x > 0),  0 (x < 0)
      x = 0 では微分できません。講義のコード (np.where(x > 0, 1, 0)) は 0、書籍の relu_grad (x >= 0) は 1 を
      返します。どちらでも正解とします。
      ReLU is not differentiable at x = 0: the lecture code (np.where(x > 0, 1, 0)) gives 0, the book's
      relu_grad (x >= 0) gives 1. Either is accepted.

    形状 / Shapes
      x: 任意の形状 / any shape;  戻り値 / returns: 同じ形状 / same shape

    例 / Example
      relu_grad(np.array([-1.0, 2.0, 3.5])) → [0.0, 1.0, 1.0]
    """
    # TODO: x > 0 で 1、x < 0 で 0 / 1 where x > 0, 0 where x < 0
    raise NotImplementedError


def tanh_grad(x):
    """tanh の導関数 / the derivative of tanh.

    数式 / Formula
        tanh'(x) = 1 − tanh²(x)           x = 0 で最大値 1 / maximum 1 at x = 0
      引数 x は入力です (出力 y = tanh(x) ではありません)。
      The argument x is the input (not the output y = tanh(x)).

    形状 / Shapes
      x: 任意の形状 / any shape;  戻り値 / returns: 同じ形状 / same shape
      |x| = 1000 でも有限の値 (≈ 0) を返してください / finite values (≈ 0) for |x| = 1000 too.

    例 / Example
      tanh_grad(np.array([0.0, 1.0])) → [1.0, 0.41997434]      (1 − 0.76159416²)
    """
    # TODO: y = tanh(x) から 1 − y² を返す / return 1 − y² with y = tanh(x)
    raise NotImplementedError
