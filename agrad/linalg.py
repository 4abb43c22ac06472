"""The ``linalg`` extension (https://data-apis.org/array-api/latest/extensions/linear_algebra_functions.html).

Every function is differentiable except ``matrix_rank``. The decompositions' gradients hold
where the decomposition is differentiable (distinct eigenvalues or singular values, invertible
or full-rank inputs) and, for eigenvectors, singular vectors and ``Q``, for losses that do not
depend on their arbitrary signs or phases, as in PyTorch. ``matmul``, ``matrix_transpose``,
``tensordot`` and ``vecdot`` are the main namespace's functions.
"""

from __future__ import annotations

import math
from typing import Any, Literal, NamedTuple

from agrad._api.creation import eye, zeros_like
from agrad._api.elementwise import abs
from agrad._api.linear_algebra import matmul, matrix_transpose, tensordot, vecdot
from agrad._api.manipulation import expand_dims
from agrad._api.statistical import max, min, sum
from agrad._dtypes import DType
from agrad._ops import apply, to_tensor
from agrad._registry import TABLE
from agrad._tensor import Tensor
from agrad.errors import AgradValueError

__all__ = [
    "EigResult",
    "EighResult",
    "QRResult",
    "SVDResult",
    "SlogdetResult",
    "cholesky",
    "cross",
    "det",
    "diagonal",
    "eig",
    "eigh",
    "eigvals",
    "eigvalsh",
    "inv",
    "matmul",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "matrix_transpose",
    "outer",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "svd",
    "svdvals",
    "tensordot",
    "trace",
    "vecdot",
    "vector_norm",
]


class EigResult(NamedTuple):
    eigenvalues: Tensor
    eigenvectors: Tensor


class EighResult(NamedTuple):
    eigenvalues: Tensor
    eigenvectors: Tensor


class QRResult(NamedTuple):
    Q: Tensor
    R: Tensor


class SlogdetResult(NamedTuple):
    sign: Tensor
    logabsdet: Tensor


class SVDResult(NamedTuple):
    U: Tensor
    S: Tensor
    Vh: Tensor


def _raw(value: Any) -> Any:
    """A tolerance given as a tensor, as its raw array (tolerances are not differentiated)."""
    return value._array if isinstance(value, Tensor) else value


# -- forwards (on raw arrays, with the backend's namespace) -------------------------------
def _cholesky_forward(xp: Any, a: Any, *, upper: bool) -> Any:
    return xp.linalg.cholesky(a, upper=upper)


def _cross_forward(xp: Any, a: Any, b: Any, *, axis: int) -> Any:
    return xp.linalg.cross(a, b, axis=axis)


def _det_forward(xp: Any, a: Any) -> Any:
    return xp.linalg.det(a)


def _diagonal_forward(xp: Any, a: Any, *, offset: int) -> Any:
    return xp.linalg.diagonal(a, offset=offset)


def _eig_forward(xp: Any, a: Any) -> tuple[Any, Any]:
    w, v = xp.linalg.eig(a)
    return w, v


def _eigh_forward(xp: Any, a: Any) -> tuple[Any, Any]:
    w, v = xp.linalg.eigh(a)
    return w, v


def _eigvals_forward(xp: Any, a: Any) -> Any:
    return xp.linalg.eigvals(a)


def _eigvalsh_forward(xp: Any, a: Any) -> Any:
    return xp.linalg.eigvalsh(a)


def _inv_forward(xp: Any, a: Any) -> Any:
    return xp.linalg.inv(a)


def _matrix_rank_forward(xp: Any, a: Any, *, rtol: Any) -> Any:
    if a.shape[-2] == 0 or a.shape[-1] == 0:  # NumPy's max over no singular values raises
        integral = xp.__array_namespace_info__().default_dtypes(device=a.device)["integral"]
        return xp.zeros(a.shape[:-2], dtype=integral, device=a.device)
    return xp.linalg.matrix_rank(a, rtol=rtol)


def _pinv_forward(xp: Any, a: Any, *, rtol: Any) -> Any:
    return xp.linalg.pinv(a, rtol=rtol)


def _qr_forward(xp: Any, a: Any, *, mode: str) -> tuple[Any, Any]:
    q, r = xp.linalg.qr(a, mode=mode)
    return q, r


def _slogdet_forward(xp: Any, a: Any) -> tuple[Any, Any]:
    sign, logabsdet = xp.linalg.slogdet(a)
    return sign, logabsdet


def _solve_forward(xp: Any, a: Any, b: Any) -> Any:
    return xp.linalg.solve(a, b)


def _svd_forward(xp: Any, a: Any, *, full_matrices: bool) -> tuple[Any, Any, Any]:
    u, s, vh = xp.linalg.svd(a, full_matrices=full_matrices)
    return u, s, vh


def _svdvals_forward(xp: Any, a: Any) -> Any:
    return xp.linalg.svdvals(a)


def _vector_norm_forward(
    xp: Any, a: Any, *, axis: int | tuple[int, ...] | None, keepdims: bool, ord: float
) -> Any:
    return xp.linalg.vector_norm(a, axis=axis, keepdims=keepdims, ord=ord)


# -- the functions --------------------------------------------------------------------------
def cholesky(x: Tensor, /, *, upper: bool = False) -> Tensor:
    """The Cholesky factor ``L`` of a Hermitian positive-definite ``x = L L^H``.

    Only the lower triangle of ``x`` is read (the upper one with ``upper=True``, which
    returns ``U = L^H``); the gradient is Hermitian, as in PyTorch.

    Examples
    --------
    >>> import agrad
    >>> agrad.linalg.cholesky(agrad.asarray([[4.0, 2.0], [2.0, 2.0]])).tolist()
    [[2.0, 0.0], [1.0, 1.0]]
    """
    return apply(TABLE["linalg.cholesky"], (x,), {"upper": upper}, _cholesky_forward)  # type: ignore[no-any-return]


def cross(x1: Tensor, x2: Tensor, /, *, axis: int = -1) -> Tensor:
    """The cross product of 3-element vectors along ``axis`` (broadcasting the rest).

    Examples
    --------
    >>> import agrad
    >>> x = agrad.asarray([1.0, 0.0, 0.0])
    >>> agrad.linalg.cross(x, agrad.asarray([0.0, 1.0, 0.0])).tolist()
    [0.0, 0.0, 1.0]
    """
    return apply(TABLE["linalg.cross"], (x1, x2), {"axis": axis}, _cross_forward)  # type: ignore[no-any-return]


def det(x: Tensor, /) -> Tensor:
    """The determinant of each matrix; its gradient needs an invertible ``x``.

    Examples
    --------
    >>> import agrad
    >>> x = agrad.tensor([[2.0, 0.0], [0.0, 3.0]], requires_grad=True)
    >>> agrad.linalg.det(x).backward()
    >>> x.grad.tolist()
    [[3.0, 0.0], [0.0, 2.0]]
    """
    return apply(TABLE["linalg.det"], (x,), None, _det_forward)  # type: ignore[no-any-return]


def diagonal(x: Tensor, /, *, offset: int = 0) -> Tensor:
    """The ``offset`` diagonal of each matrix (above the main one for ``offset > 0``).

    Examples
    --------
    >>> import agrad
    >>> x = agrad.asarray([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    >>> agrad.linalg.diagonal(x, offset=1).tolist()
    [2.0, 6.0]
    """
    return apply(TABLE["linalg.diagonal"], (x,), {"offset": offset}, _diagonal_forward)  # type: ignore[no-any-return]


def eig(x: Tensor, /) -> EigResult:
    """Eigenvalues and unit-norm eigenvectors of general square matrices (complex results).

    The gradient needs distinct eigenvalues and a loss that does not depend on the
    eigenvectors' phases.

    Examples
    --------
    >>> import agrad
    >>> agrad.linalg.eig(agrad.asarray([[2.0, 0.0], [0.0, 3.0]])).eigenvalues.tolist()
    [(2+0j), (3+0j)]
    """
    w, v = apply(TABLE["linalg.eig"], (x,), None, _eig_forward, nout=2)
    return EigResult(w, v)


def eigh(x: Tensor, /) -> EighResult:
    """Eigenvalues (ascending) and orthonormal eigenvectors of Hermitian matrices.

    Only the lower triangle of ``x`` is read. The gradient needs distinct eigenvalues and a
    loss that does not depend on the eigenvectors' signs or phases.

    Examples
    --------
    >>> import agrad
    >>> agrad.linalg.eigh(agrad.asarray([[2.0, 0.0], [0.0, 1.0]])).eigenvalues.tolist()
    [1.0, 2.0]
    """
    w, v = apply(TABLE["linalg.eigh"], (x,), None, _eigh_forward, nout=2)
    return EighResult(w, v)


def eigvals(x: Tensor, /) -> Tensor:
    """The eigenvalues of general square matrices (complex); see :func:`eig`.

    Examples
    --------
    >>> import agrad
    >>> agrad.linalg.eigvals(agrad.asarray([[0.0, -1.0], [1.0, 0.0]])).tolist()
    [1j, -1j]
    """
    return apply(TABLE["linalg.eigvals"], (x,), None, _eigvals_forward)  # type: ignore[no-any-return]


def eigvalsh(x: Tensor, /) -> Tensor:
    """The eigenvalues (ascending) of Hermitian matrices; see :func:`eigh`.

    Examples
    --------
    >>> import agrad
    >>> x = agrad.tensor([[2.0, 0.0], [0.0, 1.0]], requires_grad=True)
    >>> agrad.linalg.eigvalsh(x)[1].backward()
    >>> x.grad.tolist()
    [[1.0, 0.0], [0.0, 0.0]]
    """
    return apply(TABLE["linalg.eigvalsh"], (x,), None, _eigvalsh_forward)  # type: ignore[no-any-return]


def inv(x: Tensor, /) -> Tensor:
    """The inverse of each matrix.

    Examples
    --------
    >>> import agrad
    >>> agrad.linalg.inv(agrad.asarray([[2.0, 0.0], [0.0, 4.0]])).tolist()
    [[0.5, 0.0], [0.0, 0.25]]
    """
    return apply(TABLE["linalg.inv"], (x,), None, _inv_forward)  # type: ignore[no-any-return]


def matrix_norm(
    x: Tensor,
    /,
    *,
    keepdims: bool = False,
    ord: int | float | Literal["fro", "nuc"] | None = "fro",
) -> Tensor:
    """A norm of each matrix: ``'fro'``, ``'nuc'``, ``1``, ``-1``, ``2``, ``-2``, ``inf``, ``-inf``.

    Built from :func:`vector_norm`, :func:`svdvals`, ``abs``, ``sum``, ``max`` and ``min``, so
    its gradient is theirs: tied maxima share it evenly, and ``'fro'`` of zeros gives 0.

    Examples
    --------
    >>> import agrad
    >>> agrad.linalg.matrix_norm(agrad.asarray([[3.0, 0.0], [0.0, -4.0]])).item()
    5.0
    """
    x = to_tensor(x)
    if ord == "fro" or ord is None:
        return vector_norm(x, axis=(-2, -1), keepdims=keepdims)
    if ord == "nuc":
        result = sum(svdvals(x), axis=-1)
    elif ord in (2, -2):
        result = (max if ord == 2 else min)(svdvals(x), axis=-1)
    elif ord in (1, -1, math.inf, -math.inf):
        # 1: the largest column sum of |x|; inf: the largest row sum
        sums = sum(abs(x), axis=-2 if ord in (1, -1) else -1)
        result = (max if ord > 0 else min)(sums, axis=-1)
    else:
        msg = (
            f"`linalg.matrix_norm` got `ord={ord!r}`; expected 'fro', 'nuc', 1, -1, 2, -2, "
            "inf or -inf."
        )
        raise AgradValueError(msg)
    if keepdims:
        result = expand_dims(expand_dims(result, axis=-1), axis=-1)
    return result


def matrix_power(x: Tensor, n: int, /) -> Tensor:
    """``x`` multiplied by itself ``n`` times (by repeated squaring; ``inv(x)`` for ``n < 0``).

    Examples
    --------
    >>> import agrad
    >>> agrad.linalg.matrix_power(agrad.asarray([[1.0, 1.0], [0.0, 1.0]]), 3).tolist()
    [[1.0, 3.0], [0.0, 1.0]]
    """
    x = to_tensor(x)
    if n == 0:  # a constant: the identity in every matrix of the stack
        return zeros_like(x) + eye(x.shape[-1], dtype=x.dtype, device=x.device)
    base = inv(x) if n < 0 else x
    n = -n if n < 0 else n
    result: Tensor | None = None
    while True:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if not n:
            assert result is not None
            return result
        base = matmul(base, base)


def matrix_rank(x: Tensor, /, *, rtol: float | Tensor | None = None) -> Tensor:
    """The number of singular values above ``rtol`` times the largest (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.linalg.matrix_rank(agrad.asarray([[1.0, 2.0], [2.0, 4.0]])).item()
    1
    """
    rule = TABLE["linalg.matrix_rank"]
    return apply(rule, (x,), {"rtol": _raw(rtol)}, _matrix_rank_forward)  # type: ignore[no-any-return]


def outer(x1: Tensor, x2: Tensor, /) -> Tensor:
    """The outer product ``x1[:, None] * x2[None, :]`` of two vectors.

    Examples
    --------
    >>> import agrad
    >>> agrad.linalg.outer(agrad.asarray([1.0, 2.0]), agrad.asarray([3.0, 4.0])).tolist()
    [[3.0, 4.0], [6.0, 8.0]]
    """
    return expand_dims(to_tensor(x1), axis=-1) * expand_dims(to_tensor(x2), axis=0)


def pinv(x: Tensor, /, *, rtol: float | Tensor | None = None) -> Tensor:
    """The Moore-Penrose pseudo-inverse; its gradient holds where the rank does not change.

    Examples
    --------
    >>> import agrad
    >>> agrad.linalg.pinv(agrad.asarray([[2.0, 0.0, 0.0], [0.0, 4.0, 0.0]])).tolist()
    [[0.5, 0.0], [0.0, 0.25], [0.0, 0.0]]
    """
    return apply(TABLE["linalg.pinv"], (x,), {"rtol": _raw(rtol)}, _pinv_forward)  # type: ignore[no-any-return]


def qr(x: Tensor, /, *, mode: Literal["reduced", "complete"] = "reduced") -> QRResult:
    """The QR decomposition ``x = Q R``.

    The gradient needs full-rank ``x`` and a loss that does not depend on the signs (phases)
    of ``Q``'s columns; with ``mode='complete'`` and more rows than columns, ``Q``'s last
    columns are arbitrary and backward raises :class:`agrad.errors.NotDifferentiableError`.

    Examples
    --------
    >>> import agrad
    >>> q, r = agrad.linalg.qr(agrad.asarray([[3.0, 0.0], [4.0, 5.0]]))
    >>> agrad.abs(r).tolist()
    [[5.0, 4.0], [0.0, 3.0]]
    """
    q, r = apply(TABLE["linalg.qr"], (x,), {"mode": mode}, _qr_forward, nout=2)
    return QRResult(q, r)


def slogdet(x: Tensor, /) -> SlogdetResult:
    """The sign (or phase) and the log of the absolute value of each determinant.

    Examples
    --------
    >>> import agrad
    >>> sign, logabsdet = agrad.linalg.slogdet(agrad.asarray([[-1.0, 0.0], [0.0, 1.0]]))
    >>> sign.item(), logabsdet.item()
    (-1.0, 0.0)
    """
    sign, logabsdet = apply(TABLE["linalg.slogdet"], (x,), None, _slogdet_forward, nout=2)
    return SlogdetResult(sign, logabsdet)


def solve(x1: Tensor, x2: Tensor, /) -> Tensor:
    """The solution ``X`` of ``x1 @ X = x2`` (a 1-d ``x2`` is one right-hand side).

    Examples
    --------
    >>> import agrad
    >>> a = agrad.asarray([[2.0, 0.0], [0.0, 4.0]])
    >>> agrad.linalg.solve(a, agrad.asarray([2.0, 2.0])).tolist()
    [1.0, 0.5]
    """
    return apply(TABLE["linalg.solve"], (x1, x2), None, _solve_forward)  # type: ignore[no-any-return]


def svd(x: Tensor, /, *, full_matrices: bool = True) -> SVDResult:
    """The singular value decomposition ``x = U diag(S) Vh``, ``S`` descending.

    The gradient needs distinct non-zero singular values and a loss that does not depend on
    the singular vectors' signs or phases. With ``full_matrices=True``, the columns of ``U``
    and rows of ``Vh`` beyond ``min(M, N)`` are arbitrary and get no gradient, as in PyTorch.

    Examples
    --------
    >>> import agrad
    >>> agrad.linalg.svd(agrad.asarray([[0.0, 2.0], [1.0, 0.0]])).S.tolist()
    [2.0, 1.0]
    """
    kw = {"full_matrices": full_matrices}
    u, s, vh = apply(TABLE["linalg.svd"], (x,), kw, _svd_forward, nout=3)
    return SVDResult(u, s, vh)


def svdvals(x: Tensor, /) -> Tensor:
    """The singular values of each matrix, descending; see :func:`svd`.

    Examples
    --------
    >>> import agrad
    >>> agrad.linalg.svdvals(agrad.asarray([[0.0, 2.0], [1.0, 0.0]])).tolist()
    [2.0, 1.0]
    """
    return apply(TABLE["linalg.svdvals"], (x,), None, _svdvals_forward)  # type: ignore[no-any-return]


def trace(x: Tensor, /, *, offset: int = 0, dtype: DType | None = None) -> Tensor:
    """The sum of the ``offset`` diagonal of each matrix.

    Examples
    --------
    >>> import agrad
    >>> agrad.linalg.trace(agrad.asarray([[1.0, 2.0], [3.0, 4.0]])).item()
    5.0
    """
    return sum(diagonal(x, offset=offset), axis=-1, dtype=dtype)


def vector_norm(
    x: Tensor,
    /,
    *,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    ord: int | float = 2,
) -> Tensor:
    """The ``ord``-norm over ``axis`` (all axes by default); its gradient is 0 at 0, as torch's.

    Examples
    --------
    >>> import agrad
    >>> x = agrad.tensor([0.0, -2.0], requires_grad=True)
    >>> agrad.linalg.vector_norm(x).backward()
    >>> x.grad.tolist()
    [0.0, -1.0]
    """
    kw = {"axis": axis, "keepdims": keepdims, "ord": ord}
    return apply(TABLE["linalg.vector_norm"], (x,), kw, _vector_norm_forward)  # type: ignore[no-any-return]
