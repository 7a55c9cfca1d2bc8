//! The shared golden cases (tests/golden/*.json, also read by pytest and the JS tests) through
//! the Rust core: identical trades and equity, metrics to 1e-9, exact error messages.

use quant_backtest::{
    run_grid, run_grid_metrics, run_sma_backtest, validate_grid, MarketData, RawSettings,
    WorkerPool,
};
use serde_json::Value;

fn load(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str::<Value>(&text)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// A JSON number, or one of the strings "NaN", "inf", "-inf".
fn num(v: &Value) -> f64 {
    match v {
        Value::String(s) => match s.as_str() {
            "NaN" => f64::NAN,
            "inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            other => panic!("not a number: {other}"),
        },
        other => other
            .as_f64()
            .unwrap_or_else(|| panic!("not a number: {other}")),
    }
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

fn market_data(case: &Value) -> Result<MarketData, String> {
    let d = &case["data"];
    let dates = d["dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    MarketData::new(
        d["symbol"].as_str().unwrap_or("GOLD"),
        dates,
        floats(&d["open"]),
        floats(&d["high"]),
        floats(&d["low"]),
        floats(&d["close"]),
        floats(&d["volume"]),
    )
    .map_err(|e| e.to_string())
}

fn settings(p: &Value) -> RawSettings<'_> {
    RawSettings {
        initial_capital: num(&p["initial_capital"]),
        commission_rate: num(&p["commission_rate"]),
        fill: p["fill"].as_str().unwrap(),
        lot_size: num(&p["lot_size"]),
        periods_per_year: num(&p["periods_per_year"]),
    }
}

fn close_enough(actual: f64, expected: f64) -> bool {
    actual == expected || (actual - expected).abs() <= 1e-9 * expected.abs().max(actual.abs())
}

fn check_metric(case: &str, name: &str, actual: Option<f64>, expected: &Value) {
    match (actual, expected.as_f64()) {
        (None, None) => {}
        (Some(a), Some(e)) => assert!(close_enough(a, e), "{case}: {name} {a} != {e}"),
        (a, _) => panic!("{case}: {name} is {a:?}, expected {expected}"),
    }
}

#[test]
fn golden_cases() {
    let cases = load("cases.json");
    assert!(cases.len() >= 9, "the required golden cases are missing");
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let data = market_data(case).unwrap();
        let p = &case["params"];
        let fast = p["fast_period"].as_i64().unwrap() as i128;
        let slow = p["slow_period"].as_i64().unwrap() as i128;
        let result = run_sma_backtest(&data, fast, slow, &settings(p)).unwrap();
        let expected = &case["expected"];

        let trades = expected["trades"].as_array().unwrap();
        assert_eq!(result.trades.len(), trades.len(), "{name}: trade count");
        for (t, e) in result.trades.iter().zip(trades) {
            assert_eq!(
                t.entry_index as u64,
                e["entry_index"].as_u64().unwrap(),
                "{name}"
            );
            assert_eq!(
                t.exit_index as u64,
                e["exit_index"].as_u64().unwrap(),
                "{name}"
            );
            assert_eq!(
                t.bars_held as u64,
                e["bars_held"].as_u64().unwrap(),
                "{name}"
            );
            assert_eq!(t.entry_date, e["entry_date"].as_str().unwrap(), "{name}");
            assert_eq!(t.exit_date, e["exit_date"].as_str().unwrap(), "{name}");
            // Trades follow the spec's formulas: equal to the bit.
            assert_eq!(t.entry_price, num(&e["entry_price"]), "{name}: entry_price");
            assert_eq!(t.exit_price, num(&e["exit_price"]), "{name}: exit_price");
            assert_eq!(t.size, num(&e["size"]), "{name}: size");
            assert_eq!(t.pnl, num(&e["pnl"]), "{name}: pnl");
            assert_eq!(t.return_pct, num(&e["return_pct"]), "{name}: return_pct");
        }
        assert_eq!(
            result.equity_curve,
            floats(&expected["equity_curve"]),
            "{name}: equity"
        );

        let m = &result.metrics;
        let em = &expected["metrics"];
        check_metric(
            name,
            "total_return",
            Some(m.total_return),
            &em["total_return"],
        );
        check_metric(
            name,
            "annualized_return",
            Some(m.annualized_return),
            &em["annualized_return"],
        );
        check_metric(name, "volatility", Some(m.volatility), &em["volatility"]);
        check_metric(name, "sharpe_ratio", m.sharpe_ratio, &em["sharpe_ratio"]);
        check_metric(name, "sortino_ratio", m.sortino_ratio, &em["sortino_ratio"]);
        check_metric(
            name,
            "max_drawdown",
            Some(m.max_drawdown),
            &em["max_drawdown"],
        );
        check_metric(name, "win_rate", Some(m.win_rate), &em["win_rate"]);
        assert_eq!(
            m.trade_count as u64,
            em["trade_count"].as_u64().unwrap(),
            "{name}"
        );

        // A one-pair grid gives the same answer as the single run, with and without details.
        let plan = validate_grid(data.len(), &[fast], &[slow], &settings(p), None).unwrap();
        let pool = WorkerPool::serial();
        assert_eq!(
            run_grid_metrics(&data, &plan, &pool)[0].metrics,
            result.metrics,
            "{name}"
        );
        let full = &run_grid(&data, &plan, &pool)[0];
        assert_eq!(
            (&full.trades, &full.equity_curve),
            (&result.trades, &result.equity_curve)
        );
    }
}

#[test]
fn golden_errors() {
    let cases = load("errors.json");
    assert!(cases.len() >= 30, "the bad-input cases are missing");
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let want = case["error"].as_str().unwrap();
        let got = match case["call"].as_str().unwrap() {
            "market_data" => market_data(case).err(),
            "backtest" => {
                let data = market_data(case).unwrap();
                let p = &case["params"];
                run_sma_backtest(
                    &data,
                    p["fast_period"].as_i64().unwrap() as i128,
                    p["slow_period"].as_i64().unwrap() as i128,
                    &settings(p),
                )
                .err()
                .map(|e| e.to_string())
            }
            "grid" => {
                let data = market_data(case).unwrap();
                let p = &case["params"];
                let ints = |v: &Value| -> Vec<i128> {
                    v.as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_i64().unwrap() as i128)
                        .collect()
                };
                validate_grid(
                    data.len(),
                    &ints(&p["fast_periods"]),
                    &ints(&p["slow_periods"]),
                    &settings(p),
                    p["max_workers"].as_i64().map(i128::from),
                )
                .err()
                .map(|e| e.to_string())
            }
            other => panic!("{name}: unknown call {other}"),
        };
        assert_eq!(got.as_deref(), Some(want), "{name}");
    }
}

#[test]
fn grid_equals_single_runs_and_thread_counts_agree() {
    let data = quant_backtest::generate_sample_data("GRID", 3_000, 100.0, 11).unwrap();
    let settings = RawSettings::default();
    let fast: Vec<i128> = (2..12).collect();
    let slow: Vec<i128> = (8..60).step_by(7).collect();
    let plan = validate_grid(data.len(), &fast, &slow, &settings, None).unwrap();
    let serial = run_grid_metrics(&data, &plan, &WorkerPool::serial());
    let parallel = run_grid_metrics(&data, &plan, &WorkerPool::new(Some(3)));
    let strip = |rows: &[quant_backtest::GridRow]| {
        rows.iter()
            .map(|r| (r.fast_period, r.slow_period, r.metrics))
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&serial), strip(&parallel));
    assert_eq!(serial.len(), plan.pairs.len());
    for row in &serial {
        let single = run_sma_backtest(
            &data,
            row.fast_period as i128,
            row.slow_period as i128,
            &settings,
        )
        .unwrap();
        assert_eq!(single.metrics, row.metrics);
    }
}

#[test]
fn sample_data_matches_the_reference_bit_for_bit() {
    let cases = load("sample_data.json");
    assert!(!cases.is_empty());
    for case in &cases {
        let a = &case["args"];
        let seed: u64 = a["seed"].as_str().unwrap().parse().unwrap();
        let data = quant_backtest::generate_sample_data(
            a["symbol"].as_str().unwrap(),
            a["days"].as_i64().unwrap(),
            num(&a["start_price"]),
            seed,
        )
        .unwrap();
        let b = &case["bars"];
        let dates: Vec<&str> = b["dates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap())
            .collect();
        assert_eq!(data.dates(), dates);
        for (name, column) in [
            ("open", data.open()),
            ("high", data.high()),
            ("low", data.low()),
            ("close", data.close()),
            ("volume", data.volume()),
        ] {
            let expected = floats(&b[name]);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(column), bits(&expected), "seed {seed}: {name}");
        }
    }
}
