"""The parts of NumPy's ``ndarray`` that Tensor has: its methods and NumPy's protocols.

NumPy code calls ``x.sum(axis=0)``, ``x.reshape(2, 3)``, ``x.astype(float)`` and
``np.sin(x)`` on whatever array it is given; a :class:`~agrad.Tensor` answers them all, in
the graph. The methods take NumPy's arguments and run the functions of :mod:`agrad.numpy`.
Where the Array API standard defines an attribute too (``T``, ``mT``, ``shape``, ``device``,
``to_device``), Tensor keeps the standard's meaning, except that ``t.T`` of a 0-d or 1-d
tensor is the tensor itself, as in NumPy and torch; ``t.transpose()`` reverses any axes.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy

from agrad._grad_mode import STATE
from agrad.errors import AgradTypeError

__all__ = ["NdarrayMethods"]

#: NumPy's "not given" marker, which agrad.numpy's functions understand
_NOVALUE: Any = numpy._NoValue


def _shape_args(args: tuple[Any, ...]) -> Any:
    """``t.reshape(2, 3)`` and ``t.reshape((2, 3))`` both mean the shape ``(2, 3)``."""
    if len(args) == 1 and not isinstance(args[0], int):
        return args[0]
    return args


class NdarrayMethods:
    """NumPy's ``ndarray`` methods and protocols, for :class:`agrad.Tensor`.

    Examples
    --------
    >>> import numpy as np
    >>> import agrad
    >>> x = agrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = np.sum(np.sin(x)) + x.mean(axis=0).max()  # NumPy's functions and methods
    >>> y.backward()
    >>> x.grad.round(3).tolist()  # cos(x), plus 1/2 for the column of the largest mean
    [[0.54, 0.084], [-0.99, -0.154]]
    """

    __slots__ = ()

    # -- NumPy's protocols -------------------------------------------------------------
    def __array__(self, dtype: Any = None, copy: bool | None = None) -> Any:
        """The values as a NumPy array, outside the graph (``np.asarray(t)``).

        A tensor that requires grad refuses while gradients are being recorded: code that
        converts it (``np.asarray``, ``np.array([t0, t1])``, a library that is not Array
        API aware) would otherwise compute on without the graph, silently.
        """
        if self._rg and STATE.enabled:  # type: ignore[attr-defined]
            msg = (
                "A tensor that requires grad was converted to a NumPy array "
                "(`np.asarray`, `np.array`, or a library converting its input), which would "
                "drop its graph. Keep it a tensor (`np.stack` instead of `np.array` of "
                "tensors; `import agrad.numpy as np` for code that makes its own arrays), or "
                "convert `t.detach()` to leave the graph deliberately."
            )
            raise AgradTypeError(msg)
        array = numpy.asarray(self._array, dtype=dtype)  # type: ignore[attr-defined]
        return array.copy() if copy else array

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return _numpy_protocol().array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        return _numpy_protocol().array_function(func, types, args, kwargs)

    def __divmod__(self, other: Any, /) -> Any:
        anp = _numpy_door()
        return anp.divmod(self, other)

    def __rdivmod__(self, other: Any, /) -> Any:
        anp = _numpy_door()
        return anp.divmod(other, self)

    # -- attributes --------------------------------------------------------------------
    @property
    def real(self) -> Any:
        """The real part (the tensor itself when it is real)."""
        anp = _numpy_door()
        return anp.real(self)

    @property
    def imag(self) -> Any:
        """The imaginary part (zeros when the tensor is real)."""
        anp = _numpy_door()
        return anp.imag(self)

    @property
    def itemsize(self) -> int:
        """Bytes per element."""
        return int(self.dtype.bits) // 8  # type: ignore[attr-defined]

    @property
    def nbytes(self) -> int:
        """Bytes of all elements."""
        return self.itemsize * int(self.size)  # type: ignore[attr-defined]

    # -- conversion and copies -----------------------------------------------------------
    def astype(
        self,
        dtype: Any,
        order: str = "K",
        casting: str = "unsafe",
        subok: bool = True,
        copy: bool = True,
    ) -> Any:
        """NumPy's ``astype``: the gradient is cast back to this dtype."""
        anp = _numpy_door()
        return anp.astype(self, dtype, copy=copy)

    def copy(self, order: str = "C") -> Any:
        """A copy that stays in the graph."""
        anp = _numpy_door()
        return anp.copy(self)

    def fill(self, value: Any) -> None:
        """Set every element to ``value``, in place."""
        self[...] = value  # type: ignore[index]

    # -- shape -----------------------------------------------------------------------------
    def reshape(self, *shape: Any, order: str = "C", copy: bool | None = None) -> Any:
        """``t.reshape(2, 3)`` or ``t.reshape((2, 3))``."""
        anp = _numpy_door()
        return anp.reshape(self, _shape_args(shape), order, copy=copy)

    def transpose(self, *axes: Any) -> Any:
        """The axes reversed (``t.transpose()``), or permuted (``t.transpose(1, 0, 2)``)."""
        anp = _numpy_door()
        return anp.transpose(self, _shape_args(axes) if axes else None)

    def swapaxes(self, axis1: int, axis2: int) -> Any:
        """Two axes exchanged."""
        anp = _numpy_door()
        return anp.swapaxes(self, axis1, axis2)

    def flatten(self, order: str = "C") -> Any:
        """A flattened copy."""
        anp = _numpy_door()
        return anp.copy(anp.ravel(self, order))

    def ravel(self, order: str = "C") -> Any:
        """The flattened tensor."""
        anp = _numpy_door()
        return anp.ravel(self, order)

    def squeeze(self, axis: Any = None) -> Any:
        """Without size-one axes."""
        anp = _numpy_door()
        return anp.squeeze(self, axis)

    def repeat(self, repeats: Any, axis: int | None = None) -> Any:
        """Each element repeated."""
        anp = _numpy_door()
        return anp.repeat(self, repeats, axis)

    # -- reductions ------------------------------------------------------------------------
    def sum(
        self,
        axis: Any = None,
        dtype: Any = None,
        out: Any = None,
        keepdims: Any = False,
        initial: Any = None,
        where: Any = True,
    ) -> Any:
        """The sum over ``axis``."""
        anp = _numpy_door()
        start = _NOVALUE if initial is None else initial
        return anp.sum(self, axis, dtype, out, keepdims, start, where)

    def prod(
        self,
        axis: Any = None,
        dtype: Any = None,
        out: Any = None,
        keepdims: Any = False,
        initial: Any = None,
        where: Any = True,
    ) -> Any:
        """The product over ``axis``."""
        anp = _numpy_door()
        start = _NOVALUE if initial is None else initial
        return anp.prod(self, axis, dtype, out, keepdims, start, where)

    def mean(
        self,
        axis: Any = None,
        dtype: Any = None,
        out: Any = None,
        keepdims: Any = False,
        *,
        where: Any = True,
    ) -> Any:
        """The mean over ``axis``."""
        anp = _numpy_door()
        return anp.mean(self, axis, dtype, out, keepdims, where=where)

    def std(
        self,
        axis: Any = None,
        dtype: Any = None,
        out: Any = None,
        ddof: float = 0,
        keepdims: Any = False,
        **kwargs: Any,
    ) -> Any:
        """The standard deviation over ``axis`` (``ddof`` is the standard's ``correction``)."""
        anp = _numpy_door()
        return anp.std(self, axis, dtype, out, ddof, keepdims, **kwargs)

    def var(
        self,
        axis: Any = None,
        dtype: Any = None,
        out: Any = None,
        ddof: float = 0,
        keepdims: Any = False,
        **kwargs: Any,
    ) -> Any:
        """The variance over ``axis`` (``ddof`` is the standard's ``correction``)."""
        anp = _numpy_door()
        return anp.var(self, axis, dtype, out, ddof, keepdims, **kwargs)

    def max(
        self,
        axis: Any = None,
        out: Any = None,
        keepdims: Any = False,
        initial: Any = None,
        where: Any = True,
    ) -> Any:
        """The maximum over ``axis``."""
        anp = _numpy_door()
        start = _NOVALUE if initial is None else initial
        return anp.max(self, axis, out, keepdims, start, where)

    def min(
        self,
        axis: Any = None,
        out: Any = None,
        keepdims: Any = False,
        initial: Any = None,
        where: Any = True,
    ) -> Any:
        """The minimum over ``axis``."""
        anp = _numpy_door()
        start = _NOVALUE if initial is None else initial
        return anp.min(self, axis, out, keepdims, start, where)

    def argmax(self, axis: int | None = None, out: Any = None, *, keepdims: bool = False) -> Any:
        """The index of the maximum (no gradient)."""
        anp = _numpy_door()
        return anp.argmax(self, axis, out, keepdims=keepdims)

    def argmin(self, axis: int | None = None, out: Any = None, *, keepdims: bool = False) -> Any:
        """The index of the minimum (no gradient)."""
        anp = _numpy_door()
        return anp.argmin(self, axis, out, keepdims=keepdims)

    def all(
        self, axis: Any = None, out: Any = None, keepdims: Any = False, *, where: Any = True
    ) -> Any:
        """Whether every element is true."""
        anp = _numpy_door()
        return anp.all(self, axis, out, keepdims, where=where)

    def any(
        self, axis: Any = None, out: Any = None, keepdims: Any = False, *, where: Any = True
    ) -> Any:
        """Whether some element is true."""
        anp = _numpy_door()
        return anp.any(self, axis, out, keepdims, where=where)

    def cumsum(self, axis: int | None = None, dtype: Any = None, out: Any = None) -> Any:
        """Running sums (flattened when ``axis`` is None)."""
        anp = _numpy_door()
        return anp.cumsum(self, axis, dtype, out)

    def cumprod(self, axis: int | None = None, dtype: Any = None, out: Any = None) -> Any:
        """Running products (flattened when ``axis`` is None)."""
        anp = _numpy_door()
        return anp.cumprod(self, axis, dtype, out)

    def trace(
        self,
        offset: int = 0,
        axis1: int = 0,
        axis2: int = 1,
        dtype: Any = None,
        out: Any = None,
    ) -> Any:
        """The sum along a diagonal."""
        anp = _numpy_door()
        return anp.trace(self, offset, axis1, axis2, dtype, out)

    # -- elementwise and products ------------------------------------------------------
    def clip(self, min: Any = None, max: Any = None, out: Any = None, **kwargs: Any) -> Any:
        """Values limited to ``[min, max]``."""
        anp = _numpy_door()
        return anp.clip(self, min, max, out, **kwargs)

    def round(self, decimals: int = 0, out: Any = None) -> Any:
        """Rounded to ``decimals`` (half to even; no gradient)."""
        anp = _numpy_door()
        return anp.round(self, decimals, out)

    def conj(self) -> Any:
        """The complex conjugate."""
        anp = _numpy_door()
        return anp.conjugate(self)

    def conjugate(self) -> Any:
        """The complex conjugate."""
        anp = _numpy_door()
        return anp.conjugate(self)

    def dot(self, b: Any, out: Any = None) -> Any:
        """``numpy.dot(self, b)``."""
        anp = _numpy_door()
        return anp.dot(self, b, out)

    def diagonal(self, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
        """A diagonal (a differentiable copy)."""
        anp = _numpy_door()
        return anp.diagonal(self, offset, axis1, axis2)

    # -- selection, sorting, searching -----------------------------------------------------
    def take(
        self, indices: Any, axis: int | None = None, out: Any = None, mode: str = "raise"
    ) -> Any:
        """Elements at ``indices`` along ``axis``."""
        anp = _numpy_door()
        return anp.take(self, indices, axis, out, mode)

    def nonzero(self) -> Any:
        """The indices of the non-zero elements, one tensor per axis."""
        anp = _numpy_door()
        return anp.nonzero(self)

    def argsort(
        self, axis: int | None = -1, kind: Any = None, order: Any = None, *, stable: Any = None
    ) -> Any:
        """The indices that sort along ``axis`` (no gradient)."""
        anp = _numpy_door()
        return anp.argsort(self, axis, kind, order, stable=stable)

    def sort(
        self, axis: int = -1, kind: Any = None, order: Any = None, *, stable: Any = None
    ) -> None:
        """Sort along ``axis``, in place (differentiably)."""
        anp = _numpy_door()
        # sort a copy: the values are read from the tensor being overwritten
        self[...] = anp.sort(anp.copy(self), axis, kind, order, stable=stable)  # type: ignore[index]

    def searchsorted(self, v: Any, side: str = "left", sorter: Any = None) -> Any:
        """Where ``v`` would go in this sorted 1-d tensor."""
        anp = _numpy_door()
        return anp.searchsorted(self, v, side, sorter)


def _numpy_door() -> ModuleType:
    """``agrad.numpy``, whose functions the NumPy-style methods run."""
    # a function-level import: the NumPy door (a fifth of agrad's start-up) loads on first use
    import agrad.numpy

    return agrad.numpy


def _numpy_protocol() -> ModuleType:
    """``agrad._numpy_protocol``: NumPy's ufuncs and functions called on tensors."""
    # a function-level import: the protocol's tables are built from the NumPy door, which
    # loads on first use
    import agrad._numpy_protocol

    return agrad._numpy_protocol
