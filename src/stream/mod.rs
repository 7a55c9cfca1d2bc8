//! Live runs: bars pushed one at a time through the same per-bar step as a batch run
//! ([`crate::execution::Account::step`]), the signals made by streaming indicators, so that
//! the result after any number of bars equals the batch run on those bars, bit for bit
//! (docs/CONVENTIONS.md, "Live runs").

mod event;
mod live;
mod portfolio;
mod signals;

pub use event::{Event, EventKind};
pub use live::{LiveRun, LiveState};
pub use portfolio::{AssetBar, LivePortfolio, LivePortfolioState};
pub use signals::{BarInput, LiveSignals};
