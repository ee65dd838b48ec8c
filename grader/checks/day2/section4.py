"""Hidden checks of day2.section4 (CNN): output size, im2col, col2im, Convolution, Pooling.

Every expected value comes from a direct loop written here (one window at a time), from hand-derived
numbers, or from a numerical gradient of the learner's own forward; never from solutions/.
"""

import numpy as np

from grader.engine.api import (
    CheckFailed,
    LearnerRaised,
    Msg,
    Text,
    Variant,
    as_array,
    central_difference,
    check,
    expect_array,
    expect_equal,
    expect_raises,
    fail,
)

# ---------------------------------------------------------------- misconceptions (named in the feedback)

FORGOT_PLUS_ONE = Msg(
    ja="+1 を忘れています: 出力サイズは ⌊(H + 2·pad − F)/stride⌋ + 1 です (+1 はフィルタの最初の位置の分)",
    en="forgot the +1: the output size is ⌊(H + 2·pad − F)/stride⌋ + 1 "
       "(the +1 counts the filter's first position)",
)
PAD_ONCE = Msg(
    ja="パディングを片側分しか数えていません (pad counted once): パディングは両側に付くので 2·pad を足します",
    en="pad counted once: padding is added on both sides, so add 2·pad",
)
PAD_ONCE_OR_PLUS_ONE = Msg(
    ja="1 小さすぎます: パディングを片側分しか数えていない (pad counted once: 2·pad を足す) か、+1 を忘れています",
    en="one too small: either pad counted once (add 2·pad, padding is on both sides) or forgot the +1",
)
ROUNDED_UP = Msg(
    ja="切り上げています (rounded up): 割り切れないときは切り捨て (floor) です。はみ出す最後の窓は使いません",
    en="rounded up instead of down: when it does not divide, take the floor; "
       "the window that would stick out is not used",
)
TRUE_DIVISION = Msg(
    ja="整数になっていません: / ではなく切り捨ての整数除算 // を使ってください",
    en="not an integer: use floor division // instead of /",
)
COURSE_NOTE_8x8 = Msg(
    ja="+1 を忘れています。8×8・pad 1・3×3・stride 2 で 3×3 とする講義資料がありますが誤りで、"
       "⌊(8 + 2 − 3)/2⌋ + 1 = 4 です",
    en="forgot the +1. Some course notes state 3×3 for an 8×8 input, pad 1, 3×3 filter, stride 2; "
       "that is wrong: ⌊(8 + 2 − 3)/2⌋ + 1 = 4",
)
IM2COL_NO_TRANSPOSE = Msg(
    ja="行のレイアウトが違います (layout): (N, C, FH, FW, OH, OW) の配列を transpose(0, 4, 5, 1, 2, 3) せずに "
       "reshape しています。1 行 = 1 つの窓 (行の順は n, oy, ox) にしてください",
    en="wrong row layout: the (N, C, FH, FW, OH, OW) array was reshaped without transpose(0, 4, 5, 1, 2, 3); "
       "one row must be one window (rows ordered n, oy, ox)",
)
IM2COL_CHANNEL_LAST = Msg(
    ja="1 行の中の並びが (FH, FW, C) になっています (layout): 本のレイアウトは (C, FH, FW) の順です",
    en="wrong layout inside a row: it is ordered (FH, FW, C); the book's layout is (C, FH, FW)",
)
IM2COL_TRANSPOSED = Msg(
    ja="行列が転置されています (layout): 形状 (C·FH·FW, N·OH·OW) は Caffe / cs231n の形です。"
       "本のレイアウトは (N·OH·OW, C·FH·FW) (1 行 = 1 つの窓) です",
    en="the matrix is transposed (layout): (C·FH·FW, N·OH·OW) is the Caffe / cs231n form; the book's layout "
       "is (N·OH·OW, C·FH·FW), one window per row",
)
IM2COL_NO_PAD = Msg(
    ja="パディングされていません: 入力の上下左右に pad 個の 0 を加えてから窓を取ります",
    en="no padding: add pad zeros on every side of the input before taking the windows",
)
COL2IM_OVERWRITE = Msg(
    ja="重なる窓の値を上書きしています (= ではなく += で足し込む): 窓が重なる画素には、重なった数だけの値の和が入ります",
    en="overwrote overlapping windows instead of adding them (use += , not =): a pixel covered by several "
       "windows gets the sum",
)
COL2IM_NOT_CROPPED = Msg(
    ja="パディング部分が切り取られていません: 最後に [:, :, pad:H + pad, pad:W + pad] を返します",
    en="the padding was not cut off: return [:, :, pad:H + pad, pad:W + pad]",
)
CONV_FLIPPED = Msg(
    ja="フィルタを反転しています: CNN の「畳み込み」は反転しない相互相関 (cross-correlation) です",
    en="the filter is flipped: a CNN's \"convolution\" is cross-correlation, without flipping",
)
CONV_NO_OUT_TRANSPOSE = Msg(
    ja="出力のレイアウトが違います: (N·OH·OW, FN) を reshape(N, OH, OW, FN) してから transpose(0, 3, 1, 2) します",
    en="wrong output layout: reshape (N·OH·OW, FN) to (N, OH, OW, FN), then transpose(0, 3, 1, 2)",
)
CONV_NO_BIAS = Msg(ja="バイアス b が足されていません", en="the bias b is not added")
DW_NO_TRANSPOSE = Msg(
    ja="dW の並びが崩れています (transpose 忘れ): col.T @ dout は (C·FH·FW, FN) なので、"
       "transpose(1, 0) してから reshape(FN, C, FH, FW) します",
    en="dW is scrambled (missing transpose): col.T @ dout has shape (C·FH·FW, FN); transpose(1, 0) it before "
       "reshape(FN, C, FH, FW)",
)
DB_WRONG_AXIS = Msg(
    ja="db を足す軸が違います (wrong axis): フィルタの軸 FN 以外 (N, OH, OW) のすべてで和を取り、形状 (FN,) にします",
    en="db summed over the wrong axis: sum over every axis except the filter axis FN (N, OH, OW) "
       "to get shape (FN,)",
)
POOL_PAD_IGNORED = Msg(
    ja="out_h が pad を無視しています (書籍の Pooling にあるバグ): im2col は pad 込みの窓を作るので、"
    "out_h = (H + 2·pad − pool_h) // stride + 1 (out_w も同様) です",
    en="out_h ignores pad — the book's Pooling has this bug: im2col makes the windows of the padded input, so"
    " out_h = (H + 2·pad − pool_h) // stride + 1 (out_w likewise)",
)
POOL_DEFAULT_STRIDE = Msg(
    ja="stride の既定値が 2 ではありません: Pooling(pool_h, pool_w, stride=2, pad=0) です (書籍と同じ)",
    en="the default stride is not 2: Pooling(pool_h, pool_w, stride=2, pad=0), as in the book",
)
POOL_AVERAGE = Msg(
    ja="平均値プーリングになっています: この演習は最大値プーリング (各窓の max) です",
    en="this is average pooling: the exercise is max pooling (the max of each window)",
)
POOL_NO_TRANSPOSE = Msg(
    ja="出力のレイアウトが違います: (N·OH·OW·C,) の最大値を reshape(N, OH, OW, C) してから transpose(0, 3, 1, 2) します",
    en="wrong output layout: reshape the maxima to (N, OH, OW, C), then transpose(0, 3, 1, 2)",
)
POOL_GRAD_ALL = Msg(
    ja="勾配を窓のすべての位置に流しています (every position): 最大値プーリングの勾配は各窓で最大値だった位置にだけ流れます",
    en="the gradient was sent to every position of the window: in max pooling it flows only to the position "
       "that was the maximum",
)
POOL_GRAD_MEAN = Msg(
    ja="勾配を窓の全位置に均等に分けています (平均値プーリングの逆伝播): 最大値だった位置にだけ流します",
    en="the gradient was spread evenly over the window (average pooling's backward): "
       "send it to the maximum only",
)


# ---------------------------------------------------------------- direct loops (the oracle)


def _out_size(n, f, stride, pad):
    return (n + 2 * pad - f) // stride + 1


def _pad(x, pad):
    return np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])


def _windows(x, fh, fw, stride, pad):
    """Yield (n, oy, ox, window (C, fh, fw)) in the book's row order."""
    N, _, H, W = x.shape
    xp = _pad(x, pad)
    for n in range(N):
        for oy in range(_out_size(H, fh, stride, pad)):
            for ox in range(_out_size(W, fw, stride, pad)):
                ys, xs = oy * stride, ox * stride
                yield n, oy, ox, xp[n, :, ys:ys + fh, xs:xs + fw]


def _im2col_loop(x, fh, fw, stride, pad, order=(0, 1, 2)):
    """One window per row; `order` is how (C, FH, FW) is laid out in a row (the book: (0, 1, 2))."""
    return np.array([w.transpose(order).reshape(-1) for *_, w in _windows(x, fh, fw, stride, pad)])


def _im2col_no_transpose(x, fh, fw, stride, pad):
    """The (N, C, FH, FW, OH, OW) array reshaped without the transpose (a classic layout slip)."""
    N, C, H, W = x.shape
    oh, ow = _out_size(H, fh, stride, pad), _out_size(W, fw, stride, pad)
    col6 = np.zeros((N, C, fh, fw, oh, ow))
    for n, oy, ox, w in _windows(x, fh, fw, stride, pad):
        col6[n, :, :, :, oy, ox] = w
    return col6.reshape(N * oh * ow, -1)


def _col2im_loop(col, shape, fh, fw, stride, pad, overwrite=False):
    N, C, H, W = shape
    oh, ow = _out_size(H, fh, stride, pad), _out_size(W, fw, stride, pad)
    img = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    r = 0
    for n in range(N):
        for oy in range(oh):
            for ox in range(ow):
                ys, xs = oy * stride, ox * stride
                patch = col[r].reshape(C, fh, fw)
                if overwrite:
                    img[n, :, ys:ys + fh, xs:xs + fw] = patch
                else:
                    img[n, :, ys:ys + fh, xs:xs + fw] += patch
                r += 1
    return img, img[:, :, pad:pad + H, pad:pad + W]


def _col2im_overwrite_by_offset(col, shape, fh, fw, stride, pad):
    """Overwriting in the book's loop order (filter offset y, x outer): the `=` instead of `+=` slip."""
    N, C, H, W = shape
    oh, ow = _out_size(H, fh, stride, pad), _out_size(W, fw, stride, pad)
    col6 = col.reshape(N, oh, ow, C, fh, fw).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((N, C, H + 2 * pad + stride - 1, W + 2 * pad + stride - 1))
    for y in range(fh):
        for x in range(fw):
            img[:, :, y:y + stride * oh:stride, x:x + stride * ow:stride] = col6[:, :, y, x, :, :]
    return img[:, :, pad:pad + H, pad:pad + W]


def _col2im_variants(col, shape, fh, fw, stride, pad):
    padded, _ = _col2im_loop(col, shape, fh, fw, stride, pad)
    return [
        Variant(_col2im_overwrite_by_offset(col, shape, fh, fw, stride, pad), COL2IM_OVERWRITE),
        Variant(_col2im_loop(col, shape, fh, fw, stride, pad, overwrite=True)[1], COL2IM_OVERWRITE),
        Variant(padded, COL2IM_NOT_CROPPED),
    ]


def _im2col_variants(x, fh, fw, stride, pad):
    col = _im2col_loop(x, fh, fw, stride, pad)
    out = [
        Variant(_im2col_no_transpose(x, fh, fw, stride, pad), IM2COL_NO_TRANSPOSE),
        Variant(_im2col_loop(x, fh, fw, stride, pad, order=(1, 2, 0)), IM2COL_CHANNEL_LAST),
        Variant(col.T, IM2COL_TRANSPOSED),
    ]
    if pad:
        out.append(Variant(_im2col_loop(x, fh, fw, stride, 0), IM2COL_NO_PAD))
    return out


def _conv_loop(x, W, b, stride, pad):
    N, _, H, Wd = x.shape
    FN, _, FH, FW = W.shape
    out = np.zeros((N, FN, _out_size(H, FH, stride, pad), _out_size(Wd, FW, stride, pad)))
    for n, oy, ox, w in _windows(x, FH, FW, stride, pad):
        for f in range(FN):
            out[n, f, oy, ox] = np.sum(w * W[f]) + b[f]
    return out


def _conv_shift(x, W, b, stride, pad):
    """The same convolution written the other way round — for each filter offset (i, j), the strided slice of the
    padded input that offset sees, times W[:, :, i, j], summed — so that x may carry a leading axis of perturbed
    copies (central_difference's batched form): (P, N, C, H, W) → (P, N, FN, OH, OW). Held to _conv_loop by
    tests/test_oracles.py."""
    FN, C, FH, FW = W.shape
    H, Wd = x.shape[-2:]
    oh, ow = _out_size(H, FH, stride, pad), _out_size(Wd, FW, stride, pad)
    xp = np.pad(x, [(0, 0)] * (x.ndim - 2) + [(pad, pad), (pad, pad)])
    out = np.zeros(x.shape[:-3] + (FN, oh, ow))
    for i in range(FH):
        for j in range(FW):
            seen = xp[..., i:i + stride * (oh - 1) + 1:stride, j:j + stride * (ow - 1) + 1:stride]
            out += np.einsum("...cyx,fc->...fyx", seen, W[:, :, i, j])
    return out + b[:, None, None]


def _conv_variants(x, W, b, stride, pad):
    good = _conv_loop(x, W, b, stride, pad)
    N, FN, oh, ow = good.shape
    return [
        Variant(_conv_loop(x, W[:, :, ::-1, ::-1], b, stride, pad), CONV_FLIPPED),
        Variant(good.transpose(0, 2, 3, 1), CONV_NO_OUT_TRANSPOSE),
        Variant(good.transpose(0, 2, 3, 1).reshape(N, FN, oh, ow), CONV_NO_OUT_TRANSPOSE),
        Variant(_conv_loop(x, W, np.zeros_like(b), stride, pad), CONV_NO_BIAS),
    ]


def _conv_dW_loop(x, dout, fshape, stride, pad):
    FN, C, FH, FW = fshape
    dW = np.zeros(fshape)
    for n, oy, ox, w in _windows(x, FH, FW, stride, pad):
        for f in range(FN):
            dW[f] += dout[n, f, oy, ox] * w
    return dW


def _pool_loop(x, ph, pw, stride, pad):
    N, C, H, W = x.shape
    out = np.zeros((N, C, _out_size(H, ph, stride, pad), _out_size(W, pw, stride, pad)))
    mean = np.zeros_like(out)
    for n, oy, ox, w in _windows(x, ph, pw, stride, pad):
        out[n, :, oy, ox] = w.reshape(len(w), -1).max(axis=1)
        mean[n, :, oy, ox] = w.reshape(len(w), -1).mean(axis=1)
    return out, mean


def _pool_backward_loop(x, dout, ph, pw, stride, pad):
    """(to the max only, to every position, spread evenly), each with overlaps added and padding cut off."""
    N, C, H, W = x.shape
    xp = _pad(x, pad)
    grads = [np.zeros_like(xp) for _ in range(3)]
    for n, oy, ox, w in _windows(x, ph, pw, stride, pad):
        ys, xs = oy * stride, ox * stride
        for c in range(C):
            i, j = np.unravel_index(np.argmax(w[c]), (ph, pw))
            g = dout[n, c, oy, ox]
            grads[0][n, c, ys + i, xs + j] += g
            grads[1][n, c, ys:ys + ph, xs:xs + pw] += g
            grads[2][n, c, ys:ys + ph, xs:xs + pw] += g / (ph * pw)
    return [d[:, :, pad:pad + H, pad:pad + W] for d in grads]


# ---------------------------------------------------------------- conv_output_size


def _expect_size(learner, args, want, variants):
    got = learner.conv_output_size(*args)
    what = f"conv_output_size{args}"
    expect_equal(got, want, what=what, variants=[Variant(v, m) for v, m in variants if v != want])


@check("conv_output_size", points=1, ja="pad 0・stride 1 と古典的な 6×6 の例",
       en="pad 0, stride 1 and the classic 6×6 case", public=True)
def test_conv_output_size_plus_one(learner):
    # (input, filter, stride, pad) → hand-derived size
    _expect_size(learner, (5, 3, 1, 0), 3, [(2, FORGOT_PLUS_ONE)])
    _expect_size(learner, (28, 5, 1, 0), 24, [(23, FORGOT_PLUS_ONE)])
    _expect_size(learner, (6, 2, 1, 1), 7, [(6, PAD_ONCE_OR_PLUS_ONE)])  # 確認テストの定番: 6×6, 2×2, pad 1 → 7×7


@check("conv_output_size", points=1, ja="パディングは両側に付く", en="padding is on both sides")
def test_conv_output_size_padding(learner):
    _expect_size(learner, (7, 3, 1, 2), 9, [(7, PAD_ONCE), (8, FORGOT_PLUS_ONE)])
    _expect_size(learner, (5, 5, 1, 2), 5, [(3, PAD_ONCE), (4, FORGOT_PLUS_ONE)])
    _expect_size(learner, (32, 3, 1, 1), 32, [(31, PAD_ONCE_OR_PLUS_ONE)])


@check("conv_output_size", points=2, ja="stride > 1 では切り捨て", en="stride > 1 rounds down")
def test_conv_output_size_stride_floor(learner):
    _expect_size(learner, (7, 3, 2, 0), 3, [(2, FORGOT_PLUS_ONE)])
    _expect_size(learner, (227, 11, 4, 0), 55, [(54, FORGOT_PLUS_ONE)])
    _expect_size(learner, (8, 3, 2, 1), 4, [(5, ROUNDED_UP), (4.5, TRUE_DIVISION), (3, COURSE_NOTE_8x8)])
    _expect_size(learner, (224, 11, 4, 0), 54,
                 [(55, ROUNDED_UP), (54.25, TRUE_DIVISION), (53, FORGOT_PLUS_ONE)])
    _expect_size(learner, (10, 4, 3, 1), 3, [(4, ROUNDED_UP), (11 / 3, TRUE_DIVISION), (2, FORGOT_PLUS_ONE),
                                            (3, PAD_ONCE)])
    _expect_size(learner, (13, 3, 2, 2), 8, [(7, PAD_ONCE_OR_PLUS_ONE)])


@check("conv_output_size", points=1, ja="大きすぎるフィルタは ValueError",
       en="a filter larger than the padded input raises ValueError")
def test_conv_output_size_too_large(learner):
    # ちょうど同じ大きさは有効 / exactly as large is fine
    _expect_size(learner, (5, 5, 1, 0), 1, [(0, FORGOT_PLUS_ONE)])
    _expect_size(learner, (6, 6, 3, 0), 1, [(0, FORGOT_PLUS_ONE)])
    with expect_raises("ValueError", ja="conv_output_size(3, 5): フィルタ 5 > 入力 3",
                       en="conv_output_size(3, 5): filter 5 > input 3"):
        learner.conv_output_size(3, 5)
    with expect_raises("ValueError", ja="conv_output_size(4, 7, stride=2, pad=1): フィルタ 7 > 4 + 2",
                       en="conv_output_size(4, 7, stride=2, pad=1): filter 7 > 4 + 2"):
        learner.conv_output_size(4, 7, stride=2, pad=1)


# ---------------------------------------------------------------- im2col


@check("im2col", points=1, ja="3×3 画像・2×2 フィルタ (docstring の例)",
       en="3×3 image, 2×2 filter (the docstring's example)", public=True)
def test_im2col_small_example(learner):
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    want = np.array([[0, 1, 3, 4], [1, 2, 4, 5], [3, 4, 6, 7], [4, 5, 7, 8]], dtype=float)
    expect_array(learner.im2col(x, 2, 2), want, what="im2col(x (1, 1, 3, 3), 2, 2)")


@check("im2col", points=2, ja="複数の画像とチャンネル・長方形の画像", en="several images and channels, a non-square image")
def test_im2col_batch_channels(learner):
    x = np.random.default_rng(401).normal(size=(2, 3, 5, 4))
    expect_array(learner.im2col(x, 2, 2), _im2col_loop(x, 2, 2, 1, 0), what="im2col(x (2, 3, 5, 4), 2, 2)",
                 variants=_im2col_variants(x, 2, 2, 1, 0))


@check("im2col", points=2, ja="stride 2・pad 1・割り切れない大きさ", en="stride 2, pad 1, sizes that do not divide")
def test_im2col_stride_pad(learner):
    x = np.random.default_rng(402).normal(size=(2, 2, 7, 6))
    expect_array(learner.im2col(x, 3, 3, stride=2, pad=1), _im2col_loop(x, 3, 3, 2, 1),
                 what="im2col(x (2, 2, 7, 6), 3, 3, stride=2, pad=1)",
                 variants=_im2col_variants(x, 3, 3, 2, 1))


# ---------------------------------------------------------------- col2im


@check("col2im", points=1, ja="重ならない窓 (stride = フィルタ) では元に戻る",
       en="non-overlapping windows (stride = filter) restore the image", public=True)
def test_col2im_no_overlap(learner):
    x = np.random.default_rng(411).normal(size=(2, 3, 4, 6))
    col = _im2col_loop(x, 2, 2, 2, 0)
    expect_array(learner.col2im(col, (2, 3, 4, 6), 2, 2, stride=2), x,
                 what="col2im(col, (2, 3, 4, 6), 2, 2, stride=2)")


@check("col2im", points=2, ja="重なる窓は足し込む (stride 1)", en="overlapping windows add up (stride 1)")
def test_col2im_overlap(learner):
    shape = (2, 2, 4, 5)
    col = np.random.default_rng(412).normal(size=(2 * 2 * 4, 2 * 3 * 2))
    _, want = _col2im_loop(col, shape, 3, 2, 1, 0)
    expect_array(learner.col2im(col, shape, 3, 2), want, what="col2im(col (16, 12), (2, 2, 4, 5), 3, 2)",
                 variants=_col2im_variants(col, shape, 3, 2, 1, 0))


@check("col2im", points=2, ja="stride 2・pad 1・割り切れない大きさ", en="stride 2, pad 1, sizes that do not divide")
def test_col2im_stride_pad(learner):
    shape = (1, 3, 5, 6)
    col = np.random.default_rng(413).normal(size=(3 * 3, 3 * 3 * 3))
    _, want = _col2im_loop(col, shape, 3, 3, 2, 1)
    expect_array(learner.col2im(col, shape, 3, 3, stride=2, pad=1), want,
                 what="col2im(col (9, 27), (1, 3, 5, 6), 3, 3, stride=2, pad=1)",
                 variants=_col2im_variants(col, shape, 3, 3, 2, 1))


# ---------------------------------------------------------------- Convolution


def _conv_case(seed, xshape, wshape):
    rng = np.random.default_rng(seed)
    return rng.normal(size=xshape), rng.normal(size=wshape), rng.normal(size=wshape[0])


@check("Convolution", points=1, ja="forward (stride 1・pad 0)", en="forward (stride 1, pad 0)", public=True)
def test_convolution_forward(learner):
    x, W, b = _conv_case(421, (2, 3, 5, 6), (4, 3, 3, 3))
    conv = learner.Convolution(W, b)
    expect_array(conv.forward(x), _conv_loop(x, W, b, 1, 0), what="Convolution.forward(x (2, 3, 5, 6))",
                 variants=_conv_variants(x, W, b, 1, 0))


@check("Convolution", points=2, ja="forward (stride 2・pad 1・長方形のフィルタ)",
       en="forward (stride 2, pad 1, a non-square filter)")
def test_convolution_forward_stride_pad(learner):
    x, W, b = _conv_case(422, (2, 2, 7, 6), (3, 2, 3, 2))
    conv = learner.Convolution(W, b, stride=2, pad=1)
    expect_array(conv.forward(x), _conv_loop(x, W, b, 2, 1),
                 what="Convolution(W (3, 2, 3, 2), stride=2, pad=1).forward(x (2, 2, 7, 6))",
                 variants=_conv_variants(x, W, b, 2, 1))


@check("Convolution", points=2, ja="backward の dx を数値微分と比較 (stride 2・pad 1)",
       en="backward dx against a numerical gradient (stride 2, pad 1)")
def test_convolution_backward_dx(learner):
    x, W, b = _conv_case(423, (2, 2, 5, 4), (3, 2, 3, 3))
    conv = learner.Convolution(W, b, stride=2, pad=1)
    out = conv.forward(x)
    expect_array(out, _conv_loop(x, W, b, 2, 1), what="forward (dx の確認の前提 / needed to check dx)")
    R = np.random.default_rng(424).normal(size=out.shape)  # L = Σ out·R なので dout = R
    # 数値微分 (中心差分) は採点側の畳み込み (_conv_shift: 全コピーを一度に) で、backward を呼ぶ前に求める:
    # 学習者の forward を使えば、dout を見た後の forward が自分の dx に合わせた値を返して数値微分を偽造できる。
    # 畳み込みは x について線形なので h が大きくても誤差は丸めだけ / the numerical gradient of the check's own
    # convolution (every perturbed copy at once), worked out before backward is called: the learner's forward,
    # called after it has seen dout, could answer so as to forge it. Linear in x: a large h costs only rounding.
    num = central_difference(lambda x: np.sum(_conv_shift(x, W, b, 2, 1) * R, axis=(1, 2, 3, 4)), {"x": x}, 0.1,
                             batched=True)["x"]
    dx = conv.backward(R.copy())
    expect_array(dx, num, what="dx", rtol=1e-5, atol=1e-6)


@check("Convolution", points=2, ja="backward の dW (stride 2・pad 1)", en="backward dW (stride 2, pad 1)")
def test_convolution_backward_dW(learner):
    x, W, b = _conv_case(425, (2, 2, 5, 6), (3, 2, 3, 3))
    conv = learner.Convolution(W, b, stride=2, pad=1)
    out = conv.forward(x)
    dout = np.random.default_rng(426).normal(size=(2, 3, 3, 3))
    shape = as_array(out, "forward(x)", dout).shape
    if shape != dout.shape:
        fail(f"forward の形状が {shape} です。期待: {dout.shape}", f"forward returned shape {shape}, expected {dout.shape}")
    conv.backward(dout.copy())
    want = _conv_dW_loop(x, dout, W.shape, 2, 1)
    scrambled = want.reshape(3, -1).T.reshape(W.shape)
    expect_array(conv.dW, want, what="conv.dW", variants=[Variant(scrambled, DW_NO_TRANSPOSE)])


@check("Convolution", points=1, ja="backward の db", en="backward db")
def test_convolution_backward_db(learner):
    x, W, b = _conv_case(427, (2, 3, 5, 5), (4, 3, 3, 3))
    conv = learner.Convolution(W, b)
    conv.forward(x)
    dout = np.random.default_rng(428).normal(size=(2, 4, 3, 3))
    conv.backward(dout.copy())
    wrong = [dout.transpose(0, 2, 3, 1).reshape(-1, 4).sum(axis=1), dout.sum(axis=0), dout.sum(axis=(2, 3)),
             dout.sum(axis=(0, 2))]
    expect_array(conv.db, dout.sum(axis=(0, 2, 3)), what="conv.db",
                 variants=[Variant(v, DB_WRONG_AXIS) for v in wrong])


# ---------------------------------------------------------------- Pooling


def _pool_forward_variants(x, ph, pw, stride, pad):
    good, mean = _pool_loop(x, ph, pw, stride, pad)
    N, C, oh, ow = good.shape
    return [Variant(mean, POOL_AVERAGE), Variant(good.transpose(0, 2, 3, 1), POOL_NO_TRANSPOSE),
            Variant(good.transpose(0, 2, 3, 1).reshape(N, C, oh, ow), POOL_NO_TRANSPOSE)]


@check("Pooling", points=1, ja="forward (2×2・stride 2)", en="forward (2×2, stride 2)", public=True)
def test_pooling_forward(learner):
    x = np.random.default_rng(431).normal(size=(2, 3, 6, 4))
    pool = learner.Pooling(2, 2, stride=2)
    expect_array(pool.forward(x), _pool_loop(x, 2, 2, 2, 0)[0],
                 what="Pooling(2, 2, stride=2).forward(x (2, 3, 6, 4))",
                 variants=_pool_forward_variants(x, 2, 2, 2, 0))


@check("Pooling", points=1, ja="forward (重なる 3×3/2 窓)", en="forward (overlapping 3×3/2 windows)")
def test_pooling_forward_overlap(learner):
    x = np.random.default_rng(432).normal(size=(2, 3, 7, 7))
    pool = learner.Pooling(3, 3, stride=2)
    expect_array(pool.forward(x), _pool_loop(x, 3, 3, 2, 0)[0],
                 what="Pooling(3, 3, stride=2).forward(x (2, 3, 7, 7))",
                 variants=_pool_forward_variants(x, 3, 3, 2, 0))


@check("Pooling", points=1, ja="stride の既定値 2: Pooling(2, 2)", en="the default stride 2: Pooling(2, 2)")
def test_pooling_default_stride(learner):
    x = np.random.default_rng(440).normal(size=(1, 2, 4, 6))
    pool = learner.Pooling(2, 2)
    expect_array(pool.forward(x), _pool_loop(x, 2, 2, 2, 0)[0], what="Pooling(2, 2).forward(x (1, 2, 4, 6))",
                 variants=[*_pool_forward_variants(x, 2, 2, 2, 0),
                           Variant(_pool_loop(x, 2, 2, 1, 0)[0], POOL_DEFAULT_STRIDE)])


def _pool_pad_call(call, what):
    """The book's Pooling computes out_h without pad, so its reshape fails: name that bug, not numpy's message."""
    try:
        return call()
    except LearnerRaised as e:
        if e.type_name == "ValueError" and "reshape" in e.message:
            raise CheckFailed(Text(ja=f"{what}: {POOL_PAD_IGNORED.ja} (ValueError: {e.message})",
                                   en=f"{what}: {POOL_PAD_IGNORED.en} (ValueError: {e.message})"),
                              misconception=POOL_PAD_IGNORED) from None
        raise


@check("Pooling", points=1, ja="pad 1 (forward と backward): out_h に pad を入れる",
       en="pad 1 (forward and backward): out_h counts pad")
def test_pooling_pad(learner):
    x = np.random.default_rng(433).uniform(0.1, 1.0, size=(1, 2, 6, 5))  # 正の入力: 0 埋めでも -∞ 埋めでも同じ
    pool = learner.Pooling(3, 2, stride=2, pad=1)
    what = "Pooling(3, 2, stride=2, pad=1).forward(x (1, 2, 6, 5))"
    expect_array(_pool_pad_call(lambda: pool.forward(x), what), _pool_loop(x, 3, 2, 2, 1)[0], what=what,
                 variants=[*_pool_forward_variants(x, 3, 2, 2, 1),
                           Variant(_pool_loop(x, 3, 2, 2, 0)[0], POOL_PAD_IGNORED)])
    x = np.random.default_rng(438).uniform(0.1, 1.0, size=(1, 2, 6, 5))
    _expect_pool_backward(learner, x, 3, 2, 2, 1, 439, "Pooling(3, 2, stride=2, pad=1).backward(dout)")


def _expect_pool_backward(learner, x, ph, pw, stride, pad, seed, what):
    pool = learner.Pooling(ph, pw, stride=stride, pad=pad)
    out = _pool_pad_call(lambda: pool.forward(x), f"Pooling({ph}, {pw}, stride={stride}, pad={pad}).forward(x)")
    want_out = _pool_loop(x, ph, pw, stride, pad)[0]
    shape = as_array(out, "forward(x)", want_out).shape
    if shape != want_out.shape:
        fail(f"forward の形状が {shape} です。期待: {want_out.shape}",
             f"forward returned shape {shape}, expected {want_out.shape}")
    dout = np.random.default_rng(seed).normal(size=want_out.shape)
    to_max, to_all, spread = _pool_backward_loop(x, dout, ph, pw, stride, pad)
    expect_array(pool.backward(dout.copy()), to_max, what=what,
                 variants=[Variant(to_all, POOL_GRAD_ALL), Variant(spread, POOL_GRAD_MEAN)])


@check("Pooling", points=2, ja="backward (2×2・stride 2): 最大値の位置にだけ流す",
       en="backward (2×2, stride 2): only to the max")
def test_pooling_backward(learner):
    x = np.random.default_rng(434).normal(size=(2, 3, 6, 4))
    _expect_pool_backward(learner, x, 2, 2, 2, 0, 435, "Pooling(2, 2, stride=2).backward(dout)")


@check("Pooling", points=1, ja="backward (重なる窓は足し込む)", en="backward (overlapping windows add up)")
def test_pooling_backward_overlap(learner):
    x = np.random.default_rng(436).normal(size=(2, 2, 7, 7))
    _expect_pool_backward(learner, x, 3, 3, 2, 0, 437, "Pooling(3, 3, stride=2).backward(dout)")
