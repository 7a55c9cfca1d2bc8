//! The walk-forward golden cases (tests/golden/walks.json and walk_errors.json, made by
//! tests/golden/make_walks.py, and on a universe portfolio_walks.json and
//! portfolio_walk_errors.json, made by make_portfolio_walks.py; independently of the engine;
//! pytest and the JS tests read them too) through the core's wire API: the same windows, chosen params, trades and equity to the
//! bit, metrics to 1e-9, the exact messages and codes.

use quant_backtest::api;
use quant_backtest::pool::WorkerPool;
use quant_backtest::strategy::SeriesTable;
use quant_backtest::METRICS;
use serde_json::Value;

mod common;

use common::{floats, load, market_data, universe, wire};

/// The metrics' rule of tests/golden/README.md: numpy wrote them, so a few ulps may differ.
fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) || (a - b).abs() <= 1e-12
}

/// A case's walk-forward, its output as JSON: on its `data`, or on its `universe`.
fn walk(case: &Value) -> quant_backtest::Result<Value> {
    let r = &case["request"];
    let request = [
        &r["strategy"],
        &r["settings"],
        &r["params"],
        &r["constraint"],
    ]
    .map(wire);
    let [strategy, settings, params, constraint] = &request;
    let (options, pool) = (wire(&r["options"]), WorkerPool::new(Some(2)));
    let out = if case.get("universe").is_some() {
        let u = universe(case)?;
        let plan =
            api::plan_portfolio_walk(&u, strategy, settings, params, constraint, None, &options)?;
        serde_json::to_value(api::run_portfolio_walk_forward(
            &u,
            &plan,
            &pool,
            &mut Vec::new(),
        )?)
    } else {
        let plan = api::plan_walk(strategy, settings, params, constraint, None, &options)?;
        serde_json::to_value(api::run_walk_forward(
            &market_data(case),
            &plan,
            &pool,
            &mut SeriesTable::new(),
        )?)
    };
    Ok(out.unwrap())
}

/// A float exactly (`what` names it when it differs).
fn assert_bits(got: &Value, want: &Value, what: &str) {
    let (g, w) = (got.as_f64().unwrap(), want.as_f64().unwrap());
    assert!(g == w, "{what}: {g:?} != {w:?}");
}

fn assert_floats_exact(got: &Value, want: &Value, what: &str) {
    let (g, w) = (floats(got), floats(want));
    assert_eq!(g.len(), w.len(), "{what}: length");
    for (t, (g, w)) in g.iter().zip(&w).enumerate() {
        assert!(g == w, "{what}[{t}]: {g:?} != {w:?}");
    }
}

fn assert_metrics(got: &Value, want: &Value, what: &str) {
    let keys: Vec<&String> = want.as_object().unwrap().keys().collect();
    let names: Vec<&str> = METRICS.iter().map(|m| m.name).collect();
    assert_eq!(keys, names, "{what}: the metric names");
    for name in names {
        let (g, w) = (&got[name], &want[name]);
        match (g.as_f64(), w.as_f64()) {
            (Some(g), Some(w)) => {
                assert!(close(g, w), "{what}.{name}: {g} != {w}");
                if want[name].is_u64() {
                    assert_eq!(got[name].as_u64(), want[name].as_u64(), "{what}.{name}");
                }
            }
            _ => assert_eq!(g, w, "{what}.{name}"),
        }
    }
}

/// Every key of a trade exactly (indices, dates, direction, reason; the money to the bit).
fn assert_trades(got: &Value, want: &Value, what: &str) {
    let (g, w) = (got.as_array().unwrap(), want.as_array().unwrap());
    assert_eq!(g.len(), w.len(), "{what}: trade count");
    for (i, (g, w)) in g.iter().zip(w).enumerate() {
        let keys: Vec<&String> = w.as_object().unwrap().keys().collect();
        assert_eq!(
            g.as_object().unwrap().keys().collect::<Vec<_>>(),
            keys,
            "{what}[{i}]: keys"
        );
        for key in keys {
            if w[key].is_f64() {
                assert_bits(&g[key], &w[key], &format!("{what}[{i}].{key}"));
            } else {
                assert_eq!(g[key], w[key], "{what}[{i}].{key}");
            }
        }
    }
}

/// Params as the engine writes them: each value an integer or a float, as the request gave it.
fn assert_params(got: &Value, want: &Value, what: &str) {
    let (g, w) = (got.as_object().unwrap(), want.as_object().unwrap());
    assert_eq!(
        g.keys().collect::<Vec<_>>(),
        w.keys().collect::<Vec<_>>(),
        "{what}"
    );
    for (k, v) in w {
        assert_eq!(g[k].is_i64(), v.is_i64(), "{what}.{k}: integer or float");
        assert_bits(&g[k], v, &format!("{what}.{k}"));
    }
}

#[test]
fn walk_cases() {
    let (one, universe) = (load("walks.json"), load("portfolio_walks.json"));
    assert!(
        one.len() >= 6 && universe.len() >= 4,
        "a golden file lost its cases"
    );
    for case in one.iter().chain(&universe) {
        let name = case["name"].as_str().unwrap();
        let mut got = walk(case).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(got["execution_time_ms"].as_f64().unwrap() >= 0.0);
        got.as_object_mut().unwrap().remove("execution_time_ms");
        let want = &case["expected"];
        assert_eq!(
            got.as_object().unwrap().keys().collect::<Vec<_>>(),
            want.as_object().unwrap().keys().collect::<Vec<_>>(),
            "{name}: the result's keys"
        );
        for key in [
            "names",
            "combinations",
            "train",
            "test",
            "step",
            "anchored",
            "maximize",
        ] {
            assert_eq!(got[key], want[key], "{name}: {key}");
        }
        let (gw, ww) = (
            got["windows"].as_array().unwrap(),
            want["windows"].as_array().unwrap(),
        );
        assert_eq!(gw.len(), ww.len(), "{name}: window count");
        for (k, (g, w)) in gw.iter().zip(ww).enumerate() {
            let what = format!("{name} window {k}");
            assert_eq!(
                g.as_object().unwrap().keys().collect::<Vec<_>>(),
                w.as_object().unwrap().keys().collect::<Vec<_>>(),
                "{what}: keys"
            );
            for key in [
                "window",
                "train_start_index",
                "train_end_index",
                "test_start_index",
                "test_end_index",
                "train_start",
                "train_end",
                "test_start",
                "test_end",
            ] {
                assert_eq!(g[key], w[key], "{what}: {key}");
            }
            assert_params(&g["params"], &w["params"], &format!("{what}: params"));
            assert_bits(
                &g["start_equity"],
                &w["start_equity"],
                &format!("{what}: start"),
            );
            assert_bits(&g["end_equity"], &w["end_equity"], &format!("{what}: end"));
            assert_floats_exact(
                &g["in_sample_equity"],
                &w["in_sample_equity"],
                &format!("{what}: in_sample_equity"),
            );
            assert_metrics(&g["in_sample"], &w["in_sample"], &format!("{what}: in"));
            assert_metrics(
                &g["out_of_sample"],
                &w["out_of_sample"],
                &format!("{what}: out"),
            );
        }
        assert_floats_exact(
            &got["equity_curve"],
            &want["equity_curve"],
            &format!("{name}: equity"),
        );
        assert_eq!(
            got["equity_index"], want["equity_index"],
            "{name}: equity_index"
        );
        assert_trades(&got["trades"], &want["trades"], &format!("{name}: trades"));
        assert_metrics(
            &got["metrics"],
            &want["metrics"],
            &format!("{name}: stitched"),
        );
    }
}

#[test]
fn walk_errors() {
    let (one, universe) = (load("walk_errors.json"), load("portfolio_walk_errors.json"));
    assert!(
        one.len() >= 20 && universe.len() >= 6,
        "a golden file lost its cases"
    );
    for case in one.iter().chain(&universe) {
        let name = case["name"].as_str().unwrap();
        let error = walk(case).map(|_| ()).expect_err(name);
        let want = &case["error"];
        assert_eq!(
            error.to_string(),
            want["message"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(error.code(), want["code"].as_str().unwrap(), "{name}");
    }
}
