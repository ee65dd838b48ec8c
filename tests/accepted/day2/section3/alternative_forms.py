# ACCEPTED: every check passes (other correct formulations the course or the literature teaches)
"""Day 2 Section 3 の別解: inverted dropout, W = 0 で −λ の劣勾配, 逆行列によるリッジ回帰, コピーを返す crop.
Alternative correct forms: inverted dropout, the subgradient −λ at W = 0, ridge via the inverse matrix, and a
crop that returns a copy.
"""

import numpy as np


def l2_penalty(W, lam):
    w = W.ravel()
    return lam * np.dot(w, w) / 2


def l2_grad(W, lam):
    return W * lam


def l1_penalty(W, lam):
    return float(lam * np.abs(W).sum())


def l1_grad(W, lam):
    return lam * (2.0 * (W > 0) - 1.0)  # W = 0 では −λ (劣勾配の一つ)


class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            keep = 1.0 - self.dropout_ratio
            self.mask = (np.random.random_sample(x.shape) < keep) / keep  # inverted dropout
            return x * self.mask
        return x

    def backward(self, dout):
        return dout * self.mask


def ridge_fit(X, y, lam):
    return np.linalg.inv(X.T.dot(X) + lam * np.identity(X.shape[1])).dot(X.T).dot(y)


def crop(image, top, bottom, left, right):
    return image[top:bottom, left:right].copy()
