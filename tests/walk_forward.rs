//! Walk-forward against a reference built from other parts of the engine: for each window,
//! each combination's signals are computed on the bars up to the window's end only (a table
//! filled on that prefix), cut to the window, and run by `run_signals` on the window's bars;
//! the best on the train bars (NaN never wins, ties to the first) then runs on the test bars
//! from the equity the previous test ended with. Bit for bit, on several strategies, settings
//! and window layouts; and the errors.

use quant_backtest::api::{self, RawSignals, Value as Wire, WalkForwardOutput};
use quant_backtest::execution::run::SignalWords;
use quant_backtest::metrics::{compute, METRICS};
use quant_backtest::strategy::tree::Bindings;
use quant_backtest::strategy::SeriesTable;
use quant_backtest::{generate_sample_data, MarketData, WorkerPool};
use serde_json::{json, Value};

fn wire(v: Value) -> Wire {
    serde_json::from_value(v).unwrap()
}

fn part(data: &MarketData, range: std::ops::Range<usize>) -> MarketData {
    MarketData::new(
        data.symbol(),
        data.dates()[range.clone()].to_vec(),
        data.open()[range.clone()].to_vec(),
        data.high()[range.clone()].to_vec(),
        data.low()[range.clone()].to_vec(),
        data.close()[range.clone()].to_vec(),
        data.volume()[range].to_vec(),
    )
    .unwrap()
}

/// The four raw signal series of combination `i` on `data` (every bar of it).
fn raw_signals(
    data: &MarketData,
    plan: &quant_backtest::sweep::SweepPlan,
    i: usize,
) -> [Vec<bool>; 4] {
    let values = plan.combination(i);
    let b = Bindings::new(&plan.names, &values);
    let mut table = SeriesTable::new();
    table.fill(data, &plan.strategy, &b);
    let mut words = table.words(data, &plan.strategy, &b);
    let mut out: [Vec<bool>; 4] = Default::default();
    for w in 0..data.len().div_ceil(64) {
        let word = words.next_words();
        for (side, bits) in out.iter_mut().zip(word) {
            for k in 0..64.min(data.len() - w * 64) {
                side.push((bits >> k) & 1 == 1);
            }
        }
    }
    out
}

/// The run of combination `i` over bars `range`, its signals made on the bars before
/// `range.end` only.
fn reference_run(
    data: &MarketData,
    plan: &quant_backtest::sweep::SweepPlan,
    i: usize,
    range: std::ops::Range<usize>,
    settings: &Value,
    direction: &str,
) -> api::BacktestOutput {
    let signals = raw_signals(&part(data, 0..range.end), plan, i);
    let cut = |k: usize| Some(signals[k][range.clone()].to_vec());
    let long = direction != "short_only";
    let short = direction != "long_only";
    let raw = RawSignals {
        entries: if long { cut(0) } else { None },
        exits: if long { cut(1) } else { None },
        short_entries: if short { cut(2) } else { None },
        short_exits: if short { cut(3) } else { None },
    };
    api::run_signals(&part(data, range), &raw, &wire(settings.clone())).unwrap()
}

fn best(scores: &[f64]) -> usize {
    let mut b = 0;
    for (i, &x) in scores.iter().enumerate() {
        if !x.is_nan() && (scores[b].is_nan() || x > scores[b]) {
            b = i;
        }
    }
    b
}

struct Case {
    strategy: Value,
    params: Value,
    settings: Value,
    options: Value,
    bars: usize,
    seed: u64,
}

fn walk(case: &Case) -> (MarketData, WalkForwardOutput, api::WalkPlan) {
    let data = generate_sample_data("WF", case.bars as i128, 100.0, case.seed).unwrap();
    let plan = api::plan_walk(
        &wire(case.strategy.clone()),
        &wire(case.settings.clone()),
        &wire(case.params.clone()),
        &Wire::Null,
        None,
        &wire(case.options.clone()),
    )
    .unwrap();
    let out = api::run_walk_forward(
        &data,
        &plan,
        &WorkerPool::new(Some(2)),
        &mut SeriesTable::new(),
    )
    .unwrap();
    (data, out, plan)
}

fn check(case: Case) {
    let (data, out, plan) = walk(&case);
    let sweep = &plan.sweep;
    let maximize = METRICS.iter().position(|m| m.name == out.maximize).unwrap();
    let direction = case
        .settings
        .get("direction")
        .and_then(Value::as_str)
        .unwrap_or("long_only");
    let mut capital = case
        .settings
        .get("initial_capital")
        .and_then(Value::as_f64)
        .unwrap_or(100_000.0);
    let mut stitched = Vec::new();
    let mut trades = 0;
    let mut wins = 0;
    assert!(out.windows.len() >= 2, "a walk of several windows");
    for w in &out.windows {
        let train = w.train_start_index..w.train_end_index + 1;
        let test = w.test_start_index..w.test_end_index + 1;
        assert_eq!(test.start, train.end);
        assert_eq!(test.len(), out.test);
        let runs: Vec<_> = (0..sweep.len())
            .map(|i| reference_run(&data, sweep, i, train.clone(), &case.settings, direction))
            .collect();
        let scores: Vec<f64> = runs
            .iter()
            .map(|r| r.metrics.values()[maximize].as_f64())
            .collect();
        let b = best(&scores);
        let chosen: Vec<(String, Wire)> = sweep
            .names
            .iter()
            .cloned()
            .zip(sweep.combination(b))
            .collect();
        assert_eq!(
            w.params, chosen,
            "window {}: the best combination",
            w.window
        );
        assert_eq!(
            w.in_sample, runs[b].metrics,
            "window {}: in sample",
            w.window
        );
        assert_eq!(
            w.in_sample_equity, runs[b].equity_curve,
            "window {}",
            w.window
        );
        let mut settings = case.settings.clone();
        settings["initial_capital"] = json!(capital);
        let t = reference_run(&data, sweep, b, test.clone(), &settings, direction);
        assert_eq!(w.start_equity, capital);
        assert_eq!(
            w.out_of_sample, t.metrics,
            "window {}: out of sample",
            w.window
        );
        assert_eq!(w.train_start, data.dates()[train.start]);
        assert_eq!(w.test_end, data.dates()[test.end - 1]);
        capital = *t.equity_curve.last().unwrap();
        assert_eq!(w.end_equity, capital);
        stitched.extend_from_slice(&t.equity_curve);
        trades += t.trades.len();
        wins += t.trades.iter().filter(|t| t.pnl > 0.0).count();
        for (mine, theirs) in out
            .trades
            .iter()
            .filter(|x| test.contains(&x.entry_index))
            .zip(&t.trades)
        {
            assert_eq!(mine.entry_index, theirs.entry_index + test.start);
            assert_eq!(mine.exit_date, theirs.exit_date);
            assert_eq!(mine.pnl, theirs.pnl);
        }
    }
    assert!(trades > 0, "the test runs trade");
    assert_eq!(out.equity_curve, stitched);
    assert_eq!(out.equity_index.len(), stitched.len());
    assert_eq!(out.trades.len(), trades);
    // The stitched metrics are those of one curve made of the test runs' equity.
    let initial = case
        .settings
        .get("initial_capital")
        .and_then(Value::as_f64)
        .unwrap_or(100_000.0);
    let ppy = case
        .settings
        .get("periods_per_year")
        .and_then(Value::as_f64)
        .unwrap_or(252.0);
    let m = compute(&stitched, initial, ppy, trades, wins);
    let o = &out.metrics;
    assert_eq!(o.total_return, m.total_return);
    assert_eq!(o.annualized_return, m.annualized_return);
    assert_eq!(o.volatility, m.volatility);
    assert_eq!(o.sharpe_ratio, m.sharpe_ratio);
    assert_eq!(o.sortino_ratio, m.sortino_ratio);
    assert_eq!(o.max_drawdown, m.max_drawdown);
    assert_eq!(o.max_drawdown_duration, m.max_drawdown_duration);
    assert_eq!(o.win_rate, m.win_rate);
    assert_eq!(o.trade_count, trades);
    let first = out.windows[0].test_start_index;
    let last = out.windows.last().unwrap().test_end_index;
    assert_eq!(
        o.buy_and_hold_return,
        data.close()[last] / data.close()[first] - 1.0
    );
}

fn sma_cross() -> Value {
    json!({
        "entry": {"crosses_above": [{"indicator": "sma", "period": {"param": "fast"}}, {"indicator": "sma", "period": {"param": "slow"}}]},
        "exit": {"crosses_below": [{"indicator": "sma", "period": {"param": "fast"}}, {"indicator": "sma", "period": {"param": "slow"}}]},
    })
}

#[test]
fn rolling_sma_cross_next_open() {
    check(Case {
        strategy: sma_cross(),
        params: json!({"fast": [3, 5, 8, 13], "slow": [20, 30, 45]}),
        settings: json!({"commission_rate": 0.001}),
        options: json!({"train": 250, "test": 60}),
        bars: 700,
        seed: 3,
    });
}

#[test]
fn anchored_with_gaps_both_sides_stops_close_fill() {
    let mut s = sma_cross();
    s["short_entry"] = s["exit"].clone();
    s["short_exit"] = s["entry"].clone();
    check(Case {
        strategy: s,
        params: json!({"fast": [4, 9], "slow": [15, 25, 40]}),
        settings: json!({"direction": "both", "fill": "close", "stop_loss": 0.04, "trailing_stop": 0.08, "initial_capital": 25000.0, "lot_size": 1.0}),
        options: json!({"train": 150, "test": 70, "step": 95, "anchored": true, "maximize": "total_return"}),
        bars: 820,
        seed: 11,
    });
}

#[test]
fn ema_rsi_short_only_windows_not_on_word_bounds() {
    check(Case {
        strategy: json!({
            "short_entry": {"and": [{"crosses_below": [{"indicator": "ema", "period": {"param": "fast"}}, {"indicator": "ema", "period": 30}]}, {"gt": [{"indicator": "rsi", "period": 14}, {"param": "level"}]}]},
            "short_exit": {"crosses_above": [{"indicator": "ema", "period": {"param": "fast"}}, {"indicator": "ema", "period": 30}]},
        }),
        params: json!({"fast": [5, 10, 20], "level": [30, 45, 60]}),
        settings: json!({"direction": "short_only", "take_profit": 0.06, "slippage": 0.0005}),
        options: json!({"train": 131, "test": 67, "maximize": "sortino_ratio"}),
        bars: 611,
        seed: 5,
    });
}

#[test]
fn every_score_nan_picks_the_first() {
    // An entry that never happens: every sharpe is undefined; the first combination wins.
    let (_, out, _) = walk(&Case {
        strategy: json!({"entry": {"gt": ["close", {"param": "level"}]}, "exit": {"lt": ["close", 0.0001]}}),
        params: json!({"level": [1e9, 2e9]}),
        settings: json!({}),
        options: json!({"train": 100, "test": 50}),
        bars: 300,
        seed: 1,
    });
    assert!(out
        .windows
        .iter()
        .all(|w| w.params[0].1 == Wire::Float(1e9) && w.in_sample.sharpe_ratio.is_none()));
    assert!(out.equity_curve.iter().all(|&e| e == 100_000.0));
}

#[test]
fn windows_that_do_not_fit_and_bad_options_are_refused() {
    let data = generate_sample_data("WF", 120, 100.0, 1).unwrap();
    let plan = |options: Value| {
        api::plan_walk(
            &wire(sma_cross()),
            &Wire::Null,
            &wire(json!({"fast": [3], "slow": [10]})),
            &Wire::Null,
            None,
            &wire(options),
        )
    };
    let p = plan(json!({"train": 100, "test": 30})).unwrap();
    let e = api::run_walk_forward(&data, &p, &WorkerPool::serial(), &mut SeriesTable::new())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the first window needs 130 bars (train 100 + test 30), the data has 120"
    );
    assert_eq!(e.code(), "invalid_parameter");
    let e = plan(json!({"train": -1, "test": 30})).unwrap_err();
    assert_eq!(e.to_string(), "train must be an integer >= 1, got -1");
    let e = plan(json!({"train": 10, "test": 5, "maximize": "sharp_ratio"})).unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown metric 'sharp_ratio'; did you mean 'sharpe_ratio'?"
    );
    // The sweep's own checks come first.
    let e = api::plan_walk(
        &wire(sma_cross()),
        &Wire::Null,
        &wire(json!({"fast": []})),
        &Wire::Null,
        None,
        &wire(json!({"train": 0})),
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "params['fast'] is empty");
}
