//! `MarketData` owned by Rust: the Python `MarketData` holds one.

use std::sync::Arc;

use numpy::ndarray::ArrayView1;
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use super::convert::{float_column, has_numpy};
use super::errors::detached;
use crate::MarketData;

/// Validated market data owned by Rust; the Python `MarketData` holds one.
#[pyclass(name = "MarketData", module = "quant_backtest._native", frozen)]
pub(super) struct PyMarketData {
    pub(super) inner: Arc<MarketData>,
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
        let data = detached(py, || MarketData::new(symbol, dates, o, h, l, c, v))?;
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
