# MUTANT targets: Dropout
# MUTANT feedback: recognised the book's form
"""Day 2 Section 3 過学習 の参照解 / Reference solutions for Day 2 Section 3 (overfitting and regularization)."""

import numpy as np


def l2_penalty(W, lam):
    """L2 正則化項 ½·λ·ΣW² / The L2 penalty ½·λ·ΣW²."""
    return 0.5 * lam * np.sum(W**2)


def l2_grad(W, lam):
    """L2 正則化項の勾配 λ·W (½ があるので 2 が消える) / Its gradient λ·W."""
    return lam * W


def l1_penalty(W, lam):
    """L1 正則化項 λ·Σ|W| / The L1 penalty λ·Σ|W|."""
    return lam * np.sum(np.abs(W))


def l1_grad(W, lam):
    """L1 正則化項の勾配 λ·sign(W) (W = 0 では 0) / Its gradient λ·sign(W) (0 at W = 0)."""
    return lam * np.sign(W)


class Dropout:
    """ドロップアウト (書籍 common/layers.py と同じ形) / Dropout, the book's form."""

    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        """学習時: 確率 dropout_ratio で 0 にする, テスト時: (1 − dropout_ratio) 倍."""
        if train_flg:
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            return x * self.mask
        return x  # MUTANT: book's training form, test not scaled

    def backward(self, dout):
        """forward と同じマスクで勾配を通す / pass the gradient through the forward's mask."""
        return dout * self.mask


def ridge_fit(X, y, lam):
    """リッジ回帰の閉形式解 w = (XᵀX + λI)⁻¹ Xᵀy / Closed-form ridge regression."""
    D = X.shape[1]
    # 逆行列を作らず連立方程式として解く (数値的に安定)
    return np.linalg.solve(X.T @ X + lam * np.eye(D), X.T @ y)


def crop(image, top, bottom, left, right):
    """(H, W, C) の画像の切り取り image[top:bottom, left:right, :] / Crop an (H, W, C) image."""
    return image[top:bottom, left:right, :]
