"""``agrad.autograd.numpy.random``: NumPy's ``numpy.random``, as in HIPS autograd.

Random numbers are constants to differentiation, so this is NumPy's module itself, its
global generator included (``seed``, ``randn``, ``RandomState`` ...): code that seeds
``numpy.random`` gets the same numbers through either name.

Examples
--------
>>> import agrad.autograd.numpy.random as npr
>>> npr.seed(0)
>>> float(npr.randn())
1.764052345967664
"""

from __future__ import annotations

from agrad.autograd._dispatch import dispatcher

__getattr__, __dir__ = dispatcher("agrad.autograd.numpy.random", None, "numpy.random", {})
