"""``agrad.autograd.numpy``: HIPS autograd's ``autograd.numpy`` over agrad.

Every NumPy name: on plain values a function is NumPy's own (plain NumPy arrays come back);
with an agrad Tensor among its arguments (inside a traced function) it is
``agrad.numpy``'s, and records what it computes. Classes, dtypes, scalar types and
constants (``ndarray``, ``float64``, ``pi``) are NumPy's own objects.

Examples
--------
>>> import agrad.autograd.numpy as np
>>> from agrad.autograd import grad
>>> np.sin(np.array([0.0]))  # plain NumPy in, plain NumPy out
array([0.])
>>> grad(lambda x: np.sum(np.sin(x)))(np.array([0.0, np.pi]))
array([ 1., -1.])
"""

from __future__ import annotations

from agrad.autograd._dispatch import dispatcher
from agrad.autograd.numpy import fft, linalg, random
from agrad.autograd.numpy._hips import (
    __version__,
    c_,
    int8,
    int16,
    int32,
    int64,
    integer,
    make_diagonal,
    r_,
    where,
)

__all__ = [
    "__version__",
    "c_",
    "fft",
    "int8",
    "int16",
    "int32",
    "int64",
    "integer",
    "linalg",
    "make_diagonal",
    "r_",
    "random",
    "where",
]

__getattr__, __dir__ = dispatcher(
    "agrad.autograd.numpy", "agrad.numpy", "numpy", {n: globals()[n] for n in __all__}
)
