"""``agrad.autograd.numpy.fft``: ``numpy.fft`` on plain values, ``agrad.numpy.fft`` on traced
ones (see :mod:`agrad.autograd.numpy`).

Examples
--------
>>> import agrad.autograd.numpy as np
>>> np.fft.fft(np.ones(2))
array([2.+0.j, 0.+0.j])
"""

from __future__ import annotations

from agrad.autograd._dispatch import dispatcher

__getattr__, __dir__ = dispatcher("agrad.autograd.numpy.fft", "agrad.numpy.fft", "numpy.fft", {})
