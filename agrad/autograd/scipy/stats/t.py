"""``agrad.autograd.scipy.stats.t``.

SciPy's ``scipy.stats.t`` on plain values, ``agrad.scipy.stats.t`` on traced ones (see
:mod:`agrad.autograd.numpy`).
"""

from __future__ import annotations

from agrad.autograd._dispatch import dispatcher

__getattr__, __dir__ = dispatcher(
    "agrad.autograd.scipy.stats.t", "agrad.scipy.stats.t", "scipy.stats.t", {}
)
