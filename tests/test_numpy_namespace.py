"""Every public NumPy name, classified: what ``import agrad.numpy as np`` gives for it.

The walk covers ``dir(numpy)``, ``numpy.linalg``, ``numpy.fft`` and ``numpy.random``. Each
public name is in exactly one class:

- **differentiable**: agrad.numpy's own function, checked here (or in
  ``test_agrad_numpy.py``'s cases) against NumPy's values and finite differences of NumPy's
  own function;
- **no gradient**: agrad.numpy's own function or object without a gradient by nature
  (comparisons, creation, dtypes, constants), whose value on a sample matches NumPy's;
- **passes through** (``agrad.numpy._names``): NumPy's object itself, or NumPy's function
  on the values of tensors, matching NumPy on a sample;
- **refused**: reading the name raises ``NumpyNameError`` (an ``AttributeError``) naming it.

A NumPy name in no class fails ``test_every_numpy_name_is_classified``: a NumPy upgrade that
adds names shows up here.
"""

from __future__ import annotations

import ast
import importlib.util
import io
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import agrad
import agrad.numpy as anp
from agrad.errors import AgradError
from agrad.numpy import _names

HERE = Path(__file__).resolve().parent
MODULES = {"": (np, anp), "linalg.": (np.linalg, anp.linalg), "fft.": (np.fft, anp.fft)}
MODULES["random."] = (np.random, anp.random)


def _load_cases() -> Any:
    # the gradient harness of test_agrad_numpy.py (pytest imports test files by path)
    spec = importlib.util.spec_from_file_location(
        "_agrad_numpy_cases", HERE / "test_agrad_numpy.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


CASES = _load_cases()
RNG = np.random.default_rng(21)


def normal(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape)


def within(lo: float, hi: float, *shape: int) -> np.ndarray:
    return RNG.uniform(lo, hi, shape)


A = normal(3, 4)
SQ = normal(3, 3) + 3 * np.eye(3)
NAN = np.array([[1.0, np.nan, 3.0], [-2.0, 0.5, np.nan]])

# -- differentiable: (name, fn(m, *arrays), *arrays) ---------------------------------------
UNARY = {
    "absolute": (-2, 2), "acos": (-0.9, 0.9), "acosh": (1.2, 3), "arccos": (-0.9, 0.9),
    "arccosh": (1.2, 3), "arcsin": (-0.9, 0.9), "arctan": (-2, 2), "arctanh": (-0.9, 0.9),
    "asin": (-0.9, 0.9), "asinh": (-2, 2), "atan": (-2, 2), "atanh": (-0.9, 0.9),
    "conj": (-2, 2), "conjugate": (-2, 2), "cos": (-2, 2), "cosh": (-2, 2),
    "degrees": (-2, 2), "exp": (-2, 2), "expm1": (-2, 2), "fabs": (-2, 2), "log": (0.5, 3),
    "log10": (0.5, 3), "log1p": (0.5, 3), "log2": (0.5, 3), "negative": (-2, 2),
    "positive": (-2, 2), "rad2deg": (-2, 2), "radians": (-2, 2), "reciprocal": (0.5, 3),
    "sinh": (-2, 2), "square": (-2, 2), "tan": (-1.2, 1.2), "tanh": (-2, 2),
    "real": (-2, 2), "imag": (-2, 2), "i0": (-2, 2), "real_if_close": (-2, 2),
}  # fmt: skip
BINARY = ["atan2", "fmin", "minimum", "mod", "pow", "true_divide", "nextafter"]
POSITIVE_BASE = {"pow"}


def _call(name: str, *args: Any) -> Callable[..., Any]:
    """``m.name(*arrays, *args)``: one function per name (a lambda in a loop would share it)."""

    def fn(m: Any, *arrays: Any) -> Any:
        return getattr(m, name)(*arrays, *args)

    return fn


def _binary(name: str) -> Callable[..., Any]:
    if name in POSITIVE_BASE:
        return lambda m, a, b: getattr(m, name)(m.abs(a) + 0.5, b)
    if name in ("mod", "true_divide"):
        return lambda m, a, b: getattr(m, name)(a, b + 3.0)
    return lambda m, a, b: getattr(m, name)(a, b)


def _unwrap_input() -> np.ndarray:
    return np.cumsum(within(0.5, 2.5, 8)) % (2 * np.pi)


GRADIENT = [
    *[(n, _call(n), within(*UNARY[n], 3, 2)) for n in UNARY],
    *[(n, _binary(n), normal(3, 2), normal(2)) for n in BINARY],
    ("amax", lambda m, a: m.amax(a, axis=0), A),
    ("min", lambda m, a: m.min(a, axis=1), A),
    ("nanmin", lambda m, a: m.nanmin(a, axis=1), NAN),
    ("nanprod", lambda m, a: m.nanprod(a, axis=0), NAN),
    ("nanvar", lambda m, a: m.nanvar(a, axis=1, ddof=1), NAN),
    ("nancumsum", lambda m, a: m.nancumsum(a, axis=1), NAN),
    ("nancumprod", lambda m, a: m.nancumprod(a), NAN),
    ("nanmedian", lambda m, a: m.nanmedian(a, axis=1), NAN),
    ("nanquantile", lambda m, a: m.nanquantile(a, [0.2, 0.7], axis=0), NAN),
    ("nanpercentile", lambda m, a: m.nanpercentile(a, 40), NAN),
    ("cumulative_prod", lambda m, a: m.cumulative_prod(a, axis=1), A),
    ("asanyarray", lambda m, a: m.asanyarray(a) * 2, A),
    ("asarray", lambda m, a: m.asarray(a) * 2, A),
    ("asarray_chkfinite", lambda m, a: m.asarray_chkfinite(a) * 2, A),
    ("ascontiguousarray", lambda m, a: m.ascontiguousarray(a) * 2, A),
    ("asfortranarray", lambda m, a: m.asfortranarray(a) * 2, A),
    ("require", lambda m, a: m.require(a) * 2, A),
    ("astype", lambda m, a: m.astype(a, m.float64) * 2, A),
    ("atleast_1d", lambda m, a: m.atleast_1d(a[0, 0]), A),
    ("atleast_2d", lambda m, a: m.atleast_2d(a[0]), A),
    ("broadcast_arrays", lambda m, a, b: m.broadcast_arrays(a, b)[1], A, normal(4)),
    ("broadcast_to", lambda m, a: m.broadcast_to(a[0], (2, 4)), A),
    ("concat", lambda m, a, b: m.concat([a, b]), A, normal(1, 4)),
    ("dstack", lambda m, a, b: m.dstack([a, b]), A, normal(3, 4)),
    ("dsplit", lambda m, a: m.dsplit(m.reshape(a, (1, 3, 4)), 2)[1], A),
    ("hsplit", lambda m, a: m.hsplit(a, 2)[0], A),
    ("vsplit", lambda m, a: m.vsplit(a, 3)[2], A),
    ("unstack", lambda m, a: m.unstack(a)[1], A),
    ("row_stack", lambda m, a, b: m.vstack([a, b]), A, normal(4)),
    ("diagflat", lambda m, a: m.diagflat(a, 1), normal(3)),
    ("fliplr", lambda m, a: m.fliplr(a), A),
    ("flipud", lambda m, a: m.flipud(a), A),
    ("matrix_transpose", lambda m, a: m.matrix_transpose(a), A),
    ("permute_dims", lambda m, a: m.permute_dims(a, (1, 0)), A),
    ("moveaxis", lambda m, a: m.moveaxis(m.reshape(a, (3, 2, 2)), 0, -1), A),
    ("rollaxis", lambda m, a: m.rollaxis(m.reshape(a, (3, 2, 2)), 2), A),
    ("ravel", lambda m, a: m.ravel(a, order="F"), A),
    ("triu", lambda m, a: m.triu(a, 1), A),
    ("resize", lambda m, a: m.resize(a, (5, 3)), A),
    ("trim_zeros", lambda m, a: m.trim_zeros(m.concatenate([[0.0], a, [0.0, 0.0]])), normal(4)),
    ("partition", lambda m, a: m.sort(m.partition(a, 2, axis=1), axis=1), A),
    ("choose", lambda m, a, b: m.choose([[0, 1, 1, 0]], [a, b]), A, normal(4)),
    ("compress", lambda m, a: m.compress([True, False, True], a, axis=0), A),
    ("sort_complex", lambda m, a: m.sort_complex(a), normal(5)),
    ("unwrap", lambda m, a: m.unwrap(a), _unwrap_input()),
    ("frexp", lambda m, a: m.frexp(a)[0], A),
    ("vander", lambda m, a: m.vander(a, 4), normal(3)),
    ("polyfit", lambda m, x, y: m.polyfit(x, y, 2), normal(6), normal(6)),
    ("polyadd", lambda m, a, b: m.polyadd(a, b), normal(3), normal(2)),
    ("polysub", lambda m, a, b: m.polysub(a, b), normal(2), normal(4)),
    ("polymul", lambda m, a, b: m.polymul(a, b), normal(3), normal(2)),
    ("polyder", lambda m, a: m.polyder(a, 2), normal(5)),
    ("polyint", lambda m, a: m.polyint(a, 2, [1.0, 2.0]), normal(3)),
    ("polydiv", lambda m, a, b: m.polydiv(a, b), normal(5), normal(2) + np.array([3.0, 0.0])),
    ("poly", lambda m, a: m.poly(a), normal(3)),
    ("roots", lambda m, a: m.sort(m.real(m.roots(m.poly(a)))), np.array([1.0, 2.5, -1.5])),
    ("r_", lambda m, a, b: m.r_[a, 0.5, b], normal(3), normal(2)),
    ("c_", lambda m, a, b: m.c_[a, b], normal(3), normal(3)),
    (
        "fromfunction",
        lambda m, a: m.fromfunction(lambda i, j: i * a[0, 0] + j * a[1, 1], (2, 3)),
        A,
    ),
    ("apply_over_axes", lambda m, a: m.apply_over_axes(m.sum, a, [0, 1]), A),
    ("vectorize", lambda m, a: m.vectorize(lambda v: v * v if v > 0 else -v)(a), A),
    ("ndenumerate", lambda m, a: m.stack([v * i[1] for i, v in m.ndenumerate(a)]), A),
    ("linalg.cross", lambda m, a, b: m.linalg.cross(a, b), normal(2, 3), normal(3)),
    ("linalg.diagonal", lambda m, a: m.linalg.diagonal(a, offset=1), A),
    ("linalg.eigvals", lambda m, a: m.sort(m.real(m.linalg.eigvals(m.triu(a)))), SQ),
    ("linalg.eig", lambda m, a: m.sort(m.real(m.linalg.eig(m.triu(a))[0])), SQ),
    ("linalg.matmul", lambda m, a, b: m.linalg.matmul(a, b), A, normal(4, 2)),
    ("linalg.matrix_norm", lambda m, a: m.linalg.matrix_norm(a), A),
    ("linalg.matrix_transpose", lambda m, a: m.linalg.matrix_transpose(a), A),
    ("linalg.outer", lambda m, a, b: m.linalg.outer(a, b), normal(3), normal(2)),
    ("linalg.svdvals", lambda m, a: m.linalg.svdvals(a), A),
    ("linalg.tensordot", lambda m, a, b: m.linalg.tensordot(a, b, axes=1), A, normal(4)),
    ("linalg.tensorinv", lambda m, a: m.linalg.tensorinv(m.reshape(a, (3, 3, 1)), 1), SQ),
    ("linalg.tensorsolve", lambda m, a, b: m.linalg.tensorsolve(a, b), SQ, normal(3)),
    ("linalg.trace", lambda m, a: m.linalg.trace(a, offset=1), A),
    ("linalg.vecdot", lambda m, a, b: m.linalg.vecdot(a, b), A, normal(4)),
    ("linalg.vector_norm", lambda m, a: m.linalg.vector_norm(a, ord=3), A),
    ("fft.fft2", lambda m, a: m.fft.fft2(a), A),
    ("fft.fftn", lambda m, a: m.fft.fftn(a, s=(4, 4), axes=(0, 1)), A),
    ("fft.ifft", lambda m, a: m.fft.ifft(a, n=6), A),
    ("fft.ifftn", lambda m, a: m.fft.ifftn(a), A),
    ("fft.ifftshift", lambda m, a: m.fft.ifftshift(a), A),
    ("fft.ihfft", lambda m, a: m.fft.ihfft(a), A),
    ("fft.irfft2", lambda m, a: m.fft.irfft2(m.fft.rfft2(a)), A),
    ("fft.irfftn", lambda m, a: m.fft.irfftn(m.fft.rfftn(a) * 2), A),
    ("fft.rfft2", lambda m, a: m.fft.rfft2(a), A),
]

COLUMNS = np.array([[1], [0], [3]])

#: the in-place writers: (name, write(m, target, *arrays), *arrays), the target a copy of A
IN_PLACE = [
    ("fill_diagonal", lambda m, t, v: m.fill_diagonal(t, v), normal(2)),
    ("copyto", lambda m, t, v: m.copyto(t, v, where=A > 0), normal(4)),
    ("putmask", lambda m, t, v: m.putmask(t, A > 0, v), normal(3)),
    ("place", lambda m, t, v: m.place(t, A > 0, v), normal(3)),
    ("put", lambda m, t, v: m.put(t, [0, 5, -1], v), normal(3)),
    (
        "put_along_axis",
        lambda m, t, v: m.put_along_axis(t, np.array([[1], [0], [3]]), v, 1),
        normal(3, 1),
    ),
]


def _writer(write: Callable[..., Any]) -> Callable[..., Any]:
    def fn(m: Any, a: Any, v: Any) -> Any:
        target = a * 1.0  # a copy in the graph: the write is recorded on it
        write(m, target, v)
        return target

    return fn


# -- no gradient: (name, sample(m)) whose value must equal NumPy's -------------------------
INTS = np.array([[3, 5], [12, -7]])


def _sample(name: str, *args: Any) -> Callable[..., Any]:
    def fn(m: Any) -> Any:
        return getattr(m, name)(*args)

    return fn


F = np.array([0.5, -1.5, np.nan, np.inf, -0.0])
NO_GRADIENT: list[tuple[str, Callable[..., Any]]] = [
    *[
        (n, _sample(n, INTS, 2))
        for n in [
            "bitwise_and",
            "bitwise_or",
            "bitwise_xor",
            "bitwise_left_shift",
            "bitwise_right_shift",
            "left_shift",
            "right_shift",
            "floor_divide",
        ]
    ],
    *[
        (n, _sample(n, INTS))
        for n in [
            "bitwise_invert",
            "bitwise_not",
            "invert",
        ]
    ],
    *[
        (n, _sample(n, A, A[0]))
        for n in [
            "equal",
            "not_equal",
            "greater",
            "greater_equal",
            "less",
            "less_equal",
            "isclose",
        ]
    ],
    *[
        (n, _sample(n, A > 0, A < 0.5))
        for n in [
            "logical_and",
            "logical_or",
            "logical_xor",
        ]
    ],
    *[
        (n, _sample(n, F))
        for n in [
            "isfinite",
            "isinf",
            "isnan",
            "isneginf",
            "isposinf",
            "signbit",
            "sign",
            "ceil",
            "floor",
            "rint",
            "trunc",
            "fix",
            "around",
            "logical_not",
            "iscomplex",
            "isreal",
        ]
    ],
    *[
        (n, _sample(n, A + 0j))
        for n in [
            "iscomplexobj",
            "isrealobj",
            "isscalar",
            "ndim",
            "shape",
            "size",
        ]
    ],
    ("all", lambda m: m.all(A > -5, axis=0)),
    ("any", lambda m: m.any(A > 1, axis=1)),
    ("allclose", lambda m: m.allclose(A, A + 1e-12)),
    ("array_equal", lambda m: m.array_equal(A, A)),
    ("array_equiv", lambda m: m.array_equiv(A[:1], A)),
    ("argmin", lambda m: m.argmin(A, axis=0)),
    ("argwhere", lambda m: m.argwhere(A > 0)),
    ("argpartition", lambda m: m.take_along_axis(A, m.argpartition(A, 1), -1)[:, 1]),
    ("flatnonzero", lambda m: m.flatnonzero(A > 0)),
    ("nanargmax", lambda m: m.nanargmax(NAN, axis=1)),
    ("nanargmin", lambda m: m.nanargmin(NAN, axis=0)),
    ("ravel_multi_index", lambda m: m.ravel_multi_index(([0, 2], [1, 3]), (3, 4))),
    ("result_type", lambda m: np.dtype(m.result_type(np.float32, 1.0))),
    ("diag_indices", lambda m: m.diag_indices(3)),
    ("diag_indices_from", lambda m: m.diag_indices_from(SQ)),
    ("tril_indices_from", lambda m: m.tril_indices_from(A, -1)),
    ("triu_indices", lambda m: m.triu_indices(3, 1, 4)),
    ("triu_indices_from", lambda m: m.triu_indices_from(A)),
    ("ogrid", lambda m: m.ogrid[0:2, 0:3][1]),
    ("identity", lambda m: m.identity(3)),
    ("ones", lambda m: m.ones((2, 3), dtype=m.int32)),
    ("zeros", lambda m: m.zeros(3)),
    ("full", lambda m: m.full((2, 2), 7.0)),
    ("empty", lambda m: m.empty((2, 3)).shape),
    ("empty_like", lambda m: m.empty_like(A).shape),
    ("finfo", lambda m: m.finfo(m.float32).eps),
    ("iinfo", lambda m: m.iinfo(m.int16).max),
    ("e", lambda m: m.e),
    ("pi", lambda m: m.pi),
    ("inf", lambda m: m.inf),
    ("nan", lambda m: m.nan),
    ("euler_gamma", lambda m: m.euler_gamma),
    ("newaxis", lambda m: m.newaxis),
    ("errstate", lambda m: m.errstate(divide="ignore").__class__.__name__),
    ("isdtype", lambda m: (m.isdtype(m.float32, "real floating"), m.isdtype(m.int8, m.int8))),
    ("from_dlpack", lambda m: m.from_dlpack(np.arange(3.0))),
    ("fft.fftfreq", lambda m: m.fft.fftfreq(5, 0.1)),
    ("fft.rfftfreq", lambda m: m.fft.rfftfreq(6)),
    ("linalg.LinAlgError", lambda m: m.linalg.LinAlgError.__name__),
]

#: dtypes: agrad's dtype objects, naming NumPy's dtypes of the same name
DTYPES = [
    "bool", "bool_", "byte", "short", "intc", "int_", "intp", "long", "longlong", "int8",
    "int16", "int32", "int64", "ubyte", "ushort", "uintc", "uint", "uintp", "ulong",
    "ulonglong", "uint8", "uint16", "uint32", "uint64", "single", "double", "float32",
    "float64", "csingle", "cdouble", "complex64", "complex128",
]  # fmt: skip

#: agrad.numpy's own names checked by their own tests below
OWN_ELSEWHERE = {"ndarray", "ufunc", "linalg", "fft", "random"}

# -- passes through: NumPy's function on values, with a sample call ---------------------------
B = np.array([3.0, 1.0, 2.0, 1.0, 5.0])
PASS_SAMPLES: dict[str, Callable[..., Any]] = {
    "save": lambda m: _saved(m, m.save),
    "savez": lambda m: _saved(m, m.savez),
    "savez_compressed": lambda m: _saved(m, m.savez_compressed),
    "savetxt": lambda m: _saved_text(m, m.savetxt),
    "array2string": lambda m: m.array2string(m.asarray(B)),
    "array_repr": lambda m: m.array_repr(m.asarray(B)),
    "array_str": lambda m: m.array_str(m.asarray(B)),
    "isfortran": lambda m: m.isfortran(m.asarray(A)),
    "may_share_memory": lambda m: m.may_share_memory(m.asarray(A), m.asarray(B)),
    "shares_memory": lambda m: m.shares_memory(m.asarray(A), m.asarray(B)),
    "lexsort": lambda m: m.lexsort((m.asarray(B), m.asarray(-B))),
    "gcd": lambda m: m.gcd(m.asarray(INTS), 4),
    "lcm": lambda m: m.lcm(m.asarray(INTS), 4),
    "bitwise_count": lambda m: m.bitwise_count(m.asarray(INTS)),
    "packbits": lambda m: m.packbits(m.asarray(INTS) > 4),
    "unpackbits": lambda m: m.unpackbits(m.asarray(np.array([5, 7], dtype=np.uint8))),
    "spacing": lambda m: m.spacing(m.asarray(B)),
    "isnat": lambda m: m.isnat(np.array(["2020-01-01", "NaT"], dtype="datetime64[D]")),
    "busday_count": lambda m: m.busday_count("2024-01-01", "2024-02-01"),
    "busday_offset": lambda m: m.busday_offset("2024-01-05", 1),
    "is_busday": lambda m: m.is_busday("2024-01-06"),
    "datetime_as_string": lambda m: m.datetime_as_string(np.datetime64("2024-01-01")),
    "datetime_data": lambda m: m.datetime_data(np.dtype("datetime64[ms]")),
    "einsum_path": lambda m: m.einsum_path("ij,jk", m.asarray(A), m.asarray(A.T))[0],
    "can_cast": lambda m: m.can_cast(np.float32, np.float64),
    "min_scalar_type": lambda m: m.min_scalar_type(300),
    "promote_types": lambda m: m.promote_types("f4", "i8"),
    "common_type": lambda m: m.common_type(m.asarray(A)),
    "mintypecode": lambda m: m.mintypecode("df"),
    "unique_all": lambda m: m.unique_all(m.asarray(B)).counts,
    "unique_counts": lambda m: m.unique_counts(m.asarray(B)).counts,
    "unique_inverse": lambda m: m.unique_inverse(m.asarray(B)).inverse_indices,
    "unique_values": lambda m: m.unique_values(m.asarray(B)),
    "histogram": lambda m: m.histogram(m.asarray(B), bins=3),
    "histogram2d": lambda m: m.histogram2d(m.asarray(B), m.asarray(B), bins=2)[0],
    "histogramdd": lambda m: m.histogramdd(m.asarray(A), bins=2)[0],
    "histogram_bin_edges": lambda m: m.histogram_bin_edges(m.asarray(B), bins=4),
    "intersect1d": lambda m: m.intersect1d(m.asarray(B), [1.0, 5.0, 9.0]),
    "setdiff1d": lambda m: m.setdiff1d(m.asarray(B), [1.0]),
    "setxor1d": lambda m: m.setxor1d(m.asarray(B), [1.0, 9.0]),
    "union1d": lambda m: m.union1d(m.asarray(B), [9.0]),
    "load": lambda m: _loaded(m.load, np.save, "x.npy"),
    "loadtxt": lambda m: _loaded(m.loadtxt, np.savetxt, "x.txt"),
    "genfromtxt": lambda m: _loaded(m.genfromtxt, np.savetxt, "x.txt"),
    "fromfile": lambda m: _loaded(m.fromfile, lambda f, a: a.tofile(f), "x.bin"),
    "frombuffer": lambda m: m.frombuffer(B.tobytes()),
    "fromstring": lambda m: m.fromstring("1 2 3", sep=" "),
    "fromregex": lambda m: m.fromregex(io.StringIO("1 2\n3 4"), r"(\d) (\d)", "i8,i8")["f1"],
    "fromiter": lambda m: m.fromiter(range(4), dtype=float),
    "bartlett": lambda m: m.bartlett(5),
    "blackman": lambda m: m.blackman(5),
    "hamming": lambda m: m.hamming(5),
    "hanning": lambda m: m.hanning(5),
    "kaiser": lambda m: m.kaiser(5, 2.0),
    "testing": lambda m: m.testing.assert_allclose(m.asarray(B), B) is None,
    "emath": lambda m: m.emath.sqrt(m.asarray(-B)),
}


def _data(m: Any) -> Any:
    # a tensor that requires grad: saving it saves its values
    return anp.asarray(B).requires_grad_() if m is anp else B


def _saved(m: Any, save: Callable[..., Any]) -> Any:
    buffer = io.BytesIO()
    save(buffer, _data(m))
    return len(buffer.getvalue())


def _saved_text(m: Any, save: Callable[..., Any]) -> Any:
    buffer = io.StringIO()
    save(buffer, _data(m))
    return buffer.getvalue()


def _loaded(load: Callable[..., Any], save: Callable[..., Any], name: str) -> Any:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        save(str(path), B)
        return load(str(path))


# -- the classification -------------------------------------------------------------------
def _public(module: Any) -> set[str]:
    return {n for n in dir(module) if not n.startswith("_")}


def _numpy_names() -> set[str]:
    return {prefix + n for prefix, (module, _) in MODULES.items() for n in _public(module)}


def _gradient_names_in_cases() -> set[str]:
    """Names that test_agrad_numpy.py's cases call as ``m.name`` (gradient checked)."""
    tree = ast.parse((HERE / "test_agrad_numpy.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or getattr(node.func, "id", None) != "case":
            continue
        if any(k.arg == "grad" for k in node.keywords):
            continue
        for sub in ast.walk(node):
            if not isinstance(sub, ast.Attribute):
                continue
            v = sub.value
            if isinstance(v, ast.Name) and v.id == "m":
                found.add(sub.attr)
            elif (
                isinstance(v, ast.Attribute) and isinstance(v.value, ast.Name) and v.value.id == "m"
            ):
                found.add(f"{v.attr}.{sub.attr}")
    return found


RANDOM_OWN = {
    "random." + n
    for n in [
        "Generator",
        "RandomState",
        "choice",
        "default_rng",
        "exponential",
        "normal",
        "permutation",
        "rand",
        "randint",
        "randn",
        "random",
        "random_sample",
        "ranf",
        "sample",
        "seed",
        "shuffle",
        "standard_normal",
        "uniform",
    ]
}


def classes() -> dict[str, set[str]]:
    served: set[str] = set()
    for prefix in MODULES:
        served |= {prefix + n for n in _names.module_names(prefix.rstrip("."))}
    return {
        "differentiable": {g[0] for g in GRADIENT}
        | {w[0] for w in IN_PLACE}
        | _gradient_names_in_cases()
        | {n for n in RANDOM_OWN if n.split(".")[1] in ("normal", "uniform", "exponential")},
        "no gradient": {n for n, _ in NO_GRADIENT}
        | set(DTYPES)
        | OWN_ELSEWHERE
        | {n for n in RANDOM_OWN if n.split(".")[1] not in ("normal", "uniform", "exponential")},
        "passes through": served,
        "refused": set(_names.REFUSED),
    }


def test_every_numpy_name_is_classified():
    found = classes()
    names = _numpy_names()
    unclassified = sorted(n for n in names if not any(n in c for c in found.values()))
    assert not unclassified, (
        f"NumPy names in no class (new in this NumPy?): {unclassified}. Implement them in "
        "agrad.numpy with a gradient case here, or classify them in agrad/numpy/_names.py."
    )
    twice = {
        n: [k for k, c in found.items() if n in c]
        for n in names
        if sum(n in c for c in found.values()) > 1
    }
    # a name tested both as differentiable and without gradient is fine only for own names
    assert not {n: k for n, k in twice.items() if "passes through" in k or "refused" in k}


def test_own_names_are_agrad_numpy_functions():
    found = classes()
    for name in found["differentiable"] | found["no gradient"]:
        if name in _numpy_names():
            prefix, _, short = name.rpartition(".")
            module = MODULES[f"{prefix}." if prefix else ""][1]
            assert short in vars(module), f"{name} is classified as agrad.numpy's own"


@pytest.mark.parametrize("name", sorted(_names.REFUSED))
def test_refused_names_raise_naming_themselves(name):
    prefix, _, short = name.rpartition(".")
    module = MODULES[f"{prefix}." if prefix else ""][1]
    with pytest.raises(_names.NumpyNameError, match=rf"`agrad\.numpy\.{name}`") as info:
        getattr(module, short)
    assert isinstance(info.value, AttributeError)
    assert isinstance(info.value, AgradError)
    assert "use" in str(info.value)
    assert not hasattr(module, short)


def test_names_numpy_lacks_raise_a_clear_attribute_error():
    with pytest.raises(_names.NumpyNameError, match=r"`agrad\.numpy` has no attribute `nosuch`"):
        anp.nosuch  # noqa: B018
    with pytest.raises(AttributeError, match=r"linalg.*`nosuch`"):
        anp.linalg.nosuch  # noqa: B018
    with pytest.raises(AttributeError, match=r"random.*`nosuch`"):
        anp.random.nosuch  # noqa: B018


@pytest.mark.parametrize("name", sorted(n for n in _names.NUMPY))
def test_numpy_objects_pass_through_unchanged(name):
    prefix, _, short = name.rpartition(".")
    module, ours = MODULES[f"{prefix}." if prefix else ""]
    assert getattr(ours, short) is getattr(module, short)


def _plain(value: Any) -> Any:
    if isinstance(value, agrad.Tensor):
        return np.asarray(value.detach())
    if isinstance(value, (tuple, list)) and not isinstance(value, str):
        return [_plain(v) for v in value]
    return value


def _same(got: Any, expected: Any) -> None:
    got, expected = _plain(got), _plain(expected)
    if isinstance(expected, list):
        assert isinstance(got, list)
        assert len(got) == len(expected)
        for g, e in zip(got, expected, strict=True):
            _same(g, e)
        return
    if isinstance(expected, (np.ndarray, np.generic, float, int, complex)) and not isinstance(
        expected, bool
    ):
        e = np.asarray(expected)
        if e.dtype.kind in "biufc":
            g = np.asarray(got)
            assert g.shape == e.shape
            np.testing.assert_array_equal(g, e)
            return
    assert got == expected


@pytest.mark.parametrize("name", sorted(PASS_SAMPLES))
def test_values_functions_match_numpy(name):
    sample = PASS_SAMPLES[name]
    got = sample(anp)
    expected = sample(np)
    _same(got, expected)
    # (fromregex: a structured array, which agrad has no dtype for, stays NumPy's)
    if name not in ("testing", "emath", "fromregex") and isinstance(_plain(expected), np.ndarray):
        kind = _plain(expected).dtype.kind
        if kind in "biufc":
            assert isinstance(got, (agrad.Tensor, tuple, list))


def test_every_values_function_has_a_sample():
    served = _names.VALUES | _names.CREATE | set(_names._MODULES)
    assert served <= set(PASS_SAMPLES)


@pytest.mark.parametrize("name", sorted(_names.NO_GRAD))
def test_values_functions_with_gradients_refuse_tensors_that_require_grad(name):
    x = anp.asarray(B).requires_grad_()
    with pytest.raises(TypeError, match=rf"`numpy\.{name}` is not differentiable.*detach"):
        getattr(anp, name)(x, x) if name.endswith("1d") else getattr(anp, name)(x)


@pytest.mark.parametrize("name", sorted(_names.RANDOM))
def test_numpy_distributions_draw_numpy_values_after_seed(name):
    args = {
        "beta": (2.0, 3.0), "binomial": (5, 0.3), "chisquare": (2.0,), "dirichlet": ([1.0, 2.0],),
        "f": (2.0, 3.0), "gamma": (2.0,), "geometric": (0.3,), "gumbel": (), "laplace": (),
        "hypergeometric": (5, 4, 3), "logistic": (), "lognormal": (), "logseries": (0.5,),
        "multinomial": (5, [0.2, 0.8]), "negative_binomial": (3, 0.5),
        "multivariate_normal": ([0.0, 1.0], [[1.0, 0.2], [0.2, 1.0]]),
        "noncentral_chisquare": (2.0, 1.0), "noncentral_f": (2.0, 3.0, 1.0), "pareto": (2.0,),
        "poisson": (3.0,), "power": (2.0,), "rayleigh": (), "standard_cauchy": (),
        "standard_exponential": (), "standard_gamma": (2.0,), "standard_t": (3.0,),
        "triangular": (0.0, 0.5, 1.0), "vonmises": (0.0, 1.0), "wald": (1.0, 2.0),
        "weibull": (2.0,), "zipf": (2.0,),
    }[name]  # fmt: skip
    anp.random.seed(4)
    got = getattr(anp.random, name)(*args, size=3)
    np.random.seed(4)
    expected = getattr(np.random, name)(*args, size=3)
    assert isinstance(got, agrad.Tensor)
    np.testing.assert_array_equal(np.asarray(got), expected)
    with pytest.raises(TypeError, match=rf"`numpy\.random\.{name}`.*not differentiable"):
        getattr(anp.random, name)(anp.asarray(2.0).requires_grad_(), *args[1:])


@pytest.mark.parametrize(("name", "sample"), NO_GRADIENT, ids=[n for n, _ in NO_GRADIENT])
def test_no_gradient_names_match_numpy(name, sample):
    _same(sample(anp), sample(np))


@pytest.mark.parametrize("name", DTYPES)
def test_dtype_names_are_numpys_dtypes(name):
    ours = getattr(anp, name)
    assert isinstance(ours, type(anp.float64))
    assert np.dtype(ours) == np.dtype(getattr(np, name))


def test_own_objects():
    assert anp.ndarray is agrad.Tensor
    assert isinstance(anp.add, anp.ufunc)
    assert anp.testing.assert_allclose is not None
    # testing compares values, even of tensors that require grad
    anp.testing.assert_allclose(anp.asarray(B).requires_grad_(), B)
    with pytest.raises(AssertionError):
        anp.testing.assert_allclose(anp.asarray(B), B + 1)


@pytest.mark.parametrize("entry", GRADIENT, ids=[g[0] for g in GRADIENT])
def test_gradient_smoke(entry):
    name, fn, *inputs = entry
    case = CASES.Case(name, fn, tuple(inputs), door2=False, grad=True)
    CASES._check(case, anp)


@pytest.mark.parametrize(("name", "write", "values"), IN_PLACE, ids=[w[0] for w in IN_PLACE])
def test_in_place_writers_are_differentiable(name, write, values):
    case = CASES.Case(name, _writer(write), (A.copy(), values), door2=False, grad=True)
    CASES._check(case, anp)


# -- the names of the issue, one by one ------------------------------------------------------
def test_random_state_draws_numpys_values_as_tensors():
    ours, theirs = anp.random.RandomState(0), np.random.RandomState(0)
    for method, args in [("randn", (3, 2)), ("rand", (4,)), ("randint", (0, 9, 5))]:
        got = getattr(ours, method)(*args)
        assert isinstance(got, agrad.Tensor)
        np.testing.assert_array_equal(np.asarray(got), getattr(theirs, method)(*args))
    assert ours.randn() == theirs.randn()  # a scalar draw is a Python float, as in NumPy
    # normal is differentiable in tensor parameters, and draws NumPy's numbers
    loc = anp.asarray(1.0).requires_grad_()
    scale = anp.asarray(2.0).requires_grad_()
    draws = anp.random.RandomState(5).normal(loc, scale, size=4)
    expected = np.random.RandomState(5).normal(1.0, 2.0, size=4)
    np.testing.assert_allclose(np.asarray(draws.detach()), expected, rtol=1e-15)
    anp.sum(draws).backward()
    assert loc.grad.item() == pytest.approx(4.0)
    assert scale.grad.item() == pytest.approx(float(np.sum((expected - 1.0) / 2.0)))
    # permutation of a tensor: NumPy's order, gradient back to the rows
    x = anp.arange(5.0).requires_grad_()
    shuffled = anp.random.RandomState(2).permutation(x)
    np.testing.assert_array_equal(
        np.asarray(shuffled.detach()), np.random.RandomState(2).permutation(np.arange(5.0))
    )
    anp.sum(shuffled * anp.arange(5.0)).backward()
    np.testing.assert_array_equal(
        x.grad.array[np.random.RandomState(2).permutation(5)], np.arange(5.0)
    )
    with pytest.raises(TypeError, match="not differentiable"):
        anp.random.RandomState(0).gamma(loc)


def test_where_takes_numpys_keywords():
    x, y = anp.asarray([1.0, 2.0, 3.0]), anp.asarray([4.0, 5.0, 6.0])
    assert anp.where(condition=[True, False, True], x=x, y=y).tolist() == [1.0, 5.0, 3.0]
    assert anp.where([True, False, True], x, y=y).tolist() == [1.0, 5.0, 3.0]
    assert [t.tolist() for t in anp.where(condition=[True, False, True])] == [[0, 2]]


def test_float16_and_longdouble_are_refused_clearly():
    for name in ("float16", "half", "longdouble", "clongdouble"):
        with pytest.raises(AttributeError, match=rf"`agrad\.numpy\.{name}`.*float(32|64)"):
            getattr(anp, name)
    with pytest.raises(TypeError, match="no dtype"):
        anp.zeros(2, dtype=np.float16)


def test_nanquantile_is_nan_for_an_all_nan_row_with_no_gradient():
    x = anp.asarray([[1.0, np.nan], [np.nan, np.nan]]).requires_grad_()
    y = anp.nanmedian(x, axis=1)
    assert math.isnan(y[1].item())
    assert y[0].item() == 1.0
    anp.sum(anp.nan_to_num(y)).backward()
    assert x.grad.tolist() == [[1.0, 0.0], [0.0, 0.0]]
