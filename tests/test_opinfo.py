"""torch's own OpInfo samples, translated to agrad, against torch.autograd.

For every OpInfo (``torch.testing._internal.common_methods_invocations.op_db``) with a
standard counterpart in agrad (the table ``OPS``), each sample ``(input, args, kwargs)`` is
translated (``dim`` -> ``axis``, ``keepdim`` -> ``keepdims``, ...) and run on agrad and on
torch with the same float64 / complex128 values, on the ``numpy`` and ``torch:cpu`` devices:

- the forward values;
- first order: the VJP of a random cotangent, for every differentiable input;
- second order (where the OpInfo supports gradgrad): the gradient of ``<vjp, random>``.

A sample that cannot be translated is skipped with a reason from ``SKIP_REASONS`` (a keyword
the standard lacks, a dtype the standard function does not take, ...). A sample where agrad
deliberately differs from torch is listed in ``KNOWN`` with the reason; it must differ
(strict), and docs/coverage.md explains it. Everything else must agree.

CI runs the first ``AGRAD_OPINFO_SAMPLES`` samples (default 4) of each OpInfo; ``AGRAD_OPINFO=full``
runs them all. ``python tests/test_opinfo.py`` (same variables) prints the counts: OpInfos
covered, samples compared, skipped by reason, disagreements.
"""

from __future__ import annotations

import collections
import dataclasses
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
import torch

import agrad

with warnings.catch_warnings():  # torch's internal test helpers warn on import
    warnings.simplefilter("ignore")
    from torch.testing._internal.common_methods_invocations import op_db

FULL = os.environ.get("AGRAD_OPINFO", "") == "full"
QUICK_SAMPLES = int(os.environ.get("AGRAD_OPINFO_SAMPLES", "4"))
DEVICES = ("numpy", "torch:cpu")
DTYPES = (torch.float64, torch.complex128)
RTOL, ATOL = 1e-6, 1e-8

_DIM = {"dim": "axis", "keepdim": "keepdims"}


# -- the map: torch OpInfo -> agrad --------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Op:
    """How one OpInfo's calls become agrad calls.

    ``params`` names torch's positional arguments after the input; ``kw`` renames torch's
    keywords to agrad's (a name mapped to ``None`` is dropped when it has its ``defaults``
    value, and skips the sample otherwise); ``inputs`` lists, in agrad's positional order,
    the arguments passed as arrays (``"input"`` is the sample's input); ``fixed`` adds
    keywords where the defaults differ; ``post`` makes outputs comparable (gauge-free
    functions of eigenvectors and singular vectors, the values of ``(values, indices)``).
    """

    torch: str
    agrad: str
    variant: str = ""
    params: tuple[str, ...] = ()
    kw: dict[str, str | None] = dataclasses.field(default_factory=dict)
    inputs: tuple[str, ...] = ("input",)
    defaults: dict[str, Any] = dataclasses.field(default_factory=dict)
    fixed: dict[str, Any] = dataclasses.field(default_factory=dict)
    real_only: bool = False  # the standard defines it for real floating dtypes only
    post: str = ""
    check: Callable[[dict[str, Any]], str | None] | None = None  # a skip reason or None

    @property
    def id(self) -> str:
        return self.torch + (f".{self.variant}" if self.variant else "")


def _unary(torch_name: str, agrad_name: str | None = None, **kw: Any) -> Op:
    return Op(torch_name, agrad_name or torch_name, **kw)


def _binary(torch_name: str, agrad_name: str | None = None, **kw: Any) -> Op:
    return Op(
        torch_name,
        agrad_name or torch_name,
        params=("other",),
        inputs=("input", "other"),
        kw={"alpha": None},
        defaults={"alpha": 1},
        **kw,
    )


def _solve_check(named: dict[str, Any]) -> str | None:
    a, b = named["input"], named["other"]
    if b.ndim > 1 and tuple(b.shape) == tuple(a.shape[:-1]):
        return "torch's batch of vectors B (the standard reads it as a matrix)"
    return None


def _tensordot_check(named: dict[str, Any]) -> str | None:
    dims = named.get("dims", 2)
    if isinstance(dims, int):
        return None
    a, b = named["input"], named["other"]
    if any(a.shape[i] != b.shape[j] for i, j in zip(dims[0], dims[1], strict=True)):
        return "tensordot broadcasting contracted axes (the standard needs equal sizes)"
    return None


def _squeeze_check(named: dict[str, Any]) -> str | None:
    if "dim" not in named:
        return "squeeze without an axis (the standard needs one)"
    dims = named["dim"] if isinstance(named["dim"], (list, tuple)) else (named["dim"],)
    x = named["input"]
    if x.ndim and any(x.shape[d] != 1 for d in dims):
        return "squeeze of an axis whose size is not 1 (torch ignores it, the standard raises)"
    return None


def _cat_check(named: dict[str, Any]) -> str | None:
    if any(t.ndim == 1 and t.shape[0] == 0 for t in named["input"]):
        return "torch's legacy empty 1-d tensor in cat (skipped whatever its shape)"
    return None


def _expand_check(named: dict[str, Any]) -> str | None:
    return "expand with -1 sizes (broadcast_to takes the shape)" if -1 in named["size"] else None


def _last_two(named: dict[str, Any], key1: str, key2: str | None) -> str | None:
    """None where torch's two axes are the last two in order, else a skip reason."""
    nd = named["input"].ndim
    dims = named.get(key1, (-2, -1)) if key2 is None else (named.get(key1, -2), named.get(key2, -1))
    dims = tuple(d % nd for d in dims)
    if dims == (nd - 2, nd - 1):
        return None
    return "matrix axes other than the last two in order (the standard's are fixed)"


def _matrix_norm_check(named: dict[str, Any]) -> str | None:
    return _last_two(named, "dim", None)


_DIAG: dict[str, str | None] = {"offset": "offset", "dim1": None, "dim2": None}
_NORM = {"dim": "axis", "keepdim": "keepdims", "ord": "ord"}
_FFT1 = {"n": "n", "dim": "axis", "norm": "norm"}
_FFTN = {"s": "s", "dim": "axes", "norm": "norm"}

OPS: list[Op] = [
    # elementwise, one input
    *(
        _unary(t, a)
        for t, a in [
            ("abs", None),
            ("acos", None),
            ("acosh", None),
            ("asin", None),
            ("asinh", None),
            ("atan", None),
            ("atanh", None),
            ("cos", None),
            ("cosh", None),
            ("exp", None),
            ("expm1", None),
            ("log", None),
            ("log10", None),
            ("log1p", None),
            ("log2", None),
            ("neg", "negative"),
            ("positive", None),
            ("reciprocal", None),
            ("sgn", "sign"),
            ("sin", None),
            ("sinh", None),
            ("sqrt", None),
            ("square", None),
            ("tan", None),
            ("tanh", None),
            ("conj_physical", "conj"),
        ]
    ),
    _unary("sign", real_only=True),
    *(_unary(t, real_only=True) for t in ("floor", "ceil", "trunc")),
    # elementwise, two inputs
    *(_binary(t, a) for t, a in [("add", None), ("sub", "subtract"), ("mul", "multiply")]),
    _binary("div", "divide", variant="no_rounding_mode"),
    _binary("true_divide", "divide"),
    _binary("pow"),
    *(
        _binary(t, a, real_only=True)
        for t, a in [
            ("atan2", None),
            ("maximum", None),
            ("minimum", None),
            ("hypot", None),
            ("logaddexp", None),
            ("copysign", None),
            ("nextafter", None),
            ("remainder", None),
        ]
    ),
    _binary("max", "maximum", variant="binary", real_only=True),
    _binary("min", "minimum", variant="binary", real_only=True),
    Op(
        "clamp",
        "clip",
        params=("min", "max"),
        inputs=("input", "min", "max"),
        real_only=True,
    ),
    Op("where", "where", params=("condition", "other"), inputs=("condition", "input", "other")),
    # reductions
    Op("sum", "sum", params=("dim", "keepdim"), kw={**_DIM, "dtype": "dtype"}),
    Op("mean", "mean", params=("dim", "keepdim"), kw={**_DIM, "dtype": None}),
    Op("prod", "prod", params=("dim", "keepdim"), kw={**_DIM, "dtype": "dtype"}),
    Op("amax", "max", params=("dim", "keepdim"), kw=_DIM, real_only=True),
    Op("amin", "min", params=("dim", "keepdim"), kw=_DIM, real_only=True),
    Op("max", "max", variant="reduction_no_dim", real_only=True),
    Op("min", "min", variant="reduction_no_dim", real_only=True),
    Op(
        "max",
        "max",
        variant="reduction_with_dim",
        params=("dim", "keepdim"),
        kw=_DIM,
        real_only=True,
        post="values",
    ),
    Op(
        "min",
        "min",
        variant="reduction_with_dim",
        params=("dim", "keepdim"),
        kw=_DIM,
        real_only=True,
        post="values",
    ),
    *(
        Op(
            t,
            t,
            variant=v,
            params=("unbiased",) if v else ("dim",),
            kw={**_DIM, "correction": "correction", "unbiased": "correction"},
            fixed={"correction": 1},  # torch's default; the standard's is 0
        )
        for t in ("std", "var")
        for v in ("", "unbiased")
    ),
    Op("cumsum", "cumulative_sum", params=("dim",), kw={"dim": "axis", "dtype": "dtype"}),
    Op("cumprod", "cumulative_prod", params=("dim",), kw={"dim": "axis", "dtype": "dtype"}),
    # manipulation, sorting, searching, utility
    Op("flip", "flip", params=("dims",), kw={"dims": "axis"}),
    Op("roll", "roll", params=("shifts", "dims"), kw={"shifts": "shift", "dims": "axis"}),
    Op("permute", "permute_dims", params=("dims",), kw={"dims": "axes"}),
    Op("reshape", "reshape", params=("shape",), kw={"shape": "shape"}),
    Op("unsqueeze", "expand_dims", params=("dim",), kw={"dim": "axis"}),
    Op("squeeze", "squeeze", params=("dim",), kw={"dim": "axis"}, check=_squeeze_check),
    Op(
        "squeeze",
        "squeeze",
        variant="multiple",
        params=("dim",),
        kw={"dim": "axis"},
        check=_squeeze_check,
    ),
    Op("expand", "broadcast_to", params=("size",), kw={"size": "shape"}, check=_expand_check),
    Op("tril", "tril", params=("diagonal",), kw={"diagonal": "k"}),
    Op("triu", "triu", params=("diagonal",), kw={"diagonal": "k"}),
    Op("cat", "concat", params=("dim",), kw={"dim": "axis"}, check=_cat_check),
    Op("stack", "stack", params=("dim",), kw={"dim": "axis"}),
    Op(
        "sort",
        "sort",
        params=("dim", "descending"),
        kw={"dim": "axis", "descending": "descending", "stable": "stable"},
        real_only=True,
        post="values",
        check=lambda named: (
            "sort of a 0-d input (the standard needs an axis)" if named["input"].ndim == 0 else None
        ),
    ),
    Op(
        "take_along_dim",
        "take_along_axis",
        params=("indices", "dim"),
        kw={"dim": "axis"},
        inputs=("input", "indices"),
        check=lambda named: None if named.get("dim") is not None else "take_along_dim without dim",
    ),
    Op(
        "diff",
        "diff",
        params=("n", "dim", "prepend", "append"),
        kw={"n": "n", "dim": "axis", "prepend": "prepend", "append": "append"},
        check=lambda named: (
            "diff with n=0 (the standard needs n >= 1)" if named.get("n", 1) == 0 else None
        ),
    ),
    # linear algebra
    Op("matmul", "matmul", params=("other",), inputs=("input", "other")),
    Op(
        "tensordot",
        "tensordot",
        params=("other", "dims"),
        inputs=("input", "other"),
        kw={"dims": "axes"},
        check=_tensordot_check,
    ),
    Op("outer", "linalg.outer", params=("vec2",), inputs=("input", "vec2")),
    Op("trace", "linalg.trace"),
    Op("linalg.inv", "linalg.inv"),
    Op("linalg.det", "linalg.det"),
    Op("linalg.slogdet", "linalg.slogdet"),
    Op(
        "linalg.solve",
        "linalg.solve",
        params=("other",),
        inputs=("input", "other"),
        check=_solve_check,
    ),
    Op("linalg.cholesky", "linalg.cholesky", kw={"upper": "upper"}),
    Op("linalg.qr", "linalg.qr", params=("mode",), kw={"mode": "mode"}, post="qr"),
    Op("linalg.eigh", "linalg.eigh", kw={"UPLO": None}, defaults={"UPLO": "L"}, post="eigh"),
    Op("linalg.eigvalsh", "linalg.eigvalsh", kw={"UPLO": None}, defaults={"UPLO": "L"}),
    Op("linalg.eig", "linalg.eig", post="eig"),
    Op("linalg.eigvals", "linalg.eigvals"),
    Op(
        "linalg.svd",
        "linalg.svd",
        params=("full_matrices",),
        kw={"full_matrices": "full_matrices"},
        post="svd",
    ),
    Op("linalg.svdvals", "linalg.svdvals"),
    Op(
        "linalg.pinv",
        "linalg.pinv",
        kw={"rtol": "rtol", "hermitian": None},
        defaults={"hermitian": False},
    ),
    Op("linalg.matrix_power", "linalg.matrix_power", params=("n",), inputs=("input", "n")),
    Op(
        "linalg.cross",
        "linalg.cross",
        params=("other", "dim"),
        inputs=("input", "other"),
        kw={"dim": "axis"},
        fixed={"axis": -1},
    ),
    Op(
        "linalg.diagonal",
        "linalg.diagonal",
        kw=_DIAG,
        check=lambda named: _last_two(named, "dim1", "dim2"),
    ),
    Op("linalg.vector_norm", "linalg.vector_norm", params=("ord", "dim", "keepdim"), kw=_NORM),
    Op(
        "linalg.matrix_norm",
        "linalg.matrix_norm",
        params=("ord", "dim", "keepdim"),
        kw={"ord": "ord", "keepdim": "keepdims", "dim": None},
        defaults={"dim": (-2, -1)},
        check=_matrix_norm_check,
    ),
    # fft
    *(
        Op(f"fft.{t}", f"fft.{t}", params=("n", "dim", "norm"), kw=_FFT1)
        for t in ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft")
    ),
    *(
        Op(f"fft.{t}", f"fft.{t}", params=("s", "dim", "norm"), kw=_FFTN)
        for t in ("fftn", "ifftn", "rfftn", "irfftn")
    ),
    *(
        Op(f"fft.{t}", f"fft.{t}", params=("dim",), kw={"dim": "axes"})
        for t in ("fftshift", "ifftshift")
    ),
]

#: why a sample is not compared; each skip's reason matches one of these
SKIP_REASONS = {
    "argument": r"`\S+` has no standard counterpart here \(.*\)",
    "dtype": r"the standard's `\S+` takes real floating dtypes only",
    "dtype-op": r"torch's OpInfo does not support complex128",
    "non-differentiable": r"no differentiable input",
    "semantics": r"torch's batch of vectors B.*|squeeze without an axis.*"
    r"|expand with -1 sizes.*"
    r"|matrix axes other than the last two.*|take_along_dim without dim|diff with n=0.*"
    r"|tensordot broadcasting.*"
    r"|squeeze of an axis whose size is not 1.*|torch's legacy empty 1-d tensor in cat.*"
    r"|sort of a 0-d input.*",
    "0-d axis": r"torch's `\S+` on a 0-d input \(the standard has no axis there\)",
    "hermitian-wrapper": r"OpInfo wraps the input \(\S+\)",
    "qr mode r": r"qr with mode='r' returns no Q",
}

#: (OpInfo id, dtype, sample index) where agrad deliberately differs from torch, and why
#: (docs/coverage.md, "Deliberate differences from torch")
KNOWN: dict[tuple[str, str, int], str] = {}


class Skip(Exception):
    pass


# -- running one sample ------------------------------------------------------------------
def _opinfos() -> dict[str, Any]:
    found = {}
    wanted = {(op.torch, op.variant) for op in OPS}
    for info in op_db:
        if (info.name, info.variant_test_name) in wanted:
            found[info.name + (f".{info.variant_test_name}" if info.variant_test_name else "")] = (
                info
            )
    return found


OPINFOS = _opinfos()


def _samples(info: Any, dtype: torch.dtype) -> list[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        samples = list(info.sample_inputs("cpu", dtype, requires_grad=True))
    return samples if FULL else samples[:QUICK_SAMPLES]


def _resolve(name: str) -> Callable[..., Any]:
    f: Any = agrad
    for part in name.split("."):
        f = getattr(f, part)
    return f  # type: ignore[no-any-return]


def _named(op: Op, sample: Any) -> dict[str, Any]:
    named = {"input": sample.input}
    if len(sample.args) > len(op.params):
        raise Skip(f"`{op.params}` has no standard counterpart here (extra positional args)")
    named.update(zip(op.params, sample.args, strict=False))
    named.update(sample.kwargs)
    x = named["input"]
    if isinstance(x, torch.Tensor) and x.ndim == 0:
        for name in ("dim", "dims"):
            if named.get(name) not in (None, (), []):
                raise Skip(f"torch's `{name}` on a 0-d input (the standard has no axis there)")
    return named


def _to_numpy(t: torch.Tensor) -> np.ndarray:
    return t.numpy(force=True).copy()  # force: conjugate bits and torch's ZeroTensors


def _translate(op: Op, sample: Any, info: Any) -> tuple[list[Any], dict[str, Any], dict[str, Any]]:
    """agrad's positional values (arrays as torch tensors), keywords; and the named torch call."""
    wrapper = getattr(info.gradcheck_wrapper, "__name__", "")
    if wrapper not in ("<lambda>", "gradcheck_wrapper_hermitian_input"):
        raise Skip(f"OpInfo wraps the input ({wrapper})")
    named = _named(op, sample)
    if op.check is not None and (reason := op.check(named)) is not None:
        raise Skip(reason)
    positional = [named[name] for name in op.inputs if name in named]
    kwargs = dict(op.fixed)
    for name, value in named.items():
        if name in op.inputs:
            continue
        if name in ("dim1", "dim2") or (name == "UPLO" and wrapper != "<lambda>"):
            continue  # checked to be the last two axes; the input made Hermitian
        if name == "dtype" and isinstance(value, torch.dtype) and name in op.kw:
            kwargs["dtype"] = getattr(agrad, str(value).removeprefix("torch."))
            continue
        if name not in op.kw and name not in op.defaults:
            raise Skip(f"`{name}` has no standard counterpart here ({op.id})")
        target = op.kw.get(name)
        if target is None:
            if name in op.defaults and _same(value, op.defaults[name]):
                continue
            raise Skip(f"`{name}` has no standard counterpart here ({op.id}, {value!r})")
        if name == "unbiased":
            value = int(value)
        if name == "correction" and value is None:  # torch's default, 1
            continue
        if target in ("axes", "s") and isinstance(value, int) and op.agrad.startswith("fft."):
            value = (value,)
        if name == "mode" and value == "r":
            raise Skip("qr with mode='r' returns no Q")
        kwargs[target] = tuple(value) if isinstance(value, list) else value
    return positional, kwargs, named


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)):
        return tuple(a) == tuple(b)
    return bool(a == b)


def _post(kind: str, out: Any, lib: Any) -> tuple[Any, ...]:
    """Outputs as a tuple, with gauge-free functions of vectors defined up to a phase."""

    def sq(t: Any) -> Any:
        return lib.abs(t) ** 2

    if kind == "values":
        return (out[0],) if isinstance(out, tuple) else (out,)
    if kind == "eigh":
        w, v = out
        return w, sq(v)
    if kind == "eig":
        w, v = out
        return w, sq(v / (v[..., :1, :] / lib.abs(v[..., :1, :])))
    if kind == "svd":
        u, s, vh = out
        k = s.shape[-1]
        return s, sq(u[..., :k]), sq(vh[..., :k, :]), u[..., :k] @ vh[..., :k, :]
    if kind == "qr":
        q, r = out
        return q, r
    return tuple(out) if isinstance(out, tuple) else (out,)


def _random_like(rng: np.random.Generator, t: Any) -> np.ndarray:
    shape = tuple(t.shape)
    values = rng.standard_normal(shape)
    if t.dtype.is_complex:
        values = values + 1j * rng.standard_normal(shape)
    return np.asarray(values).astype(_to_numpy(t).dtype)


def _compare(a: Any, t: Any, what: str) -> None:
    if t is None:
        if a is not None:
            np.testing.assert_allclose(_agrad_numpy(a), 0.0, atol=ATOL, err_msg=what)
        return
    expected = _to_numpy(t)
    actual = np.zeros_like(expected) if a is None else _agrad_numpy(a)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL, err_msg=what)


def _agrad_numpy(a: Any) -> np.ndarray:
    return np.asarray(a.to_device("numpy").array)


def _is_diff(t: Any) -> bool:
    return isinstance(t, torch.Tensor) and t.requires_grad


def run_sample(op: Op, info: Any, sample: Any, device: str, seed: int) -> None:
    """Compare one sample on one device; raise :class:`Skip` or an AssertionError."""
    positional, kwargs, _ = _translate(op, sample, info)
    hermitian = getattr(info.gradcheck_wrapper, "__name__", "") == (
        "gradcheck_wrapper_hermitian_input"
    )
    # the torch leaves and the matching agrad leaves, in order
    t_leaves: list[torch.Tensor] = []
    a_leaves: list[Any] = []
    swap: dict[int, torch.Tensor] = {}  # id of a sample tensor -> its torch leaf

    def leaf(t: Any) -> Any:
        """agrad's value for ``t``, recording a leaf pair where ``t`` is differentiable."""
        if isinstance(t, (list, tuple)) and t and isinstance(t[0], torch.Tensor):
            return [leaf(v) for v in t]
        if not isinstance(t, torch.Tensor):
            return t
        if not _is_diff(t):
            return agrad.asarray(_to_numpy(t), device=device)
        tt = t.detach().clone().requires_grad_(True)
        aa = agrad.tensor(_to_numpy(t), device=device, requires_grad=True)
        swap[id(t)] = tt
        t_leaves.append(tt)
        a_leaves.append(aa)
        return aa

    a_pos = [leaf(value) for value in positional]
    a_kwargs = {k: leaf(v) for k, v in kwargs.items()}
    if not t_leaves:
        raise Skip("no differentiable input")

    def on_leaves(v: Any) -> Any:
        if isinstance(v, (list, tuple)) and v and isinstance(v[0], torch.Tensor):
            return [on_leaves(x) for x in v]
        return swap.get(id(v), v) if isinstance(v, torch.Tensor) else v

    t_args = [on_leaves(v) for v in sample.args]
    t_kwargs = {k: on_leaves(v) for k, v in sample.kwargs.items()}

    def t_fn() -> Any:
        x = on_leaves(sample.input)
        if hermitian:
            x = x + x.mH
        return info.op(x, *t_args, **t_kwargs)

    f = _resolve(op.agrad)
    input_pos = op.inputs.index("input") if "input" in op.inputs else None

    def a_fn() -> Any:
        args = list(a_pos)
        if hermitian and input_pos is not None:
            x = args[input_pos]
            args[input_pos] = x + agrad.conj(agrad.matrix_transpose(x))
        return f(*args, **a_kwargs)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_out = _post(op.post, t_fn(), torch)
        with np.errstate(all="ignore"):
            a_out = _post(op.post, a_fn(), agrad)
    assert len(a_out) == len(t_out), f"{len(a_out)} outputs, torch {len(t_out)}"
    for i, (a, t) in enumerate(zip(a_out, t_out, strict=True)):
        _compare(a, t, f"forward, output {i}")

    rng = np.random.default_rng(seed)
    pairs = [
        (a, t)
        for a, t in zip(a_out, t_out, strict=True)
        if t.requires_grad and (t.dtype.is_floating_point or t.dtype.is_complex)
    ]
    if not pairs:
        raise Skip("no differentiable input")
    ws = [_random_like(rng, t) for _, t in pairs]
    gradgrad = bool(info.supports_gradgrad)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_g = torch.autograd.grad(
            [t for _, t in pairs],
            t_leaves,
            [torch.tensor(w) for w in ws],
            create_graph=gradgrad,
            allow_unused=True,
        )
        a_roots = [(a, w) for (a, _), w in zip(pairs, ws, strict=True) if a.requires_grad]
        with np.errstate(all="ignore"):
            a_g = (
                agrad.grad(
                    [a for a, _ in a_roots],
                    a_leaves,
                    [agrad.asarray(w, device=device) for _, w in a_roots],
                    create_graph=gradgrad,
                    allow_unused=True,
                )
                if a_roots
                else (None,) * len(a_leaves)
            )
    for i, (a, t) in enumerate(zip(a_g, t_g, strict=True)):
        _compare(a, t, f"first order, input {i}")
    if not gradgrad:
        return

    vs = [_random_like(rng, leaf) for leaf in t_leaves]
    t_outs, t_ws, a_outs, a_ws = [], [], [], []
    for a, t, v in zip(a_g, t_g, vs, strict=True):
        if t is not None and t.requires_grad:
            t_outs.append(t)
            t_ws.append(torch.tensor(v))
        if a is not None and a.requires_grad:
            a_outs.append(a)
            a_ws.append(agrad.asarray(v, device=device))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_h = (
            torch.autograd.grad(t_outs, t_leaves, t_ws, allow_unused=True)
            if t_outs
            else (None,) * len(t_leaves)
        )
        with np.errstate(all="ignore"):
            a_h = (
                agrad.grad(a_outs, a_leaves, a_ws, allow_unused=True)
                if a_outs
                else (None,) * len(a_leaves)
            )
    for i, (a, t) in enumerate(zip(a_h, t_h, strict=True)):
        _compare(a, t, f"second order, input {i}")


# -- the test ------------------------------------------------------------------------------
def _cases() -> Iterator[tuple[Op, torch.dtype, str]]:
    for op in OPS:
        if op.id in OPINFOS:
            for dtype in DTYPES:
                for device in DEVICES:
                    yield op, dtype, device


def run_op(
    op: Op, dtype: torch.dtype, device: str
) -> tuple[int, collections.Counter[str], list[str]]:
    """(samples compared, skips by reason, failures) of one OpInfo on one dtype and device."""
    info = OPINFOS[op.id]
    skipped: collections.Counter[str] = collections.Counter()
    failures: list[str] = []
    compared = 0
    dname = str(dtype).removeprefix("torch.")
    if dtype.is_complex and op.real_only:
        n = len(_samples(info, dtype)) if info.supports_dtype(dtype, "cpu") else 0
        skipped[f"the standard's `{op.agrad}` takes real floating dtypes only"] += max(n, 1)
        return 0, skipped, failures
    if not info.supports_dtype(dtype, "cpu"):
        skipped["torch's OpInfo does not support complex128"] += 1
        return 0, skipped, failures
    for index, sample in enumerate(_samples(info, dtype)):
        known = KNOWN.get((op.id, dname, index))
        try:
            run_sample(op, info, sample, device, seed=index)
        except Skip as skip:
            skipped[str(skip)] += 1
            continue
        except Exception as error:
            if known is None:
                failures.append(
                    f"{op.id} [{dname}, {device}] sample {index}: "
                    f"{type(error).__name__}: {str(error)[:400]}"
                )
            compared += 1
            continue
        compared += 1
        if known is not None:
            failures.append(
                f"{op.id} [{dname}, {device}] sample {index} is listed in KNOWN "
                f"({known}) but agrees with torch"
            )
    return compared, skipped, failures


def _skip_kind(reason: str) -> str | None:
    for kind, pattern in SKIP_REASONS.items():
        if re.fullmatch(pattern, reason):
            return kind
    return None


@pytest.mark.parametrize(
    ("op", "dtype", "device"),
    [pytest.param(*case, id=f"{case[0].id}-{str(case[1])[6:]}-{case[2]}") for case in _cases()],
)
def test_opinfo_samples_match_torch(op: Op, dtype: torch.dtype, device: str) -> None:
    _, skipped, failures = run_op(op, dtype, device)
    unknown = [reason for reason in skipped if _skip_kind(reason) is None]
    assert not unknown, f"skip reasons not in SKIP_REASONS: {unknown}"
    assert not failures, "\n".join(failures)


def test_the_map_names_existing_opinfos_and_agrad_functions() -> None:
    missing = [op.id for op in OPS if op.id not in OPINFOS]
    assert not missing, f"OpInfos not in torch's op_db: {missing}"
    for op in OPS:
        assert callable(_resolve(op.agrad)), op.agrad


def main() -> int:
    """Run every comparison and print the counts (``python tests/test_opinfo.py``)."""
    compared = 0
    skipped: collections.Counter[str] = collections.Counter()
    failures: list[str] = []
    for op, dtype, device in _cases():
        n, s, f = run_op(op, dtype, device)
        compared += n
        for reason, count in s.items():
            skipped[f"{_skip_kind(reason) or 'UNKNOWN'}: {reason}"] += count
        failures += f
    print(f"mode: {'full' if FULL else f'quick (first {QUICK_SAMPLES} samples per OpInfo)'}")
    print(f"OpInfos covered: {len(OPINFOS)} (of {len(OPS)} in the map)")
    print(f"samples compared (x dtype x device): {compared}")
    print(f"skipped: {sum(skipped.values())}")
    by_kind: collections.Counter[str] = collections.Counter()
    for reason, count in skipped.items():
        by_kind[reason.split(":")[0]] += count
    for kind, count in by_kind.most_common():
        print(f"  {kind}: {count}")
    for reason, count in sorted(skipped.items()):
        print(f"    {count:5d}  {reason}")
    print(f"known differences (KNOWN): {len(KNOWN)}")
    print(f"disagreements: {len(failures)}")
    for failure in failures:
        print("  " + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
