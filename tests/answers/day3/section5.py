"""Answer keys of day3.section5, computed by the reference solutions (solutions/day3/section5.py).

`answers()` maps the short id of each question tagged `numeric` to the value its right choice shows; each is
computed by running the reference layers on the question's numbers, rounded to the 4 decimal places the questions show.
"""

import numpy as np

from solutions.day3 import section5 as sol


def _perplexity():
    """q07: exp of the mean loss when the right word has probability 0.25 at every step (N = 2, T = 3)."""
    probs = np.tile(np.array([0.25, 0.5, 0.125, 0.125]), (2, 3, 1))
    loss = sol.TimeSoftmaxWithLoss().forward(np.log(probs), np.zeros((2, 3), dtype=int))
    return round(float(np.exp(loss)), 4)


def _embedding_shape():
    """q08: TimeEmbedding's output shape for V = 10000, D = 100 and ids of shape (32, 10)."""
    layer = sol.TimeEmbedding(np.zeros((10000, 100)))
    return list(layer.forward(np.zeros((32, 10), dtype=int)).shape)


def _embedding_grad():
    """q09: dW[2] for xs = [[2, 5, 2]], dout = [[[0.3], [0.1], [0.5]]] (D = 1)."""
    layer = sol.TimeEmbedding(np.zeros((6, 1)))
    layer.forward(np.array([[2, 5, 2]]))
    layer.backward(np.array([[[0.3], [0.1], [0.5]]]))
    return round(float(layer.grads[0][2, 0]), 4)


def answers():
    return {"q07": _perplexity(), "q08": _embedding_shape(), "q09": _embedding_grad()}
