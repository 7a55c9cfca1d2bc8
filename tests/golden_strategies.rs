//! The strategy engine's golden cases (tests/golden/strategies.json and strategy_errors.json,
//! made by tests/golden/make_strategies.py independently of the engine; pytest reads them too)
//! through the core's wire API: identical trades, equity and metrics to 1e-9, exact messages
//! and codes.

use quant_backtest::api::{self, RawSignals, Value as Wire};
use quant_backtest::pool::WorkerPool;
use quant_backtest::strategy::SeriesTable;
use quant_backtest::METRICS;
use serde_json::Value;

mod common;

use common::{floats, load, market_data, wire};

fn bools(v: &Value) -> Option<Vec<bool>> {
    v.as_array()
        .map(|items| items.iter().map(|b| b.as_bool().unwrap()).collect())
}

fn signals(v: &Value) -> RawSignals {
    RawSignals {
        entries: bools(&v["entries"]),
        exits: bools(&v["exits"]),
        short_entries: bools(&v["short_entries"]),
        short_exits: bools(&v["short_exits"]),
    }
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) || (a - b).abs() <= 1e-12
}

fn run(case: &Value) -> quant_backtest::Result<api::BacktestOutput> {
    let data = market_data(case);
    let r = &case["request"];
    let settings = wire(&r["settings"]);
    if r.get("signals").is_some() {
        api::run_signals(&data, &signals(&r["signals"]), &settings)
    } else {
        let params = r.get("params").map_or(Wire::Null, wire);
        api::run_backtest(&data, &wire(&r["strategy"]), &settings, &params)
    }
}

#[test]
fn strategy_cases() {
    let cases = load("strategies.json");
    assert!(cases.len() >= 40, "the golden file lost its cases");
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let out = run(case).unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = &case["expected"];
        let trades = want["trades"].as_array().unwrap();
        assert_eq!(out.trades.len(), trades.len(), "{name}: trade count");
        for (got, want) in out.trades.iter().zip(trades) {
            let got = serde_json::to_value(got).unwrap();
            for key in [
                "entry_index",
                "exit_index",
                "entry_date",
                "exit_date",
                "bars_held",
                "direction",
                "exit_reason",
            ] {
                assert_eq!(got[key], want[key], "{name}: {key}");
            }
            for key in ["entry_price", "exit_price", "size", "pnl", "return_pct"] {
                let (g, w) = (got[key].as_f64().unwrap(), want[key].as_f64().unwrap());
                assert!(close(g, w), "{name}: {key} {g} != {w}");
            }
        }
        let equity = floats(&want["equity_curve"]);
        assert_eq!(
            out.equity_curve.len(),
            equity.len(),
            "{name}: equity length"
        );
        for (t, (&g, &w)) in out.equity_curve.iter().zip(&equity).enumerate() {
            assert!(close(g, w), "{name}: equity[{t}] {g} != {w}");
        }
        let metrics = serde_json::to_value(out.metrics).unwrap();
        for def in METRICS {
            let (g, w) = (&metrics[def.name], &want["metrics"][def.name]);
            match (g.as_f64(), w.as_f64()) {
                (Some(g), Some(w)) => assert!(close(g, w), "{name}: {} {g} != {w}", def.name),
                _ => assert_eq!(g, w, "{name}: {}", def.name),
            }
        }
    }
}

#[test]
fn strategy_errors() {
    let cases = load("strategy_errors.json");
    let mut checked = 0;
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let r = &case["request"];
        let got = match case["call"].as_str().unwrap() {
            "signals" => {
                // Non-boolean items are refused by the doors, which build the core's `bool`
                // arrays (python/quant_backtest/_fallback/api.py); the core checks the rest.
                let items = ["entries", "exits", "short_entries", "short_exits"];
                let typed = items.iter().all(|k| {
                    r["signals"][k]
                        .as_array()
                        .is_none_or(|a| a.iter().all(Value::is_boolean))
                });
                if !typed {
                    assert!(
                        case["error"]
                            .as_str()
                            .unwrap()
                            .contains("must be a boolean"),
                        "{name}"
                    );
                    continue;
                }
                run(case).map(|_| ())
            }
            "backtest" => run(case).map(|_| ()),
            _ => {
                let constraint = r.get("constraint").map_or(Wire::Null, wire);
                api::plan(
                    &wire(&r["strategy"]),
                    &wire(&r["settings"]),
                    &wire(&r["params"]),
                    &constraint,
                    None,
                )
                .map(|plan| {
                    api::run_sweep(
                        &market_data(case),
                        &plan,
                        &WorkerPool::serial(),
                        &mut SeriesTable::new(),
                    );
                })
            }
        };
        let error = got.expect_err(name);
        assert_eq!(error.to_string(), case["error"].as_str().unwrap(), "{name}");
        assert_eq!(error.code(), case["code"].as_str().unwrap(), "{name}");
        checked += 1;
    }
    assert!(checked >= 100, "only {checked} error cases checked");
}
