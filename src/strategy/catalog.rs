//! The indicators a strategy can name: their params, defaults, inputs and outputs
//! (docs/CONVENTIONS.md, "Indicators"), and the dispatch to `crate::indicators`.

use crate::api::Value;
use crate::indicators;

/// The largest integer param (a period, a shift) the engine takes.
pub const MAX_INT_PARAM: i128 = 2_147_483_647;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IndicatorKind {
    Sma,
    Ema,
    Wma,
    Rsi,
    Macd,
    Bbands,
    Atr,
    Stddev,
    Roc,
    Highest,
    Lowest,
}

/// One param of an indicator: its name and default (`None`: required).
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    pub name: &'static str,
    pub default: Option<f64>,
    /// Integers in `[1, MAX_INT_PARAM]`; otherwise a finite float >= 0.
    pub integer: bool,
}

const fn int(name: &'static str, default: Option<f64>) -> ParamSpec {
    ParamSpec {
        name,
        default,
        integer: true,
    }
}

const PERIOD: [ParamSpec; 1] = [int("period", None)];

impl IndicatorKind {
    pub const ALL: [IndicatorKind; 11] = [
        IndicatorKind::Sma,
        IndicatorKind::Ema,
        IndicatorKind::Wma,
        IndicatorKind::Rsi,
        IndicatorKind::Macd,
        IndicatorKind::Bbands,
        IndicatorKind::Atr,
        IndicatorKind::Stddev,
        IndicatorKind::Roc,
        IndicatorKind::Highest,
        IndicatorKind::Lowest,
    ];

    pub fn name(self) -> &'static str {
        match self {
            IndicatorKind::Sma => "sma",
            IndicatorKind::Ema => "ema",
            IndicatorKind::Wma => "wma",
            IndicatorKind::Rsi => "rsi",
            IndicatorKind::Macd => "macd",
            IndicatorKind::Bbands => "bbands",
            IndicatorKind::Atr => "atr",
            IndicatorKind::Stddev => "stddev",
            IndicatorKind::Roc => "roc",
            IndicatorKind::Highest => "highest",
            IndicatorKind::Lowest => "lowest",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    pub fn params(self) -> &'static [ParamSpec] {
        const RSI: [ParamSpec; 1] = [int("period", Some(14.0))];
        const MACD: [ParamSpec; 3] = [
            int("fast", Some(12.0)),
            int("slow", Some(26.0)),
            int("signal", Some(9.0)),
        ];
        const BBANDS: [ParamSpec; 2] = [
            int("period", Some(20.0)),
            ParamSpec {
                name: "k",
                default: Some(2.0),
                integer: false,
            },
        ];
        const ROC: [ParamSpec; 1] = [int("period", Some(10.0))];
        match self {
            IndicatorKind::Rsi | IndicatorKind::Atr => &RSI,
            IndicatorKind::Macd => &MACD,
            IndicatorKind::Bbands => &BBANDS,
            IndicatorKind::Roc => &ROC,
            _ => &PERIOD,
        }
    }

    /// Named outputs (empty: one unnamed output).
    pub fn outputs(self) -> &'static [&'static str] {
        match self {
            IndicatorKind::Macd => &["macd", "signal", "hist"],
            IndicatorKind::Bbands => &["upper", "middle", "lower"],
            _ => &[],
        }
    }

    /// Whether it reads a `source` series (all but `atr`, which reads high, low and close).
    pub fn has_source(self) -> bool {
        self != IndicatorKind::Atr
    }

    /// Its params' values from a `{ name: value }` map, in table order with defaults filled
    /// (the doors' indicator functions; their values checked by the caller); `Err` names a
    /// required param that is missing.
    pub fn param_values(self, params: &Value) -> Result<Vec<f64>, &'static str> {
        self.params()
            .iter()
            .map(|spec| {
                params
                    .get(spec.name)
                    .and_then(Value::as_number)
                    .or(spec.default)
                    .ok_or(spec.name)
            })
            .collect()
    }

    /// The keys its object may hold, in the order "did you mean" prefers.
    pub fn keys(self) -> Vec<&'static str> {
        let mut keys = vec!["indicator"];
        keys.extend(self.params().iter().map(|p| p.name));
        if self.has_source() {
            keys.push("source");
        }
        if !self.outputs().is_empty() {
            keys.push("output");
        }
        keys
    }

    /// Every output over `source` (or high, low, close for `atr`), with validated params in
    /// table order.
    pub fn compute(
        self,
        params: &[f64],
        source: &[f64],
        high: &[f64],
        low: &[f64],
        close: &[f64],
    ) -> Vec<Vec<f64>> {
        let p = |i: usize| params[i] as usize;
        match self {
            IndicatorKind::Sma => vec![indicators::sma(source, p(0))],
            IndicatorKind::Ema => vec![indicators::ema(source, p(0))],
            IndicatorKind::Wma => vec![indicators::wma(source, p(0))],
            IndicatorKind::Rsi => vec![indicators::rsi(source, p(0))],
            IndicatorKind::Macd => indicators::macd(source, p(0), p(1), p(2)).into(),
            IndicatorKind::Bbands => indicators::bbands(source, p(0), params[1]).into(),
            IndicatorKind::Atr => vec![indicators::atr(high, low, close, p(0))],
            IndicatorKind::Stddev => vec![indicators::stddev(source, p(0))],
            IndicatorKind::Roc => vec![indicators::roc(source, p(0))],
            IndicatorKind::Highest => vec![indicators::highest(source, p(0))],
            IndicatorKind::Lowest => vec![indicators::lowest(source, p(0))],
        }
    }
}

/// The price columns a series can name, in "did you mean" order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PriceField {
    Open,
    High,
    Low,
    Close,
    Volume,
}

impl PriceField {
    pub const ALL: [PriceField; 5] = [
        PriceField::Open,
        PriceField::High,
        PriceField::Low,
        PriceField::Close,
        PriceField::Volume,
    ];

    pub fn name(self) -> &'static str {
        match self {
            PriceField::Open => "open",
            PriceField::High => "high",
            PriceField::Low => "low",
            PriceField::Close => "close",
            PriceField::Volume => "volume",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }
}
