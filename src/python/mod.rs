//! The Python door (`quant_backtest._native`): conversions only (`convert`), errors mapped in
//! one place (`errors`), the data handle (`data`) and the engine calls (`engine`).

mod convert;
mod data;
mod engine;
mod errors;
mod live;
mod portfolio;

use std::sync::Arc;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::{generate_sample_data, sample};
use convert::{float_array, wire};
use data::PyMarketData;
use engine::PyEngine;
use errors::detached;

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
    let values = kind
        .param_values(&params)
        .map_err(|name| PyValueError::new_err(format!("{name} is required")))?;
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
    let data = detached(py, || generate_sample_data(symbol, days, start_price, seed))?;
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
    m.add_class::<portfolio::PyUniverse>()?;
    m.add_class::<live::PyLiveRun>()?;
    m.add_class::<live::PyLivePortfolioRun>()?;
    m.add_function(wrap_pyfunction!(live::resume_live, m)?)?;
    m.add_function(wrap_pyfunction!(portfolio::sample_universe, m)?)?;
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
