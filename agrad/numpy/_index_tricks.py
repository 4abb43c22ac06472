"""NumPy's index tricks and loops on tensors: ``r_``, ``c_``, ``fromfunction``,
``ndenumerate``, ``vectorize``, ``apply_over_axes``.

Each keeps tensors in the graph: ``r_[t, 0.0]`` concatenates differentiably, ``ndenumerate``
yields the tensor's elements as 0-d tensors, and ``vectorize`` of a Python function loops
over the elements of tensors that require grad (slowly, but with gradients); on constants it
is NumPy's ``vectorize``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy

from agrad._api import manipulation as _m
from agrad._api.creation import asarray as _asarray
from agrad._api.data_type import astype
from agrad._api.data_type import result_type as _result_type
from agrad._arraylike import as_tensor, normalize_axis, refuse
from agrad._device import get_default_device
from agrad._tensor import Tensor
from agrad.errors import AgradValueError
from agrad.numpy._creation import indices

__all__ = [
    "apply_over_axes",
    "c_",
    "fromfunction",
    "ndenumerate",
    "r_",
    "vectorize",
]


class _Concatenator:
    """``r_`` and ``c_``: concatenation by index syntax, differentiable in tensor items."""

    def __init__(self, name: str, axis: int, ndmin: int, trans1d: int) -> None:
        self._name = name
        self._axis = axis
        self._ndmin = ndmin
        self._trans1d = trans1d

    def __repr__(self) -> str:
        return f"agrad.numpy.{self._name}"

    def _directive(self, text: str) -> tuple[int, int, int]:
        if text in ("r", "c"):
            msg = (
                f"`numpy.{self._name}[{text!r}, ...]` makes a NumPy matrix, which agrad does "
                "not have; leave the string out to get a 2-d tensor."
            )
            raise AgradValueError(msg)
        try:
            numbers = [int(v) for v in text.split(",")]
        except ValueError:
            msg = (
                f"`numpy.{self._name}` got the directive {text!r}; expected "
                "'axis[,ndmin[,trans1d]]'."
            )
            raise AgradValueError(msg) from None
        axis, ndmin, trans1d = (
            (*numbers, self._ndmin, self._trans1d)[:3]
            if len(numbers) == 1
            else (*numbers, self._trans1d)[:3]
        )
        return axis, ndmin, trans1d

    def __getitem__(self, key: Any) -> Tensor:
        items = key if isinstance(key, tuple) else (key,)
        axis, ndmin, trans1d = self._axis, self._ndmin, self._trans1d
        if items and isinstance(items[0], str):
            axis, ndmin, trans1d = self._directive(items[0])
            items = items[1:]
        device = next((i.device for i in items if isinstance(i, Tensor)), get_default_device())
        parts = []
        for item in items:
            if isinstance(item, slice):
                part = _asarray(numpy.r_[item], device=device)
            else:
                part = as_tensor(item, device=device)
            parts.append(self._shaped(part, ndmin, trans1d))
        if not parts:
            return _asarray(numpy.r_[()], device=device)
        if len({p.dtype for p in parts}) > 1:
            common = _result_type(*parts)
            parts = [p if p.dtype is common else astype(p, common) for p in parts]
        return _m.concat(parts, axis=axis)

    @staticmethod
    def _shaped(t: Tensor, ndmin: int, trans1d: int) -> Tensor:
        """NumPy's rule: a part with fewer than ``ndmin`` dimensions gets ones in front, then
        its own axes move to ``trans1d``."""
        nd = t.ndim
        if nd >= ndmin:
            return t if nd else _m.reshape(t, (1,))
        t = _m.reshape(t, (1,) * (ndmin - nd) + t.shape)
        if trans1d != -1 and nd > 0:
            k2 = ndmin - nd
            k1 = trans1d + k2 + 1 if trans1d < 0 else trans1d
            order = list(range(ndmin))
            t = _m.permute_dims(t, tuple(order[:k1] + order[k2:] + order[k1:k2]))
        return t


#: ``numpy.r_``: concatenation along the first axis by index syntax, ``r_[t, 0.0, 1:3]``
r_ = _Concatenator("r_", 0, 1, -1)
#: ``numpy.c_``: 1-d items become columns, joined along the last axis, ``c_[x, y]``
c_ = _Concatenator("c_", -1, 2, 0)


def fromfunction(
    function: Callable[..., Any], shape: Any, *, dtype: Any = float, like: Any = None, **kwargs: Any
) -> Any:
    """``numpy.fromfunction``: ``function`` called once on the index grids (tensors), so its
    result is differentiable in any tensor it closes over."""
    if like is not None:
        refuse("numpy.fromfunction", "like", like)
    return function(*indices(shape, dtype=dtype), **kwargs)


def ndenumerate(arr: Any) -> Iterator[tuple[tuple[int, ...], Any]]:
    """``numpy.ndenumerate``: of a tensor, pairs of an index and the element there (a 0-d
    tensor, in the graph); of anything else, NumPy's.

    Examples
    --------
    >>> import agrad.numpy as np
    >>> [(i, v.item()) for i, v in np.ndenumerate(np.array([[1.0], [2.0]]))]
    [((0, 0), 1.0), ((1, 0), 2.0)]
    """
    if not isinstance(arr, Tensor):
        yield from numpy.ndenumerate(arr)
        return
    for index in numpy.ndindex(*arr.shape):
        yield index, arr[index]


def _graph_args(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    return any(isinstance(a, Tensor) and a.requires_grad for a in (*args, *kwargs.values()))


class vectorize:
    """``numpy.vectorize``: NumPy's on constants; with tensors that require grad, the
    function runs element by element on 0-d tensors and the results are stacked, so the
    gradient flows (one Python call per element: for small arrays).

    Examples
    --------
    >>> import agrad.numpy as np
    >>> f = np.vectorize(lambda a, b: a * b if a > 0 else b)
    >>> x = np.array([-1.0, 2.0]).requires_grad_()
    >>> f(x, 3.0).sum().backward()
    >>> x.grad.tolist()
    [0.0, 3.0]
    """

    def __init__(
        self,
        pyfunc: Any = numpy._NoValue,
        otypes: Any = None,
        doc: str | None = None,
        excluded: Any = None,
        cache: bool = False,
        signature: str | None = None,
    ) -> None:
        self.pyfunc = pyfunc
        self._numpy = numpy.vectorize(pyfunc, otypes, doc, excluded, cache, signature)
        self._excluded = set(excluded or ())
        self._signature = signature
        self.__doc__ = pyfunc.__doc__ if doc is None and callable(pyfunc) else doc

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not _graph_args(args, kwargs):
            plain = [
                a.detach().to_device("numpy").array if isinstance(a, Tensor) else a for a in args
            ]
            named = {
                k: v.detach().to_device("numpy").array if isinstance(v, Tensor) else v
                for k, v in kwargs.items()
            }
            result = self._numpy(*plain, **named)
            devices = [a.device for a in (*args, *kwargs.values()) if isinstance(a, Tensor)]
            if not devices:
                return result
            if isinstance(result, tuple):
                return tuple(_asarray(r, device=devices[0]) for r in result)
            return _asarray(result, device=devices[0])
        if self._signature is not None or self._excluded or kwargs:
            msg = (
                "`numpy.vectorize` in agrad.numpy differentiates positional arguments only, "
                "without `signature` or `excluded`; write the function with array operations "
                "instead."
            )
            raise AgradValueError(msg)
        tensors = [a if isinstance(a, Tensor) else as_tensor(a) for a in args]
        shape = tuple(numpy.broadcast_shapes(*(t.shape for t in tensors)))
        spread = [_m.broadcast_to(t, shape) for t in tensors]
        outputs = [self.pyfunc(*(t[index] for t in spread)) for index in numpy.ndindex(*shape)]
        if outputs and isinstance(outputs[0], tuple):
            return tuple(
                self._gather([o[i] for o in outputs], shape) for i in range(len(outputs[0]))
            )
        return self._gather(outputs, shape)

    @staticmethod
    def _gather(values: list[Any], shape: tuple[int, ...]) -> Tensor:
        parts = [as_tensor(v) for v in values]
        if len({p.dtype for p in parts}) > 1:
            common = _result_type(*parts)
            parts = [p if p.dtype is common else astype(p, common) for p in parts]
        return _m.reshape(_m.stack(parts), shape)


def apply_over_axes(func: Callable[..., Any], a: Any, axes: Any) -> Any:
    """``numpy.apply_over_axes``: ``func(a, axis)`` for each axis in turn, keeping the
    dimensions; differentiable when ``func`` is."""
    t = as_tensor(a)
    value = t
    for axis in normalize_axis(axes, t.ndim) or ():
        result = as_tensor(func(value, axis))
        if result.ndim == value.ndim:
            value = result
        elif result.ndim == value.ndim - 1:
            value = _m.expand_dims(result, axis=axis)
        else:
            msg = "`numpy.apply_over_axes`: the function must keep the dimensions or drop one."
            raise AgradValueError(msg)
    return value
