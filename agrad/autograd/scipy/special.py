"""``agrad.autograd.scipy.special``.

SciPy's ``scipy.special`` on plain values, ``agrad.scipy.special`` on traced ones (see
:mod:`agrad.autograd.numpy`).
"""

from __future__ import annotations

from agrad.autograd._dispatch import dispatcher

__getattr__, __dir__ = dispatcher(
    "agrad.autograd.scipy.special", "agrad.scipy.special", "scipy.special", {}
)
