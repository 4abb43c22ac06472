"""The engine and the Tensor's autograd behaviour, checked against torch.autograd."""

from __future__ import annotations

import gc
import threading
import weakref
from typing import Any

import numpy as np
import pytest
import torch

import agrad
from agrad import errors

RNG = np.random.default_rng(0)


def t(values, requires_grad=True):
    return agrad.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


# -- the seed examples ------------------------------------------------------------------
def test_x_squared_plus_sin_at_2():
    x = t(2.0)
    y = x * x + agrad.sin(x)
    y.backward()
    xt = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    (xt * xt + torch.sin(xt)).backward()
    assert x.grad.item() == pytest.approx(xt.grad.item(), rel=1e-15)


def test_affine_summed():
    w = t([1.0, -2.0, 3.0])
    b = t(0.5)
    agrad.sum(w * 2 + b).backward()
    np.testing.assert_array_equal(w.grad.array, [2.0, 2.0, 2.0])
    assert b.grad.item() == 3.0


def test_two_variables():
    x, y = t(1.0), t(3.0)
    z = x * y + y**2
    z.backward()
    assert (x.grad.item(), y.grad.item()) == (3.0, 7.0)


def test_accumulates_over_two_backward_calls():
    x = t([1.0, 2.0])
    for _ in range(2):
        agrad.sum(x * x).backward()
    np.testing.assert_array_equal(x.grad.array, [4.0, 8.0])


def test_grad_accumulation_does_not_alias_shared_gradients():
    # add's VJP hands the same array to both inputs; accumulating into one must not
    # change the other
    a, b = t([1.0]), t([2.0])
    agrad.sum(a + b).backward()
    agrad.sum(a + b).backward()
    agrad.sum(a * 3).backward()
    np.testing.assert_array_equal(a.grad.array, [5.0])
    np.testing.assert_array_equal(b.grad.array, [2.0])


def test_no_grad_records_nothing():
    x = t([1.0])
    with agrad.no_grad():
        y = x * 2
    assert not y.requires_grad
    assert y.grad_fn is None


def test_second_and_third_derivative_of_cube():
    x = t(2.0)
    (d1,) = agrad.grad(x**3, x, create_graph=True)
    (d2,) = agrad.grad(d1, x, create_graph=True)
    (d3,) = agrad.grad(d2, x)
    assert (d1.item(), d2.item(), d3.item()) == (12.0, 12.0, 6.0)


class Square(agrad.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x * g


def test_square_function():
    x = t([1.0, -3.0])
    y = Square.apply(x)
    assert y.grad_fn.name() == "SquareBackward"
    agrad.sum(y).backward()
    np.testing.assert_array_equal(x.grad.array, [2.0, -6.0])


def test_function_backward_is_differentiable():
    x = t(1.5)
    (g1,) = agrad.grad(Square.apply(x), x, create_graph=True)
    (g2,) = agrad.grad(g1, x)
    assert (g1.item(), g2.item()) == (3.0, 2.0)


class ScaleInDouble(agrad.Function):
    # a backward that returns float64 for a float32 input
    @staticmethod
    def forward(ctx, x):
        return x * 2.0

    @staticmethod
    def backward(ctx, g):
        return agrad.astype(g, agrad.float64) * 2.0


def test_function_gradient_takes_its_inputs_dtype_as_torch_does():
    x = agrad.tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    # two uses: the second gradient is added in place into the engine's own sum
    agrad.sum(ScaleInDouble.apply(x) + ScaleInDouble.apply(x) * 3.0).backward()
    assert x.grad.dtype == agrad.float32
    np.testing.assert_array_equal(x.grad.array, [8.0, 8.0])


def test_retain_grad():
    x = t([1.0, 2.0])
    y = x * 3
    y.retain_grad()
    z = agrad.sum(y * y)
    z.backward()
    np.testing.assert_allclose(y.grad.array, 2 * y.array)
    assert y.retains_grad
    w = x * 3
    agrad.sum(w).backward()
    with pytest.warns(UserWarning, match="retain_grad"):  # as torch warns
        assert w.grad is None  # intermediates don't keep .grad unless asked


# -- against torch: a composite function, first and second order --------------------
def _composite(lib, x, w, b):
    h = lib.tanh(x @ w + b)
    return lib.sum(lib.exp(-h * h) * lib.sqrt(lib.abs(x @ w) + 1.0)) / 3.0


def test_composite_matches_torch_first_and_second_order():
    xa, wa, ba = RNG.normal(size=(4, 3)), RNG.normal(size=(3, 2)), RNG.normal(size=(2,))
    xs = [t(a) for a in (xa, wa, ba)]
    ts = [torch.tensor(a, requires_grad=True) for a in (xa, wa, ba)]
    out = _composite(agrad, *xs)
    out_t = _composite(torch, *ts)
    assert out.item() == pytest.approx(out_t.item(), rel=1e-12)
    g = agrad.grad(out, xs, create_graph=True)
    g_t = torch.autograd.grad(out_t, ts, create_graph=True)
    for a, b in zip(g, g_t, strict=False):
        np.testing.assert_allclose(a.array, b.detach().numpy(), rtol=1e-10, atol=1e-12)
    v = [RNG.normal(size=a.shape) for a in (xa, wa, ba)]
    dot = sum(agrad.sum(gi * vi) for gi, vi in zip(g, v, strict=True))
    hv = agrad.grad(dot, xs)
    dot_t = sum((gi * torch.tensor(vi)).sum() for gi, vi in zip(g_t, v, strict=True))
    hv_t = torch.autograd.grad(dot_t, ts)
    for a, b in zip(hv, hv_t, strict=False):
        np.testing.assert_allclose(a.array, b.numpy(), rtol=1e-9, atol=1e-11)


def _fan_out(xp, x, gradient=None):
    # y feeds six uses. add's VJP passes its cotangent on unchanged: the last add hands y
    # the caller's `gradient` itself as its first cotangent, and (y + y) gives y one array
    # twice. x gets two cotangents, so the engine makes x's gradient itself.
    y = x * 2.0 + xp.sin(x)
    z = (y + y) + xp.sin(y) + y * y + y
    if gradient is None:
        xp.sum(z).backward()
    else:
        z.backward(gradient)


def test_many_cotangents_summed_in_place_match_torch():
    xa = RNG.uniform(-1, 1, 5)
    x = t(xa)
    _fan_out(agrad, x)
    xt = torch.tensor(xa, requires_grad=True)
    _fan_out(torch, xt)
    np.testing.assert_allclose(x.grad.array, xt.grad.numpy(), rtol=1e-14)
    # a second backward adds into the gradient the first one left (the engine owns it)
    first = x.grad.array
    _fan_out(agrad, x)
    _fan_out(torch, xt)
    np.testing.assert_allclose(x.grad.array, xt.grad.numpy(), rtol=1e-14)
    assert x.grad.array is first


def test_summing_cotangents_never_writes_into_the_callers_gradient():
    x = t(RNG.uniform(-1, 1, 4))
    gradient = agrad.asarray(np.ones(4))
    before = gradient.array.copy()
    _fan_out(agrad, x, gradient)
    _fan_out(agrad, x, gradient)
    np.testing.assert_array_equal(gradient.array, before)


def test_summing_cotangents_never_writes_into_what_a_hook_kept():
    x = t([0.5, -1.5])
    kept = []
    x.register_hook(lambda g: kept.append(g))
    agrad.sum(x * x + x * 3.0 + agrad.sin(x)).backward()
    value = kept[0].array.copy()
    agrad.sum(x * x + x * 3.0 + agrad.sin(x)).backward()
    np.testing.assert_array_equal(kept[0].array, value)
    np.testing.assert_allclose(x.grad.array, 2 * (2 * x.array + 3.0 + np.cos(x.array)))


def _interleaved(xp, x, w):
    # nodes made out of dependency order: `a` gets a consumer (`d`) long after `c` used it,
    # and two outputs share everything below them
    a = xp.sin(x * w)
    b = xp.exp(x)
    c = a * b + a
    d = xp.tanh(a) * c
    e = xp.sum(d * w) + xp.sum(a)
    f = xp.sum(c * c)
    return e, f


def test_backward_of_several_outputs_made_out_of_order_matches_torch():
    xa, wa = RNG.uniform(-1, 1, 4), RNG.uniform(-1, 1, 4)
    x, w = t(xa), t(wa)
    agrad.backward(list(_interleaved(agrad, x, w)))
    xt, wt = (torch.tensor(v, requires_grad=True) for v in (xa, wa))
    torch.autograd.backward(list(_interleaved(torch, xt, wt)))
    np.testing.assert_allclose(x.grad.array, xt.grad.numpy(), rtol=1e-13)
    np.testing.assert_allclose(w.grad.array, wt.grad.numpy(), rtol=1e-13)


def test_one_input_rules_on_each_output_of_a_two_output_function_match_torch():
    # sin and abs save their input, exp its output, negative nothing, multiply both
    # inputs: each records a node whose edges are output 0 or output 1 of eigh's node (the
    # loss is even in each eigenvector, whose sign neither library fixes)
    m = RNG.uniform(-1, 1, (3, 3))
    a = m + m.T

    def loss(xp, x):
        w, v = xp.linalg.eigh(x)
        return xp.sum(xp.sin(w) + xp.exp(w)) + xp.sum(
            xp.abs(v) + xp.exp(v) + xp.exp(-v) + (-v) * (-v) + v * 2.0 * v
        )

    x = t(a)
    loss(agrad, x).backward()
    xt = torch.tensor(a, requires_grad=True)
    loss(torch, xt).backward()
    np.testing.assert_allclose(x.grad.array, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    v = agrad.linalg.eigh(x).eigenvectors
    for y in (agrad.sin(v), agrad.exp(v), -v):
        assert y.grad_fn.next_functions[0] == (v.grad_fn, 1)
    assert (v * v).grad_fn.next_functions == ((v.grad_fn, 1), (v.grad_fn, 1))
    assert (2.0 * v).grad_fn.next_functions == ((None, 0), (v.grad_fn, 1))


def test_a_chain_of_20000_operations_backpropagates():
    x = t([0.5, -0.25])
    y = x
    for _ in range(10_000):
        y = y * 1.0 + 0.0
    agrad.sum(y).backward()  # no recursion: the sweep is a loop over a heap
    np.testing.assert_array_equal(x.grad.array, [1.0, 1.0])


def test_shared_subgraph_walked_once():
    x = t([0.5, 1.5])
    h = agrad.exp(x)
    calls = []
    h.register_hook(lambda g: calls.append(g.array.copy()))
    y = agrad.sum(h * h + h)
    y.backward()
    assert len(calls) == 1  # the two uses of h were summed before h's node ran
    np.testing.assert_allclose(x.grad.array, (2 * np.exp(x.array) + 1) * np.exp(x.array))


def test_backward_with_gradient_and_inputs():
    x, y = t([1.0, 2.0]), t([3.0, 4.0])
    z = x * y
    z.backward(gradient=agrad.asarray([1.0, 10.0]), inputs=[x])
    np.testing.assert_array_equal(x.grad.array, [3.0, 40.0])
    assert y.grad is None


def test_grad_does_not_touch_dot_grad_and_handles_intermediates():
    x = t([1.0, 2.0])
    h = x * x
    y = agrad.sum(h * 3)
    gh, gx = agrad.grad(y, [h, x])
    np.testing.assert_array_equal(gh.array, [3.0, 3.0])
    np.testing.assert_array_equal(gx.array, [6.0, 12.0])
    assert x.grad is None


def test_grad_allow_unused():
    x, unused = t(1.0), t(2.0)
    gx, gu = agrad.grad(x * 2, [x, unused], allow_unused=True)
    assert gx.item() == 2.0
    assert gu is None


def test_hooks_can_replace_gradients_and_be_removed():
    x = t([1.0, 2.0])
    handle = x.register_hook(lambda g: g * 10)
    agrad.sum(x * 1).backward()
    np.testing.assert_array_equal(x.grad.array, [10.0, 10.0])
    handle.remove()
    x.grad = None
    h = x * 1
    h.register_hook(lambda g: g + 1)
    agrad.sum(h * 2).backward()
    np.testing.assert_array_equal(x.grad.array, [3.0, 3.0])


def test_grad_fn_graph_introspection():
    x = t([1.0])
    y = agrad.exp(x) * 2.0
    assert repr(y.grad_fn) == "<MultiplyBackward>"
    (exp_node, _), (const, _) = y.grad_fn.next_functions
    assert repr(exp_node) == "<ExpBackward>"
    assert const is None
    ((acc, _),) = exp_node.next_functions
    assert acc.variable is x
    assert "grad_fn=<MultiplyBackward>" in repr(y)
    assert "device='numpy'" in repr(y)


def test_detach_and_detach_():
    x = t([1.0, 2.0])
    y = x * 2
    d = y.detach()
    assert d.is_leaf
    assert not d.requires_grad
    assert np.shares_memory(d.array, y.array)
    y.detach_()
    assert y.is_leaf
    assert not y.requires_grad


def test_item_and_tolist():
    x = agrad.asarray([[1.5, 2.0]])
    assert x.tolist() == [[1.5, 2.0]]
    assert agrad.asarray([3.5]).item() == 3.5
    assert isinstance(agrad.asarray(3).item(), int)
    with pytest.raises(ValueError, match="one element"):
        x.item()


def test_gradients_keep_dtype_shape_and_device():
    x = agrad.tensor(np.ones((3, 1), dtype=np.float32), requires_grad=True)
    b = agrad.tensor(np.ones((4,), dtype=np.float32), requires_grad=True)
    agrad.sum(x * b * 2.0).backward()
    assert x.grad.dtype == agrad.float32
    assert x.grad.shape == (3, 1)
    assert b.grad.dtype == agrad.float32
    assert b.grad.shape == (4,)
    assert x.grad.device == x.device
    np.testing.assert_array_equal(x.grad.array, np.full((3, 1), 8.0, np.float32))


def test_float64_constant_does_not_change_float32_grad_dtype():
    x = agrad.tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    c = agrad.asarray(np.full(3, 2.0))  # float64: promotes the product
    y = agrad.sum(x * c)
    assert y.dtype == agrad.float64
    y.backward()
    assert x.grad.dtype == agrad.float32


# -- grad modes ------------------------------------------------------------------------
def test_grad_modes_nest_and_decorate():
    x = t(1.0)
    with agrad.no_grad():
        assert not agrad.is_grad_enabled()
        with agrad.enable_grad():
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad
    assert agrad.is_grad_enabled()

    @agrad.no_grad()
    def f(v):
        return v * 2

    assert not f(x).requires_grad
    assert agrad.is_grad_enabled()

    with agrad.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert agrad.is_grad_enabled()
    agrad.set_grad_enabled(False)
    assert not agrad.is_grad_enabled()
    agrad.set_grad_enabled(True)

    @agrad.set_grad_enabled(False)
    def g(v):
        return v * 2

    assert agrad.is_grad_enabled()
    assert not g(x).requires_grad


def test_inference_mode_cannot_be_reenabled():
    x = t(1.0)
    with agrad.inference_mode(), agrad.enable_grad():
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad


def test_grad_mode_is_thread_local():
    seen = []
    with agrad.no_grad():

        def worker():
            seen.append(agrad.is_grad_enabled())

        th = threading.Thread(target=worker)
        th.start()
        th.join()
    assert seen == [True]


def test_grad_modes_of_one_thread_leave_the_others_recording():
    # the hot paths trust a shared set of "unusual" threads before the thread-local modes:
    # another thread inside no_grad or detect_anomaly must change nothing here, and this
    # thread's own no_grad must hold while another thread records normally
    from agrad._grad_mode import UNUSUAL

    x = t([1.0, 2.0])
    entered, release = threading.Event(), threading.Event()
    results = {}

    def worker(mode):
        with mode():
            results["worker"] = (x * 2).requires_grad, (agrad.exp(x)).requires_grad
            entered.set()
            release.wait(10)

    for mode in (agrad.no_grad, agrad.inference_mode, agrad.detect_anomaly):
        entered.clear()
        release.clear()
        th = threading.Thread(target=worker, args=(mode,))
        th.start()
        assert entered.wait(10)
        y = agrad.exp(x) * 2  # recorded here, without anomaly traces
        assert y.requires_grad
        assert y.grad_fn.trace is None
        with agrad.no_grad():
            assert not (x * 2).requires_grad
        release.set()
        th.join()
        recording = mode is agrad.detect_anomaly
        assert results["worker"] == (recording, recording)
    assert not UNUSUAL  # every thread left its modes


# -- in-place ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("op", "torch_op"),
    [
        ("+=", lambda a, b: a.add_(b)),
        ("-=", lambda a, b: a.sub_(b)),
        ("*=", lambda a, b: a.mul_(b)),
        ("/=", lambda a, b: a.div_(b)),
        ("**=", lambda a, b: a.pow_(b)),
    ],
)
def test_inplace_operators_match_torch(op, torch_op):
    xa, ca = RNG.uniform(0.5, 2.0, size=(3,)), RNG.uniform(0.5, 2.0, size=(3,))
    x, c = t(xa), t(ca)
    h = x * 1.5
    scope = {"h": h, "c": c}
    exec(f"h {op} c", scope)
    h = scope["h"]
    agrad.sum(h * h).backward()
    xt, ct = (torch.tensor(a, requires_grad=True) for a in (xa, ca))
    ht = xt * 1.5
    ht = torch_op(ht, ct)
    (ht * ht).sum().backward()
    np.testing.assert_allclose(x.grad.array, xt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(c.grad.array, ct.grad.numpy(), rtol=1e-12)


def test_inplace_really_writes_in_place():
    x = t([1.0, 2.0])
    h = x * 1
    buffer = h.array
    h += 1
    assert h.array is buffer
    np.testing.assert_array_equal(buffer, [2.0, 3.0])


def test_setitem_matches_torch():
    xa, va = RNG.normal(size=(4, 3)), RNG.normal(size=(3,))
    x, v = t(xa), t(va)
    h = x * 2
    h[1] = v * v
    h[2:, 0] = 5.0
    agrad.sum(h * h).backward()
    xt, vt = torch.tensor(xa, requires_grad=True), torch.tensor(va, requires_grad=True)
    ht = xt * 2
    ht[1] = vt * vt
    ht[2:, 0] = 5.0
    (ht * ht).sum().backward()
    np.testing.assert_allclose(x.grad.array, xt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(v.grad.array, vt.grad.numpy(), rtol=1e-12)


def test_setitem_on_constant_with_grad_value():
    v = t([1.0, 2.0])
    out = agrad.zeros((2, 2))
    out[0] = v * 3
    agrad.sum(out * out).backward()
    np.testing.assert_allclose(v.grad.array, 18 * v.array)


def test_inplace_through_a_view_reaches_the_base():
    xa = RNG.normal(size=(3, 4))
    x = t(xa)
    h = x * 1.0
    row = h[1]
    row *= 3.0
    flat = agrad.reshape(h, (12,))
    flat[0:2] += 10.0
    loss = agrad.sum(h * h)
    loss.backward()
    xt = torch.tensor(xa, requires_grad=True)
    ht = xt * 1.0
    rowt = ht[1]
    rowt *= 3.0
    ht.view(12)[0:2] += 10.0
    (ht * ht).sum().backward()
    np.testing.assert_allclose(h.array, ht.detach().numpy())
    np.testing.assert_allclose(x.grad.array, xt.grad.numpy(), rtol=1e-12)


def test_view_follows_inplace_on_its_base():
    x = t([1.0, 2.0, 3.0])
    h = x * 1.0
    v = h[0:2]
    h *= 2.0  # v sees the new values, and its graph must too
    agrad.sum(v * v).backward()
    np.testing.assert_allclose(x.grad.array, [8.0, 16.0, 0.0])


def test_optimizer_step_under_no_grad():
    w = t([1.0, 2.0])
    agrad.sum(w * w).backward()
    with agrad.no_grad():
        w -= 0.1 * w.grad
    np.testing.assert_allclose(w.array, [0.8, 1.6])
    assert w.is_leaf
    assert w.requires_grad


# -- errors ------------------------------------------------------------------------------
def test_error_nonscalar_backward_without_gradient():
    y = t([1.0, 2.0]) * 2
    with pytest.raises(errors.NonScalarOutputError, match=r"shape \(2,\).*gradient="):
        y.backward()


def test_error_second_backward_through_freed_graph():
    x = t(1.0)
    y = agrad.exp(x)
    y.backward()
    with pytest.raises(errors.FreedGraphError, match="retain_graph=True"):
        y.backward()
    z = agrad.exp(x)
    z.backward(retain_graph=True)
    z.backward()
    assert x.grad.item() == pytest.approx(3 * np.e)


def test_error_grad_of_unused_input():
    x, unused = t(1.0), t(2.0)
    with pytest.raises(errors.UnusedInputError, match="allow_unused=True"):
        agrad.grad(x * 2, [x, unused])


@pytest.mark.parametrize("dtype", [agrad.int64, agrad.int32, agrad.bool])
def test_error_requires_grad_on_integer_or_bool(dtype):
    with pytest.raises(errors.NotDifferentiableError, match="floating-point"):
        agrad.tensor([1, 0], dtype=dtype, requires_grad=True)
    with pytest.raises(errors.NotDifferentiableError, match="astype"):
        agrad.zeros(2, dtype=dtype).requires_grad_()


def test_error_gradient_of_wrong_shape():
    x = t([1.0, 2.0])
    y = x * 2
    with pytest.raises(errors.GradShapeError, match=r"\(3,\).*\(2,\)"):
        y.backward(agrad.asarray([1.0, 2.0, 3.0]))
    with pytest.raises(errors.GradShapeError, match="must match"):
        agrad.grad(y, x, grad_outputs=agrad.ones((2, 1)))


def shared(x: Any) -> Any:
    """``x`` moved to torch:cpu without a copy: one buffer on two devices, which copy-on-write
    leaves alone, so a write through it reaches what a node saved (found at backward)."""
    moved = x.to_device("torch:cpu")
    assert moved._extra.shared
    return moved


def test_error_inplace_change_to_saved_tensor_names_op_and_versions():
    x = t([1.0, 2.0])
    h = x * 1.0
    y = agrad.sin(h)  # saves h
    view = shared(h)[0:1]
    view += 1  # into the buffer sin saved, through a zero-copy move
    with pytest.raises(errors.InplaceModifiedError, match=r"`sin`.*version 0.*version 1"):
        agrad.sum(y).backward()
    assert isinstance(errors.InplaceModifiedError("x"), RuntimeError)


def test_saved_versions_are_checked_after_any_later_write_only():
    # the sweep skips the version check of nodes made after the latest in-place write
    # anywhere; a write after a node still reaches it, whatever was written before
    x = t([1.0, 2.0])
    other = t([3.0]) * 1.0
    other += 1  # a write before the nodes below: they need no check for it
    h = x * 1.0
    y = agrad.sin(h)
    agrad.sum(y).backward(retain_graph=True)
    np.testing.assert_allclose(x.grad.array, np.cos([1.0, 2.0]))
    view = shared(h)[1:]
    view -= 0.5  # a write after sin's node: found
    with pytest.raises(errors.InplaceModifiedError, match="`sin`"):
        agrad.sum(y).backward()
    g = t([0.5, 0.5])
    z = agrad.exp(g * 1.0)
    w = agrad.sum(z * z.detach())
    g.grad = None
    agrad.sum(z).backward(retain_graph=True)
    agrad.sum(z).backward(retain_graph=True)  # accumulates into g.grad in place: a write
    np.testing.assert_allclose(g.grad.array, 2 * np.exp([0.5, 0.5]))
    w.backward()  # g.grad was written, but no node saved it: nothing to report


def test_error_inplace_change_to_saved_output_through_a_shared_buffer():
    x = t([1.0, 2.0])
    y = agrad.exp(x)  # saves its output
    v = shared(y)[:]
    v *= 2
    with pytest.raises(errors.InplaceModifiedError, match="`exp` \\(its output\\)"):
        agrad.sum(y).backward()


def test_error_inplace_change_names_the_input_and_both_versions():
    # a one-input node keeps its saved tensor's counter alone when the version is 0, and a
    # (counter, version, input) triple otherwise: the messages are the same either way
    x = t([1.0, 2.0])
    h = x * 1.0
    y = agrad.sin(h)  # saves its input, h, at version 0
    view = shared(h)[:]
    view += 1.0
    with pytest.raises(errors.InplaceModifiedError, match="`sin` \\(its input 0\\)") as info:
        agrad.sum(y).backward()
    assert "saved at version 0 and is now at version 1" in str(info.value)
    h = x * 1.0
    view = shared(h)[:]
    view += 1.0  # version 1 before sin saves it
    y = agrad.sin(h)
    view *= 2.0
    with pytest.raises(errors.InplaceModifiedError, match="`sin` \\(its input 0\\)") as info:
        agrad.sum(y).backward()
    assert "saved at version 1 and is now at version 2" in str(info.value)
    z = agrad.exp(x)  # saves its output
    shared(z)[:][0] = 0.0
    with pytest.raises(errors.InplaceModifiedError, match="`exp` \\(its output\\)") as info:
        agrad.sum(z).backward()
    assert "saved at version 0 and is now at version 1" in str(info.value)


def test_inplace_change_to_a_saved_tensor_copies_on_write():
    # torch raises here; agrad differentiates the program as it ran (finite differences)
    def f(x: Any) -> Any:
        y = agrad.exp(x)  # saves its output
        y *= 2  # copy-on-write: exp's node keeps the old buffer
        h = x * 1.0
        s = agrad.sin(h)  # saves h
        h[0] = 5.0  # __setitem__ too
        return agrad.sum(y * s) + agrad.sum(h)

    x0 = np.array([0.3, -0.7])
    x = t(x0)
    before = x.array.copy()
    f(x).backward()
    eps = 1e-6
    fd = [
        (f(agrad.asarray(x0 + eps * e)).item() - f(agrad.asarray(x0 - eps * e)).item()) / (2 * eps)
        for e in np.eye(2)
    ]
    np.testing.assert_allclose(x.grad.array, fd, rtol=1e-7)
    np.testing.assert_array_equal(x.array, before)


def test_copy_on_write_spares_freed_graphs_and_views():
    w = t([1.0, 2.0])
    loss = agrad.sum(w * w)
    loss.backward()  # frees the graph: nothing saved needs w's old values any more
    buffer = w.array
    with agrad.no_grad():
        w -= 0.1 * w.grad
    assert w.array is buffer  # updated in place, no copy
    base = agrad.zeros(4)
    view = base[1:3]
    view += 1.0
    assert base.tolist() == [0.0, 1.0, 1.0, 0.0]


def test_error_inplace_on_leaf_requiring_grad():
    x = t([1.0, 2.0])
    with pytest.raises(errors.InplaceLeafError, match="no_grad"):
        x += 1
    with pytest.raises(errors.InplaceLeafError, match="no_grad"):
        x[0] = 5.0
    v = x[0:1]
    with pytest.raises(errors.InplaceLeafError, match="view of a leaf"):
        v *= 2


class WrongCount(agrad.Function):
    @staticmethod
    def forward(ctx, x, y):
        return x * y

    @staticmethod
    def backward(ctx, g):
        return g


class WrongShape(agrad.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return agrad.ones((5,))


def test_error_function_backward_wrong_count_and_shape():
    x, y = t([1.0, 2.0]), t([3.0, 4.0])
    with pytest.raises(errors.FunctionBackwardError, match=r"returned 1 gradients.*took 2"):
        agrad.sum(WrongCount.apply(x, y)).backward()
    with pytest.raises(errors.FunctionBackwardError, match=r"shape \(5,\).*\(2,\)"):
        agrad.sum(WrongShape.apply(x)).backward()


def test_function_ctx_needs_input_grad_and_non_differentiable():
    seen = {}

    class Split(agrad.Function):
        @staticmethod
        def forward(ctx, x, c):
            seen["needs"] = ctx.needs_input_grad
            idx = agrad.asarray([0.0, 1.0])
            ctx.mark_non_differentiable(idx)
            return x * c, idx

        @staticmethod
        def backward(ctx, g, g_idx):
            return g * 2, None

    x = t([1.0, 2.0])
    c = agrad.asarray([2.0, 2.0])
    y, idx = Split.apply(x, c)
    assert seen["needs"] == (True, False)
    assert y.requires_grad
    assert not idx.requires_grad
    agrad.sum(y).backward()
    np.testing.assert_array_equal(x.grad.array, [2.0, 2.0])


# -- checkpoint, anomaly -----------------------------------------------------------------
def _count_saved_arrays(root):
    seen, stack, count = set(), [root.grad_fn], 0
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen or not isinstance(node, agrad.Node):
            continue
        seen.add(id(node))
        saved = node.saved if isinstance(node.saved, tuple) else ()
        count += sum(1 for s in saved if isinstance(s, np.ndarray))
        if hasattr(node, "ctx") and node.ctx._saved:
            count += sum(1 for s in node.ctx._saved if s is not None)
        stack.extend(e for e in node.edges if isinstance(e, agrad.Node))
    return count


def _block(x):
    for _ in range(5):
        x = agrad.tanh(agrad.sin(x) * agrad.exp(x))
    return x


def test_checkpoint_saves_fewer_arrays_and_gives_the_same_gradient():
    xa = RNG.normal(size=(8,))
    x1, x2 = t(xa), t(xa)
    plain = agrad.sum(_block(x1))
    ckpt = agrad.sum(agrad.checkpoint(_block, x2))
    assert _count_saved_arrays(ckpt) < _count_saved_arrays(plain)
    plain.backward()
    ckpt.backward()
    np.testing.assert_allclose(x2.grad.array, x1.grad.array, rtol=1e-14)


def test_checkpoint_second_order():
    x = t(0.7)
    (g,) = agrad.grad(agrad.checkpoint(lambda v: v**3, x), x, create_graph=True)
    (h,) = agrad.grad(g, x)
    assert h.item() == pytest.approx(6 * 0.7)


def test_detect_anomaly_names_op_and_forward_traceback():
    x = t([0.0, 1.0])
    with agrad.detect_anomaly():
        y = agrad.sum(agrad.sqrt(x))  # the line the report must show
        with pytest.raises(errors.AnomalyError) as info:
            y.backward()
    message = str(info.value)
    assert "SqrtBackward" in message
    assert "test_engine.py" in message
    assert "agrad.sqrt(x)" in message


def test_without_anomaly_mode_nan_passes_silently():
    x = t([0.0])
    agrad.sum(agrad.sqrt(x)).backward()
    assert np.isinf(x.grad.array[0])


# -- memory ------------------------------------------------------------------------------
def test_saved_arrays_freed_after_backward():
    x = t(RNG.normal(size=(100,)))
    h = agrad.exp(x)  # exp saves its output
    ref = weakref.ref(h.array)
    y = agrad.sum(agrad.sin(h))  # sin saves its input, h
    del h
    gc.collect()
    assert ref() is not None  # kept alive by the graph
    y.backward()
    gc.collect()
    assert ref() is None  # freed with the graph's saved arrays, y still alive
    assert y.grad_fn is not None


def test_graph_freed_when_output_dropped():
    x = t(RNG.normal(size=(10,)))
    y = agrad.sum(agrad.tanh(x * 2))
    node_ref = weakref.ref(y.grad_fn)
    del y
    gc.collect()
    assert node_ref() is None


def test_backward_in_a_loop_does_not_grow_memory():
    import tracemalloc

    x = t(RNG.normal(size=(50,)))

    def step():
        y = agrad.sum(agrad.tanh(x * 2.0) * agrad.exp(x))
        y.backward()

    for _ in range(50):
        step()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for _ in range(1000):
        step()
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename"))
    assert grown < 50_000, f"memory grew by {grown} bytes over 1000 backward calls"


def test_grad_mode_decorators_without_parentheses():
    x = t(1.0)

    @agrad.no_grad
    def f(v):
        return v * 2

    @agrad.inference_mode
    def g(v):
        return v * 2

    assert not f(x).requires_grad
    assert not g(x).requires_grad
    assert (x * 2).requires_grad


def test_failed_register_keeps_the_old_rule():
    from agrad.extend import Rule, register

    with pytest.raises(errors.RegistryError, match="positional arguments"):
        register(Rule("sin", lambda g, x, *, xp: g), replace=True)
    x = t(0.0)
    agrad.sin(x).backward()
    assert x.grad.item() == 1.0


def test_a_base_forgets_its_dead_views():
    # a base keeps weak references to its views; dead ones are dropped as the list grows,
    # so slicing a tensor in a loop does not grow it without bound
    x = t([1.0, 2.0, 3.0])
    h = x * 1.0
    for _ in range(1000):
        _ = h[1:]
    kept = h[0:2]
    assert len(h._extra.views) < 40
    h *= 2.0  # the live view sees the write, in its values and in its gradient
    np.testing.assert_allclose(kept.array, [2.0, 4.0])
    agrad.sum(kept * kept).backward()
    np.testing.assert_allclose(x.grad.array, [8.0, 16.0, 0.0])


# -- issue 20: backward and Tensor semantics, against torch -------------------------------
def _pair(values):
    """The same leaf in agrad and in torch."""
    a = np.asarray(values, dtype=np.float64)
    return t(a), torch.tensor(a, requires_grad=True)


def test_backward_inputs_fills_the_grad_of_a_non_leaf_as_torch():
    x, xt = _pair([1.0, -2.0, 0.5])
    h, ht = agrad.sin(x) * 3, torch.sin(xt) * 3
    agrad.sum(h * h).backward(inputs=[h], retain_graph=True)
    torch.sum(ht * ht).backward(inputs=[ht], retain_graph=True)
    np.testing.assert_allclose(h.grad.array, ht.grad.numpy(), rtol=1e-15)
    assert x.grad is None
    assert xt.grad is None
    # and a second backward accumulates into it, leaf and non-leaf together
    agrad.sum(h * h).backward(inputs=[h, x])
    torch.sum(ht * ht).backward(inputs=[ht, xt])
    np.testing.assert_allclose(h.grad.array, ht.grad.numpy(), rtol=1e-15)
    np.testing.assert_allclose(x.grad.array, xt.grad.numpy(), rtol=1e-15)


@pytest.mark.parametrize("inputs", [[], [agrad.ones(2)]], ids=["empty", "no-grad"])
def test_backward_and_grad_refuse_inputs_torch_refuses(inputs):
    x = t([1.0, 2.0])
    with pytest.raises((errors.AgradValueError, errors.GraphError), match=r"inputs|require"):
        agrad.sum(x * x).backward(inputs=inputs)
    with pytest.raises((errors.AgradValueError, errors.GraphError), match=r"inputs|require"):
        agrad.grad(agrad.sum(x * x), inputs)


def test_complex_scalar_backward_needs_a_gradient_as_in_torch_and_func_grad():
    z = agrad.tensor(1.0 + 2.0j, requires_grad=True)
    zt = torch.tensor(1.0 + 2.0j, requires_grad=True)
    with pytest.raises(RuntimeError, match="real scalar"):
        (zt * zt).backward()
    with pytest.raises(errors.NotDifferentiableError, match="complex output"):
        (z * z).backward()
    with pytest.raises(errors.NotDifferentiableError):
        agrad.func.grad(lambda w: w * w)(np.asarray(1.0 + 2.0j))
    # an explicit gradient is fine, and agrees with torch
    (z * z).backward(gradient=agrad.asarray(1.0 + 0.5j))
    (zt * zt).backward(gradient=torch.tensor(1.0 + 0.5j, dtype=torch.complex128))
    assert z.grad.item() == pytest.approx(zt.grad.item(), rel=1e-15)


def test_one_gradient_is_one_gradient_whatever_its_form():
    x, xt = _pair([1.0, 2.0, 3.0])
    (x * x).backward(gradient=np.asarray([1.0, 0.5, 2.0]))  # an array: not three gradients
    (xt * xt).backward(gradient=torch.tensor([1.0, 0.5, 2.0], dtype=torch.float64))
    np.testing.assert_array_equal(x.grad.array, xt.grad.numpy())
    s = agrad.sum(x)
    s.backward(gradient=2.0)  # a Python number for a 0-d output
    np.testing.assert_array_equal(x.grad.array, xt.grad.numpy() + 2.0)
    # another precision is cast to the output's dtype, as torch does
    x32 = agrad.tensor([1.0, 2.0], dtype=agrad.float32, requires_grad=True)
    (x32 * 3).backward(gradient=agrad.ones(2, dtype=agrad.float64))
    assert x32.grad.dtype == agrad.float32
    with pytest.raises(errors.GradShapeError, match="complex"):
        (x * 2).backward(gradient=agrad.ones(3, dtype=agrad.complex128))
    with pytest.raises(errors.AgradTypeError, match="is a str"):
        agrad.sum(x).backward(gradient="1")


def _hooked(ret, leaf):
    x = t([1.0, 2.0])
    target = x if leaf else x * 2
    target.register_hook(lambda g: ret)
    agrad.sum(target * target).backward()
    return x.grad


def _hooked_torch(ret, leaf):
    x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    target = x if leaf else x * 2
    target.register_hook(lambda g: ret)
    torch.sum(target * target).backward()


BAD_HOOK_RESULTS = [
    ("shape", lambda: agrad.ones(3), lambda: torch.ones(3, dtype=torch.float64), errors.HookError),
    ("str", lambda: "g", lambda: "g", errors.AgradTypeError),
    ("float", lambda: 1.0, lambda: 1.0, errors.AgradTypeError),
    (
        "complex",
        lambda: agrad.ones(2, dtype=agrad.complex128),
        lambda: torch.ones(2, dtype=torch.complex128),
        errors.HookError,
    ),
    (
        "int",
        lambda: agrad.ones(2, dtype=agrad.int64),
        lambda: torch.ones(2, dtype=torch.int64),
        errors.HookError,
    ),
]


@pytest.mark.parametrize("leaf", [True, False], ids=["leaf", "non-leaf"])
@pytest.mark.parametrize(
    ("ours", "theirs", "error"),
    [case[1:] for case in BAD_HOOK_RESULTS],
    ids=[case[0] for case in BAD_HOOK_RESULTS],
)
def test_a_hook_returning_no_gradient_for_its_tensor_raises_as_in_torch(ours, theirs, error, leaf):
    with pytest.raises((TypeError, RuntimeError)):
        _hooked_torch(theirs(), leaf)
    with pytest.raises(error, match="hook `"):
        _hooked(ours(), leaf)


def test_a_hook_on_another_device_raises():
    x = t([1.0, 2.0])
    x.register_hook(lambda g: agrad.ones(2, device="array_api_strict"))
    with pytest.raises(errors.HookError, match="array_api_strict"):
        agrad.sum(x * x).backward()


def test_a_hook_of_another_precision_is_cast_back():
    x = t([1.0, 2.0])
    x.register_hook(lambda g: agrad.astype(g * 2, agrad.float32))
    agrad.sum(x * x).backward()
    assert x.grad.dtype == agrad.float64
    assert x.grad.tolist() == [4.0, 8.0]


def test_grad_never_aliases_the_callers_gradient():
    x = t([1.0, 2.0])
    gradient = np.ones(2)
    (x + 0).backward(gradient=gradient)  # `add` passes its gradient on unchanged
    with agrad.no_grad():
        x.grad *= 3
    np.testing.assert_array_equal(gradient, [1.0, 1.0])
    assert x.grad.tolist() == [3.0, 3.0]
    y = t([1.0, 2.0])
    y.backward(gradient=gradient)  # a leaf as the output
    assert not np.shares_memory(y.grad.array, gradient)


def test_two_leaves_never_share_a_grad():
    a, b = t([1.0, 2.0]), t([3.0, 4.0])
    (a + b).backward(gradient=agrad.asarray([1.0, 1.0]))
    assert not np.shares_memory(a.grad.array, b.grad.array)
    agrad.sum(a + b).backward()  # sum's gradient is a read-only broadcast view
    with agrad.no_grad():
        a.grad *= 2  # writable, and b's unchanged
    assert a.grad.tolist() == [4.0, 4.0]
    assert b.grad.tolist() == [2.0, 2.0]


def test_second_backward_accumulates_into_the_same_grad_as_torch():
    x, xt = _pair([1.0, 2.0])
    agrad.sum(x * x).backward()
    torch.sum(xt * xt).backward()
    g, gt = x.grad, xt.grad
    agrad.sum(x * x * x).backward()
    torch.sum(xt * xt * xt).backward()
    assert (g is x.grad) == (gt is xt.grad) is True
    np.testing.assert_allclose(g.array, gt.numpy(), rtol=1e-15)
    # an assigned .grad is accumulated into, as torch does
    assigned = agrad.zeros(2)
    x.grad = assigned
    agrad.sum(x).backward()
    assert x.grad is assigned
    assert assigned.tolist() == [1.0, 1.0]


def test_retained_grad_is_a_copy():
    x = t([1.0, 2.0])
    h = x + 0
    h.retain_grad()
    (h * 1).backward(gradient=agrad.asarray([1.0, 1.0]))
    assert not np.shares_memory(h.grad.array, x.grad.array)


ASSIGNED_GRADS = {  # what torch refuses for `x.grad = ...`, and agrad's counterpart
    "int": (lambda x: 3, lambda xt: 3),
    "complex": (
        lambda x: agrad.ones(2, dtype=agrad.complex128),
        lambda xt: torch.ones(2, dtype=torch.complex128),
    ),
    "itself": (lambda x: x, lambda xt: xt),
    "shape": (lambda x: agrad.ones(3), lambda xt: torch.ones(3, dtype=torch.float64)),
    "float32": (
        lambda x: agrad.ones(2, dtype=agrad.float32),
        lambda xt: torch.ones(2, dtype=torch.float32),
    ),
}


@pytest.mark.parametrize("kind", list(ASSIGNED_GRADS))
def test_assigning_grad_refuses_what_torch_refuses(kind):
    ours, theirs = ASSIGNED_GRADS[kind]
    x = t([1.0, 2.0])
    xt = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    with pytest.raises((TypeError, RuntimeError)):
        xt.grad = theirs(xt)
    with pytest.raises(errors.AgradError, match="grad"):
        x.grad = ours(x)
    assert x.grad is None


def test_deepcopy_and_pickle_of_leaves_as_torch_and_non_leaves_refused():
    import copy
    import pickle

    x = t([1.0, 2.0])
    v = x[:1]  # a view: the tensor now holds weak references
    assert v.shape == (1,)
    x.grad = agrad.asarray([0.5, 0.5])
    d = copy.deepcopy(x)
    assert d.requires_grad
    assert d.tolist() == [1.0, 2.0]
    assert d.grad.tolist() == [0.5, 0.5]
    assert not np.shares_memory(d.array, x.array)
    p = pickle.loads(pickle.dumps(x))
    assert p.requires_grad
    assert p.tolist() == [1.0, 2.0]
    assert p.grad is None
    xt = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="deepcopy"):
        copy.deepcopy(xt * 2)
    with pytest.raises(errors.GraphError, match="deepcopy"):
        copy.deepcopy(x * 2)
    with pytest.raises(errors.GraphError, match="pickle"):
        pickle.dumps(x * 2)


# -- graph breaks: float() of a tensor that requires grad ----------------------------------
def test_writing_a_tensor_into_a_numpy_array_warns_at_the_users_line():
    x = t([2.0, 3.0])
    buf = np.zeros(2)
    with pytest.warns(errors.GraphBreakWarning, match=r"agrad\.numpy\.zeros") as caught:
        buf[0] = x[0] * x[1]
    assert caught[0].filename == __file__
    assert buf[0] == 6.0


@pytest.mark.parametrize("convert", [float, int, complex])
def test_float_int_complex_of_a_recording_tensor_warn(convert):
    x = t(2.0)
    with pytest.warns(errors.GraphBreakWarning) as caught:
        convert(x * 3)
    assert caught[0].filename == __file__


def test_graph_break_is_silent_where_nothing_is_lost():
    x = t(2.0)
    assert (x * 3).item() == 6.0
    assert float((x * 3).detach()) == 6.0
    assert float(agrad.asarray(2.0)) == 2.0
    with agrad.no_grad():
        assert float(x * 3) == 6.0


def test_set_graph_break_modes():
    x = t([2.0, 3.0])
    with agrad.set_graph_break("error"), pytest.raises(errors.GraphBreakError, match="item"):
        float(x[0])
    buf = np.zeros(2)
    with agrad.set_graph_break("error"), pytest.raises(ValueError, match="sequence") as info:
        buf[0] = x[0]  # NumPy reports it as the cause of its own ValueError
    assert isinstance(info.value.__cause__, errors.GraphBreakError)
    with agrad.set_graph_break("ignore"):
        buf[0] = x[0]
    with pytest.warns(errors.GraphBreakWarning):  # the context restored "warn"
        float(x[0])
    with pytest.raises(errors.AgradValueError, match="warn"):
        agrad.set_graph_break("loud")


# -- Function misuse ---------------------------------------------------------------------
class _Twice(agrad.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2


def test_function_instance_call_says_use_apply():
    with pytest.raises(errors.AgradTypeError, match=r"_Twice\.apply"):
        _Twice()(t([1.0]))


@pytest.mark.parametrize("result", ["g", None], ids=["str", "None"])
def test_function_forward_returning_no_array_raises(result):
    class Bad(agrad.Function):
        @staticmethod
        def forward(ctx, x):
            return result

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(errors.AgradTypeError, match=r"Bad\.forward"):
        Bad.apply(t([1.0]))


def test_function_backward_returning_a_string_or_complex_raises():
    class Str(_Twice):
        @staticmethod
        def backward(ctx, g):
            return "g"

    class Complex(_Twice):
        @staticmethod
        def backward(ctx, g):
            return agrad.astype(g, agrad.complex128)

    with pytest.raises(errors.FunctionBackwardError, match=r"Str\.backward.*str"):
        agrad.sum(Str.apply(t([1.0]))).backward()
    with pytest.raises(errors.FunctionBackwardError, match=r"Complex\.backward.*real"):
        agrad.sum(Complex.apply(t([1.0]))).backward()


def test_set_grad_enabled_takes_a_bool_as_torch():
    with pytest.raises(TypeError):
        torch.set_grad_enabled("yes")
    with pytest.raises(errors.AgradTypeError, match="True or False"):
        agrad.set_grad_enabled("yes")
    assert agrad.is_grad_enabled()


@pytest.mark.parametrize("dtype", [agrad.int64, agrad.bool])
def test_a_cast_to_integer_or_bool_ends_the_graph_as_in_torch(dtype):
    torch = pytest.importorskip("torch")
    tdtype = {agrad.int64: torch.int64, agrad.bool: torch.bool}[dtype]
    x = t([1.5, 0.0, -2.5])
    y = agrad.astype(agrad.astype(x, dtype), agrad.float64)
    assert not y.requires_grad
    agrad.sum(y * x).backward()
    tx = torch.tensor([1.5, 0.0, -2.5], dtype=torch.float64, requires_grad=True)
    torch.sum(tx.to(tdtype).to(torch.float64) * tx).backward()
    np.testing.assert_array_equal(x.grad.array, tx.grad.numpy())


def test_copy_on_write_holds_for_a_leaf_that_already_has_a_grad():
    # an optimiser step between a forward pass and its backward: the saved value stays the
    # one the forward pass used (torch raises here; agrad copies on write)
    x = t([1.0, 2.0])
    agrad.sum(x * x).backward()  # x now has a .grad (and agrad's bookkeeping for it)
    y = agrad.sum(x * x * x)
    with agrad.no_grad():
        x -= 0.5
    y.backward()
    np.testing.assert_allclose(x.grad.array, [2.0 + 3.0, 4.0 + 12.0])
    np.testing.assert_allclose(x.array, [0.5, 1.5])
