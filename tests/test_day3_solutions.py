"""Day 3 reference solutions (RNN, LSTM, GRU, bidirectional RNN, attention) against independent oracles.

Every backward is compared with a central-difference gradient of the layer's own forward (float64, odd shapes:
N, T, D, H all different and > 1); forwards with hand-worked numbers computed here with `math`, or with a plain
loop written here; the stubs raise NotImplementedError everywhere and share the solutions' API.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import math
from pathlib import Path

import numpy as np
import pytest

from solutions.day3 import section1 as s1
from solutions.day3 import section2 as s2
from solutions.day3 import section3 as s3
from solutions.day3 import section4 as s4
from solutions.day3 import section7 as s7

ROOT = Path(__file__).resolve().parent.parent
N, T, D, H = 2, 3, 4, 5  # all different and > 1: a swapped axis cannot pass by accident


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def numerical_grad(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """∂f/∂x by central differences; x is perturbed in place (and restored), so f must read it."""
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + eps
        fp = f()
        x[idx] = old - eps
        fm = f()
        x[idx] = old
        g[idx] = (fp - fm) / (2 * eps)
    return g


def assert_grad(analytic, f, x, name=""):
    np.testing.assert_allclose(analytic, numerical_grad(f, x), rtol=1e-5, atol=1e-7, err_msg=name)


def sig(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v))


# ================================================================ section 1: RNN, TimeRNN, clip_grads


def rnn_params(g, d=D, h=H):
    return g.normal(0, 0.5, (d, h)), g.normal(0, 0.5, (h, h)), g.normal(0, 0.5, h)


def test_rnn_forward_hand_worked():
    # D = 1, H = 1: h = tanh(h_prev·Wh + x·Wx + b) = tanh(0.5·0.3 + 2·0.4 − 0.1) = tanh(0.85)
    layer = s1.RNN(np.array([[0.4]]), np.array([[0.3]]), np.array([-0.1]))
    h = layer.forward(np.array([[2.0]]), np.array([[0.5]]))
    assert h.shape == (1, 1)
    assert h[0, 0] == pytest.approx(math.tanh(0.85))
    dx, dh_prev = layer.backward(np.array([[1.0]]))
    d_t = 1 - math.tanh(0.85) ** 2  # tanh′ on the output, not 1 − tanh
    assert dx[0, 0] == pytest.approx(d_t * 0.4) and dh_prev[0, 0] == pytest.approx(d_t * 0.3)
    assert layer.grads[0][0, 0] == pytest.approx(d_t * 2.0) and layer.grads[1][0, 0] == pytest.approx(d_t * 0.5)
    assert layer.grads[2][0] == pytest.approx(d_t)


def test_rnn_backward_matches_numerical_gradient():
    g = rng(1)
    Wx, Wh, b = rnn_params(g)
    x, h_prev, dh = g.normal(size=(N, D)), g.normal(size=(N, H)), g.normal(size=(N, H))
    layer = s1.RNN(Wx, Wh, b)
    grads_before = list(layer.grads)
    assert layer.forward(x, h_prev).shape == (N, H)
    dx, dh_prev = layer.backward(dh)
    assert all(a is b for a, b in zip(layer.grads, grads_before, strict=True))  # written in place

    def loss():
        return float(np.sum(s1.RNN(Wx, Wh, b).forward(x, h_prev) * dh))

    assert_grad(dx, loss, x, "dx")
    assert_grad(dh_prev, loss, h_prev, "dh_prev")
    for grad, p, name in zip(layer.grads, (Wx, Wh, b), ("dWx", "dWh", "db"), strict=True):
        assert_grad(grad, loss, p, name)


def plain_rnn(xs, Wx, Wh, b, h0=None):
    """The test's own loop: one step at a time with np.tanh."""
    h = np.zeros((xs.shape[0], Wh.shape[0])) if h0 is None else h0
    out = []
    for t in range(xs.shape[1]):
        h = np.tanh(h @ Wh + xs[:, t] @ Wx + b)
        out.append(h)
    return np.stack(out, axis=1)


def test_time_rnn_forward_is_the_step_loop():
    g = rng(2)
    Wx, Wh, b = rnn_params(g)
    xs = g.normal(size=(N, T, D))
    layer = s1.TimeRNN(Wx, Wh, b)
    hs = layer.forward(xs)
    assert hs.shape == (N, T, H)
    np.testing.assert_allclose(hs, plain_rnn(xs, Wx, Wh, b), rtol=1e-12)
    np.testing.assert_allclose(layer.h, hs[:, -1])


def test_time_rnn_backward_matches_numerical_gradient():
    g = rng(3)
    Wx, Wh, b = rnn_params(g)
    xs, dhs, h0 = g.normal(size=(N, T, D)), g.normal(size=(N, T, H)), g.normal(size=(N, H))
    layer = s1.TimeRNN(Wx, Wh, b, stateful=True)
    grads_before = list(layer.grads)
    layer.set_state(h0.copy())
    layer.forward(xs)
    dxs = layer.backward(dhs)
    assert dxs.shape == (N, T, D)
    assert all(a is b for a, b in zip(layer.grads, grads_before, strict=True))

    def loss():
        fresh = s1.TimeRNN(Wx, Wh, b, stateful=True)
        fresh.set_state(h0.copy())
        return float(np.sum(fresh.forward(xs) * dhs))

    assert_grad(dxs, loss, xs, "dxs")
    for grad, p, name in zip(layer.grads, (Wx, Wh, b), ("dWx", "dWh", "db"), strict=True):
        assert_grad(grad, loss, p, name)  # summed over time, with dh carried back
    assert_grad(layer.dh, loss, h0, "dh (to the initial state)")


def test_time_rnn_stateful_carries_h_and_stateless_restarts():
    g = rng(4)
    Wx, Wh, b = rnn_params(g)
    xs = g.normal(size=(N, 2 * T, D))
    whole = plain_rnn(xs, Wx, Wh, b)

    stateful = s1.TimeRNN(Wx, Wh, b, stateful=True)
    first, second = stateful.forward(xs[:, :T]), stateful.forward(xs[:, T:])
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole, rtol=1e-12)

    stateless = s1.TimeRNN(Wx, Wh, b)
    stateless.forward(xs[:, :T])
    np.testing.assert_allclose(stateless.forward(xs[:, T:]), plain_rnn(xs[:, T:], Wx, Wh, b), rtol=1e-12)

    h0 = g.normal(size=(N, H))
    stateful.set_state(h0)
    np.testing.assert_allclose(stateful.forward(xs[:, T:]), plain_rnn(xs[:, T:], Wx, Wh, b, h0), rtol=1e-12)
    stateful.reset_state()
    assert stateful.h is None
    np.testing.assert_allclose(stateful.forward(xs[:, :T]), whole[:, :T], rtol=1e-12)


def test_time_rnn_accepts_float32():
    g = rng(5)
    p64 = rnn_params(g)
    xs = g.normal(size=(N, T, D))
    ref = plain_rnn(xs, *p64)
    layer = s1.TimeRNN(*(p.astype(np.float32) for p in p64))
    hs = layer.forward(xs.astype(np.float32))
    np.testing.assert_allclose(hs, ref, atol=1e-5)
    dxs = layer.backward(np.ones((N, T, H), dtype=np.float32))
    assert dxs.shape == (N, T, D) and layer.grads[0].dtype == np.float32


def test_clip_grads_by_the_total_norm_hand_worked():
    # ‖[3, 4]‖² + ‖[12]‖² = 25 + 144 = 169, total norm 13; max_norm 6.5 → rate = 6.5/(13 + 1e-6) ≈ 0.5
    a, c = np.array([3.0, 4.0]), np.array([[12.0]])
    assert s1.clip_grads([a, c], 6.5) is None
    rate = 6.5 / (13 + 1e-6)
    np.testing.assert_allclose(a, [3 * rate, 4 * rate], rtol=1e-12)  # a alone (norm 5) was under 6.5: total norm
    np.testing.assert_allclose(c, [[12 * rate]], rtol=1e-12)

    a, c = np.array([3.0, 4.0]), np.array([[12.0]])
    s1.clip_grads([a, c], 20.0)  # rate 20/13 ≥ 1: untouched
    np.testing.assert_array_equal(a, [3.0, 4.0])
    np.testing.assert_array_equal(c, [[12.0]])


# ================================================================ section 2: LSTM, TimeLSTM


def lstm_params(g, d=D, h=H):
    return g.normal(0, 0.5, (d, 4 * h)), g.normal(0, 0.5, (h, 4 * h)), g.normal(0, 0.5, 4 * h)


def test_lstm_gate_order_hand_worked():
    # D = H = 1; the columns are f, g, i, o, each with a different pre-activation
    x, h_prev, c_prev = 1.0, 0.5, 2.0
    wx, wh, bb = [0.1, 0.2, 0.3, 0.4], [-0.2, 0.5, 0.1, 0.3], [0.05, -0.1, 0.2, -0.3]
    pre = [wx[k] * x + wh[k] * h_prev + bb[k] for k in range(4)]
    f, gg, i, o = sig(pre[0]), math.tanh(pre[1]), sig(pre[2]), sig(pre[3])
    c = f * c_prev + gg * i
    h = o * math.tanh(c)

    layer = s2.LSTM(np.array([wx]), np.array([wh]), np.array(bb))
    h_next, c_next = layer.forward(np.array([[x]]), np.array([[h_prev]]), np.array([[c_prev]]))
    assert c_next[0, 0] == pytest.approx(c) and h_next[0, 0] == pytest.approx(h)
    _, _, dc_prev = layer.backward(np.array([[0.0]]), np.array([[1.0]]))
    assert dc_prev[0, 0] == pytest.approx(f)  # the cell gradient passes through f only


def test_lstm_backward_matches_numerical_gradient():
    g = rng(6)
    Wx, Wh, b = lstm_params(g)
    x, h_prev, c_prev = g.normal(size=(N, D)), g.normal(size=(N, H)), g.normal(size=(N, H))
    dh, dc = g.normal(size=(N, H)), g.normal(size=(N, H))
    layer = s2.LSTM(Wx, Wh, b)
    grads_before = list(layer.grads)
    h_next, c_next = layer.forward(x, h_prev, c_prev)
    assert h_next.shape == c_next.shape == (N, H)
    dx, dh_prev, dc_prev = layer.backward(dh, dc)
    assert all(a is b for a, b in zip(layer.grads, grads_before, strict=True))

    def loss():
        hn, cn = s2.LSTM(Wx, Wh, b).forward(x, h_prev, c_prev)
        return float(np.sum(hn * dh) + np.sum(cn * dc))

    assert_grad(dx, loss, x, "dx")
    assert_grad(dh_prev, loss, h_prev, "dh_prev")
    assert_grad(dc_prev, loss, c_prev, "dc_prev")
    for grad, p, name in zip(layer.grads, (Wx, Wh, b), ("dWx", "dWh", "db"), strict=True):
        assert_grad(grad, loss, p, name)


def test_time_lstm_backward_matches_numerical_gradient():
    g = rng(7)
    Wx, Wh, b = lstm_params(g)
    xs, dhs = g.normal(size=(N, T, D)), g.normal(size=(N, T, H))
    h0, c0 = g.normal(size=(N, H)), g.normal(size=(N, H))
    layer = s2.TimeLSTM(Wx, Wh, b, stateful=True)
    layer.set_state(h0.copy(), c0.copy())
    hs = layer.forward(xs)
    assert hs.shape == (N, T, H)
    dxs = layer.backward(dhs)

    def loss():
        fresh = s2.TimeLSTM(Wx, Wh, b, stateful=True)
        fresh.set_state(h0.copy(), c0.copy())
        return float(np.sum(fresh.forward(xs) * dhs))

    assert_grad(dxs, loss, xs, "dxs")
    for grad, p, name in zip(layer.grads, (Wx, Wh, b), ("dWx", "dWh", "db"), strict=True):
        assert_grad(grad, loss, p, name)
    assert_grad(layer.dh, loss, h0, "dh (to the initial state)")


def plain_lstm(xs, Wx, Wh, b, h0=None, c0=None):
    """The test's own loop, from the gate formulas (columns f, g, i, o)."""
    h = np.zeros((xs.shape[0], Wh.shape[0])) if h0 is None else h0
    c = np.zeros_like(h) if c0 is None else c0
    hs = []
    for t in range(xs.shape[1]):
        A = xs[:, t] @ Wx + h @ Wh + b
        f, gg, i, o = (A[:, k * H:(k + 1) * H] for k in range(4))
        c = 1 / (1 + np.exp(-f)) * c + np.tanh(gg) / (1 + np.exp(-i))
        h = np.tanh(c) / (1 + np.exp(-o))
        hs.append(h)
    return np.stack(hs, axis=1), h, c


def test_time_lstm_state():
    g = rng(8)
    Wx, Wh, b = lstm_params(g)
    xs = g.normal(size=(N, 2 * T, D))
    whole, h_end, c_end = plain_lstm(xs, Wx, Wh, b)
    np.testing.assert_allclose(s2.TimeLSTM(Wx, Wh, b).forward(xs), whole, rtol=1e-12)

    layer = s2.TimeLSTM(Wx, Wh, b, stateful=True)
    parts = [layer.forward(xs[:, :T]), layer.forward(xs[:, T:])]
    np.testing.assert_allclose(np.concatenate(parts, axis=1), whole, rtol=1e-12)
    np.testing.assert_allclose(layer.h, h_end, rtol=1e-12)
    np.testing.assert_allclose(layer.c, c_end, rtol=1e-12)

    stateless = s2.TimeLSTM(Wx, Wh, b)
    stateless.forward(xs[:, :T])
    np.testing.assert_allclose(stateless.forward(xs[:, T:]), plain_lstm(xs[:, T:], Wx, Wh, b)[0], rtol=1e-12)

    h0, c0 = g.normal(size=(N, H)), g.normal(size=(N, H))
    layer.set_state(h0, c0)
    np.testing.assert_allclose(layer.forward(xs[:, :T]), plain_lstm(xs[:, :T], Wx, Wh, b, h0, c0)[0], rtol=1e-12)
    layer.set_state(h0)  # c = zeros when None
    np.testing.assert_array_equal(layer.c, np.zeros((N, H)))
    np.testing.assert_allclose(layer.forward(xs[:, :T]), plain_lstm(xs[:, :T], Wx, Wh, b, h0)[0], rtol=1e-12)
    layer.reset_state()
    assert layer.h is None and layer.c is None
    np.testing.assert_allclose(layer.forward(xs[:, :T]), whole[:, :T], rtol=1e-12)


def test_time_lstm_accepts_float32():
    g = rng(16)
    p64 = lstm_params(g)
    xs = g.normal(size=(N, T, D))
    layer = s2.TimeLSTM(*(p.astype(np.float32) for p in p64))
    np.testing.assert_allclose(layer.forward(xs.astype(np.float32)), plain_lstm(xs, *p64)[0], atol=1e-5)
    assert layer.backward(np.ones((N, T, H), dtype=np.float32)).shape == (N, T, D)
    assert layer.grads[1].dtype == np.float32


# ================================================================ section 3: GRU


def test_gru_gate_order_and_convention_hand_worked():
    # D = H = 1; columns z, r, ĥ
    x, h_prev = 1.5, -0.6
    wx, wh, bb = [0.4, -0.3, 0.8], [0.2, 0.7, -0.5], [0.1, 0.2, -0.1]
    z = sig(wx[0] * x + wh[0] * h_prev + bb[0])
    r = sig(wx[1] * x + wh[1] * h_prev + bb[1])
    h_hat = math.tanh(wx[2] * x + wh[2] * (r * h_prev) + bb[2])  # r before Whh
    expected = (1 - z) * h_prev + z * h_hat
    other_convention = z * h_prev + (1 - z) * h_hat
    assert abs(expected - other_convention) > 0.1  # the case tells the two conventions apart

    layer = s3.GRU(np.array([wx]), np.array([wh]), np.array(bb))
    h_next = layer.forward(np.array([[x]]), np.array([[h_prev]]))
    assert h_next.shape == (1, 1)
    assert h_next[0, 0] == pytest.approx(expected)


def test_gru_backward_matches_numerical_gradient():
    g = rng(9)
    Wx, Wh, b = g.normal(0, 0.5, (D, 3 * H)), g.normal(0, 0.5, (H, 3 * H)), g.normal(0, 0.5, 3 * H)
    x, h_prev, dh = g.normal(size=(N, D)), g.normal(size=(N, H)), g.normal(size=(N, H))
    layer = s3.GRU(Wx, Wh, b)
    grads_before = list(layer.grads)
    assert layer.forward(x, h_prev).shape == (N, H)
    dx, dh_prev = layer.backward(dh)
    assert all(a is b for a, b in zip(layer.grads, grads_before, strict=True))

    def loss():
        return float(np.sum(s3.GRU(Wx, Wh, b).forward(x, h_prev) * dh))

    assert_grad(dx, loss, x, "dx")
    assert_grad(dh_prev, loss, h_prev, "dh_prev")
    for grad, p, name in zip(layer.grads, (Wx, Wh, b), ("dWx", "dWh", "db"), strict=True):
        assert_grad(grad, loss, p, name)


# ================================================================ section 4: TimeBiRNN


def test_bi_rnn_concatenates_the_re_reversed_backward_direction():
    g = rng(10)
    p1, p2 = rnn_params(g), rnn_params(g)
    xs = g.normal(size=(N, T, D))
    layer = s4.TimeBiRNN(*p1, *p2)
    assert all(a is b for a, b in zip(layer.params, (*p1, *p2), strict=True))
    assert [gr.shape for gr in layer.grads] == [p.shape for p in (*p1, *p2)]
    hs = layer.forward(xs)
    assert hs.shape == (N, T, 2 * H)
    np.testing.assert_allclose(hs[:, :, :H], plain_rnn(xs, *p1), rtol=1e-12)
    np.testing.assert_allclose(hs[:, :, H:], plain_rnn(xs[:, ::-1], *p2)[:, ::-1], rtol=1e-12)
    # re-reversal: at the last time step the backward direction has read only xs[:, -1]
    Wx2, _, b2 = p2
    np.testing.assert_allclose(hs[:, -1, H:], np.tanh(xs[:, -1] @ Wx2 + b2), rtol=1e-12)
    Wx1, _, b1 = p1
    np.testing.assert_allclose(hs[:, 0, :H], np.tanh(xs[:, 0] @ Wx1 + b1), rtol=1e-12)


def test_bi_rnn_backward_matches_numerical_gradient():
    g = rng(11)
    params = (*rnn_params(g), *rnn_params(g))
    xs, dhs = g.normal(size=(N, T, D)), g.normal(size=(N, T, 2 * H))
    layer = s4.TimeBiRNN(*params)
    grads_before = list(layer.grads)
    layer.forward(xs)
    dxs = layer.backward(dhs)
    assert dxs.shape == (N, T, D)
    assert all(a is b for a, b in zip(layer.grads, grads_before, strict=True))

    def loss():
        return float(np.sum(s4.TimeBiRNN(*params).forward(xs) * dhs))

    assert_grad(dxs, loss, xs, "dxs")
    for k, (grad, p) in enumerate(zip(layer.grads, params, strict=True)):
        assert_grad(grad, loss, p, f"grads[{k}]")


# ================================================================ section 7: attention


def test_attention_weight_hand_worked_and_sums_to_one():
    hs = np.array([[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]])  # N = 1, T = 3, H = 2
    h = np.array([[2.0, 1.0]])
    a = s7.AttentionWeight().forward(hs, h)
    s = [2.0, 1.0, 3.0]  # hs[t]·h
    z = sum(math.exp(v) for v in s)
    np.testing.assert_allclose(a, [[math.exp(v) / z for v in s]], rtol=1e-12)  # softmax over T, not H

    g = rng(12)
    a = s7.AttentionWeight().forward(g.normal(size=(N, T, H)), g.normal(size=(N, H)))
    assert a.shape == (N, T)
    np.testing.assert_allclose(a.sum(axis=1), np.ones(N), rtol=1e-12)


def test_weight_sum_hand_worked():
    hs = np.array([[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]])
    a = np.array([[0.5, 0.3, 0.2]])
    layer = s7.WeightSum()
    c = layer.forward(hs, a)
    np.testing.assert_allclose(c, [[0.5 + 0.9 + 1.0, 1.0 + 1.2 + 1.2]], rtol=1e-12)
    dhs, da = layer.backward(np.array([[1.0, -1.0]]))
    np.testing.assert_allclose(dhs, [[[0.5, -0.5], [0.3, -0.3], [0.2, -0.2]]], rtol=1e-12)
    np.testing.assert_allclose(da, [[-1.0, -1.0, -1.0]], rtol=1e-12)


def test_attention_layers_backward_match_numerical_gradient():
    g = rng(13)
    hs, h = g.normal(size=(N, T, H)), g.normal(size=(N, H))
    a_in = softmax_rows(g.normal(size=(N, T)))
    da, dc = g.normal(size=(N, T)), g.normal(size=(N, H))

    aw = s7.AttentionWeight()
    aw.forward(hs, h)
    dhs, dh = aw.backward(da)
    assert dhs.shape == (N, T, H) and dh.shape == (N, H)
    assert_grad(dhs, lambda: float(np.sum(s7.AttentionWeight().forward(hs, h) * da)), hs, "AttentionWeight dhs")
    assert_grad(dh, lambda: float(np.sum(s7.AttentionWeight().forward(hs, h) * da)), h, "AttentionWeight dh")

    ws = s7.WeightSum()
    ws.forward(hs, a_in)
    dhs, da_out = ws.backward(dc)
    assert dhs.shape == (N, T, H) and da_out.shape == (N, T)
    assert_grad(dhs, lambda: float(np.sum(s7.WeightSum().forward(hs, a_in) * dc)), hs, "WeightSum dhs")
    assert_grad(da_out, lambda: float(np.sum(s7.WeightSum().forward(hs, a_in) * dc)), a_in, "WeightSum da")

    att = s7.Attention()
    c = att.forward(hs, h)
    assert c.shape == (N, H) and att.attention_weight.shape == (N, T)
    dhs, dh = att.backward(dc)
    assert_grad(dhs, lambda: float(np.sum(s7.Attention().forward(hs, h) * dc)), hs, "Attention dhs")
    assert_grad(dh, lambda: float(np.sum(s7.Attention().forward(hs, h) * dc)), h, "Attention dh")


def softmax_rows(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_scaled_dot_product_attention_hand_worked():
    # d_k = 4, √d_k = 2: scores = [2, 0]/2 = [1, 0] → weights [e/(e + 1), 1/(e + 1)]
    Q = np.array([[1.0, 0.0, 1.0, 0.0]])
    K = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    V = np.array([[1.0, 2.0], [3.0, 4.0]])
    out, w = s7.scaled_dot_product_attention(Q, K, V)
    e = math.e
    np.testing.assert_allclose(w, [[e / (e + 1), 1 / (e + 1)]], rtol=1e-12)  # unscaled would be softmax([2, 0])
    np.testing.assert_allclose(out, [[(e * 1 + 3) / (e + 1), (e * 2 + 4) / (e + 1)]], rtol=1e-12)


def test_scaled_dot_product_attention_mask_and_leading_dims():
    g = rng(14)
    B, heads, Tq, Tk, dk, dv = 2, 3, 4, 5, 6, 7
    Q, K, V = g.normal(size=(B, heads, Tq, dk)), g.normal(size=(B, heads, Tk, dk)), g.normal(size=(B, heads, Tk, dv))
    mask = np.triu(np.ones((Tq, Tk), dtype=bool), k=1)  # causal: key j > query i blocked; no row fully blocked
    out, w = s7.scaled_dot_product_attention(Q, K, V, mask=mask)
    assert out.shape == (B, heads, Tq, dv) and w.shape == (B, heads, Tq, Tk)
    np.testing.assert_allclose(w.sum(axis=-1), np.ones((B, heads, Tq)), rtol=1e-12)
    assert np.all(w[..., mask] == 0.0)  # masked before the softmax: exactly 0
    for bi in range(B):
        for hi in range(heads):
            for i in range(Tq):
                allowed = ~mask[i]
                s = np.array([Q[bi, hi, i] @ K[bi, hi, j] / math.sqrt(dk) for j in range(Tk) if allowed[j]])
                wi = np.exp(s - s.max()) / np.exp(s - s.max()).sum()
                np.testing.assert_allclose(w[bi, hi, i, allowed], wi, rtol=1e-12)
                np.testing.assert_allclose(out[bi, hi, i], wi @ V[bi, hi, allowed], rtol=1e-10)

    out2, w2 = s7.scaled_dot_product_attention(Q[0, 0], K[0, 0], V[0, 0])  # no leading dims, no mask
    np.testing.assert_allclose(w2.sum(axis=-1), np.ones(Tq), rtol=1e-12)
    np.testing.assert_allclose(out2, w2 @ V[0, 0], rtol=1e-12)


# ================================================================ the stubs

SECTIONS = ["section1", "section2", "section3", "section4", "section7"]


def load(kind: str, sec: str):
    return importlib.import_module(f"{kind}.day3.{sec}")


def api(mod) -> dict:
    out = {}
    for name, obj in vars(mod).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != mod.__name__:
            continue
        if inspect.isclass(obj):
            out[name] = {m: str(inspect.signature(f)) for m, f in vars(obj).items()
                         if callable(f) and (not m.startswith("_") or m == "__init__")}
        elif callable(obj):
            out[name] = str(inspect.signature(obj))
    return out


@pytest.mark.parametrize("sec", SECTIONS)
def test_stub_shares_the_solution_api(sec):
    assert api(load("exercises", sec)) == api(load("solutions", sec))


@pytest.mark.parametrize("sec", SECTIONS)
def test_stub_marks_every_edit_point_with_one_todo(sec):
    path = ROOT / "exercises" / "day3" / f"{sec}.py"
    text = path.read_text(encoding="utf-8")
    raises = [n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Raise)
              and "NotImplementedError" in ast.unparse(n.exc or ast.Constant(None))]
    assert raises and text.count("TODO") == len(raises)


def stub_calls(sec: str):
    """(exercise, call) for every public function and method a learner writes."""
    m = load("exercises", sec)
    g = rng(15)
    x2, h2, xs = g.normal(size=(N, D)), g.normal(size=(N, H)), g.normal(size=(N, T, D))
    if sec == "section1":
        p = rnn_params(g)
        return [("RNN.forward", lambda: m.RNN(*p).forward(x2, h2)),
                ("RNN.backward", lambda: m.RNN(*p).backward(h2)),
                ("TimeRNN.forward", lambda: m.TimeRNN(*p).forward(xs)),
                ("TimeRNN.backward", lambda: m.TimeRNN(*p).backward(np.ones((N, T, H)))),
                ("TimeRNN.set_state", lambda: m.TimeRNN(*p).set_state(h2)),
                ("TimeRNN.reset_state", lambda: m.TimeRNN(*p).reset_state()),
                ("clip_grads", lambda: m.clip_grads([np.ones(3)], 1.0))]
    if sec == "section2":
        p = lstm_params(g)
        return [("LSTM.forward", lambda: m.LSTM(*p).forward(x2, h2, h2)),
                ("LSTM.backward", lambda: m.LSTM(*p).backward(h2, h2)),
                ("TimeLSTM.forward", lambda: m.TimeLSTM(*p).forward(xs)),
                ("TimeLSTM.backward", lambda: m.TimeLSTM(*p).backward(np.ones((N, T, H)))),
                ("TimeLSTM.set_state", lambda: m.TimeLSTM(*p).set_state(h2)),
                ("TimeLSTM.reset_state", lambda: m.TimeLSTM(*p).reset_state())]
    if sec == "section3":
        p = (g.normal(size=(D, 3 * H)), g.normal(size=(H, 3 * H)), g.normal(size=3 * H))
        return [("GRU.forward", lambda: m.GRU(*p).forward(x2, h2)),
                ("GRU.backward", lambda: m.GRU(*p).backward(h2))]
    if sec == "section4":
        p = (*rnn_params(g), *rnn_params(g))
        return [("TimeBiRNN.forward", lambda: m.TimeBiRNN(*p).forward(xs)),
                ("TimeBiRNN.backward", lambda: m.TimeBiRNN(*p).backward(np.ones((N, T, 2 * H))))]
    hs, h = g.normal(size=(N, T, H)), g.normal(size=(N, H))
    return [("AttentionWeight.forward", lambda: m.AttentionWeight().forward(hs, h)),
            ("AttentionWeight.backward", lambda: m.AttentionWeight().backward(np.ones((N, T)))),
            ("WeightSum.forward", lambda: m.WeightSum().forward(hs, np.ones((N, T)) / T)),
            ("WeightSum.backward", lambda: m.WeightSum().backward(h)),
            ("Attention.forward", lambda: m.Attention().forward(hs, h)),
            ("Attention.backward", lambda: m.Attention().backward(h)),
            ("scaled_dot_product_attention", lambda: m.scaled_dot_product_attention(hs, hs, hs))]


def learner_methods(mod) -> set[str]:
    """Every public function, and every public method of a public class, that the module defines."""
    names = set()
    for name, obj in vars(mod).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != mod.__name__:
            continue
        if inspect.isclass(obj):
            names |= {f"{name}.{k}" for k, v in vars(obj).items() if inspect.isfunction(v) and not k.startswith("_")}
        else:
            names.add(name)
    return names


@pytest.mark.parametrize("sec", SECTIONS)
def test_every_stub_exercise_raises_not_implemented(sec):
    calls = stub_calls(sec)
    assert {name for name, _ in calls} == learner_methods(load("exercises", sec))  # none left untried
    for name, call in calls:
        with pytest.raises(NotImplementedError):
            call()
            pytest.fail(f"the stub's {name} returned instead of raising NotImplementedError")


def test_stub_init_plumbing_is_the_solutions():
    """The given __init__ keeps the arrays passed in and allocates zero gradients of the same shapes."""
    g = rng(17)
    cases = [("section1", "RNN", rnn_params(g)), ("section1", "TimeRNN", rnn_params(g)),
             ("section2", "LSTM", lstm_params(g)), ("section2", "TimeLSTM", lstm_params(g)),
             ("section3", "GRU", (g.normal(size=(D, 3 * H)), g.normal(size=(H, 3 * H)), g.normal(size=3 * H))),
             ("section4", "TimeBiRNN", (*rnn_params(g), *rnn_params(g)))]
    for sec, cls, params in cases:
        layer = getattr(load("exercises", sec), cls)(*params)
        assert all(a is b for a, b in zip(layer.params, params, strict=True)), cls
        assert [gr.shape for gr in layer.grads] == [p.shape for p in params], cls
        assert not any(gr.any() for gr in layer.grads), cls
    for cls in ("AttentionWeight", "WeightSum", "Attention"):
        layer = getattr(load("exercises", "section7"), cls)()
        assert layer.params == [] and layer.grads == [], cls
