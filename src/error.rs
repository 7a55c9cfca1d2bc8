//! Every way a call can be refused, with the exact message all engines share
//! (docs/CONVENTIONS.md). Python sees these as `ValueError`, JS as `BacktestError`.

use std::fmt;

/// A refused input. The `Display` text is the user-facing message; it names the field and,
/// for market data, the 0-based row.
#[derive(Debug, Clone, PartialEq)]
pub enum BacktestError {
    /// A column's length differs from `dates`'.
    LengthMismatch {
        field: &'static str,
        len: usize,
        expected: usize,
    },
    /// No rows at all.
    Empty,
    /// A date string that is not ISO 8601.
    BadDate { row: usize, value: String },
    /// A date not after the previous one.
    DateNotIncreasing {
        row: usize,
        value: String,
        previous: String,
    },
    /// A price that is NaN, infinite, zero or negative.
    BadPrice {
        field: &'static str,
        row: usize,
        value: f64,
    },
    /// `high < low`.
    HighBelowLow { row: usize, high: f64, low: f64 },
    /// `open` or `close` outside `[low, high]`.
    OutsideRange {
        field: &'static str,
        row: usize,
        value: f64,
        low: f64,
        high: f64,
    },
    /// A volume that is not a finite number >= 0.
    BadVolume { row: usize, value: f64 },
    /// A period (or other count) below its minimum.
    TooSmall { name: String, value: i128, min: i64 },
    /// A count above its maximum.
    TooLarge { name: String, value: i128, max: i64 },
    /// `fast_period >= slow_period`.
    FastNotBelowSlow { fast: i128, slow: i128 },
    /// A period longer than the data.
    PeriodExceedsBars {
        name: String,
        value: i128,
        bars: usize,
    },
    /// A float parameter out of its domain; `domain` completes "must be ...".
    BadParameter {
        name: &'static str,
        domain: &'static str,
        value: f64,
    },
    /// An unknown `fill`.
    UnknownFill { value: String },
    /// An empty list of periods in a grid.
    EmptyList { name: &'static str },
    /// A grid where every fast period is >= every slow period.
    NoValidPair,
    /// Any other refusal of the strategy engine: its kind and the whole message.
    Invalid { kind: ErrorKind, message: String },
}

/// What kind of input was refused; `code()` is the stable name every language reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    MarketData,
    Parameter,
    Strategy,
    Grid,
    Signals,
    /// A saved live state that is corrupt, of another format or another version.
    State,
}

impl ErrorKind {
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::MarketData => "invalid_market_data",
            ErrorKind::Parameter => "invalid_parameter",
            ErrorKind::Strategy => "invalid_strategy",
            ErrorKind::Grid => "invalid_grid",
            ErrorKind::Signals => "invalid_signals",
            ErrorKind::State => "invalid_state",
        }
    }
}

impl fmt::Display for BacktestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use BacktestError::*;
        match self {
            LengthMismatch {
                field,
                len,
                expected,
            } => write!(f, "{field} has {len} rows but dates has {expected} rows"),
            Empty => write!(f, "market data is empty: need at least 1 row"),
            BadDate { row, value } => write!(
                f,
                "dates at row {row} is not an ISO 8601 date or datetime: '{value}'"
            ),
            DateNotIncreasing {
                row,
                value,
                previous,
            } => write!(
                f,
                "dates at row {row} ('{value}') is not after row {} ('{previous}'); dates must be strictly increasing",
                row - 1
            ),
            BadPrice { field, row, value } => write!(
                f,
                "{field} at row {row} must be a finite number > 0, got {value:?}"
            ),
            HighBelowLow { row, high, low } => {
                write!(f, "high at row {row} is below low ({high:?} < {low:?})")
            }
            OutsideRange {
                field,
                row,
                value,
                low,
                high,
            } => write!(
                f,
                "{field} at row {row} is outside [low, high]: {value:?} not in [{low:?}, {high:?}]"
            ),
            BadVolume { row, value } => write!(
                f,
                "volume at row {row} must be a finite number >= 0, got {value:?}"
            ),
            TooSmall { name, value, min } => write!(f, "{name} must be >= {min}, got {value}"),
            TooLarge { name, value, max } => write!(f, "{name} must be <= {max}, got {value}"),
            FastNotBelowSlow { fast, slow } => write!(
                f,
                "fast_period ({fast}) must be less than slow_period ({slow})"
            ),
            PeriodExceedsBars { name, value, bars } => write!(
                f,
                "{name} ({value}) exceeds the number of bars ({bars})"
            ),
            BadParameter {
                name,
                domain,
                value,
            } => write!(f, "{name} must be {domain}, got {value:?}"),
            UnknownFill { value } => {
                write!(f, "fill must be 'next_open' or 'close', got '{value}'")
            }
            EmptyList { name } => write!(f, "{name} is empty"),
            NoValidPair => write!(f, "the grid has no pair with fast_period < slow_period"),
            Invalid { message, .. } => f.write_str(message),
        }
    }
}

impl BacktestError {
    /// A refusal of the given kind with its whole message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        BacktestError::Invalid {
            kind,
            message: message.into(),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        use BacktestError::*;
        match self {
            LengthMismatch { .. }
            | Empty
            | BadDate { .. }
            | DateNotIncreasing { .. }
            | BadPrice { .. }
            | HighBelowLow { .. }
            | OutsideRange { .. }
            | BadVolume { .. } => ErrorKind::MarketData,
            EmptyList { .. } | NoValidPair => ErrorKind::Grid,
            // A grid's lists name their items (`slow_periods[1]`).
            TooSmall { name, .. } | PeriodExceedsBars { name, .. } if name.ends_with(']') => {
                ErrorKind::Grid
            }
            Invalid { kind, .. } => *kind,
            _ => ErrorKind::Parameter,
        }
    }

    /// A stable machine-readable kind (`BacktestError.code` in Python and JS).
    pub fn code(&self) -> &'static str {
        self.kind().code()
    }
}

impl std::error::Error for BacktestError {}

/// Shorthand for results of engine calls.
pub type Result<T> = std::result::Result<T, BacktestError>;
