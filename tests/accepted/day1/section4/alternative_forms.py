# ACCEPTED: every check passes (other correct formulations the course or the literature teaches)
"""Day 1 Section 4 の別解: コピーを ±h する数値微分 (x は触らない), init_x をコピーする勾配降下法, rng.permutation によるミニバッチ。
Alternative correct forms: a numerical gradient on shifted copies (x untouched), gradient descent on a copy of
init_x, and mini-batches from rng.permutation.
"""
import numpy as np


def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros_like(x)
    flat = x.reshape(-1)
    g = grad.reshape(-1)
    for i in range(flat.size):
        xp = x.copy(); xp.reshape(-1)[i] += h
        xm = x.copy(); xm.reshape(-1)[i] -= h
        g[i] = (f(xp) - f(xm)) / (2 * h)
    return grad


def gradient_descent(f, init_x, lr=0.01, step_num=100):
    x = init_x.copy()
    for _ in range(step_num):
        x = x - lr * numerical_gradient(f, x)
    return x


def get_minibatch(x, t, batch_size, rng):
    idx = rng.permutation(len(x))[:batch_size]
    return x[idx], t[idx]
