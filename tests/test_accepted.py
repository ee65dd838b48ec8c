"""Fairness: every other correct formulation the course or the literature teaches scores full marks."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT, grade_file

ACCEPTED = sorted((ROOT / "tests" / "accepted").glob("day*/section*/*.py"))
ACCEPTED_INLINE = {  # formulations the issue names explicitly, written as small edits of the reference
    "day2.section2": [
        ("AdaGrad ε inside the root", "np.sqrt(self.h[key]) + 1e-7", "np.sqrt(self.h[key] + 1e-7)"),
        ("Adam in the paper's form (m̂, v̂)",
         "params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + 1e-7)",
         "m_hat = self.m[key] / (1 - self.beta1 ** self.iter)\n"
         "            v_hat = self.v[key] / (1 - self.beta2 ** self.iter)\n"
         "            params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + 1e-7)"),
    ],
}


def test_every_file_declares_itself():
    assert ACCEPTED
    for path in ACCEPTED:
        assert path.read_text(encoding="utf-8").startswith("# ACCEPTED"), path


@pytest.mark.parametrize("path", ACCEPTED, ids=lambda p: f"{p.parent.parent.name}.{p.parent.name}/{p.stem}")
def test_alternative_form_scores_full(path):
    g = grade_file(f"{path.parent.parent.name}.{path.parent.name}", path)
    assert [(c["id"], c["feedback"]) for c in g.report["checks"] if c["status"] != "passed"] == []
    assert g.rc == 0


@pytest.mark.parametrize(("section", "case"), [(s, c) for s, cases in ACCEPTED_INLINE.items() for c in cases],
                         ids=lambda x: x if isinstance(x, str) else x[0])
def test_named_formulation_scores_full(tmp_path, section, case):
    _, old, new = case
    day, sec = section.split(".")
    source = (ROOT / "solutions" / day / f"{sec}.py").read_text(encoding="utf-8")
    assert old in source
    path = tmp_path / f"{sec}.py"
    path.write_text(source.replace(old, new), encoding="utf-8")
    g = grade_file(section, path)
    assert [(c["id"], c["feedback"]) for c in g.report["checks"] if c["status"] != "passed"] == []
