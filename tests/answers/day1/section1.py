"""Answer keys of day1.section1, computed by the reference solutions."""

import numpy as np

from solutions.day1 import section1 as sol


def _layer_params(n_in, n_out):
    """Weights + biases of one dense layer, after checking with the reference affine that the shapes fit."""
    W, b = np.zeros((n_in, n_out)), np.zeros(n_out)
    assert sol.affine(np.zeros((1, n_in)), W, b).shape == (1, n_out)
    return W.size + b.size


def answers():
    sizes = [2, 3, 3, 1]  # q03: input 2, hidden 3 and 3, output 1
    x = np.array([1.0, 2.0])
    W = np.array([[1.0, -1.0, 0.5], [2.0, 0.0, 1.0]])
    b = np.array([0.5, 1.0, -1.0])
    return {
        "q03": float(sum(_layer_params(m, n) for m, n in zip(sizes[:-1], sizes[1:], strict=True))),
        "q07": [float(d) for d in sol.affine(np.zeros((5, 4)), np.zeros((4, 3)), np.zeros(3)).shape],
        "q08": [float(v) for v in sol.affine(x, W, b)],
        "q11": float(_layer_params(784, 100)),
    }
