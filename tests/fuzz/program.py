"""Random programs: generated over a pool of live variables, run on agrad and torch, judged.

A program is a list of steps over a pool: each step applies one op kind to variables of the
pool and adds its results (or, in place, updates its first input). It is executed on agrad
while it is generated, so every op sees concrete shapes and values and picks valid inputs.
The loss is ``sum(w * out)`` over a few variables with random weights ``w``.

``check`` runs the program on agrad (the program's device) and on torch.autograd with the
same float64/complex128 leaves and compares forward values and gradients (first order, and
for a share of programs second order: the gradient of ``<grad, v>``). Where the two differ
legitimately (NumPy's views against torch's copies, agrad's copy-on-write where torch
refuses an in-place change), agrad is checked against central finite differences of its own
forward instead.
"""

from __future__ import annotations

import random
import traceback
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import torch
from hypothesis import strategies as st

import agrad
from agrad.errors import AgradError, AgradValueError, InplaceModifiedError

from . import keys, ops_linalg, ops_shape
from .ops import OPS, Op, Var

assert ops_linalg  # importing them registers their op kinds
assert ops_shape


# -- sources of randomness -------------------------------------------------------------------
class RandomSource:
    """Draws from a seeded ``random.Random`` (the thorough driver)."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def integer(self, lo: int, hi: int) -> int:
        return self.r.randint(lo, hi)

    def choice(self, seq: Sequence[Any]) -> Any:
        return seq[self.r.randrange(len(seq))]

    def flag(self, p: float) -> bool:
        return self.r.random() < p

    def seed_rng(self) -> np.random.Generator:
        return np.random.default_rng(self.r.getrandbits(32))


class HypothesisSource:
    """Draws through hypothesis' ``st.data()``, so failing programs shrink."""

    def __init__(self, data: Any) -> None:
        self.data = data

    def integer(self, lo: int, hi: int) -> int:
        return int(self.data.draw(st.integers(lo, hi)))

    def choice(self, seq: Sequence[Any]) -> Any:
        return seq[self.integer(0, len(seq) - 1)]

    def flag(self, p: float) -> bool:
        return self.integer(0, 99) >= 100 - round(100 * p)  # shrinks to False

    def seed_rng(self) -> np.random.Generator:
        return np.random.default_rng(self.integer(0, 2**32 - 1))


# -- programs ------------------------------------------------------------------------------
@dataclass
class Step:
    op: str
    ins: tuple[int, ...]
    params: dict[str, Any]
    outs: tuple[int, ...]


@dataclass
class Program:
    leaves: list[np.ndarray]
    steps: list[Step]
    outputs: list[int]
    weights: list[np.ndarray]
    dirs: list[np.ndarray]  # a direction per leaf: the v of <grad, v>, and for differences
    dirs2: list[np.ndarray]
    device: str
    order2: bool
    ties: bool  # leaves with repeated values (ties, zeros): no finite differences there
    gen_error: str | None = None

    def describe(self) -> str:
        lines = [f"device={self.device!r} order2={self.order2}"]
        for i, a in enumerate(self.leaves):
            lines.append(f"v{i} = leaf({np.array2string(a, precision=4, separator=',')})")
        for s in self.steps:
            args = ", ".join(f"v{i}" for i in s.ins)
            params = ", ".join(f"{k}={v!r}" for k, v in s.params.items())
            call = f"{s.op}({args}{', ' if args and params else ''}{params})"
            lhs = ", ".join(f"v{i}" for i in s.outs) or f"v{s.ins[0]} <-"
            if s is self.steps[-1] and self.gen_error:
                lhs = "(fails)"
            lines.append(f"{lhs} = {call}")
        lines.append(f"loss = sum(w * out) over {[f'v{i}' for i in self.outputs]}")
        if self.gen_error:
            lines.append(f"generation stopped: {self.gen_error}")
        return "\n".join(lines)


class Ctx:
    def __init__(self, dev: str | None) -> None:
        self.dev = dev or "numpy"

    def const(self, a: np.ndarray) -> Any:
        return agrad.asarray(a, device=self.dev)

    def eye(self, n: int) -> Any:
        return agrad.eye(n, dtype=agrad.float64, device=self.dev)


def _leaf_values(src: Any, shape: tuple[int, ...], cplx: bool, ties: bool) -> np.ndarray:
    rng = src.seed_rng()
    if ties:
        a = rng.integers(-2, 3, shape) * 0.5
        return (a + 1j * rng.integers(-1, 2, shape) * 0.5) if cplx else a.astype(np.float64)
    a = rng.standard_normal(shape)
    return a + 1j * rng.standard_normal(shape) if cplx else a


def _leaf_shape(src: Any, base: list[int]) -> tuple[int, ...]:
    if src.flag(0.25):
        n = src.integer(1, 4)
        return (src.integer(1, 3), n, n) if src.flag(0.3) else (n, n)
    shape = base[src.integer(0, len(base)) if src.flag(0.3) else 0 :]
    return tuple(1 if src.flag(0.2) else d for d in shape)


def _shares(a: Any, b: Any) -> bool:
    if isinstance(a, agrad.Tensor) and isinstance(b, agrad.Tensor):
        if not isinstance(a.array, (np.ndarray, torch.Tensor)):
            # Dask's arrays are immutable, and NumPy's question computes them: agrad's own
            # views (a view and its base share one version counter)
            return a._vc is b._vc
        a, b = a.array, b.array
    if isinstance(a, torch.Tensor):
        return bool(
            a.numel()
            and b.numel()
            and a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()
        )
    return bool(np.may_share_memory(a, b))


def generate(
    src: Any,
    *,
    exclude: Iterable[str] = (),
    max_steps: int = 8,
    device: str | None = None,
) -> Program:
    """Draw and execute (on agrad, no grad) one program."""
    excluded = set(exclude)
    ndim = src.integer(0, 3)
    base = [0 if src.flag(0.03) else src.integer(1, 4) for _ in range(ndim)]
    cplx, ties = src.flag(0.15), src.flag(0.15)
    leaves = []
    for _ in range(src.integer(1, 3)):
        shape = _leaf_shape(src, base)
        leaves.append(_leaf_values(src, shape, cplx and src.flag(0.7), ties))
    if device is None:
        device = "torch:cpu" if src.flag(0.2) else "numpy"
    keys.set_device(device)
    names = sorted(n for n in OPS if n not in excluded and f"{n}@{device}" not in excluded)
    order2 = src.flag(0.25)
    # executed on the program's device: views and copies there decide which values a write
    # reaches (torch's flip copies, NumPy's is a view), and so which inputs are valid later
    gen_ctx = Ctx(device)
    pool = [
        Var(i, agrad.asarray(a.copy(), device=device), leafish=True) for i, a in enumerate(leaves)
    ]
    steps: list[Step] = []
    gen_error = None
    restrict: list[int] | None = None
    writes = sorted(n for n in names if OPS[n].inplace)
    for _ in range(src.integer(1, max_steps)):
        plan = None
        for _attempt in range(20):
            # a plan reads its candidates' values and shapes through agrad: where the device
            # refuses such a read (Dask's fancy indexing), the op is not drawn
            try:
                if restrict is not None and writes:
                    opk = OPS[src.choice(writes)]
                    plan = opk.plan(src, [pool[i] for i in restrict])
                    restrict = None
                else:
                    opk = OPS[src.choice(names)]
                    plan = opk.plan(src, pool)
            except agrad.errors.AgradError:
                plan = None
            if plan is not None and f"{opk.name}:complex" in excluded:
                plan = None if any(pool[i].cplx for i in plan[0]) else plan
            if plan is not None and f"{opk.name}:empty" in excluded:
                plan = None if any(pool[i].a.size == 0 for i in plan[0]) else plan
            if plan is not None:
                break
        if plan is None:
            continue
        ins, params = plan
        try:
            out = opk.fa(gen_ctx, *[pool[i].t for i in ins], **params)
        except Exception as e:
            gen_error = f"{opk.name}: {type(e).__name__}: {e}"
            steps.append(Step(opk.name, ins, params, ()))
            break
        if opk.inplace:
            pool[ins[0]].t = out
            for v in pool:  # the target, its views and its base now hold computed values
                if v.exact and _shares(v.t, out):
                    v.exact = False
            pool[ins[0]].exact = False
            steps.append(Step(opk.name, ins, params, ()))
            continue
        outs = out if isinstance(out, tuple) else (out,)
        if any(n != n for o in outs for n in o.shape):
            break  # a length Dask knows only when it computes: the program ends before it
        new = []
        for o in outs:
            src_var = pool[ins[0]]
            shared = _shares(o, src_var.t)
            var = Var(len(pool), o, src_var.leafish and shared, ins[0] if shared else None)
            var.exact = opk.moves and all(pool[i].exact for i in ins)
            pool.append(var)
            new.append(var.id)
        steps.append(Step(opk.name, ins, params, tuple(new)))
        if opk.view and src.flag(0.6):
            last = pool[new[-1]]
            restrict = [last.id] + ([last.base] if last.base is not None else [])
    last = steps[-1] if steps else None
    candidates = [v.id for v in pool]
    first = (last.outs[-1] if last.outs else last.ins[0]) if last else src.choice(candidates)
    outputs = [first]
    for _ in range(src.integer(0, 2)):
        outputs.append(src.choice(candidates))
    outputs = list(dict.fromkeys(outputs))
    rng = src.seed_rng()

    def like(a: Any) -> np.ndarray:
        shape = tuple(a.shape)
        w = rng.standard_normal(shape)
        return w + 1j * rng.standard_normal(shape) if np.iscomplexobj(np.asarray(a)) else w

    weights = [like(pool[i].t.array) for i in outputs]
    dirs = [like(a) for a in leaves]
    dirs2 = [like(a) for a in leaves]
    return Program(leaves, steps, outputs, weights, dirs, dirs2, device, order2, ties, gen_error)


# -- running -------------------------------------------------------------------------------
class World:
    """What differs between running a program on agrad and on torch."""

    torch = False

    def __init__(self, device: str) -> None:
        self.ctx = Ctx(device)

    def leaf(self, a: np.ndarray, rg: bool) -> Any:
        return agrad.tensor(a, device=self.ctx.dev, requires_grad=rg)

    def run(self, opk: Op, *args: Any, **params: Any) -> Any:
        return opk.fa(self.ctx, *args, **params)

    def array(self, t: Any) -> Any:
        return t.array

    def numpy(self, t: Any) -> np.ndarray:
        a = t.array
        if isinstance(a, torch.Tensor):
            return a.detach().resolve_conj().cpu().numpy().copy()
        return np.array(a)

    def dot(self, t: Any, w: np.ndarray) -> Any:
        c = self.ctx.const(w)
        return (
            agrad.sum(agrad.real(t * agrad.conj(c)))
            if t.dtype == agrad.complex128
            else (agrad.sum(t * c))
        )

    def grad(self, loss: Any, xs: list[Any], create_graph: bool) -> list[Any]:
        if not loss.requires_grad:
            return [None] * len(xs)
        return list(agrad.grad(loss, xs, create_graph=create_graph, allow_unused=True))

    def no_grad(self) -> Any:
        return agrad.no_grad()


class TorchWorld(World):
    torch = True

    def leaf(self, a: np.ndarray, rg: bool) -> Any:
        return torch.tensor(a, requires_grad=rg)

    def run(self, opk: Op, *args: Any, **params: Any) -> Any:
        return opk.ft(self.ctx, *args, **params)

    def array(self, t: Any) -> Any:
        return t

    def numpy(self, t: Any) -> np.ndarray:
        return t.detach().resolve_conj().cpu().numpy().copy()  # type: ignore[no-any-return]

    def dot(self, t: Any, w: np.ndarray) -> Any:
        c = torch.tensor(w)
        return (t * c.conj()).real.sum() if t.is_complex() else (t * c).sum()

    def grad(self, loss: Any, xs: list[Any], create_graph: bool) -> list[Any]:
        if not loss.requires_grad:
            return [None] * len(xs)
        return list(torch.autograd.grad(loss, xs, create_graph=create_graph, allow_unused=True))

    def no_grad(self) -> Any:
        return torch.no_grad()


@dataclass
class Outcome:
    error: BaseException | None = None
    where: str = ""
    outs: list[np.ndarray] = field(default_factory=list)
    loss: float | None = None
    grads: list[np.ndarray | None] = field(default_factory=list)
    grads2: list[np.ndarray | None] = field(default_factory=list)
    alias: list[tuple[bool, ...]] = field(default_factory=list)


def _sum_loss(world: World, vals: list[Any], ws: list[np.ndarray]) -> Any:
    loss = None
    for t, w in zip(vals, ws, strict=True):
        term = world.dot(t, w)
        loss = term if loss is None else loss + term
    return loss


def step_function(prog: Program) -> Callable[..., list[Any]]:
    """``prog`` as one step of its leaf tensors, as `agrad.compile`'s tests compile it: the
    program, ``backward()`` of its weighted loss (when it has a graph), and [loss, *outputs]."""
    world = World(prog.device)

    def run(*xs: Any) -> list[Any]:
        pool = dict(enumerate(xs))
        for s in prog.steps:
            opk = OPS[s.op]
            out = world.run(opk, *[pool[i] for i in s.ins], **s.params)
            if opk.inplace:
                pool[s.ins[0]] = out
                continue
            for i, o in zip(s.outs, out if isinstance(out, tuple) else (out,), strict=True):
                pool[i] = o
        vals = [pool[i] for i in prog.outputs]
        loss = _sum_loss(world, vals, prog.weights)
        if loss.requires_grad:
            loss.backward()
        return [loss, *vals]

    return run


def eager_and_compiled(
    prog: Program, compiled: Callable[..., list[Any]], calls: int
) -> Iterable[tuple[list[Any], list[Any], list[Any], list[Any]]]:
    """Call :func:`step_function` of ``prog`` eagerly and ``compiled`` (the same step through
    `agrad.compile`) on two copies of its leaves, ``calls`` times: (eager outputs, compiled
    outputs, eager leaves, compiled leaves) after each. The first two calls see the same
    values (two captures that kept any of them verify), the later ones new values of the
    same shapes. An eager error ends it, once ``compiled`` has raised one of its type."""
    run = step_function(prog)
    for k in range(calls):
        scale = 1.0 + 0.125 * max(k - 1, 0)
        dev = prog.device
        leaves_a = [agrad.tensor(a * scale, requires_grad=True, device=dev) for a in prog.leaves]
        leaves_b = [agrad.tensor(a * scale, requires_grad=True, device=dev) for a in prog.leaves]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # floating-point warnings, refusals
            try:
                out_a = run(*leaves_a)
            except Exception as e:  # the eager call's own errors
                try:
                    compiled(*leaves_b)
                except type(e):
                    return
                msg = f"the eager step raised {e!r}, the compiled one did not"
                raise AssertionError(msg) from e
            out_b = compiled(*leaves_b)
        yield out_a, out_b, leaves_a, leaves_b


def replay(
    world: World,
    prog: Program,
    leaves: list[np.ndarray] | None = None,
    *,
    grads: bool = True,
    order2: bool = False,
) -> Outcome:
    res = Outcome()
    where = "leaves"
    try:
        xs = [world.leaf(a, grads) for a in (prog.leaves if leaves is None else leaves)]
        pool: dict[int, Any] = dict(enumerate(xs))
        for k, s in enumerate(prog.steps):
            where = f"step {k} ({s.op})"
            opk = OPS[s.op]
            out = world.run(opk, *[pool[i] for i in s.ins], **s.params)
            if opk.inplace:
                pool[s.ins[0]] = out
                continue
            outs = out if isinstance(out, tuple) else (out,)
            first = pool[s.ins[0]]
            res.alias.append(tuple(_shares(o, first) for o in outs))
            for i, o in zip(s.outs, outs, strict=True):
                pool[i] = o
        where = "loss"
        vals = [pool[i] for i in prog.outputs]
        res.outs = [world.numpy(v) for v in vals]
        loss = _sum_loss(world, vals, prog.weights)
        res.loss = float(world.numpy(loss))
        if not grads:
            return res
        where = "backward"
        gs = world.grad(loss, xs, create_graph=order2)
        res.grads = [None if g is None else world.numpy(g) for g in gs]
        if order2:
            where = "backward2"
            used = [(g, v) for g, v in zip(gs, prog.dirs, strict=True) if g is not None]
            l2 = _sum_loss(world, [g for g, _ in used], [v for _, v in used]) if used else None
            if l2 is None:
                res.grads2 = [None] * len(xs)
            else:
                g2 = world.grad(l2, xs, create_graph=False)
                res.grads2 = [None if g is None else world.numpy(g) for g in g2]
    except Exception as e:
        res.error, res.where = e, where
    return res


# -- judging -------------------------------------------------------------------------------
@dataclass
class Verdict:
    status: str  # "pass", "fd-pass", "agree-error", "refuse", "skip", "fail"
    kind: str = ""  # the failure class
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.status == "fail"


def _frame(e: BaseException) -> str:
    """The innermost traceback frame inside agrad (or backends), as ``file:line``."""
    for fr in reversed(traceback.extract_tb(e.__traceback__)):
        if "/agrad/" in fr.filename or "/backends/" in fr.filename:
            return f"{fr.filename.split('/main/')[-1]}:{fr.lineno} {fr.name}"
    return "?"


def _close(a: np.ndarray | None, b: np.ndarray | None, rtol: float = 1e-6) -> bool:
    if a is None and b is None:
        return True
    if a is None or b is None:
        a, b = (np.zeros_like(b) if a is None else a), (np.zeros_like(a) if b is None else b)
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    fin = b[np.isfinite(b)]
    scale = max(1.0, float(np.max(np.abs(fin)))) if fin.size else 1.0
    return bool(np.allclose(a, b, rtol=rtol, atol=1e-8 * scale, equal_nan=True))


def _diff(name: str, a: list[Any], b: list[Any]) -> str:
    lines = [f"{name}:"]
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if not _close(x, y):
            lines.append(f"  [{i}] agrad={x!r}\n      torch={y!r}")
    return "\n".join(lines)


def _dot(gs: list[np.ndarray | None], vs: list[np.ndarray]) -> tuple[float, float]:
    total, scale = 0.0, 0.0
    for g, v in zip(gs, vs, strict=True):
        if g is not None:
            total += float(np.sum(np.real(np.conj(g) * v)))
            scale += float(np.sum(np.abs(g) * np.abs(v)))
    return total, scale


def _directional(f: Callable[[float], float], h: float) -> float:
    d = lambda s: (f(s) - f(-s)) / (2 * s)  # noqa: E731
    return (4 * d(h / 2) - d(h)) / 3


def _fd_agrees(f: Callable[[float], float], dd: float, scale: float) -> tuple[bool, str]:
    tol = 1e-5 * (scale + abs(dd)) + 1e-8
    fds = []
    for h in (1e-3, 1e-5):
        fd = _directional(f, h)
        fds.append(fd)
        if abs(fd - dd) <= tol:
            return True, ""
    return False, f"<grad, v>={dd!r} but finite differences give {fds!r}"


def _fd_check(prog: Program, a: Outcome) -> Verdict:
    if prog.ties or a.loss is None or not np.isfinite(a.loss):
        return Verdict("skip", "fd-skip")
    if any(g is not None and not np.all(np.isfinite(g)) for g in a.grads):
        return Verdict("skip", "fd-skip")
    world = World(prog.device)

    def shifted(vs: list[np.ndarray], s: float) -> list[np.ndarray]:
        return [x + s * v for x, v in zip(prog.leaves, vs, strict=True)]

    def loss_at(s: float) -> float:
        r = replay(world, prog, shifted(prog.dirs, s), grads=False)
        if r.error is not None:
            raise r.error
        return float(r.loss)  # type: ignore[arg-type]

    dd, scale = _dot(a.grads, prog.dirs)
    ok, detail = _fd_agrees(loss_at, dd, scale)
    if not ok:
        return Verdict("fail", "gradient wrong (finite differences)", detail)
    if prog.order2 and a.grads2:

        def gdot_at(s: float) -> float:
            r = replay(world, prog, shifted(prog.dirs2, s))
            if r.error is not None:
                raise r.error
            return _dot(r.grads, prog.dirs)[0]

        dd2, scale2 = _dot(a.grads2, prog.dirs2)
        ok, detail = _fd_agrees(gdot_at, dd2, scale2)
        if not ok:
            return Verdict("fail", "2nd-order gradient wrong (finite differences)", detail)
    return Verdict("fd-pass")


def _step_op(where: str) -> str:
    """``"step 3 (setitem)"`` -> ``"setitem"``; ``"backward"`` stays."""
    return where.split("(")[-1].rstrip(")") if "(" in where else where


def _deliberate(e: BaseException) -> bool:
    """An error agrad raises by design where torch runs (docs/torch-differences.md): a write
    into a ``broadcast_to`` result, read-only as in NumPy (torch writes into expanded
    tensors whose broadcast axes have length one)."""
    return isinstance(e, AgradValueError) and "`broadcast_to`" in str(e) and "read-only" in str(e)


def check(prog: Program) -> Verdict:
    """Run ``prog`` on agrad and torch and judge the pair (see the module docstring)."""
    a = replay(World(prog.device), prog, order2=prog.order2)
    if a.error is not None and not isinstance(a.error, AgradError):
        name = type(a.error).__name__
        return Verdict(
            "fail",
            f"internal error {name} at {_frame(a.error)}",
            f"{a.where}: {name}: {a.error}",
        )
    t = replay(TorchWorld(prog.device), prog, order2=prog.order2)
    diverged = a.alias[: len(t.alias)] != t.alias[: len(a.alias)]
    if a.error is not None:
        if t.error is not None:
            return Verdict("agree-error", f"{type(a.error).__name__} at {_step_op(a.where)}")
        name = type(a.error).__name__
        if diverged:  # e.g. a write into a NumPy view of a leaf, where torch wrote a copy
            return Verdict("refuse", f"{name} where NumPy views and torch copies")
        if isinstance(a.error, InplaceModifiedError):  # agrad saved a tensor torch did not
            return Verdict("refuse", f"{name} at {a.where.split(' (')[0]}", str(a.error))
        if _deliberate(a.error):
            return Verdict("refuse", f"{name}: read-only broadcast view", str(a.error))
        return Verdict(
            "fail",
            f"agrad refuses ({type(a.error).__name__}), torch accepts",
            f"{a.where}: {a.error}",
        )
    inplace = any(OPS[s.op].inplace for s in prog.steps)
    if t.error is not None or (inplace and diverged):
        try:
            return _fd_check(prog, a)
        except Exception as e:
            return Verdict("skip", "fd-error", repr(e))
    if not all(_close(x, y) for x, y in zip(a.outs, t.outs, strict=True)):
        return Verdict("fail", "forward differs from torch", _diff("outputs", a.outs, t.outs))
    if not all(_close(x, y) for x, y in zip(a.grads, t.grads, strict=True)):
        return Verdict("fail", "gradient differs from torch", _diff("grads", a.grads, t.grads))
    if prog.order2 and not all(_close(x, y) for x, y in zip(a.grads2, t.grads2, strict=True)):
        return Verdict(
            "fail", "2nd-order gradient differs from torch", _diff("grads2", a.grads2, t.grads2)
        )
    return Verdict("pass")


def ops_of(prog: Program) -> list[str]:
    return sorted({s.op for s in prog.steps})


def minimize(prog: Program, kind: str) -> Program:
    """Drop steps and outputs while the failure keeps its class (the thorough driver's shrink)."""
    changed = True
    while changed:
        changed = False
        for k in reversed(range(len(prog.steps))):
            s = prog.steps[k]
            later = {i for t in prog.steps[k + 1 :] for i in t.ins}
            if set(s.outs) & later:
                continue
            keep = [
                (o, w) for o, w in zip(prog.outputs, prog.weights, strict=True) if o not in s.outs
            ]
            if not keep:
                continue
            cand = replace(
                prog,
                steps=prog.steps[:k] + prog.steps[k + 1 :],
                outputs=[o for o, _ in keep],
                weights=[w for _, w in keep],
                gen_error=prog.gen_error if k < len(prog.steps) - 1 else None,
            )
            if check(cand).kind == kind:
                prog, changed = cand, True
        for j in range(len(prog.outputs)):
            if len(prog.outputs) > 1:
                cand = replace(
                    prog,
                    outputs=prog.outputs[:j] + prog.outputs[j + 1 :],
                    weights=prog.weights[:j] + prog.weights[j + 1 :],
                )
                if check(cand).kind == kind:
                    prog, changed = cand, True
                    break
    return prog
