"""``agrad.autograd.scipy.integrate``.

SciPy's ``scipy.integrate`` on plain values, ``agrad.scipy.integrate`` on traced ones (see
:mod:`agrad.autograd.numpy`).
"""

from __future__ import annotations

from agrad.autograd._dispatch import dispatcher

__getattr__, __dir__ = dispatcher(
    "agrad.autograd.scipy.integrate", "agrad.scipy.integrate", "scipy.integrate", {}
)
