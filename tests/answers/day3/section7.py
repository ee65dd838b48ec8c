"""Answer keys of day3.section7, computed by the reference solutions (solutions/day3/section7.py).

`answers()` maps the short id of each question tagged `numeric` to the value its right choice shows; `grade bank
check` and tests/test_bank_answers.py compare it with the choices' `value:`s (4 decimal places, integers exactly).
"""

import numpy as np

from solutions.day3 import section7 as sol


def _sdpa_example():
    Q = np.array([[1.0, 0.0, 1.0, 0.0]])
    K = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    V = np.array([[1.0, 2.0], [3.0, 4.0]])
    _, weights = sol.scaled_dot_product_attention(Q, K, V)
    return round(float(weights[0, 0]), 4)


def answers():
    out, _ = sol.scaled_dot_product_attention(np.zeros((2, 8, 5, 64)), np.zeros((2, 8, 7, 64)),
                                              np.zeros((2, 8, 7, 32)))
    c = sol.WeightSum().forward(np.array([[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]]), np.array([[0.5, 0.3, 0.2]]))
    return {
        "q05": _sdpa_example(),
        "q06": list(sol.AttentionWeight().forward(np.zeros((4, 10, 16)), np.zeros((4, 16))).shape),
        "q07": list(out.shape),
        "q12": [round(float(v), 4) for v in c[0]],
    }
