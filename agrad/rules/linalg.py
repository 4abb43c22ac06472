"""Rules for the standard's ``linalg`` extension.

Matrices are the last two axes; everything before them is a batch. ``A^H`` is the conjugate
transpose. The decompositions' rules hold where the decomposition is differentiable:
distinct eigenvalues (``eigh``, ``eig``), distinct non-zero singular values (``svd``),
invertible or full-rank inputs (``inv``, ``solve``, ``det``, ``slogdet``, ``qr``), and, for
outputs defined only up to a sign or phase (eigenvectors, singular vectors, ``Q``), losses that
do not depend on that choice. Where they call ``xp.linalg``, under ``create_graph=True`` they
call :mod:`agrad.linalg`, so they are differentiable again.
"""

from __future__ import annotations

import math
from typing import Any

from agrad.errors import NotDifferentiableError
from agrad.extend import Rule, conj, device_of, nondiff
from agrad.rules.statistical import _axes, _expand_back


# -- helpers -----------------------------------------------------------------------------
def _mh(x: Any, xp: Any) -> Any:
    """The conjugate transpose ``x^H`` of a stack of matrices."""
    return xp.matrix_transpose(conj(x, xp))


def _is_complex(x: Any, xp: Any) -> bool:
    return bool(xp.isdtype(x.dtype, "complex floating"))


def _eye(n: int, like: Any, xp: Any) -> Any:
    return xp.eye(n, dtype=like.dtype, device=device_of(like))


def _diag_embed(d: Any, xp: Any) -> Any:
    """Stacked diagonal matrices with ``d`` (shape ``(..., k)``) on their diagonals."""
    return xp.expand_dims(d, axis=-1) * _eye(d.shape[-1], d, xp)


def _gap_inverse(values: Any, xp: Any) -> Any:
    """``F[i, j] = 1 / (values[j] - values[i])`` off the diagonal, 0 on it."""
    eye = _eye(values.shape[-1], values, xp)
    gaps = xp.expand_dims(values, axis=-2) - xp.expand_dims(values, axis=-1)
    return (1 - eye) / (gaps + eye)


def _expand_matrix(c: Any, xp: Any) -> Any:
    """A per-matrix scalar of shape ``(...)`` as ``(..., 1, 1)``, to scale matrices."""
    return xp.expand_dims(xp.expand_dims(c, axis=-1), axis=-1)


def _times_inverse_h(b: Any, r: Any, xp: Any) -> Any:
    """``b R^{-H}``, as ``(R^{-1} b^H)^H``."""
    return _mh(xp.linalg.solve(r, _mh(b, xp)), xp)


# -- inverse, solve, determinants --------------------------------------------------------
def _inv_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    # d(A^{-1}) = -A^{-1} dA A^{-1}
    out_h = _mh(out, xp)
    return -(out_h @ g @ out_h)


def _solve_vjp_x2(g: Any, out: Any, x1: Any, x2: Any, *, xp: Any) -> Any:
    # X = A^{-1} B: gB = A^{-H} G (a 1-d x2 is one column)
    a_h = _mh(x1, xp)
    if x2.ndim == 1:
        return xp.linalg.solve(a_h, xp.expand_dims(g, axis=-1))[..., 0]
    return xp.linalg.solve(a_h, g)


def _solve_vjp_x1(g: Any, out: Any, x1: Any, x2: Any, *, xp: Any) -> Any:
    # dX = -A^{-1} dA X: gA = -gB X^H
    g_b = _solve_vjp_x2(g, out, x1, x2, xp=xp)
    if x2.ndim == 1:
        return -(xp.expand_dims(g_b, axis=-1) * xp.expand_dims(conj(out, xp), axis=-2))
    return -(g_b @ _mh(out, xp))


def _det_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    # d det(A) = det(A) tr(A^{-1} dA)
    return _expand_matrix(g * conj(out, xp), xp) * _mh(xp.linalg.inv(x), xp)


def _slogdet_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    # d logabsdet = Re tr(A^{-1} dA); for complex A, d sign = i sign Im tr(A^{-1} dA)
    g_sign, g_logabsdet = g
    sign = out[0]
    scale = g_logabsdet
    if _is_complex(sign, xp):
        scale = scale + 1j * xp.imag(xp.conj(sign) * g_sign)
    return _expand_matrix(scale, xp) * _mh(xp.linalg.inv(x), xp)


def _pinv_vjp(g: Any, out: Any, x: Any, *, xp: Any, rtol: Any) -> Any:
    # At constant rank, with P = A^+:
    # dP = -P dA P + P P^H dA^H (I - A P) + (I - P A) dA^H P^H P
    p_h = _mh(out, xp)
    g_h = _mh(g, xp)
    first = -(p_h @ g @ p_h)
    second = (g_h - x @ (out @ g_h)) @ (out @ p_h)
    third = (p_h @ out) @ (g_h - (g_h @ out) @ x)
    return first + second + third


# -- decompositions ----------------------------------------------------------------------
def _cholesky_vjp(g: Any, out: Any, x: Any, *, xp: Any, upper: bool) -> Any:
    # A = L L^H gives L^{-1} dA L^{-H} = X + X^H with X = L^{-1} dL lower triangular, so
    # dL = L Phi(L^{-1} dA L^{-H}), Phi the lower triangle with half the diagonal. Over
    # Hermitian dA the adjoint is L^{-H} P L^{-1}, with P any matrix whose Hermitian part is
    # that of Phi(L^H gL): as torch, P = (tril(M) + tril(M, -1)^H) / 2 with M = L^H gL.
    low, g_low = (_mh(out, xp), _mh(g, xp)) if upper else (out, g)
    low_h = _mh(low, xp)
    m = low_h @ g_low
    p = (xp.tril(m) + _mh(xp.tril(m, k=-1), xp)) / 2
    left = xp.linalg.solve(low_h, p)  # L^{-H} P
    return _mh(xp.linalg.solve(low_h, _mh(left, xp)), xp)  # L^{-H} P L^{-1}


def _eigh_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    # A = V diag(w) V^H: dw = diag(V^H dA V), dV = V (F o V^H dA V), F_ij = 1/(w_j - w_i);
    # the adjoint is taken over Hermitian dA, so the result is Hermitian (as torch's)
    g_w, g_v = g
    w, v = out
    v_h = _mh(v, xp)
    j = v_h @ g_v
    inner = _gap_inverse(w, xp) * ((j - _mh(j, xp)) / 2) + _diag_embed(g_w, xp)
    return v @ inner @ v_h


def _eigvalsh_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    # dw = diag(V^H dA V); the eigenvectors are computed again
    _, v = xp.linalg.eigh(x)
    return (v * xp.expand_dims(g, axis=-2)) @ _mh(v, xp)


def _eig_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    # A = V diag(w) V^{-1}: dw = diag(V^{-1} dA V), dV = V (F o V^{-1} dA V) + V diag(c), with
    # F_ij = 1/(w_j - w_i) and c keeping the eigenvectors' unit norms (Re v_i^H dv_i = 0)
    g_w, g_v = g
    w, v = out
    v_h = _mh(v, xp)
    inner = v_h @ g_v
    inner = inner - (v_h @ v) * xp.expand_dims(xp.real(xp.linalg.diagonal(inner)), axis=-2)
    inner = _gap_inverse(xp.conj(w), xp) * inner + _diag_embed(g_w, xp)
    return xp.linalg.solve(v_h, inner @ v_h)


def _eigvals_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    # dw = diag(V^{-1} dA V); the eigenvectors are computed again
    _, v = xp.linalg.eig(x)
    v_h = _mh(v, xp)
    return xp.linalg.solve(v_h, xp.expand_dims(g, axis=-1) * v_h)


def _qr_vjp(g: Any, out: Any, x: Any, *, xp: Any, mode: str) -> Any:
    g_q, g_r = g
    q, r = out
    m, k, n = q.shape[-2], q.shape[-1], r.shape[-1]
    if k > n:
        msg = (
            f"`linalg.qr` with `mode='complete'` is not differentiable for a {m}x{n} input with "
            "more rows than columns: the last columns of Q are not determined by the input. "
            "Use `mode='reduced'`."
        )
        raise NotDifferentiableError(msg)
    if k == n:
        return _qr_square_vjp(q, r, g_q, g_r, xp)
    # A = [X | Y] with X = Q U square and Y = Q W: dW = Q^H (dY - dQ W)
    u, w = r[..., :, :m], r[..., :, m:]
    g_u, g_w = g_r[..., :, :m], g_r[..., :, m:]
    g_x = _qr_square_vjp(q, u, g_q - q @ (g_w @ _mh(w, xp)), g_u, xp)
    return xp.concat([g_x, q @ g_w], axis=-1)


def _qr_square_vjp(q: Any, r: Any, g_q: Any, g_r: Any, xp: Any) -> Any:
    # A = Q R with R square and its diagonal real: with X = Q^H dA R^{-1}, dR = (X - C) R and
    # dQ = dA R^{-1} - Q (X - C), where C = Q^H dQ is skew-Hermitian and the strict lower
    # triangle of X off the diagonal and i Im X on it (R's diagonal stays real). The adjoint
    # is (gQ + Q H) R^{-H}, H the Hermitian matrix with the strict upper triangle of
    # M = gR R^H - Q^H gQ and the real part of its diagonal.
    m = g_r @ _mh(r, xp) - _mh(q, xp) @ g_q
    upper = xp.triu(m, k=1)
    diagonal = xp.linalg.diagonal(m)
    if _is_complex(m, xp):
        diagonal = xp.real(diagonal)
    h = upper + _mh(upper, xp) + _diag_embed(diagonal, xp)
    return _times_inverse_h(g_q + q @ h, r, xp)


def _svd_vjp(g: Any, out: Any, x: Any, *, xp: Any, full_matrices: bool) -> Any:
    g_u, g_s, g_vh = g
    u, s, vh = out
    k = s.shape[-1]
    if full_matrices:  # only the first k columns of U and rows of Vh depend on A
        u, g_u = u[..., :, :k], g_u[..., :, :k]
        vh, g_vh = vh[..., :k, :], g_vh[..., :k, :]
    # A = U S V^H, P = U^H dA V: ds = Re diag(P), U^H dU = F o (P S + S P^H) + i Im diag(P)/s
    # and V^H dV = F o (S P + P^H S), F_ij = 1/(s_j^2 - s_i^2); then the parts of dU, dV
    # outside the spans of U, V: (I - U U^H) dA V S^{-1} and (I - V V^H) dA^H U S^{-1}.
    f = _gap_inverse(s * s, xp)
    j_u = _mh(u, xp) @ g_u
    j_v = vh @ _mh(g_vh, xp)  # V^H gV
    row = xp.expand_dims(s, axis=-2)
    col = xp.expand_dims(s, axis=-1)
    inner = f * (j_u - _mh(j_u, xp)) * row + col * (f * (j_v - _mh(j_v, xp)))
    inner = inner + _diag_embed(g_s, xp)
    if _is_complex(u, xp):
        inner = inner + _diag_embed(1j * xp.imag(xp.linalg.diagonal(j_u)) / s, xp)
    g_x = u @ inner @ vh
    m, n = u.shape[-2], vh.shape[-1]
    if m > k:
        g_x = g_x + ((g_u - u @ j_u) / row) @ vh
    if n > k:
        g_x = g_x + (u / row) @ (g_vh - _mh(j_v, xp) @ vh)
    return g_x


def _svdvals_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    # ds = Re diag(U^H dA V); the singular vectors are computed again
    u, _, vh = xp.linalg.svd(x, full_matrices=False)
    return (u * xp.expand_dims(g, axis=-2)) @ vh


# -- products and norms --------------------------------------------------------------------
def _cross_vjp_x1(g: Any, out: Any, x1: Any, x2: Any, *, xp: Any, axis: int) -> Any:
    # g . (dx1 x x2) = dx1 . (x2 x g)
    return xp.linalg.cross(conj(x2, xp), g, axis=axis)


def _cross_vjp_x2(g: Any, out: Any, x1: Any, x2: Any, *, xp: Any, axis: int) -> Any:
    # g . (x1 x dx2) = dx2 . (g x x1)
    return xp.linalg.cross(g, conj(x1, xp), axis=axis)


def _diagonal_vjp(g: Any, out: Any, x: Any, *, xp: Any, offset: int) -> Any:
    # g along the offset diagonal of a zero matrix: pad g to a full column (offset >= 0: the
    # diagonal starts in row 0) or row (offset < 0: in column 0), then mask with eye(k=offset)
    rows, cols = x.shape[-2], x.shape[-1]
    axis, length = (-1, rows) if offset >= 0 else (-2, cols)
    missing = length - g.shape[-1]
    if missing:
        pad = xp.zeros((*g.shape[:-1], missing), dtype=g.dtype, device=device_of(g))
        g = xp.concat([g, pad], axis=-1)
    mask = xp.eye(rows, cols, k=offset, dtype=g.dtype, device=device_of(g))
    return xp.expand_dims(g, axis=axis) * mask


def _vector_norm_vjp(
    g: Any, out: Any, x: Any, *, xp: Any, axis: Any, keepdims: bool, ord: float
) -> Any:
    # |x_i| has derivative sgn(x_i) (x_i / |x_i| for complex x, 0 at 0), so for the p-norm n:
    # dn/dx_i = sgn(x_i) |x_i|^(p-1) / n^(p-1); 0 where n = 0, as torch
    g = _expand_back(g, x, axis, keepdims, xp)
    norm = _expand_back(out, x, axis, keepdims, xp)
    if ord == 0:  # counts non-zeros
        return xp.zeros_like(x)
    if ord == 1:
        return xp.sign(x) * g
    if ord in (math.inf, -math.inf):  # ties share the gradient evenly, as torch's
        magnitude = xp.abs(x)
        hit = xp.astype(magnitude == norm, magnitude.dtype)
        count = xp.sum(hit, axis=_axes(axis, x.ndim), keepdims=True)
        return xp.sign(x) * (g * hit / count)
    zero_norm = norm == 0
    safe_norm = xp.where(zero_norm, xp.ones_like(norm), norm)
    if ord == 2:
        return xp.where(zero_norm, xp.zeros_like(g), g / safe_norm) * x
    scale = xp.where(zero_norm, xp.zeros_like(g), g / safe_norm ** (ord - 1))
    magnitude = xp.abs(x)
    zero = magnitude == 0
    powered = xp.where(zero, xp.zeros_like(magnitude), xp.where(zero, 1, magnitude) ** (ord - 1))
    return xp.sign(x) * powered * scale


RULES = [
    Rule("linalg.inv", _inv_vjp, save="out"),
    Rule("linalg.solve", _solve_vjp_x1, _solve_vjp_x2),
    Rule("linalg.det", _det_vjp),
    Rule("linalg.slogdet", _slogdet_vjp),
    Rule("linalg.pinv", _pinv_vjp),
    Rule("linalg.cholesky", _cholesky_vjp, save="out"),
    Rule("linalg.eigh", _eigh_vjp, save="out"),
    Rule("linalg.eigvalsh", _eigvalsh_vjp, save="inputs"),
    Rule("linalg.eig", _eig_vjp, save="out"),
    Rule("linalg.eigvals", _eigvals_vjp, save="inputs"),
    Rule("linalg.qr", _qr_vjp, save="out"),
    Rule("linalg.svd", _svd_vjp, save="out"),
    Rule("linalg.svdvals", _svdvals_vjp, save="inputs"),
    Rule("linalg.cross", _cross_vjp_x1, _cross_vjp_x2, save="inputs"),
    Rule("linalg.diagonal", _diagonal_vjp, save="meta"),
    Rule("linalg.vector_norm", _vector_norm_vjp),
    # built from differentiable agrad calls (agrad.linalg), which record themselves
    Rule("linalg.matrix_norm", composite=True),
    Rule("linalg.matrix_power", composite=True),
    Rule("linalg.outer", composite=True),
    Rule("linalg.trace", composite=True),
    # the main namespace's functions, re-exported: their own rules record them
    Rule("linalg.matmul", composite=True),
    Rule("linalg.matrix_transpose", composite=True),
    Rule("linalg.tensordot", composite=True),
    Rule("linalg.vecdot", composite=True),
    *nondiff("linalg.matrix_rank"),
]
