"""Answer keys of day3.section4, computed by the reference solution (solutions/day3/section4.py).

`answers()` maps the short id of each question tagged `numeric` to the value its right choice shows; `grade bank
check` and tests/test_bank_answers.py compare it with the choices' `value:`s (4 decimal places, integers exactly).
"""

import numpy as np

from solutions.day3 import section4 as sol


def _layer(D, H):
    p = [np.zeros((D, H)), np.zeros((H, H)), np.zeros(H)]
    return sol.TimeBiRNN(*p, *(a.copy() for a in p))


def _example():
    """q06, q10: D = H = 1, xs = [1, 0, 0], dhs = 1; forward Wx1 = Wh1 = 1, b1 = 0; backward Wx2 = 2, Wh2 = 1, b2 = 0.

    The stub's example (Wx2 = 1) prints its hs and dxs, so the questions give the backward direction Wx2 = 2.
    """
    one, zero = np.array([[1.0]]), np.array([0.0])
    layer = sol.TimeBiRNN(one, one, zero, 2 * one, one.copy(), zero.copy())
    hs = layer.forward(np.array([[[1.0], [0.0], [0.0]]]))
    dxs = layer.backward(np.ones((1, 3, 2)))
    return round(float(hs[0, 0, 1]), 4), round(float(dxs[0, 2, 0]), 4)


def answers():
    hs_001, dxs_020 = _example()
    return {
        "q03": list(_layer(32, 64).forward(np.zeros((8, 20, 32))).shape),
        "q04": int(sum(p.size for p in _layer(32, 64).params)),
        "q06": hs_001,
        "q10": dxs_020,
    }
