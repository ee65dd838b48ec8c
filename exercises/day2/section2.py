"""Day 2 Section 2: 学習率最適化手法 (SGD, Momentum, AdaGrad, RMSprop, Adam) を実装します。
Day 2 Section 2: implement the learning-rate optimizers SGD, Momentum, AdaGrad, RMSprop and Adam.

共通の約束 / Common rules (ゼロから作るDeep Learning の common/optimizer.py と同じ API):

- ``opt.update(params, grads)``: ``params`` と ``grads`` は同じキーを持つ dict で、値は ndarray。
  ``params[key]`` と ``grads[key]`` は同じ形状 (形状は任意: (D,), (D, H), (FN, C, FH, FW) …)。
  ``params`` and ``grads`` are dicts with the same keys; ``params[key]`` and ``grads[key]`` are ndarrays of
  the same (any) shape.
- 配列は **その場で (in place)** 更新します: ``params[key] -= ...`` / ``params[key] += ...``。
  ``params[key] = params[key] - ...`` は新しい配列を作って dict の中身を差し替える (rebinding) だけなので、
  ネットワークが持っている元の配列 (例: ``Affine.W``) は更新されません。これは誤りです。
  Update the arrays **in place** (``params[key] -= ...``). ``params[key] = params[key] - ...`` rebinds the key
  to a new array and leaves the network's own array (e.g. ``Affine.W``) untouched: this is wrong.
- 状態 (速度 ``v``、二乗和 ``h``、モーメント ``m``, ``v``) はキーごとの dict で、最初の ``update``
  呼び出しで ``np.zeros_like(params[key])`` から作り (本と同じく ``__init__`` では ``None``)、
  呼び出しをまたいで保持します。
  State (velocity ``v``, squared sum ``h``, moments ``m``, ``v``) is a dict keyed like ``params``, created
  from ``np.zeros_like(params[key])`` on the first call to ``update`` (``None`` in ``__init__``, as in the
  book) and kept between calls.
- ``__init__`` は記入済みです。実装するのは ``update`` だけです。
  ``__init__`` is already filled in; the exercise is ``update``.
- 0 除算を防ぐ小さな定数 ε は本と同じ ``1e-7`` です。 The small constant ε is ``1e-7``, as in the book.
"""

import numpy as np


class SGD:
    """確率的勾配降下法 / Stochastic gradient descent.

    更新式 / Update rule (各キー / for every key)::

        W ← W − lr · ∂L/∂W

    引数 / Arguments: ``lr`` 学習率 / learning rate (既定 / default 0.01)。状態なし / no state.

    形状 / Shapes: ``params[key]``, ``grads[key]``: 同じ形状 (任意) / same shape (any).

    例 / Example::

        opt = SGD(lr=0.1)
        params = {"W": np.array([1.0, 2.0])}
        opt.update(params, {"W": np.array([0.5, -0.5])})
        # W = [1.0 − 0.1·0.5, 2.0 − 0.1·(−0.5)] = [0.95, 2.05]

    注意 / Note: ``params[key] -= ...`` とその場で更新すること (``params[key] = ...`` の再代入は誤り)。
    Update in place with ``params[key] -= ...`` (rebinding ``params[key] = ...`` is wrong).
    """

    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        """params の各配列をその場で更新する / Update every array of params in place."""
        # TODO: 各キーについて W ← W − lr·grad をその場で行う / for each key do W ← W − lr·grad in place
        raise NotImplementedError


class Momentum:
    """モメンタム SGD / Momentum SGD.

    更新式 / Update rule (各キー、v の初期値は 0 / for every key, v starts at 0)::

        v ← momentum · v − lr · ∂L/∂W
        W ← W + v

    v は「速度」: 過去の勾配の指数減衰和で、同じ向きの勾配が続くと加速し、向きが振動すると打ち消し合います。
    v is the "velocity": an exponentially decaying sum of past gradients; it speeds up along a consistent
    direction and damps oscillations.

    引数 / Arguments: ``lr`` (既定 / default 0.01), ``momentum`` 慣性係数 / momentum coefficient
    (既定 / default 0.9, 典型値 / typical 0.5–0.9)。
    状態 / State: ``self.v`` — ``None`` で始まり、最初の ``update`` でキーごとに ``np.zeros_like`` を
    作る dict。
    ``self.v`` starts as ``None``; the first ``update`` makes a dict of ``np.zeros_like`` arrays, one per key.

    形状 / Shapes: ``params[key]``, ``grads[key]``, ``self.v[key]``: 同じ形状 (任意) / same shape (any).

    例 / Example (2 回の呼び出しで速度が残ることを確認 / two calls: the velocity carries over)::

        opt = Momentum(lr=0.1, momentum=0.9)
        params = {"W": np.array([1.0])}
        opt.update(params, {"W": np.array([0.5])})
        # v = 0.9·0 − 0.1·0.5 = −0.05,            W = 1.0 − 0.05  = 0.95
        opt.update(params, {"W": np.array([0.5])})
        # v = 0.9·(−0.05) − 0.1·0.5 = −0.095,     W = 0.95 − 0.095 = 0.855

    注意 / Note: v は呼び出しをまたいで保持する (毎回 0 に戻すとただの SGD)。配列はその場で更新する
    (``params[key] += ...``; ``params[key] = ...`` の再代入は誤り)。
    Keep v between calls (resetting it every call is plain SGD). Update in place (``params[key] += ...``;
    rebinding ``params[key] = ...`` is wrong).
    """

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        """速度 v を更新し、params をその場で更新する / Update v, then params in place."""
        # TODO: self.v を初回に作り v ← momentum·v − lr·grad, W ← W + v / make self.v once; update v, W
        raise NotImplementedError


class AdaGrad:
    """AdaGrad.

    更新式 / Update rule (各キー・各要素、h の初期値は 0 / for every key and element, h starts at 0)::

        h ← h + (∂L/∂W)²                 (要素ごとの二乗 / element-wise square)
        W ← W − lr · (∂L/∂W) / (√h + ε)   (ε = 1e-7)

    よく動いた (勾配が大きかった) 要素ほど学習率が小さくなります。h は増える一方なので、学習が進むと
    更新量は 0 に近づきます。
    Elements that moved a lot (large gradients) get a smaller learning rate. h only grows, so the steps shrink
    towards 0 as training goes on.

    ε の位置 / Where ε goes: ``√h + ε`` (本 / the book) と ``√(h + ε)`` のどちらでも正解とします。
    Both ``√h + ε`` (the book) and ``√(h + ε)`` are accepted.

    引数 / Arguments: ``lr`` (既定 / default 0.01)。
    状態 / State: ``self.h`` — ``None`` で始まり、最初の ``update`` でキーごとに ``np.zeros_like`` を
    作る dict。
    ``self.h`` starts as ``None``; the first ``update`` makes a dict of ``np.zeros_like`` arrays, one per key.

    形状 / Shapes: ``params[key]``, ``grads[key]``, ``self.h[key]``: 同じ形状 (任意) / same shape (any).

    例 / Example::

        opt = AdaGrad(lr=0.1)
        params = {"W": np.array([1.0])}
        opt.update(params, {"W": np.array([2.0])})
        # h = 0 + 2² = 4,   W = 1.0 − 0.1·2/(√4 + 1e-7) ≈ 0.9
        opt.update(params, {"W": np.array([1.0])})
        # h = 4 + 1² = 5,   W = 0.9 − 0.1·1/(√5 + 1e-7) ≈ 0.855279

    注意 / Note: h は呼び出しをまたいで保持し、配列はその場で更新する (``params[key] = ...`` の再代入は誤り)。
    Keep h between calls and update in place (rebinding ``params[key] = ...`` is wrong).
    """

    def __init__(self, lr=0.01):
        self.lr = lr
        self.h = None

    def update(self, params, grads):
        """h に勾配の二乗を足し、params をその場で更新する / Add grad² to h, update params in place."""
        # TODO: self.h を初回に作り h ← h + grad², W ← W − lr·grad/(√h + 1e-7) / make h once; update h, W
        raise NotImplementedError


class RMSprop:
    """RMSprop.

    更新式 / Update rule (各キー・各要素、h の初期値は 0 / for every key and element, h starts at 0)::

        h ← decay_rate · h + (1 − decay_rate) · (∂L/∂W)²
        W ← W − lr · (∂L/∂W) / (√h + ε)   (ε = 1e-7)

    AdaGrad の「二乗和」を「二乗の指数移動平均」に変えたもの: 古い勾配は decay_rate 倍ずつ忘れられるので、
    学習率が 0 まで縮み切ってしまうことがありません。decay_rate (0.99 など) が掛かるのは **古い h** の方です。
    AdaGrad's running sum replaced by an exponential moving average of squared gradients: old gradients fade
    by a factor decay_rate per step, so the step size does not shrink to 0. decay_rate (e.g. 0.99) multiplies
    the **old h**, and (1 − decay_rate) the new squared gradient.

    ε の位置 / Where ε goes: AdaGrad と同じく ``√h + ε`` (本) と ``√(h + ε)`` のどちらでも正解とします。
    As for AdaGrad, both ``√h + ε`` (the book) and ``√(h + ε)`` are accepted.

    引数 / Arguments: ``lr`` (既定 / default 0.01), ``decay_rate`` (既定 / default 0.99)。
    状態 / State: ``self.h`` — ``None`` で始まり、最初の ``update`` でキーごとに ``np.zeros_like`` を
    作る dict。
    ``self.h`` starts as ``None``; the first ``update`` makes a dict of ``np.zeros_like`` arrays, one per key.

    形状 / Shapes: ``params[key]``, ``grads[key]``, ``self.h[key]``: 同じ形状 (任意) / same shape (any).

    例 / Example::

        opt = RMSprop(lr=0.1, decay_rate=0.9)
        params = {"W": np.array([1.0])}
        opt.update(params, {"W": np.array([2.0])})
        # h = 0.9·0 + 0.1·2² = 0.4,   W = 1.0 − 0.1·2/(√0.4 + 1e-7) ≈ 1.0 − 0.316228 = 0.683772

    注意 / Note: h は呼び出しをまたいで保持し、配列はその場で更新する (``params[key] = ...`` の再代入は誤り)。
    Keep h between calls and update in place (rebinding ``params[key] = ...`` is wrong).
    """

    def __init__(self, lr=0.01, decay_rate=0.99):
        self.lr = lr
        self.decay_rate = decay_rate
        self.h = None

    def update(self, params, grads):
        """h を指数移動平均で更新し、params をその場で更新する / Update h, then params in place."""
        # TODO: h を初回に作り h ← ρ·h + (1−ρ)·grad², W ← W − lr·grad/(√h+1e-7) / make h; update h, W
        raise NotImplementedError


class Adam:
    """Adam (Kingma & Ba, 2014): Momentum (1 次モーメント) + RMSprop (2 次モーメント) + バイアス補正.

    t は ``update`` の呼び出し回数 (1, 2, 3, …)、m と v の初期値は 0。
    t counts the calls to ``update`` (1, 2, 3, …); m and v start at 0.

    論文の形 / The paper's form (各キー・各要素 / for every key and element)::

        m ← β1 · m + (1 − β1) · g            (g = ∂L/∂W)
        v ← β2 · v + (1 − β2) · g²
        m̂ = m / (1 − β1^t),   v̂ = v / (1 − β2^t)        (バイアス補正 / bias correction)
        W ← W − lr · m̂ / (√v̂ + ε)

    本の形 / The book's form (同じ式を並べ替えたもの / the same maths rearranged)::

        lr_t = lr · √(1 − β2^t) / (1 − β1^t)
        m ← m + (1 − β1) · (g − m)
        v ← v + (1 − β2) · (g² − v)
        W ← W − lr_t · m / (√v + ε)

    どちらの形でも正解とします (ε の位置による差は無視できる程度)。ただしバイアス補正は必須です:
    m と v は 0 から始まるので、最初の数ステップでは 0 側に偏っています (t = 1 では m = 0.1·g)。
    Both forms are accepted (they differ only by where ε acts). Bias correction is required, though: m and v
    start at 0, so they are biased towards 0 during the first steps (at t = 1, m = 0.1·g).

    ε = 1e-7 (本と同じ / as in the book).

    引数 / Arguments: ``lr`` (既定 / default 0.001), ``beta1`` (既定 / default 0.9),
    ``beta2`` (既定 / default 0.999)。
    状態 / State: ``self.iter`` (= t, 0 で始まる / starts at 0), ``self.m``, ``self.v`` — ``None`` で始まり、
    最初の ``update`` でキーごとに ``np.zeros_like`` を作る dict。
    ``self.m`` and ``self.v`` start as ``None``; the first ``update`` makes dicts of ``np.zeros_like`` arrays.
    ``self.iter`` は 1 回の ``update`` につき 1 だけ増やします (キーごとではない)。
    ``self.iter`` grows by 1 per call to ``update`` (not per key).

    形状 / Shapes: ``params[key]``, ``grads[key]``, ``self.m[key]``, ``self.v[key]``: 同じ形状 (任意) /
    same shape (any).

    例 / Example (勾配が一定なら 1 ステップの移動量は ≈ lr / with a constant gradient each step moves ≈ lr)::

        opt = Adam(lr=0.1)                       # beta1=0.9, beta2=0.999
        params = {"W": np.array([1.0])}
        opt.update(params, {"W": np.array([0.5])})
        # t=1: m = 0.05, v = 0.00025, m̂ = 0.05/0.1 = 0.5, v̂ = 0.00025/0.001 = 0.25
        #      W = 1.0 − 0.1·0.5/(√0.25 + 1e-7) ≈ 0.9
        opt.update(params, {"W": np.array([0.5])})
        # t=2: m = 0.095, v = 0.00049975, m̂ = 0.095/0.19 = 0.5, v̂ = 0.00049975/0.001999 = 0.25
        #      W ≈ 0.9 − 0.1 = 0.8
        # バイアス補正を忘れると t=1 で W = 1.0 − 0.1·0.05/√0.00025 ≈ 0.683772 (補正なしは誤り)
        # without bias correction, t=1 gives W ≈ 0.683772 (wrong)

    注意 / Note: m, v, t は呼び出しをまたいで保持し、配列はその場で更新する
    (``params[key] = ...`` の再代入は誤り)。
    Keep m, v and t between calls and update in place (rebinding ``params[key] = ...`` is wrong).
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 0
        self.m = None
        self.v = None

    def update(self, params, grads):
        """m, v, t を更新し、バイアス補正付きで params をその場で更新する / Update m, v, t and params."""
        # TODO: m, v を初回に作り t += 1、m, v、補正付きで W を更新 / make m, v; t += 1; bias-corrected step
        raise NotImplementedError
