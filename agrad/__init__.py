"""agrad: reverse-mode automatic differentiation for the Python Array API standard.

``import agrad as xp`` gives an Array API namespace whose tensors record what is computed
on them, on any conforming array library (NumPy by default).

Examples
--------
>>> import agrad as xp
>>> x = xp.tensor([1.0, 2.0], requires_grad=True)
>>> y = xp.sum(xp.sin(x) * x)
>>> y.backward()
>>> x.grad.shape
(2,)
"""

from __future__ import annotations

import math as _math
from typing import Any as _Any

try:
    import agrad.backends  # noqa: F401 - `backends/` mapped into the package at install
except ModuleNotFoundError as _exc:  # pragma: no cover - only in a broken setup
    _msg = (
        "agrad was imported from a source checkout that is not installed, so "
        "`agrad.backends` (the checkout's `backends/` folder) cannot be found. Run "
        "`pip install -e .` in the checkout, or run Python outside it."
    )
    raise ImportError(_msg) from _exc

from agrad import errors, extend, fft, linalg, random
from agrad._anomaly import detect_anomaly
from agrad._api.creation import (
    arange,
    asarray,
    empty,
    empty_like,
    eye,
    from_dlpack,
    full,
    full_like,
    linspace,
    meshgrid,
    ones,
    ones_like,
    tensor,
    tril,
    triu,
    zeros,
    zeros_like,
)
from agrad._api.data_type import astype, can_cast, finfo, iinfo, isdtype, result_type
from agrad._api.elementwise import (
    abs,
    acos,
    acosh,
    add,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    bitwise_and,
    bitwise_invert,
    bitwise_left_shift,
    bitwise_or,
    bitwise_right_shift,
    bitwise_xor,
    ceil,
    clip,
    conj,
    copysign,
    cos,
    cosh,
    divide,
    equal,
    exp,
    expm1,
    floor,
    floor_divide,
    greater,
    greater_equal,
    hypot,
    imag,
    isfinite,
    isinf,
    isnan,
    less,
    less_equal,
    log,
    log1p,
    log2,
    log10,
    logaddexp,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    maximum,
    minimum,
    multiply,
    negative,
    nextafter,
    not_equal,
    positive,
    pow,
    real,
    reciprocal,
    remainder,
    round,
    sign,
    signbit,
    sin,
    sinh,
    sqrt,
    square,
    subtract,
    tan,
    tanh,
    trunc,
)
from agrad._api.indexing import take, take_along_axis
from agrad._api.linear_algebra import matmul, matrix_transpose, tensordot, vecdot
from agrad._api.manipulation import (
    broadcast_arrays,
    broadcast_shapes,
    broadcast_to,
    concat,
    expand_dims,
    flip,
    moveaxis,
    permute_dims,
    repeat,
    reshape,
    roll,
    squeeze,
    stack,
    tile,
    unstack,
)
from agrad._api.searching import argmax, argmin, count_nonzero, nonzero, searchsorted, where
from agrad._api.set import isin, unique_all, unique_counts, unique_inverse, unique_values
from agrad._api.sorting import argsort, sort
from agrad._api.statistical import (
    cumulative_prod,
    cumulative_sum,
    max,
    mean,
    min,
    prod,
    std,
    sum,
    var,
)
from agrad._api.utility import all, any, diff
from agrad._autograd import backward, grad
from agrad._checkpoint import checkpoint
from agrad._device import Device, default_device, get_default_device, set_default_device
from agrad._dtypes import (
    DType,
    bool,
    complex64,
    complex128,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    uint8,
    uint16,
    uint32,
    uint64,
)
from agrad._engine import Node
from agrad._function import Function, FunctionCtx
from agrad._grad_mode import (
    complex_convention,
    enable_grad,
    get_complex_convention,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
    set_graph_break,
)
from agrad._info import __array_namespace_info__
from agrad._operators import bind as _bind
from agrad._spec import API_VERSION as __array_api_version__
from agrad._tensor import Tensor
from agrad.backends import register_backend

__version__ = "0.1.0"

e = _math.e
inf = _math.inf
nan = _math.nan
pi = _math.pi
newaxis = None

_bind()  # the Tensor's operators, and the hooks its methods call in the layers above

__all__ = [
    "DType",
    "Device",
    "Function",
    "FunctionCtx",
    "Node",
    "Tensor",
    "__array_api_version__",
    "__array_namespace_info__",
    "abs",
    "acos",
    "acosh",
    "add",
    "all",
    "any",
    "arange",
    "argmax",
    "argmin",
    "argsort",
    "asarray",
    "asin",
    "asinh",
    "astype",
    "atan",
    "atan2",
    "atanh",
    "backward",
    "bitwise_and",
    "bitwise_invert",
    "bitwise_left_shift",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "bool",
    "broadcast_arrays",
    "broadcast_shapes",
    "broadcast_to",
    "can_cast",
    "ceil",
    "checkpoint",
    "clip",
    "compile",
    "complex64",
    "complex128",
    "complex_convention",
    "concat",
    "conj",
    "copysign",
    "cos",
    "cosh",
    "count_nonzero",
    "cumulative_prod",
    "cumulative_sum",
    "default_device",
    "detect_anomaly",
    "diff",
    "divide",
    "e",
    "empty",
    "empty_like",
    "enable_grad",
    "equal",
    "errors",
    "exp",
    "expand_dims",
    "expm1",
    "extend",
    "eye",
    "fft",
    "finfo",
    "flip",
    "float32",
    "float64",
    "floor",
    "floor_divide",
    "from_dlpack",
    "full",
    "full_like",
    "func",
    "get_complex_convention",
    "get_default_device",
    "grad",
    "greater",
    "greater_equal",
    "hypot",
    "iinfo",
    "imag",
    "inf",
    "inference_mode",
    "int8",
    "int16",
    "int32",
    "int64",
    "is_grad_enabled",
    "isdtype",
    "isfinite",
    "isin",
    "isinf",
    "isnan",
    "less",
    "less_equal",
    "linalg",
    "linspace",
    "log",
    "log1p",
    "log2",
    "log10",
    "logaddexp",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "matmul",
    "matrix_transpose",
    "max",
    "maximum",
    "mean",
    "meshgrid",
    "min",
    "minimum",
    "moveaxis",
    "multiply",
    "nan",
    "negative",
    "newaxis",
    "nextafter",
    "no_grad",
    "nonzero",
    "not_equal",
    "numpy",
    "ones",
    "ones_like",
    "permute_dims",
    "pi",
    "positive",
    "pow",
    "prod",
    "random",
    "real",
    "reciprocal",
    "register_backend",
    "remainder",
    "repeat",
    "reshape",
    "result_type",
    "roll",
    "round",
    "searchsorted",
    "set_default_device",
    "set_grad_enabled",
    "set_graph_break",
    "sign",
    "signbit",
    "sin",
    "sinh",
    "sort",
    "special",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "std",
    "subtract",
    "sum",
    "take",
    "take_along_axis",
    "tan",
    "tanh",
    "tensor",
    "tensordot",
    "tile",
    "tril",
    "triu",
    "trunc",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "unique_all",
    "unique_counts",
    "unique_inverse",
    "unique_values",
    "unstack",
    "var",
    "vecdot",
    "where",
    "zeros",
    "zeros_like",
]

# the doors on top load on first use: they import this namespace, not the other way round
# (and `scipy`, `special` import SciPy)
_LAZY = ("autograd", "func", "numpy", "optim", "scipy", "special")
# names of a door, served the same way: `agrad.compile` lives in the door `agrad._compile`
_LAZY_NAMES = {"compile": "agrad._compile", "CompileWarning": "agrad._compile"}


def __getattr__(name: str) -> _Any:
    if name in _LAZY:
        import importlib  # (a door loads on first use: start-up)

        return importlib.import_module(f"agrad.{name}")
    if name in _LAZY_NAMES:
        import importlib  # (a door loads on first use: start-up)

        return getattr(importlib.import_module(_LAZY_NAMES[name]), name)
    msg = (
        f"module 'agrad' has no attribute {name!r}: agrad's namespace holds the Array API "
        "standard's names (`atan2`, not `arctan2`); NumPy's names are in `agrad.numpy`, "
        "SciPy's in `agrad.scipy`."
    )
    raise errors.AgradAttributeError(msg)
