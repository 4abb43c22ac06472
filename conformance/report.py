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

__all__ = [
    "Progress",
    "heatmap_html",
    "table",
    "tolerance_share",
    "write_html",
    "write_json",
]


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
    if row.status == "not replayed":
        missed = ", ".join(r.dtype for r in row.results if r.not_replayed is not None)
        return f"not replayed ({missed}: ran eagerly)"
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
        "replayed": sum(r.replayed for r in rows),
        "fused": sum(r.fused for r in rows),
        "replay_rel": max((x.replay_rel for r in rows for x in r.results), default=0.0),
    }


# -- reports --------------------------------------------------------------------------------
def write_json(path: Path, rows: Sequence[Row], meta: dict[str, Any]) -> None:
    """A machine-readable report: one record per function x device, each with its dtypes."""
    doc = {**meta, "summary": summary(rows), "rows": [r.to_dict() for r in rows]}
    path.write_text(json.dumps(doc, indent=1, default=str), encoding="utf-8")


def tolerance_share(row: Row) -> float:
    """The largest share of its tolerance that a row's error used (its worst relative error
    over the rtol of its dtype and oracle): at most about 1 for a passing row.

    Examples
    --------
    >>> from agrad.conformance.specs import select
    >>> from agrad.conformance.suite import run_suite
    >>> from agrad.conformance.report import tolerance_share
    >>> (row,) = run_suite(select(["exp"]), ["numpy"], dtypes=["float32"], max_examples=2)
    >>> tolerance_share(row) < 1
    True
    """
    shares = [r.worst_rel / row.spec.tolerance(r.dtype, r.oracle)[0] for r in row.results]
    return max(shares, default=0.0)


def _colour(row: Row) -> str:
    """A row's colour: red for a failure, grey for a known one, else by the share of the
    tolerance its error used (dark green: far inside it; pale green: near it)."""
    if row.failed:
        return "#c62828"
    if row.status == "xfail":
        return "#9e9e9e"
    if row.status == "not replayed":
        return _colour_of("not replayed")
    if not row.examples:
        return "#eeeeee"
    return _scale(tolerance_share(row))


#: the colour scale of passing rows: share of the tolerance used, 1e-6 (or less) to 1
_STOPS = [(0.0, (0, 104, 55)), (0.6, (49, 163, 84)), (1.0, (199, 233, 192))]


def _scale(share: float) -> str:
    """Dark green (1e-6 of the tolerance or less) to pale green (all of it), log scale."""
    t = (math.log10(max(share, 1e-6)) + 6) / 6
    t = min(max(t, 0.0), 1.0)
    for (t0, c0), (t1, c1) in itertools.pairwise(_STOPS):
        if t <= t1:
            f = (t - t0) / (t1 - t0)
            rgb = [round(a + f * (b - a)) for a, b in zip(c0, c1, strict=True)]
            return "#{:02x}{:02x}{:02x}".format(*rgb)
    return "#c7e9c0"


def _anchor(row: Row) -> str:
    text = f"{row.spec.id}--{row.device}"
    return "row-" + "".join(c if c.isalnum() else "-" for c in text)


def _mark(row: Row) -> str:
    if row.status == "not replayed":
        return "e"
    return "!" if row.failed else "x" if row.status == "xfail" else ""


def heatmap_html(rows: Sequence[Row]) -> str:
    """The heatmap: one small table per category, functions (rows) x devices (columns), each
    cell coloured by status and share of tolerance used and linked to its row of results.

    Examples
    --------
    >>> from agrad.conformance.report import heatmap_html
    >>> heatmap_html([])
    '<div class="heatmap"></div>'
    """
    devices: list[str] = list(dict.fromkeys(r.device for r in rows))
    by_key = {(r.spec.id, r.device): r for r in rows}
    categories: dict[str, list[str]] = {}
    for r in rows:
        ids = categories.setdefault(r.spec.category or "other", [])
        if r.spec.id not in ids:
            ids.append(r.spec.id)
    blocks = []
    for category, ids in categories.items():
        head = "".join(f'<th class="dev"><span>{html.escape(d)}</span></th>' for d in devices)
        lines = [f"<tr><th class='cat'>{html.escape(category)}</th>{head}</tr>"]
        for spec_id in ids:
            cells = []
            for d in devices:
                row = by_key.get((spec_id, d))
                if row is None:
                    cells.append("<td></td>")
                    continue
                tip = (
                    f"{spec_id} on {d}: {row.status}, {row.examples} examples, worst rel "
                    f"{row.worst_rel:.1e} ({tolerance_share(row):.1e} of the tolerance)"
                )
                cells.append(
                    f'<td class="cell" style="background:{_colour(row)}" '
                    f'title="{html.escape(tip)}"><a href="#{_anchor(row)}">{_mark(row)}</a></td>'
                )
            lines.append(f"<tr><th>{html.escape(spec_id)}</th>{''.join(cells)}</tr>")
        blocks.append(f"<table class='hm'>{''.join(lines)}</table>")
    return f'<div class="heatmap">{"".join(blocks)}</div>'


def _legend() -> str:
    steps = "".join(
        f'<span class="sw" style="background:{_scale(10.0**k)}"></span>' for k in range(-6, 1)
    )
    return (
        '<p class="legend">'
        f"<span>passed, share of the tolerance used: 10<sup>-6</sup></span>{steps}"
        "<span>1</span>"
        f'<span class="sw" style="background:{_colour_of("FAIL")}">!</span><span>failed</span>'
        f'<span class="sw" style="background:{_colour_of("xfail")}">x</span>'
        "<span>known failure</span>"
        f'<span class="sw" style="background:{_colour_of("not replayed")}">e</span>'
        "<span>not replayed (a compiled run: ran eagerly)</span>"
        f'<span class="sw" style="background:{_colour_of("none")}"></span><span>no example</span>'
        "</p>"
    )


def _colour_of(status: str) -> str:
    return {"FAIL": "#c62828", "xfail": "#9e9e9e", "not replayed": "#ef8f00"}.get(status, "#eeeeee")


def _text(value: Any) -> str:
    """Metadata as plain words: lists joined, mappings as 'key value' pairs."""
    if isinstance(value, dict):
        parts = [f"{k}: {_text(v)}" for k, v in value.items()]
        return (
            "; ".join(parts)
            if any(isinstance(v, list) for v in value.values())
            else (", ".join(f"{k} {_text(v)}" for k, v in value.items()))
        )
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


_CSS = """
body { font-family: system-ui, sans-serif; margin: 1.5em 2em; color: #222; }
h1 { margin-bottom: 0.2em; }
.verdict { font-size: 1.2em; font-weight: 600; padding: 0.4em 0.8em; border-radius: 4px;
  display: inline-block; }
.verdict.pass { background: #e8f5e9; color: #1b5e20; }
.verdict.fail { background: #ffebee; color: #b71c1c; }
table { border-collapse: collapse; font-size: 13px; }
.meta th { text-align: right; padding-right: 1em; font-weight: 600; }
.meta td, .meta th { padding: 1px 6px; vertical-align: top; }
.results td, .results th { border: 1px solid #ccc; padding: 2px 6px; text-align: left; }
.results td.num { text-align: right; font-family: monospace; }
.failures li { margin: 0.2em 0; }
.heatmap { display: flex; flex-wrap: wrap; gap: 1.2em 2em; align-items: flex-start; }
.hm { font-size: 12px; }
.hm th { text-align: right; font-weight: normal; padding: 0 6px 0 0; white-space: nowrap; }
.hm th.cat { font-weight: 700; text-align: left; vertical-align: bottom; }
.hm th.dev { height: 6.5em; vertical-align: bottom; padding: 0; width: 18px; }
.hm th.dev span { display: inline-block; writing-mode: vertical-rl; transform: rotate(180deg);
  white-space: nowrap; font-size: 11px; }
.hm td.cell { width: 16px; height: 16px; border: 1px solid #fff; text-align: center;
  padding: 0; }
.hm td.cell a { color: #fff; font-weight: 700; text-decoration: none; display: block; }
.legend { display: flex; align-items: center; gap: 4px; flex-wrap: wrap; font-size: 13px; }
.legend .sw { width: 16px; height: 16px; display: inline-block; color: #fff; font-weight: 700;
  text-align: center; line-height: 16px; font-size: 12px; }
.legend span + span:not(.sw) { margin-right: 1em; }
pre { background: #f6f6f6; padding: 8px; overflow-x: auto; }
tr:target, div:target { outline: 3px solid #ff9800; }
"""


def write_html(path: Path, rows: Sequence[Row], meta: dict[str, Any]) -> None:
    """A self-contained HTML report: the verdict and the failures first (linked to their
    rows and snippets), the heatmap, the table of results, each failure with its snippet."""
    info = summary(rows)
    counts = info["by_status"]
    failed = [r for r in rows if r.failed]
    verdict = (
        f"{counts.get('ok', 0)} passed, {info['failed']} failed, "
        + (f"{counts['not replayed']} not replayed, " if "not replayed" in counts else "")
        + f"{counts.get('xfail', 0)} known failures"
    )
    labels = {
        "agrad_version": "agrad",
        "date": "date",
        "devices": "devices",
        "dtypes": "dtypes",
        "order": "highest order",
        "max_examples": "examples per function and dtype",
        "thorough": "thorough",
        "module": "module",
        "compiled": "compiled (agrad.compile)",
        "seed": "seed",
        "seconds": "seconds",
    }
    shown = {labels.get(k, k): v for k, v in meta.items() if v not in ("", None)}
    shown["functions"] = info["functions"]
    shown["specs"] = info["specs"]
    shown["examples run"] = info["examples"]
    if meta.get("compiled"):
        shown["examples replayed"] = f"{info['replayed']} ({info['fused']} with fused loops)"
    head = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(_text(v))}</td></tr>"
        for k, v in shown.items()
    )
    listed = "".join(
        f'<li><a href="#{_anchor(r)}">{html.escape(r.spec.id)} on {html.escape(r.device)}</a>: '
        f"{html.escape(_status_text(r))} &mdash; "
        + ", ".join(
            f'<a href="#fail-{_anchor(r)}-{x.dtype}">{html.escape(x.dtype)} snippet</a>'
            for x in r.results
            if x.failure is not None
        )
        + "</li>"
        for r in failed
    )
    failures_top = (
        f'<h2 id="failures">Failures</h2><ol class="failures">{listed}</ol>' if failed else ""
    )
    eager = [r for r in rows if r.status == "not replayed"]
    eager_listed = "".join(
        f'<li><a href="#{_anchor(r)}">{html.escape(r.spec.id)} on {html.escape(r.device)}</a>: '
        + "; ".join(
            f'<a href="#fail-{_anchor(r)}-{x.dtype}">{html.escape(x.dtype)}</a>: '
            f"{html.escape(x.not_replayed.message)}"
            for x in r.results
            if x.not_replayed is not None
        )
        + "</li>"
        for r in eager
    )
    if eager:
        failures_top += (
            '<h2 id="not-replayed">Not replayed</h2><p>agrad.compile ran these eagerly (their '
            f'eager gradients passed):</p><ol class="failures">{eager_listed}</ol>'
        )
    body_rows = []
    for r in rows:
        per_dtype = "; ".join(
            f"{x.dtype}: {x.examples} examples, rel {x.worst_rel:.1e}{'' if x.ok else ' FAIL'}"
            for x in r.results
        )
        body_rows.append(
            f'<tr id="{_anchor(r)}">'
            f"<td>{html.escape(r.spec.id)}</td><td>{html.escape(r.spec.category)}</td>"
            f"<td>{html.escape(r.device)}</td><td class='num'>{r.examples}</td>"
            f"<td class='num'>{r.worst_abs:.2e}</td><td class='num'>{r.worst_rel:.2e}</td>"
            f"<td class='num'>{tolerance_share(r):.1e}</td>"
            f'<td style="background:{_colour(r)};color:{"#fff" if r.failed else "#000"}">'
            f"{html.escape(_status_text(r))}</td>"
            f"<td>{html.escape(per_dtype)}</td></tr>"
        )
    details = []
    for r in rows:
        for x in r.results:
            if x.not_replayed is not None and x.failure is None:
                details.append(
                    f'<div id="fail-{_anchor(r)}-{x.dtype}">'
                    f"<h3>{html.escape(r.spec.id)} on {html.escape(r.device)}, "
                    f"{html.escape(x.dtype)} (not replayed)</h3>"
                    f"<p>{html.escape(x.not_replayed.message)}</p>"
                    f"<pre>{html.escape(x.not_replayed.snippet)}</pre></div>"
                )
            if x.failure is not None:
                details.append(
                    f'<div id="fail-{_anchor(r)}-{x.dtype}">'
                    f"<h3>{html.escape(r.spec.id)} on {html.escape(r.device)}, "
                    f"{html.escape(x.dtype)} ({html.escape(r.status)})</h3>"
                    f"<p>{html.escape(x.failure.message)}</p>"
                    + (f"<pre>{html.escape(x.failure.snippet)}</pre>" if x.failure.snippet else "")
                    + "</div>"
                )
    doc = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>agrad conformance report</title>
<style>{_CSS}</style></head><body>
<h1>agrad gradient conformance</h1>
<p class="verdict {"fail" if failed else "pass"}">{verdict}</p>
{failures_top}
<h2>Function &times; device</h2>
{_legend()}
<p>Each cell is one function on one device, all its dtypes: its colour is the largest share of
the dtype's tolerance that its error used (a passing cell is green); click it for its row.</p>
{heatmap_html(rows)}
<h2>Run</h2>
<table class="meta">{head}</table>
<h2>Results</h2>
<table class="results"><tr><th>spec</th><th>category</th><th>device</th><th>examples</th>
<th>worst abs</th><th>worst rel</th><th>share of tolerance</th><th>status</th>
<th>per dtype</th></tr>
{"".join(body_rows)}
</table>
<h2>Failure details</h2>
{"".join(details) or "<p>None.</p>"}
</body></html>
"""
    path.write_text(doc, encoding="utf-8")
