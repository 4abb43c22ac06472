"""``agrad.autograd.scipy.stats.norm``.

SciPy's ``scipy.stats.norm`` on plain values, ``agrad.scipy.stats.norm`` on traced ones (see
:mod:`agrad.autograd.numpy`).
"""

from __future__ import annotations

from agrad.autograd._dispatch import dispatcher

__getattr__, __dir__ = dispatcher(
    "agrad.autograd.scipy.stats.norm", "agrad.scipy.stats.norm", "scipy.stats.norm", {}
)
