"""Stochastic gradient descent, with momentum and Nesterov momentum (torch.optim.SGD)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from agrad._api.creation import asarray
from agrad._tensor import Tensor
from agrad.errors import AgradValueError
from agrad.optim._optimizer import Optimizer, ParamGroup, check_number

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum: torch.optim.SGD.

    Each step, with ``g`` the gradient (negated if ``maximize``)::

        g = g + weight_decay * p
        b = g                                   (first step)
        b = momentum * b + (1 - dampening) * g  (later steps)
        g = g + momentum * b if nesterov else b (when momentum != 0)
        p = p - lr * g

    Parameters
    ----------
    params : iterable of Tensor, or iterable of dict
        The parameters, or parameter groups with their own options.
    lr : float
        Learning rate.
    momentum : float
        Momentum factor; 0 turns momentum off.
    dampening : float
        Dampening of the momentum's new gradient.
    weight_decay : float
        L2 penalty added to the gradient.
    nesterov : bool
        Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
    maximize : bool
        Ascend instead of descend.

    Raises
    ------
    AgradValueError
        A negative ``lr``, ``momentum`` or ``weight_decay``; Nesterov without momentum or
        with dampening.

    Examples
    --------
    >>> import agrad
    >>> from agrad.optim import SGD
    >>> w = agrad.tensor([1.0], requires_grad=True)
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad()
    ...     agrad.sum(w * w).backward()
    ...     opt.step()
    >>> round(w[0].item(), 6)
    0.46
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
        }
        self._check_group(defaults)
        super().__init__(params, defaults)

    def _check_group(self, group: ParamGroup) -> None:
        for label in ("lr", "momentum", "weight_decay"):
            check_number("agrad.optim.SGD", label, group[label])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            msg = (
                "`agrad.optim.SGD`: Nesterov momentum requires a momentum and zero dampening, "
                f"got momentum={group['momentum']!r}, dampening={group['dampening']!r}. Set "
                "`momentum > 0` and `dampening=0`, or `nesterov=False`."
            )
            raise AgradValueError(msg)

    def _update(self, group: ParamGroup, params: list[Tensor]) -> None:
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        weight_decay, nesterov = group["weight_decay"], group["nesterov"]
        for p in params:
            g = p.grad
            assert g is not None  # `step` passes only parameters with a gradient
            if group["maximize"]:
                g = -g
            if weight_decay != 0:
                g = g + weight_decay * p
            if momentum != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = asarray(g, copy=True)  # p.grad may change in place later
                else:
                    buf *= momentum
                    buf += (1 - dampening) * g
                state["momentum_buffer"] = buf
                g = g + momentum * buf if nesterov else buf
            p -= lr * g
