"""Answer keys of day2.section1, computed by the reference solutions.

The initialisers are random, so their standard deviation is read off exactly: the reference draws
rng.standard_normal and scales it, hence W / (the same normal draw) is the scale itself.
"""

import numpy as np

from solutions.day2 import section1 as sol


def _init_std(init, n_in, n_out):
    z = np.random.default_rng(0).standard_normal((n_in, n_out))
    w = init(n_in, n_out, np.random.default_rng(0))
    return round(float(np.mean(w / z)), 6)


def _bn_train_output():
    bn = sol.BatchNormalization(np.array([3.0]), np.array([0.5]))
    out = bn.forward(np.array([[0.0], [0.0], [4.0], [4.0]]), train_flg=True)
    return round(float(out[2, 0]), 4)


def _bn_running_mean():
    bn = sol.BatchNormalization(np.array([1.0]), np.array([0.0]), momentum=0.9)
    bn.forward(np.array([[4.0], [6.0]]), train_flg=True)  # batch mean 5
    return round(float(bn.running_mean[0]), 6)


def answers():
    return {
        "q02": float(sol.sigmoid_grad(0.0)),
        "q03": float(sol.sigmoid_grad(0.0)) ** 5,
        "q06": _init_std(sol.he_init, 50, 200),
        "q07": _init_std(sol.xavier_init, 100, 400),
        "q09": _bn_train_output(),
        "q10": _bn_running_mean(),
        "q11": round(float(2 * sol.sigmoid_grad(0.0)), 6),  # chain rule: d σ(2x)/dx = 2 σ'(2x)
    }
