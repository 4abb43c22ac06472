"""The whole suite: specs x devices x dtypes, with known failures, as the CLI runs it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from agrad.conformance import xfails as _xfails
from agrad.conformance.checks import Result, run
from agrad.conformance.specs import Spec

__all__ = ["Row", "default_devices", "dtypes_for", "run_suite", "supported_dtypes"]

#: words in a device's name that mark an accelerator (everything else counts as the CPU)
_ACCELERATOR = ("cuda", "gpu", "mps", "rocm", "hip", "xpu", "tpu", "metal", "opencl")


def _is_cpu(device: Any) -> bool:
    words = f"{device} {getattr(device, 'native', '')}".lower()
    return not any(w in words for w in _ACCELERATOR)


def default_devices() -> list[str]:
    """The CPU devices agrad can use here: the namespace's ``devices()``, then each known
    backend's default device whose library is installed (new backends join by themselves).

    Examples
    --------
    >>> from agrad.conformance import default_devices
    >>> default_devices()[0]
    'numpy'
    """
    from agrad.backends import known_backends

    import agrad

    found: list[str] = []
    try:
        listed = list(agrad.__array_namespace_info__().devices())
    except Exception:  # the inspection API is best effort; the backends below still count
        listed = []
    candidates: list[Any] = [*listed]
    for name in known_backends():
        try:
            candidates.append(agrad.Device(name))
        except Exception:  # the backend's library is not installed, or has no default device
            continue
    for device in candidates:
        name = str(device)
        if _is_cpu(device) and name not in found:
            found.append(name)
    return found


def dtypes_for(spec: Spec, wanted: Sequence[str] | None, device: str | None = None) -> list[str]:
    """The dtypes of ``spec`` among ``wanted`` (all of the spec's when None) that ``device``
    holds."""
    held = supported_dtypes(device) if device is not None else None
    return [
        d for d in spec.dtypes if (wanted is None or d in wanted) and (held is None or d in held)
    ]


_SUPPORTED: dict[str, tuple[str, ...]] = {}


def supported_dtypes(device: str) -> tuple[str, ...]:
    """The floating dtypes an array on ``device`` keeps (JAX without 64-bit types, or a
    GPU without float64, holds fewer).

    Examples
    --------
    >>> from agrad.conformance.suite import supported_dtypes
    >>> supported_dtypes("numpy")
    ('float64', 'float32', 'complex128', 'complex64')
    """
    import numpy as np
    from agrad.conformance.specs import ALL_DTYPES

    import agrad

    found = []
    for name in ALL_DTYPES:
        try:
            t = agrad.asarray(np.zeros(1, dtype=name), device=device)
            if t.dtype.name == name:
                found.append(name)
        except Exception:  # the device refuses the dtype
            continue
    return tuple(found)


@dataclasses.dataclass
class Row:
    """One spec on one device: its results per dtype and the row's status.

    ``status`` is ``"ok"``, ``"FAIL"`` (an unexpected failure), ``"xfail"`` (a known
    failure, failing as listed) or ``"XPASS"`` (listed as failing, but passing: a failure,
    so the list stays true).
    """

    spec: Spec
    device: str
    results: list[Result]
    status: str = "ok"
    xfail: str = ""

    @property
    def examples(self) -> int:
        return sum(r.examples for r in self.results)

    @property
    def worst_abs(self) -> float:
        return max((r.worst_abs for r in self.results), default=0.0)

    @property
    def worst_rel(self) -> float:
        return max((r.worst_rel for r in self.results), default=0.0)

    @property
    def failed(self) -> bool:
        return self.status in ("FAIL", "XPASS")

    def to_dict(self) -> dict[str, Any]:
        return {
            "spec": self.spec.id,
            "function": self.spec.name,
            "category": self.spec.category,
            "device": self.device,
            "status": self.status,
            "xfail_reason": self.xfail,
            "examples": self.examples,
            "worst_abs": self.worst_abs,
            "worst_rel": self.worst_rel,
            "results": [r.to_dict() for r in self.results],
        }


def _status(spec: Spec, results: list[Result], known: dict[str, str]) -> tuple[str, str]:
    unexpected = expected = xpass = False
    why = ""
    for r in results:
        listed = _xfails.reason(known, spec.id, r.dtype)
        if listed is None:
            unexpected |= not r.ok
        else:
            why = why or listed
            expected |= not r.ok
            xpass |= r.ok
    if unexpected:
        return "FAIL", why
    if xpass:
        return "XPASS", why
    return ("xfail" if expected else "ok"), why


def run_suite(
    specs: Sequence[Spec],
    devices: Sequence[str],
    *,
    dtypes: Sequence[str] | None = None,
    order: int = 2,
    max_examples: int = 10,
    seed: int = 0,
    oracle: str | None = None,
    on_result: Callable[[Result], None] | None = None,
    on_row: Callable[[Row], None] | None = None,
) -> list[Row]:
    """Run every spec on every device in every dtype it defines (among ``dtypes``).

    ``on_result`` is called after each (spec, device, dtype) and ``on_row`` after each
    (spec, device), for progress and streaming output.

    Examples
    --------
    >>> from agrad.conformance.specs import select
    >>> from agrad.conformance.suite import run_suite
    >>> rows = run_suite(select(["sin"]), ["numpy"], dtypes=["float64"], max_examples=2,
    ...                  oracle="finite-difference")
    >>> [(r.spec.id, r.device, r.status, r.examples) for r in rows]
    [('sin', 'numpy', 'ok', 2)]
    """
    known = {d: _xfails.load(d) for d in devices}
    rows = []
    for spec in specs:
        for device in devices:
            results = []
            for dtype in dtypes_for(spec, dtypes, device):
                result = run(
                    spec,
                    device,
                    dtype,
                    order=order,
                    max_examples=max_examples,
                    seed=seed,
                    oracle=oracle,
                )
                results.append(result)
                if on_result is not None:
                    on_result(result)
            status, why = _status(spec, results, known[device])
            row = Row(spec, device, results, status, why)
            rows.append(row)
            if on_row is not None:
                on_row(row)
    return rows
