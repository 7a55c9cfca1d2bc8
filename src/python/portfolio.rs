//! `Universe` owned by Rust (the Python `Universe` holds one), the sample universe, and a
//! portfolio result as a dict.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::convert::{float_array, float_matrix, int_array};
use super::data::PyMarketData;
use super::errors::detached;
use crate::api::Value;
use crate::execution::trade::{ExitReason, Side};
use crate::portfolio::sample::generate_sample_universe;
use crate::portfolio::PortfolioRun;
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

/// A portfolio run's output as a dict of columns (no Python object per trade or per bar):
/// metrics, trades (a column per field; `symbol` the asset's index, `direction` and
/// `exit_reason` indices into `labels`), equity_curve, cash, assets, position_rows (bars x
/// assets), params, execution_time_ms. The Python layer takes the dates from its universe.
pub(super) fn portfolio_columns<'py>(
    py: Python<'py>,
    r: PortfolioRun,
    params: &[(String, Value)],
    ms: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let trades = PyDict::new(py);
    let ints = |f: &dyn Fn(&(usize, crate::execution::trade::RawTrade)) -> usize| {
        int_array(py, r.trades.iter().map(|t| f(t) as i64).collect())
    };
    let floats = |f: &dyn Fn(&crate::execution::trade::RawTrade) -> f64| {
        float_array(py, r.trades.iter().map(|(_, t)| f(t)).collect())
    };
    trades.set_item("symbol", ints(&|(i, _)| *i)?)?;
    trades.set_item("entry_index", ints(&|(_, t)| t.entry_index)?)?;
    trades.set_item("exit_index", ints(&|(_, t)| t.exit_index)?)?;
    trades.set_item("entry_price", floats(&|t| t.entry_price)?)?;
    trades.set_item("exit_price", floats(&|t| t.exit_price)?)?;
    trades.set_item("size", floats(&|t| t.size)?)?;
    trades.set_item("pnl", floats(&|t| t.pnl)?)?;
    trades.set_item("return_pct", floats(&|t| t.return_pct)?)?;
    trades.set_item("bars_held", ints(&|(_, t)| t.exit_index - t.entry_index)?)?;
    trades.set_item("direction", ints(&|(_, t)| t.side as usize)?)?;
    trades.set_item("exit_reason", ints(&|(_, t)| t.exit_reason as usize)?)?;
    let dict = PyDict::new(py);
    dict.set_item("metrics", pythonize::pythonize(py, &r.metrics)?)?;
    dict.set_item("trades", trades)?;
    dict.set_item(
        "labels",
        (
            Side::ALL.map(Side::as_str).to_vec(),
            ExitReason::ALL.map(ExitReason::as_str).to_vec(),
        ),
    )?;
    dict.set_item("equity_curve", float_array(py, r.equity)?)?;
    dict.set_item("cash", float_array(py, r.cash)?)?;
    dict.set_item("assets", pythonize::pythonize(py, &r.assets)?)?;
    let m = r.assets.len();
    dict.set_item("position_rows", float_matrix(py, r.position_rows, m)?)?;
    dict.set_item(
        "params",
        pythonize::pythonize(py, &Value::Map(params.to_vec()))?,
    )?;
    dict.set_item("execution_time_ms", ms)?;
    Ok(dict.into_any())
}
