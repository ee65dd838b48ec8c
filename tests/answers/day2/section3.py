"""Answer keys of day2.section3, computed by the reference solutions."""

import numpy as np

from solutions.day2 import section3 as sol

W = np.array([1.0, -2.0, 2.0])  # the weights of q06 and q07


def _dropout_test_output():
    return round(float(sol.Dropout(dropout_ratio=0.3).forward(np.array([2.0]), train_flg=False)[0]), 6)


def _ridge_first_weight():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y = np.array([1.0, 2.0, 3.0])
    return round(float(sol.ridge_fit(X, y, 1.0)[0]), 6)


def _crop_shape():
    return [float(n) for n in sol.crop(np.zeros((32, 48, 3)), 4, 20, 8, 40).shape]


def answers():
    return {
        "q06": round(float(sol.l2_penalty(W, 0.1)), 6),
        "q07": round(float(sol.l1_penalty(W, 0.1)), 6),
        "q08": round(float(sol.l2_grad(np.array([3.0]), 0.01)[0]), 6),
        "q09": _dropout_test_output(),
        "q10": _ridge_first_weight(),
        "q11": _crop_shape(),
    }
