"""Reports and plots (quant_backtest.report): a result's report document holds the result's own
numbers and the bars it ran on, the same on both backends; the HTML inlines the chart component,
lightweight-charts and the document with nothing that can close a <script> early; ``plot()``
renders in a sandboxed iframe and saves the same file. JS writes the same documents
(tests/js/report.test.mjs); chromium draws the files (tests/browser/report.test.mjs)."""

from __future__ import annotations

import html
import json
import math
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

import quant_backtest as qb
from quant_backtest import BacktestError, RustEngine
from quant_backtest import strategy as qs
from quant_backtest._result import METRIC_NAMES, TRADE_FIELDS
from quant_backtest.report import Plot, plot, report_document, report_html, save_report

PARAMS = {"fast": [5, 10, 15], "slow": [30, 40]}


@pytest.fixture
def data() -> qb.MarketData:
    return qb.generate_sample_data("DEMO", 500, 100.0, seed=3)


def same(a: Any, b: Any) -> bool:
    """Equal as JSON values (None for NaN)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def test_a_backtest_document_holds_the_result_and_its_bars(engine: RustEngine, data: Any) -> None:
    strategy = qs.sma_cross(10, 30, stop_loss=0.05)
    result = engine.run_backtest(data, strategy)
    doc = report_document(result)  # the data and strategy the result remembers
    assert doc["format"] == "quant-backtest-report" and doc["version"] == 1
    assert doc["kind"] == "backtest" and doc["title"] == "DEMO: backtest"
    assert doc["bars"]["close"] == data.as_lists()["close"]
    assert doc["bars"]["dates"] == list(data.dates)
    assert doc["strategy"] == strategy.to_dict()
    assert list(doc["run"]["metrics"]) == list(METRIC_NAMES)
    for name in METRIC_NAMES:
        value = getattr(result, name)
        assert same(doc["run"]["metrics"][name], None if value is None or value != value else value)
    assert doc["run"]["trades"] == [dict(zip(TRADE_FIELDS, t)) for t in result.trades]
    assert doc["run"]["equity_curve"] == list(result.equity_curve)
    assert doc["assets"] is None and "sweep" not in doc
    json.dumps(doc, allow_nan=False)  # plain JSON values only


def test_documents_are_the_same_on_both_backends(
    both_engines: tuple[RustEngine, RustEngine], data: Any
) -> None:
    docs = []
    for engine in both_engines:
        universe = qb.generate_sample_universe(3, days=300, seed=2)
        table = engine.sweep(data, qs.sma_cross(), PARAMS)
        _, best = engine.optimize(data, qs.sma_cross(), PARAMS)
        docs.append(
            [
                report_document(engine.run_backtest(data, qs.rsi_reversion())),
                report_document(table, data=data, best=best),
                report_document(engine.run_portfolio(universe, qs.sma_cross(5, 20), size=0.3)),
                report_document(engine.walk_forward(data, qs.sma_cross(), PARAMS, 200, 100)),
            ]
        )
    rust, python = docs
    assert [d["kind"] for d in rust] == ["backtest", "sweep", "portfolio", "walk_forward"]
    assert rust == python


def test_sweep_portfolio_and_walk_documents(engine: RustEngine, data: Any) -> None:
    table = engine.sweep(data, qs.sma_cross(), PARAMS, as_frame=False)
    params, best = engine.optimize(data, qs.sma_cross(), PARAMS, maximize="total_return")
    doc = report_document(table, data=data, best=best, maximize="total_return")
    assert doc["sweep"]["names"] == ["fast", "slow"]
    assert doc["sweep"]["columns"]["fast"] == [5, 5, 10, 10, 15, 15]
    assert doc["sweep"]["best_params"] == params and doc["run"]["params"] == params
    no_best = report_document(table, data=data)
    assert no_best["run"] is None and no_best["sweep"]["best_params"] == {}

    universe = qb.generate_sample_universe(3, days=300, seed=2)
    result = engine.run_portfolio(universe, qs.sma_cross(5, 20), max_positions=2)
    doc = report_document(result, title="three")
    assert doc["title"] == "three" and doc["bars"] is None
    assert [a["symbol"] for a in doc["assets"]] == list(universe.symbols)
    assert doc["run"]["symbols"] == list(universe.symbols)
    assert doc["run"]["dates"] == list(universe.dates)
    assert doc["run"]["trades"][0]["symbol"] in universe.symbols

    walk = engine.walk_forward(data, qs.sma_cross(), PARAMS, train=200, test=100)
    doc = report_document(walk)
    assert len(doc["walk"]["windows"]) == len(walk.rows)
    assert doc["walk"]["equity_index"] == list(walk.equity_index)
    assert doc["run"]["metrics"]["total_return"] == walk.total_return


def test_the_html_is_self_contained_and_escapes_the_document(engine: RustEngine, data: Any) -> None:
    result = engine.run_backtest(data, qs.sma_cross(10, 30))
    text = report_html(result, title="A </script> & <b>title</b>")
    folder = resources.files("quant_backtest.report")
    assert folder.joinpath("charts.js").read_text(encoding="utf-8") in text
    lwc = folder.joinpath("lightweight-charts.standalone.production.js").read_text(encoding="utf-8")
    assert lwc in text and "Lightweight Charts" in lwc
    assert not re.search(r"\{\{\w+\}\}", text)
    assert len(re.findall(r"</script", text, re.I)) == 3
    assert "<title>A &lt;/script&gt; &amp; &lt;b&gt;title&lt;/b&gt;</title>" in text
    found = re.search(
        r'<script type="application/json" id="report-data">(.*?)</script>', text, re.S
    )
    assert found is not None
    assert json.loads(found.group(1)) == report_document(result, title="A </script> & <b>title</b>")


def test_plot_renders_in_a_sandboxed_iframe_and_saves(
    engine: RustEngine, data: Any, tmp_path: Path
) -> None:
    result = engine.run_backtest(data, qs.sma_cross(10, 30))
    shown = result.plot()
    assert isinstance(shown, Plot) and repr(shown) == "<Plot backtest: 'DEMO: backtest'>"
    frame = shown._repr_html_()
    found = re.fullmatch(
        r'<iframe srcdoc="([^"]*)" sandbox="allow-scripts" style="[^"]*" title="[^"]*"></iframe>',
        frame,
    )
    assert found is not None, frame[:200]
    assert html.unescape(found.group(1)) == shown.html
    path = shown.save(tmp_path / "run.html")
    assert Path(path).read_text(encoding="utf-8") == shown.html
    assert save_report(result, tmp_path / "again.html") == str(tmp_path / "again.html")
    assert (tmp_path / "again.html").read_text(encoding="utf-8") == shown.html
    # Other data than the remembered: its bars are drawn.
    other = qb.generate_sample_data("OTHER", 500, 50.0, seed=4)
    assert result.plot(data=other).document["bars"]["symbol"] == "OTHER"
    assert plot(result).document == shown.document
    walk = engine.walk_forward(data, qs.sma_cross(), PARAMS, train=200, test=100)
    assert walk.plot().document["kind"] == "walk_forward"
    universe = qb.generate_sample_universe(2, days=300, seed=2)
    assert (
        engine.run_portfolio(universe, qs.sma_cross(5, 20)).plot().document["kind"] == "portfolio"
    )


def test_a_result_made_without_the_engine_plots_without_bars(engine: RustEngine, data: Any) -> None:
    live = engine.live(qs.sma_cross(10, 30), symbol="DEMO")
    columns = data.as_lists()
    for i in range(len(data)):
        live.push(
            {
                "date": columns["dates"][i],
                **{k: columns[k][i] for k in ("open", "high", "low", "close", "volume")},
            }
        )
    doc = live.result().plot().document
    assert doc["bars"] is None and doc["title"] == "backtest"
    assert doc["run"]["equity_curve"] == list(live.result().equity_curve)


def test_bad_input_is_refused_by_name(engine: RustEngine, data: Any) -> None:
    with pytest.raises(BacktestError) as e:
        report_document(42)
    assert str(e.value) == (
        "result must be a backtest, portfolio or walk-forward result or a sweep's columns, got 42"
    )
    table = engine.sweep(data, qs.sma_cross(), PARAMS)
    with pytest.raises(
        BacktestError, match=r"^unknown metric 'sharp'; did you mean 'sharpe_ratio'\?$"
    ):
        report_document(table, maximize="sharp")


def test_overlays_are_the_strategys_indicators_params_bound(engine: RustEngine, data: Any) -> None:
    from quant_backtest import indicators as ta

    dip = qs.Strategy(
        entry=(qs.rsi(14) < 40) & (qs.close < qs.bbands(20, 2.0).lower),
        exit=(qs.macd().hist > 0) | (qs.close > qs.highest(20, source=qs.high)) | (qs.rsi(14) > 70),
    )
    doc = report_document(engine.run_backtest(data, dip))
    assert [(o["name"], o["pane"]) for o in doc["overlays"]] == [
        ("rsi(14)", "oscillator"),
        ("bbands(20, 2.0).lower", "price"),
        ("macd(12, 26, 9).hist", "oscillator"),
        ("highest(20, high)", "price"),
    ]  # rsi(14) once
    lower = ta.bbands(data.close, 20, 2.0)[2]
    values = doc["overlays"][1]["values"]
    assert values[:19] == [None] * 19 and values[19:] == [float(x) for x in lower[19:]]
    # Placeholders take the run's params; an indicator of an indicator is not drawn.
    run = engine.run_backtest(data, qs.sma_cross(), params={"fast": 5, "slow": 20})
    assert [o["name"] for o in report_document(run)["overlays"]] == ["sma(5)", "sma(20)"]
    nested = qs.Strategy(entry=qs.sma(5, source=qs.rsi(14)) > 50, exit=qs.ema(10) < qs.close)
    names = [o["name"] for o in report_document(engine.run_backtest(data, nested))["overlays"]]
    assert names == ["rsi(14)", "ema(10)"]


def test_the_seed_apis_result_plots_with_its_bars(engine: RustEngine, data: Any) -> None:
    doc = engine.run_sma_backtest(data, 10, 30).plot().document
    assert doc["kind"] == "backtest" and doc["bars"]["symbol"] == "DEMO"
    assert doc["strategy"] is None and doc["overlays"] == []
    assert doc["run"]["metrics"]["exposure"] is None
    assert {(t["direction"], t["exit_reason"]) for t in doc["run"]["trades"]} == {
        ("long", "signal")
    }
