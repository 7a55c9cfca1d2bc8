//! Conversions between Python values and the core's: columns, the wire value, results.

use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyTuple};

use super::errors::engine_error;
use crate::api::{self, Value};
use crate::{BacktestError, BacktestResult, Metrics, RawSettings, Trade};

/// Whether numpy can be imported (checked once): arrays go out as numpy arrays when it can.
pub(super) fn has_numpy(py: Python<'_>) -> bool {
    static AVAILABLE: PyOnceLock<bool> = PyOnceLock::new();
    *AVAILABLE.get_or_init(py, || py.import("numpy").is_ok())
}

/// A float column from a float64 numpy array (one copy, no Python objects) or any sequence of
/// numbers. The Python layer has already named non-numbers by field and row.
pub(super) fn float_column(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
    field: &str,
) -> PyResult<Vec<f64>> {
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

pub(super) fn float_array<'py>(py: Python<'py>, values: Vec<f64>) -> PyResult<Bound<'py, PyAny>> {
    if has_numpy(py) {
        Ok(PyArray1::from_vec(py, values).into_any())
    } else {
        Ok(PyList::new(py, values)?.into_any())
    }
}

/// Rows of `width` floats (row-major) as a 2-D numpy array, or a list of lists without numpy.
pub(super) fn float_matrix<'py>(
    py: Python<'py>,
    values: Vec<f64>,
    width: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let rows = values.len().checked_div(width).unwrap_or(0);
    if has_numpy(py) {
        let array = PyArray1::from_vec(py, values);
        return Ok(array.reshape([rows, width])?.into_any());
    }
    let lists = values
        .chunks(width.max(1))
        .map(|row| PyList::new(py, row))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyList::new(py, lists)?.into_any())
}

pub(super) fn int_array<'py>(py: Python<'py>, values: Vec<i64>) -> PyResult<Bound<'py, PyAny>> {
    if has_numpy(py) {
        Ok(PyArray1::from_vec(py, values).into_any())
    } else {
        Ok(PyList::new(py, values)?.into_any())
    }
}

/// A Python value (dict, list, str, int, float, bool, None) as the core's wire value.
pub(super) fn wire(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Value> {
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

/// A run's output as a dict; the equity curve as a numpy array when numpy is present.
pub(super) fn output_dict<'py>(
    py: Python<'py>,
    out: api::BacktestOutput,
) -> PyResult<Bound<'py, PyAny>> {
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

pub(super) fn metrics_tuple<'py>(py: Python<'py>, m: &Metrics) -> PyResult<Bound<'py, PyTuple>> {
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

pub(super) fn trade_tuple<'py>(py: Python<'py>, t: &Trade) -> PyResult<Bound<'py, PyTuple>> {
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
        t.direction.as_str(),
        t.exit_reason.as_str(),
    )
        .into_pyobject(py)
}

/// (fast, slow, metrics, trades, equity_curve, execution_time_ms)
pub(super) fn result_tuple<'py>(
    py: Python<'py>,
    r: BacktestResult,
) -> PyResult<Bound<'py, PyTuple>> {
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
pub(super) struct PySettings(f64, f64, String, f64, f64);

impl PySettings {
    pub(super) fn raw(&self) -> RawSettings<'_> {
        RawSettings::new(self.0, self.1, &self.2, self.3, self.4)
    }
}
