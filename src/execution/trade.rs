//! Closed trades.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Long,
    Short,
}

impl Side {
    /// Every side, in declaration order (`side as usize` indexes it).
    pub const ALL: [Side; 2] = [Side::Long, Side::Short];

    pub fn as_str(self) -> &'static str {
        match self {
            Side::Long => "long",
            Side::Short => "short",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitReason {
    Signal,
    StopLoss,
    TakeProfit,
    TrailingStop,
    Reverse,
}

impl ExitReason {
    /// Every reason, in declaration order (`reason as usize` indexes it).
    pub const ALL: [ExitReason; 5] = [
        ExitReason::Signal,
        ExitReason::StopLoss,
        ExitReason::TakeProfit,
        ExitReason::TrailingStop,
        ExitReason::Reverse,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExitReason::Signal => "signal",
            ExitReason::StopLoss => "stop_loss",
            ExitReason::TakeProfit => "take_profit",
            ExitReason::TrailingStop => "trailing_stop",
            ExitReason::Reverse => "reverse",
        }
    }
}

/// A closed round trip. Indices are 0-based bars; `return_pct` is a fraction of the entry
/// basis (the entry value with its fees).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Trade {
    pub entry_index: usize,
    pub exit_index: usize,
    pub entry_date: String,
    pub exit_date: String,
    pub entry_price: f64,
    pub exit_price: f64,
    pub size: f64,
    /// Net of every fee.
    pub pnl: f64,
    pub return_pct: f64,
    pub bars_held: usize,
    pub direction: Side,
    pub exit_reason: ExitReason,
}

/// A closed trade before dates are attached (what the inner loop produces).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct RawTrade {
    pub side: Side,
    pub entry_index: usize,
    pub exit_index: usize,
    pub entry_price: f64,
    pub exit_price: f64,
    pub size: f64,
    pub pnl: f64,
    pub return_pct: f64,
    pub exit_reason: ExitReason,
}

impl RawTrade {
    pub fn with_dates(&self, dates: &[String]) -> Trade {
        self.dated(
            dates[self.entry_index].clone(),
            dates[self.exit_index].clone(),
        )
    }

    /// With the dates of its entry and exit bars.
    pub fn dated(&self, entry_date: String, exit_date: String) -> Trade {
        Trade {
            entry_index: self.entry_index,
            exit_index: self.exit_index,
            entry_date,
            exit_date,
            entry_price: self.entry_price,
            exit_price: self.exit_price,
            size: self.size,
            pnl: self.pnl,
            return_pct: self.return_pct,
            bars_held: self.exit_index - self.entry_index,
            direction: self.side,
            exit_reason: self.exit_reason,
        }
    }
}
