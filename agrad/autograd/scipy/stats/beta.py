"""``agrad.autograd.scipy.stats.beta``.

SciPy's ``scipy.stats.beta`` on plain values, ``agrad.scipy.stats.beta`` on traced ones (see
:mod:`agrad.autograd.numpy`).
"""

from __future__ import annotations

from agrad.autograd._dispatch import dispatcher

__getattr__, __dir__ = dispatcher(
    "agrad.autograd.scipy.stats.beta", "agrad.scipy.stats.beta", "scipy.stats.beta", {}
)
