//! An indicator fed one bar at a time, by kind: the state behind every door's streaming classes
//! (`new indicators.RSI(14)`, `update(x)`), the same state machines the batch functions fold.

use super::catalog::IndicatorKind;
use crate::indicators::{Atr, Bbands, Ema, Highest, Lowest, Macd, Roc, Rsi, Sma, Stddev, Wma};

/// One indicator's streaming state (a live run saves it, tagged by kind).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorState {
    Sma(Sma),
    Ema(Ema),
    Wma(Wma),
    Rsi(Rsi),
    Macd(Macd),
    Bbands(Bbands),
    Atr(Atr),
    Stddev(Stddev),
    Roc(Roc),
    Highest(Highest),
    Lowest(Lowest),
}

impl IndicatorState {
    /// A fresh state; `params` in the catalog's order, already checked by the caller.
    pub fn new(kind: IndicatorKind, params: &[f64]) -> Self {
        let p = |i: usize| params[i] as usize;
        match kind {
            IndicatorKind::Sma => Self::Sma(Sma::new(p(0))),
            IndicatorKind::Ema => Self::Ema(Ema::new(p(0))),
            IndicatorKind::Wma => Self::Wma(Wma::new(p(0))),
            IndicatorKind::Rsi => Self::Rsi(Rsi::new(p(0))),
            IndicatorKind::Macd => Self::Macd(Macd::new(p(0), p(1), p(2))),
            IndicatorKind::Bbands => Self::Bbands(Bbands::new(p(0), params[1])),
            IndicatorKind::Atr => Self::Atr(Atr::new(p(0))),
            IndicatorKind::Stddev => Self::Stddev(Stddev::new(p(0))),
            IndicatorKind::Roc => Self::Roc(Roc::new(p(0))),
            IndicatorKind::Highest => Self::Highest(Highest::new(p(0))),
            IndicatorKind::Lowest => Self::Lowest(Lowest::new(p(0))),
        }
    }

    /// Feeds one value (`atr`: high, low, close; the others read `input[0]`) and returns the
    /// current outputs, as many as the kind has (the rest NaN).
    pub fn update(&mut self, input: [f64; 3]) -> [f64; 3] {
        let one = |v: f64| [v, f64::NAN, f64::NAN];
        let x = input[0];
        match self {
            Self::Sma(s) => one(s.update(x)),
            Self::Ema(s) => one(s.update(x)),
            Self::Wma(s) => one(s.update(x)),
            Self::Rsi(s) => one(s.update(x)),
            Self::Macd(s) => s.update(x),
            Self::Bbands(s) => s.update(x),
            Self::Atr(s) => one(s.update(input[0], input[1], input[2])),
            Self::Stddev(s) => one(s.update(x)),
            Self::Roc(s) => one(s.update(x)),
            Self::Highest(s) => one(s.update(x)),
            Self::Lowest(s) => one(s.update(x)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_streams_its_batch_output() {
        let close: Vec<f64> = (0..120)
            .map(|i| 100.0 + ((i * 37) % 19) as f64 * 0.7)
            .collect();
        let high: Vec<f64> = close.iter().map(|c| c + 1.5).collect();
        let low: Vec<f64> = close.iter().map(|c| c - 1.25).collect();
        for kind in IndicatorKind::ALL {
            let params: Vec<f64> = kind
                .params()
                .iter()
                .map(|s| s.default.unwrap_or(9.0))
                .collect();
            let batch = kind.compute(&params, &close, &high, &low, &close);
            let mut state = IndicatorState::new(kind, &params);
            for t in 0..close.len() {
                let input = if kind.has_source() {
                    [close[t], f64::NAN, f64::NAN]
                } else {
                    [high[t], low[t], close[t]]
                };
                let got = state.update(input);
                for (o, out) in batch.iter().enumerate() {
                    assert_eq!(
                        got[o].to_bits(),
                        out[t].to_bits(),
                        "{} output {o} at {t}",
                        kind.name()
                    );
                }
            }
        }
    }
}
