"""One spec per differentiable function: how to call it in agrad and in torch, on what.

A spec's ``shapes`` lists input-shape tuples to try (broadcasting pairs and 0-d among them);
``domain`` bounds the values drawn, keeping away from poles and kinks; ``call`` and
``torch_call`` take the inputs (and the spec's ``kwargs``) and return one array.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SPECS", "Spec"]

_UNARY = [((5,),), ((2, 3),), ((),)]
_BINARY = [((4,), (4,)), ((3, 1), (4,)), ((), (2, 2)), ((2, 3), ())]


@dataclass(frozen=True)
class Spec:
    """How to check one function (``name`` is the rule it exercises)."""

    name: str
    call: Callable[..., Any]
    torch_call: Callable[..., Any]
    shapes: list[tuple[tuple[int, ...], ...]] = field(default_factory=lambda: list(_UNARY))
    domain: tuple[float, float] = (-2.0, 2.0)
    label: str = ""
    #: values drawn so that no two are within this distance (ties of max and maximum)
    distinct: bool = False

    @property
    def id(self) -> str:
        return self.label or self.name


def _u(name: str, torch_name: str | None = None, **kw: Any) -> Spec:
    return Spec(
        name,
        lambda xp, x: getattr(xp, name)(x),
        lambda torch, x: getattr(torch, torch_name or name)(x),
        **kw,
    )


def _b(name: str, torch_name: str | None = None, **kw: Any) -> Spec:
    return Spec(
        name,
        lambda xp, a, b: getattr(xp, name)(a, b),
        lambda torch, a, b: getattr(torch, torch_name or name)(a, b),
        shapes=list(_BINARY),
        **kw,
    )


def _matmul_shapes() -> list[tuple[tuple[int, ...], ...]]:
    return [((3, 4), (4, 2)), ((4,), (4, 2)), ((3, 4), (4,)), ((4,), (4,)), ((2, 3, 4), (4, 5))]


SPECS: list[Spec] = [
    _b("add"),
    _b("subtract"),
    _b("multiply"),
    _b("divide", domain=(0.5, 2.0)),
    _b("remainder", domain=(0.3, 3.0), distinct=True),
    _b("maximum", distinct=True),
    _b("pow", domain=(0.5, 2.0)),
    Spec(
        "pow",
        lambda xp, x: x**3,
        lambda torch, x: x**3,
        label="pow(x, 3)",
    ),
    Spec("pow", lambda xp, x: 2.0**x, lambda torch, x: 2.0**x, label="pow(2, x)"),
    _u("negative", "neg"),
    _u("positive", "positive"),
    _u("exp"),
    _u("log", domain=(0.2, 3.0)),
    _u("sin"),
    _u("cos"),
    _u("tanh"),
    _u("sqrt", domain=(0.2, 3.0)),
    _u("abs", domain=(0.2, 2.0)),
    _u("acos", domain=(-0.9, 0.9)),
    _u("asin", domain=(-0.9, 0.9)),
    _u("atan"),
    _u("acosh", domain=(1.2, 3.0)),
    _u("asinh"),
    _u("atanh", domain=(-0.9, 0.9)),
    _u("sinh"),
    _u("cosh"),
    _u("tan", domain=(-1.2, 1.2)),
    _u("expm1"),
    _u("log1p", domain=(-0.5, 3.0)),
    _u("log2", domain=(0.2, 3.0)),
    _u("log10", domain=(0.2, 3.0)),
    _u("square"),
    _u("reciprocal", domain=(0.5, 2.0)),
    _b("atan2", domain=(0.3, 2.0)),
    _b("hypot", domain=(0.3, 2.0)),
    _b("logaddexp"),
    _b("copysign", domain=(0.3, 2.0)),
    _b("minimum", distinct=True),
    Spec(
        "clip",
        lambda xp, x: xp.clip(x, min=-0.5, max=0.7) * x,
        lambda torch, x: torch.clamp(x, min=-0.5, max=0.7) * x,
        label="clip(min=-0.5, max=0.7)",
    ),
    Spec(
        "where",
        lambda xp, a, b: xp.where(a > b, a, b * b),
        lambda torch, a, b: torch.where(a > b, a, b * b),
        shapes=list(_BINARY),
    ),
    Spec("sum", lambda xp, x: xp.sum(x), lambda torch, x: x.sum(), shapes=[((3, 4),), ((),)]),
    Spec(
        "sum",
        lambda xp, x: xp.sum(x, axis=(0, 2), keepdims=True),
        lambda torch, x: x.sum(dim=(0, 2), keepdim=True),
        shapes=[((2, 3, 4),)],
        label="sum(axis=(0, 2), keepdims)",
    ),
    Spec(
        "mean",
        lambda xp, x: xp.mean(x, axis=1),
        lambda torch, x: x.mean(dim=1),
        shapes=[((3, 4),), ((2, 5, 2),)],
    ),
    Spec(
        "prod",
        lambda xp, x: xp.prod(x, axis=1),
        lambda torch, x: x.prod(dim=1),
        shapes=[((3, 4),)],
        domain=(0.5, 2.0),
    ),
    Spec(
        "max",
        lambda xp, x: xp.max(x, axis=0),
        lambda torch, x: x.amax(dim=0),
        shapes=[((4, 3),)],
        distinct=True,
    ),
    Spec(
        "min", lambda xp, x: xp.min(x), lambda torch, x: x.amin(), shapes=[((4, 3),)], distinct=True
    ),
    Spec(
        "var",
        lambda xp, x: xp.var(x, axis=1, correction=1),
        lambda torch, x: x.var(dim=1, correction=1),
        shapes=[((3, 4),)],
    ),
    Spec(
        "std",
        lambda xp, x: xp.std(x, axis=0),
        lambda torch, x: x.std(dim=0, correction=0),
        shapes=[((5, 2),)],
    ),
    Spec(
        "cumulative_sum",
        lambda xp, x: xp.cumulative_sum(x, axis=0) * x,
        lambda torch, x: torch.cumsum(x, dim=0) * x,
        shapes=[((4, 3),)],
    ),
    Spec(
        "flip",
        lambda xp, x: xp.flip(x, axis=0) * x,
        lambda torch, x: torch.flip(x, dims=(0,)) * x,
        shapes=[((4, 3),)],
    ),
    Spec(
        "matmul",
        lambda xp, a, b: a @ b,
        lambda torch, a, b: a @ b,
        shapes=_matmul_shapes(),
    ),
    Spec(
        "matrix_transpose",
        lambda xp, x: xp.matrix_transpose(x) * 2.0,
        lambda torch, x: x.mT * 2.0,
        shapes=[((2, 3),), ((4, 2, 3),)],
    ),
    Spec(
        "reshape",
        lambda xp, x: xp.reshape(x, (3, -1)) ** 2,
        lambda torch, x: x.reshape(3, -1) ** 2,
        shapes=[((6,),), ((2, 3),)],
    ),
    Spec(
        "permute_dims",
        lambda xp, x: xp.permute_dims(x, (2, 0, 1)) ** 2,
        lambda torch, x: x.permute(2, 0, 1) ** 2,
        shapes=[((2, 3, 4),)],
    ),
    Spec(
        "broadcast_to",
        lambda xp, x: xp.broadcast_to(x, (4, 3)) ** 2,
        lambda torch, x: x.broadcast_to((4, 3)) ** 2,
        shapes=[((3,),), ((4, 1),)],
    ),
    Spec(
        "expand_dims",
        lambda xp, x: xp.expand_dims(x, axis=1) ** 2,
        lambda torch, x: x.unsqueeze(1) ** 2,
        shapes=[((3, 2),)],
    ),
    Spec(
        "squeeze",
        lambda xp, x: xp.squeeze(x, axis=1) ** 2,
        lambda torch, x: x.squeeze(1) ** 2,
        shapes=[((3, 1, 2),)],
    ),
    Spec(
        "astype",
        lambda xp, x: xp.astype(x * x, xp.float32),
        lambda torch, x: (x * x).to(torch.float32),
        label="astype(float32)",
    ),
    Spec(
        "asarray",
        lambda xp, x: xp.asarray(x * x, copy=True),
        lambda torch, x: (x * x).clone(),
    ),
    Spec(
        "__getitem__",
        lambda xp, x: x[1:, ::2] ** 2,
        lambda torch, x: x[1:, ::2] ** 2,
        shapes=[((3, 4),)],
        label="getitem slices",
    ),
    Spec(
        "__getitem__",
        lambda xp, x: x[xp.asarray([0, 2, 0])] ** 2,
        lambda torch, x: x[torch.tensor([0, 2, 0])] ** 2,
        shapes=[((3, 2),)],
        label="getitem repeated integer array",
    ),
    Spec(
        "__getitem__",
        lambda xp, x: x[x > 0] ** 2,
        lambda torch, x: x[x > 0] ** 2,
        shapes=[((3, 4),)],
        label="getitem boolean mask",
    ),
    Spec(
        "__setitem__",
        lambda xp, a, b: _setitem(xp, a, b),
        lambda torch, a, b: _setitem(torch, a, b),
        shapes=[((4, 3), (3,))],
    ),
]


def _setitem(lib: Any, a: Any, b: Any) -> Any:
    h = a * 1.0
    h[1] = b * b
    return h * h
