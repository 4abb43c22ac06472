"""Specs of the data-type functions with a gradient: astype."""

from __future__ import annotations

from typing import Any

from agrad.conformance._spec import COMPLEX, REAL_ONLY, Spec
from hypothesis import strategies as st


def _agrad_astype(xp: Any, x: Any, dtype: str) -> Any:
    return xp.astype(x, getattr(xp, dtype))


def _torch_astype(torch: Any, x: Any, dtype: str) -> Any:
    # the oracle runs in float64: a cast's gradient is the cast back, exact in any width
    return x.to(torch.complex128 if dtype.startswith("complex") else torch.float64)


SPECS = [
    Spec(
        "astype",
        call=_agrad_astype,
        torch=_torch_astype,
        kwargs=lambda shapes: st.fixed_dictionaries(
            {"dtype": st.sampled_from(["float64", "float32", "complex128", "complex64"])}
        ),
        dtypes=REAL_ONLY,
    ),
    Spec(
        "astype",
        call=_agrad_astype,
        torch=_torch_astype,
        kwargs=lambda shapes: st.fixed_dictionaries(
            {"dtype": st.sampled_from(["complex128", "complex64"])}
        ),
        dtypes=COMPLEX,
        label="astype(complex)",
    ),
]
