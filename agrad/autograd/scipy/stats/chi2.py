"""``agrad.autograd.scipy.stats.chi2``.

SciPy's ``scipy.stats.chi2`` on plain values, ``agrad.scipy.stats.chi2`` on traced ones (see
:mod:`agrad.autograd.numpy`).
"""

from __future__ import annotations

from agrad.autograd._dispatch import dispatcher

__getattr__, __dir__ = dispatcher(
    "agrad.autograd.scipy.stats.chi2", "agrad.scipy.stats.chi2", "scipy.stats.chi2", {}
)
