# ACCEPTED: every check passes (other correct formulations the course or the literature teaches)
"""Day 1 Section 1 を本の形で: u = np.dot(x, W) + b。x と W が合わないときは numpy 自身の
"shapes (2,3) and (4,2) not aligned" に任せ、ブロードキャストで隠れる b の形状だけを自分で確かめる。
The book's form: u = np.dot(x, W) + b. When x and W do not fit, numpy raises its own
"shapes (2,3) and (4,2) not aligned"; only b's shape, which broadcasting would hide, is checked by hand.
"""
import numpy as np


def affine(x, W, b):
    if b.shape != (W.shape[1],):
        raise ValueError(f"b has shape {b.shape}, expected ({W.shape[1]},)")
    return np.dot(x, W) + b
