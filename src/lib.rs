//! quant-backtest: a backtest engine for trading strategies.
//!
//! The core is plain Rust with no binding code: market data and its validation, the SMA, the
//! SMA-crossover simulation, trades, metrics, parameter grids and deterministic sample data.
//! `python` (pyo3) and `wasm` (wasm-bindgen) are thin doors behind their features. `docs/CONVENTIONS.md` fixes the exact
//! arithmetic that every engine (this crate, its wasm build and the pure-Python fallback)
//! follows, so that they agree bit for bit.
//!
//! ```
//! use quant_backtest::{generate_sample_data, run_sma_backtest, RawSettings};
//! let data = generate_sample_data("DEMO", 500, 100.0, 42).unwrap();
//! let settings = RawSettings { fill: "close", ..RawSettings::default() };
//! let result = run_sma_backtest(&data, 10, 30, &settings).unwrap();
//! assert_eq!(result.equity_curve.len(), 500);
//! ```

pub mod api;
pub mod bits;
pub mod data;
pub mod error;
pub mod execution;
pub mod indicators;
pub mod metrics;
pub mod pool;
pub mod portfolio;
pub mod seed;
mod state_json;
pub mod strategy;
pub mod stream;
pub mod sweep;
mod timing;
pub mod walk;

#[cfg(all(feature = "python", not(target_arch = "wasm32")))]
mod python;

#[cfg(all(feature = "wasm", target_arch = "wasm32"))]
mod wasm;

pub use data::sample::{self, generate_sample_data};
pub use data::MarketData;
pub use error::{BacktestError, ErrorKind, Result};
pub use execution::Trade;
pub use grid::{
    run_grid, run_grid_cached, run_grid_metrics, run_grid_metrics_cached, GridColumns, GridRow,
    SmaCache,
};
pub use metrics::{Metrics, METRICS};
pub use params::{validate_backtest, validate_grid, Fill, GridPlan, RawSettings, Settings};
pub use pool::WorkerPool;
pub use seed::backtest::{run_sma_backtest, BacktestResult};
pub use seed::{grid, params};

/// The crate version, as the doors report it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

impl Default for RawSettings<'static> {
    fn default() -> Self {
        let s = Settings::default();
        RawSettings {
            initial_capital: s.initial_capital,
            commission_rate: s.commission_rate,
            fill: s.fill.as_str(),
            lot_size: s.lot_size,
            periods_per_year: s.periods_per_year,
        }
    }
}
