"""Answer keys of day1.section2, computed by the reference solutions."""

import numpy as np

from solutions.day1 import section2 as sol


def answers():
    return {
        "q03": [
            float(sol.relu(np.array(2.0)) + sol.relu(np.array(-3.0))),
            float(sol.relu(np.array(2.0 + (-3.0)))),
        ],
        "q07": float(sol.sigmoid_grad(np.array(0.0))),
        "q08": float(sol.tanh_grad(np.array(0.0))),
        "q09": [float(sol.relu(np.array(-2.0))), float(sol.relu_grad(np.array(-2.0)))],
        "q12": float(sol.sigmoid(np.array(2.0))),
    }
