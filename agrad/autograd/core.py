"""``agrad.autograd.core``: HIPS autograd's core names over agrad.

``make_vjp``/``make_jvp`` take a one-argument function (see
:mod:`agrad.autograd.differential_operators` for the ``argnum`` forms); ``vspace`` gives a
value's vector space; ``primitive`` and the ``defvjp`` family define operations with
hand-written derivatives, recorded by agrad's engine.
"""

from __future__ import annotations

from agrad.autograd._boundary import make_jvp, make_vjp
from agrad.autograd._primitive import (
    Primitive,
    def_linear,
    defjvp,
    defjvp_argnum,
    defjvp_argnums,
    defvjp,
    defvjp_argnum,
    defvjp_argnums,
    primitive,
    primitive_jvps,
    primitive_vjps,
)
from agrad.autograd._vspace import VSpace, vspace

primitive_with_deprecation_warnings = primitive
SparseObject = object  # HIPS's sparse-gradient container; agrad accumulates dense arrays

__all__ = [
    "Primitive",
    "SparseObject",
    "VSpace",
    "def_linear",
    "defjvp",
    "defjvp_argnum",
    "defjvp_argnums",
    "defvjp",
    "defvjp_argnum",
    "defvjp_argnums",
    "make_jvp",
    "make_vjp",
    "primitive",
    "primitive_jvps",
    "primitive_vjps",
    "primitive_with_deprecation_warnings",
    "vspace",
]
