"""The strategy engine's golden files (tests/golden/strategies.json, strategy_errors.json; made by
tests/golden/make_strategies.py, independently of the engine) on both backends: every request
gives the expected trades, equity curve and the 16 metrics; every bad request is refused with
exactly the expected message and code; and the two backends agree bit for bit."""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from conftest import market_data_from
from quant_backtest import BacktestError, RustEngine

GOLDEN_DIR = Path(__file__).resolve().parent.parent / "golden"
REL = 1e-9
TRADE_EXACT = (
    "entry_index",
    "exit_index",
    "entry_date",
    "exit_date",
    "bars_held",
    "direction",
    "exit_reason",
)
TRADE_FLOATS = ("entry_price", "exit_price", "size", "pnl", "return_pct")
INTEGER_METRICS = ("trade_count", "max_drawdown_duration")
CODES = {"invalid_parameter", "invalid_strategy", "invalid_grid", "invalid_signals"}


@cache
def _load(name: str) -> tuple:
    with open(GOLDEN_DIR / name, encoding="utf-8") as f:
        raw = json.load(f)
    assert isinstance(raw, list) and raw, f"{name} holds no case"
    return tuple(json.dumps(c) for c in raw)  # a fresh copy per test (no shared state)


def load(name: str) -> list[dict]:
    return [json.loads(c) for c in _load(name)]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "strategy_case" in metafunc.fixturenames:
        cases = load("strategies.json")
        metafunc.parametrize("strategy_case", cases, ids=[c["name"] for c in cases])
    if "strategy_error" in metafunc.fixturenames:
        errors = load("strategy_errors.json")
        metafunc.parametrize("strategy_error", errors, ids=[c["name"] for c in errors])


def close_enough(got: Any, want: Any) -> bool:
    if want is None or got is None:
        return got is None and want is None
    return math.isclose(got, want, rel_tol=REL, abs_tol=1e-12)


def run_request(engine: RustEngine, data: Any, request: dict) -> Any:
    settings = request.get("settings") or {}
    if "signals" in request:
        s = request["signals"]
        return engine.run_signals(
            data,
            s["entries"],
            s["exits"],
            short_entries=s.get("short_entries"),
            short_exits=s.get("short_exits"),
            **settings,
        )
    return engine.run_backtest(data, request["strategy"], params=request.get("params"), **settings)


def assert_matches_expected(result: Any, expected: dict) -> None:
    want_trades = expected["trades"]
    assert len(result.trades) == len(want_trades), [tuple(t) for t in result.trades]
    for i, (got, want) in enumerate(zip(result.trades, want_trades)):
        for name in TRADE_EXACT:
            assert getattr(got, name) == want[name], f"trade {i} {name}"
        for name in TRADE_FLOATS:
            g = getattr(got, name)
            assert close_enough(g, want[name]), f"trade {i} {name}: {g!r} != {want[name]!r}"

    want_equity = expected["equity_curve"]
    assert len(result.equity_curve) == len(want_equity)
    for t, (got, want) in enumerate(zip(result.equity_curve, want_equity)):
        assert close_enough(float(got), want), f"equity[{t}]: {got!r} != {want!r}"

    for name, want in expected["metrics"].items():
        got = getattr(result, name)
        if name in INTEGER_METRICS:
            assert isinstance(got, int) and not isinstance(got, bool), f"{name}: {got!r}"
            assert got == want, f"{name}: {got!r} != {want!r}"
        else:
            assert close_enough(got, want), f"{name}: {got!r} != {want!r}"


def test_files_cover_the_required_cases() -> None:
    cases = load("strategies.json")
    names = {c["name"] for c in cases}
    seed = {c["name"] for c in load("cases.json")}
    assert {"sma_cross_" + n for n in seed} <= names
    for required in (
        "short_only",
        "both_reversals_next_open",
        "both_reversals_close",
        "stop_loss_intrabar",
        "stop_loss_gap_open",
        "take_profit_intrabar",
        "take_profit_gap_open",
        "stop_loss_and_take_profit_same_bar",
        "trailing_stop",
        "stop_on_entry_bar",
        "stop_bar_skips_signals",
        "same_bar_entry_and_exit",
        "fixed_fee",
        "slippage",
        "size_percent_half",
        "size_value",
        "size_amount",
        "lot_size_short",
        "metrics_known_values",
        "preset_rsi_reversion",
        "preset_macd_cross",
        "preset_bollinger_reversion",
        "preset_donchian_breakout",
        "placeholders_and_params",
        "raw_signals_both",
    ):
        assert required in names, required
    reasons = {t["exit_reason"] for c in cases for t in c["expected"]["trades"]}
    assert reasons == {"signal", "reverse", "stop_loss", "take_profit", "trailing_stop"}
    errors = load("strategy_errors.json")
    assert {e["call"] for e in errors} == {"backtest", "signals", "sweep"}
    assert {e["code"] for e in errors} == CODES


def test_strategy_case(engine: RustEngine, strategy_case: dict) -> None:
    data = market_data_from(strategy_case["data"])
    result = run_request(engine, data, strategy_case["request"])
    assert result.backend == engine.backend
    assert_matches_expected(result, strategy_case["expected"])


def test_strategy_error(engine: RustEngine, strategy_error: dict) -> None:
    case = strategy_error
    data = market_data_from(case["data"])
    request = case["request"]
    call = case["call"]
    with pytest.raises(BacktestError) as info:
        if call in ("backtest", "signals"):
            run_request(engine, data, request)
        elif call == "sweep":
            engine.sweep(
                data,
                request["strategy"],
                request["params"],
                constraint=request.get("constraint"),
                **(request.get("settings") or {}),
            )
        else:  # pragma: no cover - a new kind of case needs a new branch here
            pytest.fail(f"unknown call {call!r} in strategy_errors.json")
    assert str(info.value) == case["error"]
    assert info.value.code == case["code"]
    assert isinstance(info.value, ValueError)


def _bits(value: Any) -> Any:
    """An exact, comparable form: floats by their hex (so -0.0 != 0.0 and NaN == NaN)."""
    if isinstance(value, float):
        return value.hex()
    return value


def test_backends_are_bit_identical_on_strategy_case(
    both_engines: tuple[RustEngine, RustEngine], strategy_case: dict
) -> None:
    rust, python = both_engines
    request = strategy_case["request"]
    a = run_request(rust, market_data_from(strategy_case["data"]), request)
    b = run_request(python, market_data_from(strategy_case["data"]), request)
    assert (a.backend, b.backend) == ("rust", "python")
    assert [tuple(map(_bits, t)) for t in a.trades] == [tuple(map(_bits, t)) for t in b.trades]
    assert [float(x).hex() for x in a.equity_curve] == [float(x).hex() for x in b.equity_curve]
    for name in strategy_case["expected"]["metrics"]:
        assert _bits(getattr(a, name)) == _bits(getattr(b, name)), name
