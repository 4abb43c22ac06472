"""A backend for any Array API namespace, written in standard calls only.

Used for namespaces agrad has no adapter for (array-api-strict, a user's library): slower
than a library's own scatter-add, but it needs nothing outside the standard.
"""

from __future__ import annotations

from typing import Any

from agrad._typing import Array, Namespace


class GenericBackend:
    """The operations rules need, from the standard alone."""

    name = "generic"
    mutable = True

    def __init__(self, xp: Namespace) -> None:
        self.xp = xp

    def owns(self, xp: Namespace) -> bool:
        return xp is self.xp

    def scatter_add(self, out: Array, index: Array, values: Array, /, *, axis: int) -> Array:
        # one-hot matrix product: (n, m) @ (m, rest) adds each value row into its slot
        xp = self.xp
        n = out.shape[axis]
        moved_values = xp.moveaxis(values, axis, 0)
        rest = moved_values.shape[1:]
        m = moved_values.shape[0]
        width = 1
        for r in rest:
            width *= r
        flat_values = xp.reshape(moved_values, (m, width))
        slots = xp.arange(n, dtype=index.dtype, device=out.device)
        onehot = xp.astype(slots[:, None] == index[None, :], values.dtype)
        added = xp.reshape(onehot @ flat_values, (n, *rest))
        return out + xp.moveaxis(added, 0, axis)

    def rng(self, seed: int | None, /) -> Any:
        msg = "The generic backend has no random numbers; use a library's own backend."
        raise NotImplementedError(msg)
