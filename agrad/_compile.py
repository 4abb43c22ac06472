"""``agrad.compile``: capture a step once, replay it as straight-line NumPy or torch code.

How it works (docs/compile.md has the user's view):

* **Capture.** The first call runs eagerly while every raw NumPy array that agrad computes
  with is a :class:`_Rec`, an ``ndarray`` subclass that computes the real values *and*
  appends an instruction for each call made on it: ufuncs and their reductions
  (``__array_ufunc__``), NumPy functions (``__array_function__``), and the methods, views,
  indexing and in-place writes agrad's rules, engine and updates use. Recording at the raw
  level, rather than at agrad's own dispatch points, sees everything a step does (the
  forward pass, which rule ran in the backward sweep and on which saved arrays, the
  accumulation into ``.grad``, updates under ``no_grad``) without touching the engine, and
  the raw calls are exactly what a replay has to run. During the capture ``Tensor._array``
  is a property (restored in ``finally``), so the arrays of tensors that existed before the
  call (arguments, parameters a closure holds) become *sources* the plan reads at replay.
  On agrad's torch devices the same recorder is fed by a ``TorchFunctionMode``, which sees
  every torch function, method, operator and view property called on raw tensors; a torch
  tensor has no wrapper, so its slot is found by identity (the capture keeps it alive).
  On JAX devices nothing can be hooked below agrad, but JAX traces programs itself: a
  discovery run finds the tensors a step uses, and each later capture runs the step once on
  JAX's tracers, into one jaxpr that ``jax.jit`` compiles (:mod:`agrad._compile_jax`).
* **Plan.** The instructions become one Python function of straight-line code (``v7 =
  k3(v5, k2)``), with dead instructions dropped and each intermediate deleted after its
  last use; ``compiled.explain()`` prints it.
* **Guards.** Shapes, dtypes, strides, devices, ``requires_grad``, grad mode and argument
  aliasing key a bounded cache; every value-to-Python conversion the capture saw
  (``bool``, ``int``, ``float``, ``complex``, ``item``, ``tolist``, ``__index__``,
  ``__array__``, ``__format__``) and every data-dependent shape becomes a check in the
  plan, which must hold for the plan to go on. A check that would come after a write into a
  buffer the caller can see cannot send the call back to eager mode any more: the capture is
  refused, naming the conversion and the user's line.
* **Verified before use.** A plan replays only once a second capture produced the same
  plan: Python state a step reads besides its arrays (an optimiser's step counter, random
  numbers, a dict filled on the first call) changes the constants between calls, and such a
  step keeps running eagerly (with one warning) instead of replaying stale values.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import hashlib
import importlib.util
import linecache
import operator
import os
import sys
import threading
import traceback
import warnings
import weakref
from collections.abc import Callable, Iterator
from typing import Any, NoReturn

import numpy as np

from agrad._device import get_default_device
from agrad._grad_mode import GRAPH_BREAK, STATE
from agrad._tensor import Tensor, make
from agrad.backends import get_backend
from agrad.errors import AgradError, AgradTypeError, AgradValueError

__all__ = ["CaptureRefusedError", "CompileWarning", "Compiled", "compile"]

MAX_PLANS = 8  # captures kept per compiled function (all guard keys together)


class CaptureRefusedError(AgradError, RuntimeError):
    """A step cannot be captured soundly (raised inside the capture, reported as a warning)."""


class CompileWarning(UserWarning):
    """``agrad.compile`` runs a step eagerly instead of replaying it, and says why (once)."""


class _Miss(Exception):
    """A guard of a plan failed at replay (before any write the caller can see)."""


class _Raised(Exception):
    """A replay raised before any write the caller can see: the call runs eagerly instead,
    and raises (or not) as an eager call does, with agrad's own error."""


# -- the recording array ---------------------------------------------------------------------
_LOCK = threading.Lock()
_ACTIVE: _Recorder | None = None  # the capture under way, if any


def _rec() -> _Recorder | None:
    r = _ACTIVE
    if r is None or r.refused is not None or r.thread != threading.get_ident():
        return None
    return r


def _plain(x: Any) -> Any:
    """``x`` with every :class:`_Rec` replaced by the array it wraps (nested containers)."""
    if isinstance(x, _Rec):
        raw = x._raw
        return raw if raw is not None else np.ndarray.view(x, np.ndarray)
    if type(x) is tuple:
        return tuple(_plain(e) for e in x)
    if type(x) is list:
        return [_plain(e) for e in x]
    if type(x) is dict:
        return {k: _plain(v) for k, v in x.items()}
    return x


_UFUNC_METHODS: dict[tuple[Any, str], Any] = {}


class _Rec(np.ndarray):
    """A NumPy array that records every call made on it into the active capture."""

    _ref: int | None
    _raw: Any

    def __array_finalize__(self, obj: Any) -> None:
        # made by a NumPy path the recorder does not see (a view made by an unlisted method):
        # no slot, so that using it refuses the capture rather than baking in its values
        self._ref = None
        self._raw = None

    @property
    def base(self) -> Any:
        # the wrapped array's: a recording wrapper is a view, but what agrad decides from
        # `.base` (whether a fresh gradient may become `.grad` without a copy) is the array's
        raw = self._raw
        return raw.base if isinstance(raw, np.ndarray) else None

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        # `np.add.at` is a new bound method at each access: one object per method, so that
        # two captures' plans (constants compared by identity) are the same plan
        fn = (
            ufunc
            if method == "__call__"
            else _UFUNC_METHODS.setdefault((ufunc, method), getattr(ufunc, method))
        )
        name = ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}"
        outs = kwargs.get("out")
        if method == "at":
            outs = (inputs[0],)
        return _invoke(fn, name, inputs, kwargs, writes=outs if outs else ())

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if func in _METADATA:
            return func(*_plain(args), **_plain(kwargs))
        name = func.__name__
        if name in _REFUSED_FUNCTIONS:
            _soft(f"`numpy.{name}`")
            return func(*_plain(args), **_plain(kwargs))
        writes = (kwargs["out"],) if kwargs.get("out") is not None else ()
        if name in _WRITE_FIRST:
            writes = (args[0],)
        return _invoke(func, f"numpy.{name}", args, kwargs, writes=writes)

    # -- conversions to Python: guards ------------------------------------------------------
    def __bool__(self) -> bool:
        return _convert(self, bool, "bool()")  # type: ignore[no-any-return]

    def __int__(self) -> int:
        return _convert(self, int, "int()")  # type: ignore[no-any-return]

    def __float__(self) -> float:
        return _convert(self, float, "float()")  # type: ignore[no-any-return]

    def __complex__(self) -> complex:
        return _convert(self, complex, "complex()")  # type: ignore[no-any-return]

    def __index__(self) -> int:
        return _convert(self, operator.index, "__index__")  # type: ignore[no-any-return]

    def item(self, *args: Any) -> Any:
        return _convert(self, _Method("item", args), "item()")

    def tolist(self) -> Any:
        return _convert(self, _Method("tolist", ()), "tolist()")

    def __format__(self, spec: str) -> str:
        return _convert(self, _Format(spec), "__format__")  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return _convert(self, repr, "repr()")  # type: ignore[no-any-return]

    def __str__(self) -> str:
        return _convert(self, str, "str()")  # type: ignore[no-any-return]

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        _soft("`__array__` (a NumPy array of the values, outside the capture)")
        return np.asarray(np.ndarray.view(self, np.ndarray), dtype=dtype)

    def __dlpack__(self, *args: Any, **kwargs: Any) -> Any:
        _soft("`__dlpack__` (a DLPack capsule of the values)")
        return np.ndarray.view(self, np.ndarray).__dlpack__(*args, **kwargs)

    def tobytes(self, *args: Any, **kwargs: Any) -> bytes:
        _soft("`tobytes()`")
        return np.ndarray.view(self, np.ndarray).tobytes(*args, **kwargs)

    def __reduce_ex__(self, protocol: Any) -> Any:
        _soft("pickling")
        return np.ndarray.view(self, np.ndarray).__reduce_ex__(protocol)

    def __iter__(self) -> Iterator[Any]:
        if self.ndim == 0:
            msg = "iteration over a 0-d array"
            raise AgradTypeError(msg)
        return (self[i] for i in range(self.shape[0]))

    # -- indexing and in-place writes -------------------------------------------------------
    def __getitem__(self, key: Any) -> Any:
        shape_guard = _data_dependent_key(key)
        return _invoke(operator.getitem, "[]", (self, key), {}, shape_guard=shape_guard)

    def __setitem__(self, key: Any, value: Any) -> None:
        _invoke(operator.setitem, "[]=", (self, key, value), {}, writes=(self,))

    def byteswap(self, inplace: bool = False) -> Any:
        writes = (self,) if inplace else ()
        return _invoke(_Method("byteswap", ()), ".byteswap()", (self, inplace), {}, writes=writes)

    def tofile(self, *args: Any, **kwargs: Any) -> None:
        _soft("`tofile()` (a side effect a replay would not repeat)")
        np.ndarray.view(self, np.ndarray).tofile(*args, **kwargs)

    def dump(self, *args: Any, **kwargs: Any) -> None:
        _soft("`dump()` (a side effect a replay would not repeat)")
        np.ndarray.view(self, np.ndarray).dump(*args, **kwargs)

    # attributes that are views: settable ones write through
    @property
    def T(self) -> Any:  # NumPy's name
        return _invoke(_Attr("T"), ".T", (self,), {})

    @property
    def mT(self) -> Any:  # NumPy's name
        return _invoke(_Attr("mT"), ".mT", (self,), {})

    @property
    def real(self) -> Any:
        return _invoke(_Attr("real"), ".real", (self,), {})

    @real.setter
    def real(self, value: Any) -> None:
        _invoke(_SetAttr("real"), ".real=", (self, value), {}, writes=(self,))

    @property
    def imag(self) -> Any:
        return _invoke(_Attr("imag"), ".imag", (self,), {})

    @imag.setter
    def imag(self, value: Any) -> None:
        _invoke(_SetAttr("imag"), ".imag=", (self, value), {}, writes=(self,))

    @property
    def flat(self) -> Any:
        _soft("`.flat`")
        return np.ndarray.view(self, np.ndarray).flat

    @property
    def shape(self) -> Any:
        return np.ndarray.shape.__get__(self)

    @shape.setter
    def shape(self, value: Any) -> None:
        _soft("setting `.shape` in place")
        np.ndarray.shape.__set__(self, value)  # type: ignore[attr-defined]  # a property


def _method(name: str) -> Callable[..., Any]:
    call = _Method(name, ())

    def method(self: _Rec, *args: Any, **kwargs: Any) -> Any:
        return _invoke(call, f".{name}()", (self, *args), kwargs)

    method.__name__ = name
    return method


def _writing_method(name: str) -> Callable[..., None]:
    """A method that writes into the array it is called on (``x.sort()``)."""
    call = _Method(name, ())

    def method(self: _Rec, *args: Any, **kwargs: Any) -> None:
        _invoke(call, name, (self, *args), kwargs, writes=(self,))

    method.__name__ = name
    return method


class _Method:
    """``_Method("sum", ())(x, *a, **k)`` is ``x.sum(*a, **k)`` (a NumPy scalar has it too)."""

    __slots__ = ("args", "name")

    def __init__(self, name: str, args: tuple[Any, ...]) -> None:
        self.name = name
        self.args = args

    def __call__(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(x, self.name)(*self.args, *args, **kwargs)

    def __eq__(self, other: object) -> bool:
        return type(other) is _Method and (other.name, other.args) == (self.name, self.args)

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"method({self.name!r})"


class _Attr:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, x: Any) -> Any:
        return getattr(x, self.name)

    def __eq__(self, other: object) -> bool:
        return type(other) is _Attr and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"attr({self.name!r})"


class _SetAttr(_Attr):
    __slots__ = ()

    def __call__(self, x: Any, value: Any = None) -> Any:
        setattr(x, self.name, value)

    def __eq__(self, other: object) -> bool:
        return type(other) is _SetAttr and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)


class _Format:
    __slots__ = ("spec",)

    def __init__(self, spec: str) -> None:
        self.spec = spec

    def __call__(self, x: Any) -> str:
        return format(x if not isinstance(x, np.ndarray) or x.ndim else x[()], self.spec)


# methods that compute (views, copies, reductions): each call is one instruction
_METHODS = [
    "all",
    "any",
    "argmax",
    "argmin",
    "argpartition",
    "argsort",
    "astype",
    "choose",
    "clip",
    "compress",
    "conj",
    "conjugate",
    "copy",
    "cumprod",
    "cumsum",
    "diagonal",
    "dot",
    "flatten",
    "max",
    "mean",
    "min",
    "nonzero",
    "prod",
    "ptp",
    "ravel",
    "repeat",
    "reshape",
    "round",
    "searchsorted",
    "squeeze",
    "std",
    "sum",
    "swapaxes",
    "take",
    "trace",
    "transpose",
    "var",
    "view",
    "__copy__",
    "__deepcopy__",
]
for _name in _METHODS:
    setattr(_Rec, _name, _method(_name))
for _name in ("fill", "sort", "partition", "put"):
    setattr(_Rec, _name, _writing_method(_name))


# Python's operators on a captured NumPy scalar (a 0-d result) are recorded as themselves:
# NumPy's scalar arithmetic, which they run, can differ from the ufunc's in the last bit for
# complex numbers, and a replay must repeat the eager step exactly. On arrays they stay
# ndarray's own, which call the ufunc (recorded as such, the faster call in a plan).
def _binary_operator(fn: Any, symbol: str, name: str) -> Any:
    reflected = name.startswith("__r")
    array_op = getattr(np.ndarray, name)

    def op(self: _Rec, other: Any) -> Any:
        if not isinstance(self._raw, np.generic):
            return array_op(self, other)
        args = (other, self) if reflected else (self, other)
        return _invoke(fn, symbol, args, {})

    return op


def _inplace_operator(fn: Any, symbol: str, name: str) -> Any:
    array_op = getattr(np.ndarray, name)

    def op(self: _Rec, other: Any) -> Any:
        if not isinstance(self._raw, np.generic):
            return array_op(self, other)
        return _invoke(fn, symbol, (self, other), {}, writes=(self,))

    return op


def _unary_operator(fn: Any, symbol: str, name: str) -> Any:
    array_op = getattr(np.ndarray, name)

    def op(self: _Rec) -> Any:
        if not isinstance(self._raw, np.generic):
            return array_op(self)
        return _invoke(fn, symbol, (self,), {})

    return op


# Python's binary operators (`__add__`, `__radd__`, `__iadd__`, ...), by name and symbol
_BINARY_OPERATORS = (
    ("add", "+"),
    ("sub", "-"),
    ("mul", "*"),
    ("truediv", "/"),
    ("floordiv", "//"),
    ("mod", "%"),
    ("pow", "**"),
    ("matmul", "@"),
    ("and", "&"),
    ("or", "|"),
    ("xor", "^"),
    ("lshift", "<<"),
    ("rshift", ">>"),
)
for _name, _symbol in _BINARY_OPERATORS:
    _fn = getattr(operator, f"{_name}_" if _name in ("and", "or") else _name)
    setattr(_Rec, f"__{_name}__", _binary_operator(_fn, _symbol, f"__{_name}__"))
    setattr(_Rec, f"__r{_name}__", _binary_operator(_fn, _symbol, f"__r{_name}__"))
    _ifn = getattr(operator, f"i{_name}")
    setattr(_Rec, f"__i{_name}__", _inplace_operator(_ifn, _symbol + "=", f"__i{_name}__"))
for _name, _symbol in (
    ("lt", "<"),
    ("le", "<="),
    ("gt", ">"),
    ("ge", ">="),
    ("eq", "=="),
    ("ne", "!="),
):
    _fn = getattr(operator, _name)
    setattr(_Rec, f"__{_name}__", _binary_operator(_fn, _symbol, f"__{_name}__"))
for _name, _symbol in (("neg", "-x"), ("pos", "+x"), ("abs", "abs"), ("invert", "~")):
    setattr(
        _Rec, f"__{_name}__", _unary_operator(getattr(operator, _name), _symbol, f"__{_name}__")
    )

# NumPy functions that write into their first argument (and return None)
_WRITE_FIRST = {"copyto", "put", "place", "putmask", "fill_diagonal", "put_along_axis"}
_DATA_SHAPED = {"nonzero", "flatnonzero", "argwhere", "unique", "unique_values"}
_DATA_SHAPED |= {"unique_counts", "unique_inverse", "unique_all", "compress", "extract"}
_REFUSED_FUNCTIONS = {"save", "savez", "savetxt", "array2string", "array_repr", "array_str"}
_METADATA = {
    np.shape,
    np.ndim,
    np.size,
    np.result_type,
    np.iscomplexobj,
    np.isrealobj,
    np.may_share_memory,
    np.shares_memory,
}


def _data_dependent_key(key: Any) -> bool:
    keys = key if type(key) is tuple else (key,)
    return any(isinstance(k, np.ndarray) and k.dtype == bool for k in keys)


# -- the recorder ----------------------------------------------------------------------------
class _Const:
    """A constant argument of an instruction (any Python object)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class _Instr:
    __slots__ = (
        "args",
        "fn",
        "guard",
        "hoist",
        "kwargs",
        "line",
        "multi",
        "name",
        "outs",
        "reads",
        "writes",
    )

    def __init__(
        self,
        fn: Any,
        name: str,
        args: Any,
        kwargs: Any,
        outs: tuple[int, ...] | None,
        reads: set[int],
        writes: tuple[int, ...],
        line: str,
    ) -> None:
        self.fn = fn
        self.name = name
        self.args = args  # templates: ints are slots (wrapped in _S), anything else constant
        self.kwargs = kwargs
        self.outs = outs  # result slots (None: the result is not kept)
        self.reads = reads
        self.writes = writes
        self.line = line
        self.guard: tuple[str, Any, Any] | None = None  # (kind, check fn, value)
        self.hoist = False  # a value guard checked where its value is made (see `code`)
        self.multi = False  # the call returns a tuple or list of arrays (`np.nonzero`)


class _S:
    """A slot reference inside an instruction's argument template."""

    __slots__ = ("n",)

    def __init__(self, n: int) -> None:
        self.n = n


_SMALL = 1 << 20  # sources up to this many bytes are kept, to compare values at replay


class _Value:
    """What a source array held when a capture began: a digest of its bytes (to tell two
    captures' values apart), the array object itself and, for small arrays (and raw NumPy
    arguments, which have no version counter), a copy to compare a new object against."""

    __slots__ = ("copy", "digest", "obj", "version")

    def __init__(self, raw: Any, *, keep: bool) -> None:
        a = np.ascontiguousarray(_host_copy(raw) if _is_torch(raw) else raw)
        h = hashlib.blake2b(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.reshape(-1).view(np.uint8).data)
        self.digest = h.digest()
        self.obj = raw
        self.version: int | None = None
        self.copy = np.array(a) if keep or a.nbytes <= _SMALL else None

    def holds(self, current: Any, version: int | None) -> bool:
        """Whether ``current`` (a source's array at replay) holds the captured values."""
        if current is self.obj and version is not None and version == self.version:
            return True  # the same array, unchanged through agrad since the capture
        c = self.copy
        if c is None:
            return False
        now = _host_copy(current) if _is_torch(current) else np.ascontiguousarray(current)
        return bool(now.dtype == c.dtype and now.shape == c.shape and now.tobytes() == c.tobytes())


class _Recorder:
    def __init__(self, arg_tensors: dict[int, int]) -> None:
        self.thread = threading.get_ident()
        self.instrs: list[_Instr] = []
        self.n = 0
        self.sources: list[tuple[str, Any]] = []  # slot -> ("arg", i) / ("tensor", t) / ...
        self.source_values: list[_Value | None] = []  # what each source held at the start
        self.source_slots: dict[int, int] = {}  # slot -> index into sources
        self.const_slots: dict[int, int] = {}  # id(constant array) -> slot
        self.consts: list[Any] = []  # keeps constant arrays alive (ids stay unique)
        self.const_wrappers: dict[int, _Rec] = {}
        self.roots: dict[int, int] = {}  # slot -> id of the root buffer
        self.kinds: dict[int, tuple[Any, Any, Any]] = {}  # slot -> (type, shape, dtype)
        self.root_objs: list[Any] = []
        self.external_roots: set[int] = set()  # buffers the caller sees (sources)
        self.mutated_roots: set[int] = set()
        # constants by the storage they live in, and their contents before the step first
        # wrote into that storage (a plan must start from those, not from what the capture
        # left there)
        self.const_by_root: dict[int, list[int]] = {}
        self.const_before_write: dict[int, Any] = {}
        self.external_write: str | None = None  # the first write the caller can see
        self.slots_before_write = -1  # slots made before that write (-1: none yet)
        self.arg_tensors = arg_tensors  # id(tensor) -> argument index
        self.touched: dict[int, _Touched] = {}  # pre-existing tensors the step used
        self.new_tensors: dict[int, weakref.ref[Any]] = {}  # made during the step
        self.unsupported: str | None = None
        self.refused: str | None = None
        self.raw_args: list[Any] = []
        # the library the step computes with ("numpy" or "torch"), set by its first array
        self.lib: str | None = None
        self.tslots: dict[int, int] = {}  # id(torch tensor) -> slot (torch has no wrapper)
        self.tkeep: list[Any] = []  # those tensors, alive, so that their ids stay theirs
        self.host_roots: set[int] = set()  # torch storages made from NumPy arrays
        self.torch_mode = False  # torch calls are recorded (torch was imported at the start)
        self.jax = False  # it uses a tensor on a JAX device: the next capture traces it

    def slot_of(self, x: Any) -> int | None:
        """The slot of a recorded array (a :class:`_Rec`, or a torch tensor), if any."""
        if isinstance(x, _Rec):
            return x._ref
        return self.tslots.get(id(x))

    def uses(self, lib: str) -> bool:
        """Whether the step computes with ``lib``; a second library refuses the capture."""
        if self.lib is None:
            self.lib = lib
        if self.lib != lib and self.unsupported is None:
            self.unsupported = f"it computes with both {self.lib} and {lib} arrays"
        if lib == "torch" and not self.torch_mode and self.unsupported is None:
            # its calls so far went unrecorded; the next capture records them
            self.unsupported = "torch was first imported during the capture"
        return self.lib == lib and self.unsupported is None

    # slots
    def _root(self, raw: Any) -> int:
        b = raw
        while isinstance(b, np.ndarray) and b.base is not None:
            b = b.base
        self.root_objs.append(b)
        return id(b)

    def new_slot(self, raw: Any) -> Any:
        n = self.n
        self.n += 1
        if _is_torch(raw):  # the tensor itself: the mode sees every call made on it
            self.uses("torch")
            self.kinds[n] = (type(raw), tuple(raw.shape), raw.dtype)
            self.roots[n] = _storage_root(raw)
            self.tslots[id(raw)] = n
            self.tkeep.append(raw)
            return raw
        self.kinds[n] = (type(raw), np.shape(raw), raw.dtype)
        if isinstance(raw, np.ndarray):
            w = raw.view(_Rec)
            self.roots[n] = self._root(raw)
        else:  # a NumPy scalar: a 0-d array while captured, the scalar itself at replay
            w = np.asarray(raw).view(_Rec)
            self.roots[n] = -n - 1  # its own (immutable) storage
        w._ref = n
        w._raw = raw
        return w

    def source(self, kind: str, what: Any, raw: Any) -> Any:
        w = self.new_slot(raw)
        n = self.slot_of(w)
        assert n is not None
        self.source_slots[n] = len(self.sources)
        self.sources.append((kind, what))
        raw_arg = kind == "arg" and not hasattr(self.raw_args[what], "_dev")
        self.source_values.append(_Value(raw, keep=raw_arg))
        self.external_roots.add(self.roots[n])
        return w

    def const_slot(self, raw: Any) -> int:
        n = self.const_slots.get(id(raw))
        if n is None:
            b = raw
            while isinstance(b, np.ndarray) and b.base is not None:
                b = b.base
                if isinstance(b, _Rec):
                    _refuse_use(
                        "a NumPy array made from a captured array outside NumPy's protocols "
                        "(`np.asarray` of it, or a function that strips array subclasses)"
                    )
            w = self.new_slot(raw)
            n = self.slot_of(w)
            assert n is not None
            self.const_slots[id(raw)] = n
            self.const_wrappers[n] = w
            self.consts.append(raw)
            self.const_by_root.setdefault(self.roots[n], []).append(n)
            self.source_slots[n] = len(self.sources)
            self.sources.append(("const", raw))
            self.source_values.append(None)
        return n

    # templates
    def template(self, x: Any, reads: set[int], line: str) -> Any:
        """(template, raw value) of an argument."""
        if isinstance(x, _Rec):
            n = x._ref
            if n is None:
                _refuse_use(
                    "an array made by a NumPy call `agrad.compile` does not see (an ndarray "
                    "method or attribute it does not record)"
                )
            reads.add(n)
            return _S(n), x._raw if x._raw is not None else np.ndarray.view(x, np.ndarray)
        t = type(x)
        if t is np.ndarray:
            n = self.const_slot(x)
            reads.add(n)
            if self.lib == "torch":
                # a torch call on a NumPy array (`torch.as_tensor(a)`) may share its memory:
                # each replay starts from a fresh copy, and a write through it is refused
                self.mutated_roots.add(self.roots[n])
            return _S(n), x
        if _is_torch(x):
            n = self.tslots.get(id(x))
            if n is None:
                n = self.const_slot(x)
            reads.add(n)
            return _S(n), x
        if t is tuple or t is list:
            pairs = [self.template(e, reads, line) for e in x]
            tmpl = [p[0] for p in pairs]
            raws = [p[1] for p in pairs]
            return (tuple(tmpl) if t is tuple else tmpl), (tuple(raws) if t is tuple else raws)
        if t is dict:
            d = {k: self.template(v, reads, line) for k, v in x.items()}
            return {k: p[0] for k, p in d.items()}, {k: p[1] for k, p in d.items()}
        if isinstance(x, np.ndarray):  # another subclass (a masked array): not captured
            _refuse_use(f"an array of type {type(x).__name__}")
        if isinstance(x, Tensor):
            _refuse_use("a Tensor passed to a raw NumPy call")
        return _Const(x), x


class _Touched:
    """A tensor that existed before the capture and that the step used."""

    __slots__ = (
        "array",
        "grad",
        "grad_fn",
        "grad_read",
        "grad_reset",
        "hooks",
        "rg",
        "t",
        "vc",
        "wrapper",
    )

    def __init__(self, t: Any, array: Any) -> None:
        self.t = t
        self.array = array  # its array before the step
        self.wrapper: Any = None
        self.grad = t.__dict__.get("_grad")
        # `.grad` read through the property before any write; `.grad` set before the step
        # computed anything or read it (`p.grad = None`, `opt.zero_grad()` first): then the
        # state the step finds it in cannot matter, and the plan does not check it
        self.grad_read = False
        self.grad_reset = False
        # the version, not the counter: holding the counter would look like a graph node
        # that saved the array, and make an in-place update copy it (`copy_on_write`)
        self.vc = t._vc[0]
        self.rg = t._rg
        self.grad_fn = t._grad_fn
        self.hooks = hook_state(t)


_SCALARS = (bool, int, float, complex, str, bytes, type(None))


def python_state(fn: Any) -> list[tuple[Any, str, Any]]:
    """The Python numbers and strings the step's own code reads from its module's globals
    and its closure (a learning rate ``LR = 0.1``, a flag), as (where, name, value): a plan
    holds them as constants, so a replay checks that they are unchanged. (Values reached
    through objects, ``self.lr``, are not seen.)"""
    fn = getattr(fn, "__func__", fn)
    code = getattr(fn, "__code__", None)
    if code is None:
        return []
    names: set[str] = set()
    todo = [code]
    while todo:  # the function's code and the code nested in it (comprehensions, lambdas)
        c = todo.pop()
        names.update(c.co_names)
        todo.extend(k for k in c.co_consts if hasattr(k, "co_names"))
    found: list[tuple[Any, str, Any]] = []
    module = fn.__globals__
    for name in sorted(names):
        value = module.get(name, _ABSENT)
        if type(value) in _SCALARS:
            found.append((module, name, value))
    for name, cell in zip(code.co_freevars, fn.__closure__ or (), strict=True):
        try:
            value = cell.cell_contents
        except ValueError:  # not yet bound
            continue
        if type(value) in _SCALARS:
            found.append((cell, name, value))
    return found


_ABSENT = object()


def python_state_changed(state: list[tuple[Any, str, Any]]) -> str | None:
    """The first name of ``state`` whose value is not the captured one, if any."""
    for where, name, value in state:
        now = where.get(name, _ABSENT) if type(where) is dict else where.cell_contents
        if not _same(now, value):
            return name
    return None


def live_optimizers() -> list[tuple[Any, Any]]:
    """(optimizer, its hyperparameters) of every live ``agrad.optim`` optimizer, taken when
    a capture begins."""
    module = sys.modules.get("agrad.optim._optimizer")  # not imported: no optimizer
    if module is None:
        return []
    return [(opt, hyperparameters(opt)) for opt in list(module.LIVE)]


def hyperparameters(opt: Any) -> tuple[Any, ...]:
    """What an optimizer's groups hold besides their tensors' values: the learning rate and
    the rest by value, tensors (a 0-d learning rate, a group's parameters) by identity. A
    plan holds a Python learning rate as a constant: a scheduler that changes it makes the
    replay miss, and the step is captured again with the new one."""
    return tuple(
        (
            *((k, id(v) if isinstance(v, Tensor) else v) for k, v in g.items() if k != "params"),
            tuple(map(id, g["params"])),
        )
        for g in opt.param_groups
    )


def optimizers_of(before: list[tuple[Any, Any]], used: set[int]) -> list[tuple[Any, Any]]:
    """Of the optimizers alive when a capture began, those holding a tensor the step used."""
    return [
        (opt, hp)
        for opt, hp in before
        if any(id(p) in used for g in opt.param_groups for p in g["params"])
    ]


def hook_state(t: Any) -> tuple[Any, ...] | None:
    """The hooks a backward through ``t`` calls, by identity, and whether it keeps its
    gradient (``retain_grad``); None when there are none. A plan's values are right for the
    hooks its capture ran (their effect on arrays is part of the plan), so a replay checks
    that they are still the same: a hook registered or removed later changes the gradient."""
    extra = t._extra
    node = t._grad_fn
    hooks = extra.hooks if extra is not None else None
    node_hooks = node.hooks if node is not None else None
    retain = extra is not None and extra.retain
    if not hooks and not node_hooks and not retain:
        return None
    return (tuple(map(id, hooks or ())), tuple(map(id, node_hooks or ())), retain)


def _library_dirs() -> tuple[str, ...]:
    """The folders whose code is not the user's: agrad, NumPy, and torch's and JAX's Python
    layers where they are loaded."""
    dirs = [os.path.dirname(os.path.abspath(__file__)), os.path.dirname(np.__file__)]
    for lib in ("torch", "jax"):
        file = getattr(sys.modules.get(lib), "__file__", None)
        if isinstance(file, str):
            dirs.append(os.path.dirname(file))
    return tuple(dirs)


def _located(code: Any, line: int, skip: tuple[str, ...]) -> str | None:
    """``file:line: `source``` where ``code`` is the user's, else None."""
    name = os.path.abspath(code.co_filename)
    if name.startswith(skip) or "array_api_compat" in name:
        return None
    text = linecache.getline(name, line).strip()
    return f"{name}:{line}" + (f": `{text}`" if text else "")


def _user_line() -> str:
    """The first frame outside agrad, NumPy, torch, JAX and array-api-compat: where the user
    is."""
    skip = _library_dirs()
    f = sys._getframe(1)
    while f is not None:
        where = _located(f.f_code, f.f_lineno, skip)
        if where is not None:
            return where
        f = f.f_back  # type: ignore[assignment]
    return "<unknown>"


def _user_frame(e: BaseException) -> str:
    """The last frame of ``e``'s traceback in the user's code: where it was raised from."""
    skip = _library_dirs()
    where = "<unknown>"
    for frame, line in traceback.walk_tb(e.__traceback__):
        here = _located(frame.f_code, line, skip)
        if here is not None:
            where = here
    return where


def _soft(what: str) -> None:
    """Refuse the capture under way (if any) and let the step go on eagerly."""
    rec = _rec()
    if rec is not None:
        try:
            _refuse_use(what)
        except CaptureRefusedError as e:
            rec.refused = str(e)


def _refuse_use(what: str) -> NoReturn:
    msg = (
        f"`agrad.compile` cannot capture this step: it uses {what} at {_user_line()}. "
        "Replaying it could silently reuse stale values, so the step runs eagerly; "
        "move that code out of the compiled function."
    )
    raise CaptureRefusedError(msg)


def _invoke(
    fn: Any,
    name: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    *,
    writes: Any = (),
    shape_guard: bool = False,
) -> Any:
    try:
        return _record(fn, name, args, kwargs, writes=writes, shape_guard=shape_guard)
    except CaptureRefusedError as e:  # go on eagerly: the step must still run to its end
        rec = _ACTIVE
        assert rec is not None
        rec.refused = str(e)
        return fn(*_plain(args), **_plain(kwargs))


def _record(
    fn: Any,
    name: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    *,
    writes: Any = (),
    shape_guard: bool = False,
) -> Any:
    rec = _rec()
    if rec is None:  # a recording array outliving its capture: behave as NumPy does
        return fn(*_plain(args), **_plain(kwargs))
    reads: set[int] = set()
    line = ""
    targs, rargs = rec.template(args, reads, line)
    tkw, rkw = rec.template(kwargs, reads, line)
    write_slots: list[int] = []
    for w in writes if isinstance(writes, tuple) else (writes,):
        if isinstance(w, _Rec) and w._ref is not None:
            if not isinstance(w._raw, np.ndarray):  # `s += 1` on a NumPy scalar: rebinds
                if "out" in rkw:
                    del rkw["out"], tkw["out"]
                continue
            write_slots.append(w._ref)
        elif isinstance(w, np.ndarray) and not isinstance(w, _Rec):
            # a NumPy array no tensor holds (a buffer the caller keeps): a replay would
            # write into a copy, or into it without the code around the write; refused
            _refuse_use(
                f"`{name}` writing into a NumPy array that is neither an argument nor a "
                "tensor's (pass it as an argument, or keep it in a tensor)"
            )
    _note_writes(rec, write_slots)
    result = fn(*rargs, **rkw)
    # the result: in-place calls give back their target (same slot), others new slots
    by_raw = {}
    for a in _walk(args, kwargs):
        if isinstance(a, _Rec) and a._ref is not None:
            by_raw[id(a._raw)] = a
    outs: tuple[int, ...] | None
    if isinstance(result, (np.ndarray, np.generic)):
        w = by_raw.get(id(result))
        if w is None:
            w = rec.new_slot(result)
        assert w._ref is not None
        outs = (w._ref,)
        wrapped: Any = w
    elif (
        isinstance(result, tuple)
        and result
        and all(isinstance(r, (np.ndarray, np.generic)) for r in result)
    ):
        ws = [by_raw.get(id(r)) or rec.new_slot(r) for r in result]
        outs = tuple(w._ref for w in ws)  # type: ignore[misc]
        wrapped = type(result)(*ws) if hasattr(result, "_fields") else tuple(ws)
    elif result is None or isinstance(result, (str, np.dtype, type)):
        outs, wrapped = None, result
    elif isinstance(result, (bool, int, float, complex)):
        outs, wrapped = None, result
        instr = _Instr(fn, name, targs, tkw, None, reads, tuple(write_slots), _user_line())
        _add(rec, instr)
        _guard_value(rec, instr, result, name)
        return result
    else:
        _refuse_use(f"`{name}`, which returned a {type(result).__name__}")
    instr = _Instr(fn, name, targs, tkw, outs, reads, tuple(write_slots), "")
    instr.multi = isinstance(result, tuple)
    if shape_guard or name.rpartition(".")[2] in _DATA_SHAPED:
        _guard_shape(rec, instr, result)
    _add(rec, instr)
    return wrapped


def _guard_shape(rec: _Recorder, instr: _Instr, result: Any) -> None:
    """Make ``instr``, whose result's shape depends on the values, check that shape."""
    if rec.external_write is not None:
        _refuse_late(rec, f"`{instr.name}` (its result's shape depends on the values)")
    instr.line = _user_line()
    # the plan checks the first result's shape (`np.nonzero`'s all have one length)
    first = result[0] if instr.multi else result
    instr.guard = ("shape", None, tuple(np.shape(first)))


def _note_writes(rec: _Recorder, write_slots: list[int]) -> None:
    """Keep what constants held before the step first writes into their storage."""
    for slot in write_slots:
        for c in rec.const_by_root.get(rec.roots[slot], ()):
            if c not in rec.const_before_write:
                rec.const_before_write[c] = _fresh_copy(rec.sources[rec.source_slots[c]][1])


def _fresh_copy(a: Any) -> Any:
    return _clone(a) if _is_torch(a) else np.array(a)


def _walk(args: Any, kwargs: Any) -> Iterator[Any]:
    stack = [args, kwargs]
    while stack:
        x = stack.pop()
        if type(x) in (tuple, list):
            stack.extend(x)
        elif type(x) is dict:
            stack.extend(x.values())
        else:
            yield x


def _add(rec: _Recorder, instr: _Instr) -> None:
    for w in instr.writes:
        root = rec.roots[w]
        rec.mutated_roots.add(root)
        if root in rec.external_roots and rec.external_write is None:
            rec.external_write = f"`{instr.name}` at {_user_line()}"
            rec.slots_before_write = rec.n
    rec.instrs.append(instr)


def _refuse_late(rec: _Recorder, what: str) -> Any:
    msg = (
        f"`agrad.compile` cannot capture this step: it converts a value to Python ({what}) "
        f"at {_user_line()}, after {rec.external_write} changed an array the caller sees. A "
        "replay checks such a value to decide whether it may go on, and by then it could no "
        "longer undo that change. Return the tensor instead (`return loss`, not "
        "`loss.item()`) and convert it outside the compiled function."
    )
    raise CaptureRefusedError(msg)


def _convert(x: _Rec, fn: Any, what: str) -> Any:
    try:
        return _record_conversion(x, fn, what)
    except CaptureRefusedError as e:
        rec = _ACTIVE
        assert rec is not None
        rec.refused = str(e)
        return fn(x._raw if x._raw is not None else np.ndarray.view(x, np.ndarray))


def _record_conversion(x: _Rec, fn: Any, what: str) -> Any:
    rec = _rec()
    raw = x._raw if x._raw is not None else np.ndarray.view(x, np.ndarray)
    value = fn(raw)
    if rec is None:
        return value
    if x._ref is None:
        _refuse_use(f"{what} of an array made by a NumPy call `agrad.compile` does not see")
    ref = x._ref
    _add_conversion(rec, ref, _Instr(fn, what, (_S(ref),), {}, None, {ref}, (), ""), value)
    return value


def _add_conversion(rec: _Recorder, ref: int | None, instr: _Instr, value: Any) -> None:
    """Record ``instr``, a conversion of slot ``ref`` to Python, guarded by its ``value``."""
    instr.line = _user_line()
    if rec.external_write is not None:
        # a value made before that write and never written since (the loss, converted
        # after the optimiser's update) is checked where it was made, before the write
        if (
            ref is None
            or instr.reads != {ref}
            or ref >= rec.slots_before_write
            or rec.roots[ref] in rec.mutated_roots
        ):
            _refuse_late(rec, instr.name)
        instr.hoist = True
    _add(rec, instr)
    _guard_value(rec, instr, value, instr.name)


def _guard_value(rec: _Recorder, instr: _Instr, value: Any, what: str) -> None:
    if rec.external_write is not None and not instr.hoist:
        _refuse_late(rec, what)
    if not instr.line:
        instr.line = _user_line()
    instr.guard = ("value", None, value)


def _same(a: Any, b: Any) -> bool:
    """Equal values (NaN equals NaN; arrays by value and dtype)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return bool(
            a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
        )
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and a != a:
        return b != b  # type: ignore[no-any-return]
    if isinstance(a, complex) and a != a:
        return bool(np.isnan(a) == np.isnan(b))
    return bool(a == b)


# -- Tensor hooks during a capture -----------------------------------------------------------
def _touch(rec: _Recorder, t: Any, current: Any) -> _Touched | None:
    touched = rec.touched.get(id(t))
    if touched is None:
        lib = getattr(t._dev.backend, "name", None)
        if lib == "jax":
            rec.jax = True
        if lib not in ("numpy", "torch") or not (
            isinstance(current, (np.ndarray, np.generic)) if lib == "numpy" else _is_torch(current)
        ):
            if rec.unsupported is None:
                rec.unsupported = (
                    f"it uses a tensor on {t._dev.name!r}; replays run on NumPy arrays and "
                    "torch tensors only"
                )
            return None
        if not rec.uses(lib):
            return None
        touched = rec.touched[id(t)] = _Touched(t, current)
    return touched


def _hooks(orig: Any) -> tuple[Callable[[Any], Any], Callable[[Any, Any], None]]:
    get, put = orig.__get__, orig.__set__

    def get_array(t: Any) -> Any:
        a = get(t)
        rec = _rec()
        if rec is None or type(a) is _Rec or id(t) in rec.new_tensors or id(a) in rec.tslots:
            return a
        touched = _touch(rec, t, a)
        if touched is None:
            return a
        i = rec.arg_tensors.get(id(t))
        w = rec.source("arg", i, a) if i is not None else rec.source("tensor", t, a)
        value = rec.source_values[-1]
        assert value is not None
        value.version = touched.vc
        if touched.wrapper is None:
            touched.wrapper = w
        put(t, w)
        return w

    def set_array(t: Any, value: Any) -> None:
        rec = _rec()
        if rec is not None:
            try:
                current = get(t)
            except AttributeError:  # a tensor being made
                rec.new_tensors[id(t)] = weakref.ref(t)
            else:
                if id(t) not in rec.new_tensors:
                    _touch(rec, t, current)
            if type(value) is np.ndarray:  # a constant put into a tensor: track its writes
                value = rec.const_wrappers[rec.const_slot(value)]
            elif _is_torch(value) and id(value) not in rec.tslots:
                rec.const_slot(value)
        put(t, value)

    return get_array, set_array


_RECORDED_NAMESPACE = ("asarray", "broadcast_to")


def _recorded_as_itself(fn: Any, name: str) -> Callable[..., Any]:
    """``fn`` (a function of the NumPy namespace) recorded as one call when its first argument
    is captured: the plan calls ``fn`` itself, on a plain array, as eagerly."""

    def recorded(x: Any, /, *args: Any, **kwargs: Any) -> Any:
        if isinstance(x, _Rec):
            return _invoke(fn, name, (x, *args), kwargs)
        return fn(x, *args, **kwargs)

    return recorded


class _BackendHooks:
    """The NumPy backend's methods that would strip :class:`_Rec` (``np.asarray``,
    ``np.array(x, copy=True)``), recorded instead while capturing."""

    def __init__(self) -> None:
        self.cls = type(get_backend("numpy"))
        # the backend's functional_setitem and scatter_add copy through `copy`
        self.saved = {n: self.cls.__dict__[n] for n in ("ensure_array", "copy")}
        # namespace functions recorded as themselves: `asarray` (`agrad.asarray(a)` of a raw
        # argument; array-api-compat's `np.array(a, subok=False)` copies a recording array's
        # values out of sight) and `broadcast_to` (for a plain array it makes the view itself,
        # with strides of its own: a plan calls it too, to give eager's layout)
        self.ns = get_backend("numpy").xp
        self.ns_saved = {n: getattr(self.ns, n) for n in _RECORDED_NAMESPACE}
        _FOLDABLE_FUNCTIONS.add(self.ns_saved["broadcast_to"])  # as numpy.broadcast_to is

    def install(self) -> None:
        orig_ensure, orig_copy = self.saved["ensure_array"], self.saved["copy"]

        def ensure_array(backend: Any, x: Any, /) -> Any:
            if isinstance(x, _Rec):  # a NumPy scalar becomes a 0-d array, as eagerly
                return (
                    x
                    if isinstance(x._raw, np.ndarray)
                    else _invoke(np.asarray, "asarray", (x,), {})
                )
            return orig_ensure(backend, x)

        def copy(backend: Any, x: Any, /) -> Any:
            if isinstance(x, _Rec):
                return _invoke(_copy_of, "copy", (x,), {})
            y = orig_copy(backend, x)
            rec = _rec()
            return rec.const_wrappers[rec.const_slot(y)] if rec is not None else y

        self.cls.ensure_array = ensure_array
        self.cls.copy = copy
        for name, fn in self.ns_saved.items():
            setattr(self.ns, name, _recorded_as_itself(fn, name))

    def remove(self) -> None:
        for name, fn in self.saved.items():
            setattr(self.cls, name, fn)
        for name, fn in self.ns_saved.items():
            setattr(self.ns, name, fn)


def _grad_hook(orig: Any, desc: Any) -> property:
    """``Tensor.grad`` while capturing: reading or setting it counts as using the tensor
    (so that its ``.grad`` before the step is what the plan checks), unless the step sets it
    before reading it or computing anything (then the plan need not check it)."""

    def get_grad(t: Any) -> Any:
        rec = _rec()
        if rec is not None and id(t) not in rec.new_tensors:
            touched = _touch(rec, t, desc.__get__(t))
            if touched is not None:
                touched.grad_read = True
        return orig.fget(t)

    def set_grad(t: Any, value: Any) -> None:
        rec = _rec()
        if rec is not None and id(t) not in rec.new_tensors:
            touched = _touch(rec, t, desc.__get__(t))
            if touched is not None and not touched.grad_read and not rec.instrs:
                touched.grad_reset = True
        orig.__set__(t, value)

    return property(get_grad, set_grad, orig.fdel, orig.__doc__)


def _tensor_array(self: Any, dtype: Any = None, copy: Any = None) -> Any:
    """``Tensor.__array__`` while capturing: the values, guarded by value."""
    rec = _rec()
    a = self._array
    if rec is None or not isinstance(a, _Rec):
        return np.asarray(_plain(a), dtype=dtype)
    value = _convert(a, _copy_of, "`__array__` (`np.asarray(tensor)`)")
    return value if dtype is None else value.astype(dtype)


def _copy_of(x: Any) -> Any:
    return np.array(x, copy=True)


# -- torch: the same recording, fed by a TorchFunctionMode ------------------------------------
def _is_torch(x: Any) -> bool:
    torch = sys.modules.get("torch")  # a capture never imports torch
    return torch is not None and isinstance(x, torch.Tensor)


def _is_jax(x: Any) -> bool:
    jax = sys.modules.get("jax")
    return jax is not None and isinstance(x, jax.Array)


def _unrecorded() -> Any:
    """A context in which torch calls pass the recording mode (the capture's own reads)."""
    return sys.modules["torch"]._C.DisableTorchFunction()


def _storage_root(t: Any) -> int:
    """The identity of a tensor's storage (its views share it)."""
    with _unrecorded():
        return int(t.untyped_storage()._cdata)


def _host_copy(t: Any) -> Any:
    with _unrecorded():
        return t.detach().resolve_conj().resolve_neg().cpu().numpy().copy()


def _clone(t: Any) -> Any:
    with _unrecorded():
        return t.clone()


# what a torch call on tensors reads without computing (passed through, not recorded)
_TORCH_METADATA = {
    "size",
    "dim",
    "ndimension",
    "numel",
    "nelement",
    "stride",
    "storage_offset",
    "is_contiguous",
    "is_complex",
    "is_floating_point",
    "is_signed",
    "is_conj",
    "is_neg",
    "element_size",
    "get_device",
    "untyped_storage",
    "data_ptr",
    "result_type",
    "promote_types",
    "can_cast",
    "is_tensor",
    "is_same_size",
    "__len__",
}
# properties that are views of the tensor (recorded); the others are metadata
_TORCH_VIEW_ATTRS = {"T", "mT", "H", "mH", "real", "imag", "data"}
_TORCH_CONVERSIONS = {
    "__bool__": "bool()",
    "__int__": "int()",
    "__float__": "float()",
    "__complex__": "complex()",
    "__index__": "__index__",
    "item": "item()",
    "tolist": "tolist()",
    "__format__": "__format__",
    "__repr__": "repr()",
    "__str__": "str()",
    "numpy": "`numpy()` (the values as a NumPy array)",
    "__array__": "`__array__` (`np.asarray(tensor)`)",
}
_TORCH_INPLACE_DUNDERS = {"__setitem__"} | {f"__i{name}__" for name, _ in _BINARY_OPERATORS}
_TORCH_REFUSED = {"__dlpack__", "__reduce_ex__", "__setstate__", "storage", "share_memory_"}
_TORCH_DATA_SHAPED = {"nonzero", "argwhere", "masked_select", "unique", "unique_consecutive"}
_TORCH_DATA_SHAPED |= {"repeat_interleave", "nonzero_static"}
_TORCH_MODE: Any = None


def _torch_mode() -> Any:
    """The TorchFunctionMode that records torch calls into the active capture (made once)."""
    global _TORCH_MODE
    if _TORCH_MODE is None:
        from torch.overrides import TorchFunctionMode

        class _TorchRecording(TorchFunctionMode):
            def __torch_function__(
                self, func: Any, types: Any, args: Any = (), kwargs: Any = None
            ) -> Any:
                return _torch_call(func, args, kwargs or {})

        _TORCH_MODE = _TorchRecording
    return _TORCH_MODE()


def _torch_call(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    rec = _rec()
    if rec is None:
        return func(*args, **kwargs)
    name = getattr(func, "__name__", "")
    if name == "__get__":  # a property: `.shape`, `.dtype` pass; `.T`, `.real` are views
        attr = getattr(getattr(func, "__self__", None), "__name__", "")
        if attr not in _TORCH_VIEW_ATTRS:
            return func(*args, **kwargs)
        func, name = _Attr(attr), f".{attr}"
    elif name == "__set__":
        attr = getattr(getattr(func, "__self__", None), "__name__", "")
        _soft(f"setting `.{attr}` of a torch tensor")
        return func(*args, **kwargs)
    elif name in _TORCH_METADATA:
        return func(*args, **kwargs)
    if not rec.uses("torch"):
        return func(*args, **kwargs)
    if name in _TORCH_REFUSED:
        _soft(f"`{name}` of a torch tensor")
        return func(*args, **kwargs)
    if name in _TORCH_CONVERSIONS and args and _is_torch(args[0]):
        return _torch_conversion(rec, func, args, kwargs, _TORCH_CONVERSIONS[name])
    if name == "__iter__" and args and _is_torch(args[0]) and args[0].dim() > 0:
        # the rows, as torch makes them: one recorded `unbind`
        return iter(_torch_call(type(args[0]).unbind, (args[0],), {}))
    try:
        return _record_torch(rec, func, name, args, kwargs)
    except CaptureRefusedError as e:  # go on eagerly: the step must still run to its end
        rec.refused = str(e)
        return func(*args, **kwargs)


def _torch_conversion(
    rec: _Recorder, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], what: str
) -> Any:
    value = func(*args, **kwargs)
    if rec.refused is not None:
        return value
    try:
        reads: set[int] = set()
        targs, _ = rec.template(args, reads, "")
        tkw, _ = rec.template(kwargs, reads, "")
        # `numpy()` shares the tensor's memory: the guard keeps a copy
        value_seen = np.array(value) if isinstance(value, np.ndarray) else value
        instr = _Instr(func, what, targs, tkw, None, reads, (), "")
        _add_conversion(rec, rec.slot_of(args[0]), instr, value_seen)
    except CaptureRefusedError as e:
        rec.refused = str(e)
    return value


def _torch_writes(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """The tensors a torch call writes into: in-place methods (``add_``, ``x += y``,
    ``x[k] = v``) write their first argument, ``out=`` its tensors."""
    writes: list[Any] = []
    inplace = name.endswith("_") and not name.endswith("__")
    inplace = inplace or name in _TORCH_INPLACE_DUNDERS or kwargs.get("inplace") is True
    if inplace and args:  # `relu(x, inplace=True)`; `_foreach_add_(xs, ...)` writes a list
        first = args[0]
        targets = first if isinstance(first, (list, tuple)) else (first,)
        writes += [t for t in targets if _is_torch(t)]
    out = kwargs.get("out")
    if out is not None:
        writes += [o for o in (out if isinstance(out, (tuple, list)) else (out,)) if _is_torch(o)]
    return tuple(writes)


def _record_torch(
    rec: _Recorder, func: Any, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    reads: set[int] = set()
    targs, _ = rec.template(args, reads, "")
    tkw, _ = rec.template(kwargs, reads, "")
    write_slots: list[int] = []
    for w in _torch_writes(name, args, kwargs):
        slot = rec.slot_of(w)
        if slot is None or rec.roots[slot] in rec.const_by_root:
            # a tensor the step neither received nor made (a buffer the caller keeps): a
            # replay would write into a copy of it
            _refuse_use(
                f"`{name}` writing into a torch tensor that is neither an argument nor a "
                "tensor's (pass it as an argument, or keep it in a tensor)"
            )
        if rec.roots[slot] in rec.host_roots:
            _refuse_use("a write into a torch tensor that shares memory with a NumPy array")
        write_slots.append(slot)
    _note_writes(rec, write_slots)
    from_host = any(isinstance(a, np.ndarray) for a in _walk(args, kwargs))
    result = func(*args, **kwargs)
    inputs = {id(a) for a in _walk(args, kwargs) if _is_torch(a)}

    def slot_for(r: Any) -> int:
        n = rec.tslots.get(id(r)) if id(r) in inputs else None
        if n is None:
            rec.new_slot(r)
            n = rec.tslots[id(r)]
            if from_host:
                rec.host_roots.add(rec.roots[n])
        return n

    outs: tuple[int, ...] | None
    if _is_torch(result):
        outs = (slot_for(result),)
    elif isinstance(result, (tuple, list)) and result and all(_is_torch(r) for r in result):
        outs = tuple(slot_for(r) for r in result)
    elif result is None or isinstance(result, (str, type)) or type(result).__module__ == "torch":
        outs = None  # `x[k] = v`, a dtype, a device, a torch.Size
    elif isinstance(result, (bool, int, float, complex)):
        instr = _Instr(func, name, targs, tkw, None, reads, tuple(write_slots), _user_line())
        _add(rec, instr)
        _guard_value(rec, instr, result, f"`{name}`")
        return result
    else:
        _refuse_use(f"`{name}`, which returned a {type(result).__name__}")
    instr = _Instr(func, name, targs, tkw, outs, reads, tuple(write_slots), "")
    instr.multi = isinstance(result, (tuple, list))
    bool_key = name == "__getitem__" and any(
        _is_torch(k) and k.dtype == sys.modules["torch"].bool for k in _walk(args[1:2], {})
    )
    if name in _TORCH_DATA_SHAPED or bool_key:
        _guard_shape(rec, instr, result)
    _add(rec, instr)
    return result


# -- the plan --------------------------------------------------------------------------------
class _Plan:
    """One capture: straight-line code, its constants, and how results are put back."""

    def __init__(self) -> None:
        self.source = ""
        self.run_code: Callable[..., Any] | None = None  # made from the source once verified
        self.ns: dict[str, Any] = {}
        self.signature: tuple[Any, ...] = ()
        self.verified = False
        self.out_tree: Any = None
        self.sinks: list[tuple[str, Any, Any]] = []  # (how, where, slot index in result)
        self.vc_bumps: list[tuple[Any, int]] = []
        self.n_instrs = 0
        self.n_dropped = 0
        self.n_folded = 0
        self.n_fused = 0  # calls replaced by fused loops
        self.torch_compile = False  # a torch plan run through torch.compile (fuse=True)
        self.jaxpr = False  # a JAX step traced to a jaxpr, run through jax.jit
        # the optimizers whose parameters the step uses, with their hyperparameters when
        # the capture began: a replay needs the same
        self.optimizers: list[tuple[Any, Any]] = []
        self.python_state: list[tuple[Any, str, Any]] = []  # read by the step's own code
        self.plain_code: Callable[..., Any] | None = None  # the plan as written, uncompiled
        # the arrays the plan reads from its arguments and tensors, with what they held when
        # the newest matching capture began; `steady[i]`: input i held the same values in
        # every capture that gave this plan, so its code may have taken values computed
        # from it (by library code that leaves NumPy's protocols) for constants, and a
        # replay must check that it still holds them
        self.inputs: list[tuple[str, Any, _Value]] = []
        self.steady: list[bool] = []

    def verify(self, newer: _Plan) -> None:
        """A later capture gave this plan again: its inputs that differ were seen to vary."""
        pairs = zip(self.inputs, newer.inputs, strict=True)
        same = [a[2].digest == b[2].digest for a, b in pairs]
        if self.verified:
            same = [s and t for s, t in zip(self.steady, same, strict=True)]
        self.steady = same
        self.inputs = newer.inputs
        self.optimizers = newer.optimizers
        self.python_state = newer.python_state
        self.verified = True

    def check_inputs(self, flat: list[Any]) -> None:
        for (kind, what, value), steady in zip(self.inputs, self.steady, strict=True):
            if not steady:
                continue
            obj = flat[what] if kind == "arg" else what
            if hasattr(obj, "_dev"):
                current, version = obj._array, obj._vc[0]
            else:
                current, version = obj, None
            if not value.holds(current, version):
                where = f"argument {what}" if kind == "arg" else "a tensor the step uses"
                msg = (
                    f"the values of {where}: the captures saw the same values there, and the "
                    "plan is checked for those only until a capture sees others"
                )
                raise _Miss(msg)

    def check_state(self) -> None:
        name = python_state_changed(self.python_state) if self.python_state else None
        if name is not None:
            was = next(v for _, n, v in self.python_state if n == name)
            msg = f"`{name}`, a Python value the step reads, is no longer {was!r}"
            raise _Miss(msg)
        for opt, hp in self.optimizers:
            if hyperparameters(opt) != hp:
                msg = "the hyperparameters of an optimizer the step uses (its learning rate...)"
                raise _Miss(msg)

    def run(self, flat: list[Any]) -> Any:
        if self.optimizers or self.python_state:
            self.check_state()
        if any(self.steady):
            self.check_inputs(flat)
        code = self.run_code
        # torch's compiler, made and first called, imports modules that warn of torch's
        # own internals: silenced then, and not at every replay
        quiet = _without_deprecations() if code is None and self.torch_compile else None
        if code is None:
            # compiled at its first replay: a capture that is never verified costs no compile
            filename = f"<agrad.compile plan {id(self):x}>"
            exec(builtins.compile(self.source, filename, "exec"), self.ns)  # our own code
            code = self.plain_code = self.ns["_plan"]
            if quiet is not None:  # fuses the plan's straight-line torch calls into kernels
                with _without_deprecations():
                    code = sys.modules["torch"].compile(code, dynamic=False)
            self.run_code = code
        written = [False]  # set by the plan just before its first write the caller sees
        try:
            with np.errstate(all="ignore"), quiet or contextlib.nullcontext():
                values = code(flat, written)
        except _Miss:
            raise
        except Exception as e:
            if written[0]:
                raise
            if self.run_code is not self.plain_code:
                # torch.compile failed on this plan, or the call fails anyway: the plan as
                # written runs it, and takes over if it does not fail
                compiled_code, self.run_code = self.run_code, self.plain_code
                try:
                    return self.run(flat)
                except _Raised:
                    self.run_code = compiled_code
                    raise
            raise _Raised(repr(e)) from e
        return self.finish(values, flat)

    def finish(self, values: Any, flat: list[Any]) -> Any:
        """Put a replay's values where the eager step put them; the step's result."""
        made: dict[int, Any] = {}  # one tensor per value, as eagerly (`step()[0] is p.grad`)
        for kind, where, extra in self.sinks:
            obj = _resolve(where, flat)
            if kind == "array":
                v = values[extra]
                obj._array = np.asarray(v) if isinstance(v, np.generic) else v
            elif kind == "grad":
                obj._grad = _rebuild(extra, values, flat, made)
        for where, delta in self.vc_bumps:
            _resolve(where, flat)._vc[0] += delta
        return _rebuild(self.out_tree, values, flat, made)


@contextlib.contextmanager
def _without_deprecations() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def tensor_paths(touched: Any, flat: list[Any], arg_kinds: list[str]) -> dict[int, Any]:
    """How a replay reaches each tensor that existed before the step (by id): an argument
    ``("arg", i)``, the ``.grad`` of one ``("grad", path)``, or the object ``("obj", t)``
    (absent here)."""
    paths: dict[int, Any] = {}
    for i, x in enumerate(flat):
        if arg_kinds[i] == "tensor":
            paths[id(x)] = ("arg", i)
    for _ in range(3):  # grads of grads are rare; three levels are plenty
        for tt in touched:
            owner = paths.get(id(tt.t))
            if owner is not None and tt.grad is not None and id(tt.grad) not in paths:
                paths[id(tt.grad)] = ("grad", owner)
        for tt in touched:
            if tt.grad is not None and id(tt.grad) not in paths:
                paths[id(tt.grad)] = ("grad", ("obj", tt.t))
    return paths


def path_of(paths: dict[int, Any], t: Any) -> Any:
    """``t``'s path in :func:`tensor_paths`'s map, or the object itself."""
    return paths.get(id(t)) or ("obj", t)


def _resolve(where: Any, flat: list[Any]) -> Any:
    """A pre-existing tensor from its path: ("arg", i), ("obj", t) or ("grad", path)."""
    kind, what = where
    if kind == "arg":
        return flat[what]
    if kind == "obj":
        return what
    return _resolve(what, flat)._grad


def result_spec(x: Any, spec: Callable[[Any], Any]) -> Any:
    """How :func:`_rebuild` makes ``x`` again, where ``x`` is no tensor or array of the
    step: containers by kind (their items through ``spec``), a NumPy array as a copy, the
    rest as the constant it is."""
    if isinstance(x, np.ndarray):
        return ("copy", x.copy())
    t = type(x)
    if t is tuple or t is list:
        return (t.__name__, [spec(e) for e in x])
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return ("namedtuple", [spec(e) for e in x], type(x))
    if t is dict:
        return ("dict", {k: spec(v) for k, v in x.items()})
    return ("const", x)


def _rebuild(spec: Any, values: tuple[Any, ...], flat: list[Any], made: dict[int, Any]) -> Any:
    kind = spec[0]
    if kind == "const":
        return spec[1]
    if kind == "copy":
        return spec[1].copy()
    if kind == "value":
        return values[spec[1]]
    if kind == "tensor":
        t = made.get(spec[1])
        if t is None:
            v = values[spec[1]]  # a tensor holds a 0-d array where NumPy gives a scalar
            t = made[spec[1]] = make(np.asarray(v) if isinstance(v, np.generic) else v, spec[2])
        return t
    if kind == "path":
        return _resolve(spec[1], flat)
    parts = [_rebuild(s, values, flat, made) for s in spec[1]] if kind != "dict" else []
    if kind == "tuple":
        return tuple(parts)
    if kind == "list":
        return parts
    if kind == "namedtuple":
        return spec[2](*parts)
    return {k: _rebuild(s, values, flat, made) for k, s in spec[1].items()}


class _Builder:
    """Turns a finished recording into a :class:`_Plan`."""

    def __init__(self, rec: _Recorder, flat: list[Any]) -> None:
        self.rec = rec
        self.flat = flat
        self.ns: dict[str, Any] = {"_Miss": _Miss, "_same": _same, "_hook_state": hook_state}
        self.key: list[Any] = []  # what the signature compares, constant by constant
        self.sink_slots: list[int] = []
        self.paths: dict[int, Any] = {}  # id(pre-existing tensor) -> path
        self.made: dict[int, Any] = {}  # id(tensor made by the step) -> its spec (one sink)
        self.fuse = False  # hand runs of elementwise calls to numba (compile(fuse=True))
        self.fuse_min_size = FUSE_MIN_SIZE

    def const(self, value: Any) -> str:
        t = type(value)
        if value is None or t is bool or (t is int) or value is Ellipsis:
            return repr(value)
        name = f"k{len(self.ns)}"
        self.ns[name] = value
        self.key.append(_const_key(value))
        return name

    def miss(self, what: str) -> str:
        name = f"m{len(self.ns)}"
        self.ns[name] = what
        return name

    def describe_source(self, kind: str, what: Any) -> str:
        if kind == "arg":
            return f"argument {what}"
        return f"a tensor the step uses (shape {tuple(what.shape)!r})"

    def render(self, tmpl: Any) -> str:
        t = type(tmpl)
        if t is _S:
            return f"v{tmpl.n}"
        if t is _Const:
            return self.const(tmpl.value)
        if t is tuple:
            return "(" + "".join(self.render(e) + ", " for e in tmpl) + ")"
        if t is list:
            return "[" + ", ".join(self.render(e) for e in tmpl) + "]"
        return "{" + ", ".join(f"{k!r}: {self.render(v)}" for k, v in tmpl.items()) + "}"

    def path(self, t: Any) -> Any:
        return path_of(self.paths, t)

    def sink(self, slot: int) -> int:
        self.sink_slots.append(slot)
        return len(self.sink_slots) - 1

    def out_spec(self, x: Any) -> Any:
        rec = self.rec
        if isinstance(x, Tensor):
            if id(x) in rec.touched or id(x) in self.paths:
                return ("path", self.path(x))
            a = Tensor._array.__get__(x)
            slot = rec.slot_of(a)
            if slot is not None:
                spec = self.made.get(id(x))
                if spec is None:
                    spec = self.made[id(x)] = ("tensor", self.sink(slot), x._dev)
                return spec
            if x._dev.backend.name != rec.lib:
                _refuse_use("a tensor on another device as a result")
            return ("path", self.path(x))  # a tensor from before the step, itself
        if isinstance(x, _Rec) or _is_torch(x):
            slot = rec.slot_of(x)
            if slot is None:
                if _is_torch(x):
                    _refuse_use("a torch tensor made where `agrad.compile` could not see it")
                _refuse_use("a result made by a NumPy call `agrad.compile` does not see")
            return ("value", self.sink(slot))
        return result_spec(x, self.out_spec)

    def build(self, result: Any, arg_kinds: list[str]) -> _Plan:
        rec, plan = self.rec, _Plan()
        self.paths = tensor_paths(rec.touched.values(), self.flat, arg_kinds)
        spec = self.out_spec(result)
        plan.out_tree = spec
        # the state of pre-existing tensors after the step
        for tt in rec.touched.values():
            t = tt.t
            final = Tensor._array.__get__(t)
            where = self.path(t)
            if t._rg != tt.rg or (t._grad_fn is None) != (tt.grad_fn is None):
                _refuse_use("a change of `requires_grad` or of the graph of a tensor made before")
            if final is not tt.wrapper and (isinstance(final, _Rec) or _is_torch(final)):
                slot = rec.slot_of(final)
                if slot is None:
                    _refuse_use("a tensor given an array made where `agrad.compile` cannot see")
                plan.sinks.append(("array", where, self.sink(slot)))
            g = t.__dict__.get("_grad")
            if g is not tt.grad:
                gspec = ("const", None) if g is None else self.out_spec(g)
                plan.sinks.append(("grad", where, gspec))
            if t._vc[0] != tt.vc:
                plan.vc_bumps.append((where, t._vc[0] - tt.vc))
        self.code(plan)
        return plan

    def code(self, plan: _Plan) -> None:
        rec = self.rec
        instrs = rec.instrs
        # dead instructions: nothing live reads what they make or write
        live_slots = set(self.sink_slots)
        live_roots = {rec.roots[s] for s in live_slots} | rec.external_roots
        keep = [False] * len(instrs)
        for i in range(len(instrs) - 1, -1, -1):
            ins = instrs[i]
            alive = ins.guard is not None or _may_raise(ins)
            if not alive and ins.outs is not None:
                alive = any(o in live_slots for o in ins.outs)
            if not alive:
                alive = any(rec.roots[w] in live_roots for w in ins.writes)
            if alive:
                keep[i] = True
                live_slots.update(ins.reads)
                live_roots.update(rec.roots[s] for s in ins.reads)
        kept = _hoisted([ins for ins, k in zip(instrs, keep, strict=True) if k])
        kept, folded, known = _folded(rec, kept)
        kept = _without_unit_products(rec, kept, known, set(self.sink_slots))
        _direct(rec, kept)
        before_fusion = len(kept)
        if self.fuse:
            kept = _fused(rec, kept, set(self.sink_slots), self.fuse_min_size)
        kept = _without_broadcasts(rec, kept, set(self.sink_slots))
        plan.n_instrs = before_fusion
        plan.n_dropped = len(instrs) - before_fusion - len(folded)
        plan.n_fused = before_fusion - len(kept)
        plan.n_folded = len(folded)
        # last use of each slot, to delete intermediates as eager mode frees them
        last: dict[int, int] = {}
        for i, ins in enumerate(kept):
            for s in (*ins.reads, *(ins.outs or ()), *ins.writes):
                last[s] = i
        sinks = set(self.sink_slots)
        body: list[str] = []
        # every array the step read from its arguments and tensors, used by the plan or not
        # (what an untraced call computed from it may be in the plan as a constant)
        for (kind, what), value in zip(rec.sources, rec.source_values, strict=True):
            if value is not None:
                plan.inputs.append((kind, what, value))
        # sources: the arrays of arguments and captured tensors, checked, and constants
        used = {s for ins in kept for s in ins.reads} | sinks
        for slot, value in folded.items():  # values computed once, here, from constants
            if slot in used:
                fresh = rec.roots[slot] in rec.mutated_roots or slot in sinks
                c = self.const(value)
                body.append(f"v{slot} = {_copied(c, value)}" if fresh else f"v{slot} = {c}")
        for slot, idx in rec.source_slots.items():
            if slot not in used:
                continue
            kind, what = rec.sources[idx]
            if kind == "const":
                fresh = rec.roots[slot] in rec.mutated_roots or slot in sinks
                value = rec.const_before_write.get(slot, what)
                c = self.const(value)
                body.append(f"v{slot} = {_copied(c, value)}" if fresh else f"v{slot} = {c}")
                continue
            if kind == "arg":
                x = self.flat[what]
                expr = f"A[{what}]._array" if hasattr(x, "_dev") else f"A[{what}]"
            else:
                expr = f"{self.const(what)}._array"
            raw = _source_raw(rec, slot)
            v = f"v{slot}"
            body.append(f"{v} = {expr}")
            checks = [
                f"type({v}) is not {self.const(type(raw))}",
                f"{v}.shape != {self.const(tuple(raw.shape))}",
                f"{v}.dtype != {self.const(raw.dtype)}",
            ]
            if _is_torch(raw):  # a torch tensor's layout: its device and stride()
                checks.append(f"{v}.device != {self.const(raw.device)}")
                checks.append(f"{v}.stride() != {self.const(raw.stride())}")
            else:
                checks.append(f"{v}.strides != {self.const(getattr(raw, 'strides', ()))}")
            what_miss = self.miss(f"the array of {self.describe_source(kind, what)}")
            body.append(f"if {' or '.join(checks)}: raise _Miss({what_miss})")
        for tt in rec.touched.values():
            where = self.path(tt.t)
            if where[0] == "arg":
                continue  # the cache key has checked it
            t = self.const(tt.t)
            what = self.describe_source(where[0], tt.t)
            hooks = "is not None" if tt.hooks is None else f"!= {self.const(tt.hooks)}"
            body.append(
                f"if _hook_state({t}) {hooks}: "
                f"raise _Miss({self.miss(f'the hooks of {what} (`register_hook`)')})"
            )
            if tt.grad_reset:  # the step sets `.grad` before anything reads it
                body.append(
                    f"if {t}._rg is not {tt.rg!r}: "
                    f"raise _Miss({self.miss(f'`requires_grad` of {what}')})"
                )
                continue
            want = "is not None" if tt.grad is None else "is None"
            body.append(
                f"if {t}.__dict__.get('_grad') {want} or {t}._rg is not {tt.rg!r}: "
                f"raise _Miss({self.miss(f'`.grad`/`requires_grad` of {what}')})"
            )
        first_write = next(
            (
                i
                for i, ins in enumerate(kept)
                if any(rec.roots[w] in rec.external_roots for w in ins.writes)
            ),
            None,
        )
        for i, ins in enumerate(kept):
            if i == first_write:
                body.append("W[0] = True  # from here on, a failure cannot fall back to eager")
            call = self.render_call(ins)
            outs = ins.outs
            guard = ins.guard
            if guard is not None and guard[0] == "value":
                what = self.miss(f"{ins.name} = {guard[2]!r} at {ins.line}")
                body.append(f"if not _same({call}, {self.const(guard[2])}): raise _Miss({what})")
            elif outs is None:
                body.append(f"{call}  # {ins.name}")
            elif len(outs) == 1 and not (ins.fn is not None and _multi(ins)):
                body.append(f"v{outs[0]} = {call}  # {ins.name}")
            else:
                body.append(", ".join(f"v{o}" for o in outs) + f", = {call}  # {ins.name}")
            if guard is not None and guard[0] == "shape":
                assert outs is not None
                what = self.miss(f"the shape {guard[2]!r} of {ins.name} at {ins.line}")
                body.append(f"if v{outs[0]}.shape != {self.const(guard[2])}: raise _Miss({what})")
            dead = sorted(s for s in set(ins.reads) | set(outs or ()) if last.get(s) == i)
            dead = [s for s in dead if s not in sinks]
            if dead:
                body.append("del " + ", ".join(f"v{s}" for s in dead))
        body.append("return (" + "".join(f"v{s}, " for s in self.sink_slots) + ")")
        src = "def _plan(A, W):\n" + "".join(f"    {line}\n" for line in body)
        plan.source = src
        plan.ns = self.ns
        plan.signature = (src, tuple(self.key))

    def render_call(self, ins: _Instr) -> str:
        fn = self.const(ins.fn)
        args = "".join(self.render(a) + ", " for a in ins.args)
        kw = "".join(f"{k}={self.render(v)}, " for k, v in ins.kwargs.items())
        return f"{fn}({args}{kw})"


# deterministic calls whose result depends on their arguments alone: with constant
# arguments, a plan computes them once, when it is built
_FOLDABLE_FUNCTIONS = {
    np.broadcast_to,
    np.reshape,
    np.swapaxes,
    np.transpose,
    np.expand_dims,
    np.squeeze,
    np.sum,
    np.prod,
    np.max,
    np.min,
}
_FOLDABLE_METHODS = {"astype", "reshape", "transpose", "swapaxes", "squeeze", "sum", "copy"}


def _foldable(fn: Any) -> bool:
    if isinstance(fn, np.ufunc):
        return True
    if isinstance(fn, _Method):
        return fn.name in _FOLDABLE_METHODS
    try:
        return fn in _FOLDABLE_FUNCTIONS
    except TypeError:  # an unhashable callable
        return False


def _folded(
    rec: _Recorder, kept: list[_Instr]
) -> tuple[list[_Instr], dict[int, Any], dict[int, Any]]:
    """``kept`` without the instructions that read constants only (the seed's broadcast
    ones, a constant doubled), the values those make, computed now, and every value known
    when the plan is built (those and the constants). A constant some instruction writes
    into is not folded, nor is anything made from it."""
    values: dict[int, Any] = {}
    for slot, idx in rec.source_slots.items():
        kind, what = rec.sources[idx]
        if kind == "const" and rec.roots[slot] not in rec.mutated_roots:
            values[slot] = what
    folded: dict[int, Any] = {}
    out: list[_Instr] = []
    for ins in kept:
        outs = ins.outs
        if (
            ins.guard is None
            and not ins.writes
            and outs is not None
            and len(outs) == 1
            and "out" not in ins.kwargs
            and rec.roots[outs[0]] not in rec.mutated_roots
            and all(s in values for s in ins.reads)
            and _foldable(ins.fn)
        ):
            with np.errstate(all="ignore"):
                value = ins.fn(*_filled(ins.args, values), **_filled(ins.kwargs, values))
            values[outs[0]] = folded[outs[0]] = value
            continue
        out.append(ins)
    return out, folded, values


def _without_unit_products(
    rec: _Recorder, kept: list[_Instr], values: dict[int, Any], sinks: set[int]
) -> list[_Instr]:
    """``kept`` without the products by a constant array of ones that change neither the
    other factor's shape nor its dtype (the seed of `sum(...).backward()` broadcast to the
    summed shape, multiplying the first cotangents): their results are that factor itself,
    bit for bit (1 * x is x for every float, NaN, infinity and signed zero included). Not
    where either array is written in place, nor where the product is a result."""
    alias: dict[int, int] = {}
    out: list[_Instr] = []
    for ins in kept:
        if alias:
            ins.args = _renamed(ins.args, alias)
            ins.reads = {alias.get(s, s) for s in ins.reads}
        if (
            ins.fn is np.multiply
            and not ins.kwargs
            and ins.guard is None
            and not ins.writes
            and ins.outs is not None
            and len(ins.outs) == 1
            and len(ins.args) == 2
            and all(type(a) is _S for a in ins.args)
        ):
            (o,), (a, b) = ins.outs, (t.n for t in ins.args)
            for one, other in ((a, b), (b, a)):
                v = values.get(one)
                if (
                    v is not None
                    and o not in sinks
                    and rec.kinds.get(other) == rec.kinds.get(o)
                    and rec.roots[o] not in rec.mutated_roots
                    and rec.roots[other] not in rec.mutated_roots
                    and isinstance(v, np.ndarray)
                    and v.size > 0
                    and bool(np.all(v == 1))
                ):
                    alias[o] = other
                    break
            if o in alias:
                continue
        out.append(ins)
    return out


def _without_broadcasts(rec: _Recorder, kept: list[_Instr], sinks: set[int]) -> list[_Instr]:
    """``kept`` without the ``numpy.broadcast_to`` calls whose results only ufuncs read, each
    of whose other operands already spans the broadcast shape: a ufunc broadcasts its
    operands itself, with the same zero-stride view, so its result is the same to the bit;
    ``numpy.broadcast_to`` is a Python function (20 us a call in W2's step)."""
    readers: dict[int, list[_Instr]] = {}
    for ins in kept:
        for r in ins.reads:
            readers.setdefault(r, []).append(ins)
    drop: dict[int, int] = {}  # broadcast slot -> the slot it broadcast
    for ins in kept:
        broadcast = ins.fn is np.broadcast_to or ins.name == "broadcast_to"
        if not broadcast or ins.kwargs or ins.outs is None or len(ins.args) != 2:
            continue
        (b,), (a, _) = ins.outs, ins.args
        if type(a) is not _S or b in sinks or rec.roots[b] in rec.mutated_roots:
            continue
        target = rec.kinds[b][1]
        ok = bool(readers.get(b))
        for user in readers.get(b, ()):
            if (
                type(user.fn) is not np.ufunc
                or user.kwargs
                or user.outs is None
                or len(user.outs) != 1
                or any(type(x) is not _S for x in user.args if type(x) is not _Const)
            ):
                ok = False
                break
            shapes = [
                rec.kinds[a.n][1] if type(x) is _S and x.n == b else rec.kinds[x.n][1]
                for x in user.args
                if type(x) is _S
            ]
            if rec.kinds[user.outs[0]][1] != target or np.broadcast_shapes(*shapes) != target:
                ok = False
                break
        if ok:
            drop[b] = a.n
    if not drop:
        return kept
    out: list[_Instr] = []
    for ins in kept:
        if ins.outs is not None and len(ins.outs) == 1 and ins.outs[0] in drop:
            continue
        if drop.keys() & ins.reads:
            ins.args = _renamed(ins.args, drop)
            ins.reads = {drop.get(r, r) for r in ins.reads}
        out.append(ins)
    return out


# NumPy's Python-level wrappers and the C calls they end in for a plain ndarray: a plan
# calls the latter (the same loop, the same result) and saves the wrapper's microseconds
_REDUCTIONS = {np.sum: np.add, np.prod: np.multiply, np.max: np.maximum, np.min: np.minimum}
_AS_METHOD = {np.swapaxes: np.ndarray.swapaxes, np.transpose: np.ndarray.transpose}
_DIRECT_METHODS = {"astype", "reshape", "transpose", "swapaxes", "sum", "copy", "ravel"}


def _direct(rec: _Recorder, kept: list[_Instr]) -> None:
    """Point the calls of ``kept`` on plain ndarrays past NumPy's Python wrappers, in place:
    ``numpy.sum(x, axis=a)`` becomes ``np.add.reduce(x, axis=a)`` (what ``numpy.sum`` runs
    for an ndarray), ``numpy.swapaxes(x, ...)`` and ``x.astype(...)`` the ndarray method."""
    for ins in kept:
        fn, args, kwargs = ins.fn, ins.args, ins.kwargs
        if not args or type(args[0]) is not _S:
            continue
        kind = rec.kinds.get(args[0].n)
        if kind is None or kind[0] is not np.ndarray:
            continue
        if isinstance(fn, _Method):
            if fn.name in _DIRECT_METHODS and not fn.args:
                ins.fn = getattr(np.ndarray, fn.name)
            continue
        try:
            ufunc = _REDUCTIONS.get(fn)
            method = _AS_METHOD.get(fn)
        except TypeError:  # an unhashable callable
            continue
        keep = kwargs.get("keepdims", _Const(False))
        if (
            ufunc is not None
            and len(args) == 1
            and set(kwargs) <= {"axis", "dtype", "keepdims"}
            and type(keep) is _Const
            and type(keep.value) is bool
        ):
            ins.fn = _UFUNC_METHODS.setdefault((ufunc, "reduce"), ufunc.reduce)
            ins.kwargs = {"axis": _Const(None), **kwargs}  # numpy.sum's default, not reduce's 0
            ins.name = f"{ufunc.__name__}.reduce"
        elif method is not None and not kwargs:
            ins.fn = method


TORCH_COMPILED = "torch-compiled"  # the plan's mark where torch.compile runs it
JAX_JITTED = "jax-jitted"  # the mark of a JAX step's plan: a jaxpr run through jax.jit
FUSE_MIN_SIZE = 4096  # elements: below this a kernel call costs more than the passes it saves


# dtypes a fused loop computes in, as NumPy does; on integers and booleans only the calls whose
# results numba computes as NumPy does (no division, no powers: their edge cases differ)
_FUSE_FLOATS = {np.dtype(np.float32), np.dtype(np.float64)}
_FUSE_EXACT = {np.dtype(d) for d in (np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8)}
_FUSE_INTEGER_UFUNCS = {np.add, np.subtract, np.multiply, np.negative, np.equal, np.not_equal}
_FUSE_INTEGER_UFUNCS |= {np.less, np.less_equal, np.greater, np.greater_equal, np.logical_not}
_FUSE_INTEGER_UFUNCS |= {np.logical_and, np.logical_or}


def _is_astype(fn: Any) -> bool:
    return fn is np.ndarray.astype or (isinstance(fn, _Method) and fn.name == "astype")


def _loop_dtypes(rec: _Recorder, ins: _Instr) -> tuple[Any, ...] | None:
    """The dtypes NumPy's loop for ``ins`` takes and gives (inputs..., output), or None."""
    if _is_astype(ins.fn):
        dtype = ins.kwargs.get("dtype", ins.args[1] if len(ins.args) > 1 else None)
        copy = ins.kwargs.get("copy", _Const(True))
        if type(dtype) is not _Const or type(copy) is not _Const or copy.value is not True:
            return None
        (a,) = ins.args[:1]
        k = rec.kinds.get(a.n) if type(a) is _S else None
        if k is None:
            return None
        src, dst = np.dtype(k[2]), np.dtype(dtype.value)
        if src not in _FUSE_EXACT | _FUSE_FLOATS or dst not in _FUSE_EXACT | _FUSE_FLOATS:
            return None
        if src.kind == "f" and dst.kind != "f":  # NaN and infinities to integers: undefined
            return None
        return (src, dst)
    fn = ins.fn
    if type(fn) is not np.ufunc or fn.nout != 1 or len(ins.args) != fn.nin:
        return None
    given: list[Any] = []
    for a in ins.args:
        if type(a) is _S:
            k = rec.kinds.get(a.n)
            if k is None:
                return None
            given.append(np.dtype(k[2]))
        elif type(a) is _Const and type(a.value) in (bool, int, float):
            given.append(type(a.value))  # a Python number: NumPy's weak scalar
        else:
            return None
    try:
        loop = tuple(fn.resolve_dtypes((*given, None)))
    except (TypeError, ValueError):  # no loop, or one NumPy would pick another way
        return None
    if not all(d in _FUSE_FLOATS for d in loop):
        exact = all(d in _FUSE_EXACT or d in _FUSE_FLOATS for d in loop)
        if not (exact and fn in _FUSE_INTEGER_UFUNCS):
            return None
    return loop


def _fusible(
    rec: _Recorder, ins: _Instr, produced: set[int], min_size: int
) -> tuple[Any, ...] | None:
    """The output shape of an elementwise call (a ufunc, or a cast with ``astype``) that a
    fused loop can compute in NumPy's dtypes (its array operands of that shape, or 0-d;
    `out=` only into a value the loop made)."""
    if ins.guard is not None or ins.outs is None or len(ins.outs) != 1:
        return None
    o = ins.outs[0]
    if any(type(a) is _S and a.n == o for a in ins.args):  # `astype` that gave its input
        return None
    kind = rec.kinds.get(o)
    if kind is None or kind[0] is not np.ndarray:
        return None
    loop = _loop_dtypes(rec, ins)
    if loop is None or loop[-1] != np.dtype(kind[2]):
        return None
    shape = kind[1]
    if int(np.prod(shape)) < min_size or rec.roots[o] in rec.external_roots:
        return None
    kwargs = {k: v for k, v in ins.kwargs.items() if not _is_astype(ins.fn) or k == "out"}
    if kwargs:
        out = kwargs.get("out")
        if set(kwargs) != {"out"} or not (
            isinstance(out, tuple) and len(out) == 1 and type(out[0]) is _S
        ):
            return None
        if out[0].n not in produced or ins.writes != (out[0].n,):
            return None
    elif ins.writes:
        return None
    for a in ins.args[:1] if _is_astype(ins.fn) else ins.args:
        if type(a) is _S and rec.kinds[a.n][1] not in (shape, ()):
            return None
    return tuple(shape)


def _fused(rec: _Recorder, kept: list[_Instr], sinks: set[int], min_size: int) -> list[_Instr]:
    """``kept`` with each run of two or more elementwise calls (ufuncs, casts) on arrays of
    one shape replaced by one numba loop over the elements (no temporaries, one pass)."""
    last_read: dict[int, int] = {}  # slot -> the last instruction that reads it
    for i, ins in enumerate(kept):
        for r in ins.reads:
            last_read[r] = i
    out: list[_Instr] = []
    i = 0
    while i < len(kept):
        group: list[_Instr] = []
        produced: set[int] = set()
        shape: tuple[Any, ...] | None = None
        j = i
        while j < len(kept):
            sh = _fusible(rec, kept[j], produced, min_size)
            if sh is None or (shape is not None and sh != shape):
                break
            shape = sh
            group.append(kept[j])
            produced.update(kept[j].outs or ())
            j += 1
        if len(group) < 2 or shape is None:
            out.append(kept[i])
            i += 1
            continue
        # what the group makes that later instructions read, or a result of the step
        needed = {o for ins in group for o in ins.outs or () if last_read.get(o, -1) >= j}
        fused = _fuse_group(rec, group, shape, needed | sinks)
        out.extend([fused] if fused is not None else group)
        i = j
    return out


def _fuse_group(
    rec: _Recorder, group: list[_Instr], shape: tuple[Any, ...], needed: set[int]
) -> _Instr | None:
    """One instruction running ``group`` as a numba loop, or None (numba could not)."""
    names: dict[int, str] = {}  # slot -> the loop's name for its element
    inputs: list[int] = []
    body: list[str] = []
    final: dict[int, str] = {}
    for k, ins in enumerate(group):
        loop = _loop_dtypes(rec, ins)
        assert loop is not None  # `_fusible` checked
        terms = []
        args = ins.args[:1] if _is_astype(ins.fn) else ins.args
        for a, dtype in zip(args, loop, strict=False):
            if type(a) is _S:
                if a.n not in names:
                    names[a.n] = f"a{len(inputs)}" + ("[i]" if rec.kinds[a.n][1] else "")
                    inputs.append(a.n)
                term = names[a.n]
            else:
                term = _literal(a.value if type(a) is _Const else a)
            # each operand cast to the dtype NumPy's loop takes, as NumPy casts it
            terms.append(f"np.{_scalar_type(dtype)}({term})")
        call = terms[0] if _is_astype(ins.fn) else f"np.{ins.fn.__name__}({', '.join(terms)})"
        body.append(f"        t{k} = np.{_scalar_type(loop[-1])}({call})")
        o = ins.outs[0]  # type: ignore[index]
        names[o] = f"t{k}"
        final[o] = f"t{k}"
    results = [o for o in final if o in needed]
    if not results:
        return None
    ins_args = [f"a{n}" for n in range(len(inputs))]
    outs = [f"r{n}" for n in range(len(results))]
    src = [f"def _kernel({', '.join(ins_args + outs)}):", "    for i in range(r0.shape[0]):"]
    src += body
    src += [f"        r{n}[i] = {final[o]}" for n, o in enumerate(results)]
    text = "\n".join(src)
    scalar = tuple(not rec.kinds[s][1] for s in inputs)
    in_dtypes = tuple(np.dtype(rec.kinds[s][2]) for s in inputs)
    out_dtypes = tuple(np.dtype(rec.kinds[o][2]) for o in results)
    names_used = ", ".join("astype" if _is_astype(ins.fn) else ins.fn.__name__ for ins in group)
    run = _fused_call(text, scalar, in_dtypes, out_dtypes, shape, names_used)
    if run is None:
        return None
    return _Instr(
        run,
        f"fused({names_used})",
        tuple(_S(s) for s in inputs),
        {},
        tuple(results),
        set(inputs),
        (),
        group[-1].line,
    )


_KERNELS: dict[Any, Any] = {}


def _literal(v: Any) -> str:
    """A Python number as loop source (NaN and infinities by name)."""
    if type(v) is bool or type(v) is int:
        return repr(v)
    v = float(v)
    if np.isfinite(v):
        return repr(v)
    return "np.nan" if v != v else ("np.inf" if v > 0 else "(-np.inf)")


def _scalar_type(dtype: Any) -> str:
    """numba's name of the scalar type of ``dtype`` (``np.float32``, ``np.bool_``)."""
    name = np.dtype(dtype).name
    return "bool_" if name == "bool" else name


def _fused_call(
    src: str,
    scalar: tuple[bool, ...],
    in_dtypes: tuple[Any, ...],
    out_dtypes: tuple[Any, ...],
    shape: tuple[Any, ...],
    what: str,
) -> Any:
    """A callable running the loop ``src`` on arrays of ``shape`` (one object per loop, so
    two captures' plans compare equal), or None where numba cannot compile it."""
    key = (src, scalar, in_dtypes, out_dtypes, shape)
    if key in _KERNELS:
        return _KERNELS[key]
    import numba

    ns: dict[str, Any] = {"np": np}
    exec(builtins.compile(src, "<agrad.compile fused loop>", "exec"), ns)  # our own code
    kernel = numba.njit(error_model="numpy", cache=False)(ns["_kernel"])
    size = int(np.prod(shape))
    n_out = len(out_dtypes)

    def run(*arrays: Any) -> Any:
        flat = [
            a[()] if sc else np.ascontiguousarray(a).reshape(-1)
            for a, sc in zip(arrays, scalar, strict=True)
        ]
        res = [np.empty(size, d) for d in out_dtypes]
        kernel(*flat, *res)
        shaped = [r.reshape(shape) for r in res]
        return shaped[0] if n_out == 1 else tuple(shaped)

    try:  # compile now, on one element: a plan never meets numba's typing errors
        kernel(
            *[
                np.zeros((), d)[()] if sc else np.zeros(1, d)
                for sc, d in zip(scalar, in_dtypes, strict=True)
            ],
            *[np.empty(1, d) for d in out_dtypes],
        )
    except Exception:  # numba refuses an operation: the calls stay unfused
        _KERNELS[key] = None
        return None
    run.__name__ = run.__qualname__ = f"fused[{what}]"
    _KERNELS[key] = run
    return run


def _mapped(tmpl: Any, slot: Callable[[_S], Any], const: Callable[[_Const], Any]) -> Any:
    """An argument template with each slot reference and constant mapped."""
    t = type(tmpl)
    if t is _S:
        return slot(tmpl)
    if t is _Const:
        return const(tmpl)
    if t is tuple:
        return tuple(_mapped(e, slot, const) for e in tmpl)
    if t is list:
        return [_mapped(e, slot, const) for e in tmpl]
    if t is dict:
        return {k: _mapped(v, slot, const) for k, v in tmpl.items()}
    return tmpl


def _renamed(tmpl: Any, alias: dict[int, int]) -> Any:
    """An argument template with the slots in ``alias`` replaced."""
    return _mapped(tmpl, lambda s: _S(alias[s.n]) if s.n in alias else s, lambda c: c)


def _filled(tmpl: Any, values: dict[int, Any]) -> Any:
    """An argument template with its slots replaced by their values."""
    return _mapped(tmpl, lambda s: values[s.n], lambda c: c.value)


def _hoisted(kept: list[_Instr]) -> list[_Instr]:
    """``kept`` with each hoisted value guard moved up to just after the instruction that
    made its value (to the start for a source): before any write the caller can see, so a
    failed check still falls back to an eager call with nothing changed."""
    if not any(ins.hoist for ins in kept):
        return kept
    out: list[_Instr] = []
    for ins in kept:
        if not ins.hoist:
            out.append(ins)
            continue
        (slot,) = ins.reads
        at = 0
        for i, other in enumerate(out):
            if other.outs is not None and slot in other.outs:
                at = i + 1
        out.insert(at, ins)
    return out


_INDEXING = {"[]", "[]=", "__getitem__", "__setitem__", "take", "numpy.take", "put", "index_put_"}


def _may_raise(ins: _Instr) -> bool:
    """Whether a call can raise for some values of its arrays (a linear-algebra routine that
    does not converge, an index array out of range): kept where nothing reads its result,
    since the eager step raises there too."""
    module = getattr(ins.fn, "__module__", None) or ""
    if ins.name.startswith(("numpy.linalg.", "linalg_")) or module.startswith(
        ("numpy.linalg", "torch.linalg")
    ):
        return True
    if ins.name in _INDEXING or ins.name.rpartition(".")[2] in ("take", "take_along_axis"):
        return any(type(a) is _S for a in _walk(ins.args[1:], ins.kwargs))
    return False


def _multi(ins: _Instr) -> bool:
    """Whether the call returns a sequence (unpacked into its slots, one element or more)."""
    return ins.outs is not None and (ins.multi or len(ins.outs) != 1)


def _source_raw(rec: _Recorder, slot: int) -> Any:
    kind, what = rec.sources[rec.source_slots[slot]]
    if kind == "tensor":
        t = rec.touched[id(what)]
        return t.array
    for tt in rec.touched.values():
        if tt.wrapper is not None and rec.slot_of(tt.wrapper) == slot:
            return tt.array
    return rec.raw_args[what]


def _copied(name: str, value: Any) -> str:
    """The plan's expression for a fresh copy of the constant ``name``."""
    return f"{name}.clone()" if _is_torch(value) else f"{name}.copy()"


def _const_key(value: Any) -> Any:
    """How two captures' constants are compared: arrays by value, objects by identity."""
    if isinstance(value, np.ndarray):
        return ("array", value.dtype.str, value.shape, value.tobytes())
    if _is_torch(value):
        host = _host_copy(value)
        return ("torch", str(value.dtype), str(value.device), host.shape, host.tobytes())
    if isinstance(value, (bool, int, float, complex, str, bytes, np.generic)):
        return ("value", type(value), repr(value))
    if isinstance(value, tuple):
        return ("tuple", tuple(_const_key(v) for v in value))
    if type(value).__module__ == "torch" and type(value).__name__ in ("device", "dtype", "Size"):
        return ("value", repr(value))
    if isinstance(value, (np.dtype, type, slice)) or value is None:
        return ("value", repr(value))
    if isinstance(value, (_Method, _Attr)):
        return ("value", repr(value), type(value))
    return ("id", id(value))


# -- the user's object -----------------------------------------------------------------------
_NO_ARGUMENTS: Any = (tuple, [(tuple, []), (dict, {})])  # `_flatten(((), {}))`


def _flatten(x: Any, leaves: list[Any]) -> Any:
    t = type(x)
    if t is tuple or t is list:
        return (t, [_flatten(e, leaves) for e in x])
    if t is dict:
        return (dict, {k: _flatten(v, leaves) for k, v in x.items()})
    leaves.append(x)
    return None


def _unflatten(tree: Any, leaves: Iterator[Any]) -> Any:
    if tree is None:
        return next(leaves)
    t, body = tree
    if t is dict:
        return {k: _unflatten(v, leaves) for k, v in body.items()}
    return t(_unflatten(e, leaves) for e in body)


def _describe(x: Any) -> tuple[str, Any]:
    """(kind, guard key) of one argument."""
    if isinstance(x, Tensor):
        a = Tensor._array.__get__(x)
        meta = (type(a), getattr(a, "shape", None), getattr(a, "dtype", None))
        strides = a.stride() if _is_torch(a) else getattr(a, "strides", None)
        meta2 = (strides, x._dev.name, x._rg, x._grad_fn is None, hook_state(x))
        return "tensor", ("T", *meta, *meta2, x.__dict__.get("_grad") is None)
    if type(x) is np.ndarray:
        return "array", ("A", x.shape, x.dtype, x.strides)
    if _is_torch(x) and not x.requires_grad:
        return "array", ("A", tuple(x.shape), x.dtype, x.stride(), x.device)
    if _is_jax(x):
        return "array", ("J", x.shape, x.dtype, x.device, x.weak_type)
    if x is None or isinstance(x, (bool, int, float, complex, str, np.generic)):
        return "value", ("V", type(x), repr(x))
    return "object", ("O", id(x))


class Compiled:
    """A function run by :func:`compile`: eager on capture, replayed afterwards."""

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        max_plans: int = MAX_PLANS,
        warmup: int = 1,
        fuse: bool = False,
        fuse_min_size: int = FUSE_MIN_SIZE,
    ) -> None:
        if fuse and importlib.util.find_spec("numba") is None:
            msg = (
                "`agrad.compile(..., fuse=True)` hands elementwise chains to numba, which is "
                "not installed: `pip install numba` (or `pip install 'agrad[fuse]'`)."
            )
            raise AgradValueError(msg)
        self.fn = fn
        self.max_plans = max_plans
        self.warmup = warmup
        self.fuse = fuse
        self.fuse_min_size = fuse_min_size
        self._plans: dict[Any, list[_Plan]] = {}
        self._captures = 0
        self._eager: str | None = None  # why this function now always runs eagerly
        self._jax = False  # a step on a JAX device: captures trace it for jax.jit
        self._jax_known: Any = None  # what its discovery run found it uses
        self.last_miss: str | None = None
        self.stats = {"warmups": 0, "captures": 0, "replays": 0, "misses": 0, "eager": 0}
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.stats["warmups"] < self.warmup:
            # a step's first call is seldom like the rest (`.grad` goes from None to set, an
            # optimiser makes its state), so capturing it is wasted work: it runs eagerly
            self.stats["warmups"] += 1
            return self.fn(*args, **kwargs)
        flat: list[Any] = []
        if args or kwargs:
            tree = _flatten((args, kwargs), flat)
            described = [_describe(x) for x in flat]
            key = (_modes(), tuple(d[1] for d in described), _aliasing(flat))
        else:  # a step of closures alone (a training step): nothing to walk
            tree, described = _NO_ARGUMENTS, []
            key = (_modes(), (), ())
        plans = self._plans.get(key)
        if plans:
            for plan in plans:
                if plan.verified:
                    try:
                        out = plan.run(flat)
                    except _Raised as e:  # an eager call raises agrad's own error, or not
                        self.stats["misses"] += 1
                        self.last_miss = f"the replay raised {e.args[0]}; the call ran eagerly"
                        return self.fn(*args, **kwargs)
                    except _Miss as e:
                        self.stats["misses"] += 1
                        self.last_miss = str(e.args[0]) if e.args else "?"
                        continue
                    self.stats["replays"] += 1
                    return out
        if self._eager is not None:
            self.stats["eager"] += 1
            return self.fn(*args, **kwargs)
        if self._captures >= self.max_plans:
            self._give_up(
                f"{self._captures} captures did not give a plan that replays (guards keep "
                "missing, or each capture differs from the last: the step reads Python state "
                "besides its arrays, such as a step counter, random numbers or a value it "
                "converts with float()/item())"
            )
            return self.fn(*args, **kwargs)
        return self._capture(args, kwargs, flat, tree, [d[0] for d in described], key)

    @property
    def plan(self) -> str:
        """The source of the newest verified plan (or the newest capture)."""
        every = [p for ps in self._plans.values() for p in ps]
        if not every:
            return "<no capture yet: call the compiled function first>"
        best = [p for p in every if p.verified] or every
        p = best[-1]
        head = (
            f"# {p.n_instrs} calls ({p.n_dropped} dropped: dead, or products by ones; "
            f"{p.n_folded} computed once from constants; {p.n_fused} fused into loops), "
            f"{'verified' if p.verified else 'not yet verified: replays after a second capture'}\n"
        )
        if p.torch_compile:
            head += (
                f"# {TORCH_COMPILED}: runs through torch.compile (fuse=True on torch), which "
                "compiles it at the first replay (seconds)\n"
            )
        if p.jaxpr:
            head = (
                f"# {JAX_JITTED}: a jaxpr of {p.n_instrs} equations, run through jax.jit (a "
                f"step on a JAX device), {'verified' if p.verified else 'not yet verified'}; "
                "jax.jit compiles it at the first replay (seconds)\n"
            )
        return head + p.source

    def explain(self) -> str:
        """What this compiled function did: counts, why it runs eagerly, and its plan."""
        lines = [f"agrad.compile({getattr(self.fn, '__qualname__', self.fn)!r}): {self.stats}"]
        if self._eager is not None:
            lines.append(f"runs eagerly: {self._eager}")
        if self.last_miss is not None:
            lines.append(f"last guard that failed: {self.last_miss}")
        lines.append(self.plan)
        return "\n".join(lines)

    def _give_up(self, why: str) -> None:
        self._eager = why
        name = getattr(self.fn, "__qualname__", repr(self.fn))
        why = why.rstrip(".")
        warnings.warn(f"agrad.compile({name}) runs eagerly from now on: {why}.", CompileWarning, 3)

    def _capture(
        self,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        flat: list[Any],
        tree: Any,
        kinds: list[str],
        key: Any,
    ) -> Any:
        global _ACTIVE
        if self._jax or any(_is_jax(x) or _on_jax(x) for x in flat):
            self._jax = True
            return self._capture_jax(args, kwargs, flat, tree, kinds, key)
        if not _LOCK.acquire(blocking=False):  # a capture under way (nested, or a thread)
            return self.fn(*args, **kwargs)
        self._captures += 1
        self.stats["captures"] += 1
        arg_tensors = {id(x): i for i, x in enumerate(flat) if kinds[i] == "tensor"}
        rec = _Recorder(arg_tensors)
        optimizers = live_optimizers()  # with their hyperparameters as the step finds them
        state = python_state(self.fn)
        rec.torch_mode = "torch" in sys.modules  # then every torch call is recorded
        rec.raw_args = flat
        call_flat = list(flat)
        for i, x in enumerate(flat):
            if kinds[i] == "array":
                rec.uses("torch" if _is_torch(x) else "numpy")
                call_flat[i] = rec.source("arg", i, x)
        call_args, call_kwargs = _unflatten(tree, iter(call_flat))
        desc = Tensor.__dict__["_array"]
        own_array = Tensor.__dict__.get("__array__")
        grad_prop = Tensor.__dict__["grad"]
        get_array, set_array = _hooks(desc)
        plan: _Plan | None = None
        backend_hooks = _BackendHooks()
        try:
            backend_hooks.install()
            Tensor._array = property(get_array, set_array)
            Tensor.__array__ = _tensor_array  # type: ignore[method-assign]
            Tensor.grad = _grad_hook(grad_prop, desc)  # type: ignore[assignment,method-assign]  # patched
            _ACTIVE = rec
            mode = _torch_mode() if rec.torch_mode else contextlib.nullcontext()
            try:
                with mode:
                    result = self.fn(*call_args, **call_kwargs)
                if rec.unsupported is None and rec.refused is None:
                    try:
                        builder = _Builder(rec, flat)
                        builder.fuse = self.fuse
                        builder.fuse_min_size = self.fuse_min_size
                        plan = builder.build(result, kinds)
                        plan.torch_compile = self.fuse and rec.lib == "torch"
                        used = set(rec.touched) | set(arg_tensors)
                        plan.optimizers = optimizers_of(optimizers, used)
                        plan.python_state = state
                    except CaptureRefusedError as e:
                        rec.refused = str(e)
            finally:
                _ACTIVE = None
                backend_hooks.remove()
                Tensor._array = desc
                Tensor.grad = grad_prop  # type: ignore[method-assign]
                if own_array is None:
                    del Tensor.__array__
                else:
                    Tensor.__array__ = own_array  # type: ignore[method-assign]
                _restore(rec, desc)
        finally:
            _LOCK.release()
        result = _unwrap_result(result)
        if rec.jax:  # the eager call ran right; the next capture traces it for jax.jit
            self._jax = True
        elif rec.unsupported is not None:
            self._give_up(rec.unsupported)
        elif rec.refused is not None:
            self._give_up(rec.refused)
        elif plan is not None:
            self._keep(key, plan)
        return result

    def _keep(self, key: Any, plan: _Plan) -> None:
        """A capture's plan: it verifies an earlier one that it equals, or waits for one."""
        plans = self._plans.setdefault(key, [])
        for p in plans:
            if p.signature == plan.signature:
                p.verify(plan)
                break
        else:
            plans.append(plan)

    def _capture_jax(
        self,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        flat: list[Any],
        tree: Any,
        kinds: list[str],
        key: Any,
    ) -> Any:
        # imports JAX (seconds of start-up), so loaded for a step on a JAX device only
        from agrad import _compile_jax

        if not _LOCK.acquire(blocking=False):
            return self.fn(*args, **kwargs)
        self._captures += 1
        self.stats["captures"] += 1
        try:
            # a discovery run (eager) finds the tensors the step uses; later captures trace
            # the step with those as inputs, once: the call's only run of its Python code
            known = self._jax_known
            if known is not None:
                state = python_state(self.fn)
                done, result, plan, known, problem = _compile_jax.trace_run(
                    self.fn, flat, tree, kinds, known, live_optimizers()
                )
                if plan is not None:
                    plan.python_state = state
                if done:
                    self._jax_known = known
                    if plan is not None:
                        self._keep(key, plan)
                    return result
                if problem is not None:  # runs eagerly from now on
                    result = self.fn(*args, **kwargs)  # (raises where the step's own error)
                    self._give_up(problem)
                    return result
            result, self._jax_known, problem = _compile_jax.discover(self.fn, flat, tree, kinds)
        finally:
            _LOCK.release()
        if problem is not None:
            self._give_up(problem)
        return result


def _modes() -> tuple[Any, ...]:
    """The modes an eager call depends on besides its arrays: grad and inference mode, the
    complex convention, anomaly detection, the graph-break setting and the default device.
    A plan is captured under one of each, and replays only under the same."""
    return (
        STATE.enabled,
        STATE.inference,
        STATE.conj,
        STATE.anomaly,
        GRAPH_BREAK[0],
        get_default_device(),
    )


def _on_jax(x: Any) -> bool:
    return isinstance(x, Tensor) and x._dev.backend.name == "jax"


def _aliasing(flat: list[Any]) -> tuple[int, ...]:
    """For each argument, the first argument that is the same object (its own index if none)."""
    seen: dict[int, int] = {}
    return tuple(seen.setdefault(id(x), i) for i, x in enumerate(flat))


def _restore(rec: _Recorder, desc: Any) -> None:
    """Put plain arrays back into every tensor the capture wrapped."""
    get, put = desc.__get__, desc.__set__
    for tt in rec.touched.values():
        a = get(tt.t)
        if a is tt.wrapper:
            put(tt.t, tt.array)
        elif isinstance(a, _Rec):
            put(tt.t, _tensor_raw(a))
    for ref in rec.new_tensors.values():
        t = ref()
        if t is not None:
            a = get(t)
            if isinstance(a, _Rec):
                put(t, _tensor_raw(a))


def _tensor_raw(a: _Rec) -> Any:
    raw = _plain(a)
    return np.asarray(raw) if isinstance(raw, np.generic) else raw


def _unwrap_result(x: Any) -> Any:
    if isinstance(x, _Rec):
        return _plain(x)
    t = type(x)
    if t is tuple or t is list:
        return t(_unwrap_result(e) for e in x)
    if t is dict:
        return {k: _unwrap_result(v) for k, v in x.items()}
    return x


def compile(
    fn: Callable[..., Any] | None = None,
    *,
    max_plans: int = MAX_PLANS,
    warmup: int = 1,
    fuse: bool = False,
    fuse_min_size: int = FUSE_MIN_SIZE,
) -> Any:  # agrad.compile, as torch.compile
    """Capture a step once and replay it as straight-line NumPy (or torch) code.

    The first ``warmup`` calls run eagerly, as they are (a step's first call seldom looks
    like the rest: ``.grad`` goes from None to set, an optimiser makes its state). The next
    calls run eagerly while recording every raw NumPy (or torch) call the step makes (the
    forward pass, the backward sweep, the accumulation into ``.grad`` and updates under
    ``no_grad``). Once two captures agree, later calls with the same shapes, dtypes,
    strides, ``requires_grad`` pattern and grad mode replay that sequence on the arrays of
    the arguments and of the tensors the step uses, with results, ``.grad`` and in-place
    updates equal to an eager call's. Every value-to-Python conversion the capture saw is
    checked again; when a check fails the step is captured again (up to ``max_plans``
    captures), then runs eagerly with a :class:`CompileWarning`. Steps on agrad's torch
    devices are captured too (their torch calls, through a ``TorchFunctionMode``); steps on
    agrad's JAX devices are traced into one jaxpr, run through ``jax.jit`` (a step that
    converts a tensor to Python runs eagerly there); steps on other devices run eagerly.
    Tensors returned by a replay have no graph.

    Parameters
    ----------
    fn : callable
        The step. Used as ``agrad.compile(fn)`` or as the decorator ``@agrad.compile``.
    max_plans : int
        How many captures a compiled function may make before it runs eagerly for good.
    warmup : int
        How many first calls run eagerly without a capture (default 1; 0 captures at once).
    fuse : bool
        Run each chain of two or more elementwise calls (float32 and float64 ufuncs,
        comparisons, casts) on arrays of one shape (4096 elements or more) as one loop
        compiled by numba (needs ``numba``), in NumPy's dtypes: one pass over memory instead
        of one per call. Results may then differ from an eager call's in the
        last bits (numba's ``sin``, ``exp``, ... are not NumPy's); without it they are equal.
        On torch devices ``fuse=True`` runs the plan through ``torch.compile`` instead
        (compiled at the first replay, which then takes seconds). On JAX devices every
        plan goes through ``jax.jit``, which fuses: ``fuse`` changes nothing there.
    fuse_min_size : int
        The fewest elements a fused loop runs on (4096): below it a loop's call costs more
        than the passes it saves. 1 fuses every chain (the conformance kit's checks do).

    Returns
    -------
    Compiled
        Callable as ``fn``; ``.plan`` is the replayed code, ``.explain()`` says what
        happened.

    Examples
    --------
    >>> import agrad
    >>> from agrad._compile import compile
    >>> @compile
    ... def step(w, x):
    ...     w.grad = None
    ...     loss = agrad.sum((w * x - 1.0) ** 2)
    ...     loss.backward()
    ...     with agrad.no_grad():
    ...         w -= 0.5 * w.grad
    ...     return loss
    >>> w = agrad.tensor([1.0, 2.0], requires_grad=True)
    >>> x = agrad.tensor([0.5, 0.25])
    >>> for _ in range(5):  # a warm-up call, two captures that agree, then replays
    ...     loss = step(w, x)
    >>> step.stats
    {'warmups': 1, 'captures': 2, 'replays': 2, 'misses': 0, 'eager': 0}
    >>> w.tolist()  # as eager mode: w - 0.5 * 2 (w x - 1) x, five times
    [1.7626953125, 2.551607131958008]
    """
    if fn is None:
        return functools.partial(
            compile, max_plans=max_plans, warmup=warmup, fuse=fuse, fuse_min_size=fuse_min_size
        )
    return Compiled(fn, max_plans=max_plans, warmup=warmup, fuse=fuse, fuse_min_size=fuse_min_size)
