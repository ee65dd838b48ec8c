"""Answer keys of day3.section3, computed by the reference solutions (solutions/day3/section3.py; the LSTM of
solutions/day3/section2.py for the comparison of parameter counts).

`answers()` maps the short id of each question tagged `numeric` to the value its right choice shows; `grade bank
check` and tests/test_bank_answers.py compare it with the choices' `value:`s (4 decimal places, integers exactly).
"""

import numpy as np

from solutions.day3 import section2 as lstm
from solutions.day3 import section3 as sol


def _gru(D, H):
    return sol.GRU(np.zeros((D, 3 * H)), np.zeros((H, 3 * H)), np.zeros(3 * H))


def _count(layer):
    return int(sum(p.size for p in layer.params))


def _lstm(D, H):
    return lstm.LSTM(np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H))


def _example():
    """q04, q08: D = H = 1, Wx = Wh = [0, 0, 1], b = [1, 0, 0], x = 1, h_prev = −1, dh_next = 1.

    The stub's example has h_prev = +1 and prints its results, so the questions use h_prev = −1.
    """
    gru = sol.GRU(np.array([[0.0, 0.0, 1.0]]), np.array([[0.0, 0.0, 1.0]]), np.array([1.0, 0.0, 0.0]))
    h_next = gru.forward(np.array([[1.0]]), np.array([[-1.0]]))
    _, dh_prev = gru.backward(np.array([[1.0]]))
    return round(float(h_next[0, 0]), 4), round(float(dh_prev[0, 0]), 4)


def answers():
    h_next, dh_prev = _example()
    return {
        "q02": _count(_gru(100, 50)),
        "q03": _count(_lstm(100, 50)) - _count(_gru(100, 50)),
        "q04": h_next,
        "q08": dh_prev,
        "q11": list(_gru(4, 3).params[0].shape),
    }
