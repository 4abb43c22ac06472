"""NumPy's polynomial functions on coefficient tensors: ``polyfit``, ``polyadd``, ``roots``...

Coefficients run from the highest power down, as in NumPy. Everything is built from
differentiable calls, so the coefficients carry gradients: ``polyfit``'s are those of the
least-squares solution, ``roots``' those of the companion matrix's eigenvalues.
"""

from __future__ import annotations

from typing import Any

import numpy

from agrad._api import elementwise as _e
from agrad._api import manipulation as _m
from agrad._api.creation import asarray as _asarray
from agrad._api.creation import eye, ones_like, zeros
from agrad._api.data_type import astype
from agrad._api.data_type import result_type as _result_type
from agrad._arraylike import ArrayLike, as_tensor, as_tensors, default_float, flatten, refuse
from agrad._tensor import Tensor
from agrad.errors import AgradValueError
from agrad.numpy._misc import convolve
from agrad.numpy.linalg import eigvals, lstsq

__all__ = [
    "poly",
    "polyadd",
    "polyder",
    "polydiv",
    "polyfit",
    "polyint",
    "polymul",
    "polysub",
    "roots",
    "vander",
]


def _common(*tensors: Tensor) -> list[Tensor]:
    common = _result_type(*tensors)
    return [t if t.dtype is common else astype(t, common) for t in tensors]


def _one_d(name: str, p: ArrayLike) -> Tensor:
    t = as_tensor(p)
    if t.ndim > 1:
        msg = f"`numpy.{name}` in agrad.numpy takes 1-d coefficients, got shape {t.shape!r}."
        raise AgradValueError(msg)
    return flatten(t)


def vander(x: ArrayLike, N: int | None = None, increasing: bool = False) -> Tensor:
    """``numpy.vander``: the columns are powers of ``x`` (products, so 0 ** 0 is 1 with a
    finite gradient).

    Examples
    --------
    >>> import agrad.numpy as np
    >>> np.vander(np.array([2.0, 3.0]), 3).tolist()
    [[4.0, 2.0, 1.0], [9.0, 3.0, 1.0]]
    """
    t = _one_d("vander", x)
    n = t.shape[0] if N is None else int(N)
    if n == 0:
        return zeros((t.shape[0], 0), dtype=t.dtype, device=t.device)
    columns = [ones_like(t)]
    for _ in range(n - 1):
        columns.append(columns[-1] * t)
    if not increasing:
        columns.reverse()
    return _m.stack(columns, axis=1)


def polyfit(
    x: ArrayLike,
    y: ArrayLike,
    deg: int,
    rcond: Any = None,
    full: bool = False,
    w: ArrayLike | None = None,
    cov: Any = False,
) -> Any:
    """``numpy.polyfit``: the least-squares coefficients, differentiable in ``x``, ``y`` and
    ``w`` (``full`` and ``cov`` are not supported).

    Examples
    --------
    >>> import agrad.numpy as np
    >>> y = np.array([1.0, 3.0, 5.0, 7.0]).requires_grad_()
    >>> slope, intercept = np.polyfit(np.array([0.0, 1.0, 2.0, 3.0]), y, 1)
    >>> slope.backward()
    >>> [round(v, 12) for v in y.grad.tolist()]
    [-0.3, -0.1, 0.1, 0.3]
    """
    if full:
        refuse("numpy.polyfit", "full", full)
    if cov is not False:
        refuse("numpy.polyfit", "cov", cov)
    if int(deg) < 0:
        msg = f"`numpy.polyfit` needs `deg` >= 0, got {deg!r}."
        raise AgradValueError(msg)
    xt, yt = (default_float(t) for t in as_tensors([x, y]))
    xt = flatten(xt)
    lhs = vander(xt, int(deg) + 1)
    rhs = yt
    if w is not None:
        wt = default_float(as_tensor(w, device=xt.device))
        lhs = lhs * wt[:, None]
        rhs = rhs * (wt if rhs.ndim == 1 else wt[:, None])
    # NumPy scales the columns for conditioning; the scale cancels, so it is a constant
    scale_raw = numpy.sqrt(numpy.sum(numpy.abs(numpy.asarray(lhs.detach().tolist())) ** 2, axis=0))
    scale_raw[scale_raw == 0] = 1
    scale = _asarray(scale_raw, dtype=lhs.dtype, device=lhs.device)
    solution = lstsq(lhs / scale, rhs, rcond=rcond)[0]
    if solution.ndim == 2:
        result: Tensor = solution / scale[:, None]
    else:
        result = solution / scale
    return result


def _pad_front(t: Tensor, n: int) -> Tensor:
    if t.shape[0] >= n:
        return t
    return _m.concat([zeros(n - t.shape[0], dtype=t.dtype, device=t.device), t])


def polyadd(a1: ArrayLike, a2: ArrayLike) -> Tensor:
    """``numpy.polyadd`` of 1-d coefficient sequences."""
    p, q = _common(*(_one_d("polyadd", t) for t in as_tensors([a1, a2])))
    n = max(p.shape[0], q.shape[0])
    result: Tensor = _pad_front(p, n) + _pad_front(q, n)
    return result


def polysub(a1: ArrayLike, a2: ArrayLike) -> Tensor:
    """``numpy.polysub`` of 1-d coefficient sequences."""
    p, q = _common(*(_one_d("polysub", t) for t in as_tensors([a1, a2])))
    n = max(p.shape[0], q.shape[0])
    result: Tensor = _pad_front(p, n) - _pad_front(q, n)
    return result


def polymul(a1: ArrayLike, a2: ArrayLike) -> Tensor:
    """``numpy.polymul``: ``convolve`` of the coefficients."""
    return convolve(_one_d("polymul", a1), _one_d("polymul", a2))


def polyder(p: ArrayLike, m: int = 1) -> Tensor:
    """``numpy.polyder``: the ``m``-th derivative's coefficients."""
    t = _one_d("polyder", p)
    if int(m) < 0:
        msg = f"`numpy.polyder` needs an order `m` >= 0, got {m!r}."
        raise AgradValueError(msg)
    for _ in range(int(m)):
        n = t.shape[0] - 1
        if n <= 0:
            return zeros(1, dtype=t.dtype, device=t.device)
        powers = _asarray(numpy.arange(n, 0, -1), dtype=t.dtype, device=t.device)
        t = t[:-1] * powers
    return t


def polyint(p: ArrayLike, m: int = 1, k: Any = None) -> Tensor:
    """``numpy.polyint``: the ``m``-th antiderivative's coefficients, integration
    constants ``k`` (0 when None) last."""
    t = default_float(_one_d("polyint", p))
    m = int(m)
    if m < 0:
        msg = f"`numpy.polyint` needs an order `m` >= 0, got {m!r}."
        raise AgradValueError(msg)
    constants = [0.0] * m if k is None else k
    if not isinstance(constants, (list, tuple)) and numpy.ndim(constants) == 0:
        constants = [constants] * m
    if len(constants) < m:
        msg = f"`numpy.polyint` needs {m} integration constants in `k`, got {len(constants)}."
        raise AgradValueError(msg)
    for i in range(m):
        powers = _asarray(numpy.arange(t.shape[0], 0, -1), dtype=t.dtype, device=t.device)
        c = _m.reshape(as_tensor(constants[i], dtype=t.dtype, device=t.device), (1,))
        t = _m.concat([t / powers, c])
    return t


def polydiv(u: ArrayLike, v: ArrayLike) -> tuple[Tensor, Tensor]:
    """``numpy.polydiv``: quotient and remainder by long division, differentiable in both."""
    num, den = _common(*(default_float(_one_d("polydiv", t)) for t in as_tensors([u, v])))
    n, m = num.shape[0], den.shape[0]
    if m == 0 or float(_e.abs(den[0]).item()) == 0.0:
        msg = "`numpy.polydiv` needs a divisor whose leading coefficient is not zero."
        raise AgradValueError(msg)
    rem = [num[i] for i in range(n)]
    quotient = []
    for k in range(max(n - m + 1, 0)):
        d = rem[k] / den[0]
        quotient.append(d)
        for i in range(m):
            rem[k + i] = rem[k + i] - d * den[i]
    q = _m.stack(quotient) if quotient else zeros(1, dtype=num.dtype, device=num.device)
    r = rem[max(n - m + 1, 0) :] or [zeros((), dtype=num.dtype, device=num.device)]
    # NumPy drops the remainder's leading coefficients that are zero (to 1e-14)
    while len(r) > 1 and abs(complex(r[0].item())) <= 1e-14:
        r = r[1:]
    return q, _m.stack(r)


def poly(seq_of_zeros: ArrayLike) -> Tensor:
    """``numpy.poly``: the coefficients of the monic polynomial with these roots (of a
    square matrix: its characteristic polynomial)."""
    t = as_tensor(seq_of_zeros)
    if t.ndim == 2 and t.shape[0] == t.shape[1] and t.shape[0] > 0:
        t = eigvals(t)
    elif t.ndim != 1:
        msg = f"`numpy.poly` takes a 1-d sequence or a square matrix, got shape {t.shape!r}."
        raise AgradValueError(msg)
    t = default_float(t)
    coefficients = _asarray([1.0], dtype=t.dtype, device=t.device)
    for i in range(t.shape[0]):
        factor = _m.concat([_asarray([1.0], dtype=t.dtype, device=t.device), -t[i : i + 1]])
        coefficients = convolve(coefficients, factor)
    if t.dtype.kind == "c":
        values = numpy.asarray(t.detach().tolist())
        # roots in conjugate pairs give real coefficients, as NumPy returns them
        if numpy.array_equal(numpy.sort_complex(values), numpy.sort_complex(values.conj())):
            coefficients = _e.real(coefficients)
    return coefficients


def roots(p: ArrayLike) -> Tensor:
    """``numpy.roots``: the eigenvalues of the companion matrix (complex where NumPy's are)."""
    t = default_float(_one_d("roots", p))
    values = numpy.asarray(t.detach().tolist())
    nonzero = numpy.flatnonzero(values)
    if nonzero.size == 0:
        return zeros(0, dtype=t.dtype, device=t.device)
    trailing = values.shape[0] - nonzero[-1] - 1
    t = t[int(nonzero[0]) : int(nonzero[-1]) + 1]
    n = t.shape[0]
    found: Tensor
    if n > 1:
        first = _m.reshape(-t[1:] / t[0], (1, n - 1))
        below = eye(n - 2, n - 1, dtype=t.dtype, device=t.device)
        found = eigvals(_m.concat([first, below], axis=0))
    else:
        found = zeros(0, dtype=t.dtype, device=t.device)
    if trailing:
        found = _m.concat([found, zeros(trailing, dtype=found.dtype, device=found.device)])
    return found
