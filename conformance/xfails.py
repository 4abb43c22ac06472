"""Known deviations per device: ``xfails-<device>.txt`` beside this module.

The file of a device is named after its device string with ``:`` written as ``-``
(``"numpy"`` -> ``xfails-numpy.txt``, ``"torch:cpu"`` -> ``xfails-torch-cpu.txt``). Each
line names a spec id — every dtype — or ``<spec id>[<dtype>]`` for one dtype, under a ``#``
comment giving the reason (an issue link where there is one); a blank line ends a reason.
Known failures are strict: a listed spec that passes fails the run, so the list stays true.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["load", "path_for", "reason"]

HERE = Path(__file__).resolve().parent


def path_for(device: str) -> Path:
    """The known-failures file of ``device`` (it may not exist: then none are known).

    Examples
    --------
    >>> from agrad.conformance.xfails import path_for
    >>> path_for("torch:cpu").name
    'xfails-torch-cpu.txt'
    """
    return HERE / f"xfails-{str(device).replace(':', '-')}.txt"


def parse(text: str) -> dict[str, str]:
    """``{entry: reason}`` from a known-failures file's text.

    Examples
    --------
    >>> from agrad.conformance.xfails import parse
    >>> parse("# not in the standard\\nsetitem-int-array\\nfft-real-input[float32]\\n")
    {'setitem-int-array': 'not in the standard', 'fft-real-input[float32]': 'not in the standard'}
    """
    entries: dict[str, str] = {}
    reason = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            part = line.lstrip("#").strip()
            reason = f"{reason} {part}".strip() if reason else part
        elif line:
            entries[line] = reason
        else:
            reason = ""
    return entries


def load(device: str) -> dict[str, str]:
    """The known failures of ``device``: ``{entry: reason}`` (empty without a file).

    Examples
    --------
    >>> from agrad.conformance.xfails import load
    >>> "setitem-int-array" in load("array_api_strict")
    True
    """
    path = path_for(device)
    return parse(path.read_text(encoding="utf-8")) if path.is_file() else {}


def reason(entries: dict[str, str], spec_id: str, dtype: str) -> str | None:
    """Why ``spec_id`` in ``dtype`` is known to fail, or None if it is not.

    Examples
    --------
    >>> from agrad.conformance.xfails import reason
    >>> known = {"sin[float32]": "why"}
    >>> reason(known, "sin", "float32"), reason(known, "sin", "float64")
    ('why', None)
    """
    for key in (f"{spec_id}[{dtype}]", spec_id):
        if key in entries:
            return entries[key]
    return None
