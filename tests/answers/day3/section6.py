"""Answer keys of day3.section6, computed by the reference solutions (solutions/day3/section6.py).

`answers()` maps the short id of each question tagged `numeric` to the value its right choice shows; each is
computed by running the reference functions and layers on the question's numbers, rounded to the 4 decimal places
the questions show.
"""

import numpy as np

from solutions.day3 import section6 as sol


def _n_targets():
    """q03: how many targets create_contexts_target makes from a corpus of length 8 with window_size = 2."""
    _, target = sol.create_contexts_target(np.arange(8), window_size=2)
    return int(len(target))


def _cos():
    """q04: cos_similarity((1, 2, 2), (2, 1, 2))."""
    return round(float(sol.cos_similarity(np.array([1.0, 2.0, 2.0]), np.array([2.0, 1.0, 2.0]))), 4)


def _rare_p():
    """q06: word_p of C for the frequencies 0.70, 0.29, 0.01 (counts 70, 29, 1), power 0.75."""
    corpus = np.repeat(np.arange(3), [70, 29, 1])
    sampler = sol.UnigramSampler(corpus, 0.75, 1, np.random.default_rng(0))
    return round(float(sampler.word_p[2]), 4)


def _word_vecs_size():
    """q08: the number of elements of SimpleCBOW(10000, 100).word_vecs."""
    return int(sol.SimpleCBOW(10000, 100, np.random.default_rng(0)).word_vecs.size)


def _ns_loss():
    """q10: NegativeSamplingLoss for W = [[1, 0], [0, 0.5]], h = [2, 1], target 0, one negative (the other word).

    Not the stub's example (W = [[0.5, 0], [0, 1]], h = [1, 1]), whose docstring prints the loss.
    """
    layer = sol.NegativeSamplingLoss(np.array([[1.0, 0.0], [0.0, 0.5]]), np.array([0, 1, 0, 1]), sample_size=1,
                                     rng=np.random.default_rng(0))
    return round(float(layer.forward(np.array([[2.0, 1.0]]), np.array([0]))), 4)


def answers():
    return {
        "q03": _n_targets(),
        "q04": _cos(),
        "q06": _rare_p(),
        "q08": _word_vecs_size(),
        "q10": _ns_loss(),
    }
