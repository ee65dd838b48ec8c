"""Answer keys of day1.section4, computed by the reference solutions.

Gradients come from the reference numerical_gradient and gradient_descent run on each question's function and
numbers, rounded to 6 decimal places (a central difference on a quadratic is exact up to ~1e-11). A question
with another step h rescales the variable so that the reference's h = 1e-4 becomes that step.
"""

import numpy as np

from solutions.day1 import section4 as sol


def _square_sum(x):
    return float(np.sum(x**2))


def _descend(x0, lr, steps):
    return round(float(sol.gradient_descent(_square_sum, np.array([x0]), lr=lr, step_num=steps)[0]), 6)


def _central_difference(f, x, step):
    """The reference numerical_gradient (h = 1e-4) of u ↦ f(u·s), s = step / 1e-4, at x / s, divided by s:
    (f(x + step) − f(x − step)) / (2·step)."""
    scale = step / 1e-4
    grad = sol.numerical_gradient(lambda u: f(u * scale), np.array([x / scale]))
    return round(float(grad[0]) / scale, 6)


def _minibatches_per_epoch(train_size, batch_size):
    """Shuffle one epoch with get_minibatch (batch_size = N is a permutation), then cut it into batches."""
    index = np.arange(train_size)
    order, _ = sol.get_minibatch(index, index, train_size, np.random.default_rng(0))
    batches = [order[i : i + batch_size] for i in range(0, train_size, batch_size)]
    assert np.array_equal(np.sort(np.concatenate(batches)), index)  # every sample used exactly once
    return float(len(batches))


def _samples_per_update(train_size, batch_size):
    """Over how many samples one update's error is averaged: draw one mini-batch with get_minibatch, then divide
    the sum of its per-sample cross-entropy errors by the batch error of the reference cross_entropy_error."""
    from solutions.day1 import section3 as sec3

    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(10), size=train_size)  # a prediction y for every sample
    labels = rng.integers(0, 10, size=train_size)
    y, t = sol.get_minibatch(probs, labels, batch_size, rng)
    per_sample = sum(sec3.cross_entropy_error(y[i], np.array(t[i])) for i in range(len(y)))
    return float(round(per_sample / sec3.cross_entropy_error(y, t)))


def answers():
    return {
        "q03": [round(float(v), 6) for v in sol.numerical_gradient(_square_sum, np.array([3.0, 4.0]))],
        "q04": _descend(3.0, 0.1, 1),
        "q05": _descend(1.0, 1.1, 2),
        "q09": _minibatches_per_epoch(100_000, 500),
        "q11": _central_difference(_square_sum, 3.0, 0.1),
        "q18": _samples_per_update(100_000, 500),
    }
