"""What a run shows: a progress bar, the summary table, and JSON and HTML reports."""

from __future__ import annotations

import html
import itertools
import json
import math
import shutil
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from agrad.conformance.suite import Row

__all__ = ["Progress", "heatmap_svg", "table", "write_html", "write_json"]


class Progress:
    """Progress on ``stream`` (stderr): overall and per device, with an estimated time left.

    On a terminal it is one line, redrawn in place; lines printed meanwhile go through
    :meth:`print`, which clears it first. Elsewhere (a log, a CI job) it writes a plain line
    each time a device passes a quarter of its work. ``totals`` counts steps per device;
    ``cost`` is a prior of seconds per step per device, which the time measured replaces.

    Examples
    --------
    >>> import io
    >>> from agrad.conformance.report import Progress
    >>> log = io.StringIO()  # not a terminal: plain lines
    >>> bar = Progress({"numpy": 2, "dask": 2}, stream=log)
    >>> bar.advance("numpy", "sin float64")
    >>> bar.done, bar.enabled
    (1, False)
    >>> bar.advance("numpy", "sin float32")
    >>> log.getvalue().splitlines()[-1].startswith("progress: numpy 2/2 done in")
    True
    """

    def __init__(
        self,
        totals: int | Mapping[str, int],
        *,
        cost: Mapping[str, float] | None = None,
        stream: TextIO | None = None,
        width: int = 20,
    ) -> None:
        self.totals = {"": totals} if isinstance(totals, int) else dict(totals)
        self.total = max(sum(self.totals.values()), 1)
        self.cost = {d: (cost or {}).get(d, 0.01) for d in self.totals}
        self.stream = sys.stderr if stream is None else stream
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.width = width
        self.done = 0
        self.counts = dict.fromkeys(self.totals, 0)
        self.seconds = dict.fromkeys(self.totals, 0.0)
        self.start = self._last = time.perf_counter()
        self._shown = 0

    def advance(self, device: str = "", label: str = "") -> None:
        """Count one step of ``device`` done and redraw."""
        now = time.perf_counter()
        self.done += 1
        self.counts[device] = self.counts.get(device, 0) + 1
        self.seconds[device] = self.seconds.get(device, 0.0) + now - self._last
        self._last = now
        if self.enabled:
            self._draw(device, label)
        else:
            total = self.totals.get(device, 0)
            quarters = 4 * self.counts[device] // max(total, 1)
            if quarters != 4 * (self.counts[device] - 1) // max(total, 1):
                self._log(device)

    def eta(self) -> float:
        """Seconds left: each device's own rate once it has run a few steps, else its prior
        scaled by how the priors compared with the time measured so far."""
        spent = sum(self.seconds.values())
        priced = sum(self.counts[d] * self.cost[d] for d in self.totals)
        scale = spent / priced if priced > 0 and spent > 0 else 1.0
        left = 0.0
        for d, total in self.totals.items():
            n = self.counts.get(d, 0)
            rate = self.seconds[d] / n if n >= 5 else self.cost[d] * scale
            left += max(total - n, 0) * rate
        return left

    def _devices(self) -> str:
        parts = []
        for d, total in self.totals.items():
            n = self.counts.get(d, 0)
            state = "done" if n >= total else f"{100 * n // max(total, 1)}%" if n else "-"
            parts.append(f"{d or 'all'} {state}")
        return " | ".join(parts)

    def _draw(self, device: str, label: str) -> None:
        filled = round(self.width * self.done / self.total)
        elapsed = time.perf_counter() - self.start
        text = (
            f"[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} "
            f"{elapsed:.0f}s, ETA {_clock(self.eta())} | {self._devices()} | {device} {label}"
        )
        columns = shutil.get_terminal_size((120, 20)).columns - 1
        text = text[:columns]
        self.clear()
        self.stream.write(text)
        self.stream.flush()
        self._shown = len(text)

    def _log(self, device: str) -> None:
        n, total = self.counts[device], self.totals.get(device, 0)
        what = f"done in {self.seconds[device]:.1f} s" if n >= total else f"{100 * n // total}%"
        self.stream.write(
            f"progress: {device or 'all'} {n}/{total} {what}; overall "
            f"{100 * self.done // self.total}%, ETA {_clock(self.eta())}\n"
        )
        self.stream.flush()

    def clear(self) -> None:
        """Erase the bar (before other output)."""
        if self.enabled and self._shown:
            self.stream.write("\r" + " " * self._shown + "\r")
            self.stream.flush()
            self._shown = 0

    def print(self, line: str, out: TextIO | None = None) -> None:
        """Print ``line`` to ``out`` (stdout) with the bar out of its way."""
        self.clear()
        print(line, file=sys.stdout if out is None else out, flush=True)


def _clock(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 60}:{s % 60:02d}"


# -- the table ------------------------------------------------------------------------------
def _status_text(row: Row) -> str:
    if row.status == "FAIL":
        bad = [r for r in row.results if not r.ok]
        what = ", ".join(f"{r.dtype} {r.failure.kind}" for r in bad if r.failure is not None)
        return f"FAIL ({what})"
    if row.status == "XPASS":
        return "XPASS (listed as a known failure, but passes)"
    return row.status


def table_header(name_width: int, device_width: int) -> str:
    """The table's first line."""
    return (
        f"{'function':{name_width}s}  {'device':{device_width}s}  {'examples':>8s}  "
        f"{'worst abs':>9s}  {'worst rel':>9s}  status"
    )


def table_line(row: Row, name_width: int, device_width: int) -> str:
    """One row of the table."""
    return (
        f"{row.spec.id:{name_width}s}  {row.device:{device_width}s}  {row.examples:8d}  "
        f"{row.worst_abs:9.2e}  {row.worst_rel:9.2e}  {_status_text(row)}"
    )


def table(rows: Sequence[Row]) -> str:
    """The summary table: function x device, examples, worst errors, status.

    Examples
    --------
    >>> from agrad.conformance.specs import select
    >>> from agrad.conformance.suite import run_suite
    >>> from agrad.conformance.report import table
    >>> rows = run_suite(select(["exp"]), ["numpy"], dtypes=["float64"], max_examples=2,
    ...                  oracle="finite-difference")
    >>> print(table(rows))  # doctest: +ELLIPSIS
    function  device  examples  worst abs  worst rel  status
    ...
    exp       numpy          2   ...  ok
    """
    nw = max([len("function"), *(len(r.spec.id) for r in rows)])
    dw = max([len("device"), *(len(r.device) for r in rows)])
    head = table_header(nw, dw)
    return "\n".join([head, "-" * len(head), *(table_line(r, nw, dw) for r in rows)])


def summary(rows: Sequence[Row]) -> dict[str, Any]:
    """Counts: rows by status, functions, devices, examples."""
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    return {
        "rows": len(rows),
        "specs": len({r.spec.id for r in rows}),
        "functions": len({r.spec.name for r in rows}),
        "devices": sorted({r.device for r in rows}),
        "examples": sum(r.examples for r in rows),
        "by_status": counts,
        "failed": sum(r.failed for r in rows),
    }


# -- reports --------------------------------------------------------------------------------
def write_json(path: Path, rows: Sequence[Row], meta: dict[str, Any]) -> None:
    """A machine-readable report: one record per function x device, each with its dtypes."""
    doc = {**meta, "summary": summary(rows), "rows": [r.to_dict() for r in rows]}
    path.write_text(json.dumps(doc, indent=1, default=str), encoding="utf-8")


def _colour(row: Row) -> str:
    """The heatmap colour of a row: by its status, then by its worst relative error."""
    if row.failed:
        return "#b2182b"
    if row.status == "xfail":
        return "#bdbdbd"
    if not row.examples:
        return "#f0f0f0"
    return _scale(row.worst_rel)


def _scale(rel: float) -> str:
    """Green (1e-16) through yellow (1e-8) to red (1 and beyond), on a log scale."""
    t = (math.log10(max(rel, 1e-16)) + 16) / 16
    t = min(max(t, 0.0), 1.0)
    stops = [(0.0, (26, 152, 80)), (0.5, (254, 224, 139)), (1.0, (215, 48, 39))]
    for (t0, c0), (t1, c1) in itertools.pairwise(stops):
        if t <= t1:
            f = (t - t0) / (t1 - t0)
            rgb = [round(a + f * (b - a)) for a, b in zip(c0, c1, strict=True)]
            return "#{:02x}{:02x}{:02x}".format(*rgb)
    return "#d73027"


def heatmap_svg(rows: Sequence[Row]) -> str:
    """An inline SVG: functions (rows) x devices (columns), coloured by worst relative error.

    Examples
    --------
    >>> from agrad.conformance.report import heatmap_svg
    >>> heatmap_svg([]).startswith("<svg")
    True
    """
    specs: list[str] = list(dict.fromkeys(r.spec.id for r in rows))
    devices: list[str] = list(dict.fromkeys(r.device for r in rows))
    by_key = {(r.spec.id, r.device): r for r in rows}
    longest = max([8, *(len(d) for d in devices)])
    cell, left, top = 16, 9 + 6.2 * max([8, *(len(s) for s in specs)]), 20 + 5.8 * longest
    width = left + cell * max(len(devices), 1) + 3.2 * longest + 20
    height = top + cell * len(specs) + 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        'font-family="monospace" font-size="11">'
    ]
    for j, d in enumerate(devices):
        x = left + j * cell + cell / 2
        parts.append(
            f'<text x="{x:.1f}" y="{top - 6}" transform="rotate(-60 {x:.1f} {top - 6})">'
            f"{html.escape(d)}</text>"
        )
    for i, s in enumerate(specs):
        y = top + i * cell
        parts.append(
            f'<text x="{left - 6:.1f}" y="{y + cell - 4}" text-anchor="end">{html.escape(s)}</text>'
        )
        for j, d in enumerate(devices):
            row = by_key.get((s, d))
            if row is None:
                continue
            tip = (
                f"{s} on {d}: {row.status}, {row.examples} examples, "
                f"worst abs {row.worst_abs:.2e}, worst rel {row.worst_rel:.2e}"
            )
            x = left + j * cell
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{cell - 1}" height="{cell - 1}" '
                f'fill="{_colour(row)}"><title>{html.escape(tip)}</title></rect>'
            )
            if row.failed or row.status == "xfail":
                mark = "x" if row.status == "xfail" else "!"
                parts.append(
                    f'<text x="{x + cell / 2 - 0.5:.1f}" y="{y + cell - 4}" '
                    f'text-anchor="middle" fill="white">{mark}</text>'
                )
    # the colour scale
    y = top + cell * len(specs) + 20
    for k in range(17):
        parts.append(
            f'<rect x="{left + k * 8:.1f}" y="{y}" width="8" height="10" '
            f'fill="{_scale(10.0 ** (k - 16))}"/>'
        )
    parts.append(f'<text x="{left:.1f}" y="{y + 24}">1e-16</text>')
    parts.append(f'<text x="{left + 16 * 8:.1f}" y="{y + 24}">1 (relative error)</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def write_html(path: Path, rows: Sequence[Row], meta: dict[str, Any]) -> None:
    """A self-contained HTML report: the heatmap, the table, each failure with its snippet."""
    info = summary(rows)
    head = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in {**meta, **{k: v for k, v in info.items() if k != "by_status"}}.items()
    )
    body_rows = []
    for r in rows:
        per_dtype = "; ".join(
            f"{x.dtype}: {x.examples} ex, rel {x.worst_rel:.1e}{'' if x.ok else ' FAIL'}"
            for x in r.results
        )
        body_rows.append(
            "<tr>"
            f"<td>{html.escape(r.spec.id)}</td><td>{html.escape(r.spec.category)}</td>"
            f"<td>{html.escape(r.device)}</td><td>{r.examples}</td>"
            f"<td>{r.worst_abs:.2e}</td><td>{r.worst_rel:.2e}</td>"
            f'<td style="background:{_colour(r)}">{html.escape(_status_text(r))}</td>'
            f"<td>{html.escape(per_dtype)}</td></tr>"
        )
    failures = []
    for r in rows:
        for x in r.results:
            if x.failure is not None:
                failures.append(
                    f"<h3>{html.escape(r.spec.id)} on {html.escape(r.device)}, "
                    f"{html.escape(x.dtype)} ({html.escape(r.status)})</h3>"
                    f"<p>{html.escape(x.failure.message)}</p>"
                    f"<pre>{html.escape(x.failure.snippet)}</pre>"
                )
    doc = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>agrad conformance report</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; font-size: 13px; }}
td, th {{ border: 1px solid #ccc; padding: 2px 6px; text-align: left; }}
pre {{ background: #f6f6f6; padding: 8px; overflow-x: auto; }}
</style></head><body>
<h1>agrad gradient conformance</h1>
<table>{head}</table>
<h2>Worst relative error, function &times; device</h2>
<p>Green: agreement to float64 rounding; yellow: to float32 rounding; red: a large error.
! marks a failure, x a known one (see the xfails files).</p>
{heatmap_svg(rows)}
<h2>Results</h2>
<table><tr><th>spec</th><th>category</th><th>device</th><th>examples</th><th>worst abs</th>
<th>worst rel</th><th>status</th><th>per dtype</th></tr>
{"".join(body_rows)}
</table>
<h2>Failures</h2>
{"".join(failures) or "<p>None.</p>"}
</body></html>
"""
    path.write_text(doc, encoding="utf-8")
