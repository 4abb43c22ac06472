"""``agrad.Function``: user-defined operations with a hand-written backward."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agrad._engine import Node, cast_like, input_meta, sum_to_shape
from agrad._grad_mode import STATE
from agrad._ops import SCALARS, device_of_array, mismatch, namespace, record_function, to_tensor
from agrad._tensor import Tensor, make
from agrad.errors import (
    AgradTypeError,
    FreedGraphError,
    FunctionBackwardError,
    InplaceModifiedError,
    NoRuleError,
)
from agrad.extend import Rule

__all__ = ["Function", "FunctionCtx"]

_FUNCTION_RULE = Rule("_function", composite=True)


class FunctionCtx:
    """The ``ctx`` passed to ``forward`` and ``backward`` of an :class:`agrad.Function`.

    Attributes
    ----------
    needs_input_grad
        One bool per argument of ``forward``: whether that argument needs a gradient.

    Examples
    --------
    >>> import agrad
    >>> class Scale(agrad.Function):
    ...     @staticmethod
    ...     def forward(ctx, x, k):
    ...         ctx.k = k
    ...         print(ctx.needs_input_grad)
    ...         return x * k
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         return g * ctx.k, None
    >>> y = Scale.apply(agrad.tensor([1.0], requires_grad=True), 3.0)
    (True, False)
    """

    def __init__(self, needs_input_grad: tuple[bool, ...]) -> None:
        self.needs_input_grad = needs_input_grad
        self._saved: tuple[Tensor | None, ...] | None = ()
        self._versions: tuple[int, ...] = ()
        self._freed = False
        self._non_differentiable: set[int] = set()
        self.materialize_grads = True

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep tensors for ``backward``; changing them in place before then is an error."""
        for k, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                msg = (
                    f"`save_for_backward` takes tensors (or None); argument {k} is a "
                    f"{type(t).__name__}. Store other values as attributes of `ctx`."
                )
                raise AgradTypeError(msg)
        self._saved = tensors
        self._versions = tuple(t._vc[0] if t is not None else 0 for t in tensors)

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        """The tensors given to ``save_for_backward``."""
        if self._freed:
            msg = (
                "Trying to backward through a custom Function a second time: its saved "
                "tensors were freed. Pass `retain_graph=True` to the first backward."
            )
            raise FreedGraphError(msg)
        assert self._saved is not None
        for k, (t, v) in enumerate(zip(self._saved, self._versions, strict=False)):
            if t is not None and t._vc[0] != v:
                msg = (
                    f"Saved tensor {k} of a custom Function was modified in place: saved at "
                    f"version {v}, now at version {t._vc[0]}."
                )
                raise InplaceModifiedError(msg)
        return self._saved

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """Declare outputs that have no gradient (indices, masks)."""
        self._non_differentiable.update(id(t) for t in tensors)

    def set_materialize_grads(self, value: bool) -> None:
        """Whether ``backward`` gets zeros (True, the default) or None for unused outputs."""
        self.materialize_grads = value


class FunctionNode(Node):
    """The graph node of one ``Function.apply`` call."""

    __slots__ = ("ctx", "fn_class", "n_args")

    ctx: FunctionCtx
    fn_class: type[Function]
    n_args: int

    def name(self) -> str:
        return f"{self.fn_class.__name__}Backward"

    def release(self) -> None:
        self.ctx._freed = True
        self.ctx._saved = None

    def check_saved(self) -> None:
        return None

    def apply(self, g: Any, graph: bool) -> Sequence[Any]:
        dev = self.dev
        gs = list(g) if self.nout > 1 else [g]
        grads_in = [
            None
            if x is None
            else (x if isinstance(x, Tensor) else make(dev.backend.ensure_array(x), dev))
            for x in gs
        ]
        previous = STATE.enabled
        STATE.enabled = graph
        try:
            result = self.fn_class.backward(self.ctx, *grads_in)
        finally:
            STATE.enabled = previous
        if not isinstance(result, tuple):
            result = (result,)
        cls = self.fn_class.__name__
        if len(result) != self.n_args:
            msg = (
                f"`{cls}.backward` returned {len(result)} gradients, but `{cls}.forward` took "
                f"{self.n_args} arguments (after ctx): return one per argument, None for those "
                "without a gradient."
            )
            raise FunctionBackwardError(msg)
        grads: list[Any] = []
        for i, edge in enumerate(self.edges):
            arg = self.kw["arg_index"][i]  # type: ignore[index]
            r = result[arg]
            if edge is None or r is None:
                grads.append(None)
                continue
            if not isinstance(r, Tensor):
                if isinstance(r, bool) or not (
                    isinstance(r, SCALARS) or device_of_array(r) is not None
                ):
                    msg = (
                        f"`{cls}.backward` returned a {type(r).__name__} as the gradient of "
                        f"argument {arg}; return a tensor (or None for no gradient) per "
                        f"argument of `{cls}.forward`."
                    )
                    raise FunctionBackwardError(msg)
                r = to_tensor(r, dev)
            if r._dev is not dev:
                msg_0 = f"{cls}.backward"
                raise mismatch(msg_0, dev, r._dev)
            shape, dtype = input_meta(edge, self.onrs[i] if self.onrs else 0)
            kind = r.dtype.kind
            if kind not in "fci" or (kind == "c" and dev.backend.from_dtype(dtype).kind != "c"):
                msg = (
                    f"`{cls}.backward` returned a gradient of dtype {r.dtype!r} for argument "
                    f"{arg}, whose dtype is {dev.backend.from_dtype(dtype)!r}: a real input "
                    "has a real gradient (take `agrad.real` of it if that is what you mean)."
                )
                raise FunctionBackwardError(msg)
            rshape = tuple(r._array.shape)
            if rshape != shape:
                if not _expandable(shape, rshape):
                    msg = (
                        f"`{cls}.backward` returned a gradient of shape {rshape!r} for argument "
                        f"{self.kw['arg_index'][i]}, whose shape is {shape!r}."  # type: ignore[index]
                    )
                    raise FunctionBackwardError(msg)
                r = sum_to_shape(r, shape, _agrad())
            if r._array.dtype != dtype:  # as torch does: the input's dtype
                r = cast_like(r, dtype, _agrad(), dev, True)
            grads.append(r if graph else r._array)
        return grads


def _output(cls: type[Function], k: int, o: Any, dev: Any) -> Tensor:
    """A non-tensor result of ``forward`` as a tensor: arrays and numbers, nothing else."""
    if not isinstance(o, (bool, *SCALARS)) and device_of_array(o) is None:
        what = "None (did `forward` forget to `return`?)" if o is None else type(o).__name__
        msg = (
            f"`{cls.__name__}.forward` returned {what} as output {k}; `forward` returns a "
            "tensor, an array or a number, or a tuple of them."
        )
        raise AgradTypeError(msg)
    return to_tensor(o, dev)


def _agrad() -> Any:
    return namespace()


def _expandable(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    if len(shape) > len(target):
        return False
    pairs = zip(reversed(shape), reversed(target), strict=False)
    return all(a in (b, 1) for a, b in pairs)


class Function:
    """A differentiable operation with a hand-written backward.

    Subclass it and write ``forward(ctx, *args)`` and ``backward(ctx, *grads)`` as static
    methods; call it with ``MyFunction.apply(*args)``. ``forward`` runs without recording;
    ``backward`` gets one gradient per output and returns one per argument of ``forward``
    (None for arguments without one). Written with agrad operations, ``backward`` can
    itself be differentiated (``create_graph=True``).

    Examples
    --------
    >>> import agrad
    >>> class Square(agrad.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (x,) = ctx.saved_tensors
    ...         return 2 * x * g
    >>> x = agrad.tensor(3.0, requires_grad=True)
    >>> Square.apply(x).backward()
    >>> x.grad
    tensor(6., device='numpy')
    """

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any, **kwargs: Any) -> Any:
        msg = "Subclasses of `agrad.Function` must implement `forward(ctx, ...)`."
        raise NoRuleError(msg)

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Any) -> Any:
        msg = "Subclasses of `agrad.Function` must implement `backward(ctx, *grads)`."
        raise NoRuleError(msg)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        cls = type(self).__name__
        msg = (
            f"An `agrad.Function` is not called as an instance: write `{cls}.apply(...)` "
            f"(not `{cls}()(...)`), as in PyTorch."
        )
        raise AgradTypeError(msg)

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` and record the call, so that ``backward`` runs in the sweep."""
        recording = STATE.enabled
        needs = tuple(recording and isinstance(a, Tensor) and a._rg for a in args)
        ctx = FunctionCtx(needs)
        previous = STATE.enabled
        STATE.enabled = False
        try:
            raw = cls.forward(ctx, *args, **kwargs)
        finally:
            STATE.enabled = previous
        single = not isinstance(raw, tuple)
        outs_in = (raw,) if single else raw
        dev = next((a._dev for a in args if isinstance(a, Tensor)), None)
        outputs = tuple(
            make(o._array, o._dev) if isinstance(o, Tensor) else _output(cls, k, o, dev)
            for k, o in enumerate(outs_in)
        )
        if any(needs):
            tensors = [(i, a) for i, a in enumerate(args) if isinstance(a, Tensor)]
            node = record_function(
                FunctionNode,
                _FUNCTION_RULE,
                outputs,
                tuple(a for _, a in tensors),
                {"arg_index": tuple(i for i, _ in tensors)},
            )
            assert isinstance(node, FunctionNode)
            node.ctx = ctx
            node.fn_class = cls
            node.n_args = len(args)
            for o, src in zip(outputs, outs_in, strict=False):
                if id(src) in ctx._non_differentiable:
                    o._grad_fn = None
                    o._rg = False
        return outputs[0] if single else outputs
