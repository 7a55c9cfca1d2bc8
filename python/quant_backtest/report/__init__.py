"""Pictures of results: report documents, standalone HTML reports and notebook plots.

A *report document* (docs/REPORTS.md) is a result reduced to plain values with the bars it
ran on; JS's ``reportDocument`` writes the same document for the same run. The HTML report
inlines lightweight-charts, this package's chart component (``charts.js``, the one the demo
page draws with) and the document: one file that opens from disk with no server and no
network::

    result = engine.run_backtest(data, qs.sma_cross(10, 30))
    result.plot()                      # in Jupyter / JupyterLite: drawn inline
    result.plot().save("run.html")     # or save_report(result, "run.html")

Results remember the data they ran on (``data=`` overrides it). A sweep table (what
``engine.sweep`` returns) has no methods of ours: ``plot(table, best=result)``.
No plotting library is needed: the charts are drawn by the browser.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
from importlib import resources
from typing import Any, Optional, Union

from .._engine import __version__, check_metric
from .._errors import BacktestError
from .._fallback.metrics import METRIC_NAMES
from .._fallback.names import describe

__all__ = ["Plot", "plot", "report_document", "report_html", "save_report"]

FORMAT = "quant-backtest-report"
VERSION = 1
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def _asset_text(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _plain(value: Any) -> Any:
    """JSON values: numpy arrays and scalars as lists and numbers, NaN and infinities as null."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):
        return _plain(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _bars(data: Any) -> dict:
    lists = data.as_lists()
    return {
        "symbol": data.symbol,
        **{k: lists[k] for k in ("dates", "open", "high", "low", "close")},
    }


def _assets(universe: Any) -> list[dict]:
    return [
        {"symbol": a.symbol, "dates": list(a.dates), "close": a.as_lists()["close"]}
        for a in universe
    ]


def _run(result: Any) -> dict:
    """The run part of a document: params, metrics (the catalog's order), equity, trades, and
    a portfolio's dates, symbols, cash, position values and per-asset rows."""
    d = result.to_dict()
    metrics = d["metrics"] if "metrics" in d else {n: d.get(n) for n in METRIC_NAMES}
    run = {
        "params": d.get("params", {}),
        "metrics": {n: metrics.get(n) for n in METRIC_NAMES},
        "equity_curve": d["equity_curve"],
        "trades": d["trades"],
    }
    if "position_values" in d:
        run.update(
            dates=d["dates"],
            symbols=list(d["position_values"]),
            cash=d["cash"],
            position_values=d["position_values"],
            assets=d["assets"],
        )
    return run


# Indicators drawn over the prices (the others go to the oscillator pane), and the columns an
# indicator's source may name for the report to draw it.
_PRICE_PANE = ("sma", "ema", "wma", "highest", "lowest", "bbands")
_PRICES = ("open", "high", "low", "close")
_NO_SOURCE = "atr"  # reads high, low and close


def _bound(value: Any, params: dict) -> Any:
    """``value`` with every placeholder replaced by its param (None where one is missing)."""
    if isinstance(value, dict):
        if set(value) == {"param"}:
            return params.get(value["param"])
        out = {k: _bound(v, params) for k, v in value.items()}
        return None if any(v is None for v in out.values()) else out
    if isinstance(value, list):
        items = [_bound(v, params) for v in value]
        return None if any(v is None for v in items) else items
    return value


def _indicator_nodes(value: Any, out: list) -> list:
    """The strategy's indicator nodes, depth first, in the order of its keys."""
    if isinstance(value, dict):
        if "indicator" in value:
            out.append(value)
        for key, item in value.items():
            if key not in ("settings", "constraint"):
                _indicator_nodes(item, out)
    elif isinstance(value, list):
        for item in value:
            _indicator_nodes(item, out)
    return out


def _overlay(node: dict, bars: dict) -> Optional[dict]:
    """One indicator of the strategy on the bars, or None where its source is not a price."""
    from .. import indicators as ta
    from .._fallback import format_float

    name = node["indicator"]
    source = node.get("source", "close")
    if name != _NO_SOURCE and source not in _PRICES:
        return None
    named = [(k, v) for k, v in node.items() if k not in ("indicator", "source", "output")]
    args = [v for _, v in named]
    # The band width k is a float (2.0); the periods are integers.
    label = f"{name}({', '.join(format_float(float(v)) if k == 'k' else str(v) for k, v in named)}"
    label += ")" if source in ("close", None) or name == _NO_SOURCE else f", {source})"
    if name == _NO_SOURCE:
        values = ta.atr(bars["high"], bars["low"], bars["close"], *args)
    else:
        values = getattr(ta, name)(bars[source], *args)
    if name in ("macd", "bbands"):
        outputs = ("macd", "signal", "hist") if name == "macd" else ("upper", "middle", "lower")
        output = node.get("output", outputs[0])
        values = values[outputs.index(output)]
        label += f".{output}"
    pane = "price" if name in _PRICE_PANE else "oscillator"
    return {"name": label, "pane": pane, "values": _plain(list(values))}


def _overlays(strategy: Any, params: dict, bars: Optional[dict]) -> list[dict]:
    """The strategy's indicators with ``params`` bound, each once, drawn on the bars."""
    if not isinstance(strategy, dict) or bars is None:
        return []
    out, seen = [], set()
    for node in _indicator_nodes(strategy, []):
        bound = _bound(node, params)
        key = json.dumps(bound)
        if bound is None or key in seen:
            continue
        seen.add(key)
        overlay = _overlay(bound, bars)
        if overlay is not None:
            out.append(overlay)
    return out


def _kind(result: Any) -> str:
    from .._portfolio_result import PortfolioResult
    from .._result import BacktestResult
    from .._walk_result import WalkForwardResult

    if isinstance(result, WalkForwardResult):
        return "walk_forward"
    if isinstance(result, PortfolioResult):
        return "portfolio"
    if isinstance(result, BacktestResult):
        return "backtest"
    if isinstance(result, dict) or hasattr(result, "columns"):
        return "sweep"
    raise BacktestError(
        "result must be a backtest, portfolio or walk-forward result or a sweep's columns, "
        f"got {describe(result)}",
        "invalid_parameter",
    )


def _sweep(table: Any, maximize: str, best: Any) -> dict:
    check_metric(maximize)
    columns = {str(k): _plain(list(table[k])) for k in table}
    names = [c for c in columns if c not in METRIC_NAMES]
    best_params = dict(best.params) if best is not None else {}
    return {"names": names, "columns": columns, "maximize": maximize, "best_params": best_params}


def _remembered(result: Any, name: str) -> Any:
    """What the engine call kept on the result (quant_backtest._plottable.remember)."""
    return getattr(result, "__dict__", {}).get(name)


def _default_title(kind: str, data: Any) -> str:
    what = kind.replace("_", "-")  # walk_forward: walk-forward
    from ..universe import Universe

    if isinstance(data, Universe):
        return f"{', '.join(data.symbols)}: {what}"
    return f"{data.symbol}: {what}" if data is not None else what


def report_document(
    result: Any,
    data: Any = None,
    strategy: Any = None,
    title: Optional[str] = None,
    *,
    maximize: str = "sharpe_ratio",
    best: Any = None,
) -> dict:
    """The report document of a result (docs/REPORTS.md): plain values, ready for JSON.

    ``result``: a ``BacktestResult``, ``PortfolioResult``, ``WalkForwardResult``, or a sweep
    table (``engine.sweep``'s DataFrame or dict of columns; then ``maximize`` colors the heatmap
    and ``best``, a result such as ``engine.optimize``'s, is drawn as its best run). ``data``:
    the ``MarketData`` or ``Universe`` it ran on, and ``strategy``, shown as JSON (default:
    those the engine ran it on)."""
    from .._data import MarketData
    from ..strategy import Strategy
    from ..universe import Universe

    kind = _kind(result)
    run = best if kind == "sweep" else result
    source = data if data is not None else _remembered(run, "_source")
    if strategy is None:
        strategy = _remembered(run, "_strategy")
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "kind": kind,
        "title": title if title is not None else _default_title(kind, source),
        "generator": f"quant-backtest {__version__} (Python)",
        "strategy": None,
        "bars": None,
        "assets": None,
    }
    if strategy is not None:
        doc["strategy"] = (
            strategy.to_dict()
            if isinstance(strategy, Strategy)
            else json.loads(strategy if isinstance(strategy, str) else json.dumps(strategy))
        )
    if isinstance(source, Universe):
        doc["assets"] = _assets(source)
    elif isinstance(source, MarketData):
        doc["bars"] = _bars(source)
    elif source is not None:
        raise BacktestError(
            f"data must be MarketData or a Universe, got {describe(source)}", "invalid_market_data"
        )
    if kind == "sweep":
        doc["sweep"] = _sweep(result, maximize, best)
        doc["run"] = _run(best) if best is not None else None
    else:
        doc["run"] = _run(result)
    # A walk-forward's params change by window, a portfolio has no one price chart.
    drawn = doc["run"] is not None and kind in ("backtest", "sweep")
    doc["overlays"] = _overlays(doc["strategy"], doc["run"]["params"], doc["bars"]) if drawn else []
    if kind == "walk_forward":
        d = result.to_dict()
        doc["walk"] = {
            k: d[k]
            for k in (
                "windows",
                "equity_index",
                "names",
                "combinations",
                "train",
                "test",
                "step",
                "anchored",
                "maximize",
            )
        }
    return _plain(doc)


def _document_json(doc: dict) -> str:
    # `<` escaped so that no text of the document can close its <script> element.
    return json.dumps(doc, allow_nan=False, separators=(",", ":")).replace("<", "\\u003c")


def report_html(
    result: Any, data: Any = None, strategy: Any = None, title: Optional[str] = None, **options: Any
) -> str:
    """The standalone HTML report of a result (arguments as for :func:`report_document`)."""
    doc = report_document(result, data, strategy, title, **options)
    return _fill(doc)


def _fill(doc: dict) -> str:
    parts = {
        "title": html.escape(doc["title"]),
        "lightweight_charts": _asset_text("lightweight-charts.standalone.production.js"),
        "charts": _asset_text("charts.js"),
        "document": _document_json(doc),
    }
    return _PLACEHOLDER.sub(lambda m: parts[m.group(1)], _asset_text("report.html"))


def save_report(
    result: Any,
    path: Union[str, os.PathLike],
    data: Any = None,
    strategy: Any = None,
    title: Optional[str] = None,
    **options: Any,
) -> str:
    """Writes the standalone HTML report of a result to ``path``; returns the path."""
    return plot(result, data, strategy, title, **options).save(path)


class Plot:
    """A result's picture: drawn inline by Jupyter and JupyterLite (``_repr_html_``: the report
    in an ``<iframe srcdoc>``, so two plots in one notebook never share scripts or element
    ids), ``.save(path)`` writes the standalone report, ``.html`` is its text and
    ``.document`` its report document."""

    def __init__(self, document: dict, height: int = 900) -> None:
        self.document = document
        self.height = height

    @property
    def html(self) -> str:
        return _fill(self.document)

    def save(self, path: Union[str, os.PathLike]) -> str:
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.html)
        return os.fspath(path)

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" sandbox="allow-scripts" '
            f'style="width: 100%; height: {self.height}px; border: 1px solid #ddd" '
            f'title="{html.escape(self.document["title"])}"></iframe>'
        )

    def __repr__(self) -> str:
        return f"<Plot {self.document['kind']}: {self.document['title']!r}>"


def plot(
    result: Any, data: Any = None, strategy: Any = None, title: Optional[str] = None, **options: Any
) -> Plot:
    """The :class:`Plot` of a result or a sweep table (arguments as for :func:`report_document`)."""
    return Plot(report_document(result, data, strategy, title, **options))
