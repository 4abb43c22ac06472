"""Views, index forms and in-place writes (issue 20, items 1, 2, 8 and 11).

Every function that can hand back memory shared with its input, on every backend, is either
a view agrad follows or a copy: writing into its result (or into its input) gives the
gradient torch.autograd gives for the same program, or, where the two libraries' forward
semantics differ, the gradient finite differences of agrad's own program give, with the
forward aliasing NumPy's (or a copy).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import agrad
import agrad.numpy as anp
from agrad import errors

if importlib.util.find_spec("jax") is not None:
    import jax

    jax.config.update("jax_enable_x64", True)

BACKENDS = [
    d
    for d, mod in [
        ("numpy", "numpy"),
        ("torch:cpu", "torch"),
        ("array_api_strict", "array_api_strict"),
        ("jax:cpu", "jax"),
        ("dask", "dask"),
    ]
    if importlib.util.find_spec(mod) is not None
]
IMMUTABLE = {"jax:cpu", "dask"}
# libraries that refuse some of NumPy's index forms, with an error that says so:
# array-api-strict those beyond the standard, Dask integer arrays of several dimensions
LIMITED_INDEXING = {"array_api_strict", "dask"}


# -- the functions that may return a view ------------------------------------------------
# (name, input shape, f(h), torch's f or None where torch's forward differs, behaviour)
# behaviour(device, where) -> the allowed outcomes of writing in place into the result
# (where="result") or into the input (where="input"): "view" (the other side sees it),
# "copy" (it does not), "error" (the write is refused: NumPy's read-only broadcast views)
def _view(device: str, where: str) -> set[str]:
    return {"view"}


def _copy(device: str, where: str) -> set[str]:
    return {"copy"}


def _flip(device: str, where: str) -> set[str]:
    return {"copy"} if device == "torch:cpu" else {"view"}  # torch.flip copies


def _broadcast(device: str, where: str) -> set[str]:
    # NumPy's broadcast views are read-only, on every backend (JAX and Dask too)
    return {"error"} if where == "result" else {"view"}


def _first(out: Any) -> Any:
    return out[1] if isinstance(out, (tuple, list)) else out


CASES: list[tuple[str, tuple[int, ...], Callable[[Any], Any], Any, Any]] = [
    ("reshape", (3, 4), lambda h: agrad.reshape(h, (4, 3)), lambda h: h.reshape(4, 3), _view),
    ("permute_dims", (3, 4), lambda h: agrad.permute_dims(h, (1, 0)), lambda h: h.T, _view),
    ("matrix_transpose", (2, 3, 4), agrad.matrix_transpose, lambda h: h.mT, _view),
    ("T", (3, 4), lambda h: h.T, lambda h: h.T, _view),
    ("mT", (2, 3, 4), lambda h: h.mT, lambda h: h.mT, _view),
    ("squeeze", (1, 3, 4), lambda h: agrad.squeeze(h, axis=0), lambda h: h.squeeze(0), _view),
    ("expand_dims", (3, 4), lambda h: agrad.expand_dims(h, axis=1), lambda h: h[:, None], _view),
    ("flip", (3, 4), lambda h: agrad.flip(h, axis=0), None, _flip),
    ("moveaxis", (2, 3, 4), lambda h: agrad.moveaxis(h, 0, 2), lambda h: h.movedim(0, 2), _view),
    ("getitem_slice", (3, 4), lambda h: h[1:, ::2], lambda h: h[1:, ::2], _view),
    ("getitem_int", (3, 4), lambda h: h[1], lambda h: h[1], _view),
    ("getitem_none", (3, 4), lambda h: h[None, ..., 1], lambda h: h[None, ..., 1], _view),
    # (torch refuses in-place writes into the views of unbind and split: differences only)
    ("unstack", (3, 4), lambda h: agrad.unstack(h)[1], None, _view),
    ("unstack_1d", (4,), lambda h: agrad.unstack(h)[1], None, _view),
    ("unstack_axis1", (3, 4), lambda h: agrad.unstack(h, axis=1)[2], None, _view),
    ("real_of_real", (3, 4), agrad.real, torch.real, _view),
    ("diagonal", (3, 3), agrad.linalg.diagonal, None, _copy),
    ("broadcast_to", (3, 4), lambda h: agrad.broadcast_to(h, (2, 3, 4)), None, _broadcast),
    (
        "broadcast_arrays",
        (3, 4),
        lambda h: agrad.broadcast_arrays(h, agrad.ones((2, 1, 1), device=h.device))[0],
        None,
        _broadcast,
    ),
    ("tensordot", (3, 4), lambda h: agrad.tensordot(h, h, axes=((0,), (0,))), None, _copy),
    ("vecdot", (3, 4), lambda h: agrad.vecdot(h, h), None, _copy),
    # the agrad.numpy door
    ("np.ravel", (3, 4), anp.ravel, lambda h: h.reshape(-1), _view),
    ("np.transpose", (3, 4), anp.transpose, lambda h: h.T, _view),
    ("np.swapaxes", (2, 3, 4), lambda h: anp.swapaxes(h, 0, 2), lambda h: h.transpose(0, 2), _view),
    ("np.diagonal", (3, 3), anp.diagonal, None, _copy),
    ("np.atleast_3d", (3, 4), anp.atleast_3d, lambda h: h[..., None], _view),
    ("np.squeeze", (1, 3, 4), anp.squeeze, lambda h: h.squeeze(0), _view),
    ("np.split", (4, 3), lambda h: anp.split(h, 2), None, _view),
    ("np.array_split", (3, 4), lambda h: anp.array_split(h, 2), lambda h: h[2:], _view),
    ("np.hsplit", (3, 4), lambda h: anp.hsplit(h, 2), lambda h: h[:, 2:], _view),
    ("np.vsplit", (4, 3), lambda h: anp.vsplit(h, 2), lambda h: h[2:], _view),
    ("np.expand_dims", (3, 4), lambda h: anp.expand_dims(h, 0), lambda h: h[None], _view),
    ("np.moveaxis", (2, 3, 4), lambda h: anp.moveaxis(h, 0, -1), lambda h: h.movedim(0, 2), _view),
    ("np.rollaxis", (2, 3, 4), lambda h: anp.rollaxis(h, 2), lambda h: h.movedim(2, 0), _view),
    ("np.fliplr", (3, 4), anp.fliplr, None, _flip),
    ("np.broadcast_to", (3, 4), lambda h: anp.broadcast_to(h, (2, 3, 4)), None, _broadcast),
    ("np.real", (3, 4), anp.real, torch.real, _view),
    ("np.einsum_transpose", (3, 4), lambda h: anp.einsum("ij->ji", h), lambda h: h.T, _view),
    ("np.einsum_diagonal", (3, 3), lambda h: anp.einsum("ii->i", h), None, _copy),
    ("np.einsum_product", (3, 4), lambda h: anp.einsum("ij,kj->ik", h, h), None, _copy),
    ("np.tensordot", (3, 4), lambda h: anp.tensordot(h, h, axes=([1], [1])), None, _copy),
    # NumPy's array methods on tensors
    ("method ravel", (3, 4), lambda h: h.ravel(), lambda h: h.reshape(-1), _view),
    ("method reshape", (3, 4), lambda h: h.reshape(6, 2), lambda h: h.view(6, 2), _view),
    ("method transpose", (3, 4), lambda h: h.transpose(), lambda h: h.T, _view),
    ("method swapaxes", (3, 4), lambda h: h.swapaxes(0, 1), lambda h: h.T, _view),
    ("method squeeze", (1, 3, 4), lambda h: h.squeeze(), lambda h: h.squeeze(0), _view),
    ("method diagonal", (3, 3), lambda h: h.diagonal(), None, _copy),
    ("method real", (3, 4), lambda h: h.real, torch.real, _view),
    # the NumPy protocol door (`__array_function__`)
    ("protocol np.transpose", (3, 4), np.transpose, lambda h: h.T, _view),
    ("protocol np.ravel", (3, 4), np.ravel, lambda h: h.reshape(-1), _view),
    ("protocol np.reshape", (3, 4), lambda h: np.reshape(h, (2, 6)), lambda h: h.view(2, 6), _view),
    ("protocol np.squeeze", (1, 3, 4), np.squeeze, lambda h: h.squeeze(0), _view),
    ("protocol np.diagonal", (3, 3), np.diagonal, None, _copy),
    ("protocol np.real", (3, 4), np.real, torch.real, _view),
    ("protocol np.split", (4, 3), lambda h: np.split(h, 2), None, _view),
    ("protocol np.moveaxis", (2, 3, 4), lambda h: np.moveaxis(h, 0, 2), None, _view),
    ("protocol np.flip", (3, 4), lambda h: np.flip(h, 0), None, _flip),
]

# functions of a complex input that return a copy here (NumPy and torch return views)
COMPLEX_CASES: list[tuple[str, Callable[[Any], Any]]] = [
    ("real", agrad.real),
    ("imag", agrad.imag),
    ("np.real", anp.real),
    ("np.imag", anp.imag),
    ("protocol np.real", np.real),
    ("protocol np.imag", np.imag),
]


def _program(f: Callable[[Any], Any], where: str, w: Any, xp: Any) -> Callable[[Any], Any]:
    """x -> a scalar: h = 2x, r = f(h), then a write into r (or into h), then a quadratic."""

    def run(x: Any) -> Any:
        h = x * 2.0
        r = _first(f(h))
        if where == "result":
            r *= 3.0
        else:
            h *= 3.0
        return xp.sum(h * h * w) + xp.sum(r * r) + xp.sum(r)

    return run


def _tensor(a: np.ndarray, device: str, rg: bool = False) -> agrad.Tensor:
    return agrad.tensor(a, device=device, requires_grad=rg)


def _values(t: Any) -> np.ndarray:
    return np.array(t.detach().to_device("numpy").array, copy=True)


def _outcome(f: Callable[[Any], Any], x0: np.ndarray, device: str, where: str) -> str:
    """Write into the result (or the input) and see whether the other side changed."""
    h = _tensor(x0, device) * 2.0
    r = _first(f(h))
    before_h, before_r = _values(h), _values(r)
    try:
        if where == "result":
            r *= 3.0
        else:
            h *= 3.0
    except errors.AgradValueError:  # read-only broadcast views, refused before any write
        np.testing.assert_array_equal(_values(r), before_r)
        return "error"
    other, before = (h, before_h) if where == "result" else (r, before_r)
    return "copy" if np.array_equal(_values(other), before) else "view"


@pytest.mark.parametrize("device", BACKENDS)
@pytest.mark.parametrize("where", ["result", "input"])
@pytest.mark.parametrize(
    ("name", "shape", "f", "tf", "behaviour"), CASES, ids=[c[0] for c in CASES]
)
def test_write_into_a_possible_view(
    name: str, shape: tuple[int, ...], f: Any, tf: Any, behaviour: Any, where: str, device: str
) -> None:
    rng = np.random.default_rng(abs(hash((name, where))) % 2**32)
    x0 = rng.standard_normal(shape) + 2.0
    outcome = _outcome(f, x0, device, where)
    assert outcome in behaviour(device, where), (name, device, where, outcome)
    if outcome == "error":
        return
    w0 = rng.standard_normal(shape)
    program = _program(f, where, _tensor(w0, device), agrad)

    x = _tensor(x0, device, rg=True)
    program(x).backward()
    grad = _values(x.grad)

    # finite differences of agrad's own program, a polynomial of degree 4 at most
    v = rng.standard_normal(shape)
    eps = 1e-5
    with agrad.no_grad():
        up = float(program(_tensor(x0 + eps * v, device)).to_device("numpy").item())
        down = float(program(_tensor(x0 - eps * v, device)).to_device("numpy").item())
    np.testing.assert_allclose((up - down) / (2 * eps), np.sum(grad * v), rtol=1e-6)

    # torch.autograd, where its forward is the same (a view here and there)
    if tf is not None and outcome == "view":
        tx = torch.tensor(x0, requires_grad=True)
        _program(tf, where, torch.tensor(w0), torch)(tx).backward()
        assert tx.grad is not None
        np.testing.assert_allclose(grad, tx.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("device", BACKENDS)
@pytest.mark.parametrize(
    ("name", "shape", "f", "tf", "behaviour"), CASES, ids=[c[0] for c in CASES]
)
def test_write_into_a_view_of_a_leaf_raises(
    name: str, shape: tuple[int, ...], f: Any, tf: Any, behaviour: Any, device: str
) -> None:
    x0 = np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape)
    x = _tensor(x0, device, rg=True)
    r = _first(f(x))
    shares = behaviour(device, "result") & {"view", "error"}
    if "error" in shares:  # read-only: refused under no_grad too
        with pytest.raises(errors.AgradValueError, match="read-only"):
            r *= 0.0
        with agrad.no_grad(), pytest.raises(errors.AgradValueError, match="read-only"):
            r[...] = 0.0
    elif shares:
        with pytest.raises(errors.InplaceLeafError):
            r *= 0.0
    else:
        r *= 0.0
    np.testing.assert_array_equal(_values(x), x0)
    assert x.grad_fn is None


@pytest.mark.parametrize("device", BACKENDS)
@pytest.mark.parametrize("where", ["result", "input"])
@pytest.mark.parametrize(("name", "f"), COMPLEX_CASES, ids=[c[0] for c in COMPLEX_CASES])
def test_real_and_imag_of_complex_are_copies(name: str, f: Any, where: str, device: str) -> None:
    rng = np.random.default_rng(7)
    x0 = rng.standard_normal((3, 4))
    w0 = rng.standard_normal((3, 4))

    def program(x: Any) -> Any:
        h = x * (1.0 + 2.0j)
        r = f(h)
        if where == "result":
            r *= 3.0
        else:
            h *= 3.0
        return agrad.sum(agrad.real(h * agrad.conj(h)) * w) + agrad.sum(r * r)

    w = _tensor(w0, device)
    h = _tensor(x0, device) * (1.0 + 2.0j)
    r = f(h)
    before = _values(h)
    r *= 3.0
    np.testing.assert_array_equal(_values(h), before)  # a copy

    x = _tensor(x0, device, rg=True)
    program(x).backward()
    # the same program with the copy made explicit, in torch
    tx = torch.tensor(x0, requires_grad=True)
    th = tx * (1.0 + 2.0j)
    part = torch.real if "real" in name else torch.imag
    tr = part(th).clone()
    if where == "result":
        tr = tr * 3.0
    else:
        th = th * 3.0
    (torch.sum(torch.real(th * th.conj()) * torch.tensor(w0)) + torch.sum(tr * tr)).backward()
    assert tx.grad is not None
    np.testing.assert_allclose(_values(x.grad), tx.grad.numpy(), rtol=1e-12)


def test_the_issue_examples() -> None:
    x = agrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * 1
    r = agrad.real(h)
    r *= 10
    agrad.sum(h * h).backward()
    tx = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    th = tx * 1
    tr = torch.real(th)
    tr *= 10
    torch.sum(th * th).backward()
    assert tx.grad is not None
    np.testing.assert_allclose(x.grad.array, tx.grad.numpy())

    leaf = agrad.tensor([1.0, 2.0], requires_grad=True)
    first = agrad.unstack(leaf)[0]
    with pytest.raises(errors.InplaceLeafError):
        first *= 0
    np.testing.assert_array_equal(leaf.array, [1.0, 2.0])


# -- index forms -------------------------------------------------------------------------
KEYS: list[Any] = [
    [0, 0],
    [[0, 1], [1, 0]],
    [True, False, True],
    ([0, 1], [1, 1]),
    (0, [1, 1]),
    (Ellipsis, [0, 0]),
    (None, [1]),
    (slice(None), [[1], [2]]),
    [2, -1, 2],
    [],
    np.array([2, 0, 2]),
    np.array([True, True, False]),
    (np.int64(1), [3, 3]),
    (np.array(1), [0, 0]),
    ((0, 0), (1, 1)),
]


# Dask cannot index these ways (masks give arrays of unknown size, integer arrays beside
# None or an integer fail inside Dask): NumPy's other forms are checked there
DASK_CANNOT = {
    "[True,False,True]",
    "array([True,True,False])",
    "(None,[1])",
    "(0,[1,1])",
    "[]",
    "(np.int64(1),[3,3])",
    "[[0,1],[1,0]]",
    "(slice(None,None,None),[[1],[2]])",
}


def _skip_dask(key: Any, device: str) -> None:
    if device == "dask" and _key_id(key) in DASK_CANNOT:
        pytest.skip("an index form Dask does not take")


def _torch_key(k: Any) -> Any:
    if isinstance(k, tuple):
        return tuple(_torch_key(i) for i in k)
    if isinstance(k, list):
        return torch.tensor(np.asarray(k, dtype=None if k else np.int64))
    if isinstance(k, np.ndarray):
        return torch.from_numpy(k)
    if isinstance(k, np.integer):
        return int(k)
    return k


def _agrad_key(k: Any, form: str, device: str) -> Any:
    """The key as a list (as written), or with its lists turned into tensors of ``device``."""
    if form == "tensor":
        if isinstance(k, tuple):
            return tuple(_agrad_key(i, form, device) for i in k)
        if isinstance(k, (list, np.ndarray)):
            a = np.asarray(k)
            return agrad.asarray(a if a.size else a.astype(np.int64), device=device)
    return k


def _key_id(k: Any) -> str:
    return repr(k).replace(" ", "")


@pytest.mark.parametrize("form", ["as written", "tensor"])
@pytest.mark.parametrize("device", BACKENDS)
@pytest.mark.parametrize("key", KEYS, ids=[_key_id(k) for k in KEYS])
def test_getitem_index_forms_match_torch(key: Any, device: str, form: str) -> None:
    _skip_dask(key, device)
    rng = np.random.default_rng(3)
    x0 = rng.standard_normal((3, 4))
    expected = x0[key]
    w0 = rng.standard_normal(expected.shape)
    x = _tensor(x0, device, rg=True)
    try:
        y = x[_agrad_key(key, form, device)]
    except (IndexError, NotImplementedError):
        if device not in LIMITED_INDEXING:  # (forms beyond the standard)
            raise
        return
    np.testing.assert_array_equal(_values(y), expected)
    agrad.sum(y * _tensor(w0, device)).backward()

    tx = torch.tensor(x0, requires_grad=True)
    torch.sum(tx[_torch_key(key)] * torch.tensor(w0)).backward()
    assert tx.grad is not None
    np.testing.assert_allclose(_values(x.grad), tx.grad.numpy(), rtol=1e-12, atol=0)


@pytest.mark.parametrize("device", BACKENDS)
@pytest.mark.parametrize("key", KEYS, ids=[_key_id(k) for k in KEYS])
def test_setitem_index_forms(key: Any, device: str) -> None:
    _skip_dask(key, device)
    rng = np.random.default_rng(4)
    x0 = rng.standard_normal((3, 4))
    v0 = rng.standard_normal(x0[key].shape)
    w0 = rng.standard_normal((3, 4))
    x = _tensor(x0, device, rg=True)
    v = _tensor(v0, device, rg=True)
    h = x * 2.0
    try:
        h[key] = v * 3.0
    except (IndexError, NotImplementedError):
        if device not in LIMITED_INDEXING:  # (forms beyond the standard)
            raise
        return
    expected = x0 * 2.0
    expected[key] = v0 * 3.0  # NumPy's forward: the last write wins
    np.testing.assert_array_equal(_values(h), expected)
    agrad.sum(h * h * _tensor(w0, device)).backward()

    # torch's index_put (non-accumulate): x loses the written positions, and every value
    # written (a repeated position's too) gets the cotangent at its position
    tx = torch.tensor(x0, requires_grad=True)
    tv = torch.tensor(v0, requires_grad=True)
    th = (tx * 2.0).clone()
    th[_torch_key(key)] = tv * 3.0
    g = 2 * torch.tensor(expected) * torch.tensor(w0)  # d/dh of sum(h*h*w), at NumPy's h
    tx_grad, tv_grad = torch.autograd.grad(th, (tx, tv), g, allow_unused=True)
    np.testing.assert_allclose(_values(x.grad), _zero(tx_grad, x0), rtol=1e-12)
    np.testing.assert_allclose(_values(v.grad), _zero(tv_grad, v0), rtol=1e-12)


def _zero(g: torch.Tensor | None, like: np.ndarray) -> np.ndarray:
    return np.zeros_like(like) if g is None else g.numpy()


def test_getitem_with_a_repeated_list_index_adds_up() -> None:
    x = agrad.tensor([1.0, 2.0, 3.0])
    g = agrad.func.grad(lambda x: anp.sum(x[[0, 0]]))(x)
    np.testing.assert_array_equal(g.array, [2.0, 0.0, 0.0])


# -- what an in-place write may put into a tensor -----------------------------------------
def test_a_value_requiring_grad_cannot_go_into_an_integer_tensor() -> None:
    y = agrad.tensor([1.5, 2.5], requires_grad=True)
    i = agrad.asarray([1, 2])
    with pytest.raises(errors.AgradTypeError, match="int64"):
        i += y
    with pytest.raises(TypeError, match="cannot hold a gradient"):
        i[0] = y[0] * 3
    b = agrad.asarray([True, False])
    with pytest.raises(errors.AgradTypeError, match="bool"):
        b[1] = y[1]
    np.testing.assert_array_equal(i.array, [1, 2])
    assert not i.requires_grad
    ti = torch.tensor([1, 2])
    with pytest.raises(RuntimeError):
        ti += torch.tensor([1.5, 2.5], requires_grad=True)


def test_complex_cannot_go_into_a_real_tensor() -> None:
    h = agrad.tensor([1.0, 2.0], requires_grad=True) * 1.0
    with pytest.raises(errors.AgradTypeError, match="complex"):
        h += agrad.asarray([1j, 2j])
    with pytest.raises(errors.AgradTypeError, match="complex"):
        h[0] = 1j


def test_values_without_a_gradient_keep_numpy_casting() -> None:
    i = agrad.asarray([1, 2])
    i[0] = 2.7  # truncated, as NumPy does
    assert i.tolist() == [2, 2]
    with agrad.no_grad():
        i[1] = agrad.tensor(5.9, requires_grad=True)
    assert i.tolist() == [2, 5]


@pytest.mark.parametrize("data", ["a duck", None, [1, "a"], {"a": 1}, np.array([object()])])
def test_asarray_refuses_what_is_not_numbers(data: Any) -> None:
    with pytest.raises(errors.AgradTypeError, match="numbers"):
        agrad.asarray(data)
    with pytest.raises(TypeError, match="numbers"):
        agrad.tensor(data)


# -- detach, copy-on-write -----------------------------------------------------------------
@pytest.mark.parametrize("device", BACKENDS)
def test_detach_shares_memory_for_good(device: str) -> None:
    x = _tensor(np.array([1.0, 2.0]), device, rg=True)
    h = x * 2.0
    s = agrad.sin(h)  # saves h
    d = h.detach()
    d += 1.0
    np.testing.assert_array_equal(_values(h), [3.0, 5.0])
    h *= 2.0
    np.testing.assert_array_equal(_values(d), [6.0, 10.0])
    # copy-on-write moved h and d to a new buffer together: sin kept the h it saw
    agrad.sum(s).backward()
    np.testing.assert_allclose(_values(x.grad), 2.0 * np.cos(2.0 * np.array([1.0, 2.0])))


def test_detach_of_a_leaf_takes_writes_without_a_graph() -> None:
    x = agrad.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    y = agrad.tensor([1.0, 1.0], requires_grad=True)
    d += y * 2.0  # allowed, as in torch: d is no view, and x's graph does not change
    assert x.grad_fn is None
    np.testing.assert_array_equal(x.array, [3.0, 4.0])
    agrad.sum(d).backward()
    np.testing.assert_array_equal(y.grad.array, [2.0, 2.0])
    assert x.grad is None


def test_detach_in_place_of_a_view_raises() -> None:
    h = agrad.tensor([1.0, 2.0], requires_grad=True) * 1.0
    with pytest.raises(errors.GraphError, match="view"):
        h[1:].detach_()
    d = h.detach()
    d.detach_()  # a detached tensor is no view
    torch_h = torch.tensor([1.0, 2.0], requires_grad=True) * 1.0
    with pytest.raises(RuntimeError, match="Can't detach views in-place"):
        torch_h[1:].detach_()


@pytest.mark.parametrize("hook", ["retain_grad", "register_hook", "none"])
def test_copy_on_write_does_not_depend_on_hooks(hook: str) -> None:
    x0 = np.array([[1.0, 2.0], [3.0, 4.0]])
    w0 = np.array([[1.0, 0.0], [2.0, 1.0]])
    x = agrad.tensor(x0, requires_grad=True)
    a = x * 1.0
    if hook == "retain_grad":
        a.retain_grad()
    elif hook == "register_hook":
        a.register_hook(lambda g: None)
    y = agrad.tensordot(a, agrad.asarray(w0), axes=1)
    a += 1.0  # a copy-on-write: tensordot keeps the values it used
    agrad.sum(y * y).backward()
    tx = torch.tensor(x0, requires_grad=True)
    torch.sum(torch.tensordot(tx * 1.0, torch.tensor(w0), dims=1) ** 2).backward()
    assert tx.grad is not None
    np.testing.assert_allclose(x.grad.array, tx.grad.numpy())


def test_an_inplace_error_names_the_function_called() -> None:
    x = agrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    a = x * 1.0
    moved = a.to_device("torch:cpu")  # one buffer on two devices: no copy-on-write
    y = agrad.tensordot(a, agrad.ones((2, 2)), axes=1)
    moved += 1.0
    with pytest.raises(errors.InplaceModifiedError, match="`tensordot`"):
        agrad.sum(y).backward()


# -- einsum with a zero-length axis --------------------------------------------------------
@pytest.mark.parametrize(
    ("subscripts", "shapes"),
    [
        ("ij,jk->ik", [(2, 0), (0, 3)]),
        ("ij,jk->ijk", [(2, 0), (0, 3)]),
        ("ij->i", [(2, 0)]),
        ("ij,ij->", [(2, 0), (2, 0)]),
        ("ij,jk->ik", [(0, 2), (2, 3)]),
        ("bij,bjk->bik", [(0, 2, 3), (0, 3, 4)]),
        ("ij,kj->ikj", [(1, 0), (2, 1)]),
        ("ii->i", [(0, 0)]),
    ],
)
def test_einsum_with_a_zero_length_axis(subscripts: str, shapes: list[tuple[int, ...]]) -> None:
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal(s) for s in shapes]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    tout = torch.einsum(subscripts, *ts)
    g = rng.standard_normal(tuple(tout.shape))
    tgrads = torch.autograd.grad(tout, ts, torch.tensor(g), allow_unused=True)
    xs = [agrad.tensor(a, requires_grad=True) for a in arrays]
    out = anp.einsum(subscripts, *xs)
    np.testing.assert_allclose(out.array, tout.detach().numpy())
    out.backward(agrad.asarray(g))
    for x, a, tg in zip(xs, arrays, tgrads, strict=True):
        np.testing.assert_allclose(_values(x.grad), _zero(tg, a))


# -- read-only broadcast views --------------------------------------------------------------
def _bview(b: Any) -> Any:
    return b[0]


def _write(t: Any, write: str) -> None:
    if write == "+=":
        t += 1.0
    elif write == "*=":
        t *= t
    else:
        t[...] = 0.0


@pytest.mark.parametrize("device", BACKENDS)
@pytest.mark.parametrize(
    "through",
    [
        lambda b: b,
        _bview,
        lambda b: agrad.reshape(b, (2, 3, 1)),
        lambda b: b.mT,
        lambda b: b.detach(),
        lambda b: agrad.asarray(b, copy=False),
    ],
    ids=["result", "getitem", "reshape", "mT", "detach", "asarray"],
)
@pytest.mark.parametrize("write", ["+=", "*=", "setitem"])
def test_broadcast_results_are_read_only_everywhere(device: str, through: Any, write: str) -> None:
    x = agrad.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    h = x * 1.0
    for b in (agrad.broadcast_to(h, (2, 3)), agrad.broadcast_arrays(h, agrad.ones((2, 1)))[0]):
        t = through(b)
        with pytest.raises(errors.AgradValueError, match=r"`broadcast_to`.*read-only.*copy=True"):
            _write(t, write)
        np.testing.assert_array_equal(_values(b), [[1.0, 2.0, 3.0]] * 2)
    np.testing.assert_array_equal(_values(h), [1.0, 2.0, 3.0])


@pytest.mark.parametrize("device", BACKENDS)
def test_a_copy_of_a_broadcast_result_is_writable(device: str) -> None:
    x0 = np.array([1.0, 2.0, 3.0])
    w0 = np.arange(6.0).reshape(2, 3)
    x = agrad.tensor(x0, device=device, requires_grad=True)
    c = agrad.asarray(agrad.broadcast_to(x * 1.0, (2, 3)), copy=True)
    c[0] *= agrad.asarray(w0[1], device=device)
    agrad.sum(c * agrad.asarray(w0, device=device)).backward()
    tx = torch.tensor(x0, requires_grad=True)
    tc = tx.expand(2, 3).clone()
    tc[0] *= torch.tensor(w0[1])
    (tc * torch.tensor(w0)).sum().backward()
    assert tx.grad is not None
    np.testing.assert_allclose(_values(x.grad), tx.grad.numpy())


# -- writes whose operand overlaps the target -------------------------------------------------
def _perm(h: Any) -> None:
    h[[2, 0, 1, 5, 3, 4, 8, 6, 7]] = h


def _shift(h: Any) -> None:
    h[1:] = h[:-1]


def _reverse(h: Any) -> None:
    h[::-1] = h


def _strided(h: Any) -> None:
    t = h[2::2]
    t += h[0:-2:2]


def _transposed(h: Any) -> None:
    t = agrad.reshape(h, (3, 3)).mT if isinstance(h, agrad.Tensor) else h.reshape(3, 3).T
    t += agrad.reshape(h, (3, 3)) if isinstance(h, agrad.Tensor) else h.reshape(3, 3)


OVERLAPS = [_perm, _shift, _reverse, _strided, _transposed]


@pytest.mark.parametrize("device", [d for d in BACKENDS if d not in IMMUTABLE])
@pytest.mark.parametrize("write", OVERLAPS, ids=[f.__name__[1:] for f in OVERLAPS])
@pytest.mark.parametrize("rg", [False, True], ids=["no-grad", "grad"])
def test_a_write_from_an_overlapping_operand_is_numpys(device: str, write: Any, rg: bool) -> None:
    if device in LIMITED_INDEXING and write is _perm:
        pytest.skip("an index form array-api-strict does not take (integer-array assignment)")
    x0 = np.arange(1.0, 10.0) ** 1.5
    w0 = np.cos(np.arange(9.0))
    expected = x0 * 2.0
    write(expected)  # NumPy buffers an overlapping operand: the reference forward
    x = agrad.tensor(x0, device=device, requires_grad=rg)
    h = x * 2.0
    write(h)
    np.testing.assert_allclose(_values(h), expected, rtol=1e-15)
    if not rg:
        return
    agrad.sum(h * h * agrad.asarray(w0, device=device)).backward()
    eps, v = 1e-6, np.sin(np.arange(9.0) + 1.0)

    def loss(a: np.ndarray) -> float:
        r = a * 2.0
        write(r)
        return float(np.sum(r * r * w0))

    fd = (loss(x0 + eps * v) - loss(x0 - eps * v)) / (2 * eps)
    np.testing.assert_allclose(np.sum(_values(x.grad) * v), fd, rtol=1e-7)


EMPTY_VIEWS = [
    ("flip", lambda t: agrad.flip(t, axis=0)),
    ("step", lambda t: t[::2]),
    ("reshape", lambda t: agrad.reshape(t, (2, 0))),
]


@pytest.mark.parametrize("device", BACKENDS)
@pytest.mark.parametrize(("name", "f"), EMPTY_VIEWS, ids=[n for n, _ in EMPTY_VIEWS])
def test_empty_results_are_no_views_of_a_leaf(device: str, name: str, f: Any) -> None:
    if device == "dask" and name == "step":
        pytest.xfail("dask's setitem refuses an empty value for an empty stepped slice")
    x = agrad.tensor(np.zeros((0, 2)), device=device, requires_grad=True)
    r = f(x)
    r *= 3.0  # an empty result holds none of the leaf's memory: no leaf is changed
    agrad.sum(r * r).backward()
    assert x.grad is not None
    assert x.grad.shape == (0, 2)


@pytest.mark.parametrize("shape", [(0, 4), (4, 0), (1, 4), (2, 3)])
def test_einsum_diagonal_of_unequal_axes_is_refused(shape: tuple[int, ...]) -> None:
    # torch refuses these (NumPy too, but for (0, 4), where it returns uninitialised memory)
    with pytest.raises(RuntimeError):
        torch.einsum("ii->i", torch.zeros(shape))
    with pytest.raises(errors.AgradValueError, match="repeated in one operand"):
        anp.einsum("ii->i", agrad.zeros(shape))


# -- writes through views after a node saved the array (issue 27, item 1) ---------------------
def _torch_leaf(a: np.ndarray) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


@pytest.mark.parametrize("device", BACKENDS)
def test_slice_update_after_a_save_differentiates_the_program_as_it_ran(device: str) -> None:
    # the issue's program: torch refuses it at backward; agrad copies the view family on write
    x = _tensor(np.arange(5.0), device, rg=True)
    u = x * 1.0
    s = u * x  # saves u
    u[1:-1] += 1.0  # Python: view = u[1:-1]; view += 1.0; u[1:-1] = view
    agrad.sum(s * u).backward()
    tx = _torch_leaf(np.arange(5.0))
    shift = torch.tensor([0.0, 1.0, 1.0, 1.0, 0.0], dtype=torch.float64)
    (tx * tx * (tx + shift)).sum().backward()  # the same program, out of place
    np.testing.assert_allclose(_values(x.grad), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(_values(u), np.arange(5.0) + shift.numpy())


# each: (agrad program, the same program out of place in torch); u is saved by `u * u`
# before the write, so the write must not reach the array the node keeps
WRITES: list[tuple[str, Callable[[Any], None], Callable[[Any], Any]]] = [
    ("slice +=", lambda u: u[1:-1].__iadd__(2.0), lambda u: u + torch.tensor([0, 2, 2, 0.0])),
    (
        "strided *=",
        lambda u: u[::2].__imul__(3.0),
        lambda u: u * torch.tensor([3, 1, 3, 1.0], dtype=torch.float64),
    ),
    (
        "reshape view -=",
        lambda u: u.reshape((2, 2))[0].__isub__(1.0),
        lambda u: u - torch.tensor([1, 1, 0, 0.0]),
    ),
    ("setitem", lambda u: u.__setitem__(0, 7.0), lambda u: torch.cat([u.new_tensor([7.0]), u[1:]])),
    (
        "setitem from a view",
        lambda u: u.__setitem__(-1, u[-2]),
        lambda u: torch.cat([u[:-1], u[-2:-1]]),
    ),
]


@pytest.mark.parametrize("device", BACKENDS)
@pytest.mark.parametrize(("name", "write", "torch_write"), WRITES, ids=[w[0] for w in WRITES])
def test_a_write_through_a_view_keeps_what_backward_saved(
    device: str, name: str, write: Callable[[Any], None], torch_write: Callable[[Any], Any]
) -> None:
    a0 = np.array([0.5, -1.0, 2.0, 1.5])
    x = _tensor(a0, device, rg=True)
    u = x * 2.0
    kept = u[1:3]  # a live view made before the write: it must see the new values
    sq = u * u  # saves u
    write(u)
    np.testing.assert_array_equal(_values(kept), _values(u)[1:3])
    (agrad.sum(sq * u) + agrad.sum(kept * kept)).backward()
    tx = _torch_leaf(a0)
    tu = tx * 2.0
    tsq = tu * tu
    tu2 = torch_write(tu)
    ((tsq * tu2).sum() + (tu2[1:3] * tu2[1:3]).sum()).backward()
    np.testing.assert_allclose(_values(u), tu2.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(_values(x.grad), tx.grad.numpy(), rtol=1e-12)


def test_copy_on_write_moves_the_whole_family_and_keeps_the_saved_buffer() -> None:
    x = agrad.tensor(np.arange(6.0), requires_grad=True)
    u = x * 1.0
    before = u.array
    rows = u.reshape((2, 3))
    col = rows[:, 1]
    d = u.detach()
    _ = agrad.sin(u)  # saves u's buffer
    rows[1] += 10.0
    assert u.array is not before  # the family moved to a fresh buffer ...
    np.testing.assert_array_equal(before, np.arange(6.0))  # ... and the saved one is intact
    for t in (rows, col, d):  # every live member was re-pointed into the new buffer
        assert np.shares_memory(t.array, u.array)
    np.testing.assert_array_equal(d.array, [0.0, 1.0, 2.0, 13.0, 14.0, 15.0])
    np.testing.assert_array_equal(col.array, [1.0, 14.0])


def test_no_copy_when_no_node_saved_the_array() -> None:
    x = agrad.tensor(np.linspace(0.0, 1.0, 8), requires_grad=True)
    u = x * 1.0
    buffer = u.array
    for _ in range(20):
        step = (u[2:] - 2.0 * u[1:-1] + u[:-2]) * 0.1  # slices and sums: nothing saves u
        u[1:-1] += step
        u[0] = 0.0
    assert u.array is buffer
    agrad.sum(u * u).backward()  # and the result is differentiable as usual
    assert x.grad is not None


def test_a_self_operand_is_saved_before_the_write() -> None:
    # `v *= v` and `a /= a.T`: the operand the node keeps is not the memory written (torch
    # refuses both at backward)
    x = agrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    v = x * 1.0
    v *= v
    a = x * 1.0
    a /= a.T
    agrad.sum(v * x + a * x).backward()
    tx = _torch_leaf(np.array([[1.0, 2.0], [3.0, 4.0]]))
    (tx * tx * tx + (tx / tx.T) * tx).sum().backward()
    np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=1e-12)
