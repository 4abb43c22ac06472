"""``agrad.autograd.scipy.signal``.

SciPy's ``scipy.signal`` on plain values, ``agrad.scipy.signal`` on traced ones (see
:mod:`agrad.autograd.numpy`).
"""

from __future__ import annotations

from agrad.autograd._dispatch import dispatcher

__getattr__, __dir__ = dispatcher(
    "agrad.autograd.scipy.signal", "agrad.scipy.signal", "scipy.signal", {}
)
