"""Answer keys of day3.section7, computed by the reference solutions (solutions/day3/section7.py).

`answers()` maps the short id of each question tagged `numeric` to the value its right choice shows; `grade bank
check` and tests/test_bank_answers.py compare it with the choices' `value:`s (4 decimal places, integers exactly).
"""

import numpy as np

from solutions.day3 import section7 as sol


def _sdpa_example():
    """q05: weights[0, 0] for Q = [[1, 1, 1, 0]], K = [[1, 1, 1, 0], [0, 0, 0, 0]] (d_k = 4; V does not matter).

    Not the stub's example (Q = [[1, 0, 1, 0]]), whose docstring prints the weights.
    """
    Q = np.array([[1.0, 1.0, 1.0, 0.0]])
    K = np.array([[1.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    V = np.array([[1.0, 2.0], [3.0, 4.0]])
    _, weights = sol.scaled_dot_product_attention(Q, K, V)
    return round(float(weights[0, 0]), 4)


def answers():
    out, _ = sol.scaled_dot_product_attention(np.zeros((2, 8, 5, 64)), np.zeros((2, 8, 7, 64)),
                                              np.zeros((2, 8, 7, 32)))
    # q12: not the stub's example (hs = [[1, 2], [3, 4], [5, 6]], a = [0.5, 0.3, 0.2]), whose docstring prints c
    c = sol.WeightSum().forward(np.array([[[2.0, 0.0], [0.0, 4.0], [4.0, 2.0]]]), np.array([[0.5, 0.25, 0.25]]))
    return {
        "q05": _sdpa_example(),
        "q06": list(sol.AttentionWeight().forward(np.zeros((4, 10, 16)), np.zeros((4, 16))).shape),
        "q07": list(out.shape),
        "q12": [round(float(v), 4) for v in c[0]],
    }
