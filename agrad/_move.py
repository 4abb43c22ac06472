"""Moving tensors between devices, differentiably.

Within one library the library moves the array (torch cpu -> cuda). Across libraries the
array goes through DLPack without a copy where both sides allow it (numpy <-> torch:cpu,
cupy <-> torch:cuda), and through host memory otherwise. The move is recorded: backward
moves the cotangent back to the source device.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agrad._device import Device, move_array, shares_memory
from agrad._engine import Node
from agrad._grad_mode import STATE
from agrad._ops import record
from agrad._rule import Rule
from agrad._tensor import Extra, Tensor, make

__all__ = ["MoveNode", "to_device"]


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
        node = record(_MOVE, out, (x,), (x._array,), None, MoveNode)
        assert isinstance(node, MoveNode)
        node.source = src
    return out
