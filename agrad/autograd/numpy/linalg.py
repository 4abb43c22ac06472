"""``agrad.autograd.numpy.linalg``: ``numpy.linalg`` on plain values, ``agrad.numpy.linalg``
on traced ones (see :mod:`agrad.autograd.numpy`).

Examples
--------
>>> import numpy as onp
>>> import agrad.autograd.numpy as np
>>> from agrad.autograd import grad
>>> grad(np.linalg.det)(onp.eye(2))
array([[1., 0.],
       [0., 1.]])
"""

from __future__ import annotations

from typing import Any

import numpy as onp

from agrad.autograd._dispatch import dispatcher, resolve, traced


def _xp(*values: Any) -> Any:
    """agrad.numpy for traced values, NumPy otherwise (as ``agrad.autograd.numpy`` picks)."""
    return resolve("agrad.numpy") if traced(values) else onp


def _dot(a: Any, b: Any) -> Any:
    """Batched matrix product (HIPS autograd's private helper, used by its tests)."""
    return _xp(a, b).einsum("...ij,...jk->...ik", a, b)


def T(x: Any) -> Any:
    """The transpose of the last two axes (HIPS autograd's helper).

    Examples
    --------
    >>> import numpy as onp
    >>> from agrad.autograd.numpy.linalg import T
    >>> T(onp.zeros((2, 3, 4))).shape
    (2, 4, 3)
    """
    return _xp(x).swapaxes(x, -1, -2)


__getattr__, __dir__ = dispatcher(
    "agrad.autograd.numpy.linalg", "agrad.numpy.linalg", "numpy.linalg", {"T": T, "_dot": _dot}
)
