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
                .call1((error.to_string(),))
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
        let pool = self.pool(plan.max_workers);
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
        self.pool(max_workers).threads()
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
    Ok(())
}
