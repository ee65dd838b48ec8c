"""Answer keys of day2.section5, computed by the reference solutions.

Parameter counts come from conv_param_count / fc_param_count; the AlexNet questions read the rows of
alexnet_summary (227×227 unless the question says 224).
"""

import numpy as np

from solutions.day2 import section4 as sec4
from solutions.day2 import section5 as sol


def _rows(input_shape=(3, 227, 227)):
    return {name: (shape, params) for name, shape, params in sol.alexnet_summary(input_shape)}


def _total():
    return sum(params for _, params in _rows().values())


def _fc_share_percent():
    rows = _rows()
    return round(100 * sum(rows[n][1] for n in ("fc6", "fc7", "fc8")) / _total())


def _fc6_inputs():
    c, h, w = _rows()["pool5"][0]
    return c * h * w


def _fc_after_global_pooling(shape, classes):
    """Global average pooling is a pooling whose window is the whole map: the reference Pooling with window = stride
    = H×W gives its output shape (the max and the average give the same shape); the FC layer then takes C·1·1."""
    c, h, w = shape
    pooled = sec4.Pooling(h, w, stride=h).forward(np.zeros((1, c, h, w)))
    assert pooled.shape == (1, c, 1, 1)
    return sol.fc_param_count(pooled[0].size, classes)


def answers():
    return {
        "q02": sol.conv_param_count(3, 96, 11, 11),
        "q03": sol.conv_param_count(96, 256, 5, 5),
        "q04": sol.fc_param_count(9216, 4096),
        "q05": _total(),
        "q06": _rows((3, 224, 224))["conv1"][0][1],
        "q07": _fc6_inputs(),
        "q08": _rows()["pool1"][0][1],
        "q09": sol.conv_param_count(256, 64, 1, 1),
        "q10": _fc_share_percent(),
        "q15": _fc_after_global_pooling((512, 7, 7), 1000),
    }
