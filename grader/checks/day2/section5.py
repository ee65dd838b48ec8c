"""Hidden checks of day2.section5 (modern CNNs, AlexNet): parameter counts and AlexNet's layer table.

The AlexNet numbers for 227×227 are derived by hand below; other inputs and the named mistakes come from a
small table builder written here, never from solutions/.
"""

from grader.engine.api import Msg, Variant, check, expect_equal, fail

# ---------------------------------------------------------------- misconceptions (named in the feedback)

CONV_NO_BIAS = Msg(
    ja="バイアスを数えていません: バイアスはフィルタ (出力チャンネル) ごとに 1 つ、out_channels 個あります",
    en="the bias is not counted: there is one bias per filter (output channel), out_channels of them",
)
CONV_NO_IN_CHANNELS = Msg(
    ja="入力チャンネル数 in_channels を掛けていません: フィルタ 1 枚は入力の全チャンネルにまたがります "
       "(形状 (C, FH, FW))",
    en="in_channels is missing: one filter spans all input channels (shape (C, FH, FW))",
)
CONV_BIAS_PER_INPUT = Msg(
    ja="バイアスの数が違います: バイアスは入力チャンネルではなく出力チャンネル (フィルタ) ごとに 1 つです",
    en="wrong number of biases: one bias per output channel (filter), not per input channel",
)
CONV_SQUARE = Msg(
    ja="フィルタを正方形と仮定しています: filter_h·filter_w を掛けます",
    en="the filter was taken as square: multiply filter_h·filter_w",
)
BIAS_IGNORED = Msg(
    ja="bias=False なのにバイアスを数えています (bias=False のときは重みだけ)",
    en="the bias was counted although bias=False (then count the weights only)",
)
FC_NO_BIAS = Msg(
    ja="バイアスを数えていません: 全結合層のバイアスは出力ユニットごとに 1 つ、n_out 個あります",
    en="the bias is not counted: a fully connected layer has one bias per output unit, n_out of them",
)
FC_BIAS_N_IN = Msg(
    ja="バイアスの数が違います: バイアスは入力ではなく出力ユニットごとに 1 つ (n_out 個) です",
    en="wrong number of biases: one bias per output unit (n_out), not per input",
)
ALEX_224 = Msg(
    ja="224×224 の入力で計算しています: 既定の入力は (3, 227, 227) です。論文の 224 では (224 − 11)/4 + 1 = 54.25 と"
       "なり 55×55 になりません (227 なら 55)",
    en="computed for a 224×224 input: the default input is (3, 227, 227). The paper's 224 gives "
       "(224 − 11)/4 + 1 = 54.25, not its 55×55; 227 gives 55",
)
ALEX_GROUPED = Msg(
    ja="2 GPU のグループ分け (conv2, conv4, conv5 が入力の半分だけを見る) の値です: この演習は 1 系統版です",
    en="these are the two-GPU grouped values (conv2, conv4, conv5 see half their inputs); "
       "the exercise is the single-tower AlexNet",
)
ALEX_NO_BIAS = Msg(
    ja="バイアスが数えられていません: 畳み込み層も全結合層もバイアスを持ちます",
    en="the biases are not counted: both the convolution and the fully connected layers have biases",
)
ALEX_NO_CONV_BIAS = Msg(
    ja="畳み込み層のバイアスが数えられていません (フィルタごとに 1 つ)",
    en="the convolution layers' biases are not counted (one per filter)",
)
ALEX_NO_FC_BIAS = Msg(
    ja="全結合層のバイアスが数えられていません (出力ユニットごとに 1 つ)",
    en="the fully connected layers' biases are not counted (one per output unit)",
)
ALEX_POOL5_5x5 = Msg(
    ja="fc6 の入力が 256·5·5 = 6400 になっています (正しくは 256·6·6 = 9216): 224×224 で計算したか、"
       "conv2 のパディング (pad 2) を忘れています",
    en="fc6's input came out as 256·5·5 = 6400 instead of 256·6·6 = 9216: either computed for 224×224 "
       "or conv2's padding (pad 2) is missing",
)
ALEX_CONV2_NO_PAD = Msg(
    ja="conv2 のパディング (pad 2) を忘れています: 5×5・pad 2 で 27×27 が保たれます",
    en="conv2's padding (pad 2) is missing: 5×5 with pad 2 keeps 27×27",
)
ALEX_FC6_UNPOOLED = Msg(
    ja="fc6 の入力を pool5 の前 (256·13·13) で数えています: fc6 の入力は pool5 の出力 256·6·6 = 9216 です",
    en="fc6's input was taken before pool5 (256·13·13): fc6 sees pool5's output, 256·6·6 = 9216",
)
INPUT_IGNORED = Msg(
    ja="引数 input_shape が使われていません (いつも 3×227×227 の値になっています)",
    en="input_shape is ignored (the result is always the 3×227×227 one)",
)

NAMES = ["conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "conv5", "pool5", "fc6", "fc7", "fc8"]

# 227×227 入力の手計算 / by hand for a 227×227 input:
#   conv1 (227 − 11)/4 + 1 = 55, pool1 (55 − 3)/2 + 1 = 27, conv2 (27 + 4 − 5) + 1 = 27, pool2 13,
#   conv3–5 (13 + 2 − 3) + 1 = 13, pool5 (13 − 3)/2 + 1 = 6, fc6 input 256·6·6 = 9216
SHAPES_227 = [(96, 55, 55), (96, 27, 27), (256, 27, 27), (256, 13, 13), (384, 13, 13), (384, 13, 13),
              (256, 13, 13), (256, 6, 6), (4096,), (4096,), (1000,)]
PARAMS_227 = [96 * 3 * 11 * 11 + 96, 0, 256 * 96 * 5 * 5 + 256, 0, 384 * 256 * 3 * 3 + 384,
              384 * 384 * 3 * 3 + 384, 256 * 384 * 3 * 3 + 256, 0, 9216 * 4096 + 4096, 4096 * 4096 + 4096,
              4096 * 1000 + 1000]
TOTAL_227 = 62_378_344


# ---------------------------------------------------------------- an independent table builder (for variants)


def _table(input_shape, *, conv_bias=True, fc_bias=True, groups=False, conv2_pad=2, fc6_before_pool=False):
    """(shapes, params) of the single-tower AlexNet, or of a named slip of it."""
    def out(n, f, s, p):
        return (n + 2 * p - f) // s + 1

    c, h, w = input_shape
    shapes, params = [], []
    layers = [("conv", 96, 11, 4, 0, 1), ("pool", 0, 3, 2, 0, 1), ("conv", 256, 5, 1, conv2_pad, 2),
              ("pool", 0, 3, 2, 0, 1), ("conv", 384, 3, 1, 1, 1), ("conv", 384, 3, 1, 1, 2),
              ("conv", 256, 3, 1, 1, 2), ("pool", 0, 3, 2, 0, 1)]
    before_pool = None
    for kind, n, f, s, p, g in layers:
        if kind == "pool":
            before_pool = c * h * w
        h, w = out(h, f, s, p), out(w, f, s, p)
        if kind == "conv":
            params.append(n * (c // (g if groups else 1)) * f * f + (n if conv_bias else 0))
            c = n
        else:
            params.append(0)
        shapes.append((c, h, w))
    n_in = before_pool if fc6_before_pool else c * h * w
    for units in (4096, 4096, 1000):
        params.append(n_in * units + (units if fc_bias else 0))
        shapes.append((units,))
        n_in = units
    return shapes, params


def _rows(got, what):
    """Read the learner's table as [(name, shape tuple, params)], naming what is wrong with its form."""
    if not isinstance(got, (list, tuple)):
        fail(f"{what} は {type(got).__name__} です。(name, output_shape, param_count) のリストを返してください",
             f"{what} is a {type(got).__name__}; expected a list of (name, output_shape, param_count)")
    if len(got) != len(NAMES):
        fail(f"{what} の行数が {len(got)} です。期待: {len(NAMES)} 行 ({', '.join(NAMES)})。"
             "ReLU・LRN・ドロップアウトは入れません",
             f"{what} has {len(got)} rows, expected {len(NAMES)} ({', '.join(NAMES)}); "
             "ReLU, LRN and dropout are not listed")
    rows = []
    for i, row in enumerate(got):
        ok = isinstance(row, (list, tuple)) and len(row) == 3
        if ok:
            name, shape, params = row
            ok = (isinstance(name, str) and isinstance(shape, (list, tuple))
                  and all(isinstance(s, (int, float)) and not isinstance(s, bool) for s in shape)
                  and isinstance(params, (int, float)) and not isinstance(params, bool))
        if not ok:
            fail(f"{what} の {i} 行目 {row!r} が (name: str, output_shape: int のタプル, param_count: int) "
                 "ではありません",
                 f"{what} row {i} {row!r} is not (name: str, output_shape: tuple of ints, param_count: int)")
        rows.append((name, tuple(shape), params))
    return rows


# ---------------------------------------------------------------- conv_param_count


@check("conv_param_count", points=1, ja="AlexNet の conv1 (3→96, 11×11)",
        en="AlexNet's conv1 (3→96, 11×11)", public=True)
def test_conv_param_count_alexnet_conv1(learner):
    expect_equal(learner.conv_param_count(3, 96, 11, 11), 34944, what="conv_param_count(3, 96, 11, 11)",
                 variants=[Variant(34848, CONV_NO_BIAS), Variant(11712, CONV_NO_IN_CHANNELS),
                           Variant(34851, CONV_BIAS_PER_INPUT), Variant(11616, CONV_NO_IN_CHANNELS)])


@check("conv_param_count", points=1, ja="長方形のフィルタと 1×1 畳み込み",
       en="a non-square filter and a 1×1 convolution")
def test_conv_param_count_shapes(learner):
    # 32·16·5·3 + 32 = 7712
    expect_equal(learner.conv_param_count(16, 32, 5, 3), 7712, what="conv_param_count(16, 32, 5, 3)",
                 variants=[Variant(7680, CONV_NO_BIAS), Variant(512, CONV_NO_IN_CHANNELS),
                           Variant(7696, CONV_BIAS_PER_INPUT), Variant(12832, CONV_SQUARE),
                           Variant(4640, CONV_SQUARE)])
    # 64·256·1·1 + 64 = 16448
    expect_equal(learner.conv_param_count(256, 64, 1, 1), 16448, what="conv_param_count(256, 64, 1, 1)",
                 variants=[Variant(16384, CONV_NO_BIAS), Variant(128, CONV_NO_IN_CHANNELS),
                           Variant(16640, CONV_BIAS_PER_INPUT)])


@check("conv_param_count", points=1, ja="bias=False", en="bias=False")
def test_conv_param_count_no_bias(learner):
    # 128·64·3·3 = 73728
    expect_equal(learner.conv_param_count(64, 128, 3, 3, bias=False), 73728,
                 what="conv_param_count(64, 128, 3, 3, bias=False)",
                 variants=[Variant(73856, BIAS_IGNORED), Variant(1152, CONV_NO_IN_CHANNELS)])


# ---------------------------------------------------------------- fc_param_count


@check("fc_param_count", points=1, ja="AlexNet の fc6 (9216→4096)",
        en="AlexNet's fc6 (9216→4096)", public=True)
def test_fc_param_count_fc6(learner):
    expect_equal(learner.fc_param_count(9216, 4096), 37752832, what="fc_param_count(9216, 4096)",
                 variants=[Variant(37748736, FC_NO_BIAS), Variant(37757952, FC_BIAS_N_IN)])


@check("fc_param_count", points=1, ja="AlexNet の fc8 (4096→1000)", en="AlexNet's fc8 (4096→1000)")
def test_fc_param_count_fc8(learner):
    expect_equal(learner.fc_param_count(4096, 1000), 4097000, what="fc_param_count(4096, 1000)",
                 variants=[Variant(4096000, FC_NO_BIAS), Variant(4100096, FC_BIAS_N_IN)])


@check("fc_param_count", points=1, ja="bias=False", en="bias=False")
def test_fc_param_count_no_bias(learner):
    expect_equal(learner.fc_param_count(784, 10, bias=False), 7840,
                 what="fc_param_count(784, 10, bias=False)",
                 variants=[Variant(7850, BIAS_IGNORED), Variant(8624, BIAS_IGNORED)])


# ---------------------------------------------------------------- alexnet_summary


@check("alexnet_summary", points=1, ja="11 行・層の名前と順番", en="11 rows, the layer names and order")
def test_alexnet_rows(learner):
    rows = _rows(learner.alexnet_summary(), "alexnet_summary()")
    expect_equal([r[0] for r in rows], NAMES, what="alexnet_summary() の名前 / names")


@check("alexnet_summary", points=2, ja="各層の出力形状 (227×227)", en="every layer's output shape (227×227)")
def test_alexnet_shapes(learner):
    rows = _rows(learner.alexnet_summary(), "alexnet_summary()")
    expect_equal([r[1] for r in rows], SHAPES_227, what="alexnet_summary() の出力形状 / output shapes",
                 variants=[Variant(_table((3, 224, 224))[0], ALEX_224),
                           Variant(_table((3, 227, 227), conv2_pad=0)[0], ALEX_CONV2_NO_PAD)])


def _param_variants(rows, total=False):
    """Wrong parameter lists, each named; a 5×5 pool5 is told apart by the shapes the learner returned."""
    shapes = [r[1] for r in rows]
    if shapes == _table((3, 224, 224))[0]:
        pool5_slip = ALEX_224
    elif shapes == _table((3, 227, 227), conv2_pad=0)[0]:
        pool5_slip = ALEX_CONV2_NO_PAD
    else:
        pool5_slip = ALEX_POOL5_5x5
    tables = [(_table((3, 224, 224))[1], pool5_slip),  # = conv2 without pad: pool5 is 5×5 either way
              (_table((3, 227, 227), groups=True)[1], ALEX_GROUPED),
              (_table((3, 227, 227), conv_bias=False, fc_bias=False)[1], ALEX_NO_BIAS),
              (_table((3, 227, 227), conv_bias=False)[1], ALEX_NO_CONV_BIAS),
              (_table((3, 227, 227), fc_bias=False)[1], ALEX_NO_FC_BIAS),
              (_table((3, 227, 227), fc6_before_pool=True)[1], ALEX_FC6_UNPOOLED)]
    return [Variant(sum(t) if total else t, why) for t, why in tables]


@check("alexnet_summary", points=2, ja="各層のパラメータ数 (227×227)", en="every layer's parameter count (227×227)")
def test_alexnet_params(learner):
    rows = _rows(learner.alexnet_summary(), "alexnet_summary()")
    expect_equal([r[2] for r in rows], PARAMS_227, what="alexnet_summary() のパラメータ数 / parameter counts",
                 variants=_param_variants(rows))


@check("alexnet_summary", points=1, ja="総パラメータ数 62,378,344", en="the total parameter count, 62,378,344")
def test_alexnet_total(learner):
    rows = _rows(learner.alexnet_summary(), "alexnet_summary()")
    expect_equal(sum(r[2] for r in rows), TOTAL_227, what="alexnet_summary() の総パラメータ数 / total",
                 variants=_param_variants(rows, total=True))


@check("alexnet_summary", points=2, ja="他の入力 (3, 224, 224) と (1, 227, 227)",
       en="other inputs (3, 224, 224) and (1, 227, 227)")
def test_alexnet_other_inputs(learner):
    for shape in [(3, 224, 224), (1, 227, 227)]:
        what = f"alexnet_summary({shape})"
        rows = _rows(learner.alexnet_summary(shape), what)
        shapes, params = _table(shape)
        expect_equal([r[1] for r in rows], shapes, what=f"{what} の出力形状 / output shapes",
                     variants=[Variant(SHAPES_227, INPUT_IGNORED)])
        expect_equal([r[2] for r in rows], params, what=f"{what} のパラメータ数 / parameter counts",
                     variants=[Variant(PARAMS_227, INPUT_IGNORED)])
