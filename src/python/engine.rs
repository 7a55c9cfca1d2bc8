//! `Engine`: the worker pools of a Python engine and every engine call, each with the GIL
//! released (`Python::detach`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use super::convert::{
    float_array, int_array, metrics_tuple, output_dict, result_tuple, wire, PySettings,
};
use super::data::PyMarketData;
use super::errors::{detached, engine_error};
use super::portfolio::{portfolio_columns, PyUniverse};
use crate::api::{self, RawSignals, SweepOutput, Value};
use crate::strategy::SeriesTable;
use crate::{
    run_grid, run_grid_metrics, run_sma_backtest, validate_grid, BacktestError, GridColumns,
    GridPlan, MarketData, WorkerPool,
};

/// `max_workers` checked: at least 1 (the pool is then sized by [`crate::pool::threads_for`]).
fn check_workers(py: Python<'_>, max_workers: Option<i64>) -> PyResult<Option<usize>> {
    match max_workers {
        Some(w) if w < 1 => Err(engine_error(
            py,
            BacktestError::TooSmall {
                name: "max_workers".into(),
                value: w.into(),
                min: 1,
            },
        )),
        other => Ok(other.map(|w| w as usize)),
    }
}

/// The engine state a Python engine keeps: its worker pools, by `max_workers`.
#[pyclass(name = "Engine", module = "quant_backtest._native", frozen)]
pub(super) struct PyEngine {
    pools: Mutex<HashMap<Option<usize>, Arc<WorkerPool>>>,
}

impl PyEngine {
    /// Validates a grid request and picks the pool it runs on.
    fn plan(
        &self,
        py: Python<'_>,
        data: &MarketData,
        fast_periods: &[i64],
        slow_periods: &[i64],
        settings: &PySettings,
        max_workers: Option<i64>,
    ) -> PyResult<(GridPlan, Arc<WorkerPool>)> {
        let wide = |v: &[i64]| v.iter().map(|&x| i128::from(x)).collect::<Vec<_>>();
        let plan = validate_grid(
            data.len(),
            &wide(fast_periods),
            &wide(slow_periods),
            &settings.raw(),
            max_workers.map(i128::from),
        )
        .map_err(|e| engine_error(py, e))?;
        let pool = self.pool(crate::pool::threads_for(plan.max_workers, plan.pairs.len()));
        Ok((plan, pool))
    }

    fn pool(&self, max_workers: Option<usize>) -> Arc<WorkerPool> {
        let mut pools = self.pools.lock().unwrap_or_else(|e| e.into_inner());
        pools
            .entry(max_workers)
            .or_insert_with(|| Arc::new(WorkerPool::new(max_workers)))
            .clone()
    }
}

#[pymethods]
impl PyEngine {
    #[new]
    fn new() -> Self {
        Self {
            pools: Mutex::new(HashMap::new()),
        }
    }

    /// Threads a grid with this `max_workers` would use.
    #[pyo3(signature = (max_workers=None))]
    fn threads(&self, max_workers: Option<usize>) -> usize {
        self.pool(crate::pool::threads_for(max_workers, usize::MAX))
            .threads()
    }

    /// Drops the pools this engine made (their threads end).
    fn close(&self) {
        self.pools.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    fn backtest<'py>(
        &self,
        py: Python<'py>,
        data: &PyMarketData,
        fast_period: i64,
        slow_period: i64,
        settings: PySettings,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let settings = settings.raw();
        let data = &data.inner;
        let result = detached(py, || {
            run_sma_backtest(data, fast_period.into(), slow_period.into(), &settings)
        })?;
        result_tuple(py, result)
    }

    /// A grid as a list of per-pair tuples: full results with `details`, else
    /// (fast, slow, metrics, execution_time_ms).
    #[allow(clippy::too_many_arguments)]
    fn grid<'py>(
        &self,
        py: Python<'py>,
        data: &PyMarketData,
        fast_periods: Vec<i64>,
        slow_periods: Vec<i64>,
        settings: PySettings,
        max_workers: Option<i64>,
        details: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let data = &data.inner;
        let (plan, pool) = self.plan(
            py,
            data,
            &fast_periods,
            &slow_periods,
            &settings,
            max_workers,
        )?;
        if details {
            let results = py.detach(|| run_grid(data, &plan, &pool));
            let items = results
                .into_iter()
                .map(|r| result_tuple(py, r))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)
        } else {
            let rows = py.detach(|| run_grid_metrics(data, &plan, &pool));
            let items = rows
                .iter()
                .map(|r| {
                    (
                        r.fast_period,
                        r.slow_period,
                        metrics_tuple(py, &r.metrics)?,
                        r.execution_time_ms,
                    )
                        .into_pyobject(py)
                })
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)
        }
    }

    /// One backtest of a strategy tree: a dict of metrics, trades, equity_curve (numpy when
    /// numpy is present), params and execution_time_ms.
    fn run_strategy<'py>(
        &self,
        py: Python<'py>,
        data: &PyMarketData,
        strategy: &Bound<'py, PyAny>,
        settings: &Bound<'py, PyAny>,
        params: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (strategy, settings, params) =
            (wire(py, strategy)?, wire(py, settings)?, wire(py, params)?);
        let data = &data.inner;
        let out = detached(py, || {
            api::run_backtest(data, &strategy, &settings, &params)
        })?;
        output_dict(py, out)
    }

    /// The combinations a sweep runs, in order (the constraint applied): the param names and
    /// each row's values, for a caller that splits the sweep into chunks of rows.
    fn sweep_rows<'py>(
        &self,
        py: Python<'py>,
        strategy: &Bound<'py, PyAny>,
        settings: &Bound<'py, PyAny>,
        params: &Bound<'py, PyAny>,
        constraint: &Bound<'py, PyAny>,
    ) -> PyResult<(Vec<String>, Bound<'py, PyAny>)> {
        let r = SweepRequest::read(py, [strategy, settings, params, constraint], None, None)?;
        let plan = detached(py, || {
            api::plan(&r.strategy, &r.settings, &r.params, &r.constraint, None)
        })?;
        let rows: Vec<Value> = (0..plan.len())
            .map(|i| Value::List(plan.combination(i)))
            .collect();
        Ok((plan.names.clone(), pythonize::pythonize(py, &rows)?))
    }

    /// A walk-forward (SPEC part 12): the sweep's request (as `sweep` takes it) and the walk's
    /// options (`train`, `test`, `step`, `anchored`, `maximize`); the result as plain values.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (data, strategy, settings, params, constraint, names, rows, options, max_workers))]
    fn walk_forward<'py>(
        &self,
        py: Python<'py>,
        data: &PyMarketData,
        strategy: &Bound<'py, PyAny>,
        settings: &Bound<'py, PyAny>,
        params: &Bound<'py, PyAny>,
        constraint: &Bound<'py, PyAny>,
        names: Option<Vec<String>>,
        rows: Option<&Bound<'py, PyAny>>,
        options: &Bound<'py, PyAny>,
        max_workers: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let r = SweepRequest::read(py, [strategy, settings, params, constraint], names, rows)?;
        let options = wire(py, options)?;
        let workers = check_workers(py, max_workers)?;
        let data = &data.inner;
        let plan = detached(py, || {
            api::plan_walk(
                &r.strategy,
                &r.settings,
                &r.params,
                &r.constraint,
                r.rows,
                &options,
            )
        })?;
        let pool = self.pool(crate::pool::threads_for(workers, plan.sweep.len()));
        let out = detached(py, || {
            api::run_walk_forward(data, &plan, &pool, &mut SeriesTable::new())
        })?;
        Ok(pythonize::pythonize(py, &out)?)
    }

    /// A walk-forward on a universe (CONVENTIONS "Walk-forward", "On a universe"): as
    /// `walk_forward`, one strategy for every asset (`settings` may hold `max_positions`).
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (universe, strategy, settings, params, constraint, names, rows, options, max_workers))]
    fn portfolio_walk_forward<'py>(
        &self,
        py: Python<'py>,
        universe: &PyUniverse,
        strategy: &Bound<'py, PyAny>,
        settings: &Bound<'py, PyAny>,
        params: &Bound<'py, PyAny>,
        constraint: &Bound<'py, PyAny>,
        names: Option<Vec<String>>,
        rows: Option<&Bound<'py, PyAny>>,
        options: &Bound<'py, PyAny>,
        max_workers: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let r = SweepRequest::read(py, [strategy, settings, params, constraint], names, rows)?;
        let options = wire(py, options)?;
        let workers = check_workers(py, max_workers)?;
        let universe = &universe.inner;
        let plan = detached(py, || {
            api::plan_portfolio_walk(
                universe,
                &r.strategy,
                &r.settings,
                &r.params,
                &r.constraint,
                r.rows,
                &options,
            )
        })?;
        let pool = self.pool(crate::pool::threads_for(workers, plan.sweep.len()));
        let out = detached(py, || {
            api::run_portfolio_walk_forward(universe, &plan, &pool, &mut Vec::new())
        })?;
        Ok(pythonize::pythonize(py, &out)?)
    }

    /// One portfolio run: `strategy` one tree or a dict symbol -> tree.
    fn run_portfolio<'py>(
        &self,
        py: Python<'py>,
        universe: &PyUniverse,
        strategy: &Bound<'py, PyAny>,
        settings: &Bound<'py, PyAny>,
        params: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (strategy, settings, params) =
            (wire(py, strategy)?, wire(py, settings)?, wire(py, params)?);
        let universe = &universe.inner;
        let (run, ms, prepared) = detached(py, || {
            let clock = crate::timing::Stopwatch::start();
            let prepared = api::PreparedPortfolio::new(universe, &strategy, &settings, &params)?;
            let (run, _) = prepared.run_raw(universe);
            Ok((run, clock.elapsed_ms(), prepared))
        })?;
        portfolio_columns(py, run, prepared.params(), ms)
    }

    /// A run of raw signals (lists of bools or None).
    #[allow(clippy::too_many_arguments)]
    fn run_signals<'py>(
        &self,
        py: Python<'py>,
        data: &PyMarketData,
        entries: Option<Vec<bool>>,
        exits: Option<Vec<bool>>,
        short_entries: Option<Vec<bool>>,
        short_exits: Option<Vec<bool>>,
        settings: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let settings = wire(py, settings)?;
        let signals = RawSignals {
            entries,
            exits,
            short_entries,
            short_exits,
        };
        let data = &data.inner;
        let out = detached(py, || api::run_signals(data, &signals, &settings))?;
        output_dict(py, out)
    }

    /// A sweep's columns: each param, then every metric (numpy arrays when numpy is present).
    /// `rows` (with `names`) replaces the product of `params` when a Python callable filtered
    /// the combinations.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (data, strategy, settings, params, constraint, names, rows, max_workers))]
    fn sweep<'py>(
        &self,
        py: Python<'py>,
        data: &PyMarketData,
        strategy: &Bound<'py, PyAny>,
        settings: &Bound<'py, PyAny>,
        params: &Bound<'py, PyAny>,
        constraint: &Bound<'py, PyAny>,
        names: Option<Vec<String>>,
        rows: Option<&Bound<'py, PyAny>>,
        max_workers: Option<i64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let r = SweepRequest::read(py, [strategy, settings, params, constraint], names, rows)?;
        let workers = check_workers(py, max_workers)?;
        let data = &data.inner;
        let plan = detached(py, || {
            api::plan(&r.strategy, &r.settings, &r.params, &r.constraint, r.rows)
        })?;
        let pool = self.pool(crate::pool::threads_for(workers, plan.len()));
        let out = py.detach(|| api::run_sweep(data, &plan, &pool, &mut SeriesTable::new()));
        sweep_columns(py, out)
    }

    /// A portfolio sweep's columns (as `sweep`'s), one strategy for every asset.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (universe, strategy, settings, params, constraint, names, rows, max_workers))]
    fn portfolio_sweep<'py>(
        &self,
        py: Python<'py>,
        universe: &PyUniverse,
        strategy: &Bound<'py, PyAny>,
        settings: &Bound<'py, PyAny>,
        params: &Bound<'py, PyAny>,
        constraint: &Bound<'py, PyAny>,
        names: Option<Vec<String>>,
        rows: Option<&Bound<'py, PyAny>>,
        max_workers: Option<i64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let r = SweepRequest::read(py, [strategy, settings, params, constraint], names, rows)?;
        let workers = check_workers(py, max_workers)?;
        let universe = &universe.inner;
        let plan = detached(py, || {
            api::plan_portfolio(
                universe,
                &r.strategy,
                &r.settings,
                &r.params,
                &r.constraint,
                r.rows,
            )
        })?;
        let pool = self.pool(crate::pool::threads_for(workers, plan.len()));
        let out = py.detach(|| {
            api::run_portfolio_sweep_range(universe, &plan, 0..plan.len(), &pool, &mut Vec::new())
        });
        sweep_columns(py, out)
    }

    /// A grid's metrics as a dict of columns (numpy arrays when numpy is present); no Python
    /// object per pair.
    fn grid_columns<'py>(
        &self,
        py: Python<'py>,
        data: &PyMarketData,
        fast_periods: Vec<i64>,
        slow_periods: Vec<i64>,
        settings: PySettings,
        max_workers: Option<i64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let data = &data.inner;
        let (plan, pool) = self.plan(
            py,
            data,
            &fast_periods,
            &slow_periods,
            &settings,
            max_workers,
        )?;
        let c = py.detach(|| GridColumns::from_rows(&run_grid_metrics(data, &plan, &pool)));
        let out = PyDict::new(py);
        out.set_item("fast_period", int_array(py, c.fast_period)?)?;
        out.set_item("slow_period", int_array(py, c.slow_period)?)?;
        out.set_item("total_return", float_array(py, c.total_return)?)?;
        out.set_item("annualized_return", float_array(py, c.annualized_return)?)?;
        out.set_item("volatility", float_array(py, c.volatility)?)?;
        out.set_item("sharpe_ratio", float_array(py, c.sharpe_ratio)?)?;
        out.set_item("sortino_ratio", float_array(py, c.sortino_ratio)?)?;
        out.set_item("max_drawdown", float_array(py, c.max_drawdown)?)?;
        out.set_item("trade_count", int_array(py, c.trade_count)?)?;
        out.set_item("win_rate", float_array(py, c.win_rate)?)?;
        Ok(out)
    }
}

/// A sweep request's values, read from Python.
struct SweepRequest {
    strategy: Value,
    settings: Value,
    params: Value,
    constraint: Value,
    rows: Option<api::SweepRows>,
}

impl SweepRequest {
    /// `values`: strategy, settings, params, constraint.
    fn read(
        py: Python<'_>,
        values: [&Bound<'_, PyAny>; 4],
        names: Option<Vec<String>>,
        rows: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let [strategy, settings, params, constraint] = values.map(|v| wire(py, v));
        Ok(Self {
            strategy: strategy?,
            settings: settings?,
            params: params?,
            constraint: constraint?,
            rows: read_rows(py, names, rows)?,
        })
    }
}

/// Explicit rows of a sweep (a Python constraint kept them), in `names` order.
fn read_rows(
    py: Python<'_>,
    names: Option<Vec<String>>,
    rows: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<api::SweepRows>> {
    Ok(match (names, rows) {
        (Some(names), Some(rows)) => {
            let Value::List(items) = wire(py, rows)? else {
                return Err(PyTypeError::new_err("rows must be a list of lists"));
            };
            let rows = items
                .into_iter()
                .map(|r| match r {
                    Value::List(v) => Ok(v),
                    _ => Err(PyTypeError::new_err("rows must be a list of lists")),
                })
                .collect::<PyResult<Vec<_>>>()?;
            Some((names, rows))
        }
        _ => None,
    })
}

/// A sweep's output as columns: each param (ints as int64 when all are ints), then every
/// metric (numpy arrays when numpy is present).
fn sweep_columns<'py>(py: Python<'py>, out: SweepOutput) -> PyResult<Bound<'py, PyDict>> {
    let columns = PyDict::new(py);
    for (name, col) in out.names.iter().zip(out.params) {
        if col.iter().all(|v| matches!(v, Value::Int(_))) {
            let ints: Vec<i64> = col
                .iter()
                .map(|v| match v {
                    Value::Int(i) => *i as i64,
                    _ => 0,
                })
                .collect();
            columns.set_item(name, int_array(py, ints)?)?;
        } else {
            let floats: Vec<f64> = col
                .iter()
                .map(|v| v.as_number().unwrap_or(f64::NAN))
                .collect();
            columns.set_item(name, float_array(py, floats)?)?;
        }
    }
    for (i, def) in crate::METRICS.iter().enumerate() {
        let values = out.metrics.iter().map(|m| m.values()[i]);
        if def.kind == crate::metrics::MetricKind::Int {
            let ints = values.map(|v| v.as_f64() as i64).collect();
            columns.set_item(def.name, int_array(py, ints)?)?;
        } else {
            columns.set_item(
                def.name,
                float_array(py, values.map(|v| v.as_f64()).collect())?,
            )?;
        }
    }
    Ok(columns)
}
