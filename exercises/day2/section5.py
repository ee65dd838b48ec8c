"""Day 2 Section 5: 最新の CNN (AlexNet) のパラメータ数と各層の出力形状を計算します。
Day 2 Section 5: count the parameters and the output shape of every layer of AlexNet.

共通の約束 / Common rules:

- 戻り値はすべて Python の int (または int のタプル / リスト) です。 Every result is a Python int (or tuples /
  lists of ints).
- 出力サイズの式は Section 4 と同じ / The output-size formula is Section 4's::

      out = ⌊(input + 2·pad − filter) / stride⌋ + 1

  このファイルには ``conv_output_size`` はありません。必要なら式を直接書くか、小さな補助関数を自分で書いて
  ください。 This file has no ``conv_output_size``: write the formula directly or a small helper of your own.
"""

import numpy as np


def conv_param_count(in_channels, out_channels, filter_h, filter_w, bias=True):
    """畳み込み層のパラメータ数 / Number of parameters of a convolution layer.

    式 / Formula::

        重み / weights: W の形状 (FN, C, FH, FW) = (out_channels, in_channels, filter_h, filter_w)
        パラメータ数 / count = out_channels · in_channels · filter_h · filter_w  (+ out_channels if bias)

    - フィルタ 1 枚は入力の **全チャンネル** にまたがるので、in_channels を掛けます。
      One filter spans **all input channels**, so multiply by in_channels.
    - バイアスはフィルタ (= 出力チャンネル) ごとに 1 つです。 There is one bias per filter (output channel).
    - 入力画像の大きさ・ストライド・パディングには依存しません (重み共有)。 It does not depend on the image
      size, stride or padding (weight sharing).

    引数・戻り値 / Arguments and result: int (``bias`` は bool / is a bool)。

    例 / Example (AlexNet の conv1 / AlexNet's conv1)::

        conv_param_count(3, 96, 11, 11)               # 96·3·11·11 + 96 = 34848 + 96 = 34944
        conv_param_count(3, 96, 11, 11, bias=False)   # 34848
    """
    # TODO: out·in·FH·FW (+ out) を返す / return out·in·FH·FW (+ out for the bias)
    raise NotImplementedError


def fc_param_count(n_in, n_out, bias=True):
    """全結合 (Affine) 層のパラメータ数 / Number of parameters of a fully connected (Affine) layer.

    式 / Formula::

        W: (n_in, n_out),  b: (n_out,)
        パラメータ数 / count = n_in · n_out  (+ n_out if bias)

    バイアスは出力ユニットごとに 1 つ (n_out 個) です。 There is one bias per output unit (n_out of them).

    引数・戻り値 / Arguments and result: int (``bias`` は bool / is a bool)。

    例 / Example (AlexNet の fc8 / AlexNet's fc8)::

        fc_param_count(4096, 1000)               # 4096·1000 + 1000 = 4097000
        fc_param_count(4096, 1000, bias=False)   # 4096000
    """
    # TODO: n_in·n_out (+ n_out) を返す / return n_in·n_out (+ n_out for the bias)
    raise NotImplementedError


def alexnet_summary(input_shape=(3, 227, 227)):
    """AlexNet (1 系統版) の各層の出力形状とパラメータ数 / Output shape and parameter count of every AlexNet layer.

    構成 (バイアスあり、2 GPU のグループ分けなしの 1 系統版) / Architecture (with biases, single tower, without
    the paper's two-GPU groups)::

        名前 / name  層 / layer                                     出力 / output (227×227 入力 / input)
        conv1        畳み込み / conv 96 枚 11×11, stride 4, pad 0       (96, 55, 55)
        pool1        最大値プーリング / max pool 3×3, stride 2          (96, 27, 27)
        conv2        conv 256 枚 5×5, stride 1, pad 2                    (256, 27, 27)
        pool2        max pool 3×3, stride 2                              (256, 13, 13)
        conv3        conv 384 枚 3×3, stride 1, pad 1                    (384, 13, 13)
        conv4        conv 384 枚 3×3, stride 1, pad 1                    (384, 13, 13)
        conv5        conv 256 枚 3×3, stride 1, pad 1                    (256, 13, 13)
        pool5        max pool 3×3, stride 2                              (256, 6, 6)
        fc6          全結合 / fully connected 4096  (入力 / input 256·6·6 = 9216)   (4096,)
        fc7          全結合 / fully connected 4096                       (4096,)
        fc8          全結合 / fully connected 1000                       (1000,)

    ReLU・LRN・ドロップアウト (fc6, fc7 の出力に適用) は形状もパラメータ数も変えないので、一覧に入れません。
    ReLU, LRN and dropout (applied to the outputs of fc6 and fc7) change neither shapes nor parameter counts;
    they are not listed.

    引数 / Argument: ``input_shape`` = (C, H, W) (既定 / default (3, 227, 227))。
    戻り値 / Returns: 上の順の 11 行のリスト。各行は ``(name, output_shape, param_count)``: ``name`` は上の名前
    (str)、``output_shape`` は畳み込み・プーリングでは ``(C, H, W)``、全結合では ``(units,)`` の int のタプル、
    ``param_count`` は int (プーリングは 0)。 A list of 11 rows in the order above, each
    ``(name, output_shape, param_count)``: ``name`` as above (str); ``output_shape`` a tuple of ints,
    ``(C, H, W)`` for conv / pool and ``(units,)`` for fully connected layers; ``param_count`` an int (0 for
    pooling).

    224 と 227 / 224 vs 227: 論文 (Krizhevsky et al., 2012) は入力を 224×224 と書いていますが、
    (224 − 11)/4 + 1 = 54.25 は割り切れず、論文の 55×55 になりません。55×55 になるのは 227×227 のときで
    ((227 − 11)/4 + 1 = 55)、Caffe などの実装も 227 を使います。224 を渡したときは切り捨てで計算します
    (conv1 は 54×54、…、pool5 は 5×5)。 The paper says 224×224, but (224 − 11)/4 + 1 = 54.25 does not give
    its 55×55; 227×227 does ((227 − 11)/4 + 1 = 55), and Caffe and others use 227. Given 224, round down as
    usual (conv1 54×54, …, pool5 5×5).

    例 / Example (最初の 3 行 / the first three rows)::

        rows = alexnet_summary()
        rows[0]   # ("conv1", (96, 55, 55), 34944)      96·3·11·11 + 96
        rows[1]   # ("pool1", (96, 27, 27), 0)          (55 − 3)/2 + 1 = 27
        rows[2]   # ("conv2", (256, 27, 27), 614656)    256·96·5·5 + 256
        sum(p for _, _, p in rows)   # 62378344 (約 6240 万 / about 62.4 million)
    """
    # TODO: 各層の出力形状を順に計算し、(name, shape, params) のリストを返す / compute each layer in turn
    raise NotImplementedError
