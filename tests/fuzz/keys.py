"""Index keys: drawn once as a world-neutral description, built for agrad and for torch.

A key is ``(bare, comps)``: ``bare`` means the single component is the whole key
(``x[[0, 0, 1]]``, ``x[mask]``), else the components form a tuple. A component is
``("int", i)``, ``("slice", start, stop, step)``, ``("none",)``, ``("ell",)``, an integer
index ``("list" | "arr" | "nparr", values)`` (a Python list, an agrad tensor, a raw NumPy
array) or a boolean mask ``("mask" | "blist", values)`` (an agrad tensor, a Python list).
torch has no negative steps: such a slice becomes a flip of that axis and a positive slice
(a write goes through the flipped copy, which is then copied back, flipped again).

One form is not drawn on torch devices: an integer next to an integer array or a mask, with
a slice, ``None`` or ``...`` between them (``x[..., [0, 1], None, 0]``). NumPy then puts the
advanced axes first; torch applies the integer first and keeps them in place. The standard
leaves keys that combine integer arrays with slices unspecified (2025.12, "Integer Array
Indexing"), so agrad keeps each library's own behaviour: on torch devices the form is not
drawn (see :func:`set_device`); on NumPy, torch's side indexes with the integer as an array
of one element, for which torch gives NumPy's result.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

import agrad

Key = tuple[bool, tuple[tuple[Any, ...], ...]]

INT_KINDS = ("list", "arr", "nparr")
MASK_KINDS = ("mask", "blist")


def _consumed(comp: tuple[Any, ...]) -> int:
    kind = comp[0]
    if kind == "none":
        return 0
    if kind in MASK_KINDS:
        return int(np.asarray(comp[1]).ndim)
    return 1


def _dims(comps: tuple[tuple[Any, ...], ...], ndim: int) -> list[tuple[tuple[Any, ...], int]]:
    """Each component with the first input axis it consumes (ellipsis expanded in place)."""
    fixed = sum(_consumed(c) for c in comps if c[0] != "ell")
    out, d = [], 0
    for c in comps:
        out.append((c, d))
        d += ndim - fixed if c[0] == "ell" else _consumed(c)
    return out


def has_advanced(key: Key) -> bool:
    return any(c[0] in INT_KINDS or c[0] in MASK_KINDS for c in key[1])


_TORCH = False  # whether keys are drawn for a torch device (set by `set_device`)


def set_device(device: str) -> None:
    """Draw keys for ``device`` from now on (``generate`` calls it)."""
    global _TORCH
    _TORCH = device.startswith("torch")


def _separated_ints(comps: list[tuple[Any, ...]]) -> bool:
    """Whether an integer and an advanced index are separated by a slice, None or `...`."""
    at = [i for i, c in enumerate(comps) if c[0] == "int" or c[0] in INT_KINDS + MASK_KINDS]
    kinds = {comps[i][0] == "int" for i in at}
    return len(kinds) == 2 and at[-1] - at[0] + 1 != len(at)


def draw_slice(src: Any, size: int, negative_ok: bool) -> tuple[Any, ...]:
    def bound() -> int | None:
        return None if src.flag(0.4) else src.integer(-size - 1, size + 1)

    steps = [None, 1, 2, -1, -2] if negative_ok else [None, 1, 2]
    return ("slice", bound(), bound(), src.choice(steps))


def draw_key(src: Any, shape: tuple[int, ...], *, for_set: bool) -> Key:
    """A random valid key for an array of ``shape`` (no repeated indices when ``for_set``)."""
    ndim = len(shape)
    if ndim == 0:
        return False, src.choice([(("ell",),), (("none",),), ()])
    form = src.choice(["tuple", "tuple", "tuple", "list", "mask"])
    if form == "list" and shape[0] > 0:
        return True, (("list", _ints(src, shape[0], (src.integer(1, 4),), for_set)),)
    if form == "mask":
        mask = np.asarray(src.seed_rng().random(shape) < 0.5)
        # an empty nested list holds no bool to tell it from an (empty) integer index, and
        # NumPy reads it as one: `np.zeros((1, 0))[[[]]]` has shape (1, 0, 0)
        kind = src.choice(MASK_KINDS) if mask.size else "mask"
        return True, ((kind, mask.tolist()),)
    m = src.integer(0, ndim)
    back = src.flag(0.3)  # an ellipsis first, then components for the last m axes
    adv_kind = src.choice(INT_KINDS)
    adv_shape = (src.integer(1, 3),) if src.flag(0.8) else (2, src.integer(1, 2))
    mask_used = False
    comps: list[tuple[Any, ...]] = []
    for d in range(ndim - m, ndim) if back else range(m):
        size = shape[d]
        kinds = ["int", "slice", "full", "adv"] + ([] if mask_used else ["mask1"])
        kind = src.choice(kinds) if size > 0 else "full"
        if kind == "int":
            comps.append(("int", src.integer(-size, size - 1)))
        elif kind == "slice":
            comps.append(draw_slice(src, size, negative_ok=True))
        elif kind == "full" or (kind == "adv" and mask_used):
            comps.append(("slice", None, None, None))
        elif kind == "adv":
            n = int(np.prod(adv_shape))
            if for_set and n > size:
                comps.append(("int", 0))
                continue
            vals = _ints(src, size, adv_shape, for_set)
            comps.append((adv_kind, vals))
        else:
            if any(c[0] in INT_KINDS for c in comps):
                comps.append(("slice", None, None, None))
                continue
            mask = [src.flag(0.5) for _ in range(size)]
            comps.append((src.choice(MASK_KINDS), mask))
            mask_used = True
    if mask_used and any(c[0] in INT_KINDS for c in comps):
        comps = [("slice", None, None, None) if c[0] in INT_KINDS else c for c in comps]
    if back:
        comps.insert(0, ("ell",))
    elif src.flag(0.3):
        comps.append(("ell",))
    for _ in range(src.integer(0, 1)):
        comps.insert(src.integer(0, len(comps)), ("none",))
    if for_set and has_advanced((False, tuple(comps))):
        # numpy's and torch's writes through a repeated index need not agree; an int next to
        # an advanced index joins the advanced group; both are avoided for writes
        comps = [("slice", None, None, None) if c[0] == "int" else c for c in comps]
    if _separated_ints(comps):  # unspecified; NumPy and torch differ (module docstring)
        if _TORCH:
            comps = [("slice", None, None, None) if c[0] == "int" else c for c in comps]
        else:  # NumPy's semantics, which torch gives when the integer is an array of one
            comps = [("int", c[1], "as array") if c[0] == "int" else c for c in comps]
    return False, tuple(comps)


def _ints(src: Any, size: int, shape: tuple[int, ...], unique: bool) -> list[Any]:
    n = int(np.prod(shape))
    rng = src.seed_rng()
    if unique:
        n = min(n, size)
        shape = (n,)
        vals = rng.permutation(size)[:n]
    else:
        vals = rng.integers(0, size, n)
    vals = np.where(rng.random(n) < 0.3, vals - size, vals)  # some negative indices
    return np.asarray(vals, dtype=np.int64).reshape(shape).tolist()  # type: ignore[no-any-return]


# -- building ------------------------------------------------------------------------------
def agrad_key(key: Key, device: str) -> Any:
    def comp(c: tuple[Any, ...]) -> Any:
        kind = c[0]
        if kind == "int":
            return c[1]
        if kind == "slice":
            return slice(c[1], c[2], c[3])
        if kind == "none":
            return None
        if kind == "ell":
            return Ellipsis
        if kind in ("list", "blist"):
            return c[1]
        if kind == "nparr" and device == "numpy":
            return np.asarray(c[1], dtype=np.int64)
        dtype = np.bool_ if kind == "mask" else np.int64
        return agrad.asarray(np.asarray(c[1], dtype=dtype), device=device)

    bare, comps = key
    return comp(comps[0]) if bare else tuple(comp(c) for c in comps)


def _torch_comp(c: tuple[Any, ...]) -> Any:
    kind = c[0]
    if kind == "int":
        return torch.tensor([c[1]]) if len(c) > 2 else c[1]
    if kind == "slice":
        return slice(c[1], c[2], c[3])
    if kind == "none":
        return None
    if kind == "ell":
        return Ellipsis
    if kind in MASK_KINDS:
        return torch.tensor(np.asarray(c[1], dtype=bool))
    return torch.tensor(np.asarray(c[1], dtype=np.int64))


def _positive(x: torch.Tensor, comps: tuple[tuple[Any, ...], ...]) -> tuple[list[int], Any]:
    """The axes to flip and the key with positive steps on the flipped axes."""
    flips, new = [], []
    for c, d in _dims(comps, x.ndim):
        if c[0] == "slice" and c[3] is not None and c[3] < 0:
            size = x.shape[d]
            pos = range(*slice(c[1], c[2], c[3]).indices(size))
            flips.append(d)
            if len(pos) == 0:
                new.append(slice(0, 0))
            else:
                new.append(slice(size - 1 - pos[0], size - pos[-1], -c[3]))
        else:
            new.append(_torch_comp(c))
    return flips, tuple(new)


def torch_get(x: torch.Tensor, key: Key) -> torch.Tensor:
    bare, comps = key
    if bare:
        return x[_torch_comp(comps[0])]
    flips, new = _positive(x, comps)
    if flips:
        x = torch.flip(x, flips)
    return x[new]


def torch_set(x: torch.Tensor, key: Key, value: Any) -> None:
    bare, comps = key
    if bare:
        x[_torch_comp(comps[0])] = value
        return
    flips, new = _positive(x, comps)
    if not flips:
        x[new] = value
        return
    y = torch.flip(x, flips)  # a copy: write into it, then copy it back
    y[new] = value
    x.copy_(torch.flip(y, flips))
