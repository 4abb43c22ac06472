"""Index forms torch lacks, on the torch backend: negative slice steps (issue 20).

torch has no negative steps; the backend turns such a key into the positions it selects
(``backends/torch.py``, ``index_key``). Reads, writes and both gradients are checked against
NumPy's forward and against torch.autograd on the same program written with ``torch.flip``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import agrad

# (input shape, key): keys with a negative step, next to every other index form
KEYS: list[tuple[tuple[int, ...], Any]] = [
    ((5,), slice(None, None, -1)),
    ((5,), slice(None, None, -2)),
    ((5,), slice(3, 0, -2)),
    ((5,), slice(-1, -6, -3)),
    ((5,), slice(1, 3, -1)),  # empty
    ((3, 4), (slice(None, None, -1), slice(1, None, 2))),
    ((3, 4), (Ellipsis, slice(None, None, -2))),
    ((3, 4), (1, slice(None, None, -1))),
    ((3, 4), (None, slice(2, None, -1), None)),
    ((2, 3, 4), (slice(None, None, -1), [0, 2], slice(3, 0, -2))),
    ((2, 3, 4), (slice(None, None, -1), Ellipsis, 2)),
    ((2, 3, 4), ([1, 0, 1], slice(None, None, -1))),
    ((2, 3, 4), (slice(None, None, -1), [True, False, True])),
    ((0, 3), (slice(None, None, -1), slice(None, None, -1))),
]
IDS = [f"{shape}-{key}" for shape, key in KEYS]


def _torch_key(key: Any, shape: tuple[int, ...]) -> tuple[tuple[int, ...], Any]:
    """The axes to flip and the key with positive steps on them, written independently of
    the backend: on the flipped axis, ``a:b:-s`` picks the same elements as a positive slice
    from ``n - 1 - a``."""
    keys = key if isinstance(key, tuple) else (key,)
    fixed = sum(k is not None for k in keys if k is not Ellipsis)
    flips, new, axis = [], [], 0
    for k in keys:
        if k is Ellipsis:
            new.append(k)
            axis += len(shape) - fixed
            continue
        if isinstance(k, slice) and k.step is not None and k.step < 0:
            start, stop, step = k.indices(shape[axis])
            count = len(range(start, stop, step))
            first = shape[axis] - 1 - start
            new.append(
                slice(first, first + (count - 1) * -step + 1, -step) if count else slice(0, 0)
            )
            flips.append(axis)
        else:
            new.append(torch.tensor(k) if isinstance(k, list) else k)
        axis += 0 if k is None else 1
    return tuple(flips), tuple(new)


def _np_key(key: Any) -> Any:
    if isinstance(key, tuple):
        return tuple(np.asarray(k) if isinstance(k, list) else k for k in key)
    return key


@pytest.mark.parametrize(("shape", "key"), KEYS, ids=IDS)
def test_read_with_a_negative_step(shape: tuple[int, ...], key: Any) -> None:
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal(shape)
    w0 = rng.standard_normal(np.asarray(x0[_np_key(key)]).shape)

    x = agrad.tensor(x0, device="torch:cpu", requires_grad=True)
    y = x[key]
    np.testing.assert_array_equal(y.to_device("numpy").array, x0[_np_key(key)])
    agrad.sum(y * agrad.asarray(w0, device="torch:cpu")).backward()

    flips, tkey = _torch_key(key, shape)
    tx = torch.tensor(x0, requires_grad=True)
    (torch.flip(tx, flips)[tkey] * torch.tensor(w0)).sum().backward()
    assert tx.grad is not None
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.to_device("numpy").array, tx.grad.numpy())


@pytest.mark.parametrize(("shape", "key"), KEYS, ids=IDS)
def test_write_with_a_negative_step(shape: tuple[int, ...], key: Any) -> None:
    rng = np.random.default_rng(1)
    x0, w0 = rng.standard_normal(shape), rng.standard_normal(shape)
    v0 = rng.standard_normal(np.asarray(x0[_np_key(key)]).shape)
    expected = 2.0 * x0
    expected[_np_key(key)] = v0 * v0

    x = agrad.tensor(x0, device="torch:cpu", requires_grad=True)
    v = agrad.tensor(v0, device="torch:cpu", requires_grad=True)
    h = x * 2.0
    h[key] = v * v
    np.testing.assert_array_equal(h.detach().to_device("numpy").array, expected)
    agrad.sum(h * agrad.asarray(w0, device="torch:cpu")).backward()

    # torch: write through the flipped copy, then copy it back (flipped again)
    flips, tkey = _torch_key(key, shape)
    tx = torch.tensor(x0, requires_grad=True)
    tv = torch.tensor(v0, requires_grad=True)
    th = torch.flip(tx * 2.0, flips)
    th[tkey] = tv * tv
    th = torch.flip(th, flips)
    (th * torch.tensor(w0)).sum().backward()
    assert x.grad is not None
    assert v.grad is not None
    assert tx.grad is not None
    assert tv.grad is not None
    np.testing.assert_allclose(x.grad.to_device("numpy").array, tx.grad.numpy(), rtol=1e-15)
    np.testing.assert_allclose(v.grad.to_device("numpy").array, tv.grad.numpy(), rtol=1e-15)


@pytest.mark.parametrize(("shape", "key"), KEYS[:10], ids=IDS[:10])
def test_second_order_through_a_negative_step(shape: tuple[int, ...], key: Any) -> None:
    rng = np.random.default_rng(2)
    x0, u0 = rng.standard_normal(shape), rng.standard_normal(shape)

    x = agrad.tensor(x0, device="torch:cpu", requires_grad=True)
    h = x * 1.0
    h[key] = h[key] ** 2
    (g,) = agrad.grad(agrad.sum(h**3), [x], create_graph=True)
    (g2,) = agrad.grad(agrad.sum(g * agrad.asarray(u0, device="torch:cpu")), [x])

    flips, tkey = _torch_key(key, shape)
    tx = torch.tensor(x0, requires_grad=True)
    th = torch.flip(tx * 1.0, flips)
    th[tkey] = th[tkey].clone() ** 2  # (torch refuses to overwrite what pow saved)
    th = torch.flip(th, flips)
    (tg,) = torch.autograd.grad((th**3).sum(), [tx], create_graph=True)
    (tg2,) = torch.autograd.grad((tg * torch.tensor(u0)).sum(), [tx])
    np.testing.assert_allclose(g.detach().to_device("numpy").array, tg.detach().numpy(), rtol=1e-13)
    np.testing.assert_allclose(g2.to_device("numpy").array, tg2.numpy(), rtol=1e-13)
