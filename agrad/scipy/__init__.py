"""SciPy's differentiable parts, on agrad tensors: change ``import scipy`` and nothing else.

``agrad.scipy.special``, ``stats``, ``linalg``, ``signal`` and ``integrate`` mirror SciPy's
modules of the same names. Forward values come from SciPy on the NumPy device and from the
device's own library elsewhere (``torch.special``, ``jax.scipy``); the derivative rules are
written once, against the standard.

Examples
--------
>>> import numpy as np
>>> import agrad
>>> from agrad.scipy import special
>>> x = agrad.tensor(np.array([0.5, 2.0]), requires_grad=True)
>>> agrad.sum(special.gammaln(x)).backward()
>>> bool(agrad.all(agrad.abs(x.grad - special.digamma(x)) < 1e-12))
True
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["integrate", "linalg", "signal", "special", "stats"]


def __getattr__(name: str) -> Any:
    # submodules load on first use: SciPy itself is slow to import
    if name in __all__:
        return importlib.import_module(f"agrad.scipy.{name}")
    msg = f"module `agrad.scipy` has no attribute {name!r}; it offers {', '.join(__all__)}."
    raise AttributeError(msg)
