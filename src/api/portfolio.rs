//! The portfolio request (SPEC part 10): a universe, one strategy or one per symbol, the
//! settings (with `max_positions`), and its result.

use serde::ser::{SerializeMap, Serializer};

use super::{entries, serialize_pairs, Value};
use crate::error::{BacktestError, ErrorKind, Result};
use crate::execution::run::Effective;
use crate::execution::settings::{apply_settings, check_names_among, SizeType};
use crate::execution::{ExecSettings, Trade};
use crate::metrics::Metrics;
use crate::pool::WorkerPool;
use crate::portfolio::{run, AssetSummary, PortfolioRun, Universe};
use crate::strategy::names::nearest;
use crate::strategy::parse::STRATEGY_KEYS;
use crate::strategy::signals::Sweep;
use crate::strategy::tree::Bindings;
use crate::strategy::{
    bind, check_param_names, check_sides, parse_strategy, SeriesTable, Strategy,
};
use crate::sweep::SweepPlan;
use crate::timing::Stopwatch;

use super::{Entries, SweepOutput, SweepRows};

/// A closed trade of a portfolio: its asset, then the trade (union bars and dates).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PortfolioTrade {
    pub symbol: String,
    #[serde(flatten)]
    pub trade: Trade,
}

/// The result of one portfolio run.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PortfolioOutput {
    pub metrics: Metrics,
    pub trades: Vec<PortfolioTrade>,
    /// The union's dates: one per value of the curves below.
    pub dates: Vec<String>,
    pub equity_curve: Vec<f64>,
    pub cash: Vec<f64>,
    pub assets: Vec<AssetSummary>,
    /// Symbol -> the signed value of its position on each union bar.
    #[serde(serialize_with = "serialize_columns")]
    pub position_values: Vec<(String, Vec<f64>)>,
    #[serde(serialize_with = "serialize_pairs")]
    pub params: Vec<(String, Value)>,
    pub execution_time_ms: f64,
}

fn serialize_columns<S: Serializer>(
    columns: &[(String, Vec<f64>)],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(columns.len()))?;
    for (k, v) in columns {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

fn parameter_error(message: String) -> BacktestError {
    BacktestError::new(ErrorKind::Parameter, message)
}

/// A portfolio request read and checked against a universe's symbols, ready to run.
#[derive(Debug, Clone)]
pub struct PreparedPortfolio {
    /// Per asset in universe order: its bound strategy and settings.
    assets: Vec<(Strategy, ExecSettings)>,
    slots: Option<usize>,
    params: Vec<(String, Value)>,
}

/// `max_positions`: an integer >= 1.
fn read_slots(v: &Value) -> Result<usize> {
    match v {
        Value::Int(k) if *k >= 1 => Ok(usize::try_from(*k).unwrap_or(usize::MAX)),
        other => Err(parameter_error(format!(
            "max_positions must be an integer >= 1, got {}",
            other.describe()
        ))),
    }
}

/// The settings a portfolio takes besides the single-asset ones.
pub const PORTFOLIO_SETTING_NAMES: [&str; 1] = ["max_positions"];

/// The single-asset settings and `max_positions` (names checked first, among both).
fn split_settings(settings: &Value) -> Result<(Entries, Option<usize>)> {
    let mut settings = entries(settings, "settings")?;
    check_names_among(&settings, None, &PORTFOLIO_SETTING_NAMES)?;
    let slots = match settings.iter().position(|(k, _)| k == "max_positions") {
        Some(i) => Some(read_slots(&settings.remove(i).1)?),
        None => None,
    };
    Ok((settings, slots))
}

/// Equal slots size every entry themselves: `size` and `size_type` must stay the defaults.
fn check_slots_sizing(slots: Option<usize>, s: &ExecSettings, symbol: &str) -> Result<()> {
    if slots.is_some() && (s.size_type != SizeType::Percent || s.size != 1.0) {
        return Err(parameter_error(format!(
            "max_positions and size cannot be combined (asset '{symbol}'): with max_positions = k an entry gets cash / (k - open positions)"
        )));
    }
    Ok(())
}

/// The strategy of each symbol, in universe order: one for all, or a map symbol -> strategy
/// that names every symbol and no other.
fn strategies_by_asset<'a>(
    symbols: &[&str],
    strategy: &'a Value,
) -> Result<Vec<(&'a Value, Option<&'a str>)>> {
    let per_symbol = match strategy {
        Value::Map(e)
            if !e.is_empty() && !e.iter().any(|(k, _)| STRATEGY_KEYS.contains(&k.as_str())) =>
        {
            e
        }
        one => return Ok(vec![(one, None); symbols.len()]),
    };
    for (k, _) in per_symbol {
        if !symbols.contains(&k.as_str()) {
            return Err(BacktestError::new(
                ErrorKind::Strategy,
                format!(
                    "strategy for unknown symbol '{k}'; did you mean '{}'? (a strategy object has the keys entry, exit, short_entry, short_exit, settings, constraint)",
                    nearest(k, symbols.iter().copied())
                ),
            ));
        }
    }
    symbols
        .iter()
        .map(|&symbol| match per_symbol.iter().find(|(k, _)| k == symbol) {
            Some((k, v)) => Ok((v, Some(k.as_str()))),
            None => Err(BacktestError::new(
                ErrorKind::Strategy,
                format!("no strategy for symbol '{symbol}': a dict of strategies names every symbol of the universe"),
            )),
        })
        .collect()
}

impl PreparedPortfolio {
    pub fn new(
        universe: &Universe,
        strategy: &Value,
        settings: &Value,
        params: &Value,
    ) -> Result<Self> {
        let symbols: Vec<&str> = universe.symbols().collect();
        Self::for_symbols(&symbols, strategy, settings, params)
    }

    /// The request checked against the `symbols` of a universe, in its order (distinct).
    pub fn for_symbols(
        symbols: &[&str],
        strategy: &Value,
        settings: &Value,
        params: &Value,
    ) -> Result<Self> {
        let mut settings = entries(settings, "settings")?;
        check_names_among(&settings, None, &["max_positions"])?;
        let slots = match settings.iter().position(|(k, _)| k == "max_positions") {
            Some(i) => Some(read_slots(&settings.remove(i).1)?),
            None => None,
        };
        let params = entries(params, "params")?;
        let by_asset = strategies_by_asset(symbols, strategy)?;
        let parsed = by_asset
            .iter()
            .map(|(v, symbol)| parse_strategy(v).map_err(|e| for_symbol(*symbol, e)))
            .collect::<Result<Vec<_>>>()?;
        let mut assets = Vec::with_capacity(parsed.len());
        for (strategy, (_, symbol)) in parsed.iter().zip(&by_asset) {
            // Each strategy of a per-symbol dict takes the params it uses (every param must be
            // used by one of them, checked below).
            let own: Vec<(String, Value)> = match symbol {
                None => params.clone(),
                Some(_) => params
                    .iter()
                    .filter(|(n, _)| strategy.params.iter().any(|(p, _)| p == n))
                    .cloned()
                    .collect(),
            };
            // The call's settings are not the symbol's: their refusal names no symbol.
            let base = apply_settings(
                &ExecSettings::default(),
                &strategy.settings,
                "strategy.settings.",
            )
            .map_err(|e| for_symbol(*symbol, e))?;
            let exec = apply_settings(&base, &settings, "")?;
            let prepared = (|| {
                check_sides(strategy, exec.direction)?;
                check_param_names(strategy, own.iter().map(|(n, _)| n.as_str()))?;
                Ok((bind(strategy, &own)?, exec))
            })()
            .map_err(|e| for_symbol(*symbol, e))?;
            assets.push(prepared);
        }
        let per_symbol = by_asset.iter().all(|(_, s)| s.is_some());
        if per_symbol {
            let all: Vec<&str> = parsed
                .iter()
                .flat_map(|s| s.params.iter().map(|(n, _)| n.as_str()))
                .collect();
            if let Some((name, _)) = params.iter().find(|(n, _)| !all.contains(&n.as_str())) {
                return Err(BacktestError::new(
                    ErrorKind::Grid,
                    if all.is_empty() {
                        format!("unknown param '{name}'; the strategies have no params")
                    } else {
                        format!(
                            "unknown param '{name}'; did you mean '{}'?",
                            nearest(name, all)
                        )
                    },
                ));
            }
        }
        let first = assets[0].1;
        for ((_, s), symbol) in assets.iter().zip(symbols) {
            for (name, a, b) in [
                ("initial_capital", s.initial_capital, first.initial_capital),
                (
                    "periods_per_year",
                    s.periods_per_year,
                    first.periods_per_year,
                ),
            ] {
                if a != b {
                    return Err(parameter_error(format!(
                        "the strategy for '{symbol}' sets {name} to {a:?} but the portfolio's is {b:?}: one cash account has one {name}"
                    )));
                }
            }
            check_slots_sizing(slots, s, symbol)?;
        }
        Ok(Self {
            assets,
            slots,
            params,
        })
    }

    /// Runs on `universe` (the one the request was checked against).
    pub fn run(&self, universe: &Universe) -> PortfolioOutput {
        let (r, ms) = self.run_raw(universe);
        let (data, dates) = (universe.assets(), universe.dates());
        let trades = r
            .trades
            .iter()
            .map(|(i, t)| PortfolioTrade {
                symbol: data[*i].symbol().to_string(),
                trade: t.with_dates(dates),
            })
            .collect();
        let position_values = data
            .iter()
            .map(|d| d.symbol().to_string())
            .zip(r.position_columns())
            .collect();
        PortfolioOutput {
            metrics: r.metrics,
            trades,
            dates: dates.to_vec(),
            equity_curve: r.equity,
            cash: r.cash,
            assets: r.assets,
            position_values,
            params: self.params.clone(),
            execution_time_ms: ms,
        }
    }

    /// The run as the core makes it (trades with their asset's index, positions bar-major) and
    /// its time in ms: for a door that writes its own columns.
    pub fn run_raw(&self, universe: &Universe) -> (PortfolioRun, f64) {
        self.run_raw_on(universe, &WorkerPool::new(Some(1)))
    }

    /// [`run_raw`](Self::run_raw) with each asset's indicators computed on `pool` (the run
    /// itself is one sequence of bars).
    pub fn run_raw_on(&self, universe: &Universe, pool: &WorkerPool) -> (PortfolioRun, f64) {
        let clock = Stopwatch::start();
        let data = universe.assets();
        let tables = pool.map_with(
            data.len(),
            || (),
            |i, _| {
                let mut table = SeriesTable::new();
                table.fill(&data[i], &self.assets[i].0, &Bindings::NONE);
                table
            },
        );
        let mut signals: Vec<_> = tables
            .iter()
            .zip(data)
            .zip(&self.assets)
            .map(|((table, d), (strategy, s))| {
                Effective::new(
                    table.words(d, strategy, &Bindings::NONE),
                    s.direction,
                    d.len(),
                )
            })
            .collect();
        let settings: Vec<ExecSettings> = self.assets.iter().map(|(_, s)| *s).collect();
        let r = run::run(universe, &mut signals, &settings, self.slots, true);
        (r, clock.elapsed_ms())
    }

    /// The params the strategies were bound with.
    pub fn params(&self) -> &[(String, Value)] {
        &self.params
    }

    /// Per asset in universe order: its bound strategy and settings.
    pub(crate) fn assets(&self) -> &[(Strategy, ExecSettings)] {
        &self.assets
    }

    /// `max_positions`, if set.
    pub(crate) fn slots(&self) -> Option<usize> {
        self.slots
    }
}

/// A refusal of one symbol's strategy, with the symbol named first.
fn for_symbol(symbol: Option<&str>, e: BacktestError) -> BacktestError {
    match symbol {
        None => e,
        Some(s) => BacktestError::new(e.kind(), format!("strategy for '{s}': {e}")),
    }
}

/// One portfolio run.
pub fn run_portfolio(
    universe: &Universe,
    strategy: &Value,
    settings: &Value,
    params: &Value,
) -> Result<PortfolioOutput> {
    let clock = Stopwatch::start();
    let mut out = PreparedPortfolio::new(universe, strategy, settings, params)?.run(universe);
    out.execution_time_ms = clock.elapsed_ms();
    Ok(out)
}

/// A portfolio sweep: one strategy with placeholders for every asset, its combinations, and
/// the portfolio's `max_positions`.
#[derive(Debug, Clone)]
pub struct PortfolioSweepPlan {
    pub plan: SweepPlan,
    pub slots: Option<usize>,
}

impl PortfolioSweepPlan {
    pub fn len(&self) -> usize {
        self.plan.len()
    }

    pub fn is_empty(&self) -> bool {
        self.plan.is_empty()
    }
}

/// Plans a portfolio sweep (as [`super::plan`] plans one asset's, `max_positions` aside).
pub fn plan_portfolio(
    universe: &Universe,
    strategy: &Value,
    settings: &Value,
    params: &Value,
    constraint: &Value,
    rows: Option<SweepRows>,
) -> Result<PortfolioSweepPlan> {
    let (settings, slots) = split_settings(settings)?;
    if let Value::Map(e) = strategy {
        if !e.is_empty() && !e.iter().any(|(k, _)| STRATEGY_KEYS.contains(&k.as_str())) {
            return Err(BacktestError::new(
                ErrorKind::Strategy,
                "a portfolio sweep takes one strategy for every asset; a dict of strategies is for one run".to_string(),
            ));
        }
    }
    let plan = super::plan(strategy, &Value::Map(settings), params, constraint, rows)?;
    let first = universe.symbols().next().unwrap_or_default();
    check_slots_sizing(slots, &plan.settings, first)?;
    Ok(PortfolioSweepPlan { plan, slots })
}

/// Rows `range` of a portfolio sweep: each distinct indicator computed once per asset (in
/// `tables`, one per asset, kept between chunks), the combinations spread over `pool`.
pub fn run_portfolio_sweep_range(
    universe: &Universe,
    sweep: &PortfolioSweepPlan,
    range: std::ops::Range<usize>,
    pool: &WorkerPool,
    tables: &mut Vec<SeriesTable>,
) -> SweepOutput {
    let plan = &sweep.plan;
    let data = universe.assets();
    tables.resize_with(data.len(), SeriesTable::new);
    let range = range.start.min(plan.len())..range.end.min(plan.len());
    let start = range.start;
    let values_at = |i| plan.combination(start + i);
    let combinations = Sweep {
        strategy: &plan.strategy,
        names: &plan.names,
        count: range.len(),
        values_at: &values_at,
    };
    for (table, d) in tables.iter_mut().zip(data) {
        table.fill_from(d, &combinations, pool);
    }
    let tables = &*tables;
    let settings = vec![plan.settings; data.len()];
    let metrics = pool.map_with(
        range.len(),
        || (),
        |i, _| {
            let values = values_at(i);
            let b = Bindings::new(&plan.names, &values);
            let mut signals: Vec<_> = tables
                .iter()
                .zip(data)
                .map(|(t, d)| {
                    Effective::new(
                        t.words(d, &plan.strategy, &b),
                        plan.settings.direction,
                        d.len(),
                    )
                })
                .collect();
            run::run(universe, &mut signals, &settings, sweep.slots, false).metrics
        },
    );
    super::sweep_output(plan, range, metrics)
}
