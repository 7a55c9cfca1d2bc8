//! Live portfolio runs against batch portfolio runs: the golden portfolio cases and sample
//! universes with staggered starts and gaps, pushed one instant at a time, equal the batch run
//! on the started assets' bars so far, bit for bit; saved states resume to the same answer;
//! a refused bar set leaves the state as it was.

use quant_backtest::api::{self, live_from_json, LivePortfolioBacktest, SavedLive, Value as Wire};
use quant_backtest::portfolio::sample::generate_sample_universe;
use quant_backtest::portfolio::Universe;
use quant_backtest::MarketData;
use serde_json::{json, Value};

mod common;

use common::{load, universe, wire};

fn golden() -> Vec<Value> {
    load("portfolios.json")
}

fn golden_universe(case: &Value) -> Universe {
    universe(case).unwrap()
}

/// A request: strategy (one, or a dict per symbol), settings, params.
struct Request {
    strategy: Value,
    settings: Value,
    params: Value,
}

fn symbols(u: &Universe) -> Vec<String> {
    u.symbols().map(str::to_string).collect()
}

fn live(u: &Universe, r: &Request, curves: bool) -> LivePortfolioBacktest {
    LivePortfolioBacktest::new(
        &wire(&r.strategy),
        &wire(&r.settings),
        &wire(&r.params),
        symbols(u),
        curves,
    )
    .unwrap()
}

/// The bar set of union bar `t`: each asset's bar then, or null; `omit_unstarted` leaves out
/// the assets that have not started yet (as a caller may) instead of giving them null.
fn bar_set(u: &Universe, t: usize, omit_unstarted: bool) -> Value {
    let mut set = serde_json::Map::new();
    for (i, a) in u.assets().iter().enumerate() {
        let own = u.union_bars(i);
        match own.iter().position(|&x| x == t) {
            Some(j) => {
                set.insert(
                    a.symbol().to_string(),
                    json!({
                        "date": a.dates()[j],
                        "open": a.open()[j],
                        "high": a.high()[j],
                        "low": a.low()[j],
                        "close": a.close()[j],
                        "volume": a.volume()[j],
                    }),
                );
            }
            None if omit_unstarted && own[0] > t => {}
            None => {
                set.insert(a.symbol().to_string(), Value::Null);
            }
        }
    }
    Value::Object(set)
}

/// The universe of the assets started by union bar `t`, each with its bars up to then; the
/// request's per-symbol strategies narrowed to them.
fn prefix(u: &Universe, t: usize, r: &Request) -> (Universe, Value) {
    let mut kept = Vec::new();
    for (i, a) in u.assets().iter().enumerate() {
        let n = u.union_bars(i).iter().filter(|&&x| x <= t).count();
        if n == 0 {
            continue;
        }
        kept.push(
            MarketData::new(
                a.symbol(),
                a.dates()[..n].to_vec(),
                a.open()[..n].to_vec(),
                a.high()[..n].to_vec(),
                a.low()[..n].to_vec(),
                a.close()[..n].to_vec(),
                a.volume()[..n].to_vec(),
            )
            .unwrap(),
        );
    }
    let strategy = match &r.strategy {
        Value::Object(m) if m.keys().all(|k| u.position(k).is_some()) => Value::Object(
            m.iter()
                .filter(|(k, _)| kept.iter().any(|a| a.symbol() == k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        one => one.clone(),
    };
    (Universe::new(kept).unwrap(), strategy)
}

/// The output as JSON without its time: every number, date and symbol compared exactly (a
/// float's JSON text is its shortest round trip, so equal text is equal bits).
fn plain(out: &api::PortfolioOutput) -> Value {
    let mut v = serde_json::to_value(out).unwrap();
    v.as_object_mut().unwrap().remove("execution_time_ms");
    v
}

fn check_prefixes(u: &Universe, r: &Request, checked: impl Fn(usize) -> bool, what: &str) {
    let mut run = live(u, r, true);
    let mut lean = live(u, r, false);
    let mut fills = 0;
    for t in 0..u.len() {
        let set = wire(&bar_set(u, t, t % 2 == 0));
        let events = run.push_value(&set).unwrap().to_vec();
        assert_eq!(
            lean.push_value(&set).unwrap(),
            events,
            "{what}: events at {t}"
        );
        fills += events
            .iter()
            .filter(|e| e.kind.as_str() != "signal")
            .count();
        if checked(t) {
            let (sub, strategy) = prefix(u, t, r);
            let want =
                api::run_portfolio(&sub, &wire(&strategy), &wire(&r.settings), &wire(&r.params))
                    .unwrap();
            let got = run.result().unwrap();
            assert_eq!(plain(&got), plain(&want), "{what}: after {} bars", t + 1);
            // Without the curves: the same metrics, trades and per-asset rows.
            let thin = lean.result().unwrap();
            assert_eq!(thin.trades, want.trades, "{what}: lean trades at {t}");
            assert_eq!(
                serde_json::to_value(thin.metrics).unwrap(),
                serde_json::to_value(want.metrics).unwrap(),
                "{what}: lean metrics at {t}"
            );
            assert_eq!(thin.assets, want.assets, "{what}: lean assets at {t}");
            assert!(thin.equity_curve.is_empty() && thin.dates.is_empty());
            assert_eq!(run.run().equity(), *want.equity_curve.last().unwrap());
            assert_eq!(run.run().cash(), *want.cash.last().unwrap());
        }
    }
    let r = run.result().unwrap();
    assert!(
        fills >= r.trades.len(),
        "{what}: every trade closed by an event"
    );
}

#[test]
fn golden_cases_equal_the_batch_run_at_every_prefix() {
    let cases = golden();
    assert!(cases.len() >= 8);
    for case in &cases {
        let u = golden_universe(case);
        let q = &case["request"];
        let r = Request {
            strategy: q["strategy"].clone(),
            settings: q["settings"].clone(),
            params: q.get("params").cloned().unwrap_or(Value::Null),
        };
        check_prefixes(&u, &r, |_| true, case["name"].as_str().unwrap());
    }
}

/// A sample universe whose assets start apart, with some bars dropped (gaps).
fn gappy_universe(seed: u64) -> Universe {
    let names: Vec<String> = ["A", "B", "C", "D"].map(String::from).to_vec();
    let u = generate_sample_universe(&names, 260, seed).unwrap();
    let assets = u
        .assets()
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let keep: Vec<usize> = (0..a.len()).filter(|j| (j * 7 + i * 3) % 11 != 0).collect();
            let pick = |c: &[f64]| keep.iter().map(|&j| c[j]).collect::<Vec<_>>();
            MarketData::new(
                a.symbol(),
                keep.iter().map(|&j| a.dates()[j].clone()).collect(),
                pick(a.open()),
                pick(a.high()),
                pick(a.low()),
                pick(a.close()),
                pick(a.volume()),
            )
            .unwrap()
        })
        .collect();
    Universe::new(assets).unwrap()
}

fn sma_cross(fast: u32, slow: u32) -> Value {
    json!({
        "entry": {"crosses_above": [{"indicator": "sma", "period": fast}, {"indicator": "sma", "period": slow}]},
        "exit": {"crosses_below": [{"indicator": "sma", "period": fast}, {"indicator": "sma", "period": slow}]},
    })
}

fn sample_requests() -> Vec<(&'static str, Request)> {
    let both = json!({
        "entry": {"crosses_above": [{"indicator": "ema", "period": 5}, {"indicator": "sma", "period": 20}]},
        "exit": {"crosses_below": [{"indicator": "ema", "period": 5}, {"indicator": "sma", "period": 20}]},
        "short_entry": {"lt": [{"indicator": "rsi", "period": 7}, 35]},
        "short_exit": {"gt": [{"indicator": "rsi", "period": 7}, 55]},
    });
    vec![
        (
            "next open, stops",
            Request {
                strategy: sma_cross(5, 20),
                settings: json!({"size": 0.3, "stop_loss": 0.03, "take_profit": 0.06}),
                params: Value::Null,
            },
        ),
        (
            "close fills, shorts, trailing stop",
            Request {
                strategy: both.clone(),
                settings: json!({"size": 0.4, "fill": "close", "direction": "both", "trailing_stop": 0.04, "commission_rate": 0.001}),
                params: Value::Null,
            },
        ),
        (
            "equal slots, next open, shorts",
            Request {
                strategy: both,
                settings: json!({"max_positions": 2, "direction": "both", "slippage": 0.0005}),
                params: Value::Null,
            },
        ),
        (
            "a strategy per symbol, params",
            Request {
                strategy: json!({
                    // A starts first: every prefix's batch run uses the param.
                    "A": {"entry": {"crosses_above": [{"indicator": "sma", "period": 3}, {"indicator": "sma", "period": {"param": "slow"}}]},
                          "exit": {"crosses_below": [{"indicator": "sma", "period": 3}, {"indicator": "sma", "period": {"param": "slow"}}]}},
                    "B": {"entry": {"gt": ["close", {"indicator": "sma", "period": {"param": "slow"}}]},
                          "exit": {"lt": ["close", {"indicator": "sma", "period": {"param": "slow"}}]}},
                    "C": sma_cross(8, 30),
                    "D": {"entry": {"lt": [{"indicator": "rsi", "period": 9}, 40]}, "exit": {"gt": [{"indicator": "rsi", "period": 9}, 60]}},
                }),
                settings: json!({"size": 0.25, "stop_loss": 0.05}),
                params: json!({"slow": 15}),
            },
        ),
    ]
}

#[test]
fn staggered_starts_and_gaps_equal_the_batch_run() {
    for seed in [7, 11] {
        let u = gappy_universe(seed);
        for (name, r) in sample_requests() {
            let n = u.len();
            check_prefixes(
                &u,
                &r,
                |t| t < 30 || t % 23 == 0 || t + 1 == n,
                &format!("{name} (seed {seed})"),
            );
        }
    }
}

#[test]
fn a_saved_state_resumes_to_the_same_answer() {
    let u = gappy_universe(3);
    for (name, r) in sample_requests() {
        for curves in [true, false] {
            let mut straight = live(&u, &r, curves);
            let mut resumed = live(&u, &r, curves);
            for t in 0..u.len() {
                let set = wire(&bar_set(&u, t, false));
                let a = straight.push_value(&set).unwrap().to_vec();
                assert_eq!(
                    resumed.push_value(&set).unwrap(),
                    a,
                    "{name}: events at {t}"
                );
                if t % 40 == 5 {
                    let text = resumed.to_json();
                    resumed = match live_from_json(&text).unwrap() {
                        SavedLive::Portfolio(p) => *p,
                        SavedLive::Asset(_) => panic!("{name}: a portfolio state"),
                    };
                    assert_eq!(resumed.to_json(), text, "{name}: saved again at {t}");
                }
            }
            assert_eq!(
                plain(&resumed.result().unwrap()),
                plain(&straight.result().unwrap()),
                "{name}"
            );
        }
    }
}

#[test]
fn a_refused_bar_set_changes_nothing() {
    let u = gappy_universe(5);
    let r = &sample_requests()[0].1;
    let mut run = live(&u, r, true);
    // Up to an instant where every asset has started.
    let t0 = (0..u.assets().len())
        .map(|i| u.union_bars(i)[0])
        .max()
        .unwrap()
        + 3;
    for t in 0..t0 {
        run.push_value(&wire(&bar_set(&u, t, false))).unwrap();
    }
    let before = run.to_json();
    let good = bar_set(&u, t0, false);
    let first = good
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, v)| !v.is_null())
        .unwrap()
        .0
        .clone();
    let with = |f: &dyn Fn(&mut serde_json::Map<String, Value>)| {
        let mut s = good.as_object().unwrap().clone();
        f(&mut s);
        Value::Object(s)
    };
    let previous = run.run().last_date().unwrap().to_string();
    let own_row = run.run().own_bars(u.position(&first).unwrap());
    let refusals: Vec<(Value, String)> = vec![
        (
            json!([1, 2]),
            format!("the bar set at row {t0} must be an object symbol -> bar (or null), got an array"),
        ),
        (
            with(&|s| {
                s.insert("AA".into(), Value::Null);
            }),
            format!("the bar set at row {t0} has a bar for unknown symbol 'AA'; did you mean 'A'?"),
        ),
        (
            with(&|s| {
                s.remove("C");
            }),
            format!("the bar set at row {t0} has no bar for 'C', which has started; give it null when it has no bar at this instant"),
        ),
        (
            with(&|s| {
                for v in s.values_mut() {
                    *v = Value::Null;
                }
            }),
            format!("the bar set at row {t0} has no bar: at least one asset needs one"),
        ),
        (
            with(&|s| {
                s.get_mut(&first).unwrap()["close"] = json!(-1.0);
            }),
            format!("asset '{first}': close at row {own_row} must be a finite number > 0, got -1.0"),
        ),
        (
            with(&|s| {
                s.get_mut(&first).unwrap()["date"] = json!(previous.clone());
            }),
            format!("asset '{first}': dates at row {own_row} ('{previous}') is not after the last bar set's ('{previous}'); bar sets must be strictly increasing"),
        ),
        (
            with(&|s| {
                s.get_mut(&first).unwrap().as_object_mut().unwrap().remove("volume");
            }),
            format!("asset '{first}': the bar at row {own_row} has no 'volume'"),
        ),
    ];
    for (set, message) in refusals {
        let e = run.push_value(&wire(&set)).unwrap_err();
        assert_eq!(e.to_string(), message);
        assert_eq!(e.code(), "invalid_market_data");
        assert_eq!(run.to_json(), before, "refused: {message}");
    }
    // Two bars of one push at different instants.
    let mut mixed = good.as_object().unwrap().clone();
    let present: Vec<String> = mixed
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, _)| k.clone())
        .collect();
    if present.len() >= 2 {
        mixed.get_mut(&present[1]).unwrap()["date"] = json!("2099-01-01");
        let e = run
            .push_value(&Value::Object(mixed).pipe(wire))
            .unwrap_err();
        assert!(e.to_string().contains("mixes instants"), "{e}");
        assert_eq!(run.to_json(), before);
    }
    // The good set goes on as if nothing had come.
    let mut fresh = live(&u, r, true);
    for t in 0..=t0 {
        fresh.push_value(&wire(&bar_set(&u, t, false))).unwrap();
    }
    run.push_value(&wire(&good)).unwrap();
    assert_eq!(run.to_json(), fresh.to_json());
}

trait Pipe: Sized {
    fn pipe<R>(self, f: impl FnOnce(&Self) -> R) -> R {
        f(&self)
    }
}
impl Pipe for Value {}

#[test]
fn bad_requests_and_states() {
    let strategy = wire(&sma_cross(5, 20));
    let e =
        LivePortfolioBacktest::new(&strategy, &Wire::Null, &Wire::Null, vec![], true).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the universe is empty: need at least 1 asset"
    );
    let e = LivePortfolioBacktest::new(
        &strategy,
        &Wire::Null,
        &Wire::Null,
        vec!["A".into(), "B".into(), "A".into()],
        true,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "duplicate symbol 'A' in the universe (assets 0 and 2); symbols must be distinct"
    );
    let per = wire(&json!({"A": sma_cross(5, 20), "BB": sma_cross(5, 20)}));
    let e = LivePortfolioBacktest::new(
        &per,
        &Wire::Null,
        &Wire::Null,
        vec!["A".into(), "B".into()],
        true,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("strategy for unknown symbol 'BB'; did you mean 'B'?"),
        "{e}"
    );

    let u = gappy_universe(9);
    let r = &sample_requests()[1].1;
    let mut run = live(&u, r, true);
    for t in 0..50 {
        run.push_value(&wire(&bar_set(&u, t, false))).unwrap();
    }
    let text = run.to_json();
    let saved: Value = serde_json::from_str(&text).unwrap();
    let mut tampered = saved.clone();
    tampered["state"]["step"]["ledger"]["open"] = json!(3);
    let e = live_from_json(&tampered.to_string()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the live state is corrupt: its checksum does not match its content"
    );
    // Changes under a recomputed checksum are caught by the state's own checks.
    let changes: [(&StateChange, &str); 4] = [
        (
            &|s| s["step"]["ledger"]["open"] = json!(3),
            "its cash ledger does not match its accounts",
        ),
        (
            &|s| {
                s["own_bars"]
                    .as_array_mut()
                    .unwrap()
                    .pop()
                    .map(drop)
                    .unwrap()
            },
            "per-asset entries for 4 assets",
        ),
        (
            &|s| {
                s["step"]["returns"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!(0.5))
            },
            "returns and 50 bars where its metrics count",
        ),
        (
            &|s| s["dates"].as_array_mut().unwrap().truncate(3),
            "it has 3 dates for 50 bars",
        ),
    ];
    for (change, message) in changes {
        let mut body = saved.clone();
        change(&mut body["state"]);
        let e = live_from_json(&resealed(body)).unwrap_err();
        assert_eq!(e.code(), "invalid_state");
        assert!(
            e.to_string().starts_with("the live state is corrupt: ")
                && e.to_string().contains(message),
            "{e} / {message}"
        );
    }
    let e = live_from_json(&text.replace("\"version\":1", "\"version\":2")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "live state version 2 cannot be read: this engine reads version 1"
    );
}

type StateChange = dyn Fn(&mut Value);

/// A saved state with its checksum made again (FNV-1a over the body with sorted keys, as the
/// engines write it): only the state's own checks can refuse it.
fn resealed(mut saved: Value) -> String {
    fn canonical(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::from(k.as_str()).to_string());
                    out.push(':');
                    canonical(&m[k], out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    canonical(item, out);
                }
                out.push(']');
            }
            scalar => out.push_str(&scalar.to_string()),
        }
    }
    let mut text = String::new();
    canonical(
        &json!({"request": saved["request"], "state": saved["state"]}),
        &mut text,
    );
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    saved["checksum"] = json!(format!("{h:016x}"));
    saved.to_string()
}
