"""``agrad.autograd.builtins``: HIPS autograd's traced containers and type checks.

agrad traces lists, tuples and dicts of Tensors as they are, so ``list``, ``tuple`` and
``dict`` are Python's own. ``isinstance`` and ``type`` look through a traced Tensor to the
array it holds, as HIPS's look through a box to its value.
"""

from __future__ import annotations

import builtins as _builtins
from typing import Any

from agrad._tensor import Tensor

__all__ = ["SequenceBox", "dict", "isinstance", "list", "tuple", "type"]

list = _builtins.list
tuple = _builtins.tuple  # type: ignore[type-arg]  # HIPS names the traced tuple so
dict = _builtins.dict
SequenceBox = Tensor


def isinstance(obj: Any, classinfo: Any) -> bool:
    """``isinstance`` that sees a traced Tensor as the array it holds.

    Examples
    --------
    >>> import numpy as np
    >>> import agrad
    >>> from agrad.autograd.builtins import isinstance
    >>> isinstance(agrad.asarray(np.zeros(2)), np.ndarray)
    True
    """
    if _builtins.isinstance(obj, Tensor) and _builtins.isinstance(obj.array, classinfo):
        return True
    return _builtins.isinstance(obj, classinfo)


def type(obj: Any) -> Any:
    """``type`` that sees a traced Tensor as the array it holds.

    Examples
    --------
    >>> import numpy as np
    >>> import agrad
    >>> from agrad.autograd.builtins import type
    >>> type(agrad.asarray(np.zeros(2))).__name__
    'ndarray'
    """
    if _builtins.isinstance(obj, Tensor):
        return _builtins.type(obj.array)
    return _builtins.type(obj)
