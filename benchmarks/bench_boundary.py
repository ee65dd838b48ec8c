"""Cost of one call across the trust boundary: a function call and an optimizer update(params, grads).

Run: .venv/bin/python benchmarks/bench_boundary.py [--calls 300]
Prints wall time and the grader process's own CPU time per call (CPU is robust to machine load), once with
the strict .npy reader of grader/engine/worker.py and once with np.load, which the reader replaced on the parent side.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

import numpy as np

import grader.engine.proxy as proxy

MODULE = """
import numpy as np
def double(x):
    return 2 * x
class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr
    def update(self, params, grads):
        for key in params:
            params[key] -= self.lr * grads[key]
"""


def per_call(fn, calls: int) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        fn()
    return 1e3 * (time.perf_counter() - wall) / calls, 1e3 * (time.process_time() - cpu) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mod.py"
        path.write_text(MODULE, encoding="utf-8")
        session = proxy.Session(path)
        learner = session.fresh()
        x = np.ones((2, 3))
        opt = learner.SGD(lr=0.1)
        params = {"W": np.ones((3, 4)), "b": np.ones(4)}
        grads = {"W": np.ones((3, 4)), "b": np.ones(4)}
        fast = proxy.read_npy
        readers = {"strict .npy reader": fast,
                   "np.load": lambda np_, data: np.load(io.BytesIO(data), allow_pickle=False)}
        print(f"{'parent-side reader':<20} {'call':>18} {'update':>18}   (ms per call: wall / parent CPU)")
        for name, reader in readers.items():
            proxy.read_npy = reader
            cw, cc = per_call(lambda: learner.double(x), args.calls)
            uw, uc = per_call(lambda: opt.update(params, grads), args.calls)
            print(f"{name:<20} {cw:8.3f} / {cc:6.3f}  {uw:8.3f} / {uc:6.3f}")
        proxy.read_npy = fast
        session.close()


if __name__ == "__main__":
    main()
