"""``agrad.autograd``: HIPS autograd's public API over agrad.

A HIPS autograd program moves to agrad by changing its imports: ``import autograd.numpy as
np`` becomes ``import agrad.autograd.numpy as np``, ``from autograd import grad`` becomes
``from agrad.autograd import grad``. Plain NumPy values in give plain NumPy values out;
gradients of complex arguments follow HIPS autograd's convention (the conjugate of
torch's). See the "Migrating from HIPS autograd" page of the documentation.

Examples
--------
>>> import agrad.autograd.numpy as np
>>> from agrad.autograd import grad
>>> def tanh(x):
...     return (1.0 - np.exp(-2 * x)) / (1.0 + np.exp(-2 * x))
>>> float(grad(tanh)(1.0))
0.41997434161402614
"""

from __future__ import annotations

from agrad.autograd.builtins import dict, isinstance, list, tuple, type
from agrad.autograd.core import primitive
from agrad.autograd.differential_operators import (
    checkpoint,
    deriv,
    elementwise_grad,
    grad,
    grad_and_aux,
    grad_named,
    hessian,
    hessian_tensor_product,
    hessian_vector_product,
    holomorphic_grad,
    jacobian,
    make_ggnvp,
    make_hvp,
    make_jvp,
    make_vjp,
    multigrad_dict,
    tensor_jacobian_product,
    value_and_grad,
    vector_jacobian_product,
)

__all__ = [
    "checkpoint",
    "deriv",
    "dict",
    "elementwise_grad",
    "grad",
    "grad_and_aux",
    "grad_named",
    "hessian",
    "hessian_tensor_product",
    "hessian_vector_product",
    "holomorphic_grad",
    "isinstance",
    "jacobian",
    "list",
    "make_ggnvp",
    "make_hvp",
    "make_jvp",
    "make_vjp",
    "multigrad_dict",
    "primitive",
    "tensor_jacobian_product",
    "tuple",
    "type",
    "value_and_grad",
    "vector_jacobian_product",
]
