//! Every engine error becomes `quant_backtest.BacktestError` (a `ValueError`) with the
//! engine's message and `code`: the one place errors cross into Python.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::BacktestError;

/// `quant_backtest._errors.BacktestError`, so both backends raise the same class.
pub(super) fn engine_error(py: Python<'_>, error: BacktestError) -> PyErr {
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

/// An engine call with the GIL released; its refusal as a `BacktestError`.
pub(super) fn detached<T: Send>(
    py: Python<'_>,
    call: impl FnOnce() -> crate::Result<T> + Send,
) -> PyResult<T> {
    py.detach(call).map_err(|e| engine_error(py, e))
}
