"""The whole suite: specs x devices x dtypes, with known failures, as the CLI runs it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from agrad.backends import known_backends
from agrad.conformance import xfails as _xfails
from agrad.conformance.checks import Result, check_compiled, run
from agrad.conformance.specs import ALL_DTYPES, SPECS, Spec

import agrad
from agrad._registry import TABLE

__all__ = [
    "Row",
    "default_devices",
    "default_dtypes",
    "default_examples",
    "dtypes_for",
    "module_specs",
    "prepare",
    "run_suite",
    "supported_dtypes",
]

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


#: examples per spec and dtype in a default run (``python -m agrad.conformance``), by device:
#: a few on the fast devices, one where every example pays for a task graph (Dask), a
#: compile (JAX) or the strict library's checks; the default run stays under two minutes
#: on two cores. ``--thorough`` runs ``THOROUGH_EXAMPLES`` everywhere.
QUICK_EXAMPLES = {"numpy": 3, "torch:cpu": 3}
QUICK_OTHER = 1
THOROUGH_EXAMPLES = 25
#: the dtypes of a default run on the slow devices: the widest real and complex ones (the
#: rules' float32 arithmetic is checked on the fast devices); ``--thorough`` runs all four
QUICK_DTYPES = ("float64", "complex128")
#: seconds per example, a prior for the progress display's ETA until a device has run some
COST = {"numpy": 0.006, "torch:cpu": 0.006, "array_api_strict": 0.02, "dask": 0.03}
COST_OTHER = 0.09
#: how much longer an example takes in a compiled run (an eager step, two captures, a replay)
COMPILED_COST = 8.0


def default_examples(device: str, *, order: int = 2, thorough: bool = False) -> int:
    """Examples per spec and dtype on ``device`` in a default (or ``thorough``) run; an
    order-1 run, half the work per example, gets twice as many.

    Examples
    --------
    >>> from agrad.conformance.suite import default_examples
    >>> default_examples("numpy"), default_examples("dask"), default_examples("dask", order=1)
    (3, 1, 2)
    """
    n = THOROUGH_EXAMPLES if thorough else QUICK_EXAMPLES.get(str(device), QUICK_OTHER)
    return n * (2 if order == 1 else 1)


def module_specs(module: str) -> tuple[list[Spec], list[str]]:
    """The specs that check the rules ``module`` registers, and notes on those it cannot.

    ``module`` is imported (reloaded if it already was); every rule it adds or replaces with
    :func:`agrad.extend.register` is checked by the kit's specs of that function, and a
    ``SPECS`` list in the module adds specs of its own (:class:`agrad.conformance.Spec`).
    Raises ``ValueError`` when the module registers nothing and has no ``SPECS``.

    Examples
    --------
    >>> from agrad.conformance.suite import module_specs
    >>> module_specs("agrad.conformance.xfails")
    Traceback (most recent call last):
    ...
    ValueError: `agrad.conformance.xfails` registered no rule ...
    """
    import importlib
    import sys

    before = dict(TABLE)
    if module in sys.modules:
        mod = importlib.reload(sys.modules[module])
    else:
        mod = importlib.import_module(module)
    changed = [name for name, rule in TABLE.items() if before.get(name) is not rule]
    own = list(getattr(mod, "SPECS", []))
    specs = [s for s in SPECS if s.name in changed] + own
    notes = []
    for name in changed:
        if TABLE[name].nondiff:
            notes.append(f"{module} registers {name!r} without a gradient: nothing to check")
        elif not any(s.name == name for s in specs):
            notes.append(f"{module} registers {name!r}, which no spec checks: add one to SPECS")
    if not specs:
        msg = (
            f"`{module}` registered no rule with a spec (agrad.extend.register) and has no "
            "`SPECS` list: nothing to check. Register rules at import time, or list specs "
            "in `SPECS`."
        )
        raise ValueError(msg)
    return specs, notes


def default_dtypes(device: str, *, thorough: bool = False) -> tuple[str, ...] | None:
    """The dtypes of a default (or ``thorough``) run on ``device``; None for all.

    Examples
    --------
    >>> from agrad.conformance.suite import default_dtypes
    >>> default_dtypes("numpy"), default_dtypes("dask")
    (None, ('float64', 'complex128'))
    """
    if thorough or str(device) in QUICK_EXAMPLES or str(device) == "array_api_strict":
        return None
    return QUICK_DTYPES


def default_convention(device: str, *, thorough: bool = False) -> str:
    """The complex conventions a default (or ``thorough``) run checks on ``device``.

    JAX's convention is agrad's conversion at the ends of a backward pass, the same code on
    every device; a quick run checks it on all but Dask, where the second pass doubles the
    cost of the complex examples.

    Examples
    --------
    >>> from agrad.conformance.suite import default_convention
    >>> default_convention("numpy"), default_convention("dask")
    ('both', 'torch')
    """
    return "torch" if str(device) == "dask" and not thorough else "both"


def prepare(devices: Sequence[str]) -> None:
    """Ready the libraries behind ``devices`` for the kit: JAX gets its 64-bit types
    (``jax_enable_x64``), without which float64 and complex128 could not be checked there.

    Examples
    --------
    >>> from agrad.conformance.suite import prepare
    >>> prepare(["numpy"])  # nothing to do for NumPy
    """
    if any(str(d).split(":")[0] == "jax" for d in devices):
        import jax

        jax.config.update("jax_enable_x64", True)


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
    failure, failing as listed), ``"XPASS"`` (listed as failing, but passing: a failure,
    so the list stays true) or, in a compiled run, ``"not replayed"``: every example passed
    but ``agrad.compile`` ran some eagerly instead of replaying them (not a failure: their
    eager gradients were checked, and compile's fallback to eager is correct; each result's
    ``not_replayed`` says why).
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

    @property
    def replayed(self) -> int:
        """Examples whose gradients came from a replay (a compiled run)."""
        return sum(r.replayed for r in self.results)

    @property
    def fused(self) -> int:
        """Examples whose replay ran fused loops (``compiled="fuse"``)."""
        return sum(r.fused for r in self.results)

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
            "replayed": self.replayed,
            "fused": self.fused,
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
    if expected:
        return "xfail", why
    if any(r.not_replayed is not None for r in results):
        return "not replayed", why
    return "ok", why


def run_suite(
    specs: Sequence[Spec],
    devices: Sequence[str],
    *,
    dtypes: Sequence[str] | Mapping[str, Sequence[str] | None] | None = None,
    order: int = 2,
    max_examples: int | Mapping[str, int] = 10,
    seed: int = 0,
    oracle: str | None = None,
    convention: str | Mapping[str, str] = "both",
    compiled: str | None = None,
    on_result: Callable[[Result], None] | None = None,
    on_row: Callable[[Row], None] | None = None,
) -> list[Row]:
    """Run every spec on every device in every dtype it defines (among ``dtypes``).

    Devices run one after the other, each through every spec. ``max_examples`` is per spec
    and dtype; it and ``dtypes`` may be mappings by device. ``on_result`` is called after
    each (spec, device, dtype) and ``on_row`` after each (spec, device), for progress and
    streaming output. JAX gets its 64-bit types (:func:`prepare`). ``convention`` is the
    complex conventions checked (:func:`agrad.conformance.compare`), or a mapping by device.
    ``compiled`` (``"replay"`` or ``"fuse"``; NumPy, torch and JAX devices) also checks the
    gradients that ``agrad.compile`` replays (:func:`agrad.conformance.run`); rows whose
    examples were not all replayed get the status ``"not replayed"``.

    Examples
    --------
    >>> from agrad.conformance.specs import select
    >>> from agrad.conformance.suite import run_suite
    >>> rows = run_suite(select(["sin"]), ["numpy"], dtypes=["float64"], max_examples=2,
    ...                  oracle="finite-difference")
    >>> [(r.spec.id, r.device, r.status, r.examples) for r in rows]
    [('sin', 'numpy', 'ok', 2)]
    >>> rows = run_suite(select(["sin"]), ["numpy"], dtypes=["float64"], max_examples=2,
    ...                  compiled="replay")
    >>> [(r.status, r.examples, r.replayed) for r in rows]
    [('ok', 2, 2)]
    """
    from hypothesis import Phase

    # a known failure is not shrunk: its minimal example is not wanted, and shrinking it
    # cost most of a run's time on a slow device
    no_shrink = (Phase.explicit, Phase.reuse, Phase.generate)
    for device in devices:
        check_compiled(compiled, device)
    prepare(devices)
    known = {d: _xfails.load(d) for d in devices}
    rows = []
    for device in devices:
        examples = max_examples if isinstance(max_examples, int) else max_examples[device]
        wanted = dtypes.get(device) if isinstance(dtypes, Mapping) else dtypes
        conv = convention if isinstance(convention, str) else convention[device]
        for spec in specs:
            results = []
            for dtype in dtypes_for(spec, wanted, device):
                listed = _xfails.reason(known[device], spec.id, dtype) is not None
                result = run(
                    spec,
                    device,
                    dtype,
                    order=order,
                    max_examples=examples,
                    seed=seed,
                    oracle=oracle,
                    phases=no_shrink if listed else None,
                    convention=conv,
                    compiled=compiled,
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
