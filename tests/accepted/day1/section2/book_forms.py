# ACCEPTED: every check passes (other correct formulations the course or the literature teaches)
"""Day 1 Section 2 を本 (common/functions.py) の書き方で: 素朴な sigmoid 1 / (1 + np.exp(-x)) (x = −1000 で
overflow の警告が出るが値は正しい: 合格で、警告は助言 note に出る)、np.array(x > 0, dtype=int) のステップ関数、
x ≥ 0 で 1 を立てる relu_grad、sigmoid を 2 回呼ぶ sigmoid_grad。
The book's own style (common/functions.py): the naive sigmoid (numpy warns about the overflow at x = −1000, the
values are right: a pass, the warning shown as a note), the int step function, a relu_grad that sets 1 where
x ≥ 0, and a sigmoid_grad that calls sigmoid twice.
"""
import numpy as np


def step_function(x):
    return np.array(x > 0, dtype=int)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def relu(x):
    return np.maximum(0, x)


def tanh(x):
    return np.tanh(x)


def sigmoid_grad(x):
    return (1.0 - sigmoid(x)) * sigmoid(x)


def relu_grad(x):
    grad = np.zeros_like(x)
    grad[x >= 0] = 1
    return grad


def tanh_grad(x):
    return 1.0 - np.tanh(x) ** 2
