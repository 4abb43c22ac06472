"""The reverse-mode engine: graph nodes and the backward sweep.

A :class:`Node` is one recorded call: its rule, an edge per array input (the input's own
node, the leaf tensor itself, or ``None`` for a constant), and what backward needs. Every
node gets a number from a falling counter when it is created, after the nodes of its inputs,
so a node's consumers all have smaller numbers than it. The sweep keeps the nodes holding a
cotangent in a heap and always takes the smallest number next: by then every consumer has
sent its share, so a node runs once, with its complete cotangent, and no pass over the
graph is needed before the sweep starts.

The engine knows no function names and no backends: rules are called through the node,
with the raw namespace (plain backward) or with agrad's own (``create_graph=True``).
"""

from __future__ import annotations

import itertools
import operator
import os
import traceback
from collections.abc import Callable, Sequence
from heapq import heappop, heappush
from typing import TYPE_CHECKING, Any, TypeAlias

from agrad._grad_mode import STATE, UNUSUAL
from agrad.errors import AnomalyError, FreedGraphError, InplaceModifiedError, UnusedInputError

if TYPE_CHECKING:
    from agrad._device import Device
    from agrad._rule import Rule

# a leaf tensor, as the engine sees it: the Tensor sits on the floor above (agrad._tensor)
Leaf: TypeAlias = Any

__all__ = ["RECORDING", "Node", "Recording", "run_backward"]

_FREED = object()
_ABSENT = object()
# creation order, falling: a node's number is below those of the nodes its inputs came from
NEXT_SEQ = itertools.count(0, -1).__next__
# the number drawn at the latest in-place write into any tensor (see `bump_version`): a node
# with a smaller number was made after it, so none of its saved arrays can have changed, and
# the sweep skips its version check (in-place writes are rare between forward and backward)
LAST_WRITE = 1


def bump_version(counter: list[int]) -> None:
    """Count an in-place write in a tensor's version counter, and note it for the sweep."""
    global LAST_WRITE  # one number shared by all writers, read by the sweep
    counter[0] += 1
    LAST_WRITE = NEXT_SEQ()


class Node:
    """One recorded operation; ``tensor.grad_fn`` is one of these.

    ``next_functions`` lists where gradients go next, as in PyTorch: ``(node, output_nr)``
    pairs, with ``AccumulateGrad`` standing for a leaf and ``None`` for a constant.

    Examples
    --------
    >>> import agrad
    >>> x = agrad.tensor([1.0], requires_grad=True)
    >>> y = agrad.exp(x) * 2.0
    >>> y.grad_fn
    <MultiplyBackward>
    >>> y.grad_fn.next_functions
    ((<ExpBackward>, 0), (None, 0))
    """

    __slots__ = (
        # rarely set attributes live in a lazily created __dict__ and default to the
        # class attributes below: a node costs 8 assignments, not 13
        "__dict__",
        "__weakref__",
        "dev",
        "dtype",
        "edges",
        "kw",
        "rule",
        "saved",
        "seq",
        "shape",
        "vers",
    )

    # the call's keywords (None: none), a slot of its own although most calls have none: the
    # sweep reads it at every node, and a read through a class default costs more than a store
    kw: dict[str, Any] | None
    onrs: tuple[int, ...] | None = None
    nout: int = 1
    # the output's shape and native dtype (the first output's; `outs` has them all), which
    # are those of the consumers' inputs: the engine sums and casts cotangents to them
    shape: tuple[int, ...]
    dtype: Any
    outs: tuple[tuple[Any, Any], ...] | None = None  # (shape, dtype) per output
    hooks: list[tuple[int, Callable[[Any], Any]]] | None = None
    trace: traceback.StackSummary | None = None

    # no __init__: `Node()` then makes a blank node without running Python code (cheaper
    # than `object.__new__(Node)`, which checks the class's bases), which the forward calls
    # fill in themselves
    # (see `agrad._ops.unary`); `setup` fills in the rest
    def setup(
        self,
        rule: Rule,
        edges: tuple[Any, ...],
        saved: tuple[Any, ...],
        vers: tuple[Any, ...] | list[int],
        kw: dict[str, Any] | None,
        dev: Device,
        shape: tuple[int, ...],
        dtype: Any,
        onrs: tuple[int, ...] | None = None,
        nout: int = 1,
    ) -> Node:
        """Fill in a blank node (``Node()``, or a subclass's) and return it."""
        self.rule = rule
        self.edges = edges
        self.saved = saved
        self.vers = vers
        self.dev = dev
        self.shape = shape
        self.dtype = dtype
        self.seq = NEXT_SEQ()
        self.kw = kw
        if onrs is not None:
            self.onrs = onrs
        if nout != 1:
            self.nout = nout
            if type(self) is Node:
                self.__class__ = _GeneralNode
        if UNUSUAL and STATE.anomaly:
            self.trace = user_stack()
        return self

    # -- introspection ---------------------------------------------------------------
    def name(self) -> str:
        base = "".join(
            p.capitalize() for p in self.rule.name.strip("_").replace(".", "_").split("_")
        )
        return f"{base}Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        result: list[tuple[Any, int]] = []
        for i, edge in enumerate(self.edges):
            if edge is None:
                result.append((None, 0))
            elif isinstance(edge, Node):
                result.append((edge, self.onrs[i] if self.onrs else 0))
            else:  # a leaf tensor
                result.append((AccumulateGrad(edge), 0))
        return tuple(result)

    def register_hook(self, fn: Callable[[Any], Any], onr: int = 0) -> None:
        """Call ``fn(grad)`` on the cotangent of output ``onr``; a non-None return replaces it."""
        if self.hooks is None:
            self.hooks = []
            if type(self) is Node:
                self.__class__ = _GeneralNode
        self.hooks.append((onr, fn))

    # -- backward --------------------------------------------------------------------
    def release(self) -> None:
        """Drop the saved arrays (after a backward without ``retain_graph``)."""
        if self.rule.save != "none":
            self.saved = _FREED  # type: ignore[assignment]  # sentinel for "freed"
            # nothing left to check, and the counters' references tell in-place writes
            # that no saved array needs them to copy (see `_views.copy_on_write`)
            self.vers = ()

    def check_saved(self) -> None:
        """Raise if the saved arrays were freed or changed in place since they were saved."""
        if self.saved is _FREED:
            msg = (
                "Trying to backward through the graph a second time: the arrays "
                f"`{self.rule.name}` saved for backward were freed after the first backward. Pass "
                "`retain_graph=True` to the first `backward()` (or `agrad.grad`) to keep them."
            )
            raise FreedGraphError(msg)
        vers: Any = self.vers
        if type(vers) is list:  # a one-input node's single counter, saved at version 0
            vers = (vers, 0, -1 if self.rule.save == "out" else 0)
        for k in range(0, len(vers), 3):
            counter, version, which = vers[k], vers[k + 1], vers[k + 2]
            if counter[0] != version:
                what = "its output" if which < 0 else f"its input {which}"
                msg = (
                    f"A tensor saved for the backward of `{self.rule.name}` ({what}) was "
                    f"modified in place: it was saved at version {version} and is now at "
                    f"version {counter[0]}. Use an out-of-place operation (`y = y + 1` instead "
                    "of `y += 1`), or copy the tensor first "
                    "(`agrad.asarray(y, copy=True)`) and change the copy."
                )
                raise InplaceModifiedError(msg)

    def apply(self, g: Any, graph: bool) -> Sequence[Any]:
        """Cotangents for each edge (None where an edge needs none)."""
        # the versions need checking only if a write came after this node (see LAST_WRITE);
        # run_backward inlines this same test
        if self.saved is _FREED or (self.seq > LAST_WRITE and self.vers):
            self.check_saved()
        saved = self.saved
        if graph:
            return self._apply_graph(g)
        xp = self.dev.xp
        kw = self.kw
        vjps = self.rule.vjps
        onrs = self.onrs
        grads: list[Any] = []
        for i, edge in enumerate(self.edges):
            vjp = vjps[i]
            if edge is None or vjp is None:
                grads.append(None)
            else:
                gi = vjp(g, *saved, xp=xp, **kw) if kw else vjp(g, *saved, xp=xp)
                shape, dtype = input_meta(edge, onrs[i] if onrs else 0)
                if gi.shape != shape:
                    gi = sum_to_shape(gi, shape, xp)
                dt = gi.dtype
                if dt is not dtype and dt != dtype:
                    gi = cast_like(gi, dtype, xp, self.dev, False)
                grads.append(gi)
        return grads

    def _apply_graph(self, g: Any) -> list[Any]:
        """``apply`` under ``create_graph``: rules run on tensors with agrad as ``xp``."""
        xp = RECORDING.namespace()
        saved = RECORDING.saved_as_tensors(self)
        g = RECORDING.cotangent_as_tensor(self, g)
        kw = self.kw or {}
        vjps = self.rule.vjps
        grads: list[Any] = []
        for i, edge in enumerate(self.edges):
            vjp = vjps[i]
            if edge is None or vjp is None:
                grads.append(None)
                continue
            gi = vjp(g, *saved, xp=xp, **kw)
            shape, dtype = input_meta(edge, self.onrs[i] if self.onrs else 0)
            if gi._array.shape != shape:
                gi = sum_to_shape(gi, shape, xp)
            dt = gi._array.dtype
            if dt is not dtype and dt != dtype:
                gi = cast_like(gi, dtype, xp, self.dev, True)
            grads.append(gi)
        return grads


class _GeneralNode(Node):
    """A rule's node with several outputs or with hooks.

    The sweep's fast path takes exactly the nodes of class `Node` (one output, no hooks), so
    one type test stands for three attribute tests; a node becomes this class when it gets
    a second output or its first hook.
    """

    __slots__ = ()


def input_meta(edge: Any, onr: int) -> tuple[tuple[int, ...], Any]:
    """The shape and native dtype of the input an edge stands for (a node's output ``onr``,
    or a leaf tensor), which its cotangent must have."""
    if isinstance(edge, Node):
        if edge.outs is not None:
            return edge.outs[onr]
        return edge.shape, edge.dtype
    array = edge._array  # a leaf: in-place changes keep its shape and dtype
    return array.shape, array.dtype


def user_stack() -> traceback.StackSummary:
    """The current stack without agrad's own frames (for ``detect_anomaly``)."""
    frames = [f for f in traceback.extract_stack() if not f.filename.startswith(_AGRAD_DIR)]
    return traceback.StackSummary.from_list(frames)


_AGRAD_DIR = os.path.dirname(os.path.abspath(__file__))


class AccumulateGrad:
    """What ``next_functions`` shows for a leaf: its gradient lands in ``variable.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable: Leaf) -> None:
        self.variable = variable

    def __repr__(self) -> str:
        return "<AccumulateGrad>"

    @property
    def next_functions(self) -> tuple[()]:
        return ()


def sum_to_shape(g: Any, shape: tuple[int, ...], xp: Any) -> Any:
    """Undo broadcasting: sum ``g`` down to ``shape`` (the one place agrad does this)."""
    gshape = g.shape
    if len(gshape) == len(shape) and all(
        a == b or a != a or b != b for a, b in zip(gshape, shape, strict=True)
    ):
        return g  # the same shape, up to sizes Dask does not know yet (nan != nan)
    lead = len(gshape) - len(shape)
    if lead > 0 and gshape[lead:] == shape:  # only leading axes (a bias): one sum, no loop
        return xp.sum(g, axis=0 if lead == 1 else tuple(range(lead)))
    inner = tuple(lead + i for i, n in enumerate(shape) if n == 1 and gshape[lead + i] != 1)
    if inner:
        g = xp.sum(g, axis=inner, keepdims=True)
    if lead > 0:  # leading axes go without a reshape: summed away, not kept
        g = xp.sum(g, axis=tuple(range(lead)))
    if g.shape != shape:
        g = xp.reshape(g, shape)
    return g


def cast_like(g: Any, native_dtype: Any, xp: Any, dev: Device, graph: bool) -> Any:
    """Cast a cotangent to its input's dtype (a complex one to a real input: its real part)."""
    backend = dev.backend
    target = backend.from_dtype(native_dtype)
    current = g.dtype if graph else backend.from_dtype(g.dtype)
    if current is target:
        return g
    if current.kind == "c" and target.kind != "c":
        g = xp.real(g)
    return xp.astype(g, target if graph else native_dtype)


def _check_anomaly(node: Node, grads: Sequence[Any], graph: bool) -> None:
    for i, gi in enumerate(grads):
        if gi is None:
            continue
        if not RECORDING.all_finite(gi, node.dev, graph):
            where = "".join(traceback.format_list(node.trace or [])) or "(not recorded)\n"
            msg = (
                f"`{node.name()}` returned NaN or inf for input {i}. "
                f"The forward call that created it:\n{where}"
            )
            raise AnomalyError(msg)


def _needed(roots: list[Node], targets: set[Any]) -> set[Node]:
    """The nodes through which a gradient can still reach a target (node or leaf tensor)."""
    seen = set(roots)
    stack = list(roots)
    add = seen.add
    push = stack.append
    while stack:
        for edge in stack.pop().edges:
            if edge not in seen and (type(edge) is Node or isinstance(edge, Node)):
                add(edge)
                push(edge)
    needed: set[Node] = set()
    # a node's inputs' nodes have larger numbers: decided before the node itself
    for node in sorted(seen, key=_SEQ_OF, reverse=True):
        for edge in node.edges:
            if edge in targets or edge in needed:  # (None is in neither)
                needed.add(node)
                break
    return needed


_SEQ_OF = operator.attrgetter("seq")


def _add(a: Any, b: Any) -> Any:
    return b if a is None else a + b


def run_backward(
    roots: Sequence[tuple[Any, int, Any]],
    *,
    retain_graph: bool,
    create_graph: bool,
    targets: Sequence[Leaf] | None = None,
    accumulate: bool = True,
    allow_unused: bool = False,
    leaf_map: Callable[[Any, Any, bool], Any] | None = None,
) -> list[Any] | None:
    """The reverse sweep.

    ``roots`` holds ``(edge, output_nr, cotangent)`` triples: an edge is a Node or a leaf
    Tensor. With ``targets``, gradients reach only those tensors: they accumulate into
    ``.grad`` when ``accumulate`` (``backward(inputs=...)``), or are returned (``agrad.grad``).
    ``leaf_map(tensor, g, create_graph)``, when given, maps each gradient on its way into a
    ``.grad`` (after the tensor's hooks): the complex convention's exit.
    """
    graph = create_graph
    # pending cotangents: Node -> g (a list by output for multi-output nodes; None for a
    # node reached without one, visited only to be released); leaf -> g
    pending: dict[Any, Any] = {}
    leaves: dict[Any, Any] = {}
    heap: list[tuple[int, Node]] = []
    root_nodes: list[Node] = []
    # keys whose pending cotangent the engine made (see _sum_into); none under create_graph,
    # whose cotangents are tensors in the new graph
    owned: set[Any] | None = None if graph else set()
    for edge, onr, g in roots:
        if type(edge) is Node or isinstance(edge, Node):
            if edge not in pending:
                heappush(heap, (edge.seq, edge))
            _route(pending, edge, onr, g, owned)
            root_nodes.append(edge)
        else:
            leaves[edge] = _add(leaves.get(edge), g)

    capture: dict[tuple[Node, int], int] = {}
    needed: set[Node] | None = None
    if targets is not None:
        target_keys: set[Any] = set()
        for k, t in enumerate(targets):
            if t._grad_fn is not None:
                capture[(t._grad_fn, t._onr)] = k
                target_keys.add(t._grad_fn)
            else:
                target_keys.add(t)
        needed = _needed(root_nodes, target_keys)
    results: list[Any] = [None] * (len(targets) if targets is not None else 0)
    anomaly = STATE.anomaly

    # the plain case, inlined below: a recorded rule of class `Node` (one output, no hooks;
    # not a Function or a move), on the way to the targets, in a backward without
    # create_graph, anomaly checks or intermediate targets
    plain = not graph and not anomaly and not capture
    # `top` holds the pending node with the smallest number apart from the heap: in a chain
    # each node hands its one successor over here, and the heap stays empty
    top: Node | None = None
    everything = plain and needed is None  # plain, and every node leads to a target
    while True:
        if top is not None:
            if heap and heap[0][0] < top.seq:
                node = heappop(heap)[1]
            else:
                node = top
                top = None
        elif heap:
            node = heappop(heap)[1]
        else:
            break
        g = pending.pop(node)
        if (
            (everything or (plain and needed is not None and node in needed))
            and g is not None
            and type(node) is Node
        ):
            saved = node.saved
            if saved is _FREED or (node.seq > LAST_WRITE and node.vers):  # as in Node.apply
                node.check_saved()
            rule = node.rule
            vjps = rule.vjps
            xp = node.dev.xp
            kw = node.kw
            edges = node.edges
            for i, edge in enumerate(edges):
                if edge is None:
                    continue
                simple = type(edge) is Node  # one output: its shape and dtype are its own
                vjp = vjps[i]
                if vjp is None:
                    gi = None
                else:
                    # spelled-out arguments: a call with `*saved` builds a tuple and a dict
                    # and costs three times as much
                    if kw:
                        gi = vjp(g, *saved, xp=xp, **kw)
                    elif len(saved) == 2:
                        gi = vjp(g, saved[0], saved[1], xp=xp)
                    elif len(saved) == 3:
                        gi = vjp(g, saved[0], saved[1], saved[2], xp=xp)
                    else:
                        gi = vjp(g, *saved, xp=xp)
                    if simple:
                        shape = edge.shape
                        dtype = edge.dtype
                    else:
                        shape, dtype = input_meta(edge, node.onrs[i] if node.onrs else 0)
                    if gi.shape != shape:
                        gi = sum_to_shape(gi, shape, xp)
                    dt = gi.dtype
                    if dt is not dtype and dt != dtype:
                        gi = cast_like(gi, dtype, xp, node.dev, False)
                if simple:
                    prev = pending.get(edge, _ABSENT)
                    if prev is _ABSENT:  # its first cotangent (or visit)
                        pending[edge] = gi
                        if top is None:
                            top = edge
                        elif edge.seq < top.seq:
                            heappush(heap, (top.seq, top))
                            top = edge
                        else:
                            heappush(heap, (edge.seq, edge))
                    elif gi is not None:
                        if prev is None:
                            pending[edge] = gi
                        else:
                            _sum_into(pending, edge, prev, gi, owned)
                else:
                    _send(pending, leaves, heap, edge, node.onrs[i] if node.onrs else 0, gi, owned)
            if not retain_graph and rule.save != "none":
                node.saved = _FREED  # type: ignore[assignment]  # as in Node.release
                node.vers = ()
            continue

        grads: Sequence[Any] | None = None
        if g is not None:
            if node.nout > 1:
                g = RECORDING.fill_missing(node, g, graph)
            if node.hooks:
                g = _run_node_hooks(node, g, graph)
            if capture:
                for onr in range(node.nout):
                    slot = capture.get((node, onr))
                    if slot is not None:
                        results[slot] = g[onr] if node.nout > 1 else g
            if needed is None or node in needed:
                grads = node.apply(g, graph)
                if anomaly:
                    _check_anomaly(node, grads, graph)
        onrs = node.onrs
        for i, edge in enumerate(node.edges):
            if edge is not None:
                gi = None if grads is None else grads[i]
                _send(pending, leaves, heap, edge, onrs[i] if onrs else 0, gi, owned)
        if not retain_graph and (node.rule.save != "none" or type(node) is not Node):
            node.release()

    target_ids = {id(t): k for k, t in enumerate(targets)} if targets is not None else None
    # arrays a `.grad` must not take over without a copy: the caller's gradients (a rule
    # may pass them on unchanged), and those another leaf took already
    taken = {id(g) for _, _, g in roots}
    for leaf, g in leaves.items():
        slot = target_ids.get(id(leaf)) if target_ids is not None else None
        if target_ids is not None and slot is None:
            continue
        g = RECORDING.run_leaf_hooks(leaf, g, graph)
        if slot is not None and not accumulate:
            results[slot] = _add(results[slot], g)
        else:
            if leaf_map is not None:
                g = leaf_map(leaf, g, graph)
            RECORDING.accumulate(leaf, g, graph, owned is not None and leaf in owned, taken)
    if capture and accumulate:  # `backward(inputs=[non-leaf])`: into its `.grad`, as torch
        assert targets is not None
        for k, r in enumerate(results):
            if r is not None:
                if leaf_map is not None:
                    r = leaf_map(targets[k], r, graph)
                RECORDING.accumulate(targets[k], r, graph, False, taken)

    if targets is not None and not accumulate:
        for k, r in enumerate(results):
            if r is None and not allow_unused:
                msg = (
                    f"Input {k} of `agrad.grad` is not used by the outputs (no path in the graph "
                    "leads to it). Pass `allow_unused=True` to get `None` for it."
                )
                raise UnusedInputError(msg)
        return results
    return None


def _send(
    pending: dict[Any, Any],
    leaves: dict[Any, Any],
    heap: list[tuple[int, Node]],
    edge: Any,
    onr: int,
    g: Any,
    owned: set[Any] | None,
) -> None:
    """Pass the cotangent ``g`` (None: only a visit) along ``edge`` to a node or a leaf."""
    if type(edge) is Node or isinstance(edge, Node):
        if edge not in pending:
            heappush(heap, (edge.seq, edge))
            pending[edge] = None
        if g is not None:
            _route(pending, edge, onr, g, owned)
    elif g is not None:
        prev = leaves.get(edge)
        if prev is None:
            leaves[edge] = g
        else:
            _sum_into(leaves, edge, prev, g, owned)


def _sum_into(store: dict[Any, Any], key: Any, prev: Any, g: Any, owned: set[Any] | None) -> None:
    """``store[key] = prev + g``, adding in place when the engine made ``prev`` itself.

    A first cotangent may be anyone's array (a rule can pass its ``g`` on to two inputs, or
    return a view); the sum of two is the engine's own, held by nothing else until its node
    runs, so later cotangents are added into it instead of into a new array each time.
    (Libraries with immutable arrays rebind ``prev`` instead, which is just as right.)
    """
    if owned is None:
        store[key] = prev + g
    elif key in owned:
        prev += g
        store[key] = prev
    else:
        store[key] = prev + g
        owned.add(key)


def _route(pending: dict[Any, Any], node: Node, onr: int, g: Any, owned: set[Any] | None) -> None:
    if node.nout == 1:
        prev = pending.get(node)
        if prev is None:
            pending[node] = g
        else:
            _sum_into(pending, node, prev, g, owned)
    else:
        slots = pending.get(node)
        if slots is None:
            slots = pending[node] = [None] * node.nout
        slots[onr] = _add(slots[onr], g)


def _run_node_hooks(node: Node, g: Any, graph: bool) -> Any:
    assert node.hooks is not None
    multi = node.nout > 1
    gs = list(g) if multi else [g]
    for onr, fn in node.hooks:
        gs[onr] = RECORDING.call_hook(fn, gs[onr], node.dev, graph)
    return gs if multi else gs[0]


class Recording:
    """What the sweep needs from the recording layer above it (:mod:`agrad._ops`).

    The engine knows no Tensor, rule table or backend: leaves, hooks and ``create_graph``'s
    tensors are the recording layer's business, and it installs its functions here once,
    when it loads (:meth:`install`), before any node can exist.
    """

    __slots__ = (
        "accumulate",
        "all_finite",
        "call_hook",
        "cotangent_as_tensor",
        "fill_missing",
        "namespace",
        "run_leaf_hooks",
        "saved_as_tensors",
    )

    #: agrad's own namespace (the ``xp`` of rules under ``create_graph=True``)
    namespace: Callable[[], Any]
    #: a node's saved arrays as tensors, and its cotangent as a tensor (``create_graph``)
    saved_as_tensors: Callable[[Node], tuple[Any, ...]]
    cotangent_as_tensor: Callable[[Node, Any], Any]
    #: zeros for the outputs of a multi-output node that received no cotangent
    fill_missing: Callable[[Node, list[Any], bool], list[Any]]
    #: ``call_hook(fn, g, dev, graph)``: a node's hook on its cotangent
    call_hook: Callable[[Callable[[Any], Any], Any, Device, bool], Any]
    #: ``run_leaf_hooks(leaf, g, graph)``: a leaf tensor's hooks on its gradient
    run_leaf_hooks: Callable[[Any, Any, bool], Any]
    #: ``accumulate(leaf, g, graph, owned, taken)``: a gradient into ``leaf.grad``
    accumulate: Callable[[Any, Any, bool, bool, set[int]], None]
    #: ``all_finite(g, dev, graph)``: no NaN or inf in a cotangent (``detect_anomaly``)
    all_finite: Callable[[Any, Device, bool], bool]

    def install(
        self,
        *,
        namespace: Callable[[], Any],
        saved_as_tensors: Callable[[Node], tuple[Any, ...]],
        cotangent_as_tensor: Callable[[Node, Any], Any],
        fill_missing: Callable[[Node, list[Any], bool], list[Any]],
        call_hook: Callable[[Callable[[Any], Any], Any, Device, bool], Any],
        run_leaf_hooks: Callable[[Any, Any, bool], Any],
        accumulate: Callable[[Any, Any, bool, bool, set[int]], None],
        all_finite: Callable[[Any, Device, bool], bool],
    ) -> None:
        """Set every hook at once (the recording layer calls this when it loads)."""
        self.namespace = namespace
        self.saved_as_tensors = saved_as_tensors
        self.cotangent_as_tensor = cotangent_as_tensor
        self.fill_missing = fill_missing
        self.call_hook = call_hook
        self.run_leaf_hooks = run_leaf_hooks
        self.accumulate = accumulate
        self.all_finite = all_finite


#: installed by :mod:`agrad._ops`
RECORDING = Recording()
