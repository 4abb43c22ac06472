"""``agrad.numpy.linalg``: NumPy's ``numpy.linalg`` on tensors, differentiable.

The functions take NumPy's arguments and return NumPy's results (named tuples for the
decompositions) built from :mod:`agrad.linalg`; their gradients hold where the
decomposition is differentiable, as described there. ``LinAlgError`` is NumPy's.

Examples
--------
>>> import agrad.numpy as np
>>> a = np.array([[3.0, 1.0], [1.0, 2.0]]).requires_grad_()
>>> np.linalg.det(a).backward()
>>> a.grad.round(12).tolist()  # d det(A) / dA = det(A) A^-T
[[2.0, -1.0], [-1.0, 3.0]]
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import numpy

from agrad import linalg as _la
from agrad._api import elementwise as _e
from agrad._api import manipulation as _m
from agrad._api.creation import asarray as _asarray
from agrad._api.creation import zeros
from agrad._api.linear_algebra import matmul as _matmul
from agrad._api.linear_algebra import matrix_transpose as _matrix_transpose
from agrad._api.linear_algebra import tensordot as _tensordot
from agrad._api.linear_algebra import vecdot as _vecdot
from agrad._api.statistical import max as _max
from agrad._api.statistical import min as _min
from agrad._api.statistical import sum as _sum
from agrad._arraylike import (
    NOVALUE,
    ArrayLike,
    as_tensor,
    as_tensors,
    default_float,
    finish,
    given,
    normalize_axis,
    refuse,
    to_dtype,
)
from agrad._tensor import Tensor
from agrad.errors import AgradValueError
from agrad.numpy._indexing import tril, triu
from agrad.numpy._names import lookup

__all__ = [
    "LinAlgError",
    "cholesky",
    "cond",
    "cross",
    "det",
    "diagonal",
    "eig",
    "eigh",
    "eigvals",
    "eigvalsh",
    "inv",
    "lstsq",
    "matmul",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "matrix_transpose",
    "multi_dot",
    "norm",
    "outer",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "svd",
    "svdvals",
    "tensordot",
    "tensorinv",
    "tensorsolve",
    "trace",
    "vecdot",
    "vector_norm",
]

LinAlgError = numpy.linalg.LinAlgError


def _square(a: ArrayLike) -> Tensor:
    return default_float(as_tensor(a))


def solve(a: ArrayLike, b: ArrayLike) -> Tensor:
    """``numpy.linalg.solve``."""
    x, y = as_tensors([a, b])
    return _la.solve(default_float(x), default_float(y))


def tensorinv(a: ArrayLike, ind: int = 2) -> Tensor:
    """``numpy.linalg.tensorinv``: ``inv`` of ``a`` seen as a matrix (the first ``ind``
    axes against the rest), reshaped back."""
    x = _square(a)
    if ind <= 0:
        msg = f"`numpy.linalg.tensorinv` needs a positive `ind`, got {ind!r}."
        raise AgradValueError(msg)
    rows, cols = x.shape[:ind], x.shape[ind:]
    n = 1
    for s in rows:
        n *= s
    inverse = _la.inv(_m.reshape(x, (n, -1)))
    return _m.reshape(inverse, (*cols, *rows))


def tensorsolve(a: ArrayLike, b: ArrayLike, axes: Any = None) -> Tensor:
    """``numpy.linalg.tensorsolve``: ``x`` with ``tensordot(a, x, x.ndim) == b``."""
    x, y = (default_float(t) for t in as_tensors([a, b]))
    if axes is not None:
        order = [i for i in range(x.ndim) if i not in axes] + [int(i) for i in axes]
        x = _m.permute_dims(x, tuple(order))
    shape = x.shape[y.ndim :]
    n = 1
    for s in shape:
        n *= s
    solution = _la.solve(_m.reshape(x, (-1, n)), _m.reshape(y, (-1, 1)))
    return _m.reshape(solution, shape)


def inv(a: ArrayLike) -> Tensor:
    """``numpy.linalg.inv``."""
    return _la.inv(_square(a))


def det(a: ArrayLike) -> Tensor:
    """``numpy.linalg.det``."""
    return _la.det(_square(a))


def slogdet(a: ArrayLike) -> _la.SlogdetResult:
    """``numpy.linalg.slogdet``: ``(sign, logabsdet)``."""
    return _la.slogdet(_square(a))


def cholesky(a: ArrayLike, /, *, upper: bool = False) -> Tensor:
    """``numpy.linalg.cholesky``."""
    return _la.cholesky(_square(a), upper=upper)


def _hermitian_from(a: Tensor, uplo: str) -> Tensor:
    """The Hermitian matrix NumPy reads from one triangle of ``a`` (``UPLO``), built with
    differentiable calls: the gradient then lands on that triangle alone, as for the
    function NumPy computes (the standard's ``eigh`` takes the Hermitian part instead)."""
    if uplo == "L":
        tri, strict = tril(a), tril(a, k=-1)
    elif uplo == "U":
        tri, strict = triu(a), triu(a, k=1)
    else:
        refuse("numpy.linalg.eigh", "UPLO", uplo)
    mirror = _matrix_transpose(strict)
    return tri + (_e.conj(mirror) if mirror.dtype.kind == "c" else mirror)


def eigh(a: ArrayLike, UPLO: str = "L") -> _la.EighResult:
    """``numpy.linalg.eigh``: eigenvalues ascending, and eigenvectors.

    Only the triangle ``UPLO`` names is read, and only it gets a gradient (the
    entries off the diagonal count twice, as they stand for both triangles); the
    standard's :func:`agrad.linalg.eigh` gives the symmetric gradient instead.

    Examples
    --------
    >>> import agrad
    >>> import agrad.numpy as np
    >>> a = agrad.tensor([[2.0, 9.0], [1.0, 3.0]], requires_grad=True)  # 9.0 is never read
    >>> np.sum(np.linalg.eigvalsh(a) ** 2).backward()
    >>> a.grad
    tensor([[4., 0.],
            [4., 6.]], device='numpy')
    """
    x = _square(a)
    result = _la.eigh(_hermitian_from(x, UPLO))
    if UPLO != "U":
        return result
    # LAPACK's eigenvectors from the upper triangle may differ from those of the lower one
    # by a sign (a phase): take NumPy's, by a constant factor per column
    values = numpy.asarray(x.detach().tolist(), dtype=numpy.dtype(x.dtype.name))
    reference = numpy.linalg.eigh(values, "U")[1]
    ours = numpy.asarray(result.eigenvectors.detach().tolist())
    phase = numpy.sum(reference.conj() * ours, axis=-2)
    size = numpy.abs(phase)
    phase = numpy.where(size > 0, phase / numpy.where(size > 0, size, 1), 1).conj()
    vectors = result.eigenvectors
    factor = _asarray(phase[..., None, :], dtype=vectors.dtype, device=vectors.device)
    return _la.EighResult(result.eigenvalues, vectors * factor)


def eigvalsh(a: ArrayLike, UPLO: str = "L") -> Tensor:
    """``numpy.linalg.eigvalsh``: only the triangle ``UPLO`` is read and differentiated
    (see :func:`eigh`)."""
    return _la.eigvalsh(_hermitian_from(_square(a), UPLO))


def eig(a: ArrayLike) -> _la.EigResult:
    """``numpy.linalg.eig`` (complex results)."""
    return _la.eig(_square(a))


def eigvals(a: ArrayLike) -> Tensor:
    """``numpy.linalg.eigvals`` (complex results)."""
    return _la.eigvals(_square(a))


def svd(
    a: ArrayLike, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False
) -> Any:
    """``numpy.linalg.svd``: ``(U, S, Vh)``, or ``S`` with ``compute_uv=False``."""
    x = _square(a)
    if not compute_uv:
        return _la.svdvals(x)
    return _la.svd(x, full_matrices=full_matrices)


def svdvals(x: ArrayLike, /) -> Tensor:
    """``numpy.linalg.svdvals``."""
    return _la.svdvals(_square(x))


class QRResult(NamedTuple):
    Q: Tensor
    R: Tensor


def qr(a: ArrayLike, mode: str = "reduced") -> Any:
    """``numpy.linalg.qr`` (modes reduced, complete and r)."""
    x = _square(a)
    if mode == "r":
        return _la.qr(x, mode="reduced").R
    if mode not in ("reduced", "complete"):
        refuse("numpy.linalg.qr", "mode", mode)
    q, r = _la.qr(x, mode="reduced" if mode == "reduced" else "complete")
    return QRResult(q, r)


def pinv(
    a: ArrayLike, rcond: Any = None, hermitian: bool = False, *, rtol: Any = NOVALUE
) -> Tensor:
    """``numpy.linalg.pinv``."""
    tol = rtol if given(rtol) else rcond
    if isinstance(tol, Tensor) or (tol is not None and numpy.ndim(tol)):
        tol = as_tensor(tol)
    return _la.pinv(_square(a), rtol=tol)


def matrix_rank(
    A: ArrayLike, tol: Any = None, hermitian: bool = False, *, rtol: Any = None
) -> Tensor:
    """``numpy.linalg.matrix_rank`` (no gradient)."""
    x = _square(A)
    if tol is not None:
        s = _la.svdvals(x)
        return _sum(s > tol, axis=-1)
    return _la.matrix_rank(x, rtol=rtol)


def matrix_power(a: ArrayLike, n: int) -> Tensor:
    """``numpy.linalg.matrix_power`` (negative ``n`` inverts first)."""
    return _la.matrix_power(as_tensor(a), n)


class LstsqResult(NamedTuple):
    solution: Tensor
    residuals: Tensor
    rank: int
    singular_values: Tensor


def lstsq(a: ArrayLike, b: ArrayLike, rcond: Any = None) -> LstsqResult:
    """``numpy.linalg.lstsq``: ``(x, residuals, rank, s)``; ``x`` is ``pinv(a) @ b``."""
    x, y = (default_float(t) for t in as_tensors([a, b]))
    s = _la.svdvals(x)
    m, n = x.shape
    eps = numpy.finfo(numpy.float64 if x.dtype.bits in (64, 128) else numpy.float32).eps
    rtol = eps * max(m, n) if rcond is None else rcond
    solution = _matmul(_la.pinv(x, rtol=rtol), y)
    rank = int(_sum(s > rtol * _max(s)).item()) if s.shape[0] else 0
    if rank == n and m > n:
        error = _matmul(x, solution) - y
        residuals = _sum(_e.abs(error) ** 2 if error.dtype.kind == "c" else error * error, axis=0)
        if y.ndim == 1:
            residuals = _m.reshape(residuals, (1,))
    else:
        residuals = zeros((0,), dtype=s.dtype, device=x.device)
    return LstsqResult(solution, residuals, rank, s)


def multi_dot(arrays: Any, *, out: Any = None) -> Any:
    """``numpy.linalg.multi_dot``: matrix products left to right (1-d ends as vectors)."""
    tensors = as_tensors(list(arrays))
    result = functools.reduce(_matmul, tensors)
    return finish("numpy.linalg.multi_dot", result, out)


def cond(x: ArrayLike, p: Any = None) -> Tensor:
    """``numpy.linalg.cond``: the condition number in norm ``p`` (2 by default)."""
    a = _square(x)
    if p is None or p in (2, -2):
        s = _la.svdvals(a)
        big, small = _max(s, axis=-1), _min(s, axis=-1)
        return small / big if p == -2 else big / small
    return norm(a, p, axis=(-2, -1)) * norm(_la.inv(a), p, axis=(-2, -1))


def norm(x: ArrayLike, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Tensor:
    """``numpy.linalg.norm``: vector norms over one axis, matrix norms over two; with
    ``axis=None``, the 2-norm of the flattened input (or the matrix norm ``ord`` of a 2-d
    one)."""
    t = default_float(as_tensor(x))
    if axis is None:
        if ord is None or (ord in ("f", "fro") and t.ndim == 2):
            result = _la.vector_norm(t, ord=2)
            if keepdims:
                result = _m.reshape(result, (1,) * t.ndim)
            return result
        if t.ndim == 1:
            return _la.vector_norm(t, ord=ord, keepdims=keepdims)
        if t.ndim == 2:
            return _matrix_norm(t, ord, (0, 1), keepdims)
        msg = "`numpy.linalg.norm` with `ord` and no `axis` takes 1-d or 2-d input."
        raise AgradValueError(msg)
    axes = normalize_axis(axis, t.ndim)
    assert axes is not None
    if len(axes) == 1:
        return _la.vector_norm(t, axis=axes[0], ord=2 if ord is None else ord, keepdims=keepdims)
    if len(axes) == 2:
        return _matrix_norm(t, "fro" if ord is None else ord, axes, keepdims)
    msg = "`numpy.linalg.norm` takes one or two axes."
    raise AgradValueError(msg)


def _matrix_norm(t: Tensor, ord: Any, axes: tuple[int, ...], keepdims: bool) -> Tensor:
    if ord == "f":
        ord = "fro"
    moved = _m.moveaxis(t, axes, (-2, -1))
    result = _la.matrix_norm(moved, ord=ord, keepdims=keepdims)
    if keepdims:
        result = _m.moveaxis(result, (-2, -1), axes)
    return result


def matrix_norm(x: ArrayLike, /, *, keepdims: bool = False, ord: Any = "fro") -> Tensor:
    """``numpy.linalg.matrix_norm``."""
    return _la.matrix_norm(default_float(as_tensor(x)), keepdims=keepdims, ord=ord)


def vector_norm(
    x: ArrayLike, /, *, axis: Any = None, keepdims: bool = False, ord: Any = 2
) -> Tensor:
    """``numpy.linalg.vector_norm``."""
    t = default_float(as_tensor(x))
    ax = normalize_axis(axis, t.ndim)
    return _la.vector_norm(
        t, axis=ax if ax is None or len(ax) > 1 else ax[0], keepdims=keepdims, ord=ord
    )


def trace(x: ArrayLike, /, *, offset: int = 0, dtype: Any = None) -> Tensor:
    """``numpy.linalg.trace`` (over the last two axes)."""
    return _la.trace(as_tensor(x), offset=offset, dtype=to_dtype(dtype))


def diagonal(x: ArrayLike, /, *, offset: int = 0) -> Tensor:
    """``numpy.linalg.diagonal`` (of the last two axes)."""
    return _la.diagonal(as_tensor(x), offset=offset)


def cross(x1: ArrayLike, x2: ArrayLike, /, *, axis: int = -1) -> Tensor:
    """``numpy.linalg.cross`` of 3-vectors."""
    a, b = as_tensors([x1, x2])
    return _la.cross(a, b, axis=axis)


def outer(x1: ArrayLike, x2: ArrayLike, /) -> Tensor:
    """``numpy.linalg.outer`` of two 1-d tensors."""
    a, b = as_tensors([x1, x2])
    return _la.outer(a, b)


def tensordot(x1: ArrayLike, x2: ArrayLike, /, *, axes: Any = 2) -> Tensor:
    """``numpy.linalg.tensordot``."""
    a, b = as_tensors([x1, x2])
    return _tensordot(a, b, axes=axes)


def matmul(x1: ArrayLike, x2: ArrayLike, /) -> Tensor:
    """``numpy.linalg.matmul``."""
    a, b = as_tensors([x1, x2])
    return _matmul(a, b)


def matrix_transpose(x: ArrayLike, /) -> Tensor:
    """``numpy.linalg.matrix_transpose``."""
    return _matrix_transpose(as_tensor(x))


def vecdot(x1: ArrayLike, x2: ArrayLike, /, *, axis: int = -1) -> Tensor:
    """``numpy.linalg.vecdot`` (``x1`` conjugated)."""
    a, b = as_tensors([x1, x2])
    return _vecdot(a, b, axis=axis)


def __getattr__(name: str) -> Any:
    # NumPy's other linalg names: served or refused, naming the way out
    return lookup(f"linalg.{name}")
