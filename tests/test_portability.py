"""Array API code written for one device runs on another: what SciPy's and array-api-extra's
own suites (tests/suites) found missing when agrad's default device was not NumPy.

Each test names the call those suites make; values are compared with NumPy or SciPy, and
gradients with torch.autograd.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import scipy.special
import torch

import agrad

if importlib.util.find_spec("jax") is not None:
    import jax

    jax.config.update("jax_enable_x64", True)

_LIBRARY = {
    "numpy": "numpy",
    "torch:cpu": "torch",
    "array_api_strict": "array_api_strict",
    "dask": "dask",
    "jax:cpu": "jax",
}
DEVICES = [
    pytest.param(
        d,
        marks=pytest.mark.skipif(not importlib.util.find_spec(lib), reason=f"{lib} not installed"),
    )
    for d, lib in _LIBRARY.items()
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(
    ("python_type", "name"),
    [(bool, "bool"), (int, "int64"), (float, "float64"), (complex, "complex128")],
)
def test_python_types_as_dtypes(device: str, python_type: type, name: str) -> None:
    # SciPy's tanhsinh: xp.zeros(shape, dtype=bool); NumPy and torch read Python's types
    assert agrad.zeros(3, dtype=python_type, device=device).dtype == getattr(agrad, name)
    assert agrad.full((2,), 1, dtype=python_type, device=device).dtype == getattr(agrad, name)
    assert agrad.astype(agrad.ones(2, device=device), python_type).dtype == getattr(agrad, name)


def test_a_dtype_agrad_cannot_read_is_refused_clearly() -> None:
    with pytest.raises(TypeError, match=r"agrad\.float32.*bool, int, float or complex"):
        agrad.zeros(3, dtype="float32")


def test_astype_to_python_int_ends_the_graph() -> None:
    x = agrad.tensor([1.5, 2.5], requires_grad=True)
    assert not agrad.astype(x, int).requires_grad


def test_broadcast_arrays_keeps_inputs_that_need_no_broadcast_writable() -> None:
    # SciPy's integrate tests write into the arguments their integrand gets
    a, b = agrad.broadcast_arrays(agrad.ones(3), agrad.zeros((2, 3)))
    b[0, 0] = 5.0
    assert b.tolist() == np.array([[5.0, 0, 0], [0, 0, 0]]).tolist()
    with pytest.raises(ValueError, match="read-only"):
        a[0] = 1.0


@pytest.mark.parametrize("device", DEVICES)
def test_a_python_number_keeps_float32_in_special_functions(device: str) -> None:
    # SciPy's generic stdtr calls betainc(df / 2, 0.5, x) on float32 arrays
    x = agrad.asarray([0.2, 0.7], dtype=agrad.float32, device=device)
    out = agrad.special.betainc(x, 0.5, x)
    assert out.dtype == agrad.float32
    want = scipy.special.betainc(np.float32([0.2, 0.7]), np.float32(0.5), np.float32([0.2, 0.7]))
    np.testing.assert_allclose(np.asarray(out), want, rtol=1e-5)


@pytest.mark.parametrize("device", DEVICES)
def test_numpy_data_joins_the_tensor_device_with_its_gradient(device: str) -> None:
    # SciPy's group_delay: c * np.arange(c.size) with c on the default device
    data = [0.5, -1.0, 2.0]
    x = agrad.tensor(data, device=device, requires_grad=True)
    w = np.arange(3.0)
    y = x * w + np.stack([w, w])[0] * x + agrad.stack([w, x])[0]
    assert y.device == agrad.Device(device)
    agrad.sum(y * y).backward()
    xt = torch.tensor(data, dtype=torch.float64, requires_grad=True)
    wt = torch.arange(3.0, dtype=torch.float64)
    yt = xt * wt + wt * xt + wt
    torch.sum(yt * yt).backward()
    np.testing.assert_allclose(np.asarray(x.grad), xt.grad.numpy())


def test_data_of_two_devices_still_refuses_to_mix() -> None:
    t = agrad.ones(3, device="torch:cpu")
    with pytest.raises(agrad.errors.DeviceMismatchError, match="'torch:cpu' and 'numpy'"):
        t + agrad.ones(3)  # an agrad tensor on "numpy" is not host data: it lives there


@pytest.mark.parametrize("device", DEVICES)
def test_where_takes_two_python_scalars(device: str) -> None:
    # SciPy's NumPy code, np.where(t, 1, 0), on a tensor
    t = agrad.asarray([0.5, 2.0, 3.0], device=device)
    for a, b in [(1, 0), (1.5, 0), (True, False), (1j, 0)]:
        out = np.where(t > 1, a, b)
        want = np.where(np.asarray([0.5, 2.0, 3.0]) > 1, a, b)
        assert out.device == agrad.Device(device)
        assert out.dtype == want.dtype
        assert out.tolist() == want.tolist()


@pytest.mark.parametrize("device", ["numpy", "array_api_strict", "torch:cpu", "jax:cpu"])
def test_a_write_through_an_empty_mask(device: str) -> None:
    # array-api-extra's apply_where on empty inputs; Dask's unknown sizes cannot take it
    if not importlib.util.find_spec(_LIBRARY[device]):
        pytest.skip(f"{_LIBRARY[device]} not installed")
    x = agrad.zeros((0, 3), device=device)
    x[x > 5] = agrad.zeros((0,), device=device)
    assert x.shape == (0, 3)
    y = agrad.asarray([[1.0, -2.0], [-3.0, 4.0]], device=device)
    y[y < 0] = agrad.asarray([7.0, 8.0], device=device)
    assert y.tolist() == [[1.0, 7.0], [8.0, 4.0]]


@pytest.mark.skipif(not importlib.util.find_spec("dask"), reason="dask not installed")
def test_dask_tensors_refuse_dlpack_with_the_standards_buffer_error() -> None:
    # array-api-extra's assertions fall back to np.asarray on BufferError
    t = agrad.ones(3, device="dask")
    with pytest.raises(BufferError, match=r"numpy\.asarray\(t\)"):
        t.__dlpack__()
    with pytest.raises(BufferError):
        t.__dlpack_device__()
    assert np.asarray(t).tolist() == [1.0, 1.0, 1.0]


@pytest.mark.skipif(not importlib.util.find_spec("dask"), reason="dask not installed")
def test_dask_capabilities_and_unknown_sizes() -> None:
    info = agrad.__array_namespace_info__()
    assert info.capabilities()["data-dependent shapes"] is True
    with agrad.default_device("dask"):
        caps = info.capabilities()
        assert caps["boolean indexing"] is False
        assert caps["data-dependent shapes"] is False
    x = agrad.arange(5.0, device="dask")
    y = x[x > 1]  # three values Dask does not count until computed
    assert agrad.ones_like(y).tolist() == [1.0, 1.0, 1.0]
    assert agrad.full_like(y, 2.0).tolist() == [2.0, 2.0, 2.0]
    assert agrad.zeros_like(y, dtype=agrad.int32).dtype == agrad.int32


def test_devices_is_a_tuple_that_also_joins_a_list() -> None:
    # SciPy's `devices` fixture: info.devices() + [None] (a list before Array API 2025.12)
    devices = agrad.__array_namespace_info__().devices()
    assert isinstance(devices, tuple)
    assert agrad.Device("numpy") in devices
    assert list(devices + [None]) == [*devices, None]  # noqa: RUF005 (the concatenation is the point)
    assert list([None] + devices) == [None, *devices]  # noqa: RUF005


@pytest.mark.parametrize("name", ["uint16", "uint32", "uint64"])
def test_torch_gathers_wide_unsigned_integers(name: str) -> None:
    # torch has no gather kernels for them; SciPy's and array-api-extra's tests use them
    a = np.array([[0, 1, 2**15 + 3], [7, 2**16 - 1, 5]], dtype=name)
    x = agrad.asarray(a, device="torch:cpu")
    i = np.array([[2, 0], [1, 1]])
    taken = agrad.take(x, agrad.asarray([2, 0], device="torch:cpu"), axis=1)
    assert taken.dtype == getattr(agrad, name)
    assert taken.tolist() == np.take(a, [2, 0], axis=1).tolist()
    along = agrad.take_along_axis(x, agrad.asarray(i, device="torch:cpu"), axis=1)
    assert along.tolist() == np.take_along_axis(a, i, axis=1).tolist()
    magnitude = agrad.abs(x)  # SciPy's signal tests; torch has no abs kernel for these
    assert magnitude.dtype == getattr(agrad, name)
    assert magnitude.tolist() == a.tolist()
    # nor max/min or comparisons: computed in int64, in the same order
    top = np.iinfo(name).max
    b = np.array([[top, 1, 2], [0, 2**15 + 3, 4]], dtype=name)
    y = agrad.asarray(b, device="torch:cpu")
    assert agrad.max(x).item() == a.max()
    assert agrad.max(x).dtype == getattr(agrad, name)
    assert agrad.min(x, axis=1).tolist() == a.min(axis=1).tolist()
    assert agrad.maximum(x, y).tolist() == np.maximum(a, b).tolist()
    assert agrad.minimum(x, 4).tolist() == np.minimum(a, 4).tolist()
    assert agrad.flip(x, axis=1).tolist() == np.flip(a, axis=1).tolist()
    ordered = np.sort(b.ravel())
    got = agrad.searchsorted(agrad.asarray(ordered, device="torch:cpu"), x, side="right")
    assert got.tolist() == np.searchsorted(ordered, a, side="right").tolist()
    for op in ("less", "less_equal", "greater", "greater_equal"):
        assert getattr(agrad, op)(x, y).tolist() == getattr(np, op)(a, b).tolist()
        assert getattr(agrad, op)(x, 2**15).tolist() == getattr(np, op)(a, 2**15).tolist()


@pytest.mark.skipif(not importlib.util.find_spec("dask"), reason="dask not installed")
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_dask_take_along_axis_and_its_gradient(axis: int) -> None:
    rng = np.random.default_rng(axis + 1)
    a = rng.normal(size=(4, 5))
    i = rng.integers(0, a.shape[axis], size=(3, 5) if axis == 0 else (4, 3))
    x = agrad.tensor(a, device="dask", requires_grad=True)
    y = agrad.take_along_axis(x, agrad.asarray(i, device="dask"), axis=axis)
    np.testing.assert_allclose(np.asarray(y.detach()), np.take_along_axis(a, i, axis=axis))
    agrad.sum(y * y).backward()
    xt = torch.tensor(a, requires_grad=True)
    torch.sum(torch.take_along_dim(xt, torch.tensor(i), axis) ** 2).backward()
    np.testing.assert_allclose(np.asarray(x.grad), xt.grad.numpy())


def test_an_index_on_another_device_goes_where_the_data_is() -> None:
    # SciPy's pearsonr: a 0-d mask made on the default device indexes a torch:cpu tensor
    x = agrad.asarray(1.5, device="torch:cpu")
    assert x[agrad.asarray(True)].tolist() == [1.5]
    y = agrad.tensor([1.0, 2.0, 3.0], device="torch:cpu", requires_grad=True)
    z = y[agrad.asarray([2, 0])]  # an integer index on "numpy"
    assert z.device == agrad.Device("torch:cpu")
    agrad.sum(z * z).backward()
    t = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    torch.sum(t[torch.tensor([2, 0])] ** 2).backward()
    np.testing.assert_allclose(np.asarray(y.grad), t.grad.numpy())


@pytest.mark.skipif(not importlib.util.find_spec("dask"), reason="dask not installed")
def test_dask_takes_a_zero_d_mask_as_numpy_does() -> None:
    # array-api-extra's apply_where and at(): `x[cond]` and `x[cond] = v` with a 0-d cond
    for device in ("dask", "numpy"):
        x = agrad.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
        total = agrad.sum(x)
        assert total[total > 5].tolist() == [6.0]
        assert total[total > 10].tolist() == []
        assert x[agrad.asarray(True, device=device)].tolist() == [[1.0, 2.0, 3.0]]
        y = x * 1.0
        y[total > 5] = 7.0
        z = x * 2.0
        z[agrad.asarray(False, device=device)] = agrad.zeros((0, 3), device=device)
        v = agrad.tensor(np.full((1, 3), 5.0), device=device, requires_grad=True)
        w = x * 3.0
        w[agrad.asarray(True, device=device)] = v * v
        assert (y.tolist(), z.tolist(), w.tolist()) == ([7.0] * 3, [2.0, 4.0, 6.0], [25.0] * 3)
        (agrad.sum(y * y) + agrad.sum(z) + agrad.sum(w)).backward()
        # y is all 7s (no gradient to x), z = 2x, w = v*v (none to x either)
        assert x.grad.tolist() == [2.0, 2.0, 2.0]
        assert v.grad.tolist() == [[10.0, 10.0, 10.0]]


@pytest.mark.skipif(not importlib.util.find_spec("dask"), reason="dask not installed")
def test_dask_refuses_a_gradient_through_a_mask_clearly() -> None:
    # a reduction of `x[mask]` broadcasts its gradient to a length Dask does not know
    x = agrad.tensor([1.0, 2.0, 3.0], device="dask", requires_grad=True)
    with pytest.raises(agrad.errors.NotOnDeviceError, match=r"agrad\.where\(mask, x, 0\)"):
        agrad.sum(x[x > 1]).backward()
    with pytest.raises(agrad.errors.NotOnDeviceError, match=r"shape \(nan,\)"):
        agrad.broadcast_to(agrad.asarray(1.0, device="dask"), x[x > 1].shape)


@pytest.mark.skipif(not importlib.util.find_spec("dask"), reason="dask not installed")
@pytest.mark.parametrize("leading", [False, True])
def test_dask_writes_through_a_mask_of_unknown_length(leading: bool) -> None:
    # array-api-extra's apply_where (SciPy's entropy): `out[m] = f(x[m])`, where `x[m]` has a
    # length Dask knows only when it computes; the gradient reaches x through the same write
    xn = np.random.default_rng(5).standard_normal((3, 4))
    mask = np.array([True, False, True]) if leading else xn > 0
    got = {}
    for device in ("dask", "numpy"):
        x = agrad.tensor(xn, device=device, requires_grad=True)
        m = agrad.asarray(mask, device=device)
        y = agrad.zeros_like(x)
        y[m] = agrad.sin(x[m]) * x[m]
        agrad.sum(y * y).backward()
        got[device] = (
            np.asarray(y.detach().to_device("numpy")),
            np.asarray(x.grad.to_device("numpy")),
        )
    xt = torch.tensor(xn, requires_grad=True)
    mt = torch.tensor(mask)
    yt = torch.zeros_like(xt)
    yt[mt] = torch.sin(xt[mt]) * xt[mt]
    (yt * yt).sum().backward()
    for device, (y_val, grad) in got.items():
        np.testing.assert_allclose(y_val, yt.detach().numpy(), err_msg=device)
        np.testing.assert_allclose(grad, xt.grad.numpy(), err_msg=device)


def _key_new_axes(y, v):
    y[None, 0] = v  # Dask misreads new axes in assignments (and fails only when computing)


def _key_empty(y, v):
    y[1:1] = v[:0]  # Dask fails computing an assignment of an empty value


def _key_mask_then_slice(y, v):
    y[y[:, 0] > 0, :] = v[y[:, 0] > 0, :] * 3.0  # a value of unknown length, `x[m, :]`


def _key_inplace_on_unknown_length(y, v):
    z = y[y > 0]  # (nan,) on Dask: an in-place product keeps that unknown shape
    z *= 2.0
    y[y > 0] = z


@pytest.mark.skipif(not importlib.util.find_spec("dask"), reason="dask not installed")
@pytest.mark.parametrize(
    "write",
    [
        _key_new_axes,
        _key_empty,
        _key_mask_then_slice,
        _key_inplace_on_unknown_length,
    ],
)
def test_dask_writes_as_numpy_does(write) -> None:
    # found by the differential fuzzer on the dask device: each gave an error at compute time
    # (or a refusal), NumPy's result here
    rng = np.random.default_rng(6)
    xn, vn = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    got = {}
    for device in ("dask", "numpy"):
        x = agrad.tensor(xn, device=device, requires_grad=True)
        v = agrad.tensor(vn, device=device, requires_grad=True)
        y = x * 1.0
        write(y, v[0] if write is _key_new_axes else v)
        agrad.sum(agrad.sin(y)).backward()
        got[device] = [
            None if t is None else np.asarray(t.to_device("numpy"))
            for t in (y.detach(), x.grad, v.grad)
        ]
    for want, have in zip(got["numpy"], got["dask"], strict=True):
        assert (want is None) == (have is None)
        if want is not None:
            np.testing.assert_allclose(have, want, rtol=1e-14)


@pytest.mark.skipif(not importlib.util.find_spec("dask"), reason="dask not installed")
@pytest.mark.parametrize("index", [[0], [1, 0]])
def test_dask_index_arrays_of_host_data(index) -> None:
    # Dask names `from_array(np.array([0]))` as it names its own chunk offsets inside `x[i]`,
    # and the two got mixed up: `x[i].shape` was x's, and the gradient failed to compute
    xn = np.arange(6.0).reshape(2, 3)
    x = agrad.tensor(xn, device="dask", requires_grad=True)
    y = x[agrad.asarray(index, device="dask")]
    assert y.shape == xn[index].shape
    agrad.sum(y * y).backward()
    xt = torch.tensor(xn, requires_grad=True)
    (xt[torch.tensor(index)] ** 2).sum().backward()
    np.testing.assert_array_equal(np.asarray(x.grad.to_device("numpy")), xt.grad.numpy())


@pytest.mark.skipif(not importlib.util.find_spec("dask"), reason="dask not installed")
@pytest.mark.parametrize(
    "key",
    [(Ellipsis, None, [0]), (None, slice(None), [2, 0]), (slice(None), None, [1], None)],
    ids=str,
)
def test_dask_new_axes_beside_an_index_array(key) -> None:
    # Dask's own indexing asserts on these; agrad makes the new axes first
    xn = np.random.default_rng(7).standard_normal((2, 3, 4))
    x = agrad.tensor(xn, device="dask", requires_grad=True)
    k = tuple(agrad.asarray(e, device="dask") if isinstance(e, list) else e for e in key)
    y = x[k]
    agrad.sum(agrad.sin(y)).backward()
    xt = torch.tensor(xn, requires_grad=True)
    torch.sin(
        xt[tuple(torch.tensor(e) if isinstance(e, list) else e for e in key)]
    ).sum().backward()
    np.testing.assert_array_equal(np.asarray(y.detach().to_device("numpy")), xn[key])
    np.testing.assert_allclose(np.asarray(x.grad.to_device("numpy")), xt.grad.numpy(), rtol=1e-14)


@pytest.mark.skipif(not importlib.util.find_spec("dask"), reason="dask not installed")
@pytest.mark.parametrize(
    "key",
    [
        (np.array([[0, 3], [1, 1]]), 0),
        (np.array([0, 2]), 1, np.array([1, 0])),
        (np.array([[-1], [2]]), np.array([0, -2])),
        (slice(None), np.array([[2], [0], [2]])),
        (Ellipsis, np.array([[1, 0], [0, 0]])),
    ],
    ids=str,
)
def test_dask_takes_index_arrays_of_several_axes(key) -> None:
    # Dask takes one 1-d integer array only; agrad takes the flat positions instead
    xn = np.random.default_rng(9).standard_normal((4, 3, 2))
    x = agrad.tensor(xn, device="dask", requires_grad=True)
    y = x[tuple(agrad.asarray(e, device="dask") if isinstance(e, np.ndarray) else e for e in key)]
    agrad.sum(agrad.sin(y)).backward()
    xt = torch.tensor(xn, requires_grad=True)
    torch.sin(
        xt[tuple(torch.tensor(e) if isinstance(e, np.ndarray) else e for e in key)]
    ).sum().backward()
    np.testing.assert_array_equal(np.asarray(y.detach().to_device("numpy")), xn[key])
    np.testing.assert_allclose(np.asarray(x.grad.to_device("numpy")), xt.grad.numpy(), rtol=1e-14)


@pytest.mark.skipif(not importlib.util.find_spec("dask"), reason="dask not installed")
def test_dask_rolls_an_empty_tensor_into_gradients_that_add_up() -> None:
    # Dask rolled an empty array into chunks (0, 0), which the gradient's sum with the
    # tensor's own (0,) chunks could not align (the fuzzer's seed 5518)
    x = agrad.tensor(np.array([]), device="dask", requires_grad=True)
    agrad.sum(agrad.atan2(x, agrad.roll(1.0 - x, 1, axis=0))).backward()
    assert x.grad.shape == (0,)
    assert np.asarray(x.grad.to_device("numpy")).shape == (0,)


@pytest.mark.skipif(not importlib.util.find_spec("dask"), reason="dask not installed")
@pytest.mark.parametrize("key", [([7, 1],), ([[0]], [5]), (slice(None), [-4])], ids=str)
def test_dask_index_out_of_range_raises_as_numpy(key) -> None:
    # Dask's own indexing returns another element for a position out of range
    xn = np.arange(12.0).reshape(4, 3)
    with pytest.raises(IndexError):
        xn[tuple(np.array(k) if isinstance(k, list) else k for k in key)]
    x = agrad.tensor(xn, device="dask")
    k = tuple(agrad.asarray(e, device="dask") if isinstance(e, list) else e for e in key)
    with pytest.raises(IndexError, match="out of bounds"):
        x[k].to_device("numpy")

    def write() -> None:  # Dask's own assignment skips a position out of range
        x[k] = 9.0
        x.to_device("numpy")

    with pytest.raises(IndexError):  # at once (Dask's 2-d index), or when computed
        write()


@pytest.mark.parametrize("default", ["numpy", "torch:cpu"])
def test_constants_of_two_devices_meet_where_the_data_was_placed(default: str) -> None:
    # SciPy's pearsonr: `n = xp.asarray(len(x))` lands on the default device and meets the
    # 0-d statistic computed on the data's device: the default device's constant moves
    other = "torch:cpu" if default == "numpy" else "numpy"
    with agrad.default_device(default):
        made = agrad.asarray(10.0)
        placed = agrad.asarray(0.5, device=other)
        for out in (made * placed, placed * made, agrad.sqrt(made) - placed):
            assert out.device == agrad.Device(other)
        assert (made * agrad.asarray(2.0)).device == agrad.Device(default)


@pytest.mark.skipif(not importlib.util.find_spec("dask"), reason="dask not installed")
def test_dask_eigvals_as_numpy() -> None:
    # SciPy's signal filter design (tf2sos, freqs) on the dask device
    rng = np.random.default_rng(4)
    for a in (rng.standard_normal((4, 4)), rng.standard_normal((2, 3, 3)).astype(np.float32)):
        got = agrad.linalg.eigvals(agrad.asarray(a, device="dask"))
        assert got.dtype == (agrad.complex128 if a.dtype == np.float64 else agrad.complex64)
        want = np.linalg.eigvals(a).astype(complex)
        for g, w in zip(
            np.asarray(got).reshape(-1, a.shape[-1]), want.reshape(-1, a.shape[-1]), strict=True
        ):
            np.testing.assert_allclose(np.sort_complex(g), np.sort_complex(w), rtol=1e-5)
