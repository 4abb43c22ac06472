"""``agrad.detect_anomaly``: find the operation whose backward made NaN or inf."""

from __future__ import annotations

from agrad._grad_mode import STATE, _Mode

__all__ = ["detect_anomaly"]


class detect_anomaly(_Mode):
    """Record where each operation was called and check every backward step for NaN/inf.

    The first backward step that produces NaN or inf raises
    :class:`agrad.errors.AnomalyError` naming the operation and showing the forward-pass
    traceback that created it. It slows everything down: use it to debug. Works as a
    context manager and as a decorator.

    Examples
    --------
    >>> import agrad
    >>> x = agrad.tensor([0.0], requires_grad=True)
    >>> with agrad.detect_anomaly():
    ...     y = agrad.sum(agrad.sqrt(x))
    ...     try:
    ...         y.backward()
    ...     except agrad.errors.AnomalyError as e:
    ...         print(str(e).splitlines()[0])
    `SqrtBackward` returned NaN or inf for input 0. The forward call that created it:
    """

    def __init__(self) -> None:
        super().__init__()
        self._anomaly: list[bool] = []

    def __enter__(self) -> None:
        self._anomaly.append(STATE.anomaly)
        STATE.anomaly = True

    def __exit__(self, *exc: object) -> None:
        STATE.anomaly = self._anomaly.pop()

    def _fresh(self) -> _Mode:
        return detect_anomaly()
