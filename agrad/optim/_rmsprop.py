"""RMSprop (torch.optim.RMSprop)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from agrad._api.creation import zeros_like
from agrad._api.elementwise import sqrt
from agrad._tensor import Tensor
from agrad.optim._optimizer import (
    Optimizer,
    ParamGroup,
    check_number,
    is_complex,
    join,
    lerp,
    new_step,
    parts,
)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e; centered as in Graves, 2013): torch.optim.RMSprop.

    Each step, with ``g`` the gradient (negated if ``maximize``)::

        g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g * g
        a = lerp(a, g, 1 - alpha)                    (centered)
        d = sqrt(v - a * a) + eps if centered else sqrt(v) + eps
        b = momentum * b + g / d; p = p - lr * b     (momentum > 0)
        p = p - lr * g / d                           (otherwise)

    A complex parameter is treated as pairs of reals, as torch does.

    Parameters
    ----------
    params : iterable of Tensor, or iterable of dict
        The parameters, or parameter groups with their own options.
    lr : float
        Learning rate.
    alpha : float
        Decay rate of the running average of the squared gradient.
    eps : float
        Added to the denominator.
    weight_decay : float
        L2 penalty added to the gradient.
    momentum : float
        Momentum factor; 0 turns momentum off.
    centered : bool
        Normalise by an estimate of the gradient's variance instead of its second moment.
    maximize : bool
        Ascend instead of descend.

    Raises
    ------
    AgradValueError
        A negative ``lr``, ``alpha``, ``eps``, ``weight_decay`` or ``momentum``.

    Examples
    --------
    >>> import agrad
    >>> from agrad.optim import RMSprop
    >>> w = agrad.tensor([1.0], requires_grad=True)
    >>> opt = RMSprop([w], lr=0.01, alpha=0.75)
    >>> agrad.sum(w * w).backward()
    >>> opt.step()
    >>> round(w[0].item(), 6)
    0.98
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "alpha": alpha,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "centered": centered,
            "maximize": maximize,
        }
        self._check_group(defaults)
        super().__init__(params, defaults)

    def _check_group(self, group: ParamGroup) -> None:
        for label in ("lr", "eps", "momentum", "weight_decay", "alpha"):
            check_number("agrad.optim.RMSprop", label, group[label])

    def _update(self, group: ParamGroup, params: list[Tensor]) -> None:
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        weight_decay, momentum, centered = (
            group["weight_decay"],
            group["momentum"],
            group["centered"],
        )
        keys = ["square_avg"]
        if momentum > 0:
            keys.append("momentum_buffer")
        if centered:
            keys.append("grad_avg")
        for p in params:
            g = p.grad
            assert g is not None  # `step` passes only parameters with a gradient
            if group["maximize"]:
                g = -g
            state = self.state[p]
            if "step" not in state:
                state["step"] = new_step(p)
            for key in keys:
                if key not in state:
                    state[key] = zeros_like(p)
            step = state["step"]
            step += 1
            if weight_decay != 0:
                g = g + weight_decay * p

            kw = {"lr": lr, "alpha": alpha, "eps": eps, "momentum": momentum}
            if is_complex(p):
                re = _rms(*(parts(t)[0] for t in (g, *(state[k] for k in keys))), own=False, **kw)
                im = _rms(*(parts(t)[1] for t in (g, *(state[k] for k in keys))), own=False, **kw)
                new = [join(r, i, p.dtype) for r, i in zip(re, im, strict=True)]
            else:
                new = _rms(g, *(state[k] for k in keys), own=True, **kw)
            for key, value in zip(keys, new[1:], strict=True):
                state[key] = value
            p += new[0]


def _rms(
    g: Tensor,
    v: Tensor,
    *rest: Tensor,
    own: bool,
    lr: float,
    alpha: float,
    eps: float,
    momentum: float,
) -> list[Tensor]:
    """One RMSprop step on real arrays: the parameter's change, then the new square average,
    momentum buffer (with momentum) and gradient average (when ``rest`` holds one more).

    With ``own`` the buffers are the optimizer's own and are updated in place."""
    sq = g * g
    sq *= 1 - alpha
    if own:
        v *= alpha
    else:
        v = alpha * v
    v += sq
    new = [v]
    centered = len(rest) == (2 if momentum > 0 else 1)
    if centered:
        a = lerp(rest[-1], g, 1 - alpha, own=own)
        avg = sqrt(v - a * a)
    else:
        avg = sqrt(v)
    avg += eps
    if momentum > 0:
        buf = rest[0]
        if own:
            buf *= momentum
        else:
            buf = momentum * buf
        buf += g / avg
        new.append(buf)
        change = (-lr) * buf
    else:
        change = g / avg
        change *= -lr
    if centered:
        new.append(a)
    return [change, *new]
