"""``agrad.optim``: gradient-based optimizers over parameter lists, in torch.optim's style.

``SGD`` (momentum, Nesterov), ``Adam``, ``AdamW`` and ``RMSprop`` update tensors in place
with torch.optim's formulas, on any device::

    opt = agrad.optim.Adam([w, b], lr=1e-2)
    for x, y in batches:
        opt.zero_grad()
        loss = agrad.mean((x @ w + b - y) ** 2)
        loss.backward()
        opt.step()

Examples
--------
>>> import agrad
>>> from agrad.optim import Adam
>>> w = agrad.tensor([2.0], requires_grad=True)
>>> opt = Adam([w], lr=0.1)
>>> for _ in range(100):
...     opt.zero_grad()
...     agrad.sum((w - 0.5) ** 2).backward()
...     opt.step()
>>> abs(w[0].item() - 0.5) < 0.05
True
"""

from __future__ import annotations

from agrad.optim._adam import Adam, AdamW
from agrad.optim._optimizer import Optimizer
from agrad.optim._rmsprop import RMSprop
from agrad.optim._sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "RMSprop"]
