"""Answer keys of day3.section1, computed by the reference solutions (solutions/day3/section1.py).

`answers()` maps the short id of each question tagged `numeric` to the value its right choice shows; each is
computed by running the reference layers on the question's numbers (the sigmoid's derivative comes from Day 2's
reference, solutions/day2/section1.py), rounded to the 4 decimal places the questions show.
"""

import numpy as np

from solutions.day2 import section1 as day2
from solutions.day3 import section1 as sol


def _clipped_a0():
    """q07: a[0] after clip_grads([a, c], 2.5) with a = [1, 2], c = [2, 4] (changed in place).

    Not the stub's example (a = [3, 4], c = [12]), whose docstring prints the result.
    """
    a, c = np.array([1.0, 2.0]), np.array([2.0, 4.0])
    sol.clip_grads([a, c], 2.5)
    return round(float(a[0]), 4)


def _hs_shape():
    """q08: the shape of TimeRNN's hs for N, T, D, H = 32, 10, 100, 50."""
    layer = sol.TimeRNN(np.zeros((100, 50)), np.zeros((50, 50)), np.zeros(50))
    return list(layer.forward(np.zeros((32, 10, 100))).shape)


def _rnn_parameters(D, H):
    """q09: the number of parameters of an RNN layer."""
    return int(sum(p.size for p in sol.RNN(np.zeros((D, H)), np.zeros((H, H)), np.zeros(H)).params))


def _dt_at(h):
    """q12: ∂L/∂u for h_next = tanh(u) = h, dh_next = 1 (Wx = 1, so dx = dt)."""
    rnn = sol.RNN(np.ones((1, 1)), np.zeros((1, 1)), np.zeros(1))
    rnn.forward(np.array([[np.arctanh(h)]]), np.zeros((1, 1)))
    dx, _ = rnn.backward(np.ones((1, 1)))
    return round(float(dx[0, 0]), 4)


def answers():
    return {
        "q04": float(day2.sigmoid_grad(0.0)),
        "q07": _clipped_a0(),
        "q08": _hs_shape(),
        "q09": _rnn_parameters(100, 50),
        "q12": _dt_at(0.6),
    }
