"""Specs of the ``fft`` extension: lengths (padding, cropping), axes and norms."""

from __future__ import annotations

from typing import Any

from agrad.conformance import strategies
from agrad.conformance._spec import COMPLEX, REAL_ONLY, Spec
from hypothesis import strategies as st

_NORM = st.sampled_from(["backward", "ortho", "forward"])
_TOL = {"float32": (1e-3, 1e-4), "complex64": (1e-3, 1e-4)}


def _one_axis(min_n: int = 1) -> Any:
    """kwargs ``n``, ``axis``, ``norm`` for one input of at least one dimension."""

    def kwargs(shapes: Any) -> Any:
        (shape,) = shapes
        ndim = len(shape)

        @st.composite
        def draw_kwargs(draw: Any) -> dict[str, Any]:
            axis = draw(st.integers(-ndim, ndim - 1))
            n = draw(st.one_of(st.none(), st.integers(min_n, 5)))
            if n is None and shape[axis] < min_n:
                n = min_n
            return {"n": n, "axis": axis, "norm": draw(_NORM)}

        return draw_kwargs()

    return kwargs


def _irfft_one_axis(shapes: Any) -> Any:
    # the default length 2 * (m - 1) needs m >= 2
    (shape,) = shapes

    def fix(kw: dict[str, Any]) -> dict[str, Any]:
        if kw["n"] is None and shape[kw["axis"]] < 2:
            kw = {**kw, "n": 2}
        return kw

    return _one_axis()(shapes).map(fix)


def _many_axes(min_last: int = 1) -> Any:
    """kwargs ``s``, ``axes``, ``norm``; the last transformed axis has ``min_last`` values."""

    def kwargs(shapes: Any) -> Any:
        (shape,) = shapes
        ndim = len(shape)

        @st.composite
        def draw_kwargs(draw: Any) -> dict[str, Any]:
            axes = draw(st.permutations(range(ndim)))[: draw(st.integers(1, ndim))]
            s = None
            if draw(st.booleans()) or shape[axes[-1]] < min_last:
                s = tuple(draw(st.integers(max(min_last, 1), 4)) for _ in axes)
            return {"s": s, "axes": tuple(axes), "norm": draw(_NORM)}

        return draw_kwargs()

    return kwargs


def _torch_one(name: str) -> Any:
    def call(torch: Any, x: Any, n: Any = None, axis: int = -1, norm: str = "backward") -> Any:
        return getattr(torch.fft, name)(x, n=n, dim=axis, norm=norm)

    return call


def _torch_many(name: str) -> Any:
    def call(torch: Any, x: Any, s: Any = None, axes: Any = None, norm: str = "backward") -> Any:
        return getattr(torch.fft, name)(x, s=s, dim=axes, norm=norm)

    return call


def _shift_kwargs(shapes: Any) -> Any:
    return st.fixed_dictionaries({"axes": strategies.axes(len(shapes[0]))})


def _torch_shift(name: str) -> Any:
    def call(torch: Any, x: Any, axes: Any = None) -> Any:
        return getattr(torch.fft, name)(x, dim=axes)

    return call


_ND = strategies.shapes(min_dims=1, empty=False).map(lambda s: (s,))

SPECS = [
    Spec("fft.fft", torch=_torch_one("fft"), shapes=_ND, kwargs=_one_axis(), dtypes=COMPLEX),
    Spec("fft.ifft", torch=_torch_one("ifft"), shapes=_ND, kwargs=_one_axis(), dtypes=COMPLEX),
    Spec("fft.fftn", torch=_torch_many("fftn"), shapes=_ND, kwargs=_many_axes(), dtypes=COMPLEX),
    Spec("fft.ifftn", torch=_torch_many("ifftn"), shapes=_ND, kwargs=_many_axes(), dtypes=COMPLEX),
    Spec("fft.rfft", torch=_torch_one("rfft"), shapes=_ND, kwargs=_one_axis(), dtypes=REAL_ONLY),
    Spec(
        "fft.irfft",
        torch=_torch_one("irfft"),
        shapes=_ND,
        kwargs=_irfft_one_axis,
        dtypes=COMPLEX,
        tol=_TOL,
    ),
    Spec(
        "fft.rfftn",
        torch=_torch_many("rfftn"),
        shapes=_ND,
        kwargs=_many_axes(),
        dtypes=REAL_ONLY,
    ),
    Spec(
        "fft.irfftn",
        torch=_torch_many("irfftn"),
        shapes=_ND,
        kwargs=_many_axes(min_last=2),
        dtypes=COMPLEX,
        tol=_TOL,
    ),
    Spec(
        "fft.hfft",
        torch=_torch_one("hfft"),
        shapes=_ND,
        kwargs=_irfft_one_axis,
        dtypes=COMPLEX,
        tol=_TOL,
    ),
    Spec("fft.ihfft", torch=_torch_one("ihfft"), shapes=_ND, kwargs=_one_axis(), dtypes=REAL_ONLY),
    Spec("fft.fftshift", torch=_torch_shift("fftshift"), shapes=_ND, kwargs=_shift_kwargs),
    Spec("fft.ifftshift", torch=_torch_shift("ifftshift"), shapes=_ND, kwargs=_shift_kwargs),
    # NumPy's fft takes real input too; the standard's takes complex input only
    Spec(
        "fft.fft",
        torch=_torch_one("fft"),
        shapes=_ND,
        kwargs=_one_axis(),
        dtypes=REAL_ONLY,
        label="fft-real-input",
    ),
]
