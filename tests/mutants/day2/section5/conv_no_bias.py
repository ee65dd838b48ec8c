# MUTANT targets: conv_param_count, alexnet_summary
# MUTANT feedback: bias
"""Day 2 Section 5: 最新の CNN (AlexNet) のパラメータ数と出力形状の参照実装。
Day 2 Section 5: reference implementations of the parameter counts and AlexNet's layer table.
"""

import numpy as np


def conv_param_count(in_channels, out_channels, filter_h, filter_w, bias=True):
    """out·in·FH·FW (+ out): W (FN, C, FH, FW) and one bias per filter."""
    count = out_channels * in_channels * filter_h * filter_w  # フィルタ 1 枚は全入力チャンネルにまたがる
    return count


def fc_param_count(n_in, n_out, bias=True):
    """n_in·n_out (+ n_out): W (n_in, n_out) and b (n_out,)."""
    count = n_in * n_out
    if bias:
        count += n_out
    return count


def _out(size, filter_size, stride, pad):
    return (size + 2 * pad - filter_size) // stride + 1  # 切り捨て


# (name, kind, filters or units, filter size, stride, pad): the single-tower AlexNet
_ALEXNET = [
    ("conv1", "conv", 96, 11, 4, 0),
    ("pool1", "pool", None, 3, 2, 0),
    ("conv2", "conv", 256, 5, 1, 2),
    ("pool2", "pool", None, 3, 2, 0),
    ("conv3", "conv", 384, 3, 1, 1),
    ("conv4", "conv", 384, 3, 1, 1),
    ("conv5", "conv", 256, 3, 1, 1),
    ("pool5", "pool", None, 3, 2, 0),
    ("fc6", "fc", 4096, None, None, None),
    ("fc7", "fc", 4096, None, None, None),
    ("fc8", "fc", 1000, None, None, None),
]


def alexnet_summary(input_shape=(3, 227, 227)):
    """[(name, output_shape, param_count), …] for conv1 … fc8; ReLU, LRN and dropout are not listed."""
    shape = tuple(int(s) for s in input_shape)
    rows = []
    for name, kind, n, f, stride, pad in _ALEXNET:
        if kind == "fc":
            n_in = int(np.prod(shape))  # 直前の出力を平らにした長さ (fc6 では 256·6·6 = 9216)
            params = fc_param_count(n_in, n)
            shape = (n,)
        else:
            c, h, w = shape
            oh, ow = _out(h, f, stride, pad), _out(w, f, stride, pad)
            if kind == "conv":
                params = conv_param_count(c, n, f, f)
                shape = (n, oh, ow)
            else:
                params = 0  # プーリングにパラメータはない
                shape = (c, oh, ow)
        rows.append((name, shape, params))
    return rows
