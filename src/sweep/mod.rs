//! Sweeps: one strategy over many combinations of its params (docs/CONVENTIONS.md, "Params"),
//! each distinct indicator computed once, combinations spread over a [`WorkerPool`].

use crate::api::Value;
use crate::data::MarketData;
use crate::error::{BacktestError, ErrorKind, Result};
use crate::execution::run::{run, Details, Effective};
use crate::execution::ExecSettings;
use crate::metrics::Metrics;
use crate::pool::WorkerPool;
use crate::strategy::bind::{check_one, has_param_relations};
use crate::strategy::signals::Sweep;
use crate::strategy::tree::Bindings;
use crate::strategy::{bind_values, Condition, Num, Series, SeriesTable, Strategy};

fn grid_error(message: String) -> BacktestError {
    BacktestError::new(ErrorKind::Grid, message)
}

/// The combinations of a sweep, in order.
#[derive(Debug, Clone)]
pub enum Combinations {
    /// Every combination of these value lists (first outermost) whose flat index is kept.
    Product {
        values: Vec<Vec<Value>>,
        kept: Vec<usize>,
    },
    /// Explicit rows (a constraint the caller applied itself).
    Rows(Vec<Vec<Value>>),
}

/// A checked sweep: the strategy with its placeholders, the param names, the combinations.
#[derive(Debug, Clone)]
pub struct SweepPlan {
    pub strategy: Strategy,
    pub names: Vec<String>,
    pub combinations: Combinations,
    pub settings: ExecSettings,
}

impl SweepPlan {
    pub fn len(&self) -> usize {
        match &self.combinations {
            Combinations::Product { kept, .. } => kept.len(),
            Combinations::Rows(rows) => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`-th combination's values, in `names` order.
    pub fn combination(&self, i: usize) -> Vec<Value> {
        match &self.combinations {
            Combinations::Rows(rows) => rows[i].clone(),
            Combinations::Product { values, kept } => product_at(values, kept[i]),
        }
    }
}

fn product_at(values: &[Vec<Value>], mut flat: usize) -> Vec<Value> {
    let mut out = vec![Value::Null; values.len()];
    for (slot, list) in out.iter_mut().zip(values).rev() {
        *slot = list[flat % list.len()].clone();
        flat /= list.len();
    }
    out
}

/// Checks `params` (an object of name -> list of numbers) and expands it, keeping the
/// combinations where `constraint` holds (the strategy's own when `None`).
pub fn plan_sweep(
    strategy: Strategy,
    params: &Value,
    constraint: Option<Condition>,
    settings: ExecSettings,
) -> Result<SweepPlan> {
    let Value::Map(entries) = params else {
        return Err(grid_error(format!(
            "params must be an object of name to list of values, got {}",
            params.describe()
        )));
    };
    if entries.is_empty() {
        return Err(grid_error("params is empty".into()));
    }
    let mut names = Vec::new();
    let mut values = Vec::new();
    for (name, list) in entries {
        let Value::List(items) = list else {
            return Err(grid_error(format!(
                "params['{name}'] must be a list of numbers, got {}",
                list.describe()
            )));
        };
        if items.is_empty() {
            return Err(grid_error(format!("params['{name}'] is empty")));
        }
        for (i, v) in items.iter().enumerate() {
            if v.as_number().is_none() {
                return Err(grid_error(format!(
                    "params['{name}'][{i}] must be a number, got {}",
                    v.describe()
                )));
            }
        }
        names.push(name.clone());
        values.push(items.clone());
    }
    crate::strategy::check_param_names(&strategy, names.iter().map(String::as_str))?;
    let constraint = constraint.or_else(|| strategy.constraint.clone());
    let total = values.iter().map(Vec::len).product::<usize>();
    let kept: Vec<usize> = (0..total)
        .filter(|&flat| {
            constraint.as_ref().is_none_or(|c| {
                let row = product_at(&values, flat);
                holds(c, &names, &row)
            })
        })
        .collect();
    SweepPlan::checked(
        strategy,
        names,
        Combinations::Product { values, kept },
        settings,
    )
}

/// A sweep over explicit rows of values (in `names` order), already filtered by the caller.
pub fn plan_rows(
    strategy: Strategy,
    names: Vec<String>,
    rows: Vec<Vec<Value>>,
    settings: ExecSettings,
) -> Result<SweepPlan> {
    crate::strategy::check_param_names(&strategy, names.iter().map(String::as_str))?;
    SweepPlan::checked(strategy, names, Combinations::Rows(rows), settings)
}

impl SweepPlan {
    /// A plan with at least one combination, each of which binds (every value checked where
    /// it is used) and suits the direction, before any runs.
    fn checked(
        strategy: Strategy,
        names: Vec<String>,
        combinations: Combinations,
        settings: ExecSettings,
    ) -> Result<Self> {
        let plan = SweepPlan {
            strategy,
            names,
            combinations,
            settings,
        };
        if plan.is_empty() {
            return Err(grid_error(
                "the constraint leaves no combination of params".into(),
            ));
        }
        // The first combination, then the sides (which no param changes), as a run checks them.
        bind_values(&plan.strategy, &plan.names, &plan.combination(0))?;
        crate::strategy::check_sides(&plan.strategy, plan.settings.direction)?;
        // When no value's checks depend on another's, each value of each param is checked once
        // (not once per combination); any failure is then found again combination by
        // combination, so the message is the first one in sweep order.
        let each_value_valid = match &plan.combinations {
            Combinations::Product { values, .. } if !has_param_relations(&plan.strategy) => {
                values.iter().enumerate().all(|(k, list)| {
                    list.iter()
                        .all(|v| check_one(&plan.strategy, &plan.names, k, v).is_ok())
                })
            }
            _ => false,
        };
        if !each_value_valid {
            for i in 0..plan.len() {
                bind_values(&plan.strategy, &plan.names, &plan.combination(i))?;
            }
        }
        Ok(plan)
    }
}

/// Whether a constraint holds for one combination.
fn holds(c: &Condition, names: &[String], row: &[Value]) -> bool {
    let value = |s: &Series| match s {
        Series::Const(Num::Lit(x)) => *x,
        Series::Const(Num::Param(name)) => names
            .iter()
            .position(|n| n == name)
            .and_then(|i| row[i].as_number())
            .unwrap_or(f64::NAN),
        _ => f64::NAN,
    };
    match c {
        Condition::Compare { op, a, b } => op.holds(value(a), value(b)),
        Condition::And(parts) => parts.iter().all(|p| holds(p, names, row)),
        Condition::Or(parts) => parts.iter().any(|p| holds(p, names, row)),
        Condition::Not(inner) => !holds(inner, names, row),
    }
}

/// Metrics of every combination of `sweep`, in order. Memory: the series table plus a buffer
/// of returns per worker; nothing per combination but its metrics.
pub fn run_metrics(
    data: &MarketData,
    sweep: &Sweep<'_>,
    settings: &ExecSettings,
    pool: &WorkerPool,
    table: &mut SeriesTable,
) -> Vec<Metrics> {
    table.fill_from(data, sweep, pool);
    let table = &*table;
    // Each worker reuses its buffers of returns and signal words.
    let scratch = || (Vec::new(), Vec::new());
    pool.map_with(sweep.count, scratch, |i, (returns, buffers)| {
        let values = (sweep.values_at)(i);
        let words = table.words(data, sweep.strategy, &Bindings::new(sweep.names, &values));
        let buffers_in = std::mem::take(buffers);
        let mut signals =
            Effective::with_buffers(words, settings.direction, data.len(), buffers_in);
        let metrics = run(data, &mut signals, settings, returns, None);
        *buffers = signals.into_buffers();
        metrics
    })
}

/// Full runs (trades and equity) of every combination of `sweep`, in order.
pub(crate) fn run_details(
    data: &MarketData,
    sweep: &Sweep<'_>,
    settings: &ExecSettings,
    pool: &WorkerPool,
    table: &mut SeriesTable,
) -> Vec<(Metrics, Details)> {
    table.fill_from(data, sweep, pool);
    let table = &*table;
    pool.map_with(
        sweep.count,
        || (),
        |i, _| {
            let values = (sweep.values_at)(i);
            let words = table.words(data, sweep.strategy, &Bindings::new(sweep.names, &values));
            let mut signals = Effective::new(words, settings.direction, data.len());
            let mut details = Details::default();
            let m = run(
                data,
                &mut signals,
                settings,
                &mut Vec::new(),
                Some(&mut details),
            );
            (m, details)
        },
    )
}
