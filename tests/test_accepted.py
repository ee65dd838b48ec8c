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


# The book's Pooling (written here in its style): out_h = int(1 + (H - pool_h) / stride) leaves out pad, so it is
# right for pad = 0 and its reshape fails for pad > 0. It loses the pad check alone, told the bug by name.
BOOK_POOLING = '''

class Pooling:
    def __init__(self, pool_h, pool_w, stride=2, pad=0):
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad

    def forward(self, x):
        N, C, H, W = x.shape
        out_h = int(1 + (H - self.pool_h) / self.stride)
        out_w = int(1 + (W - self.pool_w) / self.stride)
        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)
        arg_max = np.argmax(col, axis=1)
        out = np.max(col, axis=1)
        out = out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)
        self.x = x
        self.arg_max = arg_max
        return out

    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)
        pool_size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, pool_size))
        dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()
        dmax = dmax.reshape(dout.shape + (pool_size,))
        dcol = dmax.reshape(dmax.shape[0] * dmax.shape[1] * dmax.shape[2], -1)
        return col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)
'''


def test_book_pooling_loses_only_the_pad_check(tmp_path):
    path = tmp_path / "section4.py"
    path.write_text((ROOT / "solutions" / "day2" / "section4.py").read_text(encoding="utf-8") + BOOK_POOLING,
                    encoding="utf-8")
    g = grade_file("day2.section4", path)
    lost = [c for c in g.report["checks"] if c["status"] != "passed"]
    assert [c["id"] for c in lost] == ["test_pooling_pad"], [(c["id"], c["feedback"]) for c in lost]
    assert lost[0]["misconception"]["en"].startswith("out_h ignores pad — the book's Pooling has this bug")
    assert lost[0]["misconception"]["ja"].startswith("out_h が pad を無視しています (書籍の Pooling にあるバグ)")
    assert lost[0]["max_score"] == 1 and g.report["score"] == g.report["max_score"] - 1
