"""``agrad.scipy.linalg``: SciPy's ``scipy.linalg`` on tensors, differentiable.

The functions take SciPy's arguments (``lower=``, ``trans=``, ``unit_diagonal=``, SciPy's
defaults included: :func:`cholesky` returns the *upper* factor unless ``lower=True``) and
return tensors. Forward values come from SciPy on the NumPy device and from the device's own
library where it has the function (``torch.linalg.solve_triangular``,
``torch.linalg.matrix_exp``, ``jax.scipy.linalg``); elsewhere the input makes a round trip
through SciPy. The derivative rules are written against the standard, so gradients of any
order work on every device.

Gradients hold where the function is differentiable: invertible ``a`` for the solves, a
Sylvester equation with a unique solution (no eigenvalue of ``a`` is the negative of one of
``b``), a square root or logarithm of a matrix with no eigenvalue on the closed negative
real axis. Only the triangle a function reads receives a gradient (``solve_triangular``,
``cho_solve``, ``eigh``), as in SciPy, where the other triangle is never looked at.
``overwrite_*`` and ``check_finite`` are accepted and ignored: tensors are never overwritten.

Examples
--------
>>> import numpy as np
>>> import agrad
>>> from agrad.scipy import linalg
>>> a = agrad.tensor(np.array([[2.0, 0.0], [1.0, 4.0]]), requires_grad=True)
>>> x = linalg.solve_triangular(a, np.array([2.0, 9.0]), lower=True)
>>> x.tolist()
[1.0, 2.0]
>>> agrad.sum(x).backward()
>>> a.grad.tolist()  # the upper triangle is never read
[[-0.375, 0.0], [-0.25, -0.5]]
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import agrad
from agrad._arraylike import ArrayLike, as_tensor, as_tensors, default_float
from agrad._ops import apply
from agrad._tensor import Tensor
from agrad.errors import AgradValueError
from agrad.extend import Rule, backend_of, conj
from agrad.numpy import linalg as np_linalg
from agrad.scipy._missing import missing

__all__ = [
    "block_diag",
    "cho_factor",
    "cho_solve",
    "cholesky",
    "det",
    "eigh",
    "eigvalsh",
    "expm",
    "inv",
    "logm",
    "lu_factor",
    "lu_solve",
    "norm",
    "solve",
    "solve_banded",
    "solve_sylvester",
    "solve_triangular",
    "sqrtm",
    "svd",
]


def __getattr__(name: str) -> Any:
    error = missing("linalg", name, __all__)
    raise error


# -- running SciPy's function, or the device's own -----------------------------------------
def _library(xp: Any) -> str:
    """The name of the array library behind a raw namespace (``"agrad"`` under graph)."""
    return str(backend_of(xp).name)


def _through_host(xp: Any, fn: Callable[..., Any], *arrays: Any) -> Any:
    """``fn`` (a SciPy function of NumPy arrays) on arrays of any device, and back."""
    backend = backend_of(xp)
    device = backend.device_of(arrays[0])
    result = fn(*(backend.to_host(a) for a in arrays))
    if isinstance(result, tuple):
        return tuple(backend.from_host(r, device) for r in result)
    return backend.from_host(result, device)


def _scipy_linalg() -> Any:
    # imported on first use: SciPy is slow to import
    import scipy.linalg  # type: ignore[import-untyped]  # SciPy ships no stubs

    return scipy.linalg


def _mT(x: Any, xp: Any) -> Any:
    return xp.matrix_transpose(x) if x.ndim >= 2 else x


def _mH(x: Any, xp: Any) -> Any:
    return conj(xp.matrix_transpose(x), xp)


# -- solve_triangular -----------------------------------------------------------------------
_TRANS = {0: "N", 1: "T", 2: "C", "N": "N", "T": "T", "C": "C", "n": "N", "t": "T", "c": "C"}


def _triangular_forward(
    xp: Any, a: Any, b: Any, *, trans: str, lower: bool, unit_diagonal: bool
) -> Any:
    library = _library(xp)
    if library == "torch":
        import torch

        m = a if trans == "N" else a.mT if trans == "T" else a.mH
        upper = lower == (trans != "N")
        rhs = b[..., None] if b.ndim == 1 else b
        x = torch.linalg.solve_triangular(m, rhs, upper=upper, unitriangular=unit_diagonal)
        return x[..., 0] if b.ndim == 1 else x
    kw: dict[str, Any] = {"trans": trans, "lower": lower, "unit_diagonal": unit_diagonal}
    if library == "jax":
        import jax.scipy.linalg

        return jax.scipy.linalg.solve_triangular(a, b, **kw)
    if library == "cupy":
        import cupyx.scipy.linalg

        return cupyx.scipy.linalg.solve_triangular(a, b, **kw)
    fn = functools.partial(_scipy_linalg().solve_triangular, **kw)
    if library == "numpy":
        return fn(a, b)
    return _through_host(xp, fn, a, b)


def _triangular(
    xp: Any, a: Any, b: Any, *, trans: str, lower: bool, unit_diagonal: bool = False
) -> Any:
    """A triangular solve inside a rule: SciPy's or the device's on raw arrays, the
    differentiable :func:`solve_triangular` on tensors (``create_graph=True``)."""
    if xp is agrad:
        return solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal)
    return _triangular_forward(xp, a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal)


def _adjoint_solve(xp: Any, a: Any, g: Any, trans: str, lower: bool, unit: bool) -> Any:
    # op(A)^H y = g: the adjoint of 'N' is 'C' and of 'C' is 'N'; of 'T' it is conj(A)
    if trans == "N":
        return _triangular(xp, a, g, trans="C", lower=lower, unit_diagonal=unit)
    if trans == "C":
        return _triangular(xp, a, g, trans="N", lower=lower, unit_diagonal=unit)
    y = _triangular(xp, a, conj(g, xp), trans="N", lower=lower, unit_diagonal=unit)
    return conj(y, xp)


def _triangular_vjp_a(
    g: Any, out: Any, a: Any, b: Any, *, xp: Any, trans: str, lower: bool, unit_diagonal: bool
) -> Any:
    # X = op(A)^-1 B: dop(A) = -op(A)^-H G X^H, kept on the triangle A's solve reads
    gb = _adjoint_solve(xp, a, g, trans, lower, unit_diagonal)
    gm = -(gb[:, None] * conj(out, xp)[None, :]) if out.ndim == 1 else -(gb @ _mH(out, xp))
    ga = gm if trans == "N" else xp.matrix_transpose(gm) if trans == "T" else _mH(gm, xp)
    k = 0 if not unit_diagonal else (-1 if lower else 1)
    return xp.tril(ga, k=k) if lower else xp.triu(ga, k=k)


def _triangular_vjp_b(
    g: Any, out: Any, a: Any, b: Any, *, xp: Any, trans: str, lower: bool, unit_diagonal: bool
) -> Any:
    return _adjoint_solve(xp, a, g, trans, lower, unit_diagonal)


_SOLVE_TRIANGULAR = Rule(
    "scipy.linalg.solve_triangular", _triangular_vjp_a, _triangular_vjp_b, save="all"
)


def solve_triangular(
    a: ArrayLike,
    b: ArrayLike,
    trans: int | str = 0,
    lower: bool = False,
    unit_diagonal: bool = False,
    overwrite_b: bool = False,
    check_finite: bool = True,
) -> Tensor:
    """Solve ``op(a) x = b`` for triangular ``a`` (``scipy.linalg.solve_triangular``).

    ``trans`` is 0/``"N"`` (``a``), 1/``"T"`` (its transpose) or 2/``"C"`` (its conjugate
    transpose). Only the triangle named by ``lower`` is read (and gets a gradient); with
    ``unit_diagonal`` the diagonal is taken as ones and gets none. A 1-d ``b`` is a vector;
    leading axes of ``a`` and ``b`` are batch axes.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.linalg import solve_triangular
    >>> u = agrad.asarray([[2.0, 1.0], [0.0, 4.0]])
    >>> solve_triangular(u, agrad.asarray([4.0, 8.0])).tolist()
    [1.0, 2.0]
    """
    if trans not in _TRANS:
        msg = (
            f"`agrad.scipy.linalg.solve_triangular` takes `trans` 0, 1, 2, 'N', 'T' or 'C'; "
            f"got {trans!r}."
        )
        raise AgradValueError(msg)
    at, bt = as_tensors([a, b])
    at, bt = default_float(at), default_float(bt)
    kw = {"trans": _TRANS[trans], "lower": bool(lower), "unit_diagonal": bool(unit_diagonal)}
    return apply(_SOLVE_TRIANGULAR, (at, bt), kw, _triangular_forward)  # type: ignore[no-any-return]


# -- Sylvester equations and sqrtm --------------------------------------------------------
def _sylvester_forward(xp: Any, a: Any, b: Any, q: Any) -> Any:
    fn = _scipy_linalg().solve_sylvester
    return fn(a, b, q) if _library(xp) == "numpy" else _through_host(xp, fn, a, b, q)


def _sylvester(xp: Any, a: Any, b: Any, q: Any) -> Any:
    if xp is agrad:
        return solve_sylvester(a, b, q)
    return _sylvester_forward(xp, a, b, q)


# A X + X B = Q: with Y solving A^H Y + Y B^H = G, dQ = Y, dA = -Y X^H, dB = -X^H Y
def _sylvester_adjoint(g: Any, a: Any, b: Any, xp: Any) -> Any:
    return _sylvester(xp, _mH(a, xp), _mH(b, xp), g)


def _sylvester_vjp_a(g: Any, out: Any, a: Any, b: Any, q: Any, *, xp: Any) -> Any:
    return -(_sylvester_adjoint(g, a, b, xp) @ _mH(out, xp))


def _sylvester_vjp_b(g: Any, out: Any, a: Any, b: Any, q: Any, *, xp: Any) -> Any:
    return -(_mH(out, xp) @ _sylvester_adjoint(g, a, b, xp))


def _sylvester_vjp_q(g: Any, out: Any, a: Any, b: Any, q: Any, *, xp: Any) -> Any:
    return _sylvester_adjoint(g, a, b, xp)


_SOLVE_SYLVESTER = Rule(
    "scipy.linalg.solve_sylvester", _sylvester_vjp_a, _sylvester_vjp_b, _sylvester_vjp_q
)


def solve_sylvester(a: ArrayLike, b: ArrayLike, q: ArrayLike) -> Tensor:
    """Solve the Sylvester equation ``a x + x b = q`` (``scipy.linalg.solve_sylvester``).

    Differentiable in ``a``, ``b`` and ``q``; the gradient solves one more Sylvester
    equation, with ``a`` and ``b`` conjugate-transposed.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.linalg import solve_sylvester
    >>> a = agrad.asarray([[1.0, 0.0], [0.0, 2.0]])
    >>> solve_sylvester(a, a, agrad.asarray([[2.0, 3.0], [3.0, 4.0]])).tolist()
    [[1.0, 1.0], [1.0, 1.0]]
    """
    at, bt, qt = (default_float(t) for t in as_tensors([a, b, q]))
    return apply(_SOLVE_SYLVESTER, (at, bt, qt), None, _sylvester_forward)  # type: ignore[no-any-return]


def _sqrtm_forward(xp: Any, a: Any) -> Any:
    library = _library(xp)
    if library == "jax":
        import jax.scipy.linalg

        return jax.scipy.linalg.sqrtm(a)
    fn = _scipy_linalg().sqrtm
    return fn(a) if library == "numpy" else _through_host(xp, fn, a)


def _sqrtm_vjp(g: Any, out: Any, a: Any, *, xp: Any) -> Any:
    # A = S S: dA = S dS + dS S, so the cotangent of A solves S^H X + X S^H = G
    sh = _mH(out, xp)
    return _sylvester(xp, sh, sh, g)


_SQRTM = Rule("scipy.linalg.sqrtm", _sqrtm_vjp, save="out")


def sqrtm(A: ArrayLike, disp: bool = True, blocksize: int = 64) -> Tensor:
    """The principal square root of a square matrix (``scipy.linalg.sqrtm``).

    Its gradient solves a Sylvester equation. A real matrix with negative eigenvalues has a
    complex square root, as in SciPy. ``disp`` and ``blocksize`` are accepted and ignored.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.linalg import sqrtm
    >>> sqrtm(agrad.asarray([[4.0, 0.0], [0.0, 9.0]])).tolist()
    [[2.0, 0.0], [0.0, 3.0]]
    """
    return apply(_SQRTM, (default_float(as_tensor(A)),), None, _sqrtm_forward)  # type: ignore[no-any-return]


# -- expm and logm --------------------------------------------------------------------------
def _expm_forward(xp: Any, a: Any) -> Any:
    library = _library(xp)
    if library == "torch":
        import torch

        return torch.linalg.matrix_exp(a)
    if library == "jax":
        import jax.scipy.linalg

        return jax.scipy.linalg.expm(a)
    if library == "cupy":
        import cupyx.scipy.linalg

        return cupyx.scipy.linalg.expm(a)
    fn = _scipy_linalg().expm
    return fn(a) if library == "numpy" else _through_host(xp, fn, a)


def _logm_forward(xp: Any, a: Any) -> Any:
    fn = _scipy_linalg().logm
    return fn(a) if _library(xp) == "numpy" else _through_host(xp, fn, a)


def _block_frechet(xp: Any, f: Callable[[Any], Any], a: Any, g: Any) -> Any:
    # the adjoint Frechet derivative of a primary matrix function f (real power series):
    # the upper right block of f([[A^H, G], [0, A^H]])
    ah = _mH(a, xp)
    n = a.shape[-1]
    top = xp.concat([ah, g], axis=-1)
    bottom = xp.concat([xp.zeros_like(ah), ah], axis=-1)
    return f(xp.concat([top, bottom], axis=-2))[..., :n, n:]


def _expm_vjp(g: Any, out: Any, a: Any, *, xp: Any) -> Any:
    f = expm if xp is agrad else functools.partial(_expm_forward, xp)
    return _block_frechet(xp, f, a, g)


def _logm_vjp(g: Any, out: Any, a: Any, *, xp: Any) -> Any:
    f = logm if xp is agrad else functools.partial(_logm_forward, xp)
    return _block_frechet(xp, f, a, g)


_EXPM = Rule("scipy.linalg.expm", _expm_vjp, save="inputs")
_LOGM = Rule("scipy.linalg.logm", _logm_vjp, save="inputs")


def expm(A: ArrayLike) -> Tensor:
    """The matrix exponential (``scipy.linalg.expm``); leading axes are batch axes.

    Its gradient is a block of the exponential of a matrix twice the size.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.linalg import expm
    >>> expm(agrad.zeros((2, 2))).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    return apply(_EXPM, (default_float(as_tensor(A)),), None, _expm_forward)  # type: ignore[no-any-return]


def logm(A: ArrayLike, disp: bool = True) -> Tensor:
    """The principal matrix logarithm (``scipy.linalg.logm``).

    Its gradient is a block of the logarithm of a matrix twice the size. ``disp`` is
    accepted and ignored (SciPy's error estimate is not returned).

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.linalg import logm
    >>> logm(agrad.eye(2)).tolist()
    [[0.0, 0.0], [0.0, 0.0]]
    """
    return apply(_LOGM, (default_float(as_tensor(A)),), None, _logm_forward)  # type: ignore[no-any-return]


# -- Cholesky and LU ------------------------------------------------------------------------
def cholesky(
    a: ArrayLike, lower: bool = False, overwrite_a: bool = False, check_finite: bool = True
) -> Tensor:
    """The Cholesky factor of a Hermitian positive-definite matrix (``scipy.linalg.cholesky``).

    SciPy's default: the *upper* factor ``u`` with ``a = u^H u``; ``lower=True`` gives ``l``
    with ``a = l l^H``.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.linalg import cholesky
    >>> cholesky(agrad.asarray([[4.0, 2.0], [2.0, 5.0]])).tolist()
    [[2.0, 1.0], [0.0, 2.0]]
    """
    return agrad.linalg.cholesky(default_float(as_tensor(a)), upper=not lower)


def cho_factor(
    a: ArrayLike, lower: bool = False, overwrite_a: bool = False, check_finite: bool = True
) -> tuple[Tensor, bool]:
    """``(c, lower)`` for :func:`cho_solve` (``scipy.linalg.cho_factor``).

    ``c`` is the Cholesky factor with zeros in its other triangle (SciPy leaves whatever
    was there).

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.linalg import cho_factor
    >>> c, low = cho_factor(agrad.asarray([[4.0, 2.0], [2.0, 5.0]]), lower=True)
    >>> c.tolist(), low
    ([[2.0, 0.0], [1.0, 2.0]], True)
    """
    return cholesky(a, lower=lower), bool(lower)


def cho_solve(
    c_and_lower: tuple[ArrayLike, bool],
    b: ArrayLike,
    overwrite_b: bool = False,
    check_finite: bool = True,
) -> Tensor:
    """Solve ``a x = b`` given :func:`cho_factor`'s ``(c, lower)`` (``scipy.linalg.cho_solve``).

    Only the triangle of ``c`` named by ``lower`` is read (and gets a gradient).

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.linalg import cho_factor, cho_solve
    >>> a = agrad.asarray([[4.0, 2.0], [2.0, 5.0]])
    >>> cho_solve(cho_factor(a), agrad.asarray([6.0, 7.0])).tolist()
    [1.0, 1.0]
    """
    c, lower = c_and_lower
    # a = l l^H: solve l y = b, then l^H x = y (and u^H y = b, u x = y for the upper factor)
    first, second = ("N", "C") if lower else ("C", "N")
    y = solve_triangular(c, b, trans=first, lower=lower)
    return solve_triangular(c, y, trans=second, lower=lower)


def lu_factor(
    a: ArrayLike, overwrite_a: bool = False, check_finite: bool = True
) -> tuple[Tensor, Any]:
    """``(lu, piv)`` for :func:`lu_solve` (``scipy.linalg.lu_factor``), differentiable in ``a``.

    ``lu`` holds ``L`` below the diagonal (its unit diagonal not stored) and ``U`` on and
    above it; ``piv`` is SciPy's (LAPACK's) pivot array, a NumPy array of row swaps. The
    gradient holds for square, invertible ``a``.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.linalg import lu_factor
    >>> lu, piv = lu_factor(agrad.asarray([[1.0, 2.0], [4.0, 4.0]]))
    >>> lu.tolist(), piv.tolist()
    ([[4.0, 4.0], [0.25, 1.0]], [1, 1])
    """
    import numpy

    t = default_float(as_tensor(a))
    lu, piv = _scipy_linalg().lu_factor(numpy.asarray(t.detach().to_device("numpy").array))
    perm = _permutation(piv)
    pa = agrad.take(t, agrad.asarray(perm, device=t.device), axis=0)
    return _LU.apply(pa, lu), piv


def _permutation(piv: Any) -> Any:
    """LAPACK's row swaps as the permutation ``perm`` with ``P A = A[perm]``."""
    import numpy

    perm = numpy.arange(len(piv))
    for i, p in enumerate(numpy.asarray(piv)):
        perm[[i, p]] = perm[[p, i]]
    return perm


class _LU(agrad.Function):
    """The packed LU factors of ``P A`` (computed by SciPy), differentiable in ``P A``."""

    @staticmethod
    def forward(ctx: Any, pa: Tensor, lu: Any) -> Any:
        ctx.save_for_backward(pa)
        ctx.lu = lu
        return agrad.asarray(lu, device=pa.device)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple[Tensor, None]:
        # P A = L U: dA = L^-H (tril_-1(L^H gL) + triu(gU U^H)) U^-H
        (pa,) = ctx.saved_tensors
        lu = _LU.apply(pa, ctx.lu)  # connected to P A when the backward is recorded
        n = lu.shape[-1]
        eye = agrad.eye(n, dtype=lu.dtype, device=lu.device)
        low = agrad.tril(lu, k=-1) + eye
        up = agrad.triu(lu)
        inner = agrad.tril(_mH(low, agrad) @ agrad.tril(g, k=-1), k=-1) + agrad.triu(
            g @ _mH(up, agrad)
        )
        x = solve_triangular(low, inner, trans="C", lower=True, unit_diagonal=True)
        return _mH(solve_triangular(up, _mH(x, agrad), lower=False), agrad), None


def lu_solve(
    lu_and_piv: tuple[ArrayLike, Any],
    b: ArrayLike,
    trans: int = 0,
    overwrite_b: bool = False,
    check_finite: bool = True,
) -> Tensor:
    """Solve ``a x = b`` (``trans=1``: ``a^T x = b``, 2: ``a^H x = b``) given
    :func:`lu_factor`'s ``(lu, piv)`` (``scipy.linalg.lu_solve``).

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.linalg import lu_factor, lu_solve
    >>> a = agrad.asarray([[1.0, 2.0], [4.0, 4.0]])
    >>> lu_solve(lu_factor(a), agrad.asarray([3.0, 8.0])).tolist()
    [1.0, 1.0]
    """
    import numpy

    lu, piv = lu_and_piv
    lut, bt = as_tensors([lu, b])
    perm = _permutation(piv)
    code = _TRANS.get(trans)
    if code is None:
        msg = f"`agrad.scipy.linalg.lu_solve` takes `trans` 0, 1 or 2; got {trans!r}."
        raise AgradValueError(msg)
    if code == "N":  # L U x = P b
        pb = agrad.take(bt, agrad.asarray(perm, device=bt.device), axis=0)
        y = solve_triangular(lut, pb, lower=True, unit_diagonal=True)
        return solve_triangular(lut, y, lower=False)
    # (P^T L U)^T x = b: U^T y = b, L^T z = y, x = P^T z
    y = solve_triangular(lut, bt, trans=code, lower=False)
    z = solve_triangular(lut, y, trans=code, lower=True, unit_diagonal=True)
    inverse = numpy.argsort(perm)
    return agrad.take(z, agrad.asarray(inverse, device=z.device), axis=0)


# -- solve_banded ---------------------------------------------------------------------------
def _banded_dense(ab: Any, lower: int, upper: int, xp: Any) -> Any:
    # A[i, j] = ab[upper + i - j, j] inside the band, zero outside
    rows, n = ab.shape[0], ab.shape[1]
    i = xp.arange(n)[:, None]
    j = xp.arange(n)[None, :]
    r = upper + i - j
    inside = (r >= 0) & (r < rows)
    flat = xp.where(inside, r, 0) * n + j
    dense = xp.take(xp.reshape(ab, (-1,)), xp.reshape(flat, (-1,)), axis=0)
    return xp.where(inside, xp.reshape(dense, (n, n)), xp.zeros_like(xp.reshape(dense, (n, n))))


def solve_banded(
    l_and_u: tuple[int, int],
    ab: ArrayLike,
    b: ArrayLike,
    overwrite_ab: bool = False,
    overwrite_b: bool = False,
    check_finite: bool = True,
) -> Tensor:
    """Solve ``a x = b`` for a banded ``a`` in SciPy's diagonal-ordered form
    (``scipy.linalg.solve_banded``): ``ab[u + i - j, j] == a[i, j]``.

    Differentiable in ``ab`` (its entries outside the band get zero) and ``b``. The solve
    runs on the dense matrix, so it costs ``O(n^3)``, not SciPy's ``O(n (l + u)^2)``.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.linalg import solve_banded
    >>> ab = agrad.asarray([[0.0, 1.0, 1.0], [2.0, 2.0, 2.0], [1.0, 1.0, 0.0]])
    >>> solve_banded((1, 1), ab, agrad.asarray([3.0, 4.0, 3.0])).tolist()
    [1.0, 1.0, 1.0]
    """
    lower, upper = (int(v) for v in l_and_u)
    abt, bt = (default_float(t) for t in as_tensors([ab, b]))
    if abt.ndim != 2 or abt.shape[0] != lower + upper + 1:
        msg = (
            f"`agrad.scipy.linalg.solve_banded` with l_and_u={l_and_u!r} takes `ab` of shape "
            f"({lower + upper + 1}, n); got {tuple(abt.shape)!r}."
        )
        raise AgradValueError(msg)
    return _dense_solve(_banded_dense(abt, lower, upper, agrad), bt)


def _dense_solve(a: Tensor, b: Tensor) -> Tensor:
    x: Tensor = agrad.linalg.solve(a, b[:, None] if b.ndim == 1 else b)
    return x[:, 0] if b.ndim == 1 else x


# -- wrappers of agrad.linalg ---------------------------------------------------------------
def _from_triangle(a: Tensor, lower: bool) -> Tensor:
    """The Hermitian matrix whose ``lower`` (or upper) triangle is ``a``'s."""
    strict = agrad.tril(a, k=-1) if lower else agrad.triu(a, k=1)
    mirrored: Tensor = _mH(strict, agrad)
    return (agrad.tril(a) if lower else agrad.triu(a)) + mirrored


def solve(
    a: ArrayLike,
    b: ArrayLike,
    lower: bool = False,
    overwrite_a: bool = False,
    overwrite_b: bool = False,
    check_finite: bool = True,
    assume_a: str | None = None,
    transposed: bool = False,
) -> Tensor:
    """Solve ``a x = b`` (``scipy.linalg.solve``); ``transposed=True`` solves ``a^T x = b``.

    ``assume_a``: ``"sym"``, ``"her"`` and ``"pos"`` read the triangle named by ``lower``
    (only it gets a gradient), ``"diagonal"`` the diagonal, ``"lower triangular"`` and
    ``"upper triangular"`` their triangle; anything else is a general solve.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.linalg import solve
    >>> solve(agrad.asarray([[2.0, 1.0], [1.0, 3.0]]), agrad.asarray([3.0, 4.0])).tolist()
    [1.0, 1.0]
    """
    at, bt = (default_float(t) for t in as_tensors([a, b]))
    if transposed:
        at = agrad.matrix_transpose(at)
    kind = (assume_a or "gen").lower()
    if kind in ("lower triangular", "upper triangular"):
        return solve_triangular(at, bt, lower=kind.startswith("lower"))
    if kind in ("diagonal",):
        d = agrad.linalg.diagonal(at)
        return bt / d if bt.ndim == 1 else bt / d[:, None]
    if kind in ("sym", "her", "pos", "symmetric", "hermitian", "positive definite"):
        at = _from_triangle(at, lower)
    return _dense_solve(at, bt)


def inv(a: ArrayLike, overwrite_a: bool = False, check_finite: bool = True) -> Tensor:
    """The inverse of a square matrix (``scipy.linalg.inv``).

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.linalg import inv
    >>> inv(agrad.asarray([[2.0, 0.0], [0.0, 4.0]])).tolist()
    [[0.5, 0.0], [0.0, 0.25]]
    """
    return agrad.linalg.inv(default_float(as_tensor(a)))


def det(a: ArrayLike, overwrite_a: bool = False, check_finite: bool = True) -> Tensor:
    """The determinant of a square matrix (``scipy.linalg.det``).

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.linalg import det
    >>> round(float(det(agrad.asarray([[2.0, 1.0], [1.0, 3.0]]))), 12)
    5.0
    """
    return agrad.linalg.det(default_float(as_tensor(a)))


def eigh(
    a: ArrayLike,
    b: ArrayLike | None = None,
    *,
    lower: bool = True,
    eigvals_only: bool = False,
    overwrite_a: bool = False,
    overwrite_b: bool = False,
    type: int = 1,
    check_finite: bool = True,
    subset_by_index: Sequence[int] | None = None,
    subset_by_value: Any = None,
    driver: str | None = None,
) -> Any:
    """Eigenvalues (ascending) and eigenvectors of a Hermitian matrix, or of the pencil
    ``a v = w b v`` with ``b`` positive definite (``scipy.linalg.eigh``, ``type=1``).

    Reads the triangle named by ``lower`` (of ``b`` too). ``subset_by_index=(lo, hi)``
    keeps eigenpairs ``lo`` to ``hi`` inclusive. Returns ``w`` with ``eigvals_only``, else
    ``(w, v)``. The gradient holds for distinct eigenvalues and losses that do not depend
    on the eigenvectors' signs or phases.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.linalg import eigh
    >>> eigh(agrad.asarray([[2.0, 0.0], [0.0, 1.0]]), eigvals_only=True).tolist()
    [1.0, 2.0]
    """
    if type != 1 or subset_by_value is not None:
        msg = (
            "`agrad.scipy.linalg.eigh` supports `type=1` and `subset_by_index`; got "
            f"type={type!r}, subset_by_value={subset_by_value!r}. Select eigenvalues by "
            "value from the result instead."
        )
        raise AgradValueError(msg)
    at = _from_triangle(default_float(as_tensor(a)), lower)
    factor = None
    if b is not None:
        # a v = w b v with b = l l^H: (l^-1 a l^-H) u = w u, v = l^-H u
        factor = cholesky(_from_triangle(default_float(as_tensor(b)), lower), lower=True)
        left = solve_triangular(factor, at, lower=True)
        at = _mH(solve_triangular(factor, _mH(left, agrad), lower=True), agrad)
    w, v = agrad.linalg.eigh(at)
    if factor is not None:
        v = solve_triangular(factor, v, trans="C", lower=True)
    if subset_by_index is not None:
        lo, hi = (int(i) for i in subset_by_index)
        w, v = w[..., lo : hi + 1], v[..., lo : hi + 1]
    return w if eigvals_only else (w, v)


def eigvalsh(a: ArrayLike, b: ArrayLike | None = None, *, lower: bool = True) -> Tensor:
    """The eigenvalues of a Hermitian matrix, ascending (``scipy.linalg.eigvalsh``).

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.linalg import eigvalsh
    >>> eigvalsh(agrad.asarray([[2.0, 0.0], [0.0, 1.0]])).tolist()
    [1.0, 2.0]
    """
    return eigh(a, b, lower=lower, eigvals_only=True)  # type: ignore[no-any-return]


def svd(
    a: ArrayLike,
    full_matrices: bool = True,
    compute_uv: bool = True,
    overwrite_a: bool = False,
    check_finite: bool = True,
    lapack_driver: str = "gesdd",
) -> Any:
    """The singular value decomposition ``(U, s, Vh)`` (``scipy.linalg.svd``); ``s`` alone
    with ``compute_uv=False``.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.linalg import svd
    >>> svd(agrad.asarray([[3.0, 0.0], [0.0, -2.0]]), compute_uv=False).round(12).tolist()
    [3.0, 2.0]
    """
    t = default_float(as_tensor(a))
    if not compute_uv:
        return agrad.linalg.svdvals(t)
    return tuple(agrad.linalg.svd(t, full_matrices=full_matrices))


def norm(
    a: ArrayLike,
    ord: Any = None,
    axis: Any = None,
    keepdims: bool = False,
    check_finite: bool = True,
) -> Tensor:
    """A vector or matrix norm (``scipy.linalg.norm``, NumPy's ``ord`` and ``axis``).

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.linalg import norm
    >>> float(norm(agrad.asarray([3.0, 4.0])))
    5.0
    """
    return np_linalg.norm(a, ord=ord, axis=axis, keepdims=keepdims)


def block_diag(*arrs: ArrayLike) -> Tensor:
    """The block-diagonal matrix of the given blocks (``scipy.linalg.block_diag``).

    A 1-d block is one row, a 0-d block a 1 x 1 matrix, as in SciPy.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.linalg import block_diag
    >>> block_diag(agrad.asarray([[1.0]]), agrad.asarray([2.0, 3.0])).tolist()
    [[1.0, 0.0, 0.0], [0.0, 2.0, 3.0]]
    """
    if not arrs:
        return agrad.zeros((1, 0))
    blocks = [t if t.ndim == 2 else agrad.reshape(t, (1, -1)) for t in as_tensors(list(arrs))]
    for t in blocks:
        if t.ndim != 2:
            msg = (
                "`agrad.scipy.linalg.block_diag` takes arrays of at most 2 dimensions; got "
                f"one of shape {tuple(t.shape)!r}."
            )
            raise AgradValueError(msg)
    dtype = agrad.result_type(*blocks)
    total = sum(t.shape[1] for t in blocks)
    rows = []
    before = 0
    for t in blocks:
        r, c = t.shape
        dev = t.device
        parts = [
            agrad.zeros((r, before), dtype=dtype, device=dev),
            agrad.astype(t, dtype),
            agrad.zeros((r, total - before - c), dtype=dtype, device=dev),
        ]
        rows.append(agrad.concat(parts, axis=1))
        before += c
    return agrad.concat(rows, axis=0)
