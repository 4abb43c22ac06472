"""``agrad.autograd.util``: HIPS autograd's older helpers."""

from __future__ import annotations

import warnings
from typing import Any

from agrad.autograd.test_util import check_grads
from agrad.autograd.wrap_util import subvals

__all__ = ["quick_grad_check", "subvals"]


def quick_grad_check(
    fun: Any, arg0: Any, extra_args: tuple[Any, ...] = (), kwargs: Any = None, verbose: bool = True
) -> None:
    """Deprecated: ``check_grads(fun, modes=["rev"], order=1)(arg0, *extra_args)``.

    Examples
    --------
    >>> import warnings
    >>> from agrad.autograd.util import quick_grad_check
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     quick_grad_check(lambda x: x**2, 1.0)
    """
    warnings.warn(
        "quick_grad_check is deprecated: use `check_grads`.", DeprecationWarning, stacklevel=2
    )
    check_grads(fun, modes=["rev"], order=1)(arg0, *extra_args, **(kwargs or {}))
