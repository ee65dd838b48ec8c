"""Answer keys of day3.section2, computed by the reference solutions (solutions/day3/section2.py).

Each numeric question is answered by running the reference LSTM on the question's numbers: the gates are set
through the bias alone (Wx = Wh = 0), so σ(0) = 0.5 and tanh(artanh(0.8)) = 0.8 give the question's f, i, o and g.
Values are rounded to the 4 decimal places the questions show.
"""

import numpy as np

from solutions.day3 import section2 as sol


def _lstm_parameters(D, H):
    """q03: the number of parameters of an LSTM layer."""
    layer = sol.LSTM(np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H))
    return int(sum(p.size for p in layer.params))


def _step():
    """q05, q06: one step with f = i = o = 0.5 (σ(0)), g = 0.8 and c_prev = 2.0."""
    b = np.array([0.0, np.arctanh(0.8), 0.0, 0.0])  # the blocks f, g, i, o
    lstm = sol.LSTM(np.zeros((1, 4)), np.zeros((1, 4)), b)
    h, c = lstm.forward(np.zeros((1, 1)), np.zeros((1, 1)), np.array([[2.0]]))
    return round(float(c[0, 0]), 4), round(float(h[0, 0]), 4)


def _dc_prev():
    """q07: dc_prev for dh_next = 0, dc_next = 2 and f = σ(1), the forget gate set by its bias alone.

    Not the stub's example (dc_next = 1, f = σ(2)), whose docstring prints dc_prev.
    """
    lstm = sol.LSTM(np.zeros((1, 4)), np.zeros((1, 4)), np.array([1.0, 0.0, 0.0, 0.0]))  # f, g, i, o
    lstm.forward(np.array([[1.0]]), np.array([[0.0]]), np.array([[1.0]]))
    _, _, dc_prev = lstm.backward(np.array([[0.0]]), np.array([[2.0]]))
    return round(float(dc_prev[0, 0]), 4)


def answers():
    c_next, h_next = _step()
    return {"q03": _lstm_parameters(100, 50), "q05": c_next, "q06": h_next, "q07": _dc_prev()}
