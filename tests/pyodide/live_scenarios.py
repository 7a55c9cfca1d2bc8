"""The live-run checks' Python side (SPEC part 11): the same live scenarios on any backend, as
plain JSON (floats by ``float.hex()``), with the checks that need no other engine done here.

Run by tests/pyodide/live.test.mjs inside Pyodide (the wasm engine) and by the repository's
``.venv`` on the native engine::

    QUANT_BACKTEST_BACKEND=rust .venv/bin/python tests/pyodide/live_scenarios.py tests/golden

which prints ``{"scenarios": ..., "feed": ...}``. Each backend checks its own live results
against its own batch runs on every prefix checked (``failures``: bit for bit); the test then
compares the two answers key for key with ``scenarios.compare`` (events, positions, cash,
equity, saved texts and refusals exactly; metrics at 1e-9). Needs neither numpy nor pandas.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any, Callable

import quant_backtest as qb
import quant_backtest.strategy as qs
from quant_backtest import Bar, RustEngine, _backend
from quant_backtest._fallback import live as fallback_live

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scenarios import _coded, _x, load, strategy_json  # noqa: E402 - beside this file

COLUMNS = ("open", "high", "low", "close", "volume")


def rows(data: qb.MarketData) -> list[Bar]:
    cols = [list(getattr(data, k)) for k in ("dates", *COLUMNS)]
    return [Bar(*(c[t] for c in cols)) for t in range(len(data))]


def prefix(data: qb.MarketData, n: int) -> qb.MarketData:
    return qb.MarketData(
        symbol=data.symbol, **{k: list(getattr(data, k))[:n] for k in ("dates", *COLUMNS)}
    )


def event_json(e: qb.Event) -> list:
    return [_x(v) for v in e]


def where_json(live: qb.LiveRun) -> list:
    """Where a run stands: bars, last date, position, pending order, cash, equity."""
    p = live.position
    position = None if p is None else [p.side, _x(p.size)]
    return [live.bars, live.last_date, position, live.pending, _x(live.cash), _x(live.equity)]


def _unfold(data: qb.MarketData, n: int, bars: list) -> qb.MarketData:
    return prefix(data, n) if n < len(bars) else data


def replay(
    e: RustEngine,
    data: qb.MarketData,
    strategy: Any,
    options: dict,
    checks: Callable[[int], bool],
    as_dicts: bool = False,
) -> dict:
    """``data`` pushed bar by bar into ``e.live(strategy, **options)``: after each bar where
    ``checks(bars)``, the live result against the batch run on the same prefix (bit for bit:
    ``failures`` names each difference); every event, where the run stands after each bar, the
    saved text at the end and the final result. ``as_dicts`` pushes dicts, not ``Bar``s."""
    batch_options = {k: v for k, v in options.items() if k not in ("symbol", "equity_curve")}
    live = e.live(strategy, **options)
    bars = rows(data)
    events: list = []
    where: list = [where_json(live)]
    failures: list[str] = []
    checked = 0
    for t, bar in enumerate(bars):
        got = live.push(bar._asdict() if as_dicts else bar)
        if any(type(ev) is not qb.Event for ev in got):
            failures.append(f"bar {t}: push gave {got!r}")
        events += [event_json(ev) for ev in got]
        where.append(where_json(live))
        if checks(t + 1):
            checked += 1
            mine = strategy_json(live.result())
            want = strategy_json(
                e.run_backtest(_unfold(data, t + 1, bars), strategy, **batch_options)
            )
            if options.get("equity_curve") is False:
                if mine["equity_curve"] != []:
                    failures.append(f"after {t + 1} bars: a curve kept with equity_curve=False")
                mine["equity_curve"] = want["equity_curve"]
            if mine != want:
                bad = sorted(k for k in want if mine.get(k) != want[k])
                failures.append(f"after {t + 1} bars: {bad}")
    result = live.result()
    return {
        "backend": live.backend,
        "events": events,
        "where": where,
        "checked": checked,
        "failures": failures,
        "state": live.to_json(),
        "result": strategy_json(result),
        "trades_from_events": _trades_from_events(events, result),
    }


def _trades_from_events(events: list, result: qb.BacktestResult) -> bool:
    """Whether the exit events (fills other than entries, and stops) tell the result's trades:
    bar, price, size and reason each."""
    exits = [ev for ev in events if ev[0] == "stop" or (ev[0] == "fill" and ev[7] != "entry")]
    want = [[t.exit_index, _x(t.exit_price), _x(t.size), t.exit_reason] for t in result.trades]
    return [[ev[1], ev[5], ev[6], ev[7]] for ev in exits] == want


def golden_replays(golden: str) -> dict:
    """Every strategies.json case of a strategy (not raw signals), checked after every bar."""
    e = RustEngine()
    out = {}
    for case in load(golden, "strategies.json"):
        request = case["request"]
        if "signals" in request:
            continue
        d = case["data"]
        data = qb.MarketData(symbol=d["symbol"], **{k: d[k] for k in ("dates", *COLUMNS)})
        options = {"params": request.get("params"), **request["settings"]}
        out[case["name"]] = replay(e, data, request["strategy"], options, lambda n: True)
    return out


def _sample_long(golden: str) -> qb.MarketData:
    """sample_data.json's 300-bar series."""
    with open(Path(golden) / "sample_data.json", encoding="utf-8") as f:
        bars = next(x["bars"] for x in json.load(f) if x["args"]["symbol"] == "LONG")
    return qb.MarketData(symbol=bars["symbol"], **{k: bars[k] for k in ("dates", *COLUMNS)})


def _both_sides() -> qs.Strategy:
    return qs.Strategy(
        entry=qs.ema(5).crosses_above(qs.ema(15)),
        exit=qs.ema(5).crosses_below(qs.ema(15)),
        short_entry=qs.ema(5).crosses_below(qs.ema(15)),
        short_exit=qs.ema(5).crosses_above(qs.ema(15)),
        direction="both",
    )


def _swept() -> qs.Strategy:
    fast, slow = qs.param("fast"), qs.param("slow")
    return qs.Strategy(
        entry=qs.sma(fast).crosses_above(qs.sma(slow)),
        exit=qs.sma(fast).crosses_below(qs.sma(slow)),
    )


# The runs on the 300-bar sample: (strategy, options). None holds an integral float (such a
# value takes another way into the wasm engine: see the bridge's LiveRun).
SAMPLE_RUNS: dict[str, tuple[Callable[[], Any], dict]] = {
    "stop": (lambda: qs.sma_cross(5, 20), {"symbol": "LONG", "stop_loss": 0.03}),
    "shorts_next_open": (
        _both_sides,
        {"fill": "next_open", "take_profit": 0.08, "trailing_stop": 0.05, "commission_rate": 0.001},
    ),
    "rsi_close_no_curve": (
        lambda: qs.rsi_reversion(period=7, lower=35, upper=65),
        {"fill": "close", "trailing_stop": 0.05, "equity_curve": False},
    ),
    "params": (_swept, {"params": {"fast": 6, "slow": 20}, "slippage": 0.0005, "size": 0.5}),
}
PREFIXES = {1, 2, 3, 5, 17, 20, 21, 60, 61, 150, 299, 300}


def sample_replays(golden: str) -> dict:
    data = _sample_long(golden)
    e = RustEngine()
    out = {}
    for name, (make, options) in SAMPLE_RUNS.items():
        out[name] = replay(
            e, data, make(), options, PREFIXES.__contains__, as_dicts=name == "params"
        )
    return out


def resumed(golden: str) -> dict:
    """The stop and both-sides runs saved and resumed (``live_from_json``) every 50 bars: the
    texts saved, and whether the resumed run ends where the unstopped one does."""
    data = _sample_long(golden)
    e = RustEngine()
    out = {}
    for name in ("stop", "shorts_next_open", "rsi_close_no_curve"):
        make, options = SAMPLE_RUNS[name]
        straight, run = e.live(make(), **options), e.live(make(), **options)
        texts, failures = [], []
        for t, bar in enumerate(rows(data)):
            straight.push(bar)
            run.push(bar)
            if t % 50 == 25:
                text = run.to_json()
                texts.append(text)
                run = e.live_from_json(text)
                if run.to_json() != text:
                    failures.append(f"bar {t}: the resumed run saves another text")
                if where_json(run) != where_json(straight):
                    failures.append(f"bar {t}: the resumed run stands elsewhere")
                if run.symbol != options.get("symbol"):
                    failures.append(f"bar {t}: symbol {run.symbol!r}")
        if strategy_json(run.result()) != strategy_json(straight.result()):
            failures.append("the resumed run's result differs")
        if run.to_json() != straight.to_json():
            failures.append("the resumed run's final text differs")
        out[name] = {"texts": texts, "final": run.to_json(), "failures": failures}
    return out


# Bad versions of a good bar ``b`` (a dict with the run's symbol) after a bar dated ``last``.
BAD_BARS: dict[str, Callable[[dict, str], Any]] = {
    "date_not_after": lambda b, last: {**b, "date": "2020-01-01"},
    "date_equal": lambda b, last: Bar(last, b["open"], b["high"], b["low"], b["close"], 1.0),
    "close_nan": lambda b, last: Bar(b["date"], b["open"], b["high"], b["low"], float("nan"), 1.0),
    "close_zero": lambda b, last: {**b, "close": 0.0},
    "high_below_low": lambda b, last: {**b, "high": b["low"] / 2},
    "volume_negative": lambda b, last: {**b, "volume": -1.5},
    "open_inf": lambda b, last: {**b, "open": float("inf")},
    "missing_low": lambda b, last: {k: v for k, v in b.items() if k != "low"},
    "missing_date": lambda b, last: {k: v for k, v in b.items() if k != "date"},
    "unknown_field": lambda b, last: {**b, "clsoe": 1.0},
    "open_text": lambda b, last: {**b, "open": "12"},
    "open_bool": lambda b, last: {**b, "open": True},
    "date_number": lambda b, last: {**b, "date": 7},
    "other_symbol": lambda b, last: {**b, "symbol": "MSFT"},
    "array": lambda b, last: [1, 2],
    "date_format": lambda b, last: {**b, "date": "30/01/2020"},
}


def bad_bars() -> dict:
    """Each bad bar after 30 good ones: the refusal (class, message, code), whether the run
    saves the same text after it as before, and that the next good bar is then row 30."""
    data = qb.generate_sample_data("AAPL", days=40, seed=1)
    bars = rows(data)
    e = RustEngine()
    live = e.live(qs.sma_cross(3, 8), symbol="AAPL", stop_loss=0.02)
    live.push_many(bars[:30])
    out = {}
    for name, make in BAD_BARS.items():
        before = live.to_json()
        where = where_json(live)
        bar = {**bars[30]._asdict(), "symbol": "AAPL"}
        refusal = _coded(lambda make=make, bar=bar: live.push(make(bar, bars[29].date)))
        out[name] = {
            **refusal,
            "unchanged": live.to_json() == before and where_json(live) == where,
        }
    live.push(bars[30])
    out["then"] = where_json(live)
    return out


def bad_states() -> dict:
    """Saved states that cannot be loaded, each refused with code ``invalid_state``."""
    e = RustEngine()
    live = e.live(qs.sma_cross(3, 8), stop_loss=0.05)
    live.push_many(rows(qb.generate_sample_data("BS", days=40, seed=1)))
    text = live.to_json()
    saved = json.loads(text)
    saved["state"]["bars"] = 41  # consistent checksum, inconsistent state
    body = {"request": saved["request"], "state": saved["state"]}
    saved["checksum"] = fallback_live.checksum(body)
    rechecked = fallback_live.json_text(saved)
    cases = {
        "not_json": "{",
        "truncated": text[: len(text) // 2],
        "version": text.replace('"version":1', '"version":2'),
        "format": text.replace("quant-backtest/live-state", "x"),
        "checksum": text.replace('"bars":40', '"bars":41'),
        "inconsistent": rechecked,
        "no_state": json.dumps({"format": "quant-backtest/live-state", "version": 1}),
        "not_text": 12,
    }
    out = {name: _coded(lambda t=t: e.live_from_json(t)) for name, t in cases.items()}
    out["still_loads"] = where_json(e.live_from_json(text))
    return out


def bad_requests() -> dict:
    """Requests refused when the run is made (the batch checks), and a result before a bar."""
    e = RustEngine()
    fast = qs.param("fast")
    swept = qs.Strategy(entry=qs.sma(fast) > qs.sma(20), exit=qs.sma(fast) < qs.sma(20))
    cases = {
        "setting_typo": lambda: e.live(qs.sma_cross(3, 8), comission=0.1),
        "equity_curve": lambda: e.live(qs.sma_cross(3, 8), equity_curve=1),
        "symbol": lambda: e.live(qs.sma_cross(3, 8), symbol=5),
        "float_period": lambda: e.live(swept, params={"fast": 5.0}),
        "unknown_param": lambda: e.live(swept, params={"fast": 5, "slw": 2}),
        "missing_param": lambda: e.live(swept),
        "huge_period": lambda: e.live(qs.sma_cross(2**70, 30)),
        "nan_setting": lambda: e.live(qs.sma_cross(3, 8), stop_loss=float("nan")),
        "bad_tree": lambda: e.live({"entry": {}}),
        "result_before_a_bar": lambda: e.live(qs.sma_cross(3, 8)).result(),
    }
    return {name: _coded(call) for name, call in cases.items()}


def engine_module_live() -> dict:
    """What the compiled engine module's ``LiveRun`` gives, made plain: the shapes the native
    door and the wasm bridge must give alike (lists of tuples, tuples, the result's keys)."""
    module = _backend.engine_module()
    tree = qs.sma_cross(3, 8).to_dict()
    raw = module.LiveRun(tree, {"stop_loss": 0.03, "fill": "close"}, None, "RAW", True)
    pushes = []
    for bar in rows(qb.generate_sample_data("RAW", days=60, seed=3)):
        got = raw.push(*bar)
        pushes.append([type(got).__name__, [[type(ev).__name__, *map(_x, ev)] for ev in got]])
    position = raw.position()
    result = raw.result()
    resumed = module.LiveRun.from_json(raw.to_json())
    return {
        "pushes": pushes,
        "position": None if position is None else [type(position).__name__, *map(_x, position)],
        "pending": raw.pending(),
        "numbers": [_x(raw.cash()), _x(raw.equity()), raw.bars(), raw.last_date()],
        "result_keys": list(result),
        "params": result["params"],
        "resumed": [resumed.bars(), resumed.last_date(), resumed.to_json() == raw.to_json()],
    }


def live_scenarios(golden: str) -> dict:
    return {
        "backend": RustEngine().backend,
        "golden": golden_replays(golden),
        "sample": sample_replays(golden),
        "resumed": resumed(golden),
        "bad_bars": bad_bars(),
        "bad_states": bad_states(),
        "bad_requests": bad_requests(),
        "engine_module": engine_module_live(),
    }


async def feed_scenario(golden: str) -> dict:
    """``live.feed`` over an async source (an await between bars): the events per bar, the
    result and the text, which must equal the same bars pushed one by one."""
    data = _sample_long(golden)
    make, options = SAMPLE_RUNS["shorts_next_open"]
    e = RustEngine()

    async def source() -> Any:
        for bar in rows(data):
            await asyncio.sleep(0)
            yield bar._asdict()

    live = e.live(make(), **options)
    per_bar = [[event_json(ev) for ev in events] async for events in live.feed(source())]
    pushed = e.live(make(), **options)
    want = [[event_json(ev) for ev in pushed.push(bar)] for bar in rows(data)]
    return {
        "backend": live.backend,
        "bars": len(per_bar),
        "events": sum(len(x) for x in per_bar),
        "same_as_push": per_bar == want and live.to_json() == pushed.to_json(),
        "result": strategy_json(live.result()),
        "state": live.to_json(),
    }


if __name__ == "__main__":
    golden = sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).parents[1] / "golden")
    json.dump(
        {"scenarios": live_scenarios(golden), "feed": asyncio.run(feed_scenario(golden))},
        sys.stdout,
    )
