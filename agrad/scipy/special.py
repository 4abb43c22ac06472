"""SciPy's special functions, differentiable: ``from agrad.scipy import special``.

The names and signatures are SciPy's (``scipy.special``). Forward values come from SciPy on
the NumPy device, from the device's own library elsewhere (``torch.special``,
``jax.scipy.special``, ``cupyx.scipy.special``), from SciPy block by block on Dask, and from
SciPy through host memory for a function the library lacks, where the array lives on the
CPU (on a GPU that raises :class:`~agrad.errors.NotOnDeviceError`). The derivative rules are
written once, against the standard; under ``create_graph=True`` they call the functions of
this module, so higher derivatives come for free.

Orders and shape parameters (``n`` of ``polygamma``, ``v`` of ``iv``, ``a`` of ``gammainc``,
``a`` and ``b`` of ``betainc``) are constants: differentiating through them raises
:class:`~agrad.errors.NoRuleError`, as torch does for ``gammainc``.

Examples
--------
>>> import agrad
>>> from agrad.scipy import special
>>> x = agrad.tensor([0.5, 2.0], requires_grad=True)
>>> agrad.sum(special.gammaln(x)).backward()
>>> [round(v, 6) for v in x.grad.tolist()]
[-1.96351, 0.422784]
"""

from __future__ import annotations

import functools
import importlib
import math
from collections.abc import Callable, Sequence
from typing import Any

from agrad._api import elementwise as _e
from agrad._api import statistical as _s
from agrad._api.data_type import astype, result_type
from agrad._api.manipulation import squeeze
from agrad._api.searching import where
from agrad._arraylike import as_tensors, default_float, normalize_axis
from agrad._grad_mode import no_grad
from agrad._ops import apply, namespace
from agrad._tensor import Tensor
from agrad.errors import AgradAttributeError, AgradTypeError, NoRuleError, NotOnDeviceError
from agrad.extend import Rule, backend_of, conj

__all__ = [
    "beta",
    "betainc",
    "betaln",
    "digamma",
    "entr",
    "erf",
    "erfc",
    "erfcinv",
    "erfinv",
    "expit",
    "gamma",
    "gammainc",
    "gammaincc",
    "gammaln",
    "gammasgn",
    "i0",
    "i0e",
    "i1",
    "i1e",
    "iv",
    "ive",
    "j0",
    "j1",
    "jn",
    "jv",
    "log_ndtr",
    "log_softmax",
    "logit",
    "logsumexp",
    "multigammaln",
    "ndtr",
    "ndtri",
    "polygamma",
    "psi",
    "rgamma",
    "softmax",
    "xlog1py",
    "xlogy",
    "y0",
    "y1",
    "yn",
    "yv",
]

_SQRT_PI = math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2.0 * math.pi)
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)

# torch.special's spelling of SciPy's names, where torch has the function
_TORCH = {
    "gammaln": "gammaln",
    "digamma": "digamma",
    "polygamma": "polygamma",
    "erf": "erf",
    "erfc": "erfc",
    "erfinv": "erfinv",
    "expit": "expit",
    "logit": "logit",
    "log_ndtr": "log_ndtr",
    "ndtr": "ndtr",
    "ndtri": "ndtri",
    "xlogy": "xlogy",
    "xlog1py": "xlog1py",
    "entr": "entr",
    "i0": "i0",
    "i1": "i1",
    "i0e": "i0e",
    "i1e": "i1e",
    "j0": "bessel_j0",
    "j1": "bessel_j1",
    "y0": "bessel_y0",
    "y1": "bessel_y1",
    "gammainc": "gammainc",
    "gammaincc": "gammaincc",
}
# SciPy computes these for complex input too (holomorphic, so the rules carry over)
_COMPLEX_OK = frozenset({"erf", "erfc"})


# -- forward values, per device ------------------------------------------------------
def _scipy(name: str) -> Callable[..., Any]:
    # imported on first use: SciPy is slow to import
    return getattr(importlib.import_module("scipy.special"), name)  # type: ignore[no-any-return]


def _on_cpu(backend: Any, x: Any) -> bool:
    native = backend.device_of(x)
    kind = getattr(native, "type", None) or getattr(native, "platform", None)
    return kind in (None, "cpu")


def _via_host(name: str, backend: Any) -> Callable[..., Any]:
    """SciPy's ``name`` on arrays copied to host memory, its result copied back."""
    fn = _scipy(name)

    def forward(*args: Any) -> Any:
        arrays = [a for a in args if isinstance(a, backend.array_type)]
        if arrays and not all(_on_cpu(backend, a) for a in arrays):
            dev = backend.device_name(backend.device_of(arrays[0]))
            msg = (
                f"`agrad.scipy.special.{name}` is not available on {dev!r}: its library has "
                f"no `{name}`, and SciPy computes only in host memory. Move the tensor to "
                "the CPU, e.g. `t.to_device('numpy')` (the move is differentiable), and back."
            )
            raise NotOnDeviceError(msg)
        host = [backend.to_host(a) if isinstance(a, backend.array_type) else a for a in args]
        out = fn(*host)
        native = backend.device_of(arrays[0]) if arrays else None
        return backend.from_host(out, native)

    return forward


def _torch_native(name: str) -> Callable[..., Any] | None:
    import torch

    fn = getattr(torch.special, _TORCH[name])
    if name != "polygamma":
        return fn  # type: ignore[no-any-return]

    def polygamma(n: Any, x: Any) -> Any:
        if isinstance(n, torch.Tensor):
            if n.ndim:
                return None  # several orders: torch takes one
            n = int(n)
        return fn(n, x)

    return polygamma


@functools.cache
def _forward(name: str, xp: Any) -> Callable[..., Any]:
    """The forward of SciPy's ``name`` on raw arrays of the namespace ``xp``."""
    backend = backend_of(xp)
    kind = backend.name
    if kind == "numpy":
        return _scipy(name)
    native: Callable[..., Any] | None = None
    if kind == "torch" and name in _TORCH:
        native = _torch_native(name)
    elif kind == "jax":
        import jax.scipy.special

        native = getattr(jax.scipy.special, name, None)
    elif kind == "cupy":
        import cupyx.scipy.special

        native = getattr(cupyx.scipy.special, name, None)
    elif kind == "dask":
        elemwise = importlib.import_module("dask.array.core").elemwise
        fn = _scipy(name)
        # elementwise functions only: a block's values depend on that block alone
        return lambda *args: elemwise(fn, *args)
    host = _via_host(name, backend)
    if native is None:
        return host
    first = native

    def forward(*args: Any) -> Any:
        out = first(*args)
        return host(*args) if out is None else out

    return forward


def _fn(name: str, xp: Any) -> Callable[..., Any]:
    """``name`` for a rule: this module's differentiable function when the backward is
    recorded (``xp`` is agrad), the raw forward otherwise."""
    if xp is namespace():
        return globals()[name]  # type: ignore[no-any-return]
    return _forward(name, xp)


def _float(t: Tensor, name: str) -> Tensor:
    if t.dtype.kind == "c":
        if name in _COMPLEX_OK and t.device.backend.name == "numpy":
            return t
        msg = (
            f"`agrad.scipy.special.{name}` takes real input, got a {t.dtype.name} tensor on "
            f"{t.device.name!r}. Pass the real part (`agrad.real(z)`) or split the complex "
            "computation into real ones."
        )
        raise AgradTypeError(msg)
    return default_float(t)


def _call(rule: Rule, name: str, args: Sequence[Any], consts: int = 0) -> Any:
    """Run ``rule`` on ``args``: the first ``consts`` are orders or shape parameters (Python
    numbers among them stay numbers), the rest become floating tensors on one device."""
    keep = [i < consts and isinstance(a, (int, float)) for i, a in enumerate(args)]
    tensors = iter(as_tensors([a for a, k in zip(args, keep, strict=True) if not k]))
    converted: list[Any] = []
    for i, (a, k) in enumerate(zip(args, keep, strict=True)):
        if k:
            converted.append(a)
        else:
            t = next(tensors)
            converted.append(_float(t, name) if i >= consts else t)
    # a Python number takes the precision of the arrays beside it, as in the standard:
    # betainc(float32, 0.5, float32) stays float32
    weak = [isinstance(a, (int, float)) and not k for a, k in zip(args, keep, strict=True)]
    strong = [c for c, w in zip(converted, weak, strict=True) if isinstance(c, Tensor) and not w]
    if any(weak) and strong and all(c.dtype.is_floating for c in strong):
        target = result_type(*strong)
        converted = [
            astype(c, target) if w and c.dtype.kind == target.kind else c
            for c, w in zip(converted, weak, strict=True)
        ]

    def forward(xp: Any, *arrays: Any) -> Any:
        return _forward(name, xp)(*arrays)

    return apply(rule, tuple(converted), None, forward)


def _constant(name: str, argument: str) -> Callable[..., Any]:
    def vjp(*_: Any, **__: Any) -> Any:
        msg = (
            f"`agrad.{name}` has no gradient in `{argument}` (torch has none "
            f"either). Pass `{argument}` as a constant (`.detach()`), or write the function "
            "with differentiable pieces if you need that derivative."
        )
        raise NoRuleError(msg)

    return vjp


def _rule(name: str, *vjps: Any) -> Rule:
    return Rule(f"scipy.special.{name}", *vjps)


# -- the rules -------------------------------------------------------------------------
def _gammaln_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    return g * _fn("digamma", xp)(x)


def _digamma_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    return g * _fn("polygamma", xp)(1, x)


def _polygamma_vjp(g: Any, out: Any, n: Any, x: Any, *, xp: Any) -> Any:
    return g * _fn("polygamma", xp)(n + 1, x)


def _gamma_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    return g * out * _fn("digamma", xp)(x)


def _rgamma_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    # d/dx 1/Gamma(x) = -psi(x) / Gamma(x)
    return -g * out * _fn("digamma", xp)(x)


def _erf_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    return g * conj((2.0 / _SQRT_PI) * xp.exp(-(x * x)), xp)


def _erfc_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    return g * conj((-2.0 / _SQRT_PI) * xp.exp(-(x * x)), xp)


def _erfinv_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    return g * (_SQRT_PI / 2.0) * xp.exp(out * out)


def _erfcinv_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    return g * (-_SQRT_PI / 2.0) * xp.exp(out * out)


def _ndtr_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    return g * xp.exp(-0.5 * x * x) / _SQRT_2PI


def _log_ndtr_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    # phi(x) / Phi(x), in logs: Phi underflows long before log Phi does
    return g * xp.exp(-0.5 * x * x - _LOG_SQRT_2PI - out)


def _ndtri_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    return g * _SQRT_2PI * xp.exp(0.5 * out * out)


def _entr_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    return -g * (xp.log(x) + 1.0)


def _nonzero(x: Any, xp: Any) -> Any:
    return xp.astype(x != 0, x.dtype)


def _xlogy_vjp_x(g: Any, out: Any, x: Any, y: Any, *, xp: Any) -> Any:
    # log(y) where x != 0, and 0 where x == 0 (torch's choice: no -inf at y == 0)
    return g * _fn("xlogy", xp)(_nonzero(x, xp), y)


def _xlogy_vjp_y(g: Any, out: Any, x: Any, y: Any, *, xp: Any) -> Any:
    return g * x / y


def _xlog1py_vjp_x(g: Any, out: Any, x: Any, y: Any, *, xp: Any) -> Any:
    return g * _fn("xlog1py", xp)(_nonzero(x, xp), y)


def _xlog1py_vjp_y(g: Any, out: Any, x: Any, y: Any, *, xp: Any) -> Any:
    return g * x / (y + 1.0)


def _bessel1(x: Any, xp: Any, f0: Any, f1: Any) -> Any:
    # Z1'(x) = Z0(x) - Z1(x) / x; at x == 0 (J1, I1) the limit is 1/2
    at_zero = x == 0
    safe = xp.where(at_zero, xp.ones_like(x), x)
    return xp.where(at_zero, 0.5 * xp.ones_like(x), f0(x) - f1(x) / safe)


def _i0_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    return g * _fn("i1", xp)(x)


def _i1_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    return g * _bessel1(x, xp, _fn("i0", xp), _fn("i1", xp))


def _i0e_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    # i0e = exp(-|x|) i0: d/dx = i1e(x) - sign(x) i0e(x)
    return g * (_fn("i1e", xp)(x) - xp.sign(x) * out)


def _i1e_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    # d/dx = i0e(x) - i1e(x) (sign(x) + 1/x), 1/2 at 0
    i1e_ = _fn("i1e", xp)
    d = _bessel1(x, xp, _fn("i0e", xp), i1e_)
    return g * (d - xp.sign(x) * out)


def _j0_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    return -g * _fn("j1", xp)(x)


def _j1_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    return g * _bessel1(x, xp, _fn("j0", xp), _fn("j1", xp))


def _y0_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    return -g * _fn("y1", xp)(x)


def _y1_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    return g * (_fn("y0", xp)(x) - _fn("y1", xp)(x) / x)


def _recurrence(name: str, sign: float) -> Callable[..., Any]:
    # Z_v'(x) = (Z_{v-1}(x) + sign Z_{v+1}(x)) / 2: -1 for J and Y, +1 for I
    def vjp(g: Any, out: Any, v: Any, x: Any, *, xp: Any) -> Any:
        f = _fn(name, xp)
        return g * 0.5 * (f(v - 1, x) + sign * f(v + 1, x))

    return vjp


def _ive_vjp(g: Any, out: Any, v: Any, x: Any, *, xp: Any) -> Any:
    # ive = iv exp(-|x|): d/dx = (ive_{v-1} + ive_{v+1}) / 2 - sign(x) ive_v
    f = _fn("ive", xp)
    return g * (0.5 * (f(v - 1, x) + f(v + 1, x)) - xp.sign(x) * out)


def _expit_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    return g * out * (1.0 - out)


def _logit_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    return g / (x * (1.0 - x))


def _gammainc_vjp_x(sign: float) -> Callable[..., Any]:
    # d/dx P(a, x) = x^(a-1) exp(-x) / Gamma(a), in logs against overflow
    def vjp(g: Any, out: Any, a: Any, x: Any, *, xp: Any) -> Any:
        return sign * g * xp.exp((a - 1.0) * xp.log(x) - x - _fn("gammaln", xp)(a))

    return vjp


def _betainc_vjp_x(g: Any, out: Any, a: Any, b: Any, x: Any, *, xp: Any) -> Any:
    # d/dx I_x(a, b) = x^(a-1) (1-x)^(b-1) / B(a, b)
    logs = (a - 1.0) * xp.log(x) + (b - 1.0) * xp.log1p(-x) - _fn("betaln", xp)(a, b)
    return g * xp.exp(logs)


def _beta_vjp(first: bool) -> Callable[..., Any]:
    # d/da B(a, b) = B(a, b) (psi(a) - psi(a + b))
    def vjp(g: Any, out: Any, a: Any, b: Any, *, xp: Any) -> Any:
        psi_ = _fn("digamma", xp)
        return g * out * (psi_(a if first else b) - psi_(a + b))

    return vjp


def _betaln_vjp(first: bool) -> Callable[..., Any]:
    def vjp(g: Any, out: Any, a: Any, b: Any, *, xp: Any) -> Any:
        psi_ = _fn("digamma", xp)
        return g * (psi_(a if first else b) - psi_(a + b))

    return vjp


_RULES: dict[str, Rule] = {
    "gammaln": _rule("gammaln", _gammaln_vjp),
    "digamma": _rule("digamma", _digamma_vjp),
    "polygamma": _rule("polygamma", None, _polygamma_vjp),
    "gamma": _rule("gamma", _gamma_vjp),
    "rgamma": _rule("rgamma", _rgamma_vjp),
    "gammasgn": Rule("scipy.special.gammasgn", nondiff=True),
    "erf": _rule("erf", _erf_vjp),
    "erfc": _rule("erfc", _erfc_vjp),
    "erfinv": _rule("erfinv", _erfinv_vjp),
    "erfcinv": _rule("erfcinv", _erfcinv_vjp),
    "ndtr": _rule("ndtr", _ndtr_vjp),
    "log_ndtr": _rule("log_ndtr", _log_ndtr_vjp),
    "ndtri": _rule("ndtri", _ndtri_vjp),
    "entr": _rule("entr", _entr_vjp),
    "xlogy": _rule("xlogy", _xlogy_vjp_x, _xlogy_vjp_y),
    "xlog1py": _rule("xlog1py", _xlog1py_vjp_x, _xlog1py_vjp_y),
    "i0": _rule("i0", _i0_vjp),
    "i1": _rule("i1", _i1_vjp),
    "i0e": _rule("i0e", _i0e_vjp),
    "i1e": _rule("i1e", _i1e_vjp),
    "j0": _rule("j0", _j0_vjp),
    "j1": _rule("j1", _j1_vjp),
    "y0": _rule("y0", _y0_vjp),
    "y1": _rule("y1", _y1_vjp),
    "jv": _rule("jv", _constant("scipy.special.jv", "v"), _recurrence("jv", -1.0)),
    "yv": _rule("yv", _constant("scipy.special.yv", "v"), _recurrence("yv", -1.0)),
    "iv": _rule("iv", _constant("scipy.special.iv", "v"), _recurrence("iv", 1.0)),
    "ive": _rule("ive", _constant("scipy.special.ive", "v"), _ive_vjp),
    "expit": _rule("expit", _expit_vjp),
    "logit": _rule("logit", _logit_vjp),
    "gammainc": _rule("gammainc", _constant("scipy.special.gammainc", "a"), _gammainc_vjp_x(1.0)),
    "gammaincc": _rule(
        "gammaincc", _constant("scipy.special.gammaincc", "a"), _gammainc_vjp_x(-1.0)
    ),
    "betainc": _rule(
        "betainc",
        _constant("scipy.special.betainc", "a"),
        _constant("scipy.special.betainc", "b"),
        _betainc_vjp_x,
    ),
    "beta": _rule("beta", _beta_vjp(True), _beta_vjp(False)),
    "betaln": _rule("betaln", _betaln_vjp(True), _betaln_vjp(False)),
}
# -- the functions ---------------------------------------------------------------------
ArrayLike = Any


def gammaln(x: ArrayLike) -> Tensor:
    """``scipy.special.gammaln``: ``log |Gamma(x)|``; gradient ``digamma(x)``.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import gammaln
    >>> round(gammaln(agrad.asarray(5.0)).item(), 6)  # log(4!)
    3.178054
    """
    return _call(_RULES["gammaln"], "gammaln", (x,))  # type: ignore[no-any-return]


def digamma(x: ArrayLike) -> Tensor:
    """``scipy.special.digamma`` (also ``psi``): the derivative of ``gammaln``.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import digamma
    >>> round(digamma(agrad.asarray(1.0)).item(), 6)  # minus Euler's constant
    -0.577216
    """
    return _call(_RULES["digamma"], "digamma", (x,))  # type: ignore[no-any-return]


psi = digamma


def polygamma(n: ArrayLike, x: ArrayLike) -> Tensor:
    """``scipy.special.polygamma``: the ``n``-th derivative of ``digamma``; gradient in ``x``
    (``n`` is an integer order, constant).

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import polygamma
    >>> round(polygamma(1, agrad.asarray(1.0)).item(), 6)  # pi**2 / 6
    1.644934
    """
    return _call(_RULES["polygamma"], "polygamma", (n, x), consts=1)  # type: ignore[no-any-return]


def gamma(x: ArrayLike) -> Tensor:
    """``scipy.special.gamma``; gradient ``gamma(x) digamma(x)``.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import gamma
    >>> gamma(agrad.asarray([1.0, 5.0])).tolist()
    [1.0, 24.0]
    """
    return _call(_RULES["gamma"], "gamma", (x,))  # type: ignore[no-any-return]


def rgamma(x: ArrayLike) -> Tensor:
    """``scipy.special.rgamma``: ``1 / Gamma(x)``, entire (0 at the poles of ``Gamma``).

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import rgamma
    >>> rgamma(agrad.asarray([0.0, 5.0])).tolist() == [0.0, 1 / 24]
    True
    """
    return _call(_RULES["rgamma"], "rgamma", (x,))  # type: ignore[no-any-return]


def gammasgn(x: ArrayLike) -> Tensor:
    """``scipy.special.gammasgn``: the sign of ``Gamma(x)``; not differentiable (no graph).

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import gammasgn
    >>> gammasgn(agrad.asarray([-0.5, 2.0])).tolist()
    [-1.0, 1.0]
    """
    return _call(_RULES["gammasgn"], "gammasgn", (x,))  # type: ignore[no-any-return]


def gammainc(a: ArrayLike, x: ArrayLike) -> Tensor:
    """``scipy.special.gammainc``: the regularized lower incomplete gamma function
    ``P(a, x)``; gradient in ``x`` only (none in ``a``, as in torch).

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import gammainc
    >>> round(gammainc(1.0, agrad.asarray(2.0)).item(), 6)  # 1 - exp(-2)
    0.864665
    """
    return _call(_RULES["gammainc"], "gammainc", (a, x))  # type: ignore[no-any-return]


def gammaincc(a: ArrayLike, x: ArrayLike) -> Tensor:
    """``scipy.special.gammaincc``: ``1 - gammainc(a, x)``; gradient in ``x`` only.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import gammaincc
    >>> round(gammaincc(1.0, agrad.asarray(2.0)).item(), 6)  # exp(-2)
    0.135335
    """
    return _call(_RULES["gammaincc"], "gammaincc", (a, x))  # type: ignore[no-any-return]


def beta(a: ArrayLike, b: ArrayLike) -> Tensor:
    """``scipy.special.beta``: ``Gamma(a) Gamma(b) / Gamma(a + b)``; gradient in both.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import beta
    >>> round(beta(agrad.asarray(2.0), 3.0).item(), 6)  # 1/12
    0.083333
    """
    return _call(_RULES["beta"], "beta", (a, b))  # type: ignore[no-any-return]


def betaln(a: ArrayLike, b: ArrayLike) -> Tensor:
    """``scipy.special.betaln``: ``log |beta(a, b)|``; gradient in both.

    Examples
    --------
    >>> import math
    >>> import agrad
    >>> from agrad.scipy.special import betaln
    >>> math.isclose(betaln(agrad.asarray(2.0), 3.0).item(), math.log(1 / 12))
    True
    """
    return _call(_RULES["betaln"], "betaln", (a, b))  # type: ignore[no-any-return]


def betainc(a: ArrayLike, b: ArrayLike, x: ArrayLike) -> Tensor:
    """``scipy.special.betainc``: the regularized incomplete beta function ``I_x(a, b)``;
    gradient in ``x`` only.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import betainc
    >>> round(betainc(1.0, 1.0, agrad.asarray(0.25)).item(), 6)  # uniform: x itself
    0.25
    """
    return _call(_RULES["betainc"], "betainc", (a, b, x))  # type: ignore[no-any-return]


def multigammaln(a: ArrayLike, d: int) -> Tensor:
    """``scipy.special.multigammaln``: the log of the multivariate gamma function of
    dimension ``d``; gradient in ``a``.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import gammaln, multigammaln
    >>> a = agrad.asarray(3.0)
    >>> bool(abs(multigammaln(a, 1) - gammaln(a)) < 1e-12)
    True
    """
    (t,) = as_tensors([a])
    t = _float(t, "multigammaln")
    total = (0.25 * d * (d - 1) * math.log(math.pi)) + gammaln(t)
    for j in range(1, int(d)):
        total = total + gammaln(t - 0.5 * j)
    return total


def erf(z: ArrayLike) -> Tensor:
    """``scipy.special.erf``; complex input on the NumPy device too.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import erf
    >>> round(erf(agrad.asarray(1.0)).item(), 6)
    0.842701
    """
    return _call(_RULES["erf"], "erf", (z,))  # type: ignore[no-any-return]


def erfc(x: ArrayLike) -> Tensor:
    """``scipy.special.erfc``: ``1 - erf(x)``, accurate for large ``x``.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import erfc
    >>> round(erfc(agrad.asarray(1.0)).item(), 6)
    0.157299
    """
    return _call(_RULES["erfc"], "erfc", (x,))  # type: ignore[no-any-return]


def erfinv(y: ArrayLike) -> Tensor:
    """``scipy.special.erfinv``: the inverse of ``erf`` on ``(-1, 1)``.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import erf, erfinv
    >>> round(erf(erfinv(agrad.asarray(0.3))).item(), 12)
    0.3
    """
    return _call(_RULES["erfinv"], "erfinv", (y,))  # type: ignore[no-any-return]


def erfcinv(y: ArrayLike) -> Tensor:
    """``scipy.special.erfcinv``: the inverse of ``erfc`` on ``(0, 2)``.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import erfc, erfcinv
    >>> round(erfc(erfcinv(agrad.asarray(0.3))).item(), 12)
    0.3
    """
    return _call(_RULES["erfcinv"], "erfcinv", (y,))  # type: ignore[no-any-return]


def ndtr(x: ArrayLike) -> Tensor:
    """``scipy.special.ndtr``: the standard normal CDF.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import ndtr
    >>> ndtr(agrad.asarray(0.0)).item()
    0.5
    """
    return _call(_RULES["ndtr"], "ndtr", (x,))  # type: ignore[no-any-return]


def log_ndtr(x: ArrayLike) -> Tensor:
    """``scipy.special.log_ndtr``: ``log(ndtr(x))``, accurate far in the lower tail.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import log_ndtr
    >>> round(log_ndtr(agrad.asarray(-20.0)).item(), 3)
    -203.917
    """
    return _call(_RULES["log_ndtr"], "log_ndtr", (x,))  # type: ignore[no-any-return]


def ndtri(y: ArrayLike) -> Tensor:
    """``scipy.special.ndtri``: the inverse of ``ndtr`` (the normal quantile function).

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import ndtri
    >>> round(ndtri(agrad.asarray(0.975)).item(), 6)
    1.959964
    """
    return _call(_RULES["ndtri"], "ndtri", (y,))  # type: ignore[no-any-return]


def expit(x: ArrayLike) -> Tensor:
    """``scipy.special.expit``: the logistic sigmoid ``1 / (1 + exp(-x))``.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import expit
    >>> expit(agrad.asarray([0.0, 1000.0])).tolist()
    [0.5, 1.0]
    """
    return _call(_RULES["expit"], "expit", (x,))  # type: ignore[no-any-return]


def logit(x: ArrayLike) -> Tensor:
    """``scipy.special.logit``: ``log(x / (1 - x))``, the inverse of ``expit``.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import logit
    >>> logit(agrad.asarray(0.5)).item()
    0.0
    """
    return _call(_RULES["logit"], "logit", (x,))  # type: ignore[no-any-return]


def xlogy(x: ArrayLike, y: ArrayLike) -> Tensor:
    """``scipy.special.xlogy``: ``x * log(y)``, 0 where ``x == 0``; gradient in both (in
    ``x``, 0 where ``x == 0``, as torch's).

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import xlogy
    >>> xlogy(agrad.asarray([0.0, 2.0]), agrad.asarray([0.0, 1.0])).tolist()
    [0.0, 0.0]
    """
    return _call(_RULES["xlogy"], "xlogy", (x, y))  # type: ignore[no-any-return]


def xlog1py(x: ArrayLike, y: ArrayLike) -> Tensor:
    """``scipy.special.xlog1py``: ``x * log1p(y)``, 0 where ``x == 0``.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import xlog1py
    >>> xlog1py(agrad.asarray([0.0, 2.0]), agrad.asarray([-1.0, 0.0])).tolist()
    [0.0, 0.0]
    """
    return _call(_RULES["xlog1py"], "xlog1py", (x, y))  # type: ignore[no-any-return]


def entr(x: ArrayLike) -> Tensor:
    """``scipy.special.entr``: ``-x log(x)`` (0 at 0, ``-inf`` below).

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import entr
    >>> entr(agrad.asarray([0.0, 1.0])).tolist()
    [0.0, -0.0]
    """
    return _call(_RULES["entr"], "entr", (x,))  # type: ignore[no-any-return]


def i0(x: ArrayLike) -> Tensor:
    """``scipy.special.i0``: the modified Bessel function of order 0.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import i0
    >>> i0(agrad.asarray(0.0)).item()
    1.0
    """
    return _call(_RULES["i0"], "i0", (x,))  # type: ignore[no-any-return]


def i1(x: ArrayLike) -> Tensor:
    """``scipy.special.i1``: the modified Bessel function of order 1.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import i1
    >>> i1(agrad.asarray(0.0)).item()
    0.0
    """
    return _call(_RULES["i1"], "i1", (x,))  # type: ignore[no-any-return]


def i0e(x: ArrayLike) -> Tensor:
    """``scipy.special.i0e``: ``exp(-|x|) i0(x)``, finite for large ``x``.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import i0e
    >>> i0e(agrad.asarray(0.0)).item()
    1.0
    """
    return _call(_RULES["i0e"], "i0e", (x,))  # type: ignore[no-any-return]


def i1e(x: ArrayLike) -> Tensor:
    """``scipy.special.i1e``: ``exp(-|x|) i1(x)``.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import i1e
    >>> i1e(agrad.asarray(0.0)).item()
    0.0
    """
    return _call(_RULES["i1e"], "i1e", (x,))  # type: ignore[no-any-return]


def iv(v: ArrayLike, z: ArrayLike) -> Tensor:
    """``scipy.special.iv``: the modified Bessel function of real order ``v``; gradient in
    ``z`` (``v`` constant).

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import i1, iv
    >>> x = agrad.asarray(1.5)
    >>> bool(abs(iv(1, x) - i1(x)) < 1e-12)
    True
    """
    return _call(_RULES["iv"], "iv", (v, z), consts=1)  # type: ignore[no-any-return]


def ive(v: ArrayLike, z: ArrayLike) -> Tensor:
    """``scipy.special.ive``: ``exp(-|z|) iv(v, z)``; gradient in ``z``.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import i0e, ive
    >>> x = agrad.asarray(1.5)
    >>> bool(abs(ive(0, x) - i0e(x)) < 1e-12)
    True
    """
    return _call(_RULES["ive"], "ive", (v, z), consts=1)  # type: ignore[no-any-return]


def j0(x: ArrayLike) -> Tensor:
    """``scipy.special.j0``: the Bessel function of the first kind of order 0.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import j0
    >>> j0(agrad.asarray(0.0)).item()
    1.0
    """
    return _call(_RULES["j0"], "j0", (x,))  # type: ignore[no-any-return]


def j1(x: ArrayLike) -> Tensor:
    """``scipy.special.j1``: the Bessel function of the first kind of order 1.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import j1
    >>> j1(agrad.asarray(0.0)).item()
    0.0
    """
    return _call(_RULES["j1"], "j1", (x,))  # type: ignore[no-any-return]


def y0(x: ArrayLike) -> Tensor:
    """``scipy.special.y0``: the Bessel function of the second kind of order 0 (``x > 0``).

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import y0
    >>> round(y0(agrad.asarray(1.0)).item(), 6)
    0.088257
    """
    return _call(_RULES["y0"], "y0", (x,))  # type: ignore[no-any-return]


def y1(x: ArrayLike) -> Tensor:
    """``scipy.special.y1``: the Bessel function of the second kind of order 1 (``x > 0``).

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import y1
    >>> round(y1(agrad.asarray(1.0)).item(), 6)
    -0.781213
    """
    return _call(_RULES["y1"], "y1", (x,))  # type: ignore[no-any-return]


def jv(v: ArrayLike, z: ArrayLike) -> Tensor:
    """``scipy.special.jv``: the Bessel function of the first kind of real order ``v``;
    gradient in ``z`` (``v`` constant).

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import j1, jv
    >>> x = agrad.asarray(2.5)
    >>> bool(abs(jv(1, x) - j1(x)) < 1e-12)
    True
    """
    return _call(_RULES["jv"], "jv", (v, z), consts=1)  # type: ignore[no-any-return]


def jn(n: ArrayLike, x: ArrayLike) -> Tensor:
    """``scipy.special.jn``: ``jv`` of an integer order ``n``.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import j0, jn
    >>> x = agrad.asarray(2.5)
    >>> bool(abs(jn(0, x) - j0(x)) < 1e-12)
    True
    """
    return jv(n, x)


def yv(v: ArrayLike, z: ArrayLike) -> Tensor:
    """``scipy.special.yv``: the Bessel function of the second kind of real order ``v``;
    gradient in ``z`` (``v`` constant).

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import y1, yv
    >>> x = agrad.asarray(2.5)
    >>> bool(abs(yv(1, x) - y1(x)) < 1e-12)
    True
    """
    return _call(_RULES["yv"], "yv", (v, z), consts=1)  # type: ignore[no-any-return]


def yn(n: ArrayLike, x: ArrayLike) -> Tensor:
    """``scipy.special.yn``: ``yv`` of an integer order ``n``.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import y0, yn
    >>> x = agrad.asarray(2.5)
    >>> bool(abs(yn(0, x) - y0(x)) < 1e-12)
    True
    """
    return yv(n, x)


def _reduced_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    axes = normalize_axis(axis, ndim)
    return tuple(range(ndim)) if axes is None else axes


def logsumexp(
    a: ArrayLike,
    axis: int | tuple[int, ...] | None = None,
    b: ArrayLike | None = None,
    keepdims: bool = False,
    return_sign: bool = False,
) -> Any:
    """``scipy.special.logsumexp``: ``log(sum(b * exp(a)))`` over ``axis``, stably.

    Differentiable in ``a`` and ``b``. With ``return_sign=True`` returns
    ``(log|s|, sign(s))`` (the sign without a graph).

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import logsumexp
    >>> x = agrad.tensor([1000.0, 1000.0], requires_grad=True)
    >>> y = logsumexp(x)
    >>> y.backward()
    >>> round(y.item() - 1000.0, 6), x.grad.tolist()
    (0.693147, [0.5, 0.5])
    """
    (t,) = as_tensors([a])
    t = _float(t, "logsumexp")
    axes = _reduced_axes(axis, t.ndim)
    with no_grad():
        # the shift cancels in value and gradient: a constant keeps it out of the graph
        m = _s.max(t.detach(), axis=axes, keepdims=True) if axes else t.detach()
        m = where(_e.isfinite(m), m, 0.0)
    e = _e.exp(t - m)
    if b is not None:
        e = as_tensors([b, e])[0] * e
    s = _s.sum(e, axis=axes, keepdims=True) if axes else e
    sign = None
    if return_sign:
        sign = _e.sign(s.detach())
        s = _e.abs(s)
    out = _e.log(s) + m
    if not keepdims and axes:
        out = squeeze(out, axis=axes)
        if sign is not None:
            sign = squeeze(sign, axis=axes)
    return (out, sign) if return_sign else out


def softmax(x: ArrayLike, axis: int | tuple[int, ...] | None = None) -> Tensor:
    """``scipy.special.softmax``: ``exp(x) / sum(exp(x))`` over ``axis`` (all by default).

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import softmax
    >>> softmax(agrad.asarray([0.0, 0.0])).tolist()
    [0.5, 0.5]
    """
    (t,) = as_tensors([x])
    return _e.exp(t - logsumexp(t, axis=axis, keepdims=True))


def log_softmax(x: ArrayLike, axis: int | tuple[int, ...] | None = None) -> Tensor:
    """``scipy.special.log_softmax``: ``x - logsumexp(x)`` over ``axis``.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.special import log_softmax
    >>> [round(v, 6) for v in log_softmax(agrad.asarray([0.0, 0.0])).tolist()]
    [-0.693147, -0.693147]
    """
    (t,) = as_tensors([x])
    return t - logsumexp(t, axis=axis, keepdims=True)  # type: ignore[no-any-return]


def __getattr__(name: str) -> Any:
    if name == "SPECS":  # the kit's specs load hypothesis: on first use, to save start-up
        from agrad.scipy._specs import SPECIAL_SPECS

        return SPECIAL_SPECS
    msg = (
        f"`agrad.scipy.special` has no {name!r}: it offers {', '.join(__all__)}. For a value "
        f"without a gradient, call SciPy's own on the values: `scipy.special.{name}(t.array)`."
    )
    raise AgradAttributeError(msg)
