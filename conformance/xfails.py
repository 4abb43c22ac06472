"""Known deviations per device: ``xfails-<device>.txt`` beside this module.

The file of a device is named after its device string with ``:`` written as ``-``
(``"numpy"`` -> ``xfails-numpy.txt``, ``"torch:cpu"`` -> ``xfails-torch-cpu.txt``). Each
line names a spec id — every dtype — or ``<spec id>[<dtype>]`` for one dtype, under a ``#``
comment giving the reason (an issue link where there is one); a blank line ends a reason.
A line ``case:<id>`` names a case of the rule suite instead (tests/test_devices.py runs
the cases of tests/test_rules.py, test_linalg.py and test_fft.py on each device), so each
fact is written once, with its reason, for the kit and the tests alike. Known failures are
strict: a listed entry that passes fails the run, so the list stays true.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["CASE", "load", "load_cases", "parse", "path_for", "reason"]

HERE = Path(__file__).resolve().parent
#: the prefix of an entry that names a rule-suite case, not a spec
CASE = "case:"


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


def _entries(device: str) -> dict[str, str]:
    path = path_for(device)
    return parse(path.read_text(encoding="utf-8")) if path.is_file() else {}


def load(device: str) -> dict[str, str]:
    """The kit's known failures on ``device``: ``{spec entry: reason}`` (empty without a
    file).

    Examples
    --------
    >>> from agrad.conformance.xfails import load
    >>> "setitem-int-array" in load("array_api_strict")
    True
    """
    return {k: v for k, v in _entries(device).items() if not k.startswith(CASE)}


def load_cases(device: str) -> dict[str, str]:
    """The rule suite's known failures on ``device``: ``{case id: reason}``, from the
    ``case:`` lines of the same file.

    Examples
    --------
    >>> from agrad.conformance.xfails import load_cases
    >>> load_cases("dask")["getitem-bool-mask-float64"].startswith("Dask's boolean masks")
    True
    """
    n = len(CASE)
    return {k[n:]: v for k, v in _entries(device).items() if k.startswith(CASE)}


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
