"""Every differentiable rule against torch.autograd.

Each case runs one agrad function and its torch twin on the same random inputs. The loss is
``sum(sin(f(inputs)) * w)`` for a fixed random cotangent ``w``: the ``sin`` makes the
cotangent reaching ``f``'s rule depend on the inputs, so even the rules of linear functions
are differentiated at the higher orders. Order k + 1 is the gradient of
``sum_i sum(grad_i * v_i)`` over the order-k gradients, with fixed random ``v_i``.

- float64: orders 1 to 3, to rounding (these are exact formulas);
- float32: order 1, looser tolerances;
- complex128: order 1, for the functions torch defines on complex numbers.

Each gradient must also keep its input's dtype and shape. Internal ops (``_view_scatter``,
``_scatter_add``) are reached through in-place changes of views and through integer-array
indexing at the second order.
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pytest
import torch

import agrad
from agrad._registry import TABLE

F64_TOL = {"rtol": 1e-7, "atol": 1e-9}
F32_TOL = {"rtol": 2e-4, "atol": 2e-5}
C128_TOL = F64_TOL


# -- input domains ----------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Domain:
    """Magnitudes drawn from ``[low, high)``, with a random sign when ``signed``.

    Complex draws add an imaginary part in ``[-1, 1)``; the real part keeps its domain, so
    ``POSITIVE`` stays off the branch cut of ``log`` and ``sqrt``.
    """

    low: float
    high: float
    signed: bool = True

    def __call__(self, rng: np.random.Generator, shape: tuple[int, ...], cplx: bool) -> Any:
        values = rng.uniform(self.low, self.high, shape)
        if self.signed:
            values = values * rng.choice([-1.0, 1.0], shape)
        if cplx:
            values = values + 1j * rng.uniform(-1.0, 1.0, shape)
        return np.asarray(values)


@dataclasses.dataclass(frozen=True)
class Fixed:
    """Given values (to put points such as ``0 ** x`` in the test)."""

    values: tuple[float, ...]

    def __call__(self, rng: np.random.Generator, shape: tuple[int, ...], cplx: bool) -> Any:
        return np.reshape(np.asarray(self.values, dtype=np.float64), shape)


REAL = Domain(0.0, 2.0)
AWAY = Domain(0.5, 2.0)  # away from zero: divisors, kinks of abs and remainder
POSITIVE = Domain(0.5, 2.0, signed=False)  # log, sqrt, bases of real powers
UNIT = Domain(0.05, 0.9)  # inside (-1, 1): acos, asin, atanh
ABOVE_ONE = Domain(1.2, 3.0, signed=False)  # acosh
SMALL = Domain(0.0, 1.2)  # tan, away from its poles

# constants the cases close over (never differentiated)
_MASK = np.array(
    [[True, False, True, True], [False, False, True, False], [True, True, False, True]]
)
_IDX = np.array([0, 2, 0, 3, 0])  # repeated indices: their gradients add up
_IDX2 = np.array([1, 0, 1])
_UNIQUE_IDX = np.array([3, 0, 2])
_T_MASK, _T_IDX = torch.tensor(_MASK), torch.tensor(_IDX)
_T_IDX2, _T_UNIQUE = torch.tensor(_IDX2), torch.tensor(_UNIQUE_IDX)


def _ag(values: np.ndarray) -> Any:
    """A constant made when the case runs, on the default device (tests/test_strict.py
    runs every case on array-api-strict)."""
    return agrad.asarray(values.tolist())


def _torch_pow_zero_base(x1: Any, x2: Any) -> Any:
    """``torch.pow`` with the limits at a zero base as its derivatives.

    torch's own second order is NaN where ``x1 == 0`` (``0 * log(0)`` in the discarded branch
    of its ``where``); for the exponents used with a zero base (0 and above 2) every
    derivative there is 0 (torch's convention at ``0 ** 0``), and agrad gives that.
    """
    zero = x1 == 0
    return torch.where(zero, (x2 == 0).to(x1.dtype), torch.pow(torch.where(zero, 1.0, x1), x2))


# -- the case table ---------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Case:
    """One call of an agrad function and the same call in torch."""

    id: str
    rule: str  # the name in agrad's rule table this case exercises
    f_agrad: Callable[..., Any]
    f_torch: Callable[..., Any]
    shapes: tuple[tuple[int, ...], ...]
    domains: tuple[Any, ...] = ()  # one per input; REAL where missing
    cplx: bool = False  # also check complex128 at first order
    # the highest order checked in float64 (3 unless the rule documents less)
    max_order: int = 3
    # check ("float64", "float32", "complex128") -> (the exception it raises, why)
    xfail: Mapping[str, tuple[type[Exception], str]] = dataclasses.field(default_factory=dict)

    def draw(self, rng: np.random.Generator, dtype: Any) -> list[Any]:
        cplx = np.dtype(dtype).kind == "c"
        domains = self.domains + (REAL,) * (len(self.shapes) - len(self.domains))
        return [d(rng, s, cplx).astype(dtype) for d, s in zip(domains, self.shapes, strict=True)]


def _unary(rule: str, f_agrad: Any, f_torch: Any, domain: Any = REAL, **kw: Any) -> list[Case]:
    """An elementwise function on a matrix and on a 0-d array."""
    return [
        Case(f"{rule}-2d", rule, f_agrad, f_torch, ((3, 4),), (domain,), **kw),
        Case(f"{rule}-0d", rule, f_agrad, f_torch, ((),), (domain,), **kw),
    ]


def _astype_roundtrip_agrad(x: Any) -> Any:
    return agrad.astype(agrad.astype(x, agrad.float32), x.dtype)


def _setitem_agrad(key: Any) -> Callable[[Any, Any], Any]:
    def f(x: Any, v: Any) -> Any:
        y = x + 0.0
        y[_ag(key) if isinstance(key, np.ndarray) else key] = v
        return y

    return f


def _setitem_torch(key: Any) -> Callable[[Any, Any], Any]:
    def f(x: Any, v: Any) -> Any:
        y = x.clone()
        y[key] = v
        return y

    return f


def _setitem_twice_agrad(x: Any, v: Any) -> Any:
    y = x + 0.0
    y[0] = v
    y[1:3] = v * v
    return y


def _setitem_twice_torch(x: Any, v: Any) -> Any:
    y = x.clone()
    y[0] = v
    y[1:3] = v * v
    return y


def _setitem_scalar_agrad(x: Any) -> Any:
    y = x * x
    y[1, 2] = 2.5
    return y


def _setitem_scalar_torch(x: Any) -> Any:
    y = x * x
    y[1, 2] = 2.5
    return y


def _inplace_mul_view_agrad(x: Any, v: Any) -> Any:
    y = x + 0.0
    row = y[1]
    row *= v
    return y


def _inplace_mul_view_torch(x: Any, v: Any) -> Any:
    y = x.clone()
    row = y[1]
    row *= v
    return y


def _setitem_view_agrad(x: Any, v: Any) -> Any:
    y = x + 0.0
    view = y[:, 1:]
    view[0] = v
    return y * y


def _setitem_view_torch(x: Any, v: Any) -> Any:
    y = x.clone()
    view = y[:, 1:]
    view[0] = v
    return y * y


def _setitem_reshaped_agrad(x: Any, v: Any) -> Any:
    y = x + 0.0
    flat = agrad.reshape(y, (-1,))
    flat[2:5] = v
    return y


def _setitem_reshaped_torch(x: Any, v: Any) -> Any:
    y = x.clone()
    flat = torch.reshape(y, (-1,))
    flat[2:5] = v
    return y


def _iadd_agrad(x: Any, v: Any) -> Any:
    y = x * x
    y += v
    return y


def _iadd_torch(x: Any, v: Any) -> Any:
    y = x * x
    y += v
    return y


def _torch_meshgrid_product(a: Any, b: Any, c: Any, indexing: str) -> Any:
    ga, gb, gc = torch.meshgrid(a, b, c, indexing=indexing)
    return ga * gb * gc


CASES: list[Case] = [
    # -- arithmetic, with broadcasting and Python scalars -------------------------------
    # -- complex parts: real inputs feeding complex values, and complex inputs -----------
    Case(
        "real-of-complex",
        "real",
        lambda x: agrad.real(x * (1 - 0.5j)) * x,
        lambda x: torch.real(x * (1 - 0.5j)) * x,
        ((3, 2),),
        cplx=True,
    ),
    Case(
        "imag-of-complex",
        "imag",
        lambda x: agrad.imag(x * (1 + 2j)) * x,
        lambda x: torch.imag(x * (1 + 2j)) * x,
        ((4,),),
        cplx=True,
    ),
    Case(
        "conj",
        "conj",
        lambda x: agrad.conj(x * (1 + 1j)) * x,
        lambda x: torch.conj(x * (1 + 1j)) * x,
        ((2, 3),),
        cplx=True,
    ),
    Case("add-broadcast", "add", agrad.add, torch.add, ((3, 1), (4,)), cplx=True),
    Case("add-0d-and-1d", "add", agrad.add, torch.add, ((), (3,))),
    Case("add-operator-scalar", "add", lambda x: x + 2.5, lambda x: x + 2.5, ((2, 3),)),
    Case("add-reflected-scalar", "add", lambda x: 2.5 + x, lambda x: 2.5 + x, ((2, 3),)),
    Case("add-same-input", "add", lambda x: agrad.add(x, x), lambda x: x + x, ((3,),)),
    Case(
        "subtract-broadcast", "subtract", agrad.subtract, torch.sub, ((2, 3, 4), (3, 1)), cplx=True
    ),
    Case("subtract-reflected-scalar", "subtract", lambda x: 1.0 - x, lambda x: 1.0 - x, ((4,),)),
    Case("multiply-broadcast", "multiply", agrad.multiply, torch.mul, ((3, 1), (4,)), cplx=True),
    Case("multiply-0d", "multiply", agrad.multiply, torch.mul, ((), ())),
    Case("multiply-same-input", "multiply", lambda x: x * x, lambda x: x * x, ((3, 2),), cplx=True),
    Case(
        "multiply-complex-scalar",
        "multiply",
        lambda x: x * (1 + 2j),
        lambda x: x * (1 + 2j),
        ((3,),),
    ),
    Case("multiply-scalar", "multiply", lambda x: 3.0 * x, lambda x: 3.0 * x, ((3,),)),
    Case(
        "divide-broadcast",
        "divide",
        agrad.divide,
        torch.div,
        ((3, 1), (4,)),
        (REAL, AWAY),
        cplx=True,
    ),
    Case(
        "divide-scalar-numerator",
        "divide",
        lambda x: 1.5 / x,
        lambda x: 1.5 / x,
        ((5,),),
        (AWAY,),
        cplx=True,
    ),
    Case("divide-scalar-denominator", "divide", lambda x: x / 4.0, lambda x: x / 4.0, ((5,),)),
    Case(
        "remainder-broadcast",
        "remainder",
        agrad.remainder,
        torch.remainder,
        ((3, 4), (4,)),
        (REAL, AWAY),
    ),
    Case("remainder-scalar-divisor", "remainder", lambda x: x % 0.7, lambda x: x % 0.7, ((6,),)),
    Case(
        "remainder-scalar-dividend",
        "remainder",
        lambda x: 3.0 % x,
        # torch has no derivative for `remainder(Scalar, Tensor)`
        lambda x: torch.remainder(torch.full_like(x, 3.0), x),
        ((6,),),
        (AWAY,),
    ),
    *_unary("negative", agrad.negative, torch.neg, cplx=True),
    Case("negative-operator", "negative", lambda x: -x, lambda x: -x, ((4,),)),
    *_unary("positive", agrad.positive, torch.positive, cplx=True),
    Case("positive-operator", "positive", lambda x: +x, lambda x: +x, ((4,),)),
    # -- pow: tensor and Python exponents, Python base ----------------------------------
    Case("pow-tensors", "pow", agrad.pow, torch.pow, ((3, 1), (4,)), (POSITIVE, REAL), cplx=True),
    Case("pow-int-3", "pow", lambda x: x**3, lambda x: x**3, ((3, 4),), cplx=True),
    Case("pow-int-2", "pow", lambda x: agrad.pow(x, 2), lambda x: torch.pow(x, 2), ((3, 4),)),
    Case("pow-int-4", "pow", lambda x: x**4, lambda x: x**4, ((3, 4),), cplx=True),
    Case("pow-float-3", "pow", lambda x: agrad.pow(x, 3.0), lambda x: x**3.0, ((2, 2),)),
    Case("pow-int-0", "pow", lambda x: x**0, lambda x: x**0, ((4,),)),
    Case("pow-int-negative", "pow", lambda x: x**-2, lambda x: x**-2, ((4,),), (AWAY,), cplx=True),
    Case("pow-half", "pow", lambda x: x**0.5, lambda x: x**0.5, ((3, 4),), (POSITIVE,)),
    Case("pow-scalar-base", "pow", lambda x: 2.0**x, lambda x: 2.0**x, ((3, 4),), cplx=True),
    # a real input feeding complex values: its gradient is the real part
    Case(
        "pow-complex-scalar-base",
        "pow",
        lambda x: (1 + 1j) ** x,
        lambda x: (1 + 1j) ** x,
        ((3, 4),),
        cplx=True,
    ),
    Case(
        "pow-complex-scalar-exponent",
        "pow",
        lambda x: x ** (0.5 + 1j),
        lambda x: x ** (0.5 + 1j),
        ((3, 4),),
        (POSITIVE,),
        cplx=True,
    ),
    Case(
        "pow-zero-base",
        "pow",
        agrad.pow,
        _torch_pow_zero_base,
        ((4,), (4,)),
        (Fixed((0.0, 0.0, 0.0, 1.5)), Fixed((3.5, 4.0, 0.0, -1.0))),
    ),
    # -- elementwise functions ----------------------------------------------------------
    *_unary("exp", agrad.exp, torch.exp, cplx=True),
    *_unary("log", agrad.log, torch.log, POSITIVE, cplx=True),
    *_unary("sin", agrad.sin, torch.sin, cplx=True),
    *_unary("cos", agrad.cos, torch.cos, cplx=True),
    *_unary("tanh", agrad.tanh, torch.tanh, cplx=True),
    *_unary("sqrt", agrad.sqrt, torch.sqrt, POSITIVE, cplx=True),
    *_unary("abs", agrad.abs, torch.abs, AWAY, cplx=True),
    # -- joining, splitting, moving ---------------------------------------------------------
    Case(
        "concat-axis1",
        "concat",
        lambda a, b: agrad.concat([a, b * b], axis=1),
        lambda a, b: torch.cat([a, b * b], dim=1),
        ((2, 3), (2, 2)),
        cplx=True,
    ),
    Case(
        "concat-flat",
        "concat",
        lambda a, b: agrad.concat((a, b), axis=None) * 2.0,
        lambda a, b: torch.cat([a.reshape(-1), b.reshape(-1)]) * 2.0,
        ((2, 3), (4,)),
    ),
    Case(
        "stack",
        "stack",
        lambda a, b: agrad.stack([a, b * a], axis=-1),
        lambda a, b: torch.stack([a, b * a], dim=-1),
        ((3, 2), (3, 2)),
        cplx=True,
    ),
    Case(
        "unstack",
        "unstack",
        lambda x: agrad.unstack(x, axis=1)[0] * agrad.unstack(x, axis=1)[2],
        lambda x: torch.unbind(x, dim=1)[0] * torch.unbind(x, dim=1)[2],
        ((4, 3),),
        cplx=True,
    ),
    Case(
        "broadcast_arrays",
        "broadcast_arrays",
        lambda a, b: agrad.broadcast_arrays(a, b)[0] * agrad.broadcast_arrays(a, b)[1],
        lambda a, b: torch.broadcast_tensors(a, b)[0] * torch.broadcast_tensors(a, b)[1],
        ((3, 1), (4,)),
        cplx=True,
    ),
    Case(
        "moveaxis",
        "moveaxis",
        lambda x: agrad.moveaxis(x, 0, -1) ** 2,
        lambda x: torch.movedim(x, 0, -1) ** 2,
        ((2, 3, 4),),
        cplx=True,
    ),
    Case(
        "roll",
        "roll",
        lambda x: agrad.roll(x, (1, -2), axis=(0, 1)) * x,
        lambda x: torch.roll(x, (1, -2), dims=(0, 1)) * x,
        ((3, 4),),
        cplx=True,
    ),
    Case(
        "roll-flat",
        "roll",
        lambda x: agrad.roll(x, 2) * x,
        lambda x: torch.roll(x, 2) * x,
        ((3, 4),),
    ),
    Case(
        "tile",
        "tile",
        lambda x: agrad.tile(x, (2, 1, 3)) ** 2,
        lambda x: torch.tile(x, (2, 1, 3)) ** 2,
        ((3, 2),),
        cplx=True,
    ),
    Case(
        "repeat-int-axis",
        "repeat",
        lambda x: agrad.repeat(x, 3, axis=1) ** 2,
        lambda x: torch.repeat_interleave(x, 3, dim=1) ** 2,
        ((2, 3),),
        cplx=True,
    ),
    Case(
        "repeat-counts-flat",
        "repeat",
        lambda x: agrad.repeat(x, agrad.asarray([1, 0, 2, 3, 1, 2])) ** 2,
        lambda x: torch.repeat_interleave(x.reshape(-1), torch.tensor([1, 0, 2, 3, 1, 2])) ** 2,
        ((2, 3),),
    ),
    # -- take, sort, contractions, differences -----------------------------------------
    Case(
        "take-axis-repeats",
        "take",
        lambda x: agrad.take(x, agrad.asarray([2, 0, 2]), axis=1) ** 2,
        lambda x: torch.index_select(x, 1, torch.tensor([2, 0, 2])) ** 2,
        ((3, 4),),
        cplx=True,
    ),
    Case(
        "take-flat",
        "take",
        lambda x: agrad.take(x, agrad.asarray([5, 1, 5])) * 3.0,
        lambda x: torch.take(x, torch.tensor([5, 1, 5])) * 3.0,
        ((6,),),
    ),
    Case(
        "take_along_axis",
        "take_along_axis",
        lambda x: agrad.take_along_axis(x, agrad.asarray([[0, 0], [2, 1], [1, 1]]), axis=1) ** 2,
        lambda x: torch.take_along_dim(x, torch.tensor([[0, 0], [2, 1], [1, 1]]), dim=1) ** 2,
        ((3, 4),),
        cplx=True,
    ),
    Case(
        "sort-axis",
        "sort",
        lambda x: agrad.sort(x, axis=0) * agrad.asarray(np.arange(12.0).reshape(3, 4).tolist()),
        lambda x: torch.sort(x, dim=0).values * torch.arange(12.0, dtype=x.dtype).reshape(3, 4),
        ((3, 4),),
    ),
    Case(
        "sort-descending",
        "sort",
        lambda x: agrad.sort(x, descending=True) ** 3,
        lambda x: torch.sort(x, descending=True).values ** 3,
        ((2, 5),),
    ),
    Case(
        "tensordot",
        "tensordot",
        lambda a, b: agrad.tensordot(a, b, axes=([1, 0], [0, 2])),
        lambda a, b: torch.tensordot(a, b, dims=([1, 0], [0, 2])),
        ((3, 2, 4), (2, 5, 3)),
        cplx=True,
    ),
    Case(
        "tensordot-int",
        "tensordot",
        lambda a, b: agrad.tensordot(a, b, axes=1),
        lambda a, b: torch.tensordot(a, b, dims=1),
        ((3, 4), (4, 2)),
    ),
    Case(
        "vecdot",
        "vecdot",
        lambda a, b: agrad.vecdot(a, b, axis=0),
        lambda a, b: torch.linalg.vecdot(a, b, dim=0),
        ((3, 4), (3, 1)),
        cplx=True,
    ),
    Case(
        "diff-n2-prepend",
        "diff",
        lambda x, p: agrad.diff(x, axis=0, n=2, prepend=p) ** 2,
        lambda x, p: torch.diff(x, dim=0, n=2, prepend=p) ** 2,
        ((4, 3), (1, 3)),
        cplx=True,
    ),
    Case(
        "cumulative_prod",
        "cumulative_prod",
        lambda x: agrad.cumulative_prod(x, axis=1),
        lambda x: torch.cumprod(x, dim=1),
        ((3, 4),),
        (AWAY,),
        cplx=True,
    ),
    Case(
        "cumulative_prod-zeros",
        "cumulative_prod",
        lambda x: agrad.cumulative_prod(x, axis=0, include_initial=True) * 1.5,
        lambda x: torch.cat([torch.ones(1, 2, dtype=x.dtype), torch.cumprod(x, dim=0)]) * 1.5,
        ((4, 2),),
        (Fixed((2.0, 0.0, 0.0, 1.5, -1.0, 0.0, 3.0, 2.0)),),
    ),
    Case(
        "cumulative_prod-zeros-complex",
        "cumulative_prod",
        lambda x: agrad.cumulative_prod(x * (1 + 0.5j)),
        lambda x: torch.cumprod(x * (1 + 0.5j), dim=0),
        ((6,),),
        (Fixed((2.0, 0.0, 0.5, 0.0, 3.0, -1.0)),),
    ),
    Case(
        "tril",
        "tril",
        lambda x: agrad.tril(x, k=-1) * x,
        lambda x: torch.tril(x, diagonal=-1) * x,
        ((2, 3, 3),),
        cplx=True,
    ),
    Case(
        "triu",
        "triu",
        lambda x: agrad.triu(x, k=1) ** 2,
        lambda x: torch.triu(x, 1) ** 2,
        ((3, 4),),
        cplx=True,
    ),
    Case(
        "meshgrid-xy",
        "meshgrid",
        lambda a, b, c: (
            agrad.meshgrid(a, b, c)[0] * agrad.meshgrid(a, b, c)[1] * agrad.meshgrid(a, b, c)[2]
        ),
        lambda a, b, c: _torch_meshgrid_product(a, b, c, "xy"),
        ((2,), (3,), (4,)),
    ),
    Case(
        "meshgrid-ij",
        "meshgrid",
        lambda a, b: (
            agrad.meshgrid(a, b, indexing="ij")[0] ** 2 * agrad.meshgrid(a, b, indexing="ij")[1]
        ),
        lambda a, b: (
            torch.meshgrid(a, b, indexing="ij")[0] ** 2 * torch.meshgrid(a, b, indexing="ij")[1]
        ),
        ((2,), (3,)),
        cplx=True,
    ),
    # -- reductions beyond sum and mean --------------------------------------------------
    Case("prod-all", "prod", agrad.prod, torch.prod, ((3, 4),), (AWAY,), cplx=True),
    Case(
        "prod-axis-keepdims",
        "prod",
        lambda x: agrad.prod(x, axis=1, keepdims=True),
        lambda x: torch.prod(x, dim=1, keepdim=True),
        ((3, 4),),
        (AWAY,),
    ),
    Case(
        "prod-one-zero",
        "prod",
        lambda x: agrad.prod(x, axis=1),
        lambda x: torch.prod(x, dim=1),
        ((2, 3),),
        (Fixed((2.0, 0.0, 3.0, 1.5, -2.0, 0.5)),),
    ),
    Case(
        "prod-two-zeros",  # the second order at [0, 0, 3]: H e0 = [0, 3, 0]
        "prod",
        lambda x: agrad.prod(x, axis=(0, 2)),
        lambda x: torch.prod(torch.prod(x, dim=2), dim=0),
        ((2, 2, 3),),
        (Fixed((0.0, 0.0, 3.0, 1.5, -2.0, 0.5, 2.0, 0.0, 0.0, -1.0, 0.0, 2.0)),),
    ),
    Case(
        "prod-axes-empty-kept",  # a kept axis of length 0 (a reshape by -1 is undetermined)
        "prod",
        lambda x: agrad.prod(x, axis=(1, 2)),
        lambda x: torch.prod(torch.prod(x, dim=2), dim=1),
        ((0, 2, 3),),
    ),
    Case(
        "max-ties",
        "max",
        lambda x: agrad.max(x, axis=0) * 2.0,
        lambda x: torch.amax(x, dim=0) * 2.0,
        ((2, 3),),
        (Fixed((1.0, 5.0, -1.0, 1.0, 2.0, 3.0)),),
    ),
    Case("max-all", "max", agrad.max, torch.amax, ((3, 4),), (AWAY,)),
    Case(
        "min-axis-keepdims",
        "min",
        lambda x: agrad.min(x, axis=(0, 2), keepdims=True),
        lambda x: torch.amin(x, dim=(0, 2), keepdim=True),
        ((2, 3, 4),),
    ),
    Case(
        "var-correction",
        "var",
        lambda x: agrad.var(x, axis=1, correction=1),
        lambda x: torch.var(x, dim=1, correction=1),
        ((3, 5),),
    ),
    Case("var-all", "var", agrad.var, lambda x: torch.var(x, correction=0), ((4, 2),)),
    Case(
        "std-axis",
        "std",
        lambda x: agrad.std(x, axis=0, correction=1, keepdims=True),
        lambda x: torch.std(x, dim=0, correction=1, keepdim=True),
        ((5, 3),),
    ),
    Case(
        "cumulative_sum-axis",
        "cumulative_sum",
        lambda x: agrad.cumulative_sum(x, axis=1) * x,
        lambda x: torch.cumsum(x, dim=1) * x,
        ((3, 4),),
        cplx=True,
    ),
    Case(
        "cumulative_sum-initial",
        "cumulative_sum",
        lambda x: agrad.cumulative_sum(x, include_initial=True) ** 2,
        lambda x: torch.cat([torch.zeros(1, dtype=x.dtype), torch.cumsum(x, dim=0)]) ** 2,
        ((5,),),
    ),
    Case(
        "flip",
        "flip",
        lambda x: agrad.flip(x, axis=1) * x,
        lambda x: torch.flip(x, dims=(1,)) * x,
        ((3, 4),),
        cplx=True,
    ),
    Case(
        "flip-all",
        "flip",
        lambda x: agrad.flip(x) * x,
        lambda x: torch.flip(x, dims=(0, 1)) * x,
        ((3, 2),),
    ),
    *_unary("sign", lambda x: agrad.sign(x) * x, lambda x: torch.sgn(x) * x, AWAY, cplx=True),
    *_unary("acos", agrad.acos, torch.acos, UNIT, cplx=True),
    *_unary("asin", agrad.asin, torch.asin, UNIT, cplx=True),
    *_unary("atan", agrad.atan, torch.atan, REAL, cplx=True),
    *_unary("acosh", agrad.acosh, torch.acosh, ABOVE_ONE, cplx=True),
    *_unary("asinh", agrad.asinh, torch.asinh, REAL, cplx=True),
    *_unary("atanh", agrad.atanh, torch.atanh, UNIT, cplx=True),
    *_unary("sinh", agrad.sinh, torch.sinh, REAL, cplx=True),
    *_unary("cosh", agrad.cosh, torch.cosh, REAL, cplx=True),
    *_unary("tan", agrad.tan, torch.tan, SMALL, cplx=True),
    *_unary("expm1", agrad.expm1, torch.expm1, REAL, cplx=True),
    *_unary("log1p", agrad.log1p, torch.log1p, POSITIVE, cplx=True),
    *_unary("log2", agrad.log2, torch.log2, POSITIVE, cplx=True),
    *_unary("log10", agrad.log10, torch.log10, POSITIVE, cplx=True),
    *_unary("square", agrad.square, torch.square, REAL, cplx=True),
    *_unary("reciprocal", agrad.reciprocal, torch.reciprocal, AWAY, cplx=True),
    Case("atan2", "atan2", agrad.atan2, torch.atan2, ((3, 1), (4,)), (AWAY, AWAY)),
    Case("hypot", "hypot", agrad.hypot, torch.hypot, ((3, 4), (4,)), (AWAY, AWAY)),
    Case("logaddexp", "logaddexp", agrad.logaddexp, torch.logaddexp, ((3, 1), (4,))),
    Case("nextafter", "nextafter", agrad.nextafter, torch.nextafter, ((3, 1), (4,))),
    Case("copysign", "copysign", agrad.copysign, torch.copysign, ((3, 4), (4,)), (AWAY, AWAY)),
    Case(
        "minimum-ties",
        "minimum",
        lambda a, b: agrad.minimum(a, b) * a,
        lambda a, b: torch.minimum(a, b) * a,
        ((5,), (5,)),
        (Fixed((1.0, 2.0, -1.0, 0.5, 3.0)), Fixed((1.0, 1.0, 2.0, 0.5, 4.0))),
    ),
    Case(
        "minimum-broadcast", "minimum", agrad.minimum, torch.minimum, ((3, 1), (4,)), (AWAY, REAL)
    ),
    Case(
        "clip-scalars",
        "clip",
        lambda x: agrad.clip(x, min=-0.5, max=0.7) * x,
        lambda x: torch.clamp(x, min=-0.5, max=0.7) * x,
        ((3, 4),),
    ),
    Case(
        "clip-tensors",
        "clip",
        lambda x, lo, hi: agrad.clip(x, lo, hi) * x,
        lambda x, lo, hi: torch.clamp(x, lo, hi) * x,
        ((3, 4), (4,), (3, 1)),
        (REAL, Domain(0.0, 1.0), Domain(1.0, 1.5, signed=False)),
    ),
    Case(
        "clip-min-only",
        "clip",
        lambda x, lo: agrad.clip(x, min=lo),
        lambda x, lo: torch.clamp(x, min=lo),
        ((3, 4), (4,)),
    ),
    Case("abs-at-zero", "abs", agrad.abs, torch.abs, ((3,),), (Fixed((0.0, -1.0, 2.0)),)),
    Case("abs-operator", "abs", lambda x: abs(x), lambda x: abs(x), ((4,),), (AWAY,)),
    Case("maximum-broadcast", "maximum", agrad.maximum, torch.maximum, ((3, 1), (4,))),
    # ties split the gradient in half, as in torch
    Case(
        "maximum-ties",
        "maximum",
        agrad.maximum,
        torch.maximum,
        ((4,), (4,)),
        (Fixed((1.0, -0.5, 2.0, 0.3)), Fixed((1.0, 0.5, 2.0, -0.3))),
    ),
    Case(
        "maximum-same-input",
        "maximum",
        lambda x: agrad.maximum(x, x),
        lambda x: torch.maximum(x, x),
        ((3,),),
    ),
    Case(
        "maximum-scalar",
        "maximum",
        lambda x: agrad.maximum(x, 0.0),
        lambda x: torch.clamp_min(x, 0.0),
        ((3, 4),),
        (AWAY,),
    ),
    # -- reductions ---------------------------------------------------------------------
    Case("sum-all", "sum", agrad.sum, torch.sum, ((2, 3, 4),), cplx=True),
    Case(
        "sum-axis-1",
        "sum",
        lambda x: agrad.sum(x, axis=1),
        lambda x: torch.sum(x, dim=1),
        ((2, 3, 4),),
        cplx=True,
    ),
    Case(
        "sum-axis-0-2",
        "sum",
        lambda x: agrad.sum(x, axis=(0, 2)),
        lambda x: torch.sum(x, dim=(0, 2)),
        ((2, 3, 4),),
    ),
    Case(
        "sum-axis-neg-keepdims",
        "sum",
        lambda x: agrad.sum(x, axis=-1, keepdims=True),
        lambda x: torch.sum(x, dim=-1, keepdim=True),
        ((2, 3, 4),),
    ),
    Case(
        "sum-all-keepdims",
        "sum",
        lambda x: agrad.sum(x, keepdims=True),
        lambda x: torch.sum(x, dim=(0, 1), keepdim=True),
        ((3, 4),),
    ),
    Case("sum-0d", "sum", agrad.sum, torch.sum, ((),)),
    Case(
        "sum-dtype-float64",
        "sum",
        lambda x: agrad.sum(x, dtype=agrad.float64),
        lambda x: torch.sum(x, dtype=torch.float64),
        ((3, 4),),
    ),
    Case("mean-all", "mean", agrad.mean, torch.mean, ((2, 3, 4),), cplx=True),
    Case(
        "mean-axis-1",
        "mean",
        lambda x: agrad.mean(x, axis=1),
        lambda x: torch.mean(x, dim=1),
        ((2, 3, 4),),
    ),
    Case(
        "mean-axis-0-2-keepdims",
        "mean",
        lambda x: agrad.mean(x, axis=(0, 2), keepdims=True),
        lambda x: torch.mean(x, dim=(0, 2), keepdim=True),
        ((2, 3, 4),),
        cplx=True,
    ),
    Case("mean-0d", "mean", agrad.mean, torch.mean, ((),)),
    # -- linear algebra -----------------------------------------------------------------
    Case("matmul-2d-2d", "matmul", agrad.matmul, torch.matmul, ((3, 4), (4, 5)), cplx=True),
    Case("matmul-1d-1d", "matmul", agrad.matmul, torch.matmul, ((4,), (4,)), cplx=True),
    Case("matmul-1d-2d", "matmul", agrad.matmul, torch.matmul, ((4,), (4, 5)), cplx=True),
    Case("matmul-2d-1d", "matmul", agrad.matmul, torch.matmul, ((3, 4), (4,)), cplx=True),
    Case(
        "matmul-batch-broadcast",
        "matmul",
        agrad.matmul,
        torch.matmul,
        ((2, 1, 3, 4), (5, 4, 2)),
        cplx=True,
    ),
    Case("matmul-1d-batch", "matmul", agrad.matmul, torch.matmul, ((4,), (2, 4, 3))),
    Case("matmul-batch-1d", "matmul", agrad.matmul, torch.matmul, ((2, 3, 4), (4,))),
    Case("matmul-operator", "matmul", lambda a, b: a @ b, lambda a, b: a @ b, ((2, 3), (3, 2))),
    Case(
        "matrix_transpose",
        "matrix_transpose",
        agrad.matrix_transpose,
        lambda x: x.mT,
        ((2, 3, 4),),
        cplx=True,
    ),
    Case("matrix_transpose-mT", "matrix_transpose", lambda x: x.mT, lambda x: x.mT, ((3, 4),)),
    # -- manipulation -------------------------------------------------------------------
    Case(
        "reshape",
        "reshape",
        lambda x: agrad.reshape(x, (6, 4)),
        lambda x: torch.reshape(x, (6, 4)),
        ((2, 3, 4),),
        cplx=True,
    ),
    Case(
        "reshape-flatten",
        "reshape",
        lambda x: agrad.reshape(x, (-1,)),
        lambda x: torch.reshape(x, (-1,)),
        ((3, 4),),
    ),
    Case(
        "reshape-0d",
        "reshape",
        lambda x: agrad.reshape(x, (1, 1)),
        lambda x: torch.reshape(x, (1, 1)),
        ((),),
    ),
    Case(
        "permute_dims",
        "permute_dims",
        lambda x: agrad.permute_dims(x, (2, 0, 1)),
        lambda x: torch.permute(x, (2, 0, 1)),
        ((2, 3, 4),),
        cplx=True,
    ),
    Case(
        "permute_dims-negative-axes",
        "permute_dims",
        lambda x: agrad.permute_dims(x, (-1, 0, 1)),
        lambda x: torch.permute(x, (-1, 0, 1)),
        ((2, 3, 4),),
    ),
    Case("permute_dims-T", "permute_dims", lambda x: x.T, lambda x: x.T, ((3, 4),)),
    Case(
        "broadcast_to",
        "broadcast_to",
        lambda x: agrad.broadcast_to(x, (2, 3, 4)),
        lambda x: torch.broadcast_to(x, (2, 3, 4)),
        ((3, 1),),
        cplx=True,
    ),
    Case(
        "broadcast_to-0d",
        "broadcast_to",
        lambda x: agrad.broadcast_to(x, (2, 3)),
        lambda x: torch.broadcast_to(x, (2, 3)),
        ((),),
    ),
    Case(
        "expand_dims-0",
        "expand_dims",
        lambda x: agrad.expand_dims(x, axis=0),
        lambda x: torch.unsqueeze(x, 0),
        ((3, 4),),
        cplx=True,
    ),
    Case(
        "expand_dims-last",
        "expand_dims",
        lambda x: agrad.expand_dims(x, axis=-1),
        lambda x: torch.unsqueeze(x, -1),
        ((3, 4),),
    ),
    Case(
        "squeeze-1",
        "squeeze",
        lambda x: agrad.squeeze(x, axis=1),
        lambda x: torch.squeeze(x, 1),
        ((3, 1, 4),),
        cplx=True,
    ),
    Case(
        "squeeze-0-2",
        "squeeze",
        lambda x: agrad.squeeze(x, axis=(0, 2)),
        lambda x: torch.squeeze(x, (0, 2)),
        ((1, 3, 1),),
    ),
    # -- where --------------------------------------------------------------------------
    Case(
        "where-broadcast",
        "where",
        lambda a, b: agrad.where(_ag(_MASK), a, b),
        lambda a, b: torch.where(_T_MASK, a, b),
        ((3, 1), (4,)),
        cplx=True,
    ),
    Case(
        "where-scalar-x2",
        "where",
        lambda x: agrad.where(_ag(_MASK), x, 0.0),
        lambda x: torch.where(_T_MASK, x, 0.0),
        ((3, 4),),
        cplx=True,
    ),
    Case(
        "where-scalar-x1",
        "where",
        lambda x: agrad.where(_ag(_MASK), 1.5, x),
        lambda x: torch.where(_T_MASK, 1.5, x),
        ((3, 4),),
    ),
    Case(
        "where-same-input",
        "where",
        lambda x: agrad.where(_ag(_MASK), x, x * x),
        lambda x: torch.where(_T_MASK, x, x * x),
        ((4,),),
    ),
    # -- creation and data type ---------------------------------------------------------
    Case(
        "asarray-copy",
        "asarray",
        lambda x: agrad.asarray(x, copy=True),
        lambda x: x.clone(),
        ((3, 4),),
        cplx=True,
    ),
    Case("asarray-no-copy", "asarray", agrad.asarray, lambda x: x, ((3, 4),)),
    Case(
        "astype-float64",
        "astype",
        lambda x: agrad.astype(x, agrad.float64),
        lambda x: x.to(torch.float64),
        ((3, 4),),
    ),
    Case(
        "astype-via-float32",
        "astype",
        _astype_roundtrip_agrad,
        lambda x: x.to(torch.float32).to(x.dtype),
        ((3, 4),),
    ),
    Case(
        "astype-to-complex",
        "astype",
        lambda x: agrad.astype(x, agrad.complex128),
        lambda x: x.to(torch.complex128),
        ((3, 4),),
    ),
    # -- indexing -----------------------------------------------------------------------
    Case(
        "getitem-slices",
        "__getitem__",
        lambda x: x[1:3, ::2],
        lambda x: x[1:3, ::2],
        ((4, 5),),
        cplx=True,
    ),
    Case("getitem-ints", "__getitem__", lambda x: x[1, -1], lambda x: x[1, -1], ((3, 4),)),
    Case("getitem-int-row", "__getitem__", lambda x: x[1], lambda x: x[1], ((3, 4),)),
    Case(
        "getitem-none-ellipsis",
        "__getitem__",
        lambda x: x[None, ..., 1],
        lambda x: x[None, ..., 1],
        ((2, 3, 4),),
    ),
    Case("getitem-0d-empty-tuple", "__getitem__", lambda x: x[()], lambda x: x[()], ((),)),
    Case(
        "getitem-int-array-repeated",
        "__getitem__",
        lambda x: x[_ag(_IDX)],
        lambda x: x[_T_IDX],
        ((4, 3),),
        cplx=True,
    ),
    Case(
        "getitem-int-arrays-2",
        "__getitem__",
        lambda x: x[_ag(_IDX2), _ag(_IDX2)],
        lambda x: x[_T_IDX2, _T_IDX2],
        ((2, 3),),
    ),
    Case(
        "getitem-slice-int-array",
        "__getitem__",
        lambda x: x[:, _ag(_IDX)],
        lambda x: x[:, _T_IDX],
        ((2, 4),),
    ),
    Case(
        "getitem-bool-mask",
        "__getitem__",
        lambda x: x[_ag(_MASK)],
        lambda x: x[_T_MASK],
        ((3, 4),),
        cplx=True,
    ),
    Case(
        "setitem-slice",
        "__setitem__",
        _setitem_agrad(slice(1, 3)),
        _setitem_torch(slice(1, 3)),
        ((4, 4), (2, 4)),
        cplx=True,
    ),
    Case(
        "setitem-broadcast-value",
        "__setitem__",
        _setitem_agrad((slice(None), slice(1, 3))),
        _setitem_torch((slice(None), slice(1, 3))),
        ((3, 4), (3, 1)),
    ),
    Case("setitem-int", "__setitem__", _setitem_agrad(1), _setitem_torch(1), ((3, 4), (4,))),
    Case(
        "setitem-int-array",
        "__setitem__",
        _setitem_agrad(_UNIQUE_IDX),
        _setitem_torch(_T_UNIQUE),
        ((4, 2), (3, 2)),
    ),
    Case(
        "setitem-bool-mask",
        "__setitem__",
        _setitem_agrad(_MASK),
        _setitem_torch(_T_MASK),
        ((3, 4), (int(_MASK.sum()),)),
        cplx=True,
    ),
    Case(
        "setitem-bool-mask-0d-value",
        "__setitem__",
        _setitem_agrad(_MASK),
        _setitem_torch(_T_MASK),
        ((3, 4), ()),
    ),
    Case(
        "setitem-python-scalar",
        "__setitem__",
        _setitem_scalar_agrad,
        _setitem_scalar_torch,
        ((3, 4),),
    ),
    Case(
        "setitem-twice", "__setitem__", _setitem_twice_agrad, _setitem_twice_torch, ((4, 3), (3,))
    ),
    Case(
        "inplace-mul-through-view",
        "_view_scatter",
        _inplace_mul_view_agrad,
        _inplace_mul_view_torch,
        ((3, 4), (4,)),
        cplx=True,
    ),
    Case(
        "setitem-through-view",
        "_view_scatter",
        _setitem_view_agrad,
        _setitem_view_torch,
        ((3, 4), (3,)),
    ),
    Case(
        "setitem-through-reshape",
        "_view_scatter",
        _setitem_reshaped_agrad,
        _setitem_reshaped_torch,
        ((3, 4), (3,)),
    ),
    Case("inplace-add-broadcast", "add", _iadd_agrad, _iadd_torch, ((3, 4), (4,))),
]


def _params(check: str, cases: list[Case]) -> list[Any]:
    params = []
    for case in cases:
        marks = []
        if check in case.xfail:
            raises, reason = case.xfail[check]
            marks.append(pytest.mark.xfail(raises=raises, strict=True, reason=reason))
        params.append(pytest.param(case, id=case.id, marks=marks))
    return params


# -- the comparison -----------------------------------------------------------------------
def _draw(rng: np.random.Generator, shape: tuple[int, ...], dtype: Any) -> Any:
    values = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        values = values + 1j * rng.standard_normal(shape)
    return np.asarray(values).astype(dtype)


def _assert_grad(actual: Any, expected: Any, x: Any, where: str, tol: Mapping[str, float]) -> None:
    """``actual`` (agrad) matches ``expected`` (torch); ``None`` reads as zeros."""
    if actual is not None:
        assert actual.shape == x.shape, f"{where}: shape {actual.shape}, input has {x.shape}"
        assert actual.array.dtype == x.dtype, (
            f"{where}: dtype {actual.array.dtype}, input has {x.dtype}"
        )
        actual = np.asarray(actual.array)
    zeros = np.zeros(x.shape, x.dtype)
    expected = zeros if expected is None else expected.detach().resolve_conj().numpy()
    np.testing.assert_allclose(zeros if actual is None else actual, expected, err_msg=where, **tol)


def _check_against_torch(case: Case, dtype: Any, order: int, tol: Mapping[str, float]) -> None:
    rng = np.random.default_rng(zlib.crc32(case.id.encode()))
    arrays = case.draw(rng, dtype)
    a_xs = [agrad.tensor(a, requires_grad=True) for a in arrays]
    t_xs = [torch.tensor(a, requires_grad=True) for a in arrays]
    a_out = agrad.sin(case.f_agrad(*a_xs))
    t_out = torch.sin(case.f_torch(*t_xs))
    assert a_out.shape == tuple(t_out.shape)
    np.testing.assert_allclose(a_out.array, t_out.detach().numpy(), err_msg="forward", **tol)

    w = _draw(rng, tuple(t_out.shape), t_out.detach().numpy().dtype)
    a_outs, a_ws, t_outs, t_ws = [a_out], [w], [t_out], [torch.tensor(w)]
    none = (None,) * len(arrays)
    for k in range(order):
        create = k + 1 < order
        a_gs = (
            agrad.grad(a_outs, a_xs, a_ws, create_graph=create, allow_unused=True)
            if a_outs
            else none
        )
        t_gs = (
            torch.autograd.grad(t_outs, t_xs, t_ws, create_graph=create, allow_unused=True)
            if t_outs
            else none
        )
        for i, (a_g, t_g) in enumerate(zip(a_gs, t_gs, strict=True)):
            _assert_grad(a_g, t_g, arrays[i], f"order {k + 1}, input {i}", tol)
        # the next order differentiates sum_i sum(grad_i * v_i)
        a_outs, a_ws, t_outs, t_ws = [], [], [], []
        for i, (a_g, t_g) in enumerate(zip(a_gs, t_gs, strict=True)):
            v = _draw(rng, arrays[i].shape, dtype)
            if a_g is not None and a_g.requires_grad:
                a_outs.append(a_g)
                a_ws.append(v)
            if t_g is not None and t_g.requires_grad:
                t_outs.append(t_g)
                t_ws.append(torch.tensor(v))


@pytest.mark.parametrize("case", _params("float64", CASES))
def test_float64_to_third_order(case: Case) -> None:
    _check_against_torch(case, np.float64, case.max_order, F64_TOL)


@pytest.mark.parametrize("case", _params("float32", CASES))
def test_float32_first_and_second_order(case: Case) -> None:
    _check_against_torch(case, np.float32, min(2, case.max_order), F32_TOL)


@pytest.mark.parametrize("case", _params("complex128", [c for c in CASES if c.cplx]))
def test_complex128_first_order(case: Case) -> None:
    _check_against_torch(case, np.complex128, 1, C128_TOL)


@pytest.mark.parametrize(
    ("dtype1", "dtype2"),
    [(np.float32, np.float64), (np.float64, np.float32), (np.float32, np.complex128)],
    ids=lambda dtype: np.dtype(dtype).name,
)
def test_mixed_dtypes_grads_keep_each_inputs_dtype_and_shape(dtype1: Any, dtype2: Any) -> None:
    rng = np.random.default_rng(7)
    arrays = [_draw(rng, (3, 1), dtype1), _draw(rng, (4,), dtype2)]
    a_xs = [agrad.tensor(a, requires_grad=True) for a in arrays]
    t_xs = [torch.tensor(a, requires_grad=True) for a in arrays]
    w = _draw(rng, (3, 4), np.result_type(dtype1, dtype2))
    a_gs = agrad.grad([a_xs[0] * a_xs[1]], a_xs, [w])
    t_gs = torch.autograd.grad([t_xs[0] * t_xs[1]], t_xs, [torch.tensor(w)])
    for i, (a_g, t_g) in enumerate(zip(a_gs, t_gs, strict=True)):
        _assert_grad(a_g, t_g, arrays[i], f"input {i}", F32_TOL)


# -- the table covers the rules -----------------------------------------------------------
def _internal(name: str) -> bool:
    """agrad's own ops (``_view_scatter``), not the standard's dunders (``__getitem__``)."""
    return name.startswith("_") and not name.startswith("__")


def test_every_differentiable_rule_has_a_case() -> None:
    # the extensions have their own files (tests/test_fft.py, tests/test_linalg.py)
    ruled = {
        name
        for name, rule in TABLE.items()
        if not rule.nondiff and not _internal(name) and "." not in name
    }
    missing = sorted(ruled - {case.rule for case in CASES})
    assert not missing, f"rules without a case in tests/test_rules.py: {missing}"


def test_cases_name_differentiable_rules() -> None:
    unknown = sorted(
        {case.rule for case in CASES if case.rule not in TABLE or TABLE[case.rule].nondiff}
    )
    assert not unknown, f"cases for names with no differentiable rule: {unknown}"


def test_case_ids_are_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))


# -- edge values: infinities, NaN, signed zeros -------------------------------------------
_INF, _NAN = float("inf"), float("nan")


@dataclasses.dataclass(frozen=True)
class Edge:
    """An elementwise call at edge values, compared with torch at orders 1 and 2.

    ``second`` replaces torch's second-order result where agrad deliberately differs
    (docs/coverage.md, "Edge values"): a torch function whose derivatives are the ones agrad
    gives, with the reason.
    """

    id: str
    f_agrad: Callable[..., Any]
    f_torch: Callable[..., Any]
    inputs: tuple[tuple[complex, ...], ...]
    cotangent: tuple[complex, ...] | None = None
    second: Callable[..., Any] | None = None


def _sqrt_via_torch_sqrt(x: Any) -> Any:
    # torch's x**0.5 takes its second derivative through rsqrt (-inf at -0.0, -0.0 at -inf);
    # agrad's x**0.5 differentiates as torch.sqrt does (+inf, NaN)
    return torch.sqrt(x)


def _torch_zero_base_limits(x2: Any) -> Any:
    # 0 ** x2 with torch's `where` sanitised: torch.pow's second order is NaN where x2 >= 0
    # (0 * log(0) in its discarded branch); the derivatives there are 0, and agrad gives that
    negative = x2 < 0
    return torch.where(negative, 0.0 ** torch.where(negative, x2, -1.0), 0 * x2)


class _AbsNaNGradient(torch.autograd.Function):
    """torch.abs with the gradient agrad gives at NaN (NaN; torch's is 0): see
    docs/coverage.md, "Edge values"."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return torch.abs(x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * torch.where(torch.isnan(x), torch.nan, torch.sign(x))


EDGES = [
    Edge(
        "sign-infinite-cotangent",
        agrad.sign,
        torch.sign,
        ((1.0, 0.0, -2.0, _NAN),),
        (_INF, -_INF, _NAN, 1.0),
    ),
    Edge(
        "abs-nan-zero-inf",
        agrad.abs,
        lambda x: _AbsNaNGradient.apply(x),
        ((_NAN, 0.0, -0.0, _INF, -_INF, -3.0),),
    ),
    Edge("abs-infinite-cotangent", agrad.abs, torch.abs, ((0.0, 1.0),), (_INF, _INF)),
    Edge(
        "maximum-nan",
        agrad.maximum,
        torch.maximum,
        ((_NAN, 1.0, _NAN, _INF, 2.0, -_INF), (1.0, _NAN, _NAN, _INF, 2.0, 3.0)),
    ),
    Edge(
        "minimum-nan",
        agrad.minimum,
        torch.minimum,
        ((_NAN, 1.0, _NAN, -_INF, 2.0, _INF), (1.0, _NAN, _NAN, -_INF, 2.0, 3.0)),
    ),
    Edge("sqrt-signed-zero-inf", agrad.sqrt, torch.sqrt, ((-0.0, 0.0, -_INF, _INF, -1.0, 4.0),)),
    Edge(
        "pow-half-signed-zero-inf",
        lambda x: x**0.5,
        lambda x: x**0.5,
        ((-0.0, 0.0, -_INF, _INF, -1.0, 4.0),),
        second=_sqrt_via_torch_sqrt,
    ),
    Edge(
        "pow-zero-exponent-infinite-cotangent",
        lambda x: x**0,
        lambda x: x**0,
        ((0.0, 2.0),),
        (_INF, 1.0),
    ),
    Edge(
        "pow-zero-base-tensor",
        lambda x2: agrad.asarray(0.0) ** x2,
        lambda x2: torch.tensor(0.0, dtype=torch.float64) ** x2,
        ((-1.0, 0.0, 1.0, 2.0, 0.5),),
        second=_torch_zero_base_limits,
    ),
    Edge(
        "pow-zero-base-python",
        lambda x2: 0.0**x2,
        lambda x2: 0.0**x2,
        ((-1.0, 0.0, 1.0, 2.5),),
        second=_torch_zero_base_limits,
    ),
    Edge(
        "logaddexp-equal-huge",
        agrad.logaddexp,
        torch.logaddexp,
        ((1e308, -1e308, 5.0, -_INF), (1e308, -1e308, -_INF, 2.0)),
    ),
    Edge(
        "acosh-complex-left",
        agrad.acosh,
        torch.acosh,
        ((-2 + 0.5j, -0.5 - 1j, -3 - 0.1j, 2 + 1j, 0.3j),),
        (1 + 1j, 0.3 - 1j, 1j, 2, -1j),
    ),
    Edge("nextafter", agrad.nextafter, torch.nextafter, ((1.0, -2.0, 0.0), (2.0, -3.0, 0.0))),
]


def _edge_grads(lib: str, f: Callable[..., Any], edge: Edge, order: int) -> list[Any]:
    """Gradients of ``<f(inputs), w>`` (order 1) or of ``<grad, v>`` (order 2), as NumPy."""
    arrays = [np.asarray(values) for values in edge.inputs]
    cplx = any(a.dtype.kind == "c" for a in arrays)
    dtype = np.complex128 if cplx else np.float64
    arrays = [a.astype(dtype) for a in arrays]
    n = arrays[0].shape
    w = np.ones(n, dtype) if edge.cotangent is None else np.asarray(edge.cotangent, dtype)
    v = np.linspace(0.5, 1.5, n[0]).astype(dtype)
    if lib == "torch":
        xs = [torch.tensor(a, requires_grad=True) for a in arrays]
        grads = torch.autograd.grad(f(*xs), xs, torch.tensor(w), create_graph=order > 1)
        if order > 1:
            outs = [(g * torch.tensor(v)).sum().real for g in grads if g.requires_grad]
            if not outs:
                return [np.zeros(n, dtype) for _ in xs]
            grads = torch.autograd.grad(outs, xs, allow_unused=True)
        # force: torch returns a ZeroTensor for some zero gradients
        return [np.zeros(n, dtype) if g is None else g.detach().numpy(force=True) for g in grads]
    ts = [agrad.tensor(a, requires_grad=True) for a in arrays]
    a_grads = agrad.grad([f(*ts)], ts, [w], create_graph=order > 1)
    if order > 1:
        a_outs = [agrad.real(agrad.sum(g * v)) for g in a_grads if g.requires_grad]
        if not a_outs:
            return [np.zeros(n, dtype) for _ in ts]
        a_grads = agrad.grad(a_outs, ts, allow_unused=True)
    return [np.zeros(n, dtype) if g is None else np.asarray(g.array) for g in a_grads]


@pytest.mark.parametrize("edge", EDGES, ids=lambda e: e.id)
@pytest.mark.parametrize("order", [1, 2])
def test_edge_values_match_torch(edge: Edge, order: int) -> None:
    reference = edge.second if order == 2 and edge.second is not None else edge.f_torch
    with np.errstate(all="ignore"):
        actual = _edge_grads("agrad", edge.f_agrad, edge, order)
    expected = _edge_grads("torch", reference, edge, order)
    for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
        np.testing.assert_allclose(a, e, rtol=1e-12, atol=0, err_msg=f"order {order}, input {i}")
        # signed infinities and zeros are part of the answer (a NaN's sign bit is not)
        known = ~np.isnan(e)
        np.testing.assert_array_equal(
            np.signbit(a.real[known]), np.signbit(e.real[known]), err_msg="sign"
        )


@pytest.mark.parametrize(
    ("name", "shape", "kwargs"),
    [
        ("var", (3,), {"correction": 3}),  # count == correction, over all axes
        ("var", (2,), {"correction": 3}),  # count < correction
        ("var", (1,), {"correction": 1}),  # one value: 0 / 0 (NaN)
        ("std", (3,), {"correction": 3}),
        ("var", (3, 2), {"axis": 1, "correction": 2}),
        ("std", (3, 2), {"axis": 1, "correction": 2}),
    ],
)
@pytest.mark.filterwarnings("ignore:Degrees of freedom:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0:UserWarning")
def test_var_std_with_count_at_most_correction_give_torchs_nan_and_inf(
    name: str, shape: tuple[int, ...], kwargs: dict[str, Any]
) -> None:
    # torch divides by max(0, N - correction): inf or NaN forward, and gradients to match
    # (no ZeroDivisionError in the rule)
    x = np.array([0.5, -1.0, 2.0, 0.25, 3.0, -0.5][: int(np.prod(shape))]).reshape(shape)
    w = np.linspace(-1.0, 2.0, x.size // shape[-1] if "axis" in kwargs else 1)
    w = w.reshape(() if "axis" not in kwargs else (shape[0],))
    t_kwargs = {("dim" if k == "axis" else k): v for k, v in kwargs.items()}
    a = agrad.tensor(x, requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    with np.errstate(all="ignore"):
        a_out = getattr(agrad, name)(a, **kwargs)
        (a_grad,) = agrad.grad([a_out], [a], [w])
    t_out = getattr(torch, name)(t, **t_kwargs)
    (t_grad,) = torch.autograd.grad(t_out, t, torch.tensor(w))
    np.testing.assert_array_equal(a_out.array, t_out.detach().numpy())
    np.testing.assert_array_equal(a_grad.array, t_grad.numpy())


@pytest.mark.parametrize("device", ["numpy", "torch:cpu"])
@pytest.mark.parametrize("index_dtype", [np.int32, np.uint8, np.int16, np.int64])
@pytest.mark.parametrize("fn", ["take", "take_along_axis"])
def test_take_accepts_every_integer_index_dtype(fn: str, index_dtype: Any, device: str) -> None:
    # torch's kernels take int64 indices only; the torch backend converts (2nd order too)
    x = np.arange(1.0, 7.0).reshape(2, 3)
    idx = np.array([[2, 0, 2], [1, 1, 0]])
    a = agrad.tensor(x, requires_grad=True, device=device)
    a_idx = agrad.asarray(idx.astype(index_dtype), device=device)
    t = torch.tensor(x, requires_grad=True)
    if fn == "take":
        a_out, t_out = (
            agrad.take(a, a_idx[0], axis=1),
            torch.index_select(t, 1, torch.tensor(idx[0])),
        )
    else:
        a_out = agrad.take_along_axis(a, a_idx, axis=1)
        t_out = torch.take_along_dim(t, torch.tensor(idx), dim=1)
    (a_g,) = agrad.grad([agrad.sum(a_out**3)], [a], create_graph=True)
    (t_g,) = torch.autograd.grad((t_out**3).sum(), t, create_graph=True)
    (a_h,) = agrad.grad([agrad.sum(a_g)], [a])
    (t_h,) = torch.autograd.grad(t_g.sum(), t)
    np.testing.assert_allclose(np.asarray(a_g.to_device("numpy").array), t_g.detach().numpy())
    np.testing.assert_allclose(np.asarray(a_h.to_device("numpy").array), t_h.numpy())


@pytest.mark.parametrize("device", ["jax:cpu", "array_api_strict"])
def test_prod_and_cumulative_prod_keep_float32_at_second_order(device: str) -> None:
    # no internal cast (to int64, say): under JAX's 32-bit default that failed at 2nd order
    pytest.importorskip("jax" if device.startswith("jax") else "array_api_strict")
    values = np.array([[0.0, 0.0, 3.0], [2.0, 0.0, 0.5]], dtype=np.float32)
    results = []
    for dev, lib in ((device, "agrad"), ("numpy", "torch")):
        if lib == "torch":
            t = torch.tensor(values, requires_grad=True)
            g1 = torch.autograd.grad(torch.prod(t, dim=1).sum(), t, create_graph=True)[0]
            g2 = torch.autograd.grad((torch.cumprod(t, dim=1) ** 2).sum(), t, create_graph=True)[0]
            h = torch.autograd.grad((g1 * g1).sum() + g2.sum(), t)[0]
            results.append(h.numpy())
            continue
        x = agrad.tensor(values, requires_grad=True, device=dev)
        (g1,) = agrad.grad([agrad.sum(agrad.prod(x, axis=1))], [x], create_graph=True)
        (g2,) = agrad.grad(
            [agrad.sum(agrad.cumulative_prod(x, axis=1) ** 2)], [x], create_graph=True
        )
        assert g1.dtype == g2.dtype == agrad.float32
        (h,) = agrad.grad([agrad.sum(g1 * g1) + agrad.sum(g2)], [x])
        assert h.dtype == agrad.float32
        results.append(np.asarray(h.to_device("numpy").array))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5)
