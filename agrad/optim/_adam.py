"""Adam and AdamW (torch.optim.Adam, torch.optim.AdamW)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from agrad._api.creation import zeros_like
from agrad._api.elementwise import maximum, sqrt
from agrad._tensor import Tensor
from agrad.errors import AgradTypeError
from agrad.optim._optimizer import (
    Optimizer,
    ParamGroup,
    check_number,
    in_precision_of,
    is_complex,
    join,
    lerp,
    new_step,
    parts,
)

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2014), with torch.optim.Adam's options and update.

    Each step ``t``, with ``g`` the gradient (negated if ``maximize``)::

        g = g + weight_decay * p             (Adam; AdamW instead: p = p * (1 - lr * wd))
        m = lerp(m, g, 1 - beta1)
        v = beta2 * v + (1 - beta2) * g * g
        vmax = maximum(vmax, v)              (amsgrad; then vmax replaces v below)
        p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    A complex parameter is treated as pairs of reals, as torch does: ``v`` holds the running
    averages of the squared real parts in its real part and of the squared imaginary parts
    in its imaginary part.

    Parameters
    ----------
    params : iterable of Tensor, or iterable of dict
        The parameters, or parameter groups with their own options.
    lr : float
        Learning rate.
    betas : tuple of float
        Decay rates of the running averages of the gradient and of its square, in [0, 1).
    eps : float
        Added to the denominator.
    weight_decay : float
        L2 penalty added to the gradient (Adam) or decoupled decay (AdamW).
    amsgrad : bool
        Use the running maximum of the squared-gradient average (AMSGrad).
    maximize : bool
        Ascend instead of descend.
    decoupled_weight_decay : bool
        Decay the parameter directly, as AdamW does.

    Raises
    ------
    AgradValueError
        A negative ``lr``, ``eps`` or ``weight_decay``, or a beta outside [0, 1).

    Examples
    --------
    >>> import agrad
    >>> from agrad.optim import Adam
    >>> w = agrad.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = Adam([w], lr=0.1)
    >>> agrad.sum(w * w).backward()
    >>> opt.step()
    >>> w
    tensor([ 0.9, -0.9], device='numpy', requires_grad=True)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        self._check_group(defaults)
        super().__init__(params, defaults)

    def _check_group(self, group: ParamGroup) -> None:
        who = f"agrad.optim.{type(self).__name__}"
        for label in ("lr", "eps", "weight_decay"):
            check_number(who, label, group[label])
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            msg = f"`{who}` needs `betas` as a pair of floats, like (0.9, 0.999), got {betas!r}."
            raise AgradTypeError(msg)
        for i, beta in enumerate(betas):
            check_number(who, f"beta parameter at index {i}", beta, upper=1.0)

    def _update(self, group: ParamGroup, params: list[Tensor]) -> None:
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = (float(b) for b in group["betas"])
        amsgrad = group["amsgrad"]
        for p in params:
            g = p.grad
            assert g is not None  # `step` passes only parameters with a gradient
            if group["maximize"]:
                g = -g
            state = self.state[p]
            if not state:
                state["step"] = new_step(p)
                state["exp_avg"] = zeros_like(p)
                state["exp_avg_sq"] = zeros_like(p)
            if amsgrad and "max_exp_avg_sq" not in state:
                state["max_exp_avg_sq"] = zeros_like(p)
            step = state["step"]
            step += 1
            if weight_decay != 0:
                if group["decoupled_weight_decay"]:
                    p *= 1 - lr * weight_decay
                else:
                    g = g + weight_decay * p
            # from the step tensor, in float64 as torch's Python floats, then in p's precision:
            # `agrad.compile` replays them, where a Python int would be a constant
            bias_correction1 = 1 - beta1**step
            step_size = in_precision_of(p, lr / bias_correction1)
            bias_correction2_sqrt = in_precision_of(p, sqrt(1 - beta2**step))
            keys = ["exp_avg", "exp_avg_sq"] + (["max_exp_avg_sq"] if amsgrad else [])
            kw = {"beta1": beta1, "beta2": beta2, "eps": eps, "step_size": step_size}
            kw["bias_correction2_sqrt"] = bias_correction2_sqrt
            if is_complex(p):
                re = _moments(
                    *(parts(t)[0] for t in (g, *(state[k] for k in keys))), own=False, **kw
                )
                im = _moments(
                    *(parts(t)[1] for t in (g, *(state[k] for k in keys))), own=False, **kw
                )
                new = [join(r, i, p.dtype) for r, i in zip(re, im, strict=True)]
            else:
                new = _moments(g, *(state[k] for k in keys), own=True, **kw)
            for key, value in zip(keys, new[1:], strict=True):
                state[key] = value
            p += new[0]


def _moments(
    g: Tensor,
    m: Tensor,
    v: Tensor,
    *vmax: Tensor,
    own: bool,
    beta1: float,
    beta2: float,
    eps: float,
    step_size: Tensor,
    bias_correction2_sqrt: Tensor,
) -> list[Tensor]:
    """One Adam step on real arrays: the parameter's change, then the new m, v (and vmax).

    With ``own``, ``m`` and ``v`` are the optimizer's own buffers and are updated in place
    (fewer temporaries); otherwise they are left alone."""
    m = lerp(m, g, 1 - beta1, own=own)
    sq = g * g
    sq *= 1 - beta2
    if own:
        v *= beta2
    else:
        v = beta2 * v
    v += sq
    top = v
    if vmax:
        top = maximum(vmax[0], v)
        if own:  # the same buffer, so that state tensors stay the same from step to step
            vmax[0][...] = top
            top = vmax[0]
    denom = sqrt(top)
    denom /= bias_correction2_sqrt
    denom += eps
    change = m / denom
    change *= -step_size
    return [change, m, v, top] if vmax else [change, m, v]


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019): torch.optim.AdamW.

    The same as :class:`Adam` with ``decoupled_weight_decay=True``: each step multiplies the
    parameter by ``1 - lr * weight_decay`` instead of adding ``weight_decay * p`` to the
    gradient. ``weight_decay`` defaults to 0.01.

    Parameters
    ----------
    params : iterable of Tensor, or iterable of dict
        The parameters, or parameter groups with their own options.
    lr : float
        Learning rate.
    betas : tuple of float
        Decay rates of the running averages of the gradient and of its square, in [0, 1).
    eps : float
        Added to the denominator.
    weight_decay : float
        Decoupled weight decay.
    amsgrad : bool
        Use the running maximum of the squared-gradient average (AMSGrad).
    maximize : bool
        Ascend instead of descend.

    Raises
    ------
    AgradValueError
        A negative ``lr``, ``eps`` or ``weight_decay``, or a beta outside [0, 1).

    Examples
    --------
    >>> import agrad
    >>> from agrad.optim import AdamW
    >>> w = agrad.tensor([1.0], requires_grad=True)
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> agrad.sum(w * w).backward()
    >>> opt.step()
    >>> round(w[0].item(), 6)
    0.85
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            maximize=maximize,
            decoupled_weight_decay=True,
        )

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state dict (see :meth:`Optimizer.load_state_dict`); the groups keep
        decoupled weight decay, as torch's AdamW does.

        Parameters
        ----------
        state_dict : dict
        """
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
