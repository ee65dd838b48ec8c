"""Where this interpreter's numpy lives: the one rule the worker's start (spawn: its sys.path, as it runs without
site) and the sandbox (the folders it binds) both follow. Standard library only, found without importing numpy:
the pre-started worker's numpy import overlaps the parent's own."""

from __future__ import annotations

import os
import sys

_home: str | None = None


def numpy_home() -> str:
    """The folder that holds numpy's package (a site-packages), found on sys.path as an import would find it but
    without importing numpy or importlib.util. "" when this interpreter has no numpy (the worker then fails to
    start, and says so)."""
    global _home
    if _home is None:
        _home = next((os.path.abspath(p) for p in sys.path
                      if p and os.path.isfile(os.path.join(p, "numpy", "__init__.py"))), "")
    return _home
