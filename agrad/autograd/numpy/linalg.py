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

from agrad.autograd._dispatch import dispatcher

__getattr__, __dir__ = dispatcher(
    "agrad.autograd.numpy.linalg", "agrad.numpy.linalg", "numpy.linalg", {}
)
