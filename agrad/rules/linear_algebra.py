"""Rules for the standard's linear-algebra functions (the main namespace ones)."""

from __future__ import annotations

from typing import Any

from agrad.extend import Rule, conj


def _matmul_vjp_x1(g: Any, out: Any, x1: Any, x2: Any, *, xp: Any) -> Any:
    # g @ x2^H, with 1-d operands treated as a row (x1) or a column (x2)
    x2 = conj(x2, xp)
    if x1.ndim == 1 and x2.ndim == 1:
        return g * x2
    if x2.ndim == 1:
        return xp.expand_dims(g, axis=-1) * x2
    if x1.ndim == 1:
        if x2.ndim == 2:  # g is 1-d: g @ x2^T is x2 @ g, one product and no transpose
            return x2 @ g
        return (xp.expand_dims(g, axis=-2) @ xp.matrix_transpose(x2))[..., 0, :]
    return g @ xp.matrix_transpose(x2)


def _matmul_vjp_x2(g: Any, out: Any, x1: Any, x2: Any, *, xp: Any) -> Any:
    # x1^H @ g, with the same treatment of 1-d operands
    x1 = conj(x1, xp)
    if x1.ndim == 1 and x2.ndim == 1:
        return g * x1
    if x1.ndim == 1:
        return xp.expand_dims(x1, axis=-1) * xp.expand_dims(g, axis=-2)
    if x2.ndim == 1:
        if x1.ndim == 2:  # g is 1-d: x1^T @ g is g @ x1, one product and no transpose
            return g @ x1
        return (xp.matrix_transpose(x1) @ xp.expand_dims(g, axis=-1))[..., 0]
    return xp.matrix_transpose(x1) @ g


RULES = [
    # built from permute_dims, reshape, matmul, sum and conj, which record themselves
    Rule("tensordot", composite=True),
    Rule("vecdot", composite=True),
    Rule("matmul", _matmul_vjp_x1, _matmul_vjp_x2, save="inputs"),
    Rule(
        "matrix_transpose", lambda g, out, x, *, xp: xp.matrix_transpose(g), linear=True, view=True
    ),
]
