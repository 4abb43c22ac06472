"""``agrad.autograd.extend``: define operations with hand-written derivatives, HIPS-style.

``@primitive`` and ``defvjp(f, vjpmaker, ...)`` keep working unchanged; agrad records the
call as one node whose rule runs the VJP makers (in HIPS autograd's complex convention).

Examples
--------
>>> import numpy as np
>>> from agrad.autograd import grad
>>> from agrad.autograd.extend import primitive, defvjp
>>> @primitive
... def cube(x):
...     return x**3
>>> defvjp(cube, lambda ans, x: lambda g: g * 3 * x**2)
>>> grad(cube)(2.0)
np.float64(12.0)
"""

from __future__ import annotations

from agrad._tensor import Tensor as Box
from agrad.autograd._primitive import (
    def_linear,
    defjvp,
    defjvp_argnum,
    defjvp_argnums,
    defvjp,
    defvjp_argnum,
    defvjp_argnums,
    notrace_primitive,
    primitive,
)
from agrad.autograd._vspace import VSpace, vspace
from agrad.autograd.core import SparseObject

__all__ = [
    "Box",
    "SparseObject",
    "VSpace",
    "def_linear",
    "defjvp",
    "defjvp_argnum",
    "defjvp_argnums",
    "defvjp",
    "defvjp_argnum",
    "defvjp_argnums",
    "notrace_primitive",
    "primitive",
    "vspace",
]
