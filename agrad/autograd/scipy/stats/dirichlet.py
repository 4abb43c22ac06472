"""``agrad.autograd.scipy.stats.dirichlet``.

SciPy's ``scipy.stats.dirichlet`` on plain values,
``agrad.scipy.stats.dirichlet`` on traced ones (see :mod:`agrad.autograd.numpy`).
"""

from __future__ import annotations

from agrad.autograd._dispatch import dispatcher

__getattr__, __dir__ = dispatcher(
    "agrad.autograd.scipy.stats.dirichlet",
    "agrad.scipy.stats.dirichlet",
    "scipy.stats.dirichlet",
    {},
)
