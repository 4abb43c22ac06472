"""Devices and backends: names, defaults, moves between devices, random numbers, errors.

Gradients of every rule on every installed CPU device are in tests/test_devices.py; this
file checks the device machinery itself, Dask's laziness and its cluster, JAX's functional
updates, and the GPU devices (marked ``gpu``: skipped without a CUDA GPU).
"""

from __future__ import annotations

import importlib.util
import threading

import numpy as np
import pytest

import agrad
from agrad import errors
from agrad.errors import BackendNotInstalledError, DeviceMismatchError, DeviceUnavailableError

HAS = {lib: importlib.util.find_spec(lib) is not None for lib in ("torch", "dask", "jax", "cupy")}
if HAS["jax"]:
    import jax

    jax.config.update("jax_enable_x64", True)

needs_torch = pytest.mark.skipif(not HAS["torch"], reason="needs torch (the `torch` extra)")
needs_dask = pytest.mark.skipif(not HAS["dask"], reason="needs dask (the `dask` extra)")
needs_jax = pytest.mark.skipif(not HAS["jax"], reason="needs jax (the `jax` extra)")


def _cpu_devices() -> list[str]:
    names = ["numpy", "array_api_strict"]
    names += ["torch:cpu"] * HAS["torch"] + ["dask"] * HAS["dask"] + ["jax:cpu"] * HAS["jax"]
    return names


CPU = _cpu_devices()


def _host(t: agrad.Tensor) -> np.ndarray:
    return np.asarray(t.to_device("numpy").array)


# -- names -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "name"),
    [
        ("numpy", "numpy"),
        ("numpy:cpu", "numpy"),
        ("array_api_strict", "array_api_strict"),
        ("array_api_strict:device1", "array_api_strict:device1"),
        pytest.param("torch", "torch:cpu", marks=needs_torch),
        pytest.param("torch:cpu", "torch:cpu", marks=needs_torch),
        pytest.param("dask", "dask", marks=needs_dask),
        pytest.param("jax:cpu", "jax:cpu", marks=needs_jax),
        pytest.param("jax", "jax:cpu", marks=needs_jax),
    ],
)
def test_device_strings_name_one_interned_device(spec: str, name: str) -> None:
    d = agrad.Device(spec)
    assert d.name == name
    assert d is agrad.Device(name)
    assert d == agrad.Device(name)
    assert hash(d) == hash(agrad.Device(name))
    assert repr(d) == f"Device({name!r})"
    assert agrad.zeros(2, device=spec).device is d


@needs_torch
def test_devices_from_native_objects_and_arrays() -> None:
    import torch

    assert agrad.Device(torch.device("cpu")) is agrad.Device("torch:cpu")
    t = agrad.asarray(torch.ones(3, dtype=torch.float32))
    assert t.device is agrad.Device("torch:cpu")
    assert t.dtype == agrad.float32
    assert agrad.zeros(2, device=torch.device("cpu")).device is agrad.Device("torch:cpu")


@needs_jax
def test_jax_devices_from_native_objects_and_arrays() -> None:
    import jax.numpy as jnp

    assert agrad.Device(jax.devices("cpu")[0]) is agrad.Device("jax:cpu")
    assert agrad.asarray(jnp.ones(2)).device is agrad.Device("jax:cpu")


@needs_dask
def test_dask_arrays_land_on_the_dask_device() -> None:
    import dask.array as da

    assert agrad.asarray(da.ones((4, 4), chunks=2)).device is agrad.Device("dask")


def test_device_objects_pickle_to_the_same_device() -> None:
    import pickle

    d = agrad.Device("array_api_strict")
    assert pickle.loads(pickle.dumps(d)) is d


def test_devices_lists_what_is_usable_here() -> None:
    devices = agrad.__array_namespace_info__().devices()
    names = [d.name for d in devices]
    for name in CPU:
        assert name in names
    assert all(isinstance(d, agrad.Device) for d in devices)
    if not _cuda():
        assert not any("cuda" in n for n in names)


# -- defaults --------------------------------------------------------------------------
@pytest.mark.parametrize("device", CPU)
def test_default_device_context_sends_new_tensors_there(device: str) -> None:
    with agrad.default_device(device) as d:
        assert agrad.get_default_device() is d
        assert agrad.ones(3).device is d
        assert agrad.tensor([1.0]).device is d
        assert agrad.random.normal(2).device is d
        assert d.synchronize() is None  # a no-op on the CPU, but it must exist and run
    assert agrad.get_default_device() is agrad.Device("numpy")


def test_set_default_device_is_process_wide_and_the_context_thread_local() -> None:
    seen: dict[str, str] = {}

    def other_thread() -> None:
        seen["thread"] = agrad.zeros(1).device.name

    try:
        agrad.set_default_device("array_api_strict")
        assert agrad.zeros(1).device.name == "array_api_strict"
        with agrad.default_device("numpy"):
            t = threading.Thread(target=other_thread)
            t.start()
            t.join()
            assert agrad.zeros(1).device.name == "numpy"
        assert seen["thread"] == "array_api_strict"
    finally:
        agrad.set_default_device("numpy")


# -- moves -----------------------------------------------------------------------------
@pytest.mark.parametrize("src", CPU)
@pytest.mark.parametrize("dst", CPU)
def test_moves_are_differentiable_both_ways(src: str, dst: str) -> None:
    x0 = np.array([0.5, -1.0, 2.0])
    x = agrad.tensor(x0, requires_grad=True, device=src)
    y = x.to_device(dst)
    assert y.device == agrad.Device(dst)
    np.testing.assert_array_equal(_host(y), x0)
    z = agrad.sum(agrad.sin(y) * y)
    w = z.to_device(src)
    w.backward()
    assert x.grad is not None
    assert x.grad.device == x.device
    assert x.grad.dtype == x.dtype
    np.testing.assert_allclose(_host(x.grad), np.sin(x0) + x0 * np.cos(x0), rtol=1e-12)


@pytest.mark.parametrize("dst", [d for d in CPU if d != "numpy"])
def test_second_order_through_a_move(dst: str) -> None:
    x = agrad.tensor([0.3, 1.1], requires_grad=True)
    y = x.to_device(dst)
    (g,) = agrad.grad(agrad.sum(y**3), [x], create_graph=True)
    assert g.device == x.device
    (h,) = agrad.grad(agrad.sum(g), [x])
    np.testing.assert_allclose(_host(h), 6 * np.array([0.3, 1.1]), rtol=1e-12)


@needs_torch
def test_numpy_to_torch_cpu_is_zero_copy_and_shares_the_version_counter() -> None:
    x = agrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with agrad.no_grad():
        y = x.to_device("torch:cpu")
    assert y.array.data_ptr() == x.array.__array_interface__["data"][0]
    # a saved array changed through the moved tensor is still caught
    a = agrad.tensor([1.0, 2.0, 3.0], requires_grad=True) * 1.0
    b = a.to_device("torch:cpu")
    loss = agrad.sum(a * a)
    b += 1.0
    with pytest.raises(agrad.errors.InplaceModifiedError):
        loss.backward()


@needs_torch
def test_torch_cpu_to_numpy_is_zero_copy() -> None:
    import torch

    t = agrad.asarray(torch.arange(4.0))
    n = t.to_device("numpy")
    assert n.array.__array_interface__["data"][0] == t.array.data_ptr()


def test_asarray_copy_false_refuses_a_move_that_copies() -> None:
    import array_api_strict

    a = array_api_strict.asarray([1.0, 2.0])
    with pytest.raises(ValueError, match="without a copy"):
        agrad.asarray(a, device="numpy", copy=False)
    assert agrad.asarray(a, device="numpy").tolist() == [1.0, 2.0]


def test_mixing_devices_names_both_and_the_fix() -> None:
    a = agrad.ones(2)
    b = agrad.ones(2, device="array_api_strict")
    with pytest.raises(DeviceMismatchError, match=r"'numpy' and 'array_api_strict'.*to_device"):
        a + b
    with pytest.raises(DeviceMismatchError, match="array_api_strict"):
        agrad.matmul(a, b)


# -- errors ----------------------------------------------------------------------------
def test_unknown_backend_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"Unknown backend 'nope'.*register_backend"):
        agrad.Device("nope")


def test_missing_library_names_the_pip_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from agrad import backends

    backends._CACHE.pop("cupy", None)
    monkeypatch.setitem(sys.modules, "cupy", None)  # as if CuPy were not installed
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(BackendNotInstalledError, match=r'pip install "agrad\[cupy13\]"'):
        agrad.Device("cupy")


def test_a_non_device_is_refused() -> None:
    with pytest.raises(TypeError, match=r"agrad\.Device"):
        agrad.Device(3.5)


def _cuda() -> bool:
    if not HAS["torch"]:
        return False
    import torch

    return bool(torch.cuda.is_available())


@needs_torch
@pytest.mark.skipif(_cuda(), reason="checks the error on a machine without a GPU")
def test_cuda_without_a_gpu_says_so() -> None:
    with pytest.raises(DeviceUnavailableError, match="needs a CUDA GPU"):
        agrad.Device("torch:cuda")
    with pytest.raises(DeviceUnavailableError, match="needs a CUDA GPU"):
        agrad.zeros(2, device="torch:cuda:1")


@needs_jax
def test_jax_refuses_64_bit_dtypes_it_would_truncate() -> None:
    jax.config.update("jax_enable_x64", False)
    try:
        with pytest.raises(TypeError, match="jax_enable_x64"):
            agrad.zeros(2, dtype=agrad.float64, device="jax:cpu")
        assert agrad.random.normal(2, device="jax:cpu").dtype == agrad.float32
        info = agrad.__array_namespace_info__()
        assert "float64" not in info.dtypes(device="jax:cpu")
        assert "int64" not in info.dtypes(device="jax:cpu", kind="integral")
        assert info.default_dtypes(device="jax:cpu")["real floating"] == agrad.float32
        assert info.default_dtypes(device="numpy")["real floating"] == agrad.float64
    finally:
        jax.config.update("jax_enable_x64", True)


@needs_jax
def test_moves_to_jax_never_narrow_a_dtype_silently() -> None:
    x = agrad.tensor(np.array([1.0, 2.0]), requires_grad=True)
    jax.config.update("jax_enable_x64", False)
    try:
        with pytest.raises(errors.AgradTypeError, match=r"float64.*jax_enable_x64"):
            x.to_device("jax:cpu")
        with pytest.raises(TypeError, match="would make it float32"):
            agrad.asarray(np.array([1.0, 2.0]), device="jax:cpu")
        with pytest.raises(TypeError, match="would make it int32"):
            agrad.asarray(np.arange(3), device="jax:cpu")
        # asked for, or no dtype to keep: allowed
        y = agrad.astype(x, agrad.float32).to_device("jax:cpu")
        assert y.dtype == agrad.float32
        assert agrad.asarray([1.0, 2.0], device="jax:cpu").dtype == agrad.float32
        agrad.sum(y * y).backward()
        assert x.grad.dtype == agrad.float64
        np.testing.assert_allclose(x.grad.array, [2.0, 4.0])
    finally:
        jax.config.update("jax_enable_x64", True)
    z = x.to_device("jax:cpu")  # with 64-bit types on, the move keeps float64 both ways
    assert z.dtype == agrad.float64


# -- random numbers --------------------------------------------------------------------
@pytest.mark.parametrize("device", CPU)
def test_random_is_seedable_on_every_device(device: str) -> None:
    g1 = agrad.random.Generator(7, device=device)
    g2 = agrad.random.Generator(7, device=device)
    a = g1.normal((500,), mean=1.0, std=2.0)
    b = g2.normal((500,), mean=1.0, std=2.0)
    assert a.device == agrad.Device(device)
    assert a.dtype == agrad.float64
    np.testing.assert_array_equal(_host(a), _host(b))
    values = _host(a)
    assert abs(values.mean() - 1.0) < 0.4
    assert 1.6 < values.std() < 2.4
    u = _host(g1.uniform((500,), low=-3.0, high=-1.0, dtype=agrad.float32))
    assert u.dtype == np.float32
    assert u.min() >= -3.0
    assert u.max() < -1.0
    perm = _host(g1.permutation(10))
    assert sorted(perm.tolist()) == list(range(10))


def test_module_level_random_follows_the_seed() -> None:
    agrad.random.seed(3)
    a = agrad.random.uniform((4,)).tolist()
    agrad.random.seed(3)
    assert agrad.random.uniform((4,)).tolist() == a
    assert agrad.random.uniform((4,)).tolist() != a


def test_shuffling_rows_is_differentiable() -> None:
    x = agrad.tensor(np.arange(12.0).reshape(4, 3), requires_grad=True)
    y = agrad.random.permutation(x)
    assert sorted(_host(y)[:, 0].tolist()) == [0.0, 3.0, 6.0, 9.0]
    agrad.sum(y * y).backward()
    assert x.grad is not None
    np.testing.assert_allclose(_host(x.grad), 2 * np.arange(12.0).reshape(4, 3))


# -- a user's backend ------------------------------------------------------------------
def test_register_backend_runs_rules_on_standard_calls_only() -> None:
    import torch

    backend = agrad.register_backend(np, "numpy_ns")
    assert agrad.register_backend(np, "numpy_ns") is backend
    with pytest.raises(ValueError, match="exists already"):
        agrad.register_backend(np, "numpy")
    x0 = np.array([[1.0, -2.0, 0.5], [0.3, 0.7, -1.1]])
    x = agrad.tensor(x0, device="numpy_ns", requires_grad=True)
    idx = agrad.asarray([2, 0, 2], device="numpy_ns")
    y = agrad.sum(agrad.take(x, idx, axis=1) ** 2) + agrad.sum(agrad.exp(x[0]))
    y.backward()
    assert x.grad is not None
    assert x.grad.device.name == "numpy_ns"
    t = torch.tensor(x0, requires_grad=True)
    ((t[:, [2, 0, 2]] ** 2).sum() + t[0].exp().sum()).backward()
    np.testing.assert_allclose(_host(x.grad), t.grad.numpy(), rtol=1e-12)


# -- JAX: functional updates ---------------------------------------------------------------
@needs_jax
def test_jax_inplace_and_setitem_match_numpy_gradients() -> None:
    def program(device: str) -> tuple[np.ndarray, np.ndarray]:
        x = agrad.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True, device=device)
        v = agrad.tensor([0.5, -0.5], requires_grad=True, device=device)
        y = x * 2.0
        y[1:3] = v * x[0:2]
        y *= x
        y += 1.0
        agrad.sum(y * y).backward()
        assert x.grad is not None
        assert v.grad is not None
        return _host(x.grad), _host(v.grad)

    expected = program("numpy")
    actual = program("jax:cpu")
    for a, e in zip(actual, expected, strict=True):
        np.testing.assert_allclose(a, e, rtol=1e-12)


@pytest.mark.parametrize("device", [d for d in ("jax:cpu", "dask") if d in CPU])
def test_immutable_backends_keep_numpy_view_semantics(device: str) -> None:
    def program(dev: str) -> tuple[list[float], list[float], list[float]]:
        x = agrad.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], device=dev)
        m = agrad.reshape(x, (2, 3))
        row = m[1]  # a view of a view
        row *= 10.0  # reaches m and x
        x[0] = -1.0  # reaches m (and not row, which does not read x[0])
        return x.tolist(), agrad.reshape(m, (6,)).tolist(), row.tolist()

    assert program(device) == program("numpy")
    assert program("numpy")[0] == [-1.0, 2.0, 3.0, 40.0, 50.0, 60.0]


@needs_jax
def test_jax_tensor_keeps_an_immutable_array() -> None:
    import jax.numpy as jnp

    raw = jnp.arange(3.0)
    t = agrad.asarray(raw)
    t[0] = 10.0
    assert t.tolist() == [10.0, 1.0, 2.0]
    assert raw.tolist() == [0.0, 1.0, 2.0]


# -- Dask: lazy forward and backward, a cluster ------------------------------------------
@needs_dask
def test_dask_forward_and_backward_compute_nothing() -> None:
    import dask
    import dask.array as da
    from dask.callbacks import Callback

    computed: list[int] = []

    class Count(Callback):  # type: ignore[misc]
        def _start(self, dsk: object) -> None:
            computed.append(1)

    x0 = np.linspace(-1.0, 1.0, 1000).reshape(10, 100)
    with Count():
        x = agrad.tensor(da.from_array(x0, chunks=(5, 50)), requires_grad=True)
        w = agrad.tensor(da.from_array(np.ones((100, 3)), chunks=(50, 3)), requires_grad=True)
        h = agrad.tanh(x @ w)
        loss = agrad.mean(h * h) + agrad.sum(agrad.exp(-x * x))
        loss.backward()
        assert x.grad is not None
        assert isinstance(x.grad.array, da.Array)
        assert x.grad.array.chunks == ((5, 5), (50, 50))
    assert computed == []
    (gx,) = dask.compute(x.grad.array)
    import torch

    xt = torch.tensor(x0, requires_grad=True)
    wt = torch.ones((100, 3), dtype=torch.float64, requires_grad=True)
    ht = torch.tanh(xt @ wt)
    ((ht * ht).mean() + torch.exp(-xt * xt).sum()).backward()
    np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=1e-12)


@needs_dask
@pytest.mark.slow
def test_dask_gradient_on_a_local_cluster() -> None:
    import dask.array as da
    from distributed import Client, LocalCluster

    rng = np.random.default_rng(0)
    a0 = rng.standard_normal((400, 30))
    b0 = rng.standard_normal(400)
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        a = agrad.asarray(da.from_array(a0, chunks=(100, 30)))
        b = agrad.asarray(da.from_array(b0, chunks=100))
        w = agrad.zeros(30, device="dask")
        w.requires_grad = True
        r = a @ w - b
        loss = agrad.mean(r * r) + 0.1 * agrad.sum(agrad.sin(w) ** 2)
        loss.backward()
        assert w.grad is not None
        future = client.compute(w.grad.array)
        grad = future.result()
        assert len(client.scheduler_info()["workers"]) == 2
    w_np = np.zeros(30)
    expected = 2 * a0.T @ (a0 @ w_np - b0) / 400 + 0.1 * 2 * np.sin(w_np) * np.cos(w_np)
    np.testing.assert_allclose(grad, expected, rtol=1e-12)


# -- GPUs --------------------------------------------------------------------------------
@pytest.mark.gpu
def test_torch_cuda_gradients_match_cpu_and_moves_round_trip() -> None:
    x0 = np.linspace(-2.0, 2.0, 50)
    x = agrad.tensor(x0, requires_grad=True)
    y = x.to_device("torch:cuda")
    assert y.device.name == "torch:cuda:0"
    assert agrad.Device("torch:cuda") is agrad.Device("torch:cuda:0")
    loss = agrad.sum(agrad.tanh(y) * agrad.exp(-y * y))
    loss.backward()
    assert x.grad is not None
    assert x.grad.device.name == "numpy"
    t = np.tanh(x0)
    e = np.exp(-x0 * x0)
    np.testing.assert_allclose(_host(x.grad), (1 - t * t) * e - 2 * x0 * t * e, rtol=1e-10)
    r = agrad.random.normal((1000,), device="torch:cuda")
    r.device.synchronize()
    assert r.device.name == "torch:cuda:0"


@pytest.mark.gpu
def test_cupy_torch_cuda_move_is_zero_copy_and_differentiable() -> None:
    pytest.importorskip("cupy", reason="needs cupy (the `cupy12` or `cupy13` extra)")
    x = agrad.tensor(np.arange(5.0), requires_grad=True, device="cupy")
    assert x.device.name == "cupy:0"
    y = x.to_device("torch:cuda")
    assert y.array.data_ptr() == x.array.data.ptr
    agrad.sum(y * y).backward()
    assert x.grad is not None
    assert x.grad.device.name == "cupy:0"
    np.testing.assert_allclose(_host(x.grad), 2 * np.arange(5.0))
    idx = agrad.asarray([0, 0, 3], device="cupy")
    z = agrad.tensor(np.ones(5), requires_grad=True, device="cupy")
    agrad.sum(z[idx] * 2.0).backward()
    assert z.grad is not None
    np.testing.assert_allclose(_host(z.grad), [4.0, 0.0, 0.0, 2.0, 0.0])


# -- the NumPy adapter's namespace: its shortcuts agree with NumPy -----------------------
_BROADCASTS = [
    ((), (3,)),
    ((), ()),
    ((1,), (4,)),
    ((1, 4), (3, 4)),
    ((3, 1), (3, 5)),
    ((2, 1, 3), (4, 2, 6, 3)),
    ((0,), (0,)),
    ((1,), (0,)),
    ((1, 0), (3, 0)),
    ((2, 3), (2, 3)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex128", "bool", "int16"])
@pytest.mark.parametrize(("shape", "target"), _BROADCASTS)
def test_numpy_namespace_broadcast_to_is_numpys_view(dtype, shape, target):
    from agrad.backends.numpy import NAMESPACE

    x = (np.random.default_rng(0).standard_normal(shape) * 3).astype(dtype)
    ours, theirs = NAMESPACE.broadcast_to(x, target), np.broadcast_to(x, target)
    assert ours.shape == theirs.shape
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)
    assert not ours.flags.writeable
    assert np.shares_memory(ours, x) == np.shares_memory(theirs, x)


def test_numpy_namespace_shortcuts_fall_back_and_fail_as_numpy_does():
    from agrad.backends.numpy import NAMESPACE

    strided = np.arange(12.0).reshape(3, 4)[:, ::2]  # not contiguous: NumPy's own path
    np.testing.assert_array_equal(
        NAMESPACE.broadcast_to(strided, (2, 3, 2)), np.broadcast_to(strided, (2, 3, 2))
    )
    scalar = np.float64(2.5)  # a full reduction's cotangent
    np.testing.assert_array_equal(NAMESPACE.broadcast_to(scalar, (2,)), [2.5, 2.5])
    for shape, target in [((2,), (3,)), ((3,), ())]:
        with pytest.raises(ValueError, match="broadcast"):
            NAMESPACE.broadcast_to(np.ones(shape), target)
    with pytest.raises(ValueError, match="2-dimensional"):
        NAMESPACE.matrix_transpose(np.ones(3))
    with pytest.raises(ValueError, match="device"):
        NAMESPACE.ones((2,), device="gpu")


@pytest.mark.parametrize("dtype", ["float32", "int8", "bool", "uint16", "complex64"])
@pytest.mark.parametrize("axis", [None, 0, (0, 2), -1, ()])
@pytest.mark.parametrize("keepdims", [False, True])
def test_numpy_namespace_sum_is_numpys(dtype, axis, keepdims):
    from agrad.backends.numpy import NAMESPACE

    x = (np.random.default_rng(1).standard_normal((3, 4, 5)) * 3).astype(dtype)
    ours = NAMESPACE.sum(x, axis=axis, keepdims=keepdims)
    theirs = np.sum(x, axis=axis, keepdims=keepdims)
    assert type(ours) is type(theirs)
    assert np.asarray(ours).dtype == np.asarray(theirs).dtype
    np.testing.assert_array_equal(ours, theirs)


def test_numpy_namespace_reshape_transpose_astype_ones_are_numpys():
    from agrad.backends.numpy import NAMESPACE

    x = np.arange(24.0).reshape(2, 3, 4)
    for shape in [(6, 4), (-1,), (2, 12)]:
        np.testing.assert_array_equal(NAMESPACE.reshape(x, shape), np.reshape(x, shape))
    assert np.shares_memory(NAMESPACE.reshape(x, (6, 4)), x)
    assert not np.shares_memory(NAMESPACE.reshape(x, (6, 4), copy=True), x)
    np.testing.assert_array_equal(NAMESPACE.matrix_transpose(x), np.swapaxes(x, -1, -2))
    cast = NAMESPACE.astype(x, np.float32)
    assert cast.dtype == np.float32
    assert NAMESPACE.astype(x, np.float64, copy=False) is x
    ones = NAMESPACE.ones((2, 3), dtype=np.float32, device="cpu")
    assert ones.dtype == np.float32
    np.testing.assert_array_equal(ones, np.ones((2, 3)))


def test_a_function_the_device_s_library_lacks_is_a_clear_error() -> None:
    pytest.importorskip("dask")
    x = agrad.asarray([[2.0, 1.0], [1.0, 3.0]], device="dask")
    with pytest.raises(errors.NotOnDeviceError, match=r"linalg\.det.*to_device") as info:
        agrad.linalg.det(x)
    assert isinstance(info.value, NotImplementedError)
    # the suggested workaround works, differentiably
    w = agrad.tensor([[2.0, 1.0], [1.0, 3.0]], device="dask", requires_grad=True)
    agrad.linalg.det(w.to_device("numpy")).backward()
    np.testing.assert_allclose(np.asarray(w.grad.tolist()), [[3.0, -1.0], [-1.0, 2.0]])


# -- constants on another device (docs/backends.md, "Constants and devices") --------------
@needs_torch
def test_zero_d_constants_join_a_call_on_another_device() -> None:
    t = agrad.ones(3, device="torch:cpu")
    w = agrad.tensor([1.0, 2.0, 3.0], device="torch:cpu", requires_grad=True)
    two = agrad.asarray(2.0)  # made on "numpy"
    for got in (t * two, two * t, t + np.float64(1.0), agrad.where(t > 0, two, t)):
        assert got.device == agrad.Device("torch:cpu")
    agrad.sum(w * two).backward()
    np.testing.assert_array_equal(w.grad.array.numpy(), [2.0, 2.0, 2.0])
    t += two
    t[0] = agrad.asarray(5.0)
    assert t.tolist() == [5.0, 3.0, 3.0]


@needs_torch
def test_data_on_two_devices_still_refuses_to_mix() -> None:
    t = agrad.ones(3, device="torch:cpu")
    with pytest.raises(DeviceMismatchError, match="torch:cpu"):
        t + agrad.ones(3)  # real data on numpy
    with pytest.raises(DeviceMismatchError):
        t * agrad.tensor(2.0, requires_grad=True)  # a 0-d that needs a gradient
    with pytest.raises(DeviceMismatchError):
        t += agrad.ones(3)


@needs_torch
def test_asarray_of_numpy_data_goes_to_the_default_device() -> None:
    with agrad.default_device("torch:cpu"):
        assert agrad.asarray(np.ones(3)).device == agrad.Device("torch:cpu")
        assert agrad.asarray(np.float64(2.0)).device == agrad.Device("torch:cpu")
        assert agrad.asarray(np.ones(2), device="numpy").device == agrad.Device("numpy")
    assert agrad.asarray(np.ones(3)).device == agrad.Device("numpy")
