"""``agrad.checkpoint``: trade compute for memory by recomputing in backward.

The checkpointed function runs once, recorded as usual, so that every tensor it reads from
outside (its arguments, whatever it closes over, tensors inside lists and dicts) is found
where the recorded graph leaves the call. That graph is then dropped: one node stands for
the whole call, with those outside tensors as its inputs. Backward runs the function again
(with the random generators as they were) and differentiates the recomputed graph, cut at
the same boundary so that the sweep never walks into the rest of the graph.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import agrad._pytree as _pytree
import agrad.random as random
from agrad._autograd import grad
from agrad._device import get_default_device
from agrad._engine import NEXT_SEQ, Node, input_meta
from agrad._function import Function, FunctionCtx
from agrad._grad_mode import STATE, enable_grad
from agrad._tensor import Tensor, make
from agrad.errors import AgradTypeError, FunctionBackwardError, InplaceModifiedError
from agrad.extend import ArrayMeta

__all__ = ["checkpoint"]

# (id(edge), output number) -> where the checkpointed call reads a tensor from outside
_Key = tuple[int, int]


class _State:
    """What backward needs to run the call again."""

    __slots__ = (
        "args",
        "diff",
        "fn",
        "frontier",
        "given",
        "kwargs",
        "reads",
        "rng",
        "start",
        "versions",
    )

    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    diff: list[int]  # positions, among the flat outputs, of those that carry a gradient
    frontier: list[tuple[_Key, Any, int]]  # (key, edge, output number), in input order
    versions: list[tuple[list[int], int]]  # version counters of what the call saved
    given: list[tuple[Tensor, list[int], int]]  # arguments and leaves, with their counters
    reads: dict[int, Any]  # the outside arrays the call saved, by identity
    rng: dict[Any, Any] | None  # device -> a copy of its default generator's state
    start: int  # the node number drawn just before the latest run of `fn`


def _edge_of(t: Tensor) -> tuple[Any, int]:
    return (t._grad_fn, t._onr) if t._grad_fn is not None else (t, 0)


def _walk(roots: list[tuple[Any, int]], start: int) -> tuple[list[Node], dict[_Key, Any]]:
    """The nodes recorded after ``start`` that lead to ``roots``, and the edges by which
    they reach outside (nodes recorded before ``start``, or leaf tensors)."""
    inner: list[Node] = []
    seen: set[int] = set()
    frontier: dict[_Key, tuple[Any, int]] = {}
    stack: list[tuple[Any, int]] = list(roots)
    while stack:
        edge, onr = stack.pop()
        if isinstance(edge, Node) and edge.seq < start:
            if id(edge) in seen:
                continue
            seen.add(id(edge))
            inner.append(edge)
            onrs = edge.onrs
            for i, e in enumerate(edge.edges):
                if e is not None:
                    stack.append((e, onrs[i] if onrs else 0))
        else:
            frontier.setdefault((id(edge), onr), (edge, onr))
    return inner, frontier


def _counters(nodes: list[Node]) -> list[tuple[list[int], int]]:
    """The version counters the nodes saved, with their values now."""
    found: dict[int, list[int]] = {}
    for node in nodes:
        vers = node.vers
        if isinstance(vers, list):  # one counter alone (see `agrad._ops._record1`)
            found[id(vers)] = vers
        else:
            for counter in vers[0::3]:
                found[id(counter)] = counter
    return [(c, c[0]) for c in found.values()]


def _rng_snapshot() -> dict[Any, Any]:
    random.default_generator(get_default_device())  # so that a first draw inside is covered
    return {dev: copy.deepcopy(gen._rng) for dev, gen in random._DEFAULTS.items()}


class _Checkpoint(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, state: _State, outs: tuple[Tensor, ...], *inputs: Any) -> Any:
        ctx.state = state  # type: ignore[attr-defined]  # ctx carries what backward needs
        return outs

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Any) -> Any:
        state: _State = ctx.state  # type: ignore[attr-defined]
        changed = any(c[0] != v for c, v in state.versions) or any(
            t._vc is not c or c[0] != v for t, c, v in state.given
        )
        if changed:
            _modified()
        graph = STATE.enabled  # create_graph: keep the recomputation tied to the real graph
        outs = _recompute(state)
        leaves: list[Any] = []
        _pytree.flatten(outs, leaves)
        roots: list[Tensor] = []
        for k in state.diff:
            t = leaves[k] if k < len(leaves) else None
            if not isinstance(t, Tensor) or not t._rg:
                msg = (
                    "`agrad.checkpoint` recomputed the function in backward and got other "
                    "outputs than in the forward pass. The function must be deterministic: "
                    "the same tensors out, computed the same way."
                )
                raise FunctionBackwardError(msg)
            roots.append(t)
        inner, frontier = _walk([_edge_of(t) for t in roots], state.start)
        expected = {key for key, _, _ in state.frontier}
        if set(frontier) != expected:
            msg = (
                "`agrad.checkpoint` recomputed the function in backward and it read other "
                "tensors than in the forward pass (data-dependent branches?). The function "
                "must be deterministic in what it computes."
            )
            raise FunctionBackwardError(msg)
        if not _outside_reads(inner, state.start).keys() <= state.reads.keys():
            _modified()  # an outside tensor now holds another array: copy-on-write wrote it
        targets, cut = _targets(state, inner, graph)
        if cut:  # an output that is itself a tensor from outside the call
            for i, t in enumerate(roots):
                fn = t._grad_fn
                if fn is not None and fn.seq > state.start:
                    roots[i] = cut[(id(fn), t._onr)]
        found = grad(
            roots,
            targets,
            list(grads),
            retain_graph=graph,
            create_graph=graph,
            allow_unused=True,
        )
        return (None, None, *found)


def _modified() -> None:
    msg = (
        "A tensor read by a function under `agrad.checkpoint` was modified in place between "
        "the forward pass and backward, so recomputing it would give other values. Modify a "
        "copy instead, or do not checkpoint that function."
    )
    raise InplaceModifiedError(msg)


def _outside_reads(nodes: list[Node], start: int) -> dict[int, Any]:
    """The arrays the nodes saved of their inputs from outside the call, by identity."""
    found: dict[int, Any] = {}
    for node in nodes:
        saved = node.saved
        if not isinstance(saved, tuple):
            continue
        for i, e in enumerate(node.edges):
            outside = isinstance(e, Tensor) or (isinstance(e, Node) and e.seq > start)
            a = saved[i + 1] if outside and i + 1 < len(saved) else None
            if a is not None and hasattr(a, "shape") and not isinstance(a, ArrayMeta):
                found[id(a)] = a
    return found


def _recompute(state: _State) -> Any:
    saved = None
    if state.rng is not None:
        saved = dict(random._DEFAULTS)
        for dev, rng in state.rng.items():
            gen = random._DEFAULTS.get(dev)
            if gen is not None:
                gen._rng = copy.deepcopy(rng)
    try:
        with enable_grad():
            state.start = NEXT_SEQ()
            return state.fn(*state.args, **state.kwargs)
    finally:
        if saved is not None:
            assert state.rng is not None
            random._DEFAULTS.clear()
            random._DEFAULTS.update(saved)


def _targets(
    state: _State, inner: list[Node], graph: bool
) -> tuple[list[Tensor], dict[_Key, Tensor]]:
    """The tensors to differentiate the recomputed graph by, one per frontier edge.

    Without ``create_graph`` the recomputed graph is cut where it leaves the call: its edges
    into the outer graph become stand-in leaves, so that the sweep stays inside (it frees
    what it visits).
    """
    stand_ins = {key: make_stand_in(edge, onr, cut=not graph) for key, edge, onr in state.frontier}
    targets = list(stand_ins.values())
    if graph:
        return targets, {}
    for node in inner:
        onrs = node.onrs
        edges = list(node.edges)
        changed = False
        for i, e in enumerate(edges):
            if isinstance(e, Node) and e.seq > state.start:
                edges[i] = stand_ins[(id(e), onrs[i] if onrs else 0)]
                changed = True
        if changed:
            node.edges = tuple(edges)
    return targets, stand_ins


def make_stand_in(edge: Any, onr: int, *, cut: bool = False) -> Tensor:
    """A tensor for the edge ``edge`` (output ``onr`` of a node, or a leaf): the leaf itself,
    or a zero-strided placeholder array with the node's output shape and dtype, in the graph
    at that edge, or (``cut``) a leaf of its own that ends the sweep there."""
    if isinstance(edge, Tensor):
        return edge
    shape, dtype = input_meta(edge, onr)
    xp = edge.dev.xp
    zero = xp.zeros((), dtype=dtype, device=edge.dev.native)
    array = edge.dev.backend.ensure_array(xp.broadcast_to(zero, shape))
    if cut:
        return make(array, edge.dev, None, True)
    return make(array, edge.dev, edge, True, onr)


def checkpoint(
    fn: Callable[..., Any], *args: Any, preserve_rng_state: bool = True, **kwargs: Any
) -> Any:
    """Run ``fn(*args, **kwargs)`` without keeping its intermediate arrays; recompute them
    in backward.

    Every tensor ``fn`` reads gets its gradient, whether passed as an argument, inside a
    list or dict, or closed over (as PyTorch's non-reentrant checkpoint). ``fn`` may return
    a tensor or any nesting of tuples, lists and dicts of them. Use it on blocks whose
    activations dominate memory.

    Parameters
    ----------
    fn
        The function to checkpoint. It must compute the same thing when run again:
        agrad's default random generators are restored for the recomputation (unless
        ``preserve_rng_state=False``); a generator of your own is not.
    *args, **kwargs
        Its arguments.
    preserve_rng_state
        Restore ``agrad.random``'s default generators before recomputing.

    Raises
    ------
    InplaceModifiedError
        A tensor ``fn`` read was modified in place before backward.
    FunctionBackwardError
        The recomputation read other tensors or returned other outputs than the first run.

    Examples
    --------
    >>> import agrad
    >>> x = agrad.tensor([1.0, 2.0], requires_grad=True)
    >>> w = agrad.tensor(3.0, requires_grad=True)
    >>> y = agrad.checkpoint(lambda t: agrad.sum(agrad.sin(t) * w), x)
    >>> y.backward()
    >>> w.grad
    tensor(1.75076841, device='numpy')
    """
    if not callable(fn):
        msg = (
            f"`agrad.checkpoint` takes the function to run first, then its arguments; got "
            f"{type(fn).__name__} {fn!r} as the function: `agrad.checkpoint(f, x)`."
        )
        raise AgradTypeError(msg)
    if not STATE.enabled:
        return fn(*args, **kwargs)
    state = _State()
    state.rng = _rng_snapshot() if preserve_rng_state else None
    start = NEXT_SEQ()
    result = fn(*args, **kwargs)
    leaves: list[Any] = []
    tree = _pytree.flatten(result, leaves)
    diff = [k for k, t in enumerate(leaves) if isinstance(t, Tensor) and t._rg]
    if not diff:
        return result
    inner, frontier = _walk([_edge_of(leaves[k]) for k in diff], start)
    state.fn = fn
    state.args = args
    state.kwargs = kwargs
    state.diff = diff
    state.frontier = [(key, edge, onr) for key, (edge, onr) in frontier.items()]
    state.versions = _counters(inner)
    # the arguments and leaves themselves too: a node that saved only its output holds no
    # counter of its input, and copy-on-write gives a written tensor a new counter
    given: list[Any] = []
    _pytree.flatten((args, kwargs), given)
    given += [edge for _, edge, _ in state.frontier if isinstance(edge, Tensor)]
    state.given = [(t, t._vc, t._vc[0]) for t in given if isinstance(t, Tensor)]
    state.reads = _outside_reads(inner, start)
    stand_ins = [make_stand_in(edge, onr) for _, edge, onr in state.frontier]
    plain = tuple(make(leaves[k]._array, leaves[k]._dev) for k in diff)
    del inner  # the recorded graph goes with `result`'s tensors, replaced below
    outs = _Checkpoint.apply(state, plain, *stand_ins)
    outs = outs if isinstance(outs, tuple) else (outs,)
    for k, o in zip(diff, outs, strict=True):
        leaves[k] = o
    return _pytree.rebuild(tree, leaves)
