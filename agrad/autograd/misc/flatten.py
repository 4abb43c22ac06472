"""``flatten``: a nested container of arrays as one vector, and back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as onp

import agrad.autograd.numpy as anp
from agrad._pytree import flatten as _tree_flatten
from agrad._pytree import rebuild
from agrad._tensor import Tensor


def flatten(value: Any) -> tuple[Any, Callable[[Any], Any]]:
    """Flatten a nest of arrays and numbers (lists, tuples, dicts) into one 1-d array.

    Differentiable: inside a traced function the vector is a Tensor built from the traced
    leaves, and ``unflatten`` of a traced vector gives traced leaves.

    Returns
    -------
    tuple
        ``(vector, unflatten)``; ``unflatten(vector)`` rebuilds the nest, with numbers back
        as numbers.

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.autograd.misc import flatten
    >>> vec, unflatten = flatten((1.0, [np.zeros(2)]))
    >>> vec
    array([1., 0., 0.])
    >>> unflatten(vec + 1)
    (2.0, [array([1., 1.])])
    """
    leaves: list[Any] = []
    d = _tree_flatten(value, leaves)
    shapes = [onp.shape(v.array if isinstance(v, Tensor) else v) for v in leaves]
    scalars = [isinstance(v, (float, int, complex)) for v in leaves]
    vector = anp.concatenate([anp.ravel(v) for v in leaves]) if leaves else onp.zeros(0)

    def unflatten(vector: Any) -> Any:
        out = []
        start = 0
        for shape, scalar in zip(shapes, scalars, strict=True):
            n = int(onp.prod(shape))
            piece = anp.reshape(vector[start : start + n], shape)
            if scalar and not isinstance(piece, Tensor):
                piece = piece[()].item()
            out.append(piece)
            start += n
        return rebuild(d, out)

    return vector, unflatten
