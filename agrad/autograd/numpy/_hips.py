"""The names HIPS autograd's ``autograd.numpy`` defines differently from NumPy."""

from __future__ import annotations

from typing import Any

import numpy as onp

from agrad._tensor import Tensor
from agrad.autograd._dispatch import resolve, traced
from agrad.errors import AgradValueError, NoRuleError


def _anp() -> Any:
    return resolve("agrad.numpy")


def where(condition: Any, *args: Any, **kwargs: Any) -> Any:
    """NumPy's ``where``, taking ``x`` and ``y`` by keyword too; Python values in give Python
    values out (``where(True, 1, 2)`` is ``1``), as HIPS autograd's.

    Examples
    --------
    >>> import agrad.autograd.numpy as np
    >>> np.where(True, 1, 2)
    1
    >>> np.where([True, False], x=np.ones(2), y=np.zeros(2))
    array([1., 0.])
    """
    if not args and not kwargs:
        return onp.where(condition)
    if len(args) + len(kwargs) != 2:
        msg = "`where` takes either both or neither of `x` and `y`."
        raise AgradValueError(msg)
    x = args[0] if args else kwargs.get("x")
    y = args[1] if len(args) > 1 else kwargs.get("y")
    if traced((condition, x, y)):
        return _anp().where(condition, x, y)
    res: Any = onp.where(condition, x, y)
    if _is_array((condition, x, y)):
        return res
    return res.tolist()


def _is_array(values: Any) -> bool:
    for v in values:
        if isinstance(v, (Tensor, onp.ndarray, onp.generic)):
            return True
        if isinstance(v, (list, tuple)) and _is_array(v):
            return True
    return False


class _Indexer:
    """``r_`` / ``c_``: NumPy's on plain values, agrad.numpy's with a Tensor among them."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __getitem__(self, key: Any) -> Any:
        keys = key if isinstance(key, tuple) else (key,)
        if traced(keys):
            return getattr(_anp(), self.name)[key]
        return getattr(onp, self.name)[key]

    def __repr__(self) -> str:
        return f"agrad.autograd.numpy.{self.name}"


r_ = _Indexer("r_")
c_ = _Indexer("c_")


def _int_type(base: type) -> type:
    def new(cls: type, *args: Any) -> Any:
        return base(*[a.detach().array if isinstance(a, Tensor) else a for a in args])

    # a subclass, so that `dtype == np.int64` and `dtype=np.int64` keep NumPy's meaning
    return type(base.__name__, (base,), {"__new__": new, "__module__": __name__})


int8 = _int_type(onp.int8)
int16 = _int_type(onp.int16)
int32 = _int_type(onp.int32)
int64 = _int_type(onp.int64)
integer = _int_type(onp.integer)


def make_diagonal(D: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    """Arrays with ``D``'s last axis on their diagonal: the inverse of ``diagonal(A, 0, -1,
    -2)`` (HIPS autograd's function; ``offset=0, axis1=-1, axis2=-2`` only).

    Examples
    --------
    >>> import agrad.autograd.numpy as np
    >>> np.make_diagonal(np.array([1.0, 2.0]), axis1=-1, axis2=-2)
    array([[1., 0.],
           [0., 2.]])
    """
    if not (offset == 0 and axis1 == -1 and axis2 == -2):
        msg = (
            "`make_diagonal` supports offset=0, axis1=-1, axis2=-2 only, got "
            f"offset={offset!r}, axis1={axis1!r}, axis2={axis2!r}."
        )
        raise NoRuleError(msg)
    xp = _anp() if traced((D,)) else onp
    n = xp.shape(D)[-1]
    return xp.expand_dims(D, -1) * onp.eye(n)


__version__ = onp.__version__
