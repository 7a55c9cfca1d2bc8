//! `_native.LiveRun` and `_native.LivePortfolioRun`: handles to the core's live backtests. A
//! bar comes in as its six fields (the Python layer reads dicts and `Bar`s), a portfolio's bar
//! set as a dict symbol -> bar dict or None (the core reads it); events go out as tuples.

use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use super::convert::{output_dict, wire};
use super::errors::engine_error;
use crate::api::{live_from_json, LiveBacktest, LivePortfolioBacktest, SavedLive};
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

fn event_list<'py>(py: Python<'py>, events: &[Event]) -> PyResult<Bound<'py, PyList>> {
    let tuples = events
        .iter()
        .map(|e| event_tuple(py, e))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, tuples)
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
        event_list(py, events)
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

#[pyclass(name = "LivePortfolioRun", module = "quant_backtest._native")]
pub(super) struct PyLivePortfolioRun {
    inner: LivePortfolioBacktest,
}

#[pymethods]
impl PyLivePortfolioRun {
    #[new]
    fn new(
        py: Python<'_>,
        strategy: &Bound<'_, PyAny>,
        settings: &Bound<'_, PyAny>,
        params: &Bound<'_, PyAny>,
        symbols: Vec<String>,
        equity_curve: bool,
    ) -> PyResult<Self> {
        let (strategy, settings, params) =
            (wire(py, strategy)?, wire(py, settings)?, wire(py, params)?);
        LivePortfolioBacktest::new(&strategy, &settings, &params, symbols, equity_curve)
            .map(|inner| Self { inner })
            .map_err(|e| engine_error(py, e))
    }

    /// One instant's bar set; the events it caused.
    fn push<'py>(
        &mut self,
        py: Python<'py>,
        bar_set: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let set = wire(py, bar_set)?;
        let events = self
            .inner
            .push_value(&set)
            .map_err(|e| engine_error(py, e))?;
        event_list(py, events)
    }

    /// `(symbol, side, units)` of each open position, in universe order.
    fn positions(&self) -> Vec<(&str, &'static str, f64)> {
        let run = self.inner.run();
        run.positions()
            .map(|(i, s, q)| (run.symbols()[i].as_str(), s.as_str(), q))
            .collect()
    }

    /// `(symbol, order)` of each order waiting for its asset's next bar.
    fn pending(&self) -> Vec<(&str, String)> {
        let run = self.inner.run();
        run.pending()
            .map(|(i, o)| (run.symbols()[i].as_str(), order_name(o)))
            .collect()
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

    fn symbols(&self) -> Vec<String> {
        self.inner.run().symbols().to_vec()
    }

    /// The symbols that have had a bar, in universe order.
    fn started(&self) -> Vec<&str> {
        let run = self.inner.run();
        (0..run.symbols().len())
            .filter(|&i| run.started(i))
            .map(|i| run.symbols()[i].as_str())
            .collect()
    }

    /// The core's portfolio output as a dict (trades as dicts with their dates).
    fn result<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let out = self.inner.result().map_err(|e| engine_error(py, e))?;
        Ok(pythonize::pythonize(py, &out)?)
    }

    fn to_json(&self) -> String {
        self.inner.to_json()
    }
}

/// The run a saved state holds: a `LiveRun` or a `LivePortfolioRun`.
#[pyfunction(name = "live_from_json")]
pub(super) fn resume_live<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    match live_from_json(text).map_err(|e| engine_error(py, e))? {
        SavedLive::Asset(run) => Ok(Bound::new(py, PyLiveRun { inner: *run })?.into_any()),
        SavedLive::Portfolio(run) => {
            Ok(Bound::new(py, PyLivePortfolioRun { inner: *run })?.into_any())
        }
    }
}
