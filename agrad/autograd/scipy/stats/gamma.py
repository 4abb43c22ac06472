"""``agrad.autograd.scipy.stats.gamma``.

SciPy's ``scipy.stats.gamma`` on plain values, ``agrad.scipy.stats.gamma`` on traced ones (see
:mod:`agrad.autograd.numpy`).
"""

from __future__ import annotations

from agrad.autograd._dispatch import dispatcher

__getattr__, __dir__ = dispatcher(
    "agrad.autograd.scipy.stats.gamma", "agrad.scipy.stats.gamma", "scipy.stats.gamma", {}
)
