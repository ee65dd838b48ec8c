"""Answer keys of day2.section4, computed by the reference solutions.

Output sizes come from conv_output_size; the im2col and Convolution questions run the reference layers on
zero arrays of the question's shapes and read the result's shape.
"""

import numpy as np

from solutions.day2 import section4 as sol


def _im2col_rows():
    return sol.im2col(np.zeros((10, 3, 7, 7)), 5, 5, stride=1, pad=0).shape[0]


def _conv_output_elements():
    conv = sol.Convolution(np.zeros((16, 3, 5, 5)), np.zeros(16), stride=1, pad=2)
    return conv.forward(np.zeros((1, 3, 32, 32))).size


def _pool_output_height():
    pool = sol.Pooling(2, 2, stride=2)
    return pool.forward(np.zeros((1, 20, 24, 24))).shape[2]


def answers():
    return {
        "q01": sol.conv_output_size(6, 2, stride=1, pad=1),
        "q02": sol.conv_output_size(8, 3, stride=2, pad=1),
        "q03": sol.conv_output_size(28, 5, stride=1, pad=0),
        "q04": sol.conv_output_size(32, 3, stride=1, pad=1),
        "q05": sol.conv_output_size(227, 11, stride=4, pad=0),
        "q06": sol.conv_output_size(10, 4, stride=3, pad=1),
        "q07": _pool_output_height(),
        "q08": _im2col_rows(),
        "q09": _conv_output_elements(),
    }
