"""The error for a SciPy name that ``agrad.scipy.linalg``, ``signal`` or ``integrate`` does
not offer: its own small module, so that each door raises it without loading the others."""

from __future__ import annotations

from agrad.errors import AgradAttributeError

__all__ = ["ScipyNameError", "missing"]


class ScipyNameError(AgradAttributeError):
    """A SciPy name that ``agrad.scipy.linalg``, ``signal`` or ``integrate`` does not offer."""


def missing(module: str, name: str, offered: list[str]) -> ScipyNameError:
    """The error for reading a name ``agrad.scipy.<module>`` does not offer."""
    msg = (
        f"`agrad.scipy.{module}` has no {name!r}; it offers {', '.join(offered)}. For "
        f"SciPy's `scipy.{module}.{name}` without gradients, call it on constant NumPy "
        "arrays (`t.detach().array`)."
    )
    return ScipyNameError(msg)
