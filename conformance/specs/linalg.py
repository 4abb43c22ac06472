"""Specs of the ``linalg`` extension, on matrices that keep each function differentiable.

Eigenvectors, singular vectors and ``Q`` are defined only up to signs or phases, so their
specs return quantities that do not depend on that choice (``|V|**2``, ``U @ Vh``).
"""

from __future__ import annotations

import math
from typing import Any

import hypothesis.extra.numpy as hnp
from agrad.conformance import strategies
from agrad.conformance._spec import AWAY, REAL, Matrices, Spec, dims
from agrad.conformance.specs.linear_algebra import matmul_shapes, vecdot_shapes
from hypothesis import strategies as st

Shape = tuple[int, ...]

NORMAL = Matrices("normal")
INVERTIBLE = Matrices("invertible")
SPD = Matrices("spd")
NEGATIVE_DET = Matrices("negative_det")
_LOOSE = {"float32": (2e-3, 2e-4), "complex64": (2e-3, 2e-4)}
_LOOSER = {"float32": (1e-2, 1e-3), "complex64": (1e-2, 1e-3)}
_BATCH = st.lists(st.integers(1, 2), max_size=1).map(tuple)


@st.composite
def square(draw: Any, min_n: int = 1) -> tuple[Shape]:
    """One stack of square matrices."""
    n = draw(st.integers(min_n, 3))
    return ((*draw(_BATCH), n, n),)


@st.composite
def rectangular(draw: Any) -> tuple[Shape]:
    """One stack of matrices, tall, wide or square."""
    return ((*draw(_BATCH), draw(st.integers(1, 3)), draw(st.integers(1, 3))),)


def _sq(lib: Any, t: Any) -> Any:
    """``|t|**2``: unchanged by the sign or phase of an eigen- or singular vector."""
    if lib.__name__ == "torch":
        return (t * t.conj()).real if t.is_complex() else t * t
    if lib.isdtype(t.dtype, "complex floating"):
        return lib.real(t * lib.conj(t))
    return t * t


def _eigh(lib: Any, x: Any) -> Any:
    w, v = lib.linalg.eigh(x)
    return w, _sq(lib, v)


def _eig(lib: Any, x: Any) -> Any:
    # eig's order is not defined (LAPACK's may change with the precision): sums over the
    # eigenpairs, with eigenvectors as |v|**2
    w, v = lib.linalg.eig(x)
    return lib.sum(lib.exp(w), axis=-1), lib.sum(_sq(lib, v) * lib.sin(w)[..., None, :], axis=-1)


def _eigvals(lib: Any, x: Any) -> Any:
    w = lib.linalg.eigvals(x)
    return lib.sum(lib.exp(w), axis=-1), lib.sum(w * w * w, axis=-1)


def _qr(lib: Any, x: Any, mode: str = "reduced") -> Any:
    q, r = lib.linalg.qr(x, mode=mode)
    return _sq(lib, q), _sq(lib, r), q @ r


@st.composite
def _qr_case(draw: Any) -> strategies.Case:
    ((*batch, m, n),) = draw(rectangular())
    # the complete factorisation of a tall matrix has no derivative (Q's extra columns)
    mode = draw(st.sampled_from(["reduced", "complete"] if m <= n else ["reduced"]))
    return strategies.Case(((*batch, m, n),), {"mode": mode})


def _svd(lib: Any, x: Any, full_matrices: bool = False) -> Any:
    u, s, vh = lib.linalg.svd(x, full_matrices=full_matrices)
    k = min(x.shape[-2:])
    # full matrices' extra columns are arbitrary: only the first k are determined
    return _sq(lib, u[..., :k]), s, _sq(lib, vh[..., :k, :])


def _polar(lib: Any, x: Any) -> Any:
    u, _, vh = lib.linalg.svd(x, full_matrices=False)
    return u @ vh  # its gradient needs the term for the singular vectors' joint phase


@st.composite
def _solve_shapes(draw: Any) -> tuple[Shape, Shape]:
    n = draw(st.integers(1, 3))
    batches = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=2))
    ba, bb = batches.input_shapes
    if draw(st.booleans()):
        return (*ba, n, n), (n,)
    return (*ba, n, n), (*bb, n, draw(st.integers(1, 3)))


def _torch_solve(torch: Any, a: Any, b: Any) -> Any:
    # the standard reads a 1-D b as a vector and any other b as a stack of matrices; torch
    # reads b.ndim == a.ndim - 1 as a stack of vectors: give b a's number of dimensions
    vector = b.ndim == 1
    if vector:
        b = b.unsqueeze(-1)
    b = b.reshape((1,) * (a.ndim - b.ndim) + tuple(b.shape))
    x = torch.linalg.solve(a, b)
    return x.squeeze(-1) if vector else x


@st.composite
def _cross_case(draw: Any) -> strategies.Case:
    found = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=3))
    a, b = (list(s) for s in found.input_shapes)
    d = -draw(st.integers(1, min(len(a), len(b))))
    a[d] = b[d] = 3
    return strategies.Case((tuple(a), tuple(b)), {"axis": d})


def _torch_cross(torch: Any, a: Any, b: Any, axis: int = -1) -> Any:
    a, b = torch.broadcast_tensors(a, b)  # torch wants equal shapes
    return torch.linalg.cross(a, b, dim=axis)


def _offset(shapes: Any) -> Any:
    return st.fixed_dictionaries({"offset": st.integers(-3, 3)})


def _vector_norm_kwargs(shapes: Any) -> Any:
    ords = st.sampled_from([2, 1, math.inf, -math.inf, 3, 1.5, 0.5, -1, 0])
    return strategies.reductions(nonempty=True, ord=ords)(shapes)


def _torch_vector_norm(
    torch: Any, x: Any, axis: Any = None, keepdims: bool = False, ord: float = 2
) -> Any:
    return torch.linalg.vector_norm(x, ord=ord, dim=dims(axis, x.ndim), keepdim=keepdims)


def _matrix_norm_kwargs(shapes: Any) -> Any:
    ords = st.sampled_from(["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf])
    return st.fixed_dictionaries({"ord": ords, "keepdims": st.booleans()})


def _matrix_power_kwargs(shapes: Any) -> Any:
    return st.fixed_dictionaries({"n": st.integers(-2, 3)})


_MATRICES = strategies.shapes(min_dims=2, empty=False).map(lambda s: (s,))
_VECTORS = st.tuples(*(st.integers(0, 3).map(lambda k: (k,)) for _ in range(2)))

SPECS = [
    # -- inverse, solve, determinants ---------------------------------------------------------
    Spec("linalg.inv", inputs=(INVERTIBLE,), shapes=square(), tol=_LOOSE),
    Spec(
        "linalg.solve",
        torch=_torch_solve,
        inputs=(INVERTIBLE, REAL),
        shapes=_solve_shapes(),
        tol=_LOOSE,
    ),
    Spec("linalg.det", inputs=(INVERTIBLE,), shapes=square(), tol=_LOOSE),
    Spec(
        "linalg.slogdet",
        call=lambda xp, x: tuple(xp.linalg.slogdet(x)),
        torch=lambda torch, x: tuple(torch.linalg.slogdet(x)),
        inputs=(NEGATIVE_DET,),
        shapes=square(),
        tol=_LOOSE,
    ),
    # full rank and well conditioned (each diagonal entry at least n from zero)
    Spec("linalg.pinv", inputs=(INVERTIBLE,), shapes=rectangular(), tol=_LOOSER),
    # -- decompositions -----------------------------------------------------------------------
    Spec(
        "linalg.cholesky",
        inputs=(SPD,),
        shapes=square(),
        kwargs=lambda shapes: st.fixed_dictionaries({"upper": st.booleans()}),
        tol=_LOOSE,
    ),
    Spec("linalg.eigh", call=_eigh, torch=_eigh, inputs=(SPD,), shapes=square(), tol=_LOOSER),
    Spec("linalg.eigvalsh", inputs=(SPD,), shapes=square(), tol=_LOOSE),
    Spec("linalg.eig", call=_eig, torch=_eig, inputs=(NORMAL,), shapes=square(), tol=_LOOSER),
    Spec(
        "linalg.eigvals",
        call=_eigvals,
        torch=_eigvals,
        inputs=(NORMAL,),
        shapes=square(),
        tol=_LOOSER,
    ),
    # R's diagonal away from zero: its derivatives divide by it (float32's second order most)
    Spec("linalg.qr", call=_qr, torch=_qr, inputs=(INVERTIBLE,), shapes=_qr_case(), tol=_LOOSER),
    Spec(
        "linalg.svd",
        call=_svd,
        torch=_svd,
        inputs=(NORMAL,),
        shapes=rectangular(),
        kwargs=lambda shapes: st.fixed_dictionaries({"full_matrices": st.booleans()}),
        tol=_LOOSER,
    ),
    Spec(
        "linalg.svd",
        call=_polar,
        torch=_polar,
        inputs=(NORMAL,),
        shapes=rectangular(),
        tol=_LOOSER,
        label="linalg.svd (U @ Vh)",
    ),
    Spec("linalg.svdvals", inputs=(NORMAL,), shapes=rectangular(), tol=_LOOSE),
    # -- products -------------------------------------------------------------------------------
    Spec("linalg.cross", torch=_torch_cross, inputs=(REAL, REAL), shapes=_cross_case()),
    Spec("linalg.outer", torch="outer", inputs=(REAL, REAL), shapes=_VECTORS),
    Spec("linalg.matmul", torch="matmul", inputs=(REAL, REAL), shapes=matmul_shapes()),
    Spec(
        "linalg.matrix_transpose",
        torch=lambda torch, x: x.mT,
        shapes=strategies.shapes(min_dims=2).map(lambda s: (s,)),
    ),
    Spec(
        "linalg.tensordot",
        torch=lambda torch, a, b, axes=2: torch.tensordot(a, b, dims=axes),
        inputs=(REAL, REAL),
        shapes=st.tuples(strategies.shapes(max_dims=2), strategies.shapes(max_dims=2)),
        kwargs=lambda shapes: st.fixed_dictionaries(
            {
                "axes": st.sampled_from(
                    [
                        k
                        for k in range(min(len(shapes[0]), len(shapes[1])) + 1)
                        if shapes[0][len(shapes[0]) - k :] == shapes[1][:k]
                    ]
                )
            }
        ),
    ),
    Spec(
        "linalg.vecdot",
        torch=lambda torch, a, b, axis=-1: torch.linalg.vecdot(a, b, dim=axis),
        inputs=(REAL, REAL),
        shapes=vecdot_shapes(),
    ),
    Spec(
        "linalg.matrix_power",
        call=lambda xp, x, n: xp.linalg.matrix_power(x, n),
        torch=lambda torch, x, n: torch.linalg.matrix_power(x, n),
        inputs=(INVERTIBLE,),
        shapes=square(),
        kwargs=_matrix_power_kwargs,
        tol=_LOOSE,
    ),
    # -- diagonals and norms ------------------------------------------------------------------
    Spec(
        "linalg.diagonal",
        torch=lambda torch, x, offset=0: torch.diagonal(x, offset, dim1=-2, dim2=-1),
        shapes=strategies.shapes(min_dims=2).map(lambda s: (s,)),
        kwargs=_offset,
    ),
    Spec(
        "linalg.trace",
        torch=lambda torch, x, offset=0: torch.diagonal(x, offset, dim1=-2, dim2=-1).sum(-1),
        shapes=strategies.shapes(min_dims=2).map(lambda s: (s,)),
        kwargs=_offset,
    ),
    # magnitudes away from zero and apart (ord=inf picks the largest)
    Spec(
        "linalg.vector_norm",
        torch=_torch_vector_norm,
        inputs=(AWAY,),
        shapes=strategies.reducible(1),
        kwargs=_vector_norm_kwargs,
        distinct=True,
        tol=_LOOSE,
    ),
    Spec(
        "linalg.matrix_norm",
        inputs=(NORMAL,),
        shapes=_MATRICES,
        kwargs=_matrix_norm_kwargs,
        torch=lambda torch, x, ord="fro", keepdims=False: torch.linalg.matrix_norm(
            x, ord=ord, keepdim=keepdims
        ),
        tol=_LOOSER,
    ),
]
