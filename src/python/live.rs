//! `_native.LiveRun`: a handle to the core's live backtest. Bars come in as their six fields
//! (the Python layer reads dicts and `Bar`s), events go out as tuples.

use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use super::convert::{output_dict, wire};
use super::errors::engine_error;
use crate::api::LiveBacktest;
use crate::execution::Order;
use crate::stream::Event;

#[pyclass(name = "LiveRun", module = "quant_backtest._native")]
pub(super) struct PyLiveRun {
    inner: LiveBacktest,
}

/// An event as `(kind, bar, date, symbol, side, price, size, reason)`.
fn event_tuple<'py>(py: Python<'py>, e: &Event) -> PyResult<Bound<'py, PyTuple>> {
    (
        e.kind.as_str(),
        e.bar,
        e.date.as_str(),
        e.symbol.as_deref(),
        e.side.as_str(),
        e.price,
        e.size,
        e.reason,
    )
        .into_pyobject(py)
}

/// A pending order's name: `open_long`, `open_short`, `close`, `reverse_long`, `reverse_short`.
pub(super) fn order_name(order: Order) -> String {
    match order {
        Order::Open(side) => format!("open_{}", side.as_str()),
        Order::Close => "close".to_string(),
        Order::Reverse(side) => format!("reverse_{}", side.as_str()),
    }
}

#[pymethods]
impl PyLiveRun {
    #[new]
    fn new(
        py: Python<'_>,
        strategy: &Bound<'_, PyAny>,
        settings: &Bound<'_, PyAny>,
        params: &Bound<'_, PyAny>,
        symbol: Option<String>,
        equity_curve: bool,
    ) -> PyResult<Self> {
        let (strategy, settings, params) =
            (wire(py, strategy)?, wire(py, settings)?, wire(py, params)?);
        LiveBacktest::new(&strategy, &settings, &params, symbol, equity_curve)
            .map(|inner| Self { inner })
            .map_err(|e| engine_error(py, e))
    }

    /// One bar; the events it caused.
    #[allow(clippy::too_many_arguments)]
    fn push<'py>(
        &mut self,
        py: Python<'py>,
        date: &str,
        open: f64,
        high: f64,
        low: f64,
        close: f64,
        volume: f64,
    ) -> PyResult<Bound<'py, PyList>> {
        let events = self
            .inner
            .push(date, [open, high, low, close, volume])
            .map_err(|e| engine_error(py, e))?;
        let tuples = events
            .iter()
            .map(|e| event_tuple(py, e))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, tuples)
    }

    /// `(side, units)` of the open position, or None.
    fn position(&self) -> Option<(&'static str, f64)> {
        self.inner.run().position().map(|(s, q)| (s.as_str(), q))
    }

    fn pending(&self) -> Option<String> {
        self.inner.run().pending().map(order_name)
    }

    fn cash(&self) -> f64 {
        self.inner.run().cash()
    }

    fn equity(&self) -> f64 {
        self.inner.run().equity()
    }

    fn bars(&self) -> usize {
        self.inner.run().bars()
    }

    fn last_date(&self) -> Option<&str> {
        self.inner.run().last_date()
    }

    fn result<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let out = self.inner.result().map_err(|e| engine_error(py, e))?;
        output_dict(py, out)
    }

    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        LiveBacktest::from_json(text)
            .map(|inner| Self { inner })
            .map_err(|e| engine_error(py, e))
    }
}
