"""The Tensor: one backend array plus what autograd needs to know about it."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

from agrad._device import Device, refused
from agrad._dtypes import DType
from agrad._grad_mode import GRAPH_BREAK, STATE, UNUSUAL
from agrad._ndarray import NdarrayMethods
from agrad.errors import (
    AgradTypeError,
    AgradValueError,
    GradShapeError,
    GraphBreakError,
    GraphBreakWarning,
    GraphError,
    NoBufferError,
    NotDifferentiableError,
)

if TYPE_CHECKING:
    from agrad._engine import Node
    from agrad._typing import Array

__all__ = ["Extra", "RemovableHandle", "Tensor", "make"]


class Extra:
    """Rarely needed per-tensor state, allocated on first use."""

    __slots__ = ("grad_owned", "hooks", "retain", "shared", "view", "views")

    def __init__(self) -> None:
        self.hooks: list[Callable[[Any], Any]] | None = None
        self.retain = False
        self.grad_owned = False
        self.shared = False  # one buffer with a tensor on another device (a zero-copy move)
        # (base, rule, kwargs) when this tensor is a view of `base`
        self.view: tuple[Tensor, Any, Any] | None = None
        self.views: list[Any] | None = None  # weak references to this tensor's views


class RemovableHandle:
    """Returned by ``register_hook``; ``remove()`` takes the hook away again."""

    __slots__ = ("_fn", "_owner")

    def __init__(self, owner: list[Any], fn: Any) -> None:
        self._owner = owner
        self._fn = fn

    def remove(self) -> None:
        if self._fn in self._owner:
            self._owner.remove(self._fn)


class Upper:
    """What the Tensor's methods call in the layers above it, installed once by the
    namespace layer (:func:`agrad._operators.bind`) as agrad loads.

    A Tensor is data and autograd metadata; recording, views, moves and the backward pass
    are built on top of it, so its methods reach them through these late-bound hooks
    instead of importing upward. (The operators are set on the class directly, the same way.)
    """

    __slots__ = (
        "asarray_raw",
        "backward",
        "detach",
        "is_view",
        "matrix_transpose",
        "namespace",
        "permute_dims",
        "retain_hook",
        "to_device",
    )

    #: ``asarray_raw(obj, dtype, device, copy) -> (array, device)`` (``Tensor(data)``)
    asarray_raw: Callable[[Any, Any, Any, bool | None], tuple[Any, Device]]
    #: ``agrad.backward`` (``t.backward()``)
    backward: Callable[..., None]
    #: ``t.detach()``, and whether ``t`` is a view of another tensor
    detach: Callable[[Tensor], Tensor]
    is_view: Callable[[Tensor], bool]
    #: ``t.mT`` and ``t.T``
    matrix_transpose: Callable[[Tensor], Tensor]
    permute_dims: Callable[[Tensor, tuple[int, ...]], Tensor]
    #: agrad itself (``t.__array_namespace__()``)
    namespace: Callable[[], ModuleType]
    #: the hook that stores an intermediate's gradient (``t.retain_grad()``)
    retain_hook: Callable[[Tensor], Callable[[Any], None]]
    #: the recorded move (``t.to_device(d)``)
    to_device: Callable[[Tensor, Device], Tensor]

    def install(
        self,
        *,
        asarray_raw: Callable[[Any, Any, Any, bool | None], tuple[Any, Device]],
        backward: Callable[..., None],
        detach: Callable[[Tensor], Tensor],
        is_view: Callable[[Tensor], bool],
        matrix_transpose: Callable[[Tensor], Tensor],
        namespace: Callable[[], ModuleType],
        permute_dims: Callable[[Tensor, tuple[int, ...]], Tensor],
        retain_hook: Callable[[Tensor], Callable[[Any], None]],
        to_device: Callable[[Tensor, Device], Tensor],
    ) -> None:
        """Set every hook at once."""
        self.asarray_raw = asarray_raw
        self.backward = backward
        self.detach = detach
        self.is_view = is_view
        self.matrix_transpose = matrix_transpose
        self.namespace = namespace
        self.permute_dims = permute_dims
        self.retain_hook = retain_hook
        self.to_device = to_device


#: installed by :func:`agrad._operators.bind`
UPPER = Upper()


class Tensor(NdarrayMethods):
    """An array that records operations for reverse-mode differentiation.

    Tensors are made with :func:`agrad.tensor`, :func:`agrad.asarray` and the creation
    functions; every operation on them returns a tensor. ``array`` is the wrapped backend
    array.

    Examples
    --------
    >>> import agrad
    >>> x = agrad.tensor([1.0, 2.0], requires_grad=True)
    >>> y = agrad.sum(x * x)
    >>> y.backward()
    >>> x.grad
    tensor([2., 4.], device='numpy')
    """

    # `_grad`, `_extra` and `_onr` are rarely set: they default to the class attributes
    # below and go into a lazily created __dict__, so making a tensor costs 5 assignments
    __slots__ = ("__dict__", "__weakref__", "_array", "_dev", "_grad_fn", "_rg", "_vc")

    _array: Array
    _dev: Device
    _grad_fn: Node | None
    _rg: bool
    _vc: list[int]
    _grad: Tensor | None = None
    _extra: Extra | None = None
    _onr: int = 0

    def __init__(self, data: Any, *, requires_grad: bool = False, device: Any = None) -> None:
        array, dev = UPPER.asarray_raw(data, None, device, None)
        made = make(array, dev)
        for name in Tensor.__slots__[2:]:
            setattr(self, name, getattr(made, name))
        if requires_grad:
            self.requires_grad = True

    # -- autograd attributes ---------------------------------------------------------
    @property
    def array(self) -> Array:
        """The wrapped backend array (shares memory; changing it bypasses autograd)."""
        return self._array

    @property
    def requires_grad(self) -> bool:
        """Whether gradients are computed for this tensor; settable on leaves."""
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if type(value) is not bool and not _is_bool(value):
            msg = f"`requires_grad` must be True or False, got {value!r} ({type(value).__name__})."
            raise AgradTypeError(msg)
        if self._grad_fn is not None:
            msg = (
                f"`requires_grad` can only be changed on leaf tensors; this one was made by "
                f"{self._grad_fn!r}. Use `t.detach()` to get a leaf."
            )
            raise GraphError(msg)
        if value:
            dtype = self.dtype
            if not dtype.is_floating:
                msg = (
                    f"Only floating-point and complex tensors can require gradients, got "
                    f"dtype {dtype!r}. Convert first: `agrad.astype(t, agrad.float64)`."
                )
                raise NotDifferentiableError(msg)
        self._rg = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return this tensor.

        Examples
        --------
        >>> import agrad
        >>> agrad.zeros(2).requires_grad_().requires_grad
        True
        """
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self) -> Tensor | None:
        """The accumulated gradient (a Tensor) or None; settable."""
        grad = self._grad
        if grad is None and self._grad_fn is not None and not self.retains_grad:
            msg = (
                f"Reading `.grad` of a non-leaf tensor (made by {self._grad_fn!r}): backward "
                "fills it only after `t.retain_grad()` (or with `backward(inputs=[t])`), so it "
                "is None. Call `retain_grad()` before backward, or read the leaf's `.grad`."
            )
            warnings.warn(msg, UserWarning, stacklevel=2)
        return grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            _check_assigned_grad(self, value)
        self._grad = value
        if self._extra is not None:
            self._extra.grad_owned = False

    @property
    def grad_fn(self) -> Node | None:
        """The node that made this tensor (None for leaves)."""
        return self._grad_fn

    @property
    def is_leaf(self) -> bool:
        """True for tensors not made by a recorded operation."""
        return self._grad_fn is None

    @property
    def output_nr(self) -> int:
        """Which output of ``grad_fn`` this tensor is."""
        return self._onr

    @property
    def retains_grad(self) -> bool:
        """Whether ``retain_grad()`` was called on this non-leaf tensor."""
        return self._extra is not None and self._extra.retain

    def retain_grad(self) -> None:
        """Keep the gradient of this non-leaf tensor in ``.grad`` during backward.

        Examples
        --------
        >>> import agrad
        >>> x = agrad.tensor(3.0, requires_grad=True)
        >>> y = x * x
        >>> y.retain_grad()
        >>> (y * 2).backward()
        >>> y.grad
        tensor(2., device='numpy')
        """
        if self._grad_fn is None:
            if not self._rg:
                msg = (
                    "`retain_grad()` on a tensor that does not require grad: it would never "
                    "get a gradient. Create it with `requires_grad=True`, or compute it from "
                    "tensors that require grad."
                )
                raise GraphError(msg)
            return  # leaves keep their gradient anyway
        extra = self._extra
        if extra is None:
            extra = self._extra = Extra()
        if extra.retain:
            return
        extra.retain = True
        self._grad_fn.register_hook(UPPER.retain_hook(self), self._onr)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call ``hook(grad)`` when this tensor's gradient is computed.

        A hook that returns a tensor replaces the gradient.

        Examples
        --------
        >>> import agrad
        >>> x = agrad.tensor([1.0, 2.0], requires_grad=True)
        >>> _ = x.register_hook(lambda g: g * 10)
        >>> agrad.sum(x).backward()
        >>> x.grad
        tensor([10., 10.], device='numpy')
        """
        if not callable(hook):
            msg = (
                f"`register_hook` takes a function of the gradient, got "
                f"{type(hook).__name__}: `t.register_hook(lambda g: g * 2)`."
            )
            raise AgradTypeError(msg)
        if not self._rg:
            msg = (
                "Cannot register a hook on a tensor that does not require grad: no gradient "
                "will ever reach it. Create it with `requires_grad=True`."
            )
            raise GraphError(msg)
        if self._grad_fn is None:
            extra = self._extra
            if extra is None:
                extra = self._extra = Extra()
            if extra.hooks is None:
                extra.hooks = []
            extra.hooks.append(hook)
            return RemovableHandle(extra.hooks, hook)
        self._grad_fn.register_hook(hook, self._onr)
        assert self._grad_fn.hooks is not None
        entry = self._grad_fn.hooks[-1]
        return RemovableHandle(self._grad_fn.hooks, entry)

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's array (and version counter), without a graph.

        Examples
        --------
        >>> import agrad
        >>> x = agrad.tensor([1.0], requires_grad=True)
        >>> (x * 2).detach().requires_grad
        False
        """
        return UPPER.detach(self)

    def detach_(self) -> Tensor:
        """Make this tensor a leaf that does not require grad, in place."""
        if UPPER.is_view(self):
            msg = (
                "`detach_()` cannot detach a view in place: the view's base keeps its graph. "
                "Use `v = v.detach()` instead."
            )
            raise GraphError(msg)
        self._grad_fn = None
        self._rg = False
        self._onr = 0
        return self

    def backward(
        self,
        gradient: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Sequence[Tensor] | Tensor | None = None,
    ) -> None:
        """Accumulate the gradient of this tensor into the ``.grad`` of the leaves.

        See :func:`agrad.backward`.

        Examples
        --------
        >>> import agrad
        >>> x = agrad.tensor(2.0, requires_grad=True)
        >>> (x * x * x).backward()
        >>> x.grad
        tensor(12., device='numpy')
        """
        UPPER.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # -- the standard's array attributes -----------------------------------------------
    @property
    def dtype(self) -> DType:
        """The agrad dtype (the same object on every backend)."""
        dtype: DType = self._dev.backend.from_dtype(self._array.dtype)
        return dtype

    @property
    def device(self) -> Device:
        """The agrad device this tensor lives on."""
        return self._dev

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self._array.shape)

    @property
    def ndim(self) -> int:
        return int(self._array.ndim)

    @property
    def size(self) -> int | None:
        n = 1
        for s in self._array.shape:
            if s is None:
                return None
            n *= s
        return n

    @property
    def T(self) -> Tensor:
        ndim = self._array.ndim
        if ndim < 2:  # NumPy's and torch's rule (NumPy code writes `v.T @ w` on vectors)
            return self
        if ndim > 2:  # torch deprecates it: batches of matrices want `.mT`, not reversed axes
            msg = (
                f"`.T` of a {ndim}-d tensor: reversing every axis is ambiguous (torch "
                "deprecates it); use `.mT` for batches of matrices or `t.transpose()` / "
                "`permute_dims` to reverse the axes."
            )
            raise AgradValueError(msg)
        return UPPER.permute_dims(self, (1, 0))

    @property
    def mT(self) -> Tensor:
        return UPPER.matrix_transpose(self)

    def __len__(self) -> int:
        if self._array.ndim == 0:
            msg = "len() of a 0-d tensor: it has no first axis. Use `t.item()` for its value."
            raise AgradTypeError(msg)
        return int(self._array.shape[0])

    def __iter__(self) -> Iterator[Tensor]:
        # not a generator itself: `iter(t)` must raise at once for a 0-d tensor, so that
        # `numpy.iterable(t)` is False as for NumPy's and torch's 0-d arrays
        if self._array.ndim == 0:
            msg = "iteration over a 0-d tensor: it has no first axis. Use `t.item()` for its value."
            raise AgradTypeError(msg)
        return (self[i] for i in range(self._array.shape[0]))

    def __format__(self, spec: str) -> str:
        # a format spec applies to a one-element tensor's value (`f"{loss:.3f}"`), as in torch
        if spec and self._array.ndim == 0:
            return format(self.item(), spec)
        return object.__format__(self, spec)

    __hash__ = object.__hash__

    # -- conversions ---------------------------------------------------------------------
    def item(self) -> Any:
        """The single value of a one-element tensor as a Python number."""
        if self.size != 1:
            msg = (
                f"`item()` needs a tensor with one element, got shape {self.shape!r}. Use "
                "`t.tolist()` for all values, or index one first (`t[0].item()`)."
            )
            raise AgradValueError(msg)
        return self._dev.backend.to_host(self._array).item()

    def tolist(self) -> Any:
        """The values as (nested) Python lists of Python numbers (computed, on Dask)."""
        return self._dev.backend.to_host(self._array).tolist()

    def __bool__(self) -> bool:
        try:
            return bool(self._array)
        except Exception as e:  # more than one element: the library's refusal, as agrad's
            name = "__bool__"
            refused(name, (self._array,), self._dev, e)

    # NumPy calls these too, when it writes a tensor into one of its own arrays
    def __int__(self) -> int:
        if self._rg and (not UNUSUAL or STATE.enabled):
            _graph_break("int")
        try:
            return int(self._array)
        except Exception as e:
            name = "__int__"
            refused(name, (self._array,), self._dev, e)

    def __float__(self) -> float:
        if self._rg and (not UNUSUAL or STATE.enabled):
            _graph_break("float")
        try:
            return float(self._array)
        except Exception as e:
            name = "__float__"
            refused(name, (self._array,), self._dev, e)

    def __complex__(self) -> complex:
        if self._rg and (not UNUSUAL or STATE.enabled):
            _graph_break("complex")
        try:
            return complex(self._array)
        except Exception as e:
            name = "__complex__"
            refused(name, (self._array,), self._dev, e)

    # -- copying and pickling ------------------------------------------------------------
    def __deepcopy__(self, memo: dict[int, Any]) -> Tensor:
        if self._grad_fn is not None:
            msg = (
                f"`copy.deepcopy` of a non-leaf tensor (made by {self._grad_fn!r}) would copy "
                "its graph; only leaves can be deep-copied, as in PyTorch. Copy the values "
                "with `agrad.asarray(t.detach(), copy=True)`."
            )
            raise GraphError(msg)
        t = make(self._dev.backend.copy(self._array), self._dev, None, self._rg)
        memo[id(self)] = t
        if self._grad is not None:
            t._grad = self._grad.__deepcopy__(memo)
        return t

    def __reduce__(self) -> tuple[Any, ...]:
        if self._grad_fn is not None:
            msg = (
                f"A non-leaf tensor (made by {self._grad_fn!r}) cannot be pickled: its graph "
                "holds functions and saved arrays. Pickle `t.detach()` for the values (and "
                "set `requires_grad` again after loading if needed)."
            )
            raise GraphError(msg)
        # as torch: the values, the device and `requires_grad`; not `.grad`, nor hooks
        host = self._dev.backend.to_host(self._array)
        return (_unpickle, (host, self._dev.name, self._rg))

    def __index__(self) -> int:
        return self._array.__index__()  # type: ignore[no-any-return]

    def __array_namespace__(self, /, *, api_version: str | None = None) -> ModuleType:
        if api_version is not None and api_version not in ("2023.12", "2024.12", "2025.12"):
            msg = (
                f"agrad implements Array API 2025.12 (and 2023.12, 2024.12), not "
                f"{api_version!r}. Ask for one of those, or for None (the newest)."
            )
            raise AgradValueError(msg)
        return UPPER.namespace()

    def __dlpack__(
        self,
        /,
        *,
        stream: Any = None,
        max_version: tuple[int, int] | None = None,
        dl_device: tuple[Any, int] | None = None,
        copy: bool | None = None,
    ) -> Any:
        kwargs: dict[str, Any] = {}
        if stream is not None:
            kwargs["stream"] = stream
        if max_version is not None:
            kwargs["max_version"] = max_version
        if dl_device is not None:
            kwargs["dl_device"] = dl_device
        if copy is not None:
            kwargs["copy"] = copy
        export = getattr(self._array, "__dlpack__", None)
        if export is None:
            raise _no_buffer(self)
        return export(**kwargs)

    def __dlpack_device__(self) -> tuple[Any, int]:
        where = getattr(self._array, "__dlpack_device__", None)
        if where is None:
            raise _no_buffer(self)
        return where()  # type: ignore[no-any-return]

    def to_device(self, device: Any, /, *, stream: Any = None) -> Tensor:
        """This tensor on ``device``, in the graph: gradients flow back to this device.

        ``device`` is an agrad device, a device string or a library's device object. Within
        one library the library moves the data; across libraries it goes through DLPack
        without a copy where both allow it (numpy and torch:cpu, cupy and torch:cuda), and
        through host memory otherwise. When the result shares memory with this tensor, both
        share one version counter, so in-place changes stay detected.

        Examples
        --------
        >>> import agrad
        >>> x = agrad.tensor([1.0, 2.0], requires_grad=True)
        >>> y = x.to_device("array_api_strict")
        >>> y.device
        Device('array_api_strict')
        >>> agrad.sum(y * y).backward()
        >>> x.grad.device, x.grad.tolist()
        (Device('numpy'), [2.0, 4.0])
        """
        target = device if isinstance(device, Device) else Device(device)
        return UPPER.to_device(self, target)

    def __repr__(self) -> str:
        import numpy as np

        arr = self._array
        body = np.array2string(np.asarray(arr), separator=", ", prefix="tensor(")
        parts = [body, f"device={self._dev.name!r}"]
        if self._grad_fn is not None:
            parts.append(f"grad_fn={self._grad_fn!r}")
        elif self._rg:
            parts.append("requires_grad=True")
        return f"tensor({', '.join(parts)})"

    # -- operators: recorded through the rule table ----------------------------------
    if TYPE_CHECKING:  # bound by agrad._operators (the namespace layer), which records them

        def __add__(self, other: Any, /) -> Tensor: ...
        def __radd__(self, other: Any, /) -> Tensor: ...
        def __sub__(self, other: Any, /) -> Tensor: ...
        def __rsub__(self, other: Any, /) -> Tensor: ...
        def __mul__(self, other: Any, /) -> Tensor: ...
        def __rmul__(self, other: Any, /) -> Tensor: ...
        def __truediv__(self, other: Any, /) -> Tensor: ...
        def __rtruediv__(self, other: Any, /) -> Tensor: ...
        def __floordiv__(self, other: Any, /) -> Tensor: ...
        def __rfloordiv__(self, other: Any, /) -> Tensor: ...
        def __mod__(self, other: Any, /) -> Tensor: ...
        def __rmod__(self, other: Any, /) -> Tensor: ...
        def __pow__(self, other: Any, /) -> Tensor: ...
        def __rpow__(self, other: Any, /) -> Tensor: ...
        def __matmul__(self, other: Any, /) -> Tensor: ...
        def __rmatmul__(self, other: Any, /) -> Tensor: ...
        def __and__(self, other: Any, /) -> Tensor: ...
        def __rand__(self, other: Any, /) -> Tensor: ...
        def __or__(self, other: Any, /) -> Tensor: ...
        def __ror__(self, other: Any, /) -> Tensor: ...
        def __xor__(self, other: Any, /) -> Tensor: ...
        def __rxor__(self, other: Any, /) -> Tensor: ...
        def __lshift__(self, other: Any, /) -> Tensor: ...
        def __rlshift__(self, other: Any, /) -> Tensor: ...
        def __rshift__(self, other: Any, /) -> Tensor: ...
        def __rrshift__(self, other: Any, /) -> Tensor: ...
        def __eq__(self, other: object, /) -> Tensor: ...  # type: ignore[override]
        def __ne__(self, other: object, /) -> Tensor: ...  # type: ignore[override]
        def __lt__(self, other: Any, /) -> Tensor: ...
        def __le__(self, other: Any, /) -> Tensor: ...
        def __gt__(self, other: Any, /) -> Tensor: ...
        def __ge__(self, other: Any, /) -> Tensor: ...
        def __neg__(self) -> Tensor: ...
        def __pos__(self) -> Tensor: ...
        def __abs__(self) -> Tensor: ...
        def __invert__(self) -> Tensor: ...
        def __iadd__(self, other: Any, /) -> Tensor: ...
        def __isub__(self, other: Any, /) -> Tensor: ...
        def __imul__(self, other: Any, /) -> Tensor: ...
        def __itruediv__(self, other: Any, /) -> Tensor: ...
        def __ifloordiv__(self, other: Any, /) -> Tensor: ...
        def __imod__(self, other: Any, /) -> Tensor: ...
        def __ipow__(self, other: Any, /) -> Tensor: ...
        def __imatmul__(self, other: Any, /) -> Tensor: ...
        def __iand__(self, other: Any, /) -> Tensor: ...
        def __ior__(self, other: Any, /) -> Tensor: ...
        def __ixor__(self, other: Any, /) -> Tensor: ...
        def __ilshift__(self, other: Any, /) -> Tensor: ...
        def __irshift__(self, other: Any, /) -> Tensor: ...
        def __getitem__(self, key: Any, /) -> Tensor: ...
        def __setitem__(self, key: Any, value: Any, /) -> None: ...


_new = object.__new__


def _is_bool(value: Any) -> bool:
    return type(value).__name__ == "bool_"  # NumPy's bool, without importing NumPy here


def _check_assigned_grad(t: Tensor, value: Any) -> None:
    """Refuse what torch refuses for ``t.grad = value``."""
    if not isinstance(value, Tensor):
        msg = (
            f"`.grad` must be an agrad Tensor or None, got {type(value).__name__}. Wrap an "
            "array with `agrad.asarray(a)`."
        )
        raise AgradTypeError(msg)
    if value is t:
        msg = "A tensor cannot be its own `.grad`; assign a copy: `agrad.asarray(t, copy=True)`."
        raise GraphError(msg)
    if value._array.shape != t._array.shape:
        msg = (
            f"Assigned grad has shape {tuple(value._array.shape)!r}, but the tensor has shape "
            f"{tuple(t._array.shape)!r}; a gradient has its tensor's shape."
        )
        raise GradShapeError(msg)
    if value._dev is not t._dev:
        msg = (
            f"Assigned grad is on {value._dev.name!r}, the tensor on {t._dev.name!r}. Move it "
            f"first: `g.to_device({t._dev.name!r})`."
        )
        raise GradShapeError(msg)
    if value.dtype != t.dtype:
        msg = (
            f"Assigned grad has dtype {value.dtype!r}, but the tensor has dtype {t.dtype!r}; "
            f"a gradient has its tensor's dtype. Convert it: `agrad.astype(g, {t.dtype!r})`."
        )
        raise GradShapeError(msg)


def _unpickle(host: Any, device: str, requires_grad: bool) -> Tensor:
    dev = Device(device)
    t = make(dev.backend.from_host(host, dev.native), dev)
    if requires_grad:
        t.requires_grad = True
    return t


# the modules whose frames a warning meant for the user's line skips
_SKIPPED_MODULES = ("agrad", "agrad.backends", "numpy", "array_api_compat")


def user_stacklevel() -> int:
    """The ``stacklevel`` that makes a warning raised by this function's caller point at the
    innermost frame outside agrad, its backends, NumPy and array-api-compat."""
    skipped = tuple(
        os.path.dirname(os.path.abspath(m.__file__))
        for m in (sys.modules.get(name) for name in _SKIPPED_MODULES)
        if m is not None and m.__file__
    )
    frame = sys._getframe(1)  # the caller, which calls `warnings.warn`: stacklevel 1
    level = 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(skipped):
        frame = frame.f_back
        level += 1
    return level


def _graph_break(kind: str) -> None:
    """A tensor that requires grad becomes a Python number while recording (see
    ``agrad.set_graph_break``): warn at the user's line, raise, or say nothing."""
    mode = GRAPH_BREAK[0]
    if mode == "ignore":
        return
    msg = (
        f"`{kind}()` turned a tensor that requires grad into a Python number while gradients "
        "are recorded, so no gradient flows back through that value. NumPy does this when "
        "it writes a tensor into one of its own arrays (`buf[i] = t` with "
        "`buf = np.zeros(n)`). To keep the gradient, make the array a tensor "
        "(`buf = agrad.numpy.zeros(n)`, or `import agrad.numpy as np`) or collect the values "
        "and `agrad.numpy.stack` them. To drop the graph on purpose, write `t.item()` or "
        '`t.detach()`. `agrad.set_graph_break("error")` makes this an error, '
        '`agrad.set_graph_break("ignore")` silences it.'
    )
    if mode == "error":
        raise GraphBreakError(msg)
    warnings.warn(msg, GraphBreakWarning, stacklevel=user_stacklevel())


def make(array: Any, dev: Device, grad_fn: Any = None, rg: bool = False, onr: int = 0) -> Tensor:
    """A tensor around ``array`` (already a proper backend array) on ``dev``."""
    t = _new(Tensor)
    t._array = array
    t._dev = dev
    t._grad_fn = grad_fn
    t._rg = rg
    t._vc = [0]
    if onr:
        t._onr = onr
    return t


def _no_buffer(t: Tensor) -> NoBufferError:
    msg = (
        f"a tensor on {t._dev.name!r} has no DLPack buffer to export (its library keeps none)."
        " Read its values with `numpy.asarray(t)`, or move it with `t.to_device('numpy')`."
    )
    return NoBufferError(msg)
