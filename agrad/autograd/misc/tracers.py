"""``const_graph``: HIPS autograd's graph caching, here a plain wrapper."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any


def const_graph(fun: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[..., Any]:
    """``fun`` with ``args``/``kwargs`` bound (``functools.partial``).

    HIPS autograd traces ``fun`` once and replays the recorded primitives on later calls;
    agrad calls ``fun`` every time (same results, no replay). ``agrad.compile`` is agrad's
    way to capture and replay a computation.

    Examples
    --------
    >>> from agrad.autograd.misc import const_graph
    >>> const_graph(lambda x, y: x + 2 * y, 1.0)(2.0)
    5.0
    """
    return functools.partial(fun, *args, **kwargs)
