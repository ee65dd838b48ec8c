"""Hidden checks of day2.section2 (学習率最適化手法): SGD, Momentum, AdaGrad, RMSprop, Adam.

The oracle is a per-element update rule written here from the formulas (not the solution's code path);
each known misconception is the same rule with one slip, so a wrong result can be named.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from grader.engine.api import CheckFailed, Msg, Text, Variant, case, cases, check, expect_array, fail

EPS = 1e-7
RTOL = 2e-5

# A rule maps (param, grad, state dict, step t starting at 1, hyperparameters) → new param, mutating state.
Rule = Callable[[np.ndarray, np.ndarray, dict, int, dict], np.ndarray]


def _zeros(state: dict, name: str, like: np.ndarray) -> np.ndarray:
    if name not in state:
        state[name] = np.zeros_like(like)
    return state[name]


def sgd(w, g, s, t, hp, sign=1.0):
    return w - sign * hp["lr"] * g


def momentum(w, g, s, t, hp, flip=False, reset=False, minus_v=False):
    v = np.zeros_like(w) if reset else _zeros(s, "v", w)
    v = hp["momentum"] * v + (hp["lr"] * g if flip else -hp["lr"] * g)
    s["v"] = v
    return w - v if minus_v else w + v


def adagrad(w, g, s, t, hp, square=True, root=True, reset=False, eps_inside=False):
    h = np.zeros_like(w) if reset else _zeros(s, "h", w)
    h = h + (g * g if square else g)
    s["h"] = h
    if not root:
        return w - hp["lr"] * g / (h + EPS)
    denom = np.sqrt(h + EPS) if eps_inside else np.sqrt(h) + EPS
    return w - hp["lr"] * g / denom


def rmsprop(w, g, s, t, hp, swapped=False, square=True, root=True, reset=False, eps_inside=False):
    rho = hp["decay_rate"]
    h = np.zeros_like(w) if reset else _zeros(s, "h", w)
    g2 = g * g if square else g
    h = (1 - rho) * h + rho * g2 if swapped else rho * h + (1 - rho) * g2
    s["h"] = h
    if not root:
        return w - hp["lr"] * g / (h + EPS)
    denom = np.sqrt(h + EPS) if eps_inside else np.sqrt(h) + EPS
    return w - hp["lr"] * g / denom


def adam(w, g, s, t, hp, form="book", square=True):
    b1, b2 = hp["beta1"], hp["beta2"]
    m = b1 * _zeros(s, "m", w) + (1 - b1) * g
    v = b2 * _zeros(s, "v", w) + (1 - b2) * (g * g if square else g)
    s["m"], s["v"] = m, v
    if form == "book":  # ゼロから作るDeep Learning: bias correction folded into lr_t
        lr_t = hp["lr"] * np.sqrt(1 - b2**t) / (1 - b1**t)
        return w - lr_t * m / (np.sqrt(v) + EPS)
    if form == "paper":  # Kingma & Ba: bias-corrected m̂, v̂
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        return w - hp["lr"] * m_hat / (np.sqrt(v_hat) + EPS)
    return w - hp["lr"] * m / (np.sqrt(v) + EPS)  # "raw": no bias correction at all


# ---------------------------------------------------------------- misconceptions (names used by the tests)

SIGN = Msg(ja="更新の符号が逆です (勾配を足しています)。W ← W − lr·∂L/∂W です",
           en="the sign of the update is flipped (the gradient is added); W ← W − lr·∂L/∂W")
MOMENTUM_SIGN = Msg(ja="モーメンタム項の符号が逆です: v ← αv − lr·g,  W ← W + v",
                    en="the sign of the momentum term is flipped: v ← αv − lr·g, W ← W + v")
VELOCITY_RESET = Msg(ja="速度 v が呼び出しの間で保持されていません (毎回 0 から作り直しています)。self.v に保存しましょう",
                     en="the velocity v is not kept between calls (it restarts from 0); keep it in self.v")
STATE_RESET = Msg(ja="h が呼び出しの間で保持されていません (毎回 0 から)。self.h に累積しましょう",
                  en="h is not kept between calls (it restarts from 0); accumulate it in self.h")
NOT_SQUARED = Msg(ja="勾配を 2 乗していません: h には g⊙g (g*g) を加えます",
                  en="the gradient is not squared: h accumulates g⊙g (g*g)")
NO_ROOT = Msg(ja="平方根を取っていません: lr·g / (√h + ε) です",
              en="no square root: the step is lr·g / (√h + ε)")
RMS_SWAPPED = Msg(ja="減衰率の掛け方が逆です (wrong way round): h ← ρh + (1−ρ)g² (ρ=decay_rate)",
                  en="the decay rate is applied the wrong way round: h ← ρh + (1−ρ)g² (ρ = decay_rate)")
NO_BIAS = Msg(ja="バイアス補正 (bias correction) がありません: lr_t = lr·√(1−β2^t)/(1−β1^t) (本) または m̂, v̂ (論文)",
              en="no bias correction: use lr_t = lr·√(1−β2^t)/(1−β1^t) (book) or m̂, v̂ (paper)")


@dataclass(frozen=True)
class Spec:
    name: str
    hp: dict  # explicit hyperparameters used by most checks
    defaults: dict  # the book's defaults
    rules: tuple[Rule, ...]  # accepted formulations (first is the reference)
    variants: tuple[tuple[Rule, Msg], ...]


def _p(f: Rule, **kw) -> Rule:
    return lambda w, g, s, t, hp: f(w, g, s, t, hp, **kw)


SPECS = {
    "SGD": Spec("SGD", {"lr": 0.1}, {"lr": 0.01}, (sgd,), ((_p(sgd, sign=-1.0), SIGN),)),
    "Momentum": Spec(
        "Momentum", {"lr": 0.1, "momentum": 0.9}, {"lr": 0.01, "momentum": 0.9}, (momentum,),
        ((_p(momentum, flip=True), MOMENTUM_SIGN), (_p(momentum, minus_v=True), MOMENTUM_SIGN),
         (_p(momentum, reset=True), VELOCITY_RESET)),
    ),
    "AdaGrad": Spec(
        "AdaGrad", {"lr": 0.1}, {"lr": 0.01}, (adagrad, _p(adagrad, eps_inside=True)),
        ((_p(adagrad, square=False), NOT_SQUARED), (_p(adagrad, root=False), NO_ROOT),
         (_p(adagrad, reset=True), STATE_RESET)),
    ),
    "RMSprop": Spec(
        "RMSprop", {"lr": 0.1, "decay_rate": 0.9}, {"lr": 0.01, "decay_rate": 0.99},
        (rmsprop, _p(rmsprop, eps_inside=True)),
        ((_p(rmsprop, swapped=True), RMS_SWAPPED), (_p(rmsprop, square=False), NOT_SQUARED),
         (_p(rmsprop, root=False), NO_ROOT), (_p(rmsprop, reset=True), STATE_RESET)),
    ),
    "Adam": Spec(
        "Adam", {"lr": 0.1, "beta1": 0.9, "beta2": 0.999}, {"lr": 0.001, "beta1": 0.9, "beta2": 0.999},
        (adam, _p(adam, form="paper")),
        ((_p(adam, form="raw"), NO_BIAS), (_p(adam, square=False), NOT_SQUARED)),
    ),
}


def simulate(rule: Rule, w0: np.ndarray, grads: list[np.ndarray], hp: dict) -> list[np.ndarray]:
    """The parameter after each step, under `rule`."""
    state: dict = {}
    w, out = w0.astype(float), []
    with np.errstate(all="ignore"):  # wrong variants may take √ of negatives: they just never match
        for t, g in enumerate(grads, 1):
            w = rule(w, g, state, t, hp)
            out.append(w)
    return out


def run_steps(learner, spec: Spec, params0: dict, grad_steps: list[dict], hp: dict | None) -> list[dict]:
    """Drive the learner's optimizer; return a copy of params after each step."""
    opt = getattr(learner, spec.name)(**hp) if hp is not None else getattr(learner, spec.name)()
    params = params0
    history = []
    for grads in grad_steps:
        opt.update(params, grads)
        params = learner.last_call.args[0]  # what the learner left in its copy of params: a result to judge
        history.append(params)
    return history


def compare(spec: Spec, params0: dict, grad_steps: list[dict], hp: dict, history: list[dict]) -> None:
    """Step by step and key by key, against every accepted formulation; name the misconception otherwise."""
    for key, w0 in params0.items():
        gs = [g[key] for g in grad_steps]
        accepted = [simulate(r, w0, gs, hp) for r in spec.rules]
        wrong = [(simulate(r, w0, gs, hp), why) for r, why in spec.variants]
        for t in range(len(grad_steps)):
            expect_array(
                history[t][key], accepted[0][t],
                what=Text(ja=f"{t + 1} 回目の更新後の params['{key}']", en=f"params['{key}'] after update {t + 1}"),
                accept=[a[t] for a in accepted[1:]],
                variants=[Variant(w[t], why) for w, why in wrong],
                rtol=RTOL, atol=1e-9,
            )


def _params(spec_names: list[str], points: dict[str, float], ja: str, en: str, timeout: float | None = None,
            public: bool = False):
    return [case(SPECS[n], id=n, mark=check(n, points[n], ja=ja, en=en, timeout=timeout, public=public))
            for n in spec_names]


ALL = list(SPECS)
W0 = np.array([[1.0, -2.0, 0.5], [0.3, 0.8, -1.2]])
G1 = np.array([[0.5, -0.4, 0.3], [0.2, -0.1, 0.6]])


@cases("spec", _params(ALL, {n: (2 if n == "Adam" else 1) for n in ALL},
                                         ja="1 回の更新が式どおり", en="one update follows the formula", public=True))
def test_one_step(learner, spec: Spec) -> None:
    history = run_steps(learner, spec, {"W": W0}, [{"W": G1}], spec.hp)
    compare(spec, {"W": W0}, [{"W": G1}], spec.hp, history)


@cases("spec", _params([n for n in ALL if n != "SGD"], {n: 2 for n in ALL},
                                         ja="状態を保ったまま 4 回更新", en="four updates carry the state between calls"))
def test_several_steps(learner, spec: Spec) -> None:
    rng = np.random.default_rng(2)
    grads = [{"W": rng.normal(0, 0.5, size=W0.shape)} for _ in range(4)]
    history = run_steps(learner, spec, {"W": W0}, grads, spec.hp)
    compare(spec, {"W": W0}, grads, spec.hp, history)


@cases("spec", _params(ALL, {n: 1 for n in ALL},
                                         ja="キーごと・形状ごとに状態を持つ (W1, b1, W2)",
                                         en="state per key, for keys of different shapes (W1, b1, W2)"))
def test_per_key(learner, spec: Spec) -> None:
    rng = np.random.default_rng(7)
    params0 = {"W1": rng.normal(size=(3, 4)), "b1": np.zeros(4), "W2": rng.normal(size=(4, 2))}
    grads = [{k: rng.normal(0, 0.5, size=v.shape) for k, v in params0.items()} for _ in range(3)]
    history = run_steps(learner, spec, params0, grads, spec.hp)
    compare(spec, params0, grads, spec.hp, history)


@cases("spec", _params(ALL, {n: 1 for n in ALL},
                                         ja="既定のハイパーパラメータが本と同じ", en="default hyperparameters as in the book"))
def test_defaults(learner, spec: Spec) -> None:
    grads = [{"W": G1}, {"W": -0.5 * G1}]
    history = run_steps(learner, spec, {"W": W0}, grads, None)
    try:
        compare(spec, {"W": W0}, grads, spec.defaults, history)
    except CheckFailed as e:
        shown = ", ".join(f"{k}={v}" for k, v in spec.defaults.items())
        raise CheckFailed(Text(ja=f"引数なしの {spec.name}() (本の既定値 {shown}) で: {e.text.ja}",
                               en=f"with {spec.name}() and no arguments (the book's defaults {shown}): {e.text.en}"),
                          e.misconception) from None


@cases("spec", _params(ALL, {n: 1 for n in ALL},
                                         ja="params の配列をその場で更新し grads は変えない",
                                         en="updates the arrays of params in place and leaves grads alone"))
def test_in_place(learner, spec: Spec) -> None:
    params = {"W": W0, "b": np.array([0.1, -0.1, 0.2])}
    grads = {"W": G1, "b": np.array([0.3, 0.3, -0.3])}
    opt = getattr(learner, spec.name)(**spec.hp)
    for _ in range(2):
        opt.update(params, grads)
        params = learner.last_call.args[0]
        rebound = [k for _, k in learner.last_call.rebound]
        if rebound:
            fail(f"params[{rebound[0]!r}] = ... と再代入しています。配列をその場で更新してください (params[key] -= ...): "
                 "ネットワークの層は同じ配列を参照しているので、再代入すると学習に反映されません",
                 f"params[{rebound[0]!r}] was rebound (params[key] = ...), not updated in place "
                 "(params[key] -= ...): the layers hold the same arrays, so a new array never reaches them")
        touched = [k for pos, k in (m for m in learner.last_call.modified if isinstance(m, tuple)) if pos == 1]
        if touched:
            fail(f"grads[{touched[0]!r}] を書き換えています。勾配は読むだけにしてください",
                 f"grads[{touched[0]!r}] was modified; the optimizer must only read the gradients")
    if set(params) != {"W", "b"}:
        fail("params のキーが変わっています (追加・削除しないでください)",
             "the keys of params changed (add or remove none)")
    if np.array_equal(params["W"], W0):
        fail("params が更新されていません", "params were not updated")
