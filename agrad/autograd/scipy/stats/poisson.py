"""``agrad.autograd.scipy.stats.poisson``.

SciPy's ``scipy.stats.poisson`` on plain values, ``agrad.scipy.stats.poisson`` on traced ones (see
:mod:`agrad.autograd.numpy`).
"""

from __future__ import annotations

from agrad.autograd._dispatch import dispatcher

__getattr__, __dir__ = dispatcher(
    "agrad.autograd.scipy.stats.poisson", "agrad.scipy.stats.poisson", "scipy.stats.poisson", {}
)
