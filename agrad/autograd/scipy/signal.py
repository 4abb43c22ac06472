"""``agrad.autograd.scipy.signal``.

SciPy's ``scipy.signal`` on plain values, ``agrad.scipy.signal`` on traced ones (see
:mod:`agrad.autograd.numpy`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agrad._tensor import Tensor
from agrad.autograd._dispatch import dispatcher, traced


def convolve(
    A: Any,
    B: Any,
    axes: Sequence[Sequence[int]] | None = None,
    dot_axes: Sequence[Sequence[int]] = ((), ()),
    mode: str = "full",
) -> Any:
    """HIPS autograd's generalized ``convolve``: ``A``'s ``axes[0]`` convolved with ``B``'s
    ``axes[1]``, products summed over the paired ``dot_axes``, other axes kept as an outer
    product (see :func:`agrad.scipy.signal._convolve_axes`). Plain arrays in, a plain array
    out.

    Examples
    --------
    >>> import numpy as onp
    >>> from agrad.autograd.scipy.signal import convolve
    >>> convolve(onp.array([1.0, 2.0]), onp.array([1.0, 1.0]))
    array([1., 3., 2.])
    """
    # on first use: agrad.scipy.signal loads the NumPy door, which costs start-up time
    from agrad.scipy.signal import _convolve_axes

    out = _convolve_axes(A, B, axes=axes, dot_axes=dot_axes, mode=mode)
    if traced((A, B)):
        return out
    return out.array if isinstance(out, Tensor) else out


__getattr__, __dir__ = dispatcher(
    "agrad.autograd.scipy.signal", "agrad.scipy.signal", "scipy.signal", {"convolve": convolve}
)
