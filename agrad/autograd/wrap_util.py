"""``agrad.autograd.wrap_util``: HIPS autograd's helpers for writing function transforms."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from agrad.errors import AgradTypeError

__all__ = ["get_doc", "get_name", "unary_to_nary", "wraps"]


def get_name(f: Any) -> str:
    """``f.__name__``, or ``"[unknown name]"``."""
    return str(getattr(f, "__name__", "[unknown name]"))


def get_doc(f: Any) -> str:
    """``f.__doc__``, or an empty string."""
    return str(getattr(f, "__doc__", "") or "")


def subvals(x: Sequence[Any], ivs: Any) -> tuple[Any, ...]:
    """``x`` as a tuple with the entries ``i`` replaced by ``v`` for each ``(i, v)``."""
    x_ = list(x)
    for i, v in ivs:
        x_[i] = v
    return tuple(x_)


def wraps(fun: Any, namestr: str = "{fun}", docstr: str = "{doc}", **kwargs: Any) -> Any:
    """A decorator naming (and documenting) the wrapper of ``fun`` from templates.

    Examples
    --------
    >>> from agrad.autograd.wrap_util import wraps
    >>> def f(x): return x
    >>> @wraps(f, "twice_{fun}")
    ... def g(x): return 2 * x
    >>> g.__name__
    'twice_f'
    """

    def _wraps(f: Any) -> Any:
        try:
            f.__name__ = namestr.format(fun=get_name(fun), **kwargs)
            f.__doc__ = docstr.format(fun=get_name(fun), doc=get_doc(fun), **kwargs)
        except (AttributeError, KeyError, IndexError, ValueError):
            pass
        return f

    return _wraps


def wrap_nary_f(fun: Any, op: Any, argnum: Any) -> Any:
    namestr = "{op}_of_{fun}_wrt_argnum_{argnum}"
    docstr = (
        "    {op} of function {fun} with respect to argument number {argnum}. Takes the\n"
        "    same arguments as {fun} but returns the {op}.\n"
    )
    return wraps(fun, namestr, docstr, op=get_name(op), argnum=argnum)


def unary_to_nary(unary_operator: Callable[..., Any]) -> Callable[..., Any]:
    """Turn ``op(fun, x, ...)`` of a one-argument ``fun`` into ``op(fun, argnum=0, ...)``.

    The result takes a function of any number of arguments and the position (an int, or a
    tuple of ints) of the one(s) to transform with respect to.

    Examples
    --------
    >>> from agrad.autograd.wrap_util import unary_to_nary
    >>> @unary_to_nary
    ... def at(fun, x):
    ...     return fun(x)
    >>> at(lambda a, b: a - b, 1)(10, 3)
    7
    """

    def nary_operator(fun: Any, argnum: Any = 0, *nary_op_args: Any, **nary_op_kwargs: Any) -> Any:
        if type(argnum) not in (int, tuple, list):
            msg = (
                f"`{get_name(unary_operator)}` takes `argnum` as an int or a tuple of ints, "
                f"got {argnum!r}."
            )
            raise AgradTypeError(msg)

        @wrap_nary_f(fun, unary_operator, argnum)  # type: ignore[untyped-decorator]
        def nary_f(*args: Any, **kwargs: Any) -> Any:
            def unary_f(x: Any) -> Any:
                if isinstance(argnum, int):
                    subargs = subvals(args, [(argnum, x)])
                else:
                    subargs = subvals(args, zip(argnum, x, strict=True))
                return fun(*subargs, **kwargs)

            unary_f.__name__ = get_name(fun)
            x = args[argnum] if isinstance(argnum, int) else tuple(args[i] for i in argnum)
            return unary_operator(unary_f, x, *nary_op_args, **nary_op_kwargs)

        return nary_f

    nary_operator.__name__ = get_name(unary_operator)
    nary_operator.__doc__ = unary_operator.__doc__
    nary_operator.__wrapped__ = unary_operator  # type: ignore[attr-defined]
    return nary_operator
