//! Walk-forward on a universe against other parts of the engine: a one-asset universe walks as
//! the asset alone, bit for bit; and with rules that read only the bar itself (so a run on a
//! window's bars alone has the signals a run on all of them has), every window's in-sample and
//! out-of-sample run is `run_portfolio` on the window's sub-universe, built here by hand from
//! each asset's bars on the window's dates. Then the refusals. The golden cases
//! (tests/golden/portfolio_walks.json) are in golden_walks.rs.

use std::collections::HashSet;

use quant_backtest::api::{self, Value as Wire};
use quant_backtest::metrics::{compute, METRICS};
use quant_backtest::portfolio::Universe;
use quant_backtest::strategy::SeriesTable;
use quant_backtest::{generate_sample_data, MarketData, WorkerPool};
use serde_json::{json, Value};

fn wire(v: &Value) -> Wire {
    serde_json::from_value(v.clone()).unwrap()
}

/// `data`'s bars at `rows`, under `symbol`.
fn pick(data: &MarketData, symbol: &str, rows: impl Iterator<Item = usize> + Clone) -> MarketData {
    let take = |c: &[f64]| rows.clone().map(|i| c[i]).collect::<Vec<_>>();
    MarketData::new(
        symbol,
        rows.clone().map(|i| data.dates()[i].clone()).collect(),
        take(data.open()),
        take(data.high()),
        take(data.low()),
        take(data.close()),
        take(data.volume()),
    )
    .unwrap()
}

fn walk(
    universe: &Universe,
    strategy: &Value,
    params: &Value,
    settings: &Value,
    options: &Value,
) -> quant_backtest::Result<api::PortfolioWalkOutput> {
    let plan = api::plan_portfolio_walk(
        universe,
        &wire(strategy),
        &wire(settings),
        &wire(params),
        &Wire::Null,
        None,
        &wire(options),
    )?;
    api::run_portfolio_walk_forward(universe, &plan, &WorkerPool::new(Some(2)), &mut Vec::new())
}

fn sma_cross() -> Value {
    let (f, s) = (
        json!({"indicator": "sma", "period": {"param": "fast"}}),
        json!({"indicator": "sma", "period": {"param": "slow"}}),
    );
    json!({"entry": {"crosses_above": [f, s]}, "exit": {"crosses_below": [f, s]}})
}

#[test]
fn one_asset_universe_walks_as_the_asset() {
    let data = generate_sample_data("ONE", 900, 100.0, 11).unwrap();
    let universe = Universe::new(vec![data.clone()]).unwrap();
    let rsi = json!({"indicator": "rsi", "period": {"param": "period"}});
    let both = json!({
        "entry": {"lt": [rsi, 35]}, "exit": {"gt": [rsi, 55]},
        "short_entry": {"gt": [rsi, 65]}, "short_exit": {"lt": [rsi, 45]},
    });
    let cases = [
        (
            sma_cross(),
            json!({"fast": [3, 5, 8], "slow": [20, 40]}),
            json!({}),
            json!({"train": 200, "test": 70}),
        ),
        (
            sma_cross(),
            json!({"fast": [5, 10], "slow": [30, 60]}),
            json!({"fill": "close", "stop_loss": 0.03, "commission_rate": 0.0005}),
            json!({"train": 150, "test": 50, "step": 90, "anchored": true, "maximize": "total_return"}),
        ),
        (
            both,
            json!({"period": [7, 14, 21]}),
            json!({"direction": "both", "trailing_stop": 0.05, "fixed_fee": 1.0}),
            json!({"train": 190, "test": 61, "maximize": "calmar_ratio"}),
        ),
    ];
    for (strategy, params, settings, options) in &cases {
        let plan = api::plan_walk(
            &wire(strategy),
            &wire(settings),
            &wire(params),
            &Wire::Null,
            None,
            &wire(options),
        )
        .unwrap();
        let single = api::run_walk_forward(
            &data,
            &plan,
            &WorkerPool::new(Some(2)),
            &mut SeriesTable::new(),
        )
        .unwrap();
        let p = walk(&universe, strategy, params, settings, options).unwrap();
        assert!(single.trades.len() > 3, "{options}: the tests trade");
        assert_eq!(p.windows, single.windows, "{options}");
        assert_eq!(p.metrics, single.metrics, "{options}");
        assert_eq!(p.equity_curve, single.equity_curve);
        assert_eq!(p.equity_index, single.equity_index);
        let trades: Vec<_> = p.trades.iter().map(|t| t.trade.clone()).collect();
        assert_eq!(trades, single.trades);
        assert!(p.trades.iter().all(|t| t.symbol == "ONE"));
    }
}

/// Three assets on different calendars: A every bar, B from bar 230 on, C every other bar
/// up to bar 500 (the union has bars where only A trades, and windows without B or C).
fn three_calendars() -> Universe {
    let n = 700;
    let a = generate_sample_data("A", n as i128, 100.0, 21).unwrap();
    let b = generate_sample_data("B", n as i128, 100.0, 22).unwrap();
    let c = generate_sample_data("C", n as i128, 100.0, 23).unwrap();
    Universe::new(vec![
        a,
        pick(&b, "B", 230..n),
        pick(&c, "C", (0..500).step_by(2)),
    ])
    .unwrap()
}

/// The assets' bars on union bars `range`, as a universe of its own (`None` assets left out).
fn sub_universe(u: &Universe, range: std::ops::Range<usize>) -> Universe {
    let dates: HashSet<&String> = u.dates()[range].iter().collect();
    let parts = u
        .assets()
        .iter()
        .filter_map(|a| {
            let rows: Vec<usize> = (0..a.len())
                .filter(|&j| dates.contains(&a.dates()[j]))
                .collect();
            (!rows.is_empty()).then(|| pick(a, a.symbol(), rows.into_iter()))
        })
        .collect();
    Universe::new(parts).unwrap()
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

#[test]
fn windows_are_portfolio_runs_on_their_own_bars() {
    let u = three_calendars();
    // Rules on the bar itself: the same signals on a window's bars alone as on all of them.
    let strategy = json!({
        "entry": {"gt": ["close", {"param": "up"}]},
        "exit": {"lt": ["close", {"param": "down"}]},
    });
    let params = json!({"up": [101.0, 104.0, 110.0], "down": [96.0, 100.0]});
    for (settings, options) in [
        (json!({"size": 0.5}), json!({"train": 120, "test": 80})),
        (
            json!({"max_positions": 2, "fill": "close", "stop_loss": 0.04}),
            json!({"train": 100, "test": 60, "step": 75, "anchored": true, "maximize": "total_return"}),
        ),
        (
            json!({"size": 0.4, "commission_rate": 0.001}),
            json!({"train": 90, "test": 101, "maximize": "sortino_ratio"}),
        ),
    ] {
        let out = walk(&u, &strategy, &params, &settings, &options).unwrap();
        let maximize = METRICS.iter().position(|m| m.name == out.maximize).unwrap();
        let plan = api::plan_walk(
            &wire(&strategy),
            &wire(&json!({})),
            &wire(&params),
            &Wire::Null,
            None,
            &wire(&json!({"train": 1, "test": 1})),
        )
        .unwrap();
        let combo = |i: usize| -> Value {
            let pairs: serde_json::Map<String, Value> = plan
                .sweep
                .names
                .iter()
                .zip(plan.sweep.combination(i))
                .map(|(n, v)| (n.clone(), serde_json::to_value(&v).unwrap()))
                .collect();
            Value::Object(pairs)
        };
        let run = |range: std::ops::Range<usize>, i: usize, capital: f64| {
            let mut s = settings.clone();
            s["initial_capital"] = json!(capital);
            api::run_portfolio(
                &sub_universe(&u, range),
                &wire(&strategy),
                &wire(&s),
                &wire(&combo(i)),
            )
            .unwrap()
        };
        let mut capital = 100_000.0;
        let (mut stitched, mut trades, mut wins) = (Vec::new(), 0, 0);
        let mut symbols_seen = HashSet::new();
        assert!(out.windows.len() >= 3, "{options}");
        for w in &out.windows {
            let train = w.train_start_index..w.train_end_index + 1;
            let test = w.test_start_index..w.test_end_index + 1;
            let runs: Vec<_> = (0..plan.sweep.len())
                .map(|i| run(train.clone(), i, 100_000.0))
                .collect();
            let scores: Vec<f64> = runs
                .iter()
                .map(|r| r.metrics.values()[maximize].as_f64())
                .collect();
            let b = best(&scores);
            let chosen: Vec<(String, Wire)> = plan
                .sweep
                .names
                .iter()
                .cloned()
                .zip(plan.sweep.combination(b))
                .collect();
            assert_eq!(w.params, chosen, "window {}", w.window);
            assert_eq!(
                w.in_sample, runs[b].metrics,
                "window {} in sample",
                w.window
            );
            assert_eq!(w.in_sample_equity, runs[b].equity_curve);
            assert_eq!(w.start_equity, capital);
            let t = run(test.clone(), b, capital);
            assert_eq!(
                w.out_of_sample, t.metrics,
                "window {} out of sample",
                w.window
            );
            capital = *t.equity_curve.last().unwrap();
            assert_eq!(w.end_equity, capital);
            stitched.extend_from_slice(&t.equity_curve);
            trades += t.trades.len();
            wins += t.trades.iter().filter(|x| x.trade.pnl > 0.0).count();
            let mine: Vec<_> = out
                .trades
                .iter()
                .filter(|x| test.contains(&x.trade.exit_index))
                .collect();
            assert_eq!(mine.len(), t.trades.len());
            for (m, r) in mine.iter().zip(&t.trades) {
                assert_eq!(m.symbol, r.symbol);
                assert_eq!(m.trade.entry_index, r.trade.entry_index + test.start);
                assert_eq!(m.trade.exit_date, r.trade.exit_date);
                assert_eq!(m.trade.pnl, r.trade.pnl);
                symbols_seen.insert(m.symbol.clone());
            }
        }
        assert!(
            trades > 0 && symbols_seen.len() >= 2,
            "{options}: trades in several assets"
        );
        assert_eq!(out.equity_curve, stitched);
        let m = compute(&stitched, 100_000.0, 252.0, trades, wins);
        assert_eq!(out.metrics.total_return, m.total_return);
        assert_eq!(out.metrics.sharpe_ratio, m.sharpe_ratio);
        assert_eq!(out.metrics.max_drawdown, m.max_drawdown);
        assert_eq!(out.metrics.trade_count, trades);
        // Buy and hold: the assets with a bar in the tests' span, each from its first close
        // there to its last.
        let span = out.windows[0].test_start_index..out.windows.last().unwrap().test_end_index + 1;
        let whole = sub_universe(&u, span);
        let mut bh = 0.0;
        for a in whole.assets() {
            bh += a.close()[a.len() - 1] / a.close()[0] - 1.0;
        }
        assert_eq!(
            out.metrics.buy_and_hold_return,
            bh / whole.assets().len() as f64
        );
    }
}

#[test]
fn an_asset_absent_from_a_window_is_left_out() {
    let u = three_calendars();
    let out = walk(
        &u,
        &sma_cross(),
        &json!({"fast": [3, 6], "slow": [15, 30]}),
        &json!({}),
        &json!({"train": 100, "test": 100}),
    )
    .unwrap();
    // B starts at union bar 230 and C's last bar is bar 498 of A's calendar: window 0's train
    // has no B; the last windows no C. Their trades stay within their own bars.
    let b_first = u.union_bars(1)[0];
    let c_last = *u.union_bars(2).last().unwrap();
    assert!(out.windows[0].train_end_index < b_first);
    assert!(out.windows.last().unwrap().test_start_index > c_last);
    for t in &out.trades {
        match t.symbol.as_str() {
            "B" => assert!(t.trade.entry_index >= b_first),
            "C" => assert!(t.trade.exit_index <= c_last),
            _ => {}
        }
    }
    assert!(out.trades.iter().any(|t| t.symbol == "B"));
}

#[test]
fn refusals() {
    let u = three_calendars();
    let params = json!({"fast": [3], "slow": [10]});
    let msg = |strategy: &Value, settings: &Value, options: &Value| {
        walk(&u, strategy, &params, settings, options)
            .unwrap_err()
            .to_string()
    };
    let n = u.len();
    assert_eq!(
        msg(&sma_cross(), &json!({}), &json!({"train": n, "test": 5})),
        format!(
            "the first window needs {} bars (train {n} + test 5), the data has {n}",
            n + 5
        )
    );
    assert_eq!(
        msg(
            &json!({"A": sma_cross(), "B": sma_cross(), "C": sma_cross()}),
            &json!({}),
            &json!({"train": 10, "test": 5})
        ),
        "a portfolio sweep takes one strategy for every asset; a dict of strategies is for one run"
    );
    // The sweep is checked before the options.
    assert_eq!(
        msg(
            &sma_cross(),
            &json!({"max_positions": 0}),
            &json!({"train": 0, "test": 5})
        ),
        "max_positions must be an integer >= 1, got 0"
    );
    assert_eq!(
        msg(
            &sma_cross(),
            &json!({"max_positions": 2}),
            &json!({"train": 0, "test": 5})
        ),
        "train must be an integer >= 1, got 0"
    );
}
