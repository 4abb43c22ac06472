"""NumPy's protocols on tensors (door 2): ``__array_ufunc__``, ``__array_function__``,
``__array__``, the reflected operators and the ``ndarray`` methods.

Values are compared with NumPy on the same data; gradients with torch.autograd or with
central finite differences of the same NumPy code.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

import agrad
import agrad.numpy as anp
from agrad._numpy_protocol import function_table, ufunc_table

ROOT = Path(__file__).resolve().parents[1]
RNG = np.random.default_rng(1)


def leaf(values: Any) -> agrad.Tensor:
    return agrad.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def twin(values: Any) -> torch.Tensor:
    return torch.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


# -- dispatch ------------------------------------------------------------------------------
def test_numpy_functions_return_tensors_in_the_graph():
    x = leaf([[0.5, -1.0], [2.0, 0.25]])
    y = np.sum(np.exp(np.sin(x)) * np.linalg.inv(x)) + np.einsum("ij,ji->", x, x)
    assert isinstance(y, agrad.Tensor)
    y.backward()
    t = twin([[0.5, -1.0], [2.0, 0.25]])
    expected = torch.sum(torch.exp(torch.sin(t)) * torch.linalg.inv(t))
    (expected + torch.einsum("ij,ji->", t, t)).backward()
    np.testing.assert_allclose(x.grad.array, t.grad.numpy(), rtol=1e-12)


def test_np_ufunc_records_the_standard_rule():
    x = leaf([1.0, 2.0])
    assert np.sin(x).grad_fn.name() == agrad.sin(x).grad_fn.name()


def test_every_numpy_ufunc_is_supported_but_a_known_few():
    numpy_ufuncs = {getattr(np, n) for n in dir(np) if isinstance(getattr(np, n), np.ufunc)}
    missing = {u.__name__ for u in numpy_ufuncs - set(ufunc_table())}
    # integer-only or bit-level ufuncs without a counterpart in the standard
    assert missing == {"bitwise_count", "frexp", "gcd", "isnat", "lcm", "spacing"}


def test_dispatch_tables_run_the_agrad_numpy_function_of_the_same_name():
    functions = function_table()
    assert len(functions) > 180
    for np_fn, ours in functions.items():
        assert ours.__name__ == np_fn.__name__
    assert functions[np.linalg.solve] is anp.linalg.solve
    assert functions[np.fft.rfft] is anp.fft.rfft
    assert ufunc_table()[np.add] is anp.add


def test_unsupported_function_raises_naming_it():
    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"`numpy\.histogram`.*t\.detach\(\)\.array"):
        np.histogram(x)
    with pytest.raises(TypeError, match=r"`numpy\.histogram2d`"):
        np.histogram2d(x, x)
    with pytest.raises(TypeError, match=r"ufunc `numpy\.gcd`"):
        np.gcd(x, x)
    with pytest.raises(TypeError, match=r"numpy\.add\.reduceat"):
        np.add.reduceat(x, [0, 1])


def test_foreign_array_types_get_their_turn():
    class Foreign:
        def __array_function__(self, func, types, args, kwargs):
            return "foreign"

        def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
            return "foreign"

    x = leaf([1.0])
    assert np.concatenate([x, Foreign()]) == "foreign"
    assert np.add(x, Foreign()) == "foreign"


def test_tensors_on_other_devices_dispatch_too():
    x = agrad.tensor([0.5, 1.5], device="array_api_strict", requires_grad=True)
    y = np.sum(np.square(np.cos(x)))
    assert y.device == agrad.Device("array_api_strict")
    y.backward()
    t = twin([0.5, 1.5])
    torch.sum(torch.cos(t) ** 2).backward()
    np.testing.assert_allclose(x.grad.to_device("numpy").array, t.grad.numpy(), rtol=1e-12)


# -- reflected operators and NumPy scalars -------------------------------------------------
@pytest.mark.parametrize(
    "op",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a * b,
        lambda a, b: a / b,
        lambda a, b: a**b,
        lambda a, b: a @ b,
    ],
    ids=["add", "sub", "mul", "div", "pow", "matmul"],
)
def test_ndarray_on_the_left_stays_in_the_graph(op):
    left = RNG.uniform(0.5, 2.0, (3, 3))
    x = leaf(RNG.uniform(0.5, 2.0, (3, 3)))
    y = op(left, x)
    assert isinstance(y, agrad.Tensor)
    agrad.sum(y).backward()
    t = twin(x.detach().array)
    op(torch.tensor(left), t).sum().backward()
    np.testing.assert_allclose(x.grad.array, t.grad.numpy(), rtol=1e-12)


def test_numpy_scalars_and_comparisons():
    x = leaf([1.0, -2.0])
    y = np.float64(3.0) * x + np.float32(1.0)
    assert isinstance(y, agrad.Tensor)
    assert y.dtype == agrad.float64
    assert isinstance(np.array([0.0, 0.0]) < x, agrad.Tensor)
    agrad.sum(y).backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_in_place_numpy_operator_refuses_to_drop_the_graph():
    acc = np.zeros(2)
    x = leaf([1.0, 2.0])
    with pytest.raises(TypeError, match="out="):
        acc += x
    acc += x.detach()  # without a graph NumPy's in-place update just works
    assert acc.tolist() == [1.0, 2.0]


# -- __array__ -----------------------------------------------------------------------------
def test_asarray_gives_the_values_outside_the_graph():
    x = agrad.tensor([1.0, 2.0])
    a = np.asarray(x)
    assert type(a) is np.ndarray
    assert np.shares_memory(a, x.array)
    assert np.array([x[0], x[1]]).dtype == np.float64  # never an object array
    assert np.asarray(x, dtype=np.float32).dtype == np.float32


def test_asarray_refuses_a_tensor_that_requires_grad():
    x = leaf([1.0, 2.0])
    with pytest.raises(TypeError, match=r"detach\(\)"):
        np.asarray(x)
    with pytest.raises(TypeError, match="requires grad"):
        np.array([x[0], x[1] * 2])  # the idiom whose graph would be lost
    np.testing.assert_array_equal(np.asarray(x.detach()), [1.0, 2.0])
    with agrad.no_grad():
        np.testing.assert_array_equal(np.asarray(x), [1.0, 2.0])


# -- ufunc keywords and methods through NumPy ----------------------------------------------
def test_out_tensor_is_written_in_the_graph():
    x = leaf([1.0, 2.0, 3.0])
    target = np.zeros_like(x)  # a tensor: NumPy dispatched zeros_like
    assert isinstance(target, agrad.Tensor)
    result = np.multiply(x, x, out=target, where=np.array([True, False, True]))
    assert result is target
    agrad.sum(target).backward()
    assert target.tolist() == [1.0, 0.0, 9.0]
    assert x.grad.tolist() == [2.0, 0.0, 6.0]


def test_ufunc_methods_through_numpy():
    x = leaf(RNG.standard_normal((3, 4)))
    values = leaf(RNG.standard_normal(5))
    target = np.zeros_like(x)
    rows, cols = np.array([0, 2, 2, 1, 0]), np.array([1, 3, 3, 0, 1])
    np.add.at(target, (rows, cols), values)
    loss = np.sum(np.maximum.reduce(x, axis=0) * 2) + np.sum(target * x)
    loss = loss + np.sum(np.multiply.outer(x[0], x[1]))
    loss.backward()
    t, tv = twin(x.detach().array), twin(values.detach().array)
    index = (torch.tensor(rows), torch.tensor(cols))
    scattered = torch.zeros(3, 4, dtype=torch.float64).index_put(index, tv, accumulate=True)
    expected = torch.amax(t, dim=0).sum() * 2 + (scattered * t).sum()
    (expected + torch.outer(t[0], t[1]).sum()).backward()
    np.testing.assert_allclose(x.grad.array, t.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(values.grad.array, tv.grad.numpy(), rtol=1e-12)


def test_add_at_into_a_numpy_array_takes_values_only_without_a_graph():
    target = np.zeros(3)
    with pytest.raises(TypeError, match=r"add\.at"):
        np.add.at(target, [0, 0], leaf([1.0, 2.0]))
    np.add.at(target, [0, 0], agrad.tensor([1.0, 2.0]))
    assert target.tolist() == [3.0, 0.0, 0.0]


# -- ndarray methods -------------------------------------------------------------------------
M = RNG.standard_normal((3, 4))
METHODS = [
    ("sum", lambda a: a.sum(axis=0)),
    ("sum-keepdims", lambda a: a.sum(keepdims=True)),
    ("prod", lambda a: a.prod(axis=1)),
    ("mean", lambda a: a.mean()),
    ("std", lambda a: a.std(ddof=1)),
    ("var", lambda a: a.var(axis=1)),
    ("max", lambda a: a.max(axis=0)),
    ("min", lambda a: a.min()),
    ("cumsum", lambda a: a.cumsum()),
    ("cumprod", lambda a: a.cumprod(axis=1)),
    ("reshape-args", lambda a: a.reshape(6, 2)),
    ("reshape-tuple", lambda a: a.reshape((2, 6))),
    ("reshape-F", lambda a: a.reshape(2, 6, order="F")),
    ("transpose", lambda a: a.transpose()),
    ("transpose-args", lambda a: a.reshape(3, 2, 2).transpose(1, 0, 2)),
    ("transpose-tuple", lambda a: a.transpose((1, 0))),
    ("T", lambda a: a.T),
    ("swapaxes", lambda a: a.swapaxes(0, 1)),
    ("flatten", lambda a: a.flatten()),
    ("ravel", lambda a: a.ravel()),
    ("squeeze", lambda a: a.reshape(1, 3, 4).squeeze()),
    ("astype", lambda a: a.astype(float)),
    ("copy", lambda a: a.copy()),
    ("clip", lambda a: a.clip(-0.5, 0.5)),
    ("round", lambda a: a.round(1)),
    ("dot", lambda a: a.dot(a.T)),
    ("diagonal", lambda a: a.diagonal(1)),
    ("trace", lambda a: a.trace()),
    ("take", lambda a: a.take([0, 2, 2], axis=1)),
    ("repeat", lambda a: a.repeat(2, axis=0)),
    ("conj", lambda a: a.conj()),
    ("conjugate", lambda a: a.conjugate()),
    ("real", lambda a: a.real),
    ("imag", lambda a: a.imag + a),
    ("divmod", lambda a: divmod(a * 3, 2.0)[1]),
    ("argmax", lambda a: a.argmax(axis=1)),
    ("argmin", lambda a: a.argmin()),
    ("argsort", lambda a: a.argsort(axis=0)),
    ("nonzero", lambda a: (a > 0).nonzero()[1]),
    ("any", lambda a: (a > 1).any(axis=0)),
    ("all", lambda a: (a > -3).all()),
    ("searchsorted", lambda a: np.sort(a.ravel()).searchsorted(0.1)),
]


def _fd_gradient(fn: Any, a: np.ndarray, w: np.ndarray) -> np.ndarray:
    grad = np.zeros_like(a)
    for j in np.ndindex(a.shape):
        h = 1e-6
        up, down = a.copy(), a.copy()
        up[j] += h
        down[j] -= h
        grad[j] = (np.sum(fn(up) * w) - np.sum(fn(down) * w)) / (2 * h)
    return grad


@pytest.mark.parametrize("method", [m[1] for m in METHODS], ids=[m[0] for m in METHODS])
def test_ndarray_methods_match_numpy(method):
    expected = np.asarray(method(M))
    x = leaf(M)
    got = method(x)
    assert isinstance(got, agrad.Tensor)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got.detach().array, expected, rtol=1e-12)
    if expected.dtype.kind != "f" or not got.requires_grad:
        return
    seed = zlib.crc32(repr(expected.shape).encode())
    w = np.random.default_rng(seed).standard_normal(expected.shape)
    agrad.sum(got * w).backward()
    np.testing.assert_allclose(x.grad.array, _fd_gradient(method, M, w), rtol=1e-6, atol=1e-7)


def test_in_place_methods():
    x = leaf([3.0, 1.0, 2.0])
    y = x * 1.0
    y.sort()
    agrad.sum(y * agrad.asarray([1.0, 10.0, 100.0])).backward()
    assert y.tolist() == [1.0, 2.0, 3.0]
    assert x.grad.tolist() == [100.0, 1.0, 10.0]
    z = agrad.zeros(3)
    z.fill(4.0)
    assert z.tolist() == [4.0, 4.0, 4.0]
    assert (z.itemsize, z.nbytes) == (8, 24)


def test_standard_attributes_keep_the_standard_meaning():
    v = agrad.ones(3)
    assert v.T is v  # NumPy's and torch's rule: a vector's .T is itself (`v.T @ w`)
    assert v.transpose().shape == (3,)  # NumPy's meaning, as a method
    assert agrad.ones((2, 3, 4)).transpose().shape == (4, 3, 2)
    with pytest.raises(ValueError, match=r"\.mT"):
        _ = agrad.ones((2, 3, 4)).T  # torch deprecates reversing every axis
    assert isinstance(v.device, agrad.Device)


# -- the documentation's table ---------------------------------------------------------------
def test_docs_table_lists_exactly_the_supported_functions():
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_numpy_table.py"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_docs_table_notes_read_as_sentences():
    """No markup leaks into the notes (Sphinx roles, RST double backticks), and none is a
    fragment that lost its subject with the NumPy name (", with ...", "Of two 1-d tensors.")."""
    text = (ROOT / "docs" / "numpy.md").read_text(encoding="utf-8")
    table = text.split("<!-- numpy-table:start -->")[1].split("<!-- numpy-table:end -->")[0]
    rows = [re.split(r"(?<!\\)\|", line) for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) > 300
    notes = [cells[-2].strip() for cells in rows if cells[-2].strip()]
    bad = [
        n
        for n in notes
        if re.search(r":(class|func|meth|attr|data|mod):|``", n)
        or re.match(r"[^A-Z`0-9]|(Of|Over|Along|With|Without|For)\b(?! `)", n)
    ]
    assert not bad, bad
