"""agrad's dtype objects: one object per dtype, the same on every backend."""

from __future__ import annotations

from typing import Any

__all__ = [
    "ALL_DTYPES",
    "DType",
    "bool",
    "complex64",
    "complex128",
    "conj",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "register_dtypes",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
]

_builtin_bool = bool


class DType:
    """An Array API dtype.

    Compare with ``==`` (``x.dtype == agrad.float64``); each dtype exists once, so identity
    comparison works too.

    Examples
    --------
    >>> import agrad
    >>> agrad.tensor([1.0, 2.0]).dtype == agrad.float64
    True
    """

    __slots__ = ("bits", "kind", "name")

    name: str
    kind: str
    bits: int

    def __init__(self, name: str, kind: str, bits: int) -> None:
        self.name = name
        self.kind = kind  # "b" bool, "i" signed, "u" unsigned, "f" real float, "c" complex
        self.bits = bits

    def __repr__(self) -> str:
        return f"agrad.{self.name}"

    def __reduce__(self) -> str:
        return self.name

    def __eq__(self, other: object) -> _builtin_bool:
        # as NumPy's dtypes: equal to any spelling of the same dtype (`np.float64`,
        # `np.dtype("float64")`, `"float64"`); another library's dtype object is unequal
        if other is self:
            return True
        if other is None or isinstance(other, DType):
            return False
        import numpy  # (a function-level import keeps this ground-floor module light)

        try:
            return _builtin_bool(numpy.dtype(other) == numpy.dtype(self.name))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return False

    __hash__ = object.__hash__

    def __call__(self, value: Any) -> Any:
        """What NumPy code means by calling a scalar type, ``np.float64(x)``: a tensor is cast
        with ``astype`` (differentiable, so the graph is kept); anything else gives NumPy's
        scalar (or array) of this dtype.

        Examples
        --------
        >>> import agrad
        >>> agrad.float32(1.5)
        np.float32(1.5)
        >>> x = agrad.tensor(2.0, requires_grad=True)
        >>> agrad.float32(x).dtype
        agrad.float32
        """
        namespace = getattr(value, "__array_namespace__", None)
        if namespace is not None and getattr(namespace(), "__name__", None) == "agrad":
            return namespace().astype(value, self)
        import numpy

        return numpy.dtype(self.name).type(value)

    @property
    def type(self) -> Any:
        """NumPy's scalar type of this dtype (``x.dtype.type is np.float64``), as NumPy code
        reads it.

        Examples
        --------
        >>> import numpy as np
        >>> import agrad
        >>> agrad.tensor([1.0]).dtype.type is np.float64
        True
        """
        import numpy

        return numpy.dtype(self.name).type

    @property
    def dtype(self) -> Any:
        """NumPy's dtype of the same name: NumPy reads an object's ``dtype`` attribute, so
        NumPy code written for arrays (``np.zeros(n, dtype=t.dtype)``) takes agrad's dtypes.

        Examples
        --------
        >>> import numpy as np
        >>> import agrad
        >>> np.zeros(2, dtype=agrad.float32).dtype
        dtype('float32')
        """
        import numpy  # (a function-level import keeps this ground-floor module light)

        return numpy.dtype(self.name)

    @property
    def is_floating(self) -> _builtin_bool:
        """True for real and complex floating-point dtypes (those that can carry gradients)."""
        return self.kind in "fc"


bool = DType("bool", "b", 8)
int8 = DType("int8", "i", 8)
int16 = DType("int16", "i", 16)
int32 = DType("int32", "i", 32)
int64 = DType("int64", "i", 64)
uint8 = DType("uint8", "u", 8)
uint16 = DType("uint16", "u", 16)
uint32 = DType("uint32", "u", 32)
uint64 = DType("uint64", "u", 64)
float32 = DType("float32", "f", 32)
float64 = DType("float64", "f", 64)
complex64 = DType("complex64", "c", 64)
complex128 = DType("complex128", "c", 128)

ALL_DTYPES: tuple[DType, ...] = (
    bool,
    int8,
    int16,
    int32,
    int64,
    uint8,
    uint16,
    uint32,
    uint64,
    float32,
    float64,
    complex64,
    complex128,
)
BY_NAME: dict[str, DType] = {d.name: d for d in ALL_DTYPES}
#: the standard's dtype kinds, as the `kind` letters they cover
KIND_LETTERS: dict[str, str] = {
    "bool": "b",
    "signed integer": "i",
    "unsigned integer": "u",
    "integral": "iu",
    "real floating": "f",
    "complex floating": "c",
    "numeric": "iufc",
}


# The dtype objects of every loaded backend (and agrad's own), by identity: dtype objects
# are singletons, and comparing one library's dtype with another's can warn or misfire.
_REAL_IDS: set[int] = set()
_COMPLEX_IDS: set[int] = set()
_KEEP: list[Any] = []  # keeps registered dtype objects alive, so their ids stay theirs


def register_dtypes(*, real: tuple[Any, ...], complex: tuple[Any, ...]) -> None:
    """Tell :func:`conj` which dtype objects of a backend are real and which complex.

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.extend import register_dtypes
    >>> register_dtypes(real=(np.dtype("float64"),), complex=(np.dtype("complex128"),))
    """
    _KEEP.extend(real + complex)
    _REAL_IDS.update(id(d) for d in real)
    _COMPLEX_IDS.update(id(d) for d in complex)


def conj(x: Any, xp: Any) -> Any:
    """``xp.conj(x)`` for complex ``x``; ``x`` itself otherwise (a real conj is a full copy).

    Examples
    --------
    >>> import agrad
    >>> from agrad.extend import conj
    >>> conj(agrad.asarray([1 + 2j]), agrad).tolist()
    [(1-2j)]
    """
    dtype = getattr(x, "dtype", None)
    if dtype is None:  # a Python scalar: a default costs far less than a caught AttributeError
        return x.conjugate() if isinstance(x, complex) else x
    key = id(dtype)
    if key in _REAL_IDS:
        return x
    if key in _COMPLEX_IDS:
        return xp.conj(x)
    # dtype objects this library makes afresh: ask the namespace (standard equality)
    if dtype == xp.complex64 or dtype == xp.complex128:
        return xp.conj(x)
    return x


register_dtypes(real=(float32, float64), complex=(complex64, complex128))
