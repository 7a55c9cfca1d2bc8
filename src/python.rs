//! The Python door (`quant_backtest._native`): conversions only. Every engine call releases the
//! GIL (`Python::detach`) and every engine error becomes `quant_backtest.BacktestError`, a
//! `ValueError` subclass, with the engine's message.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use numpy::ndarray::ArrayView1;
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::api::{self, RawSignals, Value};
use crate::strategy::SeriesTable;
use crate::{
    generate_sample_data, run_grid, run_grid_metrics, run_sma_backtest, sample, validate_grid,
    BacktestError, BacktestResult, GridColumns, GridPlan, MarketData, Metrics, RawSettings, Trade,
    WorkerPool,
};

/// `quant_backtest._errors.BacktestError`, so both backends raise the same class.
fn engine_error(py: Python<'_>, error: BacktestError) -> PyErr {
    static CLASS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let class = CLASS.get_or_try_init(py, || {
        py.import("quant_backtest._errors")
            .and_then(|m| m.getattr("BacktestError"))
            .map(Bound::unbind)
    });
    match class {
        Ok(class) => PyErr::from_value(
            class
                .bind(py)
                .call1((error.to_string(), error.code()))
                .unwrap_or_else(|e| e.into_value(py).into_any().into_bound(py)),
        ),
        Err(_) => PyValueError::new_err(error.to_string()),
    }
}

/// Whether numpy can be imported (checked once): arrays go out as numpy arrays when it can.
fn has_numpy(py: Python<'_>) -> bool {
    static AVAILABLE: PyOnceLock<bool> = PyOnceLock::new();
    *AVAILABLE.get_or_init(py, || py.import("numpy").is_ok())
}

/// A float column from a float64 numpy array (one copy, no Python objects) or any sequence of
/// numbers. The Python layer has already named non-numbers by field and row.
fn float_column(py: Python<'_>, value: &Bound<'_, PyAny>, field: &str) -> PyResult<Vec<f64>> {
    if has_numpy(py) {
        if let Ok(array) = value.extract::<PyReadonlyArray1<'_, f64>>() {
            return Ok(match array.as_slice() {
                Ok(slice) => slice.to_vec(),
                Err(_) => array.as_array().to_vec(),
            });
        }
    }
    value
        .extract::<Vec<f64>>()
        .map_err(|_| PyTypeError::new_err(format!("{field} must be a sequence of numbers")))
}

fn float_array<'py>(py: Python<'py>, values: Vec<f64>) -> PyResult<Bound<'py, PyAny>> {
    if has_numpy(py) {
        Ok(PyArray1::from_vec(py, values).into_any())
    } else {
        Ok(PyList::new(py, values)?.into_any())
    }
}

fn int_array<'py>(py: Python<'py>, values: Vec<i64>) -> PyResult<Bound<'py, PyAny>> {
    if has_numpy(py) {
        Ok(PyArray1::from_vec(py, values).into_any())
    } else {
        Ok(PyList::new(py, values)?.into_any())
    }
}

/// A Python value (dict, list, str, int, float, bool, None) as the core's wire value.
fn wire(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Value> {
    pythonize::depythonize::<Value>(value).map_err(|e| {
        engine_error(
            py,
            BacktestError::new(
                crate::ErrorKind::Parameter,
                format!("cannot read the request: {e}"),
            ),
        )
    })
}

/// `max_workers` checked: at least 1 (the pool is then sized by [`crate::pool::threads_for`]).
fn check_workers(py: Python<'_>, max_workers: Option<i64>) -> PyResult<Option<usize>> {
    match max_workers {
        Some(w) if w < 1 => Err(engine_error(
            py,
            BacktestError::TooSmall {
                name: "max_workers".into(),
                value: w,
                min: 1,
            },
        )),
        other => Ok(other.map(|w| w as usize)),
    }
}

/// A run's output as a dict; the equity curve as a numpy array when numpy is present.
fn output_dict<'py>(py: Python<'py>, out: api::BacktestOutput) -> PyResult<Bound<'py, PyAny>> {
    let equity = float_array(py, out.equity_curve.clone())?;
    let dict = PyDict::new(py);
    dict.set_item("metrics", pythonize::pythonize(py, &out.metrics)?)?;
    dict.set_item("trades", pythonize::pythonize(py, &out.trades)?)?;
    dict.set_item("equity_curve", equity)?;
    dict.set_item(
        "params",
        pythonize::pythonize(py, &Value::Map(out.params.clone()))?,
    )?;
    dict.set_item("execution_time_ms", out.execution_time_ms)?;
    Ok(dict.into_any())
}

/// Every output of one indicator (`name` as in a strategy tree), each a float array.
#[pyfunction]
fn indicator<'py>(
    py: Python<'py>,
    name: &str,
    inputs: Vec<Vec<f64>>,
    params: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyList>> {
    let kind = crate::strategy::IndicatorKind::from_name(name)
        .ok_or_else(|| PyValueError::new_err(format!("unknown indicator '{name}'")))?;
    let params = wire(py, params)?;
    let values: Vec<f64> = kind
        .params()
        .iter()
        .map(|spec| {
            params
                .get(spec.name)
                .and_then(Value::as_number)
                .or(spec.default)
                .ok_or_else(|| PyValueError::new_err(format!("{} is required", spec.name)))
        })
        .collect::<PyResult<_>>()?;
    let (source, hlc): (&[f64], [&[f64]; 3]) = if kind.has_source() {
        (inputs.first().map_or(&[][..], |v| v), [&[], &[], &[]])
    } else if inputs.len() == 3 {
        (&[], [&inputs[0], &inputs[1], &inputs[2]])
    } else {
        return Err(PyValueError::new_err("atr takes high, low and close"));
    };
    let outputs = py.detach(|| kind.compute(&values, source, hlc[0], hlc[1], hlc[2]));
    let arrays = outputs
        .into_iter()
        .map(|o| float_array(py, o))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, arrays)
}

/// Validated market data owned by Rust; the Python `MarketData` holds one.
#[pyclass(name = "MarketData", module = "quant_backtest._native", frozen)]
struct PyMarketData {
    inner: Arc<MarketData>,
}

#[pymethods]
impl PyMarketData {
    #[new]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        symbol: String,
        dates: Vec<String>,
        open: &Bound<'_, PyAny>,
        high: &Bound<'_, PyAny>,
        low: &Bound<'_, PyAny>,
        close: &Bound<'_, PyAny>,
        volume: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let columns = (
            float_column(py, open, "open")?,
            float_column(py, high, "high")?,
            float_column(py, low, "low")?,
            float_column(py, close, "close")?,
            float_column(py, volume, "volume")?,
        );
        let (o, h, l, c, v) = columns;
        let data = py
            .detach(|| MarketData::new(symbol, dates, o, h, l, c, v))
            .map_err(|e| engine_error(py, e))?;
        Ok(Self {
            inner: Arc::new(data),
        })
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// The columns back: (symbol, dates, open, high, low, close, volume). With numpy the
    /// arrays are views of the Rust memory (no copy), kept alive by this object.
    fn columns<'py>(this: Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = this.py();
        let d = this.get().inner.clone();
        let column = |values: &[f64]| -> PyResult<Bound<'py, PyAny>> {
            if has_numpy(py) {
                let view = ArrayView1::from(values);
                // SAFETY: the data sits in an `Arc<MarketData>` that this frozen object owns and
                // never mutates; the array holds a reference to the object.
                Ok(
                    unsafe { PyArray1::borrow_from_array(&view, this.clone().into_any()) }
                        .into_any(),
                )
            } else {
                Ok(PyList::new(py, values)?.into_any())
            }
        };
        PyTuple::new(
            py,
            [
                d.symbol().into_pyobject(py)?.into_any(),
                PyList::new(py, d.dates())?.into_any(),
                column(d.open())?,
                column(d.high())?,
                column(d.low())?,
                column(d.close())?,
                column(d.volume())?,
            ],
        )
    }
}

fn metrics_tuple<'py>(py: Python<'py>, m: &Metrics) -> PyResult<Bound<'py, PyTuple>> {
    (
        m.total_return,
        m.annualized_return,
        m.volatility,
        m.sharpe_ratio,
        m.sortino_ratio,
        m.max_drawdown,
        m.trade_count,
        m.win_rate,
    )
        .into_pyobject(py)
}

fn trade_tuple<'py>(py: Python<'py>, t: &Trade) -> PyResult<Bound<'py, PyTuple>> {
    (
        t.entry_index,
        t.exit_index,
        t.entry_date.as_str(),
        t.exit_date.as_str(),
        t.entry_price,
        t.exit_price,
        t.size,
        t.pnl,
        t.return_pct,
        t.bars_held,
    )
        .into_pyobject(py)
}

/// (fast, slow, metrics, trades, equity_curve, execution_time_ms)
fn result_tuple<'py>(py: Python<'py>, r: BacktestResult) -> PyResult<Bound<'py, PyTuple>> {
    let trades = r
        .trades
        .iter()
        .map(|t| trade_tuple(py, t))
        .collect::<PyResult<Vec<_>>>()?;
    (
        r.fast_period,
        r.slow_period,
        metrics_tuple(py, &r.metrics)?,
        PyList::new(py, trades)?,
        float_array(py, r.equity_curve)?,
        r.execution_time_ms,
    )
        .into_pyobject(py)
}

/// The settings as the Python layer passes them: (initial_capital, commission_rate, fill,
/// lot_size, periods_per_year).
#[derive(FromPyObject)]
struct PySettings(f64, f64, String, f64, f64);

impl PySettings {
    fn raw(&self) -> RawSettings<'_> {
        RawSettings::new(self.0, self.1, &self.2, self.3, self.4)
    }
}

/// The engine state a Python engine keeps: its worker pools, by `max_workers`.
#[pyclass(name = "Engine", module = "quant_backtest._native", frozen)]
struct PyEngine {
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
        let plan = validate_grid(
            data.len(),
            fast_periods,
            slow_periods,
            &settings.raw(),
            max_workers,
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
        let result = py
            .detach(|| run_sma_backtest(data, fast_period, slow_period, &settings))
            .map_err(|e| engine_error(py, e))?;
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
        let out = py
            .detach(|| api::run_backtest(data, &strategy, &settings, &params))
            .map_err(|e| engine_error(py, e))?;
        output_dict(py, out)
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
        let out = py
            .detach(|| api::run_signals(data, &signals, &settings))
            .map_err(|e| engine_error(py, e))?;
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
        let (strategy, settings, params, constraint) = (
            wire(py, strategy)?,
            wire(py, settings)?,
            wire(py, params)?,
            wire(py, constraint)?,
        );
        let rows = match (names, rows) {
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
        };
        let workers = check_workers(py, max_workers)?;
        let data = &data.inner;
        let plan = py
            .detach(|| api::plan(&strategy, &settings, &params, &constraint, rows))
            .map_err(|e| engine_error(py, e))?;
        let pool = self.pool(crate::pool::threads_for(workers, plan.len()));
        let out = py.detach(|| api::run_sweep(data, &plan, &pool, &mut SeriesTable::new()));
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

/// Sample bars: (symbol, dates, open, high, low, close, volume) as a native MarketData.
#[pyfunction]
#[pyo3(signature = (symbol, days, start_price, seed=None))]
fn sample_data(
    py: Python<'_>,
    symbol: &str,
    days: i64,
    start_price: f64,
    seed: Option<u64>,
) -> PyResult<PyMarketData> {
    let seed = seed.unwrap_or_else(sample::random_seed);
    let data = py
        .detach(|| generate_sample_data(symbol, days, start_price, seed))
        .map_err(|e| engine_error(py, e))?;
    Ok(PyMarketData {
        inner: Arc::new(data),
    })
}

#[pymodule]
#[pyo3(name = "_native")]
fn native_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", crate::VERSION)?;
    m.add("PARALLEL", cfg!(feature = "parallel"))?;
    m.add_class::<PyMarketData>()?;
    m.add_class::<PyEngine>()?;
    m.add_function(wrap_pyfunction!(sample_data, m)?)?;
    m.add_function(wrap_pyfunction!(indicator, m)?)?;
    let metrics = PyList::new(
        m.py(),
        crate::METRICS
            .iter()
            .map(|d| (d.name, d.kind == crate::metrics::MetricKind::Int)),
    );
    m.add("METRICS", metrics?)?;
    Ok(())
}
