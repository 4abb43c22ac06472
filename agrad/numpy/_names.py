"""Every NumPy name that ``agrad.numpy`` does not define as a function of its own.

``agrad.numpy`` (and its ``linalg``, ``fft`` and ``random``) answers each public NumPy name
in one of four ways:

- **its own function** (in the module's ``__all__``): differentiable, or without a
  gradient by nature (``argmax``, ``isnan``, creation functions);
- **NumPy's object, unchanged** (:data:`NUMPY`): types, constants, printing and error
  settings, classes and modules that hold no differentiable data;
- **NumPy's function on the values** (:data:`VALUES`, :data:`CREATE`): tensors given to it
  become NumPy arrays of their values (as ``t.detach()``), and array results become
  tensors again (constants, on the device of the first tensor given, else the default
  device). These are the functions whose result has no gradient (counts, indices, bits,
  files written, text); those in :data:`NO_GRAD` would have one, so a tensor that requires
  grad is refused there rather than silently cut from the graph;
- **refused** (:data:`REFUSED`): reading the name raises :class:`NumpyNameError` (an
  ``AttributeError``, so ``hasattr`` is False) saying why and what to use instead.

A name NumPy does not have raises :class:`NumpyNameError` as well.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy

from agrad._api.creation import asarray
from agrad._device import get_default_device
from agrad._tensor import Tensor
from agrad.errors import AgradAttributeError, AgradError, AgradTypeError

__all__ = [
    "CREATE",
    "NO_GRAD",
    "NUMPY",
    "REFUSED",
    "VALUES",
    "NumpyNameError",
    "lookup",
]


class NumpyNameError(AgradAttributeError):
    """A NumPy name that ``agrad.numpy`` refuses, or a name NumPy does not have."""


_NO_FLOAT16 = (
    "agrad has no 16-bit float dtype (the Array API standard defines none); use "
    "`np.float32` or `np.float64`"
)
_NO_LONGDOUBLE = (
    "agrad computes in at most 64-bit floats (128-bit complex) on every backend; use "
    "`np.float64` or `np.complex128`"
)
_NO_MATRIX = (
    "NumPy's matrix class is deprecated and agrad has no matrix type; use 2-d tensors and "
    "`@` (`np.array`, `np.block`)"
)

#: name (``"linalg.x"`` for a submodule's) -> why it is refused and what to use instead
REFUSED: dict[str, str] = {
    "float16": _NO_FLOAT16,
    "half": _NO_FLOAT16,
    "longdouble": _NO_LONGDOUBLE,
    "float128": _NO_LONGDOUBLE,
    "clongdouble": _NO_LONGDOUBLE,
    "complex256": _NO_LONGDOUBLE,
    "matrix": _NO_MATRIX,
    "asmatrix": _NO_MATRIX,
    "bmat": _NO_MATRIX,
    "ma": (
        "masked arrays carry no gradients in agrad; keep a boolean mask beside the tensor "
        "and use `np.where(mask, x, fill)` or the nan-functions (`np.nansum`, `np.nanmean`)"
    ),
    "core": (
        "`numpy.core` is NumPy's private package (deprecated since NumPy 2.0); use the "
        "public name from `agrad.numpy` itself"
    ),
    "random.get_state": (
        "agrad.numpy.random's module-level draws come from `agrad.random`, whose state "
        "NumPy's `get_state` does not hold; use `np.random.seed(n)`, or a "
        "`np.random.RandomState(n)` / `np.random.default_rng(n)` of your own"
    ),
    "random.set_state": (
        "agrad.numpy.random's module-level draws come from `agrad.random`, whose state "
        "NumPy's `set_state` does not set; use `np.random.seed(n)`, or a "
        "`np.random.RandomState(n)` / `np.random.default_rng(n)` of your own"
    ),
    "random.get_bit_generator": (
        "agrad.numpy.random's module-level draws come from `agrad.random`, not from a NumPy "
        "bit generator; use `np.random.default_rng(n)` or `np.random.RandomState(n)`"
    ),
    "random.set_bit_generator": (
        "agrad.numpy.random's module-level draws come from `agrad.random`, not from a NumPy "
        "bit generator; use `np.random.default_rng(n)` or `np.random.RandomState(n)`"
    ),
    "random.random_integers": (
        "NumPy deprecated `random_integers`; use `np.random.randint(low, high + 1)`"
    ),
}

#: names served as NumPy's own object
NUMPY: frozenset[str] = frozenset(
    {
        # scalar types and the type hierarchy, for isinstance/issubdtype
        "False_",
        "True_",
        "ScalarType",
        "bytes_",
        "character",
        "complexfloating",
        "datetime64",
        "dtype",
        "dtypes",
        "flexible",
        "floating",
        "generic",
        "inexact",
        "integer",
        "number",
        "object_",
        "signedinteger",
        "str_",
        "timedelta64",
        "unsignedinteger",
        "void",
        "record",
        "recarray",
        "sctypeDict",
        "typecodes",
        "little_endian",
        # printing, error and buffer settings
        "format_float_positional",
        "format_float_scientific",
        "get_printoptions",
        "set_printoptions",
        "printoptions",
        "getbufsize",
        "setbufsize",
        "geterr",
        "seterr",
        "geterrcall",
        "seterrcall",
        "base_repr",
        "binary_repr",
        # dtype utilities that take dtypes, not arrays
        "typename",
        "issubdtype",
        "broadcast_shapes",
        "iterable",
        # classes and helpers for NumPy arrays; a tensor that requires grad given to them
        # raises agrad's error for `np.asarray(t)`
        "broadcast",
        "flatiter",
        "nditer",
        "nested_iters",
        "memmap",
        "busdaycalendar",
        "frompyfunc",
        "poly1d",
        "mask_indices",
        "ndindex",
        "s_",
        "index_exp",
        # modules and information
        "char",
        "strings",
        "rec",
        "lib",
        "polynomial",
        "ctypeslib",
        "typing",
        "exceptions",
        "f2py",
        "info",
        "show_config",
        "show_runtime",
        "get_include",
        "test",
        "linalg.test",
        "random.test",
        "fft.test",
        # NumPy's random machinery (classes; agrad's RandomState and Generator draw tensors)
        "random.BitGenerator",
        "random.MT19937",
        "random.PCG64",
        "random.PCG64DXSM",
        "random.Philox",
        "random.SFC64",
        "random.SeedSequence",
        "random.bit_generator",
        "random.mtrand",
        "random.bytes",
    }
)

#: NumPy's function on the values of tensor arguments; array results become tensors
VALUES: frozenset[str] = frozenset(
    {
        # writing and showing values
        "save",
        "savetxt",
        "savez",
        "savez_compressed",
        "array2string",
        "array_repr",
        "array_str",
        "isfortran",
        "may_share_memory",
        "shares_memory",
        # integers, bits, indices, dates: no gradient by nature
        "lexsort",
        "gcd",
        "lcm",
        "bitwise_count",
        "packbits",
        "unpackbits",
        "spacing",
        "isnat",
        "busday_count",
        "busday_offset",
        "is_busday",
        "datetime_as_string",
        "datetime_data",
        "einsum_path",
        "can_cast",
        "min_scalar_type",
        "promote_types",
        "common_type",
        "mintypecode",
        "unique_all",
        "unique_counts",
        "unique_inverse",
        "unique_values",
        # would have gradients: refused for tensors that require grad
        "histogram",
        "histogram2d",
        "histogramdd",
        "histogram_bin_edges",
        "intersect1d",
        "setdiff1d",
        "setxor1d",
        "union1d",
    }
)

#: of :data:`VALUES`, those whose result would depend differentiably on the input
NO_GRAD: frozenset[str] = frozenset(
    {
        "histogram",
        "histogram2d",
        "histogramdd",
        "histogram_bin_edges",
        "intersect1d",
        "setdiff1d",
        "setxor1d",
        "union1d",
    }
)

#: NumPy's function that makes arrays (reading files, windows); results become tensors on
#: the default device
CREATE: frozenset[str] = frozenset(
    {
        "load",
        "loadtxt",
        "genfromtxt",
        "fromfile",
        "frombuffer",
        "fromstring",
        "fromregex",
        "fromiter",
        "bartlett",
        "blackman",
        "hamming",
        "hanning",
        "kaiser",
    }
)

#: ``numpy.random``'s distributions agrad.numpy.random does not draw itself: NumPy's global
#: generator (seeded by ``agrad.numpy.random.seed``) draws them, as constants
RANDOM: frozenset[str] = frozenset(
    {
        "beta",
        "binomial",
        "chisquare",
        "dirichlet",
        "f",
        "gamma",
        "geometric",
        "gumbel",
        "hypergeometric",
        "laplace",
        "logistic",
        "lognormal",
        "logseries",
        "multinomial",
        "multivariate_normal",
        "negative_binomial",
        "noncentral_chisquare",
        "noncentral_f",
        "pareto",
        "poisson",
        "power",
        "rayleigh",
        "standard_cauchy",
        "standard_exponential",
        "standard_gamma",
        "standard_t",
        "triangular",
        "vonmises",
        "wald",
        "weibull",
        "zipf",
    }
)


def _to_numpy(obj: Any) -> Any:
    if isinstance(obj, Tensor):
        return numpy.asarray(obj.detach())
    if isinstance(obj, (list, tuple)) and any(isinstance(o, Tensor) for o in obj):
        return (
            type(obj)(_to_numpy(o) for o in obj)
            if isinstance(obj, list)
            else tuple(_to_numpy(o) for o in obj)
        )
    return obj


def _call(function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return function(*(_to_numpy(a) for a in args), **{k: _to_numpy(v) for k, v in kwargs.items()})


def _to_tensors(result: Any, device: Any) -> Any:
    if isinstance(result, numpy.ndarray) and result.dtype.kind in "biufc":
        try:
            return asarray(result, device=device)
        except AgradError:  # a dtype agrad has no counterpart for: NumPy's array
            return result
    if isinstance(result, tuple):
        converted = [_to_tensors(r, device) for r in result]
        return type(result)(*converted) if hasattr(result, "_fields") else tuple(converted)
    if isinstance(result, list) and any(isinstance(r, numpy.ndarray) for r in result):
        return [_to_tensors(r, device) for r in result]
    return result


def _values_function(qualname: str, function: Callable[..., Any], no_grad: bool) -> Any:
    @functools.wraps(function)
    def on_values(*args: Any, **kwargs: Any) -> Any:
        given = [a for a in (*args, *kwargs.values()) if isinstance(a, Tensor)]
        for a in args:
            if isinstance(a, (list, tuple)):
                given += [o for o in a if isinstance(o, Tensor)]
        if no_grad and any(t.requires_grad for t in given):
            msg = (
                f"`numpy.{qualname}` is not differentiable in agrad.numpy, and its input "
                "requires grad. Pass `t.detach()` to compute it on the values, without a "
                "gradient."
            )
            raise AgradTypeError(msg)
        result = function(
            *(_to_numpy(a) for a in args), **{k: _to_numpy(v) for k, v in kwargs.items()}
        )
        device = given[0].device if given else get_default_device()
        return _to_tensors(result, device)

    on_values.__doc__ = (
        f"``numpy.{qualname}`` on the values of tensor arguments (no gradient); array "
        "results are tensors."
    )
    return on_values


def _create_function(qualname: str, function: Callable[..., Any]) -> Any:
    @functools.wraps(function)
    def creating(*args: Any, **kwargs: Any) -> Any:
        result = function(
            *(_to_numpy(a) for a in args), **{k: _to_numpy(v) for k, v in kwargs.items()}
        )
        return _to_tensors(result, get_default_device())

    creating.__doc__ = f"``numpy.{qualname}``, its arrays as tensors on the default device."
    return creating


class ValuesModule(ModuleType):
    """A NumPy module whose functions run on the values of tensor arguments: ``testing``
    (``np.testing.assert_allclose(t, expected)`` compares values, even of tensors that
    require grad) and ``emath`` (refusing tensors that require grad)."""

    def __init__(self, module: ModuleType, no_grad: bool) -> None:
        super().__init__(module.__name__, module.__doc__)
        self._module = module
        self._no_grad = no_grad

    def __getattr__(self, name: str) -> Any:
        obj = getattr(self._module, name)
        if callable(obj) and not isinstance(obj, type):
            short = self._module.__name__.removeprefix("numpy.")
            return _values_function(f"{short}.{name}", obj, self._no_grad)
        return obj

    def __dir__(self) -> list[str]:
        return dir(self._module)


_MODULES: dict[str, Callable[[], Any]] = {
    "testing": lambda: ValuesModule(numpy.testing, no_grad=False),
    "emath": lambda: ValuesModule(numpy.emath, no_grad=True),
}


def _random_function(name: str) -> Any:
    function = getattr(numpy.random, name)

    @functools.wraps(function)
    def draw(*args: Any, **kwargs: Any) -> Any:
        given = [a for a in (*args, *kwargs.values()) if isinstance(a, Tensor)]
        if any(t.requires_grad for t in given):
            msg = (
                f"`numpy.random.{name}` draws are not differentiable in their parameters in "
                "agrad.numpy; `normal`, `uniform` and `exponential` are (reparameterised). "
                "Pass `t.detach()` to draw with the values."
            )
            raise AgradTypeError(msg)
        result = function(
            *(_to_numpy(a) for a in args), **{k: _to_numpy(v) for k, v in kwargs.items()}
        )
        return _to_tensors(result, get_default_device())

    draw.__doc__ = (
        f"``numpy.random.{name}``, drawn by NumPy's global generator (seeded by "
        "``agrad.numpy.random.seed``), as a constant tensor."
    )
    return draw


_MISSING: Any = object()


@functools.cache
def lookup(qualname: str) -> Any:
    """What ``agrad.numpy`` answers for the NumPy name ``qualname`` (``"x"``,
    ``"linalg.x"``, ``"random.x"``) that it does not define itself; raises
    :class:`NumpyNameError` for a refused name or one NumPy lacks."""
    module_name, _, name = qualname.rpartition(".")
    where = f"agrad.numpy.{module_name}" if module_name else "agrad.numpy"
    if qualname in REFUSED:
        msg = f"`{where}.{name}` is not supported: {REFUSED[qualname]}."
        raise NumpyNameError(msg)
    numpy_module = getattr(numpy, module_name) if module_name else numpy
    found = getattr(numpy_module, name, _MISSING) if not name.startswith("_") else _MISSING
    if found is _MISSING:
        msg = (
            f"`{where}` has no attribute `{name}`, and NumPy's `{numpy_module.__name__}` has "
            "none either."
        )
        raise NumpyNameError(msg)
    if qualname in NUMPY:
        return found
    if qualname in _MODULES:
        return _MODULES[qualname]()
    if qualname in VALUES:
        return _values_function(qualname, found, qualname in NO_GRAD)
    if qualname in CREATE:
        return _create_function(qualname, found)
    if module_name == "random" and name in RANDOM:
        return _random_function(name)
    msg = (
        f"`{where}.{name}` is a NumPy name that agrad.numpy does not support yet. Call "
        f"NumPy's `{numpy_module.__name__}.{name}` on `t.detach()` values to work without "
        "gradients, or open an issue naming it."
    )
    raise NumpyNameError(msg)


def module_names(module_name: str) -> set[str]:
    """The NumPy names of one module (``""``, ``"linalg"``, ...) that :func:`lookup` serves."""
    prefix = f"{module_name}." if module_name else ""
    served = NUMPY | VALUES | CREATE | frozenset(_MODULES)
    if module_name == "random":
        served |= {f"random.{n}" for n in RANDOM}
    return {
        n.removeprefix(prefix)
        for n in served
        if n.startswith(prefix) and "." not in n.removeprefix(prefix)
    }
