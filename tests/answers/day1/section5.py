"""Answer keys of day1.section5, computed by the reference solutions.

Each numeric question runs the reference layers (solutions/day1/section5.py) on the question's numbers; the
chain-rule question differentiates z = (x + y)² with the reference numerical_gradient of Section 4, and the
cost question counts the loss evaluations of the reference TwoLayerNet.numerical_gradient. Values are
rounded to 6 decimal places.
"""

import numpy as np

from solutions.day1 import section4 as sec4
from solutions.day1 import section5 as sol


def _loss_evaluations(input_size, hidden_size, output_size):
    """How often TwoLayerNet.numerical_gradient calls loss (counted by wrapping the instance's method)."""
    net = sol.TwoLayerNet(input_size, hidden_size, output_size)
    calls = []
    original = net.loss

    def counting_loss(x, t):
        calls.append(1)
        return original(x, t)

    net.loss = counting_loss
    net.numerical_gradient(np.ones((2, input_size)), np.array([0, 1]))
    return float(len(calls))


def _chain_rule(x, y):
    grad = sec4.numerical_gradient(lambda v: float((v[0] + v[1]) ** 2), np.array([x, y]))
    return round(float(grad[0]), 6)


def _sigmoid_dx(x, dout):
    layer = sol.Sigmoid()
    layer.forward(np.array([x]))
    return round(float(layer.backward(np.array([dout]))[0]), 6)


def _affine_db(dout):
    dout = np.array(dout)
    layer = sol.Affine(np.zeros((3, dout.shape[1])), np.zeros(dout.shape[1]))
    layer.forward(np.zeros((dout.shape[0], 3)))
    layer.backward(dout)
    return [round(float(v), 6) for v in layer.db]


def _softmax_dx_first_row(x, t):
    layer = sol.SoftmaxWithLoss()
    layer.forward(np.array(x), np.array(t))
    return [round(float(v), 6) for v in layer.backward()[0]]


def _relu_dx(x, dout):
    layer = sol.Relu()
    layer.forward(np.array(x))
    return [round(float(v), 6) for v in layer.backward(np.array(dout))]


def answers():
    return {
        "q02": _loss_evaluations(3, 5, 4),
        "q05": _chain_rule(1.0, 2.0),
        "q08": _sigmoid_dx(0.0, 1.0),
        "q09": _affine_db([[1.0, 2.0], [3.0, 4.0]]),
        "q10": _softmax_dx_first_row([[0.0, 0.0], [0.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]]),
        "q11": _relu_dx([-1.0, 2.0], [3.0, 3.0]),
    }
