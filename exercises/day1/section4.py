"""Day 1 Section 4 勾配降下法: 数値微分 (中心差分)・勾配降下法・ミニバッチの取り出しを実装します。
Day 1 Section 4 gradient descent: implement the numerical gradient, gradient descent and mini-batch sampling.

ゼロから作るDeep Learning 4 章 (common/gradient.py, ch04/gradient_method.py) と同じ名前・引数です。
Same names and arguments as the book's chapter 4 (common/gradient.py, ch04/gradient_method.py).
"""

import numpy as np


def numerical_gradient(f, x):
    """数値微分 (中心差分) で勾配を求める / Numerical gradient by central difference.

    式 / Formula (x の各要素 x_i について / for every element x_i of x, h = 1e-4)::

        ∂f/∂x_i ≈ ( f(…, x_i + h, …) − f(…, x_i − h, …) ) / (2h)

    引数 / Arguments:
        f: 配列 x を受け取って数 (float) を返す関数 / a function taking the array x and returning a number.
        x: 浮動小数点の ndarray、形状は任意 / float ndarray of any shape: (D,), (M, N), (C, H, W) …

    戻り値 / Returns: ``grad`` — x と同じ形状の ndarray / an ndarray of the same shape as x.

    約束 / Rules:
        - h は本と同じ ``1e-4``。``1e-50`` のように小さすぎると 3.0 + 1e-50 == 3.0 となり、
          丸め誤差で勾配が 0 になる。
          h is ``1e-4`` as in the book; too small an h (``1e-50``) gives 3.0 + 1e-50 == 3.0:
          rounding error, gradient 0.
        - 前進差分 (f(x+h) − f(x)) / h ではなく中心差分を使う (誤差が h ではなく h² のオーダー)。
          Use the central difference, not the forward difference (f(x+h) − f(x)) / h
          (error of order h² instead of h).
        - 本と同じく x の要素を一時的に書き換えて f(x) を計算してよいが、各要素を調べ終えたら **元の値に戻す**
          (``x[idx] = tmp_val``)。呼び出しの後、x は呼び出し前と同じ値でなければならない。
          Like the book you may change an element of x temporarily to evaluate f(x), but **restore it**
          after each probe (``x[idx] = tmp_val``): after the call, x must hold exactly the values it had
          before.
        - 任意の形状を扱う。本の方法は
          ``np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])`` で全要素を回る。
          Any shape: the book walks every element with
          ``np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])``.

    例 / Example (本 4.4 節 / the book, section 4.4)::

        f(x) = x0² + x1²
        numerical_gradient(f, np.array([3.0, 4.0]))   # → [6.0, 8.0]   (∂f/∂x = 2x)
        # 前進差分だと / forward difference gives [6.0001, 8.0001]
    """
    # TODO: x の各要素を中心差分で微分し、x を元に戻す / central difference per element, restore x
    raise NotImplementedError


def gradient_descent(f, init_x, lr=0.01, step_num=100):
    """勾配降下法で f の最小値を探す / Look for the minimum of f by gradient descent.

    更新式 / Update rule (step_num 回くり返す / repeated step_num times)::

        x ← x − lr · ∇f(x)          (∇f(x) は上の numerical_gradient で求める / from numerical_gradient above)

    勾配は「最も増える向き」なので、その逆向き (− の向き) に進みます。lr (学習率 ε) が
    大きすぎると振動・発散し、小さすぎるとなかなか進みません。
    The gradient points where f grows fastest, so we step the other way (−). Too large a learning rate lr (ε)
    oscillates or diverges; too small a one barely moves.

    引数 / Arguments:
        f: 配列を受け取り数を返す関数 / a function of an array returning a number.
        init_x: 初期値 (形状は任意の float ndarray) / the starting point (float ndarray of any shape).
        lr: 学習率 / learning rate (既定 / default 0.01).
        step_num: くり返し回数 / number of steps (既定 / default 100).

    戻り値 / Returns: 最後の x (init_x と同じ形状) / the final x (same shape as init_x).
    本と同じく init_x をその場で更新してもよく、コピーしてから更新してもかまいません。
    You may update init_x in place as the book does, or work on a copy.

    例 / Example::

        f(x) = x0² + x1²                      (∇f = 2x)
        gradient_descent(f, np.array([3.0, 4.0]), lr=0.1, step_num=1)
        # x = [3.0, 4.0] − 0.1·[6.0, 8.0] = [2.4, 3.2]
        gradient_descent(f, np.array([-3.0, 4.0]), lr=0.1, step_num=100)
        # → 約 / about [-6.1e-10, 8.1e-10]  (毎回 x が 0.8 倍 / x shrinks by 0.8 each step)
    """
    # TODO: x ← x − lr·numerical_gradient(f, x) を step_num 回 / step_num steps of x ← x − lr·grad
    raise NotImplementedError


def get_minibatch(x, t, batch_size, rng):
    """訓練データからミニバッチを無作為に取り出す / Draw a random mini-batch from the training data.

    N 個のデータの添字 0 … N−1 から batch_size 個を **重複なし** で無作為に選び、
    x と t の同じ行を取り出します。
    Choose batch_size of the indices 0 … N−1 at random **without replacement** and take the same rows
    of x and t.

    引数 / Arguments:
        x: 入力データ / input data, 形状 / shape (N, …)   例 / e.g. (N, D) or (N, C, H, W)
        t: 正解データ / targets, 形状 / shape (N,) (ラベル / labels) or (N, C) (one-hot)
        batch_size: 取り出す個数 / number of rows to draw (1 ≤ batch_size ≤ N)
        rng: ``np.random.Generator`` — 乱数はこれだけから引く (``np.random.*`` のグローバル乱数は使わない)。
             同じ状態の rng なら同じミニバッチになること。
             draw all randomness from it (not the global ``np.random.*``); the same rng state gives the
             same batch.

    戻り値 / Returns: ``(x_batch, t_batch)`` — 形状 / shapes (batch_size, …) と / and
    (batch_size,) or (batch_size, C).

    ヒント / Hint: ``rng.choice(N, batch_size, replace=False)`` または / or
    ``rng.permutation(N)[:batch_size]``。
    注意 / Note: 本の ``np.random.choice(train_size, batch_size)`` は既定で復元抽出
    (同じ行が 2 回出ることがある) なので、ここでは使えません。
    The book's ``np.random.choice(train_size, batch_size)`` samples with replacement by default
    (a row can appear twice in a batch), which this exercise does not allow.

    例 / Example::

        x = np.array([[0.0], [10.0], [20.0], [30.0], [40.0]]);  t = np.array([0, 1, 2, 3, 4])
        get_minibatch(x, t, 2, np.random.default_rng(0))
        # rng.choice(5, 2, replace=False) なら / with rng.choice(5, 2, replace=False):
        # (array([[30.], [40.]]), array([3, 4])) — x と t の行は対応したまま / rows stay paired
    """
    # TODO: rng で重複なしの添字を選び x, t の同じ行を返す / pick indices with rng, return paired rows
    raise NotImplementedError
