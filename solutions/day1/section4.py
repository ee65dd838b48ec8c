"""Day 1 Section 4 勾配降下法: 数値微分 (中心差分)・勾配降下法・ミニバッチの取り出しの参照実装。
Day 1 Section 4 gradient descent: reference numerical gradient, gradient descent and mini-batch sampling.

ゼロから作るDeep Learning 4 章 (common/gradient.py, ch04/gradient_method.py) と同じ API です。
Same API as the book's chapter 4 (common/gradient.py, ch04/gradient_method.py).
"""

import numpy as np


def numerical_gradient(f, x):
    """中心差分による数値勾配 / Numerical gradient by central difference: (f(x+h) − f(x−h)) / 2h, h = 1e-4."""
    h = 1e-4  # 小さすぎると丸め誤差 (1e-50 は 0 になる)
    grad = np.zeros_like(x)

    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])  # 任意の形状の全要素を回る
    while not it.finished:
        idx = it.multi_index
        tmp_val = x[idx]
        x[idx] = tmp_val + h
        fxh1 = f(x)  # f(x+h)
        x[idx] = tmp_val - h
        fxh2 = f(x)  # f(x-h)
        grad[idx] = (fxh1 - fxh2) / (2 * h)  # 中心差分 (誤差は h² のオーダー)
        x[idx] = tmp_val  # 値を元に戻す
        it.iternext()

    return grad


def gradient_descent(f, init_x, lr=0.01, step_num=100):
    """勾配降下法 / Gradient descent:  x ← x − lr·∇f(x), step_num 回 / step_num times."""
    x = init_x
    for _ in range(step_num):
        grad = numerical_gradient(f, x)
        x -= lr * grad  # 勾配の逆向き (下り坂) に進む
    return x


def get_minibatch(x, t, batch_size, rng):
    """訓練データから batch_size 個を重複なしで無作為に選ぶ / Draw batch_size rows without replacement."""
    batch_mask = rng.choice(x.shape[0], batch_size, replace=False)  # バッチ内で重複なし
    return x[batch_mask], t[batch_mask]
