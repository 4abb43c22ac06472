"""agrad.compile on JAX devices: a step traced to one jaxpr and run through ``jax.jit``.

Every step runs on two copies of the same state, eagerly and compiled, and after each call
the results, ``.grad`` and parameters must agree. XLA compiles the whole step, so a replay
may round differently from the eager step's op-by-op calls: values are compared at 1e-12
relative (float64), not bit for bit. The oracle for one gradient is its closed form.
"""

from __future__ import annotations

import random
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jnp = jax.numpy

import agrad  # noqa: E402
from agrad._compile import CompileWarning, compile  # noqa: E402
from agrad.errors import AgradTypeError  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the `fuzz` helper package

from fuzz.program import (  # noqa: E402
    RandomSource,
    eager_and_compiled,
    generate,
    step_function,
)

D = "jax:cpu"


def _close(a, b):
    if isinstance(a, agrad.Tensor):
        assert isinstance(b, agrad.Tensor)
        a, b = a.array, b.array
    if a is None:
        assert b is None
        return
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype
    assert a.shape == b.shape
    scale = 1.0 + float(np.max(np.abs(a), initial=0.0))
    np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-13 * scale)


def _lockstep(make, calls=7, args=lambda k: ()):
    """Build the state twice; run one eagerly and one compiled; compare after every call."""
    params_a, step_a = make()
    params_b, step_b = make()
    compiled = compile(step_b)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)  # a step here must replay
        for k in range(calls):
            out_a, out_b = step_a(*args(k)), compiled(*args(k))
            for x, y in zip(out_a, out_b, strict=True):
                _close(x, y)
                for p, q in zip(params_a, params_b, strict=True):  # a returned `.grad` is it
                    assert (x is p.grad) == (y is q.grad)
            for p, q in zip(params_a, params_b, strict=True):
                _close(p, q)
                _close(p.grad, q.grad)
    assert compiled.stats["replays"] >= 2, compiled.explain()
    return compiled


def _mlp():
    rng = np.random.default_rng(0)
    shapes = [(12, 8), (8,), (8, 3), (3,)]
    params = [agrad.tensor(rng.standard_normal(s), requires_grad=True, device=D) for s in shapes]
    x = agrad.tensor(rng.standard_normal((4, 12)), device=D)
    onehot = agrad.tensor(np.eye(3)[[0, 1, 2, 0]], device=D)

    def step():
        for p in params:
            p.grad = None
        h = agrad.maximum(x @ params[0] + params[1], 0.0) @ params[2] + params[3]
        z = h - agrad.max(h.detach(), axis=1, keepdims=True)
        logp = z - agrad.log(agrad.sum(agrad.exp(z), axis=1, keepdims=True))
        loss = -agrad.sum(onehot * logp) / 4
        loss.backward()
        with agrad.no_grad():
            for p in params:
                p -= 0.1 * p.grad
        return [loss, params[0].grad]

    return params, step


def test_mlp_training_step_is_one_jaxpr_run_by_jit():
    compiled = _lockstep(_mlp)
    plan = compiled.plan
    assert "run through jax.jit" in plan
    assert "dot_general" in plan
    # a captured call runs the step's Python code once; a replay runs none of it
    assert compiled.stats["captures"] == 4  # a NumPy capture that found JAX, discovery, 2


def test_w1_chain_replays_as_eager():
    def make():
        x = agrad.tensor([0.3], requires_grad=True, device=D)
        c = agrad.tensor([0.5], device=D)

        def step():
            x.grad = None
            y = x
            for i in range(40):
                y = [y * c, y + c, agrad.sin(y), agrad.exp(y), agrad.tanh(y)][i % 5]
            agrad.sum(y).backward()
            return [x.grad]

        return [x], step

    _lockstep(make)


def test_captures_run_the_python_body_once_per_call():
    w = agrad.tensor(np.linspace(-1.0, 1.0, 5), requires_grad=True, device=D)
    runs = []

    @compile
    def step(w):
        runs.append(1)
        w.grad = None
        agrad.sum(agrad.sin(w) ** 2).backward()
        with agrad.no_grad():
            w -= 0.1 * w.grad
        return w.grad

    for _ in range(6):
        step(w)
    # a warm-up, a discovery run, two traces (each the only run in its call), two replays
    assert step.stats == {"warmups": 1, "captures": 3, "replays": 2, "misses": 0, "eager": 0}
    assert len(runs) == 4


def test_gradient_against_its_closed_form():
    rng = np.random.default_rng(1)
    values = [rng.uniform(-2, 2, 50) for _ in range(6)]

    @compile
    def grad_of(x):
        agrad.sum(agrad.sin(x) * agrad.exp(-(x**2)) + x**3).backward()
        return x.grad

    for v in values:
        g = grad_of(agrad.tensor(v, requires_grad=True, device=D))
        want = (np.cos(v) - 2 * v * np.sin(v)) * np.exp(-(v**2)) + 3 * v**2
        np.testing.assert_allclose(np.asarray(g.array), want, rtol=1e-12)
    assert grad_of.stats["replays"] == 2


def test_adam_with_its_step_counter_replays():
    def make():
        w = agrad.tensor(np.linspace(-1.0, 1.0, 6).reshape(2, 3), requires_grad=True, device=D)
        opt = agrad.optim.Adam([w], lr=0.1)

        def step():
            opt.zero_grad()
            loss = agrad.sum(agrad.sin(w) ** 2)
            loss.backward()
            opt.step()
            return [loss]

        return [w], step

    _lockstep(make, calls=8)


def test_gradients_accumulate_without_a_reset():
    def make():
        w = agrad.tensor(np.linspace(-1.0, 1.0, 4), requires_grad=True, device=D)

        def step():
            agrad.sum(w**3).backward()
            return [w.grad]

        return [w], step

    _lockstep(make)


def test_random_draws_replay_the_eager_stream():
    def make():
        g = agrad.random.Generator(5, device=D)
        w = agrad.tensor(np.linspace(-1.0, 1.0, 4), requires_grad=True, device=D)

        def step():
            w.grad = None
            noise = g.normal((4,))
            loss = agrad.sum(w * noise)
            loss.backward()
            return [noise, loss]

        return [w], step

    compiled = _lockstep(make, calls=8)
    assert "random" in compiled.plan  # the key goes in and out of the jaxpr


def test_a_generator_made_inside_the_step_replays():
    def make():
        w = agrad.tensor(np.linspace(-1.0, 1.0, 4), requires_grad=True, device=D)

        def step():
            w.grad = None
            noise = agrad.random.Generator(7, device=D).normal((4,))  # the same draw each call
            agrad.sum(w * noise).backward()
            return [w.grad]

        return [w], step

    _lockstep(make)


def test_hessian_vector_product_by_double_backward():
    rng = np.random.default_rng(2)
    a = agrad.tensor(rng.standard_normal((5, 5)), device=D)
    v = agrad.tensor(rng.standard_normal(5), device=D)
    xs = [rng.standard_normal(5) for _ in range(6)]

    def step(x):
        (g,) = agrad.grad(agrad.sum(agrad.tanh(a @ x) ** 2), x, create_graph=True)
        (hv,) = agrad.grad(agrad.sum(g * v), x)
        return [hv]

    def make():
        return [], step

    _lockstep(make, args=lambda k: (agrad.tensor(xs[k % 6], requires_grad=True, device=D),))


def test_writes_through_views_of_a_parameter():
    def make():
        w = agrad.tensor(np.linspace(-1.0, 1.0, 6).reshape(2, 3), requires_grad=True, device=D)

        def step():
            w.grad = None
            agrad.sum(w**2).backward()
            with agrad.no_grad():
                w[0] -= 0.1 * w.grad[0]
                row = w[1]
                row *= 0.9
            return [w.grad]

        return [w], step

    _lockstep(make)


def test_a_hook_registered_later_is_seen():
    w = agrad.tensor([1.0, 2.0], requires_grad=True, device=D)

    @compile
    def step():
        w.grad = None
        agrad.sum(w * w).backward()
        return w.grad

    for _ in range(6):  # a warm-up, a NumPy capture that finds JAX, a discovery, 2 traces
        step()
    assert step.stats["replays"] == 1
    w.register_hook(lambda g: g * 10)
    np.testing.assert_array_equal(np.asarray(step().array), [20.0, 40.0])


def test_a_learning_rate_changed_later_is_seen():
    w = agrad.tensor([1.0, 2.0], requires_grad=True, device=D)
    opt = agrad.optim.SGD([w], lr=0.1)

    @compile
    def step():
        opt.zero_grad()
        agrad.sum(w * w).backward()
        opt.step()
        return w.grad

    for _ in range(6):
        step()
    assert step.stats["replays"] == 1
    opt.param_groups[0]["lr"] = 0.0
    before = np.asarray(w.array)
    step()
    np.testing.assert_array_equal(np.asarray(w.array), before)  # lr 0: no change
    assert step.stats["misses"] == 1


def test_raw_jax_arguments_and_their_shape_guard():
    w = agrad.tensor(np.linspace(-1.0, 1.0, 4), requires_grad=True, device=D)

    @compile
    def step(x):
        w.grad = None
        loss = agrad.sum(w * agrad.asarray(x) ** 2)
        loss.backward()
        return loss.detach(), w.grad

    rng = np.random.default_rng(3)
    for n in (4, 4, 4, 4, 4, 4):
        x = rng.standard_normal(n)
        loss, g = step(jnp.asarray(x))
        np.testing.assert_allclose(np.asarray(g.array), x**2, rtol=1e-14)
        np.testing.assert_allclose(float(loss.array), np.sum(np.asarray(w.array) * x**2))
    assert step.stats["replays"] == 2
    with pytest.raises(Exception, match=r"broadcast|shape"):
        step(jnp.ones(3))  # another shape: captured again, and fails as eagerly


def _call(step, n):
    for _ in range(n):
        out = step()
    return out


def test_a_conversion_to_python_runs_eagerly_and_names_the_line():
    w = agrad.tensor(np.linspace(-1.0, 1.0, 4), requires_grad=True, device=D)
    seen = []

    @compile
    def step():
        w.grad = None
        loss = agrad.sum(w**2)
        loss.backward()
        seen.append(float(loss.detach()))  # each call's own value, once
        return loss

    with pytest.warns(CompileWarning, match=r"`__float__` at .*test_compile_jax.py:\d+"):
        _call(step, 4)
    assert step.stats["replays"] == 0
    assert step.stats["eager"] == 1
    assert seen == [pytest.approx(np.sum(np.linspace(-1.0, 1.0, 4) ** 2))] * 4


def test_a_step_jit_cannot_trace_runs_eagerly_and_names_the_line():
    x = agrad.tensor(np.linspace(-1.0, 1.0, 6), requires_grad=True, device=D)

    @compile
    def step():
        x.grad = None
        agrad.sum(x[x.detach() > 0] ** 2).backward()  # a shape that depends on values
        return x.grad

    with pytest.warns(CompileWarning, match=r"jax.jit cannot trace it .*test_compile_jax.py"):
        g = _call(step, 4)
    v = np.linspace(-1.0, 1.0, 6)
    np.testing.assert_allclose(np.asarray(g.array), np.where(v > 0, 2 * v, 0.0))


def test_a_step_mixing_devices_runs_eagerly():
    w = agrad.tensor(np.linspace(-1.0, 1.0, 4), requires_grad=True, device=D)
    c = agrad.tensor(np.ones(4))  # numpy

    @compile
    def step():
        w.grad = None
        agrad.sum(w**2).backward()
        return agrad.sum(c)

    with pytest.warns(CompileWarning, match="JAX and with tensors on 'numpy'"):
        assert _call(step, 4).item() == 4.0


def test_python_state_that_changes_keeps_the_step_eager():
    w = agrad.tensor(np.linspace(-1.0, 1.0, 4), requires_grad=True, device=D)
    lr = [0.1]

    @compile(max_plans=4)
    def step():
        w.grad = None
        agrad.sum(w**2).backward()
        with agrad.no_grad():
            w.__isub__(lr[0] * w.grad)
        lr[0] *= 0.5  # a Python float, baked into each trace: no two traces agree
        return w.grad

    with pytest.warns(CompileWarning, match="captures did not give a plan"):
        _call(step, 8)
    want = np.linspace(-1.0, 1.0, 4)
    rate = 0.1
    for _ in range(8):
        want = want - rate * 2 * want
        rate *= 0.5
    assert step.stats["replays"] == 0
    np.testing.assert_allclose(np.asarray(w.array), want, rtol=1e-13)


def test_a_tracer_outside_compile_is_refused_clearly():
    def f(a):
        return agrad.sum(agrad.asarray(a) ** 2).array

    with pytest.raises(AgradTypeError, match=r"agrad\.compile"):
        jax.jit(f)(jnp.ones(3))


# -- the differential fuzzer's programs ------------------------------------------------------
def test_fuzzer_programs_replay_as_eager():
    rnd = random.Random(31)
    replayed = n = 0
    while n < 24:
        prog = generate(RandomSource(rnd.getrandbits(32)), device=D, max_steps=6)
        if prog.gen_error is not None:
            continue
        n += 1
        compiled = compile(step_function(prog), warmup=0)
        for out_a, out_b, leaves_a, leaves_b in eager_and_compiled(prog, compiled, 5):
            for u, w in zip(out_a, out_b, strict=True):
                if isinstance(u, agrad.Tensor):
                    _close_nan(u.array, w.array, prog.describe())
            for xa, xb in zip(leaves_a, leaves_b, strict=True):
                assert (xa.grad is None) == (xb.grad is None)
                if xa.grad is not None:
                    _close_nan(xa.grad.array, xb.grad.array, prog.describe())
                _close_nan(xa.array, xb.array, prog.describe())
        replayed += compiled.stats["replays"] > 0
    assert replayed >= 19, replayed  # the rest: value-dependent shapes, conversions


def _close_nan(a, b, description):
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype, description
    assert a.shape == b.shape, description
    if a.dtype.kind in "fc":
        finite = np.abs(a[np.isfinite(a)])
        scale = 1.0 + float(np.max(finite, initial=0.0))
        np.testing.assert_allclose(
            b, a, rtol=1e-9, atol=1e-9 * scale, equal_nan=True, err_msg=description
        )
    else:
        np.testing.assert_array_equal(a, b, err_msg=description)


def test_a_step_that_raises_raises_as_eagerly_and_keeps_capturing():
    w = agrad.tensor(np.linspace(-1.0, 1.0, 4), requires_grad=True, device=D)

    @compile
    def step(x):
        w.grad = None
        agrad.sum(w * x).backward()
        return w.grad

    good, bad = agrad.tensor(np.ones(4), device=D), agrad.tensor(np.ones(3), device=D)
    with pytest.raises(Exception, match="broadcasting") as eager:
        step.fn(bad)
    for _ in range(3):  # a warm-up, a discovery, a trace
        step(good)
    with pytest.raises(eager.type, match="broadcasting"):  # agrad's own error, as eagerly
        step(bad)
    for _ in range(3):
        g = step(good)
    np.testing.assert_array_equal(np.asarray(g.array), np.ones(4))
    assert step.stats["replays"] >= 1  # the error did not make it give up
