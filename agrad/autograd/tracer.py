"""``agrad.autograd.tracer``: HIPS autograd's tracing names; a traced value ("box") is an
agrad Tensor.

Examples
--------
>>> import numpy as np
>>> from agrad.autograd.tracer import isbox
>>> isbox(np.ones(2))
False
"""

from __future__ import annotations

from typing import Any

from agrad._tensor import Tensor as Box
from agrad.autograd._primitive import notrace_primitive, primitive

__all__ = ["Box", "getval", "isbox", "notrace_primitive", "primitive"]


def isbox(x: Any) -> bool:
    """Whether ``x`` is being traced (an agrad Tensor).

    Examples
    --------
    >>> from agrad.autograd.tracer import isbox
    >>> isbox(1.0)
    False
    """
    return isinstance(x, Box)


def getval(x: Any) -> Any:
    """The plain value of ``x``: a Tensor's array, anything else as it is.

    Examples
    --------
    >>> import agrad
    >>> from agrad.autograd.tracer import getval
    >>> getval(agrad.asarray([1.0]))
    array([1.])
    """
    return x.detach().array if isinstance(x, Box) else x
