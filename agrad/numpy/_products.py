"""Products with NumPy's signatures: ``dot``, ``einsum``, ``outer``, ``kron``...

``einsum`` contracts its operands pairwise with matrix products (the standard has no
``einsum``), so it is differentiable, second order included.
"""

from __future__ import annotations

import math
import string
from typing import Any

from agrad._api import manipulation as _m
from agrad._api.data_type import astype, result_type
from agrad._api.elementwise import conj
from agrad._api.linear_algebra import matmul
from agrad._api.linear_algebra import tensordot as _tensordot
from agrad._api.statistical import sum as _sum
from agrad._arraylike import ArrayLike, as_tensors, finish, flatten, refuse, to_dtype
from agrad._ops import binary
from agrad._registry import TABLE
from agrad._tensor import Tensor
from agrad.errors import AgradValueError
from agrad.extend import Rule
from agrad.linalg import cross as _cross
from agrad.linalg import diagonal as _diagonal

__all__ = ["cross", "dot", "einsum", "inner", "kron", "outer", "tensordot", "vdot"]


def _same_dtype(tensors: list[Tensor]) -> list[Tensor]:
    if len({t.dtype for t in tensors}) <= 1:
        return tensors
    common = result_type(*tensors)
    return [t if t.dtype is common else astype(t, common) for t in tensors]


def dot(a: ArrayLike, b: ArrayLike, out: Any = None) -> Any:
    """``numpy.dot``: products of scalars, inner products of vectors, matrix products,
    and for N-d arrays a sum over the last axis of ``a`` and the second-to-last of ``b``."""
    x, y = _same_dtype(as_tensors([a, b]))
    if x.ndim == 0 or y.ndim == 0:
        result = x * y
    elif x.ndim >= 2 and y.ndim > 2:
        result = _tensordot(x, y, axes=((x.ndim - 1,), (y.ndim - 2,)))
    else:
        result = matmul(x, y)
    return finish("numpy.dot", result, out)


def vdot(a: ArrayLike, b: ArrayLike, /) -> Tensor:
    """``numpy.vdot``: the inner product of the flattened inputs, ``a`` conjugated."""
    x, y = _same_dtype(as_tensors([a, b]))
    x = flatten(x)
    if x.dtype.kind == "c":
        x = conj(x)
    return _sum(x * flatten(y))


def inner(a: ArrayLike, b: ArrayLike, /) -> Tensor:
    """``numpy.inner``: a sum over the last axes of both inputs."""
    x, y = _same_dtype(as_tensors([a, b]))
    if x.ndim == 0 or y.ndim == 0:
        return x * y
    return _tensordot(x, y, axes=((x.ndim - 1,), (y.ndim - 1,)))


def outer(a: ArrayLike, b: ArrayLike, out: Any = None) -> Any:
    """``numpy.outer`` of the flattened inputs."""
    x, y = _same_dtype(as_tensors([a, b]))
    result = _m.expand_dims(flatten(x), axis=1) * _m.expand_dims(flatten(y), axis=0)
    return finish("numpy.outer", result, out)


def tensordot(a: ArrayLike, b: ArrayLike, axes: Any = 2) -> Tensor:
    """``numpy.tensordot``; ``axes`` is a count, or a pair of axes or axis sequences."""
    x, y = _same_dtype(as_tensors([a, b]))
    if isinstance(axes, int):
        return _tensordot(x, y, axes=axes)
    first, second = axes
    first = (first,) if isinstance(first, int) else tuple(first)
    second = (second,) if isinstance(second, int) else tuple(second)
    return _tensordot(x, y, axes=(first, second))


def kron(a: ArrayLike, b: ArrayLike) -> Tensor:
    """``numpy.kron``: the Kronecker product."""
    x, y = _same_dtype(as_tensors([a, b]))
    nd = max(x.ndim, y.ndim)
    xs = (1,) * (nd - x.ndim) + x.shape
    ys = (1,) * (nd - y.ndim) + y.shape
    # interleave: x's axes at even positions, y's at odd ones, then merge the pairs
    xr = _m.reshape(x, tuple(s for d in xs for s in (d, 1)))
    yr = _m.reshape(y, tuple(s for d in ys for s in (1, d)))
    return _m.reshape(xr * yr, tuple(p * q for p, q in zip(xs, ys, strict=True)))


def cross(
    a: ArrayLike,
    b: ArrayLike,
    axisa: int = -1,
    axisb: int = -1,
    axisc: int = -1,
    axis: int | None = None,
) -> Tensor:
    """``numpy.cross`` of 3-vectors (and the z-component for two 2-vectors)."""
    if axis is not None:
        axisa = axisb = axisc = axis
    x, y = _same_dtype(as_tensors([a, b]))
    x = _m.moveaxis(x, axisa, -1)
    y = _m.moveaxis(y, axisb, -1)
    if x.shape[-1] == 2 and y.shape[-1] == 2:
        return x[..., 0] * y[..., 1] - x[..., 1] * y[..., 0]
    if x.shape[-1] != 3 or y.shape[-1] != 3:
        msg = "agrad.numpy's `cross` takes 3-vectors (or two 2-vectors)."
        raise AgradValueError(msg)
    shape = _m.broadcast_shapes(x.shape, y.shape)
    result = _cross(_m.broadcast_to(x, shape), _m.broadcast_to(y, shape), axis=-1)
    return _m.moveaxis(result, -1, axisc) if axisc != -1 else result


# -- einsum ------------------------------------------------------------------------------
# its products recorded under its own name: an error about their saved inputs (changed in
# place) then names `einsum`, the function the user called
_EINSUM_PRODUCT = Rule("einsum", *TABLE["matmul"].vjps, save=TABLE["matmul"].save)


def _matmul_forward(a: Any, b: Any) -> Any:
    return a @ b


def _from_sublists(operands: tuple[Any, ...]) -> tuple[str, list[Any]]:
    """The interleaved form ``einsum(a, [0, 1], b, [1, 2], [0, 2])`` as subscripts."""

    def letters(sub: Any) -> str:
        return "".join("..." if s is Ellipsis else string.ascii_letters[s] for s in sub)

    arrays = list(operands[0::2])
    subs = [letters(s) for s in operands[1::2]]
    if len(operands) % 2:
        arrays = arrays[:-1] if len(arrays) > len(subs) else arrays
        return ",".join(subs[: len(arrays)]) + "->" + letters(operands[-1]), arrays
    return ",".join(subs), arrays


def _parse(subscripts: str, tensors: list[Tensor]) -> tuple[list[str], str]:
    """Each operand's labels (one letter per axis, ``...`` expanded) and the output's."""
    subscripts = subscripts.replace(" ", "")
    inputs, arrow, output = subscripts.partition("->")
    parts = inputs.split(",")
    if len(parts) != len(tensors):
        msg = f"einsum: {len(parts)} operand subscripts for {len(tensors)} operands."
        raise AgradValueError(msg)
    used = set(subscripts)
    spare = [c for c in string.ascii_letters if c not in used]
    broadcast = 0
    for part, t in zip(parts, tensors, strict=True):
        if "..." in part:
            broadcast = max(broadcast, t.ndim - (len(part) - 3))
    ell = "".join(spare[:broadcast])
    labels = []
    for part, t in zip(parts, tensors, strict=True):
        if "..." in part:
            own = t.ndim - (len(part) - 3)
            part = part.replace("...", ell[broadcast - own :] if own else "")
        if len(part) != t.ndim:
            msg = f"einsum: subscripts {part!r} for an operand with {t.ndim} axes."
            raise AgradValueError(msg)
        labels.append(part)
    if arrow:
        out = output.replace("...", ell)
    else:
        counts: dict[str, int] = {}
        for part in labels:
            for c in part:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    return labels, out


def _take_diagonals(t: Tensor, labels: str) -> tuple[Tensor, str]:
    """Repeated labels in one operand (``"ii"``) select its diagonal."""
    while len(set(labels)) < len(labels):
        for c in labels:
            first = labels.index(c)
            second = labels.find(c, first + 1)
            if second >= 0:
                break
        t = _diagonal(_m.moveaxis(t, (first, second), (-2, -1)))
        labels = "".join(x for k, x in enumerate(labels) if k not in (first, second)) + c
    return t, labels


def _sum_out(t: Tensor, labels: str, keep: set[str]) -> tuple[Tensor, str]:
    axes = tuple(k for k, c in enumerate(labels) if c not in keep)
    if not axes:
        return t, labels
    return _sum(t, axis=axes), "".join(c for c in labels if c in keep)


def _contract(
    a: Tensor, la: str, b: Tensor, lb: str, keep: set[str], sizes: dict[str, int]
) -> tuple[Tensor, str]:
    """Two operands into one: shared kept labels batch, shared others are summed over."""
    batch = [c for c in la if c in lb and c in keep]
    summed = [c for c in la if c in lb and c not in keep]
    a_only = [c for c in la if c not in lb]
    b_only = [c for c in lb if c not in la]
    a = _m.permute_dims(a, tuple(la.index(c) for c in (*batch, *a_only, *summed)))
    b = _m.permute_dims(b, tuple(lb.index(c) for c in (*batch, *summed, *b_only)))
    bshape = tuple(sizes[c] for c in batch)
    m = math.prod(sizes[c] for c in a_only)
    k = math.prod(sizes[c] for c in summed)
    n = math.prod(sizes[c] for c in b_only)
    left, right = _m.reshape(a, (*bshape, m, k)), _m.reshape(b, (*bshape, k, n))
    product = binary(_EINSUM_PRODUCT, left, right, _matmul_forward)
    shape = (*bshape, *(sizes[c] for c in a_only), *(sizes[c] for c in b_only))
    return _m.reshape(product, shape), "".join((*batch, *a_only, *b_only))


def einsum(*operands: Any, out: Any = None, optimize: Any = False, **kwargs: Any) -> Any:
    """``numpy.einsum``: explicit (``"ij,jk->ik"``), implicit (``"ij,jk"``), with
    ``...``, repeated labels for diagonals, or the interleaved sublist form. ``optimize``
    is accepted; the operands are contracted left to right."""
    dtype = to_dtype(kwargs.pop("dtype", None))
    for key, value in kwargs.items():
        if key not in ("order", "casting"):
            refuse("numpy.einsum", key, value)
    if isinstance(operands[0], str):
        subscripts, arrays = operands[0], list(operands[1:])
    else:
        subscripts, arrays = _from_sublists(operands)
    tensors = _same_dtype(as_tensors(arrays))
    if dtype is not None:
        tensors = [t if t.dtype is dtype else astype(t, dtype) for t in tensors]
    labels, output = _parse(subscripts, tensors)
    sizes: dict[str, int] = {}
    for part, t in zip(labels, tensors, strict=True):
        own: dict[str, int] = {}
        for c, s in zip(part, t.shape, strict=True):
            if own.setdefault(c, s) != s:  # a diagonal: NumPy and torch broadcast none
                msg = (
                    f"`numpy.einsum`: label {c!r} is repeated in one operand of "
                    f"{subscripts!r} over axes of sizes {own[c]} and {s}; a diagonal needs "
                    f"equal sizes (operand of shape {t.shape!r})."
                )
                raise AgradValueError(msg)
            known = sizes.get(c)
            if known is None or known == 1:  # a size-1 axis broadcasts (to 0 as well)
                sizes[c] = s
            elif s not in (1, known):
                msg = (
                    f"`numpy.einsum`: label {c!r} names axes of sizes {known} and {s} in "
                    f"{subscripts!r}; they must agree (or one be 1)."
                )
                raise AgradValueError(msg)
    work = []
    for part, t in zip(labels, tensors, strict=True):
        target = tuple(sizes[c] for c in part)
        if t.shape != target:  # size-1 axes broadcast against the others
            t = _m.broadcast_to(t, target)
        work.append(_take_diagonals(t, part))
    # labels no other operand or the output needs are summed away first
    for i, (t, part) in enumerate(work):
        others = set(output).union(*(p for j, (_, p) in enumerate(work) if j != i))
        work[i] = _sum_out(t, part, others)
    t, part = work[0]
    for i in range(1, len(work)):
        b, lb = work[i]
        keep = set(output).union(*(p for _, p in work[i + 1 :]))
        t, part = _contract(t, part, b, lb, keep, sizes)
    t, part = _sum_out(t, part, set(output))
    if part != output:
        t = _m.permute_dims(t, tuple(part.index(c) for c in output))
    return finish("numpy.einsum", t, out)
