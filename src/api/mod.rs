//! The wire API every door calls: requests as [`Value`]s in, results as serde structs out.
//! A door converts (pythonize, serde-wasm-bindgen) and calls these; nothing else.

mod live;
mod live_portfolio;
mod portfolio;
mod value;
mod walk;

pub use live::{live_from_json, LiveBacktest, SavedLive, LIVE_STATE_FORMAT, LIVE_STATE_VERSION};
pub use live_portfolio::LivePortfolioBacktest;
pub use portfolio::{
    plan_portfolio, run_portfolio, run_portfolio_sweep_range, PortfolioOutput, PortfolioSweepPlan,
    PortfolioTrade, PreparedPortfolio, PORTFOLIO_SETTING_NAMES,
};

pub(crate) use value::BIG_NUMBER_TOKEN;
pub use value::{key_shown, key_text, Value};
pub use walk::{
    plan_portfolio_walk, plan_walk, run_portfolio_walk_forward, run_walk_forward,
    PortfolioWalkOutput, PortfolioWalkPlan, WalkForwardOutput, WalkPlan, WalkWindowOutput,
};

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::bits::Bits;
use crate::data::MarketData;
use crate::error::{BacktestError, ErrorKind, Result};
use crate::execution::run::{run, Details, Effective, SetWords, SignalWords};
use crate::execution::settings::{apply_settings, check_setting_names};
use crate::execution::{Direction, ExecSettings, SignalSet, Trade};
use crate::metrics::Metrics;
use crate::pool::WorkerPool;
use crate::strategy::signals::Sweep;
use crate::strategy::tree::Bindings;
use crate::strategy::{
    bind, check_param_names, check_sides, parse_strategy, SeriesTable, Strategy,
};
use crate::sweep::{self, SweepPlan};
use crate::timing::Stopwatch;

/// An object's entries, in order.
pub type Entries = Vec<(String, Value)>;

/// A sweep's explicit rows: the param names and each row's values in their order.
pub type SweepRows = (Vec<String>, Vec<Vec<Value>>);

/// The result of one run.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BacktestOutput {
    pub metrics: Metrics,
    pub trades: Vec<Trade>,
    pub equity_curve: Vec<f64>,
    #[serde(serialize_with = "serialize_pairs")]
    pub params: Vec<(String, Value)>,
    pub execution_time_ms: f64,
}

fn serialize_pairs<S: Serializer>(
    pairs: &[(String, Value)],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

fn entries(v: &Value, what: &str) -> Result<Vec<(String, Value)>> {
    match v {
        Value::Map(e) => Ok(e.clone()),
        Value::Null => Ok(Vec::new()),
        other => Err(BacktestError::new(
            ErrorKind::Parameter,
            format!("{what} must be an object, got {}", other.describe()),
        )),
    }
}

/// The strategy checked, and the run's settings over its own, in the documented order.
pub fn prepare(strategy: &Value, settings: &Value) -> Result<(Strategy, ExecSettings)> {
    let strategy = parse_strategy(strategy)?;
    let settings = entries(settings, "settings")?;
    check_setting_names(&settings, None)?;
    let base = apply_settings(
        &ExecSettings::default(),
        &strategy.settings,
        "strategy.settings.",
    )?;
    let exec = apply_settings(&base, &settings, "")?;
    Ok((strategy, exec))
}

/// One backtest of a strategy tree with its params bound.
pub fn run_backtest(
    data: &MarketData,
    strategy: &Value,
    settings: &Value,
    params: &Value,
) -> Result<BacktestOutput> {
    let clock = Stopwatch::start();
    let mut out = PreparedBacktest::new(strategy, settings, params)?.run(data);
    out.execution_time_ms = clock.elapsed_ms();
    Ok(out)
}

/// A backtest request checked and bound, ready to run on any bars: a door that runs the same
/// strategy again (a dashboard on new bars, a benchmark loop) keeps one and skips reading and
/// checking the request each time.
#[derive(Debug, Clone)]
pub struct PreparedBacktest {
    pub(crate) strategy: Strategy,
    pub(crate) settings: ExecSettings,
    pub(crate) params: Vec<(String, Value)>,
}

impl PreparedBacktest {
    pub fn new(strategy: &Value, settings: &Value, params: &Value) -> Result<Self> {
        let (strategy, settings) = prepare(strategy, settings)?;
        let params = entries(params, "params")?;
        check_param_names(&strategy, params.iter().map(|(n, _)| n.as_str()))?;
        let strategy = bind(&strategy, &params)?;
        check_sides(&strategy, settings.direction)?;
        Ok(Self {
            strategy,
            settings,
            params,
        })
    }

    pub fn run(&self, data: &MarketData) -> BacktestOutput {
        let clock = Stopwatch::start();
        let mut out = run_bound(
            data,
            &self.strategy,
            &Bindings::NONE,
            &self.settings,
            &mut SeriesTable::new(),
        );
        out.params = self.params.clone();
        out.execution_time_ms = clock.elapsed_ms();
        out
    }
}

/// A bound strategy's full run (the seed API calls this too).
pub fn run_bound(
    data: &MarketData,
    strategy: &Strategy,
    bindings: &Bindings<'_>,
    settings: &ExecSettings,
    table: &mut SeriesTable,
) -> BacktestOutput {
    table.fill(data, strategy, bindings);
    full_run(data, table.words(data, strategy, bindings), settings)
}

fn full_run(
    data: &MarketData,
    signals: impl SignalWords,
    settings: &ExecSettings,
) -> BacktestOutput {
    let mut signals = Effective::new(signals, settings.direction, data.len());
    let mut details = Details::default();
    let metrics = run(
        data,
        &mut signals,
        settings,
        &mut Vec::new(),
        Some(&mut details),
    );
    output(data, metrics, details)
}

pub(crate) fn output(data: &MarketData, metrics: Metrics, details: Details) -> BacktestOutput {
    BacktestOutput {
        metrics,
        trades: details
            .trades
            .iter()
            .map(|t| t.with_dates(data.dates()))
            .collect(),
        equity_curve: details.equity,
        params: Vec::new(),
        execution_time_ms: 0.0,
    }
}

/// Raw signal arrays (`None`: never).
#[derive(Debug, Clone, Default)]
pub struct RawSignals {
    pub entries: Option<Vec<bool>>,
    pub exits: Option<Vec<bool>>,
    pub short_entries: Option<Vec<bool>>,
    pub short_exits: Option<Vec<bool>>,
}

fn signals_error(m: String) -> BacktestError {
    BacktestError::new(ErrorKind::Signals, m)
}

/// A run of signals computed elsewhere (vectorbt's `from_signals` model).
pub fn run_signals(
    data: &MarketData,
    signals: &RawSignals,
    settings: &Value,
) -> Result<BacktestOutput> {
    let clock = Stopwatch::start();
    let settings = entries(settings, "settings")?;
    check_setting_names(&settings, None)?;
    let exec = apply_settings(&ExecSettings::default(), &settings, "")?;
    let n = data.len();
    let named = [
        ("entries", &signals.entries),
        ("exits", &signals.exits),
        ("short_entries", &signals.short_entries),
        ("short_exits", &signals.short_exits),
    ];
    for (name, s) in named {
        if let Some(s) = s {
            if s.len() != n {
                return Err(signals_error(format!(
                    "{name} has {} values but the data has {n} bars",
                    s.len()
                )));
            }
        }
    }
    let long = signals.entries.is_some() || signals.exits.is_some();
    let short = signals.short_entries.is_some() || signals.short_exits.is_some();
    match exec.direction {
        Direction::LongOnly if short => return Err(signals_error("short_entries/short_exits given but direction is 'long_only'; pass direction='both' or 'short_only'".into())),
        Direction::ShortOnly if long => return Err(signals_error("entries/exits given but direction is 'short_only'; pass direction='both' or 'long_only'".into())),
        _ => {}
    }
    let bits = |s: &Option<Vec<bool>>| s.as_ref().map(|v| Bits::from_fn(n, |t| v[t]));
    let set = SignalSet {
        entry: bits(&signals.entries),
        exit: bits(&signals.exits),
        short_entry: bits(&signals.short_entries),
        short_exit: bits(&signals.short_exits),
    };
    let mut out = full_run(data, SetWords::new(&set), &exec);
    out.execution_time_ms = clock.elapsed_ms();
    Ok(out)
}

/// A sweep's rows: the params, then every metric.
#[derive(Debug, Clone)]
pub struct SweepOutput {
    pub names: Vec<String>,
    /// One column per param, in `names` order.
    pub params: Vec<Vec<Value>>,
    pub metrics: Vec<Metrics>,
}

/// Plans a sweep: strategy, settings, params (name -> list) or explicit rows, constraint.
pub fn plan(
    strategy: &Value,
    settings: &Value,
    params: &Value,
    constraint: &Value,
    rows: Option<SweepRows>,
) -> Result<SweepPlan> {
    let (strategy, exec) = prepare(strategy, settings)?;
    if let Some((names, rows)) = rows {
        return sweep::plan_rows(strategy, names, rows, exec);
    }
    let constraint = if constraint.is_null() {
        None
    } else {
        // The call's own constraint is part of the sweep request (code `invalid_grid`).
        let as_grid = |e: BacktestError| BacktestError::new(ErrorKind::Grid, e.to_string());
        let mut uses = Vec::new();
        let c = crate::strategy::parse::parse_constraint(constraint, &mut uses).map_err(as_grid)?;
        if let Value::Map(entries) = params {
            let missing = uses
                .iter()
                .find(|(n, _)| !entries.iter().any(|(k, _)| k == n));
            if let Some((name, path)) = missing {
                return Err(BacktestError::new(
                    ErrorKind::Grid,
                    format!("missing value for param '{name}' (used at {path})"),
                ));
            }
        }
        Some(c)
    };
    sweep::plan_sweep(strategy, params, constraint, exec)
}

/// Runs a planned sweep on `pool`.
pub fn run_sweep(
    data: &MarketData,
    plan: &SweepPlan,
    pool: &WorkerPool,
    table: &mut SeriesTable,
) -> SweepOutput {
    run_sweep_range(data, plan, 0..plan.len(), pool, table)
}

/// Runs rows `range` of a planned sweep (a worker's chunk: chunks in order give the whole
/// sweep's rows, bit for bit).
pub fn run_sweep_range(
    data: &MarketData,
    plan: &SweepPlan,
    range: std::ops::Range<usize>,
    pool: &WorkerPool,
    table: &mut SeriesTable,
) -> SweepOutput {
    let range = range.start.min(plan.len())..range.end.min(plan.len());
    let start = range.start;
    let values_at = |i| plan.combination(start + i);
    let combinations = Sweep {
        strategy: &plan.strategy,
        names: &plan.names,
        count: range.len(),
        values_at: &values_at,
    };
    let metrics = sweep::run_metrics(data, &combinations, &plan.settings, pool, table);
    sweep_output(plan, range, metrics)
}

/// The rows `range` of `plan` with their metrics: the param columns, then the metrics.
pub(crate) fn sweep_output(
    plan: &SweepPlan,
    range: std::ops::Range<usize>,
    metrics: Vec<Metrics>,
) -> SweepOutput {
    let mut params = vec![Vec::with_capacity(range.len()); plan.names.len()];
    for i in range {
        for (col, v) in params.iter_mut().zip(plan.combination(i)) {
            col.push(v);
        }
    }
    SweepOutput {
        names: plan.names.clone(),
        params,
        metrics,
    }
}

impl Serialize for SweepOutput {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for (name, col) in self.names.iter().zip(&self.params) {
            map.serialize_entry(name, col)?;
        }
        for (i, def) in crate::metrics::METRICS.iter().enumerate() {
            let col: Vec<f64> = self
                .metrics
                .iter()
                .map(|m| m.values()[i].as_f64())
                .collect();
            map.serialize_entry(def.name, &col)?;
        }
        map.end()
    }
}
