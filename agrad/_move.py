"""Moving tensors between devices, differentiably.

Within one library the library moves the array (torch cpu -> cuda). Across libraries the
array goes through DLPack without a copy where both sides allow it (numpy <-> torch:cpu,
cupy <-> torch:cuda), and through host memory otherwise. The move is recorded: backward
moves the cotangent back to the source device.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agrad._device import Device
from agrad._engine import Node
from agrad._grad_mode import STATE
from agrad._tensor import Extra, Tensor, make
from agrad.errors import AgradTypeError
from agrad.extend import Rule

__all__ = ["move_array", "shares_memory", "to_device"]


def move_array(a: Any, src: Device, dst: Device) -> Any:
    """The raw array ``a`` (on ``src``) as an array on ``dst``."""
    if src is dst:
        return a
    if src.backend is dst.backend:
        out = src.backend.to_device(a, dst.native)
    else:
        out = dst.backend.from_dlpack(a, dst.native)
        if out is None:
            out = dst.backend.from_host(src.backend.to_host(a), dst.native)
    out = dst.backend.ensure_array(out)
    # across libraries native dtypes do not compare (array-api-strict warns): ask each side
    if src.backend is not dst.backend or out.dtype != a.dtype:
        _check_same_dtype(a, src, out, dst)
    return out


def _check_same_dtype(a: Any, src: Device, out: Any, dst: Device) -> None:
    """Raise if the move changed the dtype (JAX without 64-bit types narrows silently)."""
    try:
        before, after = src.backend.from_dtype(a.dtype), dst.backend.from_dtype(out.dtype)
    except TypeError:  # a dtype one side has no Array API name for: nothing to compare
        return
    if before is not after:
        hint = (
            "enable them first with `jax.config.update('jax_enable_x64', True)`"
            if dst.backend.name == "jax"
            else "use a dtype both libraries hold"
        )
        msg = (
            f"Moving an array of dtype {before.name} from {src.name!r} to {dst.name!r} would "
            f"make it {after.name}: {dst.name!r} does not hold {before.name} as configured. Either "
            f"{hint}, or cast before moving (`agrad.astype(x, agrad.{after.name})`)."
        )
        raise AgradTypeError(msg)


def shares_memory(a: Any, src: Device, b: Any, dst: Device) -> bool:
    """Whether ``a`` on ``src`` and ``b`` on ``dst`` are one buffer (a zero-copy move)."""
    pa = src.backend.data_ptr(a)
    return pa is not None and pa == dst.backend.data_ptr(b)


class MoveNode(Node):
    """The graph node of a move: backward moves the cotangent back to the source."""

    __slots__ = ("source",)

    source: Device

    def name(self) -> str:
        return "ToDeviceBackward"

    def check_saved(self) -> None:
        return None

    def apply(self, g: Any, graph: bool) -> Sequence[Any]:
        if self.edges[0] is None:
            return [None]
        if graph:
            t = g if isinstance(g, Tensor) else make(self.dev.backend.ensure_array(g), self.dev)
            return [to_device(t, self.source)]
        return [move_array(g, self.dev, self.source)]


def _no_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:  # pragma: no cover - MoveNode
    raise AssertionError


_MOVE = Rule("to_device", _no_vjp, save="none")


def to_device(x: Tensor, target: Device) -> Tensor:
    """``x`` on ``target``, in the graph (the same tensor when it is already there)."""
    src = x._dev
    if target is src:
        return x
    array = move_array(x._array, src, target)
    out = make(array, target)
    if shares_memory(x._array, src, array, target):
        out._vc = x._vc  # one buffer, one version counter: in-place writes stay detected
        for t in (x, out):  # and both keep writing into the one buffer (no copy-on-write)
            if t._extra is None:
                t._extra = Extra()
            t._extra.shared = True
    if STATE.enabled and x._rg:
        from agrad._ops import record

        node = record(_MOVE, out, (x,), (x._array,), None, MoveNode)
        assert isinstance(node, MoveNode)
        node.source = src
    return out
