"""``agrad.autograd.scipy.linalg``.

SciPy's ``scipy.linalg`` on plain values, ``agrad.scipy.linalg`` on traced ones (see
:mod:`agrad.autograd.numpy`).
"""

from __future__ import annotations

from agrad.autograd._dispatch import dispatcher

__getattr__, __dir__ = dispatcher(
    "agrad.autograd.scipy.linalg", "agrad.scipy.linalg", "scipy.linalg", {}
)
