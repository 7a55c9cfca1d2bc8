//! Portfolios through the core's wire API: a one-asset universe is the single-asset run bit for
//! bit (the same per-bar step), shared cash and equal slots by hand, the union calendar, and
//! the refusals. The golden cases (tests/golden/portfolios.json) are in golden_portfolios.rs.

use quant_backtest::api::{self, Value as Wire};
use quant_backtest::portfolio::sample::{generate_sample_universe, sample_symbols};
use quant_backtest::portfolio::Universe;
use quant_backtest::{generate_sample_data, MarketData};
use serde_json::{json, Value};

fn wire(v: Value) -> Wire {
    serde_json::from_value(v).unwrap()
}

fn sma_cross(fast: u32, slow: u32) -> Value {
    let (f, s) = (
        json!({"indicator": "sma", "period": fast}),
        json!({"indicator": "sma", "period": slow}),
    );
    json!({"entry": {"crosses_above": [f, s]}, "exit": {"crosses_below": [f, s]}})
}

fn rsi_both() -> Value {
    let r = json!({"indicator": "rsi", "period": 14});
    json!({
        "entry": {"lt": [r, 35]}, "exit": {"gt": [r, 55]},
        "short_entry": {"gt": [r, 65]}, "short_exit": {"lt": [r, 45]},
        "settings": {"direction": "both"},
    })
}

#[test]
fn one_asset_universe_is_the_single_asset_run() {
    let data = generate_sample_data("ONE", 700, 100.0, 5).unwrap();
    let universe = Universe::new(vec![data.clone()]).unwrap();
    let settings = [
        json!({}),
        json!({"fill": "close", "commission_rate": 0.0}),
        json!({"stop_loss": 0.03, "take_profit": 0.06, "slippage": 0.001}),
        json!({"trailing_stop": 0.05, "fixed_fee": 2.0, "lot_size": 1.0}),
        json!({"direction": "both", "fill": "close"}),
        json!({"direction": "short_only", "size": 0.5}),
        json!({"size_type": "value", "size": 30000.0, "stop_loss": 0.02}),
        json!({"size_type": "amount", "size": 100.0, "direction": "both"}),
    ];
    for strategy in [sma_cross(5, 20), rsi_both()] {
        for s in &settings {
            let (strategy, s) = (wire(strategy.clone()), wire(s.clone()));
            if api::run_backtest(&data, &strategy, &s, &Wire::Null).is_err() {
                continue; // a long-only tree under short_only: refused alike, checked below
            }
            let single = api::run_backtest(&data, &strategy, &s, &Wire::Null).unwrap();
            let p = api::run_portfolio(&universe, &strategy, &s, &Wire::Null).unwrap();
            let mut m = single.metrics;
            // A portfolio's buy and hold is the mean of its assets': here the one asset's.
            m.buy_and_hold_return = p.metrics.buy_and_hold_return;
            assert_eq!(p.metrics, m, "{s:?}");
            assert_eq!(p.equity_curve, single.equity_curve, "{s:?}");
            let trades: Vec<_> = p.trades.iter().map(|t| t.trade.clone()).collect();
            assert_eq!(trades, single.trades, "{s:?}");
            assert!(p.trades.iter().all(|t| t.symbol == "ONE"));
            assert_eq!(p.assets[0].trade_count, single.trades.len());
            assert_eq!(p.metrics.exposure, p.assets[0].exposure);
        }
    }
    let e = api::run_portfolio(
        &universe,
        &wire(sma_cross(5, 20)),
        &wire(json!({"direction": "short_only"})),
        &Wire::Null,
    )
    .unwrap_err();
    let single = api::run_backtest(
        &data,
        &wire(sma_cross(5, 20)),
        &wire(json!({"direction": "short_only"})),
        &Wire::Null,
    )
    .unwrap_err();
    assert_eq!(e.to_string(), single.to_string());
}

fn bars(symbol: &str, dates: &[&str], closes: &[f64]) -> MarketData {
    let d: Vec<String> = dates.iter().map(|s| s.to_string()).collect();
    let c = closes.to_vec();
    let high: Vec<f64> = c.iter().map(|x| x + 0.5).collect();
    let low: Vec<f64> = c.iter().map(|x| x - 0.5).collect();
    MarketData::new(symbol, d, c.clone(), high, low, c, vec![1.0; closes.len()]).unwrap()
}

const DAYS: [&str; 6] = [
    "2024-01-01",
    "2024-01-02",
    "2024-01-03",
    "2024-01-04",
    "2024-01-05",
    "2024-01-08",
];

/// Entry when close > 10.5, exit when close < 9.5, close fills, no commission.
fn threshold() -> Value {
    json!({"entry": {"gt": ["close", 10.5]}, "exit": {"lt": ["close", 9.5]},
           "settings": {"fill": "close", "commission_rate": 0.0}})
}

#[test]
fn shared_cash_percent_of_what_is_left() {
    // A enters on bar 1 at 11 with half the cash; B on bar 1 too, with half of what is left.
    let a = bars("A", &DAYS, &[10.0, 11.0, 12.0, 12.0, 9.0, 9.0]);
    let b = bars("B", &DAYS, &[10.0, 20.0, 20.0, 22.0, 22.0, 22.0]);
    let u = Universe::new(vec![a, b]).unwrap();
    let p = api::run_portfolio(
        &u,
        &wire(threshold()),
        &wire(json!({"size": 0.5})),
        &Wire::Null,
    )
    .unwrap();
    let qa = 100_000.0 * 0.5 / 11.0;
    let cash1 = 100_000.0 - qa * 11.0;
    let qb = cash1 * 0.5 / 20.0;
    let cash2 = cash1 - qb * 20.0;
    assert_eq!(p.trades.len(), 1); // A exits at bar 4 (9 < 9.5); B is still open
    assert_eq!(p.trades[0].symbol, "A");
    assert_eq!(p.trades[0].trade.size, qa);
    assert_eq!(p.cash[1], cash2);
    assert_eq!(p.equity_curve[1], cash2 + qa * 11.0 + qb * 20.0);
    assert_eq!(p.equity_curve[3], cash2 + qa * 12.0 + qb * 22.0);
    let cash4 = cash2 + qa * 9.0;
    assert_eq!(p.cash[4], cash4);
    assert_eq!(
        p.position_values[0].1,
        [0.0, qa * 11.0, qa * 12.0, qa * 12.0, 0.0, 0.0]
    );
    assert_eq!(p.position_values[1].1[5], qb * 22.0);
    assert_eq!(p.assets[1].exposure, 5.0 / 6.0);
    assert_eq!(p.metrics.exposure, 5.0 / 6.0);
}

#[test]
fn exits_before_entries_and_equal_slots() {
    // Bar 2: A exits (9 < 9.5) and C enters (11 > 10.5): C's entry gets A's cash back first.
    // Two slots: A and B enter on bar 1 with cash/2 and then cash/1; C waits for A's exit.
    let a = bars("A", &DAYS, &[10.0, 11.0, 9.0, 9.0, 9.0, 9.0]);
    let b = bars("B", &DAYS, &[10.0, 11.0, 11.0, 11.0, 11.0, 12.0]);
    let c = bars("C", &DAYS, &[10.0, 11.0, 11.0, 11.0, 11.0, 11.0]);
    let u = Universe::new(vec![a, b, c]).unwrap();
    let p = api::run_portfolio(
        &u,
        &wire(threshold()),
        &wire(json!({"max_positions": 2})),
        &Wire::Null,
    )
    .unwrap();
    let qa = 100_000.0 / 2.0 / 11.0;
    let cash = 100_000.0 - qa * 11.0;
    let qb = cash / 1.0 / 11.0;
    let cash = cash - qb * 11.0;
    // Bar 1: C's entry finds no free slot. Bar 2: A's exit frees one for C.
    let cash = cash + qa * 9.0;
    let qc = cash / 1.0 / 11.0;
    let sizes: Vec<(String, f64)> = p
        .trades
        .iter()
        .map(|t| (t.symbol.clone(), t.trade.size))
        .collect();
    assert_eq!(sizes, [("A".to_string(), qa)]);
    assert_eq!(p.position_values[1].1[1], qb * 11.0);
    assert_eq!(p.position_values[2].1[1], 0.0);
    assert_eq!(p.position_values[2].1[2], qc * 11.0);
    assert_eq!(p.cash[2], cash - qc * 11.0);
}

#[test]
fn union_calendar_late_start_and_next_open_on_own_bars() {
    // B starts on the third day and has no bar on the fifth; its next-open order of bar 3 fills
    // on its next own bar (the sixth day), and between it is valued at its last close.
    let a = bars("A", &DAYS, &[10.0, 10.0, 10.0, 10.0, 10.0, 10.0]);
    let b = bars(
        "B",
        &["2024-01-03", "2024-01-04", "2024-01-08"],
        &[10.0, 11.0, 12.0],
    );
    let u = Universe::new(vec![a, b]).unwrap();
    let strategy = json!({"entry": {"gt": ["close", 10.5]}, "exit": {"lt": ["close", 9.5]}});
    let p = api::run_portfolio(
        &u,
        &wire(strategy),
        &wire(json!({"commission_rate": 0.0})),
        &Wire::Null,
    )
    .unwrap();
    assert_eq!(p.dates.len(), 6);
    let q = 100_000.0 / 12.0; // filled at B's open on 2024-01-08 (its own next bar)
    assert_eq!(p.position_values[1].1, [0.0, 0.0, 0.0, 0.0, 0.0, q * 12.0]);
    assert_eq!(p.equity_curve[5], (100_000.0 - q * 12.0) + 0.0 + q * 12.0);
    assert_eq!(p.assets[1].exposure, 1.0 / 6.0);
}

#[test]
fn per_symbol_strategies_and_refusals() {
    let u = generate_sample_universe(&sample_symbols(3).unwrap(), 200, 3).unwrap();
    let per = json!({"S01": sma_cross(5, 20), "S02": rsi_both(), "S03": sma_cross(3, 9)});
    // Each strategy keeps its own settings (S02's direction both).
    let p = api::run_portfolio(&u, &wire(per), &Wire::Null, &Wire::Null).unwrap();
    assert_eq!(p.assets.len(), 3);
    assert!(p
        .trades
        .iter()
        .any(|t| t.symbol == "S02" && t.trade.direction.as_str() == "short"));
    let err = |strategy: Value, settings: Value| {
        let e = api::run_portfolio(&u, &wire(strategy), &wire(settings), &Wire::Null).unwrap_err();
        (e.to_string(), e.code())
    };
    assert_eq!(
        err(
            json!({"S01": sma_cross(5, 20), "S02": rsi_both()}),
            json!({})
        ),
        (
            "no strategy for symbol 'S03': a dict of strategies names every symbol of the universe"
                .into(),
            "invalid_strategy"
        )
    );
    assert_eq!(
        err(json!({"S01": sma_cross(5, 20), "S02": rsi_both(), "S03": rsi_both(), "S4": rsi_both()}), json!({})).0,
        "strategy for unknown symbol 'S4'; did you mean 'S01'? (a strategy object has the keys entry, exit, short_entry, short_exit, settings, constraint)"
    );
    assert_eq!(
        err(sma_cross(5, 20), json!({"max_positions": 0})),
        (
            "max_positions must be an integer >= 1, got 0".into(),
            "invalid_parameter"
        )
    );
    assert_eq!(
        err(sma_cross(5, 20), json!({"max_positions": 2, "size": 0.5})).0,
        "max_positions and size cannot be combined (asset 'S01'): with max_positions = k an entry gets cash / (k - open positions)"
    );
    assert_eq!(
        err(sma_cross(5, 20), json!({"max_postions": 2})).0,
        "unknown setting 'max_postions'; did you mean 'max_positions'?"
    );
    let bad_period = json!({"S01": sma_cross(5, 20), "S02": sma_cross(0, 3), "S03": rsi_both()});
    assert_eq!(
        err(bad_period, json!({})).0,
        "strategy for 'S02': entry.crosses_above[0].period must be an integer >= 1, got 0"
    );
}

#[test]
fn a_portfolio_sweep_row_is_the_run_with_its_params() {
    use quant_backtest::pool::WorkerPool;
    let u = generate_sample_universe(&sample_symbols(4).unwrap(), 300, 21).unwrap();
    let (f, s) = (
        json!({"indicator": "sma", "period": {"param": "fast"}}),
        json!({"indicator": "sma", "period": {"param": "slow"}}),
    );
    let strategy =
        wire(json!({"entry": {"crosses_above": [f, s]}, "exit": {"crosses_below": [f, s]}}));
    let settings = wire(json!({"max_positions": 2, "stop_loss": 0.05}));
    let params = wire(json!({"fast": [3, 5, 8], "slow": [10, 20]}));
    let plan = api::plan_portfolio(&u, &strategy, &settings, &params, &Wire::Null, None).unwrap();
    assert_eq!(plan.len(), 6);
    let pool = WorkerPool::new(Some(2));
    let mut tables = Vec::new();
    // Two chunks give the rows of one, bit for bit.
    let mut out = api::run_portfolio_sweep_range(&u, &plan, 0..4, &pool, &mut tables);
    let rest = api::run_portfolio_sweep_range(&u, &plan, 4..6, &pool, &mut tables);
    out.metrics.extend(rest.metrics);
    for (i, (fast, slow)) in [(3, 10), (3, 20), (5, 10), (5, 20), (8, 10), (8, 20)]
        .iter()
        .enumerate()
    {
        let one = api::run_portfolio(
            &u,
            &strategy,
            &settings,
            &wire(json!({"fast": fast, "slow": slow})),
        )
        .unwrap();
        assert_eq!(out.metrics[i], one.metrics, "row {i}");
    }
    let per_symbol = wire(
        json!({"S01": sma_cross(2, 5), "S02": sma_cross(2, 5), "S03": sma_cross(2, 5), "S04": sma_cross(2, 5)}),
    );
    let e =
        api::plan_portfolio(&u, &per_symbol, &Wire::Null, &params, &Wire::Null, None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "a portfolio sweep takes one strategy for every asset; a dict of strategies is for one run"
    );
}
