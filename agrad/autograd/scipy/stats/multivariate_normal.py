"""``agrad.autograd.scipy.stats.multivariate_normal``.

SciPy's ``scipy.stats.multivariate_normal`` on plain values,
``agrad.scipy.stats.multivariate_normal`` on traced ones (see :mod:`agrad.autograd.numpy`).
"""

from __future__ import annotations

from agrad.autograd._dispatch import dispatcher

__getattr__, __dir__ = dispatcher(
    "agrad.autograd.scipy.stats.multivariate_normal",
    "agrad.scipy.stats.multivariate_normal",
    "scipy.stats.multivariate_normal",
    {},
)
