"""0-d arrays where the standard has Python scalars, and 0-d tensors as NumPy code expects
them (issue 22, items 4 and 5)."""

from __future__ import annotations

import numpy as np
import pytest

import agrad
from agrad import errors

DEVICES = ["numpy", "torch:cpu", "array_api_strict", "dask"]


@pytest.mark.parametrize("device", DEVICES)
def test_full_full_like_arange_linspace_take_0d_arrays(device: str) -> None:
    if device == "torch:cpu":
        pytest.importorskip("torch")
    one = agrad.asarray(1, device=device)
    full = agrad.full((3,), one, dtype=agrad.int32, device=device)
    assert full.dtype == agrad.int32
    assert full.tolist() == [1, 1, 1]
    like = agrad.full_like(agrad.ones(2, dtype=agrad.float32, device=device), agrad.asarray(2.5))
    assert like.dtype == agrad.float32
    assert like.tolist() == [2.5, 2.5]
    assert agrad.arange(agrad.asarray(3, device=device), device=device).tolist() == [0, 1, 2]
    start, stop = agrad.asarray(0.0, device=device), agrad.asarray(1.0, device=device)
    np.testing.assert_allclose(
        np.asarray(agrad.linspace(start, stop, 3, device=device).tolist()), [0.0, 0.5, 1.0]
    )


def test_full_with_a_fill_that_requires_grad_stays_in_the_graph() -> None:
    w = agrad.tensor(2.0, requires_grad=True)
    y = agrad.full((3,), w)
    assert y.tolist() == [2.0, 2.0, 2.0]
    agrad.sum(y * agrad.asarray([1.0, 2.0, 4.0])).backward()
    assert w.grad.item() == 7.0  # d/dw sum(w * c) = sum(c)


def test_full_refuses_an_array_fill() -> None:
    with pytest.raises(errors.AgradValueError, match="0-d array"):
        agrad.full((3,), agrad.ones(2))


def test_zero_d_tensors_are_not_iterable_and_format_as_numbers() -> None:
    x = agrad.asarray(1.5)
    assert not np.iterable(x)
    assert np.iterable(agrad.ones(2))
    assert f"{x:.3f}" == "1.500"
    assert f"{agrad.tensor(2.0, requires_grad=True) * 3:.1f}" == "6.0"
    assert f"{x}" == str(x)
    assert [t.item() for t in agrad.asarray([1.0, 2.0])] == [1.0, 2.0]


def test_numpy_reads_agrad_dtypes() -> None:
    # NumPy-only code written for arrays: `np.zeros(n, dtype=t.dtype)`
    t = agrad.ones(3, dtype=agrad.float32)
    assert np.zeros(2, dtype=t.dtype).dtype == np.float32
    for d in (agrad.bool, agrad.int8, agrad.uint64, agrad.float64, agrad.complex64):
        assert np.dtype(d) == np.dtype(d.name)


@pytest.mark.parametrize("device", DEVICES)
def test_creation_without_a_dtype_gives_the_device_s_default_dtypes(device: str) -> None:
    # torch's own default float is float32; agrad's defaults are what
    # `__array_namespace_info__().default_dtypes(device=...)` says, on every device
    if device == "torch:cpu":
        pytest.importorskip("torch")
    defaults = agrad.__array_namespace_info__().default_dtypes(device=device)
    real, cplx, integral = (
        defaults["real floating"],
        defaults["complex floating"],
        defaults["integral"],
    )
    made = {
        "zeros": (agrad.zeros(2, device=device), real),
        "ones": (agrad.ones(2, device=device), real),
        "empty": (agrad.empty(2, device=device), real),
        "eye": (agrad.eye(2, device=device), real),
        "linspace": (agrad.linspace(0, 1, 3, device=device), real),
        "arange-int": (agrad.arange(3, device=device), integral),
        "arange-float": (agrad.arange(0, 1, 0.5, device=device), real),
        "full-float": (agrad.full(2, 1.5, device=device), real),
        "full-int": (agrad.full(2, 3, device=device), integral),
        "full-bool": (agrad.full(2, True, device=device), agrad.bool),
        "asarray-float": (agrad.asarray([1.0, 2.0], device=device), real),
        "asarray-int": (agrad.asarray([1, 2], device=device), integral),
        "asarray-complex": (agrad.asarray([1j], device=device), cplx),
        "tensor-float": (agrad.tensor(1.5, device=device), real),
    }
    for what, (t, dtype) in made.items():
        assert t.dtype == dtype, what


@pytest.mark.parametrize("device", DEVICES)
def test_limits_of_a_library_do_not_pass_through(device: str) -> None:
    # torch: linspace lacks wide unsigned kernels; lists of NumPy 0-d arrays failed
    if device == "torch:cpu":
        pytest.importorskip("torch")
    for dtype in (agrad.uint8, agrad.uint32, agrad.uint64):
        got = agrad.linspace(0, 10, 4, dtype=dtype, device=device)
        assert got.dtype == dtype
        assert got.tolist() == np.linspace(0, 10, 4).astype(dtype.name).tolist()
    nested = agrad.asarray([[np.array(1.0), np.float64(2.0)]], device=device)
    assert nested.tolist() == [[1.0, 2.0]]
    assert nested.dtype == agrad.float64
    x = agrad.asarray([1.0, 2.0, 3.0], device=device)
    for dtype in (agrad.uint32, agrad.uint64):
        idx = agrad.asarray([2, 0], dtype=dtype, device=device)
        assert agrad.take(x, idx).tolist() == [3.0, 1.0]
