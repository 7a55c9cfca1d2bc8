//! Performance metrics: the one table of names every door, sweep column and the fallback
//! iterate (docs/CONVENTIONS.md, "Metrics"), and how a run's equity becomes them.

mod accumulator;

pub use accumulator::compute;
pub(crate) use accumulator::{MetricsAccumulator, MetricsState, TradeStats};

use serde::ser::{Serialize, SerializeMap, Serializer};

/// How a metric's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// Always a number.
    Float,
    /// A number, or none where undefined (NaN in sweep columns).
    OptionalFloat,
    /// A count.
    Int,
}

/// One row of the metric table.
#[derive(Debug, Clone, Copy)]
pub struct MetricDef {
    pub name: &'static str,
    pub kind: MetricKind,
    pub description: &'static str,
}

const fn def(name: &'static str, kind: MetricKind, description: &'static str) -> MetricDef {
    MetricDef {
        name,
        kind,
        description,
    }
}

/// Every metric, in the order results, columns and docs show them.
pub const METRICS: [MetricDef; 16] = [
    def(
        "total_return",
        MetricKind::Float,
        "final equity / initial capital - 1",
    ),
    def(
        "annualized_return",
        MetricKind::Float,
        "(1 + total_return) ^ (periods_per_year / bars) - 1",
    ),
    def(
        "volatility",
        MetricKind::Float,
        "annualised sample std of per-bar returns",
    ),
    def(
        "sharpe_ratio",
        MetricKind::OptionalFloat,
        "annualised mean / std of per-bar returns",
    ),
    def(
        "sortino_ratio",
        MetricKind::OptionalFloat,
        "annualised mean / downside deviation",
    ),
    def(
        "max_drawdown",
        MetricKind::Float,
        "largest peak-to-trough fall, a fraction",
    ),
    def("trade_count", MetricKind::Int, "closed trades"),
    def(
        "win_rate",
        MetricKind::Float,
        "percent of closed trades with pnl > 0",
    ),
    def(
        "buy_and_hold_return",
        MetricKind::Float,
        "last close / first close - 1",
    ),
    def(
        "exposure",
        MetricKind::Float,
        "fraction of bars that end with a position open",
    ),
    def(
        "profit_factor",
        MetricKind::OptionalFloat,
        "gross profit / gross loss of closed trades",
    ),
    def(
        "expectancy",
        MetricKind::OptionalFloat,
        "mean pnl of closed trades",
    ),
    def(
        "best_trade",
        MetricKind::OptionalFloat,
        "largest return_pct of a closed trade",
    ),
    def(
        "worst_trade",
        MetricKind::OptionalFloat,
        "smallest return_pct of a closed trade",
    ),
    def(
        "max_drawdown_duration",
        MetricKind::Int,
        "longest run of bars below a previous peak",
    ),
    def(
        "calmar_ratio",
        MetricKind::OptionalFloat,
        "annualized_return / max_drawdown",
    ),
];

/// The metrics of one run. Fractions unless the name says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Metrics {
    pub total_return: f64,
    pub annualized_return: f64,
    pub volatility: f64,
    pub sharpe_ratio: Option<f64>,
    pub sortino_ratio: Option<f64>,
    pub max_drawdown: f64,
    pub trade_count: usize,
    pub win_rate: f64,
    pub buy_and_hold_return: f64,
    pub exposure: f64,
    pub profit_factor: Option<f64>,
    pub expectancy: Option<f64>,
    pub best_trade: Option<f64>,
    pub worst_trade: Option<f64>,
    pub max_drawdown_duration: usize,
    pub calmar_ratio: Option<f64>,
}

/// A metric's value, as the table's kind says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MetricValue {
    Float(f64),
    Optional(Option<f64>),
    Int(usize),
}

impl MetricValue {
    /// As a sweep column stores it: none is NaN.
    pub fn as_f64(self) -> f64 {
        match self {
            MetricValue::Float(x) => x,
            MetricValue::Optional(x) => x.unwrap_or(f64::NAN),
            MetricValue::Int(i) => i as f64,
        }
    }
}

impl Metrics {
    /// The values in table order.
    pub fn values(&self) -> [MetricValue; 16] {
        use MetricValue::*;
        [
            Float(self.total_return),
            Float(self.annualized_return),
            Float(self.volatility),
            Optional(self.sharpe_ratio),
            Optional(self.sortino_ratio),
            Float(self.max_drawdown),
            Int(self.trade_count),
            Float(self.win_rate),
            Float(self.buy_and_hold_return),
            Float(self.exposure),
            Optional(self.profit_factor),
            Optional(self.expectancy),
            Optional(self.best_trade),
            Optional(self.worst_trade),
            Int(self.max_drawdown_duration),
            Optional(self.calmar_ratio),
        ]
    }

    /// The value of the metric called `name`.
    pub fn get(&self, name: &str) -> Option<MetricValue> {
        METRICS
            .iter()
            .position(|m| m.name == name)
            .map(|i| self.values()[i])
    }
}

impl Serialize for Metrics {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(METRICS.len()))?;
        for (def, value) in METRICS.iter().zip(self.values()) {
            match value {
                MetricValue::Float(x) => map.serialize_entry(def.name, &x)?,
                MetricValue::Optional(x) => map.serialize_entry(def.name, &x)?,
                MetricValue::Int(i) => map.serialize_entry(def.name, &(i as u64))?,
            }
        }
        map.end()
    }
}
