//! `Universe` owned by Rust (the Python `Universe` holds one), the sample universe, and a
//! portfolio result as a dict.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::convert::float_array;
use super::data::PyMarketData;
use super::errors::detached;
use crate::api::{PortfolioOutput, Value};
use crate::portfolio::sample::generate_sample_universe;
use crate::portfolio::Universe;

/// Assets aligned on the union of their instants; built from native `MarketData` handles.
#[pyclass(name = "Universe", module = "quant_backtest._native", frozen)]
pub(super) struct PyUniverse {
    pub(super) inner: Arc<Universe>,
}

#[pymethods]
impl PyUniverse {
    #[new]
    fn new(py: Python<'_>, assets: Vec<PyRef<'_, PyMarketData>>) -> PyResult<Self> {
        let assets: Vec<_> = assets.iter().map(|a| (*a.inner).clone()).collect();
        let universe = detached(py, || Universe::new(assets))?;
        Ok(Self {
            inner: Arc::new(universe),
        })
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// The union's dates.
    fn dates<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.inner.dates())
    }
}

/// The sample universe's assets, as native `MarketData` handles in universe order.
#[pyfunction]
pub(super) fn sample_universe(
    py: Python<'_>,
    symbols: Vec<String>,
    days: i64,
    seed: u64,
) -> PyResult<Vec<PyMarketData>> {
    let universe = detached(py, || generate_sample_universe(&symbols, days.into(), seed))?;
    Ok(universe
        .assets()
        .iter()
        .map(|a| PyMarketData {
            inner: Arc::new(a.clone()),
        })
        .collect())
}

/// A portfolio run's output as a dict; the curves as numpy arrays when numpy is present.
pub(super) fn portfolio_dict<'py>(
    py: Python<'py>,
    out: PortfolioOutput,
) -> PyResult<Bound<'py, PyAny>> {
    let dict = PyDict::new(py);
    dict.set_item("metrics", pythonize::pythonize(py, &out.metrics)?)?;
    dict.set_item("trades", pythonize::pythonize(py, &out.trades)?)?;
    dict.set_item("dates", PyList::new(py, &out.dates)?)?;
    dict.set_item("equity_curve", float_array(py, out.equity_curve)?)?;
    dict.set_item("cash", float_array(py, out.cash)?)?;
    dict.set_item("assets", pythonize::pythonize(py, &out.assets)?)?;
    let values = PyDict::new(py);
    for (symbol, column) in out.position_values {
        values.set_item(symbol, float_array(py, column)?)?;
    }
    dict.set_item("position_values", values)?;
    dict.set_item("params", pythonize::pythonize(py, &Value::Map(out.params))?)?;
    dict.set_item("execution_time_ms", out.execution_time_ms)?;
    Ok(dict.into_any())
}
