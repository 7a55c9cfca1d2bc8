//! The portfolio golden cases (tests/golden/portfolios.json and portfolio_errors.json, made by
//! tests/golden/make_portfolios.py independently of the engine; pytest and the JS tests read
//! them too) through the core's wire API: the same trades, curves, per-asset rows and metrics
//! to 1e-9, the exact messages and codes.

use quant_backtest::api::{self, Value as Wire};
use quant_backtest::METRICS;
use serde_json::Value;

mod common;

use common::{load, universe, wire};

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) || (a - b).abs() <= 1e-12
}

fn assert_json_close(got: &Value, want: &Value, what: &str) {
    match (got, want) {
        (Value::Number(g), Value::Number(w)) => {
            assert!(
                close(g.as_f64().unwrap(), w.as_f64().unwrap()),
                "{what}: {g} != {w}"
            )
        }
        (Value::Object(g), Value::Object(w)) => {
            assert_eq!(
                g.keys().collect::<Vec<_>>(),
                w.keys().collect::<Vec<_>>(),
                "{what}"
            );
            for (k, v) in w {
                assert_json_close(&g[k], v, &format!("{what}.{k}"));
            }
        }
        (Value::Array(g), Value::Array(w)) => {
            assert_eq!(g.len(), w.len(), "{what}");
            for (i, (a, b)) in g.iter().zip(w).enumerate() {
                assert_json_close(a, b, &format!("{what}[{i}]"));
            }
        }
        _ => assert_eq!(got, want, "{what}"),
    }
}

#[test]
fn golden_portfolios() {
    let cases = load("portfolios.json");
    assert!(!cases.is_empty());
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let u = universe(case).unwrap();
        let r = &case["request"];
        let out = api::run_portfolio(
            &u,
            &wire(&r["strategy"]),
            &wire(&r["settings"]),
            &Wire::Null,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let got = serde_json::to_value(&out).unwrap();
        let want = &case["expected"];
        for key in [
            "dates",
            "trades",
            "equity_curve",
            "cash",
            "position_values",
            "assets",
        ] {
            assert_json_close(&got[key], &want[key], &format!("{name}.{key}"));
        }
        for def in METRICS {
            let (g, w) = (&got["metrics"][def.name], &want["metrics"][def.name]);
            assert_json_close(g, w, &format!("{name}.metrics.{}", def.name));
        }
    }
}

#[test]
fn golden_portfolio_errors() {
    for case in load("portfolio_errors.json") {
        let name = case["name"].as_str().unwrap();
        let r = &case["request"];
        let e = universe(&case)
            .and_then(|u| {
                api::run_portfolio(
                    &u,
                    &wire(&r["strategy"]),
                    &wire(&r["settings"]),
                    &Wire::Null,
                )
            })
            .err()
            .unwrap_or_else(|| panic!("{name}: accepted"));
        assert_eq!(e.to_string(), case["error"].as_str().unwrap(), "{name}");
        assert_eq!(e.code(), case["code"].as_str().unwrap(), "{name}");
    }
}
