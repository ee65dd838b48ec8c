"""Answer keys of day2.section2, computed by the reference solutions.

Each numeric question is answered by running the reference optimizer on the question's numbers; the value is
rounded to 4 decimal places, the precision the question asks for (ε = 1e-7 only moves later digits).
"""

import numpy as np

from solutions.day2 import section2 as sol


def _run(opt, w, grads):
    """Call opt.update once per gradient on a one-element parameter W; return the final W."""
    params = {"W": np.array([w])}
    for g in grads:
        opt.update(params, {"W": np.array([g])})
    return round(float(params["W"][0]), 4)


def _adagrad_with_history():
    opt = sol.AdaGrad(lr=0.1)
    opt.h = {"W": np.array([5.0])}  # h accumulated by earlier steps (given in the question)
    return _run(opt, 1.0, [2.0])


def answers():
    return {
        "q02": _run(sol.SGD(lr=0.1), 2.0, [-1.5]),
        "q06": _run(sol.Momentum(lr=0.1, momentum=0.9), 1.0, [0.5, 0.2]),
        "q09": _adagrad_with_history(),
        "q11": _run(sol.RMSprop(), 0.5, [0.1]),
        "q14": _run(sol.Adam(lr=0.01, beta1=0.9, beta2=0.999), 2.0, [-0.2]),
    }
