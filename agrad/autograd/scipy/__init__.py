"""``agrad.autograd.scipy``: HIPS autograd's ``autograd.scipy`` over ``agrad.scipy``.

``special``, ``stats``, ``linalg``, ``signal`` and ``integrate``; each function is SciPy's on
plain values and agrad's (recorded, differentiable) on traced ones.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["integrate", "linalg", "signal", "special", "stats"]


def __getattr__(name: str) -> Any:
    # submodules load on first use: SciPy itself is slow to import
    if name in __all__:
        return importlib.import_module(f"agrad.autograd.scipy.{name}")
    msg = f"module `agrad.autograd.scipy` has no attribute {name!r}; it offers {__all__}."
    raise AttributeError(msg)
