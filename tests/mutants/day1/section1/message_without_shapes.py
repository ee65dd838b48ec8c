# MUTANT targets: affine
# MUTANT feedback: does not name
"""Day 1 Section 1 入力層〜中間層: 総入力 u = xW + b の参照実装。
Day 1 Section 1 input and hidden layers: reference implementation of the total input u = xW + b.
"""

import numpy as np


def affine(x, W, b):
    """総入力 u = xW + b (全結合層の順伝播) / total input u = xW + b (forward pass of a dense layer).

    x: (N, D) のバッチ または (D,) の 1 ベクトル / a batch (N, D) or one vector (D,)
    W: (D, M) 重み (傾き) / weights (slopes);  b: (M,) バイアス (切片) / bias (intercept)
    戻り値 u: (N, M) または (M,)。形状が合わなければ ValueError (メッセージに形状)。
    Returns u: (N, M) or (M,). Shapes that do not fit raise ValueError naming the shapes.
    """
    x, W, b = np.asarray(x), np.asarray(W), np.asarray(b)
    # 形状チェック: ブロードキャストで b が黙って広がるのを防ぐ
    if x.ndim not in (1, 2) or W.ndim != 2 or x.shape[-1] != W.shape[0] or b.shape != (W.shape[1],):
        raise ValueError("shapes do not fit")  # mistake: the message does not say which shapes
    return np.dot(x, W) + b
