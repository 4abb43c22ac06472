"""``agrad.numpy.ufunc``: NumPy's universal functions, on tensors.

A ufunc is called elementwise with NumPy's arguments: ``out=`` (a tensor, written in place
and differentiably), ``where=`` (with ``out=``, the masked-out places keep ``out``'s values;
without it they are 0, where NumPy leaves them uninitialised) and ``dtype=`` (the inputs are
cast to it first); ``casting``, ``order`` and ``subok`` are accepted and have no effect.
Its methods ``reduce``, ``accumulate``, ``outer`` and ``at`` work as NumPy's. The same
objects serve ``np.<ufunc>(tensor)`` through ``Tensor.__array_ufunc__``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import agrad.numpy._reductions as _reductions
from agrad._api.creation import asarray as _asarray
from agrad._api.creation import zeros_like
from agrad._api.data_type import astype
from agrad._api.manipulation import expand_dims, reshape, stack, unstack
from agrad._api.searching import where as _where
from agrad._arraylike import (
    NOVALUE,
    as_tensor,
    dtype_of,
    finish,
    flag,
    flatten,
    given,
    refuse,
    to_dtype,
)
from agrad._tensor import Tensor
from agrad.errors import AgradTypeError, AgradValueError
from agrad.numpy._indexing import add_at

__all__ = ["call", "call2", "ufunc"]

_PYTHON_SCALARS = (bool, int, float, complex)
# keywords every ufunc takes; those without an effect on tensors are accepted as given
_INERT = ("casting", "order", "subok")


class ufunc:
    """A universal function on tensors, as NumPy's ``numpy.ufunc``.

    Call it elementwise, or use its ``reduce``, ``accumulate``, ``outer`` and ``at``
    methods. ``agrad.numpy.sin``, ``agrad.numpy.add`` and the other elementwise functions
    are ufuncs.

    Examples
    --------
    >>> import agrad.numpy as np
    >>> x = np.array([1.0, 2.0, 3.0]).requires_grad_()
    >>> np.logaddexp.reduce(x).backward()  # a log-sum-exp, as a loop of logaddexp
    >>> [round(g, 4) for g in x.grad.tolist()]
    [0.09, 0.2447, 0.6652]
    """

    def __init__(self, fn: Callable[..., Any], nin: int, nout: int = 1) -> None:
        self._fn = fn
        self.nin = nin
        self.nout = nout
        self.__name__ = fn.__name__
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn

    def __repr__(self) -> str:
        return f"<agrad.numpy ufunc {self.__name__!r}>"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._fn(*args, **kwargs)

    def _binary(self, method: str) -> None:
        if self.nin != 2 or self.nout != 1:
            msg = f"`{method}` is for binary ufuncs with one output, not `{self.__name__}`."
            raise AgradValueError(msg)

    def reduce(
        self,
        array: Any,
        axis: Any = 0,
        dtype: Any = None,
        out: Any = None,
        keepdims: Any = False,
        initial: Any = NOVALUE,
        where: Any = True,
    ) -> Any:
        """``ufunc.reduce``: ``add``, ``multiply``, ``maximum``, ``minimum``, ``fmax``,
        ``fmin``, ``logical_and`` and ``logical_or`` reduce as ``sum``, ``prod``, ``max``...;
        the other binary ufuncs reduce by a loop along one axis."""
        self._binary("reduce")
        name = f"numpy.{self.__name__}.reduce"
        fast = _REDUCTIONS.get(self.__name__)
        if fast is not None:
            fn, takes_dtype = getattr(_reductions, fast[0]), fast[1]
            extra = {"dtype": dtype} if takes_dtype else {}
            if not takes_dtype and dtype is not None:
                refuse(name, "dtype", dtype)
            kw: dict[str, Any] = {"keepdims": keepdims}
            if fast[0] not in ("all", "any"):
                kw["initial"] = initial
            if where is not True:
                kw["where"] = where
            return fn(array, axis=axis, out=out, **extra, **kw)
        if where is not True:
            refuse(name, "where", where)
        x = as_tensor(array)
        if dtype is not None:
            x = astype(x, dtype_of(dtype))
        if axis is None:
            x, ax = flatten(x), 0
        elif isinstance(axis, int):
            ax = axis % x.ndim
        else:
            refuse(name, "axis", axis)
        parts: list[Any] = list(unstack(x, axis=ax))
        if given(initial):
            parts.insert(0, initial)
        if not parts:
            msg = f"`{name}` of an empty axis needs `initial=`."
            raise AgradValueError(msg)
        result = functools.reduce(self, parts)
        if not isinstance(result, Tensor):
            result = as_tensor(result, device=x.device)
        if flag(keepdims):
            result = expand_dims(result, axis=ax)
        return finish(name, result, out)

    def accumulate(self, array: Any, axis: int = 0, dtype: Any = None, out: Any = None) -> Any:
        """``ufunc.accumulate``: ``add`` and ``multiply`` as ``cumsum`` and ``cumprod``;
        the other binary ufuncs by a loop (``np.maximum.accumulate`` is a running max)."""
        self._binary("accumulate")
        if self.__name__ == "add":
            return _reductions.cumsum(array, axis, dtype, out)
        if self.__name__ == "multiply":
            return _reductions.cumprod(array, axis, dtype, out)
        x = as_tensor(array)
        if dtype is not None:
            x = astype(x, dtype_of(dtype))
        ax = axis % x.ndim
        running: list[Tensor] = []
        for part in unstack(x, axis=ax):
            running.append(part if not running else self(running[-1], part))
        return finish(f"numpy.{self.__name__}.accumulate", stack(running, axis=ax), out)

    def outer(self, A: Any, B: Any, /, **kwargs: Any) -> Any:
        """``ufunc.outer``: the ufunc of every element of ``A`` with every element of ``B``."""
        self._binary("outer")
        a = as_tensor(A)
        b = B if isinstance(B, Tensor) else as_tensor(B, device=a.device)
        return self(reshape(a, (*a.shape, *(1,) * b.ndim)), b, **kwargs)

    def at(self, a: Any, indices: Any, b: Any = None, /) -> None:
        """``ufunc.at``: ``add.at`` and ``subtract.at`` scatter-add into ``a`` in place,
        differentiably (repeated indices add up)."""
        if self.__name__ == "add":
            add_at(a, indices, b)
        elif self.__name__ == "subtract":
            add_at(a, indices, -as_tensor(b) if not isinstance(b, Tensor) else -b)
        else:
            msg = (
                f"`numpy.{self.__name__}.at` is not supported by agrad (only `add.at` and "
                "`subtract.at`). Write the update with indexing, or call NumPy on "
                "`t.detach().array` to work without gradients."
            )
            raise AgradTypeError(msg)

    def reduceat(self, *args: Any, **kwargs: Any) -> Any:
        """``ufunc.reduceat`` is not supported: it raises ``TypeError``."""
        msg = (
            f"`numpy.{self.__name__}.reduceat` is not supported by agrad. Split the array "
            "and reduce each piece, or call NumPy on `t.detach().array`."
        )
        raise AgradTypeError(msg)


# name -> (reduction in _reductions, whether it takes dtype)
_REDUCTIONS: dict[str, tuple[str, bool]] = {
    "add": ("sum", True),
    "multiply": ("prod", True),
    "maximum": ("max", False),
    "minimum": ("min", False),
    "fmax": ("nanmax", False),
    "fmin": ("nanmin", False),
    "logical_and": ("all", False),
    "logical_or": ("any", False),
}


def _options(name: str, kwargs: dict[str, Any]) -> tuple[Any, Any]:
    """The ``(dtype, where)`` of a ufunc call; any other keyword agrad can't honour raises."""
    dtype = None
    where: Any = True
    for key, value in kwargs.items():
        if key == "dtype":
            dtype = to_dtype(value)
        elif key == "where":
            where = value
        elif key == "signature" and value is None:
            continue
        elif key not in _INERT:
            refuse(f"numpy.{name}", key, value)
    return dtype, where


def _operands(inputs: tuple[Any, ...], dtype: Any) -> list[Any]:
    """Tensors for the inputs; Python scalars stay scalars unless every input is one."""
    device = next((x.device for x in inputs if isinstance(x, Tensor)), None)
    ops: list[Any] = []
    for x in inputs:
        if isinstance(x, Tensor) or type(x) in _PYTHON_SCALARS:
            ops.append(x)
        else:
            ops.append(as_tensor(x, device=device))
    if not any(isinstance(x, Tensor) for x in ops):
        ops[0] = as_tensor(ops[0])
    if dtype is not None:
        ops = [
            astype(x, dtype) if isinstance(x, Tensor) and x.dtype is not dtype else x for x in ops
        ]
    return ops


def _masked(result: Tensor, where: Any, out: Any) -> Tensor:
    """``where=``: the result where the mask holds, ``out``'s values (or 0) elsewhere."""
    if where is True:
        return result
    target = out[0] if isinstance(out, tuple) else out
    # out's old values, copied: out itself is about to be overwritten
    other = _asarray(target, copy=True) if isinstance(target, Tensor) else zeros_like(result)
    mask = as_tensor(where, device=result.device)
    return _where(mask, result, other)


def call(name: str, fn: Any, inputs: tuple[Any, ...], out: Any, kwargs: dict[str, Any]) -> Any:
    """Run a one-output ufunc's function ``fn`` with NumPy's ufunc arguments."""
    if not kwargs and out is None and all(type(x) is Tensor for x in inputs):
        return fn(*inputs)  # the common case, without the argument handling below
    dtype, where = _options(name, kwargs)
    result = fn(*_operands(inputs, dtype))
    return finish(f"numpy.{name}", _masked(result, where, out), out)


def call2(name: str, fn: Any, inputs: tuple[Any, ...], out: Any, kwargs: dict[str, Any]) -> Any:
    """Run a two-output ufunc's function (``divmod``, ``modf``): ``out`` is a pair."""
    dtype, where = _options(name, kwargs)
    first, second = fn(*_operands(inputs, dtype))
    outs = (None, None) if out is None else out
    if len(outs) != 2:
        msg = f"`numpy.{name}` has two outputs, so `out=` needs two entries."
        raise AgradTypeError(msg)
    return (
        finish(f"numpy.{name}", _masked(first, where, outs[0]), outs[0]),
        finish(f"numpy.{name}", _masked(second, where, outs[1]), outs[1]),
    )


def make_ufunc(nin: int, nout: int = 1) -> Callable[[Callable[..., Any]], ufunc]:
    """Make the function below a :class:`ufunc` (``@make_ufunc(2)`` for a binary one)."""

    def wrap(fn: Callable[..., Any]) -> ufunc:
        return ufunc(fn, nin, nout)

    return wrap
