"""The workloads of the benchmark suite, each written once per system (see `harness`).

Every workload has a builder per kind of system: ``agrad`` (any agrad device; with
``agrad.compile`` around its step for ``agrad(numpy, compiled)``, see `harness.compiled_case`),
``torch`` (torch.autograd), ``by_hand`` (NumPy or CuPy, the gradient written out with the
chain rule), for W1-W4 ``jax`` (``jax.grad``, eagerly or under ``jax.jit``) and, for W1-W3,
``bare_tape`` (`bare_tape`: agrad's formulas on a tape with no engine).
All systems of a workload start from the same NumPy arrays (fixed seeds), so their
gradients can be compared before anything is timed. `WORKLOADS` and `GPU_WORKLOADS` are
the table that `run.py` measures.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import bare_tape as bt
import numpy as np
from harness import Case, System, Workload, array_module, synchronizer

import agrad


def _jax() -> Any:
    """JAX, with 64-bit types on: the workloads' float64 stays float64 as in the others.

    A process-wide setting, made before this workload makes its first JAX array (`run.py`
    also sets ``JAX_ENABLE_X64=1`` before anything imports JAX).
    """
    import jax

    jax.config.update("jax_enable_x64", True)
    return jax


def _jax_case(
    sys_: System,
    step: Callable[..., Any],
    state: list[Any],
    *,
    carries: bool = False,
    reset: Callable[[], None] | None = None,
) -> Case:
    """A `Case` calling ``step(*state)``, under ``jax.jit`` for ``jax(jit)``.

    ``carries``: the step returns ``(new_state, grads)`` (W2's updated parameters) and the
    next call starts from ``new_state``; otherwise it returns the gradients. Every call waits
    for JAX's asynchronous dispatch. Under jit a warm-up call, timed as the set-up's one-off
    cost (the trace and XLA's compile), runs here, and ``reset`` puts the state back after it.
    """
    jax = _jax()
    fn = jax.jit(step) if sys_.compiled else step
    put_back = reset or (lambda: None)

    def run() -> list[Any]:
        out = jax.block_until_ready(fn(*state))
        if carries:
            state[:], out = out
        return list(out)

    if not sys_.compiled:
        return Case(run, synchronizer(sys_), put_back)
    start = time.perf_counter()
    run()
    elapsed = time.perf_counter() - start
    put_back()
    return Case(run, synchronizer(sys_), put_back, elapsed, "jit compile: the first call")


# ---------------------------------------------------------------------------------------
# W1: per-op overhead, a chain of elementwise ops on a tiny array

CYCLE = 5  # multiply, add, sin, exp, tanh


def _w1_inputs(n_elems: int) -> tuple[np.ndarray, np.ndarray]:
    x0 = np.random.default_rng(0).uniform(0.1, 0.5, n_elems)
    return x0, np.full_like(x0, 0.5)


def _chain(y: Any, c: Any, sin: Any, exp: Any, tanh: Any, n_ops: int) -> Any:
    for i in range(n_ops):
        k = i % CYCLE
        if k == 0:
            y = y * c
        elif k == 1:
            y = y + c
        elif k == 2:
            y = sin(y)
        elif k == 3:
            y = exp(y)
        else:
            y = tanh(y)
    return y


def w1_agrad(sys_: System, *, n_ops: int, n_elems: int) -> Case:
    x0, c0 = _w1_inputs(n_elems)
    x = agrad.tensor(x0, device=sys_.device, requires_grad=True)
    c = agrad.tensor(c0, device=sys_.device)

    def run() -> list[Any]:
        x.grad = None
        y = _chain(x, c, agrad.sin, agrad.exp, agrad.tanh, n_ops)
        agrad.sum(y).backward()
        return [x.grad]

    return Case(run, synchronizer(sys_))


def w1_torch(sys_: System, *, n_ops: int, n_elems: int) -> Case:
    import torch

    x0, c0 = _w1_inputs(n_elems)
    x = torch.tensor(x0, device=sys_.device, requires_grad=True)
    c = torch.tensor(c0, device=sys_.device)

    def run() -> list[Any]:
        x.grad = None
        y = _chain(x, c, torch.sin, torch.exp, torch.tanh, n_ops)
        y.sum().backward()
        return [x.grad]

    return Case(run, synchronizer(sys_))


def w1_jax(sys_: System, *, n_ops: int, n_elems: int) -> Case:
    jax = _jax()
    jnp = jax.numpy
    x0, c0 = _w1_inputs(n_elems)
    x, c = jnp.asarray(x0), jnp.asarray(c0)

    def loss(x: Any) -> Any:
        return jnp.sum(_chain(x, c, jnp.sin, jnp.exp, jnp.tanh, n_ops))

    grad = jax.grad(loss)
    return _jax_case(sys_, lambda x: [grad(x)], [x])


def w1_bare_tape(sys_: System, *, n_ops: int, n_elems: int) -> Case:
    x0, c0 = _w1_inputs(n_elems)
    x, c = bt.Var(x0, grad_wanted=True), bt.Var(c0)

    def run() -> list[Any]:
        x.grad = None
        bt.backward(bt.sum_(_chain(x, c, bt.sin, bt.exp, bt.tanh, n_ops)))
        return [x.grad]

    return Case(run, synchronizer(sys_))


def w1_by_hand(sys_: System, *, n_ops: int, n_elems: int) -> Case:
    xnp = array_module(sys_)
    x0, c0 = _w1_inputs(n_elems)
    x, c = xnp.asarray(x0), xnp.asarray(c0)

    def run() -> list[Any]:
        saved = []  # what each op's derivative needs: sin's input, exp's and tanh's output
        y = x
        for i in range(n_ops):
            k = i % CYCLE
            if k == 0:
                y = y * c
            elif k == 1:
                y = y + c
            elif k == 2:
                saved.append(y)
                y = xnp.sin(y)
            elif k == 3:
                y = xnp.exp(y)
                saved.append(y)
            else:
                y = xnp.tanh(y)
                saved.append(y)
        _loss = y.sum()  # as the other systems compute it
        g = xnp.ones_like(y)
        for i in reversed(range(n_ops)):
            k = i % CYCLE
            if k == 0:
                g = g * c
            elif k == 2:
                g = g * xnp.cos(saved.pop())
            elif k == 3:
                g = g * saved.pop()
            elif k == 4:
                t = saved.pop()
                g = g * (1 - t * t)
        return [g]

    return Case(run, synchronizer(sys_))


# ---------------------------------------------------------------------------------------
# W2 (and W5, G2): one training step of an MLP with ReLU and softmax cross-entropy, SGD


def _mlp_inputs(
    layers: Sequence[int], batch: int
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """He-initialised float32 weights and zero biases, a batch, its labels and one-hot."""
    rng = np.random.default_rng(0)
    params = []
    for fan_in, fan_out in itertools.pairwise(layers):
        w = rng.standard_normal((fan_in, fan_out), dtype=np.float32)
        w *= np.float32(math.sqrt(2.0 / fan_in))
        params += [w, np.zeros(fan_out, np.float32)]
    x = rng.standard_normal((batch, layers[0]), dtype=np.float32)
    labels = rng.integers(0, layers[-1], batch)
    onehot = np.zeros((batch, layers[-1]), np.float32)
    onehot[np.arange(batch), labels] = 1
    return params, x, labels, onehot


LR = 0.01


def _logits(x: Any, params: Sequence[Any], relu: Any) -> Any:
    """The MLP's forward pass up to the logits: affine layers, ReLU between them."""
    h = x
    for i in range(0, len(params), 2):
        h = h @ params[i] + params[i + 1]
        if i + 2 < len(params):
            h = relu(h)
    return h


def _agrad_relu(h: Any) -> Any:
    return agrad.maximum(h, 0.0)


def w2_agrad(sys_: System, *, layers: Sequence[int], batch: int) -> Case:
    params_np, x_np, _, onehot_np = _mlp_inputs(layers, batch)
    dev = sys_.device
    params = [agrad.tensor(p, device=dev, requires_grad=True) for p in params_np]
    x = agrad.tensor(x_np, device=dev)
    onehot = agrad.tensor(onehot_np, device=dev)
    del params_np

    def run() -> list[Any]:
        for p in params:
            p.grad = None
        h = _logits(x, params, _agrad_relu)
        # log-softmax, shifted by the row maximum (a constant: it cancels in the gradient)
        z = h - agrad.max(h.detach(), axis=1, keepdims=True)
        logp = z - agrad.log(agrad.sum(agrad.exp(z), axis=1, keepdims=True))
        loss = -agrad.sum(onehot * logp) / batch
        loss.backward()
        with agrad.no_grad():
            for p in params:
                p -= LR * p.grad
        return [p.grad for p in params]

    def reset() -> None:  # the initial parameters (made again: W5 counts kept copies)
        with agrad.no_grad():
            for p, p0 in zip(params, _mlp_inputs(layers, batch)[0], strict=True):
                p[...] = agrad.asarray(p0, device=dev)  # into the same buffers
                p.grad = None

    return Case(run, synchronizer(sys_), reset)


def w2_jax(sys_: System, *, layers: Sequence[int], batch: int) -> Case:
    jax = _jax()
    jnp = jax.numpy
    params_np, x_np, _, onehot_np = _mlp_inputs(layers, batch)
    x, onehot = jnp.asarray(x_np), jnp.asarray(onehot_np)

    def relu(h: Any) -> Any:
        return jnp.maximum(h, 0.0)

    def loss(params: list[Any]) -> Any:
        h = _logits(x, params, relu)
        z = h - jax.lax.stop_gradient(jnp.max(h, axis=1, keepdims=True))
        logp = z - jnp.log(jnp.sum(jnp.exp(z), axis=1, keepdims=True))
        return -jnp.sum(onehot * logp) / batch

    grad = jax.grad(loss)

    def step(*params: Any) -> tuple[list[Any], list[Any]]:
        grads = grad(list(params))
        return [p - LR * g for p, g in zip(params, grads, strict=True)], grads

    state = [jnp.asarray(p) for p in params_np]
    initial = list(state)

    def reset() -> None:
        state[:] = initial

    return _jax_case(sys_, step, state, carries=True, reset=reset)


def w2_torch(sys_: System, *, layers: Sequence[int], batch: int) -> Case:
    import torch
    import torch.nn.functional as F

    params_np, x_np, labels_np, _ = _mlp_inputs(layers, batch)
    dev = sys_.device
    params = [torch.tensor(p, device=dev, requires_grad=True) for p in params_np]
    del params_np
    x = torch.tensor(x_np, device=dev)
    labels = torch.tensor(labels_np, device=dev)

    def run() -> list[Any]:
        for p in params:
            p.grad = None
        h = _logits(x, params, torch.relu)
        loss = F.cross_entropy(h, labels)
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad
        return [p.grad for p in params]

    return Case(run, synchronizer(sys_))


def w2_bare_tape(sys_: System, *, layers: Sequence[int], batch: int) -> Case:
    params_np, x_np, _, onehot_np = _mlp_inputs(layers, batch)
    params = [bt.Var(p, grad_wanted=True) for p in params_np]
    x = bt.Var(x_np)

    def run() -> list[Any]:
        for p in params:
            p.grad = None
        h = _logits(x, params, bt.relu)
        z = h - h.value.max(axis=1, keepdims=True)
        logp = z - bt.log(bt.sum_(bt.exp(z), axis=1, keepdims=True))
        loss = -bt.sum_(onehot_np * logp) / batch
        bt.backward(loss)
        for p in params:
            p.value -= LR * p.grad
        return [p.grad for p in params]

    return Case(run, synchronizer(sys_))


def w2_by_hand(sys_: System, *, layers: Sequence[int], batch: int) -> Case:
    xnp = array_module(sys_)
    params_np, x_np, _, onehot_np = _mlp_inputs(layers, batch)
    params = [xnp.asarray(p) for p in params_np]
    del params_np
    x, onehot = xnp.asarray(x_np), xnp.asarray(onehot_np)
    n_layers = len(params) // 2

    def run() -> list[Any]:
        inputs, masks = [], []  # each layer's input; where each ReLU let its input through
        h = x
        for k in range(n_layers):
            inputs.append(h)
            h = h @ params[2 * k] + params[2 * k + 1]
            if k + 1 < n_layers:
                masks.append(h > 0)
                h = xnp.maximum(h, 0)
        z = h - h.max(axis=1, keepdims=True)
        e = xnp.exp(z)
        s = e.sum(axis=1, keepdims=True)
        _loss = -(onehot * (z - xnp.log(s))).sum() / batch
        g = (e / s - onehot) / batch  # d loss / d logits = (softmax - onehot) / batch
        grads: list[Any] = [None] * len(params)
        for k in reversed(range(n_layers)):
            grads[2 * k] = inputs[k].T @ g
            grads[2 * k + 1] = g.sum(axis=0)
            if k > 0:
                g = (g @ params[2 * k].T) * masks[k - 1]
        for p, gp in zip(params, grads, strict=True):
            p -= LR * gp
        return grads

    return Case(run, synchronizer(sys_))


# ---------------------------------------------------------------------------------------
# W3 (and G3): large elementwise, loss = sum(sin(x) * exp(-x**2) + x**3)


def _w3_input(n: int) -> np.ndarray:
    return np.random.default_rng(0).uniform(-2.0, 2.0, n)


def w3_agrad(sys_: System, *, n: int) -> Case:
    x = agrad.tensor(_w3_input(n), device=sys_.device, requires_grad=True)

    def run() -> list[Any]:
        x.grad = None
        loss = agrad.sum(agrad.sin(x) * agrad.exp(-(x**2)) + x**3)
        loss.backward()
        return [x.grad]

    return Case(run, synchronizer(sys_))


def w3_torch(sys_: System, *, n: int) -> Case:
    import torch

    x = torch.tensor(_w3_input(n), device=sys_.device, requires_grad=True)

    def run() -> list[Any]:
        x.grad = None
        loss = torch.sum(torch.sin(x) * torch.exp(-(x**2)) + x**3)
        loss.backward()
        return [x.grad]

    return Case(run, synchronizer(sys_))


def w3_jax(sys_: System, *, n: int) -> Case:
    jax = _jax()
    jnp = jax.numpy
    grad = jax.grad(lambda x: jnp.sum(jnp.sin(x) * jnp.exp(-(x**2)) + x**3))
    return _jax_case(sys_, lambda x: [grad(x)], [jnp.asarray(_w3_input(n))])


def w3_bare_tape(sys_: System, *, n: int) -> Case:
    x = bt.Var(_w3_input(n), grad_wanted=True)

    def run() -> list[Any]:
        x.grad = None
        bt.backward(bt.sum_(bt.sin(x) * bt.exp(-(x**2)) + x**3))
        return [x.grad]

    return Case(run, synchronizer(sys_))


def w3_by_hand(sys_: System, *, n: int) -> Case:
    xnp = array_module(sys_)
    x = xnp.asarray(_w3_input(n))

    def run() -> list[Any]:
        # NumPy has no fast path for `x**3` (~30x slower than x*x*x): multiply instead
        x2 = x * x
        e = xnp.exp(-x2)
        s = xnp.sin(x)
        _loss = (s * e + x2 * x).sum()
        # d/dx [sin(x) e^(-x^2) + x^3] = (cos(x) - 2x sin(x)) e^(-x^2) + 3x^2
        return [(xnp.cos(x) - 2 * x * s) * e + 3 * x2]

    return Case(run, synchronizer(sys_))


# ---------------------------------------------------------------------------------------
# W4: Hessian-vector product of sum(tanh(A @ x)**2), by double backward


def _w4_inputs(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)) / math.sqrt(n)
    return a, rng.standard_normal(n), rng.standard_normal(n)


def w4_agrad(sys_: System, *, n: int) -> Case:
    a_np, x_np, v_np = _w4_inputs(n)
    a = agrad.tensor(a_np, device=sys_.device)
    x = agrad.tensor(x_np, device=sys_.device, requires_grad=True)
    v = agrad.tensor(v_np, device=sys_.device)

    def run() -> list[Any]:
        (g,) = agrad.grad(agrad.sum(agrad.tanh(a @ x) ** 2), x, create_graph=True)
        (hv,) = agrad.grad(agrad.sum(g * v), x)
        return [hv]

    return Case(run, synchronizer(sys_))


def w4_torch(sys_: System, *, n: int) -> Case:
    import torch

    a_np, x_np, v_np = _w4_inputs(n)
    a = torch.tensor(a_np, device=sys_.device)
    x = torch.tensor(x_np, device=sys_.device, requires_grad=True)
    v = torch.tensor(v_np, device=sys_.device)

    def run() -> list[Any]:
        (g,) = torch.autograd.grad(torch.sum(torch.tanh(a @ x) ** 2), x, create_graph=True)
        (hv,) = torch.autograd.grad(torch.sum(g * v), x)
        return [hv]

    return Case(run, synchronizer(sys_))


def w4_jax(sys_: System, *, n: int) -> Case:
    jax = _jax()
    jnp = jax.numpy
    a_np, x_np, v_np = _w4_inputs(n)
    a, v = jnp.asarray(a_np), jnp.asarray(v_np)
    # by double backward, as the others: the gradient of <grad f(x), v>
    grad = jax.grad(lambda x: jnp.sum(jnp.tanh(a @ x) ** 2))
    hvp = jax.grad(lambda x: jnp.sum(grad(x) * v))
    return _jax_case(sys_, lambda x: [hvp(x)], [jnp.asarray(x_np)])


def w4_by_hand(sys_: System, *, n: int) -> Case:
    xnp = array_module(sys_)
    a, x, v = (xnp.asarray(z) for z in _w4_inputs(n))

    def run() -> list[Any]:
        # f = sum(t**2), t = tanh(u), u = A x: H = A^T diag(2 (1 - t^2)(1 - 3 t^2)) A
        t = xnp.tanh(a @ x)
        t2 = t * t
        return [a.T @ (2 * (1 - t2) * (1 - 3 * t2) * (a @ v))]

    return Case(run, synchronizer(sys_))


# ---------------------------------------------------------------------------------------
# the table of workloads

CPU_SYSTEMS = ("agrad(numpy)", "agrad(torch:cpu)", "torch.autograd", "numpy (by hand)")
GPU_SYSTEMS = ("agrad(torch:cuda)", "agrad(cupy)", "torch.autograd(cuda)", "cupy (by hand)")

# the bare tape (benchmarks/bare_tape.py): where one rule per operation, with no engine
# around it, would stand
TAPE_SYSTEMS = (*CPU_SYSTEMS[:3], "numpy (bare tape)", CPU_SYSTEMS[3])

# issue 24: agrad.compile's replayed step beside JAX eager and JAX's jit, in W1-W4's default
# run (about 45 s more: JAX eager's W1 and W3, and the captures of W3's 10^7 elements)
COMPILED_SYSTEMS = ("agrad(numpy, compiled)", "jax", "jax(jit)")
W1_W3_SYSTEMS = (*TAPE_SYSTEMS, *COMPILED_SYSTEMS)
W4_SYSTEMS = (*CPU_SYSTEMS, *COMPILED_SYSTEMS)

W1 = {"agrad": w1_agrad, "torch": w1_torch, "bare_tape": w1_bare_tape, "by_hand": w1_by_hand}
W2 = {"agrad": w2_agrad, "torch": w2_torch, "bare_tape": w2_bare_tape, "by_hand": w2_by_hand}
W3 = {"agrad": w3_agrad, "torch": w3_torch, "bare_tape": w3_bare_tape, "by_hand": w3_by_hand}
W4 = {"agrad": w4_agrad, "torch": w4_torch, "by_hand": w4_by_hand}
W1["jax"], W2["jax"], W3["jax"], W4["jax"] = w1_jax, w2_jax, w3_jax, w4_jax
W5 = {kind: build for kind, build in W2.items() if kind != "jax"}  # RSS of this process only

MLP = (784, 256, 256, 10)
MLP_SMOKE = (12, 8, 8, 3)
MLP_BIG = (4096, 4096, 4096, 10)
_F32 = {"rtol": 1e-4, "atol": 1e-6}  # float32: summation orders differ between libraries
_GPU_TARGETS = {"agrad(torch:cuda)": 1.10, "agrad(cupy)": 1.10}

WORKLOADS: tuple[Workload, ...] = (
    *(
        Workload(
            key="W1",
            title=f"W1 per-op overhead, 1000 ops on {n} element{'s' if n > 1 else ''}",
            unit="us/op",
            scale=1e6,
            reference="torch.autograd",
            targets={"agrad(numpy)": 0.6},
            systems=W1_W3_SYSTEMS,
            builders=W1,
            sizes={"n_ops": 1000, "n_elems": n},
            smoke_sizes={"n_ops": 20, "n_elems": n},
            per="n_ops",
            variant=f"{n} el.",
        )
        for n in (1, 16)
    ),
    Workload(
        key="W2",
        title="W2 MLP 784-256-256-10 training step, batch 64, float32",
        unit="ms/step",
        scale=1e3,
        reference="numpy (by hand)",
        targets={"agrad(numpy)": 1.15},
        systems=W1_W3_SYSTEMS,
        builders=W2,
        sizes={"layers": MLP, "batch": 64},
        smoke_sizes={"layers": MLP_SMOKE, "batch": 4},
        inner=10,
        **_F32,
    ),
    Workload(
        key="W3",
        title="W3 large elementwise, 10^7 float64, sum(sin(x) exp(-x^2) + x^3)",
        unit="ms",
        scale=1e3,
        reference="numpy (by hand)",
        targets={"agrad(numpy)": 1.05},
        systems=W1_W3_SYSTEMS,
        builders=W3,
        sizes={"n": 10**7},
        smoke_sizes={"n": 50},
        repeats=15,
        rtol=1e-10,
    ),
    Workload(
        key="W4",
        title="W4 Hessian-vector product of sum(tanh(A x)^2), A 500x500, double backward",
        unit="ms",
        scale=1e3,
        reference="torch.autograd",
        targets={"agrad(numpy)": 0.7},
        systems=W4_SYSTEMS,
        builders=W4,
        sizes={"n": 500},
        smoke_sizes={"n": 6},
        inner=20,
        rtol=1e-9,
        atol=1e-12,
    ),
    Workload(
        key="W5",
        title="W5 memory one training step adds, MLP 4096-4096-4096-10, batch 1024, float32",
        unit="MB",
        scale=1 / 2**20,
        reference="numpy (by hand)",
        targets={"agrad(numpy)": 1.1},
        systems=CPU_SYSTEMS,
        builders=W5,
        sizes={"layers": MLP_BIG, "batch": 1024},
        smoke_sizes={"layers": MLP_SMOKE, "batch": 4},
        repeats=3,
        memory=True,
        **_F32,
    ),
)

GPU_WORKLOADS: tuple[Workload, ...] = (
    Workload(
        key="G2",
        title="GPU: W2 MLP 784-256-256-10 training step, batch 4096, float32",
        unit="ms/step",
        scale=1e3,
        reference="torch.autograd(cuda)",
        targets=_GPU_TARGETS,
        systems=GPU_SYSTEMS,
        builders=W2,
        sizes={"layers": MLP, "batch": 4096},
        smoke_sizes={"layers": MLP_SMOKE, "batch": 4},
        inner=10,
        **_F32,
    ),
    Workload(
        key="G3",
        title="GPU: W3 large elementwise, 10^7 float64",
        unit="ms",
        scale=1e3,
        reference="torch.autograd(cuda)",
        targets=_GPU_TARGETS,
        systems=GPU_SYSTEMS,
        builders=W3,
        sizes={"n": 10**7},
        smoke_sizes={"n": 50},
        inner=5,
        rtol=1e-10,
    ),
)
