"""Parametric questions: sound over many seeds, answers = the reference solutions, distractors name a mistake."""

from __future__ import annotations

import json
import math
import sys

import numpy as np
import pytest

from grader.course import templates as T
from grader.course.quiz import score_question
from solutions.day1 import section2 as d1s2
from solutions.day2 import section1 as d2s1
from solutions.day2 import section2 as d2s2
from solutions.day2 import section3 as d2s3
from solutions.day2 import section4 as d2s4
from solutions.day2 import section5 as d2s5
from solutions.day3 import section1 as d3s1
from solutions.day3 import section4 as d3s4
from solutions.day3 import section7 as d3s7

SEEDS = range(200)
NAMES = list(T.load_templates())


def _step(opt, w, g, **state):
    params = {"W": np.array([w])}
    for k, v in state.items():
        setattr(opt, k, {"W": np.array([v])})
    opt.update(params, {"W": np.array([g])})
    return float(params["W"][0])


class Ones:
    def standard_normal(self, shape):
        return np.ones(shape)


def _rand(*shape):
    """Random values of a drawn shape (the shape is the answer: any values do)."""
    return np.random.default_rng(sum(shape)).normal(size=shape)


def _rnn_weights(p):
    return _rand(p["D"], p["H"]), _rand(p["H"], p["H"]), _rand(p["H"])


def _attend(p):
    lead = tuple(p["lead"])
    return d3s7.scaled_dot_product_attention(_rand(*lead, p["Tq"], p["dk"]), _rand(*lead, p["Tk"], p["dk"]),
                                             _rand(*lead, p["Tk"], p["dv"]))


# The oracle: each template's answer straight from solutions/ (independently of grader/course/templates.py's code).
ORACLE = {
    "conv_output_size": lambda p: d2s4.conv_output_size(p["H"], p["FH"], p["S"], p["P"]),
    "pool_output_size": lambda p: d2s4.Pooling(p["PH"], p["PH"], p["S"], p["P"]).forward(
        np.zeros((1, 1, p["H"], p["H"]))).shape[2],
    "conv_param_count": lambda p: d2s5.conv_param_count(p["C"], p["FN"], p["K"], p["K"]),
    "fc_param_count": lambda p: d2s5.fc_param_count(p["N_in"], p["N_out"]),
    "sgd_step": lambda p: _step(d2s2.SGD(p["lr"]), p["W"], p["g"]),
    "momentum_step": lambda p: _step(d2s2.Momentum(p["lr"], p["alpha"]), p["W"], p["g"], v=p["v"]),
    "adagrad_step": lambda p: _step(d2s2.AdaGrad(p["lr"]), p["W"], p["g"], h=p["h"]),
    "rmsprop_step": lambda p: _step(d2s2.RMSprop(p["lr"], p["rho"]), p["W"], p["g"], h=p["h"]),
    "adam_step": lambda p: _step(d2s2.Adam(p["lr"]), p["W"], p["g"]),
    "sigmoid_grad": lambda p: float(d2s1.sigmoid_grad(p["x"])),
    "tanh_grad": lambda p: float(d1s2.tanh_grad(p["x"])),
    "he_std": lambda p: float(d2s1.he_init(p["n"], 1, Ones())[0, 0]),
    "xavier_std": lambda p: float(d2s1.xavier_init(p["n"], 1, Ones())[0, 0]),
    "l2_grad": lambda p: d2s3.l2_grad(np.array(p["W"]), p["lam"]).tolist(),
    "l1_grad": lambda p: d2s3.l1_grad(np.array(p["W"]), p["lam"]).tolist(),
    # day 3: the counts by the formulas (templates.py counts the reference layers' params), the rest by hand
    "rnn_param_count": lambda p: p["D"] * p["H"] + p["H"] ** 2 + p["H"],
    "lstm_param_count": lambda p: 4 * (p["D"] * p["H"] + p["H"] ** 2 + p["H"]),
    "gru_param_count": lambda p: 3 * (p["D"] * p["H"] + p["H"] ** 2 + p["H"]),
    "clip_rate": lambda p: round(p["max_norm"] / math.hypot(p["a"], p["b"]), 4),
    "perplexity": lambda p: round(math.exp(p["L"]), 4),
    # output shapes: arrays of the drawn shapes through the reference layers
    "time_rnn_output_shape": lambda p: d3s1.TimeRNN(*_rnn_weights(p)).forward(_rand(p["N"], p["T"], p["D"])).shape,
    "time_birnn_output_shape": lambda p: d3s4.TimeBiRNN(*_rnn_weights(p), *_rnn_weights(p)).forward(
        _rand(p["N"], p["T"], p["D"])).shape,
    "attention_weight_shape": lambda p: d3s7.AttentionWeight().forward(_rand(p["N"], p["T"], p["H"]),
                                                                      _rand(p["N"], p["H"])).shape,
    "weight_sum_shape": lambda p: d3s7.WeightSum().forward(_rand(p["N"], p["T"], p["H"]), _rand(p["N"], p["T"])).shape,
    "sdpa_output_shape": lambda p: _attend(p)[0].shape,
    "sdpa_weights_shape": lambda p: _attend(p)[1].shape,
}


def test_the_issue_s_templates_all_exist():
    assert set(ORACLE) == set(NAMES) == set(T.MISTAKES)
    named = {m for ms in T.MISTAKES.values() for m in ms}
    assert {"forgot_plus_one", "pad_counted_once", "sqrt2_over_n", "no_bias_term", "sign_error"} <= named


@pytest.mark.parametrize("name", NAMES)
def test_template_is_sound_over_many_seeds(name):
    spec = T.load_templates()[name]
    questions = set()
    for seed in SEEDS:
        d = T.draw(name, seed)
        q = d.question
        truth = ORACLE[name](d.params)
        texts = [str(c.text) for c in q.choices]
        right = [i for i, t in enumerate(texts, 1) if t == T.format_value(truth)]
        assert right == [q.answer], (seed, texts, truth)  # exactly one right choice, and it is the solution's
        assert np.allclose(q.choices[q.answer - 1].value, truth, rtol=0, atol=1e-12)
        assert len(set(texts)) == len(texts) >= 1 + T.MIN_DISTRACTORS  # distractors differ from it and each other
        for i, (c, m) in enumerate(zip(q.choices, d.misconceptions, strict=True), 1):
            if i == q.answer:
                assert m is None and c.feedback is None
            else:
                assert m in spec.misconceptions and f"[{m}]" in c.feedback.ja and f"[{m}]" in c.feedback.en
                assert math.isclose(np.sum(c.value), np.sum(T.MISTAKES[name][m](d.params)))
        assert "{" not in q.ja + q.en + q.explanation.ja + q.explanation.en  # every placeholder filled
        assert T.format_value(truth) in q.explanation.en
        questions.add(q.en + "|".join(texts))
    assert len(questions) > 10, "the seeds should give varied questions"


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_question_and_order(name):
    a, b = T.draw(name, 12345), T.draw(name, 12345)
    assert a.question == b.question and a.misconceptions == b.misconceptions
    assert a.key == f"{name}@12345" and T.parse_key(a.key) == (name, 12345)


def test_a_wrong_choice_names_its_misconception():
    d = T.draw("conv_output_size", 3)
    wrong = next(i for i, m in enumerate(d.misconceptions, 1) if m)
    result = score_question(d.question, [wrong], "en")
    assert not result.correct and f"[{d.misconceptions[wrong - 1]}]" in result.feedback
    assert score_question(d.question, [d.question.answer], "en").correct


def test_known_values():
    # hand-computed: (32 + 2·1 − 3)/1 + 1 = 32; He std at n = 100 is √0.02; L1 at 0 is 0
    p = {"H": 32, "FH": 3, "S": 1, "P": 1}
    assert T.solve_conv_output_size(p) == 32 and T.MISTAKES["conv_output_size"]["forgot_plus_one"](p) == 31
    assert T.MISTAKES["conv_output_size"]["pad_counted_once"](p) == 31
    assert math.isclose(T.solve_he_std({"n": 100}), math.sqrt(0.02))
    assert math.isclose(T.MISTAKES["he_std"]["sqrt2_over_n"]({"n": 100}), math.sqrt(2) / 100)
    assert T.solve_l1_grad({"W": [0.0, -2.0, 1.0], "lam": 0.1}) == [0.0, -0.1, 0.1]
    assert T.format_value(-0.00001) == "0" and T.format_value(2.0) == "2" and T.format_value([0.5, 1]) == "[0.5, 1]"


def test_tanh_explanation_digits_agree_with_numpy_for_every_drawable_x():
    """The explanation's tanh(x) and 1 − tanh² are right to their last digit (4 decimals of tanh were not: ±0.5, ±1.5)."""
    import random
    import re

    pattern = re.compile(r"tanh\((?P<x>-?[\d.]+)\) ≈ (?P<t>-?[\d.]+), so 1 − \((?P=t)\)² ≈ (?P<a>-?[\d.]+)\.")
    seen = set()
    for seed in range(400):
        d = T.draw("tanh_grad", seed)
        x = d.params["x"]
        seen.add(x)
        m = pattern.search(d.question.explanation.en)
        assert m, d.question.explanation.en
        t = float(m["t"])
        assert float(m["x"]) == x and t == round(float(np.tanh(x)), 6)  # tanh shown with 6 correct decimals
        assert round(1 - t**2, 4) == round(float(1 - np.tanh(x) ** 2), 4) == float(m["a"])  # its square gives the answer
        assert f"tanh({m['x']}) ≈ {m['t']} なので 1 − ({m['t']})² ≈ {m['a']}" in d.question.explanation.ja
    assert seen == set(T.TANH_GRAD_X)  # every drawable x was checked
    assert {T.draw_tanh_grad(random.Random(i))["x"] for i in range(400)} <= set(T.TANH_GRAD_X)


DRAW_SEEDS = range(3000)


def test_conv_padding_is_never_as_large_as_the_filter_over_many_seeds():
    import random

    for seed in DRAW_SEEDS:
        p = T.draw_conv_output_size(random.Random(seed))
        assert 0 <= p["P"] <= (p["FH"] - 1) // 2 < p["FH"], (seed, p)
    for seed in range(400):  # the questions as drawn (redraws included) keep it too
        p = T.draw("conv_output_size", seed).params
        assert p["P"] <= (p["FH"] - 1) // 2, (seed, p)
    drawn = [T.draw_conv_output_size(random.Random(seed)) for seed in DRAW_SEEDS]
    assert {p["P"] for p in drawn if p["FH"] >= 7} == {0, 1, 2, 3}  # still varied where the filter allows it


def test_pool_stride_never_exceeds_the_window_over_many_seeds():
    import random

    for seed in DRAW_SEEDS:
        p = T.draw_pool_output_size(random.Random(seed))
        assert 1 <= p["S"] <= p["PH"] and p["P"] < p["PH"], (seed, p)
    for seed in range(400):
        p = T.draw("pool_output_size", seed).params
        assert p["S"] <= p["PH"], (seed, p)
    drawn = [T.draw_pool_output_size(random.Random(seed)) for seed in DRAW_SEEDS]
    assert {(p["PH"], p["S"]) for p in drawn} == {(2, 1), (2, 2), (3, 1), (3, 2), (3, 3)}


def test_adam_no_bias_correction_says_the_first_step_grows_about_3_16_times():
    p = {"lr": 0.01, "W": 1.0, "g": 0.5}
    step = p["W"] - T.MISTAKES["adam_step"]["no_bias_correction"](p)
    right = p["W"] - T.solve_adam_step(p)
    assert math.isclose(step / right, 0.1 / math.sqrt(0.001), rel_tol=1e-5)  # ≈ 3.16, not √0.001/0.1 ≈ 0.32
    why = T.load_templates()["adam_step"].misconceptions["no_bias_correction"]
    assert "0.1/√0.001 ≈ 3.16" in why.ja and "0.1/√0.001 ≈ 3.16" in why.en and "√0.001/0.1" not in why.ja


SHAPE_TEMPLATES = {  # name → (its section, the sizes it draws, all pairwise different)
    "time_rnn_output_shape": ("day3.section1", ("N", "T", "D", "H")),
    "time_birnn_output_shape": ("day3.section4", ("N", "T", "D", "H")),
    "attention_weight_shape": ("day3.section7", ("N", "T", "H")),
    "weight_sum_shape": ("day3.section7", ("N", "T", "H")),
    "sdpa_output_shape": ("day3.section7", ("Tq", "Tk", "dk", "dv")),
    "sdpa_weights_shape": ("day3.section7", ("Tq", "Tk", "dk", "dv")),
}


@pytest.mark.parametrize("name", sorted(SHAPE_TEMPLATES))
def test_output_shape_draws_are_small_distinct_and_varied_and_every_misconception_appears(name):
    section, sizes = SHAPE_TEMPLATES[name]
    assert T.load_templates()[name].section == section
    named, drawn = set(), set()
    for seed in range(300):
        d = T.draw(name, seed)
        values = [d.params[k] for k in sizes]
        assert len(set(values)) == len(values) and all(1 < v <= 64 for v in values), (seed, d.params)
        assert all(c.text.startswith("(") and c.text.endswith(")") for c in d.question.choices)  # shapes as Python prints them
        named |= {m for m in d.misconceptions if m}
        drawn.add(tuple(values) + tuple(d.params.get("lead", ())))
    assert named == set(T.MISTAKES[name]), "every misconception is offered on some seed"
    assert len(drawn) > 100


def test_scaled_dot_product_attention_is_drawn_with_and_without_a_heads_axis():
    leads = [T.draw("sdpa_output_shape", seed).params["lead"] for seed in range(100)]
    assert {len(lead) for lead in leads} == {1, 2}
    d = next(T.draw("sdpa_output_shape", s) for s in range(100) if len(T.draw("sdpa_output_shape", s).params["lead"]) == 1)
    assert "heads_concatenated" not in d.misconceptions  # no heads axis: that misconception gives no shape


def test_shapes_read_as_python_prints_them_and_the_book_s_misconceptions_are_named():
    assert T.format_value((7,)) == "(7,)" and T.format_value((2, 5, 16)) == "(2, 5, 16)" and T.format_value([2, 5]) == "[2, 5]"
    p = {"N": 4, "T": 5, "D": 8, "H": 6}
    assert T.solve_time_rnn_output_shape(p) == (4, 5, 6) and T.solve_time_birnn_output_shape(p) == (4, 5, 12)
    assert T.MISTAKES["time_birnn_output_shape"]["forgot_concatenation"](p) == (4, 5, 6)  # the 2H concatenation
    assert T.solve_attention_weight_shape(p) == (4, 5) and T.solve_weight_sum_shape(p) == (4, 6)
    assert T.MISTAKES["attention_weight_shape"]["softmax_over_hidden"](p) == (4, 6)  # softmax over H, not T
    q = {"lead": [2, 8], "Tq": 5, "Tk": 7, "dk": 16, "dv": 32}
    assert T.solve_sdpa_output_shape(q) == (2, 8, 5, 32) and T.solve_sdpa_weights_shape(q) == (2, 8, 5, 7)
    assert T.MISTAKES["sdpa_weights_shape"]["transposed_weights"](q) == (2, 8, 7, 5)
    why = T.load_templates()["attention_weight_shape"].misconceptions["softmax_over_hidden"]
    assert "softmax over H" in why.en and "(N, T)" in why.ja


def test_drills_and_the_mock_exam_draw_the_output_shape_templates_of_their_sections():
    from grader.practice import drill

    assert {t.name for t in T.templates_for(["day3.section7"])} >= {
        "attention_weight_shape", "weight_sum_shape", "sdpa_output_shape", "sdpa_weights_shape"}
    assert "time_rnn_output_shape" in {t.name for t in T.templates_for(["day3.section1"])}
    assert "time_birnn_output_shape" in {t.name for t in T.templates_for(["day3.section4"])}
    keys = {it.key.partition("@")[0] for seed in range(4) for it in drill.build(["day3.section7"], 12, seed).items
            if it.parametric}
    assert {"attention_weight_shape", "weight_sum_shape", "sdpa_output_shape", "sdpa_weights_shape"} <= keys
    exam = {it.key.partition("@")[0] for seed in range(6) for it in drill.build(None, 40, seed).items if it.parametric}
    assert exam & set(SHAPE_TEMPLATES), "the mock exam (all sections) draws them too"
    d = T.draw("time_birnn_output_shape", 5)
    assert drill.resolve(d.key).question == d.question  # an answers file can name a drawn question by its key


def test_a_template_whose_mistakes_all_equal_the_answer_is_reported(monkeypatch):
    from grader.authoring import template_problems

    right = {"sign_error": T.solve_sgd_step, "forgot_lr": T.solve_sgd_step, "step_not_weight": T.solve_sgd_step}
    monkeypatch.setitem(T.MISTAKES, "sgd_step", right)
    problems = template_problems("sgd_step", 5)
    assert problems and "no sound draw" in problems[0]


def test_a_wrong_answer_index_is_reported(monkeypatch):
    from grader.authoring import template_problems

    real = T.draw

    def shifted(name, seed):
        d = real(name, seed)
        q = d.question.model_copy(update={"answer": d.question.answer % len(d.question.choices) + 1})
        return T.Drawn(d.key, d.template, d.seed, d.section, q, d.misconceptions, d.params)

    monkeypatch.setattr(T, "draw", shifted)
    problems = template_problems("fc_param_count", 3)
    assert problems and "right choices" in problems[0]


def test_yaml_and_code_must_agree(tmp_path):
    text = T.TEMPLATES_PATH.read_text(encoding="utf-8").replace("      forgot_plus_one:\n", "      forgot_plus1:\n", 1)
    path = tmp_path / "templates.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(T.CourseDataError, match="forgot_plus1"):
        T.load_templates(path)
    path2 = tmp_path / "templates2.yaml"
    path2.write_text(T.TEMPLATES_PATH.read_text(encoding="utf-8").replace("高さ {H} の", "高さ {H.__class__} の", 1), encoding="utf-8")
    with pytest.raises(T.CourseDataError, match="plain name"):
        T.load_templates(path2)


# ---------------------------------------------------------------- release without solutions/


def test_predraw_is_plain_data_and_reproduces_the_question():
    items = T.predraw("sgd_step", [1, 2])
    json.dumps(items)  # plain data
    d = T.draw("sgd_step", 2)
    assert items[1]["key"] == "sgd_step@2" and items[1]["answer"] == d.question.answer
    assert [c["text"] for c in items[1]["choices"]] == [c.text for c in d.question.choices]
    assert [c["misconception"] for c in items[1]["choices"]] == list(d.misconceptions)
    assert {"ja", "en", "explanation", "section", "tags", "seed", "template"} <= set(items[0])


def test_without_solutions_predrawn_questions_are_used_with_hashed_keys(tmp_path, monkeypatch):
    items = T.predraw("he_std", [7, 8])
    for it in items:
        it["answer_sha256"] = T.hash_answer(it["key"], it.pop("answer"))
    path = tmp_path / "predrawn.json"
    path.write_text(json.dumps({"version": 1, "questions": items}), encoding="utf-8")
    original = T.draw("he_std", 7).question
    monkeypatch.setattr(T, "solutions_available", lambda: False)
    monkeypatch.setattr(T, "PREDRAWN_PATH", path)
    monkeypatch.setattr(T, "_predrawn", lambda: {it["key"]: it for it in items})
    assert T.draw("he_std", 7).question == original
    assert T.available("he_std") and not T.available("sgd_step")
    assert T.predrawn_seeds("he_std") == [7, 8]
    with pytest.raises(T.TemplateUnavailable):
        T.draw("sgd_step", 7)


def test_without_solutions_or_predrawn_file_a_drill_skips_templates_with_a_message(monkeypatch):
    from grader.practice import drill

    monkeypatch.setattr(T, "solutions_available", lambda: False)
    monkeypatch.setattr(T, "_predrawn", lambda: {})
    session = drill.build(["day2.section2"], 6, seed=1)
    assert session.items and not any(it.parametric for it in session.items)
    assert session.notes and "skipped" in session.notes[0].en


def test_without_solutions_the_cli_still_works(tmp_path):
    import subprocess

    from tests.conftest import ROOT, grade_env

    code = ("import sys; sys.modules['solutions'] = None; sys.argv = ['grade'] + sys.argv[1:]; "
            "from grader.cli.launch import main; main()")
    proc = subprocess.run([sys.executable, "-c", code, "quiz", "section2", "--count", "4", "--seed", "1", "--print",
                           "--lang", "en"], capture_output=True, text=True, cwd=ROOT, timeout=60,
                          stdin=subprocess.DEVNULL, env=grade_env())
    assert proc.returncode == 0, proc.stderr
    assert "@" not in proc.stdout and "day2.section2.q" in proc.stdout and "Traceback" not in proc.stderr
    assert "question templates skipped" in proc.stdout
