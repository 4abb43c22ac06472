"""agrad's dtype objects: one object per dtype, the same on every backend."""

from __future__ import annotations

from typing import Any

__all__ = [
    "ALL_DTYPES",
    "DType",
    "bool",
    "complex64",
    "complex128",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
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


def _register_complex() -> None:
    from agrad.extend import register_dtypes

    register_dtypes(real=(float32, float64), complex=(complex64, complex128))


_register_complex()
