"""The ``Optimizer`` base class: parameter groups, state, ``zero_grad``, state dicts."""

from __future__ import annotations

import copy
import math
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from agrad._api.creation import asarray
from agrad._api.data_type import astype, isdtype
from agrad._api.elementwise import imag, real
from agrad._dtypes import DType, complex64, float32, float64
from agrad._grad_mode import enable_grad, no_grad
from agrad._info import Info
from agrad._tensor import Tensor
from agrad.errors import AgradTypeError, AgradValueError, NoRuleError

__all__ = ["Optimizer"]

ParamGroup = dict[str, Any]


#: every optimizer alive: `agrad.compile` checks the hyperparameters of those a captured step
#: updates (a learning rate is a Python float its plan holds as a constant)
LIVE: weakref.WeakSet[Optimizer] = weakref.WeakSet()


def _typename(value: Any) -> str:
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}"


class Optimizer:
    """Base class of agrad's optimizers, with torch.optim's interface.

    An optimizer holds ``param_groups``: a list of dicts, each with a ``"params"`` list of
    leaf tensors and that group's options (filled in from ``defaults``). ``state`` maps each
    parameter to the optimizer's buffers for it. ``step()`` updates every parameter whose
    ``.grad`` is not None, in place and without recording, on whichever device it lives.

    Parameters
    ----------
    params : iterable of Tensor, or iterable of dict
        The tensors to optimize, or dicts ``{"params": [...], "lr": ..., ...}`` that give
        some groups their own options.
    defaults : dict
        The options a group takes when it does not set them.

    Raises
    ------
    AgradTypeError
        ``params`` is a single tensor, a set, or holds something that is not a Tensor.
    AgradValueError
        ``params`` is empty, a tensor is not a leaf, or one tensor is in two groups.

    Examples
    --------
    >>> import agrad
    >>> from agrad.optim import SGD
    >>> w = agrad.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = SGD([w], lr=0.5)
    >>> agrad.sum(w * w).backward()
    >>> opt.step()
    >>> w
    tensor([0., 0.], device='numpy', requires_grad=True)
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        name = type(self).__name__
        if isinstance(params, Tensor):
            msg = (
                f"`agrad.optim.{name}` takes an iterable of Tensors or of dicts as `params`, "
                f"got a single Tensor of shape {params.shape!r}. Pass `[t]`."
            )
            raise AgradTypeError(msg)
        if isinstance(params, (set, frozenset)):
            msg = (
                f"`agrad.optim.{name}` needs its parameters in an ordered collection: a set's "
                "order changes between runs, and with it the state dict. Pass a list."
            )
            raise AgradTypeError(msg)
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[ParamGroup] = []
        groups = list(params)
        if not groups:
            msg = (
                f"`agrad.optim.{name}` got an empty parameter list. Pass the tensors to "
                "optimize, e.g. `[w, b]`."
            )
            raise AgradValueError(msg)
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)
        LIVE.add(self)

    # -- groups ----------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (the rest from ``defaults``).

        Parameters
        ----------
        param_group : dict
            ``{"params": tensors, option: value, ...}``.

        Raises
        ------
        AgradTypeError
            ``param_group`` is not a dict, its params are a set or hold a non-Tensor.
        AgradValueError
            A parameter is not a leaf, or is already in another group.

        Examples
        --------
        >>> import agrad
        >>> from agrad.optim import SGD
        >>> w, b = agrad.zeros(2).requires_grad_(), agrad.zeros(1).requires_grad_()
        >>> opt = SGD([w], lr=0.1)
        >>> opt.add_param_group({"params": b, "lr": 0.01})
        >>> [g["lr"] for g in opt.param_groups]
        [0.1, 0.01]
        """
        name = type(self).__name__
        if not isinstance(param_group, dict):
            msg = (
                f"`{name}.add_param_group` takes a dict like `{{'params': [w], 'lr': 0.1}}`, "
                f"got {_typename(param_group)}."
            )
            raise AgradTypeError(msg)
        if "params" not in param_group:
            msg = f"`{name}.add_param_group` needs a `'params'` entry in its dict."
            raise AgradValueError(msg)
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, Tensor):
            group["params"] = [params]
        elif isinstance(params, (set, frozenset)):
            msg = (
                f"`agrad.optim.{name}` needs its parameters in an ordered collection: a set's "
                "order changes between runs, and with it the state dict. Pass a list."
            )
            raise AgradTypeError(msg)
        else:
            group["params"] = list(params)
        for i, p in enumerate(group["params"]):
            if not isinstance(p, Tensor):
                msg = (
                    f"`agrad.optim.{name}` can only optimize agrad Tensors, but parameter {i} "
                    f"is a {_typename(p)}. Make it one first: "
                    "`agrad.tensor(a, requires_grad=True)`."
                )
                raise AgradTypeError(msg)
            if not (p.is_leaf or p.retains_grad):
                msg = (
                    f"`agrad.optim.{name}` can't optimize a non-leaf Tensor (parameter {i} "
                    f"was made by {p.grad_fn!r}). Optimize the leaf it was computed from, "
                    "or `t.detach().requires_grad_()`."
                )
                raise AgradValueError(msg)
        for key, default in self.defaults.items():
            group.setdefault(key, default)
        if len({id(p) for p in group["params"]}) != len(group["params"]):
            msg = (
                f"`agrad.optim.{name}` got a parameter group that holds one tensor twice; "
                "it would be updated twice per step. List each parameter once."
            )
            raise AgradValueError(msg)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in group["params"]):
            msg = (
                f"`agrad.optim.{name}`: some parameters appear in more than one parameter "
                "group. Put each tensor in one group only."
            )
            raise AgradValueError(msg)
        self._check_group(group)
        self.param_groups.append(group)

    def _check_group(self, group: ParamGroup) -> None:
        """Validate a group's options (each optimizer checks its own)."""

    # -- stepping --------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of every parameter.

        Parameters
        ----------
        set_to_none : bool
            True (the default) sets ``.grad`` to None; False fills it with zeros in place.

        Examples
        --------
        >>> import agrad
        >>> from agrad.optim import SGD
        >>> w = agrad.ones(2).requires_grad_()
        >>> opt = SGD([w])
        >>> agrad.sum(w).backward()
        >>> opt.zero_grad()
        >>> w.grad is None
        True
        """
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                    continue
                if g.grad_fn is not None:
                    g.detach_()
                else:
                    g.requires_grad_(False)
                with no_grad():
                    g[...] = 0

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient, in place.

        Parameters
        ----------
        closure : callable, optional
            Recomputes the loss (and its gradients); called with recording on.

        Returns
        -------
        object
            What ``closure`` returned, or None.

        Examples
        --------
        >>> import agrad
        >>> from agrad.optim import SGD
        >>> w = agrad.tensor([3.0], requires_grad=True)
        >>> opt = SGD([w], lr=0.25)
        >>> def closure():
        ...     opt.zero_grad()
        ...     loss = agrad.sum(w * w)
        ...     loss.backward()
        ...     return loss
        >>> opt.step(closure).item()
        9.0
        >>> w
        tensor([1.5], device='numpy', requires_grad=True)
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                params = [p for p in group["params"] if p.grad is not None]
                if params:
                    self._update(group, params)
        return loss

    def _update(self, group: ParamGroup, params: list[Tensor]) -> None:
        """Update ``params`` (those of ``group`` with a gradient); runs under no_grad."""
        msg = f"`{type(self).__name__}` does not define its update."
        raise NoRuleError(msg)

    # -- state dicts -----------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state and options, with parameters replaced by their indices.

        As torch's: ``{"state": {index: {...}}, "param_groups": [{..., "params": [0, 1]}]}``,
        indices counted over all groups in order. The state's tensors are the optimizer's own
        (not copies); ``load_state_dict`` copies them.

        Returns
        -------
        dict

        Examples
        --------
        >>> import agrad
        >>> from agrad.optim import SGD
        >>> w = agrad.ones(2).requires_grad_()
        >>> SGD([w], lr=0.1).state_dict()["param_groups"][0]["params"]
        [0]
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: dict(s) for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned (of this optimizer or a twin).

        Group options are taken from the dict; state tensors are copied onto each
        parameter's device and cast to its floating dtype. A ``torch.optim`` state dict of
        the same optimizer and parameter layout loads too.

        Parameters
        ----------
        state_dict : dict

        Raises
        ------
        AgradValueError
            The number of groups or of parameters in a group differs.

        Examples
        --------
        >>> import agrad
        >>> from agrad.optim import Adam
        >>> w = agrad.ones(2).requires_grad_()
        >>> opt = Adam([w], lr=0.1)
        >>> agrad.sum(w * w).backward()
        >>> opt.step()
        >>> twin = Adam([agrad.ones(2).requires_grad_()])
        >>> twin.load_state_dict(opt.state_dict())
        >>> twin.param_groups[0]["lr"], twin.state[twin.param_groups[0]["params"][0]]["step"].item()
        (0.1, 1.0)
        """
        name = type(self).__name__
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            msg = (
                f"`{name}.load_state_dict`: the state dict has {len(saved_groups)} parameter "
                f"group(s), this optimizer {len(self.param_groups)}. Load it into an optimizer "
                "built with the same groups."
            )
            raise AgradValueError(msg)
        for i, (mine, saved) in enumerate(zip(self.param_groups, saved_groups, strict=True)):
            if len(mine["params"]) != len(saved["params"]):
                msg = (
                    f"`{name}.load_state_dict`: parameter group {i} has "
                    f"{len(saved['params'])} parameters in the state dict and "
                    f"{len(mine['params'])} here. Build the optimizer with the same groups."
                )
                raise AgradValueError(msg)
        by_index = {
            k: p
            for saved, mine in zip(saved_groups, self.param_groups, strict=True)
            for k, p in zip(saved["params"], mine["params"], strict=True)
        }
        state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for k, entry in state_dict["state"].items():
            if k in by_index:
                p = by_index[k]
                state[p] = {key: _cast_state(p, key, v) for key, v in entry.items()}
        new_groups = []
        for mine, saved in zip(self.param_groups, saved_groups, strict=True):
            saved["params"] = mine["params"]
            new_groups.append(saved)
        self.state = state
        self.param_groups = new_groups

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {k}: {group[k]}" for k in sorted(group) if k != "params")
        lines.append(")")
        return "\n".join(lines)


def new_step(p: Tensor) -> Tensor:
    """A parameter's step count: a 0-d tensor on its device, float64 where the device has it
    (torch keeps a float tensor too), so that `agrad.compile` replays the count and what is
    computed from it instead of taking them for constants."""
    dtype = Info().default_dtypes(device=p.device)["real floating"]
    return asarray(0.0, dtype=dtype, device=p.device)


def in_precision_of(p: Tensor, x: Tensor) -> Tensor:
    """``x`` (a 0-d float64 tensor) in the real precision of ``p``, as torch rounds a Python
    float that multiplies a float32 tensor."""
    dtype = p.dtype
    if dtype.kind == "c":
        dtype = float32 if dtype == complex64 else float64
    return x if x.dtype == dtype else astype(x, dtype)


def _cast_state(p: Tensor, key: str, value: Any) -> Any:
    """A state entry for ``p``: steps as 0-d tensors (see :func:`new_step`), arrays copied
    onto ``p``'s device."""
    if key == "step" and value is not None:
        step = new_step(p)
        step += float(value)
        return step
    if value is None or isinstance(value, (bool, int, float, complex, str)):
        return value
    if isinstance(value, Tensor):
        value = value.detach()
    out = asarray(value, device=p.device, copy=True)
    if isdtype(out.dtype, ("real floating", "complex floating")) and out.dtype != p.dtype:
        out = astype(out, p.dtype)
    return out


# -- helpers the optimizers share ----------------------------------------------------
def is_complex(p: Tensor) -> bool:
    """Whether ``p`` is complex: then Adam and RMSprop treat it as pairs of reals."""
    return bool(isdtype(p.dtype, "complex floating"))


def parts(t: Tensor) -> tuple[Tensor, Tensor]:
    """The real and imaginary parts of a complex tensor (torch's ``view_as_real``)."""
    return real(t), imag(t)


def join(re: Tensor, im: Tensor, dtype: DType) -> Tensor:
    """The complex tensor ``re + i im`` (exact for finite values)."""
    return astype(re, dtype) + astype(im, dtype) * 1j


def lerp(start: Tensor, end: Tensor, weight: float, *, own: bool = False) -> Tensor:
    """``start + weight * (end - start)``, evaluated as torch's ``lerp`` does; with ``own``,
    into ``start`` where that form allows."""
    step = end - start
    if abs(weight) >= 0.5:
        step *= 1 - weight
        return end - step
    step *= weight
    if own:
        start += step
        return start
    return start + step


def check_number(who: str, label: str, value: Any, *, upper: float | None = None) -> None:
    """Refuse a negative (or, with ``upper``, a too large) option, as torch does."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        msg = f"`{who}` needs a number for `{label}`, got {value!r} ({_typename(value)})."
        raise AgradTypeError(msg) from None
    ok = number >= 0.0 and (upper is None or number < upper)
    if not ok or math.isnan(number):
        bound = f"in [0, {upper})" if upper is not None else ">= 0"
        msg = f"`{who}`: invalid {label} {value!r}; it must be {bound}."
        raise AgradValueError(msg)
