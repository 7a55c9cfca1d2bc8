//! Execution: signals in, fills, stops, sizing, fees and the equity out. It never sees an
//! indicator (the strategy layer turns bars into signals first).

pub mod account;
pub mod run;
pub mod settings;
pub mod trade;

pub use account::{Account, Bar, BarSignals, Order};
pub use run::SignalSet;
pub use settings::{Direction, ExecSettings, SizeType};
pub use trade::{ExitReason, Side, Trade};
