"""The checks' vectorised oracles agree with plain loops written from the formulas.

Some checks compute an expected value with a form that takes every perturbed copy of an argument at once
(central_difference's batched form, docs/SPEED.md): the shift-and-add convolution of day2.section4, the LSTM,
affine map and masked cross-entropy of day3.section5, the CBOW loss of day3.section6. Each is held here to a loop
over the definition, on odd shapes, so that speed never changes what a check expects.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from grader.checks.day2 import section4 as conv
from grader.checks.day3 import section5 as s2s
from grader.checks.day3 import section6 as w2v
from grader.engine.api import central_difference


@pytest.mark.parametrize(("xshape", "wshape", "stride", "pad"), [
    ((2, 3, 5, 6), (4, 3, 3, 3), 1, 0), ((2, 2, 7, 6), (3, 2, 3, 2), 2, 1), ((1, 1, 4, 5), (2, 1, 2, 3), 3, 2)])
def test_the_shift_and_add_convolution_is_the_loop_one(xshape, wshape, stride, pad):
    rng = np.random.default_rng(1)
    x, W, b = rng.normal(size=xshape), rng.normal(size=wshape), rng.normal(size=wshape[0])
    np.testing.assert_allclose(conv._conv_shift(x, W, b, stride, pad), conv._conv_loop(x, W, b, stride, pad),
                               rtol=1e-12, atol=1e-12)
    copies = np.stack([x, 2 * x, -x])  # a leading axis of copies: one convolution each
    got = conv._conv_shift(copies, W, b, stride, pad)
    for k in range(3):
        np.testing.assert_allclose(got[k], conv._conv_loop(copies[k], W, b, stride, pad), rtol=1e-12, atol=1e-12)


def _lstm_loop(xs, Wx, Wh, b, h0=None):
    N, T, _ = xs.shape
    H = Wh.shape[0]
    h = np.zeros((N, H)) if h0 is None else h0
    c = np.zeros((N, H))
    out = np.zeros((N, T, H))
    for n in range(N):
        hn, cn = h[n].copy(), c[n].copy()
        for t in range(T):
            a = xs[n, t] @ Wx + hn @ Wh + b
            f, g, i, o = (1 / (1 + np.exp(-a[:H])), np.tanh(a[H:2 * H]), 1 / (1 + np.exp(-a[2 * H:3 * H])),
                          1 / (1 + np.exp(-a[3 * H:])))
            cn = f * cn + g * i
            hn = o * np.tanh(cn)
            out[n, t] = hn
    return out


def _ce_loop(scores, labels, how="mean", delta=0.0):
    N, T, _ = scores.shape
    total, kept = 0.0, 0
    for n in range(N):
        for t in range(T):
            if labels[n, t] == -1 and how != "not_ignored":
                continue
            e = np.exp(scores[n, t] - scores[n, t].max())
            total -= math.log(e[labels[n, t]] / e.sum() + delta)
            kept += 1
    return total / {"sum": 1, "N": N, "T": T, "counted": N * T}.get(how, kept)


def test_the_seq2seq_oracles_are_the_loop_ones():
    rng = np.random.default_rng(2)
    xs, Wx, Wh, b, h0 = (rng.normal(size=s) for s in ((3, 4, 2), (2, 12), (3, 12), (12,), (3, 3)))
    np.testing.assert_allclose(s2s._lstm(xs, Wx, Wh, b), _lstm_loop(xs, Wx, Wh, b), rtol=1e-12)
    np.testing.assert_allclose(s2s._lstm(xs, Wx, Wh, b, h0), _lstm_loop(xs, Wx, Wh, b, h0), rtol=1e-12)
    W, bias = rng.normal(size=(2, 5)), rng.normal(size=5)
    np.testing.assert_allclose(s2s._affine(xs, W, bias), np.array([[x @ W + bias for x in row] for row in xs]))
    scores = rng.normal(size=(2, 4, 3))
    labels = np.array([[1, 2, -1, -1], [0, 2, 1, -1]])
    for how in ("mean", "sum", "N", "T", "counted", "not_ignored"):
        for delta in (0.0, 1e-7):
            assert s2s._ce(scores, labels, how, delta) == pytest.approx(_ce_loop(scores, labels, how, delta), rel=1e-12)


def test_the_batched_seq2seq_gradient_is_the_element_by_element_one():
    """central_difference over every copy at once gives the gradient the element-by-element loop gives."""
    q = s2s._enc_params(552, 5, 3, 4) + s2s._dec_params(553, 5, 3, 4)
    for k in (0, 3, 4, 9):  # an embedding, a bias (copies (P, 1, n)), the decoder's embedding, the affine bias
        fixed = [np.array(a, dtype=float) for a in q]

        def one(a, k=k, fixed=fixed):
            return float(s2s._s2s_loss(fixed[:k] + [a] + fixed[k + 1:], s2s.SXS, s2s.STS))

        plain = central_difference(one, {"a": fixed[k]}, s2s.EPS)["a"]
        np.testing.assert_allclose(s2s._numerical(lambda *r: s2s._s2s_loss(r, s2s.SXS, s2s.STS), q, k), plain,
                                   rtol=1e-6, atol=1e-9)


def test_the_cbow_loss_is_the_loop_one():
    W_in, W_out = w2v._cbow_weights(7, 4, 630)
    ctx, tgt = w2v._cbow_data(7, 5, 631)
    for how in ("ok", "sum", "one"):
        total = 0.0
        for n in range(len(ctx)):
            h0, h1 = ctx[n, 0] @ W_in, ctx[n, 1] @ W_in
            s = {"ok": 0.5 * (h0 + h1), "sum": h0 + h1, "one": h0}[how] @ W_out
            e = np.exp(s - s.max())
            total -= math.log(e[int(np.argmax(tgt[n]))] / e.sum() + w2v.DELTA)
        assert float(w2v._cbow_loss(W_in, W_out, ctx, tgt, how)) == pytest.approx(total / len(ctx), rel=1e-12)
