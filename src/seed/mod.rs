//! The seed's API (`run_sma_backtest`, grids of SMA pairs), kept with its signatures, checks
//! and answers, running on the strategy engine.

pub mod backtest;
pub mod grid;
pub mod params;
