//! Live runs against batch runs: every golden strategy case pushed bar by bar equals the batch
//! run on each prefix, bit for bit; a saved state resumes to the same answer; a refused bar
//! leaves the state as it was.

use quant_backtest::api::{self, BacktestOutput, LiveBacktest, Value as Wire};
use quant_backtest::MarketData;
use serde_json::Value;

fn cases() -> Vec<Value> {
    let path = format!(
        "{}/tests/golden/strategies.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let all: Vec<Value> = serde_json::from_str(&text).unwrap();
    // Raw signal cases have no strategy to stream.
    all.into_iter()
        .filter(|c| c["request"].get("signals").is_none())
        .collect()
}

/// The case with the most bars.
fn longest() -> Value {
    cases()
        .into_iter()
        .max_by_key(|c| c["data"]["dates"].as_array().unwrap().len())
        .unwrap()
}

fn wire(v: &Value) -> Wire {
    serde_json::from_value(v.clone()).unwrap()
}

struct Bars {
    dates: Vec<String>,
    columns: [Vec<f64>; 5],
}

fn bars(case: &Value) -> Bars {
    let d = &case["data"];
    let col = |k: &str| -> Vec<f64> {
        d[k].as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    Bars {
        dates: d["dates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect(),
        columns: ["open", "high", "low", "close", "volume"].map(col),
    }
}

impl Bars {
    fn bar(&self, t: usize) -> [f64; 5] {
        std::array::from_fn(|k| self.columns[k][t])
    }

    fn prefix(&self, n: usize) -> MarketData {
        let [o, h, l, c, v] = &self.columns;
        MarketData::new(
            "X",
            self.dates[..n].to_vec(),
            o[..n].to_vec(),
            h[..n].to_vec(),
            l[..n].to_vec(),
            c[..n].to_vec(),
            v[..n].to_vec(),
        )
        .unwrap()
    }
}

fn live(case: &Value) -> LiveBacktest {
    let r = &case["request"];
    let params = r.get("params").map_or(Wire::Null, wire);
    LiveBacktest::new(
        &wire(&r["strategy"]),
        &wire(&r["settings"]),
        &params,
        None,
        true,
    )
    .unwrap()
}

fn batch(case: &Value, data: &MarketData) -> BacktestOutput {
    let r = &case["request"];
    let params = r.get("params").map_or(Wire::Null, wire);
    api::run_backtest(data, &wire(&r["strategy"]), &wire(&r["settings"]), &params).unwrap()
}

/// Equal to the bit: metrics, trades, equity curve.
fn assert_same(live: &BacktestOutput, batch: &BacktestOutput, what: &str) {
    let bits = |o: &BacktestOutput| -> Vec<u64> {
        o.metrics
            .values()
            .iter()
            .map(|v| v.as_f64().to_bits())
            .collect()
    };
    assert_eq!(bits(live), bits(batch), "{what}: metrics");
    assert_eq!(live.trades, batch.trades, "{what}: trades");
    let curve =
        |o: &BacktestOutput| -> Vec<u64> { o.equity_curve.iter().map(|x| x.to_bits()).collect() };
    assert_eq!(curve(live), curve(batch), "{what}: equity");
    assert_eq!(live.params, batch.params, "{what}: params");
}

#[test]
fn every_prefix_equals_the_batch_run() {
    let cases = cases();
    assert!(cases.len() > 20, "the golden strategy cases are there");
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let b = bars(case);
        let n = b.dates.len();
        let mut run = live(case);
        // Every bar early on (warm-ups, first fills), then a spread of prefixes.
        let checked = |t: usize| t < 40 || t % 37 == 0 || t + 1 == n;
        for t in 0..n {
            run.push(&b.dates[t], b.bar(t)).unwrap();
            if checked(t) {
                let want = batch(case, &b.prefix(t + 1));
                assert_same(
                    &run.result().unwrap(),
                    &want,
                    &format!("{name} after {} bars", t + 1),
                );
            }
        }
    }
}

#[test]
fn a_saved_state_resumes_to_the_same_answer() {
    for case in cases() {
        let name = case["name"].as_str().unwrap();
        let b = bars(&case);
        let n = b.dates.len();
        let mut straight = live(&case);
        let mut resumed = live(&case);
        for t in 0..n {
            straight.push(&b.dates[t], b.bar(t)).unwrap();
            resumed.push(&b.dates[t], b.bar(t)).unwrap();
            if t % 50 == 25 {
                let text = resumed.to_json();
                resumed = LiveBacktest::from_json(&text).unwrap();
                assert_eq!(resumed.to_json(), text, "{name}: saved again at {t}");
            }
        }
        assert_same(
            &resumed.result().unwrap(),
            &straight.result().unwrap(),
            name,
        );
    }
}

#[test]
fn a_refused_bar_changes_nothing() {
    let case = &longest();
    let b = bars(case);
    let mut run = live(case);
    for t in 0..30 {
        run.push(&b.dates[t], b.bar(t)).unwrap();
    }
    let before = run.to_json();
    let [o, h, l, c, v] = b.bar(30);
    let refusals = [
        (b.dates[29].clone(), [o, h, l, c, v], "dates at row 30 ("),
        (
            b.dates[30].clone(),
            [o, h, l, f64::NAN, v],
            "close at row 30 must be a finite number > 0, got NaN",
        ),
        (
            b.dates[30].clone(),
            [o, l * 0.5, l, c, v],
            "high at row 30 is below low",
        ),
        (
            b.dates[30].clone(),
            [o, h, l, c, -1.0],
            "volume at row 30 must be a finite number >= 0, got -1.0",
        ),
        (
            "yesterday".to_string(),
            [o, h, l, c, v],
            "dates at row 30 is not an ISO 8601 date",
        ),
    ];
    for (date, bar, message) in refusals {
        let e = run.push(&date, bar).unwrap_err();
        assert!(e.to_string().starts_with(message), "{e} / {message}");
        assert_eq!(e.code(), "invalid_market_data");
        assert_eq!(run.to_json(), before, "state after '{message}'");
    }
    run.push(&b.dates[30], b.bar(30)).unwrap();
    assert_eq!(run.run().bars(), 31);
}

#[test]
fn a_bad_state_is_refused() {
    let case = &longest();
    let b = bars(case);
    let mut run = live(case);
    for t in 0..10 {
        run.push(&b.dates[t], b.bar(t)).unwrap();
    }
    let text = run.to_json();
    let refused = |t: &str| {
        let e = LiveBacktest::from_json(t).unwrap_err();
        assert_eq!(e.code(), "invalid_state", "{e}");
        e.to_string()
    };
    assert!(refused("{").starts_with("a live state must be JSON text"));
    let v2 = text.replace("\"version\":1", "\"version\":2");
    assert_eq!(
        refused(&v2),
        "live state version 2 cannot be read: this engine reads version 1"
    );
    let other = text.replace("quant-backtest/live-state", "something-else");
    assert!(refused(&other).starts_with("not a live state"));
    let tampered = text.replacen("\"bars\":10", "\"bars\":11", 1);
    assert_ne!(tampered, text);
    assert_eq!(
        refused(&tampered),
        "the live state is corrupt: its checksum does not match its content"
    );
}

#[test]
fn before_any_bar_there_is_no_result() {
    let run = live(&longest());
    assert_eq!(
        run.result().unwrap_err().to_string(),
        "market data is empty: need at least 1 row"
    );
    assert_eq!(
        run.run().equity(),
        100_000.0_f64.max(run.run().settings().initial_capital)
    );
}

#[test]
fn the_events_tell_the_trades() {
    use quant_backtest::stream::EventKind;
    for case in cases() {
        let name = case["name"].as_str().unwrap();
        let b = bars(&case);
        let mut run = live(&case);
        let mut events = Vec::new();
        for t in 0..b.dates.len() {
            events.extend(run.push(&b.dates[t], b.bar(t)).unwrap().iter().cloned());
        }
        let out = run.result().unwrap();
        let exits: Vec<_> = events
            .iter()
            .filter(|e| {
                e.kind == EventKind::Stop || (e.kind == EventKind::Fill && e.reason != "entry")
            })
            .collect();
        assert_eq!(exits.len(), out.trades.len(), "{name}: exits");
        for (e, trade) in exits.iter().zip(&out.trades) {
            assert_eq!(e.bar, trade.exit_index, "{name}");
            assert_eq!(e.date, trade.exit_date, "{name}");
            assert_eq!(e.price, Some(trade.exit_price), "{name}");
            assert_eq!(e.size, Some(trade.size), "{name}");
            assert_eq!(e.reason, trade.exit_reason.as_str(), "{name}");
            assert_eq!(e.side, trade.direction, "{name}");
        }
        let entries = events
            .iter()
            .filter(|e| e.kind == EventKind::Fill && e.reason == "entry")
            .count();
        let open = usize::from(run.run().position().is_some());
        assert_eq!(entries, out.trades.len() + open, "{name}: entries");
        // An order comes from a signal of its bar.
        for e in events.iter().filter(|e| e.kind == EventKind::Order) {
            assert!(
                events
                    .iter()
                    .any(|s| s.kind == EventKind::Signal && s.bar == e.bar),
                "{name}: order at {} without a signal",
                e.bar
            );
        }
    }
}
