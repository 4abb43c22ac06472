"""``agrad.autograd.misc``: ``flatten``, ``const_graph`` and (as a submodule) ``optimizers``."""

from __future__ import annotations

from agrad.autograd.misc.flatten import flatten
from agrad.autograd.misc.tracers import const_graph

__all__ = ["const_graph", "flatten"]
