"""Parametric questions: numbers drawn from a seed, the answer from the reference solutions, distractors from
named misconceptions (the text of each template lives in question_bank/templates.yaml).

For every template NAME this module holds `draw_NAME(rng) -> params`, `solve_NAME(params)` (which calls a
function or class of solutions/dayD/sectionN.py, never evaluates text) and MISTAKES[NAME], small wrong-formula
functions named after the misconception they encode (returning None when the mistake gives no number for
the drawn values). A student release has no solutions/: there drawn
questions come from PREDRAWN_PATH (written by the release builder with `predraw`), or the template is skipped.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import math
import random
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator

from grader.course.loading import BANK_DIR, solutions_package
from grader.course.models import Choice, Question, Strict
from grader.course.yamlfile import read_yaml
from grader.errors import CourseDataError
from grader.ids import SECTION_ID
from grader.text import Text

TEMPLATES_PATH = BANK_DIR / "templates.yaml"
# Pre-drawn questions for a release without solutions/ (see `predraw` and README "Parametric questions").
PREDRAWN_PATH = BANK_DIR / "predrawn.json"
MIN_DISTRACTORS = 3
MAX_DISTRACTORS = 4
MAX_REDRAWS = 100

Params = dict[str, Any]
Value = Any  # a float, a list of floats, or an array's shape (a tuple of ints)


# ---------------------------------------------------------------- the YAML side (text, no code)


class QuestionTemplate(Strict):
    """One parametric question: text with {placeholders}; its maths is in grader/course/templates.py by `name`."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    section: str = Field(pattern=SECTION_ID.pattern)
    tags: list[str] = Field(default_factory=list)
    ja: str = Field(min_length=1)
    en: str = Field(min_length=1)
    explanation: Text
    # misconception name → why a learner who picks this distractor went wrong (shown after answering)
    misconceptions: dict[str, Text] = Field(min_length=MIN_DISTRACTORS)

    @model_validator(mode="after")
    def _plain_placeholders(self) -> QuestionTemplate:
        texts = [self.ja, self.en, self.explanation.ja, self.explanation.en]
        for text in texts:
            for _, field, spec, conv in string.Formatter().parse(text):
                if field is not None and (not field.isidentifier() or spec or conv):
                    raise ValueError(f"placeholder {{{field}}} must be a plain name like {{H}}")
        return self


class QuestionTemplateBank(Strict):
    templates: list[QuestionTemplate] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> QuestionTemplateBank:
        names = [t.name for t in self.templates]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"template names repeated: {sorted(dup)}")
        return self


@functools.cache
def load_templates(path: Path = TEMPLATES_PATH) -> dict[str, QuestionTemplate]:
    """name → spec, in file order; every name must have its code here (draw, solve, mistakes)."""
    from grader.course.loading import _describe_errors

    if not path.exists():
        return {}
    raw = read_yaml(path)
    try:
        bank = QuestionTemplateBank.model_validate(raw)
    except ValidationError as e:
        raise CourseDataError(_describe_errors(path, raw, e, "templates")) from None
    for t in bank.templates:
        if t.name not in MISTAKES:
            raise CourseDataError(f"{path}: template {t.name}: no code for it in grader/course/templates.py")
        missing = set(t.misconceptions) ^ set(MISTAKES[t.name])
        if missing:
            raise CourseDataError(f"{path}: template {t.name}: misconceptions {sorted(missing)} are not in both "
                                  f"the YAML and MISTAKES[{t.name!r}]")
    return {t.name: t for t in bank.templates}


# ---------------------------------------------------------------- formatting


def format_value(v: Value) -> str:
    """Integers as integers, other numbers to 4 decimal places without trailing zeros, vectors in brackets, shapes
    (tuples) in parentheses as Python prints them: (32, 10, 100), (7,)."""
    if isinstance(v, tuple):
        inner = ", ".join(format_value(x) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    if isinstance(v, list) or hasattr(v, "tolist") and not isinstance(v, float) and getattr(v, "ndim", 0):
        return "[" + ", ".join(format_value(x) for x in list(v)) + "]"
    x = float(v)
    if x == round(x) and abs(x) < 1e15:
        return str(int(round(x)))
    s = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _plain(v: Value) -> Value:
    if hasattr(v, "tolist"):
        v = v.tolist()
    if isinstance(v, (list, tuple)):
        return [float(x) for x in v]
    return float(v)


# ---------------------------------------------------------------- the reference solutions


def _solution(module: str) -> Any:
    """solutions.dayD.sectionN of the course layout (a clone); ImportError where it has none (installed, release)."""
    if not solutions_package():
        raise ModuleNotFoundError("solutions/ is not part of this installation", name="solutions")
    return importlib.import_module(f"solutions.{module}")


def solutions_available() -> bool:
    try:
        _solution("day2.section2")
    except ImportError:
        return False
    return True


def _one_step(opt: Any, w: float, g: float, **state: float) -> float:
    """Run a reference optimizer's update once on a one-element W, with its per-key state set first."""
    import numpy as np

    params = {"W": np.array([float(w)])}
    for attr, value in state.items():
        setattr(opt, attr, {"W": np.array([float(value)])})
    opt.update(params, {"W": np.array([float(g)])})
    return float(params["W"][0])


class _UnitRng:
    """A stand-in for np.random.Generator whose standard normal draws are all 1: init(n, 1, rng) is then the std."""

    def standard_normal(self, shape: Any) -> Any:
        import numpy as np

        return np.ones(shape)


# ---------------------------------------------------------------- conv / pool output size (day2.section4)


def max_conv_padding(fh: int) -> int:
    """The largest padding drawn for a filter of size fh: (FH − 1)//2, the "same" padding of an odd filter.

    A padding as large as the filter only adds windows that see nothing but zeros, which no real layer does.
    """
    return (fh - 1) // 2


def draw_conv_output_size(rng: random.Random) -> Params:
    fh = rng.choice([1, 2, 3, 5, 7, 11])
    return {"H": rng.randint(max(fh, 5), 64), "FH": fh, "S": rng.choice([1, 2, 2, 3, 4]),
            "P": rng.choice([p for p in (0, 1, 1, 2, 3) if p <= max_conv_padding(fh)])}


def solve_conv_output_size(p: Params) -> int:
    return int(_solution("day2.section4").conv_output_size(p["H"], p["FH"], p["S"], p["P"]))


MISTAKES_CONV_OUTPUT_SIZE = {
    "forgot_plus_one": lambda p: (p["H"] + 2 * p["P"] - p["FH"]) // p["S"],
    "pad_counted_once": lambda p: (p["H"] + p["P"] - p["FH"]) // p["S"] + 1,
    "forgot_padding": lambda p: (p["H"] - p["FH"]) // p["S"] + 1,
    "ignored_stride": lambda p: p["H"] + 2 * p["P"] - p["FH"] + 1,
    "rounded_up": lambda p: -(-(p["H"] + 2 * p["P"] - p["FH"]) // p["S"]) + 1,
}


def draw_pool_output_size(rng: random.Random) -> Params:
    ph = rng.choice([2, 2, 3])
    # stride ≤ window: a stride larger than the window would skip input pixels, which no pooling layer does
    return {"H": rng.randint(6, 56), "PH": ph, "S": rng.choice([s for s in (1, 2, 2, 3) if s <= ph]),
            "P": rng.choice([0, 0, 1])}


def solve_pool_output_size(p: Params) -> int:
    import numpy as np

    pool = _solution("day2.section4").Pooling(p["PH"], p["PH"], stride=p["S"], pad=p["P"])
    return int(pool.forward(np.zeros((1, 1, p["H"], p["H"]))).shape[2])


MISTAKES_POOL_OUTPUT_SIZE = {
    "forgot_plus_one": lambda p: (p["H"] + 2 * p["P"] - p["PH"]) // p["S"],
    "pad_counted_once": lambda p: (p["H"] + p["P"] - p["PH"]) // p["S"] + 1,
    "divided_by_window": lambda p: p["H"] // p["PH"],
    "pooling_keeps_size": lambda p: p["H"],
}


# ---------------------------------------------------------------- parameter counts (day2.section5)


def draw_conv_param_count(rng: random.Random) -> Params:
    return {"C": rng.choice([1, 3, 8, 16, 32, 64, 96, 128]), "FN": rng.choice([6, 8, 16, 32, 64, 96, 128, 256]),
            "K": rng.choice([1, 3, 3, 5, 7, 11])}


def solve_conv_param_count(p: Params) -> int:
    return int(_solution("day2.section5").conv_param_count(p["C"], p["FN"], p["K"], p["K"], bias=True))


MISTAKES_CONV_PARAM_COUNT = {
    "no_bias_term": lambda p: p["FN"] * p["C"] * p["K"] ** 2,
    "forgot_input_channels": lambda p: p["FN"] * p["K"] ** 2 + p["FN"],
    "kernel_not_squared": lambda p: p["FN"] * p["C"] * p["K"] + p["FN"],
    "one_bias_per_layer": lambda p: p["FN"] * p["C"] * p["K"] ** 2 + 1,
}


def draw_fc_param_count(rng: random.Random) -> Params:
    return {"N_in": rng.choice([2, 3, 4, 10, 50, 64, 100, 128, 256, 784, 1024, 4096]),
            "N_out": rng.choice([2, 3, 5, 10, 32, 50, 100, 128, 1000])}


def solve_fc_param_count(p: Params) -> int:
    return int(_solution("day2.section5").fc_param_count(p["N_in"], p["N_out"], bias=True))


MISTAKES_FC_PARAM_COUNT = {
    "no_bias_term": lambda p: p["N_in"] * p["N_out"],
    "bias_per_input": lambda p: p["N_in"] * p["N_out"] + p["N_in"],
    "one_bias_per_layer": lambda p: p["N_in"] * p["N_out"] + 1,
    "added_not_multiplied": lambda p: p["N_in"] + p["N_out"],
}


# ---------------------------------------------------------------- one optimizer step (day2.section2)

_SMALL = [-2.0, -1.5, -1.2, -0.8, -0.5, -0.4, -0.3, -0.2, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.5, 2.0, 2.5, 3.0]


def draw_sgd_step(rng: random.Random) -> Params:
    return {"lr": rng.choice([0.01, 0.05, 0.1, 0.2, 0.5]), "W": rng.choice(_SMALL), "g": rng.choice(_SMALL)}


def solve_sgd_step(p: Params) -> float:
    return _one_step(_solution("day2.section2").SGD(lr=p["lr"]), p["W"], p["g"])


MISTAKES_SGD_STEP = {
    "sign_error": lambda p: p["W"] + p["lr"] * p["g"],
    "forgot_lr": lambda p: p["W"] - p["g"],
    "step_not_weight": lambda p: -p["lr"] * p["g"],
}


def draw_momentum_step(rng: random.Random) -> Params:
    p = {"lr": rng.choice([0.01, 0.1, 0.2]), "alpha": rng.choice([0.5, 0.8, 0.9]), "v": rng.choice(_SMALL) / 10,
         "W": rng.choice(_SMALL), "g": rng.choice(_SMALL)}
    p["v_new"] = p["alpha"] * p["v"] - p["lr"] * p["g"]  # shown in the explanation only
    return p


def solve_momentum_step(p: Params) -> float:
    opt = _solution("day2.section2").Momentum(lr=p["lr"], momentum=p["alpha"])
    return _one_step(opt, p["W"], p["g"], v=p["v"])


MISTAKES_MOMENTUM_STEP = {
    "sign_error": lambda p: p["W"] + p["alpha"] * p["v"] + p["lr"] * p["g"],
    "velocity_ignored": lambda p: p["W"] - p["lr"] * p["g"],
    "velocity_not_decayed": lambda p: p["W"] + p["v"] - p["lr"] * p["g"],
    "gave_velocity": lambda p: p["alpha"] * p["v"] - p["lr"] * p["g"],
}


def draw_adagrad_step(rng: random.Random) -> Params:
    p = {"lr": rng.choice([0.1, 0.5, 1.0]), "h": rng.choice([0.5, 1.0, 2.0, 3.0, 5.0, 8.0]),
         "W": rng.choice(_SMALL), "g": rng.choice(_SMALL)}
    p["h_new"] = p["h"] + p["g"] ** 2
    return p


def solve_adagrad_step(p: Params) -> float:
    return _one_step(_solution("day2.section2").AdaGrad(lr=p["lr"]), p["W"], p["g"], h=p["h"])


MISTAKES_ADAGRAD_STEP = {
    "forgot_square_root": lambda p: p["W"] - p["lr"] * p["g"] / (p["h"] + p["g"] ** 2),
    "history_ignored": lambda p: p["W"] - p["lr"] * p["g"] / abs(p["g"]),
    "gradient_not_squared": lambda p: (p["W"] - p["lr"] * p["g"] / math.sqrt(p["h"] + p["g"])
                                       if p["h"] + p["g"] > 0 else None),
    "sign_error": lambda p: p["W"] + p["lr"] * p["g"] / math.sqrt(p["h"] + p["g"] ** 2),
}


def draw_rmsprop_step(rng: random.Random) -> Params:
    p = {"lr": rng.choice([0.01, 0.1]), "rho": rng.choice([0.9, 0.99]), "h": rng.choice([0.1, 0.2, 0.5, 1.0, 2.0]),
         "W": rng.choice(_SMALL), "g": rng.choice(_SMALL)}
    p["h_new"] = p["rho"] * p["h"] + (1 - p["rho"]) * p["g"] ** 2
    return p


def solve_rmsprop_step(p: Params) -> float:
    opt = _solution("day2.section2").RMSprop(lr=p["lr"], decay_rate=p["rho"])
    return _one_step(opt, p["W"], p["g"], h=p["h"])


MISTAKES_RMSPROP_STEP = {
    "forgot_square_root": lambda p: p["W"] - p["lr"] * p["g"] / p["h_new"],
    "swapped_decay": lambda p: p["W"] - p["lr"] * p["g"] / math.sqrt((1 - p["rho"]) * p["h"] + p["rho"] * p["g"] ** 2),
    "adagrad_sum": lambda p: p["W"] - p["lr"] * p["g"] / math.sqrt(p["h"] + p["g"] ** 2),
    "sign_error": lambda p: p["W"] + p["lr"] * p["g"] / math.sqrt(p["h_new"]),
}


def draw_adam_step(rng: random.Random) -> Params:
    return {"lr": rng.choice([0.001, 0.01, 0.1]), "W": rng.choice(_SMALL), "g": rng.choice(_SMALL)}


def solve_adam_step(p: Params) -> float:
    return _one_step(_solution("day2.section2").Adam(lr=p["lr"], beta1=0.9, beta2=0.999), p["W"], p["g"])


MISTAKES_ADAM_STEP = {
    "no_bias_correction": lambda p: p["W"] - p["lr"] * 0.1 * p["g"] / math.sqrt(0.001 * p["g"] ** 2),
    "forgot_square_root": lambda p: p["W"] - p["lr"] / p["g"],
    "momentum_only": lambda p: p["W"] - p["lr"] * p["g"],
    "sign_error": lambda p: p["W"] + p["lr"] * math.copysign(1.0, p["g"]),
}


# ---------------------------------------------------------------- activations' derivatives


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def draw_sigmoid_grad(rng: random.Random) -> Params:
    x = rng.choice([-3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0])
    return {"x": x, "s": round(_sigmoid(x), 4)}


def solve_sigmoid_grad(p: Params) -> float:
    return float(_solution("day2.section1").sigmoid_grad(p["x"]))


MISTAKES_SIGMOID_GRAD = {
    "sigmoid_not_derivative": lambda p: _sigmoid(p["x"]),
    "input_as_output": lambda p: p["x"] * (1 - p["x"]),
    "tanh_formula": lambda p: 1 - _sigmoid(p["x"]) ** 2,
}


TANH_GRAD_X = (-2.0, -1.5, -1.0, -0.8, -0.5, -0.3, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0)


def draw_tanh_grad(rng: random.Random) -> Params:
    x = rng.choice(TANH_GRAD_X)
    # tanh(x) is shown to 6 decimals (as text, so format_value does not cut it to 4): with 4, 1 − t² misses the
    # answer's last digit at x = ±0.5 and ±1.5 (1 − 0.4621² = 0.78646 → 0.7865, but tanh′(0.5) = 0.78645 → 0.7864)
    return {"x": x, "t": f"{math.tanh(x):.6f}"}


def solve_tanh_grad(p: Params) -> float:
    return float(_solution("day1.section2").tanh_grad(p["x"]))


MISTAKES_TANH_GRAD = {
    "forgot_square": lambda p: 1 - math.tanh(p["x"]),
    "sigmoid_formula": lambda p: math.tanh(p["x"]) * (1 - math.tanh(p["x"])),
    "input_as_output": lambda p: 1 - p["x"] ** 2,
    "sign_error": lambda p: math.tanh(p["x"]) ** 2 - 1,
}


# ---------------------------------------------------------------- weight initialization (day2.section1)

_FAN_IN = [16, 32, 50, 64, 100, 128, 200, 256, 300, 400, 500, 512, 784, 1000, 1024]


def draw_he_std(rng: random.Random) -> Params:
    return {"n": rng.choice(_FAN_IN)}


def solve_he_std(p: Params) -> float:
    return float(_solution("day2.section1").he_init(p["n"], 1, _UnitRng())[0, 0])


MISTAKES_HE_STD = {
    "sqrt2_over_n": lambda p: math.sqrt(2) / p["n"],
    "forgot_square_root": lambda p: 2 / p["n"],
    "used_xavier": lambda p: 1 / math.sqrt(p["n"]),
}


def draw_xavier_std(rng: random.Random) -> Params:
    return {"n": rng.choice(_FAN_IN)}


def solve_xavier_std(p: Params) -> float:
    return float(_solution("day2.section1").xavier_init(p["n"], 1, _UnitRng())[0, 0])


MISTAKES_XAVIER_STD = {
    "forgot_square_root": lambda p: 1 / p["n"],
    "used_he": lambda p: math.sqrt(2 / p["n"]),
    "sqrt2_over_n": lambda p: math.sqrt(2) / p["n"],
}


# ---------------------------------------------------------------- regularization gradients (day2.section3)


def _draw_w(rng: random.Random, with_zero: bool) -> list[float]:
    pool = [-2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0, 3.0]
    w = [rng.choice(pool) for _ in range(3)]
    if with_zero and rng.random() < 0.4:
        w[rng.randrange(3)] = 0.0
    return w


def draw_l2_grad(rng: random.Random) -> Params:
    w = _draw_w(rng, with_zero=False)
    return {"lam": rng.choice([0.01, 0.1, 0.2, 0.5]), "W": w, "Wv": format_value(w)}


def solve_l2_grad(p: Params) -> list[float]:
    import numpy as np

    return _plain(_solution("day2.section3").l2_grad(np.array(p["W"]), p["lam"]))


MISTAKES_L2_GRAD = {
    "kept_factor_two": lambda p: [2 * p["lam"] * w for w in p["W"]],
    "used_l1": lambda p: [p["lam"] * math.copysign(1.0, w) if w else 0.0 for w in p["W"]],
    "sign_error": lambda p: [-p["lam"] * w for w in p["W"]],
    "penalty_not_gradient": lambda p: [0.5 * p["lam"] * w * w for w in p["W"]],
}


def draw_l1_grad(rng: random.Random) -> Params:
    w = _draw_w(rng, with_zero=True)
    return {"lam": rng.choice([0.01, 0.1, 0.2, 0.5]), "W": w, "Wv": format_value(w)}


def solve_l1_grad(p: Params) -> list[float]:
    import numpy as np

    return _plain(_solution("day2.section3").l1_grad(np.array(p["W"]), p["lam"]))


MISTAKES_L1_GRAD = {
    "used_l2": lambda p: [p["lam"] * w for w in p["W"]],
    "abs_not_sign": lambda p: [p["lam"] * abs(w) for w in p["W"]],
    "sign_error": lambda p: [-p["lam"] * math.copysign(1.0, w) if w else 0.0 for w in p["W"]],
    "forgot_lambda": lambda p: [math.copysign(1.0, w) if w else 0.0 for w in p["W"]],
}


# ---------------------------------------------------------------- recurrent layers (day3)

_DIMS = [2, 3, 4, 5, 8, 10, 16, 32, 50, 64, 100, 128]


def _count(layer: Any) -> int:
    """The number of parameters a reference layer holds (its `params` list, book ❷)."""
    return int(sum(w.size for w in layer.params))


def _gated(n_gates: int, p: Params) -> tuple[Any, Any, Any]:
    import numpy as np

    d, h = p["D"], p["H"]
    return np.zeros((d, n_gates * h)), np.zeros((h, n_gates * h)), np.zeros(n_gates * h)


def draw_rnn_param_count(rng: random.Random) -> Params:
    return {"D": rng.choice(_DIMS), "H": rng.choice(_DIMS)}


def solve_rnn_param_count(p: Params) -> int:
    return _count(_solution("day3.section1").RNN(*_gated(1, p)))


MISTAKES_RNN_PARAM_COUNT = {
    "no_recurrent_weight": lambda p: p["D"] * p["H"] + p["H"],
    "no_bias_term": lambda p: p["D"] * p["H"] + p["H"] ** 2,
    "recurrent_weight_as_vector": lambda p: p["D"] * p["H"] + p["H"] + p["H"],
}


def draw_lstm_param_count(rng: random.Random) -> Params:
    return {"D": rng.choice(_DIMS), "H": rng.choice(_DIMS)}


def solve_lstm_param_count(p: Params) -> int:
    return _count(_solution("day3.section2").LSTM(*_gated(4, p)))


MISTAKES_LSTM_PARAM_COUNT = {
    "three_gates": lambda p: 3 * (p["D"] * p["H"] + p["H"] ** 2 + p["H"]),
    "plain_rnn": lambda p: p["D"] * p["H"] + p["H"] ** 2 + p["H"],
    "no_bias_term": lambda p: 4 * (p["D"] * p["H"] + p["H"] ** 2),
}


def draw_gru_param_count(rng: random.Random) -> Params:
    return {"D": rng.choice(_DIMS), "H": rng.choice(_DIMS)}


def solve_gru_param_count(p: Params) -> int:
    return _count(_solution("day3.section3").GRU(*_gated(3, p)))


MISTAKES_GRU_PARAM_COUNT = {
    "four_gates_like_lstm": lambda p: 4 * (p["D"] * p["H"] + p["H"] ** 2 + p["H"]),
    "two_gates": lambda p: 2 * (p["D"] * p["H"] + p["H"] ** 2 + p["H"]),
    "no_bias_term": lambda p: 3 * (p["D"] * p["H"] + p["H"] ** 2),
}


def draw_clip_rate(rng: random.Random) -> Params:
    a, b = rng.choice([(3, 4), (6, 8), (5, 12), (8, 15), (9, 12), (12, 16)])
    return {"a": a, "b": b, "max_norm": rng.choice([1.0, 2.0, 5.0])}


def solve_clip_rate(p: Params) -> float:
    """The factor clip_grads applies to two gradients whose norms are a and b (total norm √(a² + b²))."""
    import numpy as np

    grads = [np.array([float(p["a"])]), np.array([float(p["b"])])]
    _solution("day3.section1").clip_grads(grads, p["max_norm"])
    return round(float(grads[0][0]) / p["a"], 4)


MISTAKES_CLIP_RATE = {
    "per_array_norm": lambda p: round(p["max_norm"] / p["a"], 4),
    "sum_of_norms": lambda p: round(p["max_norm"] / (p["a"] + p["b"]), 4),
    "inverted": lambda p: round(math.hypot(p["a"], p["b"]) / p["max_norm"], 4),
}


def draw_perplexity(rng: random.Random) -> Params:
    return {"L": rng.choice([0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0])}


def solve_perplexity(p: Params) -> float:
    """Perplexity = exp(L) of a mean cross-entropy L (natural log): the reference softmax loss of a model that
    gives the right word probability exp(−L) is L; exp of it is the perplexity."""
    return round(math.exp(p["L"]), 4)


MISTAKES_PERPLEXITY = {
    "base_two": lambda p: round(2 ** p["L"], 4),
    "reciprocal": lambda p: round(math.exp(-p["L"]), 4),
    "base_ten": lambda p: round(10 ** p["L"], 4),
}


# ---------------------------------------------------------------- output shapes of the time layers (day3)
#
# The answer is the shape the reference layer really returns: arrays of the drawn shapes go through it. Every
# drawn size differs from the others, so that each misconception gives a shape of its own.

_BATCH = [2, 3, 4, 5, 8, 10, 16, 32]
_STEPS = [3, 4, 5, 6, 7, 9, 10, 12, 20]
_WIDTHS = [4, 6, 8, 10, 16, 20, 32, 50, 64]


def _sizes(rng: random.Random, **pools: list[int]) -> Params:
    """One size per name, each from its pool and different from the sizes drawn before it."""
    drawn: Params = {}
    for name, pool in pools.items():
        drawn[name] = rng.choice([v for v in pool if v not in drawn.values()])
    return drawn


def _shape(a: Any) -> tuple[int, ...]:
    return tuple(int(d) for d in a.shape)


def draw_time_rnn_output_shape(rng: random.Random) -> Params:
    return _sizes(rng, N=_BATCH, T=_STEPS, D=_WIDTHS, H=_WIDTHS)


def solve_time_rnn_output_shape(p: Params) -> tuple[int, ...]:
    import numpy as np

    layer = _solution("day3.section1").TimeRNN(*_gated(1, p))
    return _shape(layer.forward(np.zeros((p["N"], p["T"], p["D"]))))


MISTAKES_TIME_RNN_OUTPUT_SHAPE = {
    "last_state_only": lambda p: (p["N"], p["H"]),
    "kept_input_size": lambda p: (p["N"], p["T"], p["D"]),
    "time_major": lambda p: (p["T"], p["N"], p["H"]),
    "flattened_batch_and_time": lambda p: (p["N"] * p["T"], p["H"]),
}


def draw_time_birnn_output_shape(rng: random.Random) -> Params:
    return _sizes(rng, N=_BATCH, T=_STEPS, D=_WIDTHS, H=_WIDTHS)


def solve_time_birnn_output_shape(p: Params) -> tuple[int, ...]:
    import numpy as np

    layer = _solution("day3.section4").TimeBiRNN(*_gated(1, p), *_gated(1, p))
    return _shape(layer.forward(np.zeros((p["N"], p["T"], p["D"]))))


MISTAKES_TIME_BIRNN_OUTPUT_SHAPE = {
    "forgot_concatenation": lambda p: (p["N"], p["T"], p["H"]),
    "concatenated_on_time_axis": lambda p: (p["N"], 2 * p["T"], p["H"]),
    "stacked_directions": lambda p: (2, p["N"], p["T"], p["H"]),
    "last_states_only": lambda p: (p["N"], 2 * p["H"]),
}


def draw_attention_weight_shape(rng: random.Random) -> Params:
    return _sizes(rng, N=_BATCH, T=_STEPS, H=_WIDTHS)


def solve_attention_weight_shape(p: Params) -> tuple[int, ...]:
    import numpy as np

    layer = _solution("day3.section7").AttentionWeight()
    return _shape(layer.forward(np.zeros((p["N"], p["T"], p["H"])), np.zeros((p["N"], p["H"]))))


MISTAKES_ATTENTION_WEIGHT_SHAPE = {
    "softmax_over_hidden": lambda p: (p["N"], p["H"]),
    "kept_hidden_axis": lambda p: (p["N"], p["T"], p["H"]),
    "transposed_weights": lambda p: (p["T"], p["N"]),
    "shared_over_batch": lambda p: (p["T"],),
}


def draw_weight_sum_shape(rng: random.Random) -> Params:
    return _sizes(rng, N=_BATCH, T=_STEPS, H=_WIDTHS)


def solve_weight_sum_shape(p: Params) -> tuple[int, ...]:
    import numpy as np

    layer = _solution("day3.section7").WeightSum()
    return _shape(layer.forward(np.zeros((p["N"], p["T"], p["H"])), np.zeros((p["N"], p["T"]))))


MISTAKES_WEIGHT_SUM_SHAPE = {
    "not_summed_over_time": lambda p: (p["N"], p["T"], p["H"]),
    "summed_over_hidden": lambda p: (p["N"], p["T"]),
    "summed_over_batch": lambda p: (p["T"], p["H"]),
}


def _draw_qkv(rng: random.Random) -> Params:
    """Q (…, T_q, d_k), K (…, T_k, d_k), V (…, T_k, d_v) with a batch dimension, and sometimes heads too."""
    p = _sizes(rng, Tq=_STEPS, Tk=_STEPS, dk=[4, 8, 16, 32, 64], dv=[4, 8, 16, 32, 64])
    p["lead"] = [rng.choice([1, 2, 3, 4, 8])] + ([rng.choice([2, 4, 8, 12])] if rng.random() < 0.5 else [])
    p["Q"] = format_value((*p["lead"], p["Tq"], p["dk"]))
    p["K"] = format_value((*p["lead"], p["Tk"], p["dk"]))
    p["V"] = format_value((*p["lead"], p["Tk"], p["dv"]))
    return p


def _attend(p: Params) -> tuple[Any, Any]:
    """(out, weights) of the reference scaled_dot_product_attention on arrays of the drawn shapes."""
    import numpy as np

    lead = tuple(p["lead"])
    q, k, v = (np.zeros((*lead, t, d)) for t, d in ((p["Tq"], p["dk"]), (p["Tk"], p["dk"]), (p["Tk"], p["dv"])))
    return _solution("day3.section7").scaled_dot_product_attention(q, k, v)


def draw_sdpa_output_shape(rng: random.Random) -> Params:
    return _draw_qkv(rng)


def solve_sdpa_output_shape(p: Params) -> tuple[int, ...]:
    return _shape(_attend(p)[0])


MISTAKES_SDPA_OUTPUT_SHAPE = {
    "key_length": lambda p: (*p["lead"], p["Tk"], p["dv"]),
    "key_width": lambda p: (*p["lead"], p["Tq"], p["dk"]),
    "gave_weights": lambda p: (*p["lead"], p["Tq"], p["Tk"]),
    "heads_concatenated": lambda p: (p["lead"][0], p["Tq"], p["lead"][1] * p["dv"]) if len(p["lead"]) == 2 else None,
}


def draw_sdpa_weights_shape(rng: random.Random) -> Params:
    return _draw_qkv(rng)


def solve_sdpa_weights_shape(p: Params) -> tuple[int, ...]:
    return _shape(_attend(p)[1])


MISTAKES_SDPA_WEIGHTS_SHAPE = {
    "transposed_weights": lambda p: (*p["lead"], p["Tk"], p["Tq"]),
    "contracted_over_tokens": lambda p: (*p["lead"], p["dk"], p["dk"]),
    "gave_output": lambda p: (*p["lead"], p["Tq"], p["dv"]),
    "dropped_leading_dims": lambda p: (p["Tq"], p["Tk"]),
}


# name → misconception name → wrong formula. Keys must equal the misconceptions of templates.yaml.
MISTAKES: dict[str, dict[str, Callable[[Params], Value]]] = {
    "conv_output_size": MISTAKES_CONV_OUTPUT_SIZE,
    "pool_output_size": MISTAKES_POOL_OUTPUT_SIZE,
    "conv_param_count": MISTAKES_CONV_PARAM_COUNT,
    "fc_param_count": MISTAKES_FC_PARAM_COUNT,
    "sgd_step": MISTAKES_SGD_STEP,
    "momentum_step": MISTAKES_MOMENTUM_STEP,
    "adagrad_step": MISTAKES_ADAGRAD_STEP,
    "rmsprop_step": MISTAKES_RMSPROP_STEP,
    "adam_step": MISTAKES_ADAM_STEP,
    "sigmoid_grad": MISTAKES_SIGMOID_GRAD,
    "tanh_grad": MISTAKES_TANH_GRAD,
    "he_std": MISTAKES_HE_STD,
    "xavier_std": MISTAKES_XAVIER_STD,
    "l2_grad": MISTAKES_L2_GRAD,
    "l1_grad": MISTAKES_L1_GRAD,
    "rnn_param_count": MISTAKES_RNN_PARAM_COUNT,
    "lstm_param_count": MISTAKES_LSTM_PARAM_COUNT,
    "gru_param_count": MISTAKES_GRU_PARAM_COUNT,
    "clip_rate": MISTAKES_CLIP_RATE,
    "perplexity": MISTAKES_PERPLEXITY,
    "time_rnn_output_shape": MISTAKES_TIME_RNN_OUTPUT_SHAPE,
    "time_birnn_output_shape": MISTAKES_TIME_BIRNN_OUTPUT_SHAPE,
    "attention_weight_shape": MISTAKES_ATTENTION_WEIGHT_SHAPE,
    "weight_sum_shape": MISTAKES_WEIGHT_SUM_SHAPE,
    "sdpa_output_shape": MISTAKES_SDPA_OUTPUT_SHAPE,
    "sdpa_weights_shape": MISTAKES_SDPA_WEIGHTS_SHAPE,
}


def _code(name: str) -> tuple[Callable[[random.Random], Params], Callable[[Params], Value]]:
    module = globals()
    return module[f"draw_{name}"], module[f"solve_{name}"]


# ---------------------------------------------------------------- drawing a question


class TemplateUnavailable(Exception):
    """The template cannot be drawn here (no solutions/ and no pre-drawn question for this seed)."""


@dataclass(frozen=True)
class Drawn:
    """A drawn question: a plain Question (1-based answer, per-choice feedback) and where it came from."""

    key: str  # "<template>@<seed>", the id used in answers files
    template: str
    seed: int
    section: str
    question: Question
    misconceptions: tuple[str | None, ...]  # per choice; None for the right one
    params: Params


def question_key(name: str, seed: int) -> str:
    return f"{name}@{seed}"


def parse_key(key: str) -> tuple[str, int] | None:
    name, sep, seed = key.partition("@")
    if not sep or not seed.isdigit():
        return None
    return name, int(seed)


def _feedback(mistake: str, why: Text) -> Text:
    return Text(ja=f"[{mistake}] {why.ja}", en=f"[{mistake}] {why.en}")


def _values_and_params(name: str, rng: random.Random) -> tuple[Params, Value, list[tuple[str, Value]]]:
    """Draw until the answer and at least MIN_DISTRACTORS misconceptions all read differently."""
    draw, solve = _code(name)
    for _ in range(MAX_REDRAWS):
        params = draw(rng)
        answer = solve(params)
        seen = {format_value(answer)}
        wrong = []
        for mistake, fn in MISTAKES[name].items():
            value = fn(params)  # None: this mistake makes no number here (e.g. √ of a negative)
            numbers = value if isinstance(value, (list, tuple)) else [value]
            if value is None or not all(math.isfinite(x) for x in numbers):
                continue
            text = format_value(value)
            if text not in seen:
                seen.add(text)
                wrong.append((mistake, value))
        if len(wrong) >= MIN_DISTRACTORS:
            return params, answer, wrong
    raise CourseDataError(f"template {name}: no sound draw in {MAX_REDRAWS} tries")


def draw(name: str, seed: int) -> Drawn:
    """The question of template `name` for `seed`: the same seed always gives the same question."""
    specs = load_templates()
    if name not in specs:
        raise KeyError(name)
    if not solutions_available():
        return _from_predrawn(name, seed)
    spec = specs[name]
    rng = random.Random(f"{name}@{seed}")
    params, answer, wrong = _values_and_params(name, rng)
    if len(wrong) > MAX_DISTRACTORS:
        wrong = rng.sample(wrong, MAX_DISTRACTORS)
    options: list[tuple[str | None, Value]] = [(None, answer), *wrong]
    rng.shuffle(options)
    shown = {k: format_value(v) if not isinstance(v, str) else v for k, v in params.items()}
    shown["answer"] = format_value(answer)
    choices = [
        Choice(text=format_value(v), value=_plain(v),
               feedback=None if m is None else _feedback(m, spec.misconceptions[m]))
        for m, v in options
    ]
    key = question_key(name, seed)
    question = Question(
        id=key, ja=spec.ja.format_map(shown), en=spec.en.format_map(shown), choices=choices,
        answer=next(i for i, (m, _) in enumerate(options, 1) if m is None),
        explanation=Text(ja=spec.explanation.ja.format_map(shown), en=spec.explanation.en.format_map(shown)),
        tags=[*spec.tags, "numeric", "parametric"],
    )
    return Drawn(key, name, seed, spec.section, question, tuple(m for m, _ in options), params)


# ---------------------------------------------------------------- pre-drawn questions (student release)


def hash_answer(key: str, answer: int) -> str:
    """The hashed answer key a release ships instead of `answer` (sha256 of "<key>:<answer>")."""
    return hashlib.sha256(f"{key}:{answer}".encode()).hexdigest()


def predraw(template_name: str, seeds: list[int] | range) -> list[dict[str, Any]]:
    """Fully drawn questions as plain data (needs solutions/): what a release ships in PREDRAWN_PATH.

    Each dict: key, template, seed, section, tags, ja, en, choices [{text, value, misconception, feedback}],
    answer (1-based), explanation. A release builder may replace `answer` by `answer_sha256` = hash_answer().
    """
    out = []
    for seed in seeds:
        d = draw(template_name, seed)
        q = d.question
        out.append({
            "key": d.key, "template": d.template, "seed": d.seed, "section": d.section, "tags": q.tags,
            "ja": q.ja, "en": q.en,
            "choices": [{"text": c.text, "value": c.value, "misconception": m,
                         "feedback": c.feedback.model_dump() if c.feedback else None}
                        for c, m in zip(q.choices, d.misconceptions, strict=True)],
            "answer": q.answer, "explanation": q.explanation.model_dump(),
        })
    return out


@functools.cache
def _predrawn(path: Path = PREDRAWN_PATH) -> dict[str, dict[str, Any]]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {item["key"]: item for item in data["questions"]}
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise CourseDataError(f"{path}: not a pre-drawn question file ({type(e).__name__}: {e})") from None


def predrawn_seeds(name: str) -> list[int]:
    return sorted(item["seed"] for item in _predrawn().values() if item["template"] == name)


def _from_predrawn(name: str, seed: int) -> Drawn:
    key = question_key(name, seed)
    item = _predrawn().get(key)
    if item is None:
        raise TemplateUnavailable(f"{key}: solutions/ is not installed and {PREDRAWN_PATH.name} has no such question")
    try:
        choices = [Choice(text=c["text"], value=c.get("value"),
                          feedback=Text(**c["feedback"]) if c.get("feedback") else None) for c in item["choices"]]
        if "answer" in item:
            answer = int(item["answer"])
        else:
            answer = next(i for i in range(1, len(choices) + 1) if hash_answer(key, i) == item["answer_sha256"])
        question = Question(id=key, ja=item["ja"], en=item["en"], choices=choices, answer=answer,
                            explanation=Text(**item["explanation"]), tags=list(item.get("tags", [])))
    except (KeyError, TypeError, ValueError, StopIteration, ValidationError) as e:
        raise CourseDataError(f"{PREDRAWN_PATH}: {key}: broken entry ({type(e).__name__})") from None
    return Drawn(key, name, seed, item["section"], question,
                 tuple(c.get("misconception") for c in item["choices"]), {})


def available(name: str) -> bool:
    """Whether `name` can be drawn here: with solutions/, any seed; without, only its pre-drawn seeds."""
    return solutions_available() or bool(predrawn_seeds(name))


def pick_seed(name: str, rng: random.Random) -> int:
    if solutions_available():
        return rng.randrange(1_000_000)
    seeds = predrawn_seeds(name)
    if not seeds:
        raise TemplateUnavailable(name)
    return rng.choice(seeds)


def templates_for(sections: list[str] | None) -> list[QuestionTemplate]:
    return [t for t in load_templates().values() if sections is None or t.section in sections]


